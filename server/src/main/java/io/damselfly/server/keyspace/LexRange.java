package io.damselfly.server.keyspace;

import java.util.Arrays;

/**
 * A member interval, as ZRANGEBYLEX and friends take it (Redis's zlexrangespec): each bound
 * {@code -} (before everything), {@code +} (after everything), {@code [member} (inclusive) or
 * {@code (member} (exclusive). Members compare as unsigned bytes, shorter first on a tie (memcmp
 * then length, as sdscmp).
 */
public final class LexRange {
    /** The bound {@code -}, compared by identity. */
    private static final byte[] MIN = new byte[0];
    /** The bound {@code +}, compared by identity. */
    private static final byte[] MAX = new byte[0];

    private final byte[] min;
    private final boolean minExclusive;
    private final byte[] max;
    private final boolean maxExclusive;

    private LexRange(byte[] min, boolean minExclusive, byte[] max, boolean maxExclusive) {
        this.min = min;
        this.minExclusive = minExclusive;
        this.max = max;
        this.maxExclusive = maxExclusive;
    }

    /** The range {@code min max} as zslParseLexRange reads it; null when either item is invalid. */
    public static LexRange parse(byte[] min, byte[] max) {
        byte[] lo = item(min);
        byte[] hi = item(max);
        if (lo == null || hi == null) {
            return null;
        }
        return new LexRange(lo, min[0] != '[', hi, max[0] != '[');
    }

    private static byte[] item(byte[] b) {
        if (b.length == 0) {
            return null;
        }
        return switch (b[0]) {
            case '+' -> b.length == 1 ? MAX : null;
            case '-' -> b.length == 1 ? MIN : null;
            case '(', '[' -> Arrays.copyOfRange(b, 1, b.length);
            default -> null;
        };
    }

    static int compare(byte[] a, int aOff, int aLen, byte[] bound) {
        if (bound == MIN) {
            return 1;
        }
        if (bound == MAX) {
            return -1;
        }
        return Arrays.compareUnsigned(a, aOff, aOff + aLen, bound, 0, bound.length);
    }

    /** sdscmplex(min, max) > 0, or equal bounds one of which is exclusive: nothing can be inside. */
    boolean isEmptyInItself() {
        int cmp;
        if (min == max) {
            cmp = 0;
        } else if (min == MIN || max == MAX) {
            cmp = -1;
        } else if (min == MAX || max == MIN) {
            cmp = 1;
        } else {
            cmp = Arrays.compareUnsigned(min, max);
        }
        return cmp > 0 || cmp == 0 && (minExclusive || maxExclusive);
    }

    /** Whether a member is at or past the lower bound. */
    public boolean aboveMin(byte[] m, int off, int len) {
        int c = compare(m, off, len, min);
        return minExclusive ? c > 0 : c >= 0;
    }

    /** Whether a member is at or before the upper bound. */
    public boolean belowMax(byte[] m, int off, int len) {
        int c = compare(m, off, len, max);
        return maxExclusive ? c < 0 : c <= 0;
    }
}
