package io.damselfly.server.keyspace;

/**
 * Geohashes as Redis 7.0 computes them (geohash.c, geohash_helper.c): a longitude/latitude pair
 * becomes a 52-bit integer, the score of a member in a geo set; the search helpers find the
 * score ranges that cover a circle or a box. Pure functions, no state.
 */
public final class GeoHash {
    /*
     * The world is [-180, 180] x [-85.05112878, 85.05112878] (the Web-Mercator square: the
     * poles cannot be encoded). At step s each axis is cut into 2^s cells; a cell's latitude
     * index takes the even bits of the hash and its longitude index the odd bits, so a hash of
     * step s has 2s bits and a prefix of it is an enclosing cell. Scores are step 26 (52 bits,
     * exact in a double). A search picks a step whose cells are about as large as the radius,
     * takes the centre's cell and its eight neighbours, and scans the score ranges of those
     * nine cells, each [cell << (52 - 2s), (cell + 1) << (52 - 2s)), filtering by distance.
     *
     * Everything is computed as the C does it, in the same order of double operations, so the
     * cells, the distances and the decisions at a search's edge are Redis's. Redis calls glibc's
     * sin, cos and asin, which round correctly; Java's do not always, so RoundedMath stands in
     * for them (sqrt is correctly rounded everywhere).
     */

    /** GEO_STEP_MAX: 26 steps, 52 bits. */
    public static final int STEP_MAX = 26;
    /** GEO_LAT_MIN / GEO_LAT_MAX: the latitude bounds of EPSG:900913. */
    public static final double LAT_MIN = -85.05112878;
    public static final double LAT_MAX = 85.05112878;
    public static final double LONG_MIN = -180;
    public static final double LONG_MAX = 180;

    /** EARTH_RADIUS_IN_METERS: the quadratic mean radius of WGS-84. */
    static final double EARTH_RADIUS = 6372797.560856;
    /** MERCATOR_MAX: half the Mercator world's width in meters. */
    static final double MERCATOR_MAX = 20037726.37;
    /** D_R: degrees to radians, M_PI / 180.0 as the C computes it. */
    private static final double D_R = Math.PI / 180.0;

    private static final long[] INTERLEAVE_B = {0x5555555555555555L, 0x3333333333333333L, 0x0F0F0F0F0F0F0F0FL,
        0x00FF00FF00FF00FFL, 0x0000FFFF0000FFFFL, 0x00000000FFFFFFFFL};
    private static final int[] INTERLEAVE_S = {1, 2, 4, 8, 16};
    private static final int[] DEINTERLEAVE_S = {0, 1, 2, 4, 8, 16};

    private GeoHash() {
    }

    /** A cell: its bits and its step (bits = 2 * step); zero bits and step 0 is "no cell" (GZERO). */
    public record Cell(long bits, int step) {
        static final Cell ZERO = new Cell(0, 0);

        boolean isZero() {
            return bits == 0 && step == 0;
        }
    }

    /** A cell's extent: [lonMin, lonMax] x [latMin, latMax]. */
    record Area(double lonMin, double lonMax, double latMin, double latMax) {
    }

    // ---- bit interleaving -------------------------------------------------------------------

    /** interleave64: x's 32 bits in the even positions, y's in the odd. */
    static long interleave(long x, long y) {
        x &= 0xFFFFFFFFL;
        y &= 0xFFFFFFFFL;
        for (int i = 4; i >= 0; i--) {
            x = (x | (x << INTERLEAVE_S[i])) & INTERLEAVE_B[i];
            y = (y | (y << INTERLEAVE_S[i])) & INTERLEAVE_B[i];
        }
        return x | (y << 1);
    }

    /** deinterleave64: the even bits in the low 32 bits of the answer, the odd bits in the high 32. */
    static long deinterleave(long interleaved) {
        long x = interleaved;
        long y = interleaved >>> 1;
        for (int i = 0; i < 6; i++) {
            x = (x | (x >>> DEINTERLEAVE_S[i])) & INTERLEAVE_B[i];
            y = (y | (y >>> DEINTERLEAVE_S[i])) & INTERLEAVE_B[i];
        }
        return x | (y << 32);
    }

    /** C's conversion of a non-negative double below 2^32 to uint32_t (truncation). */
    private static long toUint32(double d) {
        return ((long) d) & 0xFFFFFFFFL;
    }

    // ---- encoding and decoding --------------------------------------------------------------

    /**
     * geohashEncode over the given ranges: the cell of a point at {@code step}, or null when the
     * point is outside the Web-Mercator bounds or the ranges.
     */
    static Cell encode(double lonMin, double lonMax, double latMin, double latMax, double longitude, double latitude, int step) {
        if (longitude > LONG_MAX || longitude < LONG_MIN || latitude > LAT_MAX || latitude < LAT_MIN) {
            return null;
        }
        if (latitude < latMin || latitude > latMax || longitude < lonMin || longitude > lonMax) {
            return null;
        }
        double latOffset = (latitude - latMin) / (latMax - latMin);
        double lonOffset = (longitude - lonMin) / (lonMax - lonMin);
        latOffset *= (double) (1L << step);
        lonOffset *= (double) (1L << step);
        return new Cell(interleave(toUint32(latOffset), toUint32(lonOffset)), step);
    }

    /** geohashEncodeWGS84: the cell of a point in the Web-Mercator ranges. */
    static Cell encode(double longitude, double latitude, int step) {
        return encode(LONG_MIN, LONG_MAX, LAT_MIN, LAT_MAX, longitude, latitude, step);
    }

    /** The score GEOADD stores for a point (geohashAlign52Bits of its step-26 cell); the point must be in bounds. */
    public static long score(double longitude, double latitude) {
        return align52(encode(longitude, latitude, STEP_MAX));
    }

    /** Whether GEOADD and the searches accept the point (extractLongLatOrReply's check). */
    public static boolean inBounds(double longitude, double latitude) {
        return !(longitude < LONG_MIN || longitude > LONG_MAX || latitude < LAT_MIN || latitude > LAT_MAX);
    }

    /** geohashAlign52Bits. */
    static long align52(Cell c) {
        return c.bits() << (52 - c.step() * 2);
    }

    /** geohashDecode in the Web-Mercator ranges; null for the zero cell. */
    static Area decode(Cell c) {
        if (c.isZero()) {
            return null;
        }
        long sep = deinterleave(c.bits());
        double latScale = LAT_MAX - LAT_MIN;
        double lonScale = LONG_MAX - LONG_MIN;
        long ilato = sep & 0xFFFFFFFFL;
        long ilono = sep >>> 32;
        double cells = (double) (1L << c.step());
        // (ilato + 1) is uint32_t arithmetic in the C: it wraps
        double latMin = LAT_MIN + (ilato * 1.0 / cells) * latScale;
        double latMax = LAT_MIN + (((ilato + 1) & 0xFFFFFFFFL) * 1.0 / cells) * latScale;
        double lonMin = LONG_MIN + (ilono * 1.0 / cells) * lonScale;
        double lonMax = LONG_MIN + (((ilono + 1) & 0xFFFFFFFFL) * 1.0 / cells) * lonScale;
        return new Area(lonMin, lonMax, latMin, latMax);
    }

    /**
     * decodeGeohash: the point {longitude, latitude} a score stands for, the centre of its
     * step-26 cell clamped to the bounds. Any score decodes: it is converted to uint64_t as
     * x86-64 code compiled by GCC converts it (below 2^63 through a signed conversion, so a
     * negative score wraps; at or above 2^63 offset by 2^63; out of range, the "integer
     * indefinite" 2^63).
     */
    public static double[] decodeScore(double score) {
        Area a = decode(new Cell(toUint64(score), STEP_MAX));
        double lon = (a.lonMin() + a.lonMax()) / 2;
        if (lon > LONG_MAX) {
            lon = LONG_MAX;
        }
        if (lon < LONG_MIN) {
            lon = LONG_MIN;
        }
        double lat = (a.latMin() + a.latMax()) / 2;
        if (lat > LAT_MAX) {
            lat = LAT_MAX;
        }
        if (lat < LAT_MIN) {
            lat = LAT_MIN;
        }
        return new double[] {lon, lat};
    }

    /** (uint64_t) d as GCC's x86-64 code computes it (cvttsd2si, with 2^63 offset above 2^63). */
    static long toUint64(double d) {
        if (d < 0x1p63) {
            return d >= -0x1p63 ? (long) d : Long.MIN_VALUE;
        }
        double t = d - 0x1p63;
        long r = t < 0x1p63 ? (long) t : Long.MIN_VALUE; // NaN too: cvttsd2si's indefinite
        return r ^ Long.MIN_VALUE;
    }

    /** (long long) d as cvttsd2si computes it: out of range or NaN is -2^63 (WITHHASH's score). */
    public static long toInt64(double d) {
        return d < 0x1p63 && d >= -0x1p63 ? (long) d : Long.MIN_VALUE;
    }

    /** GEOHASH's 11-character standard geohash of a score (re-encoded over [-90, 90] latitudes). */
    public static byte[] standardHash(double score) {
        final String alphabet = "0123456789bcdefghjkmnpqrstuvwxyz";
        double[] xy = decodeScore(score);
        Cell c = encode(LONG_MIN, LONG_MAX, -90, 90, xy[0], xy[1], STEP_MAX);
        long bits = c == null ? 0 : c.bits();
        byte[] out = new byte[11];
        for (int i = 0; i < 11; i++) {
            // 52 bits make ten characters; the eleventh is 0 for compatibility
            int idx = i == 10 ? 0 : (int) ((bits >>> (52 - (i + 1) * 5)) & 0x1f);
            out[i] = (byte) alphabet.charAt(idx);
        }
        return out;
    }

    // ---- neighbours -------------------------------------------------------------------------

    /** Interleaved bits of longitude (x: the odd bits) and of latitude (y: the even bits). */
    private static final long X_BITS = 0xaaaaaaaaaaaaaaaaL;
    private static final long Y_BITS = 0x5555555555555555L;

    /**
     * Moves a cell one step along one axis ({@code axis}: {@link #X_BITS} or {@link #Y_BITS}),
     * {@code d} > 0 up, < 0 down, 0 not at all, as geohash.c's geohash_move_x/_y: the axis's bits
     * count with the other axis's bits filled in as carries.
     */
    private static long moveAlong(long bits, int step, int d, long axis) {
        if (d == 0) {
            return bits;
        }
        long other = ~axis;
        long along = bits & axis;
        long across = bits & other;
        long zz = other >>> (64 - step * 2);
        if (d > 0) {
            along = along + (zz + 1);
        } else {
            along = along | zz;
            along = along - (zz + 1);
        }
        along &= axis >>> (64 - step * 2);
        return along | across;
    }

    private static Cell move(Cell c, int dx, int dy) {
        return new Cell(moveAlong(moveAlong(c.bits(), c.step(), dx, X_BITS), c.step(), dy, Y_BITS), c.step());
    }

    // ---- distances --------------------------------------------------------------------------

    private static double degRad(double ang) {
        return ang * D_R;
    }

    private static double radDeg(double ang) {
        return ang / D_R;
    }

    /** geohashGetLatDistance: meters along a meridian. */
    static double latDistance(double lat1, double lat2) {
        return EARTH_RADIUS * Math.abs(degRad(lat2) - degRad(lat1));
    }

    /** geohashGetDistance: the haversine distance in meters. */
    public static double distance(double lon1, double lat1, double lon2, double lat2) {
        double lon1r = degRad(lon1);
        double lon2r = degRad(lon2);
        double v = RoundedMath.sin((lon2r - lon1r) / 2);
        if (v == 0.0) {
            return latDistance(lat1, lat2);
        }
        double lat1r = degRad(lat1);
        double lat2r = degRad(lat2);
        double u = RoundedMath.sin((lat2r - lat1r) / 2);
        double a = u * u + RoundedMath.cos(lat1r) * RoundedMath.cos(lat2r) * v * v;
        return 2.0 * EARTH_RADIUS * RoundedMath.asin(Math.sqrt(a));
    }

    // ---- search areas -----------------------------------------------------------------------

    /**
     * A search shape (GeoShape): a circle of {@code radius}, or a box {@code width} by {@code
     * height}, in the caller's unit ({@code conversion} meters each), around (lon, lat).
     */
    public record Shape(boolean box, double lon, double lat, double radius, double width, double height, double conversion) {

        /**
         * Whether a point is inside (geoWithinShape); its distance from the centre in meters
         * goes to {@code distance[0]}.
         */
        boolean contains(double lon2, double lat2, double[] distance) {
            if (!box) {
                double d = distance(lon, lat, lon2, lat2);
                distance[0] = d;
                return !(d > radius * conversion);
            }
            double widthM = width * conversion;
            double heightM = height * conversion;
            if (latDistance(lat2, lat) > heightM / 2) {
                return false;
            }
            if (distance(lon2, lat2, lon, lat2) > widthM / 2) {
                return false;
            }
            distance[0] = distance(lon, lat, lon2, lat2);
            return true;
        }
    }

    /** geohashEstimateStepsByRadius. */
    static int estimateSteps(double rangeMeters, double lat) {
        if (rangeMeters == 0) {
            return 26;
        }
        int step = 1;
        while (rangeMeters < MERCATOR_MAX) {
            rangeMeters *= 2;
            step++;
        }
        step -= 2;
        if (lat > 66 || lat < -66) {
            step--;
            if (lat > 80 || lat < -80) {
                step--;
            }
        }
        return Math.max(1, Math.min(26, step));
    }

    /**
     * geohashCalculateAreasByShapeWGS84: the nine cells to scan, in Redis's order (centre, N, S,
     * E, W, NE, NW, SE, SW), a useless neighbour as {@link Cell#ZERO}.
     */
    static Cell[] searchCells(Shape shape) {
        double longitude = shape.lon();
        double latitude = shape.lat();
        // geohashBoundingBox
        double height = shape.conversion() * (shape.box() ? shape.height() / 2 : shape.radius());
        double width = shape.conversion() * (shape.box() ? shape.width() / 2 : shape.radius());
        double latDelta = radDeg(height / EARTH_RADIUS);
        double longDeltaTop = radDeg(width / EARTH_RADIUS / RoundedMath.cos(degRad(latitude + latDelta)));
        double longDeltaBottom = radDeg(width / EARTH_RADIUS / RoundedMath.cos(degRad(latitude - latDelta)));
        boolean southern = latitude < 0;
        double minLon = southern ? longitude - longDeltaBottom : longitude - longDeltaTop;
        double maxLon = southern ? longitude + longDeltaBottom : longitude + longDeltaTop;
        double minLat = latitude - latDelta;
        double maxLat = latitude + latDelta;

        double radiusMeters = shape.box()
                ? Math.sqrt((shape.width() / 2) * (shape.width() / 2) + (shape.height() / 2) * (shape.height() / 2))
                : shape.radius();
        radiusMeters *= shape.conversion();
        int steps = estimateSteps(radiusMeters, latitude);

        Cell hash = encode(longitude, latitude, steps);
        Cell[] n = neighbours(hash);
        Area area = decode(hash);
        // is the step small enough at the edges of the covered area?
        boolean decrease = decode(n[1]).latMax() < maxLat
                | decode(n[2]).latMin() > minLat
                | decode(n[3]).lonMax() < maxLon
                | decode(n[4]).lonMin() > minLon;
        if (steps > 1 && decrease) {
            steps--;
            hash = encode(longitude, latitude, steps);
            n = neighbours(hash);
            area = decode(hash);
        }
        if (steps >= 2) {
            if (area.latMin() < minLat) {
                n[2] = n[8] = n[7] = Cell.ZERO; // south, south-west, south-east
            }
            if (area.latMax() > maxLat) {
                n[1] = n[5] = n[6] = Cell.ZERO; // north, north-east, north-west
            }
            if (area.lonMin() < minLon) {
                n[4] = n[8] = n[6] = Cell.ZERO; // west, south-west, north-west
            }
            if (area.lonMax() > maxLon) {
                n[3] = n[7] = n[5] = Cell.ZERO; // east, south-east, north-east
            }
        }
        return n;
    }

    /** The cell and its neighbours: centre, N, S, E, W, NE, NW, SE, SW (membersOfAllNeighbors's order). */
    private static Cell[] neighbours(Cell c) {
        return new Cell[] {c, move(c, 0, 1), move(c, 0, -1), move(c, 1, 0), move(c, -1, 0),
            move(c, 1, 1), move(c, -1, 1), move(c, 1, -1), move(c, -1, -1)};
    }

    /** scoresOfGeoHashBox: the scores [min, max) of the points in a cell. */
    static double[] scoreRange(Cell c) {
        long min = align52(c);
        long max = align52(new Cell(c.bits() + 1, c.step()));
        return new double[] {min, max};
    }
}
