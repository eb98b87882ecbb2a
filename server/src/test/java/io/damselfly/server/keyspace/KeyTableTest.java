package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyTableTest {
    /** The arena of every table here, as a shard's tables share its arena. */
    private final RecordArena arena = new RecordArena();

    private KeyTable newTable() {
        return new KeyTable(arena);
    }

    private StringRecord record(byte[] key, byte[] value, long expiresAt, int access) {
        return StringRecord.create(arena, key, value, 0, value.length, expiresAt, access);
    }

    private static void assertSameEntry(Object expected, Object actual, String message) {
        assertTrue(expected == null ? actual == null : Entries.same(expected, actual), message);
    }
    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int hash(byte[] key) {
        return Keyspace.tableHash(key);
    }

    /** A string record, or every third key an ObjectEntry, so both forms are exercised. */
    private Object entry(String k, long expiresAt) {
        byte[] key = key(k);
        if (k.hashCode() % 3 == 0) {
            return ObjectEntry.of(key, new StringValue(key), expiresAt, 0);
        }
        return record(key, key, expiresAt, 0);
    }

    private static String name(Object entry) {
        return new String(Entries.key(entry), StandardCharsets.UTF_8);
    }

    @Test
    void randomOperations_matchAHashMapModel() {
        KeyTable table = newTable();
        long emptyFootprint = table.footprint();
        Map<String, Object> model = new HashMap<>();
        Random r = new Random(7);
        for (int op = 0; op < 300_000; op++) {
            // the key range widens and narrows so the table grows, splits and shrinks
            int range = op < 150_000 ? 20_000 : 2_000;
            String k = "k" + r.nextInt(range);
            byte[] key = key(k);
            Object found = table.find(key, hash(key));
            assertSameEntry(model.get(k), found, "lookup of " + k + " at op " + op);
            if (found == null) {
                Object e = entry(k, 0);
                table.insert(hash(key), e);
                model.put(k, e);
            } else if (op >= 150_000 || r.nextInt(4) == 0) {
                assertTrue(table.remove(found, hash(key)));
                Entries.release(found);
                model.remove(k);
            } else {
                Object replacement = entry(k, 0);
                table.replace(found, replacement, key, hash(key));
                Entries.release(found);
                model.put(k, replacement);
            }
            assertEquals(model.size(), table.size());
            if (op % 10_000 == 0) {
                assertNull(table.checkStructure(), "at op " + op);
                assertNull(arena.checkStructure(), "arena at op " + op);
                long records = model.values().stream().filter(e -> e instanceof StringRecord).mapToLong(Entries::footprint).sum();
                assertEquals(records, arena.slotBytes(), "slot bytes at op " + op);
            }
        }
        assertNull(table.checkStructure());
        for (Map.Entry<String, Object> e : model.entrySet()) {
            assertTrue(table.remove(e.getValue(), hash(key(e.getKey()))));
            Entries.release(e.getValue());
        }
        assertEquals(0, table.size());
        assertEquals(0, arena.slotBytes());
        assertNull(arena.checkStructure());
        // every page emptied: all but the few kept for reuse gave their memory back
        assertTrue(arena.committedBytes() <= RecordArena.RETAINED_EMPTY_PAGES * (long) RecordArena.PAGE_SIZE,
                "pages held after emptying " + arena.committedBytes());
        assertNull(table.checkStructure());
        // segments halve as they empty; only the directory's split structure remains
        assertTrue(table.footprint() < emptyFootprint + 64 * 1024, "footprint after emptying " + table.footprint());
    }

    @Test
    void collidingFingerprints_stillCompareKeys() {
        KeyTable table = newTable();
        // the same table hash for many keys: every lookup must fall back to comparing key bytes
        int sameHash = 0x12345678;
        for (int i = 0; i < 50; i++) {
            table.insert(sameHash, record(key("c" + i), key("v"), 0, 0));
        }
        for (int i = 0; i < 50; i++) {
            Object e = table.find(key("c" + i), sameHash);
            assertNotNull(e);
            assertEquals("c" + i, name(e));
        }
        assertNull(table.find(key("c50"), sameHash));
        assertTrue(table.remove(table.find(key("c7"), sameHash), sameHash));
        assertNull(table.find(key("c7"), sameHash));
        assertNotNull(table.find(key("c8"), sameHash));
    }

    @Test
    void scan_returnsEveryKeyPresentThroughout_evenAcrossGrowthAndShrink() {
        KeyTable table = newTable();
        Set<String> stable = new HashSet<>();
        for (int i = 0; i < 3_000; i++) {
            table.insert(hash(key("stable" + i)), entry("stable" + i, 0));
            stable.add("stable" + i);
        }
        Random r = new Random(11);
        Set<String> seen = new HashSet<>();
        List<String> churnKeys = new ArrayList<>();
        long cursor = 0;
        int step = 0;
        int churn = 0;
        do {
            cursor = table.scanStep(cursor, e -> seen.add(name(e)));
            step++;
            // between steps, grow the table a lot (many splits), then shrink it, keys coming and going
            if (step % 7 == 0 && churn < 60_000) {
                for (int i = 0; i < 1_000; i++) {
                    String k = "churn" + churn++;
                    table.insert(hash(key(k)), entry(k, 0));
                    churnKeys.add(k);
                }
            }
            if (step % 11 == 0 && churnKeys.size() > 0) {
                for (int i = 0; i < 2_000 && !churnKeys.isEmpty(); i++) {
                    String k = churnKeys.remove(r.nextInt(churnKeys.size()));
                    byte[] kb = key(k);
                    assertTrue(table.remove(table.find(kb, hash(kb)), hash(kb)));
                }
            }
        } while (cursor != 0 && step < 10_000_000);
        assertEquals(0, cursor);
        for (String k : stable) {
            assertTrue(seen.contains(k), "SCAN missed " + k);
        }
        assertNull(table.checkStructure());
    }

    @Test
    void scan_withoutChanges_returnsEachKeyOnce() {
        KeyTable table = newTable();
        for (int i = 0; i < 20_000; i++) {
            table.insert(hash(key("s" + i)), entry("s" + i, 0));
        }
        Map<String, Integer> counts = new HashMap<>();
        long cursor = 0;
        do {
            cursor = table.scanStep(cursor, e -> counts.merge(name(e), 1, Integer::sum));
        } while (cursor != 0);
        assertEquals(20_000, counts.size());
        assertTrue(counts.values().stream().allMatch(n -> n == 1));
    }

    @Test
    void scan_onEmptyTableEndsAtOnce() {
        assertEquals(0, newTable().scanStep(12345, e -> {
            throw new AssertionError("visited an entry of an empty table");
        }));
    }

    @Test
    void sample_findsEntriesAcrossTheTable() {
        KeyTable table = newTable();
        assertNull(table.sample(new Random(1)));
        for (int i = 0; i < 5_000; i++) {
            table.insert(hash(key("x" + i)), entry("x" + i, 0));
        }
        Set<String> sampled = new HashSet<>();
        Random r = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            sampled.add(name(table.sample(r)));
        }
        assertTrue(sampled.size() > 3_000, "sampled " + sampled.size() + " distinct keys of 5000");
    }

    @Test
    void volatileCount_followsExpiryChanges() {
        KeyTable table = newTable();
        Object a = entry("a", 1000);
        table.insert(hash(key("a")), a);
        Object b = entry("b", 0);
        table.insert(hash(key("b")), b);
        assertEquals(1, table.volatileCount());
        Object b2 = entry("b", 2000);
        table.replace(b, b2, key("b"), hash(key("b")));
        assertEquals(2, table.volatileCount());
        table.replace(a, entry("a", 0), key("a"), hash(key("a")));
        assertEquals(1, table.volatileCount());
        assertTrue(table.remove(b2, hash(key("b"))));
        assertEquals(0, table.volatileCount());
        assertNull(table.find(key("b"), hash(key("b"))));
        assertNotNull(table.find(key("a"), hash(key("a"))));
    }

    @Test
    void stringRecord_layout() {
        StringRecord r = record(key("kk"), key("value"), 0, 0x123456);
        assertEquals("kk", new String(r.key(), StandardCharsets.UTF_8));
        assertEquals("value", new String(r.value(), StandardCharsets.UTF_8));
        assertEquals(0x123456, r.access());
        assertEquals(Entries.NO_EXPIRY, r.expiresAt());
        assertTrue(r.keyEquals(key("kk")));
        assertTrue(!r.keyEquals(key("kv")));
        // keys compared eight bytes at a time, then the tail
        StringRecord longKey = record(key("0123456789abcdefXYZ"), key("v"), 0, 0);
        assertTrue(longKey.keyEquals(key("0123456789abcdefXYZ")));
        assertTrue(!longKey.keyEquals(key("0123456789abcdefXYz")));
        assertTrue(!longKey.keyEquals(key("0123456789abcdeFXYZ")));
        StringRecord withTtl = r.withExpiryField(99_000);
        assertEquals(99_000, withTtl.expiresAt());
        assertEquals("value", new String(withTtl.value(), StandardCharsets.UTF_8));
        assertEquals(0x123456, withTtl.access());
        withTtl.setAccess(7);
        assertEquals(7, withTtl.access());
        assertEquals(99_000, withTtl.expiresAt());
        withTtl.setExpiryInPlace(Entries.NO_EXPIRY);
        assertEquals(Entries.NO_EXPIRY, withTtl.expiresAt());
        assertEquals("int", record(key("n"), key("-12"), 0, 0).encoding());
        assertEquals("embstr", record(key("n"), key("012"), 0, 0).encoding());
        assertEquals("raw", record(key("n"), new byte[45], 0, 0).encoding());
        // the largest record that fits a slot, and one byte more, which does not
        assertNotNull(record(key("k"), new byte[RecordArena.MAX_SLOT - 9], 0, 0));
        assertNull(record(key("k"), new byte[RecordArena.MAX_SLOT - 8], 0, 0));
    }
}
