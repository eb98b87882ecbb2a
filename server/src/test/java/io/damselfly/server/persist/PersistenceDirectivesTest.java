package io.damselfly.server.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The redis.conf persistence directives damselfly acts on: stop-writes-on-bgsave-error (MISCONF
 * after a failed save, as redis-server answers), rdbchecksum (a file without checksum that
 * redis-server loads, and no check on load), rdbcompression (DUMP payloads byte for byte as
 * redis-server's), and oom-score-adj (this process's /proc/self/oom_score_adj).
 */
class PersistenceDirectivesTest {
    @TempDir
    Path tmp;

    @Test
    void misconfAfterFailedSaveAsRedis() throws Exception {
        Path dDir = Files.createDirectory(tmp.resolve("d"));
        Path rDir = Files.createDirectory(tmp.resolve("r"));
        try (RedisServerProcess redis = RedisServerProcess.start("--enable-protected-configs", "yes", "--save", "3600 1");
             EmbeddedServer server = EmbeddedServer.builder().option("dir", dDir.toString()).option("save", "3600 1").start();
             RawClient d = new RawClient("127.0.0.1", server.port());
             RawClient r = new RawClient("127.0.0.1", redis.port())) {
            assertEquals("+OK", r.callText("CONFIG", "SET", "dir", rDir.toString()));
            for (RawClient c : new RawClient[] {d, r}) {
                assertEquals("+OK", c.callText("SET", "k", "v"));
            }
            // the directory goes away under both: the next background save fails
            Files.delete(dDir);
            Files.delete(rDir);
            for (RawClient c : new RawClient[] {d, r}) {
                assertEquals("+Background saving started", c.callText("BGSAVE"));
                awaitSaveStatus(c, "err");
            }
            String misconf = r.callText("SET", "k", "w");
            assertTrue(misconf.startsWith("-MISCONF "), misconf);
            assertEquals(misconf, d.callText("SET", "k", "w"));
            assertEquals(r.callText("PING"), d.callText("PING"));
            assertEquals(r.callText("GET", "k"), d.callText("GET", "k"));
            assertEquals(r.callText("EVAL", "return redis.call('set','k','x')", "0"),
                    d.callText("EVAL", "return redis.call('set','k','x')", "0"));
            assertEquals(r.callText("EVAL", "#!lua\nreturn 1", "0"), d.callText("EVAL", "#!lua\nreturn 1", "0"));
            assertEquals(r.callText("EVAL", "#!lua flags=no-writes\nreturn 1", "0"),
                    d.callText("EVAL", "#!lua flags=no-writes\nreturn 1", "0"));
            // off, writes pass; on again, refused; without save points, writes pass
            for (String[] step : new String[][] {{"stop-writes-on-bgsave-error", "no"}, {"stop-writes-on-bgsave-error", "yes"},
                    {"save", ""}, {"save", "3600 1"}}) {
                assertEquals(r.callText("CONFIG", "SET", step[0], step[1]), d.callText("CONFIG", "SET", step[0], step[1]));
                assertEquals(r.callText("SET", "k", step[1]), d.callText("SET", "k", step[1]), step[0] + " " + step[1]);
            }
            // a good save lifts it (damselfly only: redis-server stays in the deleted directory it chdir'ed to)
            Files.createDirectory(dDir);
            assertEquals("+Background saving started", d.callText("BGSAVE"));
            awaitSaveStatus(d, "ok");
            assertEquals("+OK", d.callText("SET", "k", "after"));
            assertEquals("+PONG", d.callText("PING"));
        }
    }

    private static void awaitSaveStatus(RawClient c, String status) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            String info = c.callText("INFO", "persistence");
            if (info.contains("rdb_bgsave_in_progress:0") && info.contains("rdb_last_bgsave_status:" + status)) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("rdb_last_bgsave_status never became " + status);
    }

    @Test
    void rdbchecksumNoWritesZeroAndRedisLoadsIt() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("nocrc"));
        try (EmbeddedServer server = EmbeddedServer.builder().option("dir", dir.toString()).option("rdbchecksum", "no").start();
             RawClient d = new RawClient("127.0.0.1", server.port())) {
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'rdbchecksum') - can't set immutable config",
                    d.callText("CONFIG", "SET", "rdbchecksum", "yes"));
            d.call("SET", "k", "v");
            d.call("RPUSH", "l", "a", "b");
            assertEquals("+OK", d.callText("SAVE"));
        }
        byte[] file = Files.readAllBytes(dir.resolve("dump.rdb"));
        assertTrue(Arrays.equals(new byte[8], Arrays.copyOfRange(file, file.length - 8, file.length)), "checksum written as 0");
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", dir.toString(), "--dbfilename", "dump.rdb");
             RawClient r = new RawClient("127.0.0.1", redis.port())) {
            assertEquals(":2", r.callText("DBSIZE"));
            assertEquals("$v", r.callText("GET", "k"));
        }
    }

    @Test
    void rdbchecksumNoSkipsTheCheckOnLoad() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("badcrc"));
        try (EmbeddedServer server = EmbeddedServer.builder().option("dir", dir.toString()).start();
             RawClient d = new RawClient("127.0.0.1", server.port())) {
            d.call("SET", "k", "v");
            assertEquals("+OK", d.callText("SAVE"));
        }
        Path file = dir.resolve("dump.rdb");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 0x55; // a wrong, non-zero checksum
        Files.write(file, bytes);
        assertThrows(RuntimeException.class, () -> EmbeddedServer.builder().option("dir", dir.toString()).start().close());
        try (EmbeddedServer server = EmbeddedServer.builder().option("dir", dir.toString()).option("rdbchecksum", "no").start();
             RawClient d = new RawClient("127.0.0.1", server.port())) {
            assertEquals("$v", d.callText("GET", "k"));
        }
    }

    @Test
    void rdbcompressionShapesDumpAsRedis() throws Exception {
        String value = "abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabc";
        try (RedisServerProcess redis = RedisServerProcess.start();
             EmbeddedServer server = EmbeddedServer.builder().start();
             RawClient d = new RawClient("127.0.0.1", server.port());
             RawClient r = new RawClient("127.0.0.1", redis.port())) {
            for (String setting : new String[] {"no", "yes", "no"}) {
                for (RawClient c : new RawClient[] {d, r}) {
                    assertEquals("+OK", c.callText("CONFIG", "SET", "rdbcompression", setting));
                    c.call("SET", "k", value);
                }
                String expected = r.callText("DUMP", "k");
                RespValue payload = d.call("DUMP", "k");
                String actual = RawClient.render(payload);
                assertEquals(setting.equals("no"), expected.contains(value), expected);
                assertEquals(setting.equals("no"), actual.contains(value), actual);
                if (setting.equals("no")) {
                    assertEquals(expected, actual, "rdbcompression no");
                }
                // compressed, the LZF bytes may differ from Redis's encoder's; redis-server reads them
                byte[] bytes = ((RespValue.BulkString) payload).value();
                assertEquals("+OK", RawClient.render(r.call("RESTORE".getBytes(), ("from-" + setting).getBytes(), "0".getBytes(), bytes, "REPLACE".getBytes())));
                assertEquals("$" + value, r.callText("GET", "from-" + setting));
            }
        } finally {
            io.damselfly.server.rdb.RdbOutput.setCompression(true);
        }
    }

    @Test
    void oomScoreAdjWritesProc() throws Exception {
        Path proc = Path.of("/proc/self/oom_score_adj");
        assertTrue(Files.exists(proc), "Linux only");
        int base = Integer.parseInt(Files.readString(proc).strip());
        try (EmbeddedServer server = EmbeddedServer.builder().option("oom-score-adj", "absolute")
                .option("oom-score-adj-values", "300 400 500").start();
             RawClient d = new RawClient("127.0.0.1", server.port())) {
            assertEquals(300, Integer.parseInt(Files.readString(proc).strip()), "at start");
            assertEquals("+OK", d.callText("CONFIG", "SET", "oom-score-adj-values", "20 400 500", "oom-score-adj", "relative"));
            assertEquals(Math.min(1000, base + 20), Integer.parseInt(Files.readString(proc).strip()), "relative to the score at start");
            // a replica takes the second value, a primary again the first (oom-score-adj.tcl)
            assertEquals("+OK", d.callText("REPLICAOF", "localhost", "1"));
            assertEquals(Math.min(1000, base + 400), Integer.parseInt(Files.readString(proc).strip()), "as a replica");
            assertEquals("+OK", d.callText("REPLICAOF", "NO", "ONE"));
            assertEquals(Math.min(1000, base + 20), Integer.parseInt(Files.readString(proc).strip()), "a primary again");
            assertEquals("+OK", d.callText("CONFIG", "SET", "oom-score-adj-values", "2000 2000 2000"));
            assertEquals(1000, Integer.parseInt(Files.readString(proc).strip()), "clamped");
            assertEquals("+OK", d.callText("CONFIG", "SET", "oom-score-adj", "no"));
            assertEquals(base, Integer.parseInt(Files.readString(proc).strip()), "restored");
        } finally {
            Files.writeString(proc, base + "\n");
        }
    }

    @Test
    void incrementalFsyncOptionKeepsFilesWhole() throws IOException {
        for (String setting : new String[] {"yes", "no"}) {
            Path dir = Files.createDirectory(tmp.resolve("fsync-" + setting));
            try (EmbeddedServer server = EmbeddedServer.builder().option("dir", dir.toString())
                    .option("rdb-save-incremental-fsync", setting).start();
                 RawClient d = new RawClient("127.0.0.1", server.port())) {
                d.call("SET", "k", "x".repeat(1000));
                assertEquals("+OK", d.callText("SAVE"));
            }
            try (EmbeddedServer again = EmbeddedServer.builder().option("dir", dir.toString()).start();
                 RawClient d = new RawClient("127.0.0.1", again.port())) {
                assertEquals(":1", d.callText("DBSIZE"));
            }
        }
    }

    /** shutdown-on-sigterm: nosave skips the save that save points ask for; save saves without them. */
    @Test
    void shutdownOnSigtermModifiers() throws Exception {
        for (String[] c : new String[][] {{"nosave", "3600 1", "false"}, {"save", "", "true"}, {"default", "", "false"}}) {
            Path dir = Files.createDirectory(tmp.resolve("sig-" + c[0]));
            int port;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "io.damselfly.server.Main",
                    "--port", Integer.toString(port), "--admin_port", "-1", "--dir", dir.toString(),
                    "--save", c[1], "--shutdown-on-sigterm", c[0])
                    .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
            try {
                RawClient d = null;
                for (int i = 0; i < 600 && d == null; i++) {
                    try {
                        d = new RawClient("127.0.0.1", port);
                    } catch (RuntimeException notYet) {
                        assertTrue(p.isAlive(), Files.readString(dir.resolve("server.log")));
                        Thread.sleep(50);
                    }
                }
                assertTrue(d != null, "server did not start");
                assertEquals("$" + c[0], d.callText("CONFIG", "GET", "shutdown-on-sigterm").replaceAll(".*, ", "").replace("]", ""));
                d.call("SET", "k", "v");
                d.close();
                p.destroy();
                assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "exits after SIGTERM");
                assertEquals(Boolean.parseBoolean(c[2]), Files.exists(dir.resolve("dump.rdb")), c[0] + " with save '" + c[1] + "'");
            } finally {
                p.destroyForcibly();
                p.waitFor();
            }
        }
    }

    /** enable-protected-configs lets CONFIG SET change dir and dbfilename, as in redis-server. */
    @Test
    void enableProtectedConfigsAsRedis() throws Exception {
        for (String mode : new String[] {"no", "yes", "local"}) {
            try (RedisServerProcess redis = RedisServerProcess.start("--enable-protected-configs", mode);
                 EmbeddedServer server = EmbeddedServer.builder().option("enable-protected-configs", mode).start();
                 RawClient d = new RawClient("127.0.0.1", server.port());
                 RawClient r = new RawClient("127.0.0.1", redis.port())) {
                assertEquals(r.callText("CONFIG", "SET", "dbfilename", "other.rdb"), d.callText("CONFIG", "SET", "dbfilename", "other.rdb"), mode);
                assertEquals(r.callText("CONFIG", "GET", "dbfilename"), d.callText("CONFIG", "GET", "dbfilename"), mode);
                assertEquals(r.callText("CONFIG", "SET", "enable-protected-configs", "yes"),
                        d.callText("CONFIG", "SET", "enable-protected-configs", "yes"));
            }
        }
    }
}
