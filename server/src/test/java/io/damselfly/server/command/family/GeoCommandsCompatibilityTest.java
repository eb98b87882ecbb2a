package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.DifferentialScripts;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ReplyComparison;
import io.damselfly.server.testing.ServerOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The geo family differentially against a live redis-server 7.0.15, RESP2 and RESP3: the scripts
 * through {@link io.damselfly.server.testing.ReplyComparison} and again byte for byte (RESP3
 * doubles keep their text there: Redis's 17 decimals, not a re-rendered double), random point
 * sets searched every way (members, order, distances, hashes and coordinates equal to the last
 * byte), and random argument lists (garbage) whose replies, errors included, must be Redis's.
 * Four shards, so that a search and its STORE destination are mostly on different shards.
 */
@ServerOptions({"num_shards=4"})
class GeoCommandsCompatibilityTest implements DifferentialScripts {

    @Override
    public String[][] scripts() {
        return SCRIPTS;
    }

    // ---- byte-exact comparison --------------------------------------------------------------

    /** A plain socket that reads one whole reply as its bytes. */
    static final class Frames implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Frames(int port) {
            try {
                socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(10_000);
                in = new java.io.BufferedInputStream(socket.getInputStream());
                out = socket.getOutputStream();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String call(Object... args) {
            try {
                out.write(RawClient.encode(args));
                out.flush();
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                readReply(b);
                return b.toString(StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private String line(ByteArrayOutputStream b) throws IOException {
            StringBuilder s = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("closed");
                }
                s.append((char) c);
            }
            b.write((s + "\n").getBytes(StandardCharsets.ISO_8859_1));
            return s.substring(0, s.length() - 1);
        }

        private void readReply(ByteArrayOutputStream b) throws IOException {
            String l = line(b);
            char type = l.charAt(0);
            switch (type) {
                case '$', '!', '=' -> {
                    int n = Integer.parseInt(l.substring(1));
                    if (n >= 0) {
                        b.write(in.readNBytes(n + 2));
                    }
                }
                case '*', '~', '>' -> {
                    int n = Integer.parseInt(l.substring(1));
                    for (int i = 0; i < n; i++) {
                        readReply(b);
                    }
                }
                case '%', '|' -> {
                    int n = Integer.parseInt(l.substring(1));
                    for (int i = 0; i < 2 * n; i++) {
                        readReply(b);
                    }
                }
                default -> {
                    // a line is the whole reply
                }
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Both servers emptied and in {@code protocol}: [reference, damselfly]. */
    private static Frames[] connect(RedisServerProcess redis, EmbeddedServer damselfly, int protocol) {
        Frames ref = new Frames(redis.port());
        Frames ours = new Frames(damselfly.port());
        for (Frames f : new Frames[] {ref, ours}) {
            assertEquals("+OK\r\n", f.call("FLUSHALL"));
            if (protocol == 3) {
                f.call("HELLO", "3");
            }
        }
        return new Frames[] {ref, ours};
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> scriptsBothProtocols() {
        return io.damselfly.server.testing.ReplyComparison.inBothProtocols(SCRIPTS);
    }

    /** The scripts again, every reply compared byte for byte. */
    @ParameterizedTest(name = "{0} RESP{1} bytes")
    @MethodSource("scriptsBothProtocols")
    void scripts_sameBytesAsRedis(String name, int protocol, String script, RedisServerProcess redis, EmbeddedServer damselfly) {
        Frames[] f = connect(redis, damselfly, protocol);
        try {
            for (ReplyComparison.ScriptLine line : ReplyComparison.lines(script)) {
                assertEquals(f[0].call(line.args()), f[1].call(line.args()), name + " " + line);
            }
        } finally {
            f[0].close();
            f[1].close();
        }
    }

    // ---- random points ----------------------------------------------------------------------

    private static final String[] UNITS = {"m", "km", "ft", "mi", "KM"};

    private static String num(double d) {
        return String.format(Locale.ROOT, "%.6f", d);
    }

    private static double lon(Random r) {
        return -180 + 360 * r.nextDouble();
    }

    private static double lat(Random r) {
        return -85.05112878 + 2 * 85.05112878 * r.nextDouble();
    }

    /**
     * Random point sets (world-wide, clustered near a centre, on the antimeridian and near the
     * poles, with duplicated positions so that COUNT's partial sort meets ties), searched by
     * radius and by box from points and members with every option: every reply the same bytes.
     */
    @ParameterizedTest(name = "seed {0} RESP{1}")
    @CsvSource({"1, 2", "2, 3", "3, 2", "4, 3", "5, 2", "6, 3"})
    void randomPoints_sameResultsAsRedis(long seed, int protocol, RedisServerProcess redis, EmbeddedServer damselfly) {
        Random r = new Random(seed);
        assertEquals(4, damselfly.keyspace().shardCount());
        // the keyspace's hash is seeded at random per process, as Redis's: pick a destination name
        // whose shard is not the source's
        int source = damselfly.keyspace().shardIndex("pts".getBytes(StandardCharsets.UTF_8));
        String dst = "dst";
        for (int i = 0; damselfly.keyspace().shardIndex(dst.getBytes(StandardCharsets.UTF_8)) == source; i++) {
            dst = "dst" + i;
        }
        String destination = dst;
        Frames[] f = connect(redis, damselfly, protocol);
        try {
            int n = 50 + r.nextInt(400);
            double cLon = lon(r);
            double cLat = lat(r);
            List<String> members = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double x;
                double y;
                switch (r.nextInt(5)) {
                    case 0 -> {
                        x = lon(r);
                        y = lat(r);
                    }
                    case 1 -> {
                        x = 180 - r.nextDouble() * 2 * (r.nextBoolean() ? 1 : 180);
                        y = lat(r) / 4;
                    }
                    case 2 -> {
                        x = lon(r);
                        y = (r.nextBoolean() ? 1 : -1) * (85.05112878 - r.nextDouble() * 3);
                    }
                    default -> {
                        x = Math.max(-180, Math.min(180, cLon + r.nextGaussian()));
                        y = Math.max(-85.05112878, Math.min(85.05112878, cLat + r.nextGaussian()));
                    }
                }
                String m = "m" + i;
                members.add(m);
                Object[] add = {"GEOADD", "pts", num(x), num(y), m};
                assertEquals(f[0].call(add), f[1].call(add));
                if (r.nextInt(10) == 0) {
                    // a twin at the same place: equal distances
                    Object[] twin = {"GEOADD", "pts", num(x), num(y), m + "t"};
                    assertEquals(f[0].call(twin), f[1].call(twin));
                    members.add(m + "t");
                }
            }
            for (int q = 0; q < 300; q++) {
                List<String> c = new ArrayList<>();
                boolean fromMember = r.nextBoolean();
                String member = members.get(r.nextInt(members.size()));
                double x = r.nextBoolean() ? cLon + r.nextGaussian() : lon(r);
                x = Math.max(-180, Math.min(180, x));
                double y = Math.max(-85, Math.min(85, r.nextBoolean() ? cLat + r.nextGaussian() : lat(r)));
                String unit = UNITS[r.nextInt(UNITS.length)];
                double scale = switch (unit.toLowerCase(Locale.ROOT)) {
                    case "m" -> 1;
                    case "ft" -> 0.3048;
                    case "mi" -> 1609.34;
                    default -> 1000;
                };
                double radiusM = Math.pow(10, 2 + r.nextDouble() * 5);
                String radius = num(radiusM / scale);
                int kind = r.nextInt(4);
                if (kind == 0) {
                    c.addAll(List.of("GEORADIUS", "pts", num(x), num(y), radius, unit));
                } else if (kind == 1) {
                    c.addAll(List.of("GEORADIUSBYMEMBER", "pts", member, radius, unit));
                } else {
                    c.addAll(List.of("GEOSEARCH", "pts"));
                    if (fromMember) {
                        c.addAll(List.of("FROMMEMBER", member));
                    } else {
                        c.addAll(List.of("FROMLONLAT", num(x), num(y)));
                    }
                    if (kind == 2) {
                        c.addAll(List.of("BYRADIUS", radius, unit));
                    } else {
                        c.addAll(List.of("BYBOX", num(radiusM / scale * (0.2 + 2 * r.nextDouble())),
                                num(radiusM / scale * (0.2 + 2 * r.nextDouble())), unit));
                    }
                }
                for (String opt : new String[] {"WITHDIST", "WITHCOORD", "WITHHASH"}) {
                    if (r.nextBoolean()) {
                        c.add(opt);
                    }
                }
                switch (r.nextInt(3)) {
                    case 0 -> c.add("ASC");
                    case 1 -> c.add("DESC");
                    default -> {
                    }
                }
                if (r.nextInt(3) == 0) {
                    c.addAll(List.of("COUNT", Integer.toString(1 + r.nextInt(20))));
                    if (r.nextInt(3) == 0) {
                        c.add("ANY");
                    }
                }
                Object[] cmd = c.toArray();
                assertEquals(f[0].call(cmd), f[1].call(cmd), "seed " + seed + ": " + String.join(" ", c));
                if (r.nextInt(5) == 0) {
                    c.removeIf(s -> s.startsWith("WITH"));
                    boolean search = c.get(0).equals("GEOSEARCH");
                    List<String> store = new ArrayList<>(c);
                    if (search) {
                        store.set(0, "GEOSEARCHSTORE");
                        store.add(1, destination);
                        if (r.nextBoolean()) {
                            store.add("STOREDIST");
                        }
                    } else {
                        store.addAll(List.of(r.nextBoolean() ? "STORE" : "STOREDIST", destination));
                    }
                    Object[] s = store.toArray();
                    assertEquals(f[0].call(s), f[1].call(s), "seed " + seed + ": " + String.join(" ", store));
                    Object[] read = {"ZRANGE", destination, "0", "-1", "WITHSCORES"};
                    assertSameScores(f[0].call(read), f[1].call(read), "seed " + seed + ": " + String.join(" ", store));
                }
                if (q % 50 == 0) {
                    Object[] dist = {"GEODIST", "pts", member, members.get(r.nextInt(members.size())), unit};
                    assertEquals(f[0].call(dist), f[1].call(dist));
                    Object[] pos = {"GEOPOS", "pts", member, "nosuch"};
                    assertEquals(f[0].call(pos), f[1].call(pos));
                    Object[] hash = {"GEOHASH", "pts", member, "nosuch"};
                    assertEquals(f[0].call(hash), f[1].call(hash));
                }
            }
        } finally {
            f[0].close();
            f[1].close();
        }
    }

    /**
     * Two ZRANGE ... WITHSCORES replies: the same members, in the same order, the same scores
     * but for the last bit of a distance. Redis computes distances with glibc's sin, cos and
     * asin, which are not always correctly rounded (within an ulp, off near rounding midpoints);
     * damselfly rounds correctly (RoundedMath), so a STOREDIST score, printed whole with %.17g,
     * can differ in its last bits in a few distances per thousand (an ulp in an intermediate
     * grows to a few in a long distance, where asin's slope is steep). Anything else must be
     * equal.
     */
    private static void assertSameScores(String expected, String actual, String context) {
        String[] e = expected.split("\r\n");
        String[] a = actual.split("\r\n");
        assertEquals(e.length, a.length, context + "\n" + expected + "\n" + actual);
        for (int i = 0; i < e.length; i++) {
            if (e[i].equals(a[i])) {
                continue;
            }
            // a bulk header differs only with the number after it
            int at = e[i].startsWith("$") && a[i].startsWith("$") && i + 1 < e.length ? i + 1 : i;
            double x = Double.parseDouble(e[at].replace(",", ""));
            double y = Double.parseDouble(a[at].replace(",", ""));
            assertTrue(Math.abs(x - y) <= 8 * Math.ulp(x), context + ": " + e[at] + " against " + a[at]);
            i = at;
        }
    }

    // ---- garbage ----------------------------------------------------------------------------

    private static final String[] COMMANDS = {"GEOADD", "GEODIST", "GEOHASH", "GEOPOS", "GEORADIUS", "GEORADIUS_RO",
        "GEORADIUSBYMEMBER", "GEORADIUSBYMEMBER_RO", "GEOSEARCH", "GEOSEARCHSTORE"};
    private static final String[] TOKENS = {"g", "g", "str", "nokey", "dst", "a", "b", "c", "nosuch", "0", "1", "-1", "13.5",
        "38.1", "180", "-180", "180.0000001", "85.05112878", "-85.05112879", "90", "1e3", "1e400", "inf", "-inf", "nan", "x",
        "", " 1", "1 ", "0x10", "m", "km", "ft", "mi", "KM", "parsec", "WITHDIST", "WITHHASH", "WITHCOORD", "ASC", "DESC",
        "COUNT", "ANY", "STORE", "STOREDIST", "FROMMEMBER", "FROMLONLAT", "BYRADIUS", "BYBOX", "NX", "XX", "CH", "GT", "100",
        "5000", "-5", "9223372036854775808"};

    /**
     * Random argument lists for every geo command, over a small geo set, a string key and a
     * missing key, from a pool of good and bad numbers, units and option words: every reply,
     * error text included, the same bytes as Redis's.
     */
    @ParameterizedTest(name = "seed {0} RESP{1}")
    @CsvSource({"11, 2", "12, 3", "13, 2", "14, 3"})
    void garbage_sameRepliesAsRedis(long seed, int protocol, RedisServerProcess redis, EmbeddedServer damselfly) {
        Random r = new Random(seed);
        Frames[] f = connect(redis, damselfly, protocol);
        try {
            for (Object[] setup : List.<Object[]>of(
                    new Object[] {"GEOADD", "g", "13.361389", "38.115556", "a", "15.087269", "37.502669", "b", "13.5", "38", "c"},
                    new Object[] {"SET", "str", "v"})) {
                assertEquals(f[0].call(setup), f[1].call(setup));
            }
            for (int i = 0; i < 3000; i++) {
                List<String> c = new ArrayList<>();
                c.add(COMMANDS[r.nextInt(COMMANDS.length)]);
                int n = r.nextInt(12);
                for (int j = 0; j < n; j++) {
                    c.add(TOKENS[r.nextInt(TOKENS.length)]);
                }
                // a valid head now and then, so that the option parser is reached more often
                if (r.nextBoolean() && c.get(0).startsWith("GEOSEARCH")) {
                    List<String> head = new ArrayList<>(List.of(r.nextBoolean() ? "FROMMEMBER a" : "FROMLONLAT 13 38",
                            r.nextBoolean() ? "BYRADIUS 200 km" : "BYBOX 300 300 km"));
                    c.addAll(1, List.of(String.join(" ", head).split(" ")));
                    c.add(1, "g");
                    if (c.get(0).equals("GEOSEARCHSTORE")) {
                        c.add(1, "dst");
                    }
                } else if (r.nextBoolean() && c.get(0).startsWith("GEORADIUS")) {
                    c.addAll(1, c.get(0).contains("MEMBER") ? List.of("g", "a", "200", "km") : List.of("g", "13", "38", "200", "km"));
                }
                Object[] cmd = c.toArray();
                String context = "seed " + seed + ": " + String.join(" ", c);
                String expected = f[0].call(cmd);
                assertEquals(expected, f[1].call(cmd), context);
            }
            Object[] read = {"ZRANGE", "g", "0", "-1", "WITHSCORES"};
            assertEquals(f[0].call(read), f[1].call(read));
            Object[] dst = {"ZRANGE", "dst", "0", "-1", "WITHSCORES"};
            assertEquals(f[0].call(dst), f[1].call(dst));
            assertTrue(f[1].call("PING").startsWith("+PONG"));
        } finally {
            f[0].close();
            f[1].close();
        }
    }

    // ---- scripts ----------------------------------------------------------------------------

    private static final String[][] SCRIPTS = {
        {"geoadd", """
                GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
                GEOADD Sicily 13.361389 38.115556 Palermo
                GEOADD Sicily CH 13.361389 38.115556 Palermo 15 37 Catania
                GEOADD Sicily NX 1 1 Palermo 2 2 New
                GEOADD Sicily XX 3 3 Palermo 4 4 Other
                GEOADD Sicily XX CH 5 5 Palermo
                GEOADD Sicily CH XX NX 1 1 a
                GEOADD Sicily NX NX 1 1 a
                GEOADD Sicily CH CH CH
                GEOADD Sicily 1 1
                GEOADD Sicily 1 1 a 2
                GEOADD Sicily GT 1 1 a
                GEOADD Sicily INCR 1 1 a
                GEOADD Sicily abc 1 a
                GEOADD Sicily 1 _ a
                GEOADD Sicily 1 1 a 181 1 b
                GEOADD Sicily 1 1 a 1 86 b
                GEOADD Sicily -180 -85.05112878 sw 180 85.05112878 ne
                GEOADD Sicily -180.0000001 0 x
                GEOADD Sicily 0 85.051128781 x
                GEOADD Sicily inf 0 x
                GEOADD Sicily 0 -inf x
                GEOADD Sicily nan 0 x
                GEOADD Sicily -0 1e-300 zero
                GEOADD Sicily 1e400 0 x
                GEOADD Sicily 0 -1e300 x
                ZRANGE Sicily 0 -1 WITHSCORES
                GEOPOS Sicily sw ne zero New Palermo nosuch
                GEOHASH Sicily sw ne zero New Palermo nosuch
                GEOADD Sicily XX 1 1 nosuch
                EXISTS Sicily
                GEOADD nokey XX 1 1 a
                EXISTS nokey
                """},
        {"geopos-geohash-geodist", """
                GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
                GEOPOS Sicily
                GEOPOS Sicily Palermo Catania nosuch
                GEOPOS nokey a b
                GEOHASH Sicily
                GEOHASH Sicily Palermo Catania nosuch
                GEOHASH nokey a
                GEODIST Sicily Palermo Catania
                GEODIST Sicily Palermo Catania m
                GEODIST Sicily Palermo Catania KM
                GEODIST Sicily Palermo Catania ft
                GEODIST Sicily Palermo Catania Mi
                GEODIST Sicily Palermo Catania parsec
                GEODIST Sicily Palermo Catania km extra
                GEODIST Sicily Palermo nosuch
                GEODIST Sicily Palermo Palermo
                GEODIST nokey a b
                GEODIST nokey a b parsec
                GEODIST nokey a b km x
                """},
        {"odd-scores", """
                ZADD z -1 neg 1e30 huge 0.5 half 4503599627370496 top 1e20 big -1e30 hugeneg 3.7 frac inf pinf -inf ninf 0 zero
                GEOPOS z neg huge half top big hugeneg frac pinf ninf zero
                GEOHASH z neg huge half top big hugeneg frac pinf ninf zero
                GEODIST z neg huge
                GEODIST z top zero km
                GEORADIUS z 0 0 50000 km WITHHASH WITHCOORD WITHDIST ASC
                GEOSEARCH z FROMMEMBER frac BYBOX 40000 40000 km WITHHASH ASC
                """},
        {"georadius", """
                GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 13.583333 37.316667 Agrigento
                GEORADIUS Sicily 15 37 200 km
                GEORADIUS Sicily 15 37 200 km WITHDIST
                GEORADIUS Sicily 15 37 200 km WITHCOORD
                GEORADIUS Sicily 15 37 200 km WITHHASH
                GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH ASC
                GEORADIUS Sicily 15 37 200 km withdist withcoord withhash desc
                GEORADIUS Sicily 15 37 200 km COUNT 1
                GEORADIUS Sicily 15 37 200 km COUNT 2 DESC
                GEORADIUS Sicily 15 37 200 km COUNT 1 ANY
                GEORADIUS Sicily 15 37 200 km COUNT 5 ANY DESC WITHDIST
                GEORADIUS Sicily 15 37 200 km ANY
                GEORADIUS Sicily 15 37 200 km COUNT 0
                GEORADIUS Sicily 15 37 200 km COUNT -1
                GEORADIUS Sicily 15 37 200 km COUNT x
                GEORADIUS Sicily 15 37 200 km COUNT
                GEORADIUS Sicily 15 37 200 km COUNT 1 COUNT 3
                GEORADIUS Sicily 15 37 0 km
                GEORADIUS Sicily 15 37 -1 km
                GEORADIUS Sicily 15 37 x km
                GEORADIUS Sicily 15 37 1e400 km
                GEORADIUS Sicily 15 37 inf km
                GEORADIUS Sicily 15 37 200 parsec
                GEORADIUS Sicily 15 x 200 km
                GEORADIUS Sicily 15 86 200 km
                GEORADIUS Sicily 15 37 200 km FROMMEMBER Palermo
                GEORADIUS Sicily 15 37 200 km BYRADIUS 1 km
                GEORADIUS Sicily 15 37 200 km garbage
                GEORADIUS nokey 15 37 200 km
                GEORADIUS nokey 15 37 x km
                GEORADIUS_RO Sicily 15 37 200 km WITHDIST
                GEORADIUS_RO Sicily 15 37 200 km STORE dst
                GEORADIUS_RO Sicily 15 37 200 km STOREDIST dst
                GEORADIUSBYMEMBER Sicily Palermo 100 km WITHDIST
                GEORADIUSBYMEMBER Sicily Palermo 300 km WITHCOORD ASC
                GEORADIUSBYMEMBER Sicily nosuch 100 km
                GEORADIUSBYMEMBER Sicily nosuch x parsec
                GEORADIUSBYMEMBER Sicily Palermo x km
                GEORADIUSBYMEMBER nokey nosuch x parsec
                GEORADIUSBYMEMBER nokey nosuch x parsec garbage
                GEORADIUSBYMEMBER nokey nosuch x parsec ANY
                GEORADIUSBYMEMBER nokey nosuch x parsec WITHDIST STORE d
                GEORADIUSBYMEMBER_RO Sicily Palermo 200 km DESC
                GEORADIUSBYMEMBER_RO Sicily Palermo 200 km STORE dst
                """},
        {"geosearch", """
                GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 13.583333 37.316667 Agrigento
                GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 200 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC WITHDIST
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHCOORD WITHDIST WITHHASH
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 200 50 km DESC WITHDIST
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 0 0 km
                GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 1 1 m WITHDIST
                GEOSEARCH Sicily FROMMEMBER Palermo FROMMEMBER Catania BYRADIUS 1 m
                GEOSEARCH Sicily FROMMEMBER Palermo FROMLONLAT 15 37 BYRADIUS 200 km
                GEOSEARCH Sicily FROMLONLAT 15 37 FROMMEMBER Palermo BYRADIUS 200 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km BYBOX 1 1 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1 km BYRADIUS 200 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km BYRADIUS 200 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 2 ANY
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ANY
                GEOSEARCH Sicily BYRADIUS 200 km FROMLONLAT 15 37 WITHDIST
                GEOSEARCH Sicily FROMLONLAT 15 37 WITHDIST
                GEOSEARCH Sicily BYRADIUS 200 km WITHDIST
                geosearch Sicily BYRADIUS 200 km WITHDIST
                GeoSearch Sicily FROMLONLAT 1 1 WITHDIST ASC
                GEOSEARCH Sicily FROMMEMBER nosuch BYRADIUS 200 km
                GEOSEARCH Sicily FROMMEMBER nosuch BYRADIUS x km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS -1 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS x km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 parsec
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX x 1 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 x km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX -1 1 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 -1 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1 parsec
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1
                GEOSEARCH Sicily FROMLONLAT 200 37 BYBOX 1 1 km
                GEOSEARCH Sicily FROMLONLAT 15 BYRADIUS 1 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE dst
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 0
                GEOSEARCH nokey FROMMEMBER nosuch BYRADIUS 200 km
                GEOSEARCH nokey FROMMEMBER nosuch BYRADIUS 200 km WITHDIST
                GEOSEARCH nokey FROMMEMBER nosuch
                GEOSEARCH nokey BYRADIUS 1 km
                GEOSEARCH nokey FROMLONLAT 1 1 BYRADIUS 1 km ANY
                """},
        {"store", """
                GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 13.583333 37.316667 Agrigento
                GEORADIUS Sicily 15 37 200 km STORE dst
                ZRANGE dst 0 -1 WITHSCORES
                GEORADIUS Sicily 15 37 200 km STOREDIST dst
                ZRANGE dst 0 -1 WITHSCORES
                GEORADIUS Sicily 15 37 200 mi STOREDIST dst COUNT 1
                ZRANGE dst 0 -1 WITHSCORES
                GEORADIUS Sicily 15 37 200 km STORE dst WITHDIST
                GEORADIUS Sicily 15 37 200 km STOREDIST dst WITHCOORD
                GEORADIUS Sicily 15 37 200 km STORE
                GEORADIUS Sicily 15 37 200 km STOREDIST
                GEORADIUSBYMEMBER Sicily Palermo 100 km STORE dst2 WITHHASH
                GEORADIUSBYMEMBER Sicily Palermo 100 km STORE dst2
                ZRANGE dst2 0 -1 WITHSCORES
                GEORADIUS Sicily 0 0 1 km STORE dst2
                EXISTS dst2
                GEORADIUS nokey 0 0 1 km STORE dst
                EXISTS dst
                SET str v
                GEORADIUS Sicily 15 37 200 km STORE str
                TYPE str
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km
                ZRANGE dst 0 -1 WITHSCORES
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km STOREDIST COUNT 2
                ZRANGE dst 0 -1 WITHSCORES
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE x
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST x
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37
                GEOSEARCHSTORE dst nokey FROMLONLAT 15 37 BYRADIUS 200 km
                EXISTS dst
                GEOSEARCHSTORE Sicily Sicily FROMMEMBER Palermo BYRADIUS 100 km STOREDIST
                ZRANGE Sicily 0 -1 WITHSCORES
                SET str v
                GEOSEARCHSTORE dst str FROMLONLAT 15 37 BYRADIUS 200 km
                GEOSEARCHSTORE str Sicily FROMLONLAT 15 37 BYRADIUS 200 km
                TYPE str
                """},
        {"poles-antimeridian", """
                GEOADD w 179.9999 0 e1 -179.9999 0 w1 180 0 e0 -180 0 w0 179.5 10 e2 -179.5 -10 w2
                GEOADD w 0 85.05112878 n0 90 85 n1 -90 85 n2 180 85.05 n3 0 -85.05112878 s0 45 -85 s1
                GEORADIUS w 180 0 100 km WITHDIST ASC
                GEORADIUS w -180 0 100 km WITHDIST ASC
                GEORADIUS w 179.99 0 2000 km WITHDIST WITHCOORD ASC
                GEOSEARCH w FROMLONLAT -180 0 BYBOX 500 3000 km WITHDIST ASC
                GEOSEARCH w FROMLONLAT 180 0 BYBOX 100 100 km WITHDIST DESC
                GEORADIUS w 0 85 2000 km WITHDIST ASC
                GEORADIUS w 0 85.05112878 20000 km WITHDIST ASC
                GEORADIUS w 0 -85 3000 km WITHDIST ASC
                GEOSEARCH w FROMMEMBER n0 BYBOX 20000 2000 km WITHDIST ASC
                GEOSEARCH w FROMMEMBER s0 BYBOX 40000 4000 km WITHDIST DESC
                GEORADIUS w 0 0 5000 km ASC
                GEORADIUS w 0 0 10000 km WITHDIST ASC
                GEORADIUS w 0 0 20000 km WITHDIST ASC
                GEORADIUS w 0 0 50000 km WITHDIST ASC
                GEORADIUS w 0 0 20000 km
                GEODIST w e0 w0
                GEODIST w n0 s0 km
                GEODIST w e1 w1 m
                GEOHASH w e0 w0 n0 s0 n3
                GEOPOS w e0 w0 n0 s0 n3
                """},
        {"boxes-and-ties", """
                GEOADD t 10 10 a 10 10 b 10 10 c 10.001 10 d 9.999 10 e 10 10.001 f 10 9.999 g 10.001 10.001 h 9.999 9.999 i 10 10 j
                GEOSEARCH t FROMLONLAT 10 10 BYBOX 1 1 km ASC WITHDIST
                GEOSEARCH t FROMLONLAT 10 10 BYBOX 1 1 km DESC WITHDIST
                GEOSEARCH t FROMLONLAT 10 10 BYBOX 1 1 km COUNT 3 WITHDIST
                GEOSEARCH t FROMLONLAT 10 10 BYBOX 1 1 km COUNT 7 DESC WITHDIST
                GEOSEARCH t FROMLONLAT 10 10 BYBOX 1 1 km COUNT 2 ANY
                GEOSEARCH t FROMLONLAT 10 10 BYBOX 0.2 0.25 km WITHDIST
                GEOSEARCH t FROMLONLAT 10.0005 10 BYBOX 0.11 10 km WITHDIST
                GEOSEARCH t FROMMEMBER a BYRADIUS 111.2 m WITHDIST ASC
                GEOSEARCH t FROMMEMBER a BYRADIUS 110 m WITHDIST ASC COUNT 4
                GEORADIUSBYMEMBER t a 200 m COUNT 3 DESC
                GEORADIUSBYMEMBER t a 0 m
                GEOSEARCH t FROMMEMBER a BYBOX 0 0 m WITHDIST
                GEOSEARCH t FROMLONLAT 10 10 BYBOX 1 1 ft WITHDIST
                GEOSEARCH t FROMLONLAT 10 10 BYBOX 1 1 mi WITHDIST
                """},
        {"wrongtype", """
                SET s v
                GEOADD s 1 1 a
                GEOADD s 1
                GEOADD s 1 1
                GEOPOS s a
                GEOHASH s a
                GEODIST s a b
                GEODIST s a b parsec
                GEODIST s a b km x
                GEORADIUS s 1 1 1 km
                GEORADIUS s x x x x
                GEORADIUS_RO s 1 1 1 km
                GEORADIUSBYMEMBER s a 1 km
                GEORADIUSBYMEMBER_RO s a 1 km
                GEOSEARCH s FROMLONLAT 1 1 BYRADIUS 1 km
                GEOSEARCH s garbage
                GEOSEARCHSTORE d s FROMLONLAT 1 1 BYRADIUS 1 km
                GEOSEARCHSTORE s nokey FROMLONLAT 1 1 BYRADIUS 1 km
                TYPE s
                """},
        {"arity", """
                GEOADD
                GEOADD k
                GEOADD k 1 1
                GEOPOS
                GEOHASH
                GEODIST k a
                GEORADIUS k 1 1 1
                GEORADIUS_RO k 1 1 1
                GEORADIUSBYMEMBER k a 1
                GEORADIUSBYMEMBER_RO k a 1
                GEOSEARCH k FROMLONLAT 1 1 BYRADIUS 1
                GEOSEARCHSTORE d k FROMLONLAT 1 1 BYRADIUS
                """},
    };
}
