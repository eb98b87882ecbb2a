package io.damselfly.bench.micro;

import io.damselfly.server.keyspace.AccessClock;
import io.damselfly.server.keyspace.MemoryLayout;
import java.util.Arrays;

/**
 * The keyspace's string layout before the segmented table (commit 7f3fa07: EntryTable, Entry,
 * StringValue), rebuilt in the bench module so that {@link EntryLayoutBenchmark} can run it beside
 * the current one. A chained hash table: a power-of-two array of bucket heads, each chain a list of
 * {@link Entry} objects, and each entry's value a {@link Value} wrapper around the value's array.
 *
 * <p>A string key costs, with compressed oops (the old {@code MemoryLayout}):
 *
 * <ul>
 *   <li>the {@link Entry}: header 12 + key 4 + hash 4 + next 4 + value 4 + access 4 + expiresAt 8 =
 *       40 bytes;
 *   <li>the key's {@code byte[]}: 16 + length, aligned to 8;
 *   <li>the {@link Value}: header 12 + buf 4 + length 4 + raw 1 = 21, aligned to 24;
 *   <li>the value's {@code byte[]}: 16 + length, aligned to 8;
 *   <li>its bucket slot: 4 bytes at load factor 1 (the table doubles when it would pass 1), up to 8
 *       just after a doubling.
 * </ul>
 *
 * <p>A GET hit makes five dependent loads: bucket head, entry, key array (to compare), value
 * wrapper, value array. SET on an existing key keeps the entry and hangs a new wrapper around the
 * caller's array, as the old server stored the decoder's fresh array as is; SET on a new key keeps
 * the caller's key array too.
 *
 * <p>What the old shard did around the table is kept, so that the comparison is of layouts and not
 * of bookkeeping: the expiry check on lookup (an expired entry is removed), hit and miss counters,
 * the LRU stamp on every lookup, the memory account (the entry's footprint before and after a
 * write) and the dirty counter. Hashing and locking are the caller's, as the old shard's were.
 * Only what SET and GET need is here: no SCAN, sampling or shrinking. Not thread-safe.
 */
final class ChainedStringTable {
    static final int MIN_CAPACITY = 16;
    static final long NO_EXPIRY = 0L;

    /** The old MemoryLayout's sizes: Entry, StringValue, one bucket slot. */
    static final int ENTRY = 40;
    static final int STRING_VALUE = 24;
    static final int BUCKET_SLOT = 4;

    /** One key: the chain node itself, as the old Entry. */
    static final class Entry {
        final byte[] key;
        final int hash;
        Entry next;
        Value value;
        long expiresAt;
        int access;

        Entry(byte[] key, int hash, Value value) {
            this.key = key;
            this.hash = hash;
            this.value = value;
        }

        long footprint() {
            return ENTRY + MemoryLayout.byteArray(key.length) + value.footprint();
        }
    }

    /** The old StringValue: the bytes, their length, and whether APPEND/SETRANGE grew them. */
    static final class Value {
        final byte[] buf;
        final int length;
        boolean raw;

        Value(byte[] bytes) {
            this.buf = bytes;
            this.length = bytes.length;
        }

        long footprint() {
            return STRING_VALUE + MemoryLayout.byteArray(buf.length);
        }
    }

    private Entry[] buckets = new Entry[MIN_CAPACITY];
    private int size;
    private long usedMemory = bucketFootprint();
    private long hits;
    private long misses;
    private long dirty;

    int size() {
        return size;
    }

    /** Accounted heap bytes: every entry with key and value, and the bucket array. */
    long usedMemory() {
        return usedMemory;
    }

    long hits() {
        return hits;
    }

    long dirty() {
        return dirty;
    }

    /**
     * GET's lookup (the old lookupKeyRead): the live value or null, counting a hit or miss and
     * stamping the access clock; an expired entry is removed and reads as absent.
     */
    Value get(byte[] key, int hash, long now) {
        Entry e = lookup(key, hash, now);
        if (e == null) {
            misses++;
            return null;
        }
        hits++;
        e.access = AccessClock.lruStamp(now);
        return e.value;
    }

    /**
     * SET key value without expiry (the old lookupKeyWrite, then replace or insert). Keeps {@code
     * value}, and {@code key} when the key is new: the caller hands over fresh arrays.
     */
    void set(byte[] key, int hash, byte[] value, long now) {
        Entry e = lookup(key, hash, now);
        int stamp = AccessClock.lruStamp(now);
        if (e == null) {
            e = new Entry(key, hash, new Value(value));
            e.access = stamp;
            long bucketsBefore = bucketFootprint();
            insert(e);
            usedMemory += e.footprint() + bucketFootprint() - bucketsBefore;
        } else {
            long before = e.footprint();
            e.access = stamp;
            e.value = new Value(value);
            e.expiresAt = NO_EXPIRY;
            usedMemory += e.footprint() - before;
        }
        dirty++;
    }

    private Entry lookup(byte[] key, int hash, long now) {
        Entry e = find(key, hash);
        if (e != null && e.expiresAt != NO_EXPIRY && e.expiresAt <= now) {
            remove(e);
            usedMemory -= e.footprint();
            return null;
        }
        return e;
    }

    private Entry find(byte[] key, int hash) {
        for (Entry e = buckets[hash & (buckets.length - 1)]; e != null; e = e.next) {
            if (e.hash == hash && Arrays.equals(e.key, key)) {
                return e;
            }
        }
        return null;
    }

    private void insert(Entry entry) {
        if (size >= buckets.length) {
            resize(buckets.length << 1);
        }
        int i = entry.hash & (buckets.length - 1);
        entry.next = buckets[i];
        buckets[i] = entry;
        size++;
    }

    private void remove(Entry entry) {
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
                return;
            }
        }
    }

    /** Rehashes every entry into a new bucket array at once, as the old table did. */
    private void resize(int capacity) {
        Entry[] fresh = new Entry[capacity];
        int mask = capacity - 1;
        for (Entry head : buckets) {
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

    private long bucketFootprint() {
        return MemoryLayout.byteArray(buckets.length * BUCKET_SLOT);
    }

    /** Recounts entries and memory from the table itself; null when they agree with the books. */
    String checkInvariants() {
        long count = 0;
        long bytes = bucketFootprint();
        for (int i = 0; i < buckets.length; i++) {
            for (Entry e = buckets[i]; e != null; e = e.next) {
                if ((e.hash & (buckets.length - 1)) != i) {
                    return "entry in bucket " + i + " has hash " + e.hash;
                }
                count++;
                bytes += e.footprint();
            }
        }
        if (count != size) {
            return "size " + size + " but " + count + " entries";
        }
        return bytes == usedMemory ? null : "accounted " + usedMemory + " bytes but entries and buckets sum to " + bytes;
    }
}
