package io.damselfly.bench;

import io.damselfly.bench.load.Figures;
import io.damselfly.bench.load.OpenLoopLatency;
import java.time.Duration;
import java.util.List;

/**
 * {@code latency}: percentiles at a fixed offered rate ({@link OpenLoopLatency}: open loop,
 * latency counted from each request's intended send time, so stalls are not hidden by coordinated
 * omission). The rate is fixed rather than derived from a throughput run, so results are comparable
 * between runs and do not depend on which workloads ran before: {@link #RATE} is well under what
 * either server sustains unpipelined on 2 cores (redis-benchmark GET with 50 clients: redis ~60k,
 * damselfly ~35k ops/s), so the figures are service latency, not queueing at saturation.
 */
final class LatencyWorkload implements Workload {
    /** Requests per second offered to both servers. */
    static final int RATE = 20_000;

    private static final List<DriverReadings.Shown> SHOWN = List.of(
            new DriverReadings.Shown("achieved ops/s", Better.HIGHER),
            new DriverReadings.Shown("p50 ms", Better.LOWER),
            new DriverReadings.Shown("p99 ms", Better.LOWER),
            new DriverReadings.Shown("p99.9 ms", Better.LOWER),
            new DriverReadings.Shown("max ms", Better.LOWER),
            new DriverReadings.Shown("errors", Better.LOWER),
            new DriverReadings.Shown("unfinished", Better.LOWER));

    @Override
    public String name() {
        return "latency";
    }

    private static OpenLoopLatency.Params params(Mode mode, int port) {
        return OpenLoopLatency.Params.defaults("127.0.0.1", port, RATE)
                .withTimes(Duration.ofSeconds(mode.pick(2, 3)), Duration.ofSeconds(mode.pick(5, 15)));
    }

    @Override
    public String describe(Mode mode) {
        OpenLoopLatency.Params p = params(mode, 0);
        return "OpenLoopLatency: " + String.format("%,d", p.rate()) + " requests/s offered ("
                + Math.round(p.getRatio() * 100) + "% GET, the rest SET) over " + String.format("%,d", p.keys())
                + " preloaded keys with " + p.valueSize() + "-byte values, " + p.connections() + " connections, "
                + p.warmup().toSeconds() + " s warm-up, " + p.duration().toSeconds() + " s measured";
    }

    @Override
    public List<Reading> run(ServerProcess server, Mode mode, Binaries bin) throws Exception {
        Figures f = OpenLoopLatency.run(params(mode, server.port()));
        return DriverReadings.of(f, SHOWN);
    }
}
