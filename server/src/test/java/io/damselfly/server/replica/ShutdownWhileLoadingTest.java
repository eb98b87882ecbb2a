package io.damselfly.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * SHUTDOWN while a data set is loading never saves, as Redis's prepareForShutdown forces NOSAVE
 * then: the save would write the part loaded so far over a file that holds all of it. A replica
 * loading its primary's snapshot (slowed by key-load-delay) is told to shut down with save points
 * configured, which would otherwise save.
 */
class ShutdownWhileLoadingTest {

    @Test
    void replicaLoadingItsSnapshot_shutdownKeepsTheWholeFile() throws Exception {
        int keys = 3000;
        Path dir = Files.createTempDirectory("loading-replica");
        try (EmbeddedServer primary = EmbeddedServer.builder().port(0).option("dir", Files.createTempDirectory("primary").toString()).start();
                RawClient p = new RawClient("127.0.0.1", primary.port())) {
            for (int i = 0; i < keys; i++) {
                p.call("SET", "key:" + i, "value:" + i);
            }
            EmbeddedServer replica = EmbeddedServer.builder().port(0).option("dir", dir.toString())
                    .option("save", "3600 1").option("key-load-delay", "2000").start();
            try (RawClient r = new RawClient("127.0.0.1", replica.port())) {
                assertEquals("+OK", r.callText("REPLICAOF", "127.0.0.1", Integer.toString(primary.port())));
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (!RawClient.render(r.call("INFO", "persistence")).contains("loading:1") && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertTrue(RawClient.render(r.call("INFO", "persistence")).contains("loading:1"), "the replica is loading");
                r.send("SHUTDOWN");
                assertTrue(r.isClosedByServer(), "the replica stops");
            } finally {
                replica.close();
            }
        }
        // the file the replica received is whole: every key loads from it
        try (EmbeddedServer again = EmbeddedServer.builder().port(0).option("dir", dir.toString()).start();
                RawClient c = new RawClient("127.0.0.1", again.port())) {
            assertEquals(":" + keys, RawClient.render(c.call("DBSIZE")));
        }
    }
}
