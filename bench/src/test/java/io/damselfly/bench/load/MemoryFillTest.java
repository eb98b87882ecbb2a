package io.damselfly.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
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
        String bin = List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server").stream()
                .filter(p -> new File(p).canExecute()).findFirst().orElse(null);
        Assumptions.assumeTrue(bin != null || "true".equals(System.getenv("CI")), "redis-server is not installed");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("memory-fill");
        Process redis = new ProcessBuilder(bin, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(), "--loglevel", "warning")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        try {
            awaitPing(port);
            Figures f = MemoryFill.run(new MemoryFill.Params("127.0.0.1", port, redis.pid(), 50_000, 100, 1,
                    Duration.ofMillis(100)));
            System.out.println(f); // in the surefire report, for a look at the numbers
            assertEquals(50_000, f.get("keys"), f.toString());
            assertTrue(f.get("bytes/key (RSS)") > 100, f.toString());
            assertTrue(f.get("bytes/key (used_memory)") > 100, f.toString());
        } finally {
            redis.destroy();
            if (!redis.waitFor(5, TimeUnit.SECONDS)) {
                redis.destroyForcibly();
            }
        }
    }

    private static void awaitPing(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (RespSocket s = RespSocket.connect("127.0.0.1", port)) {
                s.writeCommand("PING");
                s.flush();
                if (s.read() == RespSocket.Reply.STATUS) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(20);
            }
        }
    }
}
