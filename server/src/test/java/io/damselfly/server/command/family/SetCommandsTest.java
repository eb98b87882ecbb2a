package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.keyspace.KeyspaceObserver;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.lettuce.core.KeyScanArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ValueScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The set family through a real client (Lettuce, RESP3 and RESP2) and raw transcripts: replies
 * and their shapes, the write hook's events, SPOP's three strategies and the encoding of what it
 * leaves, COPY's independence, SSCAN's cursor, the generic key commands, expiry and eviction on
 * sets, and an SRANDMEMBER whose reply has no bound stopping at the output limit. The comparison
 * with redis-server is in SetCommandsCompatibilityTest.
 */
@ExtendWith(ServerExtension.class)
@ServerOptions({"output_buffer_limit=1mb"})
class SetCommandsTest {

    private static String[] range(String prefix, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> prefix + i).toArray(String[]::new);
    }

    @Test
    void sadd_smembers_resp3(RedisCommands<String, String> redis) {
        assertEquals(3L, redis.sadd("s", "3", "1", "2"));
        assertEquals(1L, redis.sadd("s", "2", "4"));
        assertEquals(Set.of("1", "2", "3", "4"), redis.smembers("s"));
        assertEquals("intset", redis.objectEncoding("s"));
        assertEquals("set", redis.type("s"));
        assertTrue(redis.sismember("s", "1"));
        assertFalse(redis.sismember("s", "01"));
        assertEquals(List.of(true, false, true), redis.smismember("s", "1", "x", "4"));
        assertEquals(4L, redis.scard("s"));
        assertEquals(1L, redis.sadd("s", "x"));
        assertEquals("hashtable", redis.objectEncoding("s"));
        assertEquals(Set.of("1", "2", "3", "4", "x"), redis.smembers("s"));
        assertEquals(Set.of(), redis.smembers("nokey"));
        assertEquals(0L, redis.scard("nokey"));
    }

    @Test
    void combinations_resp2(@Resp2 RedisCommands<String, String> redis) {
        redis.sadd("a", "1", "2", "3", "x");
        redis.sadd("b", "2", "3", "4", "x");
        assertEquals(Set.of("2", "3", "x"), redis.sinter("a", "b"));
        assertEquals(Set.of("1", "2", "3", "4", "x"), redis.sunion("a", "b"));
        assertEquals(Set.of("1"), redis.sdiff("a", "b"));
        assertEquals(3L, redis.sinterstore("d", "a", "b"));
        assertEquals(Set.of("2", "3", "x"), redis.smembers("d"));
        assertEquals(5L, redis.sunionstore("d", "a", "b"));
        assertEquals(1L, redis.sdiffstore("d", "a", "b"));
        assertEquals(0L, redis.sdiffstore("d", "a", "a"));
        assertEquals(0L, redis.exists("d"));
        assertEquals(3L, redis.sintercard("a", "b"));
        assertEquals(2L, redis.sintercard(2, "a", "b"));
        assertTrue(redis.smove("a", "b", "1"));
        assertFalse(redis.smove("a", "b", "1"));
        assertEquals(Set.of("1", "2", "3", "4", "x"), redis.smembers("b"));
        assertEquals(2, redis.srandmember("b", 2).size());
        assertEquals(7, redis.srandmember("b", -7).size());
        assertEquals(3, redis.spop("a", 10).size());
        assertEquals(0L, redis.exists("a"));
    }

    @Test
    void replyShapes_setsAreSetsInResp3_randomPicksArrays(RawClient raw) {
        raw.call("SADD", "s", "1", "2", "3");
        assertEquals("[$1, $2, $3]", raw.callText("SMEMBERS", "s"));
        assertEquals("[]", raw.callText("SPOP", "nokey", "2"));
        raw.call("HELLO", "3");
        assertEquals("~[$1, $2, $3]", raw.callText("SMEMBERS", "s"));
        assertEquals("~[$1, $2, $3]", raw.callText("SINTER", "s", "s"));
        assertEquals("~[$1, $2, $3]", raw.callText("SUNION", "s", "nokey"));
        assertEquals("~[]", raw.callText("SDIFF", "s", "s"));
        assertEquals("~[]", raw.callText("SMEMBERS", "nokey"));
        assertEquals("~[]", raw.callText("SPOP", "nokey", "2"));
        assertEquals("~[]", raw.callText("SPOP", "s", "0"));
        assertEquals("[$1, $2, $3]", raw.callText("SRANDMEMBER", "s", "3"));
        assertEquals("[]", raw.callText("SRANDMEMBER", "nokey", "3"));
        assertTrue(raw.callText("SPOP", "s", "1").startsWith("~[$"));
        assertEquals("~[$", raw.callText("SPOP", "s", "5").substring(0, 3));
        assertEquals(":0", raw.callText("EXISTS", "s"));
        assertEquals("(nil)", raw.callText("SPOP", "s"));
        assertEquals("(nil)", raw.callText("SRANDMEMBER", "s"));
        assertEquals("[$0, []]", raw.callText("SSCAN", "s", "0"));
        assertEquals("[:0, :0]", raw.callText("SMISMEMBER", "nokey2", "a", "b"));
    }

    @Test
    void events_areRedisNames(RedisCommands<String, String> redis, EmbeddedServer server) {
        List<String> events = new CopyOnWriteArrayList<>();
        KeyspaceObserver recorder = (db, key, event) -> {
            String k = new String(key, StandardCharsets.UTF_8);
            if (k.startsWith("ev:")) {
                events.add(k.substring(3) + ":" + event.redisName());
            }
        };
        server.keyspace().addObserver(recorder);
        redis.sadd("ev:a", "1", "2");
        redis.sadd("ev:a", "1");
        redis.srem("ev:a", "9");
        redis.srem("ev:a", "1");
        redis.sadd("ev:b", "x");
        redis.smove("ev:a", "ev:b", "2");
        redis.sadd("ev:c", "y");
        redis.smove("ev:b", "ev:c", "nosuch");
        redis.smove("ev:b", "ev:c", "x");
        redis.sadd("ev:c", "z");
        redis.spop("ev:c");
        redis.sinterstore("ev:d", "ev:b", "ev:b");
        redis.sunionstore("ev:d", "ev:b", "ev:c");
        redis.sdiffstore("ev:d", "ev:b", "ev:b");
        redis.spop("ev:c", 5);
        redis.srandmember("ev:b", 3);
        redis.smembers("ev:b");
        redis.srem("ev:b", "2", "x");
        assertEquals(List.of("a:new", "a:sadd", "a:srem",
                "b:new", "b:sadd", "a:srem", "a:del", "b:sadd",
                "c:new", "c:sadd", "b:srem", "c:sadd", "c:sadd", "c:spop",
                "d:new", "d:sinterstore", "d:sunionstore", "d:del",
                "c:spop", "c:del", "b:srem", "b:del"), events);
    }

    @Test
    void spop_smallCount_removesThatMany_distinct(RedisCommands<String, String> redis) {
        redis.sadd("s", range("m", 0, 1000));
        Set<String> popped = redis.spop("s", 10);
        assertEquals(10, popped.size());
        assertEquals(990L, redis.scard("s"));
        for (String m : popped) {
            assertFalse(redis.sismember("s", m));
        }
        String one = redis.spop("s");
        assertFalse(redis.sismember("s", one));
        assertEquals(989L, redis.scard("s"));
    }

    @Test
    void spop_mostOfTheSet_keepsTheRestInTheEncodingRedisGivesIt(RedisCommands<String, String> redis) {
        // 600 integers: a hashtable (past 512); popping all but 5 rebuilds the rest as an intset
        redis.sadd("ints", range("", 0, 600));
        assertEquals("hashtable", redis.objectEncoding("ints"));
        Set<String> popped = redis.spop("ints", 595);
        assertEquals(595, popped.size());
        Set<String> rest = redis.smembers("ints");
        assertEquals(5, rest.size());
        assertEquals("intset", redis.objectEncoding("ints"));
        Set<String> all = new HashSet<>(popped);
        all.addAll(rest);
        assertEquals(Set.of(range("", 0, 600)), all);

        redis.sadd("mixed", range("", 0, 100));
        redis.sadd("mixed", "x");
        redis.spop("mixed", 100);
        assertEquals(1L, redis.scard("mixed"));
        assertEquals(redis.sismember("mixed", "x") ? "hashtable" : "intset", redis.objectEncoding("mixed"));
    }

    @Test
    void spop_expiringSet_keepsItsTtl_whenRebuilt(RedisCommands<String, String> redis) {
        redis.sadd("s", range("m", 0, 100));
        redis.expire("s", 1000);
        redis.spop("s", 98);
        assertTrue(redis.ttl("s") > 900);
        assertEquals(2L, redis.scard("s"));
    }

    @Test
    void srandmember_counts(RedisCommands<String, String> redis) {
        redis.sadd("s", range("m", 0, 100));
        for (long count : new long[] {1, 5, 33, 34, 99, 100, 1000}) {
            List<String> picked = redis.srandmember("s", count);
            assertEquals(Math.min(count, 100), picked.size());
            assertEquals(picked.size(), new HashSet<>(picked).size());
        }
        List<String> repeated = redis.srandmember("s", -300);
        assertEquals(300, repeated.size());
        assertTrue(Set.of(range("m", 0, 100)).containsAll(repeated));
        assertTrue(redis.srandmember("s").startsWith("m"));
        assertNull(redis.srandmember("nokey"));
        assertEquals(100L, redis.scard("s"));
    }

    /** A count with no bound stops at the output limit and the client is closed; the server carries on. */
    @Test
    void srandmember_hugeNegativeCount_closesTheClientAtTheOutputLimit(RawClient raw, RedisCommands<String, String> redis) {
        redis.sadd("s", "member");
        raw.send("SRANDMEMBER", "s", "-9223372036854775807");
        assertTrue(raw.isClosedByServer());
        assertEquals(Set.of("member"), redis.smembers("s"));
    }

    @Test
    void copy_isIndependent_andKeepsTheEncoding(RedisCommands<String, String> redis) {
        redis.sadd("ints", "1", "2", "3");
        redis.sadd("strs", "a", "b");
        for (String key : List.of("ints", "strs")) {
            assertTrue(redis.copy(key, key + "2"));
            assertEquals(redis.objectEncoding(key), redis.objectEncoding(key + "2"));
            redis.sadd(key + "2", "7");
            redis.srem(key + "2", "1", "a");
            assertFalse(redis.sismember(key, "7"));
            assertTrue(redis.sismember(key, key.equals("ints") ? "1" : "a"));
        }
    }

    @Test
    void sscan_lettuceCursor_walksATable_matchFilters(RedisCommands<String, String> redis) {
        Set<String> members = Set.of(range("member:", 0, 1500));
        redis.sadd("s", members.toArray(String[]::new));
        Set<String> seen = new HashSet<>();
        ValueScanCursor<String> cursor = redis.sscan("s", ScanArgs.Builder.limit(50));
        int calls = 1;
        seen.addAll(cursor.getValues());
        while (!cursor.isFinished()) {
            cursor = redis.sscan("s", cursor, ScanArgs.Builder.limit(50));
            seen.addAll(cursor.getValues());
            calls++;
        }
        assertEquals(members, seen);
        assertTrue(calls > 10, "calls " + calls);

        redis.sadd("ints", "1", "12", "2", "21", "100");
        ValueScanCursor<String> ints = redis.sscan("ints", ScanArgs.Builder.matches("1*"));
        assertTrue(ints.isFinished());
        assertEquals(List.of("1", "12", "100"), ints.getValues());
        assertTrue(redis.sscan("nokey", ScanArgs.Builder.limit(5)).isFinished());
    }

    @Test
    void genericKeyCommands_workOnSets(RedisCommands<String, String> redis, RawClient raw) {
        redis.sadd("s", range("m", 0, 50));
        redis.sadd("i", "1", "2");
        redis.set("str", "v");
        long small = redis.memoryUsage("i");
        long large = redis.memoryUsage("s");
        assertTrue(small > 0 && large > small, small + " " + large);
        KeyScanCursor<String> scan = redis.scan(KeyScanArgs.Builder.type("set").limit(100));
        assertEquals(Set.of("s", "i"), new HashSet<>(scan.getKeys()));
        assertEquals("OK", redis.rename("s", "t"));
        assertEquals(50L, redis.scard("t"));
        assertEquals(0L, redis.exists("s"));
        assertTrue(redis.pexpire("i", 50));
        long deadline = System.currentTimeMillis() + 5000;
        while (redis.exists("i") == 1 && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0L, redis.exists("i"));
        assertEquals(0L, redis.scard("i"));
        assertEquals(1L, redis.unlink("t"));
        assertEquals(":0", raw.callText("EXISTS", "t"));
    }

    @Test
    void setMaxIntsetEntries_configSet_appliesToNewWrites(RedisCommands<String, String> redis) {
        try {
            assertEquals("OK", redis.configSet("set-max-intset-entries", "2"));
            redis.sadd("s", "1", "2");
            assertEquals("intset", redis.objectEncoding("s"));
            redis.sadd("s", "3");
            assertEquals("hashtable", redis.objectEncoding("s"));
            assertEquals("2", redis.configGet("set-max-intset-entries").get("set-max-intset-entries"));
        } finally {
            redis.configSet("set-max-intset-entries", "512");
        }
    }

    @Test
    void eviction_removesWholeSets(RawClient raw, RedisCommands<String, String> redis) {
        try {
            assertEquals("+OK", raw.callText("CONFIG", "SET", "maxmemory", "2mb", "maxmemory-policy", "allkeys-lru"));
            List<Object> sadd = new ArrayList<>(List.of("SADD", "key"));
            sadd.addAll(List.of(range("member-with-some-length-", 0, 20)));
            for (int i = 0; i < 2000; i++) {
                sadd.set(1, "set" + i);
                assertEquals(":20", raw.callText(sadd.toArray()), "set" + i);
            }
            String info = raw.callText("INFO", "stats");
            int at = info.indexOf("evicted_keys:");
            long evicted = Long.parseLong(info.substring(at + 13, info.indexOf('\r', at)));
            assertTrue(evicted > 500, "evicted " + evicted);
            assertEquals(2000 - evicted, redis.dbsize());
        } finally {
            raw.callText("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction");
        }
    }

    @Test
    void errors_exactTexts(RawClient raw) {
        raw.call("SET", "str", "v");
        raw.call("SADD", "s", "a");
        String wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        List<Object[]> calls = List.of(
                new Object[] {"SADD", "str", "a"}, new Object[] {"SREM", "str", "a"}, new Object[] {"SMEMBERS", "str"},
                new Object[] {"SISMEMBER", "str", "a"}, new Object[] {"SMISMEMBER", "str", "a"}, new Object[] {"SCARD", "str"},
                new Object[] {"SPOP", "str"}, new Object[] {"SPOP", "str", "1"}, new Object[] {"SRANDMEMBER", "str"},
                new Object[] {"SRANDMEMBER", "str", "-2"}, new Object[] {"SMOVE", "str", "s", "a"}, new Object[] {"SMOVE", "s", "str", "a"},
                new Object[] {"SINTER", "nokey", "str"}, new Object[] {"SUNION", "s", "str"}, new Object[] {"SDIFF", "nokey", "str"},
                new Object[] {"SINTERSTORE", "d", "str"}, new Object[] {"SUNIONSTORE", "d", "str"}, new Object[] {"SDIFFSTORE", "d", "str"},
                new Object[] {"SINTERCARD", "2", "nokey", "str"}, new Object[] {"SSCAN", "str", "0"});
        for (Object[] call : calls) {
            assertEquals(wrongType, raw.callText(call), String.valueOf(call[0]));
        }
        assertEquals("-ERR value is out of range, must be positive", raw.callText("SPOP", "s", "-1"));
        assertEquals("-ERR value is out of range, must be positive", raw.callText("SPOP", "s", "x"));
        assertEquals("-ERR syntax error", raw.callText("SPOP", "s", "1", "2"));
        assertEquals("-ERR value is not an integer or out of range", raw.callText("SRANDMEMBER", "s", "x"));
        assertEquals("-ERR numkeys should be greater than 0", raw.callText("SINTERCARD", "0", "s"));
        assertEquals("-ERR Number of keys can't be greater than number of args", raw.callText("SINTERCARD", "2", "s"));
        assertEquals("-ERR LIMIT can't be negative", raw.callText("SINTERCARD", "1", "s", "LIMIT", "-1"));
        assertEquals("-ERR syntax error", raw.callText("SINTERCARD", "1", "s", "LIMIT"));
        assertEquals("-ERR invalid cursor", raw.callText("SSCAN", "s", "x"));
        assertEquals("-ERR syntax error", raw.callText("SSCAN", "s", "0", "COUNT", "0"));
        assertEquals("-ERR wrong number of arguments for 'sadd' command", raw.callText("SADD", "s"));
        assertEquals(":1", raw.callText("SADD", "s", ""));
        assertEquals(":1", raw.callText("SISMEMBER", "s", ""));
    }

    @Test
    void manyMembers_allCommandsAgreeWithAModel(RedisCommands<String, String> redis) {
        Set<String> a = IntStream.range(0, 3000).filter(i -> i % 2 == 0).mapToObj(Integer::toString).collect(Collectors.toSet());
        Set<String> b = IntStream.range(0, 3000).filter(i -> i % 3 == 0).mapToObj(i -> i % 5 == 0 ? "s" + i : Integer.toString(i))
                .collect(Collectors.toSet());
        redis.sadd("a", a.toArray(String[]::new));
        redis.sadd("b", b.toArray(String[]::new));
        Set<String> inter = new HashSet<>(a);
        inter.retainAll(b);
        Set<String> union = new HashSet<>(a);
        union.addAll(b);
        Set<String> diff = new HashSet<>(a);
        diff.removeAll(b);
        assertEquals(inter, redis.sinter("a", "b"));
        assertEquals(union, redis.sunion("a", "b"));
        assertEquals(diff, redis.sdiff("a", "b"));
        assertEquals((long) inter.size(), redis.sintercard("a", "b"));
        assertEquals(7L, redis.sintercard(7, "a", "b"));
        assertEquals((long) diff.size(), redis.sdiffstore("d", "a", "b"));
        assertEquals(diff, redis.smembers("d"));
        redis.sadd("str", "x");
        RuntimeException e = assertThrows(RuntimeException.class, () -> redis.incr("str"));
        assertTrue(e.getMessage().startsWith("WRONGTYPE"), e.getMessage());
    }
}
