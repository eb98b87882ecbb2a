package io.damselfly.server.testing;

import io.damselfly.server.EmbeddedServer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Runs one script of commands against redis-server and damselfly, each with a replica's view of
 * its replication stream attached ({@link ReplicationStreamReader}), and answers both streams as
 * text, one command per line, so a test asserts that damselfly propagates exactly what Redis does.
 * Absolute times (PEXPIREAT's and SET PXAT's milliseconds, 13 digits) read {@code <ms>}, since
 * the two servers run the script a moment apart; the replies of the script are compared too.
 */
public final class StreamComparison {
    private static final Pattern UNIX_MILLIS = Pattern.compile("\\b1[0-9]{12}\\b");

    private StreamComparison() {
    }

    /** Both servers' streams and replies for {@code script}. */
    public record Result(List<String> redisStream, List<String> ourStream, List<String> redisReplies, List<String> ourReplies) {
    }

    /** A client that blocks before the script runs: its database and its blocking command. */
    public record Blocker(int db, Object[] command) {
    }

    /**
     * Runs {@code script} on a fresh connection to each server (after FLUSHALL, which is not part
     * of the streams answered), then reads each stream until it has been quiet for 300 ms.
     */
    public static Result run(RedisServerProcess redis, EmbeddedServer damselfly, Object[]... script) {
        return runWithBlocked(redis, damselfly, new Object[0][], List.of(), script);
    }

    /**
     * As {@link #run}, with clients blocked between {@code setup} and {@code script}: each blocker
     * on a connection of its own, in order, each seen blocked before the next. The replies are
     * setup's, then script's, then each blocker's (read after the script, in blocking order).
     */
    public static Result runWithBlocked(RedisServerProcess redis, EmbeddedServer damselfly, Object[][] setup,
            List<Blocker> blockers, Object[]... script) {
        List<List<String>> streams = new ArrayList<>();
        List<List<String>> replies = new ArrayList<>();
        for (int port : new int[] {redis.port(), damselfly.port()}) {
            List<RawClient> waiting = new ArrayList<>();
            try (RawClient c = new RawClient("127.0.0.1", port)) {
                c.call("CONFIG", "SET", "repl-ping-replica-period", "3600");
                c.call("FLUSHALL");
                try (ReplicationStreamReader stream = ReplicationStreamReader.sync(port)) {
                    List<String> out = new ArrayList<>();
                    for (Object[] command : setup) {
                        out.add(RawClient.render(c.call(command)));
                    }
                    for (Blocker b : blockers) {
                        RawClient w = new RawClient("127.0.0.1", port);
                        waiting.add(w);
                        w.call("SELECT", Integer.toString(b.db()));
                        w.send(b.command());
                        BlockedClients.await(c, waiting.size());
                    }
                    for (Object[] command : script) {
                        out.add(RawClient.render(c.call(command)));
                    }
                    for (RawClient w : waiting) {
                        out.add(RawClient.render(w.read()));
                    }
                    replies.add(out);
                    streams.add(withTimesBlanked(stream.drain(300)));
                }
            } finally {
                waiting.forEach(RawClient::close);
            }
        }
        return new Result(streams.get(0), streams.get(1), replies.get(0), replies.get(1));
    }

    /** {@code lines} with absolute times (13-digit Unix milliseconds) as {@code <ms>}. */
    public static List<String> withTimesBlanked(List<String> lines) {
        List<String> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            out.add(UNIX_MILLIS.matcher(line).replaceAll("<ms>"));
        }
        return out;
    }
}
