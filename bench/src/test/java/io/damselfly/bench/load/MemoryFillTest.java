package io.damselfly.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MemoryFillTest {

    @Test
    void run_embedded_usedMemoryAboveValueSize() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().start()) {
            Figures f = MemoryFill.run(new MemoryFill.Params(server.host(), server.port(), 0, 20_000, 100, 2,
                    Duration.ofMillis(100)));
            System.out.println(f); // in the surefire report, for a look at the numbers
            assertEquals(20_000, f.get("keys"), f.toString());
            assertTrue(f.get("bytes/key (used_memory)") > 100, f.toString());
            assertTrue(f.get("load ops/s") > 0, f.toString());
            // in-process, RSS is this test JVM's, whose heap grows as its collector decides: only
            // that it was read
            assertTrue(Double.isFinite(f.get("bytes/key (RSS)")), f.toString());
        }
    }

    /** Against a real redis-server process, where RSS is the server's own. */
    @Test
    void run_redisServer_rssAndUsedMemoryAboveValueSize() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Figures f = MemoryFill.run(new MemoryFill.Params("127.0.0.1", redis.port(), redis.pid(), 50_000, 100, 1,
                    Duration.ofMillis(100)));
            System.out.println(f); // in the surefire report, for a look at the numbers
            assertEquals(50_000, f.get("keys"), f.toString());
            assertTrue(f.get("bytes/key (RSS)") > 100, f.toString());
            assertTrue(f.get("bytes/key (RSS at rest)") > 100, f.toString());
            assertTrue(f.get("bytes/key (used_memory)") > 100, f.toString());
        }
    }
}
