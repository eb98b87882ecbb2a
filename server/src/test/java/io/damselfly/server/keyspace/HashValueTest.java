package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * HashValue's two forms against a plain map: random writes in both forms, the footprint kept
 * incrementally against one recomputed, the conversion rules, and HSCAN's guarantee across
 * table growth and shrinkage.
 */
class HashValueTest {
    private static final ListpackLimits DEFAULTS = ListpackLimits.HASH_DEFAULTS;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> contents(HashValue h) {
        Map<String, String> m = new HashMap<>();
        h.forEach((f, fo, fl, v, vo, vl) -> m.put(new String(f, fo, fl, StandardCharsets.UTF_8), new String(v, vo, vl, StandardCharsets.UTF_8)));
        return m;
    }

    /** The footprint a fresh recomputation gives: this object plus its array, or the table's parts. */
    private static void assertConsistent(HashValue h, Map<String, String> model) {
        assertNull(h.checkStructure());
        assertEquals(model, contents(h));
        assertEquals(model.size(), h.size());
        long data = 0;
        for (Map.Entry<String, String> e : model.entrySet()) {
            data += MemoryLayout.byteArray(b(e.getKey()).length) + MemoryLayout.byteArray(b(e.getValue()).length);
        }
        if (h.encoding().equals("hashtable")) {
            long tableArrays = h.footprint() - MemoryLayout.HASH_VALUE - MemoryLayout.FIELD_TABLE - data;
            assertTrue(tableArrays > 0, "table arrays " + tableArrays);
        } else {
            assertTrue(h.footprint() >= MemoryLayout.HASH_VALUE + MemoryLayout.byteArray(0));
        }
    }

    @Test
    void randomWrites_matchAMap_inBothForms() {
        Random random = new Random(42);
        for (ListpackLimits limits : new ListpackLimits[] {DEFAULTS, new ListpackLimits(4, 8), new ListpackLimits(0, 64)}) {
            HashValue h = new HashValue();
            Map<String, String> model = new HashMap<>();
            for (int i = 0; i < 20_000; i++) {
                String f = "f" + random.nextInt(300);
                if (random.nextInt(3) == 0) {
                    assertEquals(model.remove(f) != null, h.remove(b(f)));
                } else {
                    String v = "v".repeat(random.nextInt(random.nextInt(10) == 0 ? 200 : 10));
                    assertEquals(model.put(f, v) == null, h.put(b(f), b(v), limits));
                }
                if (i % 97 == 0) {
                    assertConsistent(h, model);
                }
            }
            assertConsistent(h, model);
            HashValue copy = h.copy();
            assertEquals(h.encoding(), copy.encoding());
            assertEquals(model, contents(copy));
            copy.put(b("only-in-copy"), b("x"), limits);
            assertEquals(model, contents(h));
        }
    }

    @Test
    void conversion_byEntriesOrLength_andNeverBack() {
        ListpackLimits limits = new ListpackLimits(3, 5);
        HashValue h = new HashValue();
        for (String f : new String[] {"a", "b", "c"}) {
            h.put(b(f), b("12345"), limits);
        }
        assertEquals("listpack", h.encoding());
        h.put(b("d"), b("1"), limits);
        assertEquals("hashtable", h.encoding());
        h.remove(b("a"));
        h.remove(b("b"));
        h.remove(b("c"));
        assertEquals("hashtable", h.encoding());

        HashValue v = new HashValue();
        v.put(b("a"), b("123456"), limits);
        assertEquals("hashtable", v.encoding());

        HashValue args = new HashValue();
        args.convertForArguments(new byte[][] {b("k"), b("short"), b("toolong")}, 1, 3, limits);
        assertEquals("hashtable", args.encoding());
    }

    @Test
    void compactForm_tenShortFields_isOneSmallArray() {
        HashValue h = new HashValue();
        for (int i = 0; i < 10; i++) {
            h.put(b("field:" + i), b("value:" + i), DEFAULTS);
        }
        // ten pairs of 7-byte strings with a 1-byte length each: 160 bytes, no spare room
        assertEquals(MemoryLayout.HASH_VALUE + MemoryLayout.byteArray(160), h.footprint());
        HashValue batch = new HashValue();
        byte[][] args = new byte[21][];
        args[0] = b("h");
        for (int i = 0; i < 10; i++) {
            args[1 + 2 * i] = b("field:" + i);
            args[2 + 2 * i] = b("value:" + i);
        }
        assertEquals(10, batch.putAll(args, 1, DEFAULTS));
        assertEquals(h.footprint(), batch.footprint());
        assertEquals(contents(h), contents(batch));
        // a replaced value of another length, a removal: still exactly the entries
        batch.put(b("field:3"), b("longer value"), DEFAULTS);
        batch.remove(b("field:7"));
        assertEquals(MemoryLayout.HASH_VALUE + MemoryLayout.byteArray(160 + 5 - 16), batch.footprint());
        assertNull(batch.checkStructure());
    }

    @Test
    void putAll_matchesPutPairByPair_withRepeatedFieldsAndConversionMidway() {
        Random random = new Random(11);
        for (ListpackLimits limits : new ListpackLimits[] {DEFAULTS, new ListpackLimits(6, 8), new ListpackLimits(0, 64)}) {
            HashValue batched = new HashValue();
            HashValue single = new HashValue();
            Map<String, String> model = new HashMap<>();
            for (int round = 0; round < 300; round++) {
                int pairs = 1 + random.nextInt(6);
                byte[][] args = new byte[2 + 2 * pairs][];
                args[0] = b("HSET");
                args[1] = b("key");
                int expectedNew = 0;
                for (int p = 0; p < pairs; p++) {
                    String f = "f" + random.nextInt(12);
                    String v = "v".repeat(random.nextInt(random.nextInt(20) == 0 ? 20 : 7));
                    args[2 + 2 * p] = b(f);
                    args[3 + 2 * p] = b(v);
                    if (model.put(f, v) == null) {
                        expectedNew++;
                    }
                }
                boolean anyLong = false;
                for (int i = 2; i < args.length; i++) {
                    anyLong |= args[i].length > limits.maxValueBytes();
                }
                if (anyLong) {
                    single.convertForArguments(args, 2, args.length, limits);
                }
                int singleNew = 0;
                for (int i = 2; i < args.length; i += 2) {
                    singleNew += single.put(args[i], args[i + 1], limits) ? 1 : 0;
                }
                assertEquals(expectedNew, batched.putAll(args, 2, limits));
                assertEquals(expectedNew, singleNew);
                assertEquals(single.encoding(), batched.encoding());
                assertConsistent(batched, model);
                assertEquals(single.footprint(), batched.footprint());
                if (random.nextInt(4) == 0) {
                    String f = "f" + random.nextInt(12);
                    assertEquals(model.remove(f) != null, batched.remove(b(f)));
                    single.remove(b(f));
                }
            }
        }
    }

    @Test
    void scan_returnsEveryFieldPresentThroughout_acrossGrowthAndShrinking() {
        Random random = new Random(7);
        HashValue h = new HashValue();
        ListpackLimits limits = new ListpackLimits(0, 64);
        Set<String> stable = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            h.put(b("stable" + i), b("v"), limits);
            stable.add("stable" + i);
        }
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int round = 0;
        do {
            cursor = h.scan(cursor, 10, (f, fo, fl, v, vo, vl) -> seen.add(new String(f, fo, fl, StandardCharsets.UTF_8)));
            // churn between calls: grow past several doublings, then shrink back
            int phase = round++ % 40;
            for (int k = 0; k < 200; k++) {
                String t = "temp" + random.nextInt(20_000);
                if (phase < 20) {
                    h.put(b(t), b("x"), limits);
                } else {
                    h.remove(b(t));
                }
            }
        } while (cursor != 0);
        Set<String> missing = new HashSet<>(stable);
        missing.removeAll(seen);
        assertEquals(Set.of(), missing);
        assertNull(h.checkStructure());
    }

    @Test
    void randomPairs_uniqueAreDistinct_andRepeatedStayInTheHash() {
        Random random = new Random(3);
        for (ListpackLimits limits : new ListpackLimits[] {DEFAULTS, new ListpackLimits(0, 64)}) {
            HashValue h = new HashValue();
            for (int i = 0; i < 100; i++) {
                h.put(b("f" + i), b("v" + i), limits);
            }
            for (long count : new long[] {1, 10, 40, 99, 100, 500}) {
                Set<String> picked = new HashSet<>();
                int[] n = {0};
                h.randomPairs(count, true, random, (f, fo, fl, v, vo, vl) -> {
                    String field = new String(f, fo, fl, StandardCharsets.UTF_8);
                    assertEquals("v" + field.substring(1), new String(v, vo, vl, StandardCharsets.UTF_8));
                    picked.add(field);
                    n[0]++;
                });
                assertEquals(Math.min(count, 100), n[0]);
                assertEquals(n[0], picked.size());
            }
            int[] n = {0};
            h.randomPairs(1000, false, random, (f, fo, fl, v, vo, vl) -> n[0]++);
            assertEquals(1000, n[0]);
        }
    }

    @Test
    void compactForm_longLengths_useMultiByteLengths() {
        HashValue h = new HashValue();
        ListpackLimits roomy = new ListpackLimits(512, 1 << 20);
        byte[] big = new byte[70_000];
        Arrays.fill(big, (byte) 'x');
        h.put(b("big"), big, roomy);
        h.put(b("small"), b("s"), roomy);
        assertEquals("listpack", h.encoding());
        assertEquals(70_000, h.valueLengthAt(h.find(b("big"))));
        assertEquals(1, h.valueLengthAt(h.find(b("small"))));
        assertNull(h.checkStructure());
    }
}
