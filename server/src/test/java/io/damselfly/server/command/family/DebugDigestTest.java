package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ReplyComparison;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE against a real redis-server 7.0.15 (debug enabled on both):
 * the same commands on both, then every digest must be the same 40 hex digits. Each script covers
 * a type in each of its encodings (strings raw, embstr and int-encoded, HyperLogLogs sparse and
 * dense; lists; sets intset and hashtable; hashes listpack and hashtable; sorted sets listpack and
 * skiplist with scores %.17g must spell alike; streams with deleted entries, many nodes, groups
 * and PELs), keys with TTLs, several databases, keys logically expired but not yet deleted,
 * MULTI and scripts, an empty dataset, missing keys, and wrong arguments. damselfly runs with 4
 * shards, so the walk's per-shard sums are combined.
 */
@ExtendWith(ServerExtension.class)
@ServerOptions({"enable_debug_command=yes", "num_shards=4"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DebugDigestTest {
    private static final Pattern DIGEST = Pattern.compile("\\+[0-9a-f]{40}");
    private static final String ZEROS = "+" + "0".repeat(40);

    private RedisServerProcess redis;

    @BeforeAll
    void startRedis() throws Exception {
        redis = RedisServerProcess.start("--enable-debug-command", "yes");
    }

    @AfterAll
    void stopRedis() {
        redis.close();
    }

    /** Space-separated numbers from {@code from} to {@code to}, each with {@code prefix}. */
    private static String range(int from, int to, String prefix) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> prefix + i).collect(Collectors.joining(" "));
    }

    /** Pairs "prefix_i i" for a HSET or ZADD (score first when {@code scoreFirst}). */
    private static String pairs(int from, int to, boolean scoreFirst) {
        return IntStream.rangeClosed(from, to)
                .mapToObj(i -> scoreFirst ? (i / 7.0) + " m" + i : "f" + i + " " + (i * 3))
                .collect(Collectors.joining(" "));
    }

    static Stream<Arguments> scripts() {
        String longText = "x".repeat(100);
        return Stream.of(
                Arguments.of("strings", """
                        SET s hello
                        SET i 12345
                        SET neg -42
                        SET max 9223372036854775807
                        SET over 9223372036854775808
                        SET lead 007
                        SET minus0 -0
                        SET empty _
                        SET text %s
                        SET bin \u00ff\u00fe\u0001
                        INCR counter
                        INCRBY counter 41
                        INCRBYFLOAT fl 1.5
                        APPEND i 6
                        SETRANGE r 3 abc
                        OBJECT ENCODING counter
                        OBJECT ENCODING text
                        DEBUG DIGEST-VALUE s i neg max over lead minus0 empty text bin counter fl r
                        DEBUG DIGEST
                        """.formatted(longText)),
                Arguments.of("hyperloglog", """
                        PFADD sparse a b c d
                        PFADD dense %s
                        PFDEBUG TODENSE dense
                        PFDEBUG ENCODING sparse
                        PFDEBUG ENCODING dense
                        PFCOUNT dense
                        DEBUG DIGEST-VALUE sparse dense
                        DEBUG DIGEST
                        """.formatted(range(0, 200, "e"))),
                Arguments.of("lists", """
                        RPUSH l a b c 1 2 3 -7 %s _
                        LPUSH l head
                        LINSERT l BEFORE b between
                        RPUSH big %s
                        LPOP big
                        LSET big 10 changed
                        RPUSH order a b
                        RPUSH reversed b a
                        DEBUG DIGEST-VALUE l big order reversed
                        DEBUG DIGEST
                        """.formatted(longText, range(0, 600, ""))),
                Arguments.of("sets", """
                        SADD ints 1 2 3 -5 9223372036854775807 -9223372036854775808
                        OBJECT ENCODING ints
                        SADD strs a b c 01 _
                        OBJECT ENCODING strs
                        SADD bigints %s
                        OBJECT ENCODING bigints
                        SADD mixed 1 2 3
                        SADD mixed x
                        SREM mixed 2
                        SADD order a b c
                        SADD reorder c b a
                        DEBUG DIGEST-VALUE ints strs bigints mixed order reorder
                        DEBUG DIGEST
                        """.formatted(range(0, 700, ""))),
                Arguments.of("hashes", """
                        HSET small a 1 b hello c -3 _ _
                        OBJECT ENCODING small
                        HSET bigvalue f %s
                        OBJECT ENCODING bigvalue
                        HSET many %s
                        OBJECT ENCODING many
                        HINCRBY small a 10
                        HINCRBYFLOAT small f 0.25
                        HDEL many f3
                        DEBUG DIGEST-VALUE small bigvalue many
                        DEBUG DIGEST
                        """.formatted(longText, pairs(0, 200, false))),
                Arguments.of("sortedSets", """
                        ZADD small 1 a 1.5 b -0 c 0 d inf e -inf f 0.1 g 1e308 h 5e-324 i 123456789012345678 j -3 k 7 77 3.0000000000000004 l
                        OBJECT ENCODING small
                        ZADD big %s
                        ZADD big -0 z0 inf zinf -inf zminf 0.1 zp1 5e-324 ztiny 123456789012345678 zbig 7 77
                        OBJECT ENCODING big
                        ZINCRBY small 2.5 a
                        ZINCRBY big 0.1 m3
                        ZREM big m4
                        ZADD longmember 1 %s
                        OBJECT ENCODING longmember
                        DEBUG DIGEST-VALUE small big longmember
                        DEBUG DIGEST
                        """.formatted(pairs(0, 200, true), longText)),
                Arguments.of("streams", """
                        XADD s 1-1 f v
                        XADD s 1-2 f v2 g 12
                        XADD s 2-0 a 1 b 2 c 3
                        XADD s 18446744073709551615-18446744073709551614 last one
                        XADD d 5-1 x 1
                        XADD d 5-2 x 2
                        XADD d 5-3 x 3
                        XDEL d 5-2
                        XADD gone 1-1 f v
                        XDEL gone 1-1
                        XLEN gone
                        XADD trimmed 1-1 a 1
                        XADD trimmed 1-2 a 2
                        XADD trimmed 1-3 a 3
                        XTRIM trimmed MAXLEN 1
                        XGROUP CREATE s g 0
                        XREADGROUP GROUP g alice COUNT 2 STREAMS s >
                        XGROUP CREATE d g2 $ MKSTREAM
                        XSETID d 9-9
                        DEBUG DIGEST-VALUE s d gone trimmed
                        DEBUG DIGEST
                        """),
                Arguments.of("streamNodes", """
                        CONFIG SET stream-node-max-entries 3
                        XADD n 1-1 f v
                        XADD n 1-2 f v
                        XADD n 1-3 g w
                        XADD n 1-4 f v
                        XADD n 1-5 f v h 5
                        XADD n 1-6 f v
                        XADD n 1-7 f v
                        XDEL n 1-3 1-4
                        XDEL n 1-1
                        CONFIG SET stream-node-max-entries 100
                        XADD n 1-8 f v
                        DEBUG DIGEST-VALUE n
                        DEBUG DIGEST
                        """),
                Arguments.of("expiry", """
                        SET plain v
                        SET ttl v EX 1000
                        SET pttl v PX 100000000
                        RPUSH l a b
                        EXPIRE l 1000
                        HSET h f v
                        EXPIREAT h 4000000000
                        SADD s 1
                        EXPIRE s 500
                        PERSIST s
                        SET i 5
                        EXPIRE i 1000
                        INCR i
                        GETEX plain PX 99999
                        DEBUG DIGEST-VALUE plain ttl pttl l h s i
                        DEBUG DIGEST
                        """),
                Arguments.of("databases", """
                        SET k v
                        DEBUG DIGEST
                        SELECT 1
                        SET k v
                        DEBUG DIGEST-VALUE k
                        DEBUG DIGEST
                        SELECT 15
                        RPUSH l a
                        DEBUG DIGEST
                        SELECT 0
                        DEL k
                        DEBUG DIGEST
                        SWAPDB 1 2
                        DEBUG DIGEST
                        SELECT 2
                        MOVE k 0
                        DEBUG DIGEST-VALUE k
                        DEBUG DIGEST
                        SELECT 0
                        DEBUG DIGEST-VALUE k l
                        """),
                Arguments.of("logicallyExpired", """
                        DEBUG SET-ACTIVE-EXPIRE 0
                        SET live v
                        SET dead v PX 1
                        HSET deadhash f v
                        PEXPIRE deadhash 1
                        DEBUG SLEEP 0.05
                        DEBUG DIGEST-VALUE dead deadhash
                        DEBUG DIGEST
                        GET dead
                        DEBUG DIGEST-VALUE dead deadhash
                        DEBUG DIGEST
                        HGET deadhash f
                        DEBUG DIGEST
                        DEBUG SET-ACTIVE-EXPIRE 1
                        """),
                Arguments.of("emptyAndMissing", """
                        DEBUG DIGEST
                        DEBUG DIGEST-VALUE
                        DEBUG DIGEST-VALUE missing
                        SET k v
                        DEBUG DIGEST-VALUE missing k missing
                        DEL k
                        DEBUG DIGEST
                        SELECT 9
                        SET k v
                        FLUSHDB
                        DEBUG DIGEST
                        SELECT 0
                        """),
                Arguments.of("transactionsAndScripts", """
                        SET a 1
                        MULTI
                        SET b 2
                        DEBUG DIGEST
                        DEBUG DIGEST-VALUE a b
                        EXEC
                        EVAL return_redis.call('debug','digest') 0
                        DEBUG SET-DISABLE-DENY-SCRIPTS 1
                        EVAL return_redis.call('debug','digest') 0
                        EVAL return_redis.call('debug','digest-value',KEYS[1]) 1 a
                        DEBUG SET-DISABLE-DENY-SCRIPTS 0
                        """),
                Arguments.of("garbage", """
                        DEBUG DIGEST extra
                        DEBUG DIGEST _
                        DEBUG digest
                        DEBUG DiGeSt-VaLuE k
                        DEBUG DIGEST-VALUES k
                        DEBUG DIGESTVALUE k
                        DEBUG DIGEST-VALUE _
                        DEBUG DIGEST-VALUE \u00ff\u0000
                        DEBUG
                        """));
    }

    /** Lines of a script whose replies are digests (status replies, or an array of them). */
    private static boolean isDigestLine(Object[] args) {
        return args.length >= 2 && args[0].toString().equalsIgnoreCase("debug")
                && args[1].toString().toLowerCase(Locale.ROOT).startsWith("digest");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void sameDigestsAsRedis(String name, String script, EmbeddedServer damselfly) {
        for (int protocol : new int[] {2, 3}) {
            try (RawClient theirs = new RawClient("127.0.0.1", redis.port());
                 RawClient mine = new RawClient(damselfly.host(), damselfly.port())) {
                ReplyComparison.startFresh(protocol, theirs, mine);
                int digests = 0;
                for (ReplyComparison.ScriptLine line : scriptLines(script)) {
                    RespValue expected = theirs.call(line.args());
                    RespValue actual = mine.call(line.args());
                    assertEquals(RawClient.render(expected), RawClient.render(actual), name + " RESP" + protocol + " " + line);
                    digests += countDigests(expected);
                }
                if (!name.equals("garbage")) {
                    // the comparison is about digests: a script whose DEBUG calls all failed alike proves nothing
                    assertTrue(digests > 0, name + ": redis-server answered no digest");
                }
            }
        }
    }

    /** The script's lines, with a '_' inside an EVAL body read as a space (a line splits at spaces). */
    private static List<ReplyComparison.ScriptLine> scriptLines(String script) {
        List<ReplyComparison.ScriptLine> lines = new ArrayList<>();
        for (ReplyComparison.ScriptLine l : ReplyComparison.lines(script)) {
            Object[] args = l.args();
            if (args.length > 1 && args[0].toString().equalsIgnoreCase("eval")) {
                args[1] = args[1].toString().replace('_', ' ');
            }
            lines.add(new ReplyComparison.ScriptLine(l.number(), l.text(), l.unordered(), args));
        }
        return lines;
    }

    private static int countDigests(RespValue v) {
        String r = RawClient.render(v);
        if (DIGEST.matcher(r).matches()) {
            return 1;
        }
        if (v instanceof RespValue.Array a) {
            int n = 0;
            for (RespValue x : a.values()) {
                n += countDigests(x);
            }
            return n;
        }
        if (v instanceof RespValue.BulkString && r.length() == 41) {
            return 1; // a script's answer: the digest as a bulk
        }
        return 0;
    }

    /** The signatures tell data apart: order in lists, the database, a TTL, a type; and an empty server is all zeros. */
    @Test
    void digestsDistinguish(EmbeddedServer damselfly) {
        try (RawClient c = new RawClient(damselfly.host(), damselfly.port())) {
            ReplyComparison.startFresh(2, c);
            assertEquals(ZEROS, c.callText("DEBUG", "DIGEST"));
            assertEquals("[" + ZEROS + "]", c.callText("DEBUG", "DIGEST-VALUE", "nothing"));
            c.call("RPUSH", "l", "a", "b");
            String ab = c.callText("DEBUG", "DIGEST");
            assertTrue(DIGEST.matcher(ab).matches(), ab);
            assertNotEquals(ZEROS, ab);
            c.call("DEL", "l");
            c.call("RPUSH", "l", "b", "a");
            assertNotEquals(ab, c.callText("DEBUG", "DIGEST"));
            c.call("DEL", "l");
            c.call("SADD", "l", "a", "b");
            String set = c.callText("DEBUG", "DIGEST");
            c.call("DEL", "l");
            c.call("SADD", "l", "b", "a");
            assertEquals(set, c.callText("DEBUG", "DIGEST"));
            c.call("EXPIRE", "l", "100");
            assertNotEquals(set, c.callText("DEBUG", "DIGEST"));
            c.call("PERSIST", "l");
            assertEquals(set, c.callText("DEBUG", "DIGEST"));
            c.call("MOVE", "l", "1");
            assertNotEquals(set, c.callText("DEBUG", "DIGEST"));
            c.call("FLUSHALL");
            assertEquals(ZEROS, c.callText("DEBUG", "DIGEST"));
        }
    }

    /**
     * Redis's "Same dataset digest if saving/reloading as AOF?" (unit/other), on both servers with
     * the AOF off: BGREWRITEAOF still writes a base file and manifest, in either form, and DEBUG
     * LOADAOF loads them back into the same digest, which is redis-server's.
     */
    @Test
    void digestSurvivesAofRewriteWithAofOff(EmbeddedServer damselfly) throws Exception {
        try (RawClient theirs = new RawClient("127.0.0.1", redis.port());
             RawClient mine = new RawClient(damselfly.host(), damselfly.port())) {
            ReplyComparison.startFresh(2, theirs, mine);
            for (String preamble : new String[] {"no", "yes"}) {
                for (RawClient c : List.of(theirs, mine)) {
                    c.call("FLUSHALL");
                    c.call("RPUSH", "l", "a", "b", "1");
                    c.call("ZADD", "z", "1.5", "a", "-0", "b");
                    c.call("HSET", "h", "f", "v");
                    c.call("SET", "ttl", "v", "EX", "1000");
                    c.call("XADD", "s", "1-1", "f", "v");
                    c.call("SELECT", "4");
                    c.call("SADD", "set", "1", "x");
                    c.call("SELECT", "0");
                    assertEquals("+OK", c.callText("CONFIG", "SET", "aof-use-rdb-preamble", preamble));
                }
                String before = theirs.callText("DEBUG", "DIGEST");
                assertNotEquals(ZEROS, before);
                assertEquals(before, mine.callText("DEBUG", "DIGEST"));
                for (RawClient c : List.of(theirs, mine)) {
                    assertTrue(c.callText("BGREWRITEAOF").startsWith("+Background append only file rewriting"));
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (!c.callText("INFO", "persistence").contains("aof_rewrite_in_progress:0")
                            || c.callText("INFO", "persistence").contains("aof_rewrite_scheduled:1")) {
                        assertTrue(System.nanoTime() < deadline, "the rewrite did not end");
                        Thread.sleep(20);
                    }
                    assertEquals("+OK", c.callText("DEBUG", "LOADAOF"), preamble);
                    assertEquals(before, c.callText("DEBUG", "DIGEST"), "preamble " + preamble);
                }
            }
            for (RawClient c : List.of(theirs, mine)) {
                c.call("CONFIG", "SET", "aof-use-rdb-preamble", "yes");
            }
        }
    }

    /** Many keys spread over every shard and several databases: the per-shard sums combine to redis-server's digest. */
    @Test
    void manyKeysAcrossShards(EmbeddedServer damselfly) {
        try (RawClient theirs = new RawClient("127.0.0.1", redis.port());
             RawClient mine = new RawClient(damselfly.host(), damselfly.port())) {
            ReplyComparison.startFresh(2, theirs, mine);
            for (RawClient c : List.of(theirs, mine)) {
                for (int db : new int[] {0, 3, 7}) {
                    c.call("SELECT", Integer.toString(db));
                    assertEquals("+OK", c.callText("DEBUG", "POPULATE", "2000", "key" + db));
                    c.call("HSET", "h" + db, "f", Integer.toString(db));
                    c.call("EXPIRE", "key" + db + ":17", "1000");
                }
                c.call("SELECT", "0");
            }
            String expected = theirs.callText("DEBUG", "DIGEST");
            assertTrue(DIGEST.matcher(expected).matches(), expected);
            assertEquals(expected, mine.callText("DEBUG", "DIGEST"));
            Object[] keys = {"DEBUG", "DIGEST-VALUE", "key0:0", "key0:17", "key0:1999", "h0", "h3"};
            assertEquals(theirs.callText(keys), mine.callText(keys));
        }
    }
}
