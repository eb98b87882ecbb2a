package io.damselfly.bench.load;

import java.io.IOException;
import java.time.Duration;

/**
 * The cache-write workload: RSS under a cache-mode write load. With a memory limit M and eviction
 * on, how far does a server's resident memory go above M while it is sent three times M? SETs
 * distinct keys "cw:0", "cw:1", ... with V-byte values over C pipelined connections until the
 * values written add up to L bytes (3 x M unless told), so the server must evict about two thirds
 * of what it gets, and meanwhile samples the server process's VmRSS every 100 ms.
 *
 * <p>Figures ("MB" are MiB, as in maxmemory's "mb"): "maxmemory MB" (M, as given), "RSS at start
 * MB", "peak RSS MB" (the highest VmRSS sampled while loading), "peak RSS / maxmemory", "bound
 * 1.25 x M + 200 MB met" (1 when the peak stays within {@link #BOUND_FACTOR} x M +
 * {@link #BOUND_EXTRA_MB} MiB, else 0), "VmHWM MB" (the kernel's high-water mark of the process:
 * the peak however short, but since the process started), "load ops/s" (SETs answered per
 * second), "errors" (replies other than +OK, for instance -OOM from a server that refuses writes
 * instead of evicting: counted, and the load carries on), "keys at end" (DBSIZE), "evicted_keys"
 * (growth of INFO evicted_keys during the load) and "RSS samples".
 *
 * <p>By hand, against a server on port 6379 of this machine started with maxmemory 512mb and an
 * evicting policy (the process id is taken from INFO server when not given):
 * <pre>
 * java -cp bench/target/damselfly-bench.jar io.damselfly.bench.load.CacheWriteLoad --port 6379 \
 *     --maxmemory-mb 512
 * </pre>
 */
public final class CacheWriteLoad {
    /*
     * M is given, not read from the server: CONFIG GET maxmemory and INFO's maxmemory field are
     * not answered alike by every server, and the bound must be judged against the limit the
     * server was started with. Keys are distinct and never read, so under LRU every key is as old
     * as its write and eviction takes the earliest: what is measured is the memory of a server
     * that is full and turning its contents over, not which keys it keeps.
     *
     * The load is PipelinedLoader's: a writer that never waits for replies, so the server always
     * has writes queued and is held at its limit as hard as it can take; TCP bounds what is in
     * flight. The sampler runs in a thread of its own from just before the first SET to just after
     * the last reply, so the peak covers the load and little else; a rise and fall between two
     * samples is missed (VmHWM, reported beside it, is not).
     */

    static final String USAGE = """
            CacheWriteLoad: peak RSS of a server with maxmemory M under 3 x M of distinct-key writes
              --host H          server address (127.0.0.1)
              --port P          server port (6379)
              --pid PID         server process id, for /proc/PID/status (from INFO server)
              --maxmemory-mb M  the server's maxmemory, MiB (512)
              --load-mb L       value bytes to write, MiB (3 x M)
              --value-size B    bytes per value (1024)
              --connections C   loading connections (4)
              --sample-ms S     VmRSS sampling period, milliseconds (100)""";

    /** The bound on peak RSS is BOUND_FACTOR x maxmemory + BOUND_EXTRA_MB MiB. */
    public static final double BOUND_FACTOR = 1.25;
    public static final long BOUND_EXTRA_MB = 200;
    /** The figure that says whether the peak stayed within the bound: 1 or 0. */
    public static final String BOUND_MET = "bound " + BOUND_FACTOR + " x M + " + BOUND_EXTRA_MB + " MB met";
    /** Value bytes written by default, as a multiple of maxmemory. */
    public static final int LOAD_FACTOR = 3;
    /** Keys are "cw:0", "cw:1", ...: apart from the other drivers' "key:n". */
    public static final String KEY_PREFIX = "cw:";

    private static final double MIB = 1024 * 1024;

    /**
     * @param pid            the server's process id, whose VmRSS is sampled; 0 or less: ask INFO server
     * @param maxmemoryBytes M, the server's maxmemory, which the peak is judged against
     * @param loadBytes      L, value bytes to write: the load is ceil(L / valueSize) SETs
     * @param valueSize      bytes per value
     * @param connections    loading connections, each with a writer and a reader thread
     * @param samplePeriod   time between two VmRSS samples
     */
    public record Params(String host, int port, long pid, long maxmemoryBytes, long loadBytes, int valueSize,
            int connections, Duration samplePeriod) {
        public Params {
            // fields are not yet assigned in a compact constructor: messages name the arguments
            if (maxmemoryBytes < 1 || loadBytes < 1 || valueSize < 1 || connections < 1
                    || samplePeriod.isNegative() || samplePeriod.isZero()) {
                throw new IllegalArgumentException(String.format(
                        "CacheWriteLoad wants maxmemoryBytes, loadBytes, valueSize, connections >= 1 and samplePeriod > 0;"
                                + " got maxmemoryBytes=%d loadBytes=%d valueSize=%d connections=%d samplePeriod=%s",
                        maxmemoryBytes, loadBytes, valueSize, connections, samplePeriod));
            }
        }

        /** 3 x M of 1024-byte values over 4 connections, VmRSS sampled every 100 ms. */
        public static Params defaults(String host, int port, long pid, long maxmemoryBytes) {
            return new Params(host, port, pid, maxmemoryBytes, LOAD_FACTOR * maxmemoryBytes, 1024, 4,
                    Duration.ofMillis(100));
        }

        public Params withLoadBytes(long v) {
            return new Params(host, port, pid, maxmemoryBytes, v, valueSize, connections, samplePeriod);
        }

        public Params withValueSize(int v) {
            return new Params(host, port, pid, maxmemoryBytes, loadBytes, v, connections, samplePeriod);
        }

        public Params withConnections(int v) {
            return new Params(host, port, pid, maxmemoryBytes, loadBytes, valueSize, v, samplePeriod);
        }

        public Params withSamplePeriod(Duration v) {
            return new Params(host, port, pid, maxmemoryBytes, loadBytes, valueSize, connections, v);
        }

        /** SETs in the load: enough values to reach {@code loadBytes}. */
        public long keys() {
            return (loadBytes + valueSize - 1) / valueSize;
        }

        /** The peak RSS the server should stay within, in bytes. */
        public long boundBytes() {
            return (long) (BOUND_FACTOR * maxmemoryBytes) + BOUND_EXTRA_MB * (long) MIB;
        }
    }

    private CacheWriteLoad() {
    }

    /** Runs the workload; figures as listed in the class comment, in that order. */
    public static Figures run(Params p) throws IOException, InterruptedException {
        try (RespSocket admin = RespSocket.connect(p.host(), p.port())) {
            long pid = p.pid() > 0 ? p.pid() : admin.infoInteger("server", "process_id");
            long rssAtStart = ResidentMemory.bytes(pid);
            long evictedBefore = admin.infoInteger("stats", "evicted_keys");

            PipelinedLoader.Outcome load;
            ResidentMemory.Peak rss;
            try (ResidentMemory.Watch watch = ResidentMemory.watch(pid, p.samplePeriod())) {
                load = PipelinedLoader.load(p.host(), p.port(), KEY_PREFIX, 0, p.keys(), p.valueSize(), p.connections());
                rss = watch.stop();
            }

            long keysAtEnd = admin.callInteger("DBSIZE");
            long evicted = admin.infoInteger("stats", "evicted_keys") - evictedBefore;
            long highWater = ResidentMemory.highWaterBytes(pid);
            if (load.failures() > 0) {
                // the count is in the figures; the text says what kind of error it was
                System.err.printf("CacheWriteLoad: %d of %d SETs were not answered +OK, e.g. %s%n",
                        load.failures(), p.keys(), load.firstFailure());
            }
            return Figures.builder()
                    .add("maxmemory MB", p.maxmemoryBytes() / MIB)
                    .add("RSS at start MB", rssAtStart / MIB)
                    .add("peak RSS MB", rss.peakBytes() / MIB)
                    .add("peak RSS / maxmemory", (double) rss.peakBytes() / p.maxmemoryBytes())
                    .add(BOUND_MET, rss.peakBytes() <= p.boundBytes() ? 1 : 0)
                    .add("VmHWM MB", highWater / MIB)
                    .add("load ops/s", p.keys() / (load.nanos() / 1e9))
                    .add("errors", load.failures())
                    .add("keys at end", keysAtEnd)
                    .add("evicted_keys", evicted)
                    .add("RSS samples", rss.samples())
                    .build();
        }
    }

    public static void main(String[] args) throws Exception {
        Params p = Flags.parse(USAGE, args, f -> {
            long maxmemory = f.longValue("maxmemory-mb", 512) * (long) MIB;
            return new Params(f.string("host", "127.0.0.1"), f.integer("port", 6379), f.longValue("pid", 0),
                    maxmemory, f.longValue("load-mb", LOAD_FACTOR * maxmemory / (long) MIB) * (long) MIB,
                    f.integer("value-size", 1024), f.integer("connections", 4),
                    Duration.ofMillis(f.longValue("sample-ms", 100)));
        });
        System.out.println(run(p));
    }
}
