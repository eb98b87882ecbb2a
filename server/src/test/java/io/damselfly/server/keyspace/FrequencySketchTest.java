package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The allkeys-tinylfu sketch alone: counts, saturation, halving, the error collisions make, its size. */
class FrequencySketchTest {
    /** Distinct table hashes, the same on every run. */
    private static int[] hashes(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        int[] out = new int[n];
        for (int i = 0; i < n; ) {
            int h = random.nextInt();
            if (seen.add(h)) {
                out[i++] = h;
            }
        }
        return out;
    }

    @Test
    void increment_countsEachAccess_andSaturatesAt15() {
        FrequencySketch sketch = new FrequencySketch(10_000);
        int key = 0x1234_5678;
        assertEquals(0, sketch.frequency(key));
        for (int n = 1; n <= 40; n++) {
            sketch.increment(key);
            assertEquals(Math.min(n, FrequencySketch.MAX_COUNT), sketch.frequency(key), "after " + n + " increments");
        }
    }

    @Test
    void increment_neverUnderCounts_whileNoHalvingHappened() {
        // count-min: every one of a key's counters holds at least its own count
        FrequencySketch sketch = new FrequencySketch(2_000);
        int[] keys = hashes(2_000, 1);
        SplittableRandom random = new SplittableRandom(2);
        int[] counts = new int[keys.length];
        int total = 0;
        while (total < sketch.sampleSize() - 100) {
            int k = random.nextInt(keys.length);
            sketch.increment(keys[k]);
            counts[k]++;
            total++;
        }
        for (int k = 0; k < keys.length; k++) {
            assertTrue(sketch.frequency(keys[k]) >= Math.min(counts[k], FrequencySketch.MAX_COUNT),
                    "key " + k + " counted " + counts[k] + ", estimated " + sketch.frequency(keys[k]));
        }
    }

    @Test
    void reset_halvesEveryCounter() {
        FrequencySketch sketch = new FrequencySketch(1_000);
        int hot = 42;
        int warm = 4242;
        for (int i = 0; i < 15; i++) {
            sketch.increment(hot);
        }
        for (int i = 0; i < 5; i++) {
            sketch.increment(warm);
        }
        sketch.reset();
        assertEquals(7, sketch.frequency(hot));
        assertEquals(2, sketch.frequency(warm));
        sketch.reset();
        assertEquals(3, sketch.frequency(hot));
        assertEquals(1, sketch.frequency(warm));
        sketch.reset();
        sketch.reset();
        assertEquals(0, sketch.frequency(hot));
        assertEquals(0, sketch.frequency(warm));
    }

    @Test
    void reset_happensByItself_afterSampleSizeAccesses() {
        FrequencySketch sketch = new FrequencySketch(1_000);
        int hot = 7;
        for (int i = 0; i < 15; i++) {
            sketch.increment(hot);
        }
        // one-off accesses of other keys: the hot key's count must age, not stay at 15 forever
        int[] others = hashes(sketch.sampleSize(), 3);
        for (int h : others) {
            if (h != hot) {
                sketch.increment(h);
            }
        }
        int aged = sketch.frequency(hot);
        assertTrue(aged >= 7 && aged < 15, "after a sample of other accesses the hot key reads " + aged);
    }

    @Test
    void collisions_atAFullSample_keepUnseenKeysCold() {
        // a full sample of one-off keys, the most the sketch holds before halving: about 2.5
        // increments per counter, so an unseen key's least counter is about 1
        FrequencySketch sketch = new FrequencySketch(20_000);
        int[] seen = hashes(sketch.sampleSize() - 1, 4);
        java.util.Set<Integer> seenSet = new java.util.HashSet<>();
        for (int h : seen) {
            sketch.increment(h);
            seenSet.add(h);
        }
        long sum = 0;
        int n = 0;
        int worst = 0;
        for (int h : hashes(20_000, 5)) {
            if (!seenSet.contains(h)) {
                int f = sketch.frequency(h);
                sum += f;
                n++;
                worst = Math.max(worst, f);
            }
        }
        // what admission needs: an unseen key never looks warm, and on average looks colder
        // than a key seen twice
        assertTrue(worst <= Shard.WARM_CANDIDATE, "an unseen key estimated at " + worst);
        assertTrue((double) sum / n < 1.5, "unseen keys average " + (double) sum / n);
    }

    @Test
    void collisions_atCacheSizeLoad_leaveMostUnseenKeysAtZero() {
        // as many one-off accesses as keys (a cache's worth): counters average 0.5 increments
        int expected = 20_000;
        FrequencySketch sketch = new FrequencySketch(expected);
        int[] seen = hashes(expected, 6);
        for (int h : seen) {
            sketch.increment(h);
        }
        int[] unseen = hashes(20_000, 7);
        int inflated = 0;
        int worst = 0;
        for (int h : unseen) {
            int f = sketch.frequency(h);
            inflated += f > 0 ? 1 : 0;
            worst = Math.max(worst, f);
        }
        // the chance all four counters were hit: about (1 - e^-0.5)^4 = 2.4%
        assertTrue(inflated < unseen.length / 20, inflated + " of " + unseen.length + " unseen keys read above 0");
        assertTrue(worst <= 2, "an unseen key estimated at " + worst);
        for (int h : seen) {
            assertTrue(sketch.frequency(h) >= 1);
        }
    }

    @Test
    void footprint_isAFewBytesPerExpectedKey() {
        for (long keys : new long[] {1_000, 65_536, 1_000_000, 3_000_000}) {
            FrequencySketch sketch = new FrequencySketch(keys);
            double perKey = (double) sketch.footprint() / keys;
            // 8 counters of 4 bits, the table rounded up to a power of two: 4 to 8 bytes
            assertTrue(perKey >= 3.9 && perKey <= 8.1, keys + " keys: " + perKey + " bytes each");
            assertEquals(keys * FrequencySketch.SAMPLE_FACTOR, sketch.sampleSize());
        }
    }

    @Test
    void degenerateSizes_giveASmallWorkingSketch() {
        for (long keys : new long[] {Long.MIN_VALUE, -1, 0, 1, 2}) {
            FrequencySketch sketch = new FrequencySketch(keys);
            assertTrue(sketch.footprint() < 1024, keys + ": " + sketch.footprint());
            sketch.increment(-1);
            sketch.increment(0);
            sketch.increment(Integer.MIN_VALUE);
            assertTrue(sketch.frequency(-1) >= 1 && sketch.frequency(0) >= 1 && sketch.frequency(Integer.MIN_VALUE) >= 1);
            for (int i = 0; i < 10_000; i++) {
                sketch.increment(i);
            }
            assertTrue(sketch.frequency(5) <= FrequencySketch.MAX_COUNT);
        }
    }

    @Test
    void clear_forgetsEverything() {
        FrequencySketch sketch = new FrequencySketch(100);
        for (int i = 0; i < 100; i++) {
            sketch.increment(i % 10);
        }
        sketch.clear();
        for (int i = 0; i < 10; i++) {
            assertEquals(0, sketch.frequency(i));
        }
    }
}
