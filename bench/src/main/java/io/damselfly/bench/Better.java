package io.damselfly.bench;

import java.util.Locale;
import java.util.Set;

/**
 * Which way a figure improves, and so how the damselfly/redis ratio is taken: every ratio in the
 * results reads "above 1 means damselfly is better".
 */
public enum Better {
    /** Throughput, hit ratio: the ratio is damselfly / redis. */
    HIGHER,
    /** Latency, bytes per key: the ratio is redis / damselfly. */
    LOWER;

    /**
     * damselfly's figure relative to redis's, oriented so that above 1 favours damselfly; 1 when both
     * are zero, NaN when either is missing or only the divisor is zero.
     */
    public double ratio(double redis, double damselfly) {
        double num = this == HIGHER ? damselfly : redis;
        double den = this == HIGHER ? redis : damselfly;
        if (Double.isNaN(num) || Double.isNaN(den)) {
            return Double.NaN;
        }
        if (den == 0) {
            return num == 0 ? 1.0 : Double.NaN; // equal (e.g. no errors on either side), or unbounded
        }
        return num / den;
    }

    /** Name tokens that mark a figure as better when lower: times, percentiles, sizes. */
    private static final Set<String> LOWER_TOKENS = Set.of("ms", "us", "ns", "latency", "bytes", "rss",
            "p50", "p90", "p95", "p99", "p99.9", "p999", "max");

    /**
     * The direction implied by a figure's name, for figures that come without one (the load
     * drivers return bare name -> value maps): a name with a token for a time, a percentile or a
     * size ("p99 ms", "bytes/key (RSS)") is better lower; anything else (ops/s, hit ratio) higher.
     */
    public static Better forFigure(String name) {
        for (String token : name.toLowerCase(Locale.ROOT).split("[^a-z0-9.]+")) {
            if (LOWER_TOKENS.contains(token)) {
                return LOWER;
            }
        }
        return HIGHER;
    }
}
