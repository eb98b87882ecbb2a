package io.damselfly.bench.load;

import java.util.SplittableRandom;

/**
 * Zipf-distributed ranks over {@code 1..n}: rank k is drawn with probability proportional to
 * {@code k^-exponent}. Also builds scrambled traces of key indices, where the hot ranks land on
 * keys spread over the whole keyspace.
 */
public final class ZipfSampler {
    /*
     * Rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-inversion to generate variates
     * from monotone discrete distributions", ACM TOMACS 6(3), 1996). The probability mass
     * h(k) = k^-s of each integer k is covered by the area under the continuous hat h(x) = x^-s
     * on [k - 1/2, k + 1/2]; a uniform point of that area is found by inverting the integral H of
     * h, and rounded to the nearest integer k. It is accepted unless it falls in the part of k's
     * strip that lies above h(k) (the second test); the first test accepts without computing H
     * where the strip is known to lie under the mass (the constant `squeeze`). Expected cost is
     * O(1) per sample whatever n is, and no table of n entries is needed, unlike a CDF search.
     * The hat's area from 1/2 to 3/2 is replaced by h(1) = 1 (hIntegralX1), which is exact for
     * rank 1. H and its inverse are written with expm1/log1p helpers so that exponent = 1 (the
     * harmonic case, where H is log) needs no special branch.
     *
     * Scrambling: YCSB, and Caffeine's benchmarks through it, scramble Zipf ranks by hashing them
     * (FNV) modulo the item count, which maps some ranks onto the same key. We use a seeded
     * Fisher-Yates permutation instead, so every rank owns exactly one key and the frequencies the
     * sampler draws are the frequencies the keys see.
     */

    /** The exponent the hit-ratio workload uses, as in YCSB and Caffeine's benchmarks. */
    public static final double DEFAULT_EXPONENT = 0.99;

    private final int n;
    private final double exponent;
    private final double hIntegralX1;
    private final double hIntegralN;
    private final double squeeze;

    public ZipfSampler(int n, double exponent) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1: " + n);
        }
        if (!(exponent > 0)) {
            throw new IllegalArgumentException("exponent must be positive: " + exponent);
        }
        this.n = n;
        this.exponent = exponent;
        this.hIntegralX1 = hIntegral(1.5) - 1;
        this.hIntegralN = hIntegral(n + 0.5);
        this.squeeze = 2 - hIntegralInverse(hIntegral(2.5) - h(2));
    }

    /** A rank in {@code 1..n}; 1 is the most frequent. */
    public int sample(SplittableRandom random) {
        while (true) {
            double u = hIntegralN + random.nextDouble() * (hIntegralX1 - hIntegralN);
            double x = hIntegralInverse(u);
            int k = (int) (x + 0.5);
            if (k < 1) {
                k = 1;
            } else if (k > n) {
                k = n;
            }
            if (k - x <= squeeze || u >= hIntegral(k + 0.5) - h(k)) {
                return k;
            }
        }
    }

    /** A permutation of {@code 0..n-1}, the same for the same seed (Fisher-Yates). */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * {@code length} key indices in {@code 0..n-1}, Zipf-distributed by rank, rank r mapped to key
     * {@code permutation[r - 1]}; the same for the same arguments. Precomputed so that a timed
     * loop only reads an array.
     */
    public static int[] scrambledTrace(int n, double exponent, int length, long seed) {
        int[] keyOfRank = permutation(n, seed);
        ZipfSampler zipf = new ZipfSampler(n, exponent);
        // a different stream from the permutation's, so ranks and placement are independent
        SplittableRandom random = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        int[] trace = new int[length];
        for (int i = 0; i < length; i++) {
            trace[i] = keyOfRank[zipf.sample(random) - 1];
        }
        return trace;
    }

    /** h(x) = x^-s. */
    private double h(double x) {
        return Math.exp(-exponent * Math.log(x));
    }

    /** H(x) = (x^(1-s) - 1) / (1-s), the integral of h from 1 to x; log(x) when s = 1. */
    private double hIntegral(double x) {
        double logX = Math.log(x);
        return expm1OverX((1 - exponent) * logX) * logX;
    }

    /** The inverse of H. */
    private double hIntegralInverse(double y) {
        double t = y * (1 - exponent);
        if (t < -1) {
            t = -1; // only rounding can take it there: H's range ends at -1 / (1 - s) for s > 1
        }
        return Math.exp(log1pOverX(t) * y);
    }

    /** log(1 + x) / x, continuous at 0. */
    private static double log1pOverX(double x) {
        if (Math.abs(x) > 1e-8) {
            return Math.log1p(x) / x;
        }
        return 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
    }

    /** (e^x - 1) / x, continuous at 0. */
    private static double expm1OverX(double x) {
        if (Math.abs(x) > 1e-8) {
            return Math.expm1(x) / x;
        }
        return 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
    }
}
