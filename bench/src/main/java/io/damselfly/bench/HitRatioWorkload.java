package io.damselfly.bench;

import io.damselfly.bench.load.Figures;
import io.damselfly.bench.load.ZipfReadThrough;
import java.util.List;

/**
 * {@code hit-ratio}: a read-through cache under Zipf(0.99) keys ({@link ZipfReadThrough}: GET, and
 * SET on a miss, pipelined) over a keyspace about ten times what fits, with both servers at the
 * same maxmemory, redis-server evicting with allkeys-lru and damselfly in its cache mode's
 * allkeys-tinylfu. Hit ratio and ops/s after the driver's own warm-up.
 *
 * <p>Sizing: redis-server 7.0 holds a key "key:N" with a 100-byte value in about
 * {@link #REDIS_BYTES_PER_KEY} bytes of used_memory (the memory workload measures 187 at 200,000
 * keys: the value's and the key's allocations, the dict entry, the robj and the hash table's
 * share), so maxmemory M fits about M / 190 keys and the keyspace is ten times that. Sizes are
 * chosen for time: the driver's warm-up N plus measured 2N requests run at about a million per
 * second on 2 cores, so 32mb (1.8M keys) takes ~6 s a run and 128mb (7.1M keys) ~20 s.
 */
final class HitRatioWorkload implements Workload {
    static final int VALUE_SIZE = 100;
    /**
     * hit-ratio-scan's share of requests that go to one-off keys in sequence: a crawler or a bulk
     * import sharing the cache with the application, a fifth of the traffic.
     */
    static final double SCAN_SHARE = 0.2;
    /** redis-server 7.0's used_memory per 100-byte-value key, measured by the memory workload (187). */
    static final int REDIS_BYTES_PER_KEY = 190;
    static final int OVERSUBSCRIPTION = 10;

    private static final List<DriverReadings.Shown> SHOWN = List.of(
            new DriverReadings.Shown("hit ratio", Better.HIGHER),
            new DriverReadings.Shown("ops/s", Better.HIGHER),
            new DriverReadings.Shown("errors", Better.LOWER));

    private final String name;
    private final double scanShare;

    /** {@code hit-ratio}: the Zipf read-through alone. */
    HitRatioWorkload() {
        this("hit-ratio", 0);
    }

    private HitRatioWorkload(String name, double scanShare) {
        this.name = name;
        this.scanShare = scanShare;
    }

    /**
     * {@code hit-ratio-scan}: the same, with {@link #SCAN_SHARE} of the requests a sequential scan
     * of one-off keys (GET, miss, SET), which an LRU cache lets flush warm keys and a frequency-
     * aware one should not; the hit ratio counts the Zipf keys' GETs only.
     */
    static HitRatioWorkload scanPolluted() {
        return new HitRatioWorkload("hit-ratio-scan", SCAN_SHARE);
    }

    @Override
    public String name() {
        return name;
    }

    private static long maxmemoryMb(Mode mode) {
        return mode.pick(32, 128);
    }

    private static int keys(Mode mode) {
        return (int) (maxmemoryMb(mode) * 1_048_576 / REDIS_BYTES_PER_KEY * OVERSUBSCRIPTION);
    }

    private ZipfReadThrough.Params params(Mode mode, int port) {
        int keys = keys(mode);
        return ZipfReadThrough.Params.defaults("127.0.0.1", port, keys).withValueSize(VALUE_SIZE).withScanShare(scanShare);
    }

    @Override
    public ServerSettings settings(Mode mode) {
        return ServerSettings.cacheMode(maxmemoryMb(mode) + "mb");
    }

    @Override
    public String describe(Mode mode) {
        ZipfReadThrough.Params p = params(mode, 0);
        return "ZipfReadThrough: Zipf(" + p.exponent() + ") GETs over " + String.format("%,d", p.keys())
                + " keys (about " + OVERSUBSCRIPTION + "x what fits), SET " + p.valueSize() + " bytes on a miss; "
                + p.connections() + " connections, " + p.pipeline() + " GETs per batch; "
                + String.format("%,d", p.warmupRequests()) + " GETs warm-up, " + String.format("%,d", p.requests())
                + " measured" + (scanShare > 0 ? "; " + Math.round(scanShare * 100) + "% of requests a scan of one-off keys"
                + " (GET, SET), not counted in the hit ratio" : "") + "; damselfly in cache mode (allkeys-tinylfu)";
    }

    @Override
    public List<Reading> run(ServerProcess server, Mode mode, Binaries bin) throws Exception {
        Figures f = ZipfReadThrough.run(params(mode, server.port()));
        return DriverReadings.of(f, SHOWN);
    }
}
