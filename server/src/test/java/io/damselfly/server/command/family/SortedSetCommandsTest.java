package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.BlockedClients;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.Wire;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.ZAggregateArgs;
import io.lettuce.core.ZPopArgs;
import io.lettuce.core.ZStoreArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sorted-set family through Lettuce (RESP3, and RESP2 where marked) and raw sockets: replies
 * and their shapes, encodings, and the blocking pops across connections (served by a ZADD from
 * another connection, FIFO among waiters, timeouts, a waiter that disconnects, waiters of lists
 * and sorted sets on one key served only by their own type). Every wait is bounded.
 */
@ExtendWith(ServerExtension.class)
class SortedSetCommandsTest {

    // ---- plain commands ---------------------------------------------------------------------

    @Test
    void zaddRangeScore_resp3(RedisCommands<String, String> redis) {
        assertEquals(3, redis.zadd("z", ScoredValue.just(1, "a"), ScoredValue.just(2.5, "b"), ScoredValue.just(-1, "c")));
        assertEquals(List.of("c", "a", "b"), redis.zrange("z", 0, -1));
        assertEquals(List.of(ScoredValue.just(2.5, "b"), ScoredValue.just(1, "a")), redis.zrevrangeWithScores("z", 0, 1));
        assertEquals(2.5, redis.zscore("z", "b"));
        assertNull(redis.zscore("z", "nope"));
        assertEquals(3, redis.zcard("z"));
        assertEquals(2L, redis.zrank("z", "b"));
        assertEquals(0L, redis.zrevrank("z", "b"));
        assertEquals("zset", redis.type("z"));
        assertEquals("listpack", redis.objectEncoding("z"));
        assertEquals(3.5, redis.zincrby("z", 1, "b"));
        assertEquals(1, redis.zadd("z", ZAddArgs.Builder.ch().gt(), ScoredValue.just(0, "a"), ScoredValue.just(9, "c")));
        assertEquals(List.of(ScoredValue.just(1, "a"), ScoredValue.just(3.5, "b"), ScoredValue.just(9, "c")),
                redis.zrangeWithScores("z", 0, -1));
        assertEquals(2, redis.zrem("z", "a", "b", "nope"));
        assertEquals(1, redis.zrem("z", "c"));
        assertEquals(0, redis.exists("z"), "an emptied sorted set is removed with its key");
    }

    @Test
    void scoreAndLexRanges_resp2(@Resp2 RedisCommands<String, String> redis) {
        for (int i = 0; i < 10; i++) {
            redis.zadd("z", i, "m" + i);
        }
        assertEquals(List.of("m3", "m4", "m5"), redis.zrangebyscore("z", Range.create(3, 5)));
        assertEquals(List.of("m4"), redis.zrangebyscore("z", Range.from(Range.Boundary.excluding(3), Range.Boundary.excluding(5))));
        assertEquals(List.of("m8", "m7"), redis.zrevrangebyscore("z", Range.unbounded(), Limit.create(1, 2)));
        assertEquals(10, redis.zcount("z", Range.unbounded()));
        assertEquals(List.of(ScoredValue.just(9, "m9")), redis.zrangebyscoreWithScores("z", Range.from(Range.Boundary.excluding(8), Range.Boundary.unbounded())));
        assertEquals(3, redis.zremrangebyscore("z", Range.create(0, 2)));
        assertEquals(2, redis.zremrangebyrank("z", 0, 1));
        assertEquals(List.of("m5", "m6", "m7", "m8", "m9"), redis.zrange("z", 0, -1));
        redis.zadd("lex", 0.0, "a", 0.0, "b", 0.0, "c", 0.0, "d");
        assertEquals(List.of("b", "c"), redis.zrangebylex("lex", Range.from(Range.Boundary.excluding("a"), Range.Boundary.excluding("d"))));
        assertEquals(4, redis.zlexcount("lex", Range.unbounded()));
        assertEquals(2, redis.zremrangebylex("lex", Range.create("a", "b")));
        assertEquals(List.of("c", "d"), redis.zrange("lex", 0, -1));
    }

    @Test
    void setOperations(RedisCommands<String, String> redis) {
        redis.zadd("a", 1.0, "x", 2.0, "y");
        redis.zadd("b", 10.0, "y", 20.0, "w");
        assertEquals(List.of("x", "y", "w"), redis.zunion("a", "b"));
        assertEquals(List.of(ScoredValue.just(2, "y")), redis.zinterWithScores(ZAggregateArgs.Builder.min(), "a", "b"));
        assertEquals(List.of("x"), redis.zdiff("a", "b"));
        assertEquals(1, redis.zintercard("a", "b"));
        assertEquals(3, redis.zunionstore("u", ZStoreArgs.Builder.weights(2, 1), "a", "b"));
        assertEquals(List.of(ScoredValue.just(2, "x"), ScoredValue.just(14, "y"), ScoredValue.just(20, "w")), redis.zrangeWithScores("u", 0, -1));
        assertEquals(1, redis.zinterstore("i", "a", "b"));
        assertEquals(1, redis.zdiffstore("d", "a", "b"));
        assertEquals(2, redis.zrangestore("r", "u", Range.create(1L, 2L)));
        assertEquals(List.of("y", "w"), redis.zrange("r", 0, -1));
    }

    @Test
    void popsAndRandomMembers(RedisCommands<String, String> redis, @Resp2 RedisCommands<String, String> resp2) {
        redis.zadd("z", 1.0, "a", 2.0, "b", 3.0, "c", 4.0, "d");
        assertEquals(ScoredValue.just(1, "a"), redis.zpopmin("z"));
        assertEquals(List.of(ScoredValue.just(4, "d"), ScoredValue.just(3, "c")), redis.zpopmax("z", 2));
        assertEquals(List.of(ScoredValue.just(2, "b")), resp2.zpopmin("z", 5));
        assertEquals(0, redis.exists("z"));
        redis.zadd("z", 1.0, "a", 2.0, "b");
        KeyValue<String, List<ScoredValue<String>>> popped = redis.zmpop(1, ZPopArgs.Builder.max(), "nokey", "z");
        assertEquals("z", popped.getKey());
        assertEquals(List.of(ScoredValue.just(2, "b")), popped.getValue());
        assertEquals("a", redis.zrandmember("z"));
        assertEquals(List.of("a", "a", "a"), redis.zrandmember("z", -3));
        assertEquals(List.of(ScoredValue.just(1, "a")), redis.zrandmemberWithScores("z", 5));
    }

    @Test
    void conversionToSkiplist_keepsEverything(RedisCommands<String, String> redis) {
        for (int i = 0; i < 200; i++) {
            redis.zadd("z", (i * 37) % 200, "m" + i);
            if (i == 127) {
                assertEquals("listpack", redis.objectEncoding("z"), "128 members fit the listpack");
            }
        }
        assertEquals("skiplist", redis.objectEncoding("z"));
        List<ScoredValue<String>> all = redis.zrangeWithScores("z", 0, -1);
        assertEquals(200, all.size());
        for (int i = 0; i < 200; i++) {
            assertEquals(i, (int) all.get(i).getScore());
            assertEquals(i, redis.zrank("z", all.get(i).getValue()));
        }
        assertEquals(50, redis.zcount("z", Range.create(50, 99)));
        redis.zadd("long", 1, "x".repeat(65));
        assertEquals("skiplist", redis.objectEncoding("long"), "a member past 64 bytes");
    }

    @Test
    void errors(RawClient raw) {
        raw.call("SET", "s", "v");
        assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value", raw.callText("ZADD", "s", "1", "a"));
        assertEquals("-ERR value is not a valid float", raw.callText("ZADD", "z", "abc", "a"));
        assertEquals("-ERR value is not a valid float", raw.callText("ZADD", "z", "nan", "a"));
        assertEquals("-ERR XX and NX options at the same time are not compatible", raw.callText("ZADD", "z", "NX", "XX", "1", "a"));
        assertEquals("-ERR GT, LT, and/or NX options at the same time are not compatible", raw.callText("ZADD", "z", "GT", "LT", "1", "a"));
        assertEquals("-ERR INCR option supports a single increment-element pair", raw.callText("ZADD", "z", "INCR", "1", "a", "2", "b"));
        raw.call("ZADD", "z", "inf", "a");
        assertEquals("-ERR resulting score is not a number (NaN)", raw.callText("ZINCRBY", "z", "-inf", "a"));
        assertEquals("-ERR min or max is not a float", raw.callText("ZCOUNT", "z", "1e", "2"));
        assertEquals("-ERR min or max not valid string range item", raw.callText("ZLEXCOUNT", "z", "a", "b"));
        assertEquals("-ERR timeout is negative", raw.callText("BZPOPMIN", "z", "-1"));
        assertEquals("-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
                raw.callText("ZRANGE", "z", "0", "1", "LIMIT", "0", "1"));
    }

    /** Scores as redis-server 7.0 prints them: %.17g in RESP2 bulk strings, the double type in RESP3. */
    @Test
    void scoreShapes_resp2AndResp3(EmbeddedServer server) {
        try (Wire w = new Wire(server)) {
            w.expect(":3\r\n", "ZADD", "z", "1.1", "a", "inf", "b", "-0.5", "c");
            w.expect("$18\r\n1.1000000000000001\r\n", "ZSCORE", "z", "a");
            w.expect("$3\r\ninf\r\n", "ZSCORE", "z", "b");
            w.expect("*4\r\n$1\r\nc\r\n$4\r\n-0.5\r\n$1\r\na\r\n$18\r\n1.1000000000000001\r\n", "ZPOPMIN", "z", "2");
            w.expect("*0\r\n", "ZPOPMIN", "nokey");
            w.expect("*-1\r\n", "ZMPOP", "1", "nokey", "MIN");
            w.expect("*-1\r\n", "BZPOPMIN", "nokey", "0.01");
            w.expect("$-1\r\n", "ZADD", "z", "NX", "INCR", "1", "b");
            w.hello3();
            w.expect(",inf\r\n", "ZSCORE", "z", "b");
            w.expect("*2\r\n,inf\r\n_\r\n", "ZMSCORE", "z", "b", "nope");
            w.expect("*1\r\n*2\r\n$1\r\nb\r\n,inf\r\n", "ZRANGE", "z", "0", "-1", "WITHSCORES");
            w.expect("*2\r\n$1\r\nb\r\n,inf\r\n", "ZPOPMAX", "z");
            w.expect("_\r\n", "BZMPOP", "0.01", "1", "z", "MIN");
        }
    }

    // ---- blocking pops ----------------------------------------------------------------------

    @Test
    void bzpopmin_servedByZaddFromAnotherConnection(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            waiter.send("BZPOPMIN", "z1", "z2", "0");
            BlockedClients.await(redis, 1);
            assertEquals(3, redis.zadd("z2", 3.0, "c", 1.0, "a", 2.0, "b"));
            assertEquals("[$z2, $a, $1]", RawClient.render(waiter.read()));
            assertEquals(List.of("b", "c"), redis.zrange("z2", 0, -1));
            BlockedClients.await(redis, 0);
        }
    }

    @Test
    void blockingPops_fifoAmongWaiters(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient first = new RawClient(server.host(), server.port());
             RawClient second = new RawClient(server.host(), server.port());
             RawClient third = new RawClient(server.host(), server.port())) {
            first.send("BZPOPMAX", "q", "0");
            BlockedClients.await(redis, 1);
            second.send("BZPOPMIN", "q", "0");
            BlockedClients.await(redis, 2);
            third.send("BZMPOP", "0", "1", "q", "MIN", "COUNT", "2");
            BlockedClients.await(redis, 3);
            redis.zadd("q", 1.0, "a", 2.0, "b", 3.0, "c", 4.0, "d", 5.0, "e");
            assertEquals("[$q, $e, $5]", RawClient.render(first.read()));
            assertEquals("[$q, $a, $1]", RawClient.render(second.read()));
            assertEquals("[$q, [[$b, $2], [$c, $3]]]", RawClient.render(third.read()));
            assertEquals(List.of("d"), redis.zrange("q", 0, -1));
        }
    }

    @Test
    void bzpopmin_timesOut(RedisCommands<String, String> redis) {
        long start = System.nanoTime();
        KeyValue<String, ScoredValue<String>> got = redis.bzpopmin(0.1, "nokey");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertNull(got);
        assertTrue(millis >= 100 && millis < 5000, "waited " + millis + " ms");
        assertTrue(!redis.bzmpop(0.05, ZPopArgs.Builder.max(), "nokey").hasValue());
        redis.zadd("nokey", 1.0, "a");
        assertEquals(List.of("a"), redis.zrange("nokey", 0, -1), "the timed-out waiters took nothing");
    }

    @Test
    void waiterThatDisconnects_leavesNothingBehind(EmbeddedServer server, RedisCommands<String, String> redis) {
        RawClient gone = new RawClient(server.host(), server.port());
        gone.send("BZPOPMIN", "q", "0");
        BlockedClients.await(redis, 1);
        gone.close();
        BlockedClients.await(redis, 0);
        redis.zadd("q", 1.0, "x");
        assertEquals(List.of("x"), redis.zrange("q", 0, -1), "nobody waits any more: the member stays");
        redis.del("q");
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            waiter.send("BZMPOP", "0", "1", "q", "MAX");
            BlockedClients.await(redis, 1);
            redis.zadd("q", 1.0, "y");
            assertEquals("[$q, [[$y, $1]]]", RawClient.render(waiter.read()));
        }
    }

    /** A key's queue may hold list and sorted-set waiters: each type serves only its own, in order. */
    @Test
    void listAndSortedSetWaitersOnOneKey(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient zwaiter = new RawClient(server.host(), server.port());
             RawClient lwaiter = new RawClient(server.host(), server.port())) {
            zwaiter.send("BZPOPMIN", "k", "0");
            BlockedClients.await(redis, 1);
            lwaiter.send("BLPOP", "k", "0");
            BlockedClients.await(redis, 2);
            redis.rpush("k", "e1", "e2");
            assertEquals("[$k, $e1]", RawClient.render(lwaiter.read()));
            BlockedClients.await(redis, 1);
            assertEquals(List.of("e2"), redis.lrange("k", 0, -1), "the sorted-set waiter took nothing from a list");
            redis.del("k");
            redis.zadd("k", 7.0, "m");
            assertEquals("[$k, $m, $7]", RawClient.render(zwaiter.read()));
            BlockedClients.await(redis, 0);
        }
    }

    /** A key created by a STORE command or a RENAME wakes the waiters as a ZADD does. */
    @Test
    void waitersServedByStoresAndRename(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            redis.zadd("src", 1.0, "a", 2.0, "b", 3.0, "c");
            waiter.send("BZMPOP", "0", "2", "u", "r", "MAX", "COUNT", "2");
            BlockedClients.await(redis, 1);
            assertEquals(3, redis.zunionstore("u", "src"));
            assertEquals("[$u, [[$c, $3], [$b, $2]]]", RawClient.render(waiter.read()));
            waiter.send("BZPOPMAX", "r", "0");
            BlockedClients.await(redis, 1);
            assertEquals(2, redis.zrangestore("r", "src", Range.create(0L, 1L)));
            assertEquals("[$r, $b, $2]", RawClient.render(waiter.read()));
            waiter.send("BZPOPMIN", "renamed", "0");
            BlockedClients.await(redis, 1);
            assertEquals("OK", redis.rename("src", "renamed"));
            assertEquals("[$renamed, $a, $1]", RawClient.render(waiter.read()));
            assertEquals(List.of("b", "c"), redis.zrange("renamed", 0, -1));
        }
    }

    @Test
    void bzpopmin_wrongTypeAnswersAtOnce(RedisCommands<String, String> redis) {
        redis.set("s", "v");
        assertThrows(RedisCommandExecutionException.class, () -> redis.bzpopmin(0, "s"));
        redis.zadd("z", 1.0, "a");
        assertEquals(KeyValue.just("z", ScoredValue.just(1, "a")), redis.bzpopmax(0, "nokey", "z"));
    }

}
