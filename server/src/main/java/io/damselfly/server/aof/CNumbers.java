package io.damselfly.server.aof;

/**
 * The C library's number parsing as Redis's AOF code uses it (strtol, atoll, atoi on a line
 * buffer), and its RDB loader on AUX fields, so that a damaged file reads as Redis reads it: leading white space skipped, an
 * optional sign, digits up to the first non-digit (none is 0), saturated at the long's limits
 * on overflow as glibc's strtol does; a NUL byte ends the string.
 */
public final class CNumbers {
    private CNumbers() {
    }

    /** strtol(s + from, NULL, 10) over the C string in {@code s}. */
    public static long strtol(byte[] s, int from) {
        return strtol(s, from, s.length);
    }

    /** strtol over the C string in {@code s[from, to)}. */
    static long strtol(byte[] s, int from, int to) {
        int p = from;
        while (p < to && AofManifest.isSpace(s[p])) {
            p++;
        }
        boolean negative = false;
        if (p < to && (s[p] == '+' || s[p] == '-')) {
            negative = s[p] == '-';
            p++;
        }
        long value = 0; // accumulated negative, so that Long.MIN_VALUE fits
        boolean overflow = false;
        while (p < to && s[p] >= '0' && s[p] <= '9') {
            int digit = s[p] - '0';
            if (!overflow) {
                if (value < (Long.MIN_VALUE + digit) / 10) {
                    overflow = true;
                } else {
                    value = value * 10 - digit;
                }
            }
            p++;
        }
        if (overflow) {
            return negative ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        if (negative) {
            return value;
        }
        return value == Long.MIN_VALUE ? Long.MAX_VALUE : -value;
    }

    /** atoi: strtol cut to an int, as (int) strtol(...) is on a 64-bit long. */
    static int atoi(byte[] s, int from, int to) {
        return (int) strtol(s, from, to);
    }
}
