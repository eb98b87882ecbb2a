package io.damselfly.server.metrics;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * What Redis reads out of a command's latency histogram (nanoseconds), computed the way Redis
 * computes it from its C hdr_histogram, so that percentiles and bucket keys come out as
 * redis-server's would for the same durations: the percentile rounding of hdr_value_at_percentile
 * (round half up, where the Java library rounds up) and the bucket walk of LATENCY HISTOGRAM (the
 * C library's logarithmic iterator, whose keys are not the Java iterator's).
 */
public final class LatencyReport {
    /** LATENCY HISTOGRAM's first bucket: fillCommandCDF iterates from 1024 ns ... */
    static final long FIRST_BUCKET_NANOS = 1024;
    /** ... doubling at each bucket (hdr_iter_log_init(&iter, h, 1024, 2)). */
    static final int BUCKET_GROWTH = 2;
    private static final long NANOS_PER_MICRO = 1000;

    private LatencyReport() {
    }

    /**
     * hdr_value_at_percentile: the value at or below which {@code percentile}% of the recordings
     * lie, the count rounded half up ({@code (long) (p / 100 * total + 0.5)}, at least 1) and the
     * value reported as the highest equivalent of its bucket (the lowest, for percentile 0).
     */
    public static long valueAtPercentile(Histogram h, double percentile) {
        double requested = Math.min(percentile, 100.0);
        long countAtPercentile = Math.max(1, (long) ((requested / 100) * h.getTotalCount() + 0.5));
        long cumulative = 0;
        for (HistogramIterationValue v : h.recordedValues()) {
            cumulative += v.getCountAtValueIteratedTo();
            if (cumulative >= countAtPercentile) {
                long value = v.getValueIteratedTo();
                return percentile == 0.0 ? h.lowestEquivalentValue(value) : h.highestEquivalentValue(value);
            }
        }
        return 0;
    }

    /**
     * LATENCY HISTOGRAM's buckets (latency.c fillCommandCDF): pairs of (microseconds, cumulative
     * count), only where the count grew. Bucket k ends at 1024 * 2^k ns; its key is the highest
     * value of the histogram bucket that holds that level, in whole microseconds (1, 2, 4, 8, 16,
     * 33, 66, 132 ...), and its count is every recording up to that histogram bucket. Past the
     * last level the histogram reaches (2^29 ns), the C iterator runs off the end of the counts and
     * reports the last bucket's highest value (2^30 - 1 ns, key 1073741) with the total.
     */
    public static List<long[]> cumulativeBuckets(Histogram h) {
        List<long[]> buckets = new ArrayList<>();
        long total = h.getTotalCount();
        long lastBucketValue = LatencyCounts.valueFromIndex(LatencyCounts.LENGTH - 1);
        long previous = 0;
        for (long level = FIRST_BUCKET_NANOS; previous < total; level *= BUCKET_GROWTH) {
            long key;
            long cumulative;
            if (level > lastBucketValue) {
                key = h.highestEquivalentValue(lastBucketValue) / NANOS_PER_MICRO;
                cumulative = total;
            } else {
                key = h.highestEquivalentValue(level) / NANOS_PER_MICRO;
                cumulative = h.getCountBetweenValues(0, level);
            }
            if (cumulative > previous) {
                buckets.add(new long[] {key, cumulative});
            }
            previous = cumulative;
        }
        return buckets;
    }
}
