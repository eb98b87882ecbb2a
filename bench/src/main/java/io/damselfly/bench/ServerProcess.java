package io.damselfly.bench;

import io.damselfly.bench.load.ResidentMemory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One server under test, started as its own process on a free loopback port: damselfly through
 * {@code scripts/run} (so with the JVM options and heap sizing a user gets), or redis-server with
 * persistence off. {@link #close} stops it; a shutdown hook ({@link ChildProcesses}) stops it too
 * when the runner is interrupted.
 */
public final class ServerProcess implements AutoCloseable {
    /** How long a server may take to answer PING after it is started (a cold JVM takes ~1 s). */
    static final long START_TIMEOUT_MILLIS = 30_000;
    /** Start attempts: a free port found by binding port 0 can be taken by someone else before use. */
    static final int START_ATTEMPTS = 3;

    private final ServerKind kind;
    private final int port;
    private final Process process;
    private final Path log;
    /** The server's own empty directory (--dir): its log, and whatever it persists. */
    private final Path dir;
    /** Closed after the process stops, last first: what a workload started beside this server for it. */
    private final List<AutoCloseable> companions = new ArrayList<>();

    private ServerProcess(ServerKind kind, int port, Process process, Path dir) {
        this.kind = kind;
        this.port = port;
        this.process = process;
        this.dir = dir;
        this.log = dir.resolve("server.log");
    }

    public ServerKind kind() {
        return kind;
    }

    /** Host is always 127.0.0.1. */
    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** The directory the server was started in ({@code --dir}), fresh and empty at its start. */
    public Path dir() {
        return dir;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Starts a server of {@code kind} and returns once it answers PING. */
    public static ServerProcess start(ServerKind kind, ServerSettings settings, Binaries bin) throws IOException {
        IOException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = freePort();
            Path dir = Files.createTempDirectory(bin.scratch(), kind.label + "-" + port + "-");
            Path log = dir.resolve("server.log");
            List<String> cmd = kind == ServerKind.REDIS
                    ? redisCommand(bin.redisServer(), port, dir, settings)
                    : damselflyCommand(bin.damselflyRun().toString(), port, dir, settings);
            Process p = ChildProcesses.start(new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile()));
            ServerProcess server = new ServerProcess(kind, port, p, dir);
            try {
                server.awaitReady();
                return server;
            } catch (IOException e) {
                server.close();
                last = e;
            }
        }
        throw last;
    }

    /**
     * redis-server on {@code port}: loopback only, no RDB, no AOF unless the settings' config turns
     * it on, LRU eviction when asked.
     */
    static List<String> redisCommand(String redisServer, int port, Path dir, ServerSettings s) {
        List<String> cmd = new ArrayList<>(List.of(redisServer,
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", ""));
        if (!s.config().containsKey("appendonly")) {
            cmd.addAll(List.of("--appendonly", "no"));
        }
        cmd.addAll(List.of("--daemonize", "no", "--dir", dir.toString()));
        cmd.addAll(s.configArgs());
        if (s.maxmemory() != null) {
            cmd.addAll(List.of("--maxmemory", s.maxmemory(),
                    "--maxmemory-policy", s.evictLru() ? "allkeys-lru" : "noeviction"));
        }
        return cmd;
    }

    /**
     * damselfly on {@code port}, started through scripts/run so that it runs exactly as a user
     * starts it: same JVM options, heap sized from --maxmemory, DAMSELFLY_JAVA_OPTS honoured.
     */
    static List<String> damselflyCommand(String run, int port, Path dir, ServerSettings s) {
        // no admin listener: its default port (9999) may be taken by another server on this machine;
        // the HTTP endpoints stay reachable on the main port
        List<String> cmd = new ArrayList<>(List.of(run, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--admin_port", "-1"));
        if (s.maxmemory() != null) {
            cmd.add("--maxmemory=" + s.maxmemory());
            if (s.evictLru()) {
                cmd.add("--cache_mode=true");
                cmd.add("--maxmemory_policy=allkeys-lru");
            }
        }
        cmd.addAll(s.configArgs());
        cmd.addAll(s.damselflyArgs());
        return cmd;
    }

    /** The JVM options the server process runs with (from /proc/PID/cmdline); empty for redis or off Linux. */
    public List<String> jvmOptions() {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid()), "cmdline"));
            List<String> args = List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
            int jar = args.indexOf("-jar");
            return jar < 1 ? List.of() : args.subList(1, jar);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT_MILLIS * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(kind.label + " exited with status " + process.exitValue() + ": " + logTail());
            }
            try (ServerConnection c = new ServerConnection(port, 1_000)) {
                if ("PONG".equals(c.call("PING"))) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            sleep(50);
        }
        throw new IOException(kind.label + " did not answer PING within " + START_TIMEOUT_MILLIS + " ms: " + logTail());
    }

    /**
     * Makes {@link #close} close {@code companion} too, after the server has stopped (companions
     * added later are closed first): what a workload started for this server to work with, such
     * as the near-cache workload's upstream redis-server and the relay in front of it.
     */
    public ServerProcess closing(AutoCloseable companion) {
        companions.add(companion);
        return this;
    }

    /** The first companion of this type, if there is one. */
    public <T> java.util.Optional<T> companion(Class<T> type) {
        return companions.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** A new bookkeeping connection. */
    public ServerConnection connect() throws IOException {
        return new ServerConnection(port);
    }

    /** Empties the keyspace (between rounds of a workload that reuses the servers). */
    public void flushAll() throws IOException {
        try (ServerConnection c = connect()) {
            c.callOk("FLUSHALL");
        }
    }

    /** The process's resident set size from /proc, in bytes; -1 where /proc is missing. */
    public long rssBytes() {
        try {
            return ResidentMemory.bytes(pid());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The last lines the server printed, for error messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        ChildProcesses.stop(process);
        for (int i = companions.size() - 1; i >= 0; i--) {
            try {
                companions.get(i).close();
            } catch (Exception e) {
                System.err.println("closing " + companions.get(i) + " after " + this + ": " + e);
            }
        }
        companions.clear();
    }

    @Override
    public String toString() {
        String self = kind.label + " on 127.0.0.1:" + port + " (pid " + pid() + ")";
        return companions.isEmpty() ? self : self + ", with " + companions.stream().map(Object::toString)
                .collect(java.util.stream.Collectors.joining(", "));
    }
}
