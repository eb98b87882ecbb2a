package io.damselfly.server.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.HdrHistogram.Histogram;

/**
 * One command's latencies on one thread: a count per HdrHistogram bucket, written by the owning
 * thread alone and read by any thread.
 *
 * <p>The buckets are exactly those of {@code new Histogram(1, 1_000_000_000, 2)}, the histogram
 * Redis 7 keeps per command (server.h LATENCY_HISTOGRAM_MIN_VALUE, _MAX_VALUE, _PRECISION: 1 ns to
 * 1 s, two significant digits), and {@link #index} is HdrHistogram's countsArrayIndex for that
 * layout, so {@link #addTo} can hand the counts to a real {@link Histogram} (see {@link
 * CommandStatistics}) whose percentiles and buckets are then the library's.
 *
 * <p>Why not HdrHistogram's own single-writer recording. A {@code SingleWriterRecorder} makes a
 * recording safe against a reader that swaps its histograms at any moment; the price is two atomic
 * read-modify-writes per value (its WriterReaderPhaser's enter and exit: two {@code lock xadd} on
 * x86) and a reader that waits for the writer to leave its critical section, which on a busy
 * 2-core machine can mean waiting for a descheduled event loop. Here the writer does one plain
 * load and one opaque store (a plain {@code mov} on x86) per value and the reader never waits: it
 * reads each count with opaque loads and gets, per count, some value the writer stored. The
 * counts only grow, so a reader's snapshot is never below an earlier one (CONFIG RESETSTAT relies
 * on that, see {@link CommandStatistics}); a snapshot taken during a recording may include it or
 * not, which is all a statistic needs. {@code CommandStatsBenchmark} measures both schemes.
 *
 * <p>Footprint: {@link #LENGTH} longs, 24 KiB, as Redis's own hdr_histogram for the same range;
 * created on a command's first recording on a thread, so only commands actually used cost it.
 */
final class LatencyCounts {
    /** Redis's LATENCY_HISTOGRAM_MIN_VALUE: shorter durations are recorded as 1 ns. */
    static final long LOWEST = 1;
    /** Redis's LATENCY_HISTOGRAM_MAX_VALUE: longer durations are recorded as 1 s. */
    static final long HIGHEST = 1_000_000_000L;
    /** Redis's LATENCY_HISTOGRAM_PRECISION: values within 1% share a bucket. */
    static final int SIGNIFICANT_DIGITS = 2;

    // The layout, derived as AbstractHistogram derives it from the three values above:
    // sub-buckets per bucket: the power of two at or above 2 * 10^digits (200 -> 256), so each
    // bucket's upper half resolves values to one part in 128; the unit magnitude is log2(LOWEST) = 0.
    private static final int SUB_BUCKET_HALF_COUNT_MAGNITUDE =
            64 - Long.numberOfLeadingZeros(2 * pow10(SIGNIFICANT_DIGITS) - 1) - 1;
    private static final int SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
    private static final long SUB_BUCKET_MASK = (2L << SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
    private static final int LEADING_ZERO_COUNT_BASE = 64 - SUB_BUCKET_HALF_COUNT_MAGNITUDE - 1;
    /** Counts per histogram: (buckets needed to cover HIGHEST + 1) * half a bucket; 3072. */
    static final int LENGTH = (bucketsToCover(HIGHEST) + 1) * SUB_BUCKET_HALF_COUNT;

    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] counts = new long[LENGTH];

    /** Counts one duration, clamped to [1 ns, 1 s] as Redis clamps it. Owner thread only. */
    void record(long nanos) {
        long v = nanos < LOWEST ? LOWEST : Math.min(nanos, HIGHEST);
        int i = index(v);
        COUNTS.setOpaque(counts, i, counts[i] + 1);
    }

    /** Adds every count to {@code sum} (indexed like these counts). Any thread. */
    void addTo(long[] sum) {
        for (int i = 0; i < LENGTH; i++) {
            sum[i] += (long) COUNTS.getOpaque(counts, i);
        }
    }

    /** A new histogram of the layout these counts use. */
    static Histogram newHistogram() {
        return new Histogram(LOWEST, HIGHEST, SIGNIFICANT_DIGITS);
    }

    /**
     * The histogram holding {@code counts} (indexed like a LatencyCounts), or null when they are
     * all zero: Redis has no histogram for a command that has recorded nothing.
     */
    static Histogram toHistogram(long[] counts) {
        Histogram h = null;
        for (int i = 0; i < LENGTH; i++) {
            if (counts[i] > 0) {
                if (h == null) {
                    h = newHistogram();
                }
                h.recordValueWithCount(valueFromIndex(i), counts[i]);
            }
        }
        return h;
    }

    /** HdrHistogram's countsArrayIndex for this layout; {@code value} must be in [0, 2^30). */
    static int index(long value) {
        int bucket = LEADING_ZERO_COUNT_BASE - Long.numberOfLeadingZeros(value | SUB_BUCKET_MASK);
        int subBucket = (int) (value >>> bucket);
        return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (subBucket - SUB_BUCKET_HALF_COUNT);
    }

    /** The lowest value counted at {@code index}: HdrHistogram's valueFromIndex. */
    static long valueFromIndex(int index) {
        int bucket = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
        int subBucket = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
        if (bucket < 0) {
            subBucket -= SUB_BUCKET_HALF_COUNT;
            bucket = 0;
        }
        return (long) subBucket << bucket;
    }

    /** HdrHistogram's getBucketsNeededToCoverValue for a unit magnitude of 0. */
    private static int bucketsToCover(long value) {
        long smallestUntrackable = 2L << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
        int buckets = 1;
        while (smallestUntrackable <= value) {
            smallestUntrackable <<= 1;
            buckets++;
        }
        return buckets;
    }

    private static long pow10(int n) {
        long v = 1;
        for (int i = 0; i < n; i++) {
            v *= 10;
        }
        return v;
    }
}
