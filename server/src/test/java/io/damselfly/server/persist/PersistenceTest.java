package io.damselfly.server.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.TempDirs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots as a user sees them: SAVE, BGSAVE [SCHEDULE], LASTSAVE, INFO persistence, save points,
 * a cron schedule, SHUTDOWN SAVE, SIGTERM, a failing directory, a kill -9 in the middle of a
 * save, and the point-in-time guarantee under concurrent writes. Files are checked by loading
 * them, into redis-server where it matters.
 */
class PersistenceTest {
    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private EmbeddedServer damselfly(String... options) {
        EmbeddedServer.Builder b = EmbeddedServer.builder().option("dir", dir.toString());
        for (int i = 0; i < options.length; i += 2) {
            b.option(options[i], options[i + 1]);
        }
        EmbeddedServer s = b.start();
        open.add(s);
        return s;
    }

    private RedisCommands<String, String> connect(int port) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        client.setDefaultTimeout(Duration.ofSeconds(30));
        StatefulRedisConnection<String, String> c = client.connect();
        open.add(client::shutdown);
        open.add(c);
        return c.sync();
    }

    private static String info(RedisCommands<String, String> r, String field) {
        for (String line : r.info("persistence").split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        throw new AssertionError("no " + field + " in INFO persistence");
    }

    private static void await(String what, Duration limit, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static void awaitSaveDone(RedisCommands<String, String> r) throws InterruptedException {
        await("the background save to end", Duration.ofSeconds(60), () -> info(r, "rdb_bgsave_in_progress").equals("0"));
    }

    /** Keys key:0 .. key:(n-1), MSET 10,000 at a time. */
    private static void fill(RedisCommands<String, String> r, int n, java.util.function.IntFunction<String> value) {
        Map<String, String> batch = new HashMap<>();
        for (int i = 0; i < n; i++) {
            batch.put("key:" + i, value.apply(i));
            if (batch.size() == 10_000 || i == n - 1) {
                r.mset(batch);
                batch.clear();
            }
        }
    }

    private static Map<String, String> strings(RedisCommands<String, String> r) {
        Map<String, String> all = new HashMap<>();
        for (String k : r.keys("*")) {
            all.put(k, r.get(k));
        }
        return all;
    }

    @Test
    void saveWritesAFileThatRedisServerAndDamselflyLoad() throws Exception {
        RedisCommands<String, String> r = connect(damselfly().port());
        java.util.Date before = r.lastsave();
        for (int i = 0; i < 1000; i++) {
            r.set("k" + i, "v" + i);
        }
        r.hset("h", Map.of("f", "v"));
        r.setex("ttl", 600, "x");
        assertEquals("1002", info(r, "rdb_changes_since_last_save"));
        Thread.sleep(1100);
        assertEquals("OK", r.save());
        assertTrue(r.lastsave().getTime() > before.getTime(), "LASTSAVE moves on");
        assertEquals("0", info(r, "rdb_changes_since_last_save"));
        assertEquals("1", info(r, "rdb_saves"));
        assertEquals("ok", info(r, "rdb_last_bgsave_status"));
        assertTrue(Files.exists(dir.resolve("dump.rdb")));
        try (var temps = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("dump.rdb")), temps.toList(), "no temporary file is left");
        }

        Path copy = TempDirs.create("redis-load");
        Files.copy(dir.resolve("dump.rdb"), copy.resolve("dump.rdb"));
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", copy.toString(), "--dbfilename", "dump.rdb")) {
            RedisCommands<String, String> rr = connect(redis.port());
            assertEquals(1002L, rr.dbsize());
            assertEquals("v999", rr.get("k999"));
            assertEquals(Map.of("f", "v"), rr.hgetall("h"));
            assertTrue(rr.ttl("ttl") > 590);
        } finally {
            Files.deleteIfExists(copy.resolve("dump.rdb"));
            Files.deleteIfExists(copy);
        }
    }

    @Test
    void aBackgroundSaveLeavesEveryEventLoopAtNormalPriority() throws Exception {
        // one connection: one of the two loops has had no task yet when the save's walk hands
        // each its steps from the save thread, which runs at SCHED_IDLE
        RedisCommands<String, String> r = connect(damselfly("conn_io_threads", "2").port());
        fill(r, 20_000, i -> "value-" + i);
        assertEquals("Background saving started", r.bgsave());
        awaitSaveDone(r);
        assertEquals("ok", info(r, "rdb_last_bgsave_status"));
        List<Integer> loops = BackgroundSaveSchedulingTest.policiesOf(name -> name.startsWith("damselfly-io"));
        assertTrue(loops.size() >= 2, "loop threads " + loops);
        assertFalse(loops.contains(BackgroundSaveSchedulingTest.SCHED_IDLE), "loop policies " + loops);
    }

    @Test
    void bgsaveRunsInTheBackgroundOneAtATime() throws Exception {
        RedisCommands<String, String> r = connect(damselfly().port());
        fill(r, 300_000, i -> "value-" + i);
        assertEquals("Background saving started", r.bgsave());
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class, r::bgsave);
        assertEquals("ERR Background save already in progress", e.getMessage());
        e = assertThrows(RedisCommandExecutionException.class, r::save);
        assertEquals("ERR Background save already in progress", e.getMessage());
        assertEquals("1", info(r, "rdb_bgsave_in_progress"));
        awaitSaveDone(r);
        assertEquals("ok", info(r, "rdb_last_bgsave_status"));
        assertEquals("1", info(r, "rdb_saves"));
        assertFalse(info(r, "rdb_last_bgsave_time_sec").equals("-1"));
    }

    @Test
    void bgsaveInsideMultiIsScheduled() throws Exception {
        RedisCommands<String, String> r = connect(damselfly().port());
        r.set("a", "1");
        r.multi();
        r.bgsave();
        var results = r.exec();
        assertEquals("Background saving scheduled", results.get(0));
        await("the scheduled save", Duration.ofSeconds(10), () -> info(r, "rdb_saves").equals("1"));
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class,
                () -> r.dispatch(CommandType.BGSAVE, new StatusOutput<>(StringCodec.UTF8),
                        new CommandArgs<>(StringCodec.UTF8).add("later")));
        assertEquals("ERR syntax error", e.getMessage());
    }

    /**
     * A writer overwrites keys in one order while a BGSAVE runs: a file with the keyspace of one
     * moment holds the new values of a prefix of that order and the old values of the rest.
     */
    @Test
    void aBackgroundSaveKeepsOneMomentUnderWrites() throws Exception {
        EmbeddedServer server = damselfly();
        RedisCommands<String, String> r = connect(server.port());
        int n = 200_000;
        fill(r, n, i -> "old");
        RedisCommands<String, String> writer = connect(server.port());
        AtomicBoolean stop = new AtomicBoolean();
        int[] written = {0};
        Thread t = new Thread(() -> {
            for (int i = 0; i < n && !stop.get(); i++) {
                writer.set("key:" + i, "new");
                written[0] = i + 1;
            }
        });
        assertEquals("Background saving started", r.bgsave());
        t.start();
        awaitSaveDone(r);
        stop.set(true);
        t.join();
        assertEquals("ok", info(r, "rdb_last_bgsave_status"));
        assertTrue(written[0] > 0);

        Path loaded = TempDirs.create("damselfly-load");
        Files.copy(dir.resolve("dump.rdb"), loaded.resolve("dump.rdb"));
        try (EmbeddedServer second = EmbeddedServer.builder().option("dir", loaded.toString()).start()) {
            RedisCommands<String, String> l = connect(second.port());
            Map<String, String> contents = strings(l);
            assertEquals(n, contents.size());
            int prefix = 0;
            while (prefix < n && contents.get("key:" + prefix).equals("new")) {
                prefix++;
            }
            for (int i = prefix; i < n; i++) {
                assertEquals("old", contents.get("key:" + i), "key:" + i + " after the moment's prefix of " + prefix);
            }
        } finally {
            Files.deleteIfExists(loaded.resolve("dump.rdb"));
            Files.deleteIfExists(loaded);
        }
    }

    @Test
    void aFailingSaveIsReportedAndKeepsThePreviousFile() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        RedisCommands<String, String> r = connect(damselfly("dir", sub.toString()).port());
        r.set("a", "1");
        assertEquals("OK", r.save());
        byte[] good = Files.readAllBytes(sub.resolve("dump.rdb"));
        r.set("a", "2");
        // the directory is replaced by a file: the temporary file cannot be created there
        Files.move(sub, dir.resolve("moved"));
        Files.writeString(sub, "not a directory");
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class, r::save);
        assertEquals("ERR", e.getMessage());
        // a failed SAVE leaves the status as the last good save set it (Redis's rdbSave); a
        // failed background save sets err
        assertEquals("ok", info(r, "rdb_last_bgsave_status"));
        assertEquals("Background saving started", r.bgsave());
        awaitSaveDone(r);
        assertEquals("err", info(r, "rdb_last_bgsave_status"));
        assertEquals(1L, Long.parseLong(info(r, "rdb_changes_since_last_save")));
        assertEquals(new String(good, java.nio.charset.StandardCharsets.ISO_8859_1), new String(
                Files.readAllBytes(dir.resolve("moved").resolve("dump.rdb")), java.nio.charset.StandardCharsets.ISO_8859_1));
        Files.delete(sub);
        Files.move(dir.resolve("moved"), sub);
        assertEquals("OK", r.save());
        assertEquals("ok", info(r, "rdb_last_bgsave_status"));
    }

    /**
     * INFO rdb_saves counts as Redis's stat_rdb_saves: each SAVE and each background save as it
     * begins, a failed one too; the saves of DEBUG RELOAD and FLUSHALL (rdbSave's other callers)
     * not. The same steps on both servers; a BGSAVE fails because its directory is gone (status
     * err), and after a good one a SAVE fails likewise, which leaves the status ok as Redis's
     * rdbSave does.
     */
    @Test
    void rdbSaves_countsSaveAndBackgroundSaves_failedOnesToo_asRedis() throws Exception {
        String expected = "DEBUG RELOAD 0, FLUSHALL 0, SAVE 1, BGSAVE 2, failed BGSAVE 3 err, BGSAVE 4 ok, failed SAVE ERR 5 ok";
        Path ours = Files.createDirectory(dir.resolve("ours"));
        assertEquals(expected, countSaves(connect(damselfly("dir", ours.toString(), "enable-debug-command", "yes", "enable-protected-configs", "yes").port()), ours));
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", theirs.toString(), "--enable-debug-command", "yes",
                "--enable-protected-configs", "yes")) {
            assertEquals(expected, countSaves(connect(redis.port()), theirs));
        }
    }

    /** Deletes a save directory and the files in it, so that the next save into it fails. */
    private static void removeDirectory(Path saveDir) throws IOException {
        try (var files = Files.list(saveDir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(saveDir);
    }

    private static String countSaves(RedisCommands<String, String> r, Path saveDir) throws Exception {
        StringBuilder seen = new StringBuilder();
        r.set("k", "v");
        r.debugReload();
        seen.append("DEBUG RELOAD ").append(info(r, "rdb_saves"));
        r.configSet("save", "3600 1");
        r.flushall();
        seen.append(", FLUSHALL ").append(info(r, "rdb_saves"));
        r.set("k", "v");
        r.save();
        seen.append(", SAVE ").append(info(r, "rdb_saves"));
        r.bgsave();
        awaitSaveDone(r);
        seen.append(", BGSAVE ").append(info(r, "rdb_saves"));
        removeDirectory(saveDir);
        r.bgsave();
        awaitSaveDone(r);
        seen.append(", failed BGSAVE ").append(info(r, "rdb_saves")).append(' ').append(info(r, "rdb_last_bgsave_status"));
        Files.createDirectory(saveDir);
        // redis-server saves relative to its working directory, which was the deleted one: set
        // dir again so that it changes into the new directory
        r.configSet("dir", saveDir.toString());
        r.bgsave();
        awaitSaveDone(r);
        seen.append(", BGSAVE ").append(info(r, "rdb_saves")).append(' ').append(info(r, "rdb_last_bgsave_status"));
        removeDirectory(saveDir);
        // a failed SAVE (Redis's rdbSave) leaves rdb_last_bgsave_status as the last background save left it
        try {
            r.save();
            seen.append(", SAVE did not fail");
        } catch (io.lettuce.core.RedisCommandExecutionException e) {
            seen.append(", failed SAVE ").append(e.getMessage());
        }
        seen.append(' ').append(info(r, "rdb_saves")).append(' ').append(info(r, "rdb_last_bgsave_status"));
        return seen.toString();
    }

    @Test
    void savePointsSaveAfterEnoughChanges() throws Exception {
        RedisCommands<String, String> r = connect(damselfly().port());
        assertEquals("OK", r.configSet("save", "1 3"));
        assertEquals("1 3", r.configGet("save").get("save"));
        r.set("a", "1");
        Thread.sleep(1500);
        assertEquals("0", info(r, "rdb_saves"), "one change is not enough for the save point");
        r.set("b", "1");
        r.set("c", "1");
        await("the save point's save", Duration.ofSeconds(10), () -> info(r, "rdb_saves").equals("1"));
        awaitSaveDone(r);
        assertTrue(Files.exists(dir.resolve("dump.rdb")));
    }

    /** The schedule fires at its minute, not before, whatever the clock says (the cron's time is given). */
    @Test
    void aCronScheduleSavesAtItsMinute() throws Exception {
        Keyspace ks = new Keyspace(4, 16);
        Persistence p = new Persistence(ks, Persistence.Target.of(dir, "cron.rdb", ks, null));
        open.add(p);
        SaveSchedule every15 = SaveSchedule.parseCron("*/15 * * * *");
        long before = java.time.Instant.parse("2026-12-04T10:14:58Z").toEpochMilli();
        p.tick(before, SavePoints.NONE, every15);
        p.tick(before + 1500, SavePoints.NONE, every15);
        assertFalse(p.inProgress());
        assertFalse(Files.exists(dir.resolve("cron.rdb")));
        p.tick(before + 2100, SavePoints.NONE, every15);
        await("the scheduled save", Duration.ofSeconds(10), () -> !p.inProgress());
        assertTrue(p.lastSaveOk());
        assertTrue(Files.exists(dir.resolve("cron.rdb")));
        // Dragonfly's older form: half past every hour
        Files.delete(dir.resolve("cron.rdb"));
        SaveSchedule halfPast = SaveSchedule.parse("*:30");
        long t = java.time.Instant.parse("2026-12-04T10:29:59Z").toEpochMilli();
        p.tick(t, SavePoints.NONE, halfPast);
        assertFalse(p.inProgress());
        p.tick(t + 1000, SavePoints.NONE, halfPast);
        await("the scheduled save", Duration.ofSeconds(10), () -> Files.exists(dir.resolve("cron.rdb")));
    }

    @Test
    void theScheduleIsAConfigOption() {
        RedisCommands<String, String> r = connect(damselfly("save_schedule", "*:30").port());
        assertEquals("*:30", r.configGet("save_schedule").get("save_schedule"));
        assertEquals("OK", r.configSet("snapshot_cron", "*/15 * * * *"));
        assertEquals("*/15 * * * *", r.configGet("snapshot_cron").get("snapshot_cron"));
    }

    @Test
    void shutdownSaveWritesEverythingAndARestartLoadsIt() throws Exception {
        EmbeddedServer server = damselfly();
        RedisCommands<String, String> r = connect(server.port());
        for (int i = 0; i < 1000; i++) {
            r.set("k" + i, "v" + i);
        }
        Map<String, String> before = strings(r);
        try {
            r.shutdown(true);
        } catch (RuntimeException closedWithoutReply) {
            // Redis closes the connection without a reply
        }
        await("the file", Duration.ofSeconds(10), () -> Files.exists(dir.resolve("dump.rdb")));
        Thread.sleep(500);
        EmbeddedServer second = damselfly();
        assertEquals(before, strings(connect(second.port())));
    }

    @Test
    void shutdownWithAFailingSaveKeepsServing() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("gone"));
        RedisCommands<String, String> r = connect(damselfly("dir", sub.toString(), "save", "3600 1").port());
        r.set("a", "1");
        Files.delete(sub);
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class,
                () -> r.dispatch(CommandType.SHUTDOWN, new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8)));
        assertEquals("ERR Errors trying to SHUTDOWN. Check logs.", e.getMessage());
        assertEquals("1", r.get("a"));
    }

    // ---- a separate process: signals and kill -9 -------------------------------------------

    private Process startProcess(int port, String... options) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.damselfly.server.Main",
                "--port", Integer.toString(port), "--admin_port", "-1", "--dir", dir.toString()));
        cmd.addAll(List.of(options));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        open.add(() -> {
            p.destroyForcibly();
            p.waitFor();
        });
        return p;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private RedisCommands<String, String> connectWhenUp(int port, Process p) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                break;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !p.isAlive()) {
                    throw new AssertionError("server did not start: " + Files.readString(dir.resolve("server.log")));
                }
                Thread.sleep(50);
            }
        }
        return connect(port);
    }

    @Test
    void sigtermSavesWhenPersistenceIsConfigured() throws Exception {
        int port = freePort();
        Process p = startProcess(port, "--save", "3600 1");
        RedisCommands<String, String> r = connectWhenUp(port, p);
        for (int i = 0; i < 500; i++) {
            r.set("k" + i, "v" + i);
        }
        p.destroy();
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "exits after SIGTERM");
        assertEquals(0, p.exitValue());
        String log = Files.readString(dir.resolve("server.log"));
        assertFalse(log.contains("Exception"), log);
        assertTrue(log.contains("damselfly is now ready to exit, bye bye..."), log);
        EmbeddedServer second = damselfly();
        assertEquals(500L, connect(second.port()).dbsize());
    }

    /** kill -9 at any moment of a save leaves the last good file, which loads whole. */
    @Test
    void killDuringBgsaveLeavesThePreviousFile() throws Exception {
        int port = freePort();
        Process p = startProcess(port);
        RedisCommands<String, String> r = connectWhenUp(port, p);
        r.set("first", "snapshot");
        assertEquals("OK", r.save());
        byte[] good = Files.readAllBytes(dir.resolve("dump.rdb"));
        fill(r, 400_000, i -> "value-" + i);
        assertEquals("Background saving started", r.bgsave());
        Thread.sleep(50);
        p.destroyForcibly();
        p.waitFor();
        assertEquals(new String(good, java.nio.charset.StandardCharsets.ISO_8859_1), new String(
                Files.readAllBytes(dir.resolve("dump.rdb")), java.nio.charset.StandardCharsets.ISO_8859_1),
                "dump.rdb is the previous save's, whole");
        EmbeddedServer second = damselfly();
        RedisCommands<String, String> l = connect(second.port());
        assertEquals(Map.of("first", "snapshot"), strings(l));
    }
}
