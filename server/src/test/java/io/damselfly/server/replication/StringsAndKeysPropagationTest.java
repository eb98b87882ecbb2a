package io.damselfly.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.StreamComparison;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the string, key, expiry, hash, geo, DUMP/RESTORE and MIGRATE commands send down the
 * replication stream, compared with redis-server 7.0.15 for the same script: the forms Redis
 * rewrites them to (SET ... PXAT, PEXPIREAT, DEL/UNLINK for a time already past, SET ... KEEPTTL
 * for INCRBYFLOAT, HSET for HINCRBYFLOAT, ZADD for GEOADD, RESTORE ... ABSTTL, DEL for MIGRATE),
 * the commands it propagates as they are, and those it does not propagate at all (nothing changed,
 * an error). Each script also checks the replies, so both servers really took the same paths.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class StringsAndKeysPropagationTest {

    /** A time far enough ahead (2100-01-01) that nothing expires during a test. */
    private static final String FUTURE_SECONDS = "4102444800";
    private static final String FUTURE_MILLIS = "4102444800000";

    private static StreamComparison.Result assertSameStream(RedisServerProcess redis, EmbeddedServer damselfly,
            Object[]... script) {
        StreamComparison.Result r = StreamComparison.run(redis, damselfly, script);
        assertEquals(r.redisReplies(), r.ourReplies(), "replies");
        assertEquals(r.redisStream(), r.ourStream(), "stream");
        assertFalse(r.ourStream().isEmpty(), "the script propagates something");
        return r;
    }

    private static Object[] cmd(Object... args) {
        return args;
    }

    // ---- SET and its variants ---------------------------------------------------------------

    @Test
    void set_withTimeOptions_asSetPxat(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("SET", "k", "v", "EX", "100"),
                cmd("SET", "k", "v", "px", "100000"),
                cmd("SET", "k", "v", "EXAT", FUTURE_SECONDS),
                cmd("SET", "k", "v", "PXAT", FUTURE_MILLIS),
                cmd("SET", "k", "v2", "XX", "EX", "100"),
                cmd("SET", "k", "v3", "NX", "EX", "100"),
                cmd("SET", "new", "v", "NX", "PX", "5000"),
                cmd("SET", "k", "v", "KEEPTTL"),
                cmd("SET", "k", "v", "XX"),
                cmd("SET", "missing", "v", "XX", "EX", "10"),
                cmd("SET", "k", "v", "EX", "0"),
                cmd("SET", "k", "v", "EX", "abc"),
                cmd("SET", "k", "v", "EX", "10", "PX", "10"),
                cmd("SET", "past", "v", "EXAT", "1"),
                cmd("SET", "past", "v", "PXAT", "1"));
    }

    @Test
    void set_withGet_dropsGet(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("SET", "k", "v1", "GET"),
                cmd("SET", "k", "v2", "get"),
                cmd("SET", "k", "v3", "GET", "get", "XX"),
                cmd("SET", "k", "get", "GET"),
                cmd("SET", "k", "v4", "NX", "GET"),
                cmd("SET", "k", "v5", "GET", "KEEPTTL"),
                cmd("SET", "k", "v6", "GET", "EX", "100"),
                cmd("SET", "k", "v7", "PXAT", FUTURE_MILLIS, "GET", "XX"),
                cmd("LPUSH", "list", "a"),
                cmd("SET", "list", "v", "GET"),
                cmd("SET", "list", "v", "GET", "EX", "10"));
    }

    @Test
    void setexPsetexSetnxGetset(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("SETEX", "k", "100", "v"),
                cmd("PSETEX", "k", "100000", "v2"),
                cmd("SETEX", "k", "0", "v"),
                cmd("PSETEX", "k", "-5", "v"),
                cmd("SETEX", "k", "notanumber", "v"),
                cmd("SETNX", "k", "v"),
                cmd("SETNX", "n", "v"),
                cmd("GETSET", "k", "x"),
                cmd("GETSET", "fresh", "y"),
                cmd("RPUSH", "list", "a"),
                cmd("GETSET", "list", "z"),
                cmd("MSET", "a", "1", "b", "2"),
                cmd("MSETNX", "a", "1", "c", "3"),
                cmd("MSETNX", "c", "3", "d", "4"));
    }

    @Test
    void getex_asPexpireatPersistOrDel(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("SET", "k", "v"),
                cmd("GETEX", "k"),
                cmd("GETEX", "k", "PERSIST"),
                cmd("GETEX", "k", "EX", "100"),
                cmd("GETEX", "k", "px", "100000"),
                cmd("GETEX", "k", "EXAT", FUTURE_SECONDS),
                cmd("GETEX", "k", "PXAT", FUTURE_MILLIS),
                cmd("GETEX", "k", "persist"),
                cmd("GETEX", "k", "PERSIST"),
                cmd("GETEX", "missing", "EX", "100"),
                cmd("GETEX", "k", "EX", "0"),
                cmd("SADD", "set", "a"),
                cmd("GETEX", "set", "EX", "100"),
                cmd("GETEX", "k", "EXAT", "1"),
                cmd("SET", "k", "v"),
                cmd("GETEX", "k", "PXAT", "1"),
                cmd("SET", "k", "v"),
                cmd("CONFIG", "SET", "lazyfree-lazy-expire", "yes"),
                cmd("GETEX", "k", "EXAT", "1"),
                cmd("CONFIG", "SET", "lazyfree-lazy-expire", "no"));
    }

    @Test
    void getdel_asDelOrUnlink(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("SET", "k", "v"),
                cmd("GETDEL", "k"),
                cmd("GETDEL", "k"),
                cmd("HSET", "h", "f", "v"),
                cmd("GETDEL", "h"),
                cmd("SET", "k", "v", "EX", "100"),
                cmd("CONFIG", "SET", "lazyfree-lazy-user-del", "yes"),
                cmd("GETDEL", "k"),
                cmd("CONFIG", "SET", "lazyfree-lazy-user-del", "no"));
    }

    @Test
    void incrbyfloat_asSetKeepttl(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("INCRBYFLOAT", "f", "1.5"),
                cmd("INCRBYFLOAT", "f", "0.1"),
                cmd("INCRBYFLOAT", "f", "3.0e3"),
                cmd("SET", "t", "10", "EX", "100"),
                cmd("INCRBYFLOAT", "t", "-10"),
                cmd("INCRBYFLOAT", "t", "5.0000"),
                cmd("INCRBYFLOAT", "f", "abc"),
                cmd("SET", "s", "notanumber"),
                cmd("INCRBYFLOAT", "s", "1"),
                cmd("INCRBYFLOAT", "f", "1e400"),
                cmd("LPUSH", "list", "a"),
                cmd("INCRBYFLOAT", "list", "1"),
                cmd("INCR", "i"),
                cmd("INCRBY", "i", "10"),
                cmd("DECRBY", "i", "3"),
                cmd("DECR", "i"),
                cmd("INCR", "s"));
    }

    @Test
    void inPlaceStringEdits_asTheyAre(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("APPEND", "k", "abc"),
                cmd("APPEND", "k", ""),
                cmd("SETRANGE", "k", "1", "X"),
                cmd("SETRANGE", "k", "1", ""),
                cmd("SETRANGE", "missing", "5", ""),
                cmd("SETRANGE", "k", "-1", "X"),
                cmd("GETRANGE", "k", "0", "-1"),
                cmd("LCS", "k", "k"));
    }

    // ---- keys and expiry --------------------------------------------------------------------

    @Test
    void expireFamily_asPexpireat(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("SET", "k", "v"),
                cmd("EXPIRE", "k", "100"),
                cmd("EXPIRE", "k", "100", "NX"),
                cmd("EXPIRE", "k", "200", "xx"),
                cmd("PEXPIRE", "k", "300000", "GT"),
                cmd("PEXPIRE", "k", "1000", "GT"),
                cmd("EXPIREAT", "k", FUTURE_SECONDS, "lt"),
                cmd("PEXPIREAT", "k", FUTURE_MILLIS),
                cmd("PEXPIREAT", "k", FUTURE_MILLIS, "Gt"),
                cmd("PEXPIREAT", "k", "4102444700000", "LT"),
                cmd("EXPIRE", "missing", "100"),
                cmd("EXPIRE", "k", "100", "NX", "XX"),
                cmd("EXPIRE", "k", "100", "FOO"),
                cmd("EXPIRE", "k", "notanumber"),
                cmd("PERSIST", "k"),
                cmd("PERSIST", "k"),
                cmd("PERSIST", "missing"),
                cmd("TTL", "k"),
                cmd("TOUCH", "k"));
    }

    @Test
    void expireInThePast_asDelOrUnlink(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("SET", "a", "v"),
                cmd("EXPIRE", "a", "-1"),
                cmd("SET", "b", "v"),
                cmd("PEXPIRE", "b", "0"),
                cmd("SET", "c", "v"),
                cmd("EXPIREAT", "c", "1"),
                cmd("SET", "d", "v"),
                cmd("PEXPIREAT", "d", "1", "NX"),
                cmd("SET", "e", "v", "EX", "100"),
                cmd("EXPIRE", "e", "-5", "GT"),
                cmd("EXPIRE", "e", "-5", "LT"),
                cmd("EXPIRE", "missing", "-1"),
                cmd("SET", "f", "v"),
                cmd("CONFIG", "SET", "lazyfree-lazy-expire", "yes"),
                cmd("EXPIRE", "f", "0"),
                cmd("CONFIG", "SET", "lazyfree-lazy-expire", "no"));
    }

    @Test
    void keyCommands_asTheyAre(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("SET", "a", "1"),
                cmd("RENAME", "a", "b"),
                cmd("RENAME", "missing", "x"),
                cmd("SET", "c", "2"),
                cmd("RENAMENX", "b", "c"),
                cmd("RENAMENX", "b", "d"),
                cmd("COPY", "d", "e"),
                cmd("COPY", "d", "e"),
                cmd("COPY", "d", "e", "REPLACE"),
                cmd("COPY", "d", "e", "DB", "3"),
                cmd("MOVE", "e", "4"),
                cmd("MOVE", "e", "4"),
                cmd("DEL", "d", "missing"),
                cmd("DEL", "missing"),
                cmd("UNLINK", "c"),
                cmd("SET", "k", "v", "EX", "100"),
                cmd("TTL", "k"),
                cmd("TYPE", "k"),
                cmd("EXISTS", "k"));
    }

    /**
     * SCAN deletes the expired keys that pass its pattern, each propagated as DEL, unwrapped. The
     * keys are stored already expired (a PXAT in the past, kept as Redis keeps it), so no sleep is
     * needed; neither server has DEBUG here to stop active expiry, but whoever deletes them, the
     * stream must read the same.
     */
    @Test
    void scan_deletesExpiredKeysItsPatternMatches(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("SET", "foo1", "bar", "PXAT", "1"),
                cmd("SET", "other", "bar", "PXAT", "1"),
                cmd("SET", "live", "bar"),
                cmd("SCAN", "0", "MATCH", "foo*", "COUNT", "100"),
                cmd("SCAN", "0", "MATCH", "foo*", "COUNT", "100"),
                cmd("GET", "other"));
    }

    @Test
    void rewritesInsideMultiAndScripts(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("SET", "k", "1"),
                cmd("MULTI"),
                cmd("EXPIRE", "k", "100"),
                cmd("INCRBYFLOAT", "k", "0.5"),
                cmd("SETEX", "s", "100", "v"),
                cmd("GETDEL", "missing"),
                cmd("EXEC"),
                cmd("EVAL", "redis.call('expire', KEYS[1], 50); return redis.call('getex', KEYS[1], 'EXAT', '1')", "1", "k"),
                cmd("EVAL", "return redis.call('hincrbyfloat', KEYS[1], 'f', '2.5')", "1", "h"),
                cmd("SELECT", "5"),
                cmd("SET", "x", "v", "EX", "100"),
                cmd("SELECT", "0"));
    }

    // ---- hashes and geo ---------------------------------------------------------------------

    @Test
    void hincrbyfloat_asHset(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("HINCRBYFLOAT", "h", "f", "1.5"),
                cmd("HINCRBYFLOAT", "h", "f", "0.1"),
                cmd("HINCRBYFLOAT", "h", "f", "2.0e2"),
                cmd("HSET", "h", "i", "10"),
                cmd("HINCRBYFLOAT", "h", "i", "-10"),
                cmd("HINCRBYFLOAT", "h", "i", "abc"),
                cmd("HSET", "h", "s", "text"),
                cmd("HINCRBYFLOAT", "h", "s", "1"),
                cmd("HINCRBYFLOAT", "h", "f", "inf"),
                cmd("SET", "str", "v"),
                cmd("HINCRBYFLOAT", "str", "f", "1"),
                cmd("HINCRBY", "h", "n", "5"),
                cmd("HSETNX", "h", "n", "6"),
                cmd("HSETNX", "h", "m", "6"),
                cmd("HMSET", "h", "a", "1", "b", "2"),
                cmd("HDEL", "h", "a", "missing"),
                cmd("HDEL", "h", "missing"));
    }

    @Test
    void geoadd_asZadd(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"),
                cmd("GEOADD", "g", "13.361389", "38.115556", "Palermo"),
                cmd("GEOADD", "g", "ch", "13.361390", "38.115556", "Palermo"),
                cmd("GEOADD", "g", "NX", "CH", "2.349014", "48.864716", "Paris", "13.4", "38.1", "Palermo"),
                cmd("GEOADD", "g", "XX", "0", "0", "Nowhere"),
                cmd("GEOADD", "g", "XX", "ch", "2.35", "48.86", "Paris"),
                cmd("GEOADD", "g", "NX", "XX", "0", "0", "x"),
                cmd("GEOADD", "g", "200", "100", "bad"),
                cmd("SET", "str", "v"),
                cmd("GEOADD", "str", "0", "0", "x"),
                cmd("GEOADD", "g", "1", "1", "dup", "2", "2", "dup"));
    }

    @Test
    void geoStore_asTheyAre(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"),
                cmd("GEORADIUS", "g", "15", "37", "200", "km", "STORE", "dst"),
                cmd("GEORADIUS", "g", "15", "37", "200", "km", "STOREDIST", "dst2"),
                cmd("GEORADIUSBYMEMBER", "g", "Palermo", "500", "km", "STORE", "dst3"),
                cmd("GEOSEARCHSTORE", "dst4", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"),
                cmd("GEOSEARCHSTORE", "dst4", "g", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "STOREDIST"),
                cmd("GEORADIUS", "g", "0", "0", "1", "km", "STORE", "dst"),
                cmd("GEORADIUS", "g", "0", "0", "1", "km", "STORE", "dst"),
                cmd("GEORADIUS", "missing", "0", "0", "1", "km", "STORE", "dst2"),
                cmd("GEOSEARCHSTORE", "dst3", "missing", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"),
                cmd("GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"),
                cmd("GEOPOS", "g", "Palermo"));
    }

    // ---- DUMP, RESTORE, MIGRATE ------------------------------------------------------------

    /** A DUMP payload of the string "hello" from redis-server (the two servers' payloads are interchangeable). */
    private static byte[] payload(RedisServerProcess redis) {
        try (RawClient c = new RawClient("127.0.0.1", redis.port())) {
            c.call("SET", "payload-source", "hello");
            RespValue v = c.call("DUMP", "payload-source");
            c.call("DEL", "payload-source");
            return ((RespValue.BulkString) v).value();
        }
    }

    @Test
    void restore_ttlAsAbsttlOrDel(RedisServerProcess redis, EmbeddedServer damselfly) {
        byte[] p = payload(redis);
        assertSameStream(redis, damselfly,
                cmd("RESTORE", "a", "0", p),
                cmd("RESTORE", "a", "0", p),
                cmd("RESTORE", "a", "100000", p, "REPLACE"),
                cmd("RESTORE", "b", "100000", p, "IDLETIME", "10"),
                cmd("RESTORE", "c", FUTURE_MILLIS, p, "absttl"),
                cmd("RESTORE", "a", "1", p, "ABSTTL", "REPLACE"),
                cmd("RESTORE", "d", "1", p, "ABSTTL"),
                cmd("RESTORE", "e", "-1", p),
                cmd("RESTORE", "e", "0", "garbage"),
                cmd("RESTORE-ASKING", "f", "50000", p),
                cmd("CONFIG", "SET", "lazyfree-lazy-server-del", "yes"),
                cmd("RESTORE", "b", "1", p, "REPLACE", "ABSTTL"),
                cmd("CONFIG", "SET", "lazyfree-lazy-server-del", "no"),
                cmd("DUMP", "c"));
    }

    @Test
    void migrate_asDelOfMovedKeys(RedisServerProcess redis, EmbeddedServer damselfly) throws Exception {
        try (RedisServerProcess target = RedisServerProcess.start()) {
            String port = Integer.toString(target.port());
            assertSameStream(redis, damselfly,
                    cmd("SET", "a", "1"),
                    cmd("SET", "b", "2", "EX", "100"),
                    cmd("SET", "c", "3"),
                    cmd("MIGRATE", "127.0.0.1", port, "a", "0", "5000", "REPLACE"),
                    cmd("MIGRATE", "127.0.0.1", port, "", "0", "5000", "REPLACE", "KEYS", "b", "missing", "c"),
                    cmd("MIGRATE", "127.0.0.1", port, "missing", "0", "5000"),
                    cmd("SET", "d", "4"),
                    cmd("MIGRATE", "127.0.0.1", port, "d", "0", "5000", "COPY", "REPLACE"),
                    cmd("MIGRATE", "127.0.0.1", port, "d", "0", "5000"),
                    cmd("SET", "x", "5"),
                    cmd("SELECT", "2"),
                    cmd("SET", "y", "6"),
                    cmd("MIGRATE", "127.0.0.1", port, "y", "3", "5000", "REPLACE"),
                    cmd("SELECT", "0"),
                    cmd("DEL", "x"));
        }
    }

    // ---- bitmaps and HyperLogLog (propagated as they are) ----------------------------------

    @Test
    void bitmapsAndHyperLogLog_asTheyAre(RedisServerProcess redis, EmbeddedServer damselfly) {
        assertSameStream(redis, damselfly,
                cmd("SETBIT", "b", "7", "1"),
                cmd("SETBIT", "b", "7", "1"),
                cmd("BITFIELD", "b", "GET", "u8", "0"),
                cmd("BITFIELD", "b", "SET", "u8", "0", "255", "GET", "u8", "0"),
                cmd("BITFIELD", "b", "INCRBY", "u2", "0", "1", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "10"),
                cmd("BITFIELD_RO", "b", "GET", "u8", "0"),
                cmd("BITOP", "NOT", "nb", "b"),
                cmd("BITOP", "AND", "none", "missing"),
                cmd("BITCOUNT", "b"),
                cmd("PFADD", "h", "a", "b", "c"),
                cmd("PFADD", "h", "a"),
                cmd("PFCOUNT", "h"),
                cmd("PFCOUNT", "h"),
                cmd("PFADD", "h2", "x"),
                cmd("PFMERGE", "h3", "h", "h2"),
                cmd("PFMERGE", "h3"),
                cmd("PFCOUNT", "h", "h2"),
                cmd("PFADD", "empty"));
    }
}
