package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.keyspace.KeyEvent;
import io.damselfly.server.keyspace.KeyspaceObserver;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HyperLogLog family through a real client (Lettuce, RESP3 and RESP2) and raw transcripts:
 * replies, the write hook's events (PFCOUNT's cache write signalled but never published), WATCH,
 * the TTL kept by writes in place, PFDEBUG and PFSELFTEST. Byte-level comparisons with
 * redis-server are in keyspace.HyperLogLogTest, exact replies in HyperLogLogCommandsCompatibilityTest.
 */
@ExtendWith(ServerExtension.class)
class HyperLogLogCommandsTest {

    @Test
    void pfadd_pfcount_resp3(RedisCommands<String, String> redis) {
        assertEquals(1L, redis.pfadd("h", "a", "b", "c"));
        assertEquals(0L, redis.pfadd("h", "a", "b", "c"));
        assertEquals(3L, redis.pfcount("h"));
        assertEquals(0L, redis.pfcount("missing"));
        assertEquals("string", redis.type("h"));
        assertEquals("raw", redis.objectEncoding("h"));
        assertTrue(redis.get("h").startsWith("HYLL"));
    }

    @Test
    void pfadd_pfcount_pfmerge_resp2(@Resp2 RedisCommands<String, String> redis) {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            many.add("m" + i);
        }
        assertEquals(1L, redis.pfadd("a{t}", many.subList(0, 600).toArray(new String[0])));
        assertEquals(1L, redis.pfadd("b{t}", many.subList(400, 1000).toArray(new String[0])));
        long union = redis.pfcount("a{t}", "b{t}");
        assertTrue(Math.abs(union - 1000) < 20, "union " + union);
        assertEquals("OK", redis.pfmerge("m{t}", "a{t}", "b{t}"));
        assertEquals(union, redis.pfcount("m{t}"));
    }

    @Test
    void events_pfaddForWrites_cacheWriteUnnamed(RedisCommands<String, String> redis, EmbeddedServer server) {
        List<KeyEvent> events = new CopyOnWriteArrayList<>();
        KeyspaceObserver recorder = (db, key, event) -> {
            if (new String(key, StandardCharsets.UTF_8).equals("ev")) {
                events.add(event);
            }
        };
        server.keyspace().addObserver(recorder);
        redis.pfadd("ev", "a");
        redis.pfadd("ev", "a");
        redis.pfcount("ev");
        redis.pfcount("ev");
        redis.pfadd("other", "z");
        redis.pfmerge("ev", "other");
        redis.pfcount("ev", "other");
        assertEquals(List.of(KeyEvent.NEW, KeyEvent.PFADD, KeyEvent.PFCOUNT_CACHE, KeyEvent.PFADD), events);
        assertNull(KeyEvent.PFCOUNT_CACHE.redisName());
        assertTrue(KeyEvent.PFCOUNT_CACHE.signalsModified());
    }

    @Test
    void notifications_publishPfadd_notThePfcountCache(RawClient sub, RedisCommands<String, String> redis) {
        redis.configSet("notify-keyspace-events", "KEA");
        try {
            sub.callText("SUBSCRIBE", "__keyevent@0__:pfadd", "__keyevent@0__:set", "__keyspace@0__:h");
            sub.read();
            sub.read();
            redis.pfadd("h", "a");
            redis.pfcount("h");
            redis.pfmerge("h", "h");
            redis.set("h", "x");
            assertEquals("[$message, $__keyspace@0__:h, $pfadd]", RawClient.render(sub.read()));
            assertEquals("[$message, $__keyevent@0__:pfadd, $h]", RawClient.render(sub.read()));
            assertEquals("[$message, $__keyspace@0__:h, $pfadd]", RawClient.render(sub.read()));
            assertEquals("[$message, $__keyevent@0__:pfadd, $h]", RawClient.render(sub.read()));
            // no message for PFCOUNT's cache write between the PFMERGE and the SET
            assertEquals("[$message, $__keyspace@0__:h, $set]", RawClient.render(sub.read()));
        } finally {
            redis.configSet("notify-keyspace-events", "");
        }
    }

    @Test
    void watch_brokenByPfcountRecomputing_notByACachedCount(RedisCommands<String, String> redis, RawClient other) {
        redis.pfadd("w", "a", "b");
        redis.watch("w");
        assertEquals(":2", other.callText("PFCOUNT", "w"));
        redis.multi();
        redis.ping();
        TransactionResult aborted = redis.exec();
        assertTrue(aborted.wasDiscarded());

        redis.watch("w");
        assertEquals(":2", other.callText("PFCOUNT", "w"));
        assertEquals(":0", other.callText("PFADD", "w", "a"));
        redis.multi();
        redis.ping();
        assertEquals(List.of("PONG"), redis.exec().stream().toList());
    }

    /**
     * Client tracking: a PFCOUNT that recomputes the cardinality invalidates the key for its
     * readers (signalModifiedKey), one that answers from the cache does not. The same transcript
     * on redis-server 7.0.15 and on damselfly.
     */
    @Test
    void tracking_invalidatedByARecomputingPfcount_asRedis(EmbeddedServer server) throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            assertEquals(trackingTranscript(new RawClient("127.0.0.1", redis.port()), new RawClient("127.0.0.1", redis.port())),
                    trackingTranscript(new RawClient(server.host(), server.port()), new RawClient(server.host(), server.port())));
        }
    }

    private static List<String> trackingTranscript(RawClient tracker, RawClient writer) {
        try (tracker; writer) {
            List<String> seen = new ArrayList<>();
            tracker.call("HELLO", "3");
            seen.add(tracker.callText("CLIENT", "TRACKING", "on"));
            seen.add(writer.callText("PFADD", "tr", "a", "b"));
            seen.add(tracker.callText("STRLEN", "tr"));
            seen.add(writer.callText("PFCOUNT", "tr"));
            seen.add(RawClient.render(tracker.read()));
            seen.add(tracker.callText("STRLEN", "tr"));
            seen.add(writer.callText("PFCOUNT", "tr"));
            seen.add(writer.callText("PFADD", "tr", "a"));
            seen.add(tracker.callText("PING"));
            seen.add(writer.callText("PFADD", "tr", "c"));
            seen.add(RawClient.render(tracker.read()));
            seen.add(tracker.callText("PING"));
            assertEquals(">[$invalidate, [$tr]]", seen.get(4));
            return seen;
        }
    }

    @Test
    void writesInPlace_keepTheTtl(RedisCommands<String, String> redis) {
        redis.pfadd("t", "a");
        redis.expire("t", 1000);
        redis.pfadd("t", "b", "c");
        redis.pfcount("t");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            many.add("x" + i);
        }
        redis.pfadd("t", many.toArray(new String[0]));
        assertTrue(redis.ttl("t") > 990);
        assertEquals(12304L, redis.strlen("t"));
    }

    @Test
    void errors_exactTexts(RawClient raw) {
        raw.call("RPUSH", "list", "a");
        raw.call("SET", "str", "not an hll at all");
        assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value", raw.callText("PFADD", "list", "a"));
        assertEquals("-WRONGTYPE Key is not a valid HyperLogLog string value.", raw.callText("PFADD", "str", "a"));
        assertEquals("-WRONGTYPE Key is not a valid HyperLogLog string value.", raw.callText("PFCOUNT", "str"));
        assertEquals("-WRONGTYPE Key is not a valid HyperLogLog string value.", raw.callText("PFMERGE", "dest", "str"));
        raw.call("PFADD", "h", "a", "b", "c");
        raw.call("APPEND", "h", "hello");
        assertEquals("-INVALIDOBJ Corrupted HLL object detected", raw.callText("PFCOUNT", "h"));
        assertEquals("-ERR The specified key does not exist", raw.callText("PFDEBUG", "GETREG", "nokey"));
        assertEquals("-ERR The specified key does not exist", raw.callText("PFDEBUG", "nope", "nokey"));
        raw.call("PFADD", "ok", "a");
        assertEquals("-ERR Unknown PFDEBUG subcommand 'nope'", raw.callText("PFDEBUG", "nope", "ok"));
        assertEquals("+sparse", raw.callText("PFDEBUG", "ENCODING", "ok"));
        assertEquals(":1", raw.callText("PFDEBUG", "TODENSE", "ok"));
        assertEquals(":0", raw.callText("PFDEBUG", "todense", "ok"));
        assertEquals("+dense", raw.callText("PFDEBUG", "encoding", "ok"));
        assertEquals("-ERR HLL encoding is not sparse", raw.callText("PFDEBUG", "DECODE", "ok"));
        assertEquals("+OK", raw.callText("PFSELFTEST"));
    }
}
