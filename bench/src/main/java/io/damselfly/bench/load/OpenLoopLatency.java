package io.damselfly.bench.load;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Latency at a fixed offered rate (open loop): requests are issued on a fixed schedule of
 * {@code rate} per second whatever the server does, a mix of GET and SET over a preloaded keyspace,
 * and each request's latency is counted from the time the schedule meant to send it.
 *
 * <p>Measured, after a warm-up that is not counted: "offered ops/s" (the rate), "achieved ops/s"
 * (measured replies per second), "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "errors" (error
 * replies) and "unfinished" (measured requests without a reply when the run was cut off). A server
 * that cannot keep up shows it twice: achieved falls below offered, and latencies grow with the
 * backlog.
 *
 * <p>By hand, against a server on port 6379:
 * <pre>
 * java -cp bench/target/damselfly-bench.jar io.damselfly.bench.load.OpenLoopLatency --port 6379 \
 *     --rate 50000 --duration 10
 * </pre>
 */
public final class OpenLoopLatency {
    /*
     * Coordinated omission (Gil Tene): a closed-loop client waits for each reply before sending
     * the next request, so while the server stalls it sends nothing and the stall shows up in one
     * sample instead of in every request that should have been sent meanwhile. Here request i has
     * an intended send time start + i / rate, fixed before the run; its latency is its reply's
     * arrival minus that time. If the sender falls behind (the server stops reading, TCP buffers
     * fill, the write blocks), every late request carries the delay, as in wrk2.
     *
     * Threads: one sender issues every request. When it wakes it sends all requests that are due
     * (one write per connection however many), so waking late costs latency, honestly counted, but
     * never the rate. Request i goes to connection i % C, so the j-th reply on connection c answers
     * request j * C + c and each connection's reader derives the intended time from its reply count:
     * no queue between sender and readers. Each reader records into its own HdrHistogram; they
     * are merged at the end. The sender sleeps with parkNanos, whose wake-up is late by tens of
     * microseconds; that delay is in every figure, for both servers alike, and matters only for
     * sub-100-microsecond percentiles.
     *
     * The end: the schedule lasts warm-up + duration. The run is cut off `grace` after the
     * schedule's end (the longer of the duration and one second): a server that cannot keep up
     * gets that long to work off its backlog. A measured request still unanswered then, sent or
     * not, is counted as "unfinished" and recorded at its latency so far, a lower bound, so a cut
     * off run cannot look faster than it was.
     */

    static final String USAGE = """
            OpenLoopLatency: latency percentiles at a fixed offered rate, corrected for coordinated omission
              --host H           server address (127.0.0.1)
              --port P           server port (6379)
              --rate R           requests per second offered (10000)
              --get-ratio F      fraction of requests that are GETs, the rest SETs (0.9)
              --keys N           keyspace, uniform (100000)
              --value-size B     bytes per value (100)
              --connections C    connections (4)
              --warmup S         seconds of schedule before measuring (2)
              --duration S       seconds measured (10)
              --preload true|false  SET every key before starting (true)
              --seed X           seed of the request mix (42)""";

    /** Requests of the mix precomputed, cycled through: 2^20, large enough to show no period. */
    private static final int MIX_SIZE = 1 << 20;
    /** Longest a reader waits for a reply before looking at the clock and the sender again. */
    private static final int READER_POLL_MILLIS = 20;
    /** Latencies above this are recorded as this; an hour is beyond any run. */
    private static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.HOURS.toNanos(1);
    /** Lead before the first intended send time, so readers are running before it. */
    private static final long START_LEAD_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int SIGNIFICANT_DIGITS = 3;
    /** Most requests the sender writes between looks at the clock: a few write buffers' worth. */
    private static final int MAX_BATCH = 4096;

    /**
     * @param rate        requests per second offered
     * @param getRatio    fraction of requests that are GET (the rest are SET)
     * @param keys        keys "key:0" .. "key:(keys-1)", chosen uniformly
     * @param valueSize   bytes per value, for the preload and for SETs
     * @param connections connections the requests are spread over, round robin
     * @param warmup      schedule run before measuring, not counted
     * @param duration    schedule measured
     * @param preload     whether to SET every key before the warm-up (so GETs hit)
     * @param seed        seed of the request mix
     */
    public record Params(String host, int port, int rate, double getRatio, int keys, int valueSize, int connections,
            Duration warmup, Duration duration, boolean preload, long seed) {
        public Params {
            // fields are not yet assigned in a compact constructor: messages name the arguments
            if (rate < 1 || !(getRatio >= 0 && getRatio <= 1) || keys < 1 || valueSize < 0 || connections < 1
                    || warmup.isNegative() || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(String.format(
                        "OpenLoopLatency wants rate, keys, connections >= 1, getRatio in [0, 1], valueSize >= 0,"
                                + " warmup >= 0, duration > 0; got rate=%d getRatio=%s keys=%d valueSize=%d"
                                + " connections=%d warmup=%s duration=%s",
                        rate, getRatio, keys, valueSize, connections, warmup, duration));
            }
        }

        /** 90% GET over 100,000 preloaded keys, 100-byte values, 4 connections, 2 s warm-up, 10 s. */
        public static Params defaults(String host, int port, int rate) {
            return new Params(host, port, rate, 0.9, 100_000, 100, 4, Duration.ofSeconds(2), Duration.ofSeconds(10),
                    true, 42);
        }

        public Params withGetRatio(double v) {
            return new Params(host, port, rate, v, keys, valueSize, connections, warmup, duration, preload, seed);
        }

        public Params withKeys(int v) {
            return new Params(host, port, rate, getRatio, v, valueSize, connections, warmup, duration, preload, seed);
        }

        public Params withValueSize(int v) {
            return new Params(host, port, rate, getRatio, keys, v, connections, warmup, duration, preload, seed);
        }

        public Params withConnections(int v) {
            return new Params(host, port, rate, getRatio, keys, valueSize, v, warmup, duration, preload, seed);
        }

        public Params withTimes(Duration warmupTime, Duration measuredTime) {
            return new Params(host, port, rate, getRatio, keys, valueSize, connections, warmupTime, measuredTime,
                    preload, seed);
        }

        public Params withPreload(boolean v) {
            return new Params(host, port, rate, getRatio, keys, valueSize, connections, warmup, duration, v, seed);
        }

        public Params withSeed(long v) {
            return new Params(host, port, rate, getRatio, keys, valueSize, connections, warmup, duration, preload, v);
        }
    }

    private OpenLoopLatency() {
    }

    /**
     * Runs the workload; figures "offered ops/s", "achieved ops/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms",
     * "max ms", "errors", "unfinished".
     */
    public static Figures run(Params p) throws IOException, InterruptedException {
        if (p.preload()) {
            PipelinedLoader.load(p.host(), p.port(), 0, p.keys(), p.valueSize(), 1);
        }
        Mix mix = Mix.of(p);
        byte[] value = RespSocket.bulkValue(p.valueSize());
        int c = p.connections();
        List<RespSocket> sockets = new ArrayList<>();
        ExecutorService pool = Workers.pool("open-loop", c + 1);
        try {
            for (int i = 0; i < c; i++) {
                sockets.add(RespSocket.connect(p.host(), p.port()));
            }
            Schedule schedule = Schedule.of(p); // after connecting, so connecting never makes it late
            AtomicLongArray sent = new AtomicLongArray(c);
            AtomicBoolean senderDone = new AtomicBoolean();
            List<Future<Reader>> readers = new ArrayList<>();
            for (int i = 0; i < c; i++) {
                Reader r = new Reader(sockets.get(i), i, c, schedule, sent, senderDone);
                readers.add(pool.submit(r::call));
            }
            Future<Void> sender = pool.submit(() -> send(sockets, schedule, mix, value, sent, senderDone));

            List<Reader> done = new ArrayList<>();
            for (Future<Reader> f : readers) {
                done.add(Workers.await(f)); // each returns by the cut-off at the latest
            }
            try {
                sender.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                // stuck writing to a server that stopped reading: closing the sockets frees it;
                // what it did not send is counted as unfinished
                for (RespSocket s : sockets) {
                    s.close();
                }
            } catch (ExecutionException e) {
                throw new IOException("the sender failed: " + e.getCause(), e.getCause());
            }
            return figures(p, schedule, done);
        } finally {
            pool.shutdownNow();
            for (RespSocket s : sockets) {
                s.close();
            }
        }
    }

    /** The sender: requests in schedule order, each written once due, until all are or the cut-off. */
    private static Void send(List<RespSocket> sockets, Schedule schedule, Mix mix, byte[] value, AtomicLongArray sent,
            AtomicBoolean done) throws IOException {
        int c = sockets.size();
        long[] sentOn = new long[c];
        boolean[] dirty = new boolean[c];
        long i = 0;
        try {
            while (i < schedule.total()) {
                long now = System.nanoTime();
                if (now - schedule.cutoff() > 0) {
                    break;
                }
                // a bounded batch, so a sender far behind still looks at the clock now and then
                long due = Math.min(Math.min(schedule.total(), schedule.dueBy(now)), i + MAX_BATCH);
                if (due <= i) {
                    LockSupport.parkNanos(schedule.intended(i) - now);
                    continue;
                }
                for (; i < due; i++) {
                    int conn = (int) (i % c);
                    int m = (int) (i & (MIX_SIZE - 1));
                    if (mix.isSet()[m]) {
                        sockets.get(conn).writeSet(mix.key()[m], value);
                    } else {
                        sockets.get(conn).writeGet(mix.key()[m]);
                    }
                    sentOn[conn]++;
                    dirty[conn] = true;
                }
                for (int k = 0; k < c; k++) {
                    if (dirty[k]) {
                        sockets.get(k).flush();
                        sent.set(k, sentOn[k]); // published after the write, so readers never wait for more
                        dirty[k] = false;
                    }
                }
            }
        } finally {
            done.set(true); // after the last sent.set: a reader that sees done sees the final counts
        }
        return null;
    }

    /** One connection's replies: each timed against its request's intended send time. */
    private static final class Reader {
        final RespSocket socket;
        final int index;
        final int connections;
        final Schedule schedule;
        final AtomicLongArray sent;
        final AtomicBoolean senderDone;
        final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
        long received;
        long measured;
        long errors;
        long lastCompletion;
        String firstError;

        Reader(RespSocket socket, int index, int connections, Schedule schedule, AtomicLongArray sent,
                AtomicBoolean senderDone) {
            this.socket = socket;
            this.index = index;
            this.connections = connections;
            this.schedule = schedule;
            this.sent = sent;
            this.senderDone = senderDone;
        }

        Reader call() throws IOException {
            while (true) {
                // done is read before sent: once the sender is done, sent is final
                if (senderDone.get() && received == sent.get(index)) {
                    return this;
                }
                if (System.nanoTime() - schedule.cutoff() > 0) {
                    return this;
                }
                if (!socket.awaitReply(READER_POLL_MILLIS)) {
                    continue;
                }
                RespSocket.Reply r = socket.read();
                long now = System.nanoTime();
                long request = received * connections + index;
                received++;
                if (request >= schedule.firstMeasured()) {
                    histogram.recordValue(Math.min(HIGHEST_TRACKABLE_NANOS, Math.max(0, now - schedule.intended(request))));
                    measured++;
                    lastCompletion = now;
                    if (r == RespSocket.Reply.ERROR) {
                        errors++;
                        firstError = firstError != null ? firstError : socket.error();
                    }
                }
            }
        }

        /** Records every measured request of this connection that got no reply, at its latency so far. */
        long recordUnfinished(long cutoff) {
            long unfinished = 0;
            for (long request = received * connections + index; request < schedule.total(); request += connections) {
                if (request >= schedule.firstMeasured()) {
                    long soFar = Math.max(0, cutoff - schedule.intended(request));
                    histogram.recordValue(Math.min(HIGHEST_TRACKABLE_NANOS, soFar));
                    unfinished++;
                }
            }
            return unfinished;
        }
    }

    private static Figures figures(Params p, Schedule schedule, List<Reader> readers) {
        Histogram all = new Histogram(HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
        long measured = 0;
        long errors = 0;
        long unfinished = 0;
        long lastCompletion = schedule.intended(schedule.firstMeasured());
        String firstError = null;
        for (Reader r : readers) {
            unfinished += r.recordUnfinished(schedule.cutoff());
            all.add(r.histogram);
            measured += r.measured;
            errors += r.errors;
            lastCompletion = Math.max(lastCompletion, r.lastCompletion);
            firstError = firstError != null ? firstError : r.firstError;
        }
        if (firstError != null) {
            System.err.printf("OpenLoopLatency: %d error replies, e.g. -%s%n", errors, firstError);
        }
        // at least the measured schedule's length: a server on time achieves the offered rate, not more
        double seconds = Math.max(p.duration().toNanos(), lastCompletion - schedule.intended(schedule.firstMeasured())) / 1e9;
        return Figures.builder()
                .add("offered ops/s", p.rate())
                .add("achieved ops/s", measured / seconds)
                .add("p50 ms", all.getValueAtPercentile(50) / 1e6)
                .add("p90 ms", all.getValueAtPercentile(90) / 1e6)
                .add("p99 ms", all.getValueAtPercentile(99) / 1e6)
                .add("p99.9 ms", all.getValueAtPercentile(99.9) / 1e6)
                .add("max ms", all.getMaxValue() / 1e6)
                .add("errors", errors)
                .add("unfinished", unfinished)
                .build();
    }

    /** When each request is meant to be sent: request i at start + i * period. */
    private record Schedule(long start, double periodNanos, long total, long firstMeasured, long cutoff) {
        static Schedule of(Params p) {
            double period = 1e9 / p.rate();
            long firstMeasured = Math.round(p.warmup().toNanos() / period);
            long total = firstMeasured + Math.max(1, Math.round(p.duration().toNanos() / period));
            long start = System.nanoTime() + START_LEAD_NANOS;
            long grace = Math.max(p.duration().toNanos(), TimeUnit.SECONDS.toNanos(1));
            long cutoff = start + (long) (total * period) + grace;
            return new Schedule(start, period, total, firstMeasured, cutoff);
        }

        long intended(long i) {
            return start + (long) (i * periodNanos);
        }

        /** How many requests are due by {@code now}: those with intended time at or before it. */
        long dueBy(long now) {
            long elapsed = now - start;
            return elapsed < 0 ? 0 : (long) (elapsed / periodNanos) + 1;
        }
    }

    /** The request mix: key and GET/SET for each slot, drawn before the run, cycled. */
    private record Mix(int[] key, boolean[] isSet) {
        static Mix of(Params p) {
            SplittableRandom random = new SplittableRandom(p.seed());
            int[] key = new int[MIX_SIZE];
            boolean[] isSet = new boolean[MIX_SIZE];
            for (int i = 0; i < MIX_SIZE; i++) {
                key[i] = random.nextInt(p.keys());
                isSet[i] = random.nextDouble() >= p.getRatio();
            }
            return new Mix(key, isSet);
        }
    }

    public static void main(String[] args) throws Exception {
        Params p = Flags.parse(USAGE, args, f -> new Params(f.string("host", "127.0.0.1"), f.integer("port", 6379),
                f.integer("rate", 10_000), f.doubleValue("get-ratio", 0.9), f.integer("keys", 100_000),
                f.integer("value-size", 100), f.integer("connections", 4),
                Duration.ofMillis(Math.round(f.doubleValue("warmup", 2) * 1000)),
                Duration.ofMillis(Math.round(f.doubleValue("duration", 10) * 1000)),
                f.bool("preload", true), f.longValue("seed", 42)));
        System.out.println(run(p));
    }
}
