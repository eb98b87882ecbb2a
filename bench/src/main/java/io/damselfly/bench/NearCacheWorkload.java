package io.damselfly.bench;

import io.damselfly.bench.load.Figures;
import io.damselfly.bench.load.LatencyRelay;
import io.damselfly.bench.load.NearCacheLoad;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code near-cache}: what a damselfly sidecar saves an application whose Redis is across a
 * network. One redis-server is the upstream, behind a {@link LatencyRelay} that adds
 * {@link #DELAY} each way (a 1 ms round trip); the same client load ({@link NearCacheLoad}:
 * unpipelined GETs of Zipf-distributed hot keys, {@link #SET_SHARE} SETs, several connections)
 * runs two ways in each round:
 *
 * <ul>
 *   <li>the "redis" column: straight to the upstream through the relay, as the application talks
 *       to a remote Redis today;
 *   <li>the "damselfly" column: to a damselfly sidecar on the application's machine, started with
 *       {@code --upstream redis://127.0.0.1:<relay port>}, which answers hot reads from its near
 *       cache and sends the rest, and every write, through the relay.
 * </ul>
 *
 * <p>The table shows both under the label {@link #TABLE_LABEL}: GET and SET p50/p99, ops/s, the
 * relay's idle round trip on each side (the network both paths crossed), and damselfly's hit
 * ratio over the measured phase, read from {@code INFO nearcache}. The goal: hits at least 10x
 * faster at p50 (with most GETs hits, GET p50 is a hit's latency).
 *
 * <p>Until the sidecar exists in the build, damselfly refuses {@code --upstream} ("unknown option
 * 'upstream'"): the damselfly column then says so in every row and the goal reads "not measured".
 */
final class NearCacheWorkload implements Workload {
    /** One-way delay of the relay: 0.5 ms, a round trip of 1 ms, as between two racks or zones. */
    static final Duration DELAY = LatencyRelay.DEFAULT_DELAY;
    /** Share of requests that are SETs: each also drops the sidecar's copy of the key. */
    static final double SET_SHARE = 0.05;
    static final int CONNECTIONS = 8;
    static final int VALUE_SIZE = 100;
    /** The goal of issue 15: hits at least this much faster at p50 than a round trip to the upstream. */
    static final double P50_GOAL = 10;
    /** PINGs through the relay, before the load, for its idle round trip. */
    static final int RELAY_PINGS = 200;
    /** The hit-ratio figure, measured on the damselfly column only. */
    static final String HIT_RATIO = "near-cache hit ratio";
    static final String TABLE_LABEL = "near-cache (redis via relay vs damselfly sidecar)";
    /** What damselfly prints when it has no sidecar yet: ServerConfig's message for an option it does not know. */
    static final String UNKNOWN_UPSTREAM = "unknown option 'upstream'";
    static final String NO_SIDECAR = "this damselfly build has no near-cache sidecar: it answered \"" + UNKNOWN_UPSTREAM
            + "\" (issue 15's --upstream is not in it yet)";

    private static final List<DriverReadings.Shown> SHOWN = List.of(
            new DriverReadings.Shown("GET p50 ms", Better.LOWER),
            new DriverReadings.Shown("GET p99 ms", Better.LOWER),
            new DriverReadings.Shown("SET p50 ms", Better.LOWER),
            new DriverReadings.Shown("SET p99 ms", Better.LOWER),
            new DriverReadings.Shown("ops/s", Better.HIGHER),
            new DriverReadings.Shown("errors", Better.LOWER),
            new DriverReadings.Shown("nil GETs", Better.LOWER));

    /** Set once damselfly has refused --upstream: later rounds fail at once with the same message. */
    private volatile boolean noSidecar;

    @Override
    public String name() {
        return "near-cache";
    }

    @Override
    public String tableLabel() {
        return TABLE_LABEL;
    }

    private static int keys(Mode mode) {
        return (int) mode.pick(10_000, 50_000);
    }

    /** The load against {@code port}; the same trace (seed) for both columns and every round. */
    static NearCacheLoad.Params params(Mode mode, int port) {
        int keys = keys(mode);
        return NearCacheLoad.Params.defaults("127.0.0.1", port, keys)
                .withConnections(CONNECTIONS)
                .withSetShare(SET_SHARE)
                .withRequests((int) mode.pick(10_000, 30_000), (int) mode.pick(40_000, 150_000))
                .withMaxPhase(Duration.ofSeconds(mode.pick(20, 60)));
    }

    @Override
    public String describe(Mode mode) {
        NearCacheLoad.Params p = params(mode, 0);
        return "NearCacheLoad through a relay adding " + DELAY.toNanos() / 1e6 + " ms each way to one redis-server"
                + " (the upstream): column redis = the load straight to the upstream through the relay; column damselfly ="
                + " the load to damselfly started with --upstream redis://127.0.0.1:<relay port>; " + p.connections()
                + " connections, unpipelined, Zipf(" + p.exponent() + ") over " + String.format(Locale.ROOT, "%,d", p.keys())
                + " preloaded keys with " + p.valueSize() + "-byte values, " + Math.round(p.setShare() * 100) + "% SETs; "
                + String.format(Locale.ROOT, "%,d", p.warmupRequests()) + " requests warm-up, "
                + String.format(Locale.ROOT, "%,d", p.requests()) + " measured, each phase at most "
                + p.maxPhase().toSeconds() + " s; hit ratio from INFO nearcache over the measured phase";
    }

    @Override
    public ServerSettings settings(Mode mode) {
        return ServerSettings.damselflyWith("--upstream", "redis://127.0.0.1:<relay port>");
    }

    @Override
    public List<Goal> goals() {
        return List.of(new Goal("GET p50 ms", P50_GOAL, "near-cache hits at least 10x faster at p50 than GET"
                + " straight to the upstream through the relay"));
    }

    /**
     * redis: the upstream itself (the relay goes in front of it for each run). damselfly: an
     * upstream redis-server, the relay in front of it, and damselfly pointed at the relay; the
     * upstream and the relay are closed with it.
     */
    @Override
    public ServerProcess start(ServerKind kind, Mode mode, Binaries bin) throws IOException {
        if (kind == ServerKind.REDIS) {
            return ServerProcess.start(ServerKind.REDIS, ServerSettings.DEFAULT, bin);
        }
        if (noSidecar) {
            throw new IOException(NO_SIDECAR);
        }
        ServerProcess upstream = ServerProcess.start(ServerKind.REDIS, ServerSettings.DEFAULT, bin);
        LatencyRelay relay = null;
        try {
            relay = LatencyRelay.start("127.0.0.1", upstream.port(), DELAY);
            ServerProcess sidecar = ServerProcess.start(ServerKind.DAMSELFLY,
                    ServerSettings.damselflyWith("--upstream", "redis://127.0.0.1:" + relay.port()), bin);
            return sidecar.closing(upstream).closing(relay);
        } catch (IOException | RuntimeException e) {
            if (relay != null) {
                relay.close();
            }
            upstream.close();
            if (String.valueOf(e.getMessage()).contains(UNKNOWN_UPSTREAM)) {
                noSidecar = true;
                throw new IOException(NO_SIDECAR, e);
            }
            throw e;
        }
    }

    /** The load itself, shorter: JIT for damselfly's sidecar path, the same for redis-server's side. */
    @Override
    public void warmUp(ServerProcess server, Mode mode, Binaries bin) throws Exception {
        NearCacheLoad.Params p = params(mode, 0);
        int requests = Math.max(1, p.warmupRequests() / 2);
        try (Endpoint e = endpoint(server)) {
            NearCacheLoad.run(p.withPort(e.port()).withRequests(requests, requests));
        }
    }

    @Override
    public List<Reading> run(ServerProcess server, Mode mode, Binaries bin) throws Exception {
        List<Reading> readings = new ArrayList<>();
        try (Endpoint e = endpoint(server)) {
            readings.add(Reading.of("upstream round trip ms (idle PING via relay)", Better.LOWER,
                    idleRoundTripMs(e.relay().port())));
            boolean sidecar = server.kind() == ServerKind.DAMSELFLY;
            InfoDelta nearCache = new InfoDelta(server);
            Figures f = NearCacheLoad.run(params(mode, e.port()), sidecar ? nearCache : NearCacheLoad.MeasuredPhase.NONE);
            readings.addAll(DriverReadings.of(f, SHOWN));
            readings.add(sidecar ? nearCache.hitRatio()
                    : Reading.missing(HIT_RATIO, Better.HIGHER, "no near cache: straight to the upstream"));
        }
        return readings;
    }

    /** Where the load goes: the relay in front of redis-server, or damselfly (whose relay is behind it). */
    private record Endpoint(int port, LatencyRelay relay, boolean ownsRelay) implements AutoCloseable {
        @Override
        public void close() {
            if (ownsRelay) {
                relay.close();
            }
        }
    }

    private static Endpoint endpoint(ServerProcess server) throws IOException {
        if (server.kind() == ServerKind.REDIS) {
            LatencyRelay relay = LatencyRelay.start("127.0.0.1", server.port(), DELAY);
            return new Endpoint(relay.port(), relay, true);
        }
        LatencyRelay relay = server.companion(LatencyRelay.class)
                .orElseThrow(() -> new IOException(server + " has no relay to an upstream"));
        return new Endpoint(server.port(), relay, false);
    }

    /** The median of {@link #RELAY_PINGS} PINGs through the relay, one at a time, in ms. */
    private static double idleRoundTripMs(int relayPort) throws IOException {
        long[] rtt = new long[RELAY_PINGS];
        try (ServerConnection c = new ServerConnection(relayPort)) {
            for (int i = 0; i < rtt.length; i++) {
                long t0 = System.nanoTime();
                Object reply = c.call("PING");
                rtt[i] = System.nanoTime() - t0;
                if (!"PONG".equals(reply)) {
                    throw new IOException("PING through the relay answered " + reply);
                }
            }
        }
        Arrays.sort(rtt);
        return rtt[rtt.length / 2] / 1e6;
    }

    /** INFO nearcache read as the measured phase starts and as it ends. */
    private static final class InfoDelta implements NearCacheLoad.MeasuredPhase {
        private final ServerProcess server;
        private Map<String, String> before;
        private Map<String, String> after;
        private String failure;

        InfoDelta(ServerProcess server) {
            this.server = server;
        }

        @Override
        public void starting() {
            before = read();
        }

        @Override
        public void ended() {
            after = read();
        }

        private Map<String, String> read() {
            try (ServerConnection c = server.connect()) {
                return c.info("nearcache");
            } catch (IOException e) {
                failure = "INFO nearcache failed: " + e.getMessage();
                return null;
            }
        }

        Reading hitRatio() {
            if (before == null || after == null) {
                return Reading.missing(HIT_RATIO, Better.HIGHER, failure != null ? failure : "INFO nearcache not read");
            }
            return NearCacheWorkload.hitRatio(before, after);
        }
    }

    /**
     * hits / (hits + misses) between two readings of INFO nearcache, from whichever fields count
     * them: a numeric field whose name contains "hits" and one named the same with "misses" in its
     * place ("hits" and "misses", "near_cache_hits" and "near_cache_misses"); the shortest such
     * pair when there are several. Missing, with the fields listed, when there is no such pair.
     */
    static Reading hitRatio(Map<String, String> before, Map<String, String> after) {
        String hits = null;
        for (String name : after.keySet()) {
            String lower = name.toLowerCase(Locale.ROOT);
            int at = lower.indexOf("hits");
            if (at < 0) {
                continue;
            }
            String misses = name.substring(0, at) + "misses" + name.substring(at + 4);
            if (number(after.get(name)) != null && number(after.get(misses)) != null
                    && (hits == null || name.length() < hits.length())) {
                hits = name;
            }
        }
        if (hits == null) {
            return Reading.missing(HIT_RATIO, Better.HIGHER, after.isEmpty() ? "INFO nearcache is empty"
                    : "INFO nearcache has no *hits*/*misses* pair among " + String.join(", ", after.keySet()));
        }
        int at = hits.toLowerCase(Locale.ROOT).indexOf("hits");
        String misses = hits.substring(0, at) + "misses" + hits.substring(at + 4);
        double h = number(after.get(hits)) - orZero(number(before.get(hits)));
        double m = number(after.get(misses)) - orZero(number(before.get(misses)));
        if (h + m <= 0) {
            return Reading.missing(HIT_RATIO, Better.HIGHER, hits + " and " + misses + " did not grow during the load");
        }
        return Reading.of(HIT_RATIO, Better.HIGHER, h / (h + m));
    }

    private static Double number(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static double orZero(Double d) {
        return d == null ? 0 : d;
    }
}
