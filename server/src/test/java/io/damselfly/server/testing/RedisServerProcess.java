package io.damselfly.server.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real redis-server started by a test, on 127.0.0.1 and a free port, without persistence; the
 * reference for differential tests. When the binary is missing the test fails (scripts/test
 * installs it): a skipped comparison would let a regression pass unseen.
 */
public final class RedisServerProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path dir;

    private RedisServerProcess(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** The redis-server binary, or null. */
    public static String binary() {
        for (String p : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (new File(p).canExecute()) {
                return p;
            }
        }
        return null;
    }

    /**
     * Starts one. A test that compares with redis-server fails when none is installed, never
     * skips: a skipped comparison would let a regression pass unseen.
     */
    public static RedisServerProcess start(String... extraArgs) throws IOException, InterruptedException {
        return start(null, extraArgs);
    }

    /** Starts one that reads {@code configFile} first (null for none); the usual arguments override it. */
    public static RedisServerProcess start(Path configFile, String... extraArgs) throws IOException, InterruptedException {
        String bin = binary();
        if (bin == null) {
            throw new IllegalStateException("redis-server is not installed; ./scripts/test installs it (apt-get install redis-server)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = TempDirs.create("redis-ref");
        List<String> cmd = new java.util.ArrayList<>(configFile == null ? List.of(bin) : List.of(bin, configFile.toString()));
        cmd.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(), "--loglevel", "warning",
                // as Redis's own test suite (tests/assets/default.conf): a diskless full
                // synchronisation starts at once instead of waiting 5 s for more replicas
                "--repl-diskless-sync-delay", "0"));
        cmd.addAll(List.of(extraArgs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        RedisServerProcess r = new RedisServerProcess(p, port, dir);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (RawClient c = new RawClient("127.0.0.1", port)) {
                String pong = c.callText("PING");
                // a server started with a password answers NOAUTH: it is up all the same
                if (pong.equals("+PONG") || pong.startsWith("-NOAUTH")) {
                    return r;
                }
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline || !p.isAlive()) {
                // the log first: close removes the directory it is in
                String log = Files.readString(dir.resolve("redis.log"));
                r.close();
                throw new IllegalStateException("redis-server did not start: " + log);
            }
            Thread.sleep(20);
        }
    }

    /** The server's process id (a test may stop and continue it with kill -STOP / -CONT). */
    public long pid() {
        return process.pid();
    }

    /** Sends the server a signal by name ("STOP", "CONT"), as kill -NAME does. */
    public void signal(String name) throws IOException, InterruptedException {
        int status = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).start().waitFor();
        if (status != 0) {
            throw new IllegalStateException("kill -" + name + " " + pid() + " exited with " + status);
        }
    }

    public int port() {
        return port;
    }

    /** The server's version, e.g. "7.0.15". */
    public String version() {
        try (RawClient c = new RawClient("127.0.0.1", port)) {
            String info = c.callText("INFO", "server");
            int i = info.indexOf("redis_version:");
            return info.substring(i + 14, info.indexOf('\r', i));
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        TempDirs.delete(dir);
    }
}
