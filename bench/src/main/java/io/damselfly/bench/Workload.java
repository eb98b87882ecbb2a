package io.damselfly.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One named workload of {@code scripts/bench}: what it needs of the servers, and one measured run
 * against one server. The runner ({@link BenchRunner}) does the rest the same way for every
 * workload: it starts both servers, alternates redis and damselfly for {@link Mode#rounds}
 * rounds (part by part, see {@link #parts}), keeps the median of each figure and reports the
 * ratios.
 */
public interface Workload {
    /** The name used on the command line and in the table ("get-set"). */
    String name();

    /** What one run does with these settings, exactly enough to repeat it (shown in the results header). */
    String describe(Mode mode);

    /** Limits both servers run with. */
    default ServerSettings settings(Mode mode) {
        return ServerSettings.DEFAULT;
    }

    /**
     * The workload's name in the results table: {@link #name()} unless the two columns hold
     * something other than damselfly and redis-server as they start by default.
     */
    default String tableLabel() {
        return name();
    }

    /**
     * Starts the server of {@code kind} that this workload measures, ready for {@link #warmUp}: by
     * default one process with {@link #settings}. A workload that needs more around it (an
     * upstream, a relay) starts them here and hands them to {@link ServerProcess#closing}.
     */
    default ServerProcess start(ServerKind kind, Mode mode, Binaries bin) throws IOException {
        return ServerProcess.start(kind, settings(mode), bin);
    }

    /** What this workload is meant to show, checked against the table's ratios after the run (none by default). */
    default List<Goal> goals() {
        return List.of();
    }

    /**
     * A bound on one figure's ratio (oriented as in the table: above 1 favours damselfly).
     *
     * @param figure   the figure's name in the table ("GET p50 ms")
     * @param minRatio the ratio the figure must reach
     * @param meaning  what meeting it means, for people ("hits at least 10x faster at p50")
     */
    record Goal(String figure, double minRatio, String meaning) {}

    /**
     * True when each round gets freshly started servers: where state left by a run would skew the
     * next one (memory growth, eviction history), or where one process would stand for every
     * round (a process's placement on the cores sets its unpipelined speed for its whole life on
     * this 2-core machine, so five rounds on one pair would be one sample of it). Otherwise one
     * pair serves every round, emptied with FLUSHALL before each.
     */
    default boolean freshServersEachRound() {
        return false;
    }

    /**
     * Brings a freshly started server to steady state before anything is measured (JIT
     * compilation for damselfly; the same work is done on redis-server so both are treated alike).
     * The runner empties the server afterwards. By default a pipelined SET/GET burst, then the
     * same unpipelined.
     *
     * <p>Why both: the JIT compiles damselfly's request path for the traffic it has seen. After a
     * pipelined burst alone, the first connections closing (the burst's own, at its end) and the
     * first unpipelined requests take branches the compiled code left out, so it is thrown away
     * and compiled again (by hand, -XX:+PrintCompilation: about 100 methods within 250 ms, among
     * them the read path, the decoder and CommandExecutor.run); for the half second that takes,
     * unpipelined throughput was half its steady figure and the first measured run's p99 up to
     * twice the later runs'. After both shapes and one round of closed connections the first
     * measured run is like the rest.
     */
    default void warmUp(ServerProcess server, Mode mode, Binaries bin) throws Exception {
        RedisBenchmark.run(bin, server.port(), List.of("-t", "set,get", "-c", "50", "-P", "16",
                "-r", "100000", "-n", Long.toString(mode.pick(200_000, 500_000))), 60_000);
        RedisBenchmark.run(bin, server.port(), List.of("-t", "set,get", "-c", "50",
                "-r", "100000", "-n", Long.toString(mode.pick(50_000, 100_000))), 60_000);
    }

    /** One measured run against {@code server}, which is empty and warmed up. */
    List<Reading> run(ServerProcess server, Mode mode, Binaries bin) throws Exception;

    /**
     * How many parts a run is measured in: the runner measures each part on both servers, one
     * after the other, before the next part, so the two sides of a figure are measured seconds
     * apart instead of a whole run apart (a run of the suite is a minute or more, over which this
     * shared machine's speed drifts by more than the differences measured). Both servers of a
     * round are up while its parts run; each is emptied before the first part only, so later
     * parts see what earlier ones left, as in {@link #run}. One part by default.
     */
    default int parts(Mode mode) {
        return 1;
    }

    /**
     * Part {@code part} (from 0) of a run, what the runner calls; what {@link #run} does is every
     * part in order. By default the run is one part: the whole {@link #run}.
     */
    default List<Reading> runPart(int part, ServerProcess server, Mode mode, Binaries bin) throws Exception {
        return run(server, mode, bin);
    }

    /** Every part of {@code w}'s run in order: the {@link #run} of a workload measured in parts. */
    static List<Reading> everyPart(Workload w, ServerProcess server, Mode mode, Binaries bin) throws Exception {
        List<Reading> readings = new ArrayList<>();
        for (int part = 0; part < w.parts(mode); part++) {
            readings.addAll(w.runPart(part, server, mode, bin));
        }
        return readings;
    }
}
