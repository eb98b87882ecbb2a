package io.damselfly.bench.load;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What an element of a small collection costs a server: loads N hashes of E fields (HSET
 * {@code h:n field:0 value:0 ...}) or N sorted sets of E members (ZADD {@code z:n 0 member:0 ...}),
 * one command per key, over one pipelined connection, and reports the growth of the server's RSS
 * and of INFO used_memory per element and per key. Every reply must be the integer E (elements
 * added); otherwise the run fails. The server should be fresh and empty.
 *
 * <p>These sizes sit inside Redis's compact encodings (a listpack for a hash of up to 512 short
 * fields, for a sorted set of up to 128 short members), so the figure shows whether damselfly's
 * compact forms are as lean as Redis's.
 *
 * <pre>
 * java -cp bench/target/damselfly-bench.jar io.damselfly.bench.load.CollectionFill --port 6379 \
 *     --type hash --keys 1000000 --elements 10
 * </pre>
 */
public final class CollectionFill {
    static final String USAGE = """
            CollectionFill: bytes per element (RSS and used_memory) after loading N collections
              --host H          server address (127.0.0.1)
              --port P          server port (6379)
              --pid PID         server process id, for /proc/PID/status (from INFO server)
              --type T          hash or zset (hash)
              --keys N          collections to load (1000000)
              --elements E      fields or members per collection (10)
              --settle MS       pause before the second reading, milliseconds (1000)""";

    /** The collection type loaded. */
    public enum Type {
        HASH, ZSET
    }

    public record Params(String host, int port, long pid, Type type, int keys, int elements, Duration settle) {
        public Params {
            if (keys < 1 || elements < 1 || settle.isNegative()) {
                throw new IllegalArgumentException("CollectionFill wants keys, elements >= 1 and settle >= 0; got keys="
                        + keys + " elements=" + elements + " settle=" + settle);
            }
        }
    }

    private CollectionFill() {
    }

    /** The command that fills collection n: HSET h:n field:i value:i ... or ZADD z:n i member:i ... */
    static String[] command(Type type, long n, int elements) {
        String[] args = new String[2 + 2 * elements];
        args[0] = type == Type.HASH ? "HSET" : "ZADD";
        args[1] = (type == Type.HASH ? "h:" : "z:") + n;
        for (int i = 0; i < elements; i++) {
            if (type == Type.HASH) {
                args[2 + 2 * i] = "field:" + i;
                args[3 + 2 * i] = "value:" + i;
            } else {
                args[2 + 2 * i] = Integer.toString(i);
                args[3 + 2 * i] = "member:" + i;
            }
        }
        return args;
    }

    /**
     * Runs the load; figures "keys", "bytes/element (RSS)", "bytes/element (used_memory)",
     * "bytes/key (RSS)", "load elements/s".
     */
    public static Figures run(Params p) throws IOException, InterruptedException {
        try (RespSocket admin = RespSocket.connect(p.host(), p.port());
             RespSocket load = RespSocket.connect(p.host(), p.port())) {
            long pid = p.pid() > 0 ? p.pid() : admin.infoInteger("server", "process_id");
            long rssBefore = ResidentMemory.bytes(pid);
            long usedBefore = admin.infoInteger("memory", "used_memory");
            long keysBefore = admin.callInteger("DBSIZE");

            Callable<Long> writer = () -> {
                for (long n = 0; n < p.keys(); n++) {
                    load.writeCommand(command(p.type(), n, p.elements()));
                }
                load.flush();
                return 0L;
            };
            Callable<Long> reader = () -> {
                for (long n = 0; n < p.keys(); n++) {
                    RespSocket.Reply r = load.read();
                    if (r != RespSocket.Reply.INTEGER || load.integer() != p.elements()) {
                        throw new IllegalStateException("collection " + n + " answered " + r
                                + (r == RespSocket.Reply.ERROR ? " " + load.error() : "") + ", not :" + p.elements());
                    }
                }
                return 0L;
            };
            long start = System.nanoTime();
            Workers.runAll("collection-fill", List.of(writer, reader));
            long nanos = System.nanoTime() - start;
            Thread.sleep(p.settle().toMillis());

            long rssAfter = ResidentMemory.bytes(pid);
            long usedAfter = admin.infoInteger("memory", "used_memory");
            long rssAtRest = MemoryFill.restingRss(pid, p.settle());
            long added = admin.callInteger("DBSIZE") - keysBefore;
            double elements = (double) p.keys() * p.elements();
            return Figures.builder()
                    .add("keys", added)
                    .add("bytes/element (RSS)", (rssAfter - rssBefore) / elements)
                    .add("bytes/element (RSS at rest)", (rssAtRest - rssBefore) / elements)
                    .add("bytes/element (used_memory)", (usedAfter - usedBefore) / elements)
                    .add("bytes/key (RSS)", (double) (rssAfter - rssBefore) / p.keys())
                    .add("load elements/s", elements / (nanos / 1e9))
                    .build();
        }
    }

    public static void main(String[] args) throws Exception {
        Params p = Flags.parse(USAGE, args, f -> new Params(f.string("host", "127.0.0.1"), f.integer("port", 6379),
                f.longValue("pid", 0), Type.valueOf(f.string("type", "hash").toUpperCase(java.util.Locale.ROOT)),
                f.integer("keys", 1_000_000), f.integer("elements", 10), Duration.ofMillis(f.longValue("settle", 1000))));
        System.out.println(run(p));
    }
}
