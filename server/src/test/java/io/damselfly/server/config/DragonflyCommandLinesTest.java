package io.damselfly.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.TempDirs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's two Dragonfly command lines start damselfly unchanged: each line is handed to bash as
 * written (so the shell splits and unquotes it as it would for Dragonfly), bash runs Main in a JVM
 * whose heap can hold the line's maxmemory, and CONFIG GET shows every flag's value. The two flag
 * files in conf/ carry the same lines.
 */
class DragonflyCommandLinesTest {
    static final String CACHE_6GB = "--cache_mode=true --maxmemory=6GB --num_shards=0 --conn_io_threads=0 --tcp_nodelay=true"
            + " --max_eviction_per_heartbeat=100 --tcp_backlog=1024 --hz=100 --save_schedule=\"*/15 * * * *\"";
    static final String CACHE_2GB = "--maxmemory=2GB --hz=10 --save_schedule=*:30 --conn_io_threads=4 --pipeline_squash=10";

    private static final Pattern READY = Pattern.compile("ready on [^:]+:(\\d+)");

    /** The CONFIG GET name and the value each flag of the 6GB line must show. */
    private static Map<String, String> expected6gb() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cache_mode", "yes");
        m.put("maxmemory", String.valueOf(6L << 30));
        m.put("num_shards", "0");
        m.put("conn_io_threads", "0");
        m.put("tcp_nodelay", "yes");
        m.put("max_eviction_per_heartbeat", "100");
        m.put("tcp-backlog", "1024");
        m.put("hz", "100");
        m.put("save_schedule", "*/15 * * * *");
        return m;
    }

    private static Map<String, String> expected2gb() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("maxmemory", String.valueOf(2L << 30));
        m.put("hz", "10");
        m.put("save_schedule", "*:30");
        m.put("conn_io_threads", "4");
        m.put("pipeline_squash", "10");
        return m;
    }

    private static Path conf(String name) {
        Path p = Path.of("..", "conf", name);
        return Files.exists(p) ? p : Path.of("conf", name);
    }

    @Test
    void cacheLine6gb_startsUnchanged() throws Exception {
        startAndCheck(CACHE_6GB, 6L << 30, expected6gb());
    }

    @Test
    void cacheLine2gb_startsUnchanged() throws Exception {
        startAndCheck(CACHE_2GB, 2L << 30, expected2gb());
    }

    @Test
    void flagFiles_startTheSameServers() throws Exception {
        startAndCheck("--flagfile=" + conf("dragonfly-cache-6gb.flags").toAbsolutePath(), 6L << 30, expected6gb());
        startAndCheck("--flagfile " + conf("dragonfly-cache-2gb.flags").toAbsolutePath(), 2L << 30, expected2gb());
    }

    @Test
    void flagFiles_holdExactlyTheIssueLines() throws Exception {
        assertEquals(pairsOf(CACHE_6GB), pairsOf(ServerConfig.readFile(conf("dragonfly-cache-6gb.flags"))));
        assertEquals(pairsOf(CACHE_2GB), pairsOf(ServerConfig.readFile(conf("dragonfly-cache-2gb.flags"))));
    }

    @Test
    void dirAndDbfilename_takePaths(@TempDir Path dir) throws Exception {
        Path sub = dir.resolve("snap shots");
        ServerConfig c = ServerConfig.fromArgs("--dir=" + sub, "--dbfilename", "cache-6gb.rdb");
        assertEquals(sub.toString(), c.format(Option.DIR));
        assertEquals("cache-6gb.rdb", c.format(Option.DBFILENAME));
        ServerConfig d = ServerConfig.fromArgs("--dir", "/var/lib/damselfly", "--dbfilename=dump.rdb");
        assertEquals("/var/lib/damselfly", d.format(Option.DIR));
    }

    /** A line's flags as name=value, split by bash as a shell would. */
    private static List<String> pairsOf(String line) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "printf '%s\\n' " + line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        List<String> pairs = new ArrayList<>();
        for (String arg : out.split("\n")) {
            pairs.add(arg.substring(2));
        }
        return pairs;
    }

    private static List<String> pairsOf(List<ServerConfig.Setting> fileSettings) {
        List<String> pairs = new ArrayList<>();
        for (ServerConfig.Setting s : fileSettings) {
            assertTrue(s.flagSyntax(), s.name() + " is written in Dragonfly's flag syntax");
            pairs.add(s.name() + "=" + s.value());
        }
        return pairs;
    }

    /**
     * Runs {@code bash -c "exec java ... Main <line> --port 0 --admin_port -1"} and checks CONFIG GET
     * of every expected flag on the port it reports.
     */
    private static void startAndCheck(String line, long maxmemory, Map<String, String> expected) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // a heap that holds maxmemory by HeapBudget's rule, reserved but not committed
        String heap = "-Xmx" + HeapBudget.heapFor(maxmemory) / (1 << 20) + "m";
        // its own snapshot directory: both lines schedule saves, so SIGTERM saves there
        Path dir = TempDirs.create("dragonfly-line");
        String command = "exec '" + java + "' " + heap + " -cp '" + System.getProperty("java.class.path") + "' "
                + "io.damselfly.server.Main " + line + " --port 0 --admin_port -1 --bind 127.0.0.1 --dir '" + dir + "'";
        Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        try {
            int port = awaitReady(p, line);
            try (RawClient c = new RawClient("127.0.0.1", port)) {
                for (Map.Entry<String, String> e : expected.entrySet()) {
                    assertEquals("[$" + e.getKey() + ", $" + e.getValue() + "]", c.callText("CONFIG", "GET", e.getKey()),
                            "CONFIG GET " + e.getKey() + " after " + line);
                }
                assertEquals("+PONG", c.callText("PING"));
                assertEquals("+OK", c.callText("SET", "k", "v"));
                assertEquals("$v", c.callText("GET", "k"));
            }
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
            // a save schedule is persistence configured: SIGTERM saved the key
            assertTrue(Files.size(dir.resolve("dump.rdb")) > 0, "SIGTERM saved " + dir.resolve("dump.rdb"));
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            TempDirs.delete(dir);
        }
    }

    private static int awaitReady(Process p, String line) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String l;
        while ((l = out.readLine()) != null) {
            seen.append(l).append('\n');
            Matcher m = READY.matcher(l);
            if (m.find()) {
                // keep draining the log so the server never blocks on a full pipe
                Thread drain = new Thread(() -> {
                    try {
                        out.transferTo(java.io.Writer.nullWriter());
                    } catch (IOException ignored) {
                        // the process ended
                    }
                }, "drain");
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        assertNotNull(null, "damselfly did not start with " + line + ":\n" + seen);
        return -1;
    }
}
