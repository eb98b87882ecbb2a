package io.damselfly.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.InfoFields;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A primary's shutdown waits for its replicas, as Redis 7.0's (shutdown-timeout, SHUTDOWN NOW and
 * ABORT, INFO shutdown_in_milliseconds): a real redis-server 7.0.15 replica, stopped with SIGSTOP
 * so that it cannot acknowledge, is the replica that lags.
 */
class ShutdownGraceTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void laggingReplica_writesWaitUntilAbort() throws Exception {
        try (EmbeddedServer primary = EmbeddedServer.builder().option("shutdown_timeout", "60").start();
                RedisServerProcess replica = followerOf(primary);
                RawClient c = new RawClient("127.0.0.1", primary.port());
                RawClient stopper = new RawClient("127.0.0.1", primary.port());
                RawClient writer = new RawClient("127.0.0.1", primary.port())) {
            c.call("SET", "k", "1");
            replica.signal("STOP");
            try {
                c.call("SET", "k", "2");
                Future<String> shutdown = pool.submit(() -> stopper.callText("SHUTDOWN", "NOSAVE"));
                InfoFields.await(c, "server", info -> info.contains("shutdown_in_milliseconds:"), "the shutdown waits");
                long left = Long.parseLong(InfoFields.field(c, "server", "shutdown_in_milliseconds"));
                assertTrue(left > 50_000 && left <= 60_000, "about shutdown-timeout left: " + left);
                assertFalse(shutdown.isDone(), "SHUTDOWN waits for the replica");
                // reads are served; writes wait, and CLIENT UNPAUSE does not end a shutdown's pause
                assertEquals("$2", RawClient.render(c.call("GET", "k")));
                Future<String> write = pool.submit(() -> writer.callText("SET", "k", "3"));
                assertEquals("+OK", c.callText("CLIENT", "UNPAUSE"));
                assertThrows(TimeoutException.class, () -> write.get(300, TimeUnit.MILLISECONDS), "the write waits");
                assertEquals("$2", RawClient.render(c.call("GET", "k")));
                // a second SHUTDOWN waits for the same outcome
                Future<String> again;
                try (RawClient other = new RawClient("127.0.0.1", primary.port())) {
                    again = pool.submit(() -> other.callText("SHUTDOWN"));
                    assertThrows(TimeoutException.class, () -> again.get(200, TimeUnit.MILLISECONDS));
                    assertEquals("+OK", c.callText("SHUTDOWN", "ABORT"));
                    assertEquals("-ERR Errors trying to SHUTDOWN. Check logs.", again.get(5, TimeUnit.SECONDS));
                }
                assertEquals("-ERR Errors trying to SHUTDOWN. Check logs.", shutdown.get(5, TimeUnit.SECONDS));
                assertEquals("+OK", write.get(5, TimeUnit.SECONDS), "writes resume after the abort");
                assertEquals("$3", RawClient.render(c.call("GET", "k")));
                assertEquals("-ERR No shutdown in progress.", c.callText("SHUTDOWN", "ABORT"));
                assertNull(InfoFields.field(c, "server", "shutdown_in_milliseconds"));
            } finally {
                replica.signal("CONT");
            }
        }
    }

    @Test
    void laggingReplica_givenShutdownTimeoutThenTheServerStops() throws Exception {
        long ms = millisToStopWithAStoppedReplica("1", "SHUTDOWN", "NOSAVE");
        assertTrue(ms >= 900, "waited shutdown-timeout first: " + ms + " ms");
    }

    @Test
    void shutdownNow_doesNotWait() throws Exception {
        long ms = millisToStopWithAStoppedReplica("60", "SHUTDOWN", "NOW", "NOSAVE");
        assertTrue(ms < 10_000, "not the 60 s of shutdown-timeout: " + ms + " ms");
    }

    /**
     * More is written than the sockets between the two can hold while the replica is stopped:
     * without the wait the primary would stop with part of it unsent, and the replica would miss
     * those writes. The replica continues while SHUTDOWN waits, catches up, and the primary stops
     * only then.
     */
    @Test
    void replicaThatCatchesUp_hasEveryWriteWhenThePrimaryStops() throws Exception {
        int keys = 400;
        String value = "v".repeat(64 * 1024);
        try (EmbeddedServer primary = EmbeddedServer.builder().option("shutdown_timeout", "60").start();
                RedisServerProcess replica = followerOf(primary);
                RawClient c = new RawClient("127.0.0.1", primary.port());
                RawClient watcher = new RawClient("127.0.0.1", primary.port());
                RawClient r = new RawClient("127.0.0.1", replica.port())) {
            replica.signal("STOP");
            boolean stopped = true;
            try {
                for (int i = 0; i < keys; i++) {
                    c.call("SET", "key:" + i, value);
                }
                c.send("SHUTDOWN", "NOSAVE");
                InfoFields.await(watcher, "server", info -> info.contains("shutdown_in_milliseconds:"), "the shutdown waits");
                replica.signal("CONT");
                stopped = false;
                assertTrue(c.isClosedByServer(), "the primary stops once the replica has caught up");
                assertEquals(":" + keys, RawClient.render(r.call("DBSIZE")));
            } finally {
                if (stopped) {
                    replica.signal("CONT");
                }
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    /**
     * How long a primary with shutdown-timeout {@code timeout} and a replica stopped by SIGSTOP
     * (it cannot acknowledge the write made then) takes to stop after {@code shutdown}.
     */
    private static long millisToStopWithAStoppedReplica(String timeout, Object... shutdown) throws Exception {
        try (EmbeddedServer primary = EmbeddedServer.builder().option("shutdown_timeout", timeout).start();
                RedisServerProcess replica = followerOf(primary);
                RawClient c = new RawClient("127.0.0.1", primary.port())) {
            replica.signal("STOP");
            try {
                c.call("SET", "k", "1");
                long start = System.nanoTime();
                c.send(shutdown);
                assertTrue(c.isClosedByServer(), "stopped without a reply");
                return (System.nanoTime() - start) / 1_000_000;
            } finally {
                replica.signal("CONT");
            }
        }
    }

    /** A redis-server replica of {@code primary}, online and acknowledging. */
    private static RedisServerProcess followerOf(EmbeddedServer primary) throws Exception {
        RedisServerProcess replica = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(primary.port()));
        try (RawClient c = new RawClient("127.0.0.1", primary.port())) {
            InfoFields.await(c, "replication", info -> info.contains("state=online"), "replica online");
        }
        return replica;
    }

}
