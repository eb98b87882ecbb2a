package io.damselfly.bench;

import io.damselfly.bench.load.Figures;
import io.damselfly.bench.load.ZipfReadThrough;
import java.util.List;

/**
 * {@code hit-ratio}: a read-through cache under Zipf(0.99) keys ({@link ZipfReadThrough}: GET, and
 * SET on a miss, pipelined) over a keyspace about ten times what fits, with both servers at the
 * same maxmemory and evicting with allkeys-lru. Hit ratio and ops/s after the driver's own warm-up.
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
    /** redis-server 7.0's used_memory per 100-byte-value key, measured by the memory workload (187). */
    static final int REDIS_BYTES_PER_KEY = 190;
    static final int OVERSUBSCRIPTION = 10;

    private static final List<DriverReadings.Shown> SHOWN = List.of(
            new DriverReadings.Shown("hit ratio", Better.HIGHER),
            new DriverReadings.Shown("ops/s", Better.HIGHER),
            new DriverReadings.Shown("errors", Better.LOWER));

    @Override
    public String name() {
        return "hit-ratio";
    }

    private static long maxmemoryMb(Mode mode) {
        return mode.pick(32, 128);
    }

    private static int keys(Mode mode) {
        return (int) (maxmemoryMb(mode) * 1_048_576 / REDIS_BYTES_PER_KEY * OVERSUBSCRIPTION);
    }

    private static ZipfReadThrough.Params params(Mode mode, int port) {
        int keys = keys(mode);
        return ZipfReadThrough.Params.defaults("127.0.0.1", port, keys).withValueSize(VALUE_SIZE);
    }

    @Override
    public ServerSettings settings(Mode mode) {
        return ServerSettings.lruCache(maxmemoryMb(mode) + "mb");
    }

    @Override
    public String describe(Mode mode) {
        ZipfReadThrough.Params p = params(mode, 0);
        return "ZipfReadThrough: Zipf(" + p.exponent() + ") GETs over " + String.format("%,d", p.keys())
                + " keys (about " + OVERSUBSCRIPTION + "x what fits), SET " + p.valueSize() + " bytes on a miss; "
                + p.connections() + " connections, " + p.pipeline() + " GETs per batch; "
                + String.format("%,d", p.warmupRequests()) + " GETs warm-up, " + String.format("%,d", p.requests())
                + " measured";
    }

    @Override
    public List<Reading> run(ServerProcess server, Mode mode, Binaries bin) throws Exception {
        Figures f = ZipfReadThrough.run(params(mode, server.port()));
        return DriverReadings.of(f, SHOWN);
    }
}
