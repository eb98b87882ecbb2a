package io.damselfly.server.command.family;

import static io.damselfly.server.command.family.DumpRestoreInteropTest.contents;
import static io.damselfly.server.command.family.DumpRestoreInteropTest.populate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.command.Errors;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.TempDirs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DEBUG: refused unless enabled, as Redis 7; RELOAD round-trips every type through an RDB file;
 * the subcommands Redis's own tests use answer byte for byte as a redis-server 7.0.15 started
 * beside (RESP2 and RESP3, in scripts too, garbage arguments included); and the hidden configs
 * that slow a save or a load.
 */
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

    /**
     * A save writes keys whose time has passed but which are not deleted yet, as Redis's rdbSaveDb
     * does, and the load drops and counts them (TCL integration/rdb "Test RDB load info").
     */
    @Test
    void saveWritesExpiredKeys_theLoadCountsThem() throws Exception {
        Path redisDir = TempDirs.create("expired-redis");
        try (RedisServerProcess redis = RedisServerProcess.start("--enable-debug-command", "yes", "--dir", redisDir.toString());
             RawClient theirs = new RawClient("127.0.0.1", redis.port())) {
            EmbeddedServer server = startServer();
            try (RawClient mine = new RawClient("127.0.0.1", server.port())) {
                for (RawClient c : List.of(theirs, mine)) {
                    assertEquals("+OK", c.callText("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
                    for (int i = 0; i < 20; i++) {
                        c.call("SELECT", Integer.toString(i % 16));
                        c.call("SET", "k" + i, "v", "PX", "10");
                        c.call("SET", "kept" + i, "v");
                    }
                }
                Thread.sleep(30);
                for (RawClient c : List.of(theirs, mine)) {
                    assertEquals("+OK", c.callText("DEBUG", "RELOAD"));
                }
                for (String field : List.of("rdb_last_load_keys_expired", "rdb_last_load_keys_loaded")) {
                    assertEquals(infoField(theirs, "persistence", field), infoField(mine, "persistence", field), field);
                }
                assertEquals("20", infoField(mine, "persistence", "rdb_last_load_keys_expired"));
            }
        }
    }

    /**
     * DEBUG OBJECT finds a key as dictFind does: one whose time has passed (active expiry off) is
     * described and stays, and the look counts no hit or miss (scripting.tcl's "Script delete the
     * expired key" relies on it).
     */
    @Test
    void object_findsAKeyWhoseTimeHasPassed() throws Exception {
        try (RedisServerProcess redis = startRedis();
             RawClient theirs = new RawClient("127.0.0.1", redis.port())) {
            EmbeddedServer server = startServer();
            try (RawClient mine = new RawClient("127.0.0.1", server.port())) {
                for (RawClient c : List.of(theirs, mine)) {
                    assertEquals("+OK", c.callText("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
                    assertEquals("+OK", c.callText("SET", "key", "value", "PX", "1"));
                    assertEquals("+OK", c.callText("CONFIG", "RESETSTAT"));
                }
                Thread.sleep(20);
                for (String[] command : new String[][] {{"DEBUG", "OBJECT", "key"}, {"INFO", "stats"}, {"DBSIZE"},
                        {"EXISTS", "key"}, {"DBSIZE"}, {"DEBUG", "OBJECT", "key"}}) {
                    String expected = theirs.callText((Object[]) command);
                    String actual = mine.callText((Object[]) command);
                    if (command[0].equals("INFO")) {
                        for (String field : List.of("keyspace_hits", "keyspace_misses", "expired_keys")) {
                            assertEquals(infoLine(expected, field), infoLine(actual, field), field);
                        }
                    } else {
                        assertEquals(expected.replaceAll("0x[0-9a-f]+|\\d+", "N"), actual.replaceAll("0x[0-9a-f]+|\\d+", "N"),
                                String.join(" ", command));
                    }
                }
            }
        }
    }

    private static String infoLine(String info, String field) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line;
            }
        }
        throw new AssertionError(field + " missing from " + info);
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

    // ---- what Redis's own tests use, byte for byte as redis-server ----------------------------

    /**
     * A raw connection that returns each command's reply bytes exactly, however many frames they
     * are (an attribute and the reply it annotates, a push and the reply after it): the command is
     * followed by an ECHO of a marker, and everything before the marker's reply is the command's.
     */
    private static final class Transcript implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private int sent;

        Transcript(int port, int protocol) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            if (protocol == 3) {
                call("HELLO", "3"); // its reply names the server and the connection: never compared
            }
        }

        String call(Object... command) throws IOException {
            String marker = "end-of-reply-" + sent++;
            out.write(RawClient.encode(command));
            out.write(RawClient.encode("ECHO", marker));
            out.flush();
            String tail = "$" + marker.length() + "\r\n" + marker + "\r\n";
            StringBuilder got = new StringBuilder();
            while (got.length() < tail.length() || !got.substring(got.length() - tail.length()).equals(tail)) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed after " + got);
                }
                got.append((char) b);
            }
            return got.substring(0, got.length() - tail.length());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private EmbeddedServer startServer() {
        EmbeddedServer s = EmbeddedServer.builder().option("dir", dir.toString()).option("enable_debug_command", "yes").start();
        open.add(s);
        return s;
    }

    private static RedisServerProcess startRedis() throws Exception {
        return RedisServerProcess.start("--enable-debug-command", "yes");
    }

    /** Runs each command on both servers, in RESP2 and then RESP3, and compares the reply bytes. */
    private static void assertSameBytes(RedisServerProcess redis, EmbeddedServer ours, List<Object[]> commands) throws Exception {
        for (int protocol : new int[] {2, 3}) {
            try (Transcript theirs = new Transcript(redis.port(), protocol);
                 Transcript mine = new Transcript(ours.port(), protocol)) {
                for (Object[] command : commands) {
                    assertEquals(theirs.call(command), mine.call(command), "RESP" + protocol + " " + java.util.Arrays.toString(command));
                }
            }
        }
    }

    private static final List<String> PROTOCOL_TYPES = List.of("string", "integer", "double", "bignum", "null", "array",
            "set", "map", "attrib", "push", "verbatim", "true", "false");

    /** DEBUG PROTOCOL of every type, a type in capitals and a wrong one, in RESP2 and RESP3. */
    @Test
    void protocol_everyTypeAsRedisServer() throws Exception {
        try (RedisServerProcess redis = startRedis()) {
            List<Object[]> commands = new ArrayList<>();
            for (String type : PROTOCOL_TYPES) {
                commands.add(new Object[] {"DEBUG", "PROTOCOL", type});
            }
            commands.add(new Object[] {"debug", "protocol", "ATTRIB"});
            commands.add(new Object[] {"DEBUG", "PROTOCOL", "bogus"});
            commands.add(new Object[] {"DEBUG", "PROTOCOL", ""});
            assertSameBytes(redis, startServer(), commands);
        }
    }

    /**
     * DEBUG PROTOCOL called from Lua (scripting.tcl's "protocol parsing" tests): every type with
     * redis.setresp(2) and (3), for a RESP2 and a RESP3 caller, converted to Lua and back as
     * Redis does; a push, which Redis's reply parser has no type for, leaves the call returning
     * the function called. Refused from scripts again once SET-DISABLE-DENY-SCRIPTS is 0.
     */
    @Test
    void protocol_fromScriptsAsRedisServer() throws Exception {
        try (RedisServerProcess redis = startRedis()) {
            EmbeddedServer ours = startServer();
            List<Object[]> commands = new ArrayList<>();
            commands.add(new Object[] {"EVAL", "return redis.call('debug', 'protocol', 'string')", "0"});
            commands.add(new Object[] {"DEBUG", "SET-DISABLE-DENY-SCRIPTS", "1"});
            for (int scriptResp = 2; scriptResp <= 3; scriptResp++) {
                for (String type : PROTOCOL_TYPES) {
                    commands.add(new Object[] {"EVAL", "redis.setresp(" + scriptResp + "); return redis.call('debug', 'protocol', '" + type + "')", "0"});
                    commands.add(new Object[] {"EVAL", "redis.setresp(" + scriptResp + "); return type(redis.pcall('debug', 'protocol', '" + type + "'))", "0"});
                }
                commands.add(new Object[] {"EVAL", "redis.setresp(" + scriptResp + "); return redis.pcall('debug', 'protocol', 'bogus')", "0"});
            }
            commands.add(new Object[] {"EVAL", "redis.setresp(3); local f = redis.call('debug', 'protocol', 'push'); return tostring(f == redis.call)", "0"});
            commands.add(new Object[] {"EVAL", "redis.setresp(3); local f = redis.pcall('debug', 'protocol', 'push'); return tostring(f == redis.pcall)", "0"});
            commands.add(new Object[] {"EVAL", "redis.setresp(3); local m = redis.call('debug', 'protocol', 'map'); return {m.map[0], m.map[1], m.map[2]}", "0"});
            commands.add(new Object[] {"EVAL", "redis.setresp(3); return redis.call('debug', 'protocol', 'verbatim').verbatim_string.format", "0"});
            commands.add(new Object[] {"EVAL", "redis.setresp(3); return redis.call('debug', 'protocol', 'double').double * 1000", "0"});
            commands.add(new Object[] {"DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0"});
            commands.add(new Object[] {"EVAL", "return redis.call('debug', 'protocol', 'string')", "0"});
            commands.add(new Object[] {"EVAL", "return redis.pcall('debug', 'protocol', 'string')", "0"});
            assertSameBytes(redis, ours, commands);
        }
    }

    /** Wrong counts, non-numbers, unknown names: every subcommand added here answers as Redis's does. */
    @Test
    void garbageArgumentsAnsweredAsRedisServer() throws Exception {
        String[][] lines = {
            {"DEBUG"}, {"DEBUG", "nosuch"}, {"DEBUG", "HELP", "x"}, {"DEBUG", "PROTOCOL"}, {"DEBUG", "PROTOCOL", "a", "b"},
            {"DEBUG", "POPULATE"}, {"DEBUG", "POPULATE", "x"}, {"DEBUG", "POPULATE", "-1"}, {"DEBUG", "POPULATE", "1.5"},
            {"DEBUG", "POPULATE", "+1"}, {"DEBUG", "POPULATE", "99999999999999999999"}, {"DEBUG", "POPULATE", "1", "a", "x"},
            {"DEBUG", "POPULATE", "1", "a", "-1"}, {"DEBUG", "POPULATE", "1", "a", "1", "1"}, {"DEBUG", "POPULATE", "0"},
            {"DEBUG", "REPLYBUFFER"}, {"DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME"}, {"DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "x"},
            {"DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "1.5"}, {"DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", " 5"},
            {"DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "-5"}, {"DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "100"},
            {"DEBUG", "REPLYBUFFER", "peak-reset-time", "NEVER"}, {"DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "reset"},
            {"DEBUG", "REPLYBUFFER", "RESIZING", "x"}, {"DEBUG", "REPLYBUFFER", "RESIZING", "0"}, {"DEBUG", "REPLYBUFFER", "resizing", "1"},
            {"DEBUG", "REPLYBUFFER", "other", "1"}, {"DEBUG", "REPLYBUFFER", "RESIZING", "1", "2"},
            {"DEBUG", "PAUSE-CRON"}, {"DEBUG", "PAUSE-CRON", "x"}, {"DEBUG", "PAUSE-CRON", "0", "1"}, {"DEBUG", "PAUSE-CRON", "0"},
            {"DEBUG", "SET-DISABLE-DENY-SCRIPTS"}, {"DEBUG", "SET-DISABLE-DENY-SCRIPTS", "x"},
            {"DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0"}, {"DEBUG", "SET-ACTIVE-EXPIRE"}, {"DEBUG", "SET-ACTIVE-EXPIRE", "1"},
            {"DEBUG", "STRINGMATCH-TEST", "x"}, {"DEBUG", "OBJECT"}, {"DEBUG", "SLEEP"}, {"DEBUG", "CHANGE-REPL-ID", "x"},
            {"DEBUG", "LOG", "a message"}, {"DEBUG", "LOG"}, {"DEBUG", "LOG", "a", "b"},
            {"DEBUG", "CONFIG-REWRITE-FORCE-ALL", "x"}, {"DEBUG", "SET-SKIP-CHECKSUM-VALIDATION"},
            {"DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1"},
            // a payload whose checksum is wrong: restored while the check is skipped, as Redis's
            {"RESTORE", "skipped", "0", "\u0000\u0003bar\n\u0000" + "12345678"},
            {"GET", "skipped"},
            {"DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "0"},
            {"RESTORE", "checked", "0", "\u0000\u0003bar\n\u0000" + "12345678"},
        };
        List<Object[]> commands = new ArrayList<>(java.util.Arrays.asList(lines));
        try (RedisServerProcess redis = startRedis()) {
            assertSameBytes(redis, startServer(), commands);
        }
    }

    private static String infoField(RawClient c, String section, String field) {
        String info = ((io.damselfly.protocol.RespValue.BulkString) c.call("INFO", section)).asString();
        for (String line : info.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        throw new AssertionError(field + " not in INFO " + section);
    }

    /** Every key of the selected database with its value, in key order. */
    private static Map<String, String> everything(RawClient c) {
        Map<String, String> all = new java.util.TreeMap<>();
        for (io.damselfly.protocol.RespValue k : ((io.damselfly.protocol.RespValue.Array) c.call("KEYS", "*")).values()) {
            byte[] key = ((io.damselfly.protocol.RespValue.BulkString) k).asString().getBytes(StandardCharsets.UTF_8);
            io.damselfly.protocol.RespValue v = c.call("GET", key);
            all.put(RawClient.render(k), RawClient.render(v));
        }
        return all;
    }

    /**
     * DEBUG POPULATE as Redis's: names and values, the size padding (with zero bytes) and cutting,
     * a 127-byte cap on names, a prefix read up to a zero byte, existing keys kept, only the
     * selected database, no change counted (rdb_changes_since_last_save), WATCH signalled.
     */
    @Test
    void populate_asRedisServer() throws Exception {
        try (RedisServerProcess redis = startRedis();
             RawClient theirs = new RawClient("127.0.0.1", redis.port())) {
            EmbeddedServer server = startServer();
            try (RawClient mine = new RawClient("127.0.0.1", server.port())) {
                List<Object[]> script = List.of(
                        new Object[] {"SET", "key:2", "mine"},
                        new Object[] {"DEBUG", "POPULATE", "5"},
                        new Object[] {"DEBUG", "POPULATE", "3", "cut", "3"},
                        new Object[] {"DEBUG", "POPULATE", "3", "padded", "12"},
                        new Object[] {"DEBUG", "POPULATE", "2", "x".repeat(130)},
                        new Object[] {"DEBUG", "POPULATE", "12", "y".repeat(125)},
                        new Object[] {"DEBUG", "POPULATE", "2", "zero\0byte"},
                        new Object[] {"DEBUG", "POPULATE", "2", ""},
                        new Object[] {"DEBUG", "POPULATE", "1", "big", "20000"});
                for (RawClient c : List.of(theirs, mine)) {
                    assertEquals("+OK", c.callText("FLUSHALL"));
                    assertEquals("+OK", c.callText("SAVE"));
                }
                for (Object[] command : script) {
                    assertEquals(theirs.callText(command), mine.callText(command), java.util.Arrays.toString(command));
                }
                assertEquals(everything(theirs), everything(mine));
                assertEquals(infoField(theirs, "persistence", "rdb_changes_since_last_save"),
                        infoField(mine, "persistence", "rdb_changes_since_last_save"), "populate counts no change");
                for (RawClient c : List.of(theirs, mine)) {
                    c.callText("SELECT", "3");
                    c.callText("DEBUG", "POPULATE", "2", "three");
                }
                assertEquals(everything(theirs), everything(mine));
                assertEquals(theirs.callText("DBSIZE"), mine.callText("DBSIZE"));
            }
            List<Object[]> watched = List.of(
                    new Object[] {"DEL", "w:0"}, new Object[] {"WATCH", "w:0"}, new Object[] {"DEBUG", "POPULATE", "1", "w"},
                    new Object[] {"MULTI"}, new Object[] {"PING"}, new Object[] {"EXEC"}, new Object[] {"GET", "w:0"});
            try (RawClient mine = new RawClient("127.0.0.1", server.port())) {
                for (Object[] command : watched) {
                    assertEquals(theirs.callText(command), mine.callText(command), java.util.Arrays.toString(command));
                }
            }
        }
        RedisCommands<byte[], byte[]> r = start("yes");
        assertEquals("OK", debug(r, "populate", "3"));
        assertEquals("value:1", new String(r.get(b("key:1")), StandardCharsets.ISO_8859_1));
        assertEquals("OK", r.configSet("proto-max-bulk-len", "1mb"));
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class,
                () -> debug(r, "populate", "1", "huge", Long.toString(2L << 20)));
        assertEquals("ERR string exceeds maximum allowed size (proto-max-bulk-len)", e.getMessage());
        assertEquals(0L, r.exists(b("huge:0")));
    }

    /** PAUSE-CRON holds back what serverCron does: the active expiry sweep and the save points. */
    @Test
    void pauseCron_stopsActiveExpiryAndSavePoints() throws Exception {
        RedisCommands<byte[], byte[]> r = start("yes");
        assertEquals("OK", debug(r, "pause-cron", "1"));
        r.psetex(b("soon"), 50, b("x"));
        Thread.sleep(500);
        assertEquals(1L, r.dbsize(), "no background sweep while the cron is paused");
        assertEquals("OK", r.configSet("save", "1 1"));
        Thread.sleep(1500);
        assertFalse(new String(r.info("persistence")).contains("rdb_changes_since_last_save:0"), "no save point while paused");
        assertEquals("OK", debug(r, "pause-cron", "0"));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((r.dbsize() != 0 || !new String(r.info("persistence")).contains("rdb_changes_since_last_save:0"))
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0L, r.dbsize(), "the sweep took the expired key once resumed");
        assertTrue(new String(r.info("persistence")).contains("rdb_changes_since_last_save:0"), "the save point saved once resumed");
    }

    @Test
    void stringmatchTest_fuzzesTheGlobMatcher() {
        assertEquals("Apparently Redis did not crash: test passed", debug(start("yes"), "stringmatch-test"));
    }

    @Test
    void help_listsEverySubcommand() {
        RedisCommands<byte[], byte[]> r = start("yes");
        List<Object> lines = r.dispatch(io.lettuce.core.protocol.CommandType.DEBUG,
                new io.lettuce.core.output.ArrayOutput<>(ByteArrayCodec.INSTANCE),
                new io.lettuce.core.protocol.CommandArgs<>(ByteArrayCodec.INSTANCE).add("help"));
        List<String> text = lines.stream().map(l -> new String((byte[]) l, StandardCharsets.US_ASCII)).toList();
        assertEquals("DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", text.get(0));
        assertEquals(List.of("HELP", "    Print this help."), text.subList(text.size() - 2, text.size()));
        for (String name : DebugCommands.subcommandNames()) {
            String upper = name.toUpperCase(java.util.Locale.ROOT);
            assertTrue(text.stream().anyMatch(l -> l.equals(upper) || l.startsWith(upper + " ")), name + " is not in DEBUG HELP");
        }
        for (String line : text) {
            if (!line.startsWith(" ") && !line.startsWith("DEBUG <")) {
                assertTrue(DebugCommands.subcommandNames().contains(line.split(" ")[0].toLowerCase(java.util.Locale.ROOT)),
                        line + " is listed but not implemented");
            }
        }
    }

    // ---- the hidden configs that slow a save or a load -----------------------------------------

    /** Redis's HIDDEN_CONFIG: only the exact name returns them; patterns never list them. */
    @Test
    void hiddenConfigs_asRedisServer() throws Exception {
        try (RedisServerProcess redis = startRedis()) {
            EmbeddedServer server = startServer();
            List<Object[]> commands = List.of(
                    new Object[] {"CONFIG", "GET", "rdb-key-save-delay"}, new Object[] {"CONFIG", "GET", "KEY-LOAD-DELAY"},
                    new Object[] {"CONFIG", "GET", "rdb-key-save-dela?"}, new Object[] {"CONFIG", "GET", "key-load-*"},
                    new Object[] {"CONFIG", "SET", "rdb-key-save-delay", "-5"}, new Object[] {"CONFIG", "GET", "rdb-key-save-delay"},
                    new Object[] {"CONFIG", "SET", "key-load-delay", "x"}, new Object[] {"CONFIG", "SET", "key-load-delay", "2147483648"},
                    new Object[] {"CONFIG", "SET", "key-load-delay", "-2147483648"}, new Object[] {"CONFIG", "GET", "key-load-delay"},
                    new Object[] {"CONFIG", "SET", "key-load-delay", "1.5"}, new Object[] {"CONFIG", "SET", "rdb-key-save-delay", ""},
                    new Object[] {"CONFIG", "SET", "rdb-key-save-delay", "0", "key-load-delay", "0"});
            assertSameBytes(redis, server, commands);
            try (RawClient theirs = new RawClient("127.0.0.1", redis.port());
                 RawClient mine = new RawClient("127.0.0.1", server.port())) {
                for (RawClient c : List.of(theirs, mine)) {
                    String all = c.callText("CONFIG", "GET", "*");
                    assertFalse(all.contains("key-load-delay") || all.contains("rdb-key-save-delay"), all);
                }
                // repl-diskless-sync-delay, not the hidden two
                assertEquals(theirs.callText("CONFIG", "GET", "*-delay"), mine.callText("CONFIG", "GET", "*-delay"));
            }
        }
    }

    /** CONFIG REWRITE writes a hidden config that differs from its default, as rewriteConfig does. */
    @Test
    void hiddenConfigs_rewrittenWhenSet() throws Exception {
        Path conf = dir.resolve("damselfly.conf");
        Files.writeString(conf, "port 0\n");
        EmbeddedServer s = EmbeddedServer.builder().configFile(conf).option("dir", dir.toString()).start();
        open.add(s);
        try (RawClient c = new RawClient("127.0.0.1", s.port())) {
            assertEquals("+OK", c.callText("CONFIG", "REWRITE"));
            assertFalse(Files.readString(conf).contains("load-delay") || Files.readString(conf).contains("save-delay"),
                    Files.readString(conf));
            assertEquals("+OK", c.callText("CONFIG", "SET", "rdb-key-save-delay", "5"));
            assertEquals("+OK", c.callText("CONFIG", "REWRITE"));
            assertTrue(Files.readString(conf).contains("\nrdb-key-save-delay 5\n"), Files.readString(conf));
        }
    }

    private static boolean saving(RedisCommands<byte[], byte[]> r) {
        return new String(r.info("persistence")).contains("rdb_bgsave_in_progress:1");
    }

    private List<Path> tempFiles() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("temp-")).toList();
        }
    }

    private static void awaitTrue(String what, long millis, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " within " + millis + " ms");
            }
            Thread.sleep(20);
        }
    }

    /**
     * rdb-key-save-delay makes SAVE take its delay per key (records and collections alike) on the
     * save thread: other clients are served meanwhile. DEBUG RELOAD's save, on its client's event
     * loop, does not wait; key-load-delay slows its load.
     */
    @Test
    void rdbKeySaveDelay_slowsASaveOffTheLoops() throws Exception {
        EmbeddedServer server = startServer();
        RedisCommands<byte[], byte[]> r = start(server);
        assertEquals("OK", debug(r, "populate", "6"));
        r.hset(b("hash:1"), b("f"), b("v"));
        r.rpush(b("list:1"), b("a"), b("b"));
        assertEquals("OK", r.configSet("rdb-key-save-delay", "250000"));
        RedisCommands<byte[], byte[]> other = start(server);
        long start = System.nanoTime();
        java.util.concurrent.CompletableFuture<String> save = java.util.concurrent.CompletableFuture.supplyAsync(r::save);
        awaitTrue("the save running", 5_000, () -> saving(other));
        long pingStart = System.nanoTime();
        assertEquals("PONG", other.ping());
        assertTrue(System.nanoTime() - pingStart < 1_000_000_000L, "another client waited for the save");
        assertEquals("OK", save.get(30, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start >= 2_000_000_000L, "8 keys x 250 ms: the save ended early");
        // DEBUG RELOAD saves on the loop, where nothing may wait: 8 x 1 s would be 8 s
        assertEquals("OK", r.configSet("rdb-key-save-delay", "1000000"));
        start = System.nanoTime();
        assertEquals("OK", debug(r, "reload"));
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "DEBUG RELOAD's save waited per key");
        assertEquals(8L, r.dbsize());
        // its load waits key-load-delay after each key
        assertEquals("OK", r.configSet("rdb-key-save-delay", "0"));
        assertEquals("OK", r.configSet("key-load-delay", "100000"));
        start = System.nanoTime();
        assertEquals("OK", debug(r, "reload"));
        assertTrue(System.nanoTime() - start >= 800_000_000L, "8 keys x 100 ms: the load ended early");
        assertEquals(8L, r.dbsize());
    }

    /** A save slowed to seconds per key still ends at once when FLUSHALL abandons it, as any save. */
    @Test
    void rdbKeySaveDelay_flushallEndsASlowSave() throws Exception {
        EmbeddedServer server = startServer();
        RedisCommands<byte[], byte[]> r = start(server);
        assertEquals("OK", debug(r, "populate", "20"));
        r.sadd(b("set:1"), b("a"), b("b"));
        assertEquals("OK", r.configSet("rdb-key-save-delay", "1000000"));
        assertEquals("Background saving started", r.bgsave());
        awaitTrue("a temporary file", 5_000, () -> {
            try {
                return !tempFiles().isEmpty();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertTrue(saving(r));
        long start = System.nanoTime();
        assertEquals("OK", r.flushall());
        awaitTrue("the abandoned save's end", 5_000, () -> !saving(r));
        assertTrue(System.nanoTime() - start < 5_000_000_000L);
        assertTrue(tempFiles().isEmpty(), "the abandoned save's file is gone");
        assertFalse(Files.exists(dir.resolve("dump.rdb")), "nothing was written in place");
        // a negative delay sleeps one microsecond for one key in n: a save of 20 keys is quick
        assertEquals("OK", debug(r, "populate", "20"));
        assertEquals("OK", r.configSet("rdb-key-save-delay", "-10"));
        assertEquals("OK", r.save());
    }

    /**
     * A FLUSHALL right behind BGSAVE (one write) voids the save even if it comes before the save
     * thread has taken the snapshot's moment: Redis forks at BGSAVE and FLUSHALL kills that child,
     * so no file is written and the changes since the last save stay counted (TCL
     * integration/rdb "Test FLUSHALL aborts bgsave"). Before, the save wrote the emptied keyspace,
     * reported success and reset the count.
     */
    @Test
    void flushallRightBehindBgsave_voidsIt() throws Exception {
        EmbeddedServer server = startServer();
        try (RawClient c = new RawClient("127.0.0.1", server.port())) {
            for (int i = 0; i < 50; i++) {
                c.call("SET", "key:" + i, "v");
            }
            c.call("CONFIG", "SET", "rdb-key-save-delay", "1000");
            c.sendRaw(RawClient.encodeAll(List.of(new Object[] {"BGSAVE"}, new Object[] {"FLUSHALL"})));
            assertEquals("+Background saving started", RawClient.render(c.read()));
            assertEquals("+OK", RawClient.render(c.read()));
            awaitTrue("the save's end", 5_000, () -> infoField(c, "persistence", "rdb_bgsave_in_progress").equals("0"));
            assertEquals("100", infoField(c, "persistence", "rdb_changes_since_last_save"));
            assertEquals("ok", infoField(c, "persistence", "rdb_last_bgsave_status"));
            assertFalse(Files.exists(dir.resolve("dump.rdb")), "nothing was written in place");
        }
    }

    /** SHUTDOWN NOSAVE ends a save slowed to seconds per key and removes its temporary file. */
    @Test
    void rdbKeySaveDelay_shutdownNosaveEndsASlowSave() throws Exception {
        EmbeddedServer server = startServer();
        RedisCommands<byte[], byte[]> r = start(server);
        assertEquals("OK", debug(r, "populate", "20"));
        assertEquals("OK", r.configSet("rdb-key-save-delay", "1000000"));
        assertEquals("Background saving started", r.bgsave());
        awaitTrue("a temporary file", 5_000, () -> {
            try {
                return !tempFiles().isEmpty();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (RawClient c = new RawClient("127.0.0.1", server.port())) {
            c.send("SHUTDOWN", "NOSAVE");
            assertTrue(c.isClosedByServer());
        }
        awaitTrue("the temporary file removed", 5_000, () -> {
            try {
                return tempFiles().isEmpty();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertFalse(Files.exists(dir.resolve("dump.rdb")));
    }

    private RedisCommands<byte[], byte[]> start(EmbeddedServer s) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", s.port()));
        client.setDefaultTimeout(java.time.Duration.ofSeconds(60));
        StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
        open.add(client::shutdown);
        open.add(c);
        return c.sync();
    }
}
