package io.damselfly.server.keyspace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The geo operations of one {@link Database} (Redis's geo.c, below the reply layer). A geo set
 * is a sorted set whose scores are 52-bit geohashes ({@link GeoHash}), so writes go through
 * {@link SortedSetOps} (GEOADD is ZADD: zadd event, WATCH, accounting, snapshots) and ZRANGE,
 * DUMP and the RDB see an ordinary sorted set.
 */
public final class GeoOps {

    /** How a search orders its points by distance. */
    public enum Sort { NONE, ASC, DESC }

    /** A point found by a search: its member (a copy), position, distance from the centre in the caller's unit, and score. */
    public record Point(byte[] member, double lon, double lat, double dist, double score) {
    }

    /**
     * A geo set as stored, lent to a command for the time it holds the key's shard lock. Reads
     * answer a view, null for a missing key, or {@link #WRONG_TYPE}, compared by identity.
     */
    public static final class View {
        /** The answer of a read on a key of another type. */
        public static final View WRONG_TYPE = new View(null);

        private final SortedSetValue set;

        View(SortedSetValue set) {
            this.set = set;
        }

        /** GEOPOS: the member's {longitude, latitude}, null when it is not in the set. */
        public double[] position(byte[] member) {
            double s = set.score(member);
            return Double.isNaN(s) ? null : GeoHash.decodeScore(s);
        }

        /** GEOHASH: the member's 11-character geohash, null when it is not in the set. */
        public byte[] hash(byte[] member) {
            double s = set.score(member);
            return Double.isNaN(s) ? null : GeoHash.standardHash(s);
        }

        /** GEODIST: the distance in meters between two members, NaN when either is missing. */
        public double distance(byte[] a, byte[] b) {
            double[] p = position(a);
            double[] q = p == null ? null : position(b);
            return q == null ? Double.NaN : GeoHash.distance(p[0], p[1], q[0], q[1]);
        }

        /**
         * georadiusGeneric's search: the points inside {@code shape}, scanned over the nine
         * cells in Redis's order (stopping at {@code count} points with {@code any}), ordered
         * by {@code sort}, the first {@code count} (0: all) returned with their distances in
         * the shape's unit.
         */
        public List<Point> search(GeoHash.Shape shape, Sort sort, long count, boolean any) {
            List<Point> found = new ArrayList<>();
            long limit = any ? count : 0;
            GeoHash.Cell[] cells = GeoHash.searchCells(shape);
            int lastProcessed = 0;
            for (int i = 0; i < cells.length; i++) {
                GeoHash.Cell cell = cells[i];
                if (cell.isZero()) {
                    continue;
                }
                // a huge radius can make neighbours equal; skip a repeat of the last scanned (index 0 never counts as scanned, as in Redis)
                if (lastProcessed != 0 && cell.equals(cells[lastProcessed])) {
                    continue;
                }
                if (!found.isEmpty() && limit != 0 && found.size() >= limit) {
                    break;
                }
                scanCell(cell, shape, found, limit);
                lastProcessed = i;
            }
            Point[] points = found.toArray(new Point[0]);
            long returned = count == 0 || points.length < count ? points.length : count;
            if (sort != Sort.NONE) {
                Comparator<Point> byDist = Comparator.comparingDouble(Point::dist);
                Comparator<Point> cmp = sort == Sort.ASC ? byDist : byDist.reversed();
                if (returned == points.length) {
                    // glibc's qsort is a merge sort: stable, as Arrays.sort of objects
                    Arrays.sort(points, cmp);
                } else {
                    PartialSort.sort(points, cmp, 0, (int) returned - 1);
                }
            }
            List<Point> out = new ArrayList<>((int) returned);
            for (int i = 0; i < returned; i++) {
                Point p = points[i];
                out.add(new Point(p.member(), p.lon(), p.lat(), p.dist() / shape.conversion(), p.score()));
            }
            return out;
        }

        /** geoGetPointsInRange over one cell's scores [min, max); distances in meters. */
        private void scanCell(GeoHash.Cell cell, GeoHash.Shape shape, List<Point> found, long limit) {
            double[] range = GeoHash.scoreRange(cell);
            long[] ranks = set.ranksOf(new ScoreRange(range[0], false, range[1], true));
            if (ranks[0] > ranks[1]) {
                return;
            }
            double[] distance = new double[1];
            boolean[] full = {false};
            set.forRanks(ranks[0], ranks[1], false, (m, o, l, s) -> {
                if (full[0]) {
                    return;
                }
                double[] xy = GeoHash.decodeScore(s);
                distance[0] = 0;
                if (shape.contains(xy[0], xy[1], distance)) {
                    found.add(new Point(Arrays.copyOfRange(m, o, o + l), xy[0], xy[1], distance[0], s));
                }
                if (!found.isEmpty() && limit != 0 && found.size() >= limit) {
                    full[0] = true;
                }
            });
        }
    }

    private final Database db;

    GeoOps(Database db) {
        this.db = db;
    }

    /** A read (lookupKeyRead): the geo set, null when the key is missing, or {@link View#WRONG_TYPE}. */
    public View read(byte[] key) {
        Object e = db.read(key);
        if (e == null) {
            return null;
        }
        SortedSetValue z = SortedSetOps.zsetOf(e);
        return z == null ? View.WRONG_TYPE : new View(z);
    }

    /**
     * GEOADD: {@code members[j]} at ({@code lonLat[2j]}, {@code lonLat[2j + 1]}), each in
     * bounds, added as ZADD adds (flags {@link SortedSetOps#NX} or {@link SortedSetOps#XX}).
     */
    public SortedSetOps.AddResult add(byte[] key, int flags, double[] lonLat, byte[][] members) {
        int n = members.length;
        double[] scores = new double[n];
        byte[][] pairs = new byte[2 * n][];
        for (int j = 0; j < n; j++) {
            scores[j] = GeoHash.score(lonLat[2 * j], lonLat[2 * j + 1]);
            pairs[2 * j + 1] = members[j];
        }
        return db.sortedSets().add(key, flags, scores, pairs, 1);
    }

    /**
     * GEORADIUS ... STORE / STOREDIST and GEOSEARCHSTORE: the points at {@code key} scored by
     * their geohash (or their distance, with {@code storeDist}), replacing whatever was there;
     * no points delete the key (a del event when it existed). Answers the number stored.
     */
    public long store(byte[] key, List<Point> points, boolean storeDist, KeyEvent event) {
        List<byte[]> members = new ArrayList<>(points.size());
        double[] scores = new double[points.size()];
        for (Point p : points) {
            scores[members.size()] = storeDist ? p.dist() : p.score();
            members.add(p.member());
        }
        db.sortedSets().store(key, members, scores, event);
        return points.size();
    }

    /**
     * pqsort.c (Bentley and McIlroy's quicksort, recursing only into the parts that overlap the
     * ranks wanted), which Redis uses when COUNT takes fewer points than were found. It is not
     * stable, so points at equal distances come out in its order, which only a copy of it
     * reproduces.
     */
    static final class PartialSort {
        private PartialSort() {
        }

        static <T> void sort(T[] a, Comparator<? super T> cmp, int lrange, int rrange) {
            sort(a, 0, a.length, cmp, lrange, rrange);
        }

        private static <T> void swap(T[] a, int i, int j) {
            T t = a[i];
            a[i] = a[j];
            a[j] = t;
        }

        private static <T> void vecswap(T[] a, int i, int j, int n) {
            for (int k = 0; k < n; k++) {
                swap(a, i + k, j + k);
            }
        }

        private static <T> int med3(T[] a, int i, int j, int k, Comparator<? super T> cmp) {
            return cmp.compare(a[i], a[j]) < 0
                    ? (cmp.compare(a[j], a[k]) < 0 ? j : (cmp.compare(a[i], a[k]) < 0 ? k : i))
                    : (cmp.compare(a[j], a[k]) > 0 ? j : (cmp.compare(a[i], a[k]) < 0 ? i : k));
        }

        /** _pqsort over a[base, base + n), in element indexes. */
        private static <T> void sort(T[] a, int base, int n, Comparator<? super T> cmp, int lrange, int rrange) {
            while (true) {
                if (n < 7) {
                    for (int pm = base + 1; pm < base + n; pm++) {
                        for (int pl = pm; pl > base && cmp.compare(a[pl - 1], a[pl]) > 0; pl--) {
                            swap(a, pl, pl - 1);
                        }
                    }
                    return;
                }
                int pm = base + n / 2;
                if (n > 7) {
                    int pl = base;
                    int pn = base + n - 1;
                    if (n > 40) {
                        int d = n / 8;
                        pl = med3(a, pl, pl + d, pl + 2 * d, cmp);
                        pm = med3(a, pm - d, pm, pm + d, cmp);
                        pn = med3(a, pn - 2 * d, pn - d, pn, cmp);
                    }
                    pm = med3(a, pl, pm, pn, cmp);
                }
                swap(a, base, pm);
                int pa = base + 1;
                int pb = pa;
                int pc = base + n - 1;
                int pd = pc;
                while (true) {
                    int r;
                    while (pb <= pc && (r = cmp.compare(a[pb], a[base])) <= 0) {
                        if (r == 0) {
                            swap(a, pa, pb);
                            pa++;
                        }
                        pb++;
                    }
                    while (pb <= pc && (r = cmp.compare(a[pc], a[base])) >= 0) {
                        if (r == 0) {
                            swap(a, pc, pd);
                            pd--;
                        }
                        pc--;
                    }
                    if (pb > pc) {
                        break;
                    }
                    swap(a, pb, pc);
                    pb++;
                    pc--;
                }
                int pn = base + n;
                int r = Math.min(pa - base, pb - pa);
                vecswap(a, base, pb - r, r);
                r = Math.min(pd - pc, pn - pd - 1);
                vecswap(a, pb, pn - r, r);
                if ((r = pb - pa) > 1) {
                    if (overlaps(base, r, lrange, rrange)) {
                        sort(a, base, r, cmp, lrange, rrange);
                    }
                }
                if ((r = pd - pc) > 1) {
                    base = pn - r;
                    n = r;
                    if (overlaps(base, n, lrange, rrange)) {
                        continue;
                    }
                }
                return;
            }
        }

        /** Whether [from, from + n) holds any of the ranks [lrange, rrange]. */
        private static boolean overlaps(int from, int n, int lrange, int rrange) {
            return !(lrange < from && rrange < from || lrange >= from + n && rrange >= from + n);
        }
    }
}
