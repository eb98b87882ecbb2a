package io.damselfly.server.keyspace;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The keys of one database within one shard: a chained hash table of {@link Entry} objects.
 *
 * <p>Why not {@code java.util.HashMap}: the entry itself is the chain node, so a key costs one
 * 40-byte object instead of HashMap's node plus a key wrapper; and the table needs operations
 * HashMap cannot give: Redis's SCAN cursor (reverse-binary bucket order, which returns every key
 * present for the whole scan exactly once or more, across resizes), sampling random buckets for
 * RANDOMKEY and eviction, and a resumable sweep for active expiry.
 *
 * <p>Capacity is a power of two; the table doubles at load factor 1 and halves below 1/8, never
 * under {@link #MIN_CAPACITY}. A resize rehashes at once: the table holds one shard's share of one
 * database, so it stays small enough that this is a short pause (measured in the bench module).
 * Not thread-safe: the owning {@link Shard}'s lock guards it.
 */
final class EntryTable {
    static final int MIN_CAPACITY = 16;

    private Entry[] buckets = new Entry[MIN_CAPACITY];
    private int size;
    private int volatileCount;

    int size() {
        return size;
    }

    /** How many entries carry an expiry, for INFO keyspace's "expires". */
    int volatileCount() {
        return volatileCount;
    }

    int capacity() {
        return buckets.length;
    }

    Entry find(byte[] key, int hash) {
        for (Entry e = buckets[hash & (buckets.length - 1)]; e != null; e = e.next) {
            if (e.hash == hash && Arrays.equals(e.key, key)) {
                return e;
            }
        }
        return null;
    }

    /** Adds an entry whose key is known to be absent. */
    void insert(Entry entry) {
        if (size >= buckets.length) {
            resize(buckets.length << 1);
        }
        int i = entry.hash & (buckets.length - 1);
        entry.next = buckets[i];
        buckets[i] = entry;
        size++;
        if (entry.hasExpiry()) {
            volatileCount++;
        }
    }

    /** Removes this exact entry; returns whether it was present. */
    boolean remove(Entry entry) {
        int i = entry.hash & (buckets.length - 1);
        Entry prev = null;
        for (Entry e = buckets[i]; e != null; prev = e, e = e.next) {
            if (e == entry) {
                if (prev == null) {
                    buckets[i] = e.next;
                } else {
                    prev.next = e.next;
                }
                e.next = null;
                size--;
                if (e.hasExpiry()) {
                    volatileCount--;
                }
                if (size < buckets.length >>> 3 && buckets.length > MIN_CAPACITY) {
                    resize(buckets.length >>> 1);
                }
                return true;
            }
        }
        return false;
    }

    /** Changes an entry's expiry, keeping the volatile count right. */
    void setExpiry(Entry e, long expiresAt) {
        boolean had = e.hasExpiry();
        e.expiresAt = expiresAt;
        boolean has = e.hasExpiry();
        if (had != has) {
            volatileCount += has ? 1 : -1;
        }
    }

    private void resize(int newCapacity) {
        Entry[] old = buckets;
        Entry[] fresh = new Entry[newCapacity];
        int mask = newCapacity - 1;
        for (Entry head : old) {
            Entry e = head;
            while (e != null) {
                Entry next = e.next;
                int i = e.hash & mask;
                e.next = fresh[i];
                fresh[i] = e;
                e = next;
            }
        }
        buckets = fresh;
    }

    /**
     * Visits one bucket of a SCAN and returns the next cursor (0 when the scan is complete).
     *
     * <p>Redis's dictScan: the cursor's bits are incremented from the most significant end of the
     * mask down, so buckets are visited in reverse-binary order. When the table doubles, the
     * buckets already visited split into buckets that are also "before" the cursor; when it
     * halves they merge into such buckets; so no key present throughout is missed.
     */
    long scanBucket(long cursor, Consumer<Entry> visitor) {
        if (size == 0) {
            return 0;
        }
        long mask = buckets.length - 1;
        for (Entry e = buckets[(int) (cursor & mask)]; e != null; e = e.next) {
            visitor.accept(e);
        }
        cursor |= ~mask;
        cursor = Long.reverse(cursor);
        cursor++;
        return Long.reverse(cursor);
    }

    /** The chain of a bucket, for sampling; {@code index} is reduced modulo the capacity. */
    Entry bucket(long index) {
        return buckets[(int) (index & (buckets.length - 1))];
    }

    /** Removes everything. */
    void clear() {
        buckets = new Entry[MIN_CAPACITY];
        size = 0;
        volatileCount = 0;
    }

    /** Heap bytes of the bucket array itself (entries are counted by the shard). */
    long bucketFootprint() {
        return MemoryLayout.byteArray(buckets.length * MemoryLayout.BUCKET_SLOT);
    }

    /** Visits every entry; for invariant checks and snapshots. */
    void forEach(Consumer<Entry> visitor) {
        for (Entry head : buckets) {
            for (Entry e = head; e != null; e = e.next) {
                visitor.accept(e);
            }
        }
    }
}
