package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * SetValue's two forms against a plain set: random writes in both forms, the footprint kept
 * incrementally against one recounted from the members, the intset's widening and order, every
 * conversion rule of t_set.c, SSCAN's guarantee across table growth and shrinkage, and the
 * random picks.
 */
class SetValueTest {
    private static final long DEFAULT_MAX = 512;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static List<String> members(SetValue set) {
        List<String> out = new ArrayList<>();
        set.forEach(m -> out.add(s(m)));
        return out;
    }

    /**
     * Checks the structure, the contents, and the footprint against a recount: for an intset this
     * object and one array of the width byte and size * width bytes; for a table this object, the
     * table, the members' arrays and two slot arrays (fields, hashes) of one power-of-two
     * capacity, no values array.
     */
    private static void assertConsistent(SetValue set, Set<String> model) {
        assertNull(set.checkStructure());
        List<String> listed = members(set);
        assertEquals(model.size(), listed.size());
        assertEquals(model, new HashSet<>(listed));
        assertEquals(model.size(), set.size());
        long footprint = set.footprint();
        if (set.isIntSet()) {
            assertEquals(SetValue.OBJECT_BYTES + MemoryLayout.byteArray(1 + set.size() * set.intWidth()), footprint);
            List<Long> values = listed.stream().map(Long::parseLong).toList();
            assertEquals(new ArrayList<>(new TreeSet<>(values)), values, "intset order");
            return;
        }
        long data = 0;
        for (String m : model) {
            data += MemoryLayout.byteArray(b(m).length);
        }
        long slots = footprint - SetValue.OBJECT_BYTES - MemoryLayout.FIELD_TABLE - data;
        boolean matched = false;
        for (int cap = 8; cap <= 1 << 24 && !matched; cap <<= 1) {
            matched = slots == MemoryLayout.referenceArray(cap) + MemoryLayout.intArray(cap);
        }
        assertTrue(matched, "slot arrays of " + slots + " bytes match no capacity");
    }

    @Test
    void randomWrites_matchASet_inBothForms() {
        Random random = new Random(42);
        for (long max : new long[] {DEFAULT_MAX, 4, 0}) {
            for (boolean integers : new boolean[] {true, false}) {
                SetValue set = SetValue.emptyIntSet();
                Set<String> model = new HashSet<>();
                for (int i = 0; i < 20_000; i++) {
                    String m = integers || random.nextInt(50) != 0
                            ? Long.toString(random.nextInt(600) - 300) : "m" + random.nextInt(100);
                    if (random.nextInt(3) == 0) {
                        assertEquals(model.remove(m), set.remove(b(m)));
                    } else {
                        assertEquals(model.add(m), set.add(b(m), max));
                    }
                    assertEquals(model.contains(m), set.contains(b(m)));
                    if (i % 97 == 0) {
                        assertConsistent(set, model);
                    }
                }
                assertConsistent(set, model);
                SetValue copy = set.copy();
                assertEquals(set.encoding(), copy.encoding());
                assertConsistent(copy, model);
                copy.add(b("only-in-copy"), max);
                assertFalse(set.contains(b("only-in-copy")));
                assertConsistent(set, model);
            }
        }
    }

    @Test
    void intset_widens16To32To64_keepsOrder_andNeverNarrows() {
        SetValue set = SetValue.emptyIntSet();
        Set<String> model = new HashSet<>();
        for (long v : new long[] {5, -3, 32767, -32768}) {
            set.add(b(Long.toString(v)), DEFAULT_MAX);
            model.add(Long.toString(v));
        }
        assertEquals(2, set.intWidth());
        assertConsistent(set, model);
        set.add(b("32768"), DEFAULT_MAX);
        model.add("32768");
        assertEquals(4, set.intWidth());
        assertConsistent(set, model);
        set.add(b("-2147483649"), DEFAULT_MAX);
        model.add("-2147483649");
        assertEquals(8, set.intWidth());
        set.add(b(Long.toString(Long.MAX_VALUE)), DEFAULT_MAX);
        set.add(b(Long.toString(Long.MIN_VALUE)), DEFAULT_MAX);
        model.add(Long.toString(Long.MAX_VALUE));
        model.add(Long.toString(Long.MIN_VALUE));
        assertConsistent(set, model);
        assertEquals(List.of(Long.toString(Long.MIN_VALUE), "-2147483649", "-32768", "-3", "5", "32767", "32768",
                Long.toString(Long.MAX_VALUE)), members(set));
        assertTrue(set.remove(b("-2147483649")));
        assertTrue(set.remove(b(Long.toString(Long.MAX_VALUE))));
        assertTrue(set.remove(b(Long.toString(Long.MIN_VALUE))));
        assertEquals(8, set.intWidth());
        assertEquals("intset", set.encoding());
        // absent values wider than the members' width, and non-canonical forms, are not members
        SetValue narrow = SetValue.emptyIntSet();
        narrow.add(b("1"), DEFAULT_MAX);
        assertFalse(narrow.contains(b("70000")));
        assertFalse(narrow.contains(b("-70000")));
        assertFalse(narrow.remove(b("9999999999")));
        assertFalse(narrow.contains(b("01")));
        assertFalse(narrow.contains(b("+1")));
        assertEquals(2, narrow.intWidth());
    }

    @Test
    void intset_isCompact_twoBytesAMember_andCopiesShareNothingMutable() {
        SetValue set = SetValue.emptyIntSet();
        for (int i = 0; i < 500; i++) {
            set.add(b(Integer.toString(i)), DEFAULT_MAX);
        }
        // 500 shorts and the width byte: one array of 1001 bytes
        assertEquals(SetValue.OBJECT_BYTES + MemoryLayout.byteArray(1001), set.footprint());
        SetValue copy = set.copy();
        assertTrue(copy.remove(b("7")));
        assertTrue(copy.add(b("100000"), DEFAULT_MAX));
        assertTrue(set.contains(b("7")));
        assertFalse(set.contains(b("100000")));
        assertEquals(2, set.intWidth());
        assertEquals(4, copy.intWidth());
        assertNull(set.checkStructure());
        assertNull(copy.checkStructure());
    }

    @Test
    void conversions_followTSetC() {
        assertEquals("intset", SetValue.createFor(b("12")).encoding());
        for (String notInt : new String[] {"a", "01", "+1", "-0", "1.0", "", " 1", "9223372036854775808", "-9223372036854775809"}) {
            assertEquals("hashtable", SetValue.createFor(b(notInt)).encoding(), notInt);
            SetValue set = SetValue.emptyIntSet();
            set.add(b("1"), DEFAULT_MAX);
            assertTrue(set.add(b(notInt), DEFAULT_MAX));
            assertEquals("hashtable", set.encoding(), notInt);
            assertEquals(Set.of("1", notInt), new HashSet<>(members(set)));
        }
        SetValue limited = SetValue.emptyIntSet();
        for (int i = 0; i < 3; i++) {
            limited.add(b(Integer.toString(i)), 3);
        }
        assertEquals("intset", limited.encoding());
        assertFalse(limited.add(b("2"), 3));
        assertEquals("intset", limited.encoding());
        limited.add(b("3"), 3);
        assertEquals("hashtable", limited.encoding());
        limited.remove(b("3"));
        limited.remove(b("2"));
        assertEquals("hashtable", limited.encoding());
        assertTrue(limited.contains(b("1")));
        SetValue none = SetValue.emptyIntSet();
        none.add(b("7"), 0);
        assertEquals("hashtable", none.encoding());
    }

    @Test
    void scan_returnsEveryMemberPresentThroughout_acrossGrowthAndShrinking() {
        Random random = new Random(7);
        SetValue set = SetValue.createFor(b("x"));
        Set<String> stable = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            set.add(b("stable" + i), DEFAULT_MAX);
            stable.add("stable" + i);
        }
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int round = 0;
        do {
            cursor = set.scan(cursor, 10, m -> seen.add(s(m)));
            int phase = round++ % 40;
            for (int k = 0; k < 200; k++) {
                String t = "temp" + random.nextInt(20_000);
                if (phase < 20) {
                    set.add(b(t), DEFAULT_MAX);
                } else {
                    set.remove(b(t));
                }
            }
        } while (cursor != 0);
        Set<String> missing = new HashSet<>(stable);
        missing.removeAll(seen);
        assertEquals(Set.of(), missing);
        assertNull(set.checkStructure());

        SetValue ints = SetValue.emptyIntSet();
        for (int i = 0; i < 100; i++) {
            ints.add(b(Integer.toString(i)), DEFAULT_MAX);
        }
        List<String> all = new ArrayList<>();
        assertEquals(0, ints.scan(0, 1, m -> all.add(s(m))));
        assertEquals(100, all.size());
    }

    @Test
    void randomMembers_uniqueAreDistinct_repeatedStayInTheSet_inBothForms() {
        Random random = new Random(3);
        for (String prefix : new String[] {"", "m"}) {
            SetValue set = SetValue.emptyIntSet();
            for (int i = 0; i < 100; i++) {
                set.add(b(prefix + i), DEFAULT_MAX);
            }
            Set<String> all = new HashSet<>(members(set));
            for (long count : new long[] {1, 10, 33, 34, 40, 99, 100, 500}) {
                List<String> picked = new ArrayList<>();
                set.randomMembers(count, true, random, m -> picked.add(s(m)));
                assertEquals(Math.min(count, 100), picked.size());
                assertEquals(picked.size(), new HashSet<>(picked).size());
                assertTrue(all.containsAll(picked));
            }
            List<String> repeated = new ArrayList<>();
            set.randomMembers(1000, false, random, m -> repeated.add(s(m)));
            assertEquals(1000, repeated.size());
            assertTrue(all.containsAll(repeated));
            // 1000 uniform picks of 100 members: every member is picked with near certainty
            assertTrue(new HashSet<>(repeated).size() > 90);
        }
    }

    @Test
    void removeAt_randomPositions_emptiesTheSet() {
        Random random = new Random(11);
        for (String prefix : new String[] {"", "m"}) {
            SetValue set = SetValue.emptyIntSet();
            Set<String> model = new HashSet<>();
            for (int i = 0; i < 300; i++) {
                set.add(b(prefix + i), DEFAULT_MAX);
                model.add(prefix + i);
            }
            while (!set.isEmpty()) {
                String m = s(set.removeAt(set.randomPosition(random)));
                assertTrue(model.remove(m), m);
                if (model.size() % 37 == 0) {
                    assertConsistent(set, model);
                }
            }
            assertTrue(model.isEmpty());
            assertConsistent(set, model);
        }
    }

    /**
     * The keyspace's account of sets against the heap they retain (as KeyspaceMemoryTest does for
     * strings and hashes): 100k intsets of ten small integers, 100k tables of ten short strings,
     * and 20 tables of 5000 members.
     */
    @Test
    void accountedSetBytes_matchMeasuredHeap() throws InterruptedException {
        int small = 100_000;
        MemoryAccount.Reading reading = MemoryAccount.check("sets", db -> {
            for (int i = 0; i < small; i++) {
                byte[][] ints = new byte[10][];
                byte[][] strings = new byte[10][];
                for (int j = 0; j < 10; j++) {
                    ints[j] = Integer.toString(j * 1000).getBytes(StandardCharsets.US_ASCII);
                    strings[j] = ("member:" + j).getBytes(StandardCharsets.US_ASCII);
                }
                db.sets().add(("ints:" + i).getBytes(StandardCharsets.US_ASCII), ints, 0);
                db.sets().add(("strs:" + i).getBytes(StandardCharsets.US_ASCII), strings, 0);
            }
            for (int i = 0; i < 20; i++) {
                byte[][] members = new byte[5000][];
                for (int j = 0; j < 5000; j++) {
                    members[j] = ("member:" + j).getBytes(StandardCharsets.US_ASCII);
                }
                db.sets().add(("big:" + i).getBytes(StandardCharsets.US_ASCII), members, 0);
            }
        });
        Keyspace ks = reading.keyspace();
        assertEquals(2 * small + 20, ks.size(0));
    }
}
