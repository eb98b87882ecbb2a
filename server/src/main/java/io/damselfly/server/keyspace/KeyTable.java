package io.damselfly.server.keyspace;

import java.util.Arrays;
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
 * in {@link Segment#meta} (32 bytes, half a cache line) and seven slots: an entry reference in
 * {@link Segment#items}, or, for a string record, null there and the record's off-heap handle in
 * {@link Segment#handles}; a segment that never held an object entry has no {@code items} array
 * at all (most segments of a cache of strings). A lookup reads the directory (small, hot), the bucket's fingerprints, and
 * only on a fingerprint match the entry itself: for a string key that is the one arena slot holding
 * key, value, expiry and access clock, compared in place; a {@link StringRecord} handle object is
 * made only for the entry found. The old chained table made five dependent loads per hit (bucket, entry,
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
        /** Per bucket: seven object entries, null in a slot that holds a record; null until the first object. */
        Object[] items;
        /** Per bucket: seven record handles, read where {@link #items} is null. */
        int[] handles;
        /** Buckets - 1: a field, so a lookup reads it with the arrays instead of dividing a length. */
        int mask;
        int count;
        /**
         * The last snapshot that has this segment's entries (see {@link KeyspaceSnapshot}): a
         * segment whose epoch is below the running snapshot's still holds entries the snapshot
         * must capture before they change.
         */
        int snapshotEpoch;

        Segment(int depth, int buckets, int snapshotEpoch) {
            this.depth = depth;
            this.snapshotEpoch = snapshotEpoch;
            allocate(buckets);
        }

        /**
         * A segment that takes over {@code from}'s arrays, cleared, instead of allocating its own
         * (see {@link #split}); {@code from} must not be used afterwards.
         */
        Segment(int depth, Segment from, int snapshotEpoch) {
            this.depth = depth;
            this.snapshotEpoch = snapshotEpoch;
            Arrays.fill(from.meta, 0);
            Arrays.fill(from.handles, 0);
            if (from.items != null) {
                Arrays.fill(from.items, null);
            }
            this.meta = from.meta;
            this.items = from.items;
            this.handles = from.handles;
            this.mask = from.mask;
        }

        void allocate(int buckets) {
            this.meta = new int[buckets * STRIDE];
            this.items = null;
            this.handles = new int[buckets * SLOTS];
            this.mask = buckets - 1;
        }

        int buckets() {
            return mask + 1;
        }

        long footprint() {
            return MemoryLayout.SEGMENT + MemoryLayout.intArray(meta.length) + MemoryLayout.intArray(handles.length)
                    + (items == null ? 0 : MemoryLayout.referenceArray(items.length));
        }

        /** The object entry in slot {@code at}, or null when it holds a record. */
        Object item(int at) {
            Object[] i = items;
            return i == null ? null : i[at];
        }
    }

    /** The shard's record memory, where the handles of {@link Segment#handles} point. */
    private final RecordArena arena;
    private Segment[] directory;
    private int globalDepth;
    private int size;
    private int volatileCount;
    private long footprint;
    /** See {@link #sampledHash()}. */
    private int sampledHash;

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
    /**
     * The epoch segments are born with: that of the running (or last) snapshot, so a segment made
     * after a snapshot began (an emptied table's) counts as captured and its keys, all written after
     * the snapshot's moment, are left out. A split's halves inherit their parent's epoch instead.
     */
    private int snapshotEpoch;

    /** The arena holding this table's records (for snapshots' raw copies). */
    RecordArena arena() {
        return arena;
    }

    KeyTable(RecordArena arena) {
        this.arena = arena;
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
        directory = new Segment[] {new Segment(0, 1, snapshotEpoch)};
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
        int[] handles = s.handles;
        int mask = s.mask;
        int b = hash & mask;
        // read the home bucket's first handle before its fingerprints: the two arrays' cache
        // lines are then fetched together instead of one after the other
        int first = handles[b * SLOTS];
        for (int probe = 0; probe <= mask; probe++) {
            int base = b * STRIDE;
            int m = meta[base];
            for (int matches = matches(meta, base, hash) & m; matches != 0; matches &= matches - 1) {
                int slot = Integer.numberOfTrailingZeros(matches);
                int at = b * SLOTS + slot;
                Object item = items == null ? null : items[at];
                boolean equal = item != null ? Entries.keyEquals(item, key)
                        : StringRecord.keyEquals(arena, probe == 0 && slot == 0 ? first : handles[at], key);
                if (equal) {
                    foundShape = shape;
                    foundIndex = index;
                    foundSlot = at;
                    foundHash = hash;
                    return entry(item, handles[at]);
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
        return foundShape == shape && holds(directory[foundIndex], foundSlot, item);
    }

    /** Whether slot {@code at} of {@code s} holds this entry (the object, or the record's handle). */
    private static boolean holds(Segment s, int at, Object item) {
        Object there = s.item(at);
        return item instanceof StringRecord r ? there == null && s.handles[at] == r.handle : there == item;
    }

    /** The entry in an occupied slot: the object, or a handle object on the record. */
    private Object entryAt(Segment s, int at) {
        return entry(s.item(at), s.handles[at]);
    }

    /** A slot's entry from what it stores: the object, or a handle object on the record. */
    private Object entry(Object item, int handle) {
        return item != null ? item : new StringRecord(arena, handle);
    }

    /** Stores an entry in a slot: an object's reference, or a record's handle. */
    private void store(Segment s, int at, Object item) {
        if (item instanceof StringRecord r) {
            if (s.items != null) {
                s.items[at] = null;
            }
            s.handles[at] = r.handle;
        } else {
            itemsOf(s)[at] = item;
        }
    }

    /** The segment's object slots, made at its first object entry. */
    private Object[] itemsOf(Segment s) {
        if (s.items == null) {
            footprint -= s.footprint();
            s.items = new Object[s.handles.length];
            footprint += s.footprint();
        }
        return s.items;
    }

    /** Puts {@code entry} (same key) in the place of {@code old}, which must be in the table. */
    void replace(Object old, Object entry, byte[] key, int hash) {
        if (!foundAt(old) && !Entries.same(find(key, hash), old)) {
            throw new IllegalStateException("the entry to replace is not in the table");
        }
        trackExpiry(old, entry);
        store(directory[foundIndex], foundSlot, entry);
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
                if (holds(s, b * SLOTS + slot, item)) {
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
        boolean hadExpiry = Entries.hasExpiry(entryAt(s, index));
        if (s.items != null) {
            s.items[index] = null;
        }
        s.meta[bucket * STRIDE] &= ~(1 << slot);
        // the entries that passed buckets home..bucket-1 to get here: one fewer now
        int mask = s.mask;
        for (int b = hash & mask; b != bucket; b = (b + 1) & mask) {
            s.meta[b * STRIDE] -= OVERFLOW_UNIT;
        }
        s.count--;
        size--;
        if (hadExpiry) {
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
        int at = place(s, hash);
        store(s, at, item);
        s.count++;
        size++;
        if (Entries.hasExpiry(item)) {
            volatileCount++;
        }
    }

    /**
     * Takes the first free slot from the hash's home bucket on, counting the buckets passed, and
     * answers it; the caller stores the entry there.
     */
    private static int place(Segment s, int hash) {
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
                return b * SLOTS + slot;
            }
            s.meta[base] = m + OVERFLOW_UNIT;
            b = (b + 1) & mask;
        }
    }

    /** Rebuilds one segment with another bucket count, in place in the directory. */
    private void resize(Segment s, int buckets) {
        int[] oldMeta = s.meta;
        Object[] oldItems = s.items;
        int[] oldHandles = s.handles;
        footprint -= s.footprint();
        s.allocate(buckets);
        forEachSlot(oldMeta, oldItems, oldHandles, (hash, item, handle) -> move(s, hash, item, handle));
        footprint += s.footprint();
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
        // The low half takes over the segment's own arrays, so that a split leaves only the 32-byte
        // Segment behind, not 11 KB of arrays: those were promoted to the old generation long ago,
        // where G1 frees them only in a mixed collection, which a loading server never runs (they
        // were 22 bytes of resident garbage per key after loading 1M hashes). The entries are read
        // from copies, which die young. Both halves have the segment's bucket count, as before.
        long before = s.footprint();
        int[] meta = s.meta.clone();
        Object[] items = s.items == null ? null : s.items.clone();
        int[] handles = s.handles.clone();
        Segment low = new Segment(s.depth + 1, s, s.snapshotEpoch);
        Segment high = new Segment(s.depth + 1, low.buckets(), s.snapshotEpoch);
        int bit = 31 - s.depth;
        forEachSlot(meta, items, handles, (h, item, handle) -> {
            Segment to = ((h >>> bit) & 1) == 0 ? low : high;
            move(to, h, item, handle);
            to.count++;
        });
        // the directory entries of s: a run of 2^(global - depth) starting at its prefix
        int span = 1 << (globalDepth - s.depth);
        int first = directoryIndex(hash) & -span;
        for (int i = 0; i < span; i++) {
            directory[first + i] = i < span / 2 ? low : high;
        }
        footprint += low.footprint() + high.footprint() - before;
        shape++;
    }

    /** An occupied slot's contents as stored: the object, or null and the record's handle. */
    interface SlotVisitor {
        void accept(int hash, Object item, int handle);
    }

    /**
     * Moves a slot's contents, as stored, to a new place (resize and split make no handle
     * objects). The destination's footprint is the caller's to count, once the move is done.
     */
    private static void move(Segment to, int hash, Object item, int handle) {
        int at = place(to, hash);
        if (item != null) {
            if (to.items == null) {
                to.items = new Object[to.handles.length];
            }
            to.items[at] = item;
        }
        to.handles[at] = handle;
    }

    private static void forEachSlot(int[] meta, Object[] items, int[] handles, SlotVisitor visitor) {
        int buckets = handles.length / SLOTS;
        for (int b = 0; b < buckets; b++) {
            int base = b * STRIDE;
            for (int occupied = meta[base] & OCCUPIED_MASK; occupied != 0; occupied &= occupied - 1) {
                int slot = Integer.numberOfTrailingZeros(occupied);
                int at = b * SLOTS + slot;
                visitor.accept(meta[base + 1 + slot], items == null ? null : items[at], handles[at]);
            }
        }
    }

    /** Visits the entries of one segment, records as handle objects. */
    private void forEachEntry(Segment s, SlotEntryVisitor visitor) {
        forEachSlot(s.meta, s.items, s.handles,
                (hash, item, handle) -> visitor.accept(hash, entry(item, handle)));
    }

    private interface SlotEntryVisitor {
        void accept(int hash, Object entry);
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
                    visitor.accept(entryAt(s, b * SLOTS + slot));
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
        sampledHash = 0;
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
                    int slot = Integer.numberOfTrailingZeros(occupied);
                    sampledHash = s.meta[b * STRIDE + 1 + slot];
                    return entryAt(s, b * SLOTS + slot);
                }
            }
        }
        return null;
    }

    /** The table hash of the entry {@link #sample} returned last (its fingerprint): no rehash of its key. */
    int sampledHash() {
        return sampledHash;
    }

    /** Visits every entry; for invariant checks, flushes and snapshots. */
    void forEach(Consumer<Object> visitor) {
        Segment previous = null;
        for (Segment s : directory) {
            if (s != previous) {
                forEachEntry(s, (hash, item) -> visitor.accept(item));
            }
            previous = s;
        }
    }

    // ---- point-in-time snapshots (see KeyspaceSnapshot) --------------------------------------

    /** Starts a snapshot: every segment that exists now holds entries of its moment. */
    void beginSnapshot(int epoch) {
        snapshotEpoch = epoch;
    }

    /** Whether the segment holding {@code hash} has been captured by the snapshot {@code epoch}. */
    boolean segmentCaptured(int hash, int epoch) {
        return segmentFor(hash).snapshotEpoch >= epoch;
    }

    /**
     * Captures the segment at hash position {@code position} (a range start, 0 first) unless it
     * was captured already; returns the next segment's position, {@link #SNAPSHOT_END} after the
     * last. Positions are stable across growth: the directory only ever refines ranges, and a split
     * segment's halves inherit its epoch, so a walk by position visits every entry of the
     * snapshot's moment exactly once. The visitor gets each slot as stored (an object entry, or
     * null and a record's handle, so a snapshot can copy records out without handle objects).
     */
    long captureAt(long position, int epoch, SlotVisitor visitor) {
        int index = (int) (position >>> (32 - globalDepth));
        Segment s = directory[index];
        if (s.snapshotEpoch < epoch) {
            s.snapshotEpoch = epoch;
            if (s.count > 0) {
                forEachSlot(s.meta, s.items, s.handles, visitor);
            }
        }
        int span = 1 << (globalDepth - s.depth);
        return (long) ((index & -span) + span) << (32 - globalDepth);
    }

    static final long SNAPSHOT_END = SCAN_POSITION_END;

    /** How many entries the segment at {@code position} holds (a walk's budget is counted in entries). */
    int segmentSizeAt(long position) {
        return directory[(int) (position >>> (32 - globalDepth))].count;
    }

    /** Checks the structure: counts, fingerprints, probe paths and overflow counts; null when sound. */
    String checkStructure() {
        int total = 0;
        long bytes = MemoryLayout.referenceArray(directory.length);
        Segment previous = null;
        for (int i = 0; i < directory.length; i++) {
            Segment s = directory[i];
            if (s == previous) {
                continue;
            }
            previous = s;
            bytes += s.footprint();
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
            forEachEntry(s, (hash, item) -> {
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
        if (bytes != footprint) {
            return "footprint " + footprint + " but the directory and segments take " + bytes;
        }
        return total == size ? null : "size " + size + " but " + total + " entries";
    }
}
