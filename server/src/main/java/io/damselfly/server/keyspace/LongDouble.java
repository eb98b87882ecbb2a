package io.damselfly.server.keyspace;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * A C {@code long double} as Redis computes with it on x86-64 (the x87 80-bit extended format),
 * emulated exactly: parsing as glibc's strtold under Redis's string2ld rules, addition, and the
 * exact value for printing. For INCRBYFLOAT (and HINCRBYFLOAT, which does the same).
 */
public final class LongDouble {
    /*
     * Why emulate rather than add decimals exactly: Redis parses both operands with strtold, adds
     * in long double and prints "%.17Lf" with trailing zeros removed. Seventeen fractional digits
     * are more than a 64-bit significand holds once the integer part passes a few digits, so the
     * binary rounding shows in replies: SET k 1000000.1, INCRBYFLOAT k 0.1 answers
     * "1000000.20000000000004547", and SET k 10.50, INCRBYFLOAT k -5.0e3 answers
     * "-4989.39999999999999991". Exact decimal arithmetic would print 1000000.2 and -4989.4, and a
     * client could tell us apart. So every operand and every sum is rounded to what the x87 unit
     * holds, and the exact binary value is handed to Numbers.toHumanBytes, which does the printf.
     *
     * The format: a 64-bit significand with an explicit integer bit, exponents from -16382 to
     * 16383, subnormals down to 2^-16445, rounding to nearest with ties to even. A finite value is
     * kept as significand * 2^exponent with |significand| < 2^64; every such value has a finite
     * decimal expansion, so toBigDecimal is exact. Infinity and NaN are kinds, not numbers.
     *
     * string2ld's rules (util.c): not empty, shorter than MAX_LONG_DOUBLE_CHARS, no leading space,
     * the whole string consumed by strtold, no NaN, and no overflow or underflow to zero (ERANGE
     * with HUGE_VAL or zero); "inf"/"infinity" and hexadecimal floats ("0x1.8p3") are accepted
     * because strtold accepts them.
     */

    /** Bits of the x87 significand, the integer bit included. */
    static final int SIGNIFICAND_BITS = 64;
    /** Weight of the last significand bit of the smallest subnormal: 2^(-16382 - 63). */
    static final int MIN_EXPONENT = -16382 - (SIGNIFICAND_BITS - 1);
    /** Every finite value is below 2^16384: largest exponent 16383, plus the integer bit. */
    static final int MAX_MAGNITUDE_BITS = 16384;
    /** Redis's MAX_LONG_DOUBLE_CHARS: string2ld refuses inputs this long or longer. */
    static final int MAX_CHARS = 5 * 1024;
    /**
     * Decimal exponents outside which a nonzero input certainly overflows (the largest value is
     * about 1.19e4932) or rounds to zero (half the smallest subnormal is about 1.82e-4951); in
     * between the exact rounding decides.
     */
    private static final int MAX_DECIMAL_EXPONENT = 4932;
    private static final int MIN_DECIMAL_EXPONENT = -4951;
    /** Exponent digits beyond this saturate: the value is far out of range either way. */
    private static final long EXPONENT_CAP = 1_000_000_000L;

    private static final int FINITE = 0;
    private static final int POSITIVE_INFINITY = 1;
    private static final int NEGATIVE_INFINITY = 2;
    private static final int NAN = 3;

    public static final LongDouble ZERO = new LongDouble(BigInteger.ZERO, 0, FINITE);
    private static final LongDouble POS_INF = new LongDouble(null, 0, POSITIVE_INFINITY);
    private static final LongDouble NEG_INF = new LongDouble(null, 0, NEGATIVE_INFINITY);
    private static final LongDouble NOT_A_NUMBER = new LongDouble(null, 0, NAN);
    private static final BigInteger FIVE = BigInteger.valueOf(5);

    /** Signed; |significand| < 2^64. Null unless finite. */
    private final BigInteger significand;
    private final int exponent;
    private final int kind;

    private LongDouble(BigInteger significand, int exponent, int kind) {
        this.significand = significand;
        this.exponent = exponent;
        this.kind = kind;
    }

    public boolean isFinite() {
        return kind == FINITE;
    }

    /**
     * The value of the first {@code len} bytes as Redis's string2ld reads them, or null when
     * Redis would refuse them ("ERR value is not a valid float").
     */
    public static LongDouble parse(byte[] b, int len) {
        if (len == 0 || len >= MAX_CHARS || Numbers.isSpace(b[0])) {
            return null;
        }
        int i = 0;
        boolean negative = false;
        if (b[0] == '+' || b[0] == '-') {
            negative = b[0] == '-';
            i = 1;
        }
        if (equalsIgnoreCase(b, i, len, "inf") || equalsIgnoreCase(b, i, len, "infinity")) {
            return negative ? NEG_INF : POS_INF;
        }
        boolean hex = len - i > 2 && b[i] == '0' && (b[i + 1] == 'x' || b[i + 1] == 'X');
        return hex ? parseHex(b, i + 2, len, negative) : parseDecimal(b, i, len, negative);
    }

    private static LongDouble parseDecimal(byte[] b, int i, int len, boolean negative) {
        StringBuilder digits = new StringBuilder(len);
        int fractionDigits = 0;
        boolean nonZero = false;
        boolean point = false;
        boolean any = false;
        for (; i < len; i++) {
            byte ch = b[i];
            if (ch >= '0' && ch <= '9') {
                any = true;
                if (point) {
                    fractionDigits++;
                }
                digits.append((char) ch);
                if (ch != '0') {
                    nonZero = true;
                }
            } else if (ch == '.' && !point) {
                point = true;
            } else {
                break;
            }
        }
        if (!any) {
            return null;
        }
        long exp10 = 0;
        if (i < len && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            long[] out = new long[1];
            i = parseExponent(b, i, len, out);
            if (i < 0) {
                return null;
            }
            exp10 = out[0];
        }
        if (i != len) {
            return null;
        }
        if (!nonZero) {
            return ZERO;
        }
        BigInteger n = new BigInteger(digits.toString());
        long scale = exp10 - fractionDigits; // value = n * 10^scale
        long leading = scale + (n.toString().length() - 1); // decimal exponent of the first digit
        if (leading > MAX_DECIMAL_EXPONENT || leading < MIN_DECIMAL_EXPONENT) {
            return null; // ERANGE: overflow to HUGE_VAL or underflow to zero
        }
        LongDouble v;
        if (scale >= 0) {
            v = round(negative, n.multiply(BigInteger.TEN.pow((int) scale)), 0, false);
        } else {
            // n / 10^k = (n / 5^k) * 2^-k; divide with enough extra bits to round correctly
            int k = (int) -scale;
            BigInteger divisor = FIVE.pow(k);
            int extra = Math.max(0, SIGNIFICAND_BITS + 2 - (n.bitLength() - divisor.bitLength()));
            BigInteger[] qr = n.shiftLeft(extra).divideAndRemainder(divisor);
            v = round(negative, qr[0], -(long) k - extra, qr[1].signum() != 0);
        }
        return v.isFinite() && v.significand.signum() != 0 ? v : null;
    }

    private static LongDouble parseHex(byte[] b, int i, int len, boolean negative) {
        BigInteger m = BigInteger.ZERO;
        long exp2 = 0;
        boolean point = false;
        boolean any = false;
        for (; i < len; i++) {
            int d = Character.digit(b[i], 16);
            if (d >= 0) {
                any = true;
                m = m.shiftLeft(4).or(BigInteger.valueOf(d));
                if (point) {
                    exp2 -= 4;
                }
            } else if (b[i] == '.' && !point) {
                point = true;
            } else {
                break;
            }
        }
        if (!any) {
            return null;
        }
        if (i < len && (b[i] == 'p' || b[i] == 'P')) {
            long[] out = new long[1];
            i = parseExponent(b, i + 1, len, out);
            if (i < 0) {
                return null;
            }
            exp2 += out[0];
        }
        if (i != len) {
            return null;
        }
        if (m.signum() == 0) {
            return ZERO;
        }
        long top = exp2 + m.bitLength();
        if (top > MAX_MAGNITUDE_BITS + 1 || top < MIN_EXPONENT - 1) {
            return null;
        }
        LongDouble v = round(negative, m, exp2, false);
        return v.isFinite() && v.significand.signum() != 0 ? v : null;
    }

    /** Reads [+-]digits from i; stores the saturated value in out[0]; returns the end, or -1. */
    private static int parseExponent(byte[] b, int i, int len, long[] out) {
        boolean negative = false;
        if (i < len && (b[i] == '+' || b[i] == '-')) {
            negative = b[i] == '-';
            i++;
        }
        int start = i;
        long e = 0;
        for (; i < len && b[i] >= '0' && b[i] <= '9'; i++) {
            e = Math.min(e * 10 + (b[i] - '0'), EXPONENT_CAP);
        }
        if (i == start) {
            return -1;
        }
        out[0] = negative ? -e : e;
        return i;
    }

    /**
     * Rounds (n + d) * 2^e to the format, where n >= 0 and 0 <= d < 1 with d > 0 exactly when
     * {@code sticky}; callers that pass sticky give n more than 64 bits, so it is never lost.
     */
    private static LongDouble round(boolean negative, BigInteger n, long e, boolean sticky) {
        if (n.signum() == 0 && !sticky) {
            return ZERO;
        }
        long shift = Math.max(0, n.bitLength() - SIGNIFICAND_BITS);
        if (e + shift < MIN_EXPONENT) {
            shift = MIN_EXPONENT - e; // subnormal: the last bit weighs 2^MIN_EXPONENT
        }
        BigInteger m = n;
        if (shift > 0) {
            int s = (int) Math.min(shift, Integer.MAX_VALUE - 1);
            m = n.shiftRight(s);
            boolean half = n.testBit(s - 1);
            int lowest = n.getLowestSetBit();
            boolean rest = sticky || (lowest >= 0 && lowest < s - 1);
            if (half && (rest || m.testBit(0))) {
                m = m.add(BigInteger.ONE);
                if (m.bitLength() > SIGNIFICAND_BITS) {
                    m = m.shiftRight(1);
                    shift++;
                }
            }
        }
        if (m.signum() == 0) {
            return ZERO;
        }
        long exp = e + shift;
        if (m.bitLength() + exp > MAX_MAGNITUDE_BITS) {
            return negative ? NEG_INF : POS_INF;
        }
        return new LongDouble(negative ? m.negate() : m, (int) exp, FINITE);
    }

    /** The rounded sum, as the x87 unit adds; infinite on overflow, NaN for inf + -inf. */
    public LongDouble add(LongDouble other) {
        if (kind != FINITE || other.kind != FINITE) {
            if (kind == NAN || other.kind == NAN
                    || (kind != FINITE && other.kind != FINITE && kind != other.kind)) {
                return NOT_A_NUMBER;
            }
            return kind != FINITE ? this : other;
        }
        int e = Math.min(exponent, other.exponent);
        BigInteger sum = significand.shiftLeft(exponent - e).add(other.significand.shiftLeft(other.exponent - e));
        return round(sum.signum() < 0, sum.abs(), e, false);
    }

    /** The exact value of a finite number. */
    public BigDecimal toBigDecimal() {
        if (kind != FINITE) {
            throw new ArithmeticException("not finite");
        }
        if (exponent >= 0) {
            return new BigDecimal(significand.shiftLeft(exponent));
        }
        // m * 2^-k = m * 5^k / 10^k
        return new BigDecimal(significand.multiply(FIVE.pow(-exponent)), -exponent);
    }

    private static boolean equalsIgnoreCase(byte[] b, int from, int to, String word) {
        if (to - from != word.length()) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            int ch = b[from + k];
            if (ch >= 'A' && ch <= 'Z') {
                ch += 'a' - 'A';
            }
            if (ch != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case FINITE -> toBigDecimal().toPlainString();
            case POSITIVE_INFINITY -> "inf";
            case NEGATIVE_INFINITY -> "-inf";
            default -> "nan";
        };
    }
}
