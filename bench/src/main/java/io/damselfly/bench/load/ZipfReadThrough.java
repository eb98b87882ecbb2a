package io.damselfly.bench.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hit-ratio workload: a read-through cache client. Each request is GET key; on a miss (nil)
 * the client SETs the key to a value of the given size, as an application filling its cache from
 * a database would. Keys follow a scrambled Zipf distribution (exponent 0.99) over N keys "key:n";
 * against a server whose maxmemory holds about a tenth of them, the hit ratio shows how well its
 * eviction keeps the hot keys.
 *
 * <p>Measured, after a warm-up of {@code warmupRequests} GETs that is not counted: "hit ratio"
 * (GETs answered with a value / GETs), "ops/s" (GETs and SETs per second), "errors" (error replies,
 * for instance -OOM on a SET when the server refuses writes at maxmemory: counted, and the client
 * carries on, as a cache client would) and "warm-up errors" (the same during the warm-up).
 *
 * <p>By hand, against a server on port 6379:
 * <pre>
 * java -cp bench/target/damselfly-bench.jar io.damselfly.bench.load.ZipfReadThrough --port 6379 \
 *     --keys 1000000 --requests 2000000
 * </pre>
 */
public final class ZipfReadThrough {
    /*
     * The key trace (warm-up then measured) is drawn before anything is sent: the timed loop reads
     * an int array and does no random-number generation, and the same seed gives both servers the
     * very same sequence of keys. See ZipfSampler for the distribution and the scrambling.
     *
     * Pipelining: each connection sends a batch of up to `pipeline` GETs in one write, then reads
     * all their replies; the SETs for that batch's misses go at the head of the connection's next
     * batch (a real read-through client also sets after it has seen the miss). Batches are claimed
     * from a shared cursor, so connections finish together. With several connections the server
     * always has batches to work on while a client thread parses replies. This lock-step batching
     * is what redis-benchmark -P does.
     *
     * By default the server is flushed first (FLUSHALL), so every run starts from an empty cache
     * and repeated runs against the same server are alike.
     */

    static final String USAGE = """
            ZipfReadThrough: hit ratio and throughput of a read-through client over scrambled Zipf keys
              --host H              server address (127.0.0.1)
              --port P              server port (6379)
              --keys N              keyspace size; make it about 10x what fits in maxmemory (1000000)
              --value-size B        bytes per value (100)
              --connections C       connections, one thread each (4)
              --pipeline W          GETs per batch per connection (64)
              --warmup-requests M   GETs before measuring (N)
              --requests M          measured GETs (2N)
              --exponent S          Zipf exponent (0.99)
              --seed X              key trace seed (42)
              --flush true|false    FLUSHALL before the warm-up (true)
              --scan-share F        share of requests to one-off keys in sequence, a scan polluting the cache (0)""";

    /**
     * @param keys           N, the number of distinct keys "key:0" .. "key:(N-1)"
     * @param valueSize      bytes per value a miss SETs
     * @param connections    connections, each driven by its own thread
     * @param pipeline       GETs sent per batch on a connection before reading their replies
     * @param warmupRequests GETs run before measuring, not counted
     * @param requests       GETs measured
     * @param exponent       Zipf exponent
     * @param seed           seed of the key trace
     * @param flushFirst     whether to FLUSHALL before the warm-up
     */
    public record Params(String host, int port, int keys, int valueSize, int connections, int pipeline,
            int warmupRequests, int requests, double exponent, long seed, boolean flushFirst, double scanShare) {
        public Params {
            // fields are not yet assigned in a compact constructor: messages name the arguments
            if (keys < 1 || valueSize < 0 || connections < 1 || pipeline < 1 || warmupRequests < 0 || requests < 1) {
                throw new IllegalArgumentException(String.format(
                        "ZipfReadThrough wants keys, connections, pipeline, requests >= 1 and valueSize, warmupRequests >= 0;"
                                + " got keys=%d valueSize=%d connections=%d pipeline=%d warmupRequests=%d requests=%d",
                        keys, valueSize, connections, pipeline, warmupRequests, requests));
            }
            if (!(scanShare >= 0 && scanShare < 1)) {
                throw new IllegalArgumentException("scanShare must be in [0, 1), got " + scanShare);
            }
            if ((long) keys + (long) warmupRequests + requests > Integer.MAX_VALUE - 1_000_000L) {
                throw new IllegalArgumentException("keys plus warm-up plus measured requests must fit in an int");
            }
        }

        /** N keys, warm-up N, measured 2N, 100-byte values, 4 connections, batches of 64, s = 0.99. */
        public static Params defaults(String host, int port, int keys) {
            return new Params(host, port, keys, 100, 4, 64, keys, 2 * keys, ZipfSampler.DEFAULT_EXPONENT, 42, true, 0);
        }

        public Params withValueSize(int v) {
            return new Params(host, port, keys, v, connections, pipeline, warmupRequests, requests, exponent, seed, flushFirst, scanShare);
        }

        public Params withConnections(int v) {
            return new Params(host, port, keys, valueSize, v, pipeline, warmupRequests, requests, exponent, seed, flushFirst, scanShare);
        }

        public Params withPipeline(int v) {
            return new Params(host, port, keys, valueSize, connections, v, warmupRequests, requests, exponent, seed, flushFirst, scanShare);
        }

        public Params withRequests(int warmup, int measured) {
            return new Params(host, port, keys, valueSize, connections, pipeline, warmup, measured, exponent, seed, flushFirst, scanShare);
        }

        public Params withExponent(double v) {
            return new Params(host, port, keys, valueSize, connections, pipeline, warmupRequests, requests, v, seed, flushFirst, scanShare);
        }

        public Params withSeed(long v) {
            return new Params(host, port, keys, valueSize, connections, pipeline, warmupRequests, requests, exponent, v, flushFirst, scanShare);
        }

        /**
         * A scan-polluted trace: this share of the requests (0 for none) goes to one-off keys
         * "key:N", "key:N+1", ... in sequence (a crawler or a bulk import sharing the cache),
         * the rest to the Zipf keys; only the Zipf GETs count in the hit ratio.
         */
        public Params withScanShare(double v) {
            return new Params(host, port, keys, valueSize, connections, pipeline, warmupRequests, requests, exponent, seed, flushFirst, v);
        }

        public Params withFlushFirst(boolean v) {
            return new Params(host, port, keys, valueSize, connections, pipeline, warmupRequests, requests, exponent, seed, v, scanShare);
        }
    }

    private ZipfReadThrough() {
    }

    /** Runs the workload; figures "hit ratio", "ops/s", "errors", "warm-up errors". */
    public static Figures run(Params p) throws IOException, InterruptedException {
        int[] trace = ZipfSampler.scrambledTrace(p.keys(), p.exponent(), p.warmupRequests() + p.requests(), p.seed());
        pollute(trace, p.keys(), p.scanShare(), p.seed());
        byte[] value = RespSocket.bulkValue(p.valueSize());
        List<RespSocket> sockets = new ArrayList<>();
        try {
            for (int c = 0; c < p.connections(); c++) {
                sockets.add(RespSocket.connect(p.host(), p.port()));
            }
            if (p.flushFirst()) {
                sockets.get(0).callOk("FLUSHALL");
            }
            Counts warm = phase(sockets, trace, 0, p.warmupRequests(), p.pipeline(), value, p.keys());
            long start = System.nanoTime();
            Counts measured = phase(sockets, trace, p.warmupRequests(), trace.length, p.pipeline(), value, p.keys());
            double seconds = (System.nanoTime() - start) / 1e9;
            String firstError = measured.firstError() != null ? measured.firstError() : warm.firstError();
            if (firstError != null) {
                // the count is in the figures; the text says what kind of error it was
                System.err.printf("ZipfReadThrough: %d error replies (%d in warm-up), e.g. -%s%n",
                        warm.errors() + measured.errors(), warm.errors(), firstError);
            }
            return Figures.builder()
                    .add("hit ratio", (double) measured.hits() / measured.gets())
                    .add("ops/s", (measured.gets() + measured.others() + measured.sets()) / seconds)
                    .add("errors", measured.errors())
                    .add("warm-up errors", warm.errors())
                    .build();
        } finally {
            for (RespSocket s : sockets) {
                s.close();
            }
        }
    }

    /**
     * Makes a scan-polluted trace (see {@link Params#withScanShare}): each request becomes, with
     * probability {@code share}, the next one-off key after the Zipf keys ({@code keys}, {@code
     * keys + 1}, ...). The draws come from their own stream of the seed, so both servers get the
     * same trace and a share of 0 leaves the trace as it was.
     */
    static void pollute(int[] trace, int keys, double share, long seed) {
        if (share <= 0) {
            return;
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed ^ 0x5CA9_5CA9_5CA9_5CA9L);
        int next = keys;
        for (int i = 0; i < trace.length; i++) {
            if (random.nextDouble() < share) {
                trace[i] = next++;
            }
        }
    }

    /** Requests trace[from..to) over every connection and returns the summed counts. */
    private static Counts phase(List<RespSocket> sockets, int[] trace, int from, int to, int pipeline, byte[] value,
            int zipfKeys) throws IOException, InterruptedException {
        AtomicInteger cursor = new AtomicInteger(from);
        List<Callable<Counts>> tasks = new ArrayList<>();
        for (RespSocket s : sockets) {
            tasks.add(() -> drive(s, trace, cursor, to, pipeline, value, zipfKeys));
        }
        return Workers.runAll("zipf", tasks).stream().reduce(Counts.ZERO, Counts::plus);
    }

    /**
     * One connection's loop: claim a batch, send the previous batch's SETs and this batch's GETs,
     * read. GETs and hits count only keys below {@code zipfKeys} (a scan's one-off keys always
     * miss and would only dilute the ratio); SETs and ops/s count every request.
     */
    private static Counts drive(RespSocket s, int[] trace, AtomicInteger cursor, int end, int pipeline, byte[] value,
            int zipfKeys) throws IOException {
        long gets = 0;
        long hits = 0;
        long sets = 0;
        long errors = 0;
        long others = 0;
        String firstError = null;
        int[] misses = new int[pipeline];
        int[] nextMisses = new int[pipeline];
        int missCount = 0;
        while (true) {
            int from = Math.min(cursor.getAndAdd(pipeline), end);
            int to = Math.min(from + pipeline, end);
            if (from == to && missCount == 0) {
                break;
            }
            for (int m = 0; m < missCount; m++) {
                s.writeSet(misses[m], value);
            }
            for (int i = from; i < to; i++) {
                s.writeGet(trace[i]);
            }
            s.flush();
            for (int m = 0; m < missCount; m++) {
                RespSocket.Reply r = s.read();
                sets++;
                if (r == RespSocket.Reply.ERROR) {
                    errors++;
                    firstError = firstError != null ? firstError : s.error();
                } else if (r != RespSocket.Reply.STATUS) {
                    throw new IOException("unexpected reply to SET: " + r);
                }
            }
            int next = 0;
            for (int i = from; i < to; i++) {
                RespSocket.Reply r = s.read();
                boolean counted = trace[i] < zipfKeys;
                gets += counted ? 1 : 0;
                others += counted ? 0 : 1;
                switch (r) {
                    case BULK -> hits += counted ? 1 : 0;
                    case NIL -> nextMisses[next++] = trace[i];
                    case ERROR -> {
                        errors++;
                        firstError = firstError != null ? firstError : s.error();
                    }
                    default -> throw new IOException("unexpected reply to GET: " + r);
                }
            }
            int[] t = misses;
            misses = nextMisses;
            nextMisses = t;
            missCount = next;
        }
        return new Counts(gets, hits, sets, errors, others, firstError);
    }

    /** {@code gets} and {@code hits} of the Zipf keys; {@code others}: GETs of a scan's one-off keys. */
    private record Counts(long gets, long hits, long sets, long errors, long others, String firstError) {
        static final Counts ZERO = new Counts(0, 0, 0, 0, 0, null);

        Counts plus(Counts o) {
            return new Counts(gets + o.gets, hits + o.hits, sets + o.sets, errors + o.errors, others + o.others,
                    firstError != null ? firstError : o.firstError);
        }
    }

    public static void main(String[] args) throws Exception {
        Params p = Flags.parse(USAGE, args, f -> {
            int keys = f.integer("keys", 1_000_000);
            return new Params(f.string("host", "127.0.0.1"), f.integer("port", 6379), keys,
                    f.integer("value-size", 100), f.integer("connections", 4), f.integer("pipeline", 64),
                    f.integer("warmup-requests", keys), f.integer("requests", 2 * keys),
                    f.doubleValue("exponent", ZipfSampler.DEFAULT_EXPONENT), f.longValue("seed", 42),
                    f.bool("flush", true), f.doubleValue("scan-share", 0));
        });
        System.out.println(run(p));
    }
}
