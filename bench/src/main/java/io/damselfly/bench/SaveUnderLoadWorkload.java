package io.damselfly.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code save-under-load}: what a background save costs the clients being served. Both servers
 * hold N keys with 100-byte values; redis-benchmark's SET and GET (50 clients, one request at a
 * time, over the same keys) run once with no save and once while BGSAVEs run back to back, each
 * started as soon as the last ended, so the whole measured run is under a save. redis-server saves
 * in a forked child; damselfly saves a point-in-time snapshot on a thread of its own, without fork.
 *
 * <p>The figure that matters is each server's p99 during the save against its own p99 without
 * one (the bound: within 2x); the save's length and its copy-on-write peak (INFO
 * rdb_last_cow_size: pages copied by the fork for redis-server, chunks captured by writes ahead of
 * the walk for damselfly) show what the save itself took.
 *
 * <p>Two passes per freshly started server, over the same keys. The first has the first saves
 * after the start: damselfly's JIT compiles the save's code while they run (about 370
 * compilations), and they cost it up to three times what later saves cost; its ratios are shown as
 * the "first saves" rows. The second measures the saves of a server that has saved before, as a
 * server with scheduled saves does for all but its first; the bound is read there. Before both,
 * the load runs once unmeasured: damselfly's p99 right after the pipelined preload is up to 2.5x
 * its p99 a few seconds later (SET 1.3-1.8 ms in the first two seconds, 0.5 ms from the fourth;
 * the JIT recompiling the request path for unpipelined traffic, see {@link Workload#warmUp}, and
 * the kernel migrating its loop threads 600-900 times a second at first and under 20 later),
 * which would make the quiet figure, and so the ratio, depend on how soon it is taken.
 */
final class SaveUnderLoadWorkload implements Workload {
    static final int VALUE_SIZE = 100;
    static final int CLIENTS = 50;
    static final long TIMEOUT_MILLIS = 300_000;

    @Override
    public String name() {
        return "save-under-load";
    }

    private static int keys(Mode mode) {
        return (int) mode.pick(200_000, 1_000_000);
    }

    private static List<String> args(Mode mode) {
        return List.of("-t", "set,get", "-c", Integer.toString(CLIENTS), "-r", Integer.toString(keys(mode)),
                "-d", Integer.toString(VALUE_SIZE), "-n", Long.toString(mode.pick(100_000, 400_000)));
    }

    @Override
    public String describe(Mode mode) {
        return "about " + String.format("%,d", keys(mode) * 95 / 100) + " keys (redis-benchmark SET of 3N random of N) with " + VALUE_SIZE + "-byte values; `redis-benchmark --csv "
                + String.join(" ", args(mode)) + "` once unmeasured, then twice (first saves after start, then later saves)"
                + " once without a save and once while BGSAVE runs back to back; p99 with the save over p99 without, per server";
    }

    @Override
    public boolean freshServersEachRound() {
        return true;
    }

    @Override
    public List<Reading> run(ServerProcess server, Mode mode, Binaries bin) throws Exception {
        // the preload writes the names redis-benchmark -r uses ("key:" and 12 digits): three random
        // draws per key leave about 95% of them present
        RedisBenchmark.run(bin, server.port(), List.of("-t", "set", "-c", "8", "-P", "32", "-d", Integer.toString(VALUE_SIZE),
                "-r", Integer.toString(keys(mode)), "-n", Long.toString(3L * keys(mode))), TIMEOUT_MILLIS);
        RedisBenchmark.run(bin, server.port(), args(mode), TIMEOUT_MILLIS);
        List<Reading> readings = new ArrayList<>();
        Pass first = pass(server, bin, args(mode));
        for (String test : List.of("SET", "GET")) {
            readings.add(first.ratio(test, test + " p99 first saves after start / without"));
        }
        Pass pass = pass(server, bin, args(mode));
        for (String test : List.of("SET", "GET")) {
            RedisBenchmark.Row without = pass.quiet().row(test);
            RedisBenchmark.Row with = pass.saving().row(test);
            if (without == null || with == null) {
                readings.add(pass.ratio(test, test + " p99 during save / without"));
                continue;
            }
            readings.add(Reading.of(test + " p99 ms without save", Better.LOWER, without.p99Ms()));
            readings.add(Reading.of(test + " p99 ms during save", Better.LOWER, with.p99Ms()));
            readings.add(pass.ratio(test, test + " p99 during save / without"));
            readings.add(Reading.of(test + " ops/s during save", Better.HIGHER, with.rps()));
        }
        Saver saver = pass.saver();
        if (saver.failure.get() != null) {
            readings.add(Reading.missing("saves", Better.HIGHER, saver.failure.get()));
        } else {
            readings.add(Reading.of("saves", Better.HIGHER, saver.saves));
            readings.add(Reading.of("save s", Better.LOWER, saver.saves == 0 ? 0 : saver.savingMillis / 1000.0 / saver.saves));
            readings.add(Reading.of("cow MB (last save)", Better.LOWER, saver.lastCowBytes / 1_048_576.0));
        }
        return readings;
    }

    /** One pass: the load without a save, then with saves back to back, and the saver's account. */
    private record Pass(RedisBenchmark.Result quiet, RedisBenchmark.Result saving, Saver saver) {
        /** {@code test}'s p99 during the saves over its p99 without, as the reading {@code figure}. */
        Reading ratio(String test, String figure) {
            RedisBenchmark.Row without = quiet.row(test);
            RedisBenchmark.Row with = saving.row(test);
            if (without == null || with == null) {
                String why = quiet.failure() != null ? quiet.failure() : saving.whyMissing();
                return Reading.missing(figure, Better.LOWER, why);
            }
            return Reading.of(figure, Better.LOWER, with.p99Ms() / without.p99Ms());
        }
    }

    /** Runs {@code load} once without a save and once under back-to-back saves. */
    private static Pass pass(ServerProcess server, Binaries bin, List<String> load) throws Exception {
        RedisBenchmark.Result quiet = RedisBenchmark.run(bin, server.port(), load, TIMEOUT_MILLIS);
        Saver saver = new Saver(server);
        Thread t = new Thread(saver, "bench-saver");
        t.start();
        try {
            return new Pass(quiet, RedisBenchmark.run(bin, server.port(), load, TIMEOUT_MILLIS), saver);
        } finally {
            saver.stop = true;
            t.join();
        }
    }

    /** Starts a BGSAVE whenever none runs, until stopped; counts completed saves and their time. */
    private static final class Saver implements Runnable {
        private final ServerProcess server;
        volatile boolean stop;
        final AtomicReference<String> failure = new AtomicReference<>();
        long saves;
        long savingMillis;
        long lastCowBytes;

        Saver(ServerProcess server) {
            this.server = server;
        }

        @Override
        public void run() {
            try (ServerConnection c = server.connect()) {
                long savesBefore = Long.parseLong(c.info("persistence").get("rdb_saves"));
                while (!stop) {
                    long started = System.nanoTime();
                    c.callOk("BGSAVE");
                    Map<String, String> info;
                    do {
                        Thread.sleep(10);
                        info = c.info("persistence");
                    } while ("1".equals(info.get("rdb_bgsave_in_progress")));
                    if (!"ok".equals(info.get("rdb_last_bgsave_status"))) {
                        failure.set("BGSAVE failed (rdb_last_bgsave_status " + info.get("rdb_last_bgsave_status") + ")");
                        return;
                    }
                    long done = Long.parseLong(info.get("rdb_saves")) - savesBefore;
                    if (done > saves) {
                        saves = done;
                        savingMillis += (System.nanoTime() - started) / 1_000_000;
                        lastCowBytes = Long.parseLong(info.getOrDefault("rdb_last_cow_size", "0"));
                    }
                }
            } catch (Exception e) {
                failure.set(e.toString());
            }
        }
    }
}
