package io.damselfly.protocol;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * C's {@code printf("%.<precision>g", d)} as glibc prints it, which is how Redis writes doubles
 * (addReplyDouble's {@code %.17g}, sorted-set scores) and how Lua writes numbers ({@code %.14g},
 * lua_cjson's precision): the exact binary value rounded half-to-even to {@code precision}
 * significant digits (what {@code new BigDecimal(d)} rounded with {@link RoundingMode#HALF_EVEN}
 * reproduces), fixed notation when the decimal exponent is in [-4, precision), else
 * {@code d.ddde±XX} with at least two exponent digits; trailing zeros of the fraction dropped;
 * {@code inf}, {@code -inf}, {@code -0}, and {@code nan} or {@code -nan} by the NaN's sign bit.
 */
public final class PrintfG {
    private PrintfG() {
    }

    public static String format(double d, int precision) {
        if (Double.isNaN(d)) {
            return Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return Double.doubleToRawLongBits(d) < 0 ? "-0" : "0";
        }
        BigDecimal rounded = new BigDecimal(d).round(new MathContext(precision, RoundingMode.HALF_EVEN));
        String digits = rounded.unscaledValue().abs().toString();
        // the exponent of the first significant digit, as %e would print it
        int exp = digits.length() - 1 - rounded.scale();
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--; // %g drops trailing zeros of the fraction
        }
        StringBuilder sb = new StringBuilder(26);
        if (d < 0) {
            sb.append('-');
        }
        if (exp < -4 || exp >= precision) {
            sb.append(digits.charAt(0));
            if (end > 1) {
                sb.append('.').append(digits, 1, end);
            }
            int abs = Math.abs(exp);
            sb.append('e').append(exp < 0 ? '-' : '+');
            if (abs < 10) {
                sb.append('0');
            }
            sb.append(abs);
        } else if (exp >= 0) {
            if (end <= exp + 1) {
                sb.append(digits, 0, end);
                for (int i = end; i <= exp; i++) {
                    sb.append('0');
                }
            } else {
                sb.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, end);
            }
        } else {
            sb.append("0.");
            for (int i = -1; i > exp; i--) {
                sb.append('0');
            }
            sb.append(digits, 0, end);
        }
        return sb.toString();
    }
}
