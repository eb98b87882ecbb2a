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

    /**
     * Runs {@code script} on a fresh connection to each server (after FLUSHALL, which is not part
     * of the streams answered), then reads each stream until it has been quiet for 300 ms.
     */
    public static Result run(RedisServerProcess redis, EmbeddedServer damselfly, Object[]... script) {
        List<String>[] streams = new List[2];
        List<String>[] replies = new List[2];
        int[] ports = {redis.port(), damselfly.port()};
        for (int i = 0; i < 2; i++) {
            try (RawClient c = new RawClient("127.0.0.1", ports[i])) {
                c.call("CONFIG", "SET", "repl-ping-replica-period", "3600");
                c.call("FLUSHALL");
                try (ReplicationStreamReader stream = ReplicationStreamReader.sync(ports[i])) {
                    replies[i] = new ArrayList<>();
                    for (Object[] command : script) {
                        replies[i].add(RawClient.render(c.call(command)));
                    }
                    List<String> lines = new ArrayList<>();
                    for (String line : stream.drain(300)) {
                        lines.add(UNIX_MILLIS.matcher(line).replaceAll("<ms>"));
                    }
                    streams[i] = lines;
                }
            }
        }
        return new Result(streams[0], streams[1], replies[0], replies[1]);
    }
}
