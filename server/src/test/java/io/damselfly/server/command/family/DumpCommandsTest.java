package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.rdb.Crc64;
import io.damselfly.server.testing.BlockedClients;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.BinaryComparison;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * DUMP and RESTORE: every error and option answered as redis-server 7.0.15 answers it (each
 * command sent to both servers with the same binary payloads, replies compared), IDLETIME and
 * FREQ, a RESTORE waking a BLPOP, WATCH, and a fuzz of corrupt payloads that must be refused
 * with Redis's errors without disturbing the keyspace.
 */
class DumpCommandsTest extends BinaryComparison {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Sends each command to both servers on fresh connections, in RESP2 and then (after a flush)
     * in RESP3; every reply must render the same.
     */
    private void sameReplies(Object[]... commands) {
        sameReplies(2, commands);
        redis.flushall();
        ours.flushall();
        sameReplies(3, commands);
    }

    private void sameReplies(int protocol, Object[]... commands) {
        try (RawClient ref = new RawClient("127.0.0.1", reference.port());
             RawClient us = new RawClient(damselfly.host(), damselfly.port())) {
            if (protocol == 3) {
                ref.call("HELLO", "3");
                us.call("HELLO", "3");
            }
            for (Object[] command : commands) {
                String expected = ref.callText(command);
                assertEquals(expected, us.callText(command), "RESP" + protocol + " " + Arrays.deepToString(command));
            }
        }
    }

    private static Object[] cmd(Object... args) {
        return args;
    }

    /** A payload as Redis frames it: the body, version 10, and the CRC64 of both. */
    static byte[] framed(byte[] body) {
        return framed(body, 10);
    }

    static byte[] framed(byte[] body, int version) {
        byte[] p = Arrays.copyOf(body, body.length + 10);
        p[body.length] = (byte) version;
        p[body.length + 1] = (byte) (version >>> 8);
        long crc = Crc64.of(p, 0, body.length + 2);
        for (int i = 0; i < 8; i++) {
            p[body.length + 2 + i] = (byte) (crc >>> (8 * i));
        }
        return p;
    }

    @Test
    void restore_errorsAndOptions_sameAsRedis() {
        redis.rpush(b("src"), b("a"), b("b"));
        byte[] list = redis.dump(b("src"));
        byte[] bad = list.clone();
        bad[3] ^= 1;
        byte[] version11 = framed(Arrays.copyOf(list, list.length - 10), 11);
        byte[] garbageBody = framed(new byte[] {0x42, 1, 2, 3});
        sameReplies(
                cmd("DUMP", "nokey"),
                cmd("RESTORE", "k"),
                cmd("RESTORE", "k", "0"),
                cmd("RESTORE", "k", "0", "garbage"),
                cmd("RESTORE", "k", "0", ""),
                cmd("RESTORE", "k", "0", bad),
                cmd("RESTORE", "k", "0", version11),
                cmd("RESTORE", "k", "0", garbageBody),
                cmd("RESTORE", "k", "-1", list),
                cmd("RESTORE", "k", "abc", list),
                cmd("RESTORE", "k", "0", list, "IDLETIME", "-1"),
                cmd("RESTORE", "k", "0", list, "IDLETIME", "x"),
                cmd("RESTORE", "k", "0", list, "IDLETIME"),
                cmd("RESTORE", "k", "0", list, "FREQ", "256"),
                cmd("RESTORE", "k", "0", list, "FREQ", "-1"),
                cmd("RESTORE", "k", "0", list, "FREQ", "1", "IDLETIME", "1"),
                cmd("RESTORE", "k", "0", list, "IDLETIME", "1", "FREQ", "1"),
                cmd("RESTORE", "k", "0", list, "BOGUS"),
                cmd("EXISTS", "k"),
                cmd("RESTORE", "k", "0", list),
                cmd("LRANGE", "k", "0", "-1"),
                cmd("RESTORE", "k", "0", list),
                // BUSYKEY comes before the TTL and payload checks
                cmd("RESTORE", "k", "-5", "garbage"),
                cmd("RESTORE", "k", "0", list, "REPLACE"),
                cmd("TTL", "k"),
                cmd("RESTORE", "k", "100000", list, "REPLACE"),
                cmd("TTL", "k"),
                cmd("RESTORE", "k", "1", list, "REPLACE", "ABSTTL"),
                cmd("EXISTS", "k"),
                cmd("RESTORE", "k", "1", list, "ABSTTL"),
                cmd("EXISTS", "k"),
                cmd("RESTORE", "k", "4102444800000", list, "ABSTTL"),
                cmd("PEXPIRETIME", "k"),
                cmd("RESTORE", "k", "0", list, "replace", "absttl", "idletime", "100"),
                cmd("OBJECT", "IDLETIME", "k"),
                cmd("TYPE", "k"),
                cmd("SET", "s", "v"),
                cmd("RESTORE", "s", "0", list, "REPLACE"),
                cmd("TYPE", "s"),
                cmd("DUMP"),
                cmd("DUMP", "a", "b"));
    }

    @Test
    void restore_idletime_objectIdletime() {
        ours.set(b("k"), b("v"));
        byte[] payload = ours.dump(b("k"));
        assertEquals("OK", ours.restore(b("r"), payload, io.lettuce.core.RestoreArgs.Builder.ttl(0).idleTime(1000)));
        long idle = ours.objectIdletime(b("r"));
        assertTrue(idle >= 1000 && idle <= 1002, "idle " + idle);
        assertEquals("OK", ours.restore(b("r2"), payload, io.lettuce.core.RestoreArgs.Builder.ttl(0)));
        assertTrue(ours.objectIdletime(b("r2")) <= 1);
    }

    @Test
    void restore_freq_underLfu() {
        ours.configSet("maxmemory-policy", "allkeys-lfu");
        try {
            ours.set(b("k"), b("v"));
            byte[] payload = ours.dump(b("k"));
            assertEquals("OK", ours.restore(b("r"), payload, io.lettuce.core.RestoreArgs.Builder.ttl(0).frequency(100)));
            assertEquals(100L, ours.objectFreq(b("r")));
        } finally {
            ours.configSet("maxmemory-policy", "noeviction");
        }
    }

    @Test
    void restore_list_wakesBlpop(RedisClient client) throws Exception {
        ours.rpush(b("src"), b("x"), b("y"));
        byte[] payload = ours.dump(b("src"));
        try (StatefulRedisConnection<String, String> blocked = client.connect();
             StatefulRedisConnection<String, String> watcher = client.connect()) {
            var pop = blocked.async().blpop(5, "dst");
            BlockedClients.await(watcher.sync(), 1);
            assertEquals("OK", ours.restore(b("dst"), 0, payload));
            var popped = pop.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals("x", popped.getValue());
            assertEquals(List.of("y"), ours.lrange(b("dst"), 0, -1).stream().map(String::new).toList());
        }
    }

    @Test
    void restore_touchesWatchedKey(RedisClient client) {
        ours.set(b("k"), b("v"));
        byte[] payload = ours.dump(b("k"));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisCommands<String, String> tx = c.sync();
            tx.watch("w");
            assertEquals("OK", ours.restore(b("w"), 0, payload));
            tx.multi();
            tx.set("w", "mine");
            assertTrue(tx.exec().wasDiscarded());
        }
    }

    @Test
    void restore_quicklistNodeOfZeroBytes_refusedAsRedis() {
        // integration/corrupt-dump's "quicklist encoded_len is 0" (a plain node), and a packed one
        sameReplies(
                cmd("RESTORE", "l", "0", framed(new byte[] {0x12, 1, 1, 0}), "REPLACE"),
                cmd("RESTORE", "l", "0", framed(new byte[] {0x12, 1, 2, 0}), "REPLACE"),
                cmd("RESTORE", "l", "0", framed(new byte[] {0x12, 2, 1, 1, 'a', 1, 0}), "REPLACE"),
                cmd("EXISTS", "l"),
                cmd("CONFIG", "SET", "sanitize-dump-payload", "yes"),
                cmd("RESTORE", "l", "0", framed(new byte[] {0x12, 1, 1, 0}), "REPLACE"),
                cmd("CONFIG", "SET", "sanitize-dump-payload", "no"));
    }

    @Test
    void dump_missingKey_nullAndExpiredKey_null() throws Exception {
        assertNull(ours.dump(b("nokey")));
        ours.set(b("k"), b("v"), io.lettuce.core.SetArgs.Builder.px(1));
        Thread.sleep(5);
        assertNull(ours.dump(b("k")));
    }

    @Test
    void restore_corruptPayloads_refusedKeyspaceIntact() {
        // valid payloads of every kind, from Redis
        List<byte[]> seeds = new ArrayList<>();
        DumpRestoreInteropTest.populate(redis);
        for (byte[] k : redis.keys(b("*"))) {
            seeds.add(redis.dump(k));
        }
        ours.set(b("keep"), b("safe"));
        Random random = new Random(16);
        int refused = 0;
        try (RawClient us = new RawClient(damselfly.host(), damselfly.port())) {
            for (int round = 0; round < 3000; round++) {
                byte[] seed = seeds.get(random.nextInt(seeds.size()));
                byte[] body = Arrays.copyOf(seed, seed.length - 10);
                switch (round % 4) {
                    case 0 -> {
                        // flip a few bytes, checksum made right again
                        for (int f = 1 + random.nextInt(3); f > 0; f--) {
                            body[random.nextInt(body.length)] ^= (byte) (1 + random.nextInt(255));
                        }
                    }
                    case 1 -> body = Arrays.copyOf(body, random.nextInt(body.length));
                    case 2 -> {
                        body = new byte[random.nextInt(64)];
                        random.nextBytes(body);
                        if (body.length > 0) {
                            body[0] = (byte) random.nextInt(20);
                        }
                    }
                    default -> {
                        // a plausible header over random bytes
                        byte[] tail = new byte[random.nextInt(200)];
                        random.nextBytes(tail);
                        body = Arrays.copyOf(body, Math.min(body.length, 1 + random.nextInt(12)));
                        byte[] joined = Arrays.copyOf(body, body.length + tail.length);
                        System.arraycopy(tail, 0, joined, body.length, tail.length);
                        body = joined;
                    }
                }
                String reply = us.callText("RESTORE", "fuzz", "0", framed(body), "REPLACE");
                if (reply.equals("+OK")) {
                    // whatever decoded must be a readable value
                    us.callText("DUMP", "fuzz");
                } else {
                    assertEquals("-ERR Bad data format", reply, "round " + round);
                    refused++;
                }
                if (round % 3 == 0) {
                    String unframed = us.callText("RESTORE", "fuzz2", "0", body);
                    assertTrue(unframed.equals("-ERR DUMP payload version or checksum are wrong")
                            || unframed.equals("+OK"), unframed);
                    us.callText("DEL", "fuzz2");
                }
            }
        }
        assertTrue(refused > 1000, "refused " + refused);
        assertEquals("safe", new String(ours.get(b("keep"))));
    }

    /** Type and contents, sets, hashes and sorted sets in a canonical order (encodings left out). */
    private static String normalized(RedisCommands<byte[], byte[]> r, byte[] k) {
        String type = r.type(k);
        java.util.function.Function<byte[], String> s = x -> new String(x, StandardCharsets.ISO_8859_1);
        return type + ":" + switch (type) {
            case "string" -> s.apply(r.get(k));
            case "list" -> r.lrange(k, 0, -1).stream().map(s).toList();
            case "set" -> r.smembers(k).stream().map(s).sorted().toList();
            case "hash" -> new java.util.TreeMap<>(r.hgetall(k).entrySet().stream()
                    .collect(java.util.stream.Collectors.toMap(e -> s.apply(e.getKey()), e -> s.apply(e.getValue()))));
            case "zset" -> r.zrangeWithScores(k, 0, -1).stream().map(v -> s.apply(v.getValue()) + "=" + v.getScore()).sorted().toList();
            default -> type;
        };
    }

    @Test
    void restore_damagedPayloads_acceptedAndRefusedAsRedisSanitizing() {
        // Redis with deep checks (sanitize-dump-payload yes, so it cannot load a broken object):
        // every damaged payload must be refused by both or taken by both with the same contents.
        // Two differences are known and left out: an intset out of order (Redis's deep check
        // refuses it, its default shallow one takes it, and so does damselfly, sorting it), and a
        // compact sorted set out of order (Redis keeps the wrong order, damselfly sorts it).
        redis.configSet("sanitize-dump-payload", "yes");
        try {
            redis.rpush(b("l"), b("a"), b("b"), b("123"), b("-5"), b("x".repeat(70)));
            redis.hset(b("h"), java.util.Map.of(b("f"), b("v"), b("g"), b("12"), b("hh"), b("w".repeat(30))));
            redis.sadd(b("ss"), b("a"), b("b"));
            redis.zadd(b("z"), io.lettuce.core.ScoredValue.just(1, b("a")), io.lettuce.core.ScoredValue.just(2.5, b("b")),
                    io.lettuce.core.ScoredValue.just(-3, b("c")));
            redis.set(b("s"), b("hello world this is a compressible string string string string"));
            redis.set(b("n"), b("12345"));
            List<byte[]> seeds = new ArrayList<>();
            for (String k : List.of("l", "h", "ss", "z", "s", "n")) {
                byte[] d = redis.dump(b(k));
                seeds.add(Arrays.copyOf(d, d.length - 10));
            }
            Random random = new Random(1607);
            int same = 0;
            try (RawClient ref = new RawClient("127.0.0.1", reference.port());
                 RawClient us = new RawClient(damselfly.host(), damselfly.port())) {
                for (int round = 0; round < 2000; round++) {
                    byte[] body = seeds.get(random.nextInt(seeds.size())).clone();
                    for (int f = 1 + random.nextInt(3); f > 0; f--) {
                        body[random.nextInt(body.length)] = (byte) random.nextInt(256);
                    }
                    if ((body[0] & 0xFF) == 11) {
                        continue;
                    }
                    byte[] payload = framed(body);
                    String expected = ref.callText("RESTORE", "k", "0", payload, "REPLACE");
                    String actual = us.callText("RESTORE", "k", "0", payload, "REPLACE");
                    assertEquals(expected, actual, "round " + round + ": " + java.util.HexFormat.of().formatHex(body));
                    if (expected.equals("+OK")) {
                        assertEquals(normalized(redis, b("k")), normalized(ours, b("k")), "round " + round);
                    }
                    same++;
                }
            }
            assertTrue(same > 1500, "compared " + same);
        } finally {
            redis.configSet("sanitize-dump-payload", "no");
        }
    }
}
