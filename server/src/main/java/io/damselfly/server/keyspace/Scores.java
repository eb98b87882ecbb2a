package io.damselfly.server.keyspace;

import io.damselfly.protocol.PrintfG;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Sorted-set scores as text, both ways, as Redis 7.0 reads and writes them: C's strtod for
 * reading (decimal, hex floats, inf/infinity; NaN refused), {@code %.17g} for replies, and
 * d2string for the scores a compact sorted set keeps as text (ZSCAN shows those).
 */
public final class Scores {
    /*
     * strtod's grammar, matched whole: optional leading white space (strtod skips it; ZADD's
     * getDoubleFromObject refuses it separately), a sign, then a decimal or hexadecimal float or
     * inf/infinity. "nan" parses in C but every caller refuses NaN, so it is simply not matched.
     */
    private static final Pattern STRTOD = Pattern.compile(
            "[ \\t\\n\\x0B\\f\\r]*[+-]?(?:"
                    + "(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
                    + "|0[xX](?:[0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?"
                    + "|(?i:inf|infinity))");
    /** double2ll's bound: beyond LLONG_MAX/2 Redis prints a stored score with %.17g. */
    private static final double LONG_SAFE = (double) (Long.MAX_VALUE / 2);
    /** Longer arguments are not numbers anyone means; strtod would read them, at a cost. */
    private static final int MAX_LENGTH = 512;

    private Scores() {
    }

    /**
     * A score argument as getDoubleFromObject reads it (ZADD, ZINCRBY, WEIGHTS): the whole
     * argument a strtod number, no leading space, not NaN, not out of range (ERANGE: an overflow
     * to infinity or an underflow to zero). NaN when invalid.
     */
    public static double parse(byte[] b) {
        if (b.length == 0 || Numbers.isSpace(b[0])) {
            return Double.NaN;
        }
        double integer = shortInteger(b, 0, b.length);
        if (!Double.isNaN(integer)) {
            return integer; // neither infinite nor an underflow
        }
        double d = strtodText(b, 0, b.length);
        if (Double.isNaN(d)) {
            return d;
        }
        String s = ascii(b, 0, b.length);
        if (Double.isInfinite(d) && !s.toLowerCase(java.util.Locale.ROOT).contains("inf")) {
            return Double.NaN;
        }
        if (d == 0 && hasNonZeroDigit(s)) {
            return Double.NaN;
        }
        return d;
    }

    /**
     * strtod over {@code len} bytes from {@code off}, all of which must be consumed, as
     * zslParseRange reads a range bound (leading spaces allowed, overflow reads as infinity):
     * NaN when invalid.
     */
    public static double strtod(byte[] b, int off, int len) {
        if (len == 0) {
            // strtod converts nothing and stops at the end: zslParseRange takes that as 0
            return 0.0;
        }
        double integer = shortInteger(b, off, len);
        return Double.isNaN(integer) ? strtodText(b, off, len) : integer;
    }

    /**
     * {@link #strtod} of {@code len} (at least 1) bytes that are not a short integer: through the
     * text, strtod's grammar and a parse.
     */
    private static double strtodText(byte[] b, int off, int len) {
        if (len > MAX_LENGTH) {
            return Double.NaN;
        }
        String s = ascii(b, off, len);
        if (!STRTOD.matcher(s).matches()) {
            return Double.NaN;
        }
        String t = s.strip();
        String lower = t.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith("inf") || lower.endsWith("infinity")) {
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (lower.contains("x") && !lower.contains("p")) {
            t = t + "p0";
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Digits a double holds exactly whatever they are (10^15 < 2^53). */
    private static final int EXACT_DIGITS = 15;

    /**
     * The common score, an optionally signed run of at most 15 decimal digits, read directly:
     * the value strtod gives for it (a double holds such an integer exactly, and "-0" is -0.0),
     * without the text, the pattern match and the parse of the general path, which made a String,
     * a Matcher and a FloatingDecimal per score of every ZADD. NaN when {@code b} is not of that
     * form (the general path decides then).
     */
    private static double shortInteger(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        boolean negative = false;
        if (b[i] == '-' || b[i] == '+') {
            negative = b[i] == '-';
            i++;
        }
        if (i == end || end - i > EXACT_DIGITS) {
            return Double.NaN;
        }
        long value = 0;
        for (; i < end; i++) {
            int digit = b[i] - '0';
            if (digit < 0 || digit > 9) {
                return Double.NaN;
            }
            value = value * 10 + digit;
        }
        return negative ? -(double) value : (double) value;
    }

    private static boolean hasNonZeroDigit(String s) {
        boolean hex = s.indexOf('x') >= 0 || s.indexOf('X') >= 0;
        int start = hex ? Math.max(s.indexOf('x'), s.indexOf('X')) + 1 : 0;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!hex && (c == 'e' || c == 'E') || hex && (c == 'p' || c == 'P')) {
                break;
            }
            if (c >= '1' && c <= '9' || hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return true;
            }
        }
        return false;
    }

    private static String ascii(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }

    // ---- formatting -------------------------------------------------------------------------

    /** C's {@code %.17g}, with inf and -inf as Redis spells them (addReplyDouble, ld2string). */
    public static byte[] format(double d) {
        return ascii(PrintfG.format(d, 17));
    }

    /**
     * Redis's d2string, the text a listpack keeps for a score: integral values within a long
     * as integers ({@code 123456789012345680}), others as {@link #format}.
     */
    public static byte[] formatStored(double d) {
        if (d != 0 && !Double.isInfinite(d) && d == Math.rint(d) && Math.abs(d) <= LONG_SAFE) {
            return ascii(Long.toString((long) d));
        }
        return format(d);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
