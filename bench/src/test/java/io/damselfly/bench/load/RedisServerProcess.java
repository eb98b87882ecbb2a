package io.damselfly.bench.load;

import io.damselfly.bench.BenchRunner;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server for a driver test, where RSS must be the server's own and not the test
 * JVM's: started on a free loopback port with persistence off, stopped by {@link #close}. A test
 * is skipped where redis-server is not installed, except on CI, where it must be.
 */
final class RedisServerProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    /** Its working directory (the log), removed by {@link #close}. */
    private final Path dir;

    private RedisServerProcess(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** Starts redis-server with {@code extraArgs} ("--maxmemory", "8mb") and returns once it answers PING. */
    static RedisServerProcess start(String... extraArgs) throws Exception {
        String bin = List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server").stream()
                .filter(p -> new File(p).canExecute()).findFirst().orElse(null);
        if (bin == null) {
            // fail, never skip: a skipped comparison would let a regression pass unseen
            throw new IllegalStateException("redis-server is not installed; ./scripts/test installs it");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("redis-server");
        List<String> cmd = new ArrayList<>(List.of(bin, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(),
                "--loglevel", "warning"));
        cmd.addAll(List.of(extraArgs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        RedisServerProcess server = new RedisServerProcess(p, port, dir);
        try {
            server.awaitPing();
            return server;
        } catch (Exception e) {
            server.close();
            throw e;
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    private void awaitPing() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (RespSocket s = RespSocket.connect("127.0.0.1", port)) {
                s.writeCommand("PING");
                s.flush();
                if (s.read() == RespSocket.Reply.STATUS) {
                    return;
                }
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(20);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        BenchRunner.deleteTree(dir);
    }
}
