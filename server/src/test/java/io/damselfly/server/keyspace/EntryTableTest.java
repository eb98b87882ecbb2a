package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EntryTableTest {
    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Entry entry(String k) {
        byte[] key = key(k);
        return new Entry(key, Keyspace.hash(key), new StringValue(key));
    }

    @Test
    void randomOperations_matchAHashMapModel() {
        EntryTable table = new EntryTable();
        Map<String, Entry> model = new HashMap<>();
        Random r = new Random(7);
        for (int op = 0; op < 200_000; op++) {
            String k = "k" + r.nextInt(5_000);
            byte[] key = key(k);
            Entry found = table.find(key, Keyspace.hash(key));
            assertSame(model.get(k), found, "lookup of " + k + " at op " + op);
            if (found == null) {
                Entry e = entry(k);
                table.insert(e);
                model.put(k, e);
            } else if (r.nextBoolean()) {
                assertTrue(table.remove(found));
                model.remove(k);
            }
            assertEquals(model.size(), table.size());
        }
        // shrinking back down keeps everything findable
        for (Entry e : model.values().toArray(new Entry[0])) {
            assertTrue(table.remove(e));
        }
        assertEquals(0, table.size());
        assertEquals(EntryTable.MIN_CAPACITY, table.capacity());
    }

    @Test
    void scan_returnsEveryKeyPresentThroughout_evenAcrossGrowthAndShrink() {
        EntryTable table = new EntryTable();
        Set<String> stable = new HashSet<>();
        for (int i = 0; i < 3_000; i++) {
            table.insert(entry("stable" + i));
            stable.add("stable" + i);
        }
        Random r = new Random(11);
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int step = 0;
        int churn = 0;
        do {
            cursor = table.scanBucket(cursor, e -> seen.add(new String(e.key(), StandardCharsets.UTF_8)));
            step++;
            // between steps, grow the table a lot, then shrink it, with keys that come and go
            if (step % 7 == 0 && churn < 40_000) {
                for (int i = 0; i < 1_000; i++) {
                    table.insert(entry("churn" + churn++));
                }
            }
            if (step % 11 == 0 && table.size() > 3_000) {
                for (int i = 0; i < 2_000 && table.size() > 3_000; i++) {
                    byte[] k = key("churn" + r.nextInt(churn));
                    Entry e = table.find(k, Keyspace.hash(k));
                    if (e != null) {
                        table.remove(e);
                    }
                }
            }
        } while (cursor != 0 && step < 10_000_000);
        assertEquals(0, cursor);
        for (String k : stable) {
            assertTrue(seen.contains(k), "SCAN missed " + k);
        }
    }

    @Test
    void scan_onEmptyTableEndsAtOnce() {
        assertEquals(0, new EntryTable().scanBucket(12345, e -> {
            throw new AssertionError("visited an entry of an empty table");
        }));
    }

    @Test
    void volatileCount_followsExpiryChanges() {
        EntryTable table = new EntryTable();
        Entry a = entry("a");
        a.expiresAt = 1000;
        table.insert(a);
        Entry b = entry("b");
        table.insert(b);
        assertEquals(1, table.volatileCount());
        table.setExpiry(b, 2000);
        assertEquals(2, table.volatileCount());
        table.setExpiry(a, Entry.NO_EXPIRY);
        assertEquals(1, table.volatileCount());
        table.remove(b);
        assertEquals(0, table.volatileCount());
        assertNull(table.find(key("b"), Keyspace.hash(key("b"))));
        assertNotNull(table.find(key("a"), Keyspace.hash(key("a"))));
    }
}
