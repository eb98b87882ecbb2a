package io.damselfly.server.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/**
 * The value of latency-tracking-info-percentiles: the percentiles INFO latencystats reports, in
 * the order given, each between 0 and 100; possibly none. Parsed and printed as Redis does
 * (config.c setConfigLatencyTrackingInfoPercentilesOutputOption and its getter).
 */
public final class PercentileList {
    /** A decimal number as strtod reads it (hexadecimal forms, which strtod also takes, are refused). */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INFINITE = Pattern.compile("(?i)[+-]?inf(inity)?");
    /** printf's "%f" precision, which Redis prints a percentile with before trimming zeros. */
    private static final int PRINTF_F_DECIMALS = 6;

    private final double[] values;

    private PercentileList(double[] values) {
        this.values = values;
    }

    /**
     * Parses the space-separated list. As Redis splits a multi-argument config at every single
     * space, "" is the empty list and a doubled space makes an empty, invalid, element. Throws
     * IllegalArgumentException with Redis's reason.
     */
    static PercentileList parse(String text) {
        if (text.isEmpty()) {
            return new PercentileList(new double[0]);
        }
        String[] parts = text.split(" ", -1);
        double[] values = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            double p = strtod(parts[i]);
            if (Double.isNaN(p)) {
                throw new IllegalArgumentException("Invalid latency-tracking-info-percentiles parameters");
            }
            if (p > 100.0 || p < 0.0) {
                throw new IllegalArgumentException("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
            }
            values[i] = p;
        }
        return new PercentileList(values);
    }

    /**
     * Redis's string2d: the whole text a number strtod reads, neither NaN nor out of double's
     * range (strtod's ERANGE: an overflow to infinity or an underflow to zero); NaN when invalid.
     */
    private static double strtod(String s) {
        if (INFINITE.matcher(s).matches()) {
            return s.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (!DECIMAL.matcher(s).matches()) {
            return Double.NaN;
        }
        double d = Double.parseDouble(s);
        boolean nonZeroDigits = s.chars().takeWhile(c -> c != 'e' && c != 'E').anyMatch(c -> c >= '1' && c <= '9');
        if (Double.isInfinite(d) || (d == 0.0 && nonZeroDigits)) {
            return Double.NaN;
        }
        return d;
    }

    public int size() {
        return values.length;
    }

    public double get(int i) {
        return values[i];
    }

    /**
     * A percentile as Redis prints it in CONFIG GET and INFO latencystats: "%f" with trailing
     * zeros and point removed (util.c trimDoubleString): 50, 99.9, 99.99.
     */
    public static String label(double percentile) {
        BigDecimal d = new BigDecimal(percentile).setScale(PRINTF_F_DECIMALS, RoundingMode.HALF_EVEN).stripTrailingZeros();
        return d.signum() == 0 ? "0" : d.toPlainString();
    }

    /** The CONFIG GET form: the labels joined by single spaces. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(label(values[i]));
        }
        return sb.toString();
    }
}
