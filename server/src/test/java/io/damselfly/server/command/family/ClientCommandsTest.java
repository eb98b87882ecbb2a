package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.lettuce.core.KillArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** CLIENT ID SETNAME GETNAME INFO LIST KILL HELP, as Redis 7.0.15 has them. */
@ExtendWith(ServerExtension.class)
class ClientCommandsTest {
    /** Redis 7.0's CLIENT LIST fields, in order (7.2 adds lib-name and lib-ver). */
    private static final List<String> FIELDS = List.of("id", "addr", "laddr", "fd", "name", "age", "idle", "flags",
            "db", "sub", "psub", "ssub", "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl",
            "oll", "omem", "tot-mem", "events", "cmd", "user", "redir", "resp");

    private static long id(RawClient raw) {
        return ((RespValue.Integer) raw.call("CLIENT", "ID")).value();
    }

    /** The text of a CLIENT INFO/LIST reply, RESP2 bulk or RESP3 verbatim. */
    private static String text(RespValue v) {
        if (v instanceof RespValue.BulkString b) {
            return b.asString();
        }
        if (v instanceof RespValue.Verbatim t) {
            return new String(t.text(), java.nio.charset.StandardCharsets.UTF_8);
        }
        throw new AssertionError("not text: " + RawClient.render(v));
    }

    /** One CLIENT LIST line as an ordered field map. */
    private static Map<String, String> fields(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : line.trim().split(" ")) {
            int eq = kv.indexOf('=');
            m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return m;
    }

    private static Map<String, String> info(RawClient raw) {
        return fields(text(raw.call("CLIENT", "INFO")));
    }

    /** The ids in a CLIENT LIST reply, in order. */
    private static List<Long> ids(String list) {
        List<Long> ids = new ArrayList<>();
        for (String line : list.split("\n")) {
            if (!line.isEmpty()) {
                ids.add(Long.parseLong(fields(line).get("id")));
            }
        }
        return ids;
    }

    // ---- container -------------------------------------------------------------------------

    @Test
    void client_withoutSubcommand_arityError(RawClient raw) {
        assertEquals("-ERR wrong number of arguments for 'client' command", raw.callText("CLIENT"));
    }

    @Test
    void client_unknownSubcommand(RawClient raw) {
        assertEquals("-ERR unknown subcommand 'foo'. Try CLIENT HELP.", raw.callText("CLIENT", "foo"));
        // CLIENT SETINFO is Redis 7.2's: 7.0.15 does not know it
        assertEquals("-ERR unknown subcommand 'setinfo'. Try CLIENT HELP.", raw.callText("client", "setinfo", "lib-name", "x"));
    }

    @Test
    void client_subcommandArity(RawClient raw) {
        assertEquals("-ERR wrong number of arguments for 'client|id' command", raw.callText("CLIENT", "ID", "x"));
        assertEquals("-ERR wrong number of arguments for 'client|getname' command", raw.callText("CLIENT", "GETNAME", "x"));
        assertEquals("-ERR wrong number of arguments for 'client|setname' command", raw.callText("CLIENT", "SETNAME"));
        assertEquals("-ERR wrong number of arguments for 'client|info' command", raw.callText("CLIENT", "INFO", "x"));
        assertEquals("-ERR wrong number of arguments for 'client|kill' command", raw.callText("CLIENT", "KILL"));
        assertEquals("-ERR wrong number of arguments for 'client|help' command", raw.callText("CLIENT", "HELP", "x"));
    }

    // ---- ID --------------------------------------------------------------------------------

    @Test
    void clientId_uniqueAndStable(RawClient a, RawClient b, RedisCommands<String, String> redis) {
        long ida = id(a);
        long idb = id(b);
        assertTrue(ida > 0 && idb > 0 && ida != idb);
        assertEquals(ida, id(a));
        assertEquals(Long.parseLong(info(a).get("id")), ida);
        assertTrue(redis.clientId() > 0);
    }

    // ---- SETNAME GETNAME -------------------------------------------------------------------

    @Test
    void clientSetname_getname_roundTrip(RawClient raw, RedisCommands<String, String> redis) {
        assertEquals("(nil)", raw.callText("CLIENT", "GETNAME"));
        assertEquals("+OK", raw.callText("CLIENT", "SETNAME", "worker-7"));
        assertEquals("$worker-7", raw.callText("CLIENT", "GETNAME"));
        assertEquals("worker-7", info(raw).get("name"));
        assertEquals("OK", redis.clientSetname("lettuce-conn"));
        assertEquals("lettuce-conn", redis.clientGetname());
    }

    @Test
    void clientSetname_empty_removesName(RawClient raw) {
        raw.call("CLIENT", "SETNAME", "x");
        assertEquals("+OK", raw.callText("CLIENT", "SETNAME", ""));
        assertEquals("(nil)", raw.callText("CLIENT", "GETNAME"));
        assertEquals("", info(raw).get("name"));
    }

    @Test
    void clientSetname_invalid_rejectedAndUnchanged(RawClient raw) {
        raw.call("CLIENT", "SETNAME", "good");
        String error = "-ERR Client names cannot contain spaces, newlines or special characters.";
        assertEquals(error, raw.callText("CLIENT", "SETNAME", "a b"));
        assertEquals(error, raw.callText("CLIENT", "SETNAME", "a\nb"));
        assertEquals(error, raw.callText("CLIENT", "SETNAME", "caf\u00e9"));
        assertEquals(error, raw.callText("CLIENT", "SETNAME", new byte[] {'a', 0x7f}));
        assertEquals("$good", raw.callText("CLIENT", "GETNAME"));
    }

    @Test
    void clientGetname_resp3Null(RawClient raw) {
        raw.call("HELLO", "3");
        assertEquals(RespValue.Kind.NULL, raw.call("CLIENT", "GETNAME").kind());
    }

    @Test
    void clientSetname_isPerConnection(RawClient a, RawClient b) {
        a.call("CLIENT", "SETNAME", "alpha");
        assertEquals("(nil)", b.callText("CLIENT", "GETNAME"));
    }

    // ---- SETINFO (Redis 7.2; not in 7.0.15) -----------------------------------------------

    /**
     * CLIENT SETINFO came with Redis 7.2; damselfly answers as the 7.0.15 it reports, so the
     * subcommand is unknown, and Lettuce, which sends it on connect, still connects.
     */
    @Test
    void clientSetinfo_unknownAs70(RawClient raw) {
        assertEquals("-ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.", raw.callText("CLIENT", "SETINFO", "lib-name", "x"));
        assertEquals("-ERR unknown subcommand 'setinfo'. Try CLIENT HELP.", raw.callText("client", "setinfo"));
    }

    @Test
    void lettuce_connectsAlthoughItsSetinfoIsRefused(RedisCommands<String, String> redis,
                                                     @Resp2 RedisCommands<String, String> redis2) {
        for (RedisCommands<String, String> r : List.of(redis, redis2)) {
            assertEquals(FIELDS, new ArrayList<>(fields(r.clientInfo()).keySet()));
        }
    }

    // ---- INFO ------------------------------------------------------------------------------

    @Test
    void clientInfo_redis70FieldOrder(RawClient raw, EmbeddedServer server) {
        raw.call("SELECT", "5");
        String line = text(raw.call("CLIENT", "INFO"));
        assertTrue(line.endsWith("\n"));
        Map<String, String> f = fields(line);
        assertEquals(FIELDS, new ArrayList<>(f.keySet()));
        assertEquals("5", f.get("db"));
        assertEquals("client|info", f.get("cmd"));
        assertEquals("default", f.get("user"));
        assertEquals("N", f.get("flags"));
        assertEquals("2", f.get("resp"));
        assertEquals("0", f.get("idle"));
        assertEquals("-1", f.get("multi"));
        assertEquals("127.0.0.1:" + server.port(), f.get("laddr"));
        assertTrue(f.get("addr").matches("127\\.0\\.0\\.1:\\d+"), f.get("addr"));
        assertEquals("0", f.get("omem"));
    }

    @Test
    void clientInfo_resp3Verbatim(RawClient raw) {
        raw.call("HELLO", "3");
        RespValue v = raw.call("CLIENT", "INFO");
        assertEquals(RespValue.Kind.VERBATIM, v.kind());
        assertEquals("3", fields(text(v)).get("resp"));
    }

    // ---- LIST ------------------------------------------------------------------------------

    @Test
    void clientList_allConnectionsInIdOrder(RawClient a, RawClient b, RawClient c) {
        long ida = id(a);
        long idb = id(b);
        long idc = id(c);
        b.call("CLIENT", "SETNAME", "bee");
        String list = text(b.call("CLIENT", "LIST"));
        assertTrue(list.endsWith("\n"));
        List<Long> ids = ids(list);
        assertTrue(ids.containsAll(List.of(ida, idb, idc)), list);
        List<Long> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        assertEquals(sorted, ids);
        for (String line : list.split("\n")) {
            Map<String, String> f = fields(line);
            assertEquals(FIELDS, new ArrayList<>(f.keySet()));
            if (Long.parseLong(f.get("id")) == idb) {
                assertEquals("bee", f.get("name"));
                assertEquals("client|list", f.get("cmd"));
            }
            if (Long.parseLong(f.get("id")) == ida) {
                assertEquals("client|id", f.get("cmd"));
            }
        }
    }

    @Test
    void clientList_type(RawClient a, RawClient b) {
        long ida = id(a);
        long idb = id(b);
        assertTrue(ids(text(a.call("CLIENT", "LIST", "TYPE", "normal"))).containsAll(List.of(ida, idb)));
        assertEquals(List.of(), ids(text(a.call("CLIENT", "LIST", "TYPE", "pubsub"))));
        assertEquals(List.of(), ids(text(a.call("CLIENT", "LIST", "type", "MASTER"))));
        assertEquals(List.of(), ids(text(a.call("CLIENT", "LIST", "TYPE", "replica"))));
        assertEquals(List.of(), ids(text(a.call("CLIENT", "LIST", "TYPE", "slave"))));
        assertEquals("-ERR Unknown client type 'foo'", a.callText("CLIENT", "LIST", "TYPE", "foo"));
    }

    @Test
    void clientList_ids(RawClient a, RawClient b, RawClient c) {
        long ida = id(a);
        long idb = id(b);
        id(c);
        assertEquals(List.of(idb, ida), ids(text(a.call("CLIENT", "LIST", "ID", String.valueOf(idb), String.valueOf(ida)))));
        assertEquals(List.of(idb), ids(text(a.call("CLIENT", "LIST", "ID", "999999", String.valueOf(idb)))));
        assertEquals("$", a.callText("CLIENT", "LIST", "ID", "999999"));
        assertEquals("-ERR Invalid client ID", a.callText("CLIENT", "LIST", "ID", String.valueOf(idb), "abc"));
    }

    @Test
    void clientList_syntaxErrors(RawClient raw) {
        assertEquals("-ERR syntax error", raw.callText("CLIENT", "LIST", "foo"));
        assertEquals("-ERR syntax error", raw.callText("CLIENT", "LIST", "TYPE"));
        assertEquals("-ERR syntax error", raw.callText("CLIENT", "LIST", "ID"));
        assertEquals("-ERR syntax error", raw.callText("CLIENT", "LIST", "TYPE", "normal", "x"));
    }

    @Test
    void clientList_lettuce(RedisCommands<String, String> redis, RawClient raw) {
        long id = id(raw);
        assertTrue(ids(redis.clientList()).contains(id));
    }

    // ---- KILL ------------------------------------------------------------------------------

    @Test
    void clientKill_byId_closesOtherConnection(RawClient a, RawClient b) {
        long idb = id(b);
        assertEquals(":1", a.callText("CLIENT", "KILL", "ID", String.valueOf(idb)));
        assertTrue(b.isClosedByServer());
        assertFalse(ids(text(a.call("CLIENT", "LIST"))).contains(idb));
        assertEquals("+PONG", a.callText("PING"));
        assertEquals(":0", a.callText("CLIENT", "KILL", "ID", String.valueOf(idb)));
    }

    @Test
    void clientKill_listedImmediatelyAsGone(RawClient a, RawClient b) {
        long idb = id(b);
        // the kill and the list in one batch: the list must not show the killed client
        a.sendRaw(concat(RawClient.encode("CLIENT", "KILL", "ID", String.valueOf(idb)),
                RawClient.encode("CLIENT", "LIST", "ID", String.valueOf(idb))));
        assertEquals(":1", RawClient.render(a.read()));
        assertEquals("$", RawClient.render(a.read()));
    }

    @Test
    void clientKill_oldForm_byAddress(RawClient a, RawClient b) {
        String addr = info(b).get("addr");
        assertEquals("+OK", a.callText("CLIENT", "KILL", addr));
        assertTrue(b.isClosedByServer());
        assertEquals("-ERR No such client", a.callText("CLIENT", "KILL", addr));
        assertEquals("-ERR No such client", a.callText("CLIENT", "KILL", "1.2.3.4:5"));
        assertEquals("-ERR No such client", a.callText("CLIENT", "KILL", "ID"));
    }

    @Test
    void clientKill_oldForm_selfRepliesThenCloses(RawClient a) {
        String addr = info(a).get("addr");
        assertEquals("+OK", a.callText("CLIENT", "KILL", addr));
        assertTrue(a.isClosedByServer());
    }

    @Test
    void clientKill_skipme(RawClient a) {
        String ida = String.valueOf(id(a));
        assertEquals(":0", a.callText("CLIENT", "KILL", "ID", ida));
        assertEquals(":0", a.callText("CLIENT", "KILL", "ID", ida, "SKIPME", "yes"));
        assertEquals("+PONG", a.callText("PING"));
        a.sendRaw(concat(RawClient.encode("CLIENT", "KILL", "ID", ida, "SKIPME", "no"), RawClient.encode("PING")));
        assertEquals(":1", RawClient.render(a.read()));
        assertTrue(a.isClosedByServer());
    }

    @Test
    void clientKill_filtersCombine(RawClient a, RawClient b, RawClient c, EmbeddedServer server) {
        String idb = String.valueOf(id(b));
        String idc = String.valueOf(id(c));
        String laddr = "127.0.0.1:" + server.port();
        assertEquals(":0", a.callText("CLIENT", "KILL", "LADDR", "1.2.3.4:5", "ID", idb));
        assertEquals(":0", a.callText("CLIENT", "KILL", "ADDR", info(c).get("addr"), "ID", idb));
        assertEquals(":0", a.callText("CLIENT", "KILL", "TYPE", "pubsub", "ID", idb));
        assertEquals(":1", a.callText("CLIENT", "KILL", "LADDR", laddr, "USER", "default", "TYPE", "normal", "ID", idb));
        assertTrue(b.isClosedByServer());
        assertEquals(":1", a.callText("CLIENT", "KILL", "ADDR", info(c).get("addr")));
        assertTrue(c.isClosedByServer());
        assertEquals("+PONG", a.callText("PING"));
    }

    @Test
    void clientKill_errors(RawClient raw) {
        assertEquals("-ERR client-id should be greater than 0", raw.callText("CLIENT", "KILL", "ID", "0"));
        assertEquals("-ERR client-id should be greater than 0", raw.callText("CLIENT", "KILL", "ID", "-1"));
        assertEquals("-ERR client-id should be greater than 0", raw.callText("CLIENT", "KILL", "ID", "abc"));
        assertEquals("-ERR Unknown client type 'foo'", raw.callText("CLIENT", "KILL", "TYPE", "foo"));
        assertEquals("-ERR No such user 'bob'", raw.callText("CLIENT", "KILL", "USER", "bob"));
        assertEquals("-ERR syntax error", raw.callText("CLIENT", "KILL", "SKIPME", "maybe"));
        assertEquals("-ERR syntax error", raw.callText("CLIENT", "KILL", "foo", "bar"));
        assertEquals("-ERR syntax error", raw.callText("CLIENT", "KILL", "ID", "1", "SKIPME"));
        assertEquals(":0", raw.callText("CLIENT", "KILL", "ID", "999999"));
        assertEquals("+PONG", raw.callText("PING"));
    }

    @Test
    void clientKill_errorKillsNobody(RawClient a, RawClient b) {
        String idb = String.valueOf(id(b));
        assertEquals("-ERR syntax error", a.callText("CLIENT", "KILL", "ID", idb, "bogus", "x"));
        assertEquals("+PONG", b.callText("PING"));
    }

    @Test
    void clientKill_lettuce(RedisCommands<String, String> redis, RawClient raw) {
        long id = id(raw);
        assertEquals(1L, redis.clientKill(KillArgs.Builder.id(id)));
        assertTrue(raw.isClosedByServer());
    }

    // ---- HELP ------------------------------------------------------------------------------

    @Test
    void clientHelp_listsSubcommands(RawClient raw) {
        RespValue v = raw.call("CLIENT", "HELP");
        List<String> lines = new ArrayList<>();
        for (RespValue line : ((RespValue.Array) v).values()) {
            lines.add(((RespValue.SimpleString) line).value());
        }
        assertEquals("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", lines.get(0));
        assertEquals(List.of("HELP", "    Prints this help."), lines.subList(lines.size() - 2, lines.size()));
        for (String sub : List.of("GETNAME", "ID", "INFO", "KILL <ip:port>", "SETNAME <name>")) {
            assertTrue(lines.contains(sub), sub);
        }
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("SETINFO")), "7.0.15 has no SETINFO");
        for (String sub : List.of("PAUSE <timeout> [WRITE|ALL]", "UNPAUSE", "NO-EVICT (ON|OFF)")) {
            assertTrue(lines.contains(sub), sub);
        }
        // TRACKING's syntax takes two lines in Redis's text (its one continuation line)
        assertTrue(lines.contains("         [OPTIN] [OPTOUT] [NOLOOP]"));
        assertEquals(0, lines.size() % 2, "a header plus pairs of lines, and TRACKING's extra one: " + Arrays.toString(lines.toArray()));
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
