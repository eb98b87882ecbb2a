package io.damselfly.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** LatencyCounts keeps HdrHistogram's layout exactly, so its counts become a real Histogram. */
class LatencyCountsTest {
    @Test
    void layout_isHdrHistogramsForRedisRange() {
        Histogram h = LatencyCounts.newHistogram();
        // 23 buckets of 128 half-buckets, plus the first bucket's lower half
        assertEquals(3072, LatencyCounts.LENGTH);
        assertEquals(LatencyCounts.LENGTH - 1, LatencyCounts.index((1L << 30) - 1));
        SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 200_000; i++) {
            // log-uniform over 1 ns .. 1 s, plus every small value and the bucket edges
            long v = i < 4096 ? i : (long) Math.pow(2, random.nextDouble(0, 30));
            v = Math.min(v, LatencyCounts.HIGHEST);
            int index = LatencyCounts.index(v);
            assertEquals(h.lowestEquivalentValue(v), LatencyCounts.valueFromIndex(index), "value " + v);
            assertEquals(index, LatencyCounts.index(LatencyCounts.valueFromIndex(index)));
        }
        for (int shift = 8; shift < 30; shift++) {
            for (long v : new long[] {(1L << shift) - 1, 1L << shift, (1L << shift) + 1}) {
                assertEquals(h.lowestEquivalentValue(v), LatencyCounts.valueFromIndex(LatencyCounts.index(v)), "value " + v);
            }
        }
    }

    @Test
    void record_clampsAsRedisAndConvertsToHistogram() {
        LatencyCounts counts = new LatencyCounts();
        counts.record(0);
        counts.record(-5);
        counts.record(1500);
        counts.record(5_000_000_000L);
        long[] sum = new long[LatencyCounts.LENGTH];
        counts.addTo(sum);
        Histogram h = LatencyCounts.toHistogram(sum);
        assertEquals(4, h.getTotalCount());
        assertEquals(2, h.getCountAtValue(1));
        assertEquals(1, h.getCountAtValue(1500));
        assertEquals(1, h.getCountAtValue(LatencyCounts.HIGHEST));
        assertEquals(h.highestEquivalentValue(LatencyCounts.HIGHEST), h.getMaxValue());
    }

    @Test
    void toHistogram_nullWhenEmpty() {
        assertNull(LatencyCounts.toHistogram(new long[LatencyCounts.LENGTH]));
    }
}
