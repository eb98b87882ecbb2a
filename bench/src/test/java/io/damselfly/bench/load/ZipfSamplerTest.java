package io.damselfly.bench.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ZipfSamplerTest {
    private static final int SAMPLES = 1_000_000;

    /** The Zipf law: P(rank k) = k^-s / sum over j of j^-s. */
    private static double expected(int k, int n, double s) {
        double norm = 0;
        for (int j = 1; j <= n; j++) {
            norm += Math.pow(j, -s);
        }
        return Math.pow(k, -s) / norm;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.99, 1.0, 1.5, 0.5})
    void sample_topRanksFollowZipfLaw(double s) {
        int n = 1000;
        ZipfSampler zipf = new ZipfSampler(n, s);
        SplittableRandom random = new SplittableRandom(7);
        long[] counts = new long[n + 1];
        for (int i = 0; i < SAMPLES; i++) {
            counts[zipf.sample(random)]++;
        }
        assertEquals(0, counts[0], "rank 0 drawn");
        for (int k = 1; k <= 10; k++) {
            double p = expected(k, n, s);
            double observed = (double) counts[k] / SAMPLES;
            // 5 standard deviations of a binomial count, so a correct sampler fails once in millions
            double tolerance = 5 * Math.sqrt(p * (1 - p) / SAMPLES);
            assertEquals(p, observed, tolerance, "frequency of rank " + k + " at s=" + s);
        }
        double top100 = 0;
        for (int k = 1; k <= 100; k++) {
            top100 += expected(k, n, s);
        }
        assertEquals(top100, Arrays.stream(counts, 1, 101).sum() / (double) SAMPLES, 0.005, "mass of the top 100 ranks");
    }

    @Test
    void sample_staysInRange() {
        SplittableRandom random = new SplittableRandom(1);
        ZipfSampler one = new ZipfSampler(1, 0.99);
        ZipfSampler three = new ZipfSampler(3, 0.99);
        boolean[] seen = new boolean[4];
        for (int i = 0; i < 10_000; i++) {
            assertEquals(1, one.sample(random));
            int k = three.sample(random);
            assertTrue(k >= 1 && k <= 3, "rank " + k);
            seen[k] = true;
        }
        assertTrue(seen[1] && seen[2] && seen[3], "every rank of three drawn");
    }

    @Test
    void permutation_isAPermutationAndScrambles() {
        int n = 100_000;
        int[] p = ZipfSampler.permutation(n, 42);
        boolean[] hit = new boolean[n];
        int fixedPoints = 0;
        int adjacentPairs = 0;
        for (int i = 0; i < n; i++) {
            assertFalse(hit[p[i]], "index " + p[i] + " twice");
            hit[p[i]] = true;
            fixedPoints += p[i] == i ? 1 : 0;
            adjacentPairs += i > 0 && Math.abs(p[i] - p[i - 1]) == 1 ? 1 : 0;
        }
        // a random permutation has about 1 fixed point and about 2 adjacent pairs on average
        assertTrue(fixedPoints < 10, fixedPoints + " fixed points");
        assertTrue(adjacentPairs < 20, adjacentPairs + " neighbouring ranks on neighbouring keys");
        assertArrayEquals(p, ZipfSampler.permutation(n, 42), "same seed, same permutation");
        assertFalse(Arrays.equals(p, ZipfSampler.permutation(n, 43)), "another seed, another permutation");
    }

    @Test
    void scrambledTrace_hotRankLandsOnItsPermutedKey() {
        int n = 10_000;
        int[] trace = ZipfSampler.scrambledTrace(n, 0.99, SAMPLES, 42);
        int hottestKey = ZipfSampler.permutation(n, 42)[0];
        long[] counts = new long[n];
        for (int key : trace) {
            assertTrue(key >= 0 && key < n, "key " + key);
            counts[key]++;
        }
        double p = expected(1, n, 0.99);
        assertEquals(p, (double) counts[hottestKey] / SAMPLES, 5 * Math.sqrt(p * (1 - p) / SAMPLES));
        assertEquals(hottestKey, maxIndex(counts), "the most frequent key is rank 1's");
        assertArrayEquals(trace, ZipfSampler.scrambledTrace(n, 0.99, SAMPLES, 42), "deterministic");
    }

    private static int maxIndex(long[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }
}
