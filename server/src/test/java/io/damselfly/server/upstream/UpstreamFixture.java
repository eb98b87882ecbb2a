package io.damselfly.server.upstream;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.protocol.RespValue;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.TempDirs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A real redis-server as the upstream (on a fixed port, so a test can kill and restart it) and a
 * damselfly sidecar in front of it (EmbeddedServer with --upstream), with Lettuce clients to both.
 */
final class UpstreamFixture implements AutoCloseable {
    final int redisPort;
    private final Path dir;
    private final String[] redisArgs;
    private Process redis;
    final EmbeddedServer sidecar;
    private final RedisClient redisClient;
    private final RedisClient sidecarClient;
    private final List<StatefulRedisConnection<String, String>> opened = new ArrayList<>();

    UpstreamFixture(Map<String, String> sidecarOptions, String... redisArgs) throws Exception {
        this.redisArgs = redisArgs;
        try (ServerSocket s = new ServerSocket(0)) {
            redisPort = s.getLocalPort();
        }
        dir = TempDirs.create("nearcache-upstream");
        startRedis();
        EmbeddedServer.Builder b = EmbeddedServer.builder().option("upstream", "redis://127.0.0.1:" + redisPort)
                .option("near_cache_maxmemory", "64mb").option("conn_io_threads", "2");
        sidecarOptions.forEach(b::option);
        sidecar = b.start();
        redisClient = RedisClient.create(RedisURI.create("127.0.0.1", redisPort));
        sidecarClient = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(sidecar.port())
                .withTimeout(Duration.ofSeconds(10)).build());
    }

    void startRedis() throws IOException, InterruptedException {
        String bin = RedisServerProcess.binary();
        if (bin == null) {
            throw new IllegalStateException("redis-server is not installed");
        }
        List<String> cmd = new ArrayList<>(List.of(bin, "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(), "--loglevel", "warning"));
        cmd.addAll(List.of(redisArgs));
        redis = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (RawClient c = new RawClient("127.0.0.1", redisPort)) {
                String pong = c.callText("PING");
                // with requirepass it answers NOAUTH: up all the same
                if (pong.equals("+PONG") || pong.startsWith("-NOAUTH")) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline || !redis.isAlive()) {
                throw new IllegalStateException("redis-server did not start: " + Files.readString(dir.resolve("redis.log")));
            }
            Thread.sleep(20);
        }
    }

    void killRedis() throws InterruptedException {
        redis.destroyForcibly();
        redis.waitFor();
    }

    /** A new Lettuce connection straight to the upstream. */
    RedisCommands<String, String> upstream() {
        StatefulRedisConnection<String, String> c = redisClient.connect();
        opened.add(c);
        return c.sync();
    }

    /** A new Lettuce connection through the sidecar. */
    RedisCommands<String, String> sidecar() {
        StatefulRedisConnection<String, String> c = sidecarClient.connect();
        opened.add(c);
        return c.sync();
    }

    RedisClient sidecarClient() {
        return sidecarClient;
    }

    /** One field of the sidecar's INFO nearcache, as a number. */
    long nearcache(String field) {
        try (RawClient c = new RawClient("127.0.0.1", sidecar.port())) {
            RespValue v = c.call("INFO", "nearcache");
            String info = new String(((RespValue.BulkString) v).value(), StandardCharsets.UTF_8);
            for (String line : info.split("\r\n")) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1));
                }
            }
            throw new AssertionError("no " + field + " in " + info);
        }
    }

    /** A field of the upstream's INFO commandstats: the calls of {@code command}, 0 if never called. */
    long upstreamCalls(String command) {
        String info = upstream().info("commandstats");
        for (String line : info.split("\r\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
            }
        }
        return 0;
    }

    /** Polls {@code condition} every millisecond until true or {@code millis} passed; whether it became true. */
    /**
     * Empties the upstream and waits until the sidecar's local store is empty too (FLUSHALL's null
     * invalidation reaches every tracking connection): a clean start for each test.
     */
    void flushBoth() {
        upstream().flushall();
        if (!within(1000, () -> sidecar.keyspace().size(0) == 0)) {
            throw new AssertionError("the sidecar kept local copies after an upstream FLUSHALL");
        }
    }

    static boolean within(long millis, BooleanSupplier condition) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    @Override
    public void close() {
        for (StatefulRedisConnection<String, String> c : opened) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // closing anyway
            }
        }
        sidecarClient.shutdown();
        redisClient.shutdown();
        sidecar.close();
        redis.destroyForcibly();
        try {
            redis.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        TempDirs.delete(dir);
    }
}
