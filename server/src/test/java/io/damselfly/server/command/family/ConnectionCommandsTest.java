package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.command.Command;
import io.damselfly.server.command.CommandFlag;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** PING ECHO QUIT SELECT AUTH HELLO, without and (in {@link Requirepass}) with a password. */
@ExtendWith(ServerExtension.class)
class ConnectionCommandsTest {
    private static final String PASSWORD = "s3cret";

    /** The HELLO reply as {@link RawClient#render} shows it, for a client id and protocol. */
    private static String helloReply(long id, int proto) {
        String[] kv = {"$server", "$redis", "$version", "$7.0.15", "$proto", ":" + proto, "$id", ":" + id,
            "$mode", "$standalone", "$role", "$master", "$modules", "[]"};
        StringBuilder s = new StringBuilder(proto == 3 ? "{" : "[");
        for (int i = 0; i < kv.length; i += 2) {
            if (i > 0) {
                s.append(", ");
            }
            s.append(kv[i]).append(proto == 3 ? "=" : ", ").append(kv[i + 1]);
        }
        return s.append(proto == 3 ? "}" : "]").toString();
    }

    private static long clientId(RawClient raw) {
        return ((RespValue.Integer) raw.call("CLIENT", "ID")).value();
    }

    /** The connection's protocol as CLIENT INFO reports it: RESP3 replies text as verbatim ("="). */
    private static String protocolOf(RawClient raw) {
        String info = raw.callText("CLIENT", "INFO");
        // resp is the last field (Redis 7.0), followed by the line end
        if (info.startsWith("=") && info.contains(" resp=3\n")) {
            return "resp3";
        }
        if (info.startsWith("$") && info.contains(" resp=2\n")) {
            return "resp2";
        }
        return "inconsistent: " + info;
    }

    // ---- PING ------------------------------------------------------------------------------

    @Test
    void ping_noArgument_pong(RawClient raw, RedisCommands<String, String> redis, @Resp2 RedisCommands<String, String> redis2) {
        assertEquals("+PONG", raw.callText("PING"));
        assertEquals("PONG", redis.ping());
        assertEquals("PONG", redis2.ping());
    }

    @Test
    void ping_resp3_sameShapes(RawClient raw) {
        raw.call("HELLO", "3");
        assertEquals("+PONG", raw.callText("PING"));
        assertEquals("$hello world", raw.callText("PING", "hello world"));
    }

    @Test
    void ping_message_bulkReply(RawClient raw) {
        assertEquals("$hello world", raw.callText("PING", "hello world"));
        assertEquals("$", raw.callText("PING", ""));
    }

    @Test
    void ping_tooManyArguments_arityError(RawClient raw) {
        assertEquals("-ERR wrong number of arguments for 'ping' command", raw.callText("PING", "a", "b"));
    }

    // ---- ECHO ------------------------------------------------------------------------------

    @Test
    void echo_returnsMessage(RawClient raw, RedisCommands<String, String> redis) {
        assertEquals("$hi there", raw.callText("ECHO", "hi there"));
        assertEquals("$", raw.callText("ECHO", ""));
        assertEquals("ünïcode", redis.echo("ünïcode"));
    }

    @Test
    void echo_binarySafe(RawClient raw) {
        byte[] bytes = {0, '\r', '\n', (byte) 0xff, 'x'};
        RespValue v = raw.call("ECHO", bytes);
        assertTrue(v instanceof RespValue.BulkString);
        assertEquals(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1),
                new String(((RespValue.BulkString) v).value(), java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Test
    void echo_wrongArity(RawClient raw) {
        assertEquals("-ERR wrong number of arguments for 'echo' command", raw.callText("ECHO"));
        assertEquals("-ERR wrong number of arguments for 'echo' command", raw.callText("ECHO", "a", "b"));
    }

    // ---- QUIT ------------------------------------------------------------------------------

    @Test
    void quit_repliesOkThenCloses(RawClient raw) {
        assertEquals("+OK", raw.callText("QUIT"));
        assertTrue(raw.isClosedByServer());
    }

    @Test
    void quit_pipelined_laterCommandsNotRun(RawClient raw, RedisCommands<String, String> redis) {
        byte[] quit = RawClient.encode("QUIT");
        byte[] set = RawClient.encode("SET", "after-quit", "1");
        byte[] both = new byte[quit.length + set.length];
        System.arraycopy(quit, 0, both, 0, quit.length);
        System.arraycopy(set, 0, both, quit.length, set.length);
        raw.sendRaw(both);
        assertEquals("+OK", RawClient.render(raw.read()));
        assertTrue(raw.isClosedByServer());
        assertNull(redis.get("after-quit"));
    }

    @Test
    void quit_withArguments_stillQuits(RawClient raw) {
        // arity -1: Redis ignores extra arguments
        assertEquals("+OK", raw.callText("QUIT", "now"));
        assertTrue(raw.isClosedByServer());
    }

    // ---- SELECT ----------------------------------------------------------------------------

    @Test
    void select_isolatesDatabases(RedisCommands<String, String> redis) {
        redis.set("k", "in-0");
        assertEquals("OK", redis.select(1));
        assertNull(redis.get("k"));
        redis.set("k", "in-1");
        assertEquals("OK", redis.select(15));
        assertNull(redis.get("k"));
        redis.select(0);
        assertEquals("in-0", redis.get("k"));
        redis.select(1);
        assertEquals("in-1", redis.get("k"));
    }

    @Test
    void select_isPerConnection(RawClient a, RawClient b) {
        assertEquals("+OK", a.callText("SELECT", "3"));
        assertEquals("+OK", a.callText("SET", "k", "three"));
        assertEquals("(nil)", b.callText("GET", "k"));
        assertEquals("+OK", b.callText("SELECT", "3"));
        assertEquals("$three", b.callText("GET", "k"));
    }

    @Test
    void select_resp2Lettuce(@Resp2 RedisCommands<String, String> redis) {
        redis.set("k", "0");
        redis.select(2);
        assertNull(redis.get("k"));
    }

    @Test
    void select_outOfRange(RawClient raw) {
        assertEquals("-ERR DB index is out of range", raw.callText("SELECT", "16"));
        assertEquals("-ERR DB index is out of range", raw.callText("SELECT", "-1"));
        assertEquals("-ERR value is not an integer or out of range", raw.callText("SELECT", "abc"));
        assertEquals("-ERR value is not an integer or out of range", raw.callText("SELECT", "1.5"));
        assertEquals("-ERR value is out of range, value must between -2147483648 and 2147483647",
                raw.callText("SELECT", "99999999999"));
        assertEquals("-ERR wrong number of arguments for 'select' command", raw.callText("SELECT"));
        // the failed SELECTs left the connection on database 0
        assertEquals("+OK", raw.callText("SET", "k", "v"));
        assertEquals("+OK", raw.callText("SELECT", "0"));
        assertEquals("$v", raw.callText("GET", "k"));
    }

    // ---- AUTH without requirepass ----------------------------------------------------------

    @Test
    void auth_noPasswordConfigured_errors(RawClient raw) {
        assertEquals("-ERR AUTH <password> called without any password configured for the default user. "
                + "Are you sure your configuration is correct?", raw.callText("AUTH", "x"));
        // the default user has no password: any password works for it, by name
        assertEquals("+OK", raw.callText("AUTH", "default", "anything"));
        assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", raw.callText("AUTH", "bob", "x"));
        assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", raw.callText("AUTH", "DEFAULT", "x"));
    }

    @Test
    void auth_wrongArity(RawClient raw) {
        assertEquals("-ERR wrong number of arguments for 'auth' command", raw.callText("AUTH"));
        assertEquals("-ERR syntax error", raw.callText("AUTH", "a", "b", "c"));
    }

    // ---- HELLO -----------------------------------------------------------------------------

    @Test
    void hello_3_resp3Map(RawClient raw) {
        long id = clientId(raw);
        assertEquals(helloReply(id, 3), raw.callText("HELLO", "3"));
        assertEquals("resp3", protocolOf(raw));
    }

    @Test
    void hello_2_resp2FlatArray(RawClient raw) {
        long id = clientId(raw);
        assertEquals(helloReply(id, 2), raw.callText("HELLO", "2"));
        assertEquals("resp2", protocolOf(raw));
    }

    @Test
    void hello_noVersion_keepsProtocol(RawClient raw) {
        long id = clientId(raw);
        assertEquals(helloReply(id, 2), raw.callText("HELLO"));
        raw.call("HELLO", "3");
        assertEquals(helloReply(id, 3), raw.callText("HELLO"));
        assertEquals(helloReply(id, 2), raw.callText("HELLO", "2"));
        assertEquals("resp2", protocolOf(raw));
    }

    @Test
    void hello_unsupportedVersion_noproto(RawClient raw) {
        assertEquals("-NOPROTO unsupported protocol version", raw.callText("HELLO", "4"));
        assertEquals("-NOPROTO unsupported protocol version", raw.callText("HELLO", "1"));
        assertEquals("-NOPROTO unsupported protocol version", raw.callText("HELLO", "-3"));
        assertEquals("-ERR Protocol version is not an integer or out of range", raw.callText("HELLO", "three"));
        assertEquals("resp2", protocolOf(raw));
    }

    @Test
    void hello_badOptions_syntaxError(RawClient raw) {
        assertEquals("-ERR Syntax error in HELLO option 'foo'", raw.callText("HELLO", "3", "foo"));
        assertEquals("-ERR Syntax error in HELLO option 'AUTH'", raw.callText("HELLO", "3", "AUTH", "default"));
        assertEquals("-ERR Syntax error in HELLO option 'setname'", raw.callText("HELLO", "3", "setname"));
        assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.",
                raw.callText("HELLO", "3", "SETNAME", "a b"));
        assertEquals("resp2", protocolOf(raw));
    }

    @Test
    void hello_setname_setsName(RawClient raw) {
        raw.call("HELLO", "3", "SETNAME", "worker-1");
        assertEquals("$worker-1", raw.callText("CLIENT", "GETNAME"));
    }

    @Test
    void hello_authNoPasswordConfigured(RawClient raw) {
        long id = clientId(raw);
        assertEquals(helloReply(id, 3), raw.callText("HELLO", "3", "AUTH", "default", "whatever"));
    }

    @Test
    void hello_authUnknownUser_wrongpassNoSwitch(RawClient raw) {
        assertEquals("-WRONGPASS invalid username-password pair or user is disabled.",
                raw.callText("HELLO", "3", "AUTH", "bob", "pw", "SETNAME", "n"));
        assertEquals("resp2", protocolOf(raw));
        assertEquals("(nil)", raw.callText("CLIENT", "GETNAME"));
    }

    @Test
    void hello_pipelinedWithCommands_laterRepliesUseNewProtocol(RawClient raw) {
        raw.sendRaw(concat(RawClient.encode("HELLO", "3"), RawClient.encode("CLIENT", "INFO"),
                RawClient.encode("HELLO", "2"), RawClient.encode("CLIENT", "INFO")));
        assertTrue(RawClient.render(raw.read()).startsWith("{$server=$redis"));
        assertTrue(RawClient.render(raw.read()).startsWith("=id="));
        assertTrue(RawClient.render(raw.read()).startsWith("[$server, $redis"));
        assertTrue(RawClient.render(raw.read()).startsWith("$id="));
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    // ---- Lettuce ---------------------------------------------------------------------------

    @Test
    void hello_lettuceResp3_negotiatesResp3(RedisCommands<String, String> redis) {
        assertTrue(redis.clientInfo().contains(" resp=3\n"), redis.clientInfo());
        assertEquals("PONG", redis.ping());
    }

    @Test
    void hello_lettuceResp2_staysResp2(@Resp2 RedisCommands<String, String> redis) {
        assertTrue(redis.clientInfo().contains(" resp=2\n"), redis.clientInfo());
        assertEquals("PONG", redis.ping());
    }

    // ---- registration ----------------------------------------------------------------------

    @Test
    void register_onlyAuthHelloQuitResetRunUnauthenticated() {
        CommandTable.Builder b = CommandTable.builder();
        ConnectionCommands.register(b);
        CommandTable table = b.build();
        List<String> noAuth = new ArrayList<>();
        for (Command c : table.all()) {
            List<Command> all = new ArrayList<>(List.of(c));
            all.addAll(c.subcommands().values());
            for (Command x : all) {
                if (x.has(CommandFlag.NO_AUTH)) {
                    noAuth.add(x.fullName());
                }
            }
        }
        assertEquals(Set.of("auth", "hello", "quit", "reset"), Set.copyOf(noAuth));
    }

    @Test
    void register_stateChangingCommandsAreStateful() {
        CommandTable.Builder b = CommandTable.builder();
        ConnectionCommands.register(b);
        CommandTable table = b.build();
        for (String name : List.of("select", "auth", "hello")) {
            assertTrue(table.get(name).has(CommandFlag.STATEFUL), name);
        }
        assertTrue(table.get("client").subcommands().get("setname").has(CommandFlag.STATEFUL));
        assertFalse(table.get("ping").has(CommandFlag.STATEFUL));
        assertFalse(table.get("client").subcommands().get("list").has(CommandFlag.STATEFUL));
    }

    // ---- with requirepass ------------------------------------------------------------------

    @Nested
    @ServerOptions({"requirepass=" + PASSWORD})
    class Requirepass {
        private static final String NOAUTH = "-NOAUTH Authentication required.";
        private static final String WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled.";
        private static final String HELLO_NOAUTH = "-NOAUTH HELLO must be called with the client already authenticated, "
                + "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and "
                + "select the RESP protocol version at the same time";

        @Test
        void everyCommand_noauthBeforeAuth(RawClient raw) {
            List<Object[]> commands = List.of(
                    new Object[] {"PING"}, new Object[] {"PING", "x"}, new Object[] {"ECHO", "x"},
                    new Object[] {"SELECT", "1"}, new Object[] {"GET", "k"}, new Object[] {"SET", "k", "v"},
                    new Object[] {"DEL", "k"}, new Object[] {"EXISTS", "k"}, new Object[] {"CLIENT", "ID"},
                    new Object[] {"CLIENT", "SETNAME", "x"}, new Object[] {"CLIENT", "GETNAME"},
                    new Object[] {"CLIENT", "INFO"},
                    new Object[] {"CLIENT", "LIST"}, new Object[] {"CLIENT", "KILL", "ID", "1"},
                    new Object[] {"CLIENT", "HELP"});
            for (Object[] cmd : commands) {
                assertEquals(NOAUTH, raw.callText(cmd), java.util.Arrays.toString(cmd));
            }
            assertEquals("+OK", raw.callText("AUTH", PASSWORD));
            assertEquals("+PONG", raw.callText("PING"));
            assertEquals("+OK", raw.callText("QUIT"));
        }

        @Test
        void quit_allowedBeforeAuth(RawClient raw) {
            assertEquals("+OK", raw.callText("QUIT"));
            assertTrue(raw.isClosedByServer());
        }

        @Test
        void auth_wrongPassword_wrongpass(RawClient raw) {
            assertEquals(WRONGPASS, raw.callText("AUTH", "nope"));
            assertEquals(WRONGPASS, raw.callText("AUTH", "default", "nope"));
            assertEquals(WRONGPASS, raw.callText("AUTH", "bob", PASSWORD));
            assertEquals(WRONGPASS, raw.callText("AUTH", PASSWORD + "x"));
            assertEquals(NOAUTH, raw.callText("PING"));
        }

        @Test
        void auth_password_authenticates(RawClient raw) {
            assertEquals("+OK", raw.callText("AUTH", PASSWORD));
            assertEquals("+PONG", raw.callText("PING"));
        }

        @Test
        void auth_defaultUserAndPassword_authenticates(RawClient raw) {
            assertEquals("+OK", raw.callText("AUTH", "default", PASSWORD));
            assertEquals("+OK", raw.callText("SET", "k", "v"));
        }

        @Test
        void auth_failureAfterSuccess_staysAuthenticated(RawClient raw) {
            raw.call("AUTH", PASSWORD);
            assertEquals(WRONGPASS, raw.callText("AUTH", "wrong"));
            assertEquals("+PONG", raw.callText("PING"));
        }

        @Test
        void auth_isPerConnection(RawClient a, RawClient b) {
            a.call("AUTH", PASSWORD);
            assertEquals("+PONG", a.callText("PING"));
            assertEquals(NOAUTH, b.callText("PING"));
        }

        @Test
        void hello_withoutAuth_noauthHello(RawClient raw) {
            assertEquals(HELLO_NOAUTH, raw.callText("HELLO", "3"));
            assertEquals(HELLO_NOAUTH, raw.callText("HELLO"));
            // Redis 7.0 sets the name as it reads the option, before it checks authentication
            assertEquals(HELLO_NOAUTH, raw.callText("HELLO", "2", "SETNAME", "early"));
            assertEquals(NOAUTH, raw.callText("PING"));
            raw.call("AUTH", PASSWORD);
            assertEquals("resp2", protocolOf(raw));
            assertEquals("$early", raw.callText("CLIENT", "GETNAME"));
        }

        @Test
        void hello_versionCheckedBeforeAuth(RawClient raw) {
            assertEquals("-NOPROTO unsupported protocol version", raw.callText("HELLO", "4", "AUTH", "default", PASSWORD));
            assertEquals(NOAUTH, raw.callText("PING"));
        }

        @Test
        void hello_authWrong_wrongpassNoSwitch(RawClient raw) {
            assertEquals(WRONGPASS, raw.callText("HELLO", "3", "AUTH", "default", "bad"));
            assertEquals(NOAUTH, raw.callText("PING"));
            raw.call("AUTH", PASSWORD);
            assertEquals("resp2", protocolOf(raw));
        }

        @Test
        void hello_authRight_authenticatesAndSwitches(RawClient raw) {
            RespValue reply = raw.call("HELLO", "3", "AUTH", "default", PASSWORD, "SETNAME", "app");
            assertEquals(RespValue.Kind.MAP, reply.kind());
            assertEquals("+PONG", raw.callText("PING"));
            assertEquals("resp3", protocolOf(raw));
            assertEquals("$app", raw.callText("CLIENT", "GETNAME"));
        }

        @Test
        void hello_authRightBadName_authenticatedNotSwitched(RawClient raw) {
            // as Redis 7.0: options act in order, so the AUTH before the bad name stays done
            assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.",
                    raw.callText("HELLO", "3", "AUTH", "default", PASSWORD, "SETNAME", "bad name"));
            assertEquals("+PONG", raw.callText("PING"));
            assertEquals("resp2", protocolOf(raw));
        }

        @Test
        void hello_nameThenWrongAuth_nameKept(RawClient raw) {
            assertEquals(WRONGPASS, raw.callText("HELLO", "3", "SETNAME", "early", "AUTH", "default", "bad"));
            raw.call("AUTH", PASSWORD);
            assertEquals("$early", raw.callText("CLIENT", "GETNAME"));
        }

        @Test
        void hello_afterAuth_noAuthOptionNeeded(RawClient raw) {
            raw.call("AUTH", PASSWORD);
            assertEquals(RespValue.Kind.MAP, raw.call("HELLO", "3").kind());
        }

        @Test
        void lettuce_resp3WithPassword(EmbeddedServer server, RedisClient client) {
            try (StatefulRedisConnection<String, String> conn = client.connect(uri(server, PASSWORD))) {
                assertEquals("PONG", conn.sync().ping());
                assertTrue(conn.sync().clientInfo().contains(" resp=3\n"));
            }
        }

        @Test
        void lettuce_resp2WithPassword(EmbeddedServer server, @Resp2 RedisClient client) {
            try (StatefulRedisConnection<String, String> conn = client.connect(uri(server, PASSWORD))) {
                assertEquals("PONG", conn.sync().ping());
                conn.sync().set("k", "v");
                assertEquals("v", conn.sync().get("k"));
                assertTrue(conn.sync().clientInfo().contains(" resp=2\n"));
            }
        }

        @Test
        void lettuce_wrongPassword_connectFails(EmbeddedServer server, RedisClient client, @Resp2 RedisClient client2) {
            assertThrows(RedisException.class, () -> client.connect(uri(server, "wrong")).close());
            assertThrows(RedisException.class, () -> client2.connect(uri(server, "wrong")).close());
        }

        private RedisURI uri(EmbeddedServer server, String password) {
            return RedisURI.builder().withHost(server.host()).withPort(server.port())
                    .withPassword(password.toCharArray()).withTimeout(Duration.ofSeconds(10)).build();
        }
    }
}
