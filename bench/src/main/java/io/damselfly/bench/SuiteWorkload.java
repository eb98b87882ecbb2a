package io.damselfly.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code suite}: redis-benchmark's whole default test suite, ops/s per test.
 *
 * <p>redis-benchmark exits at the first error reply, so the suite is run one test at a time
 * ({@code -t name}) in the default order on the same server (later tests see the state earlier
 * ones left, as in a default run: LPOP pops what LPUSH pushed). A test the server cannot run
 * shows why ("n/a (ERR unknown command)") instead of being dropped. The four LRANGE tests share
 * the one LPUSH that fills their list, so they run as one invocation, as in the default suite.
 */
final class SuiteWorkload implements Workload {
    /** A bound on one redis-benchmark invocation; LRANGE_600 at -n 100000 is the slowest. */
    static final long TIMEOUT_MILLIS = 300_000;

    /**
     * One invocation: the {@code -t} selector and the titles it prints. These are the tests, titles
     * and order of a default {@code redis-benchmark} run in Redis 7.0 (redis-benchmark.c; checked
     * against the output of redis-benchmark 7.0.15 with no -t).
     */
    record Test(String selector, List<String> titles) {
        Test(String selector, String title) {
            this(selector, List.of(title));
        }
    }

    static final List<Test> DEFAULT_SUITE = List.of(
            new Test("ping_inline", "PING_INLINE"),
            new Test("ping_mbulk", "PING_MBULK"),
            new Test("set", "SET"),
            new Test("get", "GET"),
            new Test("incr", "INCR"),
            new Test("lpush", "LPUSH"),
            new Test("rpush", "RPUSH"),
            new Test("lpop", "LPOP"),
            new Test("rpop", "RPOP"),
            new Test("sadd", "SADD"),
            new Test("hset", "HSET"),
            new Test("spop", "SPOP"),
            new Test("zadd", "ZADD"),
            new Test("zpopmin", "ZPOPMIN"),
            new Test("lrange_100,lrange_300,lrange_500,lrange_600", List.of(
                    "LPUSH (needed to benchmark LRANGE)",
                    "LRANGE_100 (first 100 elements)",
                    "LRANGE_300 (first 300 elements)",
                    "LRANGE_500 (first 500 elements)",
                    "LRANGE_600 (first 600 elements)")),
            new Test("mset", "MSET (10 keys)"));

    /** A pair per round: five placements of each server on the cores, not one (see Workload). */
    @Override
    public boolean freshServersEachRound() {
        return true;
    }

    /**
     * The usual warm-up, then every test of the suite once, unmeasured: each round's servers are
     * fresh, and the usual warm-up compiles only SET's and GET's paths, so without this the first
     * INCRs, LPUSHes or MSETs damselfly serves run in code the JIT has not compiled yet (by hand, a
     * quick run at 5342e15 had INCR at 0.64-0.65x in every round and MSET at 0.67-0.80x, against
     * 0.91-1.00x and 0.92-0.98x in the full runs, whose 100,000 requests a test hide most of it).
     */
    @Override
    public void warmUp(ServerProcess server, Mode mode, Binaries bin) throws Exception {
        Workload.super.warmUp(server, mode, bin);
        for (Test test : DEFAULT_SUITE) {
            RedisBenchmark.run(bin, server.port(), List.of("-t", test.selector(), "-c", "50",
                    "-n", Long.toString(mode.pick(20_000, 50_000))), TIMEOUT_MILLIS);
        }
    }

    @Override
    public String name() {
        return "suite";
    }

    private static long requests(Mode mode) {
        return mode.pick(20_000, 100_000);
    }

    @Override
    public String describe(Mode mode) {
        return "the default redis-benchmark suite (`redis-benchmark --csv -c 50 -n " + requests(mode)
                + "`), run as one `-t <test>` per test in the default order";
    }

    @Override
    public List<Reading> run(ServerProcess server, Mode mode, Binaries bin) throws Exception {
        return Workload.everyPart(this, server, mode, bin);
    }

    /** One test a part: each row's two servers are measured back to back. */
    @Override
    public int parts(Mode mode) {
        return DEFAULT_SUITE.size();
    }

    @Override
    public List<Reading> runPart(int part, ServerProcess server, Mode mode, Binaries bin) throws Exception {
        Test test = DEFAULT_SUITE.get(part);
        List<Reading> readings = new ArrayList<>();
        RedisBenchmark.Result result = RedisBenchmark.run(bin, server.port(),
                List.of("-t", test.selector(), "-c", "50", "-n", Long.toString(requests(mode))), TIMEOUT_MILLIS);
        for (String title : test.titles()) {
            RedisBenchmark.Row row = result.row(title);
            if (row != null) {
                readings.add(Reading.of(title + " ops/s", Better.HIGHER, row.rps()));
            } else {
                String why = result.whyMissing();
                readings.add(Reading.missing(title + " ops/s", Better.HIGHER, why));
            }
        }
        return readings;
    }
}
