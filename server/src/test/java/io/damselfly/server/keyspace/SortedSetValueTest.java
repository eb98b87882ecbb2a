package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * SortedSetValue's two forms against a naive model (a map and a sort per check): ranks, scores,
 * score and lex ranges, rank removals and pops after random inserts, updates and removes; the
 * footprint kept incrementally against a recount; the conversion rules; ZSCAN's guarantee across
 * table growth and shrinkage.
 */
class SortedSetValueTest {
    private static final ListpackLimits DEFAULTS = ListpackLimits.ZSET_DEFAULTS;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private record Entry(String member, double score) {
    }

    /** The model's order: by score, then member bytes. */
    private static List<Entry> sorted(Map<String, Double> model) {
        List<Entry> all = new ArrayList<>();
        model.forEach((m, s) -> all.add(new Entry(m, s)));
        all.sort((x, y) -> ScoreSkipList.compare(x.score, b(x.member), y.score, b(y.member)));
        return all;
    }

    private static List<Entry> contents(SortedSetValue z) {
        List<Entry> all = new ArrayList<>();
        for (Object[] e : z.entries()) {
            all.add(new Entry(new String((byte[]) e[0], StandardCharsets.UTF_8), (double) e[1]));
        }
        return all;
    }

    /** The footprint recounted from the contents: the compact arrays, or each node and member array. */
    private static void assertConsistent(SortedSetValue z, Map<String, Double> model) {
        assertNull(z.checkStructure());
        List<Entry> want = sorted(model);
        assertEquals(want, contents(z));
        assertEquals(model.size(), z.size());
        long members = 0;
        for (String m : model.keySet()) {
            members += MemoryLayout.byteArray(b(m).length);
        }
        if (z.encoding().equals("skiplist")) {
            // every node costs at least its object, one link, one span and its member array
            long least = members + model.size() * (ScoreSkipList.NODE_BYTES + MemoryLayout.referenceArray(1) + MemoryLayout.intArray(1));
            assertTrue(z.footprint() > least, z.footprint() + " <= " + least);
        } else {
            int bytes = 0;
            for (String m : model.keySet()) {
                bytes += b(m).length;
            }
            // ends take 2 bytes each up to 64 KiB of members, 4 past it; scores 4 bytes each while
            // all are whole ints, 8 once one was not
            long least = 40 + MemoryLayout.byteArray(bytes) + MemoryLayout.charArray(model.size())
                    + MemoryLayout.intArray(model.size());
            assertTrue(z.footprint() >= least, z.footprint() + " < " + least);
            // and at most twice the room a model of the same size needs (spare capacity is bounded)
            long most = 40 + MemoryLayout.byteArray(bytes) + MemoryLayout.intArray(model.size())
                    + MemoryLayout.align(16 + 8L * model.size());
            assertTrue(z.footprint() <= 2 * most + 64, z.footprint() + " > 2 * " + most);
        }
    }

    private static void assertRanges(SortedSetValue z, Map<String, Double> model, Random random) {
        List<Entry> want = sorted(model);
        for (int k = 0; k < 5; k++) {
            String m = "m" + random.nextInt(400);
            int idx = -1;
            for (int i = 0; i < want.size(); i++) {
                if (want.get(i).member.equals(m)) {
                    idx = i;
                }
            }
            assertEquals(idx, z.rank(b(m)), "rank of " + m);
            Double s = model.get(m);
            assertEquals(s == null ? Double.NaN : s, z.score(b(m)));
            double lo = random.nextInt(120) - 10;
            double hi = lo + random.nextInt(60);
            boolean loEx = random.nextBoolean();
            boolean hiEx = random.nextBoolean();
            ScoreRange r = new ScoreRange(lo, loEx, hi, hiEx);
            long[] ranks = z.ranksOf(r);
            List<Entry> in = want.stream().filter(e -> r.aboveMin(e.score) && r.belowMax(e.score)).toList();
            assertEquals(in.size(), Math.max(0, ranks[1] - ranks[0] + 1), "count in " + r);
            if (!in.isEmpty()) {
                assertEquals(want.indexOf(in.get(0)), ranks[0]);
            }
        }
    }

    @Test
    void randomWrites_matchANaiveModel_inBothForms() {
        randomWrites(false);
    }

    /**
     * The compact form keeps whole scores as ints until the first other score: here the first
     * half of the writes has whole scores only (negative ones too), the second half also halves
     * and scores beyond int range, so the ints widen mid-way.
     */
    @Test
    void randomWrites_wholeScoresThenOthers_matchANaiveModel() {
        randomWrites(true);
    }

    /**
     * With raised limits a compact set's members can pass 64 KiB, where its 2-byte ends widen to
     * ints: inserts in the middle, removals and a copy on either side of that line.
     */
    @Test
    void compactSetPast64KiB_widensItsEnds() {
        ListpackLimits limits = new ListpackLimits(5000, 64);
        SortedSetValue z = new SortedSetValue();
        Map<String, Double> model = new HashMap<>();
        double[] out = new double[1];
        Random random = new Random(11);
        for (int i = 0; i < 2000; i++) {
            String m = String.format("%060d", random.nextInt(1_000_000));
            double score = random.nextInt(1000);
            z.add(b(m), score, 0, out, limits);
            model.put(m, score);
            if (i % 7 == 0 && !model.isEmpty()) {
                String gone = model.keySet().iterator().next();
                assertTrue(z.remove(b(gone)));
                model.remove(gone);
            }
            if (i % 250 == 0) {
                assertConsistent(z, model);
            }
        }
        assertEquals("listpack", z.encoding());
        assertConsistent(z, model);
        assertConsistent(z.copy(), model);
    }

    private void randomWrites(boolean wholeFirst) {
        Random random = new Random(7);
        for (ListpackLimits limits : new ListpackLimits[] {DEFAULTS, new ListpackLimits(4, 8), new ListpackLimits(0, 64), new ListpackLimits(1000, 64)}) {
            SortedSetValue z = new SortedSetValue();
            Map<String, Double> model = new HashMap<>();
            double[] out = new double[1];
            for (int i = 0; i < 20_000; i++) {
                String m = "m" + random.nextInt(400);
                int op = random.nextInt(10);
                if (op < 3) {
                    assertEquals(model.remove(m) != null, z.remove(b(m)));
                } else if (op == 3 && z.size() > 0) {
                    long from = random.nextInt(z.size());
                    long to = Math.min(z.size() - 1, from + random.nextInt(5));
                    List<Entry> want = sorted(model);
                    for (long r = from; r <= to; r++) {
                        model.remove(want.get((int) r).member);
                    }
                    z.removeRanks(from, to);
                } else {
                    double score = wholeFirst && i < 10_000 ? random.nextInt(200) - 100
                            : random.nextInt(100) + (random.nextBoolean() ? 0.5 : 0) + (random.nextInt(50) == 0 ? 3e9 : 0);
                    int flags = op == 4 ? SortedSetValue.IN_INCR : 0;
                    Double before = model.get(m);
                    int r = z.add(b(m), score, flags, out, limits);
                    double expected = flags != 0 && before != null ? before + score : score;
                    model.put(m, expected);
                    assertEquals(before == null ? SortedSetValue.ADDED : expected == before ? 0 : SortedSetValue.UPDATED, r);
                    assertEquals(expected, out[0]);
                }
                if (i % 500 == 0) {
                    assertConsistent(z, model);
                    assertRanges(z, model, random);
                }
            }
            assertConsistent(z, model);
            assertEquals(limits.maxEntries() >= 400 ? "listpack" : "skiplist", z.encoding());
            SortedSetValue copy = z.copy();
            assertConsistent(copy, model);
            assertEquals(z.encoding(), copy.encoding());
        }
    }

    @Test
    void zaddFlags_followZsetAdd() {
        SortedSetValue z = new SortedSetValue();
        double[] out = new double[1];
        assertEquals(SortedSetValue.ADDED, z.add(b("a"), 5, 0, out, DEFAULTS));
        assertEquals(SortedSetValue.NOP, z.add(b("a"), 1, SortedSetValue.IN_NX, out, DEFAULTS));
        assertEquals(SortedSetValue.NOP, z.add(b("b"), 1, SortedSetValue.IN_XX, out, DEFAULTS));
        assertEquals(SortedSetValue.NOP, z.add(b("a"), 4, SortedSetValue.IN_GT, out, DEFAULTS));
        assertEquals(SortedSetValue.UPDATED, z.add(b("a"), 6, SortedSetValue.IN_GT, out, DEFAULTS));
        assertEquals(SortedSetValue.NOP, z.add(b("a"), 7, SortedSetValue.IN_LT, out, DEFAULTS));
        assertEquals(0, z.add(b("a"), 6, 0, out, DEFAULTS), "the same score: processed, not updated");
        z.add(b("i"), Double.POSITIVE_INFINITY, 0, out, DEFAULTS);
        assertEquals(SortedSetValue.NAN, z.add(b("i"), Double.NEGATIVE_INFINITY, SortedSetValue.IN_INCR, out, DEFAULTS));
        assertEquals(Double.POSITIVE_INFINITY, z.score(b("i")));
    }

    @Test
    void conversion_atTheLimits() {
        ListpackLimits limits = new ListpackLimits(3, 4);
        SortedSetValue z = new SortedSetValue();
        double[] out = new double[1];
        z.add(b("a"), 1, 0, out, limits);
        z.add(b("bbbb"), 2, 0, out, limits);
        z.add(b("c"), 3, 0, out, limits);
        assertEquals("listpack", z.encoding());
        z.add(b("d"), 4, 0, out, limits);
        assertEquals("skiplist", z.encoding(), "past maxEntries");
        z.remove(b("d"));
        z.remove(b("c"));
        assertEquals("skiplist", z.encoding(), "never back");
        SortedSetValue w = new SortedSetValue();
        w.add(b("abcde"), 1, 0, out, limits);
        assertEquals("skiplist", w.encoding(), "a member past maxValueBytes");
        SortedSetValue built = SortedSetValue.build(List.of(b("x"), b("y")), new double[] {2, -0.0}, limits);
        assertEquals("listpack", built.encoding());
        assertEquals(List.of(new Entry("y", 0.0), new Entry("x", 2)), contents(built));
        assertEquals("skiplist", SortedSetValue.build(List.of(b("x"), b("y"), b("z"), b("w")), new double[4], limits).encoding());
    }

    @Test
    void minusZero_isKeptAsZeroInTheCompactForm() {
        SortedSetValue z = new SortedSetValue();
        z.add(b("m"), -0.0, 0, new double[1], DEFAULTS);
        assertEquals(0, Double.doubleToRawLongBits(z.score(b("m"))));
    }

    @Test
    void scan_returnsEveryMemberPresentThroughout_acrossResizes() {
        Random random = new Random(3);
        SortedSetValue z = new SortedSetValue();
        double[] out = new double[1];
        ListpackLimits limits = new ListpackLimits(0, 64);
        Set<String> stable = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            z.add(b("s" + i), i, 0, out, limits);
            stable.add("s" + i);
        }
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int steps = 0;
        do {
            cursor = z.scan(cursor, 10, (m, o, l, s) -> seen.add(new String(m, o, l, StandardCharsets.UTF_8)));
            // churn between steps: grow to thousands, then shrink again
            for (int k = 0; k < 40; k++) {
                String t = "t" + random.nextInt(5000);
                if (steps < 30) {
                    z.add(b(t), k, 0, out, limits);
                } else {
                    z.remove(b(t));
                }
            }
            steps++;
        } while (cursor != 0 && steps < 100_000);
        assertTrue(seen.containsAll(stable), "missing " + stable.stream().filter(s -> !seen.contains(s)).limit(5).toList());
    }

    @Test
    void randomEntries_uniqueAndRepeated() {
        for (ListpackLimits limits : new ListpackLimits[] {DEFAULTS, new ListpackLimits(0, 64)}) {
            SortedSetValue z = new SortedSetValue();
            double[] out = new double[1];
            for (int i = 0; i < 50; i++) {
                z.add(b("m" + i), i, 0, out, limits);
            }
            List<String> picks = new ArrayList<>();
            z.randomEntries(10, true, new Random(1), (m, o, l, s) -> picks.add(new String(m, o, l, StandardCharsets.UTF_8)));
            assertEquals(10, new HashSet<>(picks).size());
            picks.clear();
            z.randomEntries(200, false, new Random(1), (m, o, l, s) -> picks.add(new String(m, o, l, StandardCharsets.UTF_8)));
            assertEquals(200, picks.size());
            picks.clear();
            z.randomEntries(100, true, new Random(1), (m, o, l, s) -> picks.add(new String(m, o, l, StandardCharsets.UTF_8)));
            assertEquals("m49", picks.get(0), "the whole set, highest first, as Redis's iterator walks it");
            assertEquals(50, picks.size());
        }
    }

    /**
     * Short integers take a direct path: the same double as Java's parse of the text (which the
     * general path ends in), -0.0 for "-0" included, and the general path's answers just past
     * its limits (16 digits, a sign alone, a space, a fraction).
     */
    @Test
    void scores_shortIntegersParseAsTheGeneralPath() {
        java.util.Random random = new java.util.Random(7);
        List<String> texts = new ArrayList<>(List.of("0", "-0", "+0", "7", "-7", "+42", "000123", "-000",
                "999999999999999", "-999999999999999", "1234567890123456", "-9999999999999999", "12345678901234567890"));
        for (int i = 0; i < 2_000; i++) {
            long v = random.nextLong() % 1_000_000_000_000_000L;
            texts.add(Long.toString(v));
        }
        for (String t : texts) {
            double expected = Double.parseDouble(t);
            double parsed = Scores.parse(b(t));
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(parsed), t);
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(Scores.strtod(b(t), 0, t.length())), t);
        }
        for (String bad : List.of("-", "+", "1-", "1 ", "--1", "+-1", "1a", "١")) {
            assertTrue(Double.isNaN(Scores.parse(b(bad))), bad);
        }
        assertEquals(12.0, Scores.strtod(b("x12y"), 1, 2), "the bytes from off for len only");
    }

    @Test
    void scores_parseAsStrtodAndPrintAsRedis() {
        assertEquals(16.0, Scores.parse(b("0x10")));
        assertEquals(Double.POSITIVE_INFINITY, Scores.parse(b("+Infinity")));
        assertTrue(Double.isNaN(Scores.parse(b("nan"))));
        assertTrue(Double.isNaN(Scores.parse(b("1e"))));
        assertTrue(Double.isNaN(Scores.parse(b(" 1"))));
        assertTrue(Double.isNaN(Scores.parse(b("1e400"))));
        assertTrue(Double.isNaN(Scores.parse(b("1e-400"))));
        assertTrue(Double.isNaN(Scores.parse(b(""))));
        assertEquals(0.0, Scores.strtod(b(""), 0, 0), "an empty range bound reads as 0");
        assertEquals(1.0, Scores.strtod(b(" 1"), 0, 2), "strtod skips leading spaces in a range bound");
        assertEquals("1.1000000000000001", new String(Scores.format(1.1), StandardCharsets.US_ASCII));
        assertEquals("1.2345678901234568e+17", new String(Scores.format(123456789012345678.0), StandardCharsets.US_ASCII));
        assertEquals("123456789012345680", new String(Scores.formatStored(123456789012345678.0), StandardCharsets.US_ASCII));
        assertEquals("-inf", new String(Scores.format(Double.NEGATIVE_INFINITY), StandardCharsets.US_ASCII));
        assertEquals("1.0000000000000001e-05", new String(Scores.format(0.00001), StandardCharsets.US_ASCII));
        assertTrue(Arrays.equals(b("-0"), Scores.format(-0.0)));
    }

    /**
     * The keyspace's account of sorted sets against the heap they really retain: 100k compact ones
     * of ten members and 20 skip lists of 5000, each written through ZADD's operation.
     */
    @Test
    void accountedBytes_matchMeasuredHeap() throws InterruptedException {
        int small = 100_000;
        MemoryAccount.Reading reading = MemoryAccount.check("sorted sets", db -> {
            for (int i = 0; i < small; i++) {
                byte[][] args = new byte[21][];
                double[] scores = new double[10];
                for (int j = 0; j < 10; j++) {
                    args[1 + 2 * j] = ("score:" + j).getBytes(StandardCharsets.US_ASCII);
                    args[2 + 2 * j] = ("member:" + j + ":" + i).getBytes(StandardCharsets.US_ASCII);
                    scores[j] = j * 1.5;
                }
                db.sortedSets().add(("zset:" + i).getBytes(StandardCharsets.US_ASCII), 0, scores, args, 2);
            }
            for (int i = 0; i < 20; i++) {
                byte[][] args = new byte[10_001][];
                double[] scores = new double[5000];
                for (int j = 0; j < 5000; j++) {
                    args[1 + 2 * j] = new byte[0];
                    args[2 + 2 * j] = ("member:" + j).getBytes(StandardCharsets.US_ASCII);
                    scores[j] = (j * 7919) % 5000;
                }
                db.sortedSets().add(("big:" + i).getBytes(StandardCharsets.US_ASCII), 0, scores, args, 2);
            }
        });
        Keyspace ks = reading.keyspace();
        assertTrue(ks.size(0) == small + 20);
    }

    @Test
    void setInputs_countWithScoreOne_andOtherTypesAreRefused() {
        Keyspace ks = new Keyspace(4, 4);
        Database db = ks.database(0, 0);
        ks.lockAll();
        try {
            db.sets().add(b("s"), new byte[][] {b("b"), b("a")}, 0);
            SortedSetOps.Source source = db.sortedSets().source(b("s"));
            assertEquals(2, source.size());
            assertEquals(1.0, source.score(b("a")));
            assertTrue(Double.isNaN(source.score(b("c"))));
            List<String> seen = new ArrayList<>();
            source.forEach((m, score) -> seen.add(new String(m, StandardCharsets.UTF_8) + "=" + score));
            seen.sort(null);
            assertEquals(List.of("a=1.0", "b=1.0"), seen);
            assertEquals(0, db.sortedSets().source(b("missing")).size());
            db.hashes().set(b("h"), new byte[][] {b("f"), b("v")}, 0);
            assertTrue(db.sortedSets().source(b("h")) == SortedSetOps.Source.WRONG_TYPE);
        } finally {
            ks.unlockAll();
        }
    }
}
