package io.damselfly.server.upstream;

import io.damselfly.server.keyspace.ByteKey;
import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.KeyEvent;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.KeyspaceObserver;
import io.damselfly.server.keyspace.Shard;
import io.damselfly.server.keyspace.Value;
import io.damselfly.server.keyspace.ValueBuilder;
import io.damselfly.server.rdb.DumpPayload;
import io.damselfly.server.rdb.RdbFormatException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The near-cache's local copies: the server's own {@link Keyspace} (database 0 stands for the
 * upstream URL's database), with what a keyspace cannot say beside it: keys known to be absent
 * upstream, keys that cannot be kept (too large, unloadable), the fetches in flight, and an epoch
 * per stripe of keys that moves whenever a key of the stripe changes.
 *
 * <p>Why epochs. A local hit runs the client's command through its standalone handler, which
 * takes the shard lock itself; between "the key is here" and the handler's read an invalidation
 * may remove it, and the handler would answer "no such key" for a key that exists upstream. The
 * router therefore reads the keys' epochs, checks presence, runs the command, and reads the
 * epochs again: if any moved, the answer is thrown away and the read goes the miss way. Every
 * change of the local keyspace (invalidation, local drop, expiry, eviction, a fetch storing)
 * reaches {@link #keyChanged} under the key's shard lock and moves its stripe's epoch. 1024
 * stripes keep a false alarm (another key of the stripe changing during a hit) rare: with
 * invalidations arriving at rate r per second and a hit lasting t, about r * t / 1024.
 *
 * <p>The in-flight guard. A fetch's value is stored under the key's shard lock only if the fetch
 * was not poisoned; an invalidation or a local drop poisons the key's fetch and removes the local
 * copy under the same lock. So whichever comes second sees the other: a stale value is either
 * never stored or removed.
 */
final class LocalStore implements KeyspaceObserver {
    static final int STRIPES = 1024;
    /** Most keys remembered as absent, and most remembered as uncacheable (a bound on their memory). */
    static final int MAX_MARKERS = 100_000;

    static final int HIT = 0;
    static final int MISS = 1;
    /** The key is uncacheable: its reads pass through. */
    static final int PASS = 2;

    private final Keyspace keyspace;
    private final AtomicLongArray epochs = new AtomicLongArray(STRIPES);
    /** Keys absent upstream, with the local expiry of that knowledge (Long.MAX_VALUE: none). */
    private final ConcurrentHashMap<ByteKey, Long> absent = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ByteKey, Boolean> uncacheable = new ConcurrentHashMap<>();
    final ConcurrentHashMap<ByteKey, Fetch> inFlight = new ConcurrentHashMap<>();
    private final int maxValueBytes;

    LocalStore(Keyspace keyspace, int maxValueBytes) {
        this.keyspace = keyspace;
        this.maxValueBytes = maxValueBytes;
        keyspace.addObserver(this);
    }

    Keyspace keyspace() {
        return keyspace;
    }

    static int stripe(byte[] key) {
        int h = Arrays.hashCode(key);
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }

    /** The stripe epoch of {@code key}: unchanged between two reads means the key did not change. */
    long epoch(byte[] key) {
        return epochs.get(stripe(key));
    }

    /** {@link #HIT} (a live local copy, or known absent), {@link #MISS} or {@link #PASS}. */
    int lookup(byte[] key, long now) {
        if (keyspace.keyState(0, key, now) == Keyspace.KEY_LIVE) {
            return HIT;
        }
        if (absent.isEmpty() && uncacheable.isEmpty()) {
            return MISS;
        }
        ByteKey k = ByteKey.of(key);
        if (uncacheable.containsKey(k)) {
            return PASS;
        }
        Long until = absent.get(k);
        if (until != null) {
            if (until > now) {
                return HIT;
            }
            absent.remove(k, until);
        }
        return MISS;
    }

    /**
     * Stores what a fetch brought, unless it was poisoned: {@code payload} (null: the key is absent)
     * with the upstream's {@code pttl} counted from when the DUMP was sent, capped by {@code
     * capMillis} when above 0.
     */
    Fetch.Result store(Fetch f, byte[] payload, long pttl, long capMillis) {
        byte[] key = f.key.bytes();
        Shard s = keyspace.shard(keyspace.shardIndex(key));
        s.lock();
        try {
            if (f.isPoisoned()) {
                return new Fetch.Result(Fetch.Outcome.POISONED, 0);
            }
            long expiresAt = pttl >= 0 ? f.sentMillis + pttl : Database.NO_EXPIRY;
            if (capMillis > 0) {
                long cap = f.sentMillis + capMillis;
                expiresAt = expiresAt == Database.NO_EXPIRY ? cap : Math.min(expiresAt, cap);
            }
            long now = System.currentTimeMillis();
            Database db = keyspace.database(0, now);
            if (payload == null) {
                db.keys().delete(key);
                if (absent.size() < MAX_MARKERS) {
                    absent.put(f.key, expiresAt == Database.NO_EXPIRY ? Long.MAX_VALUE : expiresAt);
                }
                long e = epochs.incrementAndGet(stripe(key));
                return new Fetch.Result(Fetch.Outcome.ABSENT, e);
            }
            if (pttl == -2 || payload.length > maxValueBytes || !DumpPayload.verify(payload)) {
                return uncacheable(f.key, pttl == -2);
            }
            Value value;
            try {
                value = DumpPayload.decode(payload, new ValueBuilder(keyspace));
            } catch (RdbFormatException | RuntimeException e) {
                // a stream, a module type, an RDB version of a later Redis: read it upstream
                return uncacheable(f.key, false);
            }
            db.keys().restore(key, value, expiresAt, -1, -1);
            return new Fetch.Result(Fetch.Outcome.STORED, epochs.get(stripe(key)));
        } finally {
            s.unlock();
        }
    }

    private Fetch.Result uncacheable(ByteKey k, boolean raced) {
        if (raced) {
            // DUMP saw a value and PTTL none: it changed between them; its invalidation follows
            return new Fetch.Result(Fetch.Outcome.POISONED, 0);
        }
        if (uncacheable.size() < MAX_MARKERS) {
            uncacheable.put(k, Boolean.TRUE);
        }
        return new Fetch.Result(Fetch.Outcome.UNCACHEABLE, 0);
    }

    /**
     * Forgets {@code key} (an invalidation, or a write passing through): poisons its fetch in
     * flight and removes the local copy and what is known of it, under the key's shard lock.
     */
    void drop(byte[] key) {
        ByteKey k = ByteKey.of(key);
        Shard s = keyspace.shard(keyspace.shardIndex(key));
        s.lock();
        try {
            Fetch f = inFlight.get(k);
            if (f != null) {
                f.poison();
            }
            keyspace.database(0, System.currentTimeMillis()).keys().delete(key);
            absent.remove(k);
            uncacheable.remove(k);
            epochs.incrementAndGet(stripe(key));
        } finally {
            s.unlock();
        }
    }

    /** Forgets everything: every fetch in flight poisoned, every copy and marker gone. */
    void flush() {
        for (Fetch f : inFlight.values()) {
            f.poison();
        }
        keyspace.flushAll();
        absent.clear();
        uncacheable.clear();
        bumpAll();
    }

    private void bumpAll() {
        for (int i = 0; i < STRIPES; i++) {
            epochs.incrementAndGet(i);
        }
    }

    long absentCount() {
        return absent.size();
    }

    long uncacheableCount() {
        return uncacheable.size();
    }

    // ---- KeyspaceObserver: every local change moves its key's epoch -------------------------

    @Override
    public void keyChanged(int db, byte[] key, KeyEvent event) {
        epochs.incrementAndGet(stripe(key));
    }

    @Override
    public void databaseChanged(int db) {
        bumpAll();
    }
}
