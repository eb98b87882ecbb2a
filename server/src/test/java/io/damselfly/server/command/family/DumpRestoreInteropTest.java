package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.BinaryComparison;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RestoreArgs;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.SetArgs;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * DUMP and RESTORE against a real redis-server 7.0.15, both ways: a dataset of every type, small
 * and large (so Redis uses its compact and its full encodings: listpack, intset, quicklist of
 * many nodes, hashtable, skiplist), strings short, long (LZF-compressed by Redis), integer and
 * binary, with and without TTLs, is dumped by one server and restored into the other; contents,
 * TTLs and encodings are compared key by key.
 */
public class DumpRestoreInteropTest extends BinaryComparison {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Every type in its compact and its full encoding, with and without TTLs. */
    public static List<String> populate(RedisCommands<byte[], byte[]> r) {
        r.set(b("str:short"), b("hello"));
        r.set(b("str:empty"), b(""));
        r.set(b("str:int"), b("12345"));
        r.set(b("str:int8"), b("-7"));
        r.set(b("str:int32"), b("-2147483648"));
        r.set(b("str:long"), b("123456789012345"));
        r.set(b("str:leadingzero"), b("007"));
        r.set(b("str:compressible"), b("abcdefgh".repeat(500)));
        StringBuilder noise = new StringBuilder();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 3000; i++) {
            noise.append((char) random.nextInt(256));
        }
        r.set(b("str:binary"), b(noise.toString()));
        r.set(b("str:big"), b("x".repeat(40_000)));
        r.set(b("str:ttl"), b("soon"), SetArgs.Builder.px(500_000));

        List<byte[]> small = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            small.add(b(i % 2 == 0 ? Integer.toString(i * 1000 - 3000) : "element-" + i));
        }
        r.rpush(b("list:small"), small.toArray(new byte[0][]));
        List<byte[]> large = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            large.add(b(i % 3 == 0 ? Long.toString(i * 123_456_789L - 40_000_000_000L) : "item:" + i));
        }
        r.rpush(b("list:large"), large.toArray(new byte[0][]));
        r.rpush(b("list:bigelement"), b("a"), b("y".repeat(20_000)), b("b"), b("z".repeat(5000)));
        r.rpush(b("list:ttl"), b("1"), b("2"));
        r.pexpire(b("list:ttl"), 400_000);

        Map<byte[], byte[]> hsmall = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            hsmall.put(b("field" + i), b(i % 2 == 0 ? Integer.toString(i * 70_000) : "value" + i));
        }
        r.hset(b("hash:small"), hsmall);
        Map<byte[], byte[]> hlarge = new LinkedHashMap<>();
        for (int i = 0; i < 1000; i++) {
            hlarge.put(b("f:" + i), b("v:" + i * 7));
        }
        r.hset(b("hash:large"), hlarge);
        r.hset(b("hash:longvalue"), b("f"), b("w".repeat(100)));
        r.hset(b("hash:ttl"), b("a"), b("1"));
        r.pexpire(b("hash:ttl"), 300_000);

        r.sadd(b("set:int16"), b("1"), b("2"), b("3"), b("-400"), b("32767"));
        r.sadd(b("set:int32"), b("1"), b("100000"), b("-100000"));
        r.sadd(b("set:int64"), b("1"), b("9223372036854775807"), b("-9223372036854775808"));
        r.sadd(b("set:strings"), b("a"), b("b"), b("c"), b("10"));
        List<byte[]> ints = new ArrayList<>();
        List<byte[]> strings = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ints.add(b(Integer.toString(i * 3)));
            strings.add(b("member:" + i));
        }
        r.sadd(b("set:manyints"), ints.toArray(new byte[0][]));
        r.sadd(b("set:large"), strings.toArray(new byte[0][]));
        r.sadd(b("set:ttl"), b("x"));
        r.pexpire(b("set:ttl"), 200_000);

        r.zadd(b("zset:small"), ScoredValue.just(1, b("one")), ScoredValue.just(2.5, b("two.5")),
                ScoredValue.just(-3, b("minus")), ScoredValue.just(Double.POSITIVE_INFINITY, b("inf")),
                ScoredValue.just(Double.NEGATIVE_INFINITY, b("-inf")), ScoredValue.just(1e-7, b("tiny")),
                ScoredValue.just(123456789.125, b("big")), ScoredValue.just(0.1, b("0.1")),
                ScoredValue.just(5, b("15")), ScoredValue.just(1e20, b("huge")));
        List<ScoredValue<byte[]>> zl = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            zl.add(ScoredValue.just(i * 0.37 - 100, b("m" + i)));
        }
        @SuppressWarnings("unchecked")
        ScoredValue<byte[]>[] za = zl.toArray(new ScoredValue[0]);
        r.zadd(b("zset:large"), za);
        r.zadd(b("zset:longmember"), ScoredValue.just(1, b("q".repeat(100))));
        r.zadd(b("zset:ttl"), ScoredValue.just(1, b("a")));
        r.pexpire(b("zset:ttl"), 100_000);

        r.xadd(b("stream:small"), new XAddArgs().id("1-1"), b("a"), b("1"), b("b"), b("2"));
        r.xadd(b("stream:small"), new XAddArgs().id("2-0"), b("a"), b("3"), b("b"), b("-40000"));
        r.xadd(b("stream:small"), new XAddArgs().id("3-5"), b("c"), b("x".repeat(100)));
        for (int i = 1; i <= 1000; i++) {
            r.xadd(b("stream:large"), new XAddArgs().id(i + "-" + (i % 3)), b("n"), b(Integer.toString(i)),
                    b(i % 7 == 0 ? "other" : "field"), b("v" + i));
        }
        r.xdel(b("stream:large"), "7-1", "500-2", "501-0");
        for (int i = 1; i <= 20; i++) {
            r.xadd(b("stream:groups"), new XAddArgs().id(i + "-0"), b("job"), b(Integer.toString(i)));
        }
        r.xgroupCreate(XReadArgs.StreamOffset.from(b("stream:groups"), "0"), b("g1"));
        r.xreadgroup(io.lettuce.core.Consumer.from(b("g1"), b("alice")), XReadArgs.Builder.count(5),
                XReadArgs.StreamOffset.lastConsumed(b("stream:groups")));
        r.xreadgroup(io.lettuce.core.Consumer.from(b("g1"), b("bob")), XReadArgs.Builder.count(3),
                XReadArgs.StreamOffset.lastConsumed(b("stream:groups")));
        r.xack(b("stream:groups"), b("g1"), "2-0", "7-0");
        r.xgroupCreate(XReadArgs.StreamOffset.from(b("stream:groups"), "$"), b("g2"));
        r.xgroupCreateconsumer(b("stream:groups"), io.lettuce.core.Consumer.from(b("g2"), b("carol")));
        r.xadd(b("stream:empty"), new XAddArgs().id("5-0"), b("f"), b("v"));
        r.xdel(b("stream:empty"), "5-0");
        r.xadd(b("stream:ttl"), new XAddArgs().id("9-9"), b("f"), b("v"));
        r.pexpire(b("stream:ttl"), 250_000);

        List<String> keys = new ArrayList<>();
        for (byte[] k : r.keys(b("*"))) {
            keys.add(s(k));
        }
        java.util.Collections.sort(keys);
        return keys;
    }

    /** A key's type, encoding and contents in a canonical text (sets and hashes sorted). */
    public static String contents(RedisCommands<byte[], byte[]> r, String key) {
        byte[] k = b(key);
        String type = r.type(k);
        String body = switch (type) {
            case "string" -> s(r.get(k));
            case "list" -> r.lrange(k, 0, -1).stream().map(DumpRestoreInteropTest::s).toList().toString();
            case "set" -> r.smembers(k).stream().map(DumpRestoreInteropTest::s).sorted().toList().toString();
            case "hash" -> {
                TreeMap<String, String> m = new TreeMap<>();
                r.hgetall(k).forEach((f, v) -> m.put(s(f), s(v)));
                yield m.toString();
            }
            case "zset" -> r.zrangeWithScores(k, 0, -1).stream().map(v -> s(v.getValue()) + "=" + v.getScore()).toList().toString();
            case "stream" -> streamContents(r, k);
            default -> throw new AssertionError("unexpected type " + type + " of " + key);
        };
        return type + "/" + s(r.objectEncoding(k).getBytes(StandardCharsets.ISO_8859_1)) + ":" + body;
    }

    /**
     * XINFO STREAM FULL: entries, IDs, counters, groups with their PELs and consumers (delivery and
     * seen times included: a payload carries them), less radix-tree-nodes, a count of Redis's rax
     * internals that no payload carries.
     */
    private static String streamContents(RedisCommands<byte[], byte[]> r, byte[] key) {
        List<Object> info = r.dispatch(CommandType.XINFO, new NestedMultiOutput<>(ByteArrayCodec.INSTANCE),
                new CommandArgs<>(ByteArrayCodec.INSTANCE).add("STREAM").addKey(key).add("FULL").add("COUNT").add(0));
        List<Object> shown = new ArrayList<>();
        for (int i = 0; i + 1 < info.size(); i += 2) {
            if (!"radix-tree-nodes".equals(render(info.get(i)))) {
                shown.add(render(info.get(i)));
                shown.add(render(info.get(i + 1)));
            }
        }
        return shown.toString();
    }

    private static Object render(Object o) {
        if (o instanceof byte[] bytes) {
            return s(bytes);
        }
        if (o instanceof List<?> list) {
            return list.stream().map(DumpRestoreInteropTest::render).toList();
        }
        return o;
    }

    /** Dumps every key of {@code from}, restores it into {@code to} with its TTL, and compares. */
    private void transfer(RedisCommands<byte[], byte[]> from, RedisCommands<byte[], byte[]> to, List<String> keys) {
        for (String key : keys) {
            byte[] k = b(key);
            byte[] payload = from.dump(k);
            assertNotNull(payload, key);
            long pttl = from.pttl(k);
            assertEquals("OK", to.restore(k, pttl > 0 ? pttl : 0, payload), key);
        }
        for (String key : keys) {
            assertEquals(contents(from, key), contents(to, key), key);
            long expected = from.pttl(b(key));
            long actual = to.pttl(b(key));
            if (expected < 0) {
                assertEquals(expected, actual, key);
            } else {
                assertTrue(Math.abs(expected - actual) < 5000, key + ": " + expected + " vs " + actual);
            }
        }
    }

    @Test
    void redisToDamselfly_everyTypeAndEncoding() {
        List<String> keys = populate(redis);
        assertEquals(35, keys.size());
        transfer(redis, ours, keys);
    }

    @Test
    void damselflyToRedis_everyTypeAndEncoding() {
        List<String> keys = populate(ours);
        assertEquals(35, keys.size());
        transfer(ours, redis, keys);
    }

    @Test
    void damselflyRoundTrip_keepsEncodings() {
        List<String> keys = populate(ours);
        Map<String, String> before = new LinkedHashMap<>();
        for (String key : keys) {
            before.put(key, contents(ours, key));
        }
        for (String key : keys) {
            byte[] payload = ours.dump(b(key));
            assertEquals("OK", ours.restore(b(key), payload, RestoreArgs.Builder.ttl(0).replace()));
        }
        for (String key : keys) {
            assertEquals(before.get(key), contents(ours, key), key);
            assertEquals(-1L, ours.pttl(b(key)), key);
        }
    }

    @Test
    void restore_keyspaceNotification_restoreEvent(RedisClient damselfly, EmbeddedServer server) throws Exception {
        ours.set(b("k"), b("v"));
        byte[] payload = ours.dump(b("k"));
        try (RawClient sub = new RawClient(server.host(), server.port())) {
            ours.configSet("notify-keyspace-events", "Egn");
            sub.call("SUBSCRIBE", "__keyevent@0__:restore", "__keyevent@0__:new");
            sub.read();
            assertEquals("OK", ours.restore(b("k2"), 0, payload));
            assertEquals("[$message, $__keyevent@0__:new, $k2]", RawClient.render(sub.read()));
            assertEquals("[$message, $__keyevent@0__:restore, $k2]", RawClient.render(sub.read()));
        } finally {
            ours.configSet("notify-keyspace-events", "");
        }
    }
}
