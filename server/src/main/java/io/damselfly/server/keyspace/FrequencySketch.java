package io.damselfly.server.keyspace;

/**
 * How often each key was accessed recently, approximately, in a few bytes per key of the cache:
 * the "TinyLFU" frequency sketch that the allkeys-tinylfu policy ranks eviction candidates and
 * newcomers by.
 *
 * <p>Design (Einziger, Friedman, Manes, "TinyLFU: A Highly Efficient Cache Admission Policy",
 * ACM TOS 2017; Caffeine's FrequencySketch, which this follows in spirit; our own code): a
 * count-min sketch of 4-bit counters, sixteen to a {@code long}. A key's 32-bit table hash
 * (already computed for its lookup) is mixed once with SplitMix64's finaliser: the high 32 bits
 * choose a block of 8 longs (64 bytes), the low 32 bits four counters in it, each in its own
 * long. One block per key touches one or two cache lines per access instead of four, as
 * Caffeine 3 lays its sketch out: less memory traffic and fewer of the keyspace's own lines
 * pushed out of the cache. (On this shared two-core machine the two layouts could not be told
 * apart: 16 to 33 ns of thread CPU time for an increment and an estimate over a 4 MB table,
 * either way; the hit ratios at 32 MB were equal to 0.05 points.) An access adds one to each of
 * the four that is not yet saturated at {@link #MAX_COUNT}; the estimate is the least of the
 * four, which over-counts only when all four collide with hotter keys. Aging ("reset"): after
 * {@code sampleSize} counted accesses every counter is halved at once (a shift and a mask per
 * long), so the sketch reflects the last few multiples of the cache size in accesses and a key
 * that was hot an hour ago does not stay protected forever. There is
 * no doorkeeper (a Bloom filter in front for one-hit keys): like Caffeine, we rely on the 4-bit
 * saturation and the halving to keep one-hit keys at 0 or 1.
 *
 * <p>Sizing, for a cache of about {@code n} keys: {@link #COUNTERS_PER_KEY} counters per key (4
 * bytes), rounded up to a power of two, and a sample of {@link #SAMPLE_FACTOR} n accesses. Caffeine
 * uses 16 counters and 10 n; both give the same density, four increments per sample over the
 * counters ({@code 4 * 5n / 8n = 4 * 10n / 16n = 2.5} increments per counter between halvings),
 * which is what bounds the error of the estimate; ours remembers a shorter history in half the
 * memory.
 *
 * <p>Costs: {@link #increment} and {@link #frequency} are one mix (two multiplications) and four
 * reads within one 64-byte block, O(1); {@link #reset} walks the table, once per
 * {@code sampleSize} increments (amortised well under one operation per increment). Not
 * thread-safe: each shard owns one, guarded by the shard's lock.
 */
final class FrequencySketch {
    /** A 4-bit counter's ceiling. */
    static final int MAX_COUNT = 15;
    /** Counters per expected key: 4 bytes (see the class note for the density argument). */
    static final int COUNTERS_PER_KEY = 8;
    /** Counted accesses per expected key between halvings. */
    static final int SAMPLE_FACTOR = 5;
    private static final int COUNTERS_PER_LONG = 16;
    /** The smallest table: 16 longs (two blocks), 256 counters. */
    private static final int MIN_LONGS = 16;
    /** The largest table per sketch: 2^26 longs (512 MB), past any shard's share of a real heap. */
    private static final int MAX_LONGS = 1 << 26;
    /** Every nibble's low three bits: masks the shifted-in bit of a halving. */
    private static final long HALF_MASK = 0x7777_7777_7777_7777L;
    /** Every nibble's lowest bit: the counters a halving rounds down. */
    private static final long ONE_MASK = 0x1111_1111_1111_1111L;
    private static final long SEED = 0x9E37_79B9_7F4A_7C15L;
    /** A block is 8 longs, 64 bytes: a cache line's worth (Java does not align it to one). */
    private static final int BLOCK_SHIFT = 3;

    private final long[] table;
    /** Blocks in the table, less one. */
    private final int blockMask;
    private final int sampleSize;
    private int additions;

    /** A sketch for a cache of about {@code expectedKeys} keys (at least 1). */
    FrequencySketch(long expectedKeys) {
        long keys = Math.max(1, expectedKeys);
        long longs = Math.max(MIN_LONGS, keys * COUNTERS_PER_KEY / COUNTERS_PER_LONG);
        int n = (int) Math.min(MAX_LONGS, Long.highestOneBit(longs - 1) << 1);
        this.table = new long[n];
        this.blockMask = (n >>> BLOCK_SHIFT) - 1;
        this.sampleSize = (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_LONGS, keys * SAMPLE_FACTOR));
    }

    /** Heap bytes the sketch holds (its table and the object), for the memory account. */
    long footprint() {
        // the array (16-byte header, 8 bytes a long) and this object (header, four fields)
        return 16 + 8L * table.length + 32;
    }

    /** The accesses counted between two halvings. */
    int sampleSize() {
        return sampleSize;
    }

    /** Counts one access to the key of this table hash. */
    void increment(int hash) {
        long m = mix(hash);
        int block = block(m);
        boolean added = incrementAt(block + slot(m, 0), nibble(m, 0));
        added |= incrementAt(block + slot(m, 1), nibble(m, 1));
        added |= incrementAt(block + slot(m, 2), nibble(m, 2));
        added |= incrementAt(block + slot(m, 3), nibble(m, 3));
        if (added && ++additions >= sampleSize) {
            reset();
        }
    }

    /** The estimated recent access count of the key of this table hash, 0 to {@link #MAX_COUNT}. */
    int frequency(int hash) {
        long m = mix(hash);
        int block = block(m);
        int f = countAt(block + slot(m, 0), nibble(m, 0));
        f = Math.min(f, countAt(block + slot(m, 1), nibble(m, 1)));
        f = Math.min(f, countAt(block + slot(m, 2), nibble(m, 2)));
        return Math.min(f, countAt(block + slot(m, 3), nibble(m, 3)));
    }

    /** The first long of the key's block: the mix's high 32 bits. */
    private int block(long m) {
        return ((int) (m >>> 32) & blockMask) << BLOCK_SHIFT;
    }

    /** Counter i's long within the block: one of the pair 2i, 2i + 1, so the four never share a long. */
    private static int slot(long m, int i) {
        return (i << 1) + (int) ((m >>> (i << 3)) & 1);
    }

    /** Counter i's nibble within its long: four more bits of the mix's low byte i. */
    private static int nibble(long m, int i) {
        return (int) (m >>> ((i << 3) + 1)) & 15;
    }

    private boolean incrementAt(int index, int nibble) {
        int shift = nibble << 2;
        long v = table[index];
        if (((v >>> shift) & MAX_COUNT) == MAX_COUNT) {
            return false;
        }
        table[index] = v + (1L << shift);
        return true;
    }

    private int countAt(int index, int nibble) {
        return (int) (table[index] >>> (nibble << 2)) & MAX_COUNT;
    }

    /**
     * Halves every counter. The additions count is halved too, less what the rounding down of odd
     * counters took away (a quarter of them per key, as each key has four), as Caffeine does.
     */
    void reset() {
        long odd = 0;
        for (int i = 0; i < table.length; i++) {
            long v = table[i];
            odd += Long.bitCount(v & ONE_MASK);
            table[i] = (v >>> 1) & HALF_MASK;
        }
        additions = (int) Math.max(0, (additions - (odd >>> 2)) >>> 1);
    }

    /** Forgets every access (FLUSHALL: the history goes with the keys). */
    void clear() {
        java.util.Arrays.fill(table, 0L);
        additions = 0;
    }

    /** SplitMix64's finaliser over the hash: every output bit depends on every input bit. */
    private static long mix(int hash) {
        long z = (hash & 0xFFFF_FFFFL) * SEED + SEED;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
