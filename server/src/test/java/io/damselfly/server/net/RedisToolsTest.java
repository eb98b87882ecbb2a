package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.BlockedClients;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.TempDirs;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * redis-benchmark and redis-cli, the real binaries, against the embedded server: redis-benchmark's
 * whole default suite (every test of a run without -t, in its order) runs to the end with no
 * errors, with and without pipelining (speed is reported by scripts/bench, not asserted here);
 * redis-cli's --stat, --latency and monitor modes show what the server does. The modes that run
 * until stopped run a few seconds under stdbuf (line-buffered, since their output is no terminal)
 * and are then stopped.
 */
@ExtendWith(ServerExtension.class)
class RedisToolsTest {
    /** The titles of a default redis-benchmark 7.0 run, in order. */
    private static final List<String> DEFAULT_SUITE = List.of("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR",
            "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN",
            "LPUSH (needed to benchmark LRANGE)", "LRANGE_100 (first 100 elements)", "LRANGE_300 (first 300 elements)",
            "LRANGE_500 (first 500 elements)", "LRANGE_600 (first 600 elements)", "MSET (10 keys)");
    private static final Pattern RESULT = Pattern.compile("^(\\S[^:]*): ([0-9.]+) requests per second", Pattern.MULTILINE);

    private static String tool(String name) {
        for (String dir : List.of("/usr/bin", "/usr/local/bin")) {
            File f = new File(dir, name);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        // fail, never skip: a skipped check would let a regression pass unseen
        throw new IllegalStateException(name + " is not installed; ./scripts/test installs redis-tools");
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
        assertEquals(0, p.exitValue(), "exit status of " + cmd + "\n" + out);
        return out;
    }

    private static void benchmark(EmbeddedServer server, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool("redis-benchmark"), "-h", server.host(), "-p",
                Integer.toString(server.port()), "-q", "-n", "10000"));
        cmd.addAll(List.of(extra));
        String out = run(cmd);
        assertFalse(out.contains("ERR") || out.contains("rror"), out);
        // redis-benchmark reads CONFIG GET save/appendonly first and warns when it cannot
        assertFalse(out.contains("Could not fetch server CONFIG"), out);
        Matcher m = RESULT.matcher(out.replace('\r', '\n'));
        List<String> tests = new ArrayList<>();
        while (m.find()) {
            tests.add(m.group(1).trim());
            assertTrue(Double.parseDouble(m.group(2)) > 0, out);
        }
        assertEquals(DEFAULT_SUITE, tests, out);
    }

    @Test
    void redisBenchmark_suiteWithoutPipelining(EmbeddedServer server) throws Exception {
        benchmark(server);
    }

    @Test
    void redisBenchmark_suiteWithPipelining(EmbeddedServer server) throws Exception {
        benchmark(server, "-P", "16");
    }

    @Test
    void redisCli_commandsAndPipe(EmbeddedServer server) throws Exception {
        String cli = tool("redis-cli");
        String port = Integer.toString(server.port());
        assertEquals("PONG\n", run(List.of(cli, "-p", port, "ping")));
        assertEquals("OK\n", run(List.of(cli, "-p", port, "set", "greeting", "hello world")));
        assertEquals("hello world\n", run(List.of(cli, "-p", port, "get", "greeting")));
        assertEquals("(integer) 11\n", run(List.of(cli, "-p", port, "--no-raw", "strlen", "greeting")));
        assertEquals("(nil)\n", run(List.of(cli, "-p", port, "--no-raw", "get", "missing")));
        String err = run(List.of(cli, "-p", port, "--no-raw", "nosuchcommand"));
        assertTrue(err.startsWith("(error) ERR unknown command 'nosuchcommand'"), err);
    }

    /**
     * Runs a command that does not end by itself (redis-cli --stat, monitor) line-buffered for
     * {@code millis}, meanwhile running {@code during}, then stops it and returns what it printed.
     */
    private static String runFor(List<String> cmd, long millis, Runnable during) throws Exception {
        List<String> full = new ArrayList<>(List.of(tool("stdbuf"), "-oL"));
        full.addAll(cmd);
        // to a file: stopping the process closes its pipes, and what it printed with them
        java.nio.file.Path output = TempDirs.file("redis-cli", ".out");
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            try {
                p.getOutputStream().close();
                Thread.sleep(300);
                during.run();
                Thread.sleep(millis);
            } finally {
                p.destroy();
                assertTrue(p.waitFor(10, TimeUnit.SECONDS), "stopped: " + cmd);
            }
            return java.nio.file.Files.readString(output, StandardCharsets.UTF_8);
        } finally {
            TempDirs.delete(output);
        }
    }

    /** redis-cli --stat reads INFO: the keys of every database, memory, clients, blocked clients, requests. */
    /**
     * redis-cli --rdb and --functions-rdb (a replica's SYNC; the second asks REPLCONF
     * rdb-filter-only functions): redis-server 7.0.15 loads each file, the first with every key
     * and the library, the second with the library and no key.
     */
    @Test
    void redisCli_rdbAndFunctionsRdb_loadedByRedis(EmbeddedServer server) throws Exception {
        String cli = tool("redis-cli");
        String port = Integer.toString(server.port());
        try (RawClient c = new RawClient(server.host(), server.port())) {
            c.call("FLUSHALL");
            c.call("FUNCTION", "FLUSH");
            for (int i = 0; i < 100; i++) {
                c.call("SET", "rdb:" + i, "v" + i);
            }
            c.call("FUNCTION", "LOAD", "#!lua name=lib1\nredis.register_function('func1', function() return 123 end)");
        }
        java.nio.file.Path dir = TempDirs.create("cli-rdb");
        for (String mode : List.of("--rdb", "--functions-rdb")) {
            String file = mode.substring(2) + ".rdb";
            String out = run(List.of(cli, "-p", port, mode, dir.resolve(file).toString()));
            assertTrue(out.contains("Transfer finished with success"), out);
            try (io.damselfly.server.testing.RedisServerProcess redis = io.damselfly.server.testing.RedisServerProcess.start(
                    "--dir", dir.toString(), "--dbfilename", file);
                 RawClient r = new RawClient("127.0.0.1", redis.port())) {
                assertEquals(mode.equals("--rdb") ? ":100" : ":0", RawClient.render(r.call("DBSIZE")), mode);
                assertEquals("[[$library_name, $lib1, $engine, $LUA, $functions, [[$name, $func1, $description, (nil), $flags, []]]]]",
                        RawClient.render(r.call("FUNCTION", "LIST")), mode);
            }
        }
        try (RawClient c = new RawClient(server.host(), server.port())) {
            c.call("FUNCTION", "FLUSH");
            c.call("FLUSHALL");
            // a filter other than "functions" is refused, as Redis's replconfCommand
            assertEquals("-ERR Unsupported rdb-filter-only option: keys", c.callText("REPLCONF", "rdb-filter-only", "keys"));
        }
    }

    @Test
    void redisCli_stat(EmbeddedServer server) throws Exception {
        String cli = tool("redis-cli");
        String port = Integer.toString(server.port());
        try (RawClient c = new RawClient(server.host(), server.port());
             RawClient blocked = new RawClient(server.host(), server.port())) {
            for (int i = 0; i < 7; i++) {
                c.call("SET", "stat:" + i, "v");
            }
            c.call("SELECT", "3");
            c.call("SET", "stat:db3", "v");
            blocked.send("BLPOP", "stat:nolist", "0");
            // the BLPOP may be served on the other loop after redis-cli's first INFO otherwise
            BlockedClients.await(c, 1);
            String out = runFor(List.of(cli, "-p", port, "--stat", "-i", "0.2"), 1500, () -> { });
            List<String> lines = out.lines().toList();
            assertTrue(lines.size() >= 5, out);
            assertTrue(lines.get(0).startsWith("------- data ------ --------------------- load"), out);
            assertTrue(lines.get(1).startsWith("keys       mem      clients blocked requests"), out);
            Pattern row = Pattern.compile("^(\\d+)\\s+([0-9.]+[BKMGT])\\s+(\\d+)\\s+(\\d+)\\s+(\\d+) \\(\\+(\\d+)\\)\\s+(\\d+)\\s*$");
            long lastRequests = -1;
            int rows = 0;
            for (String line : lines.subList(2, lines.size())) {
                Matcher m = row.matcher(line);
                assertTrue(m.matches(), "row: '" + line + "' in\n" + out);
                rows++;
                assertEquals("8", m.group(1), line);
                // this test's two clients and redis-cli's own
                assertTrue(Long.parseLong(m.group(3)) >= 3, line);
                assertEquals("1", m.group(4), line);
                long requests = Long.parseLong(m.group(5));
                if (lastRequests >= 0) {
                    // each row's own INFO at least
                    assertTrue(requests > lastRequests && Long.parseLong(m.group(6)) == requests - lastRequests, line);
                }
                lastRequests = requests;
                assertTrue(Long.parseLong(m.group(7)) >= 3, line);
            }
            assertTrue(rows >= 3, out);
            c.call("FLUSHALL");
        }
    }

    /** redis-cli --latency times PING: without a terminal it samples for a second and prints once. */
    @Test
    void redisCli_latency(EmbeddedServer server) throws Exception {
        String cli = tool("redis-cli");
        String port = Integer.toString(server.port());
        for (List<String> mode : List.of(List.of("--latency"), List.of("--latency", "--csv"))) {
            List<String> cmd = new ArrayList<>(List.of(cli, "-p", port));
            cmd.addAll(mode);
            String out = run(cmd).strip();
            String[] f = out.split(mode.size() == 2 ? "," : " ");
            assertEquals(4, f.length, out);
            long min = Long.parseLong(f[0]);
            long max = Long.parseLong(f[1]);
            double avg = Double.parseDouble(f[2]);
            long samples = Long.parseLong(f[3]);
            // one PING every 10 ms for a second
            assertTrue(samples >= 20, out);
            assertTrue(min <= avg && avg <= max, out);
            assertTrue(max < 1000, out);
        }
        String history = runFor(List.of(cli, "-p", port, "--latency-history", "-i", "1"), 2000, () -> { });
        assertTrue(history.contains(" seconds range"), history);
        // --latency-dist: its legend, then a row of PING latencies per interval
        String dist = runFor(List.of(cli, "-p", port, "--latency-dist", "-i", "1"), 1500, () -> { });
        assertTrue(dist.contains(". - * #          .01 .125 .25 .5 milliseconds"), dist);
        assertFalse(dist.contains("I/O error") || dist.contains("ERR"), dist);
    }

    /** redis-cli monitor prints each line as the server sends it. */
    @Test
    void redisCli_monitor(EmbeddedServer server) throws Exception {
        String cli = tool("redis-cli");
        String port = Integer.toString(server.port());
        String out = runFor(List.of(cli, "-p", port, "monitor"), 500, () -> {
            try (RawClient c = new RawClient(server.host(), server.port())) {
                c.call("SET", "watched key", "a\"b");
                c.call("EVAL", "return redis.call('get', KEYS[1])", "1", "watched key");
                c.call("DEL", "watched key");
            }
        });
        List<String> lines = out.lines().toList();
        assertEquals("OK", lines.get(0), out);
        Pattern line = Pattern.compile("^\\d+\\.\\d{6} \\[0 (127\\.0\\.0\\.1:\\d+|lua)\\] (.*)$");
        List<String> commands = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            Matcher m = line.matcher(l);
            assertTrue(m.matches(), l);
            commands.add(m.group(1).equals("lua") ? "lua: " + m.group(2) : m.group(2));
        }
        assertEquals(List.of("\"SET\" \"watched key\" \"a\\\"b\"",
                "\"EVAL\" \"return redis.call('get', KEYS[1])\" \"1\" \"watched key\"",
                "lua: \"get\" \"watched key\"",
                "\"DEL\" \"watched key\""), commands);
    }
}
