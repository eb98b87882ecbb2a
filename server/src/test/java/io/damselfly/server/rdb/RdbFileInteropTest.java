package io.damselfly.server.rdb;

import static io.damselfly.server.command.family.DumpRestoreInteropTest.contents;
import static io.damselfly.server.command.family.DumpRestoreInteropTest.populate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.TempDirs;
import io.lettuce.core.FlushMode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RDB files between damselfly and a real redis-server 7.0.15, both ways: a dataset of every type,
 * small and large (so Redis uses its compact and its full encodings), strings of every encoding,
 * keys with TTLs, keys in several databases, keys already expired when saved, and a function
 * library. redis-server saves and damselfly starts on the file; damselfly's keyspace is written
 * with {@link RdbFileWriter} and redis-server starts on it (it refuses a bad file and the start
 * fails with its log). Every key's type, encoding, contents and TTL are compared, and the library.
 */
class RdbFileInteropTest {
    private static final String LIBRARY = "#!lua name=rdblib\n"
            + "redis.register_function('rdbfn', function(keys, args) return 'from-rdb' end)";
    /** Databases that hold keys besides 0. */
    private static final int[] OTHER_DBS = {1, 5, 15};

    private final List<AutoCloseable> open = new ArrayList<>();
    private Path dir;

    @BeforeEach
    void tempDir() throws Exception {
        dir = TempDirs.create("rdbfile");
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            c.close();
        }
        open.clear();
        TempDirs.delete(dir);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private RedisCommands<byte[], byte[]> connect(int port) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
        open.add(client::shutdown);
        open.add(c);
        return c.sync();
    }

    private EmbeddedServer damselfly(String dbfilename) {
        EmbeddedServer s = EmbeddedServer.builder().option("dir", dir.toString()).option("dbfilename", dbfilename).start();
        open.add(s);
        return s;
    }

    /** The whole dataset: {@link populate}'s keys in db 0, a few keys in other databases, the library. */
    private static void fill(RedisCommands<byte[], byte[]> r) {
        populate(r);
        for (int db : OTHER_DBS) {
            r.select(db);
            r.set(b("db" + db + ":str"), b("in db " + db));
            r.rpush(b("db" + db + ":list"), b("a"), b("b"));
            r.set(b("db" + db + ":ttl"), b("x"), SetArgs.Builder.px(600_000));
            r.hset(b("shared"), b("db"), b(Integer.toString(db)));
        }
        r.select(0);
        r.functionLoad(LIBRARY);
    }

    /** Every key of the databases the dataset uses, with its contents and PTTL. */
    private static Map<String, String> snapshot(RedisCommands<byte[], byte[]> r) {
        return snapshot(r, new int[] {0, 1, 5, 15});
    }

    private static Map<String, String> snapshot(RedisCommands<byte[], byte[]> r, int[] dbs) {
        Map<String, String> all = new LinkedHashMap<>();
        for (int db : dbs) {
            r.select(db);
            List<String> keys = new ArrayList<>();
            for (byte[] k : r.keys(b("*"))) {
                keys.add(new String(k, StandardCharsets.ISO_8859_1));
            }
            Collections.sort(keys);
            for (String k : keys) {
                long pttl = r.pttl(b(k));
                all.put(db + "/" + k, contents(r, k) + TTL + pttl);
            }
        }
        r.select(0);
        return all;
    }

    /** Separates a key's contents from its PTTL in {@link #snapshot}'s values. */
    private static final String TTL = " pttl=";

    /** The same keys with the same contents, and TTLs alike (none on both, or within 10 s). */
    /** Waits for the running background save; answers OK when it succeeded. */
    private static String awaitSave(RedisCommands<byte[], byte[]> r) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (r.info("persistence").contains("rdb_bgsave_in_progress:1")) {
            if (System.nanoTime() > deadline) {
                return "timed out";
            }
            Thread.sleep(10);
        }
        return r.info("persistence").contains("rdb_last_bgsave_status:ok") ? "OK" : "failed";
    }

    private static void assertSameData(Map<String, String> expected, Map<String, String> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String want = e.getValue();
            String got = actual.get(e.getKey());
            int w = want.lastIndexOf(TTL);
            int g = got.lastIndexOf(TTL);
            assertEquals(want.substring(0, w), got.substring(0, g), e.getKey());
            long wantTtl = Long.parseLong(want.substring(w + TTL.length()));
            long gotTtl = Long.parseLong(got.substring(g + TTL.length()));
            if (wantTtl < 0 || gotTtl < 0) {
                assertEquals(wantTtl, gotTtl, e.getKey() + " TTL");
            } else {
                assertTrue(Math.abs(wantTtl - gotTtl) < 10_000, e.getKey() + " TTL " + wantTtl + " vs " + gotTtl);
            }
        }
    }

    private static void assertLibrary(RedisCommands<byte[], byte[]> r) {
        assertEquals("from-rdb", new String((byte[]) r.fcall("rdbfn", ScriptOutputType.VALUE), StandardCharsets.ISO_8859_1));
        assertEquals(1, r.functionList().size());
    }

    @Test
    void redisToDamselfly_everyTypeEncodingTtlDatabaseAndFunction() throws Exception {
        Map<String, String> expected;
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", dir.toString(), "--dbfilename", "redis.rdb",
                "--enable-debug-command", "yes")) {
            RedisCommands<byte[], byte[]> r = connect(redis.port());
            fill(r);
            expected = snapshot(r);
            // keys whose expiry has passed but which are still in the table: saved, then dropped at load
            try (RawClient raw = new RawClient("127.0.0.1", redis.port())) {
                assertEquals("+OK", raw.callText("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
            }
            r.set(b("expired:str"), b("gone"), SetArgs.Builder.px(1));
            r.rpush(b("expired:list"), b("gone"));
            r.pexpire(b("expired:list"), 1);
            Thread.sleep(20);
            assertEquals("OK", r.save());
        }
        assertTrue(Files.size(dir.resolve("redis.rdb")) > 10_000, "size " + Files.size(dir.resolve("redis.rdb")));
        EmbeddedServer server = damselfly("redis.rdb");
        RedisCommands<byte[], byte[]> ours = connect(server.port());
        assertSameData(expected, snapshot(ours));
        assertEquals(0, ours.exists(b("expired:str"), b("expired:list")));
        assertLibrary(ours);
        assertNull(server.keyspace().checkInvariants());
    }

    @Test
    void damselflyToRedis_everyTypeEncodingTtlDatabaseAndFunction() throws Exception {
        EmbeddedServer server = damselfly("ours.rdb");
        RedisCommands<byte[], byte[]> ours = connect(server.port());
        fill(ours);
        Map<String, String> expected = snapshot(ours);
        assertEquals("OK", ours.save());
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", dir.toString(), "--dbfilename", "ours.rdb")) {
            RedisCommands<byte[], byte[]> r = connect(redis.port());
            assertSameData(expected, snapshot(r));
            assertLibrary(r);
        }
    }

    @Test
    void damselflyToDamselfly_roundTrip() throws Exception {
        EmbeddedServer first = damselfly("ours.rdb");
        RedisCommands<byte[], byte[]> a = connect(first.port());
        fill(a);
        Map<String, String> expected = snapshot(a);
        assertEquals("OK", a.bgsave().equals("Background saving started") ? awaitSave(a) : "BGSAVE refused");
        EmbeddedServer second = damselfly("ours.rdb");
        RedisCommands<byte[], byte[]> c = connect(second.port());
        assertSameData(expected, snapshot(c));
        assertLibrary(c);
        assertNull(second.keyspace().checkInvariants());
    }

    @Test
    void redisFileAsVersion9_loads() throws Exception {
        Map<String, String> expected;
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", dir.toString(), "--dbfilename", "redis.rdb")) {
            RedisCommands<byte[], byte[]> r = connect(redis.port());
            r.flushall(FlushMode.SYNC);
            r.set(b("k"), b("v"));
            r.rpush(b("l"), b("1"), b("2"), b("3"));
            r.sadd(b("s"), b("1"), b("2"));
            r.set(b("t"), b("v"), SetArgs.Builder.px(900_000));
            expected = snapshot(r);
            assertEquals("OK", r.save());
        }
        byte[] file = Files.readAllBytes(dir.resolve("redis.rdb"));
        file[8] = '9';
        file[7] = '0';
        long crc = Crc64.of(file, 0, file.length - 8);
        for (int i = 0; i < 8; i++) {
            file[file.length - 8 + i] = (byte) (crc >>> (8 * i));
        }
        Files.write(dir.resolve("v9.rdb"), file);
        EmbeddedServer server = damselfly("v9.rdb");
        assertSameData(expected, snapshot(connect(server.port())));
    }

    /**
     * The RDB files of Redis 7.0.15's own test suite (tests/assets: versions 3 to 10, zipmap,
     * ziplist, quicklist and listpack encodings, empty keys Redis skips, a "lua" AUX field), each
     * loaded by redis-server and by damselfly and compared; the corrupt ziplist one, which
     * redis-server refuses, is refused.
     */
    @Test
    void redisTestSuiteFiles_loadAsInRedis() throws Exception {
        int[] every = new int[16];
        for (int i = 0; i < 16; i++) {
            every[i] = i;
        }
        for (String name : List.of("encodings.rdb", "hash-ziplist.rdb", "hash-zipmap.rdb", "list-quicklist.rdb",
                "zset-ziplist.rdb", "scriptbackup.rdb", "corrupt_empty_keys.rdb")) {
            try (var in = getClass().getResourceAsStream("/rdb/" + name)) {
                Files.write(dir.resolve(name), in.readAllBytes());
            }
            Map<String, String> expected;
            try (RedisServerProcess redis = RedisServerProcess.start("--dir", dir.toString(), "--dbfilename", name)) {
                expected = snapshot(connect(redis.port()), every);
            }
            EmbeddedServer server = damselfly(name);
            Map<String, String> actual = snapshot(connect(server.port()), every);
            assertSameData(expected, actual);
            if (!name.startsWith("corrupt") && !name.startsWith("script")) {
                assertTrue(!expected.isEmpty(), name);
            }
        }
        try (var in = getClass().getResourceAsStream("/rdb/corrupt_ziplist.rdb")) {
            Files.write(dir.resolve("corrupt_ziplist.rdb"), in.readAllBytes());
        }
        RdbLoadException e = org.junit.jupiter.api.Assertions.assertThrows(RdbLoadException.class, () -> damselfly("corrupt_ziplist.rdb"));
        assertTrue(e.getMessage().contains("in the value of key 'key:000000000091' in DB 0"), e.getMessage());
    }
}
