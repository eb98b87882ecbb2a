package io.damselfly.server.keyspace;

import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The whole keyspace: {@code databases} logical databases split over a fixed number of
 * {@link Shard}s by key hash. A key lives in the same shard in every database, so commands that
 * move keys between databases (MOVE, COPY ... DB) need only that one shard's lock.
 *
 * <p>Keyspace-wide operations (DBSIZE, SCAN, KEYS, RANDOMKEY, active expiry) visit shards one at a
 * time, each under its own lock; only FLUSHALL, SWAPDB and transactions hold several at once, and
 * always in index order.
 */
public final class Keyspace {
    private final Shard[] shards;
    private final int databases;
    private final int shardBits;
    private volatile boolean lfu;
    private volatile int lfuLogFactor = 10;
    private volatile int lfuDecayMinutes = 1;

    public Keyspace(int shardCount, int databases) {
        if (shardCount < 1 || shardCount > 1024) {
            throw new IllegalArgumentException("shard count must be 1..1024, got " + shardCount);
        }
        this.databases = databases;
        this.shards = new Shard[shardCount];
        for (int i = 0; i < shardCount; i++) {
            shards[i] = new Shard(i, databases);
        }
        this.shardBits = 32 - Integer.numberOfLeadingZeros(shardCount - 1);
    }

    public int shardCount() {
        return shards.length;
    }

    public Shard shard(int index) {
        return shards[index];
    }

    public int databases() {
        return databases;
    }

    /**
     * The hash key, drawn once per process so that clients cannot predict which keys collide
     * (Redis seeds its dictionaries' SipHash the same way at start).
     */
    private static final long HASH_K0;
    private static final long HASH_K1;

    static {
        java.security.SecureRandom seed = new java.security.SecureRandom();
        HASH_K0 = seed.nextLong();
        HASH_K1 = seed.nextLong();
    }

    /**
     * The key's hash: keyed SipHash-1-2, as Redis's dict uses, folded to 32 bits. The high bits
     * choose the shard and the low bits the bucket, and both are well mixed.
     */
    public static int hash(byte[] key) {
        long h = SipHash.hash(HASH_K0, HASH_K1, key, 1, 2);
        return (int) (h ^ (h >>> 32));
    }

    /** The shard of a key hash: the hash's high bits scaled to the shard count (no modulo bias). */
    int shardIndexOfHash(int hash) {
        return (int) (((hash & 0xFFFFFFFFL) * shards.length) >>> 32);
    }

    public int shardIndex(byte[] key) {
        return shardIndexOfHash(hash(key));
    }

    Shard shardOfHash(int hash) {
        return shards[shardIndexOfHash(hash)];
    }

    /** A view of one database for one command; see {@link Database}. */
    public Database database(int index, long now) {
        Database d = new Database(this);
        d.bind(index, now);
        return d;
    }

    // ---- access clock ----------------------------------------------------------------------

    /** Chooses what the entries' access field means: LFU counters or LRU stamps. */
    public void setLfu(boolean lfu) {
        this.lfu = lfu;
    }

    public boolean isLfu() {
        return lfu;
    }

    public void setLfuParameters(int logFactor, int decayMinutes) {
        this.lfuLogFactor = logFactor;
        this.lfuDecayMinutes = decayMinutes;
    }

    int initialAccess(long now) {
        return lfu ? AccessClock.lfuInitial(now) : AccessClock.lruStamp(now);
    }

    void touch(Entry e, long now) {
        e.access = lfu ? AccessClock.lfuTouch(e.access, now, lfuLogFactor, lfuDecayMinutes) : AccessClock.lruStamp(now);
    }

    /** OBJECT FREQ: the decayed LFU counter, without touching the entry. */
    public int frequency(Entry e, long now) {
        return AccessClock.lfuDecayed(e.access, now, lfuDecayMinutes);
    }

    /** OBJECT IDLETIME: seconds since last access, without touching the entry. */
    public long idleSeconds(Entry e, long now) {
        return AccessClock.idleSeconds(e.access, now);
    }

    // ---- keyspace-wide operations ----------------------------------------------------------

    public void lockAll() {
        for (Shard s : shards) {
            s.lock();
        }
    }

    public void unlockAll() {
        for (int i = shards.length - 1; i >= 0; i--) {
            shards[i].unlock();
        }
    }

    /** Number of keys in a database (including expired ones not yet reclaimed, as Redis). */
    public long size(int db) {
        return sumLocked(s -> s.size(db));
    }

    /** Number of keys with an expiry in a database. */
    public long volatileSize(int db) {
        return sumLocked(s -> s.volatileCount(db));
    }

    /** Empties one database; returns the number of keys removed. */
    public long flush(int db) {
        return sumLocked(s -> s.flush(db));
    }

    /** Sums a per-shard figure, taking each shard's lock in turn (never two at once). */
    private long sumLocked(java.util.function.ToLongFunction<Shard> figure) {
        long n = 0;
        for (Shard s : shards) {
            s.lock();
            try {
                n += figure.applyAsLong(s);
            } finally {
                s.unlock();
            }
        }
        return n;
    }

    /** Empties every database at once: all shard locks are held together. */
    public void flushAll() {
        lockAll();
        try {
            for (Shard s : shards) {
                for (int db = 0; db < databases; db++) {
                    s.flush(db);
                }
            }
        } finally {
            unlockAll();
        }
    }

    /** SWAPDB: exchanges two databases atomically for every client. */
    public void swap(int a, int b) {
        lockAll();
        try {
            for (Shard s : shards) {
                s.swap(a, b);
            }
        } finally {
            unlockAll();
        }
    }

    /**
     * One SCAN call's worth of buckets. The cursor packs the shard index in its low
     * {@code shardBits} bits and that shard's table cursor above them; each shard is scanned
     * under its own lock, one bucket at a time, until {@code minEntries} entries have been
     * visited or the cursor wraps to 0. At most {@code maxBuckets} buckets are visited, so a
     * sparse table cannot make one call unbounded (Redis's maxiterations = count * 10).
     */
    public long scan(int db, long cursor, int minEntries, int maxBuckets, long now, Consumer<Entry> visitor) {
        int shardIndex = (int) (cursor & ((1L << shardBits) - 1));
        long tableCursor = cursor >>> shardBits;
        if (shardIndex >= shards.length) {
            return 0;
        }
        int[] seen = {0};
        Consumer<Entry> counting = e -> {
            if (!e.isExpired(now)) {
                seen[0]++;
                visitor.accept(e);
            }
        };
        int buckets = 0;
        while (true) {
            Shard s = shards[shardIndex];
            s.lock();
            try {
                do {
                    tableCursor = s.scan(db, tableCursor, counting);
                    buckets++;
                } while (tableCursor != 0 && seen[0] < minEntries && buckets < maxBuckets);
            } finally {
                s.unlock();
            }
            if (tableCursor == 0) {
                shardIndex++;
                if (shardIndex == shards.length) {
                    return 0;
                }
            }
            if (seen[0] >= minEntries || buckets >= maxBuckets) {
                return (tableCursor << shardBits) | shardIndex;
            }
        }
    }

    /** A random live key of a database, or null when it is empty. */
    public byte[] randomKey(int db, long now, RandomGenerator random) {
        // Choose shards in proportion to their size so keys are picked near-uniformly.
        for (int attempt = 0; attempt < 16; attempt++) {
            long total = 0;
            long[] sizes = new long[shards.length];
            for (int i = 0; i < shards.length; i++) {
                Shard s = shards[i];
                s.lock();
                try {
                    sizes[i] = s.size(db);
                } finally {
                    s.unlock();
                }
                total += sizes[i];
            }
            if (total == 0) {
                return null;
            }
            long pick = random.nextLong(total);
            int i = 0;
            while (pick >= sizes[i]) {
                pick -= sizes[i];
                i++;
            }
            Shard s = shards[i];
            s.lock();
            try {
                Entry e = s.randomEntry(db, now, random);
                if (e != null) {
                    return e.key;
                }
            } finally {
                s.unlock();
            }
        }
        return null;
    }

    /**
     * One tick of active expiry: a bounded step on every shard. Shards already locked by a
     * command are skipped this tick rather than waited for, so the expiry thread never queues
     * behind a long transaction.
     */
    public int expireCycle(long now, int bucketBudget) {
        int deleted = 0;
        for (Shard s : shards) {
            if (s.tryLockForMaintenance()) {
                try {
                    deleted += s.expireStep(now, bucketBudget);
                } finally {
                    s.unlock();
                }
            }
        }
        return deleted;
    }

    // ---- statistics ------------------------------------------------------------------------

    /** Accounted bytes of every key, value and hash table bucket (INFO used_memory). */
    public long usedMemory() {
        return sum(Shard::usedMemory);
    }

    public long keyspaceHits() {
        return sum(Shard::keyspaceHits);
    }

    public long keyspaceMisses() {
        return sum(Shard::keyspaceMisses);
    }

    public long expiredKeys() {
        return sum(Shard::expiredKeys);
    }

    public long evictedKeys() {
        return sum(Shard::evictedKeys);
    }

    /** Writes since start, for INFO and (later) save schedules. */
    public long dirty() {
        return sum(Shard::dirty);
    }

    /**
     * Sums a per-shard counter without locks: counters are written under their shard's lock and
     * read here possibly a few operations stale, which INFO and the maxmemory check tolerate.
     */
    private long sum(java.util.function.ToLongFunction<Shard> counter) {
        long n = 0;
        for (Shard s : shards) {
            n += counter.applyAsLong(s);
        }
        return n;
    }

    public void resetStats() {
        lockAll();
        try {
            for (Shard s : shards) {
                s.resetStats();
            }
        } finally {
            unlockAll();
        }
    }

    /** Checks every shard's counts and memory account; null when all hold, else what broke. */
    public String checkInvariants() {
        lockAll();
        try {
            for (Shard s : shards) {
                String problem = s.checkInvariants();
                if (problem != null) {
                    return problem;
                }
            }
            return null;
        } finally {
            unlockAll();
        }
    }
}
