package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.keyspace.KeyspaceObserver;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.MapScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The hash family through a real client (Lettuce, RESP3 and RESP2) and raw transcripts: replies,
 * shapes, the write hook's events, the removal of an emptied hash, COPY's independence, and an
 * HRANDFIELD whose reply has no bound stopping at the output limit. Exact error texts and the
 * comparison with redis-server are in HashCommandsCompatibilityTest.
 */
@ExtendWith(ServerExtension.class)
@ServerOptions({"output_buffer_limit=1mb"})
class HashCommandsTest {

    @Test
    void hset_hgetall_resp3Map(RedisCommands<String, String> redis) {
        assertEquals(2L, redis.hset("h", Map.of("a", "1", "b", "2")));
        assertEquals(Boolean.FALSE, redis.hset("h", "a", "10"));
        assertEquals(Map.of("a", "10", "b", "2"), redis.hgetall("h"));
        assertEquals("10", redis.hget("h", "a"));
        assertNull(redis.hget("h", "x"));
        assertEquals(List.of(KeyValue.just("a", "10"), KeyValue.empty("x")), redis.hmget("h", "a", "x"));
        assertEquals(2L, redis.hlen("h"));
        assertEquals(2L, redis.hstrlen("h", "a"));
        assertEquals("hash", redis.type("h"));
        assertEquals("listpack", redis.objectEncoding("h"));
    }

    @Test
    void hgetall_resp2FlatArray(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        redis.hset("h", Map.of("a", "1"));
        assertEquals(Map.of("a", "1"), redis.hgetall("h"));
        assertEquals("[$a, $1]", raw.callText("HGETALL", "h"));
        raw.call("HELLO", "3");
        assertEquals("{$a=$1}", raw.callText("HGETALL", "h"));
        assertEquals("{}", raw.callText("HGETALL", "nokey"));
    }

    @Test
    void hincrby_hincrbyfloat(RedisCommands<String, String> redis) {
        assertEquals(5L, redis.hincrby("h", "n", 5));
        assertEquals(3L, redis.hincrby("h", "n", -2));
        assertEquals(3.5, redis.hincrbyfloat("h", "f", 3.5));
        assertEquals("3.5", redis.hget("h", "f"));
        redis.hset("h", "s", "abc");
        RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> redis.hincrby("h", "s", 1));
        assertEquals("ERR hash value is not an integer", e.getMessage());
    }

    @Test
    void hdel_lastField_removesTheKey_andEventsAreRedisNames(RedisCommands<String, String> redis, EmbeddedServer server) {
        List<String> events = new CopyOnWriteArrayList<>();
        KeyspaceObserver recorder = (db, key, event) -> {
            if (new String(key, StandardCharsets.UTF_8).equals("ev")) {
                events.add(event.redisName());
            }
        };
        server.keyspace().addObserver(recorder);
        redis.hset("ev", "a", "1");
        redis.hset("ev", "b", "2");
        redis.hincrby("ev", "n", 1);
        redis.hincrbyfloat("ev", "x", 1.5);
        assertEquals(0L, redis.hdel("ev", "nosuch"));
        assertEquals(4L, redis.hdel("ev", "a", "b", "n", "x", "nosuch"));
        assertEquals(0L, redis.exists("ev"));
        assertEquals(List.of("new", "hset", "hset", "hincrby", "hincrbyfloat", "hdel", "del"), events);
    }

    @Test
    void copy_isIndependent_andKeepsTheEncoding(RedisCommands<String, String> redis) {
        Map<String, String> big = new LinkedHashMap<>();
        for (int i = 0; i < 600; i++) {
            big.put("f" + i, "v" + i);
        }
        redis.hset("big", big);
        redis.hset("small", Map.of("a", "1"));
        for (String key : List.of("big", "small")) {
            assertTrue(redis.copy(key, key + "2"));
            assertEquals(redis.objectEncoding(key), redis.objectEncoding(key + "2"));
            redis.hset(key + "2", "added", "x");
            redis.hdel(key + "2", "f1", "a");
            assertFalse(redis.hexists(key, "added"));
            assertEquals(key.equals("big") ? 600L : 1L, redis.hlen(key));
        }
        assertEquals("hashtable", redis.objectEncoding("big"));
    }

    @Test
    void hscan_lettuceCursor_walksAHashTable(RedisCommands<String, String> redis) {
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i < 1500; i++) {
            fields.put("field:" + i, "value:" + i);
        }
        redis.hset("h", fields);
        Map<String, String> seen = new HashMap<>();
        MapScanCursor<String, String> cursor = redis.hscan("h", ScanArgs.Builder.limit(50));
        int calls = 1;
        seen.putAll(cursor.getMap());
        while (!cursor.isFinished()) {
            cursor = redis.hscan("h", cursor, ScanArgs.Builder.limit(50));
            seen.putAll(cursor.getMap());
            calls++;
        }
        assertEquals(fields, seen);
        assertTrue(calls > 10, "calls " + calls);
        MapScanCursor<String, String> small = redis.hscan("h2", ScanCursor.INITIAL);
        assertTrue(small.isFinished());
    }

    @Test
    void hrandfield_withValues_resp3Pairs(RedisCommands<String, String> redis) {
        redis.hset("h", Map.of("a", "1", "b", "2", "c", "3"));
        List<KeyValue<String, String>> pairs = redis.hrandfieldWithvalues("h", 2);
        assertEquals(2, pairs.size());
        for (KeyValue<String, String> kv : pairs) {
            assertEquals(Map.of("a", "1", "b", "2", "c", "3").get(kv.getKey()), kv.getValue());
        }
        assertEquals(5, redis.hrandfield("h", -5).size());
        assertEquals(3, redis.hrandfield("h", 10).size());
    }

    /** A count with no bound stops at the output limit and the client is closed; the server carries on. */
    @Test
    void hrandfield_hugeNegativeCount_closesTheClientAtTheOutputLimit(RawClient raw, RedisCommands<String, String> redis) {
        redis.hset("h", "field", "value");
        raw.send("HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES");
        assertTrue(raw.isClosedByServer());
        assertEquals("value", redis.hget("h", "field"));
    }

    @Test
    void wrongType_everyCommand(RawClient raw) {
        raw.call("SET", "s", "v");
        String wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        List<Object[]> calls = new ArrayList<>();
        calls.add(new Object[] {"HSET", "s", "f", "v"});
        calls.add(new Object[] {"HGET", "s", "f"});
        calls.add(new Object[] {"HGETALL", "s"});
        calls.add(new Object[] {"HSCAN", "s", "0"});
        calls.add(new Object[] {"HRANDFIELD", "s", "-3"});
        calls.add(new Object[] {"HINCRBYFLOAT", "s", "f", "1"});
        for (Object[] call : calls) {
            assertEquals(wrongType, raw.callText(call), String.valueOf(call[0]));
        }
    }
}
