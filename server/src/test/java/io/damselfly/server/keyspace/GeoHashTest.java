package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * GeoHash, RoundedMath and GeoOps's partial sort alone: known scores and positions (from
 * redis-server 7.0.15), interleaving both ways, GCC's conversion of odd scores, the cells of a
 * search, correct rounding against a 50-digit reference, and pqsort's contract.
 */
class GeoHashTest {

    @Test
    void score_andDecode_matchRedis() {
        // GEOADD Sicily 13.361389 38.115556 Palermo: ZSCORE 3479099956230698, GEOPOS 13.36138933897018433 38.11555639549629859
        assertEquals(3479099956230698L, GeoHash.score(13.361389, 38.115556));
        double[] xy = GeoHash.decodeScore(3479099956230698.0);
        assertEquals(new BigDecimal("13.36138933897018433"), new BigDecimal(xy[0]).setScale(17, RoundingMode.HALF_EVEN));
        assertEquals(new BigDecimal("38.11555639549629859"), new BigDecimal(xy[1]).setScale(17, RoundingMode.HALF_EVEN));
        assertEquals("sqc8b49rny0", new String(GeoHash.standardHash(3479099956230698.0), StandardCharsets.US_ASCII));
    }

    @Test
    void interleave_roundTrips() {
        Random r = new Random(3);
        for (int i = 0; i < 10_000; i++) {
            long x = r.nextInt() & 0xFFFFFFFFL;
            long y = r.nextInt() & 0xFFFFFFFFL;
            long d = GeoHash.deinterleave(GeoHash.interleave(x, y));
            assertEquals(x, d & 0xFFFFFFFFL);
            assertEquals(y, d >>> 32);
        }
        assertEquals(0b10L, GeoHash.interleave(0, 1));
        assertEquals(0b01L, GeoHash.interleave(1, 0));
    }

    @Test
    void oddScores_decodeAsGccConvertsThem() {
        // redis-server: ZADD k -1 a 1e30 b 0.5 c; GEOPOS gives 180 85.05112877999999910 for a, the zero cell for b and c
        assertEquals(-1L, GeoHash.toUint64(-1.0));
        assertEquals(0L, GeoHash.toUint64(1e30));
        assertEquals(0L, GeoHash.toUint64(0.5));
        assertEquals(Long.MIN_VALUE, GeoHash.toUint64(0x1p63));
        assertEquals(Long.MIN_VALUE, GeoHash.toUint64(Double.NEGATIVE_INFINITY));
        assertArrayEquals(new double[] {180, GeoHash.LAT_MAX}, GeoHash.decodeScore(-1));
        assertArrayEquals(GeoHash.decodeScore(0), GeoHash.decodeScore(1e30));
        assertEquals(Long.MIN_VALUE, GeoHash.toInt64(1e30));
    }

    @Test
    void searchCells_coverTheCircle_atEveryScale() {
        Random r = new Random(5);
        for (int i = 0; i < 2000; i++) {
            double lon = -180 + 360 * r.nextDouble();
            double lat = -85 + 170 * r.nextDouble();
            double radius = Math.pow(10, 1 + 5 * r.nextDouble());
            GeoHash.Shape shape = new GeoHash.Shape(false, lon, lat, radius, 0, 0, 1);
            GeoHash.Cell[] cells = GeoHash.searchCells(shape);
            assertTrue(!cells[0].isZero());
            // a point just inside the radius due north is in one of the cells' score ranges
            double north = lat + Math.toDegrees(radius * 0.99 / GeoHash.EARTH_RADIUS);
            if (north >= GeoHash.LAT_MAX) {
                // at the bound a latitude encodes one past the last cell, in Redis too: no cell holds it
                continue;
            }
            double s = GeoHash.score(lon, north);
            boolean covered = Arrays.stream(cells).filter(c -> !c.isZero())
                    .anyMatch(c -> GeoHash.scoreRange(c)[0] <= s && s < GeoHash.scoreRange(c)[1]);
            assertTrue(covered, lon + "," + lat + " r=" + radius);
        }
    }

    /** sin, cos, asin of random arguments against a 50-digit series: always the nearest double. */
    @Test
    void roundedMath_isCorrectlyRounded() {
        Random r = new Random(9);
        MathContext mc = new MathContext(50);
        for (int i = 0; i < 3000; i++) {
            double x = (r.nextDouble() * 2 - 1) * Math.PI;
            assertEquals(nearest(series(x, true, mc)), RoundedMath.sin(x), "sin " + x);
            assertEquals(nearest(series(x, false, mc)), RoundedMath.cos(x), "cos " + x);
            double z = r.nextDouble();
            double a = RoundedMath.asin(z);
            // a is the nearest double to asin z: sin of the midpoints around it straddle z
            BigDecimal lo = new BigDecimal(a).add(new BigDecimal(Math.nextDown(a))).divide(BigDecimal.valueOf(2), mc);
            BigDecimal hi = new BigDecimal(a).add(new BigDecimal(Math.nextUp(a))).divide(BigDecimal.valueOf(2), mc);
            BigDecimal bz = new BigDecimal(z);
            assertTrue(sinBig(lo, mc).compareTo(bz) <= 0 && sinBig(hi, mc).compareTo(bz) >= 0, "asin " + z);
        }
    }

    private static double nearest(BigDecimal v) {
        return v.doubleValue(); // BigDecimal.doubleValue rounds to nearest
    }

    private static BigDecimal series(double x, boolean sin, MathContext mc) {
        return sin ? sinBig(new BigDecimal(x), mc) : cosBig(new BigDecimal(x), mc);
    }

    private static BigDecimal sinBig(BigDecimal x, MathContext mc) {
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal term = x;
        for (int n = 1; term.abs().compareTo(new BigDecimal("1e-45")) > 0; n += 2) {
            sum = sum.add(term, mc);
            term = term.multiply(x, mc).multiply(x, mc).negate().divide(BigDecimal.valueOf((long) (n + 1) * (n + 2)), mc);
        }
        return sum;
    }

    private static BigDecimal cosBig(BigDecimal x, MathContext mc) {
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal term = BigDecimal.ONE;
        for (int n = 0; term.abs().compareTo(new BigDecimal("1e-45")) > 0; n += 2) {
            sum = sum.add(term, mc);
            term = term.multiply(x, mc).multiply(x, mc).negate().divide(BigDecimal.valueOf((long) (n + 1) * (n + 2)), mc);
        }
        return sum;
    }

    /** pqsort's contract: a permutation whose ranks [0, k) hold the k smallest, in order, ties included. */
    @Test
    void partialSort_firstRanksSorted() {
        Random r = new Random(11);
        for (int i = 0; i < 2000; i++) {
            int n = 1 + r.nextInt(200);
            Integer[] a = new Integer[n];
            for (int j = 0; j < n; j++) {
                a[j] = r.nextInt(i % 2 == 0 ? 10 : 1000);
            }
            Integer[] sorted = a.clone();
            Arrays.sort(sorted);
            int k = 1 + r.nextInt(n);
            Integer[] b = a.clone();
            GeoOps.PartialSort.sort(b, Comparator.naturalOrder(), 0, k - 1);
            assertArrayEquals(Arrays.copyOf(sorted, k), Arrays.copyOf(b, k), "n=" + n + " k=" + k);
            Integer[] all = b.clone();
            Arrays.sort(all);
            assertArrayEquals(sorted, all);
        }
    }
}
