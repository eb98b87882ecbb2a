package io.damselfly.server.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.ByteKey;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.Shard;
import io.damselfly.server.rdb.DumpPayload;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The local store's guard, markers and epochs, without any network. */
class LocalStoreTest {
    private final Keyspace keyspace = new Keyspace(4, 16);
    private final LocalStore store = new LocalStore(keyspace, 1024);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The DUMP payload of a string, made by damselfly's own writer in a scratch keyspace. */
    private static byte[] payloadOf(String value) {
        Keyspace scratch = new Keyspace(1, 1);
        Shard s = scratch.shard(0);
        s.lock();
        try {
            Database db = scratch.database(0, System.currentTimeMillis());
            db.strings().set(b("k"), b(value));
            return DumpPayload.create(v -> db.keys().dump(b("k"), v));
        } finally {
            s.unlock();
        }
    }

    private Fetch fetch(String key) {
        Fetch f = new Fetch(ByteKey.of(b(key)), System.currentTimeMillis(), System.nanoTime());
        store.inFlight.put(f.key, f);
        return f;
    }

    private String local(String key) {
        Shard s = keyspace.shard(keyspace.shardIndex(b(key)));
        s.lock();
        try {
            var v = keyspace.database(0, System.currentTimeMillis()).strings().get(b(key));
            return v == null ? null : new String(v.toByteArray(), StandardCharsets.UTF_8);
        } finally {
            s.unlock();
        }
    }

    @Test
    void store_thenHit_withTheUpstreamTtlFromWhenSent() {
        Fetch f = fetch("a");
        assertEquals(LocalStore.MISS, store.lookup(b("a"), System.currentTimeMillis()));
        Fetch.Result r = store.store(f, payloadOf("v"), 100_000, 0);
        assertEquals(Fetch.Outcome.STORED, r.outcome());
        assertEquals(r.epoch(), store.epoch(b("a")));
        assertEquals(LocalStore.HIT, store.lookup(b("a"), System.currentTimeMillis()));
        assertEquals("v", local("a"));
        // expiry counts from when the fetch was sent: past it, the copy is gone
        assertEquals(LocalStore.MISS, store.lookup(b("a"), f.sentMillis + 100_001));
    }

    @Test
    void dropWhileInFlight_poisons_nothingStored() {
        Fetch f = fetch("p");
        long before = store.epoch(b("p"));
        store.drop(b("p"));
        assertNotEquals(before, store.epoch(b("p")));
        assertEquals(Fetch.Outcome.POISONED, store.store(f, payloadOf("stale"), -1, 0).outcome());
        assertEquals(LocalStore.MISS, store.lookup(b("p"), System.currentTimeMillis()));
        assertEquals(null, local("p"));
    }

    @Test
    void flushWhileInFlight_poisons_andEmpties() {
        Fetch stored = fetch("x");
        store.store(stored, payloadOf("1"), -1, 0);
        store.inFlight.remove(stored.key);
        Fetch flying = fetch("y");
        store.flush();
        assertEquals(Fetch.Outcome.POISONED, store.store(flying, payloadOf("2"), -1, 0).outcome());
        assertEquals(LocalStore.MISS, store.lookup(b("x"), System.currentTimeMillis()));
        assertEquals(0, keyspace.size(0));
    }

    @Test
    void absent_isAHitUntilDropped_andBoundedByTheCap() {
        Fetch f = fetch("gone");
        assertEquals(Fetch.Outcome.ABSENT, store.store(f, null, -2, 500).outcome());
        long now = System.currentTimeMillis();
        assertEquals(LocalStore.HIT, store.lookup(b("gone"), now));
        assertEquals(LocalStore.MISS, store.lookup(b("gone"), f.sentMillis + 501), "the cap bounds absence too");
        Fetch again = fetch("gone2");
        store.store(again, null, -2, 0);
        store.drop(b("gone2"));
        assertEquals(LocalStore.MISS, store.lookup(b("gone2"), now));
    }

    @Test
    void tooLargeOrGarbage_isUncacheable_untilDropped() {
        Fetch big = fetch("big");
        StringBuilder noise = new StringBuilder();
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < 2000; i++) {
            noise.append((char) ('a' + r.nextInt(26)));
        }
        // past near_cache_max_value (1024 here) even after LZF
        assertEquals(Fetch.Outcome.UNCACHEABLE, store.store(big, payloadOf(noise.toString()), -1, 0).outcome());
        assertEquals(LocalStore.PASS, store.lookup(b("big"), System.currentTimeMillis()));
        store.drop(b("big"));
        assertEquals(LocalStore.MISS, store.lookup(b("big"), System.currentTimeMillis()));
        byte[] bad = payloadOf("v");
        bad[1] ^= 0x55;
        Fetch garbage = fetch("bad");
        assertEquals(Fetch.Outcome.UNCACHEABLE, store.store(garbage, bad, -1, 0).outcome());
        byte[] unknownType = {(byte) 200, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0};
        Fetch weird = fetch("weird");
        assertEquals(Fetch.Outcome.UNCACHEABLE, store.store(weird, unknownType, -1, 0).outcome());
        assertTrue(store.uncacheableCount() >= 2);
    }

    @Test
    void anyLocalChange_movesTheKeysEpoch() {
        Fetch f = fetch("e");
        long e0 = store.epoch(b("e"));
        store.store(f, payloadOf("v"), 50, 0);
        long e1 = store.epoch(b("e"));
        assertNotEquals(e0, e1);
        // expiry seen by a read moves it too (the keyspace observer)
        Shard s = keyspace.shard(keyspace.shardIndex(b("e")));
        s.lock();
        try {
            keyspace.database(0, f.sentMillis + 60).strings().get(b("e"));
        } finally {
            s.unlock();
        }
        assertNotEquals(e1, store.epoch(b("e")));
    }
}
