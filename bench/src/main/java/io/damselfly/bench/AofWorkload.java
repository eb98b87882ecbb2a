package io.damselfly.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code aof}: what the append-only file costs writes, and whether both servers log the same
 * bytes. Both servers start with {@code appendonly yes} and the default {@code appendfsync
 * everysec}, each in a fresh empty directory (fresh servers each round); redis-benchmark runs SET,
 * INCR and LPUSH with 50 clients over 100,000 random keys, one request at a time and pipelined 16
 * deep, at get-set's sizes; then, with {@code CONFIG SET appendfsync always}, a short unpipelined
 * SET, which waits for the disk on every event-loop pass. Figures: ops/s and p99 per test as
 * redis-benchmark reports them, and the bytes of the AOF directory's files once the run's writes
 * are out of the server's buffer.
 *
 * <p>The usual warm-up ({@link Workload#warmUp}) ends unpipelined, so that the first measured
 * test is not taken right after a pipelined burst.
 *
 * <p>Why the bytes should match: SET, INCR and LPUSH go to the AOF as sent (Redis 7.0 propagates
 * them verbatim), redis-benchmark's keys have a fixed length ({@code key:} and 12 digits), and both
 * servers write Redis 7.0's multi-part AOF, so the incr files hold the same commands in the same
 * form; only the base file (an RDB image of the empty keyspace, whose aux fields differ) and the
 * manifest could differ, by some bytes (in the first quick run the totals were equal to the
 * byte). The total includes the warm-up's SETs and the FLUSHALL before the run, the same for both.
 *
 * <p>Automatic rewrites are off on both ({@code auto-aof-rewrite-percentage 0}): a full run logs
 * about 150 MB a round, past the 64 MB at which the default would start a rewrite at a moment
 * that differs between the servers, and the bytes on disk would then be a rewrite's timing, not
 * what the writes logged. The rewrite itself is left to a workload of its own.
 */
final class AofWorkload implements Workload {
    static final int CLIENTS = GetSetWorkload.CLIENTS;
    static final int KEYSPACE = GetSetWorkload.KEYSPACE;
    static final int PIPELINE = GetSetWorkload.PIPELINE;
    /** redis-benchmark's titles for {@code -t set,incr,lpush}, in the order it runs them. */
    static final List<String> TESTS = List.of("SET", "INCR", "LPUSH");
    static final long TIMEOUT_MILLIS = GetSetWorkload.TIMEOUT_MILLIS;
    /** Redis's default appenddirname: where both servers keep the AOF inside their --dir. */
    static final String AOF_DIR = "appendonlydir";
    /**
     * How long the bytes wait for the server's AOF buffer to empty after the load: Redis postpones
     * an everysec write while the last fsync is still running, for at most 2 s (aof.c), so 5 s is
     * past any postponement.
     */
    static final long DRAIN_TIMEOUT_MILLIS = 5_000;
    /** The goal: SET with the AOF on (everysec) keeps at least this share of redis-server's throughput. */
    static final double SET_GOAL = 0.9;

    @Override
    public String name() {
        return "aof";
    }

    @Override
    public ServerSettings settings(Mode mode) {
        return ServerSettings.bothWith("appendonly", "yes", "appendfsync", "everysec", "auto-aof-rewrite-percentage", "0");
    }

    @Override
    public boolean freshServersEachRound() {
        return true; // each round's AOF starts from an empty directory, so its bytes are that round's alone
    }

    @Override
    public List<Goal> goals() {
        return List.of(new Goal("SET ops/s", SET_GOAL, "unpipelined SET with appendonly yes (everysec) at least"
                + " 0.9x redis-server's throughput"));
    }

    private static List<String> args(Mode mode, int pipeline) {
        return List.of("-t", "set,incr,lpush", "-c", Integer.toString(CLIENTS), "-r", Integer.toString(KEYSPACE),
                "-n", Long.toString(GetSetWorkload.requests(mode, pipeline)), "-P", Integer.toString(pipeline));
    }

    /** The appendfsync always group: unpipelined SET only, short, as it waits for the disk. */
    private static List<String> alwaysArgs(Mode mode) {
        return List.of("-t", "set", "-c", Integer.toString(CLIENTS), "-r", Integer.toString(KEYSPACE),
                "-n", Long.toString(mode.pick(20_000, 50_000)));
    }

    @Override
    public String describe(Mode mode) {
        return "both with appendonly yes, appendfsync everysec, each in a fresh directory; after the usual warm-up (pipelined, then unpipelined SET/GET), `redis-benchmark --csv "
                + String.join(" ", args(mode, 1)) + "`, then `... " + String.join(" ", args(mode, PIPELINE))
                + "`, then after `CONFIG SET appendfsync always` `... " + String.join(" ", alwaysArgs(mode))
                + "` (3-byte values); ops/s, p99, and the AOF's bytes on disk after the run (the files in "
                + AOF_DIR + ", warm-up included)";
    }

    @Override
    public List<Reading> run(ServerProcess server, Mode mode, Binaries bin) throws Exception {
        List<Reading> readings = new ArrayList<>();
        for (int pipeline : new int[] {1, PIPELINE}) {
            RedisBenchmark.Result result = RedisBenchmark.run(bin, server.port(), args(mode, pipeline), TIMEOUT_MILLIS);
            readings.addAll(figures(result, TESTS, pipeline == 1 ? "" : " -P " + pipeline));
        }
        try (ServerConnection c = server.connect()) {
            c.callOk("CONFIG", "SET", "appendfsync", "always");
        }
        readings.addAll(figures(RedisBenchmark.run(bin, server.port(), alwaysArgs(mode), TIMEOUT_MILLIS),
                List.of("SET"), " always"));
        readings.add(bytesOnDisk(server));
        return readings;
    }

    /** ops/s and p99 of each of {@code tests} in {@code result}, named "TEST{suffix} ops/s"; missing ones say why. */
    static List<Reading> figures(RedisBenchmark.Result result, List<String> tests, String suffix) {
        List<Reading> readings = new ArrayList<>();
        for (String test : tests) {
            RedisBenchmark.Row row = result.row(test);
            String name = test + suffix;
            if (row == null) {
                String why = result.whyMissing();
                readings.add(Reading.missing(name + " ops/s", Better.HIGHER, why));
                readings.add(Reading.missing(name + " p99 ms", Better.LOWER, why));
            } else {
                readings.add(Reading.of(name + " ops/s", Better.HIGHER, row.rps()));
                readings.add(Reading.of(name + " p99 ms", Better.LOWER, row.p99Ms()));
            }
        }
        return readings;
    }

    /** The AOF's bytes on disk once the server's AOF buffer is empty (INFO aof_buffer_length 0). */
    private static Reading bytesOnDisk(ServerProcess server) throws IOException {
        String figure = "AOF bytes on disk";
        long deadline = System.nanoTime() + DRAIN_TIMEOUT_MILLIS * 1_000_000;
        try (ServerConnection c = server.connect()) {
            while (true) {
                Map<String, String> info = c.info("persistence");
                String buffered = info.get("aof_buffer_length");
                if (buffered == null) {
                    return Reading.missing(figure, Better.LOWER, "INFO persistence has no aof_buffer_length");
                }
                if (buffered.equals("0")) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    return Reading.missing(figure, Better.LOWER, "AOF buffer still " + buffered + " bytes after "
                            + DRAIN_TIMEOUT_MILLIS / 1000 + " s");
                }
                ServerProcess.sleep(50);
            }
        }
        try {
            return Reading.of(figure, Better.LOWER, aofBytes(server.dir()));
        } catch (IOException e) {
            return Reading.missing(figure, Better.LOWER, e.getMessage());
        }
    }

    /** The summed size of the files in {@code serverDir}/appendonlydir (manifest, base and incr files). */
    static long aofBytes(Path serverDir) throws IOException {
        Path aof = serverDir.resolve(AOF_DIR);
        if (!Files.isDirectory(aof)) {
            throw new IOException("no " + AOF_DIR + " in " + serverDir);
        }
        try (Stream<Path> files = Files.list(aof)) {
            long sum = 0;
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    sum += Files.size(f);
                }
            }
            return sum;
        }
    }
}
