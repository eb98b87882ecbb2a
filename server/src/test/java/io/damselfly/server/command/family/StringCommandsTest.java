package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.command.Command;
import io.damselfly.server.command.CommandFlag;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.keyspace.KeyspaceFixtures;
import io.damselfly.server.keyspace.Value;
import io.damselfly.server.keyspace.ValueType;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.damselfly.server.testing.Wire;
import io.lettuce.core.GetExArgs;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The string family against Redis 7.0's behaviour: replies, error texts, RESP2/RESP3 shapes,
 * expiry, binary safety, and (where redis-server is installed) a differential run against it.
 * Expected texts were taken from redis-server 7.0.15.
 */
@ExtendWith(ServerExtension.class)
class StringCommandsTest {
    private static final String WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value";
    private static final String SYNTAX = "-ERR syntax error";
    private static final String NOT_INTEGER = "-ERR value is not an integer or out of range";
    private static final String NOT_FLOAT = "-ERR value is not a valid float";
    private static final String NAN_OR_INF = "-ERR increment would produce NaN or Infinity";
    private static final String TOO_LONG = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)";

    // ---- command table ------------------------------------------------------------------------

    @Test
    void register_matchesRedisCommandInfo() {
        CommandTable.Builder b = CommandTable.builder();
        StringCommands.register(b);
        CommandTable table = b.build();
        // name, arity, first, last, step, flags: as COMMAND INFO of redis-server 7.0.15
        Object[][] expected = {
            {"get", 2, 1, 1, 1, EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST, CommandFlag.CACHEABLE)},
            {"set", -3, 1, 1, 1, EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM)},
            {"setnx", 3, 1, 1, 1, EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM, CommandFlag.FAST)},
            {"setex", 4, 1, 1, 1, EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM)},
            {"psetex", 4, 1, 1, 1, EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM)},
            {"mget", -2, 1, -1, 1, EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST, CommandFlag.CACHEABLE)},
            {"mset", -3, 1, -1, 2, EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM)},
            {"msetnx", -3, 1, -1, 2, EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM)},
            {"getset", 3, 1, 1, 1, EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM, CommandFlag.FAST)},
            {"getdel", 2, 1, 1, 1, EnumSet.of(CommandFlag.WRITE, CommandFlag.FAST)},
            {"getex", -2, 1, 1, 1, EnumSet.of(CommandFlag.WRITE, CommandFlag.FAST)},
            {"append", 3, 1, 1, 1, EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM, CommandFlag.FAST)},
            {"strlen", 2, 1, 1, 1, EnumSet.of(CommandFlag.READONLY, CommandFlag.FAST, CommandFlag.CACHEABLE)},
            {"incr", 2, 1, 1, 1, EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM, CommandFlag.FAST)},
            {"decr", 2, 1, 1, 1, EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM, CommandFlag.FAST)},
            {"incrby", 3, 1, 1, 1, EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM, CommandFlag.FAST)},
            {"decrby", 3, 1, 1, 1, EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM, CommandFlag.FAST)},
            {"incrbyfloat", 3, 1, 1, 1, EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM, CommandFlag.FAST)},
            {"getrange", 4, 1, 1, 1, EnumSet.of(CommandFlag.READONLY, CommandFlag.CACHEABLE)},
            {"substr", 4, 1, 1, 1, EnumSet.of(CommandFlag.READONLY, CommandFlag.CACHEABLE)},
            {"setrange", 4, 1, 1, 1, EnumSet.of(CommandFlag.WRITE, CommandFlag.DENYOOM)},
            {"lcs", -3, 1, 2, 1, EnumSet.of(CommandFlag.READONLY)},
        };
        assertEquals(expected.length, table.size(), "string commands registered");
        for (Object[] row : expected) {
            Command c = table.get((String) row[0]);
            assertTrue(c != null, "registered: " + row[0]);
            assertEquals(row[1], c.arity(), row[0] + " arity");
            assertEquals(List.of(row[2], row[3], row[4]), List.of(c.firstKey(), c.lastKey(), c.keyStep()), row[0] + " keys");
            assertEquals(row[5], c.flags(), row[0] + " flags");
            assertEquals("string", c.group(), row[0] + " group");
            assertTrue(c.aclCategories().contains("@string"), row[0] + " acl categories");
        }
        assertEquals("6.2.0", table.get("getex").since());
        assertEquals("1.0.0", table.get("substr").since());
        assertEquals("2.6.0", table.get("incrbyfloat").since());
    }

    @Test
    void arity_errors(RawClient raw) {
        assertEquals("-ERR wrong number of arguments for 'get' command", raw.callText("GET"));
        assertEquals("-ERR wrong number of arguments for 'get' command", raw.callText("GET", "a", "b"));
        assertEquals("-ERR wrong number of arguments for 'set' command", raw.callText("SET", "a"));
        assertEquals("-ERR wrong number of arguments for 'setnx' command", raw.callText("SETNX", "a"));
        assertEquals("-ERR wrong number of arguments for 'setex' command", raw.callText("SETEX", "a", "1"));
        assertEquals("-ERR wrong number of arguments for 'psetex' command", raw.callText("PSETEX", "a", "1"));
        assertEquals("-ERR wrong number of arguments for 'mget' command", raw.callText("MGET"));
        assertEquals("-ERR wrong number of arguments for 'mset' command", raw.callText("MSET", "a"));
        assertEquals("-ERR wrong number of arguments for 'msetnx' command", raw.callText("MSETNX", "a"));
        assertEquals("-ERR wrong number of arguments for 'getset' command", raw.callText("GETSET", "a"));
        assertEquals("-ERR wrong number of arguments for 'getdel' command", raw.callText("GETDEL"));
        assertEquals("-ERR wrong number of arguments for 'getex' command", raw.callText("GETEX"));
        assertEquals("-ERR wrong number of arguments for 'append' command", raw.callText("APPEND", "a"));
        assertEquals("-ERR wrong number of arguments for 'strlen' command", raw.callText("STRLEN"));
        assertEquals("-ERR wrong number of arguments for 'incr' command", raw.callText("INCR"));
        assertEquals("-ERR wrong number of arguments for 'decr' command", raw.callText("DECR", "a", "b"));
        assertEquals("-ERR wrong number of arguments for 'incrby' command", raw.callText("INCRBY", "a"));
        assertEquals("-ERR wrong number of arguments for 'decrby' command", raw.callText("DECRBY", "a"));
        assertEquals("-ERR wrong number of arguments for 'incrbyfloat' command", raw.callText("INCRBYFLOAT", "a"));
        assertEquals("-ERR wrong number of arguments for 'getrange' command", raw.callText("GETRANGE", "a", "0"));
        assertEquals("-ERR wrong number of arguments for 'substr' command", raw.callText("SUBSTR", "a", "0"));
        assertEquals("-ERR wrong number of arguments for 'setrange' command", raw.callText("SETRANGE", "a", "0"));
    }

    // ---- GET ----------------------------------------------------------------------------------

    @Test
    void get_missingAndExisting(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        assertNull(redis.get("k"));
        assertEquals("(nil)", raw.callText("GET", "k"));
        redis.set("k", "hello");
        assertEquals("hello", redis.get("k"));
        assertEquals("$hello", raw.callText("get", "k"));
    }

    @Test
    void get_wrongType(EmbeddedServer server, RawClient raw) {
        putNonString(server, "l");
        assertEquals(WRONGTYPE, raw.callText("GET", "l"));
    }

    @Test
    void get_resp2WireShapes(EmbeddedServer server) {
        try (Wire w = new Wire(server)) {
            w.expect("$-1\r\n", "GET", "k");
            w.expect("+OK\r\n", "SET", "k", "v");
            w.expect("$1\r\nv\r\n", "GET", "k");
            w.expect("+OK\r\n", "SET", "e", "");
            w.expect("$0\r\n\r\n", "GET", "e");
        }
    }

    @Test
    void get_binarySafeKeysAndValues(RawClient raw) {
        byte[] all = allBytes();
        assertEquals("+OK", raw.callText("SET", all, all));
        assertArrayEquals(all, bulk(raw.call("GET", all)));
        byte[] key2 = {0, '\r', '\n', (byte) 0xff};
        assertEquals("+OK", raw.callText("SET", key2, new byte[] {'\r', '\n'}));
        assertArrayEquals(new byte[] {'\r', '\n'}, bulk(raw.call("GET", key2)));
        assertArrayEquals(all, bulk(raw.call("GET", all)), "other key untouched");
    }

    // ---- SET ----------------------------------------------------------------------------------

    @Test
    void set_overwritesAnyTypeAndClearsTtl(EmbeddedServer server, RawClient raw) {
        putNonString(server, "l");
        assertEquals("+OK", raw.callText("SET", "l", "v"));
        assertEquals("$v", raw.callText("GET", "l"));
        assertEquals("+OK", raw.callText("SET", "k", "1", "EX", "100"));
        assertTrue(pttl(server, "k") > 0);
        assertEquals("+OK", raw.callText("SET", "k", "2"));
        assertEquals(-1, pttl(server, "k"));
        assertEquals("$2", raw.callText("GET", "k"));
    }

    @Test
    void set_nx(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        assertEquals("OK", redis.set("k", "1", SetArgs.Builder.nx()));
        assertNull(redis.set("k", "2", SetArgs.Builder.nx()));
        assertEquals("(nil)", raw.callText("SET", "k", "3", "NX"));
        assertEquals("1", redis.get("k"));
    }

    @Test
    void set_nxOnExpiredKeySets(EmbeddedServer server, RawClient raw) throws InterruptedException {
        assertEquals("+OK", raw.callText("SET", "k", "old", "PX", "20"));
        Thread.sleep(40);
        assertEquals("+OK", raw.callText("SET", "k", "new", "NX"));
        assertEquals("$new", raw.callText("GET", "k"));
        assertEquals(-1, pttl(server, "k"));
    }

    @Test
    void set_xx(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        assertNull(redis.set("k", "1", SetArgs.Builder.xx()));
        assertEquals("(nil)", raw.callText("SET", "k", "1", "xx"));
        assertNull(redis.get("k"));
        redis.set("k", "1");
        assertEquals("OK", redis.set("k", "2", SetArgs.Builder.xx()));
        assertEquals("2", redis.get("k"));
    }

    @Test
    void set_xxOnOtherTypeReplaces(EmbeddedServer server, RawClient raw) {
        putNonString(server, "l");
        assertEquals("+OK", raw.callText("SET", "l", "v", "XX"));
        assertEquals("$v", raw.callText("GET", "l"));
    }

    @Test
    void set_conflictingOptionsAreSyntaxErrors(RawClient raw) {
        raw.callText("SET", "k", "orig");
        String[][] bad = {
            {"NX", "XX"}, {"XX", "NX"}, {"EX", "10", "PX", "100"}, {"PX", "100", "EX", "10"},
            {"EX", "10", "EXAT", "9999999999"}, {"EXAT", "9999999999", "PXAT", "9999999999000"},
            {"PX", "100", "PXAT", "5"}, {"EX", "10", "KEEPTTL"}, {"KEEPTTL", "EX", "10"},
            {"KEEPTTL", "PXAT", "9999999999000"}, {"EX"}, {"PX"}, {"EXAT"}, {"PXAT"}, {"NX", "EX"},
            {"foo"}, {"PERSIST"}, {"GET", "foo"}, {"EX", "10", "10"}, {"NXX"}, {"G"},
        };
        for (String[] opts : bad) {
            Object[] cmd = new Object[3 + opts.length];
            cmd[0] = "SET";
            cmd[1] = "k";
            cmd[2] = "new";
            System.arraycopy(opts, 0, cmd, 3, opts.length);
            assertEquals(SYNTAX, raw.callText(cmd), "SET k new " + String.join(" ", opts));
        }
        assertEquals("$orig", raw.callText("GET", "k"), "no failed SET changed the key");
    }

    @Test
    void set_repeatedOptionsAreAllowed(EmbeddedServer server, RawClient raw) {
        assertEquals("+OK", raw.callText("SET", "k", "v", "NX", "NX"));
        assertEquals("+OK", raw.callText("SET", "k", "v", "XX", "XX", "KEEPTTL", "KEEPTTL"));
        assertEquals("+OK", raw.callText("SET", "k", "v", "EX", "10", "EX", "1000"));
        long ttl = pttl(server, "k");
        assertTrue(ttl > 990_000 && ttl <= 1_000_000, "last EX wins: " + ttl);
        assertEquals("$v", raw.callText("SET", "k", "w", "GET", "GET"));
        assertEquals("$w", raw.callText("GET", "k"));
    }

    @Test
    void set_optionsAnyCase(EmbeddedServer server, RawClient raw) {
        assertEquals("+OK", raw.callText("SET", "k", "v", "nX", "pX", "5000"));
        long ttl = pttl(server, "k");
        assertTrue(ttl > 4000 && ttl <= 5000, "ttl " + ttl);
        assertEquals("$v", raw.callText("SET", "k", "w", "gEt", "kEePtTl", "Xx"));
        assertTrue(pttl(server, "k") > 4000);
    }

    @Test
    void set_ex(EmbeddedServer server, @Resp2 RedisCommands<String, String> redis) {
        assertEquals("OK", redis.set("k", "v", SetArgs.Builder.ex(100)));
        long ttl = pttl(server, "k");
        assertTrue(ttl > 99_000 && ttl <= 100_000, "ttl " + ttl);
    }

    @Test
    void set_pxExpiresSoon(EmbeddedServer server, RawClient raw) throws InterruptedException {
        assertEquals("+OK", raw.callText("SET", "k", "v", "PX", "100"));
        long ttl = pttl(server, "k");
        assertTrue(ttl > 0 && ttl <= 100, "ttl " + ttl);
        Thread.sleep(150);
        assertEquals("(nil)", raw.callText("GET", "k"));
        assertEquals(-2, pttl(server, "k"));
    }

    @Test
    void set_exatAndPxat(EmbeddedServer server, RawClient raw) {
        long now = System.currentTimeMillis();
        long atSeconds = now / 1000 + 200;
        assertEquals("+OK", raw.callText("SET", "a", "v", "EXAT", atSeconds));
        assertEquals(atSeconds * 1000, expiresAt(server, "a"));
        assertEquals("+OK", raw.callText("SET", "b", "v", "PXAT", now + 123_456));
        assertEquals(now + 123_456, expiresAt(server, "b"));
        assertEquals("+OK", raw.callText("SET", "c", "v", "PXAT", Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, expiresAt(server, "c"));
        assertEquals("+OK", raw.callText("SET", "d", "v", "EXAT", Long.MAX_VALUE / 1000));
        assertEquals(Long.MAX_VALUE / 1000 * 1000, expiresAt(server, "d"));
    }

    @Test
    void set_expireInThePastDeletesKey(EmbeddedServer server, RawClient raw) {
        assertEquals("+OK", raw.callText("SET", "k", "v", "EXAT", "1"));
        assertEquals("(nil)", raw.callText("GET", "k"));
        assertEquals(":0", raw.callText("EXISTS", "k"));
        raw.callText("SET", "k", "old");
        assertEquals("+OK", raw.callText("SET", "k", "v", "PXAT", System.currentTimeMillis() - 1000));
        assertEquals(":0", raw.callText("EXISTS", "k"));
        raw.callText("SET", "k", "old");
        assertEquals("$old", raw.callText("SET", "k", "v", "EXAT", "1", "GET"));
        assertEquals(-2, pttl(server, "k"));
        putNonString(server, "l");
        assertEquals("+OK", raw.callText("SET", "l", "v", "XX", "PXAT", "1"));
        assertEquals(":0", raw.callText("EXISTS", "l"));
        raw.callText("SET", "k", "kept");
        assertEquals("(nil)", raw.callText("SET", "k", "v", "NX", "EXAT", "1"));
        assertEquals("$kept", raw.callText("GET", "k"), "NX on an existing key changes nothing");
    }

    @Test
    void set_invalidExpireTimes(RawClient raw) {
        raw.callText("SET", "k", "orig");
        String err = "-ERR invalid expire time in 'set' command";
        assertEquals(err, raw.callText("SET", "k", "v", "EX", "0"));
        assertEquals(err, raw.callText("SET", "k", "v", "EX", "-1"));
        assertEquals(err, raw.callText("SET", "k", "v", "PX", "0"));
        assertEquals(err, raw.callText("SET", "k", "v", "EXAT", "0"));
        assertEquals(err, raw.callText("SET", "k", "v", "PXAT", "-5"));
        assertEquals(err, raw.callText("SET", "k", "v", "EX", Long.MAX_VALUE));
        assertEquals(err, raw.callText("SET", "k", "v", "EX", Long.MAX_VALUE / 1000 + 1));
        // fits in ms, but adding the current time overflows
        assertEquals(err, raw.callText("SET", "k", "v", "EX", "9223372036854774"));
        assertEquals(err, raw.callText("SET", "k", "v", "PX", Long.MAX_VALUE));
        assertEquals(err, raw.callText("SET", "k", "v", "EXAT", Long.MAX_VALUE / 1000 + 1));
        assertEquals(NOT_INTEGER, raw.callText("SET", "k", "v", "EX", "abc"));
        assertEquals(NOT_INTEGER, raw.callText("SET", "k", "v", "PX", "1.5"));
        assertEquals(NOT_INTEGER, raw.callText("SET", "k", "v", "EX", "9223372036854775808"));
        assertEquals("$orig", raw.callText("GET", "k"));
    }

    @Test
    void set_expireValidatedBeforeGetTypeCheck(EmbeddedServer server, RawClient raw) {
        putNonString(server, "l");
        assertEquals("-ERR invalid expire time in 'set' command", raw.callText("SET", "l", "v", "GET", "EX", "0"));
        assertEquals(WRONGTYPE, raw.callText("SET", "l", "v", "GET", "EX", "10"));
    }

    @Test
    void set_keepttl(EmbeddedServer server, RawClient raw, @Resp2 RedisCommands<String, String> redis) {
        raw.callText("SET", "k", "v", "PX", "50000");
        assertEquals("+OK", raw.callText("SET", "k", "w", "KEEPTTL"));
        long ttl = pttl(server, "k");
        assertTrue(ttl > 40_000 && ttl <= 50_000, "ttl " + ttl);
        assertEquals("w", redis.get("k"));
        assertEquals("OK", redis.set("k", "x", SetArgs.Builder.keepttl()));
        assertTrue(pttl(server, "k") > 40_000);
        assertEquals("OK", redis.set("fresh", "x", SetArgs.Builder.keepttl()));
        assertEquals(-1, pttl(server, "fresh"));
    }

    @Test
    void set_get(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        assertNull(redis.setGet("k", "1"));
        assertEquals("1", redis.get("k"));
        assertEquals("1", redis.setGet("k", "2"));
        assertEquals("$2", raw.callText("SET", "k", "3", "GET"));
        assertEquals("$3", raw.callText("GET", "k"));
    }

    @Test
    void set_getOnWrongType(EmbeddedServer server, RawClient raw) {
        putNonString(server, "l");
        assertEquals(WRONGTYPE, raw.callText("SET", "l", "v", "GET"));
        assertEquals(WRONGTYPE, raw.callText("SET", "l", "v", "NX", "GET"));
        assertEquals(WRONGTYPE, raw.callText("SET", "l", "v", "XX", "GET"));
        assertEquals(WRONGTYPE, raw.callText("GET", "l"), "the non-string value is still there");
    }

    @Test
    void set_nxGet(RawClient raw) {
        assertEquals("(nil)", raw.callText("SET", "k", "v", "NX", "GET"));
        assertEquals("$v", raw.callText("GET", "k"));
        assertEquals("$v", raw.callText("SET", "k", "v2", "NX", "GET"));
        assertEquals("$v", raw.callText("GET", "k"), "NX: not set");
    }

    @Test
    void set_xxGet(EmbeddedServer server, RawClient raw) {
        assertEquals("(nil)", raw.callText("SET", "k", "v", "XX", "GET"));
        assertEquals(":0", raw.callText("EXISTS", "k"));
        raw.callText("SET", "k", "v", "EX", "100");
        assertEquals("$v", raw.callText("SET", "k", "v2", "XX", "GET", "KEEPTTL"));
        assertEquals("$v2", raw.callText("GET", "k"));
        assertTrue(pttl(server, "k") > 90_000);
        assertEquals("$v2", raw.callText("SET", "k", "v3", "XX", "GET", "PX", "5000"));
        long ttl = pttl(server, "k");
        assertTrue(ttl > 4000 && ttl <= 5000, "ttl " + ttl);
    }

    @Test
    void set_resp2WireShapes(EmbeddedServer server) {
        try (Wire w = new Wire(server)) {
            w.expect("+OK\r\n", "SET", "k", "v");
            w.expect("$-1\r\n", "SET", "k", "v", "NX");
            w.expect("$1\r\nv\r\n", "SET", "k", "w", "GET");
            w.expect("$-1\r\n", "SET", "n", "w", "GET");
            w.expect("$-1\r\n", "SET", "missing", "v", "XX");
        }
    }

    @Test
    void set_storesArgumentsNotShared(RawClient raw) {
        // MSET then in-place edits of one key must not leak into another stored from equal bytes
        raw.callText("MSET", "a", "same", "b", "same");
        raw.callText("SETRANGE", "a", "0", "X");
        raw.callText("APPEND", "b", "!");
        assertEquals("$Xame", raw.callText("GET", "a"));
        assertEquals("$same!", raw.callText("GET", "b"));
    }

    // ---- SETNX SETEX PSETEX -------------------------------------------------------------------

    @Test
    void setnx_missingAndExisting(EmbeddedServer server, @Resp2 RedisCommands<String, String> redis, RawClient raw) {
        assertTrue(redis.setnx("k", "1"));
        assertFalse(redis.setnx("k", "2"));
        assertEquals(":0", raw.callText("SETNX", "k", "3"));
        assertEquals("1", redis.get("k"));
        putNonString(server, "l");
        assertEquals(":0", raw.callText("SETNX", "l", "3"));
        assertEquals(WRONGTYPE, raw.callText("GET", "l"));
    }

    @Test
    void setex_setsValueAndTtl(EmbeddedServer server, @Resp2 RedisCommands<String, String> redis, RawClient raw) {
        assertEquals("OK", redis.setex("k", 100, "v"));
        assertEquals("v", redis.get("k"));
        long ttl = pttl(server, "k");
        assertTrue(ttl > 99_000 && ttl <= 100_000, "ttl " + ttl);
        putNonString(server, "l");
        assertEquals("+OK", raw.callText("SETEX", "l", "10", "s"));
        assertEquals("$s", raw.callText("GET", "l"));
    }

    @Test
    void setex_invalidTimes(RawClient raw) {
        assertEquals("-ERR invalid expire time in 'setex' command", raw.callText("SETEX", "k", "0", "v"));
        assertEquals("-ERR invalid expire time in 'setex' command", raw.callText("SETEX", "k", "-10", "v"));
        assertEquals("-ERR invalid expire time in 'setex' command", raw.callText("SETEX", "k", "9223372036854774", "v"));
        assertEquals(NOT_INTEGER, raw.callText("SETEX", "k", "ten", "v"));
        assertEquals(":0", raw.callText("EXISTS", "k"));
    }

    @Test
    void psetex_setsValueAndTtl(EmbeddedServer server, @Resp2 RedisCommands<String, String> redis, RawClient raw)
            throws InterruptedException {
        assertEquals("OK", redis.psetex("k", 100, "v"));
        long ttl = pttl(server, "k");
        assertTrue(ttl > 0 && ttl <= 100, "ttl " + ttl);
        Thread.sleep(150);
        assertNull(redis.get("k"));
        assertEquals("-ERR invalid expire time in 'psetex' command", raw.callText("PSETEX", "k", "0", "v"));
        assertEquals("-ERR invalid expire time in 'psetex' command", raw.callText("PSETEX", "k", Long.MAX_VALUE, "v"));
        assertEquals(NOT_INTEGER, raw.callText("PSETEX", "k", "1e3", "v"));
    }

    // ---- MGET MSET MSETNX ---------------------------------------------------------------------

    @Test
    void mget_mixed(EmbeddedServer server, @Resp2 RedisCommands<String, String> redis, RawClient raw) {
        redis.set("a", "1");
        putNonString(server, "l");
        assertEquals("[$1, (nil), (nil), $1]", raw.callText("MGET", "a", "l", "missing", "a"));
        List<KeyValue<String, String>> kvs = redis.mget("a", "missing");
        assertEquals(KeyValue.just("a", "1"), kvs.get(0));
        assertFalse(kvs.get(1).hasValue());
    }

    @Test
    void mget_resp2WireShape(EmbeddedServer server) {
        try (Wire w = new Wire(server)) {
            w.expect("+OK\r\n", "SET", "a", "1");
            w.expect("*3\r\n$1\r\n1\r\n$-1\r\n$-1\r\n", "MGET", "a", "b", "c");
        }
    }

    @Test
    void mset_andMget_acrossShards(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            values.put("key:" + i, "value:" + i);
        }
        assertEquals("OK", redis.mset(values));
        List<KeyValue<String, String>> got = redis.mget(values.keySet().toArray(new String[0]));
        assertEquals(200, got.size());
        for (KeyValue<String, String> kv : got) {
            assertEquals(values.get(kv.getKey()), kv.getValue());
        }
        assertEquals("+OK", raw.callText("MSET", "x", "1", "x", "2"));
        assertEquals("$2", raw.callText("GET", "x"), "the later pair wins");
    }

    @Test
    void mset_oddArgumentsAndTtl(EmbeddedServer server, RawClient raw) {
        assertEquals("-ERR wrong number of arguments for 'mset' command", raw.callText("MSET", "a", "1", "b"));
        assertEquals(":0", raw.callText("EXISTS", "a"));
        raw.callText("SET", "a", "old", "EX", "100");
        putNonString(server, "l");
        assertEquals("+OK", raw.callText("MSET", "a", "1", "l", "2"));
        assertEquals(-1, pttl(server, "a"));
        assertEquals("[$1, $2]", raw.callText("MGET", "a", "l"));
    }

    @Test
    void msetnx_allOrNothing(EmbeddedServer server, @Resp2 RedisCommands<String, String> redis, RawClient raw) {
        assertTrue(redis.msetnx(Map.of("a", "1", "b", "2")));
        assertFalse(redis.msetnx(Map.of("c", "3", "a", "9")));
        assertEquals(":0", raw.callText("EXISTS", "c"));
        assertEquals("1", redis.get("a"));
        putNonString(server, "l");
        assertEquals(":0", raw.callText("MSETNX", "d", "4", "l", "5"));
        assertEquals(":0", raw.callText("EXISTS", "d"));
        assertEquals(":1", raw.callText("MSETNX", "d", "4", "e", "5"));
        assertEquals("[$4, $5]", raw.callText("MGET", "d", "e"));
        assertEquals("-ERR wrong number of arguments for 'msetnx' command", raw.callText("MSETNX", "f", "1", "g"));
        assertEquals(":0", raw.callText("EXISTS", "f"));
    }

    // ---- GETSET GETDEL ------------------------------------------------------------------------

    @Test
    void getset_returnsOldAndClearsTtl(EmbeddedServer server, @Resp2 RedisCommands<String, String> redis, RawClient raw) {
        assertNull(redis.getset("k", "1"));
        raw.callText("SET", "k", "1", "EX", "100");
        assertEquals("1", redis.getset("k", "2"));
        assertEquals("2", redis.get("k"));
        assertEquals(-1, pttl(server, "k"));
        putNonString(server, "l");
        assertEquals(WRONGTYPE, raw.callText("GETSET", "l", "x"));
        assertEquals(WRONGTYPE, raw.callText("GET", "l"));
    }

    @Test
    void getdel_existingMissingWrongType(EmbeddedServer server, @Resp2 RedisCommands<String, String> redis, RawClient raw) {
        redis.set("k", "v");
        assertEquals("v", redis.getdel("k"));
        assertEquals(":0", raw.callText("EXISTS", "k"));
        assertNull(redis.getdel("k"));
        putNonString(server, "l");
        assertEquals(WRONGTYPE, raw.callText("GETDEL", "l"));
        assertEquals(":1", raw.callText("EXISTS", "l"));
    }

    // ---- GETEX --------------------------------------------------------------------------------

    @Test
    void getex_noOptionsKeepsTtl(EmbeddedServer server, RawClient raw) {
        raw.callText("SET", "k", "v", "EX", "100");
        assertEquals("$v", raw.callText("GETEX", "k"));
        assertTrue(pttl(server, "k") > 90_000);
        assertEquals("(nil)", raw.callText("GETEX", "missing"));
    }

    @Test
    void getex_setsExpiry(EmbeddedServer server, @Resp2 RedisCommands<String, String> redis, RawClient raw) {
        redis.set("k", "v");
        assertEquals("v", redis.getex("k", GetExArgs.Builder.ex(100)));
        long ttl = pttl(server, "k");
        assertTrue(ttl > 99_000 && ttl <= 100_000, "EX ttl " + ttl);
        assertEquals("$v", raw.callText("GETEX", "k", "PX", "5000"));
        ttl = pttl(server, "k");
        assertTrue(ttl > 4_000 && ttl <= 5_000, "PX ttl " + ttl);
        long at = System.currentTimeMillis() / 1000 + 300;
        assertEquals("$v", raw.callText("GETEX", "k", "EXAT", at));
        assertEquals(at * 1000, expiresAt(server, "k"));
        long atMs = System.currentTimeMillis() + 77_777;
        assertEquals("$v", raw.callText("getex", "k", "pxat", atMs));
        assertEquals(atMs, expiresAt(server, "k"));
    }

    @Test
    void getex_persist(EmbeddedServer server, @Resp2 RedisCommands<String, String> redis, RawClient raw) {
        raw.callText("SET", "k", "v", "EX", "100");
        assertEquals("v", redis.getex("k", GetExArgs.Builder.persist()));
        assertEquals(-1, pttl(server, "k"));
        assertEquals("$v", raw.callText("GETEX", "k", "PERSIST"));
        assertEquals(-1, pttl(server, "k"));
    }

    @Test
    void getex_pxShortExpires(EmbeddedServer server, RawClient raw) throws InterruptedException {
        raw.callText("SET", "k", "v");
        assertEquals("$v", raw.callText("GETEX", "k", "PX", "50"));
        long ttl = pttl(server, "k");
        assertTrue(ttl > 0 && ttl <= 50, "ttl " + ttl);
        Thread.sleep(100);
        assertEquals("(nil)", raw.callText("GETEX", "k"));
    }

    @Test
    void getex_expireInThePastDeletes(EmbeddedServer server, RawClient raw) {
        raw.callText("SET", "k", "v");
        assertEquals("$v", raw.callText("GETEX", "k", "EXAT", "1"));
        assertEquals(":0", raw.callText("EXISTS", "k"));
        raw.callText("SET", "k", "w");
        assertEquals("$w", raw.callText("GETEX", "k", "PXAT", System.currentTimeMillis() - 10));
        assertEquals(-2, pttl(server, "k"));
    }

    @Test
    void getex_syntaxErrors(RawClient raw) {
        raw.callText("SET", "k", "v", "EX", "100");
        String[][] bad = {
            {"PERSIST", "EX", "10"}, {"EX", "10", "PERSIST"}, {"EX", "10", "PX", "10"}, {"PXAT", "10", "EXAT", "10"},
            {"KEEPTTL"}, {"NX"}, {"XX"}, {"GET"}, {"EX"}, {"foo"}, {"EX", "10", "foo"},
        };
        for (String[] opts : bad) {
            Object[] cmd = new Object[2 + opts.length];
            cmd[0] = "GETEX";
            cmd[1] = "k";
            System.arraycopy(opts, 0, cmd, 2, opts.length);
            assertEquals(SYNTAX, raw.callText(cmd), "GETEX k " + String.join(" ", opts));
            // syntax is checked before the key is looked up
            cmd[1] = "missing";
            assertEquals(SYNTAX, raw.callText(cmd), "GETEX missing " + String.join(" ", opts));
        }
        assertEquals("+OK", raw.callText("SET", "ok", "v"));
        assertEquals("$v", raw.callText("GETEX", "ok", "PERSIST", "PERSIST"));
        assertEquals("$v", raw.callText("GETEX", "ok", "EX", "1", "EX", "100"));
    }

    @Test
    void getex_invalidTimes(EmbeddedServer server, RawClient raw) {
        raw.callText("SET", "k", "v");
        String err = "-ERR invalid expire time in 'getex' command";
        assertEquals(err, raw.callText("GETEX", "k", "EX", "0"));
        assertEquals(err, raw.callText("GETEX", "k", "PX", "-1"));
        assertEquals(err, raw.callText("GETEX", "k", "EXAT", "0"));
        assertEquals(err, raw.callText("GETEX", "k", "EX", "9223372036854774"));
        assertEquals(NOT_INTEGER, raw.callText("GETEX", "k", "EX", "abc"));
        assertEquals(-1, pttl(server, "k"));
        // the time is only read once the key is known to be a string
        assertEquals("(nil)", raw.callText("GETEX", "missing", "EX", "0"));
        assertEquals("(nil)", raw.callText("GETEX", "missing", "EX", "abc"));
        putNonString(server, "l");
        assertEquals(WRONGTYPE, raw.callText("GETEX", "l", "EX", "0"));
        assertEquals(WRONGTYPE, raw.callText("GETEX", "l", "PX", "abc"));
        assertEquals(WRONGTYPE, raw.callText("GETEX", "l"));
    }

    // ---- APPEND STRLEN ------------------------------------------------------------------------

    @Test
    void append_createsAndExtends(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        assertEquals(5, redis.append("k", "hello"));
        assertEquals(11, redis.append("k", " world"));
        assertEquals("hello world", redis.get("k"));
        assertEquals(":11", raw.callText("APPEND", "k", ""));
        assertEquals(":0", raw.callText("APPEND", "empty", ""));
        assertEquals(":1", raw.callText("EXISTS", "empty"), "APPEND of nothing still creates the key");
    }

    @Test
    void append_manyTimesAndAfterIncr(RawClient raw) {
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            String piece = Integer.toString(i);
            expected.append(piece);
            assertEquals(":" + expected.length(), raw.callText("APPEND", "k", piece));
        }
        assertEquals("$" + expected, raw.callText("GET", "k"));
        raw.callText("INCR", "n");
        assertEquals(":3", raw.callText("APPEND", "n", "23"));
        assertEquals(":124", raw.callText("INCR", "n"), "an appended number still counts");
    }

    @Test
    void append_keepsTtl(EmbeddedServer server, RawClient raw) {
        raw.callText("SET", "k", "a", "EX", "100");
        raw.callText("APPEND", "k", "b");
        assertTrue(pttl(server, "k") > 90_000);
        assertEquals("$ab", raw.callText("GET", "k"));
    }

    @Test
    void append_wrongTypeAndBinary(EmbeddedServer server, RawClient raw) {
        putNonString(server, "l");
        assertEquals(WRONGTYPE, raw.callText("APPEND", "l", "x"));
        byte[] all = allBytes();
        assertEquals(":256", raw.callText("APPEND", "b", all));
        assertEquals(":512", raw.callText("APPEND", "b", all));
        byte[] twice = new byte[512];
        System.arraycopy(all, 0, twice, 0, 256);
        System.arraycopy(all, 0, twice, 256, 256);
        assertArrayEquals(twice, bulk(raw.call("GET", "b")));
    }

    @Test
    void strlen_cases(EmbeddedServer server, @Resp2 RedisCommands<String, String> redis, RawClient raw) {
        assertEquals(0, redis.strlen("missing"));
        redis.set("k", "hello");
        assertEquals(5, redis.strlen("k"));
        raw.callText("SET", "b", allBytes());
        assertEquals(":256", raw.callText("STRLEN", "b"));
        raw.callText("INCRBY", "n", "-12345");
        assertEquals(":6", raw.callText("STRLEN", "n"));
        putNonString(server, "l");
        assertEquals(WRONGTYPE, raw.callText("STRLEN", "l"));
    }

    // ---- INCR DECR INCRBY DECRBY ---------------------------------------------------------------

    @Test
    void incr_createsAndCounts(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        assertEquals(1, redis.incr("k"));
        assertEquals(2, redis.incr("k"));
        assertEquals(1, redis.decr("k"));
        assertEquals(11, redis.incrby("k", 10));
        assertEquals(-9, redis.decrby("k", 20));
        assertEquals("-9", redis.get("k"));
        assertEquals(":-1", raw.callText("DECR", "d"));
        assertEquals(":-5", raw.callText("DECRBY", "e", "5"));
        assertEquals(":5", raw.callText("INCRBY", "f", "5"));
        assertEquals(":0", raw.callText("INCRBY", "f", "-5"));
        assertEquals(":10", raw.callText("DECRBY", "f", "-10"));
    }

    @Test
    void incr_keepsTtl(EmbeddedServer server, RawClient raw) {
        raw.callText("SET", "k", "10", "EX", "100");
        assertEquals(":11", raw.callText("INCR", "k"));
        assertTrue(pttl(server, "k") > 90_000);
        assertEquals(":5", raw.callText("DECRBY", "k", "6"));
        assertTrue(pttl(server, "k") > 90_000);
    }

    @Test
    void incr_notAnInteger(RawClient raw) {
        String[] bad = {" 1", "1 ", "01", "+1", "1.0", "", "abc", "0x10", "-0", "9223372036854775808",
            "-9223372036854775809", "1e3", "12345678901234567890123"};
        for (String v : bad) {
            raw.callText("SET", "k", v);
            assertEquals(NOT_INTEGER, raw.callText("INCR", "k"), "INCR on '" + v + "'");
            assertEquals(NOT_INTEGER, raw.callText("DECRBY", "k", "1"), "DECRBY on '" + v + "'");
            assertEquals("$" + v, raw.callText("GET", "k"));
        }
        raw.callText("SET", "k", "5");
        assertEquals(NOT_INTEGER, raw.callText("INCRBY", "k", "1.5"));
        assertEquals(NOT_INTEGER, raw.callText("INCRBY", "k", " 1"));
        assertEquals(NOT_INTEGER, raw.callText("DECRBY", "k", "x"));
        assertEquals(NOT_INTEGER, raw.callText("INCRBY", "missing", "9223372036854775808"));
        assertEquals(":0", raw.callText("EXISTS", "missing"));
    }

    @Test
    void incr_overflow(RawClient raw) {
        String overflow = "-ERR increment or decrement would overflow";
        raw.callText("SET", "k", Long.MAX_VALUE);
        assertEquals(overflow, raw.callText("INCR", "k"));
        assertEquals(overflow, raw.callText("INCRBY", "k", "1"));
        assertEquals(":" + (Long.MAX_VALUE - 1), raw.callText("DECR", "k"));
        raw.callText("SET", "k", Long.MIN_VALUE);
        assertEquals(overflow, raw.callText("DECR", "k"));
        assertEquals(overflow, raw.callText("INCRBY", "k", Long.MIN_VALUE));
        assertEquals(":-1", raw.callText("INCRBY", "k", Long.MAX_VALUE));
        assertEquals("$-1", raw.callText("GET", "k"));
        raw.callText("SET", "k", "-2");
        assertEquals(":" + Long.MIN_VALUE, raw.callText("INCRBY", "k", Long.MIN_VALUE + 2));
        assertEquals(":" + Long.MAX_VALUE, raw.callText("INCRBY", "m", Long.MAX_VALUE));
        assertEquals(overflow, raw.callText("INCR", "m"));
    }

    @Test
    void decrby_minLong(EmbeddedServer server, RawClient raw) {
        assertEquals("-ERR decrement would overflow", raw.callText("DECRBY", "k", Long.MIN_VALUE));
        assertEquals(":0", raw.callText("EXISTS", "k"));
        putNonString(server, "l");
        // checked before the key is even looked up
        assertEquals("-ERR decrement would overflow", raw.callText("DECRBY", "l", Long.MIN_VALUE));
        assertEquals(":" + (Long.MIN_VALUE + 1), raw.callText("DECRBY", "k", Long.MAX_VALUE));
    }

    @Test
    void incr_wrongType(EmbeddedServer server, RawClient raw) {
        putNonString(server, "l");
        assertEquals(WRONGTYPE, raw.callText("INCR", "l"));
        assertEquals(WRONGTYPE, raw.callText("DECR", "l"));
        assertEquals(WRONGTYPE, raw.callText("INCRBY", "l", "2"));
        assertEquals(WRONGTYPE, raw.callText("DECRBY", "l", "2"));
        assertEquals(NOT_INTEGER, raw.callText("INCRBY", "l", "x"), "the argument is parsed first");
    }

    // ---- INCRBYFLOAT --------------------------------------------------------------------------

    @Test
    void incrbyfloat_redisDocExamples(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        redis.set("k", "10.50");
        assertEquals("$10.6", raw.callText("INCRBYFLOAT", "k", "0.1"));
        assertEquals("$-4989.39999999999999991", raw.callText("INCRBYFLOAT", "k", "-5.0e3"));
        redis.set("k", "5.0e3");
        assertEquals("$5200", raw.callText("INCRBYFLOAT", "k", "2.0e2"));
        assertEquals("5200", redis.get("k"));
        assertEquals(1.5, redis.incrbyfloat("new", 1.5));
        assertEquals("$1.5", raw.callText("GET", "new"));
    }

    @Test
    void incrbyfloat_longDoublePrecisionShows(RawClient raw) {
        // what redis-server 7.0 answers on x86-64, where long double is the x87 80-bit format
        raw.callText("SET", "k", "1000000.1");
        assertEquals("$1000000.20000000000004547", raw.callText("INCRBYFLOAT", "k", "0.1"));
        raw.callText("SET", "k", "123456789012345.123");
        assertEquals("$123456789012345.12400054931640625", raw.callText("INCRBYFLOAT", "k", "0.001"));
        raw.callText("SET", "k", "0");
        for (int i = 1; i <= 30; i++) {
            String expected = i % 10 == 0 ? Integer.toString(i / 10) : (i / 10) + "." + (i % 10);
            assertEquals("$" + expected, raw.callText("INCRBYFLOAT", "k", "0.1"), "step " + i);
        }
    }

    @Test
    void incrbyfloat_acceptedForms(RawClient raw) {
        raw.callText("SET", "k", "5");
        assertEquals("$6.5", raw.callText("INCRBYFLOAT", "k", "+1.5"));
        assertEquals("$7", raw.callText("INCRBYFLOAT", "k", ".5"));
        assertEquals("$12", raw.callText("INCRBYFLOAT", "k", "5."));
        assertEquals("$11.75", raw.callText("INCRBYFLOAT", "k", "-0x1p-2"));
        assertEquals("$11.75", raw.callText("INCRBYFLOAT", "k", "0e-5000"));
        assertEquals("$3.75", raw.callText("INCRBYFLOAT", "k", "-8"));
        assertEquals("$3.75", raw.callText("INCRBYFLOAT", "k", "-0"));
        assertEquals("$19.75", raw.callText("INCRBYFLOAT", "k", "0X1.0P4"));
        assertEquals("$0", raw.callText("INCRBYFLOAT", "k", "-19.75"));
        assertEquals("$1000", raw.callText("INCRBYFLOAT", "k", "1E3"));
        assertEquals("$1000.001", raw.callText("INCRBYFLOAT", "k", "1e-3"));
        raw.callText("SET", "k", "-0.0");
        assertEquals("$0", raw.callText("INCRBYFLOAT", "k", "0"));
        raw.callText("SET", "k", "1");
        assertEquals("$1", raw.callText("INCRBYFLOAT", "k", "1e-30"), "below 17 decimals, printed away");
        assertEquals("$0.00000000000000001", raw.callText("INCRBYFLOAT", "k", "-0.99999999999999999"));
    }

    @Test
    void incrbyfloat_rejectedForms(RawClient raw) {
        raw.callText("SET", "k", "5");
        String[] bad = {"1 ", " 1", "abc", "", "nan", "NaN", "-nan", "1e5000", "1e-5000", "1e", "1e+", ".", "-",
            "0x", "0xg", "0x1p", "1.2.3", "1,5", "1_0", "infinit", "1d", "1f", "+-1", "\t1", "1\n"};
        for (String v : bad) {
            assertEquals(NOT_FLOAT, raw.callText("INCRBYFLOAT", "k", v), "increment '" + v + "'");
        }
        assertEquals(NOT_FLOAT, raw.callText("INCRBYFLOAT", "k", new byte[] {'1', 0}));
        assertEquals("$5", raw.callText("GET", "k"));
        raw.callText("SET", "k", "abc");
        assertEquals(NOT_FLOAT, raw.callText("INCRBYFLOAT", "k", "1"));
        assertEquals(NOT_FLOAT, raw.callText("INCRBYFLOAT", "k", "inf"), "the stored value is checked first");
        assertEquals(NOT_FLOAT, raw.callText("INCRBYFLOAT", "missing", "abc"));
        assertEquals(":0", raw.callText("EXISTS", "missing"));
        raw.callText("SET", "k", "1".repeat(5120));
        assertEquals(NOT_FLOAT, raw.callText("INCRBYFLOAT", "k", "1"), "5120 characters: too long for string2ld");
        raw.callText("SET", "k", "0".repeat(5118) + "1");
        assertEquals("$2", raw.callText("INCRBYFLOAT", "k", "1"), "5119 characters: accepted");
    }

    @Test
    void incrbyfloat_infinityAndOverflow(RawClient raw) {
        raw.callText("SET", "k", "5");
        assertEquals(NAN_OR_INF, raw.callText("INCRBYFLOAT", "k", "inf"));
        assertEquals(NAN_OR_INF, raw.callText("INCRBYFLOAT", "k", "-Infinity"));
        assertEquals(NAN_OR_INF, raw.callText("INCRBYFLOAT", "k", "+INF"));
        assertEquals("$5", raw.callText("GET", "k"));
        raw.callText("SET", "k", "inf");
        assertEquals(NAN_OR_INF, raw.callText("INCRBYFLOAT", "k", "1"));
        assertEquals(NAN_OR_INF, raw.callText("INCRBYFLOAT", "k", "-inf"));
        raw.callText("SET", "k", "1");
        RespValue big = raw.call("INCRBYFLOAT", "k", "1e4932");
        String text = new String(bulk(big), StandardCharsets.US_ASCII);
        assertEquals(4933, text.length());
        assertTrue(text.startsWith("10000000000000000000060189493879638913238377742545331147737850413525330194866087"), text);
        assertTrue(text.endsWith("1086538418113791886622720"), text);
        assertEquals(NAN_OR_INF, raw.callText("INCRBYFLOAT", "k", "1e4932"), "over the long double range");
        assertEquals(NOT_FLOAT, raw.callText("INCRBYFLOAT", "k", "1e4933"));
    }

    @Test
    void incrbyfloat_keepsTtlAndWrongType(EmbeddedServer server, RawClient raw) {
        raw.callText("SET", "k", "1", "EX", "100");
        assertEquals("$3.5", raw.callText("INCRBYFLOAT", "k", "2.5"));
        assertTrue(pttl(server, "k") > 90_000);
        putNonString(server, "l");
        assertEquals(WRONGTYPE, raw.callText("INCRBYFLOAT", "l", "1"));
        assertEquals(WRONGTYPE, raw.callText("INCRBYFLOAT", "l", "abc"), "the type is checked first");
    }

    // ---- GETRANGE SUBSTR ----------------------------------------------------------------------

    @Test
    void getrange_positiveIndexes(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        redis.set("k", "Hello World");
        assertEquals("Hello", redis.getrange("k", 0, 4));
        assertEquals("$Hello World", raw.callText("GETRANGE", "k", "0", "100"));
        assertEquals("$", raw.callText("GETRANGE", "k", "5", "3"));
        assertEquals("$", raw.callText("GETRANGE", "k", "11", "20"));
        assertEquals("$d", raw.callText("GETRANGE", "k", "10", "10"));
    }

    @Test
    void getrange_negativeIndexes(RawClient raw) {
        raw.callText("SET", "k", "Hello World");
        assertEquals("$rld", raw.callText("GETRANGE", "k", "-3", "-1"));
        assertEquals("$Hello World", raw.callText("GETRANGE", "k", "0", "-1"));
        assertEquals("$", raw.callText("GETRANGE", "k", "-1", "-3"));
        assertEquals("$H", raw.callText("GETRANGE", "k", "-100", "-50"));
        assertEquals("$Hel", raw.callText("GETRANGE", "k", "-100", "2"));
        assertEquals("$World", raw.callText("GETRANGE", "k", "6", "-1"));
        assertEquals("$", raw.callText("GETRANGE", "k", Long.MAX_VALUE, Long.MAX_VALUE));
        assertEquals("$Hello World", raw.callText("GETRANGE", "k", Long.MIN_VALUE, "-1"));
        assertEquals("$Hello World", raw.callText("GETRANGE", "k", Long.MIN_VALUE, Long.MAX_VALUE));
    }

    @Test
    void getrange_missingEmptyAndErrors(EmbeddedServer server, RawClient raw) {
        assertEquals("$", raw.callText("GETRANGE", "missing", "0", "-1"));
        raw.callText("SET", "e", "");
        assertEquals("$", raw.callText("GETRANGE", "e", "0", "-1"));
        assertEquals("$", raw.callText("GETRANGE", "e", "-1", "0"));
        assertEquals(NOT_INTEGER, raw.callText("GETRANGE", "e", "a", "1"));
        assertEquals(NOT_INTEGER, raw.callText("GETRANGE", "e", "0", "1.5"));
        putNonString(server, "l");
        assertEquals(WRONGTYPE, raw.callText("GETRANGE", "l", "0", "1"));
        assertEquals(NOT_INTEGER, raw.callText("GETRANGE", "l", "x", "1"), "indexes are parsed first");
        try (Wire w = new Wire(server)) {
            w.expect("$0\r\n\r\n", "GETRANGE", "missing", "0", "1");
        }
    }

    @Test
    void getrange_onNumbersAndBinary(RawClient raw) {
        raw.callText("INCRBY", "n", "-1234");
        assertEquals("$123", raw.callText("GETRANGE", "n", "1", "3"));
        byte[] all = allBytes();
        raw.callText("SET", "b", all);
        byte[] slice = new byte[56];
        System.arraycopy(all, 200, slice, 0, 56);
        assertArrayEquals(slice, bulk(raw.call("GETRANGE", "b", "200", "-1")));
        assertArrayEquals(new byte[] {0, 1}, bulk(raw.call("GETRANGE", "b", "0", "1")));
    }

    @Test
    void substr_isGetrange(RawClient raw) {
        raw.callText("SET", "k", "Hello World");
        assertEquals("$Hello", raw.callText("SUBSTR", "k", "0", "4"));
        assertEquals("$rld", raw.callText("SUBSTR", "k", "-3", "-1"));
        assertEquals("$", raw.callText("SUBSTR", "missing", "0", "4"));
        assertEquals(NOT_INTEGER, raw.callText("SUBSTR", "k", "x", "4"));
    }

    // ---- SETRANGE -----------------------------------------------------------------------------

    @Test
    void setrange_overwriteAndExtend(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        redis.set("k", "Hello World");
        assertEquals(11, redis.setrange("k", 6, "Redis"));
        assertEquals("Hello Redis", redis.get("k"));
        assertEquals(":13", raw.callText("SETRANGE", "k", "11", "!!"));
        assertEquals("$Hello Redis!!", raw.callText("GET", "k"));
        assertEquals(":16", raw.callText("SETRANGE", "k", "15", "?"));
        assertArrayEquals("Hello Redis!!\0\0?".getBytes(StandardCharsets.US_ASCII), bulk(raw.call("GET", "k")));
        raw.callText("SET", "s", "abcdef");
        assertEquals(":8", raw.callText("SETRANGE", "s", "4", "XYZW"), "a patch across the end");
        assertEquals("$abcdXYZW", raw.callText("GET", "s"));
    }

    @Test
    void setrange_missingKeyPadsWithZeros(RawClient raw) {
        assertEquals(":5", raw.callText("SETRANGE", "k", "3", "ab"));
        assertArrayEquals(new byte[] {0, 0, 0, 'a', 'b'}, bulk(raw.call("GET", "k")));
        assertEquals(":2", raw.callText("SETRANGE", "z", "0", "ab"));
        assertEquals("$ab", raw.callText("GET", "z"));
    }

    @Test
    void setrange_emptyValue(EmbeddedServer server, RawClient raw) {
        assertEquals(":0", raw.callText("SETRANGE", "missing", "5", ""));
        assertEquals(":0", raw.callText("SETRANGE", "missing", "536870912", ""), "no size check when nothing is set");
        assertEquals(":0", raw.callText("EXISTS", "missing"));
        raw.callText("SET", "k", "abc");
        assertEquals(":3", raw.callText("SETRANGE", "k", "10", ""));
        assertEquals(":3", raw.callText("SETRANGE", "k", "536870912", ""));
        assertEquals("$abc", raw.callText("GET", "k"));
    }

    @Test
    void setrange_offsetErrors(EmbeddedServer server, RawClient raw) {
        raw.callText("SET", "k", "abc");
        assertEquals("-ERR offset is out of range", raw.callText("SETRANGE", "k", "-1", "x"));
        assertEquals("-ERR offset is out of range", raw.callText("SETRANGE", "missing", "-1", ""));
        assertEquals(NOT_INTEGER, raw.callText("SETRANGE", "k", "a", "x"));
        assertEquals(NOT_INTEGER, raw.callText("SETRANGE", "k", "9223372036854775808", "x"));
        assertEquals(TOO_LONG, raw.callText("SETRANGE", "k", "536870912", "x"));
        assertEquals(TOO_LONG, raw.callText("SETRANGE", "k", "536870911", "xy"));
        assertEquals(TOO_LONG, raw.callText("SETRANGE", "missing", "536870912", "x"));
        assertEquals(TOO_LONG, raw.callText("SETRANGE", "k", Long.MAX_VALUE, "x"));
        assertEquals(":0", raw.callText("EXISTS", "missing"));
        assertEquals("$abc", raw.callText("GET", "k"));
        putNonString(server, "l");
        assertEquals(WRONGTYPE, raw.callText("SETRANGE", "l", "0", "x"));
        assertEquals(WRONGTYPE, raw.callText("SETRANGE", "l", "0", ""));
        assertEquals("-ERR offset is out of range", raw.callText("SETRANGE", "l", "-1", "x"), "offset is checked first");
    }

    @Test
    void setrange_keepsTtlAndIsBinarySafe(EmbeddedServer server, RawClient raw) {
        raw.callText("SET", "k", "abcdef", "EX", "100");
        assertEquals(":6", raw.callText("SETRANGE", "k", "1", new byte[] {0, (byte) 0xff}));
        assertTrue(pttl(server, "k") > 90_000);
        assertArrayEquals(new byte[] {'a', 0, (byte) 0xff, 'd', 'e', 'f'}, bulk(raw.call("GET", "k")));
        byte[] all = allBytes();
        assertEquals(":" + (256 + 10), raw.callText("SETRANGE", "b", "10", all));
        byte[] expected = new byte[266];
        System.arraycopy(all, 0, expected, 10, 256);
        assertArrayEquals(expected, bulk(raw.call("GET", "b")));
    }

    @Test
    void setrange_afterShrinkingWriteReadsZeros(RawClient raw) {
        // a value rebuilt over a grown buffer must not show stale bytes in the padding
        raw.callText("SET", "k", "x");
        raw.callText("APPEND", "k", "0123456789");
        raw.callText("SET", "k", "ab");
        assertEquals(":8", raw.callText("SETRANGE", "k", "6", "yz"));
        assertArrayEquals(new byte[] {'a', 'b', 0, 0, 0, 0, 'y', 'z'}, bulk(raw.call("GET", "k")));
    }

    // ---- RESP3 --------------------------------------------------------------------------------

    @Test
    void resp3_nullAndBulkShapes(EmbeddedServer server) {
        try (Wire w = new Wire(server)) {
            assertTrue(w.hello3(), "HELLO 3 switches to RESP3");
            w.expect("_\r\n", "GET", "k");
            w.expect("+OK\r\n", "SET", "k", "1");
            w.expect("_\r\n", "SET", "k", "2", "NX");
            w.expect("_\r\n", "SET", "n", "2", "GET");
            w.expect("*2\r\n$1\r\n1\r\n_\r\n", "MGET", "k", "missing");
            w.expect("_\r\n", "GETDEL", "missing");
            w.expect("_\r\n", "GETEX", "missing");
            w.expect("_\r\n", "GETSET", "g", "v");
            w.expect("$3\r\n2.5\r\n", "INCRBYFLOAT", "k", "1.5");
            w.expect(":3\r\n", "STRLEN", "k");
            w.expect("$0\r\n\r\n", "GETRANGE", "missing", "0", "-1");
        }
    }

    @Test
    void resp3_lettuce(RedisClient client, RawClient raw) {
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> redis = conn.sync();
            assertNull(redis.get("k"));
            assertEquals("OK", redis.set("k", "v", SetArgs.Builder.px(10_000)));
            assertNull(redis.set("k", "w", SetArgs.Builder.nx()));
            assertEquals("v", redis.getex("k", GetExArgs.Builder.persist()));
            List<KeyValue<String, String>> kvs = redis.mget("k", "missing");
            assertEquals("v", kvs.get(0).getValue());
            assertFalse(kvs.get(1).hasValue());
            assertEquals(2.5, redis.incrbyfloat("f", 2.5));
            assertEquals(3, redis.incrby("i", 3));
        }
    }

    // ---- differential: the same commands against redis-server ---------------------------------

    @Test
    void differential_matchesRedisServer(RawClient ours) throws Exception {
        try (RedisServerProcess real = RedisServerProcess.start();
             RawClient theirs = new RawClient("127.0.0.1", real.port())) {
            Random random = new Random(20240611);
            List<Object[]> script = new ArrayList<>();
            // INCRBYFLOAT: decimals of many shapes, hex floats, invalid forms
            for (int i = 0; i < 300; i++) {
                if (i % 40 == 0) {
                    script.add(new Object[] {"SET", "f", randomFloatText(random)});
                }
                script.add(new Object[] {"INCRBYFLOAT", "f", randomFloatText(random)});
                script.add(new Object[] {"GET", "f"});
            }
            // INCRBY and friends near the edges
            for (int i = 0; i < 100; i++) {
                String cmd = new String[] {"INCRBY", "DECRBY", "INCR", "DECR"}[random.nextInt(4)];
                long v = switch (random.nextInt(4)) {
                    case 0 -> random.nextInt(1000) - 500;
                    case 1 -> Long.MAX_VALUE - random.nextInt(3);
                    case 2 -> Long.MIN_VALUE + random.nextInt(3);
                    default -> random.nextLong();
                };
                if (cmd.startsWith("INCRBY") || cmd.startsWith("DECRBY")) {
                    script.add(new Object[] {cmd, "n", v});
                } else {
                    script.add(new Object[] {cmd, "n"});
                }
                if (i % 25 == 0) {
                    script.add(new Object[] {"SET", "n", random.nextBoolean() ? Long.MAX_VALUE - 1 : Long.MIN_VALUE + 1});
                }
            }
            // SET option grammar
            String[][] tokens = {{"NX"}, {"XX"}, {"GET"}, {"KEEPTTL"}, {"EX", "100"}, {"PX", "100000"},
                {"EXAT", "4000000000"}, {"PXAT", "4000000000000"}, {"EX", "0"}, {"PX", "-1"}, {"EXAT", "1"},
                {"EX"}, {"foo"}, {"PERSIST"}, {"ex", "abc"}};
            for (int i = 0; i < 300; i++) {
                List<Object> cmd = new ArrayList<>(List.of("SET", "s" + random.nextInt(3), "v" + i));
                int n = random.nextInt(4);
                for (int t = 0; t < n; t++) {
                    cmd.addAll(List.of(tokens[random.nextInt(tokens.length)]));
                }
                script.add(cmd.toArray());
                script.add(new Object[] {"GET", "s" + random.nextInt(3)});
            }
            // GETEX option grammar on present, missing and typed keys
            String[][] exTokens = {{"PERSIST"}, {"EX", "100"}, {"PX", "100000"}, {"EXAT", "4000000000"},
                {"PXAT", "4000000000000"}, {"EX", "0"}, {"KEEPTTL"}, {"GET"}, {"EX"}, {"px", "x"}};
            for (int i = 0; i < 150; i++) {
                List<Object> cmd = new ArrayList<>(List.of("GETEX", "s" + random.nextInt(4)));
                int n = random.nextInt(3);
                for (int t = 0; t < n; t++) {
                    cmd.addAll(List.of(exTokens[random.nextInt(exTokens.length)]));
                }
                script.add(cmd.toArray());
            }
            // GETRANGE / SETRANGE indexes
            script.add(new Object[] {"SET", "r", "0123456789abcdef"});
            for (int i = 0; i < 200; i++) {
                script.add(new Object[] {"GETRANGE", "r", randomIndex(random), randomIndex(random)});
                if (i % 10 == 0) {
                    script.add(new Object[] {"SETRANGE", "r", random.nextInt(24), "xy".repeat(random.nextInt(3))});
                }
            }
            for (Object[] cmd : script) {
                String label = describe(cmd);
                assertEquals(theirs.callText(cmd), ours.callText(cmd), label);
            }
        }
    }

    private static String randomFloatText(Random r) {
        return switch (r.nextInt(12)) {
            case 0 -> Integer.toString(r.nextInt(2001) - 1000);
            case 1 -> (r.nextBoolean() ? "-" : "") + r.nextInt(1000) + "." + r.nextInt(1000);
            case 2 -> (r.nextInt(100) - 50) + "e" + (r.nextInt(40) - 20);
            case 3 -> "0." + "0".repeat(r.nextInt(20)) + (1 + r.nextInt(9));
            case 4 -> Long.toString(r.nextLong());
            case 5 -> r.nextLong() + "." + Math.abs(r.nextLong());
            case 6 -> Double.toString(r.nextGaussian() * Math.pow(10, r.nextInt(30) - 10)).replace("E", "e");
            case 7 -> "0x" + Integer.toHexString(r.nextInt(1 << 20)) + "." + Integer.toHexString(r.nextInt(256)) + "p" + (r.nextInt(20) - 10);
            case 8 -> new String[] {"abc", "", " 1", "1 ", "nan", "inf", "-inf", "1e5000", "1e-5000", "1e", ".", "0x"}[r.nextInt(12)];
            case 9 -> "1" + "0".repeat(r.nextInt(40)) + "." + "9".repeat(r.nextInt(25));
            case 10 -> "." + r.nextInt(100000);
            default -> (r.nextBoolean() ? "+" : "-") + r.nextInt(100) + ".";
        };
    }

    private static long randomIndex(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> r.nextInt(40) - 20;
            case 1 -> r.nextInt(17);
            case 2 -> -r.nextInt(17) - 1;
            case 3 -> r.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
            default -> r.nextLong();
        };
    }

    private static String describe(Object[] cmd) {
        StringBuilder sb = new StringBuilder();
        for (Object o : cmd) {
            sb.append(o).append(' ');
        }
        return sb.toString().trim();
    }

    // ---- limits -------------------------------------------------------------------------------

    /** With a 1 MB proto-max-bulk-len the size limit can be reached without 512 MB of heap. */
    @Nested
    @ServerOptions("proto_max_bulk_len=1mb")
    class SmallBulkLimit {
        private static final int LIMIT = 1024 * 1024;

        @Test
        void append_beyondLimit(RawClient raw) {
            byte[] big = new byte[LIMIT - 1];
            assertEquals("+OK", raw.callText("SET", "k", big));
            assertEquals(":" + LIMIT, raw.callText("APPEND", "k", "x"));
            assertEquals(TOO_LONG, raw.callText("APPEND", "k", "y"));
            assertEquals(":" + LIMIT, raw.callText("STRLEN", "k"));
            assertEquals(":" + LIMIT, raw.callText("APPEND", "k", ""), "appending nothing is within the limit");
        }

        @Test
        void setrange_atAndBeyondLimit(RawClient raw) {
            assertEquals(":" + LIMIT, raw.callText("SETRANGE", "k", LIMIT - 1, "x"));
            assertEquals(TOO_LONG, raw.callText("SETRANGE", "k", LIMIT, "x"));
            assertEquals(TOO_LONG, raw.callText("SETRANGE", "k", LIMIT - 1, "xy"));
            assertEquals(TOO_LONG, raw.callText("SETRANGE", "new", LIMIT, "x"));
            assertEquals(":0", raw.callText("EXISTS", "new"));
            assertEquals(":" + LIMIT, raw.callText("STRLEN", "k"));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static byte[] allBytes() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        return all;
    }

    private static byte[] bulk(RespValue v) {
        assertEquals(RespValue.Kind.BULK_STRING, v.kind(), () -> "expected a bulk string, got " + RawClient.render(v));
        return ((RespValue.BulkString) v).value();
    }

    /**
     * A value of another type, stored straight into the keyspace so WRONGTYPE paths can be tested
     * before the list family exists. It behaves like any value for the keyspace (type, encoding,
     * footprint); only the string commands look at it, and they must refuse it.
     */
    private record OtherTypeValue() implements Value {
        @Override
        public ValueType type() {
            return ValueType.LIST;
        }

        @Override
        public String encoding() {
            return "listpack";
        }

        @Override
        public long footprint() {
            return 16;
        }

        @Override
        public OtherTypeValue copy() {
            return new OtherTypeValue(); // immutable and stateless: any instance is a deep copy
        }
    }

    private static void putNonString(EmbeddedServer server, String key) {
        KeyspaceFixtures.put(server.keyspace(), 0, key.getBytes(StandardCharsets.UTF_8), new OtherTypeValue());
    }

    /** The key's absolute expiry in Unix ms; -1 without one, -2 when the key is absent. */
    private static long expiresAt(EmbeddedServer server, String key) {
        return KeyspaceFixtures.expiresAt(server.keyspace(), 0, key.getBytes(StandardCharsets.UTF_8));
    }

    /** PTTL as Redis answers it, read from the keyspace (PTTL is another family's command). */
    private static long pttl(EmbeddedServer server, String key) {
        long at = expiresAt(server, key);
        return at < 0 ? at : at - System.currentTimeMillis();
    }
}
