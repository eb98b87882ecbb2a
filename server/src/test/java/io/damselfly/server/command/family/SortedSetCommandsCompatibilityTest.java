package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.DifferentialScripts;
import io.damselfly.server.testing.ReplyComparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sorted-set family differentially against a live redis-server 7.0.15 (see {@link
 * ReplyComparison}), RESP2 and RESP3: every option of ZADD and its conflicts, score printing
 * (%.17g, inf, -0), exclusive and infinite score ranges, lex ranges, LIMIT with negative offsets
 * and counts, garbage scores ("abc", "1e", "nan"), WRONGTYPE, arity, encodings and their
 * conversions, the set operations with WEIGHTS and AGGREGATE, and the blocking pops where they
 * answer at once. ZRANDMEMBER only where the answer is not chance.
 */
class SortedSetCommandsCompatibilityTest implements DifferentialScripts {
    @AfterEach
    void restoreConfig(EmbeddedServer server, RedisServerProcess redis) {
        ReplyComparison.okOnBoth(redis, server, "CONFIG", "SET", "zset-max-listpack-entries", "128", "zset-max-listpack-value", "64");
    }

    @Override
    public String[][] scripts() {
        return SCRIPTS;
    }

    /**
     * A seeded random walk of writes and reads over three keys (and one of equal scores for the
     * lex commands, whose answers Redis leaves unspecified when scores differ), both servers
     * sent the same commands: every reply must match, and after each command every key's
     * encoding and contents too. Listpack limits are chosen per seed so both forms and the
     * conversions between them are walked.
     */
    @ParameterizedTest(name = "seed {0} RESP{1} entries {2}")
    @CsvSource({"1, 2, 4", "2, 3, 16", "3, 2, 0", "4, 3, 128", "5, 2, 2"})
    void randomWalk_sameRepliesAndContentsAsRedis(long seed, int protocol, int entries, RedisServerProcess redis, EmbeddedServer damselfly) {
        Random random = new Random(seed);
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            for (RawClient c : List.of(ref, ours)) {
                assertEquals("+OK", c.callText("FLUSHALL"));
                assertEquals("+OK", c.callText("CONFIG", "SET", "zset-max-listpack-entries", Integer.toString(entries)));
                if (protocol == 3) {
                    c.call("HELLO", "3");
                }
            }
            List<String> keys = List.of("z1", "z2", "z3", "lx");
            List<String> history = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                Object[] command = randomCommand(random);
                history.add(String.join(" ", java.util.Arrays.stream(command).map(Object::toString).toList()));
                String context = "seed " + seed + ", after: " + String.join(" | ", history.subList(Math.max(0, history.size() - 5), history.size()));
                assertEquals(RawClient.render(ref.call(command)), RawClient.render(ours.call(command)), context);
                for (String k : keys) {
                    assertEquals(RawClient.render(ref.call("OBJECT", "ENCODING", k)), RawClient.render(ours.call("OBJECT", "ENCODING", k)), context);
                    assertEquals(RawClient.render(ref.call("ZRANGE", k, "0", "-1", "WITHSCORES")),
                            RawClient.render(ours.call("ZRANGE", k, "0", "-1", "WITHSCORES")), context);
                }
            }
        }
    }

    private static final String[] MEMBERS = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "aa", "ab", "ba", "bb", "x".repeat(70)};
    private static final String[] SCORES = {"0", "1", "2", "-1", "1.5", "0.1", "inf", "-inf", "10", "-0", "1e300", "abc"};
    private static final String[] BOUNDS = {"0", "1", "2", "-1", "1.5", "inf", "-inf", "+inf", "(1", "(2", "(-inf", "x"};
    private static final String[] LEX = {"-", "+", "[a", "(a", "[b", "(c", "[aa", "(bb", "[j", "a"};

    private static Object[] randomCommand(Random r) {
        String k = pick(r, "z1", "z2", "z3");
        String other = pick(r, "z1", "z2", "z3");
        List<String> c = new ArrayList<>();
        switch (r.nextInt(24)) {
            case 0, 1, 2, 3 -> {
                c.add("ZADD");
                c.add(k);
                String flags = pick(r, "", "NX", "XX", "GT", "LT", "CH", "XX GT CH", "INCR", "NX INCR");
                if (!flags.isEmpty()) {
                    c.addAll(List.of(flags.split(" ")));
                }
                int n = flags.contains("INCR") ? 1 : 1 + r.nextInt(4);
                for (int j = 0; j < n; j++) {
                    c.add(pick(r, SCORES));
                    c.add(pick(r, MEMBERS));
                }
            }
            case 4 -> c.addAll(List.of("ZADD", "lx", "0", pick(r, MEMBERS), "0", pick(r, MEMBERS)));
            case 5 -> c.addAll(List.of("ZREM", k, pick(r, MEMBERS), pick(r, MEMBERS)));
            case 6 -> c.addAll(List.of("ZINCRBY", k, pick(r, SCORES), pick(r, MEMBERS)));
            case 7 -> c.addAll(List.of("ZRANGE", k, idx(r), idx(r), pick(r, "WITHSCORES", "REV", "BYSCORE", "LIMIT")));
            case 8 -> {
                c.addAll(List.of("ZRANGE", k, pick(r, BOUNDS), pick(r, BOUNDS), "BYSCORE", pick(r, "REV", "WITHSCORES")));
                c.addAll(List.of("LIMIT", Integer.toString(r.nextInt(6) - 1), Integer.toString(r.nextInt(6) - 1)));
            }
            case 9 -> c.addAll(List.of(pick(r, "ZRANGEBYLEX", "ZREVRANGEBYLEX"), "lx", pick(r, LEX), pick(r, LEX), "LIMIT",
                    Integer.toString(r.nextInt(5) - 1), Integer.toString(r.nextInt(5) - 1)));
            case 10 -> c.addAll(List.of("ZCOUNT", k, pick(r, BOUNDS), pick(r, BOUNDS)));
            case 11 -> c.addAll(List.of("ZLEXCOUNT", "lx", pick(r, LEX), pick(r, LEX)));
            case 12 -> c.addAll(List.of(pick(r, "ZRANK", "ZREVRANK", "ZSCORE"), k, pick(r, MEMBERS)));
            case 13 -> c.addAll(List.of("ZREMRANGEBYRANK", k, idx(r), idx(r)));
            case 14 -> c.addAll(List.of("ZREMRANGEBYSCORE", k, pick(r, BOUNDS), pick(r, BOUNDS)));
            case 15 -> c.addAll(List.of("ZREMRANGEBYLEX", "lx", pick(r, LEX), pick(r, LEX)));
            case 16 -> c.addAll(List.of(pick(r, "ZPOPMIN", "ZPOPMAX"), k, Integer.toString(r.nextInt(4))));
            case 17 -> c.addAll(List.of("ZMPOP", "2", k, other, pick(r, "MIN", "MAX"), "COUNT", Integer.toString(1 + r.nextInt(3))));
            case 18 -> c.addAll(List.of(pick(r, "ZUNIONSTORE", "ZINTERSTORE"), pick(r, "z1", "z2", "z3"), "2", k, other,
                    "WEIGHTS", pick(r, "1", "2", "-1", "0"), pick(r, "1", "0.5"), "AGGREGATE", pick(r, "SUM", "MIN", "MAX")));
            case 19 -> c.addAll(List.of("ZDIFFSTORE", pick(r, "z1", "z2", "z3"), "2", k, other));
            case 20 -> c.addAll(List.of(pick(r, "ZUNION", "ZINTER", "ZDIFF"), "2", k, other, "WITHSCORES"));
            case 21 -> c.addAll(List.of("ZINTERCARD", "2", k, other, "LIMIT", Integer.toString(r.nextInt(3))));
            case 22 -> c.addAll(List.of("ZRANGESTORE", pick(r, "z1", "z2", "z3"), k, idx(r), idx(r)));
            default -> c.addAll(List.of("ZRANGESTORE", pick(r, "z1", "z2", "z3"), k, pick(r, BOUNDS), pick(r, BOUNDS), "BYSCORE",
                    pick(r, "LIMIT", "REV")));
        }
        if (c.get(c.size() - 1).equals("LIMIT")) {
            c.addAll(List.of("0", Integer.toString(r.nextInt(4) - 1)));
        }
        return c.toArray();
    }

    private static String pick(Random r, String... options) {
        return options[r.nextInt(options.length)];
    }

    private static String idx(Random r) {
        return Integer.toString(r.nextInt(31) - 15);
    }

    private static final String[][] SCRIPTS = {
        {"zadd-basic", """
                ZADD z 1 a 2 b 3 c
                ZADD z 1 a
                ZADD z 5 a
                ZADD z CH 5 a 6 b 7 d
                ZRANGE z 0 -1 WITHSCORES
                ZCARD z
                ZCARD nokey
                ZADD z 1 a 2 a 3 a
                ZSCORE z a
                TYPE z
                OBJECT ENCODING z
                ZADD z
                ZADD z 1
                ZADD z nx
                ZADD z 1 a 2
                ZADD z CH
                ZADD z INCR
                ZADD z NX XX 1 a
                ZADD z XX NX 1 a
                ZADD z GT LT 1 a
                ZADD z NX GT 1 a
                ZADD z NX LT 1 a
                ZADD z INCR 1 a 2 b
                ZADD z nx xx incr 1 a 2 b
                ZADD z abc a
                ZADD z 1e a
                ZADD z nan a
                ZADD z NaN a
                ZADD z -nan a
                ZADD z 1 a abc b
                ZADD z _ a
                ZADD z 1e400 a
                ZADD z 1e-400 a
                ZADD z 0x10 hex
                ZADD z 0x1p4 hexp
                ZADD z .5 half
                ZADD z 5. five
                ZADD z +7 plus
                ZADD z 1.5e3 sci
                ZADD z inf i1 -inf i2 +inf i3 Infinity i4 -INFINITY i5
                ZADD z infx bad
                ZADD z 1x bad
                ZADD z 0x bad
                ZRANGE z 0 -1 WITHSCORES
                ZCARD z
                """},
        {"zadd-flags", """
                ZADD z 10 a 20 b
                ZADD z NX 1 a 1 c
                ZADD z XX 2 a 2 d
                ZRANGE z 0 -1 WITHSCORES
                ZADD z GT 5 a 30 b
                ZADD z GT CH 5 a 30 b 40 e
                ZADD z LT CH 1 a 100 b
                ZADD z XX GT CH 50 a 60 nope
                ZADD z XX LT CH 0 a
                ZRANGE z 0 -1 WITHSCORES
                ZADD z INCR 5 a
                ZADD z INCR -5.5 a
                ZADD z NX INCR 1 a
                ZADD z XX INCR 1 nope
                ZADD z GT INCR -1 a
                ZADD z LT INCR 1 a
                ZADD z LT INCR -1 a
                ZADD z INCR 1 newmember
                ZADD nokey XX 1 a
                EXISTS nokey
                ZADD nokey XX INCR 1 a
                EXISTS nokey
                ZADD z CH INCR 1 a
                ZADD z INCR inf a
                ZADD z INCR -inf a
                ZINCRBY z -inf a
                ZINCRBY z inf a
                ZSCORE z a
                ZADD z 1 a
                ZINCRBY z 0.1 a
                ZINCRBY z 0.2 a
                ZINCRBY z -1.3 a
                ZINCRBY z abc a
                ZINCRBY z nan a
                ZINCRBY z 1e a
                ZINCRBY nokey2 5 m
                ZINCRBY z 1 a extra
                ZINCRBY z 1
                ZINCRBY z nx a
                ZINCRBY z incr a
                ZRANGE z 0 -1 WITHSCORES
                """},
        {"score-printing", """
                ZADD z 1.1 a 0.1 b -0 c 1e300 d 123456789012345678 e -1e-320 f 3.0 g 1e17 h 1e16 i 0.0001 j 0.00001 k -2.5 l
                ZRANGE z 0 -1 WITHSCORES
                ZSCORE z a
                ZSCORE z c
                ZMSCORE z a b c d e f g h i j k l nope
                ZSCAN z 0
                ZINCRBY z 1 a
                ZADD z INCR 0.2 b
                ZPOPMIN z
                ZPOPMAX z 2
                ZMPOP 1 z MIN COUNT 2
                ZRANGEBYSCORE z -inf +inf WITHSCORES
                ZUNION 1 z WITHSCORES
                ZRANDMEMBER z 100 WITHSCORES
                CONFIG SET zset-max-listpack-entries 0
                ZADD s -0 c 1.1 a 123456789012345678 e
                OBJECT ENCODING s
                ZRANGE s 0 -1 WITHSCORES
                ~ZSCAN s 0
                """},
        {"zscore-zmscore-rank", """
                ZADD z 1 a 2 b 3 c
                ZSCORE z a
                ZSCORE z nope
                ZSCORE nokey a
                ZMSCORE z a nope c
                ZMSCORE nokey a b
                ZMSCORE z
                ZSCORE z
                ZRANK z a
                ZRANK z c
                ZRANK z nope
                ZRANK nokey a
                ZREVRANK z a
                ZREVRANK z c
                ZREVRANK z nope
                ZRANK z a WITHSCORE
                ZRANK z
                ZCARD
                ZCARD z z
                """},
        {"zrange-rank", """
                ZADD z 1 a 2 b 3 c 4 d 5 e
                ZRANGE z 0 -1
                ZRANGE z 1 3 WITHSCORES
                ZRANGE z -2 -1 withscores
                ZRANGE z 3 1
                ZRANGE z -100 100
                ZRANGE z 5 10
                ZRANGE z 0 -9223372036854775808
                ZRANGE z -9223372036854775808 9223372036854775807
                ZRANGE z 0 -1 REV
                ZRANGE z 0 1 REV WITHSCORES
                ZREVRANGE z 0 -1
                ZREVRANGE z 1 2 WITHSCORES
                ZREVRANGE z -1 -1
                ZREVRANGE z 3 1
                ZRANGE z a 1
                ZRANGE z 0 b
                ZRANGE z 0 1 LIMIT 0 1
                ZRANGE z 0 1 WITHSCORES LIMIT 0 1
                ZRANGE z 0 1 BYLEX WITHSCORES
                ZRANGE z 0 1 FOO
                ZRANGE z 0 1 REV REV
                ZRANGE z 0 1 BYSCORE BYLEX
                ZRANGE z 0 1 LIMIT 0
                ZREVRANGE z 0 1 REV
                ZREVRANGE z 0 1 BYSCORE
                ZRANGE nokey 0 -1
                ZRANGE nokey a b
                ZRANGE z 0
                ZREVRANGE z 0
                """},
        {"zrange-byscore", """
                ZADD z -inf ninf 1 a 2 b 2 bb 3 c 4 d 5 e +inf pinf
                ZRANGEBYSCORE z -inf +inf
                ZRANGEBYSCORE z 2 4 WITHSCORES
                ZRANGEBYSCORE z (2 4
                ZRANGEBYSCORE z 2 (4
                ZRANGEBYSCORE z (2 (4
                ZRANGEBYSCORE z (1 (2
                ZRANGEBYSCORE z 4 2
                ZRANGEBYSCORE z (-inf (+inf
                ZRANGEBYSCORE z -inf -inf
                ZRANGEBYSCORE z +inf +inf WITHSCORES
                ZRANGEBYSCORE z 0 10 LIMIT 1 2
                ZRANGEBYSCORE z 0 10 LIMIT 1 -1
                ZRANGEBYSCORE z 0 10 LIMIT -1 2
                ZRANGEBYSCORE z 0 10 LIMIT 0 0
                ZRANGEBYSCORE z 0 10 LIMIT 100 2
                ZRANGEBYSCORE z 0 10 LIMIT 9223372036854775807 1
                ZRANGEBYSCORE z 0 10 LIMIT 3 9223372036854775807
                ZRANGEBYSCORE z 0 10 LIMIT -9223372036854775808 1
                ZRANGEBYSCORE z 0 10 LIMIT 1 -9223372036854775808
                ZREVRANGEBYSCORE z 10 0 LIMIT 9223372036854775807 9223372036854775807
                ZREVRANGEBYSCORE z 10 0 LIMIT 2 9223372036854775807
                ZRANGEBYSCORE z 0 10 LIMIT 9223372036854775808 1
                ZRANGEBYSCORE z 0 10 LIMIT 2 100 WITHSCORES
                ZRANGEBYSCORE z 0 10 WITHSCORES LIMIT 1 1
                ZRANGEBYSCORE z 0 10 LIMIT a 1
                ZRANGEBYSCORE z 0 10 LIMIT 1
                ZRANGEBYSCORE z 0 10 REV
                ZRANGEBYSCORE z 0 10 BYSCORE
                ZRANGEBYSCORE z abc 1
                ZRANGEBYSCORE z 1 abc
                ZRANGEBYSCORE z ( 1
                ZRANGEBYSCORE z (( 1
                ZRANGEBYSCORE z nan 1
                ZRANGEBYSCORE z 1e 1
                ZRANGEBYSCORE z _ 1
                ZRANGEBYSCORE z 1e400 +inf
                ZRANGEBYSCORE z 1e-400 3
                ZRANGEBYSCORE z 0x1 0x3
                ZREVRANGEBYSCORE z +inf -inf
                ZREVRANGEBYSCORE z 4 2 WITHSCORES
                ZREVRANGEBYSCORE z (4 (2
                ZREVRANGEBYSCORE z 2 4
                ZREVRANGEBYSCORE z 10 0 LIMIT 1 2
                ZREVRANGEBYSCORE z 10 0 LIMIT 1 -5 WITHSCORES
                ZREVRANGEBYSCORE z 10 0 LIMIT -2 3
                ZRANGE z 2 4 BYSCORE
                ZRANGE z (2 4 BYSCORE WITHSCORES LIMIT 0 2
                ZRANGE z 4 2 BYSCORE REV
                ZRANGE z 2 4 BYSCORE REV
                ZRANGE z +inf -inf BYSCORE REV LIMIT 2 3
                ZRANGEBYSCORE nokey 0 1
                ZRANGEBYSCORE nokey a 1
                ZCOUNT z -inf +inf
                ZCOUNT z 2 4
                ZCOUNT z (2 (4
                ZCOUNT z 4 2
                ZCOUNT z a 1
                ZCOUNT nokey 0 1
                ZCOUNT nokey a 1
                ZCOUNT z 1
                """},
        {"zrange-bylex", """
                ZADD z 0 a 0 b 0 c 0 d 0 e 0 foo 0 zap 0 zip 0 ALPHA 0 _x
                ZRANGEBYLEX z - +
                ZRANGEBYLEX z [a [c
                ZRANGEBYLEX z (a (c
                ZRANGEBYLEX z [b +
                ZRANGEBYLEX z - (c
                ZRANGEBYLEX z [c [a
                ZRANGEBYLEX z + -
                ZRANGEBYLEX z - -
                ZRANGEBYLEX z + +
                ZRANGEBYLEX z [z +
                ZRANGEBYLEX z ( +
                ZRANGEBYLEX z [ +
                ZRANGEBYLEX z - + LIMIT 2 3
                ZRANGEBYLEX z - + LIMIT 2 -1
                ZRANGEBYLEX z - + LIMIT -1 2
                ZRANGEBYLEX z - + LIMIT 0 0
                ZRANGEBYLEX z - + LIMIT 9223372036854775807 1
                ZREVRANGEBYLEX z + - LIMIT 9 9223372036854775807
                ZRANGEBYLEX z - + WITHSCORES
                ZRANGEBYLEX z a c
                ZRANGEBYLEX z [a c
                ZRANGEBYLEX z -a +
                ZRANGEBYLEX z - +b
                ZRANGEBYLEX z _ +
                ZREVRANGEBYLEX z + -
                ZREVRANGEBYLEX z [c [a
                ZREVRANGEBYLEX z (zip (b LIMIT 1 2
                ZREVRANGEBYLEX z - +
                ZRANGE z [a [c BYLEX
                ZRANGE z [c [a BYLEX REV
                ZRANGE z - + BYLEX LIMIT 1 1
                ZRANGE z - + BYLEX WITHSCORES
                ZLEXCOUNT z - +
                ZLEXCOUNT z [b [e
                ZLEXCOUNT z (b (e
                ZLEXCOUNT z [e [b
                ZLEXCOUNT z b e
                ZLEXCOUNT nokey - +
                ZLEXCOUNT nokey x y
                ZRANGEBYLEX nokey - +
                ZRANGEBYLEX nokey x y
                """},
        {"zrangestore", """
                ZADD src 1 a 2 b 3 c 4 d
                ZRANGESTORE dst src 0 -1
                ZRANGE dst 0 -1 WITHSCORES
                OBJECT ENCODING dst
                ZRANGESTORE dst src 1 2
                ZRANGE dst 0 -1 WITHSCORES
                ZRANGESTORE dst src 2 4 BYSCORE LIMIT 1 1
                ZRANGE dst 0 -1 WITHSCORES
                ZRANGESTORE dst src +inf -inf BYSCORE REV
                ZRANGE dst 0 -1 WITHSCORES
                ZRANGESTORE dst src [a [b BYLEX
                ZRANGESTORE dst src 10 20
                EXISTS dst
                ZRANGESTORE dst src 0 -1
                ZRANGESTORE dst nokey 0 -1
                EXISTS dst
                SET str x
                ZRANGESTORE str src 0 0
                TYPE str
                ZRANGESTORE dst str 0 0
                ZRANGESTORE dst src 0 -1 WITHSCORES
                ZRANGESTORE dst src 0 -1 LIMIT 0 1
                ZRANGESTORE dst src a b
                ZRANGESTORE dst src
                SET ttl x EX 100
                ZRANGESTORE ttl src 0 0
                TTL ttl
                """},
        {"zrem", """
                ZADD z 1 a 2 b 3 c
                ZREM z a nope
                ZREM z nope
                ZREM z b b
                ZREM nokey a
                ZREM z c
                EXISTS z
                ZREM z
                ZADD z 1 a 2 b 3 c 4 d 5 e
                ZREMRANGEBYRANK z 1 2
                ZRANGE z 0 -1
                ZREMRANGEBYRANK z 5 10
                ZREMRANGEBYRANK z -1 -1
                ZREMRANGEBYRANK z a 1
                ZREMRANGEBYRANK nokey 0 1
                ZREMRANGEBYRANK z 0 -1
                EXISTS z
                ZADD z 1 a 2 b 3 c 4 d 5 e
                ZREMRANGEBYSCORE z (1 3
                ZREMRANGEBYSCORE z 10 20
                ZREMRANGEBYSCORE z abc 1
                ZREMRANGEBYSCORE nokey abc 1
                ZRANGE z 0 -1 WITHSCORES
                ZREMRANGEBYSCORE z -inf +inf
                EXISTS z
                ZADD z 0 a 0 b 0 c 0 d
                ZREMRANGEBYLEX z [b (d
                ZREMRANGEBYLEX z a b
                ZREMRANGEBYLEX nokey a b
                ZRANGE z 0 -1
                ZREMRANGEBYLEX z - +
                EXISTS z
                SET s x
                ZREM s a
                ZREMRANGEBYRANK s 0 1
                ZREMRANGEBYSCORE s 0 1
                ZREMRANGEBYLEX s - +
                ZREMRANGEBYRANK s a 1
                """},
        {"pops", """
                ZADD z 1 a 2 b 3 c 4 d 5 e
                ZPOPMIN z
                ZPOPMAX z
                ZPOPMIN z 2
                ZPOPMAX z 0
                ZPOPMAX z 10
                EXISTS z
                ZPOPMIN z
                ZPOPMIN z 1
                ZPOPMIN z -1
                ZPOPMIN z abc
                ZPOPMIN z 1 2
                ZADD z 1 a
                ZPOPMIN z -1
                ZPOPMIN z 0
                ZPOPMAX z 1.5
                ZADD z2 1 x 2 y
                ZMPOP 2 z z2 MIN
                ZMPOP 2 z z2 MAX COUNT 5
                ZMPOP 2 z z2 MAX COUNT 5
                ZMPOP 1 nokey MIN
                ZMPOP 0 z MIN
                ZMPOP -1 z MIN
                ZMPOP a z MIN
                ZMPOP 1 z
                ZMPOP 1 z LEFT
                ZMPOP 1 z MIN COUNT 0
                ZMPOP 1 z MIN COUNT -1
                ZMPOP 1 z MIN COUNT a
                ZMPOP 1 z MIN COUNT 1 COUNT 1
                ZMPOP 1 z MIN FOO
                ZMPOP 3 z MIN
                SET s x
                ZPOPMIN s
                ZPOPMAX s 0
                ZMPOP 2 nokey s MIN
                ZMPOP 2 s nokey MIN
                ZADD z3 1 a
                ZMPOP 2 z3 s MAX
                """},
        {"blocking-at-once", """
                ZADD z 1 a 2 b 3 c
                BZPOPMIN z 0
                BZPOPMAX z 0
                BZPOPMIN nokey z 1
                ZADD z 1 a 2 b 3 c
                BZMPOP 0 1 z MIN
                BZMPOP 0 2 nokey z MAX COUNT 1
                BZMPOP 0 1 z MIN COUNT 10
                BZPOPMIN z -1
                BZPOPMIN z abc
                BZPOPMIN z 1e400
                BZMPOP -1 1 z MIN
                BZMPOP abc 1 z MIN
                BZMPOP 0 0 z MIN
                BZMPOP 0 1 z FOO
                BZMPOP abc 0 z MIN
                SET s x
                BZPOPMIN s 0
                BZPOPMAX nokey s 0
                BZMPOP 0 1 s MIN
                BZPOPMIN z
                BZMPOP 0
                """},
        {"zrandmember-deterministic", """
                ZADD z 1 a 2 b 3 c
                ZRANDMEMBER nokey
                ZRANDMEMBER nokey 5
                ZRANDMEMBER nokey 5 WITHSCORES
                ZRANDMEMBER z 0
                ZRANDMEMBER z 0 WITHSCORES
                ZRANDMEMBER z 3 WITHSCORES
                ZRANDMEMBER z 10
                ZRANDMEMBER z 1 FOO
                ZRANDMEMBER z 1 WITHSCORES X
                ZRANDMEMBER z abc
                ZRANDMEMBER z -9223372036854775808
                ZRANDMEMBER z 9223372036854775807 WITHSCORES
                ZRANDMEMBER z -9223372036854775807 WITHSCORES
                SET s x
                ZRANDMEMBER s
                ZRANDMEMBER s 1
                ZADD one 5 only
                ZRANDMEMBER one
                ZRANDMEMBER one -3
                ZRANDMEMBER one -2 WITHSCORES
                ZRANDMEMBER one 1 WITHSCORES
                """},
        {"union-inter-diff", """
                ZADD a 1 x 2 y 3 z
                ZADD b 10 y 20 z 30 w
                ZUNION 2 a b
                ZUNION 2 a b WITHSCORES
                ZUNION 2 a b WEIGHTS 2 3 WITHSCORES
                ZUNION 2 a b AGGREGATE MIN WITHSCORES
                ZUNION 2 a b AGGREGATE max WITHSCORES
                ZUNION 2 a b WEIGHTS 1 -1 AGGREGATE SUM WITHSCORES
                ZUNION 2 a nokey WITHSCORES
                ZUNION 1 nokey
                ZINTER 2 a b WITHSCORES
                ZINTER 2 a b WEIGHTS 0.5 2 AGGREGATE MAX WITHSCORES
                ZINTER 2 a nokey WITHSCORES
                ZINTER 2 a a WITHSCORES
                ZINTER 3 a b a AGGREGATE MIN WITHSCORES
                ZDIFF 2 a b WITHSCORES
                ZDIFF 1 a
                ZDIFF 2 nokey a
                ZDIFF 2 a a
                ZDIFF 2 a b WEIGHTS 1 1
                ZDIFF 2 a b AGGREGATE SUM
                ZINTERCARD 2 a b
                ZINTERCARD 2 a b LIMIT 1
                ZINTERCARD 2 a b LIMIT 0
                ZINTERCARD 2 a b LIMIT -1
                ZINTERCARD 2 a b LIMIT x
                ZINTERCARD 2 a b WITHSCORES
                ZINTERCARD 1 nokey
                ZINTERCARD 0 a
                ZUNION 0 a
                ZUNION -1 a
                ZUNION x a
                ZUNION 3 a b
                ZUNION 2 a b WEIGHTS 1
                ZUNION 2 a b WEIGHTS 1 x
                ZUNION 2 a b WEIGHTS 1 nan
                ZUNION 2 a b AGGREGATE
                ZUNION 2 a b AGGREGATE AVG
                ZUNION 2 a b FOO
                ZUNION 2 a b WITHSCORES WITHSCORES
                SET s x
                ZUNION 2 a s
                ZINTER 2 s a WEIGHTS x y
                ZDIFF 2 a s
                ZINTERCARD 2 a s
                ZUNIONSTORE d 2 a s
                ZADD inf1 inf m 1 n
                ZADD inf2 -inf m 2 n
                ZUNION 2 inf1 inf2 WITHSCORES
                ZINTER 2 inf1 inf2 WITHSCORES
                ZUNION 2 inf1 inf2 WEIGHTS 0 1 WITHSCORES
                ZINTER 2 inf1 inf2 WEIGHTS 0 0 WITHSCORES
                ZUNION 1 inf1 WEIGHTS -0 WITHSCORES
                """},
        {"store-forms", """
                ZADD a 1 x 2 y 3 z
                ZADD b 10 y 20 z 30 w
                ZUNIONSTORE d 2 a b
                ZRANGE d 0 -1 WITHSCORES
                OBJECT ENCODING d
                ZINTERSTORE d 2 a b WEIGHTS 2 1 AGGREGATE MIN
                ZRANGE d 0 -1 WITHSCORES
                ZDIFFSTORE d 2 a b
                ZRANGE d 0 -1 WITHSCORES
                ZINTERSTORE d 2 a nokey
                EXISTS d
                ZUNIONSTORE d 1 nokey
                ZDIFFSTORE d 2 a a
                ZUNIONSTORE d 2 a b WITHSCORES
                ZDIFFSTORE d 2 a b WEIGHTS 1 2
                ZUNIONSTORE a 2 a b
                ZRANGE a 0 -1 WITHSCORES
                SET str x
                ZUNIONSTORE str 1 b
                TYPE str
                SET ttl x EX 100
                ZINTERSTORE ttl 1 b
                TTL ttl
                ZUNIONSTORE d 0 a
                ZINTERSTORE d 0 a
                ZDIFFSTORE d 0 a
                ZUNIONSTORE d
                """},
        {"encoding-conversions", """
                ZADD z 1 a
                OBJECT ENCODING z
                CONFIG SET zset-max-listpack-entries 3
                CONFIG GET zset-max-listpack-entries
                CONFIG GET zset-max-ziplist-entries
                ZADD z 2 b 3 c
                OBJECT ENCODING z
                ZADD z 4 d
                OBJECT ENCODING z
                ZREM z a b c
                OBJECT ENCODING z
                ZRANGE z 0 -1 WITHSCORES
                CONFIG SET zset-max-ziplist-entries 128
                CONFIG SET zset-max-ziplist-value 4
                CONFIG GET zset-max-listpack-value
                ZADD v 1 abcd
                OBJECT ENCODING v
                ZADD v 1 abcde
                OBJECT ENCODING v
                ZADD w 1 abcde 2 a
                OBJECT ENCODING w
                ZINCRBY x 1 abcdef
                OBJECT ENCODING x
                ZADD y 1 a
                ZADD y 123456789 a
                OBJECT ENCODING y
                ZADD lp 1 a 2 b 3 c 4 d
                ZUNIONSTORE u 1 v
                OBJECT ENCODING u
                ZUNIONSTORE u 1 lp
                OBJECT ENCODING u
                ZRANGESTORE u v 0 -1
                OBJECT ENCODING u
                ZRANGESTORE u lp 0 -1
                OBJECT ENCODING u
                CONFIG SET zset-max-listpack-entries 2
                ZUNIONSTORE u 1 lp
                OBJECT ENCODING u
                ZRANGESTORE u lp 0 1
                OBJECT ENCODING u
                ZRANGESTORE u lp 0 2
                OBJECT ENCODING u
                ZRANGESTORE u lp 0 1 BYSCORE
                OBJECT ENCODING u
                ZINTERSTORE u 1 lp
                OBJECT ENCODING u
                ZDIFFSTORE u 1 lp
                OBJECT ENCODING u
                CONFIG SET zset-max-listpack-entries 0
                ZADD n 1 a
                OBJECT ENCODING n
                ZRANGESTORE u lp 0 0
                OBJECT ENCODING u
                CONFIG SET zset-max-listpack-entries 128
                CONFIG SET zset-max-listpack-value 0
                ZADD e 1 _
                OBJECT ENCODING e
                ZADD e 1 a
                OBJECT ENCODING e
                COPY z zcopy
                OBJECT ENCODING zcopy
                ZRANGE zcopy 0 -1 WITHSCORES
                COPY lp lpcopy
                OBJECT ENCODING lpcopy
                RENAME y y2
                OBJECT ENCODING y2
                ZRANGE y2 0 -1 WITHSCORES
                """},
        {"large-skiplist", """
                ZADD big 1 m1 2 m2 3 m3 4 m4 5 m5 6 m6 7 m7 8 m8 9 m9 10 m10 11 m11 12 m12 13 m13 14 m14 15 m15 16 m16 17 m17 18 m18 19 m19 20 m20
                CONFIG SET zset-max-listpack-entries 4
                ZADD big2 1 m1 2 m2 3 m3 4 m4 5 m5 6 m6 7 m7 8 m8 9 m9 10 m10 11 m11 12 m12 13 m13 14 m14 15 m15 16 m16 17 m17 18 m18 19 m19 20 m20
                OBJECT ENCODING big2
                ZRANGE big2 0 -1 WITHSCORES
                ZRANGE big2 5 9 REV WITHSCORES
                ZRANGEBYSCORE big2 (3 (17 LIMIT 2 5
                ZREVRANGEBYSCORE big2 (17 (3 LIMIT 2 5 WITHSCORES
                ZCOUNT big2 5 15
                ZRANK big2 m13
                ZREVRANK big2 m13
                ZADD big2 13.5 m1 0 m20
                ZRANGE big2 0 -1
                ZREMRANGEBYRANK big2 3 6
                ZREMRANGEBYSCORE big2 10 12
                ZRANGE big2 0 -1 WITHSCORES
                ZPOPMAX big2 3
                ZPOPMIN big2 2
                ZMPOP 1 big2 MAX COUNT 2
                ZCARD big2
                ZUNIONSTORE u 2 big big2 WEIGHTS 1 100
                ZRANGE u 0 -1 WITHSCORES
                OBJECT ENCODING u
                ZINTER 2 big big2 WITHSCORES
                ZDIFF 2 big big2
                ZADD lex2 0 a 0 b 0 c 0 d 0 e 0 f 0 g
                ZRANGEBYLEX lex2 (b [f
                ZREVRANGEBYLEX lex2 [f (b LIMIT 1 2
                ZLEXCOUNT lex2 [c +
                ZREMRANGEBYLEX lex2 [c [e
                ZRANGE lex2 0 -1
                """},
        {"minus-zero-and-mixed-lex", """
                CONFIG SET zset-max-listpack-entries 0
                ZADD s -0 a -0 b 1 c 2 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
                ZRANGE s 0 -1 WITHSCORES
                CONFIG SET zset-max-listpack-entries 2
                ZRANGESTORE d s -inf +inf BYSCORE
                ZRANGE d 0 -1 WITHSCORES
                ZRANGESTORE d s +inf -inf BYSCORE REV
                ZRANGE d 0 -1 WITHSCORES
                ZRANGESTORE d s 0 -1
                ZRANGE d 0 -1 WITHSCORES
                ZRANGESTORE d s 0 1
                ZRANGE d 0 -1 WITHSCORES
                OBJECT ENCODING d
                ZUNIONSTORE u 1 s
                ZRANGE u 0 -1 WITHSCORES
                ZINTERSTORE u 2 s s WEIGHTS 1 0
                ZRANGE u 0 -1 WITHSCORES
                ZUNION 1 s WITHSCORES
                ZADD s INCR -0 a
                ZINCRBY s 0 c
                ZINCRBY s -1 c
                ZSCORE s c
                CONFIG SET zset-max-listpack-entries 128
                ZADD m 3 a 1 z 2 b 0 y 5 c 4 x
                ZRANGEBYLEX m - +
                ZRANGEBYLEX m [b [y
                ZRANGEBYLEX m (a +
                ZREVRANGEBYLEX m [y [b
                ZREVRANGEBYLEX m + - LIMIT 1 2
                ZLEXCOUNT m [b [y
                ZLEXCOUNT m - +
                ZLEXCOUNT m [c [z
                ZRANGE m [b + BYLEX LIMIT 1 10
                ZREMRANGEBYLEX m [b [x
                ZRANGE m 0 -1 WITHSCORES
                """},
        {"zscan", """
                ZADD z 1 a 2 b 3 c 1.5 d
                ZSCAN z 0
                ZSCAN z 0 MATCH a*
                ZSCAN z 0 COUNT 1
                ZSCAN z 0 COUNT 0
                ZSCAN z 0 COUNT x
                ZSCAN z 0 MATCH
                ZSCAN z 0 FOO bar
                ZSCAN z x
                ZSCAN z -1
                ZSCAN nokey 0
                SET s x
                ZSCAN s 0
                ZSCAN z
                """},
        {"wrongtype-and-arity", """
                SET s x
                ZADD s 1 a
                ZINCRBY s 1 a
                ZSCORE s a
                ZMSCORE s a
                ZCARD s
                ZCOUNT s 0 1
                ZLEXCOUNT s - +
                ZRANGE s 0 1
                ZRANGEBYSCORE s 0 1
                ZRANGEBYLEX s - +
                ZREVRANGE s 0 1
                ZRANK s a
                ZREVRANK s a
                ZADD s abc a
                ZCOUNT s a b
                LPUSH l a
                ZADD l 1 a
                ZRANGE l 0 -1
                HSET h f v
                ZINTER 2 h l
                ZSCORE
                ZMSCORE z
                ZCOUNT z 1
                ZLEXCOUNT z -
                ZRANGEBYSCORE z 1
                ZREVRANGEBYSCORE z 1
                ZRANGEBYLEX z -
                ZREVRANGEBYLEX z +
                ZREMRANGEBYRANK z 1
                ZREMRANGEBYSCORE z 1
                ZREMRANGEBYLEX z 1
                ZPOPMIN
                ZMPOP
                ZMPOP 1
                ZRANDMEMBER
                ZUNION
                ZUNIONSTORE d
                ZINTERCARD
                BZPOPMIN
                BZPOPMAX z
                BZMPOP 0 1
                ZSCAN
                """},
    };
}
