package io.damselfly.server.keyspace;

/**
 * How often each key was accessed recently, approximately, in a few bytes per key of the cache:
 * the "TinyLFU" frequency sketch that the allkeys-tinylfu policy ranks eviction candidates and
 * newcomers by.
 *
 * <p>Design (Einziger, Friedman, Manes, "TinyLFU: A Highly Efficient Cache Admission Policy",
 * ACM TOS 2017; Caffeine's FrequencySketch, which this follows in spirit; our own code): a
 * count-min sketch of 4-bit counters, sixteen to a {@code long}. A key's 32-bit table hash
 * (already computed for its lookup) is mixed twice with SplitMix64's finaliser, and each 64-bit
 * mix yields two (long index, nibble) pairs: four counters per key, anywhere in the table. An
 * access adds one to each of the four that is not yet saturated at {@link #MAX_COUNT}; the
 * estimate is the least of the four, which over-counts only when all four collide with hotter
 * keys. Aging ("reset"): after {@code sampleSize} counted accesses every counter is halved at
 * once (a shift and a mask per long), so the sketch reflects the last few multiples of the cache
 * size in accesses and a key that was hot an hour ago does not stay protected forever. There is
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
 * <p>Costs: {@link #increment} and {@link #frequency} are two multiplications-heavy mixes and four
 * random reads of the table, a few nanoseconds, O(1); {@link #reset} walks the table, once per
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
    /** The smallest table: 16 longs, 256 counters. */
    private static final int MIN_LONGS = 16;
    /** The largest table per sketch: 2^26 longs (512 MB), past any shard's share of a real heap. */
    private static final int MAX_LONGS = 1 << 26;
    /** Every nibble's low three bits: masks the shifted-in bit of a halving. */
    private static final long HALF_MASK = 0x7777_7777_7777_7777L;
    /** Every nibble's lowest bit: the counters a halving rounds down. */
    private static final long ONE_MASK = 0x1111_1111_1111_1111L;
    private static final long SEED_A = 0x9E37_79B9_7F4A_7C15L;
    private static final long SEED_B = 0xC2B2_AE3D_27D4_EB4FL;

    private final long[] table;
    private final int mask;
    private final int sampleSize;
    private int additions;

    /** A sketch for a cache of about {@code expectedKeys} keys (at least 1). */
    FrequencySketch(long expectedKeys) {
        long keys = Math.max(1, expectedKeys);
        long longs = Math.max(MIN_LONGS, keys * COUNTERS_PER_KEY / COUNTERS_PER_LONG);
        int n = (int) Math.min(MAX_LONGS, Long.highestOneBit(longs - 1) << 1);
        this.table = new long[n];
        this.mask = n - 1;
        this.sampleSize = (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_LONGS, keys * SAMPLE_FACTOR));
    }

    /** Heap bytes the sketch holds (its table and the object), for the memory account. */
    long footprint() {
        // the array (16-byte header, 8 bytes a long) and this object (header, three fields)
        return 16 + 8L * table.length + 32;
    }

    /** The accesses counted between two halvings. */
    int sampleSize() {
        return sampleSize;
    }

    /** Counts one access to the key of this table hash. */
    void increment(int hash) {
        long a = mix(hash, SEED_A);
        long b = mix(hash, SEED_B);
        boolean added = incrementAt((int) (a >>> 36) & mask, (int) a & 15);
        added |= incrementAt((int) (a >>> 4) & mask, (int) (a >>> 32) & 15);
        added |= incrementAt((int) (b >>> 36) & mask, (int) b & 15);
        added |= incrementAt((int) (b >>> 4) & mask, (int) (b >>> 32) & 15);
        if (added && ++additions >= sampleSize) {
            reset();
        }
    }

    /** The estimated recent access count of the key of this table hash, 0 to {@link #MAX_COUNT}. */
    int frequency(int hash) {
        long a = mix(hash, SEED_A);
        long b = mix(hash, SEED_B);
        int f = countAt((int) (a >>> 36) & mask, (int) a & 15);
        f = Math.min(f, countAt((int) (a >>> 4) & mask, (int) (a >>> 32) & 15));
        f = Math.min(f, countAt((int) (b >>> 36) & mask, (int) b & 15));
        return Math.min(f, countAt((int) (b >>> 4) & mask, (int) (b >>> 32) & 15));
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

    /** SplitMix64's finaliser over the hash and a seed: every output bit depends on every input bit. */
    private static long mix(int hash, long seed) {
        long z = (hash & 0xFFFF_FFFFL) * seed + seed;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
