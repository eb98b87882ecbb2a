package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.config.Option;
import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.Shard;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.lettuce.core.CopyArgs;
import io.lettuce.core.ExpireArgs;
import io.lettuce.core.KeyScanArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The generic key commands against a real server: Lettuce (RESP3, RESP2 where marked) for
 * behaviour, the raw client for exact error texts. Byte-for-byte comparison with a real
 * redis-server is in {@link KeyCommandsCompatibilityTest}.
 */
@ExtendWith(ServerExtension.class)
class KeyCommandsTest {

    // ---- DEL UNLINK EXISTS TYPE TOUCH ------------------------------------------------------

    @Test
    void del_countsOnlyExistingKeys(RedisCommands<String, String> redis) {
        redis.set("a", "1");
        redis.set("b", "2");
        assertEquals(2L, redis.del("a", "b", "c"));
        assertNull(redis.get("a"));
        assertEquals(0L, redis.del("a"));
    }

    @Test
    void unlink_deletesLikeDel(RedisCommands<String, String> redis) {
        redis.set("a", "1");
        assertEquals(1L, redis.unlink("a", "nokey"));
        assertEquals(0L, redis.exists("a"));
    }

    @Test
    void exists_countsRepeatedKeys(RedisCommands<String, String> redis) {
        redis.set("a", "1");
        assertEquals(2L, redis.exists("a", "a", "nokey"));
        assertEquals(0L, redis.exists("nokey"));
    }

    @Test
    void type_stringAndNone(RawClient raw) {
        raw.call("SET", "s", "v");
        assertEquals("+string", raw.callText("TYPE", "s"));
        assertEquals("+none", raw.callText("TYPE", "nokey"));
        assertEquals("-ERR wrong number of arguments for 'type' command", raw.callText("TYPE", "a", "b"));
    }

    @Test
    void touch_countsExistingKeys(RedisCommands<String, String> redis) {
        redis.set("a", "1");
        redis.set("b", "1");
        assertEquals(3L, redis.touch("a", "b", "nokey", "a"));
    }

    @Test
    void emptyKey_isAKeyLikeAnyOther(RawClient raw) {
        assertEquals("+OK", raw.callText("SET", "", "v"));
        assertEquals(":1", raw.callText("EXISTS", ""));
        assertEquals("+string", raw.callText("TYPE", ""));
        assertEquals(":1", raw.callText("DEL", ""));
    }

    // ---- KEYS ------------------------------------------------------------------------------

    @Test
    void keys_withPattern(RedisCommands<String, String> redis) {
        for (String k : List.of("key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c")) {
            redis.set(k, "hello");
        }
        assertEquals(List.of("foo_a", "foo_b", "foo_c"), sorted(redis.keys("foo*")));
        assertEquals(List.of("foo_a", "foo_b", "foo_c", "key_x", "key_y", "key_z"), sorted(redis.keys("*")));
        assertEquals(List.of("key_y"), redis.keys("key_[xy]").stream().filter(k -> k.endsWith("y")).toList());
        assertEquals(List.of(), redis.keys("nomatch*"));
    }

    @Test
    void keys_starReturnsTheEmptyKeyButDoubleStarDoesNot(RedisCommands<String, String> redis) {
        // Redis: "*" skips matching; "**" goes through stringmatchlen, which never matches ""
        redis.set("", "v");
        redis.set("a", "v");
        assertEquals(List.of("", "a"), sorted(redis.keys("*")));
        assertEquals(List.of("a"), sorted(redis.keys("**")));
        assertEquals(List.of(""), redis.keys(""));
    }

    @Test
    void keys_otherDatabaseIsSeparate(RedisCommands<String, String> redis) {
        redis.set("db0key", "v");
        redis.select(3);
        redis.set("db3key", "v");
        assertEquals(List.of("db3key"), redis.keys("*"));
        redis.select(0);
        assertEquals(List.of("db0key"), redis.keys("*"));
    }

    @Test
    void keys_pathologicalPatternTerminates(RedisCommands<String, String> redis) {
        redis.set("a".repeat(40), "1");
        assertEquals(List.of(), redis.keys("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"));
        redis.set("a".repeat(50_000), "1");
        assertEquals(List.of(), redis.keys("*?".repeat(50_000)));
    }

    // ---- SCAN ------------------------------------------------------------------------------

    @Test
    void scan_iteratesEveryKeyOnce(RedisCommands<String, String> redis) {
        Set<String> expected = new TreeSet<>();
        for (int i = 0; i < 500; i++) {
            redis.set("key:" + i, "v");
            expected.add("key:" + i);
        }
        Set<String> seen = new TreeSet<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        int calls = 0;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.limit(17));
            seen.addAll(page.getKeys());
            cursor = page;
            calls++;
        } while (!cursor.isFinished() && calls < 10_000);
        assertTrue(cursor.isFinished());
        assertEquals(expected, seen);
        assertTrue(calls > 1, "COUNT 17 over 500 keys should need several calls");
    }

    @Test
    void scan_matchAndType(RedisCommands<String, String> redis) {
        for (int i = 0; i < 50; i++) {
            redis.set("user:" + i, "v");
            redis.set("item:" + i, "v");
        }
        Set<String> users = scanAll(redis, KeyScanArgs.Builder.matches("user:*").limit(7));
        assertEquals(50, users.size());
        assertTrue(users.stream().allMatch(k -> k.startsWith("user:")));
        assertEquals(100, scanAll(redis, KeyScanArgs.Builder.type("string")).size());
        assertEquals(100, scanAll(redis, KeyScanArgs.Builder.type("STRING")).size());
        assertEquals(0, scanAll(redis, KeyScanArgs.Builder.type("list")).size());
        assertEquals(0, scanAll(redis, KeyScanArgs.Builder.type("nosuchtype")).size());
        assertEquals(50, scanAll(redis, KeyScanArgs.Builder.type("string").match("item:*")).size());
    }

    @Test
    void scan_replyShape(RawClient raw) {
        raw.call("SET", "k", "v");
        assertEquals("[$0, [$k]]", raw.callText("SCAN", "0"));
        assertEquals("[$0, []]", raw.callText("SCAN", "0", "MATCH", "x*"));
        assertEquals("[$0, [$k]]", raw.callText("SCAN", "0", "count", "1000", "match", "*", "type", "string"));
        // the last MATCH wins, as in Redis
        assertEquals("[$0, []]", raw.callText("SCAN", "0", "MATCH", "k", "MATCH", "z"));
    }

    @Test
    void scan_cursorParsing(RawClient raw) {
        raw.call("SET", "k", "v");
        assertEquals("-ERR invalid cursor", raw.callText("SCAN", "x"));
        assertEquals("-ERR invalid cursor", raw.callText("SCAN", " 0"));
        assertEquals("-ERR invalid cursor", raw.callText("SCAN", "0 "));
        assertEquals("-ERR invalid cursor", raw.callText("SCAN", "+"));
        assertEquals("-ERR invalid cursor", raw.callText("SCAN", "0x10"));
        assertEquals("-ERR invalid cursor", raw.callText("SCAN", "18446744073709551616"));
        // strtoul accepts these
        assertEquals("[$0, [$k]]", raw.callText("SCAN", ""));
        assertEquals("[$0, [$k]]", raw.callText("SCAN", "+0"));
        assertEquals("[$0, [$k]]", raw.callText("SCAN", "-0"));
        assertTrue(raw.callText("SCAN", "18446744073709551615").startsWith("[$"));
        assertTrue(raw.callText("SCAN", "-1").startsWith("[$"));
        // the cursor is checked before the options
        assertEquals("-ERR invalid cursor", raw.callText("SCAN", "x", "COUNT", "0"));
    }

    @Test
    void scan_optionErrors(RawClient raw) {
        assertEquals("-ERR syntax error", raw.callText("SCAN", "0", "COUNT", "0"));
        assertEquals("-ERR syntax error", raw.callText("SCAN", "0", "COUNT", "-1"));
        assertEquals("-ERR value is not an integer or out of range", raw.callText("SCAN", "0", "COUNT", "x"));
        assertEquals("-ERR value is not an integer or out of range", raw.callText("SCAN", "0", "COUNT", "99999999999999999999"));
        assertEquals("-ERR syntax error", raw.callText("SCAN", "0", "COUNT"));
        assertEquals("-ERR syntax error", raw.callText("SCAN", "0", "MATCH"));
        assertEquals("-ERR syntax error", raw.callText("SCAN", "0", "TYPE"));
        assertEquals("-ERR syntax error", raw.callText("SCAN", "0", "FOO", "bar"));
        assertEquals("-ERR wrong number of arguments for 'scan' command", raw.callText("SCAN"));
    }

    @Test
    void scan_hugeCountFinishesInOneCall(RawClient raw) {
        for (int i = 0; i < 100; i++) {
            raw.call("SET", "k" + i, "v");
        }
        RespValue.Array reply = (RespValue.Array) raw.call("SCAN", "0", "COUNT", "9223372036854775807");
        assertEquals("0", ((RespValue.BulkString) reply.values().get(0)).asString());
        assertEquals(100, ((RespValue.Array) reply.values().get(1)).values().size());
    }

    @Test
    void scan_resp2(@Resp2 RedisCommands<String, String> redis) {
        redis.set("a", "1");
        KeyScanCursor<String> page = redis.scan(ScanCursor.INITIAL, ScanArgs.Builder.limit(100));
        assertTrue(page.isFinished());
        assertEquals(List.of("a"), page.getKeys());
    }

    // ---- RANDOMKEY -------------------------------------------------------------------------

    @Test
    void randomkey_emptyDatabase(RawClient raw, RedisCommands<String, String> redis) {
        assertNull(redis.randomkey());
        assertEquals("(nil)", raw.callText("RANDOMKEY"));
        redis.set("x", "10");
        redis.del("x");
        assertNull(redis.randomkey());
    }

    @Test
    void randomkey_returnsEachKeyEventually(RedisCommands<String, String> redis) {
        redis.set("foo", "x");
        redis.set("bar", "y");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200 && seen.size() < 2; i++) {
            seen.add(redis.randomkey());
        }
        assertEquals(Set.of("foo", "bar"), seen);
    }

    // ---- RENAME RENAMENX -------------------------------------------------------------------

    @Test
    void rename_basic(RedisCommands<String, String> redis) {
        redis.set("mykey", "hello");
        assertEquals("OK", redis.rename("mykey", "mykey1"));
        assertEquals("OK", redis.rename("mykey1", "mykey2"));
        assertEquals("hello", redis.get("mykey2"));
        assertEquals(0L, redis.exists("mykey", "mykey1"));
    }

    @Test
    void rename_overwritesExistingKey(RedisCommands<String, String> redis) {
        redis.set("a", "a");
        redis.set("b", "b");
        redis.rename("b", "a");
        assertEquals("b", redis.get("a"));
        assertEquals(0L, redis.exists("b"));
    }

    @Test
    void rename_missingKey(RawClient raw) {
        assertEquals("-ERR no such key", raw.callText("RENAME", "nokey", "foobar"));
        assertEquals("-ERR no such key", raw.callText("RENAMENX", "nokey", "foobar"));
        assertEquals("-ERR no such key", raw.callText("RENAME", "nokey", "nokey"));
    }

    @Test
    void rename_sameKey(RawClient raw) {
        raw.call("SET", "mykey", "foo");
        assertEquals("+OK", raw.callText("RENAME", "mykey", "mykey"));
        assertEquals(":0", raw.callText("RENAMENX", "mykey", "mykey"));
        assertEquals("$foo", raw.callText("GET", "mykey"));
    }

    @Test
    void rename_keepsTtl(RedisCommands<String, String> redis) {
        redis.set("mykey", "foo");
        redis.expire("mykey", 100);
        redis.rename("mykey", "mykey2");
        long ttl = redis.ttl("mykey2");
        assertTrue(ttl > 95 && ttl <= 100, "ttl " + ttl);
    }

    @Test
    void rename_doesNotInheritTargetTtl(RedisCommands<String, String> redis) {
        redis.set("mykey", "foo");
        redis.set("mykey2", "bar");
        redis.expire("mykey2", 100);
        redis.rename("mykey", "mykey2");
        assertEquals(-1L, redis.ttl("mykey2"));
    }

    @Test
    void renamenx_basicAndExisting(RedisCommands<String, String> redis) {
        redis.set("mykey", "foobar");
        assertTrue(redis.renamenx("mykey", "mykey2"));
        assertEquals("foobar", redis.get("mykey2"));
        assertEquals(0L, redis.exists("mykey"));
        redis.set("mykey", "foo");
        assertFalse(redis.renamenx("mykey", "mykey2"));
        assertEquals("foo", redis.get("mykey"));
        assertEquals("foobar", redis.get("mykey2"));
    }

    // ---- COPY ------------------------------------------------------------------------------

    @Test
    void copy_basic(RedisCommands<String, String> redis) {
        redis.set("mykey", "foobar");
        assertTrue(redis.copy("mykey", "mynewkey"));
        assertEquals("foobar", redis.get("mynewkey"));
        assertEquals("foobar", redis.get("mykey"));
        assertFalse(redis.copy("nokey", "other"));
        assertEquals(0L, redis.exists("other"));
    }

    @Test
    void copy_toOtherDatabase(RedisCommands<String, String> redis) {
        redis.set("mykey", "foobar");
        assertTrue(redis.copy("mykey", "mynewkey", CopyArgs.Builder.destinationDb(10)));
        assertEquals(0L, redis.exists("mynewkey"));
        redis.select(10);
        assertEquals("foobar", redis.get("mynewkey"));
        redis.set("mynewkey", "hoge");
        redis.select(0);
        assertEquals("foobar", redis.get("mykey"));
        // same key name into another db is allowed
        assertTrue(redis.copy("mykey", "mykey", CopyArgs.Builder.destinationDb(11)));
    }

    @Test
    void copy_replace(RedisCommands<String, String> redis) {
        redis.set("a", "new");
        redis.set("b", "old");
        assertFalse(redis.copy("a", "b"));
        assertEquals("old", redis.get("b"));
        assertTrue(redis.copy("a", "b", CopyArgs.Builder.replace(true)));
        assertEquals("new", redis.get("b"));
    }

    @Test
    void copy_keepsTtlAndDoesNotInventOne(RedisCommands<String, String> redis) {
        redis.set("vol", "foobar");
        redis.expire("vol", 100);
        redis.copy("vol", "vol2");
        long ttl = redis.ttl("vol2");
        assertTrue(ttl > 95 && ttl <= 100, "ttl " + ttl);
        redis.set("persistent", "x");
        redis.set("target", "y");
        redis.expire("target", 100);
        redis.copy("persistent", "target", CopyArgs.Builder.replace(true));
        assertEquals(-1L, redis.ttl("target"));
    }

    @Test
    void copy_valueIsIndependent(RedisCommands<String, String> redis, EmbeddedServer server) {
        redis.set("src", "hello");
        redis.copy("src", "dst");
        // mutate the copy in place, as APPEND would, and check the source did not change
        mutateInPlace(server, 0, "dst", " world");
        assertEquals("hello", redis.get("src"));
        assertEquals("hello world", redis.get("dst"));
        assertEquals("raw", redis.objectEncoding("dst"));
        redis.copy("dst", "dst2");
        assertEquals("raw", redis.objectEncoding("dst2"), "a raw string copies as raw, as Redis");
    }

    @Test
    void copy_errors(RawClient raw) {
        raw.call("SET", "a", "1");
        assertEquals("-ERR source and destination objects are the same", raw.callText("COPY", "a", "a"));
        assertEquals("-ERR source and destination objects are the same", raw.callText("COPY", "a", "a", "DB", "0"));
        assertEquals("-ERR source and destination objects are the same", raw.callText("COPY", "nokey", "nokey"));
        assertEquals("-ERR DB index is out of range", raw.callText("COPY", "a", "b", "DB", "-1"));
        assertEquals("-ERR DB index is out of range", raw.callText("COPY", "a", "b", "DB", "16"));
        assertEquals("-ERR DB index is out of range", raw.callText("COPY", "nokey", "b", "DB", "99"));
        assertEquals("-ERR value is not an integer or out of range", raw.callText("COPY", "a", "b", "DB", "notanumber"));
        assertEquals("-ERR value is out of range, value must between -2147483648 and 2147483647",
                raw.callText("COPY", "a", "b", "DB", "4294967296"));
        assertEquals("-ERR syntax error", raw.callText("COPY", "a", "b", "DB"));
        assertEquals("-ERR syntax error", raw.callText("COPY", "a", "b", "foo"));
        assertEquals(":1", raw.callText("COPY", "a", "b", "REPLACE", "replace"));
        assertEquals("-ERR wrong number of arguments for 'copy' command", raw.callText("COPY", "a"));
    }

    // ---- MOVE ------------------------------------------------------------------------------

    @Test
    void move_basic(RedisCommands<String, String> redis) {
        redis.set("mykey", "foobar");
        assertTrue(redis.move("mykey", 10));
        assertEquals(0L, redis.exists("mykey"));
        redis.select(10);
        assertEquals("foobar", redis.get("mykey"));
    }

    @Test
    void move_existingInTargetOrMissing(RedisCommands<String, String> redis) {
        redis.select(10);
        redis.set("mykey", "there");
        redis.select(0);
        redis.set("mykey", "here");
        assertFalse(redis.move("mykey", 10));
        assertEquals("here", redis.get("mykey"));
        assertFalse(redis.move("nokey", 10));
    }

    @Test
    void move_keepsTtl(RedisCommands<String, String> redis) {
        redis.set("vol", "foo");
        redis.expire("vol", 100);
        redis.set("plain", "bar");
        redis.move("vol", 10);
        redis.move("plain", 10);
        assertEquals(-2L, redis.ttl("vol"));
        redis.select(10);
        long ttl = redis.ttl("vol");
        assertTrue(ttl > 95 && ttl <= 100, "ttl " + ttl);
        assertEquals(-1L, redis.ttl("plain"));
    }

    @Test
    void move_errors(RawClient raw) {
        raw.call("SET", "a", "1");
        assertEquals("-ERR source and destination objects are the same", raw.callText("MOVE", "a", "0"));
        assertEquals("-ERR source and destination objects are the same", raw.callText("MOVE", "nokey", "0"));
        assertEquals("-ERR DB index is out of range", raw.callText("MOVE", "a", "-1"));
        assertEquals("-ERR DB index is out of range", raw.callText("MOVE", "a", "16"));
        assertEquals("-ERR value is not an integer or out of range", raw.callText("MOVE", "a", "notanumber"));
        assertEquals("-ERR value is not an integer or out of range", raw.callText("MOVE", "a", "99999999999999999999"));
        assertEquals("-ERR value is out of range, value must between -2147483648 and 2147483647",
                raw.callText("MOVE", "a", "99999999999"));
        raw.call("SELECT", "5");
        assertEquals("-ERR source and destination objects are the same", raw.callText("MOVE", "a", "5"));
        assertEquals(":0", raw.callText("MOVE", "a", "0"));
    }

    // ---- EXPIRE PEXPIRE EXPIREAT PEXPIREAT -------------------------------------------------

    @Test
    void expire_setsTtl(RedisCommands<String, String> redis) {
        redis.set("k", "v");
        assertTrue(redis.expire("k", 100));
        assertEquals(100L, redis.ttl("k"));
        long pttl = redis.pttl("k");
        assertTrue(pttl > 99_000 && pttl <= 100_000, "pttl " + pttl);
        assertFalse(redis.expire("nokey", 100));
    }

    @Test
    void pexpire_setsTtlInMillis(RedisCommands<String, String> redis) {
        redis.set("k", "v");
        assertTrue(redis.pexpire("k", 100_000));
        long pttl = redis.pttl("k");
        assertTrue(pttl > 99_000 && pttl <= 100_000, "pttl " + pttl);
    }

    @Test
    void expireat_andPexpireat(RedisCommands<String, String> redis) {
        long nowSec = System.currentTimeMillis() / 1000;
        redis.set("k", "v");
        assertTrue(redis.expireat("k", nowSec + 1000));
        assertEquals(nowSec + 1000, redis.expiretime("k"));
        assertEquals((nowSec + 1000) * 1000, redis.pexpiretime("k"));
        long at = System.currentTimeMillis() + 500_123;
        assertTrue(redis.pexpireat("k", at));
        assertEquals(at, redis.pexpiretime("k"));
    }

    @Test
    void expire_negativeOrPastDeletesAndRepliesOne(RawClient raw) {
        raw.call("SET", "a", "1");
        assertEquals(":1", raw.callText("EXPIRE", "a", "-1"));
        assertEquals(":0", raw.callText("EXISTS", "a"));
        raw.call("SET", "b", "1");
        assertEquals(":1", raw.callText("PEXPIRE", "b", "0"));
        assertEquals(":0", raw.callText("EXISTS", "b"));
        raw.call("SET", "c", "1");
        assertEquals(":1", raw.callText("EXPIREAT", "c", "1"));
        assertEquals(":0", raw.callText("EXISTS", "c"));
        raw.call("SET", "d", "1");
        assertEquals(":1", raw.callText("PEXPIREAT", "d", "-9223372036854775808"));
        assertEquals(":0", raw.callText("EXISTS", "d"));
        raw.call("SET", "e", "1");
        assertEquals(":1", raw.callText("EXPIREAT", "e", "-9223372036854775"));
        assertEquals(":0", raw.callText("EXISTS", "e"));
        assertEquals(":0", raw.callText("EXPIRE", "nokey", "-1"));
    }

    @Test
    void expire_overflow(RawClient raw) {
        raw.call("SET", "a", "1");
        assertEquals("-ERR invalid expire time in 'expire' command", raw.callText("EXPIRE", "a", "9223372036854775"));
        assertEquals("-ERR invalid expire time in 'expire' command", raw.callText("EXPIRE", "a", "9223372036854775807"));
        assertEquals("-ERR invalid expire time in 'pexpire' command", raw.callText("PEXPIRE", "a", "9223372036854775807"));
        assertEquals("-ERR invalid expire time in 'expireat' command", raw.callText("EXPIREAT", "a", "-9223372036854775808"));
        assertEquals("-ERR invalid expire time in 'expireat' command", raw.callText("EXPIREAT", "a", "9223372036854776"));
        // overflow is an error even for a missing key
        assertEquals("-ERR invalid expire time in 'expire' command", raw.callText("EXPIRE", "nokey", "9223372036854775807"));
        assertEquals(":-1", raw.callText("TTL", "a"));
        // the largest absolute time is fine
        assertEquals(":1", raw.callText("PEXPIREAT", "a", "9223372036854775807"));
        assertEquals(":9223372036854775807", raw.callText("PEXPIRETIME", "a"));
        assertEquals(":9223372036854776", raw.callText("EXPIRETIME", "a"));
    }

    @Test
    void expire_optionErrors(RawClient raw) {
        raw.call("SET", "a", "1");
        assertEquals("-ERR NX and XX, GT or LT options at the same time are not compatible", raw.callText("EXPIRE", "a", "10", "NX", "XX"));
        assertEquals("-ERR NX and XX, GT or LT options at the same time are not compatible", raw.callText("EXPIRE", "a", "10", "nx", "gt"));
        assertEquals("-ERR NX and XX, GT or LT options at the same time are not compatible", raw.callText("PEXPIRE", "a", "10", "gt", "lt", "nx"));
        assertEquals("-ERR GT and LT options at the same time are not compatible", raw.callText("EXPIRE", "a", "10", "GT", "LT"));
        assertEquals("-ERR GT and LT options at the same time are not compatible", raw.callText("EXPIREAT", "a", "10", "xx", "gt", "lt"));
        assertEquals("-ERR GT and LT options at the same time are not compatible", raw.callText("EXPIRE", "nokey", "10", "gt", "lt"));
        assertEquals("-ERR Unsupported option foo", raw.callText("EXPIRE", "a", "10", "foo"));
        // options are checked before the number
        assertEquals("-ERR Unsupported option foo", raw.callText("EXPIRE", "a", "x", "foo"));
        assertEquals("-ERR value is not an integer or out of range", raw.callText("EXPIRE", "a", "x"));
        assertEquals("-ERR value is not an integer or out of range", raw.callText("PEXPIRE", "a", "1.5"));
        assertEquals("-ERR wrong number of arguments for 'expire' command", raw.callText("EXPIRE", "a"));
        assertEquals(":-1", raw.callText("TTL", "a"));
    }

    @Test
    void expire_nxOnPersistentAndVolatileKey(RedisCommands<String, String> redis) {
        redis.set("k", "v");
        assertTrue(redis.expire("k", 100, ExpireArgs.Builder.nx()));
        assertFalse(redis.expire("k", 200, ExpireArgs.Builder.nx()));
        assertEquals(100L, redis.ttl("k"));
    }

    @Test
    void expire_xxOnPersistentAndVolatileKey(RedisCommands<String, String> redis) {
        redis.set("k", "v");
        assertFalse(redis.expire("k", 100, ExpireArgs.Builder.xx()));
        assertEquals(-1L, redis.ttl("k"));
        redis.expire("k", 100);
        assertTrue(redis.expire("k", 200, ExpireArgs.Builder.xx()));
        assertEquals(200L, redis.ttl("k"));
    }

    @Test
    void expire_gtOnPersistentKey(RedisCommands<String, String> redis) {
        // no expiry counts as infinite: nothing is greater
        redis.set("k", "v");
        assertFalse(redis.expire("k", 100, ExpireArgs.Builder.gt()));
        assertEquals(-1L, redis.ttl("k"));
    }

    @Test
    void expire_gtOnVolatileKey(RedisCommands<String, String> redis) {
        long at = System.currentTimeMillis() + 100_000;
        redis.set("k", "v");
        redis.pexpireat("k", at);
        assertFalse(redis.pexpireat("k", at - 1000, ExpireArgs.Builder.gt()));
        assertFalse(redis.pexpireat("k", at, ExpireArgs.Builder.gt().xx()), "equal is not greater");
        assertTrue(redis.pexpireat("k", at + 1, ExpireArgs.Builder.gt().xx()));
        assertEquals(at + 1, redis.pexpiretime("k"));
    }

    @Test
    void expire_ltOnPersistentKey(RedisCommands<String, String> redis) {
        // infinite is greater than any time, so LT sets it
        redis.set("k", "v");
        assertTrue(redis.expire("k", 100, ExpireArgs.Builder.lt()));
        assertEquals(100L, redis.ttl("k"));
    }

    @Test
    void expire_ltOnVolatileKey(RedisCommands<String, String> redis) {
        redis.set("k", "v");
        redis.expire("k", 100);
        assertFalse(redis.expire("k", 200, ExpireArgs.Builder.lt()));
        assertTrue(redis.expire("k", 50, ExpireArgs.Builder.lt()));
        assertEquals(50L, redis.ttl("k"));
    }

    @Test
    void expire_conditionsApplyBeforePastTimeDeletes(RawClient raw) {
        raw.call("SET", "k", "v");
        // XX on a persistent key refuses even a time in the past: the key stays
        assertEquals(":0", raw.callText("EXPIRE", "k", "-1", "XX"));
        assertEquals(":1", raw.callText("EXISTS", "k"));
        assertEquals(":0", raw.callText("EXPIRE", "k", "-1", "GT"));
        assertEquals(":1", raw.callText("EXPIRE", "k", "-1", "LT"));
        assertEquals(":0", raw.callText("EXISTS", "k"));
    }

    // ---- TTL PTTL EXPIRETIME PEXPIRETIME PERSIST -------------------------------------------

    @Test
    void ttl_missingAndPersistent(RawClient raw) {
        raw.call("SET", "k", "v");
        for (String cmd : List.of("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME")) {
            assertEquals(":-2", raw.callText(cmd, "nokey"), cmd);
            assertEquals(":-1", raw.callText(cmd, "k"), cmd);
        }
    }

    @Test
    void expiretime_roundsHalfUp(RawClient raw) {
        long base = (System.currentTimeMillis() / 1000 + 1000) * 1000;
        raw.call("SET", "k", "v");
        raw.call("PEXPIREAT", "k", Long.toString(base + 499));
        assertEquals(":" + base / 1000, raw.callText("EXPIRETIME", "k"));
        raw.call("PEXPIREAT", "k", Long.toString(base + 500));
        assertEquals(":" + (base / 1000 + 1), raw.callText("EXPIRETIME", "k"));
    }

    @Test
    void persist_removesExpiry(RedisCommands<String, String> redis) {
        redis.set("k", "v");
        assertFalse(redis.persist("k"));
        redis.expire("k", 100);
        assertTrue(redis.persist("k"));
        assertEquals(-1L, redis.ttl("k"));
        assertFalse(redis.persist("nokey"));
    }

    @Test
    void set_clearsExpiry(RedisCommands<String, String> redis) {
        redis.set("k", "v");
        redis.expire("k", 100);
        redis.set("k", "w");
        assertEquals(-1L, redis.ttl("k"));
    }

    // ---- OBJECT ----------------------------------------------------------------------------

    @Test
    void object_encoding(RedisCommands<String, String> redis) {
        redis.set("int", "12345");
        redis.set("short", "hello");
        redis.set("long", "x".repeat(45));
        assertEquals("int", redis.objectEncoding("int"));
        assertEquals("embstr", redis.objectEncoding("short"));
        assertEquals("raw", redis.objectEncoding("long"));
        assertNull(redis.objectEncoding("nokey"));
    }

    @Test
    void object_refcount(RedisCommands<String, String> redis, EmbeddedServer server) {
        redis.set("shared", "100");
        redis.set("big", "10000");
        redis.set("neg", "-1");
        redis.set("text", "abc");
        assertEquals(2147483647L, redis.objectRefcount("shared"));
        assertEquals(1L, redis.objectRefcount("big"));
        assertEquals(1L, redis.objectRefcount("neg"));
        assertEquals(1L, redis.objectRefcount("text"));
        assertNull(redis.objectRefcount("nokey"));
        // maxmemory with an LRU policy: integers are not shared
        server.config().set(Option.MAXMEMORY, "1gb");
        server.config().set(Option.MAXMEMORY_POLICY, "allkeys-lru");
        try {
            assertEquals(1L, redis.objectRefcount("shared"));
        } finally {
            server.config().set(Option.MAXMEMORY_POLICY, "noeviction");
            server.config().set(Option.MAXMEMORY, "0");
        }
    }

    @Test
    void object_idletime(RedisCommands<String, String> redis) {
        redis.set("k", "v");
        long idle = redis.objectIdletime("k");
        assertTrue(idle >= 0 && idle <= 1, "idle " + idle);
        assertNull(redis.objectIdletime("nokey"));
    }

    @Test
    void object_freqWithoutLfuPolicy(RawClient raw) {
        raw.call("SET", "k", "v");
        assertEquals("-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when "
                + "switching between policies at runtime LRU and LFU data will take some time to adjust.",
                raw.callText("OBJECT", "FREQ", "k"));
        assertEquals("(nil)", raw.callText("OBJECT", "FREQ", "nokey"));
    }

    @Test
    void object_helpAndErrors(RawClient raw) {
        RespValue help = raw.call("OBJECT", "HELP");
        List<RespValue> lines = ((RespValue.Array) help).values();
        assertEquals(15, lines.size());
        assertEquals("+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", RawClient.render(lines.get(0)));
        assertEquals("+    Prints this help.", RawClient.render(lines.get(14)));
        assertEquals("-ERR wrong number of arguments for 'object' command", raw.callText("OBJECT"));
        assertEquals("-ERR unknown subcommand 'foo'. Try OBJECT HELP.", raw.callText("OBJECT", "foo"));
        assertEquals("-ERR wrong number of arguments for 'object|encoding' command", raw.callText("OBJECT", "ENCODING"));
        assertEquals("-ERR wrong number of arguments for 'object|encoding' command", raw.callText("OBJECT", "encoding", "a", "b"));
        assertEquals("-ERR wrong number of arguments for 'object|help' command", raw.callText("OBJECT", "HELP", "x"));
    }

    @Test
    void object_resp2(@Resp2 RedisCommands<String, String> redis) {
        redis.set("k", "1");
        assertEquals("int", redis.objectEncoding("k"));
        assertNull(redis.objectEncoding("nokey"));
        assertNull(redis.objectFreq("nokey"));
    }

    // ---- arity -----------------------------------------------------------------------------

    @Test
    void arityErrors(RawClient raw) {
        String[][] calls = {
            {"DEL"}, {"UNLINK"}, {"EXISTS"}, {"TOUCH"}, {"KEYS"}, {"KEYS", "a", "b"}, {"RANDOMKEY", "x"},
            {"RENAME", "a"}, {"RENAMENX", "a", "b", "c"}, {"MOVE", "a"}, {"PEXPIREAT", "a"}, {"TTL"},
            {"PTTL", "a", "b"}, {"EXPIRETIME"}, {"PEXPIRETIME"}, {"PERSIST"},
        };
        for (String[] call : calls) {
            assertEquals("-ERR wrong number of arguments for '" + call[0].toLowerCase() + "' command",
                    raw.callText((Object[]) call), String.join(" ", call));
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static List<String> sorted(List<String> keys) {
        return keys.stream().sorted().toList();
    }

    static Set<String> scanAll(RedisCommands<String, String> redis, ScanArgs args) {
        Set<String> seen = new TreeSet<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        for (int calls = 0; calls < 100_000; calls++) {
            KeyScanCursor<String> page = redis.scan(cursor, args);
            seen.addAll(page.getKeys());
            cursor = page;
            if (page.isFinished()) {
                return seen;
            }
        }
        throw new AssertionError("SCAN did not finish");
    }

    /** Appends to a string value in place (it turns "raw"), under its shard's lock. */
    static void mutateInPlace(EmbeddedServer server, int dbIndex, String key, String tail) {
        Keyspace ks = server.keyspace();
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        Shard shard = ks.shard(ks.shardIndex(k));
        shard.lock();
        try {
            Database db = ks.database(dbIndex, System.currentTimeMillis());
            db.strings().append(k, tail.getBytes(StandardCharsets.UTF_8), Long.MAX_VALUE);
        } finally {
            shard.unlock();
        }
    }
}
