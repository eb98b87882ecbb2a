package io.damselfly.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code get-set}: redis-benchmark's SET and GET with 50 clients over 100,000 random keys, first
 * one request at a time per client, then pipelined 16 deep; ops/s, p50 and p99 as redis-benchmark
 * reports them.
 *
 * <p>{@code get-set-1io} runs the same with damselfly on one I/O thread ({@code --conn_io_threads
 * 1}). On a 2-core machine redis-benchmark takes one core, so damselfly's default of one event
 * loop per core makes its two loops compete with the client for cores, which single-threaded
 * redis-server does not; one loop is the like-for-like setting here. The default stays one loop
 * per core because that is right in production, where clients run on other machines.
 *
 * <p>{@code get-set-nostats} runs it with damselfly's command statistics and latency recording
 * off ({@code --command_statistics=false}): its damselfly figures against get-set's, from the same
 * run, are what the statistics cost.
 */
final class GetSetWorkload implements Workload {
    static final int CLIENTS = 50;
    static final int KEYSPACE = 100_000;
    static final int PIPELINE = 16;
    static final List<String> TESTS = List.of("SET", "GET");
    /** A bound on one redis-benchmark invocation; the largest (full, unpipelined) takes seconds. */
    static final long TIMEOUT_MILLIS = 180_000;

    private final String name;
    private final ServerSettings settings;

    /** The default servers. */
    GetSetWorkload() {
        this("get-set", ServerSettings.DEFAULT);
    }

    private GetSetWorkload(String name, ServerSettings settings) {
        this.name = name;
        this.settings = settings;
    }

    /** The same workload with damselfly on one event loop. */
    static GetSetWorkload oneIoThread() {
        return new GetSetWorkload("get-set-1io", ServerSettings.damselflyWith("--conn_io_threads", "1"));
    }

    /** The same workload with damselfly's command statistics off, to show what they cost. */
    static GetSetWorkload withoutStatistics() {
        return new GetSetWorkload("get-set-nostats", ServerSettings.damselflyWith("--command_statistics=false"));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ServerSettings settings(Mode mode) {
        return settings;
    }

    private static long requests(Mode mode, int pipeline) {
        return pipeline == 1 ? mode.pick(50_000, 200_000) : mode.pick(200_000, 1_000_000);
    }

    private static List<String> args(Mode mode, int pipeline) {
        return List.of("-t", "set,get", "-c", Integer.toString(CLIENTS), "-r", Integer.toString(KEYSPACE),
                "-n", Long.toString(requests(mode, pipeline)), "-P", Integer.toString(pipeline));
    }

    @Override
    public String describe(Mode mode) {
        return "`redis-benchmark --csv " + String.join(" ", args(mode, 1)) + "`, then `... "
                + String.join(" ", args(mode, PIPELINE)) + "` (3-byte values)";
    }

    @Override
    public List<Reading> run(ServerProcess server, Mode mode, Binaries bin) throws Exception {
        List<Reading> readings = new ArrayList<>();
        for (int pipeline : new int[] {1, PIPELINE}) {
            RedisBenchmark.Result result = RedisBenchmark.run(bin, server.port(), args(mode, pipeline), TIMEOUT_MILLIS);
            String suffix = pipeline == 1 ? "" : " -P " + pipeline;
            for (String test : TESTS) {
                RedisBenchmark.Row row = result.row(test);
                String name = test + suffix;
                if (row == null) {
                    String why = result.failure() != null ? result.failure() : "not reported";
                    readings.add(Reading.missing(name + " ops/s", Better.HIGHER, why));
                    readings.add(Reading.missing(name + " p50 ms", Better.LOWER, why));
                    readings.add(Reading.missing(name + " p99 ms", Better.LOWER, why));
                } else {
                    readings.add(Reading.of(name + " ops/s", Better.HIGHER, row.rps()));
                    readings.add(Reading.of(name + " p50 ms", Better.LOWER, row.p50Ms()));
                    readings.add(Reading.of(name + " p99 ms", Better.LOWER, row.p99Ms()));
                }
            }
        }
        return readings;
    }
}
