package io.damselfly.server.keyspace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One shard of the keyspace: the keys that hash to it, in every database, with their memory
 * account, expiry sweep and statistics, all guarded by one lock.
 *
 * <p>Locking scheme (DESIGN.md): a command runs on its connection's event loop and holds the locks
 * of the shards its keys hash to; commands with several keys take their shards' locks in index
 * order, so two of them can never deadlock; MULTI/EXEC and scripts take the union of their shards
 * the same way. The lock is reentrant so that a transaction holding a shard can run a command
 * that locks it again. Every method below that touches entries requires the lock; assertions check
 * it when the JVM runs with -ea (the tests do).
 *
 * <p>Counters ({@link #usedMemory()}, hits, misses, expired, dirty) are written under the lock and
 * read without it by INFO: a reader may see a value a few operations old, never a torn one
 * (64-bit HotSpot writes longs atomically).
 */
public final class Shard {
    private final int index;
    private final ReentrantLock lock = new ReentrantLock();
    private final EntryTable[] dbs;
    /** Per database: where the active expiry sweep resumes. */
    private final long[] expireCursors;

    private long usedMemory;
    private long keyspaceHits;
    private long keyspaceMisses;
    private long expiredKeys;
    private long evictedKeys;
    private long dirty;

    Shard(int index, int databases) {
        this.index = index;
        this.dbs = new EntryTable[databases];
        for (int i = 0; i < databases; i++) {
            dbs[i] = new EntryTable();
        }
        this.expireCursors = new long[databases];
        for (EntryTable t : dbs) {
            usedMemory += t.bucketFootprint();
        }
    }

    public int index() {
        return index;
    }

    public void lock() {
        lock.lock();
    }

    public void unlock() {
        lock.unlock();
    }

    /** Takes the lock only if free; for background work that may skip a busy shard. */
    boolean tryLockForMaintenance() {
        return lock.tryLock();
    }

    public boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    private EntryTable table(int db) {
        assert lock.isHeldByCurrentThread() : "shard " + index + " used without its lock";
        return dbs[db];
    }

    // ---- lookups ---------------------------------------------------------------------------

    /** The live entry for a key, removing it first if it has expired; null when absent. */
    Entry lookup(int db, byte[] key, int hash, long now) {
        EntryTable t = table(db);
        Entry e = t.find(key, hash);
        if (e != null && e.isExpired(now)) {
            removeEntry(t, e);
            expiredKeys++;
            return null;
        }
        return e;
    }

    void countLookup(boolean hit) {
        if (hit) {
            keyspaceHits++;
        } else {
            keyspaceMisses++;
        }
    }

    // ---- writes ----------------------------------------------------------------------------

    /** Adds a new entry for a key known to be absent. */
    Entry insert(int db, byte[] key, int hash, Value value, long expiresAt, int access) {
        Entry e = new Entry(key, hash, value);
        e.expiresAt = expiresAt;
        e.access = access;
        EntryTable t = table(db);
        long buckets = t.bucketFootprint();
        t.insert(e);
        usedMemory += e.footprint() + t.bucketFootprint() - buckets;
        dirty++;
        return e;
    }

    /** Replaces an entry's value and expiry in place. */
    void replace(int db, Entry e, Value value, long expiresAt) {
        EntryTable t = table(db);
        long before = e.footprint();
        e.value = value;
        t.setExpiry(e, expiresAt);
        usedMemory += e.footprint() - before;
        dirty++;
    }

    void setExpiry(int db, Entry e, long expiresAt) {
        table(db).setExpiry(e, expiresAt);
        dirty++;
    }

    /** Accounts for a value changed in place; {@code footprintBefore} is its size before. */
    void valueChanged(Entry e, long footprintBefore) {
        assert lock.isHeldByCurrentThread();
        usedMemory += e.value.footprint() - footprintBefore;
        dirty++;
    }

    void remove(int db, Entry e) {
        removeEntry(table(db), e);
        dirty++;
    }

    private void removeEntry(EntryTable t, Entry e) {
        long buckets = t.bucketFootprint();
        if (t.remove(e)) {
            usedMemory -= e.footprint() + buckets - t.bucketFootprint();
        }
    }

    /** Empties one database; returns how many keys it held. */
    long flush(int db) {
        EntryTable t = table(db);
        long[] freed = {t.bucketFootprint()};
        t.forEach(e -> freed[0] += e.footprint());
        int n = t.size();
        t.clear();
        usedMemory -= freed[0] - t.bucketFootprint();
        expireCursors[db] = 0;
        dirty += n;
        return n;
    }

    /** Exchanges two databases' contents (SWAPDB); the caller holds every shard's lock. */
    void swap(int a, int b) {
        assert lock.isHeldByCurrentThread();
        EntryTable t = dbs[a];
        dbs[a] = dbs[b];
        dbs[b] = t;
        expireCursors[a] = 0;
        expireCursors[b] = 0;
    }

    // ---- iteration -------------------------------------------------------------------------

    /** One SCAN step over one database of this shard; returns the next cursor (0 = done). */
    long scan(int db, long cursor, java.util.function.Consumer<Entry> visitor) {
        return table(db).scanBucket(cursor, visitor);
    }

    /** A live entry from a random non-empty bucket, or null when the database is empty here. */
    Entry randomEntry(int db, long now, java.util.random.RandomGenerator random) {
        EntryTable t = table(db);
        // bounded: a table that is all expired keys is cleaned as it is sampled
        for (int attempt = 0; attempt < 100 && t.size() > 0; attempt++) {
            Entry head = t.bucket(random.nextLong());
            if (head == null) {
                continue;
            }
            int chain = 0;
            for (Entry e = head; e != null; e = e.next) {
                chain++;
            }
            Entry pick = head;
            for (int skip = random.nextInt(chain); skip > 0; skip--) {
                pick = pick.next;
            }
            if (pick.isExpired(now)) {
                removeEntry(t, pick);
                expiredKeys++;
                continue;
            }
            return pick;
        }
        return null;
    }

    /**
     * A random live entry of one database for eviction sampling, or null when there is none
     * (with {@code volatileOnly}, only entries with an expiry qualify; the search is bounded).
     */
    Entry sample(int db, java.util.random.RandomGenerator random, boolean volatileOnly, long now) {
        EntryTable t = table(db);
        if (t.size() == 0 || (volatileOnly && t.volatileCount() == 0)) {
            return null;
        }
        for (int attempt = 0; attempt < 16; attempt++) {
            Entry e = randomEntry(db, now, random);
            if (e == null || !volatileOnly || e.hasExpiry()) {
                return e;
            }
        }
        return null;
    }

    /** Evicts this entry if the database still holds it; returns whether it did. */
    boolean evict(int db, Entry e) {
        EntryTable t = table(db);
        if (t.find(e.key, e.hash) != e) {
            return false;
        }
        removeEntry(t, e);
        evictedKeys++;
        dirty++;
        return true;
    }

    /** Evicts one random key from some non-empty database of this shard (the *-random policies). */
    boolean evictRandom(java.util.random.RandomGenerator random, boolean volatileOnly, long now) {
        int start = random.nextInt(dbs.length);
        for (int i = 0; i < dbs.length; i++) {
            int db = (start + i) % dbs.length;
            Entry e = sample(db, random, volatileOnly, now);
            if (e != null) {
                return evict(db, e);
            }
        }
        return false;
    }

    /**
     * One bounded step of active expiry over every database: visits at most
     * {@code bucketBudget} buckets per database that has volatile keys and deletes the expired
     * entries found there. Returns how many keys it deleted.
     */
    int expireStep(long now, int bucketBudget) {
        assert lock.isHeldByCurrentThread();
        int deleted = 0;
        List<Entry> expired = new ArrayList<>();
        for (int db = 0; db < dbs.length; db++) {
            EntryTable t = dbs[db];
            if (t.volatileCount() == 0) {
                continue;
            }
            long cursor = expireCursors[db];
            for (int b = 0; b < bucketBudget; b++) {
                cursor = t.scanBucket(cursor, e -> {
                    if (e.isExpired(now)) {
                        expired.add(e);
                    }
                });
                if (cursor == 0) {
                    break;
                }
            }
            expireCursors[db] = cursor;
            for (Entry e : expired) {
                removeEntry(t, e);
            }
            deleted += expired.size();
            expired.clear();
        }
        expiredKeys += deleted;
        return deleted;
    }

    // ---- statistics ------------------------------------------------------------------------

    int size(int db) {
        return table(db).size();
    }

    int volatileCount(int db) {
        return table(db).volatileCount();
    }

    /** Accounted bytes of entries plus the tables' bucket arrays. */
    public long usedMemory() {
        return usedMemory;
    }

    long keyspaceHits() {
        return keyspaceHits;
    }

    long keyspaceMisses() {
        return keyspaceMisses;
    }

    long expiredKeys() {
        return expiredKeys;
    }

    long evictedKeys() {
        return evictedKeys;
    }

    long dirty() {
        return dirty;
    }

    void resetStats() {
        keyspaceHits = 0;
        keyspaceMisses = 0;
        expiredKeys = 0;
        evictedKeys = 0;
    }

    /** Recomputes the memory account and the tables' counts from scratch; null when they agree. */
    String checkInvariants() {
        assert lock.isHeldByCurrentThread();
        long total = 0;
        for (int db = 0; db < dbs.length; db++) {
            long[] sum = {0, 0, 0};
            dbs[db].forEach(e -> {
                sum[0] += e.footprint();
                sum[1]++;
                if (e.hasExpiry()) {
                    sum[2]++;
                }
            });
            if (sum[1] != dbs[db].size()) {
                return "shard " + index + " db " + db + ": size " + dbs[db].size() + " but " + sum[1] + " entries";
            }
            if (sum[2] != dbs[db].volatileCount()) {
                return "shard " + index + " db " + db + ": volatile " + dbs[db].volatileCount() + " but " + sum[2];
            }
            total += sum[0] + dbs[db].bucketFootprint();
        }
        if (total != usedMemory) {
            return "shard " + index + ": accounted " + usedMemory + " bytes but entries and buckets sum to " + total;
        }
        return null;
    }
}
