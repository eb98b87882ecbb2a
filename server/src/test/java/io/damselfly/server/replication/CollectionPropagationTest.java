package io.damselfly.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.damselfly.server.testing.StreamComparison;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the list, set and sorted-set commands send down the replication stream, compared line by
 * line with what redis-server 7.0.15 sends for the same script: the pops and moves Redis rewrites
 * (LMPOP, BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH, ZMPOP, BZPOPMIN, BZPOPMAX, BZMPOP, SPOP), the
 * clients blocked on a key and served by another client's write (each its own propagated command,
 * after the writer's), and the writes that go as they were called (SMOVE, ZADD, ZINCRBY, the
 * *STORE commands, SORT ... STORE), missing keys, wrong types and counts past the length included.
 * SPOP's picks are random, so where it pops part of a set the two streams are compared with the
 * members blanked, and each stream's SREMs are checked against the members its own reply gave.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
@ServerOptions("enable_debug_command=yes")
class CollectionPropagationTest {

    private static void assertSameStream(StreamComparison.Result r) {
        assertEquals(r.redisReplies(), r.ourReplies());
        assertEquals(r.redisStream(), r.ourStream());
    }

    private static Object[] cmd(Object... args) {
        return args;
    }

    // ---- lists ------------------------------------------------------------------------------

    @Test
    void listPops_servedAtOnce_propagateAsRedisRewrites(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = StreamComparison.run(redis, damselfly,
                cmd("RPUSH", "l", "a", "b", "c", "d", "e"),
                cmd("LMPOP", "1", "l", "LEFT"),
                cmd("LMPOP", "2", "missing", "l", "right", "COUNT", "2"),
                cmd("LMPOP", "1", "l", "lEfT", "COUNT", "10"),
                cmd("LMPOP", "1", "l", "LEFT"),
                cmd("SET", "str", "x"),
                cmd("LMPOP", "2", "str", "l", "LEFT"),
                cmd("RPUSH", "l2", "a", "b", "c", "d"),
                cmd("BLPOP", "missing", "l2", "0"),
                cmd("BRPOP", "l2", "0"),
                cmd("BLMPOP", "0", "1", "l2", "RIGHT"),
                cmd("BLMPOP", "0", "2", "missing", "l2", "LEFT", "COUNT", "7"),
                cmd("BLPOP", "str", "0"),
                cmd("BLMPOP", "0", "1", "str", "LEFT"),
                cmd("LPOP", "l2"),
                cmd("RPUSH", "l3", "a", "b", "c"),
                cmd("LPOP", "l3", "0"),
                cmd("RPOP", "l3", "2"),
                cmd("LPOP", "l3", "5"),
                cmd("LPOP", "l3"));
        assertSameStream(r);
        assertTrue(r.ourStream().contains("lpop l 1"), r.ourStream().toString());
    }

    @Test
    void listMoves_servedAtOnce_propagateAsLmoveAndRpoplpush(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = StreamComparison.run(redis, damselfly,
                cmd("RPUSH", "src", "a", "b", "c", "d"),
                cmd("BLMOVE", "src", "dst", "LEFT", "rIgHt", "0"),
                cmd("BRPOPLPUSH", "src", "dst", "0"),
                cmd("BLMOVE", "src", "src", "right", "left", "0"),
                cmd("LMOVE", "src", "dst", "LEFT", "LEFT"),
                cmd("RPOPLPUSH", "src", "dst"),
                cmd("RPOPLPUSH", "src", "dst"),
                cmd("BLMOVE", "missing", "dst", "LEFT", "LEFT", "0.01"),
                cmd("SET", "str", "x"),
                cmd("BLMOVE", "dst", "str", "LEFT", "LEFT", "0"),
                cmd("BRPOPLPUSH", "str", "dst", "0"),
                cmd("BLMOVE", "dst", "fresh", "RIGHT", "RIGHT", "0"));
        assertSameStream(r);
    }

    @Test
    void listPops_inTransactionAndScript_propagateRewritten(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = StreamComparison.run(redis, damselfly,
                cmd("RPUSH", "l", "a", "b", "c", "d", "e", "f"),
                cmd("MULTI"),
                cmd("BLPOP", "l", "0"),
                cmd("BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "2"),
                cmd("BRPOPLPUSH", "l", "other", "0"),
                cmd("BLPOP", "empty", "0"),
                cmd("EXEC"),
                cmd("EVAL", "return redis.call('blpop', KEYS[1], 0)", "1", "l"),
                cmd("EVAL", "return redis.call('lmpop', 1, KEYS[1], 'left', 'count', 9)", "1", "l"),
                cmd("EVAL", "return redis.call('brpop', KEYS[1], 0)", "1", "l"));
        assertSameStream(r);
    }

    @Test
    void listWaiters_servedByAnotherClient_eachPropagatesItsPopAfterTheWrite(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = runWithBlocked(redis, damselfly,
                List.of(blocker(0, "BLPOP", "l", "0"),
                        blocker(0, "BRPOP", "other", "l", "0"),
                        blocker(0, "BLMPOP", "0", "1", "l", "LEFT", "COUNT", "2"),
                        blocker(0, "BLMPOP", "0", "1", "l", "RIGHT"),
                        blocker(0, "BLMPOP", "0", "1", "l", "LEFT", "COUNT", "10")),
                cmd("RPUSH", "l", "a", "b", "c", "d", "e", "f", "g"));
        assertSameStream(r);
    }

    @Test
    void moveWaiters_servedByAnotherClient_propagateLmoveAndRpoplpush(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = runWithBlocked(redis, damselfly,
                List.of(blocker(0, "BLMOVE", "src", "mid", "RIGHT", "left", "0"),
                        blocker(0, "BRPOPLPUSH", "src", "mid", "0"),
                        // woken in turn by the push the first two make to mid
                        blocker(0, "BLMOVE", "mid", "dst", "left", "RIGHT", "0"),
                        blocker(0, "BLPOP", "dst", "0")),
                cmd("LPUSH", "src", "a", "b", "c"));
        assertSameStream(r);
    }

    @Test
    void moveWaiter_ontoWrongType_propagatesNothingOfItsOwn(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = runWithBlocked(redis, damselfly,
                List.of(blocker(0, "BLMOVE", "src", "dst", "LEFT", "LEFT", "0")),
                cmd("SET", "dst", "x"),
                cmd("RPUSH", "src", "a", "b"),
                cmd("LRANGE", "src", "0", "-1"));
        assertSameStream(r);
    }

    @Test
    void waitersInOtherDatabases_servedAfterTransaction_propagateInTheirDatabase(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = runWithBlocked(redis, damselfly,
                List.of(blocker(3, "BLPOP", "l", "0"),
                        blocker(0, "BLPOP", "l", "0"),
                        blocker(3, "BZPOPMAX", "z", "0")),
                cmd("SELECT", "3"),
                cmd("MULTI"),
                cmd("RPUSH", "l", "a"),
                cmd("RPUSH", "l", "b"),
                cmd("ZADD", "z", "1", "m", "2", "n"),
                cmd("EXEC"),
                cmd("SELECT", "0"),
                cmd("RPUSH", "l", "c", "d"));
        assertSameStream(r);
    }

    @Test
    void waiters_servedAfterScript_propagateAfterTheScriptsUnit(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = runWithBlocked(redis, damselfly,
                List.of(blocker(0, "BLPOP", "l", "0"),
                        blocker(0, "BZMPOP", "0", "1", "z", "MIN", "COUNT", "5")),
                cmd("EVAL", "redis.call('rpush', KEYS[1], 'a', 'b'); redis.call('zadd', KEYS[2], 1, 'm', 2, 'n');"
                        + " return redis.call('set', 'x', '1')", "2", "l", "z"),
                cmd("EVAL", "return redis.call('rpush', KEYS[1], 'c')", "1", "l"));
        assertSameStream(r);
    }

    @Test
    void waiters_servedBySwapdb_propagateAfterIt(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = runWithBlocked(redis, damselfly,
                // one waited key in the swapped databases: Redis serves them in its dict's order
                List.of(blocker(9, "BRPOP", "k", "0"),
                        blocker(9, "BRPOP", "k", "0"),
                        blocker(1, "BLPOP", "k", "0")),
                cmd("SELECT", "1"),
                cmd("RPUSH", "k", "a", "b", "c"),
                cmd("SWAPDB", "1", "9"),
                cmd("RPUSH", "k", "d"));
        assertSameStream(r);
    }

    @Test
    void waiter_onKeyExpiredWhileTransactionRan_isNotServed_itsDelPropagatesAfter(EmbeddedServer damselfly) throws Exception {
        // as Redis's unit/type/list "MULTI + LPUSH + EXPIRE + DEBUG SLEEP on blocked client": the
        // key is looked at once EXEC is over, by then expired; PEXPIREAT's time is read as the
        // command is sent, 100 ms ahead, on each server
        Object soon = new Object() {
            @Override
            public String toString() {
                return Long.toString(System.currentTimeMillis() + 100);
            }
        };
        try (RedisServerProcess redis = RedisServerProcess.start("--enable-debug-command", "yes")) {
            StreamComparison.Result r = runWithBlocked(redis, damselfly,
                    List.of(blocker(0, "BRPOP", "k", "1")),
                    cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0"),
                    cmd("MULTI"),
                    cmd("RPUSH", "k", "hello"),
                    cmd("PEXPIREAT", "k", soon),
                    cmd("DEBUG", "SLEEP", "0.2"),
                    cmd("EXEC"),
                    cmd("DEBUG", "SET-ACTIVE-EXPIRE", "1"));
            assertSameStream(r);
        }
    }

    @Test
    void waiter_onKeyCreatedAndDeletedInOneTransaction_isNotServed(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = runWithBlocked(redis, damselfly,
                List.of(blocker(0, "BLPOP", "l", "0"),
                        blocker(0, "BZPOPMIN", "z", "0")),
                cmd("MULTI"),
                cmd("RPUSH", "l", "a"),
                cmd("DEL", "l"),
                cmd("ZADD", "z", "1", "a"),
                cmd("ZREM", "z", "a"),
                cmd("EXEC"),
                cmd("RPUSH", "l", "b"),
                cmd("ZADD", "z", "2", "b"));
        assertSameStream(r);
    }

    // ---- sorted sets ------------------------------------------------------------------------

    @Test
    void sortedSetPops_servedAtOnce_propagateAsZpop(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = StreamComparison.run(redis, damselfly,
                cmd("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f", "7", "g"),
                cmd("ZMPOP", "1", "z", "MIN"),
                cmd("ZMPOP", "2", "missing", "z", "max", "COUNT", "2"),
                cmd("BZPOPMIN", "missing", "z", "0"),
                cmd("BZPOPMAX", "z", "0"),
                cmd("BZMPOP", "0", "1", "z", "MAX"),
                cmd("BZMPOP", "0", "1", "z", "mIn", "COUNT", "1"),
                cmd("ZMPOP", "1", "z", "MIN", "COUNT", "10"),
                cmd("ZMPOP", "1", "z", "MIN"),
                cmd("SET", "str", "x"),
                cmd("ZMPOP", "1", "str", "MIN"),
                cmd("BZPOPMIN", "str", "0"),
                cmd("BZMPOP", "0", "1", "str", "MAX"),
                cmd("ZADD", "y", "1", "a", "2", "b", "3", "c"),
                cmd("BZMPOP", "0", "1", "y", "MAX", "COUNT", "5"),
                cmd("ZADD", "y", "1", "a", "2", "b", "3", "c"),
                cmd("ZPOPMIN", "y", "0"),
                cmd("ZPOPMAX", "y", "2"),
                cmd("ZPOPMIN", "y"),
                cmd("ZPOPMIN", "y"));
        assertSameStream(r);
    }

    @Test
    void sortedSetWaiters_servedByAnotherClient_propagateZpop(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = runWithBlocked(redis, damselfly,
                List.of(blocker(0, "BZPOPMIN", "z", "0"),
                        blocker(0, "BZPOPMAX", "other", "z", "0"),
                        blocker(0, "BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"),
                        blocker(0, "BZMPOP", "0", "1", "z", "MAX"),
                        blocker(0, "BZMPOP", "0", "1", "z", "MIN", "COUNT", "10")),
                cmd("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f", "7", "g"));
        assertSameStream(r);
    }

    @Test
    void sortedSetWrites_propagateAsCalled(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = StreamComparison.run(redis, damselfly,
                cmd("ZADD", "a", "1", "x", "2", "y", "3", "z"),
                cmd("ZADD", "a", "1", "x"),
                cmd("ZADD", "a", "NX", "5", "x"),
                cmd("ZADD", "a", "INCR", "2", "x"),
                cmd("ZINCRBY", "a", "1.5", "y"),
                cmd("ZADD", "b", "10", "y", "20", "w"),
                cmd("ZRANGESTORE", "dst", "a", "0", "-1"),
                cmd("ZRANGESTORE", "dst", "a", "5", "10"),
                cmd("ZRANGESTORE", "dst", "a", "5", "10"),
                cmd("ZUNIONSTORE", "u", "2", "a", "b", "WEIGHTS", "1", "2"),
                cmd("ZINTERSTORE", "i", "2", "a", "b"),
                cmd("ZDIFFSTORE", "d", "2", "a", "b"),
                cmd("ZDIFFSTORE", "d", "2", "a", "a"),
                cmd("ZREM", "a", "missing"),
                cmd("ZREM", "a", "x"),
                cmd("ZREMRANGEBYSCORE", "b", "-inf", "15"),
                cmd("ZADD", "one", "1", "m"),
                cmd("ZRANDMEMBER", "one"),
                cmd("ZRANDMEMBER", "one", "-3", "WITHSCORES"),
                cmd("ZCARD", "a"));
        assertSameStream(r);
    }

    // ---- sets -------------------------------------------------------------------------------

    @Test
    void spop_propagatesSremOrDel(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = StreamComparison.run(redis, damselfly,
                cmd("SADD", "one", "a"),
                cmd("SPOP", "one"),
                cmd("SPOP", "one"),
                cmd("SADD", "ints", "1"),
                cmd("SPOP", "ints", "1"),
                cmd("SADD", "s", "a", "b", "c"),
                cmd("SPOP", "s", "0"),
                cmd("DEL", "s"),
                // the whole set: ints, so both reply in the same (sorted) order
                cmd("SADD", "s", "3", "1", "2"),
                cmd("SPOP", "s", "3"),
                cmd("SADD", "s", "a"),
                cmd("SPOP", "s", "100"),
                cmd("SPOP", "missing"),
                cmd("SPOP", "missing", "2"),
                cmd("SET", "str", "x"),
                cmd("SPOP", "str"),
                cmd("SPOP", "str", "2"),
                cmd("SPOP", "s", "-1"),
                cmd("SPOP", "s", "1", "2"),
                cmd("SADD", "t", "x"),
                cmd("MULTI"),
                cmd("SPOP", "t", "5"),
                cmd("SADD", "t", "y"),
                cmd("SPOP", "t"),
                cmd("EXEC"));
        assertSameStream(r);
    }

    @Test
    void spopOfPartOfASet_propagatesOneSremPerPoppedMember(RedisServerProcess redis, EmbeddedServer damselfly) {
        List<String> members = new ArrayList<>();
        List<String> ints = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            members.add("m" + i);
            ints.add(Integer.toString(i));
        }
        List<Object> sadd = new ArrayList<>(List.of("SADD", "s"));
        sadd.addAll(members);
        List<Object> saddInts = new ArrayList<>(List.of("SADD", "n"));
        saddInts.addAll(ints);
        StreamComparison.Result r = StreamComparison.run(redis, damselfly,
                sadd.toArray(),
                // few taken from many: random removals (Redis's case 2)
                cmd("SPOP", "s", "3"),
                // most of what is left: the rest moved to a new set (case 3)
                cmd("SPOP", "s", "15"),
                cmd("SPOP", "s", "1"),
                cmd("SPOP", "s"),
                saddInts.toArray(),
                cmd("SPOP", "n", "4"),
                cmd("SPOP", "n", "14"),
                cmd("SPOP", "n"));
        assertEquals(blankMembers(r.redisStream()), blankMembers(r.ourStream()));
        assertEquals(r.redisReplies().size(), r.ourReplies().size());
        assertSremsFollowReplies(r.redisStream(), r.redisReplies());
        assertSremsFollowReplies(r.ourStream(), r.ourReplies());
    }

    @Test
    void setWrites_propagateAsCalled_srandmemberNot(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = StreamComparison.run(redis, damselfly,
                cmd("SADD", "a", "x", "y", "z"),
                cmd("SADD", "a", "x"),
                cmd("SADD", "b", "y", "w"),
                cmd("SMOVE", "a", "b", "x"),
                cmd("SMOVE", "a", "b", "missing"),
                cmd("SMOVE", "a", "a", "y"),
                cmd("SMOVE", "a", "c", "y"),
                cmd("SMOVE", "a", "c", "z"),
                // one member: the random pick is the same on both
                cmd("SADD", "one", "m"),
                cmd("SRANDMEMBER", "one"),
                cmd("SRANDMEMBER", "one", "-3"),
                cmd("SRANDMEMBER", "one", "2"),
                cmd("SINTERSTORE", "i", "b", "c"),
                cmd("SUNIONSTORE", "u", "b", "c"),
                cmd("SDIFFSTORE", "d", "b", "c"),
                cmd("SDIFFSTORE", "d", "b", "b"),
                cmd("SREM", "b", "missing"),
                cmd("SREM", "b", "w"));
        assertSameStream(r);
    }

    // ---- SORT ... STORE ---------------------------------------------------------------------

    @Test
    void sortStore_propagatesAsCalled(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = StreamComparison.run(redis, damselfly,
                cmd("RPUSH", "l", "3", "1", "2"),
                cmd("SORT", "l", "STORE", "dst"),
                cmd("SORT", "l", "DESC", "LIMIT", "0", "2", "STORE", "dst"),
                cmd("SORT", "missing", "STORE", "dst"),
                cmd("SORT", "missing", "STORE", "dst"),
                cmd("SORT", "l"),
                cmd("SORT_RO", "l"));
        assertSameStream(r);
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static StreamComparison.Blocker blocker(int db, Object... command) {
        return new StreamComparison.Blocker(db, command);
    }

    private static StreamComparison.Result runWithBlocked(RedisServerProcess redis, EmbeddedServer damselfly,
                                                          List<StreamComparison.Blocker> blockers, Object[]... script) {
        return StreamComparison.runWithBlocked(redis, damselfly, new Object[0][], blockers, script);
    }

    private static final Pattern SREM = Pattern.compile("^srem (\\S+) (.*)$");

    /** The stream with each SREM's member blanked: where SPOP's random picks are propagated. */
    private static List<String> blankMembers(List<String> stream) {
        List<String> out = new ArrayList<>(stream.size());
        for (String line : stream) {
            Matcher m = SREM.matcher(line);
            out.add(m.matches() ? "srem " + m.group(1) + " ?" : line);
        }
        return out;
    }

    /** Each SPOP reply's members (in reply order) are the members of the SREMs the stream has, in order. */
    private static void assertSremsFollowReplies(List<String> stream, List<String> replies) {
        List<String> popped = new ArrayList<>();
        for (String reply : replies) {
            if (reply.startsWith("[$")) {
                Arrays.stream(reply.substring(1, reply.length() - 1).split(", ")).map(s -> s.substring(1)).forEach(popped::add);
            } else if (reply.startsWith("$")) {
                popped.add(reply.substring(1));
            }
        }
        List<String> removed = new ArrayList<>();
        for (String line : stream) {
            Matcher m = SREM.matcher(line);
            if (m.matches()) {
                removed.add(m.group(2));
            }
        }
        assertEquals(popped, removed, "SREMs as the replies popped: " + stream);
    }
}
