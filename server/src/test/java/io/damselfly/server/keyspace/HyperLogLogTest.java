package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HyperLogLog string format against a live redis-server 7.0.15: the same PFADDs leave the
 * same bytes (sparse, promoted to dense, merged, under other hll-sparse-max-bytes), the same
 * counts from 1 to 200k elements, the same cached cardinality; HLLs moved by DUMP/RESTORE either
 * way count the same; random and mutated strings get exactly Redis's replies and leave the same
 * bytes. Plus the pure functions alone: register packing, the empty HLL, garbage that must never
 * throw.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class HyperLogLogTest {

    // ---- pure functions ---------------------------------------------------------------------

    @Test
    void empty_isOneXzeroOf16384() {
        HyperLogLog h = HyperLogLog.empty();
        assertEquals(18, h.length());
        byte[] expected = new byte[18];
        System.arraycopy("HYLL".getBytes(StandardCharsets.US_ASCII), 0, expected, 0, 4);
        expected[4] = 1;
        expected[16] = 0x7f;
        expected[17] = (byte) 0xff;
        assertArrayEquals(expected, h.toByteArray());
        assertEquals(0, HyperLogLog.count(h.bytes(), 0, h.length()));
        assertEquals("Z:16384", h.decode());
    }

    @Test
    void denseRegisters_keepTheirValues_andLeaveNeighboursAlone() {
        Random random = new Random(7);
        byte[] dense = new byte[HyperLogLog.DENSE_SIZE];
        int[] expected = new int[HyperLogLog.REGISTERS];
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < expected.length; i++) {
                expected[i] = random.nextInt(64);
                HyperLogLog.setDenseRegister(dense, HyperLogLog.HEADER, i, expected[i]);
            }
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], HyperLogLog.denseRegister(dense, HyperLogLog.HEADER, i), "register " + i);
            }
        }
    }

    @Test
    void selfTest_passes() {
        assertNull(HyperLogLog.selfTest(new Random(3), 3000));
    }

    @Test
    void sparseSet_promotesAboveValue32_andPastTheSparseLimit() {
        HyperLogLog h = HyperLogLog.empty();
        assertEquals(1, h.set(5, 32, 3000));
        assertFalse(h.isDense());
        assertEquals(1, h.set(6, 33, 3000));
        assertTrue(h.isDense());
        assertEquals(HyperLogLog.DENSE_SIZE, h.length());
        assertEquals(32, HyperLogLog.denseRegister(h.bytes(), HyperLogLog.HEADER, 5));
        HyperLogLog small = HyperLogLog.empty();
        // 18 bytes; XZERO split into XZERO VAL XZERO grows by 3 and passes a limit of 20
        assertEquals(1, small.set(1000, 1, 20));
        assertTrue(small.isDense());
    }

    @Test
    void garbage_neverThrows() {
        Random random = new Random(11);
        byte[] element = new byte[8];
        for (int i = 0; i < 20_000; i++) {
            int len = HyperLogLog.HEADER + random.nextInt(random.nextBoolean() ? 40 : 400);
            byte[] b = new byte[len];
            random.nextBytes(b);
            System.arraycopy("HYLL".getBytes(StandardCharsets.US_ASCII), 0, b, 0, 4);
            b[4] = 1;
            assertTrue(HyperLogLog.isValid(b, 0, len));
            HyperLogLog.count(b, 0, len);
            HyperLogLog.merge(new byte[HyperLogLog.REGISTERS], b, 0, len);
            HyperLogLog h = HyperLogLog.copyOf(b, 0, len);
            for (int j = 0; j < 5; j++) {
                random.nextBytes(element);
                h.add(element, random.nextBoolean() ? 3000 : 30);
            }
            h.decode();
            h.toDense();
        }
    }

    @Test
    void isValid_checksMagicEncodingAndDenseLength() {
        byte[] b = HyperLogLog.empty().toByteArray();
        assertTrue(HyperLogLog.isValid(b, 0, b.length));
        assertFalse(HyperLogLog.isValid(b, 0, 15));
        b[4] = 0;
        assertFalse(HyperLogLog.isValid(b, 0, b.length));
        b[4] = 2;
        assertFalse(HyperLogLog.isValid(b, 0, b.length));
        b[4] = 1;
        b[3] = 'l';
        assertFalse(HyperLogLog.isValid(b, 0, b.length));
    }

    // ---- against redis-server ---------------------------------------------------------------

    /** A reply as exact text: bulk strings in hex, so binary values compare byte for byte. */
    static String exact(RespValue v) {
        if (v instanceof RespValue.BulkString s) {
            return "$" + HexFormat.of().formatHex(s.value());
        }
        if (v instanceof RespValue.Array a) {
            return a.values().stream().map(HyperLogLogTest::exact).collect(Collectors.joining(",", "[", "]"));
        }
        return RawClient.render(v);
    }

    /** Both servers, each command sent to both, the replies compared exactly. */
    static final class Pair implements AutoCloseable {
        final RawClient redis;
        final RawClient ours;

        Pair(RedisServerProcess reference, EmbeddedServer server) {
            redis = new RawClient("127.0.0.1", reference.port());
            ours = new RawClient(server.host(), server.port());
            both("FLUSHALL");
            both("CONFIG", "SET", "hll-sparse-max-bytes", "3000");
        }

        String both(Object... command) {
            String expected = exact(redis.call(command));
            assertEquals(expected, exact(ours.call(command)), () -> describe(command));
            return expected;
        }

        /** Sends a batch to both (pipelined), comparing every reply. */
        void pipeline(List<Object[]> commands) {
            byte[] frames = RawClient.encodeAll(commands);
            redis.sendRaw(frames);
            ours.sendRaw(frames);
            for (Object[] c : commands) {
                String expected = exact(redis.read());
                assertEquals(expected, exact(ours.read()), () -> describe(c));
            }
        }

        RespValue redisCall(Object... command) {
            return redis.call(command);
        }

        private static String describe(Object[] command) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < Math.min(command.length, 4); i++) {
                Object o = command[i];
                s.append(o instanceof byte[] b ? HexFormat.of().formatHex(b, 0, Math.min(b.length, 40)) : String.valueOf(o)).append(' ');
            }
            return s.toString();
        }

        @Override
        public void close() {
            redis.close();
            ours.close();
        }
    }

    private static List<Object[]> pfadds(String key, int from, int count, String prefix, int batch) {
        List<Object[]> commands = new ArrayList<>();
        for (int i = from; i < from + count; i += batch) {
            int n = Math.min(batch, from + count - i);
            Object[] c = new Object[2 + n];
            c[0] = "PFADD";
            c[1] = key;
            for (int j = 0; j < n; j++) {
                c[2 + j] = prefix + (i + j);
            }
            commands.add(c);
        }
        return commands;
    }

    @Test
    void pfadd_sameBytesAsRedis_sparseThenPromoted(RedisServerProcess reference, EmbeddedServer server) {
        try (Pair p = new Pair(reference, server)) {
            p.both("PFADD", "h");
            p.both("GET", "h");
            int added = 0;
            for (int target : new int[] {1, 2, 3, 10, 40, 100, 300, 1000, 2000, 3000, 5000, 20_000}) {
                p.pipeline(pfadds("h", added, target - added, "e", 7));
                added = target;
                p.both("GET", "h");
                p.both("PFDEBUG", "ENCODING", "h");
                p.both("PFCOUNT", "h");
                // the cached cardinality written back, byte for byte
                p.both("GET", "h");
                p.both("PFADD", "h", "e0");
                p.both("GET", "h");
            }
            assertEquals("+dense", p.both("PFDEBUG", "ENCODING", "h"));
        }
    }

    @Test
    void pfcount_sameCountsAsRedis_upTo200k(RedisServerProcess reference, EmbeddedServer server) {
        try (Pair p = new Pair(reference, server)) {
            int added = 0;
            for (int target : new int[] {1, 5, 17, 100, 999, 4321, 12_345, 50_000, 120_000, 200_000}) {
                p.pipeline(pfadds("c", added, target - added, "member:", 1000));
                added = target;
                long count = Long.parseLong(p.both("PFCOUNT", "c").substring(1));
                assertTrue(Math.abs(count - target) <= target * 0.03 + 1, target + " counted " + count);
            }
            p.both("GET", "c");
        }
    }

    @Test
    void pfmerge_andUnionCount_sameBytesAsRedis(RedisServerProcess reference, EmbeddedServer server) {
        try (Pair p = new Pair(reference, server)) {
            p.pipeline(pfadds("a{t}", 0, 200, "a", 10));
            p.pipeline(pfadds("b{t}", 100, 300, "a", 10));
            p.pipeline(pfadds("d{t}", 0, 5000, "d", 100));
            p.both("PFCOUNT", "a{t}", "b{t}", "missing{t}");
            p.both("PFMERGE", "m1{t}", "a{t}", "b{t}");
            p.both("GET", "m1{t}");
            p.both("PFMERGE", "m2{t}", "a{t}", "d{t}");
            p.both("GET", "m2{t}");
            p.both("PFMERGE", "a{t}", "b{t}");
            p.both("GET", "a{t}");
            p.both("PFMERGE", "empty{t}");
            p.both("GET", "empty{t}");
            p.both("PFCOUNT", "a{t}", "b{t}", "d{t}", "m1{t}");
            p.both("CONFIG", "SET", "hll-sparse-max-bytes", "100");
            p.both("PFMERGE", "m3{t}", "b{t}");
            p.both("GET", "m3{t}");
            p.both("PFDEBUG", "TODENSE", "b{t}");
            p.both("GET", "b{t}");
            p.both("PFDEBUG", "DECODE", "m1{t}");
        }
    }

    @Test
    void sparseMaxBytes_variants_sameBytesAsRedis(RedisServerProcess reference, EmbeddedServer server) {
        try (Pair p = new Pair(reference, server)) {
            for (String limit : new String[] {"0", "1", "30", "200", "1000", "20000"}) {
                p.both("CONFIG", "SET", "hll-sparse-max-bytes", limit);
                p.both("CONFIG", "GET", "hll-sparse-max-bytes");
                p.both("DEL", "h");
                p.pipeline(pfadds("h", 0, 1500, limit + ":", 3));
                p.both("GET", "h");
                p.both("PFCOUNT", "h");
            }
        }
    }

    @Test
    void dumpRestore_bothWays_countsTheSame(RedisServerProcess reference, EmbeddedServer server) {
        try (Pair p = new Pair(reference, server)) {
            p.pipeline(pfadds("small", 0, 50, "x", 10));
            p.pipeline(pfadds("big", 0, 30_000, "x", 1000));
            for (String key : new String[] {"small", "big"}) {
                byte[] fromRedis = ((RespValue.BulkString) p.redis.call("DUMP", key)).value();
                byte[] fromUs = ((RespValue.BulkString) p.ours.call("DUMP", key)).value();
                assertEquals("+OK", RawClient.render(p.ours.call("RESTORE", key + ":r", "0", fromRedis)));
                assertEquals("+OK", RawClient.render(p.redis.call("RESTORE", key + ":r", "0", fromUs)));
                p.both("GET", key + ":r");
                p.both("PFCOUNT", key + ":r");
                p.both("PFADD", key + ":r", "one", "more");
                p.both("PFCOUNT", key + ":r");
                p.both("GET", key + ":r");
            }
        }
    }

    @Test
    void corruptAndRandomStrings_answerAsRedis(RedisServerProcess reference, EmbeddedServer server) {
        Random random = new Random(42);
        try (Pair p = new Pair(reference, server)) {
            for (int round = 0; round < 400; round++) {
                p.both("DEL", "h", "o");
                p.both("PFADD", "o", "x", "y");
                int n = new int[] {0, 1, 3, 20, 200, 2500}[random.nextInt(6)];
                p.both("PFADD", "h");
                p.pipeline(pfadds("h", 0, n, "r" + round + ":", 50));
                if (random.nextInt(4) == 0) {
                    p.both("PFDEBUG", "TODENSE", "h");
                }
                corrupt(p, random);
                for (int step = 0; step < 2; step++) {
                    switch (random.nextInt(7)) {
                        case 0 -> p.both("PFCOUNT", "h");
                        case 1 -> p.pipeline(pfadds("h", 0, 1 + random.nextInt(60), "z" + round + ":", 60));
                        case 2 -> p.both("PFMERGE", "o", "h");
                        case 3 -> p.both("PFCOUNT", "h", "o");
                        case 4 -> p.both("PFMERGE", "h", "o");
                        case 5 -> p.both("PFDEBUG", new String[] {"GETREG", "DECODE", "ENCODING", "TODENSE", "nope"}[random.nextInt(5)], "h");
                        default -> p.both("PFADD", "h");
                    }
                    p.both("GET", "h");
                    p.both("GET", "o");
                }
            }
        }
    }

    /** Breaks the HLL at "h" one of several ways: random bytes, a tail, a cut, or all random. */
    private static void corrupt(Pair p, Random random) {
        long len = ((RespValue.Integer) p.redisCall("STRLEN", "h")).value();
        int mode = random.nextInt(10);
        if (mode < 6) {
            for (int i = 0; i < 5; i++) {
                p.both("SETRANGE", "h", Long.toString((long) (random.nextDouble() * len)), new byte[] {(byte) random.nextInt(256)});
                if (random.nextBoolean()) {
                    break;
                }
            }
        } else if (mode == 6) {
            byte[] tail = new byte[1 + random.nextInt(4)];
            random.nextBytes(tail);
            p.both("APPEND", "h", tail);
        } else if (mode == 7) {
            byte[] v = ((RespValue.BulkString) p.redisCall("GET", "h")).value();
            byte[] cut = java.util.Arrays.copyOf(v, random.nextInt(v.length + 1));
            p.both("SET", "h", cut);
        } else if (mode == 8) {
            // a sparse body of random opcodes after a valid header
            byte[] b = new byte[HyperLogLog.HEADER + 1 + random.nextInt(60)];
            random.nextBytes(b);
            System.arraycopy("HYLL".getBytes(StandardCharsets.US_ASCII), 0, b, 0, 4);
            b[4] = 1;
            p.both("SET", "h", b);
        } else {
            byte[] b = new byte[random.nextInt(40)];
            random.nextBytes(b);
            p.both("SET", "h", b);
        }
    }

    @Test
    void craftedSparseForms_answerAsRedis(RedisServerProcess reference, EmbeddedServer server) {
        Random random = new Random(5);
        try (Pair p = new Pair(reference, server)) {
            for (int round = 0; round < 400; round++) {
                p.both("SET", "h", craftedSparse(random));
                p.both("CONFIG", "SET", "hll-sparse-max-bytes", random.nextBoolean() ? "3000" : "60");
                switch (random.nextInt(5)) {
                    case 0 -> p.both("PFCOUNT", "h");
                    case 1 -> p.pipeline(pfadds("h", 0, 1 + random.nextInt(200), "q" + round + ":", 40));
                    case 2 -> p.both("PFCOUNT", "h", "nokey");
                    case 3 -> p.both("PFMERGE", "h");
                    default -> p.both("PFDEBUG", "DECODE", "h");
                }
                p.both("GET", "h");
                p.both("PFCOUNT", "h");
            }
        }
    }

    /**
     * Opcodes that cover 16384 registers give or take a few, sometimes ending in half an XZERO or
     * cut short, after a header with random unused bytes and cache.
     */
    private static byte[] craftedSparse(Random random) {
        java.io.ByteArrayOutputStream ops = new java.io.ByteArrayOutputStream();
        int target = HyperLogLog.REGISTERS + new int[] {0, 0, 0, -1, 1, 40}[random.nextInt(6)];
        int total = 0;
        while (total < target) {
            int left = target - total;
            double k = random.nextDouble();
            if (k < 0.3) {
                int n = 1 + random.nextInt(Math.min(64, left));
                ops.write(n - 1);
                total += n;
            } else if (k < 0.5) {
                int n = 1 + random.nextInt(Math.min(16384, left));
                ops.write(0x40 | ((n - 1) >>> 8));
                ops.write((n - 1) & 0xff);
                total += n;
            } else {
                int n = 1 + random.nextInt(Math.min(4, left));
                ops.write(0x80 | random.nextInt(32) << 2 | (n - 1));
                total += n;
            }
        }
        if (random.nextInt(10) == 0) {
            ops.write(0x40 | random.nextInt(64));
        }
        byte[] body = ops.toByteArray();
        if (random.nextInt(20) == 0) {
            body = java.util.Arrays.copyOf(body, body.length - 1);
        }
        byte[] b = new byte[HyperLogLog.HEADER + body.length];
        System.arraycopy("HYLL".getBytes(StandardCharsets.US_ASCII), 0, b, 0, 4);
        b[4] = 1;
        if (random.nextInt(4) == 0) {
            b[5] = (byte) random.nextInt(256);
        }
        if (random.nextInt(3) == 0) {
            for (int i = 8; i < 16; i++) {
                b[i] = (byte) random.nextInt(256);
            }
        } else {
            b[15] = (byte) 0x80;
        }
        System.arraycopy(body, 0, b, HyperLogLog.HEADER, body.length);
        return b;
    }

    @Test
    void pattern_matchesRedisRegisters(RedisServerProcess reference) {
        try (RawClient redis = new RawClient("127.0.0.1", reference.port())) {
            Random random = new Random(9);
            for (int i = 0; i < 40; i++) {
                byte[] element = new byte[random.nextInt(20)];
                random.nextBytes(element);
                redis.call("DEL", "one");
                redis.call("PFADD", "one", element);
                RespValue.Array registers = (RespValue.Array) redis.call("PFDEBUG", "GETREG", "one");
                int pattern = HyperLogLog.pattern(element);
                int index = pattern >>> 8;
                assertEquals(pattern & 0xff, ((RespValue.Integer) registers.values().get(index)).value(), "element " + i);
            }
        }
    }
}
