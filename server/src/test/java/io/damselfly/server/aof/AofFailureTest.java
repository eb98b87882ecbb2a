package io.damselfly.server.aof;

import static io.damselfly.server.aof.AofFixture.awaitQuiet;
import static io.damselfly.server.aof.AofFixture.info;
import static io.damselfly.server.aof.AofFixture.lastIncr;
import static io.damselfly.server.aof.AofFixture.lastIncrCommands;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The AOF when its files or its disk fail, against redis-server 7.0.15 given the same files: a
 * last incr file cut in the middle of a command (loaded and cut to the same length with
 * aof-load-truncated yes, refused with no), a file with bytes that are no command (refused), and
 * an incr file that cannot be written (a symlink to /dev/full: MISCONF with Redis's text, the
 * server going on).
 */
@Timeout(60)
class AofFailureTest {
    @TempDir
    Path tmp;
    @RegisterExtension
    final AofFixture fx = new AofFixture();

    /**
     * An AOF directory written by redis-server: SET a, SET b, MULTI SET c INCR n EXEC, SET d;
     * answers the path of its incr file.
     */
    private Path redisWrittenAof(Path dir) throws Exception {
        RedisServerProcess redis = fx.redis(dir);
        RawClient c = fx.raw(redis.port());
        c.call("SET", "a", "1");
        c.call("SET", "b", "2");
        c.call("MULTI");
        c.call("SET", "c", "3");
        c.call("INCR", "n");
        c.call("EXEC");
        c.call("SET", "d", "4");
        Path incr = lastIncr(c);
        fx.stop(redis);
        return incr;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    /** Every key of database 0 with its value. */
    private static Map<String, String> strings(RawClient c) {
        Map<String, String> all = new TreeMap<>();
        for (RespValue k : ((RespValue.Array) c.call("KEYS", "*")).values()) {
            String key = ((RespValue.BulkString) k).asString();
            all.put(key, c.callText("GET", key));
        }
        return all;
    }

    private static int indexOf(byte[] data, String what) {
        byte[] w = what.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + w.length <= data.length; i++) {
            for (int j = 0; j < w.length; j++) {
                if (data[i + j] != w[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("no " + what.replace("\r\n", "\\r\\n") + " in the file");
    }

    /**
     * The incr file cut inside its last command ("command"), or inside the EXEC of its
     * transaction ("multi", where Redis goes back to before the MULTI): both servers load the
     * same keys and cut the file to the same length, then log the same commands after it.
     */
    @ParameterizedTest(name = "cut inside {0}")
    @ValueSource(strings = {"command", "multi"})
    void truncatedLastIncrFileIsLoadedAndCutAsRedisCutsIt(String where) throws Exception {
        Path src = tmp.resolve("src");
        Path incr = redisWrittenAof(src);
        byte[] data = Files.readAllBytes(incr);
        int cut = where.equals("command") ? data.length - 5 : indexOf(data, "*1\r\n$4\r\nEXEC") + 7;
        Files.write(incr, java.util.Arrays.copyOf(data, cut));
        Path relative = src.relativize(incr);
        copyTree(src, tmp.resolve("redis"));
        copyTree(src, tmp.resolve("damselfly"));

        RawClient redis = fx.raw(fx.redis(tmp.resolve("redis"), "--aof-load-truncated", "yes").port());
        RawClient ours = fx.raw(fx.damselfly(tmp.resolve("damselfly"), "aof-load-truncated", "yes").port());
        Map<String, String> expected = strings(redis);
        assertTrue(expected.containsKey("b"), expected.toString());
        assertEquals(expected, strings(ours));
        long redisLength = Files.size(tmp.resolve("redis").resolve(relative));
        assertTrue(redisLength < cut, "redis-server cut the file: " + redisLength + " of " + cut);
        assertEquals(redisLength, Files.size(tmp.resolve("damselfly").resolve(relative)), "the length the file is cut to");

        redis.call("SET", "after", "cut");
        ours.call("SET", "after", "cut");
        assertEquals(lastIncrCommands(redis), lastIncrCommands(ours), "the incr file after the cut and a write");
    }

    @Test
    void truncatedLastIncrFileIsRefusedWithAofLoadTruncatedNo() throws Exception {
        Path src = tmp.resolve("src");
        Path incr = redisWrittenAof(src);
        byte[] data = Files.readAllBytes(incr);
        byte[] cut = java.util.Arrays.copyOf(data, data.length - 5);
        Files.write(incr, cut);
        Path relative = src.relativize(incr);
        copyTree(src, tmp.resolve("redis"));
        copyTree(src, tmp.resolve("damselfly"));

        IllegalStateException redisRefused = assertThrows(IllegalStateException.class,
                () -> fx.redis(tmp.resolve("redis"), "--aof-load-truncated", "no"));
        assertTrue(redisRefused.getMessage().contains("Unexpected end of file reading the append only file"), redisRefused.getMessage());
        assertThrows(RuntimeException.class,
                () -> fx.damselfly(tmp.resolve("damselfly"), "aof-load-truncated", "no"));
        assertEquals(cut.length, Files.size(tmp.resolve("redis").resolve(relative)), "redis-server left the file");
        assertEquals(cut.length, Files.size(tmp.resolve("damselfly").resolve(relative)), "damselfly left the file");
    }

    @Test
    void badFormatIsRefusedEvenWithAofLoadTruncatedYes() throws Exception {
        Path src = tmp.resolve("src");
        Path incr = redisWrittenAof(src);
        byte[] data = Files.readAllBytes(incr);
        int at = indexOf(data, "*3\r\n$3\r\nSET\r\n$1\r\nb");
        byte[] bad = new byte[data.length + 9];
        System.arraycopy(data, 0, bad, 0, at);
        System.arraycopy("garbage\r\n".getBytes(StandardCharsets.US_ASCII), 0, bad, at, 9);
        System.arraycopy(data, at, bad, at + 9, data.length - at);
        Files.write(incr, bad);
        copyTree(src, tmp.resolve("redis"));
        copyTree(src, tmp.resolve("damselfly"));

        IllegalStateException redisRefused = assertThrows(IllegalStateException.class,
                () -> fx.redis(tmp.resolve("redis"), "--aof-load-truncated", "yes"));
        assertTrue(redisRefused.getMessage().contains("Bad file format reading the append only file"), redisRefused.getMessage());
        assertThrows(RuntimeException.class, () -> fx.damselfly(tmp.resolve("damselfly"), "aof-load-truncated", "yes"));
    }

    /** What a server answers with its incr file a symlink to /dev/full, then with the AOF off and on again. */
    private interface Start {
        RawClient start() throws Exception;
    }

    private static List<String> onAFullDisk(Start first, Start again) throws Exception {
        RawClient c = first.start();
        assertEquals("+OK", c.callText("SET", "x", "1"));
        Path incr = lastIncr(c);
        RawClient restarted = again.start();
        List<String> out = new ArrayList<>();
        out.add("GET x " + restarted.callText("GET", "x"));
        out.add("aof_last_write_status:" + info(restarted, "aof_last_write_status"));
        for (Object[] command : new Object[][] {{"SET", "a", "1"}, {"SET", "b", "2"}, {"PING"}, {"GET", "a"}, {"INCR", "n"}}) {
            out.add(RawClient.render(restarted.call(command)));
        }
        out.add("aof_last_write_status:" + info(restarted, "aof_last_write_status"));
        out.add(restarted.callText("CONFIG", "SET", "appendonly", "no"));
        out.add(restarted.callText("SET", "c", "3"));
        out.add(restarted.callText("PING"));
        out.add(restarted.callText("CONFIG", "SET", "appendonly", "yes"));
        awaitQuiet(restarted);
        out.add(restarted.callText("SET", "d", "4"));
        out.add("aof_last_write_status:" + info(restarted, "aof_last_write_status"));
        out.add("still /dev/full: " + Files.isSymbolicLink(incr));
        out.add(String.join("; ", lastIncrCommands(restarted)));
        return out;
    }

    /** Stops the server, and makes its last incr file a symlink to /dev/full before it starts again. */
    private static void pointAtDevFull(Path incr) throws IOException {
        Files.delete(incr);
        Files.createSymbolicLink(incr, Path.of("/dev/full"));
    }

    @Test
    void aFailingWriteAnswersMisconfAsRedisAndTheServerGoesOn() throws Exception {
        Path redisDir = tmp.resolve("redis");
        RedisServerProcess[] redis = new RedisServerProcess[1];
        List<String> expected = onAFullDisk(() -> {
            redis[0] = fx.redis(redisDir, "--appendfsync", "everysec");
            return fx.raw(redis[0].port());
        }, () -> {
            Path incr = lastIncr(fx.raw(redis[0].port()));
            fx.stop(redis[0]);
            pointAtDevFull(incr);
            redis[0] = fx.redis(redisDir, "--appendfsync", "everysec");
            return fx.raw(redis[0].port());
        });
        assertTrue(expected.contains("-MISCONF Errors writing to the AOF file: No space left on device"), expected.toString());

        Path ourDir = tmp.resolve("damselfly");
        EmbeddedServer[] server = new EmbeddedServer[1];
        List<String> actual = onAFullDisk(() -> {
            server[0] = fx.damselfly(ourDir, "appendfsync", "everysec");
            return fx.raw(server[0].port());
        }, () -> {
            Path incr = lastIncr(fx.raw(server[0].port()));
            fx.stop(server[0]);
            pointAtDevFull(incr);
            server[0] = fx.damselfly(ourDir, "appendfsync", "everysec");
            return fx.raw(server[0].port());
        });
        assertEquals(expected, actual);
    }
}
