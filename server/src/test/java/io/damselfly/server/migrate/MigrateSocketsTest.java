package io.damselfly.server.migrate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connection cache and the exchange without a server around them: a {@link Migration} run on
 * a bare event loop against a redis-server, with a cache whose idle time is short enough to watch
 * connections close (the server's is Redis's 10 s).
 */
class MigrateSocketsTest {
    private static RedisServerProcess target;
    private static EventLoopGroup group;
    private static byte[] payload;

    @BeforeAll
    static void start() throws Exception {
        target = RedisServerProcess.start();
        group = Epoll.isAvailable() ? new EpollEventLoopGroup(2) : new NioEventLoopGroup(2);
        try (RawClient c = new RawClient("127.0.0.1", target.port())) {
            c.call("SET", "source", "value");
            payload = ((RespValue.BulkString) c.call("DUMP", "source")).value();
        }
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        target.close();
    }

    private record Outcome(boolean[] acknowledged, String error) {
    }

    private static Outcome run(MigrateSockets sockets, EventLoop loop, String key, boolean copy) throws Exception {
        CompletableFuture<Outcome> f = new CompletableFuture<>();
        new Migration(sockets, loop, "127.0.0.1", target.port(), "127.0.0.1:" + target.port(), 0, 2000, null, null,
                copy, true, new byte[][] {key.getBytes(StandardCharsets.UTF_8)}, new long[] {0},
                new byte[][] {payload}, (acknowledged, error) -> f.complete(new Outcome(acknowledged, error))).start();
        return f.get(5, TimeUnit.SECONDS);
    }

    @Test
    void cachedConnection_reusedThenClosedWhenIdle() throws Exception {
        MigrateSockets sockets = new MigrateSockets(600);
        Outcome first = run(sockets, group.next(), "a", false);
        assertNull(first.error());
        assertArrayEquals(new boolean[] {true}, first.acknowledged());
        assertEquals(1, sockets.size());
        Thread.sleep(150);
        // from another loop: the same cached connection, leased across loops
        Outcome second = run(sockets, group.next(), "b", true);
        assertNull(second.error());
        assertArrayEquals(new boolean[] {false}, second.acknowledged(), "COPY deletes nothing");
        assertEquals(1, sockets.size());
        Thread.sleep(300);
        assertEquals(1, sockets.size(), "the second use restarted the idle time");
        Thread.sleep(800);
        assertEquals(0, sockets.size());
        try (RawClient c = new RawClient("127.0.0.1", target.port())) {
            assertEquals("[$value, $value]", c.callText("MGET", "a", "b"));
        }
    }

    @Test
    void concurrentMigrations_toOneTarget_secondGetsItsOwnConnection() throws Exception {
        MigrateSockets sockets = new MigrateSockets(10_000);
        MigrateLink held = null;
        assertNull(run(sockets, group.next(), "c", true).error());
        held = sockets.lease("127.0.0.1:" + target.port());
        // the cached one is leased: this migration opens, uses and closes one of its own
        assertNull(run(sockets, group.next(), "d", true).error());
        assertEquals(1, sockets.size());
        sockets.release(held);
        assertNull(run(sockets, group.next(), "e", true).error());
        sockets.closeAll();
        assertEquals(0, sockets.size());
    }

    @Test
    void fullCache_dropsAnIdleOne() throws Exception {
        MigrateSockets sockets = new MigrateSockets(10_000);
        for (int i = 0; i < MigrateSockets.MAX_CACHED; i++) {
            MigrateLink l = new MigrateLink("other:" + i, sockets);
            l.channel = new io.netty.channel.embedded.EmbeddedChannel();
            sockets.adopt(l);
            sockets.release(l);
        }
        assertEquals(MigrateSockets.MAX_CACHED, sockets.size());
        assertNull(run(sockets, group.next(), "f", true).error());
        assertEquals(MigrateSockets.MAX_CACHED, sockets.size());
        assertEquals(true, sockets.lease("127.0.0.1:" + target.port()) != null, "the new one is cached");
        sockets.closeAll();
    }
}
