package io.damselfly.server.command.family;

import static io.damselfly.server.command.family.DumpRestoreInteropTest.contents;
import static io.damselfly.server.command.family.DumpRestoreInteropTest.populate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.command.Errors;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DEBUG: refused unless enabled, as Redis 7; RELOAD round-trips every type through an RDB file. */
class DebugCommandsTest {
    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private RedisCommands<byte[], byte[]> start(String enable) {
        EmbeddedServer s = EmbeddedServer.builder().option("dir", dir.toString())
                .option("enable_debug_command", enable).start();
        open.add(s);
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", s.port()));
        StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
        open.add(client::shutdown);
        open.add(c);
        return c.sync();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String debug(RedisCommands<byte[], byte[]> r, String... args) {
        io.lettuce.core.protocol.CommandArgs<byte[], byte[]> a = new io.lettuce.core.protocol.CommandArgs<>(ByteArrayCodec.INSTANCE);
        for (String arg : args) {
            a.add(arg);
        }
        return r.dispatch(io.lettuce.core.protocol.CommandType.DEBUG,
                new io.lettuce.core.output.StatusOutput<>(ByteArrayCodec.INSTANCE), a);
    }

    @Test
    void refusedUnlessEnabled() {
        RedisCommands<byte[], byte[]> r = start("no");
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class, () -> debug(r, "reload"));
        assertEquals(Errors.DEBUG_NOT_ALLOWED, e.getMessage());
        assertEquals("OK", debug(start("local"), "set-active-expire", "1"));
    }

    @Test
    void reloadKeepsEveryTypeEncodingTtlAndDatabase() {
        RedisCommands<byte[], byte[]> r = start("yes");
        List<String> keys = populate(r);
        r.select(3);
        r.set(b("elsewhere"), b("db3"));
        r.select(0);
        Map<String, String> before = new LinkedHashMap<>();
        for (String k : keys) {
            before.put(k, contents(r, k) + (r.pttl(b(k)) > 0 ? " volatile" : ""));
        }
        assertEquals("OK", debug(r, "reload"));
        Map<String, String> after = new LinkedHashMap<>();
        for (String k : keys) {
            after.put(k, contents(r, k) + (r.pttl(b(k)) > 0 ? " volatile" : ""));
        }
        assertEquals(before, after);
        r.select(3);
        assertEquals("db3", new String(r.get(b("elsewhere")), StandardCharsets.ISO_8859_1));
    }

    @Test
    void reloadOptions() {
        RedisCommands<byte[], byte[]> r = start("yes");
        r.set(b("a"), b("1"));
        assertEquals("OK", debug(r, "reload"));
        r.set(b("a"), b("2"));
        r.set(b("b"), b("2"));
        // NOSAVE loads the file as it was: the writes since are gone
        assertEquals("OK", debug(r, "reload", "nosave"));
        assertEquals("1", new String(r.get(b("a")), StandardCharsets.ISO_8859_1));
        assertEquals(1L, r.dbsize());
        r.set(b("c"), b("3"));
        // NOFLUSH MERGE keeps what is there and puts the file's keys over it
        assertEquals("OK", debug(r, "reload", "nosave", "noflush", "merge"));
        assertEquals(2L, r.dbsize());
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class,
                () -> debug(r, "reload", "sideways"));
        assertEquals("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.", e.getMessage());
        e = assertThrows(RedisCommandExecutionException.class, () -> debug(r, "reload", "nosave", "noflush"));
        assertEquals("ERR Error trying to load the RDB dump", e.getMessage());
    }

    /** DEBUG OBJECT's line, field by field as Redis's tests read it; checked against redis-server's shape. */
    @Test
    void objectDescribesAKey() throws Exception {
        RedisCommands<byte[], byte[]> r = start("yes");
        r.hset(b("smallhash"), b("f"), b("v"));
        String small = debug(r, "object", "smallhash");
        assertTrue(small.matches("Value at:0x[0-9a-f]+ refcount:1 encoding:listpack serializedlength:\\d+ lru:\\d+ lru_seconds_idle:\\d+"), small);
        r.hset(b("smallhash"), b("big"), b("a".repeat(1024)));
        assertTrue(debug(r, "object", "smallhash").contains("encoding:hashtable"));
        r.set(b("n"), b("100000"));
        String before = debug(r, "object", "n").split(" ")[1];
        r.incr(b("n"));
        assertEquals(before, debug(r, "object", "n").split(" ")[1], "the same key keeps its address");
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class, () -> debug(r, "object", "nosuchkey"));
        assertEquals("ERR no such key", e.getMessage());
        try (io.damselfly.server.testing.RedisServerProcess redis = io.damselfly.server.testing.RedisServerProcess.start("--enable-debug-command", "yes");
                io.damselfly.server.testing.RawClient raw = new io.damselfly.server.testing.RawClient("127.0.0.1", redis.port())) {
            raw.callText("HSET", "smallhash", "f", "v");
            String theirs = raw.callText("DEBUG", "OBJECT", "smallhash");
            assertEquals(theirs.replaceAll("0x[0-9a-f]+|\\d+", "N"), ("+" + small).replaceAll("0x[0-9a-f]+|\\d+", "N"));
        }
    }

    /** Inside EXEC, which holds its keys' shard locks, RELOAD saves on the spot: no deadlock. */
    @Test
    void reloadInsideMulti() {
        RedisCommands<byte[], byte[]> r = start("yes");
        r.multi();
        r.set(b("in-the-transaction"), b("1"));
        r.dispatch(io.lettuce.core.protocol.CommandType.DEBUG, new io.lettuce.core.output.StatusOutput<>(ByteArrayCodec.INSTANCE),
                new io.lettuce.core.protocol.CommandArgs<>(ByteArrayCodec.INSTANCE).add("reload"));
        r.set(b("after"), b("2"));
        assertEquals(3, r.exec().size());
        assertEquals("1", new String(r.get(b("in-the-transaction")), StandardCharsets.ISO_8859_1));
        assertEquals(2L, r.dbsize());
        // SAVE itself is refused inside MULTI, as Redis flags it no-multi, and EXEC then aborts
        r.multi();
        r.save();
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class, r::exec);
        assertEquals("EXECABORT Transaction discarded because of previous errors.", e.getMessage());
    }

    @Test
    void setActiveExpireZeroLeavesExpiredKeysToLazyExpiry() throws Exception {
        RedisCommands<byte[], byte[]> r = start("yes");
        assertEquals("OK", debug(r, "set-active-expire", "0"));
        r.psetex(b("soon"), 50, b("x"));
        Thread.sleep(400);
        assertEquals(1L, r.dbsize(), "no background sweep removed it");
        assertEquals(0L, r.exists(b("soon")));
        assertEquals(0L, r.dbsize());
    }
}
