package io.damselfly.server.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.DamselflyServer;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.command.Command;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * COMMAND INFO, COMMAND DOCS, COMMAND GETKEYS and COMMAND GETKEYSANDFLAGS for every command and
 * subcommand damselfly implements, against a live redis-server 7.0.15, in RESP2 and RESP3, with
 * nothing masked: key specs, tips, ACL categories, arguments and history must be the same bytes.
 *
 * <p>A container (CLIENT, CONFIG, OBJECT, COMMAND) is compared field by field except its list of
 * subcommands: damselfly lists only those it implements (and that set is asserted), and Redis
 * lists them in the order of its hash table, which varies between runs; each listed subcommand's
 * entry must equal Redis's entry for it. When redis-server is not installed this test fails: a
 * reference that silently goes missing would let every regression through.
 */
@ExtendWith(ServerExtension.class)
class CommandIntrospectionCompatibilityTest {
    private static final CommandTable TABLE = DamselflyServer.buildCommandTable();
    private static RedisServerProcess redis;

    /**
     * A representative valid call of every implemented command with keys (GETKEYS), several for
     * commands whose keys or key flags depend on their arguments.
     */
    private static final Map<String, List<String>> KEYED_CALLS = Map.ofEntries(
            Map.entry("sort", List.of("SORT k", "SORT k BY w_* GET # STORE dst", "SORT k LIMIT 0 1 STORE")),
            Map.entry("sort_ro", List.of("SORT_RO k", "SORT_RO k BY w_* GET #")),
            Map.entry("watch", List.of("WATCH k", "WATCH a b c")),
            Map.entry("get", List.of("GET k")),
            Map.entry("set", List.of("SET k v", "SET k v EX 10 GET", "SET k v get", "SET k v NX")),
            Map.entry("setnx", List.of("SETNX k v")),
            Map.entry("setex", List.of("SETEX k 10 v")),
            Map.entry("psetex", List.of("PSETEX k 10000 v")),
            Map.entry("mget", List.of("MGET a", "MGET a b c")),
            Map.entry("mset", List.of("MSET a 1", "MSET a 1 b 2 c 3")),
            Map.entry("msetnx", List.of("MSETNX a 1 b 2")),
            Map.entry("getset", List.of("GETSET k v")),
            Map.entry("getdel", List.of("GETDEL k")),
            Map.entry("getex", List.of("GETEX k", "GETEX k PERSIST")),
            Map.entry("append", List.of("APPEND k v")),
            Map.entry("strlen", List.of("STRLEN k")),
            Map.entry("incr", List.of("INCR k")),
            Map.entry("decr", List.of("DECR k")),
            Map.entry("incrby", List.of("INCRBY k 2")),
            Map.entry("decrby", List.of("DECRBY k 2")),
            Map.entry("incrbyfloat", List.of("INCRBYFLOAT k 1.5")),
            Map.entry("getrange", List.of("GETRANGE k 0 -1")),
            Map.entry("substr", List.of("SUBSTR k 0 -1")),
            Map.entry("setrange", List.of("SETRANGE k 0 v")),
            Map.entry("lcs", List.of("LCS a b", "LCS a b IDX MINMATCHLEN 2")),
            Map.entry("setbit", List.of("SETBIT k 7 1")),
            Map.entry("getbit", List.of("GETBIT k 7")),
            Map.entry("bitcount", List.of("BITCOUNT k", "BITCOUNT k 0 -1 BIT")),
            Map.entry("bitpos", List.of("BITPOS k 1", "BITPOS k 0 2 -1 BYTE")),
            Map.entry("bitop", List.of("BITOP AND dest a", "BITOP XOR dest a b c", "BITOP NOT dest a")),
            Map.entry("bitfield", List.of("BITFIELD k GET u8 0", "BITFIELD k SET i5 #1 3 INCRBY u2 0 1")),
            Map.entry("bitfield_ro", List.of("BITFIELD_RO k GET u8 0")),
            Map.entry("hset", List.of("HSET k f v", "HSET k f v g w")),
            Map.entry("hmset", List.of("HMSET k f v")),
            Map.entry("hsetnx", List.of("HSETNX k f v")),
            Map.entry("hget", List.of("HGET k f")),
            Map.entry("hmget", List.of("HMGET k f g")),
            Map.entry("hgetall", List.of("HGETALL k")),
            Map.entry("hkeys", List.of("HKEYS k")),
            Map.entry("hvals", List.of("HVALS k")),
            Map.entry("hdel", List.of("HDEL k f g")),
            Map.entry("hexists", List.of("HEXISTS k f")),
            Map.entry("hlen", List.of("HLEN k")),
            Map.entry("hstrlen", List.of("HSTRLEN k f")),
            Map.entry("hincrby", List.of("HINCRBY k f 1")),
            Map.entry("hincrbyfloat", List.of("HINCRBYFLOAT k f 1.5")),
            Map.entry("hrandfield", List.of("HRANDFIELD k", "HRANDFIELD k -5 WITHVALUES")),
            Map.entry("hscan", List.of("HSCAN k 0", "HSCAN k 0 MATCH f* COUNT 5")),
            Map.entry("memory|usage", List.of("MEMORY USAGE k", "MEMORY USAGE k SAMPLES 5")),
            Map.entry("del", List.of("DEL a", "DEL a b c")),
            Map.entry("unlink", List.of("UNLINK a b")),
            Map.entry("exists", List.of("EXISTS a b")),
            Map.entry("type", List.of("TYPE k")),
            Map.entry("touch", List.of("TOUCH a b")),
            Map.entry("rename", List.of("RENAME a b")),
            Map.entry("renamenx", List.of("RENAMENX a b")),
            Map.entry("copy", List.of("COPY a b", "COPY a b DB 1 REPLACE")),
            Map.entry("move", List.of("MOVE k 1")),
            Map.entry("dump", List.of("DUMP k")),
            Map.entry("restore", List.of("RESTORE k 0 payload", "RESTORE k 0 payload REPLACE ABSTTL IDLETIME 10")),
            Map.entry("restore-asking", List.of("RESTORE-ASKING k 0 payload")),
            // two spaces: MIGRATE's empty key argument before KEYS
            Map.entry("migrate", List.of("MIGRATE h 1 k 0 100", "MIGRATE h 1 k 0 100 COPY REPLACE AUTH2 u p",
                    "MIGRATE h 1  0 100 AUTH p KEYS a b c")),
            Map.entry("expire", List.of("EXPIRE k 10", "EXPIRE k 10 NX")),
            Map.entry("pexpire", List.of("PEXPIRE k 10000")),
            Map.entry("expireat", List.of("EXPIREAT k 2000000000")),
            Map.entry("pexpireat", List.of("PEXPIREAT k 2000000000000")),
            Map.entry("ttl", List.of("TTL k")),
            Map.entry("pttl", List.of("PTTL k")),
            Map.entry("expiretime", List.of("EXPIRETIME k")),
            Map.entry("pexpiretime", List.of("PEXPIRETIME k")),
            Map.entry("persist", List.of("PERSIST k")),
            Map.entry("object|encoding", List.of("OBJECT ENCODING k")),
            Map.entry("object|freq", List.of("OBJECT FREQ k")),
            Map.entry("object|idletime", List.of("OBJECT IDLETIME k")),
            Map.entry("object|refcount", List.of("OBJECT REFCOUNT k")),
            Map.entry("zadd", List.of("ZADD k 1 a", "ZADD k NX CH 1 a 2 b")),
            Map.entry("zincrby", List.of("ZINCRBY k 1 a")),
            Map.entry("zscore", List.of("ZSCORE k a")),
            Map.entry("zmscore", List.of("ZMSCORE k a b")),
            Map.entry("zcard", List.of("ZCARD k")),
            Map.entry("zcount", List.of("ZCOUNT k 0 1")),
            Map.entry("zlexcount", List.of("ZLEXCOUNT k - +")),
            Map.entry("zrange", List.of("ZRANGE k 0 -1 WITHSCORES")),
            Map.entry("zrangestore", List.of("ZRANGESTORE d k 0 -1")),
            Map.entry("zrangebyscore", List.of("ZRANGEBYSCORE k 0 1")),
            Map.entry("zrevrangebyscore", List.of("ZREVRANGEBYSCORE k 1 0")),
            Map.entry("zrangebylex", List.of("ZRANGEBYLEX k - +")),
            Map.entry("zrevrangebylex", List.of("ZREVRANGEBYLEX k + -")),
            Map.entry("zrevrange", List.of("ZREVRANGE k 0 -1")),
            Map.entry("zrank", List.of("ZRANK k a")),
            Map.entry("zrevrank", List.of("ZREVRANK k a")),
            Map.entry("zrem", List.of("ZREM k a b")),
            Map.entry("zremrangebyrank", List.of("ZREMRANGEBYRANK k 0 1")),
            Map.entry("zremrangebyscore", List.of("ZREMRANGEBYSCORE k 0 1")),
            Map.entry("zremrangebylex", List.of("ZREMRANGEBYLEX k - +")),
            Map.entry("zpopmin", List.of("ZPOPMIN k", "ZPOPMIN k 2")),
            Map.entry("zpopmax", List.of("ZPOPMAX k")),
            Map.entry("zmpop", List.of("ZMPOP 2 a b MIN", "ZMPOP 1 a MAX COUNT 2")),
            Map.entry("bzpopmin", List.of("BZPOPMIN a b 0")),
            Map.entry("bzpopmax", List.of("BZPOPMAX a 1.5")),
            Map.entry("bzmpop", List.of("BZMPOP 0 2 a b MIN COUNT 3")),
            Map.entry("zrandmember", List.of("ZRANDMEMBER k", "ZRANDMEMBER k 2 WITHSCORES")),
            Map.entry("zunion", List.of("ZUNION 2 a b WITHSCORES")),
            Map.entry("zinter", List.of("ZINTER 2 a b")),
            Map.entry("zdiff", List.of("ZDIFF 2 a b")),
            Map.entry("zintercard", List.of("ZINTERCARD 2 a b LIMIT 1")),
            Map.entry("zunionstore", List.of("ZUNIONSTORE d 2 a b WEIGHTS 1 2")),
            Map.entry("zinterstore", List.of("ZINTERSTORE d 2 a b")),
            Map.entry("zdiffstore", List.of("ZDIFFSTORE d 2 a b")),
            Map.entry("zscan", List.of("ZSCAN k 0")),
            Map.entry("geoadd", List.of("GEOADD k 1 1 a", "GEOADD k NX CH 1 1 a 2 2 b")),
            Map.entry("geodist", List.of("GEODIST k a b", "GEODIST k a b km")),
            Map.entry("geohash", List.of("GEOHASH k a b")),
            Map.entry("geopos", List.of("GEOPOS k a b")),
            Map.entry("georadius", List.of("GEORADIUS k 1 1 1 km", "GEORADIUS k 1 1 1 km STORE d", "GEORADIUS k 1 1 1 km COUNT 2 STOREDIST d")),
            Map.entry("georadius_ro", List.of("GEORADIUS_RO k 1 1 1 km WITHDIST")),
            Map.entry("georadiusbymember", List.of("GEORADIUSBYMEMBER k a 1 km", "GEORADIUSBYMEMBER k a 1 km STORE d")),
            Map.entry("georadiusbymember_ro", List.of("GEORADIUSBYMEMBER_RO k a 1 km")),
            Map.entry("geosearch", List.of("GEOSEARCH k FROMMEMBER a BYRADIUS 1 km")),
            Map.entry("geosearchstore", List.of("GEOSEARCHSTORE d k FROMLONLAT 1 1 BYBOX 1 1 km STOREDIST")),
            Map.entry("xadd", List.of("XADD k * f v", "XADD k NOMKSTREAM MAXLEN ~ 5 LIMIT 2 1-1 f v g w")),
            Map.entry("xlen", List.of("XLEN k")),
            Map.entry("xrange", List.of("XRANGE k - + COUNT 2")),
            Map.entry("xrevrange", List.of("XREVRANGE k + -")),
            Map.entry("xdel", List.of("XDEL k 1-1 2-2")),
            Map.entry("xtrim", List.of("XTRIM k MINID = 5")),
            Map.entry("xsetid", List.of("XSETID k 5-5 ENTRIESADDED 9")),
            Map.entry("xread", List.of("XREAD COUNT 2 STREAMS a b 0 $", "XREAD BLOCK 0 STREAMS a $")),
            Map.entry("xreadgroup", List.of("XREADGROUP GROUP g c COUNT 1 NOACK STREAMS a b > >")),
            Map.entry("xack", List.of("XACK k g 1-1")),
            Map.entry("xpending", List.of("XPENDING k g", "XPENDING k g IDLE 5 - + 10 c")),
            Map.entry("xclaim", List.of("XCLAIM k g c 0 1-1 JUSTID")),
            Map.entry("xautoclaim", List.of("XAUTOCLAIM k g c 0 0 COUNT 5")),
            Map.entry("xgroup|create", List.of("XGROUP CREATE k g $ MKSTREAM")),
            Map.entry("xgroup|setid", List.of("XGROUP SETID k g 0")),
            Map.entry("xgroup|destroy", List.of("XGROUP DESTROY k g")),
            Map.entry("xgroup|createconsumer", List.of("XGROUP CREATECONSUMER k g c")),
            Map.entry("xgroup|delconsumer", List.of("XGROUP DELCONSUMER k g c")),
            Map.entry("xinfo|stream", List.of("XINFO STREAM k FULL COUNT 5")),
            Map.entry("xinfo|groups", List.of("XINFO GROUPS k")),
            Map.entry("xinfo|consumers", List.of("XINFO CONSUMERS k g")),
            Map.entry("lpush", List.of("LPUSH k a b")),
            Map.entry("rpush", List.of("RPUSH k a")),
            Map.entry("lpushx", List.of("LPUSHX k a")),
            Map.entry("rpushx", List.of("RPUSHX k a")),
            Map.entry("lpop", List.of("LPOP k", "LPOP k 2")),
            Map.entry("rpop", List.of("RPOP k")),
            Map.entry("llen", List.of("LLEN k")),
            Map.entry("lrange", List.of("LRANGE k 0 -1")),
            Map.entry("lindex", List.of("LINDEX k 0")),
            Map.entry("lset", List.of("LSET k 0 v")),
            Map.entry("lrem", List.of("LREM k 0 v")),
            Map.entry("ltrim", List.of("LTRIM k 0 1")),
            Map.entry("linsert", List.of("LINSERT k BEFORE p v")),
            Map.entry("lpos", List.of("LPOS k v RANK 1")),
            Map.entry("lmove", List.of("LMOVE a b LEFT RIGHT")),
            Map.entry("rpoplpush", List.of("RPOPLPUSH a b")),
            Map.entry("lmpop", List.of("LMPOP 2 a b LEFT", "LMPOP 1 a RIGHT COUNT 2")),
            Map.entry("blpop", List.of("BLPOP a b 0")),
            Map.entry("brpop", List.of("BRPOP a 1.5")),
            Map.entry("blmove", List.of("BLMOVE a b LEFT RIGHT 0")),
            Map.entry("brpoplpush", List.of("BRPOPLPUSH a b 0")),
            Map.entry("blmpop", List.of("BLMPOP 0 2 a b LEFT COUNT 3")),
            Map.entry("pfadd", List.of("PFADD k", "PFADD k a b")),
            Map.entry("pfcount", List.of("PFCOUNT k", "PFCOUNT a b c")),
            Map.entry("pfmerge", List.of("PFMERGE d", "PFMERGE d a b")),
            Map.entry("pfdebug", List.of("PFDEBUG GETREG k")),
            Map.entry("sadd", List.of("SADD k a b")),
            Map.entry("srem", List.of("SREM k a")),
            Map.entry("smembers", List.of("SMEMBERS k")),
            Map.entry("sismember", List.of("SISMEMBER k a")),
            Map.entry("smismember", List.of("SMISMEMBER k a b")),
            Map.entry("scard", List.of("SCARD k")),
            Map.entry("spop", List.of("SPOP k", "SPOP k 2")),
            Map.entry("srandmember", List.of("SRANDMEMBER k -2")),
            Map.entry("smove", List.of("SMOVE a b m")),
            Map.entry("sinter", List.of("SINTER a b c")),
            Map.entry("sunion", List.of("SUNION a")),
            Map.entry("sdiff", List.of("SDIFF a b")),
            Map.entry("sinterstore", List.of("SINTERSTORE d a b")),
            Map.entry("sunionstore", List.of("SUNIONSTORE d a")),
            Map.entry("sdiffstore", List.of("SDIFFSTORE d a b")),
            Map.entry("sintercard", List.of("SINTERCARD 2 a b", "SINTERCARD 1 a LIMIT 5")),
            Map.entry("sscan", List.of("SSCAN k 0 MATCH a* COUNT 5")),
            Map.entry("eval", List.of("EVAL script 0", "EVAL script 2 a b arg")),
            Map.entry("evalsha", List.of("EVALSHA sha 1 k arg")),
            Map.entry("eval_ro", List.of("EVAL_RO script 1 k")),
            Map.entry("evalsha_ro", List.of("EVALSHA_RO sha 2 a b")),
            Map.entry("fcall", List.of("FCALL f 0", "FCALL f 2 a b arg")),
            Map.entry("fcall_ro", List.of("FCALL_RO f 1 k")));

    /** Calls GETKEYS refuses, in Redis's order of checks: each error text must match too. */
    private static final List<String> REFUSED_CALLS = List.of(
            "GET a b", "SET k", "MSET a", "OBJECT ENCODING", "OBJECT nosuch k", "nosuch k", "CONFIG GET x", "MSET a 1 b");

    @BeforeAll
    static void startRedis() throws Exception {
        assertNotNull(RedisServerProcess.binary(),
                "redis-server 7.0.15 must be installed (scripts/test installs it): this comparison fails rather than skips");
        redis = RedisServerProcess.start();
        assertEquals("7.0.15", redis.version(), "the reference must be the version damselfly reports");
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    /** Every command and subcommand damselfly implements. */
    private static List<Command> everyEntry() {
        return TABLE.allWithSubcommands();
    }

    /** Runs {@code body} with a connection to each server, both switched to {@code protocol}. */
    private static void withBoth(int protocol, EmbeddedServer damselfly, Comparison body) {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            if (protocol == 3) {
                ref.call("HELLO", "3");
                ours.call("HELLO", "3");
            }
            body.run(ref, ours);
        }
    }

    private interface Comparison {
        void run(RawClient ref, RawClient ours);
    }

    // ---- COMMAND INFO ----------------------------------------------------------------------

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void commandInfo_everyCommandAndSubcommand(int protocol, EmbeddedServer damselfly) {
        int[] compared = {0};
        withBoth(protocol, damselfly, (ref, ours) -> {
            for (Command c : everyEntry()) {
                List<RespValue> expected = single(ref.call("COMMAND", "INFO", c.fullName()), c);
                List<RespValue> actual = single(ours.call("COMMAND", "INFO", c.fullName()), c);
                if (!c.isContainer()) {
                    assertEquals(RawClient.render(new RespValue.Array(expected)), RawClient.render(new RespValue.Array(actual)),
                            "COMMAND INFO " + c.fullName());
                } else {
                    assertEquals(RawClient.render(new RespValue.Array(expected.subList(0, 9))),
                            RawClient.render(new RespValue.Array(actual.subList(0, 9))), "COMMAND INFO " + c.fullName() + " own fields");
                    Map<String, String> redisSubs = byName(expected.get(9));
                    Map<String, String> ourSubs = byName(actual.get(9));
                    assertEquals(new TreeSet<>(implementedSubcommands(c)), new TreeSet<>(ourSubs.keySet()),
                            c.fullName() + " lists exactly its implemented subcommands");
                    for (Map.Entry<String, String> sub : ourSubs.entrySet()) {
                        assertEquals(redisSubs.get(sub.getKey()), sub.getValue(), "COMMAND INFO " + c.fullName() + " entry " + sub.getKey());
                    }
                }
                compared[0]++;
            }
            // an unknown name is nil in both, in place
            assertEquals(RawClient.render(ref.call("COMMAND", "INFO", "nosuch", "get")),
                    RawClient.render(ours.call("COMMAND", "INFO", "nosuch", "get")));
        });
        assertEquals(everyEntry().size(), compared[0]);
    }

    /** The one entry of a COMMAND INFO reply for one name. */
    private static List<RespValue> single(RespValue reply, Command c) {
        List<RespValue> outer = elements(reply);
        assertEquals(1, outer.size(), c.fullName());
        List<RespValue> entry = elements(outer.get(0));
        assertEquals(10, entry.size(), c.fullName() + ": " + RawClient.render(reply));
        return entry;
    }

    /** COMMAND INFO's subcommand list keyed by each entry's name. */
    private static Map<String, String> byName(RespValue subcommands) {
        Map<String, String> out = new LinkedHashMap<>();
        for (RespValue v : elements(subcommands)) {
            String name = ((RespValue.BulkString) elements(v).get(0)).asString();
            out.put(name, RawClient.render(v));
        }
        return out;
    }

    private static List<String> implementedSubcommands(Command c) {
        return c.subcommands().values().stream().map(Command::fullName).toList();
    }

    // ---- COMMAND DOCS ----------------------------------------------------------------------

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void commandDocs_everyCommandAndSubcommand(int protocol, EmbeddedServer damselfly) {
        int[] compared = {0};
        withBoth(protocol, damselfly, (ref, ours) -> {
            for (Command c : everyEntry()) {
                Map<String, RespValue> expected = docsOf(ref.call("COMMAND", "DOCS", c.fullName()), c);
                Map<String, RespValue> actual = docsOf(ours.call("COMMAND", "DOCS", c.fullName()), c);
                if (c.isContainer()) {
                    RespValue redisSubs = expected.remove("subcommands");
                    RespValue ourSubs = actual.remove("subcommands");
                    Map<String, RespValue> redisByName = pairs(redisSubs);
                    Map<String, RespValue> ourByName = pairs(ourSubs);
                    assertEquals(new TreeSet<>(implementedSubcommands(c)), new TreeSet<>(ourByName.keySet()),
                            c.fullName() + " documents exactly its implemented subcommands");
                    for (Map.Entry<String, RespValue> sub : ourByName.entrySet()) {
                        assertEquals(RawClient.render(redisByName.get(sub.getKey())), RawClient.render(sub.getValue()),
                                "COMMAND DOCS " + c.fullName() + " entry " + sub.getKey());
                    }
                }
                assertEquals(render(expected), render(actual), "COMMAND DOCS " + c.fullName());
                compared[0]++;
            }
            // unknown names are left out in both
            assertEquals(RawClient.render(ref.call("COMMAND", "DOCS", "nosuch", "get", "client|nosuch")),
                    RawClient.render(ours.call("COMMAND", "DOCS", "nosuch", "get", "client|nosuch")));
        });
        assertEquals(everyEntry().size(), compared[0]);
    }

    /** The documentation map of the one command a COMMAND DOCS reply holds, field by field in order. */
    private static Map<String, RespValue> docsOf(RespValue reply, Command c) {
        Map<String, RespValue> outer = pairs(reply);
        assertEquals(List.of(c.fullName()), List.copyOf(outer.keySet()), RawClient.render(reply));
        return pairs(outer.get(c.fullName()));
    }

    /** A map reply (RESP3) or a flat array of pairs (RESP2), as an ordered map keyed by bulk string. */
    private static Map<String, RespValue> pairs(RespValue v) {
        Map<String, RespValue> out = new LinkedHashMap<>();
        if (v instanceof RespValue.Map m) {
            for (RespValue.Map.Entry e : m.entries()) {
                out.put(((RespValue.BulkString) e.key()).asString(), e.value());
            }
            return out;
        }
        List<RespValue> flat = elements(v);
        assertEquals(0, flat.size() % 2, RawClient.render(v));
        for (int i = 0; i < flat.size(); i += 2) {
            out.put(((RespValue.BulkString) flat.get(i)).asString(), flat.get(i + 1));
        }
        return out;
    }

    private static String render(Map<String, RespValue> fields) {
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> sb.append(k).append('=').append(RawClient.render(v)).append('\n'));
        return sb.toString();
    }

    private static List<RespValue> elements(RespValue v) {
        if (v instanceof RespValue.Array a) {
            return a.values();
        }
        if (v instanceof RespValue.Set s) {
            return s.values();
        }
        throw new AssertionError("not an array or set: " + RawClient.render(v));
    }

    // ---- COMMAND GETKEYS and GETKEYSANDFLAGS -----------------------------------------------

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void commandGetKeys_everyCommandAndSubcommand(int protocol, EmbeddedServer damselfly) {
        List<String> calls = new ArrayList<>();
        for (Command c : everyEntry()) {
            if (c.hasKeys()) {
                List<String> own = KEYED_CALLS.get(c.fullName());
                assertNotNull(own, "no representative GETKEYS call for " + c.fullName());
                calls.addAll(own);
            } else {
                // Redis refuses a command without keys before it looks at the arguments
                calls.add(c.fullName().replace('|', ' '));
            }
        }
        assertEquals(new TreeSet<>(KEYED_CALLS.keySet()),
                new TreeSet<>(everyEntry().stream().filter(Command::hasKeys).map(Command::fullName).toList()),
                "a call for every keyed command, and only for those");
        calls.addAll(REFUSED_CALLS);
        withBoth(protocol, damselfly, (ref, ours) -> {
            for (String call : calls) {
                for (String sub : List.of("GETKEYS", "GETKEYSANDFLAGS")) {
                    List<Object> args = new ArrayList<>(List.of("COMMAND", sub));
                    args.addAll(List.of(call.split(" ")));
                    String expected = RawClient.render(ref.call(args.toArray()));
                    assertEquals(expected, RawClient.render(ours.call(args.toArray())), "COMMAND " + sub + " " + call);
                    assertTrue(!expected.startsWith("-") || REFUSED_CALLS.contains(call) || !KEYED_CALLS.containsKey(call.toLowerCase()),
                            "a representative call must be valid: " + call + " -> " + expected);
                }
            }
        });
    }
}
