package io.damselfly.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Loads keys "key:first" .. "key:(first+count-1)" (or another prefix) with SET as fast as a socket
 * takes them: on each connection one thread writes SETs in buffer-sized batches without waiting
 * while another reads the replies and counts those that are not +OK. Used by {@link MemoryFill}
 * and {@link CacheWriteLoad}, and to preload the keyspace of {@link OpenLoopLatency}.
 */
final class PipelinedLoader {
    /*
     * Why a writer and a reader per connection rather than batches in lock step: the writer never
     * waits for a round trip, so the server always has requests queued and the load runs at the
     * server's speed. TCP bounds what is in flight: when the server falls behind, its receive
     * buffer fills and the writer blocks.
     */

    private PipelinedLoader() {
    }

    /**
     * What a load did: how long it took, in nanoseconds, and how many replies were not +OK, with
     * the first of them as text ("-OOM command not allowed ...") or null when there were none.
     */
    record Outcome(long nanos, long failures, String firstFailure) {
    }

    /**
     * Loads the keys over {@code connections} connections and returns the nanoseconds it took;
     * throws IllegalStateException, after reading every reply, if any reply was not +OK.
     */
    static long load(String host, int port, long first, long count, int valueSize, int connections)
            throws IOException, InterruptedException {
        Outcome o = load(host, port, "key:", first, count, valueSize, connections);
        if (o.failures() > 0) {
            throw new IllegalStateException(o.failures() + " of " + count
                    + " SET replies were not +OK; the first: " + o.firstFailure());
        }
        return o.nanos();
    }

    /**
     * Loads keys "&lt;keyPrefix&gt;first" .. over {@code connections} connections, reading every
     * reply; replies that are not +OK are counted, not fatal. A connection that fails (the server
     * closed it, or sent nothing for {@link RespSocket#READ_TIMEOUT_MILLIS}) throws.
     */
    static Outcome load(String host, int port, String keyPrefix, long first, long count, int valueSize,
            int connections) throws IOException, InterruptedException {
        byte[] prefix = keyPrefix.getBytes(StandardCharsets.US_ASCII);
        byte[] value = RespSocket.bulkValue(valueSize);
        List<RespSocket> sockets = new ArrayList<>();
        try {
            for (int c = 0; c < connections; c++) {
                sockets.add(RespSocket.connect(host, port));
            }
            List<Callable<Failures>> tasks = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                RespSocket s = sockets.get(c);
                long from = first + count * c / connections;
                long to = first + count * (c + 1) / connections;
                tasks.add(() -> write(s, prefix, from, to, value));
                tasks.add(() -> check(s, to - from));
            }
            long start = System.nanoTime();
            List<Failures> results = Workers.runAll("load", tasks);
            long elapsed = System.nanoTime() - start;
            Failures all = results.stream().reduce(Failures.NONE, Failures::plus);
            return new Outcome(elapsed, all.count(), all.first());
        } finally {
            for (RespSocket s : sockets) {
                s.close();
            }
        }
    }

    private static Failures write(RespSocket s, byte[] prefix, long from, long to, byte[] value) throws IOException {
        for (long n = from; n < to; n++) {
            s.writeSet(prefix, n, value); // sends whenever the buffer fills
        }
        s.flush();
        return Failures.NONE;
    }

    private static Failures check(RespSocket s, long replies) throws IOException {
        try {
            long bad = 0;
            String first = null;
            for (long i = 0; i < replies; i++) {
                RespSocket.Reply r = s.read();
                if (r != RespSocket.Reply.STATUS || !s.wasOk()) {
                    bad++;
                    if (first == null) {
                        first = r == RespSocket.Reply.ERROR ? "-" + s.error() : r.toString();
                    }
                }
            }
            return new Failures(bad, first);
        } catch (IOException | RuntimeException e) {
            s.close(); // unblocks the writer, which may be stuck on a server that stopped reading
            throw e;
        }
    }

    private record Failures(long count, String first) {
        static final Failures NONE = new Failures(0, null);

        Failures plus(Failures o) {
            return new Failures(count + o.count, first != null ? first : o.first);
        }
    }
}
