package io.damselfly.server.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Node.js applications run unchanged against damselfly, and against a real redis-server to show
 * the application's checks are right: one as Directus uses Redis (ioredis, rate-limiter-flexible's
 * Lua limiter, EVALSHA falling back to EVAL, locks, MULTI/EXEC and WATCH, a binary pub/sub bus,
 * KEYS + UNLINK purges: src/test/node/ioredis-app.mjs), and a BullMQ job queue (its Lua scripts,
 * sorted sets, lists, a stream read by blocking XREAD for queue events: bullmq-app.mjs). Node and
 * the packages are installed by ./scripts/test (npm ci in src/test/node); without them this test
 * fails, never skips.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class NodeClientsTest {
    private static final File APP_DIR = new File("src/test/node");

    private static String runApp(String script, int port) throws Exception {
        assertTrue(new File(APP_DIR, "node_modules/ioredis").isDirectory() && new File(APP_DIR, "node_modules/bullmq").isDirectory(),
                "src/test/node/node_modules is missing: ./scripts/test installs it (npm ci --prefix server/src/test/node)");
        Process p = new ProcessBuilder(List.of("node", script, Integer.toString(port)))
                .directory(APP_DIR).redirectErrorStream(true).start();
        p.getOutputStream().close();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(done, "the application did not finish within 60 s:\n" + out);
        assertEquals(0, p.exitValue(), "the application failed:\n" + out);
        return out.strip();
    }

    @Test
    void ioredisApplicationRunsUnchangedOnDamselfly(EmbeddedServer damselfly, RedisServerProcess redis) throws Exception {
        String reference = runApp("ioredis-app.mjs", redis.port());
        assertEquals(reference, runApp("ioredis-app.mjs", damselfly.port()), "the same checks pass on both");
        assertTrue(reference.matches("ok \\d+"), reference);
    }

    @Test
    void bullmqQueueRunsUnchangedOnDamselfly(EmbeddedServer damselfly, RedisServerProcess redis) throws Exception {
        String reference = runApp("bullmq-app.mjs", redis.port());
        assertTrue(reference.contains("\"completed\":10,\"failed\":0") && reference.contains("flaky attempts 3"), reference);
        assertEquals(reference, runApp("bullmq-app.mjs", damselfly.port()), "the same jobs, results and events on both");
    }
}
