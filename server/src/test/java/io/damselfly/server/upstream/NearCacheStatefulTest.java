package io.damselfly.server.upstream;

import static io.damselfly.server.upstream.UpstreamFixture.within;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients whose connection is stateful go through the sidecar on a connection of their own:
 * MULTI/EXEC, WATCH, Pub/Sub with binary payloads, blocking pops, SELECT, scripts.
 */
class NearCacheStatefulTest {
    private static UpstreamFixture f;
    private static RedisCommands<String, String> up;

    @BeforeAll
    static void start() throws Exception {
        f = new UpstreamFixture(Map.of());
        up = f.upstream();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @BeforeEach
    void empty() {
        f.flushBoth();
    }

    @Test
    void multiExec_runsUpstreamAtomically() {
        RedisCommands<String, String> c = f.sidecar();
        c.set("counter", "1");
        assertEquals("1", c.get("counter"));
        c.multi();
        c.incr("counter");
        c.get("counter");
        TransactionResult r = c.exec();
        assertEquals(2L, (Long) r.get(0));
        assertEquals("2", r.get(1));
        // after the transaction the client is a pipe: its reads are the upstream's
        assertEquals("2", c.get("counter"));
        assertEquals("2", up.get("counter"));
        // another client still gets hits, and sees the transaction's write
        RedisCommands<String, String> other = f.sidecar();
        assertTrue(within(100, () -> "2".equals(other.get("counter"))));
    }

    @Test
    void watch_abortsWhenAnotherClientWrites() {
        RedisCommands<String, String> c = f.sidecar();
        up.set("w", "0");
        c.watch("w");
        up.set("w", "changed");
        c.multi();
        c.set("w", "mine");
        TransactionResult r = c.exec();
        assertTrue(r.wasDiscarded());
        assertEquals("changed", up.get("w"));
        assertEquals("changed", f.sidecar().get("w"));
    }

    @Test
    void subscribe_receivesBinaryMessages() throws Exception {
        StatefulRedisPubSubConnection<byte[], byte[]> sub = f.sidecarClient().connectPubSub(ByteArrayCodec.INSTANCE);
        BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
        sub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
                got.add(message);
            }
        });
        byte[] payload = {0, 1, (byte) 0xff, '\r', '\n', '>', '3'};
        sub.sync().subscribe("ch".getBytes(StandardCharsets.UTF_8));
        StatefulRedisConnection<byte[], byte[]> pub = f.sidecarClient().connect(ByteArrayCodec.INSTANCE);
        // published through the sidecar (relayed) and straight upstream
        assertEquals(1L, pub.sync().publish("ch".getBytes(StandardCharsets.UTF_8), payload));
        assertArrayEquals(payload, got.poll(5, TimeUnit.SECONDS));
        up.publish("ch", "plain");
        assertArrayEquals("plain".getBytes(StandardCharsets.UTF_8), got.poll(5, TimeUnit.SECONDS));
        sub.close();
        pub.close();
    }

    @Test
    void blpop_wokenByAnotherClient() throws Exception {
        RedisCommands<String, String> waiter = f.sidecar();
        CompletableFuture<KeyValue<String, String>> popped = CompletableFuture.supplyAsync(() -> waiter.blpop(5, "q"));
        // the pop is waiting upstream; a push through the sidecar (another client) wakes it
        assertTrue(within(3000, () -> up.info("clients").contains("blocked_clients:1")));
        f.sidecar().rpush("q", "job");
        KeyValue<String, String> kv = popped.get(5, TimeUnit.SECONDS);
        assertEquals("q", kv.getKey());
        assertEquals("job", kv.getValue());
    }

    @Test
    void select_thenReads_seeThatDatabase() {
        up.set("k", "db0");
        RedisCommands<String, String> c = f.sidecar();
        assertEquals("db0", c.get("k"));
        c.select(1);
        assertNull(c.get("k"));
        c.set("k", "db1");
        assertEquals("db1", c.get("k"));
        // the database-0 copy is untouched by a write in database 1
        assertEquals("db0", f.sidecar().get("k"));
    }

    @Test
    void eval_withRedisCall_throughTheSidecar() {
        RedisCommands<String, String> c = f.sidecar();
        up.set("e", "before");
        assertEquals("before", c.get("e"));
        String r = c.eval("redis.call('set', KEYS[1], ARGV[1]); return redis.call('get', KEYS[1])", ScriptOutputType.VALUE,
                new String[] {"e"}, "after");
        assertEquals("after", r);
        // the script's write dropped the local copy: the client reads it back at once
        assertEquals("after", c.get("e"));
        assertEquals(List.of(1L, 2L), c.eval("return {1, 2}", ScriptOutputType.MULTI));
    }
}
