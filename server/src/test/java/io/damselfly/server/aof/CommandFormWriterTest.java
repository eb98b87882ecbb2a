package io.damselfly.server.aof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.keyspace.ValueBuilder;
import io.damselfly.server.rdb.RdbFormatException;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.TempDirs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CommandFormWriter} against a real redis-server 7.0.15. One dataset of every type, small
 * and large encodings, TTLs, several databases and function libraries is made by the same commands
 * in damselfly and in redis-server. damselfly's SAVE is converted and loaded back twice: by
 * redis-server as an AOF base file (its own loader, the #TS annotation included) and by a fresh
 * damselfly fed the commands over a socket (each must succeed); both must hold what the original
 * held. Then the converted file is compared, key by key and command by command, with the base
 * file redis-server's BGREWRITEAOF writes under aof-use-rdb-preamble no (and so is the conversion
 * of redis-server's own RDB file of the same moment). Garbage input ends in a clear exception.
 */
class CommandFormWriterTest {
    private static final String LIBRARY = "#!lua name=aoflib\n"
            + "redis.register_function('aoffn', function(keys, args) return 'from-aof' end)";
    private static final String LIBRARY2 = "#!lua name=aoflib2\n"
            + "redis.register_function{function_name='aoffn2', callback=function(keys, args) return 2 end, flags={'no-writes'}}";
    private static final int[] DATABASES = {0, 1, 5};
    /**
     * The one stream key whose reload differs from its original, as in Redis: a pending entry whose
     * stream entry was deleted is dropped by the XCLAIM that would restore it (xclaimCommand
     * clears a NACK of a missing entry).
     */
    private static final String DELETED_PENDING = "stream:deletedpending";

    private final List<AutoCloseable> open = new ArrayList<>();
    private Path dir;

    @BeforeEach
    void tempDir() throws IOException {
        dir = TempDirs.create("aofrw");
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

    // ---- the dataset --------------------------------------------------------------------------

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The commands that make the dataset; {@code expireAt} is the absolute expiry (Unix ms) of the keys with a TTL. */
    private static List<Object[]> dataset(long expireAt) {
        List<Object[]> c = new ArrayList<>();
        String at = Long.toString(expireAt);
        c.add(new Object[] {"FUNCTION", "LOAD", LIBRARY});
        c.add(new Object[] {"FUNCTION", "LOAD", LIBRARY2});

        c.add(new Object[] {"SET", "str:short", "hello"});
        c.add(new Object[] {"SET", "str:int", "12345"});
        c.add(new Object[] {"SET", "str:negative", "-9223372036854775808"});
        c.add(new Object[] {"SET", "str:empty", ""});
        byte[] binary = new byte[3000];
        new Random(7).nextBytes(binary);
        c.add(new Object[] {"SET", "str:binary", binary});
        c.add(new Object[] {"SET", "str:big", "x".repeat(100_000)});
        c.add(new Object[] {"SET", "str:ttl", "soon"});
        c.add(new Object[] {"PEXPIREAT", "str:ttl", at});

        c.add(command("RPUSH", "list:small", range(10, i -> i % 2 == 0 ? Integer.toString(i * 1000 - 3000) : "element-" + i)));
        c.add(command("RPUSH", "list:large", range(300, i -> i % 3 == 0 ? Long.toString(i * 123_456_789L - 40_000_000_000L) : "item:" + i)));
        c.add(command("RPUSH", "list:exact64", range(64, i -> "e" + i)));
        c.add(command("RPUSH", "list:exact128", range(128, i -> "e" + i)));
        c.add(new Object[] {"RPUSH", "list:bigelement", "a", "y".repeat(70_000), "b"});
        c.add(new Object[] {"LPUSH", "list:ttl", "1", "2"});
        c.add(new Object[] {"PEXPIREAT", "list:ttl", at});

        c.add(new Object[] {"SADD", "set:ints", "1", "2", "3", "-400", "32767", "9223372036854775807"});
        c.add(command("SADD", "set:manyints", range(600, i -> Integer.toString(i * 3 - 200))));
        c.add(new Object[] {"SADD", "set:strings", "a", "b", "c", "10"});
        c.add(command("SADD", "set:large", range(200, i -> "member:" + i)));
        c.add(new Object[] {"SADD", "set:ttl", "x"});
        c.add(new Object[] {"PEXPIREAT", "set:ttl", at});

        c.add(new Object[] {"ZADD", "zset:small", "1", "one", "2.5", "two.5", "-3", "minus", "inf", "inf", "-inf", "-inf",
            "1e-7", "tiny", "123456789.125", "big", "0.1", "0.1", "5", "15", "1e20", "huge", "-0", "negzero",
            "3.0000000000000004", "ulp"});
        c.add(command("ZADD", "zset:large", scored(200)));
        c.add(new Object[] {"ZADD", "zset:longmember", "1", "q".repeat(100)});
        c.add(new Object[] {"ZADD", "zset:ttl", "1", "a"});
        c.add(new Object[] {"PEXPIREAT", "zset:ttl", at});

        c.add(command("HSET", "hash:small", range(20, i -> i % 2 == 0 ? "field" + i : Integer.toString(i * 70_000))));
        c.add(command("HSET", "hash:100", range(200, i -> i % 2 == 0 ? "f" + i : "v" + i)));
        c.add(command("HSET", "hash:large", range(600, i -> i % 2 == 0 ? "f:" + i : "v:" + i * 7)));
        c.add(new Object[] {"HSET", "hash:ttl", "a", "1"});
        c.add(new Object[] {"PEXPIREAT", "hash:ttl", at});

        // a stream with a deleted middle entry and a deleted last one (last-id above every live entry)
        c.add(new Object[] {"XADD", "stream:plain", "1-1", "a", "1", "b", "2"});
        c.add(new Object[] {"XADD", "stream:plain", "2-0", "a", "3"});
        c.add(new Object[] {"XADD", "stream:plain", "3-5", "c", "x".repeat(100)});
        c.add(new Object[] {"XADD", "stream:plain", "4-0", "d", "4"});
        c.add(new Object[] {"XDEL", "stream:plain", "2-0", "4-0"});
        for (int i = 1; i <= 300; i++) {
            c.add(new Object[] {"XADD", "stream:large", i + "-" + (i % 3), "n", Integer.toString(i), i % 7 == 0 ? "other" : "field", "v" + i});
        }
        c.add(new Object[] {"XDEL", "stream:large", "7-1", "150-0", "151-1"});
        // groups, consumers with and without pending entries, re-deliveries, a claimed entry, a
        // group created in the middle (entries-read unknown)
        for (int i = 1; i <= 20; i++) {
            c.add(new Object[] {"XADD", "stream:groups", i + "-0", "job", Integer.toString(i)});
        }
        c.add(new Object[] {"XGROUP", "CREATE", "stream:groups", "g1", "0"});
        c.add(new Object[] {"XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "stream:groups", ">"});
        c.add(new Object[] {"XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "stream:groups", ">"});
        c.add(new Object[] {"XACK", "stream:groups", "g1", "2-0", "7-0"});
        c.add(new Object[] {"XREADGROUP", "GROUP", "g1", "alice", "STREAMS", "stream:groups", "0"});
        c.add(new Object[] {"XCLAIM", "stream:groups", "g1", "bob", "0", "3-0"});
        c.add(new Object[] {"XGROUP", "CREATECONSUMER", "stream:groups", "g1", "dave"});
        c.add(new Object[] {"XGROUP", "CREATE", "stream:groups", "g2", "$"});
        c.add(new Object[] {"XGROUP", "CREATECONSUMER", "stream:groups", "g2", "carol"});
        c.add(new Object[] {"XGROUP", "CREATE", "stream:groups", "g3", "5-0"});
        c.add(new Object[] {"XREADGROUP", "GROUP", "g3", "erin", "COUNT", "2", "STREAMS", "stream:groups", ">"});
        c.add(new Object[] {"XADD", DELETED_PENDING, "1-0", "f", "1"});
        c.add(new Object[] {"XADD", DELETED_PENDING, "2-0", "f", "2"});
        c.add(new Object[] {"XADD", DELETED_PENDING, "3-0", "f", "3"});
        c.add(new Object[] {"XGROUP", "CREATE", DELETED_PENDING, "g", "0"});
        c.add(new Object[] {"XREADGROUP", "GROUP", "g", "c", "COUNT", "3", "STREAMS", DELETED_PENDING, ">"});
        c.add(new Object[] {"XDEL", DELETED_PENDING, "2-0"});
        // empty streams with groups: never had an entry, and emptied by XDEL
        c.add(new Object[] {"XGROUP", "CREATE", "stream:emptygroups", "g", "0", "MKSTREAM"});
        c.add(new Object[] {"XGROUP", "CREATECONSUMER", "stream:emptygroups", "g", "idle"});
        c.add(new Object[] {"XADD", "stream:emptied", "5-0", "f", "v"});
        c.add(new Object[] {"XGROUP", "CREATE", "stream:emptied", "g", "$"});
        c.add(new Object[] {"XGROUP", "CREATE", "stream:emptied", "h", "0"});
        c.add(new Object[] {"XREADGROUP", "GROUP", "h", "reader", "STREAMS", "stream:emptied", ">"});
        c.add(new Object[] {"XACK", "stream:emptied", "h", "5-0"});
        c.add(new Object[] {"XDEL", "stream:emptied", "5-0"});
        c.add(new Object[] {"XADD", "stream:ttl", "9-9", "f", "v"});
        c.add(new Object[] {"PEXPIREAT", "stream:ttl", at});

        c.add(new Object[] {"SELECT", "1"});
        c.add(new Object[] {"SET", "db1:str", "in db 1"});
        c.add(new Object[] {"RPUSH", "db1:list", "a", "b"});
        c.add(new Object[] {"SET", "str:short", "same name, db 1"});
        c.add(new Object[] {"SELECT", "5"});
        c.add(new Object[] {"HSET", "shared", "db", "5"});
        c.add(new Object[] {"SET", "db5:ttl", "x"});
        c.add(new Object[] {"PEXPIREAT", "db5:ttl", at});
        c.add(new Object[] {"SELECT", "0"});
        return c;
    }

    private static Object[] command(String name, String key, String[] args) {
        Object[] c = new Object[2 + args.length];
        c[0] = name;
        c[1] = key;
        System.arraycopy(args, 0, c, 2, args.length);
        return c;
    }

    private static String[] range(int n, java.util.function.IntFunction<String> item) {
        String[] a = new String[n];
        for (int i = 0; i < n; i++) {
            a[i] = item.apply(i);
        }
        return a;
    }

    private static String[] scored(int n) {
        String[] a = new String[2 * n];
        for (int i = 0; i < n; i++) {
            a[2 * i] = Double.toString(i * 0.37 - 20);
            a[2 * i + 1] = "m" + i;
        }
        return a;
    }

    /** Runs commands, each of which must succeed. */
    private static void run(RawClient c, List<Object[]> commands) {
        for (Object[] cmd : commands) {
            RespValue reply = c.call(cmd);
            assertNotEquals(RespValue.Kind.ERROR, reply.kind(), () -> Arrays.toString(cmd) + ": " + RawClient.render(reply));
        }
    }

    /** An absolute expiry an hour from now, the same for both servers. */
    private static long expireAt() {
        return System.currentTimeMillis() + 3_600_000;
    }

    // ---- servers and files ----------------------------------------------------------------------

    private EmbeddedServer damselfly(Path home) {
        EmbeddedServer s = EmbeddedServer.builder().option("dir", home.toString()).option("dbfilename", "dump.rdb").start();
        open.add(s);
        return s;
    }

    private RawClient client(int port) {
        RawClient c = new RawClient("127.0.0.1", port);
        open.add(c);
        return c;
    }

    /** damselfly's dataset, saved, converted: the command form's bytes (annotated at {@code ts}, or not when negative). */
    private byte[] convert(EmbeddedServer server, Path rdb, long ts) throws Exception {
        byte[] file = Files.readAllBytes(rdb);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandFormWriter w = new CommandFormWriter(new ValueBuilder(server.keyspace()), 16, true);
        long keys = w.write(new ByteArrayInputStream(file), file.length, out, ts);
        assertTrue(keys > 0);
        return out.toByteArray();
    }

    // ---- the round trip -------------------------------------------------------------------------

    @Test
    void roundTrip_redisLoadsItAsBaseFileAndDamselflyRunsIt_sameDataset() throws Exception {
        Path home = Files.createDirectories(dir.resolve("original"));
        EmbeddedServer original = damselfly(home);
        RawClient o = client(original.port());
        run(o, dataset(expireAt()));
        assertEquals("+OK", o.callText("SAVE"));
        Map<String, String> expected = snapshot(o);
        String functions = functionList(o);

        long before = Instant.now().getEpochSecond();
        ByteArrayOutputStream annotated = new ByteArrayOutputStream();
        byte[] rdb = Files.readAllBytes(home.resolve("dump.rdb"));
        long keys = new CommandFormWriter(new ValueBuilder(original.keyspace()), 16, true)
                .write(new ByteArrayInputStream(rdb), rdb.length, annotated, true);
        long after = Instant.now().getEpochSecond();
        byte[] aof = annotated.toByteArray();
        assertEquals(expected.size(), keys);
        Parsed parsed = Parsed.of(aof);
        long ts = Long.parseLong(parsed.annotation.substring("#TS:".length()));
        assertTrue(ts >= before && ts <= after, ts + " not in [" + before + ", " + after + "]");

        // redis-server loads it as the base file of its AOF
        Path redisDir = Files.createDirectories(dir.resolve("redis/appendonlydir"));
        Files.write(redisDir.resolve("appendonly.aof.1.base.aof"), aof);
        Files.writeString(redisDir.resolve("appendonly.aof.manifest"), "file appendonly.aof.1.base.aof seq 1 type b\n");
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", dir.resolve("redis").toString(), "--appendonly", "yes")) {
            RawClient r = client(redis.port());
            assertTrue(r.callText("INFO", "persistence").contains("aof_enabled:1"));
            Map<String, String> fromRedis = snapshot(r);
            assertSameData(without(expected, DELETED_PENDING), without(fromRedis, DELETED_PENDING));
            assertEquals(functions, functionList(r));
            assertEquals("$from-aof", r.callText("FCALL", "aoffn", "0"));

            // damselfly runs every command of it, with the result redis-server's loading had
            EmbeddedServer fresh = damselfly(Files.createDirectories(dir.resolve("fresh")));
            RawClient f = client(fresh.port());
            for (byte[][] cmd : parsed.commands) {
                RespValue reply = f.call((Object[]) cmd);
                assertNotEquals(RespValue.Kind.ERROR, reply.kind(), () -> render(cmd) + ": " + RawClient.render(reply));
            }
            Map<String, String> fromDamselfly = snapshot(f);
            assertSameData(fromRedis, fromDamselfly);
            assertSameData(without(expected, DELETED_PENDING), without(fromDamselfly, DELETED_PENDING));
            assertEquals(functions, functionList(f));
            // the one difference from the original, Redis's own: the PEL lost the deleted entry
            assertTrue(expected.get("0/" + DELETED_PENDING).contains("2-0, c"), expected.get("0/" + DELETED_PENDING));
            assertFalse(fromDamselfly.get("0/" + DELETED_PENDING).contains("2-0, c"));
            assertTrue(fromDamselfly.get("0/" + DELETED_PENDING).contains("3-0, c"));
            assertTrue(original.keyspace().checkInvariants() == null && fresh.keyspace().checkInvariants() == null);
        }
    }

    // ---- against redis-server's own rewrite ---------------------------------------------------------

    @Test
    void sameCommandsPerKeyAsRedisBgrewriteaof() throws Exception {
        long expireAt = expireAt();
        List<Object[]> dataset = dataset(expireAt);

        Path home = Files.createDirectories(dir.resolve("ours"));
        EmbeddedServer ours = damselfly(home);
        RawClient o = client(ours.port());
        run(o, dataset);
        assertEquals("+OK", o.callText("SAVE"));
        Parsed fromDamselfly = Parsed.of(convert(ours, home.resolve("dump.rdb"), -1));

        Path redisHome = Files.createDirectories(dir.resolve("redis"));
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", redisHome.toString(), "--appendonly", "yes",
                "--aof-use-rdb-preamble", "no", "--aof-timestamp-enabled", "yes", "--dbfilename", "redis.rdb",
                "--enable-debug-command", "yes")) {
            RawClient r = client(redis.port());
            awaitRewrite(r);
            run(r, dataset);
            // keys already expired are written too (rewriteAppendOnlyFileRio walks the whole dict)
            assertEquals("+OK", r.callText("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
            run(r, List.of(new Object[] {"SET", "expired:str", "gone", "PX", "1"},
                    new Object[] {"RPUSH", "expired:list", "gone"}, new Object[] {"PEXPIRE", "expired:list", "1"}));
            Thread.sleep(20);
            r.call("BGREWRITEAOF");
            awaitRewrite(r);
            assertEquals("+OK", r.callText("SAVE"));
            String manifest = Files.readString(redisHome.resolve("appendonlydir/appendonly.aof.manifest"));
            String base = manifest.lines().filter(l -> l.endsWith("type b")).findFirst().orElseThrow().split(" ")[1];
            assertTrue(base.endsWith(".base.aof"), manifest);
            Parsed fromRedis = Parsed.of(Files.readAllBytes(redisHome.resolve("appendonlydir").resolve(base)));
            assertTrue(fromRedis.annotation.startsWith("#TS:"), fromRedis.annotation);

            // redis-server's RDB file of the same moment, converted: the same as its rewrite, exactly
            byte[] redisRdb = Files.readAllBytes(redisHome.resolve("redis.rdb"));
            ByteArrayOutputStream converted = new ByteArrayOutputStream();
            new CommandFormWriter(new ValueBuilder(ours.keyspace()), 16, true)
                    .write(new ByteArrayInputStream(redisRdb), redisRdb.length, converted, false);
            Parsed fromRedisRdb = Parsed.of(converted.toByteArray());
            assertEquals(null, fromRedisRdb.annotation);
            assertEquals(fromRedis.normalized(false), fromRedisRdb.normalized(false));
            assertTrue(fromRedis.keys.containsKey("0/expired:str") && fromRedis.keys.containsKey("0/expired:list"));

            // damselfly's dataset: the same, but for the expired keys and the delivery times
            Map<String, List<String>> redisKeys = fromRedis.normalized(true);
            redisKeys.remove("0/expired:str");
            redisKeys.remove("0/expired:list");
            assertEquals(redisKeys, fromDamselfly.normalized(true));
            assertEquals(fromRedis.functions, fromDamselfly.functions);
        }
    }

    private static void awaitRewrite(RawClient r) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            String info = r.callText("INFO", "persistence");
            if (info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrite_scheduled:0")) {
                assertTrue(info.contains("aof_last_bgrewrite_status:ok"), info);
                return;
            }
            assertTrue(System.nanoTime() < deadline, "rewrite did not end: " + info);
            Thread.sleep(10);
        }
    }

    // ---- small cases, exact bytes -----------------------------------------------------------------

    @Test
    void batches_of64_andTheExactEncoding() throws Exception {
        Path home = Files.createDirectories(dir.resolve("small"));
        EmbeddedServer server = damselfly(home);
        RawClient c = client(server.port());
        run(c, List.of(command("RPUSH", "l", range(130, i -> "e" + i)), new Object[] {"SELECT", "3"},
                new Object[] {"SET", "k", "v"}, new Object[] {"PEXPIREAT", "k", "4102444800000"},
                new Object[] {"SELECT", "0"}));
        assertEquals("+OK", c.callText("SAVE"));
        Parsed p = Parsed.of(convert(server, home.resolve("dump.rdb"), -1));
        List<byte[][]> list = p.keys.get("0/l");
        assertEquals(List.of(66, 66, 4), list.stream().map(cmd -> cmd.length).toList());
        assertEquals("RPUSH | l | e0", render(list.get(0)).substring(0, "RPUSH | l | e0".length()));
        assertEquals("e129", s(list.get(2)[3]));

        byte[] whole = convert(server, home.resolve("dump.rdb"), 1_700_000_000L);
        String text = s(whole);
        assertTrue(text.startsWith("#TS:1700000000\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n"), text.substring(0, 40));
        assertTrue(text.contains("*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
                + "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$13\r\n4102444800000\r\n"), text);
    }

    @Test
    void write_failingOutput_throwsItsIOException() throws Exception {
        Path home = Files.createDirectories(dir.resolve("failing"));
        EmbeddedServer server = damselfly(home);
        RawClient c = client(server.port());
        run(c, dataset(expireAt()));
        assertEquals("+OK", c.callText("SAVE"));
        byte[] file = Files.readAllBytes(home.resolve("dump.rdb"));
        CommandFormWriter w = new CommandFormWriter(new ValueBuilder(server.keyspace()), 16, true);
        // a disk that fills at once, and one that fills part way (past the first buffer flushes)
        for (long room : new long[] {0, 150_000}) {
            java.io.OutputStream full = new java.io.OutputStream() {
                private long written;

                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (written + len > room) {
                        throw new IOException("No space left on device");
                    }
                    written += len;
                }
            };
            IOException e = assertThrows(IOException.class, () -> w.write(new ByteArrayInputStream(file), file.length, full, true));
            assertEquals("No space left on device", e.getMessage());
        }
    }

    // ---- garbage ----------------------------------------------------------------------------------

    @Test
    void garbage_endsInAClearException() throws Exception {
        Path home = Files.createDirectories(dir.resolve("garbage"));
        EmbeddedServer server = damselfly(home);
        CommandFormWriter w = new CommandFormWriter(new ValueBuilder(server.keyspace()), 16, true);
        Random random = new Random(42);
        byte[] noise = new byte[100_000];
        random.nextBytes(noise);
        assertMessage(w, noise, "wrong signature");

        // a valid header, then noise
        byte[] headed = noise.clone();
        System.arraycopy(b("REDIS0010"), 0, headed, 0, 9);
        assertThrows(RdbFormatException.class, () -> convert(w, headed));

        // a string claiming 2 GiB: refused without allocating it
        byte[] huge = concat(b("REDIS0010"), new byte[] {0, 1, 'k', (byte) 0x80, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        assertThrows(RdbFormatException.class, () -> convert(w, huge));

        // a real file cut anywhere, and one byte changed
        RawClient c = client(server.port());
        run(c, dataset(expireAt()));
        assertEquals("+OK", c.callText("SAVE"));
        byte[] file = Files.readAllBytes(home.resolve("dump.rdb"));
        for (int cut : new int[] {5, 9, 20, file.length / 3, file.length / 2, file.length - 9, file.length - 1}) {
            assertThrows(RdbFormatException.class, () -> convert(w, Arrays.copyOf(file, cut)), "cut at " + cut);
        }
        byte[] flipped = file.clone();
        flipped[file.length / 2] ^= 0x5A;
        assertThrows(RdbFormatException.class, () -> convert(w, flipped));
        for (int i = 0; i < 20; i++) {
            byte[] mangled = file.clone();
            for (int k = 0; k < 10; k++) {
                mangled[9 + random.nextInt(file.length - 9)] = (byte) random.nextInt(256);
            }
            assertThrows(RdbFormatException.class, () -> convert(w, mangled), "mangled " + i);
        }
    }

    private static long convert(CommandFormWriter w, byte[] file) throws Exception {
        return assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> w.write(new ByteArrayInputStream(file), file.length, new ByteArrayOutputStream(), false));
    }

    private static void assertMessage(CommandFormWriter w, byte[] file, String expected) {
        RdbFormatException e = assertThrows(RdbFormatException.class, () -> convert(w, file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    // ---- reading the command form -------------------------------------------------------------------

    /** A command file split into its annotation, its FUNCTION LOADs and each key's commands in order. */
    private static final class Parsed {
        String annotation;
        final List<byte[][]> commands = new ArrayList<>();
        final List<String> functions = new ArrayList<>();
        /** "db/key" to the key's commands, in file order; a key's commands are consecutive. */
        final Map<String, List<byte[][]>> keys = new LinkedHashMap<>();

        static Parsed of(byte[] file) {
            Parsed p = new Parsed();
            int[] at = {0};
            if (file.length > 0 && file[0] == '#') {
                p.annotation = line(file, at);
            }
            int db = -1;
            String last = null;
            while (at[0] < file.length) {
                String header = line(file, at);
                assertTrue(header.startsWith("*"), "not an array: " + header);
                byte[][] cmd = new byte[Integer.parseInt(header.substring(1))][];
                for (int i = 0; i < cmd.length; i++) {
                    String len = line(file, at);
                    assertTrue(len.startsWith("$"), "not a bulk string: " + len);
                    int n = Integer.parseInt(len.substring(1));
                    cmd[i] = Arrays.copyOfRange(file, at[0], at[0] + n);
                    assertEquals("\r\n", s(Arrays.copyOfRange(file, at[0] + n, at[0] + n + 2)));
                    at[0] += n + 2;
                }
                p.commands.add(cmd);
                String name = s(cmd[0]);
                if (name.equals("SELECT")) {
                    db = Integer.parseInt(s(cmd[1]));
                    last = null;
                } else if (name.equals("FUNCTION")) {
                    assertEquals(-1, db, "FUNCTION LOAD after SELECT");
                    p.functions.add(s(cmd[2]));
                } else {
                    String key = db + "/" + s(name.equals("XGROUP") ? cmd[2] : cmd[1]);
                    if (!key.equals(last)) {
                        assertFalse(p.keys.containsKey(key), "commands of " + key + " are not together");
                        p.keys.put(key, new ArrayList<>());
                        last = key;
                    }
                    p.keys.get(key).add(cmd);
                }
            }
            Collections.sort(p.functions);
            return p;
        }

        private static String line(byte[] file, int[] at) {
            int start = at[0];
            while (file[at[0]] != '\r') {
                at[0]++;
            }
            at[0] += 2;
            return s(Arrays.copyOfRange(file, start, at[0] - 2));
        }

        /**
         * Each key's commands, comparable across servers whose sets, hashes and sorted sets
         * iterate in other orders: per batched command the item count of each batch in order,
         * then its items (sorted, but for RPUSH); every other command as written, in order, with
         * XCLAIM's delivery time blanked when {@code maskTimes}.
         */
        Map<String, List<String>> normalized(boolean maskTimes) {
            Map<String, List<String>> out = new TreeMap<>();
            for (Map.Entry<String, List<byte[][]>> e : keys.entrySet()) {
                List<String> lines = new ArrayList<>();
                Map<String, List<String>> items = new TreeMap<>();
                for (byte[][] cmd : e.getValue()) {
                    String name = s(cmd[0]);
                    int per = switch (name) {
                        case "RPUSH", "SADD" -> 1;
                        case "ZADD", "HMSET" -> 2;
                        default -> 0;
                    };
                    if (per == 0) {
                        byte[][] shown = cmd.clone();
                        if (maskTimes && name.equals("XCLAIM")) {
                            shown[7] = b("*");
                        }
                        lines.add(render(shown));
                        continue;
                    }
                    lines.add(name + " of " + (cmd.length - 2) / per);
                    List<String> list = items.computeIfAbsent(name, n -> new ArrayList<>());
                    for (int i = 2; i < cmd.length; i += per) {
                        list.add(per == 1 ? s(cmd[i]) : s(cmd[i]) + " " + s(cmd[i + 1]));
                    }
                }
                items.forEach((name, list) -> {
                    if (!name.equals("RPUSH")) {
                        Collections.sort(list);
                    }
                    lines.add(name + " items " + list);
                });
                out.put(e.getKey(), lines);
            }
            return out;
        }
    }

    private static String render(byte[][] cmd) {
        List<String> parts = new ArrayList<>();
        for (byte[] a : cmd) {
            parts.add(s(a));
        }
        return String.join(" | ", parts);
    }

    // ---- what a server holds ----------------------------------------------------------------------

    /** Every key of the dataset's databases: "db/key" to type, encoding, contents and PTTL. */
    private static Map<String, String> snapshot(RawClient c) {
        Map<String, String> all = new TreeMap<>();
        for (int db : DATABASES) {
            assertEquals("+OK", c.callText("SELECT", Integer.toString(db)));
            TreeSet<String> keys = new TreeSet<>();
            for (RespValue k : ((RespValue.Array) c.call("KEYS", "*")).values()) {
                keys.add(s(((RespValue.BulkString) k).value()));
            }
            for (String k : keys) {
                all.put(db + "/" + k, contents(c, k) + TTL + ((RespValue.Integer) c.call("PTTL", b(k))).value());
            }
        }
        assertEquals("+OK", c.callText("SELECT", "0"));
        return all;
    }

    private static final String TTL = " pttl=";

    private static String contents(RawClient c, String key) {
        byte[] k = b(key);
        String type = ((RespValue.SimpleString) c.call("TYPE", k)).value();
        String body = switch (type) {
            case "string" -> show(c.call("GET", k));
            case "list" -> show(c.call("LRANGE", k, "0", "-1"));
            case "set" -> sorted(c.call("SMEMBERS", k), 1);
            case "hash" -> sorted(c.call("HGETALL", k), 2);
            case "zset" -> show(c.call("ZRANGE", k, "0", "-1", "WITHSCORES"));
            case "stream" -> show(c.call("XINFO", "STREAM", k, "FULL", "COUNT", "0"));
            default -> throw new AssertionError("unexpected type " + type + " of " + key);
        };
        return type + "/" + show(c.call("OBJECT", "ENCODING", k)) + ":" + body;
    }

    /** Elements (or pairs) sorted: sets and hashes iterate in an order of their own. */
    private static String sorted(RespValue v, int per) {
        List<RespValue> values = ((RespValue.Array) v).values();
        List<String> items = new ArrayList<>();
        for (int i = 0; i < values.size(); i += per) {
            items.add(per == 1 ? show(values.get(i)) : show(values.get(i)) + "=" + show(values.get(i + 1)));
        }
        Collections.sort(items);
        return items.toString();
    }

    /**
     * A reply as text, bytes as ISO-8859-1; in XINFO STREAM FULL a consumer's seen-time (the
     * moment the reload made it) is blanked and the radix tree's node counts (how the entries
     * are packed, not what they are) left out.
     */
    private static String show(RespValue v) {
        if (v instanceof RespValue.BulkString bulk) {
            return s(bulk.value());
        }
        if (v instanceof RespValue.Array array) {
            List<String> parts = new ArrayList<>();
            List<RespValue> values = array.values();
            for (int i = 0; i < values.size(); i++) {
                String part = show(values.get(i));
                if (i + 1 < values.size() && (part.equals("radix-tree-keys") || part.equals("radix-tree-nodes"))) {
                    i++;
                    continue;
                }
                parts.add(part);
                if (i + 1 < values.size() && part.equals("seen-time")) {
                    parts.add("*");
                    i++;
                }
            }
            return parts.toString();
        }
        return RawClient.render(v);
    }

    private static String functionList(RawClient c) {
        return sorted(c.call("FUNCTION", "LIST", "WITHCODE"), 1);
    }

    private static Map<String, String> without(Map<String, String> m, String key) {
        Map<String, String> copy = new TreeMap<>(m);
        assertTrue(copy.remove("0/" + key) != null, key);
        return copy;
    }

    /** The same keys with the same contents, and TTLs alike (none on both, or within 10 s). */
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
}
