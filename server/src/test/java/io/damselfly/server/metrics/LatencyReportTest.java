package io.damselfly.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Percentiles and LATENCY HISTOGRAM buckets as Redis's C hdr_histogram gives them. */
class LatencyReportTest {
    private static Histogram of(long... nanos) {
        LatencyCounts counts = new LatencyCounts();
        for (long v : nanos) {
            counts.record(v);
        }
        long[] sum = new long[LatencyCounts.LENGTH];
        counts.addTo(sum);
        return LatencyCounts.toHistogram(sum);
    }

    private static String buckets(Histogram h) {
        List<String> out = new ArrayList<>();
        for (long[] b : LatencyReport.cumulativeBuckets(h)) {
            out.add(b[0] + "=" + b[1]);
        }
        return out.toString();
    }

    @Test
    void valueAtPercentile_asRedisPrintedIt() {
        // redis-server 7.0.15 after one SET of 5 us: p0=4.992,p50=5.023
        Histogram h = of(5_000);
        assertEquals(4_992, LatencyReport.valueAtPercentile(h, 0));
        assertEquals(5_023, LatencyReport.valueAtPercentile(h, 50));
        assertEquals(5_023, LatencyReport.valueAtPercentile(h, 100));
    }

    @Test
    void valueAtPercentile_roundsTheCountHalfUp() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            int n = 1 + random.nextInt(300);
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                values[i] = 1 + random.nextLong(50_000_000);
            }
            Histogram h = of(values);
            long[] sorted = values.clone();
            for (int i = 0; i < n; i++) {
                sorted[i] = h.lowestEquivalentValue(sorted[i]);
            }
            java.util.Arrays.sort(sorted);
            for (double p : new double[] {0, 1, 25, 50, 50.5, 90, 99, 99.9, 100}) {
                // hdr_value_at_percentile: the (long)(p/100*n + 0.5)-th smallest value, at least the first
                long rank = Math.max(1, (long) (p / 100 * n + 0.5));
                long expected = sorted[(int) rank - 1];
                expected = p == 0 ? h.lowestEquivalentValue(expected) : h.highestEquivalentValue(expected);
                assertEquals(expected, LatencyReport.valueAtPercentile(h, p), "p" + p + " of " + n);
            }
        }
    }

    @Test
    void cumulativeBuckets_asRedisPrintedThem() {
        // redis-server 7.0.15: one GET of 3 us -> {4: 1}
        assertEquals("[4=1]", buckets(of(3_000)));
        // sub-microsecond commands, which Redis records as 1 ns, fall in the first bucket
        assertEquals("[1=3]", buckets(of(0, 1, 1_031)));
        // config|set, six calls: {8: 4, 16: 5, 33: 6}
        assertEquals("[8=4, 16=5, 33=6]", buckets(of(8_000, 8_000, 8_000, 8_000, 9_000, 17_000)));
        // the bucket of a level ends at that level's histogram bucket: 1032 ns is past 1 us
        assertEquals("[1=1, 2=2]", buckets(of(1_000, 1_032)));
    }

    @Test
    void cumulativeBuckets_pastTheLastLevelReportTheHistogramsEnd() {
        assertEquals("[541065=1, 1073741=3]", buckets(of(536_870_912, 600_000_000, 5_000_000_000L)));
        assertEquals("[1=1, 1073741=2]", buckets(of(1, LatencyCounts.HIGHEST)));
    }
}
