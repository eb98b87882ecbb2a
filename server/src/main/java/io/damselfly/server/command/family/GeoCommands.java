package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.CACHEABLE;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.keyspace.GeoHash;
import io.damselfly.server.keyspace.GeoOps;
import io.damselfly.server.keyspace.GeoOps.Point;
import io.damselfly.server.keyspace.GeoOps.View;
import io.damselfly.server.keyspace.KeyEvent;
import io.damselfly.server.keyspace.Scores;
import io.damselfly.server.keyspace.SortedSetOps;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Geo commands (Redis group "geo"), as geo.c of Redis 7.0 implements them: GEOADD GEODIST
 * GEOHASH GEOPOS GEORADIUS GEORADIUS_RO GEORADIUSBYMEMBER GEORADIUSBYMEMBER_RO GEOSEARCH
 * GEOSEARCHSTORE. A geo set is a sorted set of geohash scores; handlers parse and reply, {@code
 * db.geo()} does the work. Arguments are checked in georadiusGeneric's order (the source key's
 * type first, then the centre, then the options one by one), since it decides which error a bad
 * call gets. Coordinates are printed as addReplyHumanLongDouble prints them (%.17Lf, trailing
 * zeros cut; RESP3 doubles), distances as addReplyDoubleDistance (4 decimals, a bulk string in
 * both protocols).
 */
public final class GeoCommands {
    private GeoCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("geoadd", GeoCommands::geoadd);
        t.add("geodist", GeoCommands::geodist, CACHEABLE);
        t.add("geohash", GeoCommands::geohash, CACHEABLE);
        t.add("geopos", GeoCommands::geopos, CACHEABLE);
        t.add("georadius", GeoCommands::georadius);
        t.add("georadius_ro", GeoCommands::georadiusRo, CACHEABLE);
        t.add("georadiusbymember", GeoCommands::georadiusbymember);
        t.add("georadiusbymember_ro", GeoCommands::georadiusbymemberRo, CACHEABLE);
        t.add("geosearch", GeoCommands::geosearch, CACHEABLE);
        t.add("geosearchstore", GeoCommands::geosearchstore);
    }

    static final String UNSUPPORTED_UNIT = "ERR unsupported unit provided. please use M, KM, FT, MI";
    static final String NEED_NUMERIC_RADIUS = "ERR need numeric radius";
    static final String NEGATIVE_RADIUS = "ERR radius cannot be negative";
    static final String NEED_NUMERIC_WIDTH = "ERR need numeric width";
    static final String NEED_NUMERIC_HEIGHT = "ERR need numeric height";
    static final String NEGATIVE_BOX = "ERR height or width cannot be negative";
    static final String CANNOT_DECODE_MEMBER = "ERR could not decode requested zset member";
    static final String COUNT_NOT_POSITIVE = "ERR COUNT must be > 0";
    static final String ANY_NEEDS_COUNT = "ERR the ANY argument requires COUNT argument";
    static final String STORE_WITH_OPTIONS = "ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options";
    static final String ONE_FROM = "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %s";
    static final String ONE_BY = "ERR exactly one of BYRADIUS and BYBOX can be specified for %s";

    // ---- GEOADD -----------------------------------------------------------------------------

    /**
     * GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]:
     * propagated as the ZADD it is (geoaddCommand).
     */
    static void geoadd(CommandContext c) {
        boolean nx = false;
        boolean xx = false;
        boolean ch = false;
        int longIndex = 2;
        for (; longIndex < c.argc(); longIndex++) {
            if (c.argIs(longIndex, "nx")) {
                nx = true;
            } else if (c.argIs(longIndex, "xx")) {
                xx = true;
            } else if (c.argIs(longIndex, "ch")) {
                ch = true;
            } else {
                break;
            }
        }
        int rest = c.argc() - longIndex;
        // no triple at all reaches ZADD in Redis, which answers the same syntax error
        if (rest % 3 != 0 || xx && nx || rest == 0) {
            throw c.syntaxError();
        }
        int n = rest / 3;
        double[] lonLat = new double[2 * n];
        byte[][] members = new byte[n][];
        for (int j = 0; j < n; j++) {
            longLat(c, longIndex + 3 * j, lonLat, 2 * j);
            members[j] = c.arg(longIndex + 3 * j + 2);
        }
        int flags = (nx ? SortedSetOps.NX : 0) | (xx ? SortedSetOps.XX : 0);
        SortedSetOps.AddResult r = c.db().geo().add(c.arg(1), flags, lonLat, members);
        switch (r.status()) {
            case WRONG_TYPE -> c.reply().error(Errors.WRONGTYPE);
            default -> {
                c.reply().integer(ch ? r.added() + r.updated() : r.added());
                if (c.propagating()) {
                    c.propagateAs(asZadd(c, longIndex, lonLat, members));
                }
            }
        }
    }

    /**
     * The ZADD geoaddCommand runs and so propagates: "zadd" (lower case, as Redis builds it), the
     * key and the options as given, then each point's 52-bit geohash as an integer score with its
     * member, so a replica need not encode coordinates itself.
     */
    private static byte[][] asZadd(CommandContext c, int longIndex, double[] lonLat, byte[][] members) {
        byte[][] form = new byte[longIndex + 2 * members.length][];
        form[0] = ReplicatedForms.ZADD_LOWER;
        for (int i = 1; i < longIndex; i++) {
            form[i] = c.arg(i);
        }
        for (int j = 0; j < members.length; j++) {
            form[longIndex + 2 * j] = ReplicatedForms.number(GeoHash.score(lonLat[2 * j], lonLat[2 * j + 1]));
            form[longIndex + 2 * j + 1] = members[j];
        }
        return form;
    }

    // ---- argument helpers -------------------------------------------------------------------

    /** getDoubleFromObjectOrReply: argument i as a double, else {@code error}. */
    private static double doubleArg(CommandContext c, int i, String error) {
        double d = Scores.parse(c.arg(i));
        if (Double.isNaN(d)) {
            throw new CommandError(error);
        }
        return d;
    }

    /** extractLongLatOrReply: arguments i and i + 1 as a longitude and a latitude in bounds, into out[at], out[at + 1]. */
    private static void longLat(CommandContext c, int i, double[] out, int at) {
        double lon = doubleArg(c, i, Errors.NOT_FLOAT);
        double lat = doubleArg(c, i + 1, Errors.NOT_FLOAT);
        if (!GeoHash.inBounds(lon, lat)) {
            throw new CommandError("ERR invalid longitude,latitude pair " + printfF(lon) + "," + printfF(lat));
        }
        out[at] = lon;
        out[at + 1] = lat;
    }

    /** extractUnitOrReply: meters per unit. */
    private static double unit(CommandContext c, int i) {
        if (c.argIs(i, "m")) {
            return 1;
        } else if (c.argIs(i, "km")) {
            return 1000;
        } else if (c.argIs(i, "ft")) {
            return 0.3048;
        } else if (c.argIs(i, "mi")) {
            return 1609.34;
        }
        throw new CommandError(UNSUPPORTED_UNIT);
    }

    // ---- GEOPOS, GEOHASH, GEODIST -----------------------------------------------------------

    /** The geo set at argument 1 (null when missing); WRONG_TYPE after writing the error. */
    private static View readOrReplyWrongType(CommandContext c, byte[] key) {
        View v = c.db().geo().read(key);
        if (v == View.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        }
        return v;
    }

    /** GEOPOS key [member [member ...]] */
    static void geopos(CommandContext c) {
        replyPerMember(c, (reply, v, member) -> {
            double[] xy = v == null ? null : v.position(member);
            if (xy == null) {
                reply.nullArray();
            } else {
                reply.array(2);
                humanDouble(reply, xy[0]);
                humanDouble(reply, xy[1]);
            }
        });
    }

    /** GEOHASH key [member [member ...]] */
    static void geohash(CommandContext c) {
        replyPerMember(c, (reply, v, member) -> reply.bulkOrNull(v == null ? null : v.hash(member)));
    }

    /** One member's element of a GEOPOS or GEOHASH reply; {@code v} is null for a missing key. */
    private interface MemberReply {
        void reply(Reply reply, View v, byte[] member);
    }

    /** An array of one element per member argument (from the third), or WRONGTYPE. */
    private static void replyPerMember(CommandContext c, MemberReply each) {
        View v = readOrReplyWrongType(c, c.arg(1));
        if (v == View.WRONG_TYPE) {
            return;
        }
        Reply reply = c.reply();
        reply.array(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            each.reply(reply, v, c.arg(i));
        }
    }

    /** GEODIST key member1 member2 [M|KM|FT|MI] */
    static void geodist(CommandContext c) {
        double toMeters = 1;
        if (c.argc() == 5) {
            toMeters = unit(c, 4);
        } else if (c.argc() > 5) {
            throw c.syntaxError();
        }
        View v = readOrReplyWrongType(c, c.arg(1));
        if (v == View.WRONG_TYPE) {
            return;
        }
        double d = v == null ? Double.NaN : v.distance(c.arg(2), c.arg(3));
        if (Double.isNaN(d)) {
            c.reply().nullBulk();
        } else {
            c.reply().bulk(distance(d / toMeters));
        }
    }

    // ---- searches ---------------------------------------------------------------------------

    private static final int RADIUS_COORDS = 1;
    private static final int RADIUS_MEMBER = 1 << 1;
    private static final int RADIUS_NOSTORE = 1 << 2;
    private static final int GEOSEARCH = 1 << 3;
    private static final int GEOSEARCHSTORE = 1 << 4;

    /** GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] [STORE key] [STOREDIST key] */
    static void georadius(CommandContext c) {
        search(c, 1, RADIUS_COORDS);
    }

    /** GEORADIUS_RO key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] */
    static void georadiusRo(CommandContext c) {
        search(c, 1, RADIUS_COORDS | RADIUS_NOSTORE);
    }

    /** GEORADIUSBYMEMBER key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] [STORE key] [STOREDIST key] */
    static void georadiusbymember(CommandContext c) {
        search(c, 1, RADIUS_MEMBER);
    }

    /** GEORADIUSBYMEMBER_RO key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] */
    static void georadiusbymemberRo(CommandContext c) {
        search(c, 1, RADIUS_MEMBER | RADIUS_NOSTORE);
    }

    /** GEOSEARCH key FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius unit|BYBOX width height unit [ASC|DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH] */
    static void geosearch(CommandContext c) {
        search(c, 1, GEOSEARCH);
    }

    /** GEOSEARCHSTORE destination source FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius unit|BYBOX width height unit [ASC|DESC] [COUNT count [ANY]] [STOREDIST] */
    static void geosearchstore(CommandContext c) {
        search(c, 2, GEOSEARCH | GEOSEARCHSTORE);
    }

    /** The centre of a search from a member of the set, else the error. */
    private static double[] memberCentre(View v, byte[] member) {
        double[] xy = v.position(member);
        if (xy == null) {
            throw new CommandError(CANNOT_DECODE_MEMBER);
        }
        return xy;
    }

    /** Redis's georadiusGeneric. */
    private static void search(CommandContext c, int srcIndex, int flags) {
        View v = c.db().geo().read(c.arg(srcIndex));
        if (v == View.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
            return;
        }
        byte[] storeKey = null;
        boolean storeDist = false;
        double[] centre = new double[2];
        boolean box = false;
        double radius = 0;
        double width = 0;
        double height = 0;
        double conversion = 0;
        int base;
        if ((flags & RADIUS_COORDS) != 0) {
            base = 6;
            longLat(c, 2, centre, 0);
            radius = radius(c, 4);
            conversion = unit(c, 5);
        } else if ((flags & RADIUS_MEMBER) != 0 && v == null) {
            // no source: parse on, so that the reply (empty array, or 0 for STORE) is chosen
            base = 5;
        } else if ((flags & RADIUS_MEMBER) != 0) {
            base = 5;
            centre = memberCentre(v, c.arg(2));
            radius = radius(c, 3);
            conversion = unit(c, 4);
        } else {
            base = 2;
            if ((flags & GEOSEARCHSTORE) != 0) {
                base = 3;
                storeKey = c.arg(1);
            }
        }

        boolean withDist = false;
        boolean withHash = false;
        boolean withCoords = false;
        boolean fromMember = false;
        boolean fromLoc = false;
        boolean byRadius = false;
        boolean byBox = false;
        GeoOps.Sort sort = GeoOps.Sort.NONE;
        boolean any = false;
        long count = 0;
        boolean search = (flags & GEOSEARCH) != 0;
        boolean canStore = (flags & RADIUS_NOSTORE) == 0 && !search;
        int remaining = c.argc() - base;
        for (int i = 0; i < remaining; i++) {
            int a = base + i;
            if (c.argIs(a, "withdist")) {
                withDist = true;
            } else if (c.argIs(a, "withhash")) {
                withHash = true;
            } else if (c.argIs(a, "withcoord")) {
                withCoords = true;
            } else if (c.argIs(a, "any")) {
                any = true;
            } else if (c.argIs(a, "asc")) {
                sort = GeoOps.Sort.ASC;
            } else if (c.argIs(a, "desc")) {
                sort = GeoOps.Sort.DESC;
            } else if (c.argIs(a, "count") && i + 1 < remaining) {
                count = c.longArg(a + 1);
                if (count <= 0) {
                    throw new CommandError(COUNT_NOT_POSITIVE);
                }
                i++;
            } else if (c.argIs(a, "store") && i + 1 < remaining && canStore) {
                storeKey = c.arg(a + 1);
                storeDist = false;
                i++;
            } else if (c.argIs(a, "storedist") && i + 1 < remaining && canStore) {
                storeKey = c.arg(a + 1);
                storeDist = true;
                i++;
            } else if (c.argIs(a, "storedist") && search && (flags & GEOSEARCHSTORE) != 0) {
                storeDist = true;
            } else if (c.argIs(a, "frommember") && i + 1 < remaining && search && !fromLoc) {
                // without a source key the member is not looked up: the error comes later
                if (v != null) {
                    centre = memberCentre(v, c.arg(a + 1));
                }
                fromMember = true;
                i++;
            } else if (c.argIs(a, "fromlonlat") && i + 2 < remaining && search && !fromMember) {
                longLat(c, a + 1, centre, 0);
                fromLoc = true;
                i += 2;
            } else if (c.argIs(a, "byradius") && i + 2 < remaining && search && !byBox) {
                radius = radius(c, a + 1);
                conversion = unit(c, a + 2);
                box = false;
                byRadius = true;
                i += 2;
            } else if (c.argIs(a, "bybox") && i + 3 < remaining && search && !byRadius) {
                double w = doubleArg(c, a + 1, NEED_NUMERIC_WIDTH);
                double h = doubleArg(c, a + 2, NEED_NUMERIC_HEIGHT);
                if (h < 0 || w < 0) {
                    throw new CommandError(NEGATIVE_BOX);
                }
                width = w;
                height = h;
                conversion = unit(c, a + 3);
                box = true;
                byBox = true;
                i += 3;
            } else {
                throw c.syntaxError();
            }
        }

        if (storeKey != null && (withDist || withHash || withCoords)) {
            throw new CommandError(String.format(STORE_WITH_OPTIONS,
                    (flags & GEOSEARCHSTORE) != 0 ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS"));
        }
        if (search && !(fromMember || fromLoc)) {
            throw new CommandError(String.format(ONE_FROM, c.argString(0)));
        }
        if (search && !(byRadius || byBox)) {
            throw new CommandError(String.format(ONE_BY, c.argString(0)));
        }
        if (any && count == 0) {
            throw new CommandError(ANY_NEEDS_COUNT);
        }
        KeyEvent event = search ? KeyEvent.GEOSEARCHSTORE : KeyEvent.GEORADIUSSTORE;
        if (v == null) {
            if (storeKey != null) {
                c.reply().integer(c.db().geo().store(storeKey, List.of(), false, event));
            } else {
                c.reply().emptyArray();
            }
            return;
        }
        // COUNT needs an order to mean "the nearest N"; ANY does not
        if (count != 0 && sort == GeoOps.Sort.NONE && !any) {
            sort = GeoOps.Sort.ASC;
        }
        GeoHash.Shape shape = new GeoHash.Shape(box, centre[0], centre[1], radius, width, height, conversion);
        List<Point> points = v.search(shape, sort, count, any);
        if (storeKey != null) {
            c.reply().integer(c.db().geo().store(storeKey, points, storeDist, event));
            return;
        }
        Reply reply = c.reply();
        int options = (withDist ? 1 : 0) + (withCoords ? 1 : 0) + (withHash ? 1 : 0);
        reply.array(points.size());
        for (Point p : points) {
            if (options > 0) {
                reply.array(options + 1);
            }
            reply.bulk(p.member());
            if (withDist) {
                reply.bulk(distance(p.dist()));
            }
            if (withHash) {
                reply.integer(GeoHash.toInt64(p.score()));
            }
            if (withCoords) {
                reply.array(2);
                humanDouble(reply, p.lon());
                humanDouble(reply, p.lat());
            }
        }
    }

    /** extractDistanceOrReply's radius (the unit follows). */
    private static double radius(CommandContext c, int i) {
        double d = doubleArg(c, i, NEED_NUMERIC_RADIUS);
        if (d < 0) {
            throw new CommandError(NEGATIVE_RADIUS);
        }
        return d;
    }

    // ---- number printing --------------------------------------------------------------------

    /** addReplyHumanLongDouble of a double: RESP2 a bulk string, RESP3 a double, both with {@link #human}'s text. */
    private static void humanDouble(Reply reply, double d) {
        String text = human(d);
        if (reply.isResp3()) {
            reply.raw((',' + text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        } else {
            reply.bulk(text);
        }
    }

    /**
     * ld2string's LD_STR_HUMAN of a double: C's %.17Lf (the exact binary value rounded to 17
     * decimals, ties to even), trailing zeros and a trailing dot cut, "-0" as "0".
     */
    static String human(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        String s = new BigDecimal(d).setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        if (d < 0 || (d == 0 && 1 / d < 0)) {
            s = s.startsWith("-") ? s : "-" + s;
        }
        int end = s.length();
        while (s.charAt(end - 1) == '0') {
            end--;
        }
        if (s.charAt(end - 1) == '.') {
            end--;
        }
        s = s.substring(0, end);
        return s.equals("-0") ? "0" : s;
    }

    /**
     * fixedpoint_d2string with 4 decimals: llrint(d * 10000) (ties to even; out of range,
     * x86's indefinite -2^63) written with a dot four digits from the right.
     */
    static String distance(double d) {
        if (d == 0) {
            return "0.0000";
        }
        double scaled = Math.rint(d * 10000.0);
        long v = Double.isNaN(scaled) || scaled >= 0x1p63 || scaled < -0x1p63 ? Long.MIN_VALUE : (long) scaled;
        String digits = v < 0 ? Long.toUnsignedString(-v) : Long.toString(v);
        if (v == Long.MIN_VALUE) {
            digits = "9223372036854775808";
        }
        StringBuilder b = new StringBuilder();
        if (v < 0) {
            b.append('-');
        }
        if (digits.length() <= 4) {
            b.append("0.").append("0".repeat(4 - digits.length())).append(digits);
        } else {
            b.append(digits, 0, digits.length() - 4).append('.').append(digits, digits.length() - 4, digits.length());
        }
        return b.toString();
    }

    /** C's printf %f: six decimals of the exact value, ties to even, inf as "inf", a negative sign kept on zero. */
    static String printfF(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        String s = new BigDecimal(d).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
        if ((d < 0 || (d == 0 && 1 / d < 0)) && !s.startsWith("-")) {
            s = "-" + s;
        }
        return s;
    }
}
