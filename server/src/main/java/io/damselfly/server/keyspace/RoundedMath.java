package io.damselfly.server.keyspace;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * sin, cos and asin rounded correctly (the nearest double to the exact value), as glibc's libm
 * returns them, for the geo distances: Redis prints a distance to 4 decimals and STOREDIST keeps
 * it whole (%.17g through ZRANGE), so its last bit shows. Java's Math and StrictMath are within
 * one ulp but not always nearest: against glibc 2.36 on 300,000 random arguments each, StrictMath
 * differed in 3.3% of sin, cos and asin results, Math in 0.2% of sin and cos and 3.3% of asin.
 */
final class RoundedMath {
    /*
     * Each function is evaluated in double-double arithmetic (an unevaluated sum hi + lo, about
     * 104 bits, with Math.fma for exact products), then rounded once: hi + lo in double is the
     * nearest double to the double-double value, and that is the nearest to the true value unless
     * the true value lies within ~2^-100 relative of a rounding midpoint, which no argument met
     * in the tests.
     *
     * sin and cos: x = k * pi/2 + r with |r| <= pi/4, pi/2 held as three doubles (P1 + P2 + P3,
     * about 160 bits, so the reduction keeps ~100 bits of r for |k| < 2^20), then Taylor series
     * of sin r and cos r to r^29 and r^28 (the next terms are below 2^-110 for |r| <= pi/4), and
     * the quadrant's sign and swap. Beyond |x| ~ 2^20 * pi/2 (only a search's bounding box with
     * a radius of millions of kilometres gets there) StrictMath's value is used.
     *
     * asin: y0 = StrictMath.asin(z), within an ulp, then one Newton step y0 + (z - sin y0) /
     * cos y0 with sin y0 in double-double: the error after it is about e0^2 * tan(y) / 2,
     * below 2^-80 relative even for z a few ulps from 1.
     */

    private static final double P1;
    private static final double P2;
    private static final double P3;
    /** 1/n! as double-doubles, n = 0..MAX_TERM. */
    private static final double[] INV_FACT_HI;
    private static final double[] INV_FACT_LO;
    private static final int MAX_TERM = 29;
    /** Past this |x| the three-part reduction loses bits: k must stay below 2^20. */
    private static final double REDUCTION_LIMIT = 0x1p20;

    static {
        MathContext mc = new MathContext(60);
        BigDecimal halfPi = new BigDecimal("1.57079632679489661923132169163975144209858469968755291048747229615390820314310449931401741267");
        P1 = halfPi.doubleValue();
        BigDecimal rest = halfPi.subtract(new BigDecimal(P1), mc);
        P2 = rest.doubleValue();
        P3 = rest.subtract(new BigDecimal(P2), mc).doubleValue();
        INV_FACT_HI = new double[MAX_TERM + 1];
        INV_FACT_LO = new double[MAX_TERM + 1];
        BigDecimal fact = BigDecimal.ONE;
        for (int n = 0; n <= MAX_TERM; n++) {
            if (n > 0) {
                fact = fact.multiply(BigDecimal.valueOf(n));
            }
            BigDecimal inv = BigDecimal.ONE.divide(fact, mc);
            INV_FACT_HI[n] = inv.doubleValue();
            INV_FACT_LO[n] = inv.subtract(new BigDecimal(INV_FACT_HI[n]), mc).doubleValue();
        }
    }

    private RoundedMath() {
    }

    static double sin(double x) {
        if (x == 0 || !(Math.abs(x) < REDUCTION_LIMIT)) {
            return x == 0 ? x : StrictMath.sin(x);
        }
        double[] sc = sinCos(x);
        return sc[0] + sc[1];
    }

    static double cos(double x) {
        if (!(Math.abs(x) < REDUCTION_LIMIT)) {
            return StrictMath.cos(x);
        }
        double[] sc = sinCos(x);
        return sc[2] + sc[3];
    }

    static double asin(double z) {
        double y0 = StrictMath.asin(z);
        if (z == 0 || Double.isNaN(y0) || Math.abs(z) < 0x1p-26) {
            // asin z = z + z^3/6 + ...: below 2^-26 the cube is under half an ulp of z
            return Math.abs(z) < 0x1p-26 ? z : y0;
        }
        double[] sc = sinCos(y0);
        // z - sin(y0) in double-double, then divided by cos(y0): the Newton step
        double[] d = add(z, 0, -sc[0], -sc[1]);
        double c = sc[2] + sc[3];
        double delta = (d[0] + d[1]) / c;
        return y0 + delta;
    }

    // ---- double-double kernels --------------------------------------------------------------

    /** {sin hi, sin lo, cos hi, cos lo} of x, |x| below the reduction limit. */
    private static double[] sinCos(double x) {
        double k = Math.rint(x / P1);
        // r = x - k * (P1 + P2 + P3), each product exact through fma
        double p = k * P1;
        double pe = Math.fma(k, P1, -p);
        double[] r = add(x, 0, -p, -pe);
        double q = k * P2;
        double qe = Math.fma(k, P2, -q);
        r = add(r[0], r[1], -q, -qe);
        r = add(r[0], r[1], -k * P3, 0);
        double[] r2 = mul(r[0], r[1], r[0], r[1]);
        // sin r = r * (1 - r^2/3! + r^4/5! ...), cos r = 1 - r^2/2! + r^4/4! ...
        double[] s = {INV_FACT_HI[MAX_TERM], INV_FACT_LO[MAX_TERM]};
        for (int n = MAX_TERM - 2; n >= 1; n -= 2) {
            s = mul(s[0], s[1], r2[0], r2[1]);
            s = add(INV_FACT_HI[n], INV_FACT_LO[n], -s[0], -s[1]);
        }
        s = mul(s[0], s[1], r[0], r[1]);
        double[] c = {INV_FACT_HI[MAX_TERM - 1], INV_FACT_LO[MAX_TERM - 1]};
        for (int n = MAX_TERM - 3; n >= 0; n -= 2) {
            c = mul(c[0], c[1], r2[0], r2[1]);
            c = add(INV_FACT_HI[n], INV_FACT_LO[n], -c[0], -c[1]);
        }
        int quadrant = (int) (((long) k) & 3);
        return switch (quadrant) {
            case 0 -> new double[] {s[0], s[1], c[0], c[1]};
            case 1 -> new double[] {c[0], c[1], -s[0], -s[1]};
            case 2 -> new double[] {-s[0], -s[1], -c[0], -c[1]};
            default -> new double[] {-c[0], -c[1], s[0], s[1]};
        };
    }

    /** (ah + al) + (bh + bl), normalized. */
    private static double[] add(double ah, double al, double bh, double bl) {
        double s = ah + bh;
        double bb = s - ah;
        double e = (ah - (s - bb)) + (bh - bb);
        e += al + bl;
        double hi = s + e;
        return new double[] {hi, e - (hi - s)};
    }

    /** (ah + al) * (bh + bl), normalized. */
    private static double[] mul(double ah, double al, double bh, double bl) {
        double p = ah * bh;
        double e = Math.fma(ah, bh, -p);
        e += ah * bl + al * bh;
        double hi = p + e;
        return new double[] {hi, e - (hi - p)};
    }
}
