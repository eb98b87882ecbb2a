package io.damselfly.server.keyspace;

/**
 * A score interval, as ZRANGEBYSCORE and friends take it (Redis's zrangespec): each bound a
 * number, {@code -inf} or {@code +inf}, exclusive when written with a leading {@code (}.
 */
public record ScoreRange(double min, boolean minExclusive, double max, boolean maxExclusive) {

    /** The range {@code min max} as zslParseRange reads it; null when either is not a float. */
    public static ScoreRange parse(byte[] min, byte[] max) {
        boolean minEx = min.length > 0 && min[0] == '(';
        boolean maxEx = max.length > 0 && max[0] == '(';
        double lo = Scores.strtod(min, minEx ? 1 : 0, min.length - (minEx ? 1 : 0));
        double hi = Scores.strtod(max, maxEx ? 1 : 0, max.length - (maxEx ? 1 : 0));
        if (Double.isNaN(lo) || Double.isNaN(hi)) {
            return null;
        }
        return new ScoreRange(lo, minEx, hi, maxEx);
    }

    /** Whether a score is at or past the lower bound. */
    public boolean aboveMin(double score) {
        return minExclusive ? score > min : score >= min;
    }

    /** Whether a score is at or before the upper bound. */
    public boolean belowMax(double score) {
        return maxExclusive ? score < max : score <= max;
    }
}
