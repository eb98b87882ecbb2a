package io.damselfly.bench.micro;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How a benchmark picks keys: a sequence of key indexes, drawn once in {@code @Setup} so that the
 * timed loop reads an array instead of calling a random generator.
 */
public enum KeyDistribution {
    /** Every key equally likely. */
    UNIFORM {
        @Override
        int[] sample(int items, int count, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            int[] indexes = new int[count];
            for (int i = 0; i < count; i++) {
                indexes[i] = random.nextInt(items);
            }
            return indexes;
        }
    },

    /**
     * Zipf with exponent {@link #ZIPF_EXPONENT}, scrambled: the popular ranks are mapped through a
     * random permutation onto key indexes, so hot keys are spread over the shards and the hash table
     * instead of being the first keys loaded (YCSB's ScrambledZipfianGenerator, which Caffeine's
     * benchmarks use, makes the same point).
     */
    ZIPF {
        @Override
        int[] sample(int items, int count, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            // cdf[r] = P(rank <= r), with P(rank = r) proportional to 1 / (r + 1)^s
            double[] cdf = new double[items];
            double sum = 0;
            for (int r = 0; r < items; r++) {
                sum += 1.0 / Math.pow(r + 1, ZIPF_EXPONENT);
                cdf[r] = sum;
            }
            int[] permutation = new int[items];
            for (int i = 0; i < items; i++) {
                permutation[i] = i;
            }
            for (int i = items - 1; i > 0; i--) { // Fisher-Yates
                int j = random.nextInt(i + 1);
                int t = permutation[i];
                permutation[i] = permutation[j];
                permutation[j] = t;
            }
            int[] indexes = new int[count];
            for (int i = 0; i < count; i++) {
                int rank = Arrays.binarySearch(cdf, random.nextDouble() * sum);
                if (rank < 0) {
                    rank = -rank - 1; // insertion point: the first rank whose cdf exceeds the draw
                }
                indexes[i] = permutation[Math.min(rank, items - 1)];
            }
            return indexes;
        }
    };

    /**
     * YCSB's default Zipf constant: with a million keys the hottest key takes 6.5% of accesses and
     * the hottest 1% of keys two thirds of them.
     */
    static final double ZIPF_EXPONENT = 0.99;

    /** {@code count} key indexes in {@code [0, items)}, reproducible from {@code seed}. */
    abstract int[] sample(int items, int count, long seed);
}
