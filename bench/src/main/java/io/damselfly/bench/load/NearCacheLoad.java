package io.damselfly.bench.load;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * The near-cache workload's client: an application reading hot keys and writing some of them,
 * one request at a time per connection (no pipelining: each request waits for its reply, as a
 * web request handler waits for its cache). GETs and SETs over a preloaded keyspace "key:0" ..
 * "key:(N-1)" with scrambled Zipf-distributed keys, a fixed share of them SETs.
 *
 * <p>Measured, after a warm-up that is not counted: "GET p50 ms", "GET p90 ms", "GET p99 ms",
 * "SET p50 ms", "SET p99 ms" (each request from its write to its reply), "ops/s" (replies per
 * second over the measured phase), "requests" (measured replies), "errors" (error replies,
 * counted, the client carries on) and "nil GETs" (GETs answered nil: every key is preloaded and
 * only ever SET again, so any is a wrong answer).
 *
 * <p>Bounded in count and in time: each phase ends after its number of requests or its time
 * limit, whichever comes first ("requests" shows which).
 *
 * <p>By hand, against a server on port 6379:
 * <pre>
 * java -cp bench/target/damselfly-bench.jar io.damselfly.bench.load.NearCacheLoad --port 6379 \
 *     --keys 10000 --requests 40000
 * </pre>
 */
public final class NearCacheLoad {
    /*
     * The trace (key and GET/SET per request, warm-up then measured) is drawn before anything is
     * sent, from the seed, so every server gets the very same sequence and the timed loop only
     * reads arrays. Connections claim the next request from one shared cursor, so which
     * connection sends which request varies, but the sequence of keys does not.
     *
     * Latency is timed around one write and its reply on a connection (closed loop). That is
     * right here: the question is how long an application waits for one read, at a load far below
     * what either path saturates at; an open-loop schedule (OpenLoopLatency) answers another
     * question, latency under a fixed offered rate.
     */

    static final String USAGE = """
            NearCacheLoad: unpipelined GET/SET over preloaded Zipf-distributed hot keys; latency per request
              --host H              server address (127.0.0.1)
              --port P              server port (6379)
              --keys N              keyspace, all preloaded (10000)
              --value-size B        bytes per value (100)
              --connections C       connections, one thread each (8)
              --set-share F         share of requests that are SETs (0.05)
              --warmup-requests M   requests before measuring (N)
              --requests M          measured requests (4N)
              --max-seconds S       time limit of each phase (60)
              --exponent S          Zipf exponent (0.99)
              --seed X              trace seed (42)
              --preload true|false  SET every key first, pipelined (true)""";

    /** Latencies above this are recorded as this; a minute is beyond any request of a run. */
    static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.MINUTES.toNanos(1);
    static final int SIGNIFICANT_DIGITS = 3;
    /** SETs per batch of the pipelined preload: a few round trips per thousand keys. */
    static final int PRELOAD_BATCH = 512;

    /**
     * @param keys           N, the number of distinct keys, all preloaded
     * @param valueSize      bytes per value, preloaded and SET
     * @param connections    connections, each driven by its own thread
     * @param setShare       share of requests that are SETs, in [0, 1]
     * @param warmupRequests requests before measuring, not counted
     * @param requests       measured requests
     * @param maxPhase       time limit of the warm-up, and again of the measured phase
     * @param exponent       Zipf exponent
     * @param seed           seed of the trace
     * @param preload        whether to SET every key before the warm-up
     */
    public record Params(String host, int port, int keys, int valueSize, int connections, double setShare,
            int warmupRequests, int requests, Duration maxPhase, double exponent, long seed, boolean preload) {
        public Params {
            if (keys < 1 || valueSize < 0 || connections < 1 || warmupRequests < 0 || requests < 1) {
                throw new IllegalArgumentException(String.format(
                        "NearCacheLoad wants keys, connections, requests >= 1 and valueSize, warmupRequests >= 0;"
                                + " got keys=%d valueSize=%d connections=%d warmupRequests=%d requests=%d",
                        keys, valueSize, connections, warmupRequests, requests));
            }
            if (!(setShare >= 0 && setShare <= 1)) {
                throw new IllegalArgumentException("setShare must be in [0, 1], got " + setShare);
            }
            if (maxPhase.isNegative() || maxPhase.isZero()) {
                throw new IllegalArgumentException("maxPhase must be positive, got " + maxPhase);
            }
            if ((long) warmupRequests + requests > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("warm-up plus measured requests must fit in an int");
            }
        }

        /** N keys, 100-byte values, 8 connections, 5% SETs, warm-up N, measured 4N, 60 s a phase, s = 0.99. */
        public static Params defaults(String host, int port, int keys) {
            return new Params(host, port, keys, 100, 8, 0.05, keys, 4 * keys, Duration.ofSeconds(60),
                    ZipfSampler.DEFAULT_EXPONENT, 42, true);
        }

        public Params withPort(int v) {
            return new Params(host, v, keys, valueSize, connections, setShare, warmupRequests, requests, maxPhase, exponent, seed, preload);
        }

        public Params withConnections(int v) {
            return new Params(host, port, keys, valueSize, v, setShare, warmupRequests, requests, maxPhase, exponent, seed, preload);
        }

        public Params withSetShare(double v) {
            return new Params(host, port, keys, valueSize, connections, v, warmupRequests, requests, maxPhase, exponent, seed, preload);
        }

        public Params withRequests(int warmup, int measured) {
            return new Params(host, port, keys, valueSize, connections, setShare, warmup, measured, maxPhase, exponent, seed, preload);
        }

        public Params withMaxPhase(Duration v) {
            return new Params(host, port, keys, valueSize, connections, setShare, warmupRequests, requests, v, exponent, seed, preload);
        }

        public Params withPreload(boolean v) {
            return new Params(host, port, keys, valueSize, connections, setShare, warmupRequests, requests, maxPhase, exponent, seed, v);
        }
    }

    /** Told when the measured phase starts and when it has ended: to read server counters around exactly it. */
    public interface MeasuredPhase {
        void starting() throws IOException;

        void ended() throws IOException;

        MeasuredPhase NONE = new MeasuredPhase() {
            @Override
            public void starting() {
            }

            @Override
            public void ended() {
            }
        };
    }

    private NearCacheLoad() {
    }

    /** Runs the workload; see the class comment for the figures. */
    public static Figures run(Params p) throws IOException, InterruptedException {
        return run(p, MeasuredPhase.NONE);
    }

    /** Runs the workload, telling {@code phase} when the measured requests start and end. */
    public static Figures run(Params p, MeasuredPhase phase) throws IOException, InterruptedException {
        Trace trace = Trace.of(p);
        byte[] value = RespSocket.bulkValue(p.valueSize());
        List<RespSocket> sockets = new ArrayList<>();
        try {
            for (int c = 0; c < p.connections(); c++) {
                sockets.add(RespSocket.connect(p.host(), p.port()));
            }
            if (p.preload()) {
                preload(sockets.get(0), p.keys(), value);
            }
            runPhase(sockets, trace, 0, p.warmupRequests(), p.maxPhase(), value);
            phase.starting();
            long start = System.nanoTime();
            Counts measured = runPhase(sockets, trace, p.warmupRequests(), p.warmupRequests() + p.requests(), p.maxPhase(), value);
            double seconds = (System.nanoTime() - start) / 1e9;
            phase.ended();
            if (measured.firstError != null) {
                System.err.printf("NearCacheLoad: %d error replies, e.g. -%s%n", measured.errors, measured.firstError);
            }
            long done = measured.gets.getTotalCount() + measured.sets.getTotalCount();
            return Figures.builder()
                    .add("GET p50 ms", percentileMs(measured.gets, 50))
                    .add("GET p90 ms", percentileMs(measured.gets, 90))
                    .add("GET p99 ms", percentileMs(measured.gets, 99))
                    .add("SET p50 ms", percentileMs(measured.sets, 50))
                    .add("SET p99 ms", percentileMs(measured.sets, 99))
                    .add("ops/s", done / seconds)
                    .add("requests", done)
                    .add("errors", measured.errors)
                    .add("nil GETs", measured.nils)
                    .build();
        } finally {
            for (RespSocket s : sockets) {
                s.close();
            }
        }
    }

    private static double percentileMs(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
    }

    /** SETs every key, pipelined in batches; an error reply fails the run (the keyspace would not be what it claims). */
    static void preload(RespSocket s, int keys, byte[] value) throws IOException {
        for (int from = 0; from < keys; from += PRELOAD_BATCH) {
            int to = Math.min(keys, from + PRELOAD_BATCH);
            for (int k = from; k < to; k++) {
                s.writeSet(k, value);
            }
            s.flush();
            for (int k = from; k < to; k++) {
                RespSocket.Reply r = s.read();
                if (r == RespSocket.Reply.ERROR) {
                    throw new IOException("preload: SET key:" + k + " answered -" + s.error());
                }
                if (r != RespSocket.Reply.STATUS) {
                    throw new IOException("preload: unexpected reply to SET key:" + k + ": " + r);
                }
            }
        }
    }

    /** Requests [from, to) of the trace over every connection, until done or {@code limit} has passed. */
    private static Counts runPhase(List<RespSocket> sockets, Trace trace, int from, int to, Duration limit, byte[] value)
            throws IOException, InterruptedException {
        AtomicInteger cursor = new AtomicInteger(from);
        long deadline = System.nanoTime() + limit.toNanos();
        List<Callable<Counts>> tasks = new ArrayList<>();
        for (RespSocket s : sockets) {
            tasks.add(() -> drive(s, trace, cursor, to, deadline, value));
        }
        Counts sum = new Counts();
        for (Counts c : Workers.runAll("near-cache", tasks)) {
            sum.add(c);
        }
        return sum;
    }

    /** One connection's loop: claim a request, send it, wait for its reply, record the time. */
    private static Counts drive(RespSocket s, Trace trace, AtomicInteger cursor, int end, long deadline, byte[] value)
            throws IOException {
        Counts counts = new Counts();
        while (true) {
            int i = cursor.getAndIncrement();
            long t0 = System.nanoTime();
            if (i >= end || t0 - deadline > 0) {
                return counts;
            }
            boolean set = trace.isSet[i];
            if (set) {
                s.writeSet(trace.key[i], value);
            } else {
                s.writeGet(trace.key[i]);
            }
            s.flush();
            RespSocket.Reply r = s.read();
            long took = Math.min(HIGHEST_TRACKABLE_NANOS, System.nanoTime() - t0);
            (set ? counts.sets : counts.gets).recordValue(took);
            switch (r) {
                case ERROR -> {
                    counts.errors++;
                    counts.firstError = counts.firstError != null ? counts.firstError : s.error();
                }
                case NIL -> counts.nils += set ? 0 : 1;
                case BULK, STATUS -> {
                }
                default -> throw new IOException("unexpected reply to " + (set ? "SET" : "GET") + ": " + r);
            }
        }
    }

    /** Key index and GET/SET of every request, warm-up then measured. */
    record Trace(int[] key, boolean[] isSet) {
        static Trace of(Params p) {
            int length = p.warmupRequests() + p.requests();
            int[] key = ZipfSampler.scrambledTrace(p.keys(), p.exponent(), length, p.seed());
            // its own stream of the seed, so the kinds are independent of the keys
            SplittableRandom random = new SplittableRandom(p.seed() ^ 0x5E75_5E75_5E75_5E75L);
            boolean[] isSet = new boolean[length];
            for (int i = 0; i < length; i++) {
                isSet[i] = random.nextDouble() < p.setShare();
            }
            return new Trace(key, isSet);
        }
    }

    /** One connection's (or the sum's) latencies and counts. */
    private static final class Counts {
        final Histogram gets = new Histogram(HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
        final Histogram sets = new Histogram(HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
        long errors;
        long nils;
        String firstError;

        void add(Counts o) {
            gets.add(o.gets);
            sets.add(o.sets);
            errors += o.errors;
            nils += o.nils;
            firstError = firstError != null ? firstError : o.firstError;
        }
    }

    public static void main(String[] args) throws Exception {
        Params p = Flags.parse(USAGE, args, f -> {
            int keys = f.integer("keys", 10_000);
            return new Params(f.string("host", "127.0.0.1"), f.integer("port", 6379), keys,
                    f.integer("value-size", 100), f.integer("connections", 8), f.doubleValue("set-share", 0.05),
                    f.integer("warmup-requests", keys), f.integer("requests", 4 * keys),
                    Duration.ofMillis(Math.round(f.doubleValue("max-seconds", 60) * 1000)),
                    f.doubleValue("exponent", ZipfSampler.DEFAULT_EXPONENT), f.longValue("seed", 42),
                    f.bool("preload", true));
        });
        System.out.println(run(p));
    }
}
