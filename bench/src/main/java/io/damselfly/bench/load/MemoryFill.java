package io.damselfly.bench.load;

import java.io.IOException;
import java.time.Duration;

/**
 * The memory workload: what a key costs a server. Loads N keys "key:0" .. "key:(N-1)" with
 * V-byte values as fast as a pipelined socket takes them, and reports the growth of the server
 * process's resident memory (VmRSS in /proc/&lt;pid&gt;/status) and of INFO used_memory, per key.
 *
 * <p>Figures: "keys" (DBSIZE growth, which should be N), "bytes/key (RSS)" (RSS growth / N),
 * "bytes/key (used_memory)" (used_memory growth / N), "load ops/s" (SETs per second while
 * loading). Every SET must answer +OK; otherwise the run fails, since the figures would not
 * describe N keys.
 *
 * <p>By hand, against a server on port 6379 of this machine (the process id is taken from INFO
 * server when not given):
 * <pre>
 * java -cp bench/target/damselfly-bench.jar io.damselfly.bench.load.MemoryFill --port 6379 \
 *     --keys 1000000 --value-size 100
 * </pre>
 */
public final class MemoryFill {
    /**
     * When the "at rest" RSS is read, counted from the end of the load: a server idle this long
     * has done what it does when idle (jemalloc's decay purging, the JVM's periodic collection
     * and heap shrinking), so the second figure is what an idle server keeps.
     */
    public static final Duration AT_REST = Duration.ofSeconds(6);

    /**
     * Sleeps until {@link #AT_REST} after the load's end (the settle already slept included) and
     * reads RSS. A settle under a second (the bench's own tests) reads it at once: the figure is
     * then only a second reading, and the tests stay short.
     */
    static long restingRss(long pid, Duration settled) throws IOException, InterruptedException {
        if (settled.compareTo(Duration.ofSeconds(1)) >= 0) {
            Thread.sleep(Math.max(0, AT_REST.minus(settled).toMillis()));
        }
        return ResidentMemory.bytes(pid);
    }
    /*
     * Both servers are measured as they are: nothing is asked of damselfly (no GC is triggered),
     * only a short settle pause lets background work (jemalloc purging, a concurrent GC cycle)
     * happen before the second reading. RSS is what the operating system charges, so for the JVM it
     * includes heap that is committed but holds garbage, and what the collector chose to grow by;
     * used_memory is each server's own accounting (Redis: allocator bytes; damselfly: its estimate
     * of what entries cost). Both are reported because they answer different questions. The server
     * should be fresh and empty: keys already present would be overwritten, not added.
     */

    static final String USAGE = """
            MemoryFill: bytes per key (RSS and used_memory) after loading N keys
              --host H          server address (127.0.0.1)
              --port P          server port (6379)
              --pid PID         server process id, for /proc/PID/status (from INFO server)
              --keys N          keys to load (1000000)
              --value-size B    bytes per value (100)
              --connections C   loading connections (1)
              --settle MS       pause before the second reading, milliseconds (1000)""";

    /**
     * @param pid         the server's process id, whose VmRSS is read; 0 or less: ask INFO server
     * @param keys        N, keys loaded
     * @param valueSize   bytes per value
     * @param connections loading connections, each with a writer and a reader thread
     * @param settle      pause between the end of the load and the second reading
     */
    public record Params(String host, int port, long pid, int keys, int valueSize, int connections, Duration settle) {
        public Params {
            // fields are not yet assigned in a compact constructor: messages name the arguments
            if (keys < 1 || valueSize < 0 || connections < 1 || settle.isNegative()) {
                throw new IllegalArgumentException(String.format(
                        "MemoryFill wants keys, connections >= 1, valueSize >= 0, settle >= 0;"
                                + " got keys=%d valueSize=%d connections=%d settle=%s",
                        keys, valueSize, connections, settle));
            }
        }

        /** 1,000,000 keys of 100 bytes, one connection, one second's settle. */
        public static Params defaults(String host, int port, long pid) {
            return new Params(host, port, pid, 1_000_000, 100, 1, Duration.ofSeconds(1));
        }

        public Params withKeys(int v) {
            return new Params(host, port, pid, v, valueSize, connections, settle);
        }

        public Params withValueSize(int v) {
            return new Params(host, port, pid, keys, v, connections, settle);
        }

        public Params withConnections(int v) {
            return new Params(host, port, pid, keys, valueSize, v, settle);
        }

        public Params withSettle(Duration v) {
            return new Params(host, port, pid, keys, valueSize, connections, v);
        }
    }

    private MemoryFill() {
    }

    /** Runs the workload; figures "keys", "bytes/key (RSS)", "bytes/key (used_memory)", "load ops/s". */
    public static Figures run(Params p) throws IOException, InterruptedException {
        try (RespSocket admin = RespSocket.connect(p.host(), p.port())) {
            long pid = p.pid() > 0 ? p.pid() : admin.infoInteger("server", "process_id");
            long rssBefore = ResidentMemory.bytes(pid);
            long usedBefore = admin.infoInteger("memory", "used_memory");
            long keysBefore = admin.callInteger("DBSIZE");

            long nanos = PipelinedLoader.load(p.host(), p.port(), 0, p.keys(), p.valueSize(), p.connections());
            Thread.sleep(p.settle().toMillis());

            long rssAfter = ResidentMemory.bytes(pid);
            long usedAfter = admin.infoInteger("memory", "used_memory");
            long rssAtRest = restingRss(pid, p.settle());
            long added = admin.callInteger("DBSIZE") - keysBefore;
            if (added != p.keys()) {
                System.err.printf("MemoryFill: loaded %d keys but DBSIZE grew by %d; was the server empty?%n",
                        p.keys(), added);
            }
            return Figures.builder()
                    .add("keys", added)
                    .add("bytes/key (RSS)", (double) (rssAfter - rssBefore) / p.keys())
                    .add("bytes/key (RSS at rest)", (double) (rssAtRest - rssBefore) / p.keys())
                    .add("bytes/key (used_memory)", (double) (usedAfter - usedBefore) / p.keys())
                    .add("load ops/s", p.keys() / (nanos / 1e9))
                    .build();
        }
    }

    public static void main(String[] args) throws Exception {
        Params p = Flags.parse(USAGE, args, f -> new Params(f.string("host", "127.0.0.1"), f.integer("port", 6379),
                f.longValue("pid", 0), f.integer("keys", 1_000_000), f.integer("value-size", 100),
                f.integer("connections", 1), Duration.ofMillis(f.longValue("settle", 1000))));
        System.out.println(run(p));
    }
}
