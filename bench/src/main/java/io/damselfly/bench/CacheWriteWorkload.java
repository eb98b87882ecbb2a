package io.damselfly.bench;

import io.damselfly.bench.load.CacheWriteLoad;
import io.damselfly.bench.load.Figures;
import java.util.List;

/**
 * {@code cache-write}: RSS under a cache-mode write load. Both servers run with maxmemory M and
 * allkeys-lru (damselfly with {@code --cache_mode=true}, and scripts/run's heap of 2 x M + 256m);
 * {@link CacheWriteLoad} SETs distinct keys with 1024-byte values until 3 x M of values is written,
 * sampling the server's VmRSS every 100 ms. The question: how far above M does resident memory go,
 * and does it stay within 1.25 x M + 200 MB? Fresh servers each round, since what a server's
 * memory looks like depends on everything it held before; each is warmed up as for the other
 * workloads (a short SET/GET burst of small values, then FLUSHALL), so damselfly's load ops/s is
 * not a cold-JIT figure, and "RSS at start" is the server after that.
 *
 * <p>Run by itself with {@code ./scripts/bench quick cache-write}. M is 256 MiB in quick mode, 512
 * MiB in full mode. The load is 3 x M / 1024 SETs (786,432 in quick, 1,572,864 in full); at the
 * 100-200k SETs/s of 1 KiB values either server takes on 2 cores, a run is 5-15 s.
 */
final class CacheWriteWorkload implements Workload {
    private static final List<DriverReadings.Shown> SHOWN = List.of(
            new DriverReadings.Shown("peak RSS MB", Better.LOWER),
            new DriverReadings.Shown("peak RSS / maxmemory", Better.LOWER),
            new DriverReadings.Shown(CacheWriteLoad.BOUND_MET, Better.HIGHER),
            new DriverReadings.Shown("VmHWM MB", Better.LOWER),
            new DriverReadings.Shown("RSS at start MB", Better.LOWER),
            new DriverReadings.Shown("load ops/s", Better.HIGHER),
            new DriverReadings.Shown("errors", Better.LOWER),
            new DriverReadings.Shown("keys at end", Better.HIGHER),
            new DriverReadings.Shown("evicted_keys", Better.LOWER));

    @Override
    public String name() {
        return "cache-write";
    }

    private static long maxmemoryMb(Mode mode) {
        return mode.pick(256, 512);
    }

    private static CacheWriteLoad.Params params(Mode mode, ServerProcess server) {
        return CacheWriteLoad.Params.defaults("127.0.0.1", server == null ? 0 : server.port(),
                server == null ? 0 : server.pid(), maxmemoryMb(mode) * 1024 * 1024);
    }

    @Override
    public ServerSettings settings(Mode mode) {
        return ServerSettings.lruCache(maxmemoryMb(mode) + "mb");
    }

    @Override
    public String describe(Mode mode) {
        CacheWriteLoad.Params p = params(mode, null);
        return "CacheWriteLoad: " + String.format("%,d", p.keys()) + " distinct keys `" + CacheWriteLoad.KEY_PREFIX
                + "0`.. with " + p.valueSize() + "-byte values (" + CacheWriteLoad.LOAD_FACTOR + " x maxmemory "
                + maxmemoryMb(mode) + "mb of values) SET over " + p.connections() + " pipelined connections;"
                + " VmRSS sampled every " + p.samplePeriod().toMillis() + " ms while loading; bound "
                + CacheWriteLoad.BOUND_FACTOR + " x M + " + CacheWriteLoad.BOUND_EXTRA_MB + " MB = "
                + p.boundBytes() / (1024 * 1024) + " MB";
    }

    @Override
    public boolean freshServersEachRound() {
        return true;
    }

    @Override
    public List<Reading> run(ServerProcess server, Mode mode, Binaries bin) throws Exception {
        Figures f = CacheWriteLoad.run(params(mode, server));
        return DriverReadings.of(f, SHOWN);
    }
}
