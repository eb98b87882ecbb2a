package io.damselfly.server.keyspace;

import static io.damselfly.server.keyspace.KeyspaceLocks.locked;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The keyspace frozen by a client pause ({@link Keyspace#setDatasetFrozen}), without the server:
 * expired keys read as missing but stay, the active sweep and eviction stand still, a write over a
 * hidden expired key replaces it with the books right, and a thaw lets expiry go on.
 */
class DatasetFreezeTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }


    @Test
    void frozen_lazyExpiryHidesButKeeps_thawDeletes() {
        Keyspace ks = new Keyspace(4, 16);
        Database db = ks.database(0, 1_000);
        locked(ks, () -> db.strings().set(b("short"), b("v"), 1_500));
        ks.setDatasetFrozen(true);
        assertTrue(ks.isDatasetFrozen());
        db.bind(0, 2_000);
        locked(ks, () -> {
            assertNull(db.strings().get(b("short")));
            assertNull(db.strings().get(b("short")));
        });
        assertEquals(0, ks.expiredKeys());
        assertEquals(1, ks.size(0));
        assertEquals(Keyspace.KEY_EXPIRED, keyState(ks, b("short"), 2_000));
        ks.setDatasetFrozen(false);
        locked(ks, () -> assertNull(db.strings().get(b("short"))));
        assertEquals(1, ks.expiredKeys());
        assertEquals(0, ks.size(0));
        assertNull(ks.checkInvariants());
    }

    private static int keyState(Keyspace ks, byte[] key, long now) {
        ks.lockAll();
        try {
            return ks.keyState(0, key, now);
        } finally {
            ks.unlockAll();
        }
    }

    @Test
    void frozen_writeOverAHiddenExpiredKey_replacesIt() {
        Keyspace ks = new Keyspace(4, 16);
        Database db = ks.database(0, 1_000);
        locked(ks, () -> db.strings().set(b("k"), b("old"), 1_500));
        ks.setDatasetFrozen(true);
        db.bind(0, 2_000);
        locked(ks, () -> {
            assertNull(db.strings().get(b("k")));
            db.strings().set(b("k"), b("new"));
            assertArrayEquals(b("new"), db.strings().get(b("k")).toByteArray());
        });
        assertEquals(1, ks.size(0));
        assertNull(ks.checkInvariants());
        ks.setDatasetFrozen(false);
        assertNull(ks.checkInvariants());
    }

    @Test
    void frozen_activeExpiryAndRandomKeyDeleteNothing() {
        Keyspace ks = new Keyspace(8, 16);
        long now = System.currentTimeMillis();
        Database db = ks.database(3, now);
        locked(ks, () -> {
            for (int i = 0; i < 5_000; i++) {
                db.strings().set(b("gone" + i), b("v"), now + 1);
            }
        });
        ks.setDatasetFrozen(true);
        long later = now + 10;
        for (int tick = 0; tick < 100; tick++) {
            assertEquals(0, ks.expireCycle(later, ActiveExpiry.BUCKETS_PER_STEP));
        }
        assertNull(ks.randomKey(3, later, new Random(1)));
        assertEquals(5_000, ks.size(3));
        assertEquals(0, ks.expiredKeys());
        ks.setDatasetFrozen(false);
        int deleted = 0;
        for (int tick = 0; tick < 10_000 && ks.size(3) > 0; tick++) {
            deleted += ks.expireCycle(later, ActiveExpiry.BUCKETS_PER_STEP);
        }
        assertEquals(5_000, deleted);
        assertNull(ks.checkInvariants());
    }

    @Test
    void frozen_evictionStandsStillAndRefusesNothing() {
        Keyspace ks = new Keyspace(4, 16);
        Database db = ks.database(0, System.currentTimeMillis());
        locked(ks, () -> {
            for (int i = 0; i < 2_000; i++) {
                db.strings().set(b("k" + i), new byte[100]);
            }
        });
        Eviction eviction = new Eviction(ks, 7);
        long limit = ks.memoryEstimate() / 2;
        ks.setDatasetFrozen(true);
        // noeviction would refuse (false) and allkeys-lru would evict: frozen, neither
        assertTrue(eviction.makeRoom(limit, EvictionPolicy.NOEVICTION, System.currentTimeMillis()));
        assertTrue(eviction.makeRoom(limit, EvictionPolicy.ALLKEYS_LRU, System.currentTimeMillis()));
        assertEquals(2_000, ks.size(0));
        ks.setDatasetFrozen(false);
        assertFalse(eviction.makeRoom(limit, EvictionPolicy.NOEVICTION, System.currentTimeMillis()));
        assertTrue(eviction.makeRoom(limit, EvictionPolicy.ALLKEYS_LRU, System.currentTimeMillis()));
        assertTrue(ks.size(0) < 2_000);
    }

    @Test
    void thaw_seenInsideANestedHolding_waitsForTheOutermost() {
        Keyspace ks = new Keyspace(1, 16);
        Database db = ks.database(0, 1_000);
        locked(ks, () -> db.strings().set(b("k"), b("old"), 1_500));
        ks.setDatasetFrozen(true);
        db.bind(0, 2_000);
        Shard s = ks.shard(0);
        s.lock();
        try {
            // hidden under this holding, so a command takes the key for absent ...
            assertNull(db.find(b("k")));
            // ... a thaw arrives, seen by a nested taking of the same lock ...
            ks.setDatasetFrozen(false);
            s.lock();
            s.unlock();
            // ... and the insert that follows still replaces the hidden entry instead of doubling it
            db.put(b("k"), null, ObjectEntry.of(b("k"), new StringValue(b("new")), Database.NO_EXPIRY, db.initialAccess()),
                    KeyEvent.SET);
        } finally {
            s.unlock();
        }
        assertEquals(1, ks.size(0));
        assertNull(ks.checkInvariants());
        locked(ks, () -> assertArrayEquals(b("new"), db.strings().get(b("k")).toByteArray()));
    }
}
