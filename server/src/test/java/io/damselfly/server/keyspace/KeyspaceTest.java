package io.damselfly.server.keyspace;

import static io.damselfly.server.keyspace.KeyspaceLocks.locked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The keyspace alone, without the server: locking discipline, expiry, scan across shards. */
class KeyspaceTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }


    @Test
    void lazyExpiry_removesOnAccessAndCounts() {
        Keyspace ks = new Keyspace(4, 16);
        Database db = ks.database(0, 1_000);
        locked(ks, () -> {
            db.strings().set(b("short"), b("v"), 1_500);
            db.strings().set(b("long"), b("v"), 10_000);
        });
        db.bind(0, 2_000);
        locked(ks, () -> {
            assertNull(db.strings().get(b("short")));
            assertNotNull(db.strings().get(b("long")));
        });
        assertEquals(1, ks.expiredKeys());
        assertEquals(1, ks.keyspaceHits());
        assertEquals(1, ks.keyspaceMisses());
        assertEquals(1, ks.size(0));
        assertNull(ks.checkInvariants());
    }

    @Test
    void activeExpiry_reclaimsUntouchedKeys() {
        Keyspace ks = new Keyspace(8, 16);
        long now = System.currentTimeMillis();
        Database db = ks.database(3, now);
        locked(ks, () -> {
            for (int i = 0; i < 20_000; i++) {
                db.strings().set(b("gone" + i), b("v"), now + 1);
                db.strings().set(b("kept" + i), b("v"));
            }
        });
        long later = now + 10;
        int deleted = 0;
        for (int tick = 0; tick < 10_000 && ks.size(3) > 20_000; tick++) {
            deleted += ks.expireCycle(later, ActiveExpiry.BUCKETS_PER_STEP);
        }
        assertEquals(20_000, deleted);
        assertEquals(20_000, ks.size(3));
        assertEquals(0, ks.volatileSize(3));
        assertNull(ks.checkInvariants());
    }

    @Test
    void scan_acrossShards_returnsEveryKeyOnce() {
        Keyspace ks = new Keyspace(16, 16);
        Database db = ks.database(0, 0);
        Set<String> all = new HashSet<>();
        locked(ks, () -> {
            for (int i = 0; i < 10_000; i++) {
                db.strings().set(b("s" + i), b("v"));
                all.add("s" + i);
            }
        });
        Set<String> seen = new HashSet<>();
        int[] duplicates = {0};
        long cursor = 0;
        int calls = 0;
        do {
            cursor = ks.scan(0, cursor, 10, 100, 0, (key, type) -> {
                if (!seen.add(new String(key, StandardCharsets.UTF_8))) {
                    duplicates[0]++;
                }
            });
            calls++;
        } while (cursor != 0);
        assertEquals(all, seen);
        // no resize happened during this scan, so nothing may be returned twice
        assertEquals(0, duplicates[0]);
        assertTrue(calls > 100, "COUNT 10 over 10000 keys should take many calls, took " + calls);
    }

    @Test
    void randomKey_findsKeysInEveryShard() {
        Keyspace ks = new Keyspace(8, 16);
        Database db = ks.database(0, 0);
        locked(ks, () -> {
            for (int i = 0; i < 64; i++) {
                db.strings().set(b("r" + i), b("v"));
            }
        });
        Set<Integer> shards = new HashSet<>();
        Random random = new Random(3);
        for (int i = 0; i < 2_000; i++) {
            byte[] k = ks.randomKey(0, 0, random);
            assertNotNull(k);
            shards.add(ks.shardIndex(k));
        }
        assertEquals(8, shards.size());
        assertNull(ks.randomKey(1, 0, random));
    }

    @Test
    void swapAndFlush_keepAccountsRight() {
        Keyspace ks = new Keyspace(4, 16);
        Database d0 = ks.database(0, 0);
        locked(ks, () -> {
            for (int i = 0; i < 1_000; i++) {
                d0.strings().set(b("a" + i), new byte[100]);
            }
        });
        long used = ks.usedMemory();
        ks.swap(0, 5);
        assertEquals(0, ks.size(0));
        assertEquals(1_000, ks.size(5));
        assertEquals(used, ks.usedMemory());
        long empty = new Keyspace(4, 16).usedMemory();
        assertEquals(1_000, ks.flush(5));
        assertEquals(empty, ks.usedMemory());
        assertNull(ks.checkInvariants());
    }

    @Test
    void inPlaceChanges_areAccounted() {
        Keyspace ks = new Keyspace(2, 1);
        Database db = ks.database(0, 0);
        locked(ks, () -> {
            db.strings().set(b("app"), b("x"));
            for (int i = 0; i < 1_000; i++) {
                db.strings().append(b("app"), b("0123456789"), Long.MAX_VALUE);
            }
            assertEquals(10_001, db.strings().get(b("app")).length());
            db.keys().expire(b("app"), 5_000, 0);
            db.strings().setRange(b("app"), 20_000, b("tail"), Long.MAX_VALUE);
            assertEquals(20_004, db.strings().get(b("app")).length());
        });
        assertNull(ks.checkInvariants());
        assertEquals(1, ks.volatileSize(0));
    }

    @Test
    void expiry_onACollection_givesItsEntryAnExpiryField_andKeepsTheBooksRight() {
        Keyspace ks = new Keyspace(2, 1);
        Database db = ks.database(0, 1_000);
        byte[] key = b("h");
        locked(ks, () -> {
            assertEquals(2, db.hashes().set(key, new byte[][] {b("HSET"), key, b("f"), b("v"), b("g"), b("w")}, 2).value());
            long plain = ks.usedMemory();
            assertTrue(db.keys().expire(key, 5_000, 0));
            // the entry is rebuilt with the 8-byte field; a second EXPIRE and PERSIST write into it
            assertEquals(plain + MemoryLayout.EXPIRING_OBJECT_ENTRY - MemoryLayout.OBJECT_ENTRY, ks.usedMemory());
            assertEquals(1, ks.volatileSize(0));
            assertTrue(db.keys().expire(key, 6_000, 0));
            assertEquals(6_000, Entries.expiresAt(db.peek(key)));
            assertTrue(db.keys().persist(key));
            assertEquals(Entries.NO_EXPIRY, Entries.expiresAt(db.peek(key)));
            assertEquals(0, ks.volatileSize(0));
            assertEquals(plain + MemoryLayout.EXPIRING_OBJECT_ENTRY - MemoryLayout.OBJECT_ENTRY, ks.usedMemory());
            assertEquals(1, db.hashes().set(key, new byte[][] {b("HSET"), key, b("x"), b("y")}, 2).value());
            assertTrue(db.keys().expire(key, 7_000, 0));
            assertEquals(1, ks.volatileSize(0));
        });
        assertNull(ks.checkInvariants());
        // the key expires as any other, with its three fields
        Database later = ks.database(0, 7_001);
        locked(ks, () -> assertTrue(!later.keys().exists(key)));
        assertNull(ks.checkInvariants());
        assertEquals(0, ks.volatileSize(0));
    }

    @Test
    void sameLengthSet_writesIntoTheRecord_andKeepsTheBooksRight() {
        Keyspace ks = new Keyspace(2, 1);
        Database db = ks.database(0, 1_000);
        locked(ks, () -> {
            db.strings().set(b("k"), b("aaaa"), 5_000);
            Object record = db.peek(b("k"));
            assertEquals(1, ks.volatileSize(0));
            // same length, no expiry: the same array, the expiry cleared, the count following
            db.strings().set(b("k"), b("1234"));
            assertTrue(Entries.same(db.peek(b("k")), record), "written in place");
            assertEquals("1234", new String(db.strings().get(b("k")).toByteArray(), StandardCharsets.UTF_8));
            assertEquals(KeyOps.PERSISTENT, db.keys().expiryOf(b("k")));
            assertEquals(0, ks.volatileSize(0));
            assertEquals("int", db.keys().object(b("k")).encoding());
            // the record kept its (cleared) expiry field, so an expiry fits in place too
            db.strings().set(b("k"), b("bbbb"), 9_000);
            assertTrue(Entries.same(db.peek(b("k")), record));
            assertEquals(9_000, db.keys().expiryOf(b("k")));
            assertEquals("embstr", db.keys().object(b("k")).encoding());
            // another length: a new record
            db.strings().set(b("k"), b("ccc"));
            assertTrue(!Entries.same(db.peek(b("k")), record));
            // a record without an expiry field cannot take one in place
            Object plain = db.peek(b("k"));
            db.strings().set(b("k"), b("ddd"), 9_000);
            assertTrue(!Entries.same(db.peek(b("k")), plain));
            assertEquals(9_000, db.keys().expiryOf(b("k")));
            db.strings().incrBy(b("n"), 10);
            db.strings().incrBy(b("n"), 1);
            assertEquals("11", new String(db.strings().get(b("n")).toByteArray(), StandardCharsets.UTF_8));
        });
        assertNull(ks.checkInvariants());
        assertTrue(ks.dirty() >= 7);
    }

    @Test
    void largeValue_keepsTheArrayItArrivedIn_andAccountsItOnce() {
        Keyspace ks = new Keyspace(4, 16);
        Database db = ks.database(0, 1_000);
        byte[] large = new byte[StringOps.ADOPT_THRESHOLD];
        // the largest value a record holds under a five-byte key without an expiry
        byte[] small = new byte[RecordArena.MAX_SLOT - 8 - 5];
        locked(ks, () -> {
            long empty = ks.usedMemory();
            db.strings().set(b("large"), large, 9_000);
            assertTrue(db.strings().get(b("large")).array() == large, "no copy of a large value");
            long afterLarge = ks.usedMemory();
            assertTrue(afterLarge - empty < large.length + 200, "counted once: " + (afterLarge - empty));
            assertEquals("raw", db.keys().object(b("large")).encoding());
            assertEquals(9_000, db.keys().expiryOf(b("large")));
            db.strings().set(b("small"), small);
            assertTrue(db.strings().get(b("small")).array() == null, "a smaller value is copied into its off-heap record");
            assertEquals(RecordArena.MAX_SLOT, db.keys().memoryUsage(b("small")));
            // with an expiry field it no longer fits a slot: an entry on the heap, keeping the array
            db.strings().set(b("small"), small, 9_000);
            assertTrue(db.strings().get(b("small")).array() == small, "too large for a slot: kept as it arrived");
            assertEquals(9_000, db.keys().expiryOf(b("small")));
            assertEquals("raw", db.keys().object(b("small")).encoding());
            // a large value lent to a reply and then appended to moves to an array of its own
            db.strings().get(b("large")).lend();
            db.strings().append(b("large"), b("x"), Long.MAX_VALUE);
            assertTrue(db.strings().get(b("large")).array() != large);
            assertEquals(0, large[0]);
        });
        assertNull(ks.checkInvariants());
    }
}
