package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * WATCH across SWAPDB with keys that expired but were not removed yet (active expiry off), against
 * a real redis-server 7.0.15: multi.c's per-watcher {@code expired} flag decides whether the swap
 * is a change. Each scenario runs on both servers and their EXEC replies must match.
 */
@ExtendWith(ServerExtension.class)
@ServerOptions({"enable_debug_command=yes"})
class WatchSwapdbTest {
    private static RedisServerProcess redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServerProcess.start("--enable-debug-command", "yes");
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    /** Runs {@code commands} ("SLEEP ms" pauses) on a fresh connection and answers EXEC's reply. */
    private static String run(String host, int port, String... commands) throws InterruptedException {
        try (RawClient c = new RawClient(host, port)) {
            List<String> replies = new ArrayList<>();
            c.callText("FLUSHALL");
            c.callText("DEBUG", "SET-ACTIVE-EXPIRE", "0");
            try {
                for (String line : commands) {
                    String[] words = line.split(" ");
                    if (words[0].equals("SLEEP")) {
                        Thread.sleep(Long.parseLong(words[1]));
                    } else {
                        replies.add(c.callText((Object[]) words));
                    }
                }
            } finally {
                c.callText("DEBUG", "SET-ACTIVE-EXPIRE", "1");
                c.callText("FLUSHALL");
            }
            return replies.get(replies.size() - 1);
        }
    }

    private static void sameAsRedis(EmbeddedServer server, String expected, String... commands) throws Exception {
        String theirs = run("127.0.0.1", redis.port(), commands);
        assertEquals(expected, theirs, "redis-server's EXEC (the test's expectation is wrong)");
        assertEquals(theirs, run(server.host(), server.port(), commands));
    }

    @Test
    void anAbsentKeyReplacedWithAnExpiredOne_isNoChange(EmbeddedServer server) throws Exception {
        sameAsRedis(server, "[+PONG]", "SELECT 0", "SET x foo PX 1", "SLEEP 5", "SELECT 1", "WATCH x",
                "SWAPDB 0 1", "MULTI", "PING", "EXEC");
    }

    @Test
    void anExpiredKeyReplacedWithAnotherExpiredOne_isNoChange(EmbeddedServer server) throws Exception {
        sameAsRedis(server, "[+PONG]", "SELECT 1", "SET x foo PX 1", "SELECT 0", "SET x bar PX 1", "SLEEP 5",
                "SELECT 1", "WATCH x", "SWAPDB 0 1", "MULTI", "PING", "EXEC");
    }

    @Test
    void aLiveKeyReplacedWithAnExpiredOne_isAChange(EmbeddedServer server) throws Exception {
        sameAsRedis(server, "(nil)", "SELECT 0", "SET x foo PX 1", "SLEEP 5", "SELECT 1", "SET x live", "WATCH x",
                "SWAPDB 0 1", "MULTI", "PING", "EXEC");
    }

    @Test
    void anAbsentKeyReplacedWithAnExpiredOne_thenDeleted_isNoChange(EmbeddedServer server) throws Exception {
        sameAsRedis(server, "[+PONG]", "SELECT 0", "SET x foo PX 1", "SLEEP 5", "SELECT 1", "WATCH x",
                "SWAPDB 0 1", "DEL x", "MULTI", "PING", "EXEC");
    }

    @Test
    void anAbsentKeyReplacedWithAnExpiredOne_thenWritten_isAChange(EmbeddedServer server) throws Exception {
        sameAsRedis(server, "(nil)", "SELECT 0", "SET x foo PX 1", "SLEEP 5", "SELECT 1", "WATCH x",
                "SWAPDB 0 1", "SET x new", "MULTI", "PING", "EXEC");
    }
}
