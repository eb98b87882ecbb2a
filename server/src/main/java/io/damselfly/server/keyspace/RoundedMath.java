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
    /** Terms of degree at least this are summed in double (see kernel). */
    private static final int DOUBLE_TERMS = 16;
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
        return kernel(x, SIN, 0);
    }

    static double cos(double x) {
        if (!(Math.abs(x) < REDUCTION_LIMIT)) {
            return StrictMath.cos(x);
        }
        return kernel(x, COS, 0);
    }

    static double asin(double z) {
        if (Math.abs(z) < 0x1p-26) {
            // asin z = z + z^3/6 + ...: below 2^-26 the cube is under half an ulp of z
            return z;
        }
        double y0 = StrictMath.asin(z);
        if (Double.isNaN(y0)) {
            return y0;
        }
        // the Newton step: (z - sin y0) in double-double over cos y0, which needs no more than a double
        double delta = kernel(y0, RESIDUAL, z) / StrictMath.cos(y0);
        return y0 + delta;
    }

    // ---- the double-double kernel -----------------------------------------------------------

    private static final int SIN = 0;
    private static final int COS = 1;
    private static final int RESIDUAL = 2;

    /**
     * sin x (SIN) or cos x (COS) rounded from double-double, or z - sin x (RESIDUAL) from the
     * double-double sin; |x| below the reduction limit. Written out with locals: no allocation.
     */
    private static double kernel(double x, int what, double z) {
        double k = Math.rint(x / P1);
        // r = x - k * (P1 + P2 + P3) as rh + rl, each product made exact with fma
        double p = k * P1;
        double pe = Math.fma(k, P1, -p);
        double s = x - p;
        double bb = s - x;
        double e = (x - (s - bb)) + (-p - bb) - pe;
        double rh = s + e;
        double rl = e - (rh - s);
        p = k * P2;
        pe = Math.fma(k, P2, -p);
        s = rh - p;
        bb = s - rh;
        e = (rh - (s - bb)) + (-p - bb) + rl - pe - k * P3;
        rh = s + e;
        rl = e - (rh - s);
        // r^2
        double q = rh * rh;
        double qe = Math.fma(rh, rh, -q) + 2 * rh * rl;
        double r2h = q + qe;
        double r2l = qe - (r2h - q);

        int quadrant = (int) (((long) k) & 3);
        boolean wantSinR = what == COS ? (quadrant & 1) == 1 : (quadrant & 1) == 0;
        // Horner in r^2 over 1/n! with alternating signs: n odd for sin r / r, even for cos r
        int top = wantSinR ? MAX_TERM : MAX_TERM - 1;
        double h = INV_FACT_HI[top];
        int n = top - 2;
        // the small high-order terms in plain double: from r^16/16! down they are below 2^-50
        // of the sum, so a double's rounding costs under 2^-103
        for (; n >= DOUBLE_TERMS; n -= 2) {
            h = INV_FACT_HI[n] - h * r2h;
        }
        double l = 0;
        for (; n >= 0; n -= 2) {
            // (h + l) * r^2
            double m = h * r2h;
            double me = Math.fma(h, r2h, -m) + (h * r2l + l * r2h);
            double mh = m + me;
            double ml = me - (mh - m);
            // 1/n! - that
            double ch = INV_FACT_HI[n];
            double t = ch - mh;
            double tb = t - ch;
            double te = (ch - (t - tb)) + (-mh - tb) + (INV_FACT_LO[n] - ml);
            h = t + te;
            l = te - (h - t);
        }
        if (wantSinR) {
            // times r
            double m = h * rh;
            double me = Math.fma(h, rh, -m) + (h * rl + l * rh);
            h = m + me;
            l = me - (h - m);
        }
        // the quadrant's sign: sin x is +S, +C, -S, -C and cos x is +C, -S, -C, +S for quadrants 0..3
        boolean negate = what == COS ? quadrant == 1 || quadrant == 2 : quadrant >= 2;
        if (negate) {
            h = -h;
            l = -l;
        }
        if (what == RESIDUAL) {
            // z - h is exact (z and h are within a few ulps of each other)
            return (z - h) - l;
        }
        return h + l;
    }
}
