package io.damselfly.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.StreamComparison;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the stream commands propagate, compared with redis-server 7.0.15 for the same script:
 * XADD's assigned IDs, XADD's and XTRIM's approximate trims made exact, XREADGROUP's, XCLAIM's
 * and XAUTOCLAIM's XCLAIM and XGROUP forms, XACK and XGROUP as themselves, and a group reader
 * blocked and then served by another client's write (one unit per served reader).
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class StreamPropagationTest {
    private static Object[] c(Object... args) {
        return args;
    }

    /** Same replies (times as {@code <ms>}) and the same stream; answers damselfly's stream. */
    private static List<String> assertAsRedis(StreamComparison.Result r) {
        assertEquals(StreamComparison.withTimesBlanked(r.redisReplies()), StreamComparison.withTimesBlanked(r.ourReplies()));
        assertEquals(r.redisStream(), r.ourStream());
        return r.ourStream();
    }

    private static boolean has(List<String> stream, String prefix) {
        return stream.stream().anyMatch(l -> l.startsWith(prefix));
    }

    @Test
    void xadd_autoAndPartialIds_propagateTheAssignedId(RedisServerProcess redis, EmbeddedServer damselfly) {
        List<String> s = assertAsRedis(StreamComparison.run(redis, damselfly,
                c("XADD", "auto", "*", "f", "v"),
                c("XADD", "part", "5-*", "a", "1"),
                c("XADD", "part", "5-*", "a", "2"),
                c("XADD", "part", "6-*", "a", "3"),
                c("XADD", "part", "1-*", "a", "4"),
                c("XADD", "part", "7-3", "a", "5"),
                c("XADD", "part", "8", "a", "5"),
                c("XADD", "future", "2000000000000-1", "a", "1"),
                c("XADD", "future", "*", "a", "2"),
                c("XADD", "future", "NOMKSTREAM", "*", "a", "3"),
                c("XADD", "missing", "NOMKSTREAM", "*", "a", "1"),
                c("SET", "str", "x"),
                c("XADD", "str", "*", "a", "1"),
                c("XADD", "part", "0-0", "a", "1"),
                c("XADD", "part", "*", "odd"),
                c("XADD", "part", "MAXLEN", "=", "2", "9-*", "a", "6"),
                c("MULTI"),
                c("XADD", "tx", "9-*", "a", "1"),
                c("XADD", "tx", "*", "a", "2"),
                c("EXEC")));
        assertTrue(s.contains("xadd part 5-0 a 1"), s.toString());
        assertTrue(s.contains("xadd future 2000000000000-2 a 2"), s.toString());
    }

    @Test
    void xadd_approximateTrim_propagatesExactThreshold(RedisServerProcess redis, EmbeddedServer damselfly) {
        List<Object[]> script = new ArrayList<>();
        script.add(c("CONFIG", "SET", "stream-node-max-entries", "4"));
        for (int i = 1; i <= 10; i++) {
            script.add(c("XADD", "s", i + "-0", "f", "v" + i));
        }
        script.add(c("XADD", "s", "MAXLEN", "~", "5", "11-0", "f", "v"));
        script.add(c("XADD", "s", "MAXLEN", "~", "100", "12-0", "f", "v"));
        script.add(c("XADD", "s", "MINID", "~", "10", "13-*", "f", "v"));
        script.add(c("XADD", "s", "MAXLEN", "~", "1", "LIMIT", "4", "*", "f", "v"));
        script.add(c("XADD", "s", "MAXLEN", "~", "1", "LIMIT", "0", "20-0", "f", "v"));
        // the first node keeps a deleted entry: MINID propagates it, as streamGetEdgeID with tombstones
        for (int i = 30; i <= 37; i++) {
            script.add(c("XADD", "d", i + "-0", "f", "v"));
        }
        script.add(c("XDEL", "d", "34-0"));
        script.add(c("XADD", "d", "MINID", "~", "35", "38-0", "f", "v"));
        script.add(c("XADD", "d", "MINID", "=", "36", "39-0", "f", "v"));
        script.add(c("XADD", "d", "MINID", "~", "36", "40-0", "f", "v"));
        // trimmed to nothing: MAXLEN = 0, and MINID = the largest ID
        script.add(c("CONFIG", "SET", "stream-node-max-entries", "1"));
        script.add(c("XADD", "e", "MAXLEN", "~", "0", "1-0", "f", "v"));
        script.add(c("XADD", "m", "MINID", "~", "99", "1-0", "f", "v"));
        script.add(c("XADD", "m", "NOMKSTREAM", "MINID", "~", "99", "2-0", "f", "v"));
        script.add(c("XADD", "m", "MAXLEN", "~", "1", "LIMIT", "-1", "3-0", "f", "v"));
        script.add(c("XADD", "m", "MAXLEN", "1", "LIMIT", "1", "3-0", "f", "v"));
        script.add(c("CONFIG", "SET", "stream-node-max-entries", "100"));
        List<String> s = assertAsRedis(StreamComparison.run(redis, damselfly, script.toArray(new Object[0][])));
        assertTrue(has(s, "xadd s MAXLEN = "), s.toString());
        assertTrue(has(s, "xadd d MINID = "), s.toString());
    }

    @Test
    void xtrim_approximate_propagatesExactThresholdOnlyWhenItTrimmed(RedisServerProcess redis, EmbeddedServer damselfly) {
        List<Object[]> script = new ArrayList<>();
        script.add(c("CONFIG", "SET", "stream-node-max-entries", "3"));
        for (int i = 1; i <= 12; i++) {
            script.add(c("XADD", "s", i + "-0", "f", "v" + i));
        }
        script.add(c("XTRIM", "s", "MAXLEN", "~", "100"));
        script.add(c("XTRIM", "s", "MAXLEN", "~", "8"));
        script.add(c("XTRIM", "s", "MAXLEN", "~", "8"));
        script.add(c("XTRIM", "s", "MINID", "~", "8"));
        script.add(c("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "3"));
        script.add(c("XTRIM", "s", "MAXLEN", "=", "3"));
        script.add(c("XTRIM", "s", "MINID", "11"));
        script.add(c("XTRIM", "s", "MINID", "~", "99"));
        script.add(c("XTRIM", "missing", "MAXLEN", "~", "1"));
        script.add(c("SET", "str", "x"));
        script.add(c("XTRIM", "str", "MAXLEN", "~", "1"));
        script.add(c("XTRIM", "s", "MAXLEN", "1", "LIMIT", "1"));
        script.add(c("XTRIM", "s", "FOO", "1"));
        script.add(c("CONFIG", "SET", "stream-node-max-entries", "100"));
        List<String> s = assertAsRedis(StreamComparison.run(redis, damselfly, script.toArray(new Object[0][])));
        assertTrue(has(s, "xtrim s MAXLEN = "), s.toString());
        assertTrue(has(s, "xtrim s MINID = "), s.toString());
    }

    @Test
    void xreadgroup_propagatesXclaimPerEntryAndSetidUnderNoack(RedisServerProcess redis, EmbeddedServer damselfly) {
        List<String> s = assertAsRedis(StreamComparison.run(redis, damselfly,
                c("XADD", "s", "1-0", "f", "1"),
                c("XADD", "s", "2-0", "f", "2"),
                c("XADD", "s", "3-0", "f", "3"),
                c("XADD", "s", "4-0", "f", "4"),
                c("XADD", "t", "1-0", "f", "1"),
                c("XGROUP", "CREATE", "s", "g", "0"),
                c("XGROUP", "CREATE", "t", "g", "0"),
                c("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"),
                c("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"),
                c("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0"),
                c("XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", "t", ">", ">"),
                c("XREADGROUP", "GROUP", "g", "carol", "NOACK", "STREAMS", "s", ">"),
                c("XREADGROUP", "GROUP", "g", "carol", "NOACK", "STREAMS", "s", ">"),
                c("XREADGROUP", "GROUP", "g", "dave", "NOACK", "STREAMS", "s", "0"),
                c("XADD", "s", "5-0", "f", "5"),
                c("XREADGROUP", "GROUP", "g", "carol", "NOACK", "STREAMS", "s", ">"),
                // back to the start: entries pending for alice move to erin, delivered once again
                c("XGROUP", "SETID", "s", "g", "0"),
                c("XREADGROUP", "GROUP", "g", "erin", "COUNT", "3", "STREAMS", "s", ">"),
                // a fragmented stream: the group's entries-read is unknown (-1) after XGROUP SETID
                c("XADD", "u", "1-0", "f", "1"),
                c("XADD", "u", "2-0", "f", "2"),
                c("XADD", "u", "3-0", "f", "3"),
                c("XDEL", "u", "2-0"),
                c("XGROUP", "CREATE", "u", "g", "1-0"),
                c("XREADGROUP", "GROUP", "g", "frank", "NOACK", "STREAMS", "u", ">"),
                c("XREADGROUP", "GROUP", "g", "frank", "STREAMS", "u", ">"),
                c("XREADGROUP", "GROUP", "nogroup", "x", "STREAMS", "s", ">"),
                c("XREADGROUP", "GROUP", "g", "x", "STREAMS", "missing", ">"),
                c("MULTI"),
                c("XADD", "s", "6-0", "f", "6"),
                c("XREADGROUP", "GROUP", "g", "gina", "STREAMS", "s", ">"),
                c("EXEC"),
                c("XPENDING", "s", "g")));
        assertTrue(has(s, "xclaim s g alice 0 1-0 TIME <ms> RETRYCOUNT 1 FORCE JUSTID LASTID 1-0"), s.toString());
        assertTrue(has(s, "xgroup CREATECONSUMER s g carol"), s.toString());
        assertTrue(has(s, "xgroup SETID s g "), s.toString());
    }

    @Test
    void xclaim_propagatesXclaimFormsAndLastId(RedisServerProcess redis, EmbeddedServer damselfly) {
        List<String> s = assertAsRedis(StreamComparison.run(redis, damselfly,
                c("XADD", "s", "1-0", "f", "1"),
                c("XADD", "s", "2-0", "f", "2"),
                c("XADD", "s", "3-0", "f", "3"),
                c("XADD", "s", "4-0", "f", "4"),
                c("XADD", "s", "5-0", "f", "5"),
                c("XGROUP", "CREATE", "s", "g", "0"),
                c("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">"),
                c("XCLAIM", "s", "g", "bob", "0", "1-0", "2", "TIME", "1000"),
                c("XCLAIM", "s", "g", "bob", "0", "3-0", "RETRYCOUNT", "7", "JUSTID"),
                c("XCLAIM", "s", "g", "carol", "3600000", "1-0"),
                c("XCLAIM", "s", "g", "carol", "0", "1-0", "IDLE", "5000"),
                c("XCLAIM", "s", "g", "carol", "0", "4-0"),
                c("XCLAIM", "s", "g", "carol", "0", "4-0", "FORCE", "JUSTID", "RETRYCOUNT", "0"),
                c("XCLAIM", "s", "g", "carol", "0", "9-0", "FORCE"),
                c("XCLAIM", "s", "g", "dave", "0", "9-0", "LASTID", "5-0"),
                c("XCLAIM", "s", "g", "dave", "0", "3-0", "LASTID", "6-0"),
                c("XCLAIM", "s", "g", "dave", "0", "3-0", "LASTID", "2-0"),
                c("XDEL", "s", "2-0"),
                c("XCLAIM", "s", "g", "erin", "0", "2", "3"),
                c("XCLAIM", "s", "g", "erin", "0", "2-0"),
                c("XCLAIM", "s", "g", "erin", "0", "1-0", "BOGUS"),
                c("XCLAIM", "s", "nogroup", "erin", "0", "1-0"),
                c("XCLAIM", "missing", "g", "erin", "0", "1-0"),
                c("MULTI"),
                c("XCLAIM", "s", "g", "fay", "0", "1-0", "3-0", "JUSTID"),
                c("EXEC"),
                c("XPENDING", "s", "g")));
        assertTrue(has(s, "xclaim s g bob 0 1-0 TIME 1000 RETRYCOUNT 2 FORCE JUSTID LASTID 3-0"), s.toString());
        assertTrue(has(s, "xgroup SETID s g 5-0 ENTRIESREAD"), s.toString());
    }

    @Test
    void xautoclaim_propagatesXclaimForClaimedAndDeletedEntries(RedisServerProcess redis, EmbeddedServer damselfly) {
        List<String> s = assertAsRedis(StreamComparison.run(redis, damselfly,
                c("XADD", "s", "1-0", "f", "1"),
                c("XADD", "s", "2-0", "f", "2"),
                c("XADD", "s", "3-0", "f", "3"),
                c("XADD", "s", "4-0", "f", "4"),
                c("XADD", "s", "5-0", "f", "5"),
                c("XGROUP", "CREATE", "s", "g", "0"),
                c("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"),
                c("XDEL", "s", "2-0", "4-0"),
                c("XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", "2"),
                c("XAUTOCLAIM", "s", "g", "bob", "3600000", "0"),
                c("XAUTOCLAIM", "s", "g", "carol", "0", "(3-0", "JUSTID"),
                c("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "100"),
                c("XAUTOCLAIM", "s", "nogroup", "carol", "0", "0"),
                c("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "0"),
                c("XPENDING", "s", "g")));
        assertTrue(has(s, "xclaim s g alice 0 2-0 TIME <ms> RETRYCOUNT 1 FORCE JUSTID LASTID 5-0"), s.toString());
    }

    @Test
    void xackAndXgroup_propagateAsThemselvesWhenTheyChangeSomething(RedisServerProcess redis, EmbeddedServer damselfly) {
        List<String> s = assertAsRedis(StreamComparison.run(redis, damselfly,
                c("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"),
                c("XGROUP", "CREATE", "s", "g", "$"),
                c("XADD", "s", "1-0", "f", "1"),
                c("XADD", "s", "2-0", "f", "2"),
                c("XGROUP", "CREATECONSUMER", "s", "g", "alice"),
                c("XGROUP", "CREATECONSUMER", "s", "g", "alice"),
                c("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"),
                c("XACK", "s", "g", "1-0", "9-0"),
                c("XACK", "s", "g", "1-0"),
                c("XACK", "s", "nogroup", "2-0"),
                c("XGROUP", "SETID", "s", "g", "$"),
                c("XGROUP", "SETID", "s", "g", "1", "ENTRIESREAD", "1"),
                c("XGROUP", "DELCONSUMER", "s", "g", "nobody"),
                c("XGROUP", "DELCONSUMER", "s", "g", "alice"),
                c("XGROUP", "DESTROY", "s", "g"),
                c("XGROUP", "DESTROY", "s", "g"),
                c("XSETID", "s", "5-0"),
                c("XDEL", "s", "1-0", "7-0"),
                c("XDEL", "s", "7-0")));
        assertTrue(s.contains("xack s g 1-0 9-0"), s.toString());
    }

    /** Both servers' streams and replies for a group reader blocked on one connection and woken by {@code wake}. */
    private static StreamComparison.Result runBlocked(RedisServerProcess redis, EmbeddedServer damselfly,
                                                      Object[][] setup, Object[] block, Object[][] wake) {
        return StreamComparison.runWithBlocked(redis, damselfly, setup, List.of(new StreamComparison.Blocker(0, block)), wake);
    }

    @Test
    void blockedXreadgroup_servedByXadd_propagatesOneXclaim(RedisServerProcess redis, EmbeddedServer damselfly) {
        List<String> s = assertAsRedis(runBlocked(redis, damselfly,
                new Object[][] {c("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"), c("XGROUP", "CREATECONSUMER", "s", "g", "alice")},
                c("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"),
                new Object[][] {c("XADD", "s", "1-0", "f", "1")}));
        assertTrue(s.contains("xadd s 1-0 f 1"), s.toString());
        assertTrue(has(s, "xclaim s g alice 0 1-0"), s.toString());
    }

    @Test
    void blockedXreadgroup_servedWithSeveralEntries_propagatesThemAsOneTransaction(RedisServerProcess redis, EmbeddedServer damselfly) {
        List<String> s = assertAsRedis(runBlocked(redis, damselfly,
                new Object[][] {c("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")},
                c("XREADGROUP", "GROUP", "g", "bob", "COUNT", "5", "BLOCK", "0", "STREAMS", "s", ">"),
                new Object[][] {c("MULTI"), c("XADD", "s", "1-0", "f", "1"), c("XADD", "s", "2-0", "f", "2"), c("EXEC")}));
        assertTrue(has(s, "xclaim s g bob 0 2-0"), s.toString());
    }

    @Test
    void blockedXreadgroup_noAckNewConsumer_propagatesCreateConsumerAndSetid(RedisServerProcess redis, EmbeddedServer damselfly) {
        List<String> s = assertAsRedis(runBlocked(redis, damselfly,
                new Object[][] {c("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")},
                c("XREADGROUP", "GROUP", "g", "carol", "NOACK", "BLOCK", "0", "STREAMS", "s", ">"),
                new Object[][] {c("XADD", "s", "*", "f", "1")}));
        assertTrue(has(s, "xgroup CREATECONSUMER s g carol"), s.toString());
    }

    @Test
    void blockedXreadgroup_groupDestroyed_propagatesOnlyTheDestroy(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertAsRedis(runBlocked(redis, damselfly,
                new Object[][] {c("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")},
                c("XREADGROUP", "GROUP", "g", "dave", "BLOCK", "0", "STREAMS", "s", ">"),
                new Object[][] {c("XGROUP", "DESTROY", "s", "g")}));
    }

    @Test
    void blockedXread_servedByXadd_propagatesOnlyTheXadd(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertAsRedis(runBlocked(redis, damselfly,
                new Object[][] {c("XADD", "s", "1-0", "f", "1")},
                c("XREAD", "BLOCK", "0", "STREAMS", "s", "$"),
                new Object[][] {c("XADD", "s", "2-*", "f", "2")}));
    }
}
