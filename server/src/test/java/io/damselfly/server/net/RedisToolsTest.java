package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.ServerExtension;
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
 * errors, with and without pipelining. (Speed is reported by scripts/bench, not asserted here.)
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
}
