package io.damselfly.server.keyspace;

import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The keys of one database within one shard: a segmented, fingerprinted hash table of entries
 * (see {@link Entries}: a compact string record or an {@link ObjectEntry}).
 *
 * <h2>Layout</h2>
 *
 * <p>A directory of {@link Segment}s indexed by the top {@code globalDepth} bits of the key's
 * 32-bit table hash (extendible hashing, as Dragonfly's dashtable). A segment is an open-addressed
 * table of buckets; each bucket is one {@code int} of metadata and seven 32-bit hash fingerprints
 * in {@link Segment#meta} (32 bytes, half a cache line) and seven entry references in {@link
 * Segment#items}. A lookup reads the directory (small, hot), the bucket's fingerprints, and only on
 * a fingerprint match the entry itself: for a string key that is the one array holding key, value,
 * expiry and access clock. The old chained table made five dependent loads per hit (bucket, entry,
 * key array, value wrapper, value array); this makes three (fingerprints and references, which the
 * CPU fetches in parallel, then the record).
 *
 * <p>An entry lives in its home bucket ({@code hash & (buckets - 1)}) or, when that was full, in
 * the next bucket with a free slot (linear probing by bucket). Each bucket's metadata counts the
 * entries that had to pass it ({@link #OVERFLOW_UNIT}); a lookup goes on to the next bucket only
 * while that count is non-zero, so a miss usually reads one bucket, and deletions (which decrement
 * the counts along the entry's path) never leave tombstones behind or degrade probing over time.
 *
 * <h2>Growth without stop-the-world rehashing</h2>
 *
 * <p>A segment starts with one bucket and doubles in place up to {@link #MAX_BUCKETS} buckets; a
 * full segment at that size splits in two by the next hash bit, and the directory doubles (an array
 * of references, a few KB even for ten million keys) when a segment's depth reaches the global
 * depth. So growing never touches more than one segment of at most {@code 7 * MAX_BUCKETS} entries:
 * tens of microseconds, however large the table, and no allocation larger than a few KB (a single
 * large table array would itself stall on zeroing). A segment that falls below 1/8 full halves.
 *
 * <h2>SCAN across resizes</h2>
 *
 * <p>The cursor is a pair (p, k): p is a position in the 32-bit hash space, which the directory
 * cuts into ranges, one per segment, and k a bucket of the segment holding p. One step visits the
 * entries whose home is bucket k, then moves k on in Redis's reverse-binary order (dictScan), and
 * after the segment's last bucket moves p to the start of the next segment's range. Every key
 * present for the whole scan is returned, whatever happens between steps: a segment that doubles
 * or halves in place keeps the reverse-binary guarantee (Redis's own argument); a segment that
 * splits leaves p at the start of its lower half, whose home buckets are the same as before, and
 * the upper half is scanned from its first bucket when p reaches it (keys already seen there may
 * be returned again, which Redis's guarantee allows). The directory only ever refines ranges, so p
 * always stays a range start. Without changes between calls, each key is returned once, and a
 * small table is covered in few steps (a one-bucket segment in one).
 *
 * <p>Not thread-safe: the owning {@link Shard}'s lock guards it.
 */
final class KeyTable {
    /** Slots per bucket: with the metadata int, eight ints, half a cache line of fingerprints. */
    static final int SLOTS = 7;
    private static final int STRIDE = SLOTS + 1;
    private static final int OCCUPIED_MASK = (1 << SLOTS) - 1;
    /** Metadata bits 8..31 count the entries whose probe passed this bucket. */
    private static final int OVERFLOW_UNIT = 1 << 8;

    /** The largest segment: 128 buckets, 896 slots; splitting one moves at most 896 entries. */
    static final int MAX_BUCKETS = 128;
    private static final long SCAN_POSITION_END = 1L << 32;
    /**
     * Cursor bits for the bucket within a segment: room for segments larger than {@link
     * #MAX_BUCKETS}, which only a directory at {@link #MAX_DEPTH} makes (doubling in place).
     */
    private static final int SCAN_BUCKET_BITS = 16;
    private static final int LARGEST_SEGMENT = 1 << SCAN_BUCKET_BITS;
    /** Directory depth limit: 2^24 segments of ~700 keys, far past any heap. */
    private static final int MAX_DEPTH = 24;

    /**
     * Grow at 7/8 full. Bucketed linear probing keeps probes short even there (seven slots per
     * bucket absorb most collisions), and a higher fill is fewer bytes of empty slots per key.
     */
    private static boolean overFull(int count, int buckets) {
        return count * 8 > buckets * SLOTS * 7;
    }

    /** Halve below 1/8 full. */
    private static boolean underFull(int count, int buckets) {
        return buckets > 1 && count * 8 < buckets * SLOTS;
    }

    /** One piece of the table: an open-addressed array of buckets covering a range of hashes. */
    static final class Segment {
        /** How many leading hash bits all keys of this segment share. */
        final int depth;
        /** Per bucket: metadata (occupied bits, overflow count) then seven fingerprints. */
        int[] meta;
        /** Per bucket: seven entries. */
        Object[] items;
        /** Buckets - 1: a field, so a lookup reads it with the arrays instead of dividing a length. */
        int mask;
        int count;

        Segment(int depth, int buckets) {
            this.depth = depth;
            allocate(buckets);
        }

        void allocate(int buckets) {
            this.meta = new int[buckets * STRIDE];
            this.items = new Object[buckets * SLOTS];
            this.mask = buckets - 1;
        }

        int buckets() {
            return mask + 1;
        }

        long footprint() {
            return MemoryLayout.SEGMENT + MemoryLayout.intArray(meta.length) + MemoryLayout.referenceArray(items.length);
        }
    }

    private Segment[] directory;
    private int globalDepth;
    private int size;
    private int volatileCount;
    private long footprint;

    /*
     * The position of the last successful find, for a replace or remove right after it. Kept as
     * ints, not a Segment reference: a reference stored into this long-lived object costs G1's
     * cross-region write barrier, a StoreLoad fence, on every lookup. {@code shape} counts the
     * changes that move entries (resize, split, clear); a position from another shape is stale.
     */
    private int shape;
    private int foundShape = -1;
    private int foundIndex;
    private int foundSlot;
    private int foundHash;

    KeyTable() {
        clear();
    }

    int size() {
        return size;
    }

    /** How many entries carry an expiry, for INFO keyspace's "expires". */
    int volatileCount() {
        return volatileCount;
    }

    /** Heap bytes of the directory and every segment's arrays (entries are counted by the shard). */
    long footprint() {
        return footprint;
    }

    /** Removes everything. */
    void clear() {
        directory = new Segment[] {new Segment(0, 1)};
        globalDepth = 0;
        size = 0;
        volatileCount = 0;
        footprint = MemoryLayout.referenceArray(1) + directory[0].footprint();
        shape++;
    }

    private int directoryIndex(int hash) {
        return (int) ((hash & 0xFFFFFFFFL) >>> (32 - globalDepth));
    }

    private Segment segmentFor(int hash) {
        return directory[directoryIndex(hash)];
    }

    // ---- lookup ----------------------------------------------------------------------------

    /**
     * The entry for a key, or null. The position found is remembered, so that a {@link #replace}
     * or {@link #remove} of that entry right after does not probe again.
     */
    Object find(byte[] key, int hash) {
        int index = directoryIndex(hash);
        Segment s = directory[index];
        int[] meta = s.meta;
        Object[] items = s.items;
        int mask = s.mask;
        int b = hash & mask;
        // read the home bucket's first entry reference before its fingerprints: the two arrays'
        // cache lines are then fetched together instead of one after the other
        Object first = items[b * SLOTS];
        for (int probe = 0; probe <= mask; probe++) {
            int base = b * STRIDE;
            int m = meta[base];
            for (int matches = matches(meta, base, hash) & m; matches != 0; matches &= matches - 1) {
                int slot = Integer.numberOfTrailingZeros(matches);
                Object item = probe == 0 && slot == 0 ? first : items[b * SLOTS + slot];
                if (Entries.keyEquals(item, key)) {
                    foundShape = shape;
                    foundIndex = index;
                    foundSlot = b * SLOTS + slot;
                    foundHash = hash;
                    return item;
                }
            }
            if (m < OVERFLOW_UNIT) {
                return null;
            }
            b = (b + 1) & mask;
        }
        return null;
    }

    /**
     * The slots of a bucket whose fingerprint is {@code hash}, as a bit mask, compared without a
     * branch per slot: a loop that stops at the first equal fingerprint mispredicts its exit on
     * most lookups, which cost more than the seven comparisons.
     */
    private static int matches(int[] meta, int base, int hash) {
        int bits = 0;
        for (int slot = 0; slot < SLOTS; slot++) {
            bits |= (meta[base + 1 + slot] == hash ? 1 : 0) << slot;
        }
        return bits;
    }

    /** Whether the remembered position holds this entry. */
    private boolean foundAt(Object item) {
        return foundShape == shape && directory[foundIndex].items[foundSlot] == item;
    }

    /** Puts {@code entry} (same key) in the place of {@code old}, which must be in the table. */
    void replace(Object old, Object entry, byte[] key, int hash) {
        if (!foundAt(old) && find(key, hash) != old) {
            throw new IllegalStateException("the entry to replace is not in the table");
        }
        trackExpiry(old, entry);
        directory[foundIndex].items[foundSlot] = entry;
    }

    /** Removes this exact entry, whose key has {@code hash}; whether it was there. */
    boolean remove(Object item, int hash) {
        if (foundAt(item)) {
            foundShape = -1;
            removeAt(directory[foundIndex], foundSlot, foundHash);
            return true;
        }
        Segment s = segmentFor(hash);
        int mask = s.mask;
        int b = hash & mask;
        for (int probe = 0; probe <= mask; probe++) {
            int base = b * STRIDE;
            int m = s.meta[base];
            for (int occupied = m & OCCUPIED_MASK; occupied != 0; occupied &= occupied - 1) {
                int slot = Integer.numberOfTrailingZeros(occupied);
                if (s.items[b * SLOTS + slot] == item) {
                    removeAt(s, b * SLOTS + slot, hash);
                    return true;
                }
            }
            if (m < OVERFLOW_UNIT) {
                return false;
            }
            b = (b + 1) & mask;
        }
        return false;
    }

    private void removeAt(Segment s, int index, int hash) {
        int bucket = index / SLOTS;
        int slot = index - bucket * SLOTS;
        Object item = s.items[index];
        s.items[index] = null;
        s.meta[bucket * STRIDE] &= ~(1 << slot);
        // the entries that passed buckets home..bucket-1 to get here: one fewer now
        int mask = s.mask;
        for (int b = hash & mask; b != bucket; b = (b + 1) & mask) {
            s.meta[b * STRIDE] -= OVERFLOW_UNIT;
        }
        s.count--;
        size--;
        if (Entries.hasExpiry(item)) {
            volatileCount--;
        }
        if (underFull(s.count, s.buckets())) {
            resize(s, s.buckets() / 2);
        }
    }

    // ---- insertion and growth --------------------------------------------------------------

    /** Adds an entry whose key is known to be absent. */
    void insert(int hash, Object item) {
        Segment s = segmentFor(hash);
        if (overFull(s.count + 1, s.buckets())) {
            if (s.buckets() < MAX_BUCKETS || s.depth == MAX_DEPTH) {
                // past the deepest directory a segment keeps doubling in place: never a full segment
                if (s.buckets() == LARGEST_SEGMENT) {
                    throw new IllegalStateException("key table segment full at the deepest directory");
                }
                resize(s, s.buckets() * 2);
            } else {
                split(s, hash);
            }
            s = segmentFor(hash);
        }
        place(s, hash, item);
        s.count++;
        size++;
        if (Entries.hasExpiry(item)) {
            volatileCount++;
        }
    }

    /** Puts an entry in the first free slot from its home bucket on, counting the buckets it passes. */
    private static void place(Segment s, int hash, Object item) {
        int mask = s.mask;
        int b = hash & mask;
        while (true) {
            int base = b * STRIDE;
            int m = s.meta[base];
            int free = ~m & OCCUPIED_MASK;
            if (free != 0) {
                int slot = Integer.numberOfTrailingZeros(free);
                s.meta[base] = m | (1 << slot);
                s.meta[base + 1 + slot] = hash;
                s.items[b * SLOTS + slot] = item;
                return;
            }
            s.meta[base] = m + OVERFLOW_UNIT;
            b = (b + 1) & mask;
        }
    }

    /** Rebuilds one segment with another bucket count, in place in the directory. */
    private void resize(Segment s, int buckets) {
        int[] oldMeta = s.meta;
        Object[] oldItems = s.items;
        footprint -= s.footprint();
        s.allocate(buckets);
        footprint += s.footprint();
        forEachSlot(oldMeta, oldItems, (hash, item) -> place(s, hash, item));
        shape++;
    }

    /** Splits a full segment, the one {@code hash} falls in, in two by the bit after its prefix. */
    private void split(Segment s, int hash) {
        if (s.depth == globalDepth) {
            Segment[] doubled = new Segment[directory.length * 2];
            for (int i = 0; i < directory.length; i++) {
                doubled[2 * i] = directory[i];
                doubled[2 * i + 1] = directory[i];
            }
            footprint += MemoryLayout.referenceArray(doubled.length) - MemoryLayout.referenceArray(directory.length);
            directory = doubled;
            globalDepth++;
        }
        Segment low = new Segment(s.depth + 1, MAX_BUCKETS);
        Segment high = new Segment(s.depth + 1, MAX_BUCKETS);
        int bit = 31 - s.depth;
        forEachSlot(s.meta, s.items, (h, item) -> {
            Segment to = ((h >>> bit) & 1) == 0 ? low : high;
            place(to, h, item);
            to.count++;
        });
        // the directory entries of s: a run of 2^(global - depth) starting at its prefix
        int span = 1 << (globalDepth - s.depth);
        int first = directoryIndex(hash) & -span;
        for (int i = 0; i < span; i++) {
            directory[first + i] = i < span / 2 ? low : high;
        }
        footprint += low.footprint() + high.footprint() - s.footprint();
        shape++;
    }

    private interface SlotVisitor {
        void accept(int hash, Object item);
    }

    private static void forEachSlot(int[] meta, Object[] items, SlotVisitor visitor) {
        int buckets = items.length / SLOTS;
        for (int b = 0; b < buckets; b++) {
            int base = b * STRIDE;
            for (int occupied = meta[base] & OCCUPIED_MASK; occupied != 0; occupied &= occupied - 1) {
                int slot = Integer.numberOfTrailingZeros(occupied);
                visitor.accept(meta[base + 1 + slot], items[b * SLOTS + slot]);
            }
        }
    }

    /** Keeps the volatile count right when an entry is replaced by another form of itself. */
    private void trackExpiry(Object before, Object after) {
        expiryChanged(Entries.hasExpiry(before), Entries.hasExpiry(after));
    }

    /** Tells the table that an entry gained or lost its expiry in place. */
    void expiryChanged(boolean had, boolean has) {
        if (had != has) {
            volatileCount += has ? 1 : -1;
        }
    }

    // ---- iteration -------------------------------------------------------------------------

    /**
     * One SCAN step (see the class comment): visits the entries homed at one bucket of the
     * segment holding hash position {@code cursor >>> 16}, the bucket {@code cursor & 0xFFFF} in
     * reverse-binary order; returns the next cursor (at most 48 bits), 0 when the scan is complete.
     */
    long scanStep(long cursor, Consumer<Object> visitor) {
        if (size == 0) {
            return 0;
        }
        int k = (int) cursor & (LARGEST_SEGMENT - 1);
        long position = cursor >>> SCAN_BUCKET_BITS;
        if (position >= SCAN_POSITION_END) {
            return 0;
        }
        int index = (int) (position >>> (32 - globalDepth));
        Segment s = directory[index];
        int mask = s.mask;
        int home = k & mask;
        int b = home;
        for (int probe = 0; probe <= mask; probe++) {
            int base = b * STRIDE;
            int m = s.meta[base];
            for (int occupied = m & OCCUPIED_MASK; occupied != 0; occupied &= occupied - 1) {
                int slot = Integer.numberOfTrailingZeros(occupied);
                if ((s.meta[base + 1 + slot] & mask) == home) {
                    visitor.accept(s.items[b * SLOTS + slot]);
                }
            }
            if (m < OVERFLOW_UNIT) {
                break;
            }
            b = (b + 1) & mask;
        }
        // Redis's dictScan increment over this segment's bucket bits: reverse, add one, reverse
        int v = k | ((LARGEST_SEGMENT - 1) & ~mask);
        v = (Integer.reverse(v) >>> (32 - SCAN_BUCKET_BITS)) + 1;
        if (v < LARGEST_SEGMENT) {
            k = Integer.reverse(v) >>> (32 - SCAN_BUCKET_BITS);
        } else {
            // every bucket of this segment is done: on to the start of the next segment's range
            int span = 1 << (globalDepth - s.depth);
            position = (long) ((index & -span) + span) << (32 - globalDepth);
            if (position >= SCAN_POSITION_END) {
                return 0;
            }
            k = 0;
        }
        return (position << SCAN_BUCKET_BITS) | k;
    }

    /**
     * A random entry, or null when the table is empty: a random segment (weighted by the share of
     * the hash space it covers, hence roughly by its expected size), a random bucket, and the
     * first occupied bucket from there on.
     */
    Object sample(RandomGenerator random) {
        if (size == 0) {
            return null;
        }
        for (int attempt = 0; attempt < 64; attempt++) {
            Segment s = directory[random.nextInt(directory.length)];
            if (s.count == 0) {
                continue;
            }
            int buckets = s.buckets();
            int b = random.nextInt(buckets);
            for (int i = 0; i < buckets; i++, b = (b + 1) & (buckets - 1)) {
                int occupied = s.meta[b * STRIDE] & OCCUPIED_MASK;
                if (occupied != 0) {
                    int pick = random.nextInt(Integer.bitCount(occupied));
                    for (; pick > 0; pick--) {
                        occupied &= occupied - 1;
                    }
                    return s.items[b * SLOTS + Integer.numberOfTrailingZeros(occupied)];
                }
            }
        }
        return null;
    }

    /** Visits every entry; for invariant checks, flushes and snapshots. */
    void forEach(Consumer<Object> visitor) {
        Segment previous = null;
        for (Segment s : directory) {
            if (s != previous) {
                forEachSlot(s.meta, s.items, (hash, item) -> visitor.accept(item));
            }
            previous = s;
        }
    }

    /** Checks the structure: counts, fingerprints, probe paths and overflow counts; null when sound. */
    String checkStructure() {
        int total = 0;
        Segment previous = null;
        for (int i = 0; i < directory.length; i++) {
            Segment s = directory[i];
            if (s == previous) {
                continue;
            }
            previous = s;
            int span = 1 << (globalDepth - s.depth);
            if ((i & (span - 1)) != 0) {
                return "segment at directory " + i + " is not aligned to its span " + span;
            }
            for (int j = 0; j < span; j++) {
                if (directory[i + j] != s) {
                    return "directory run of segment at " + i + " broken at " + (i + j);
                }
            }
            int mask = s.mask;
            int[] passes = new int[s.buckets()];
            int[] count = {0};
            String[] problem = {null};
            final int dirIndex = i;
            forEachSlot(s.meta, s.items, (hash, item) -> {
                count[0]++;
                if (directoryIndex(hash) >>> (globalDepth - s.depth) != dirIndex >>> (globalDepth - s.depth)) {
                    problem[0] = "entry in the wrong segment";
                }
                if (Keyspace.tableHash(Entries.key(item)) != hash) {
                    problem[0] = "fingerprint does not match the key's hash";
                }
            });
            if (problem[0] != null) {
                return problem[0];
            }
            for (int b = 0; b <= mask; b++) {
                int base = b * STRIDE;
                for (int occupied = s.meta[base] & OCCUPIED_MASK; occupied != 0; occupied &= occupied - 1) {
                    int slot = Integer.numberOfTrailingZeros(occupied);
                    for (int p = s.meta[base + 1 + slot] & mask; p != b; p = (p + 1) & mask) {
                        passes[p]++;
                    }
                }
            }
            for (int b = 0; b <= mask; b++) {
                if (passes[b] != s.meta[b * STRIDE] >>> 8) {
                    return "bucket " + b + " overflow count " + (s.meta[b * STRIDE] >>> 8) + " but " + passes[b] + " entries pass it";
                }
            }
            if (count[0] != s.count) {
                return "segment count " + s.count + " but " + count[0] + " entries";
            }
            total += count[0];
        }
        return total == size ? null : "size " + size + " but " + total + " entries";
    }
}
