package io.damselfly.server.keyspace;

import java.nio.charset.StandardCharsets;

/**
 * Number parsing and formatting with Redis's exact rules (util.c string2ll, ld2string), over
 * bytes, without allocating a String on the common path.
 */
public final class Numbers {
    private Numbers() {
    }

    /**
     * Parses a long the way Redis's string2ll does: optional '-', digits, no leading zeros (except
     * "0" itself), no '+', no spaces, no overflow. Returns null when the bytes are not such a
     * number.
     */
    public static Long parseCanonicalLong(byte[] b, int len) {
        return parseCanonicalLong(b, 0, len);
    }

    /** {@link #parseCanonicalLong(byte[], int)} over {@code len} bytes from {@code off}. */
    public static Long parseCanonicalLong(byte[] b, int off, int len) {
        if (len == 0 || len > 20) {
            return null;
        }
        int i = off;
        int end = off + len;
        boolean negative = false;
        if (b[i] == '-') {
            negative = true;
            i++;
            if (len == 1) {
                return null;
            }
        }
        if (b[i] == '0') {
            return (len == 1) ? 0L : null;
        }
        long acc = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return null;
            }
            // accumulate negatively so Long.MIN_VALUE parses without overflow
            if (acc < (Long.MIN_VALUE + d) / 10) {
                return null;
            }
            acc = acc * 10 - d;
        }
        if (!negative) {
            if (acc == Long.MIN_VALUE) {
                return null;
            }
            return -acc;
        }
        return acc;
    }

    /** {@link #parseCanonicalLong(byte[], int)} over the whole array. */
    public static Long parseLong(byte[] b) {
        return parseCanonicalLong(b, b.length);
    }

    /**
     * Parses a double the way Redis's string2ld/strtold accepts it for INCRBYFLOAT and friends:
     * no surrounding spaces, not empty, finite or "inf"/"-inf" variants. Returns null if invalid.
     */
    public static Double parseDouble(byte[] b, int len) {
        if (len == 0 || len > 5000) {
            return null;
        }
        if (isSpace(b[0]) || isSpace(b[len - 1])) {
            return null;
        }
        String s = new String(b, 0, len, StandardCharsets.US_ASCII);
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        switch (lower) {
            case "inf", "+inf", "infinity", "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                break;
        }
        // Java accepts suffixes such as 'd' and 'f' and hex floats with 'p'; strtold does not take
        // the suffixes, so refuse any letter other than an exponent marker.
        for (int i = 0; i < len; i++) {
            byte c = b[i];
            boolean ok = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
            if (!ok) {
                return null;
            }
        }
        try {
            double d = Double.parseDouble(s);
            return Double.isNaN(d) ? null : d;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * C's atoi as glibc has it, (int) strtol(text, NULL, 10): blanks skipped, an optional sign,
     * then as many digits as there are (none reads 0), saturated at the long's range and then cut
     * to an int's 32 bits. For the switches Redis reads with atoi (DEBUG SET-ACTIVE-EXPIRE 1 ...),
     * where anything that is not a number is 0.
     */
    public static int atoi(byte[] b) {
        int i = 0;
        while (i < b.length && isSpace(b[i])) {
            i++;
        }
        boolean negative = false;
        if (i < b.length && (b[i] == '+' || b[i] == '-')) {
            negative = b[i] == '-';
            i++;
        }
        long acc = 0;
        boolean saturated = false;
        for (; i < b.length && b[i] >= '0' && b[i] <= '9'; i++) {
            int d = b[i] - '0';
            if (acc > (Long.MAX_VALUE - d) / 10) {
                saturated = true;
                break;
            }
            acc = acc * 10 + d;
        }
        long v = saturated ? (negative ? Long.MIN_VALUE : Long.MAX_VALUE) : (negative ? -acc : acc);
        return (int) v;
    }

    /** C's isspace in the C locale: space, \t \n \v \f \r. */
    static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    /**
     * INCRBY's and HINCRBY's arithmetic on a stored value ({@code stored} null: none, which counts
     * as 0): the sum, or NOT_INTEGER when the value is not a canonical integer, or OVERFLOW when the
     * sum leaves the 64-bit range.
     */
    static LongResult increment(byte[] stored, int offset, int length, long delta) {
        long current = 0;
        if (stored != null) {
            Long parsed = parseCanonicalLong(stored, offset, length);
            if (parsed == null) {
                return LongResult.failed(OpStatus.NOT_INTEGER);
            }
            current = parsed;
        }
        if ((delta < 0 && current < 0 && delta < Long.MIN_VALUE - current)
                || (delta > 0 && current > 0 && delta > Long.MAX_VALUE - current)) {
            return LongResult.failed(OpStatus.OVERFLOW);
        }
        return LongResult.ok(current + delta);
    }

    /** The decimal bytes of a long. */
    public static byte[] toBytes(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Formats a number as Redis's INCRBYFLOAT does (ld2string with LD_STR_HUMAN: "%.17Lf", then
     * trailing zeros and point removed). The value comes from {@link LongDouble}, exact, so the
     * rounding to 17 fractional digits is the only one, as in printf.
     */
    public static byte[] toHumanBytes(java.math.BigDecimal v) {
        java.math.BigDecimal d = v.setScale(17, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros();
        String s = d.signum() == 0 ? "0" : d.toPlainString();
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
