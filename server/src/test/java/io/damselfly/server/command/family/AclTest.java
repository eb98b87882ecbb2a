package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ACL users end to end: rules and their descriptions, AUTH user password with Lettuce (RESP2's
 * AUTH, RESP3's HELLO AUTH), NOPERM for commands, keys and channels, MULTI/EXEC, a script's
 * redis.call, ACL LOG, statistics, and clients following their user (DELUSER, CLIENT KILL USER).
 */
@ExtendWith(ServerExtension.class)
class AclTest {

    @AfterEach
    void dropUsers(EmbeddedServer server) {
        try (RawClient raw = new RawClient(server.host(), server.port())) {
            for (String u : new String[] {"alice", "bob", "carol", "dave", "erin"}) {
                raw.call("ACL", "DELUSER", u);
            }
            raw.call("ACL", "SETUSER", "default", "on", "nopass", "allkeys", "allchannels", "+@all", "clearselectors");
            raw.call("ACL", "LOG", "RESET");
            raw.call("CONFIG", "SET", "requirepass", "");
        }
    }

    private static RawClient authed(EmbeddedServer server, String user, String pass) {
        RawClient raw = new RawClient(server.host(), server.port());
        assertEquals("+OK", raw.callText("AUTH", user, pass));
        return raw;
    }

    private static RedisCommands<String, String> lettuce(RedisClient client, EmbeddedServer server, ProtocolVersion v,
            String user, String pass) {
        RedisURI uri = RedisURI.builder().withHost(server.host()).withPort(server.port())
                .withAuthentication(user, pass).withTimeout(Duration.ofSeconds(10)).build();
        client.setOptions(io.lettuce.core.ClientOptions.builder().protocolVersion(v).build());
        StatefulRedisConnection<String, String> c = client.connect(uri);
        return c.sync();
    }

    // ---- rules and descriptions ------------------------------------------------------------

    @Test
    void setuser_getuser_listShapes(RawClient raw) {
        assertEquals("+OK", raw.callText("ACL", "SETUSER", "alice", "on", ">p1", "~k*", "%R~r*", "&ch*", "-@all", "+@string", "-set"));
        assertEquals("[$user alice on #" + sha256("p1") + " ~k* %R~r* resetchannels &ch* -@all +@string -set]",
                raw.callText("ACL", "LIST").replace(", $user default on nopass ~* &* +@all", ""));
        assertEquals("[$flags, [$on], $passwords, [$" + sha256("p1") + "], $commands, $-@all +@string -set, $keys, $~k* %R~r*, "
                + "$channels, $&ch*, $selectors, []]", raw.callText("ACL", "GETUSER", "alice"));
        raw.call("HELLO", "3");
        assertEquals("{$flags=~[$on], $passwords=[$" + sha256("p1") + "], $commands=$-@all +@string -set, $keys=$~k* %R~r*, "
                + "$channels=$&ch*, $selectors=[]}", raw.callText("ACL", "GETUSER", "alice"));
        assertEquals("(nil)", raw.callText("ACL", "GETUSER", "nobody"));
    }

    @Test
    void setuser_allOrNothing(RawClient raw) {
        assertEquals("+OK", raw.callText("ACL", "SETUSER", "bob", "on", "+get"));
        assertEquals("-ERR Error in ACL SETUSER modifier 'nosuchrule': Syntax error",
                raw.callText("ACL", "SETUSER", "bob", "+set", "nosuchrule"));
        assertEquals("-@all +get", describeCommands(raw, "bob"));
    }

    private static String describeCommands(RawClient raw, String user) {
        var a = (io.damselfly.protocol.RespValue.Array) raw.call("ACL", "GETUSER", user);
        return ((io.damselfly.protocol.RespValue.BulkString) a.values().get(5)).asString();
    }

    @Test
    void selectors_anyOneAllows(RawClient raw, EmbeddedServer server) {
        assertEquals("+OK", raw.callText("ACL", "SETUSER", "carol", "on", "nopass", "~a*", "+get", "(~b* +set)"));
        try (RawClient c = authed(server, "carol", "x")) {
            assertEquals("(nil)", c.callText("GET", "a1"));
            assertEquals("+OK", c.callText("SET", "b1", "v"));
            assertEquals("-NOPERM this user has no permissions to access one of the keys used as arguments", c.callText("GET", "b1"));
            // the second selector could run SET, so its key refusal is the one reported (acl.c's rule)
            assertEquals("-NOPERM this user has no permissions to access one of the keys used as arguments", c.callText("SET", "c1", "v"));
            assertEquals("-NOPERM this user has no permissions to run the 'del' command", c.callText("DEL", "a1"));
        }
    }

    // ---- AUTH with Lettuce -------------------------------------------------------------------

    @Test
    void auth_userPassword_resp3Hello(RedisClient client, EmbeddedServer server, RawClient raw) {
        raw.call("ACL", "SETUSER", "alice", "on", ">secret", "~*", "&*", "+@all");
        RedisCommands<String, String> alice = lettuce(client, server, ProtocolVersion.RESP3, "alice", "secret");
        assertEquals("alice", alice.aclWhoami());
        assertTrue(raw.callText("CLIENT", "LIST").contains(" user=alice "));
    }

    @Test
    void auth_userPassword_resp2Auth(RedisClient client, EmbeddedServer server, RawClient raw) {
        raw.call("ACL", "SETUSER", "alice", "on", ">secret", "~*", "&*", "-@all", "+get", "+acl|whoami");
        RedisCommands<String, String> alice = lettuce(client, server, ProtocolVersion.RESP2, "alice", "secret");
        assertEquals("alice", alice.aclWhoami());
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class, () -> alice.set("k", "v"));
        assertEquals("NOPERM this user has no permissions to run the 'set' command", e.getMessage());
    }

    @Test
    void auth_wrongPasswordOrDisabled(RawClient raw, EmbeddedServer server) {
        raw.call("ACL", "SETUSER", "alice", "off", ">secret", "+acl|whoami");
        try (RawClient c = new RawClient(server.host(), server.port())) {
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", c.callText("AUTH", "alice", "secret"));
            raw.call("ACL", "SETUSER", "alice", "on");
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", c.callText("AUTH", "alice", "nope"));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", c.callText("AUTH", "nobody", "x"));
            assertEquals("+OK", c.callText("AUTH", "alice", "secret"));
            assertEquals("$alice", c.callText("ACL", "WHOAMI"));
        }
        String log = raw.callText("ACL", "LOG");
        assertTrue(log.contains("$reason, $auth, $context, $toplevel, $object, $AUTH, $username, $nobody"), log);
    }

    @Test
    void requirepass_isTheDefaultUsersPassword(RawClient raw, EmbeddedServer server) {
        assertEquals("+OK", raw.callText("CONFIG", "SET", "requirepass", "pw"));
        assertTrue(raw.callText("ACL", "LIST").contains("user default on #" + sha256("pw") + " ~* &* +@all"));
        try (RawClient c = new RawClient(server.host(), server.port())) {
            assertEquals("-NOAUTH Authentication required.", c.callText("GET", "k"));
            assertEquals("+OK", c.callText("AUTH", "pw"));
            assertEquals("(nil)", c.callText("GET", "k"));
        }
        raw.call("CONFIG", "SET", "requirepass", "");
        try (RawClient c = new RawClient(server.host(), server.port())) {
            assertEquals("(nil)", c.callText("GET", "k"));
        }
    }

    @Test
    void defaultUser_restricted_thenRestored(RawClient raw, EmbeddedServer server) {
        assertEquals("+OK", raw.callText("ACL", "SETUSER", "default", "-flushall"));
        try (RawClient c = new RawClient(server.host(), server.port())) {
            assertEquals("-NOPERM this user has no permissions to run the 'flushall' command", c.callText("FLUSHALL"));
            assertEquals("+OK", c.callText("SET", "k", "v"));
        }
        assertEquals("+OK", raw.callText("ACL", "SETUSER", "default", "+@all"));
        assertEquals("+OK", raw.callText("FLUSHALL"));
    }

    // ---- keys and channels ------------------------------------------------------------------

    @Test
    void keys_readAndWritePatterns(RawClient raw, EmbeddedServer server) {
        raw.call("ACL", "SETUSER", "dave", "on", "nopass", "%R~r*", "%W~w*", "+@all");
        raw.call("SET", "r1", "v");
        try (RawClient c = authed(server, "dave", "x")) {
            assertEquals("$v", c.callText("GET", "r1"));
            assertEquals("-NOPERM this user has no permissions to access one of the keys used as arguments", c.callText("SET", "r1", "x"));
            assertEquals("+OK", c.callText("SET", "w1", "x"));
            assertEquals("-NOPERM this user has no permissions to access one of the keys used as arguments", c.callText("GET", "w1"));
            assertEquals(":1", c.callText("COPY", "r1", "w2"));
            assertEquals("-NOPERM this user has no permissions to access one of the keys used as arguments", c.callText("COPY", "w1", "r2"));
            assertEquals("-NOPERM this user has no permissions to access one of the keys used as arguments", c.callText("MGET", "r1", "x"));
        }
    }

    @Test
    void channels_publishSubscribePatterns(RawClient raw, EmbeddedServer server) {
        raw.call("ACL", "SETUSER", "erin", "on", "nopass", "&news.*", "&exact", "+@all");
        try (RawClient c = authed(server, "erin", "x")) {
            assertEquals(":0", c.callText("PUBLISH", "news.1", "m"));
            assertEquals("-NOPERM this user has no permissions to access one of the channels used as arguments", c.callText("PUBLISH", "other", "m"));
            assertEquals("-NOPERM this user has no permissions to access one of the channels used as arguments", c.callText("SPUBLISH", "other", "m"));
            assertEquals("-NOPERM this user has no permissions to access one of the channels used as arguments", c.callText("SUBSCRIBE", "exact", "other"));
            // a pattern must be one of the allowed patterns literally
            assertEquals("-NOPERM this user has no permissions to access one of the channels used as arguments", c.callText("PSUBSCRIBE", "news.1*"));
            assertEquals("[$psubscribe, $news.*, :1]", c.callText("PSUBSCRIBE", "news.*"));
        }
        assertEquals("$This user has no permissions to access the 'x' channel", raw.callText("ACL", "DRYRUN", "erin", "PUBLISH", "x", "m"));
        assertEquals("+OK", raw.callText("ACL", "DRYRUN", "erin", "SUBSCRIBE", "exact"));
    }

    @Test
    void channels_revoked_subscriberDisconnected(RawClient raw, EmbeddedServer server) {
        raw.call("ACL", "SETUSER", "erin", "on", "nopass", "&a", "&b", "+@all");
        try (RawClient c = authed(server, "erin", "x")) {
            assertEquals("[$subscribe, $a, :1]", c.callText("SUBSCRIBE", "a"));
            raw.call("ACL", "SETUSER", "erin", "&c");
            // still allowed: nothing happens
            raw.call("ACL", "SETUSER", "erin", "resetchannels", "&b");
            awaitClosed(c);
        }
    }

    // ---- MULTI, EXEC, scripts -----------------------------------------------------------------

    @Test
    void multi_refusedAtQueueTime_execAbort(RawClient raw, EmbeddedServer server) {
        raw.call("ACL", "SETUSER", "alice", "on", "nopass", "~*", "+multi", "+exec", "+get");
        try (RawClient c = authed(server, "alice", "x")) {
            assertEquals("+OK", c.callText("MULTI"));
            assertEquals("+QUEUED", c.callText("GET", "k"));
            assertEquals("-NOPERM this user has no permissions to run the 'set' command", c.callText("SET", "k", "v"));
            assertEquals("-EXECABORT Transaction discarded because of previous errors.", c.callText("EXEC"));
        }
        assertTrue(raw.callText("ACL", "LOG", "1").contains("$context, $multi"));
    }

    @Test
    void exec_rulesChangedSinceQueued(RawClient raw, EmbeddedServer server) {
        raw.call("ACL", "SETUSER", "alice", "on", "nopass", "~*", "+multi", "+exec", "+get", "+set");
        try (RawClient c = authed(server, "alice", "x")) {
            c.call("MULTI");
            c.call("SET", "k", "v");
            c.call("GET", "k");
            raw.call("ACL", "SETUSER", "alice", "-set");
            assertEquals("[-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. "
                    + "This command is no longer allowed for the following reason: no permission to execute the command or "
                    + "subcommand, (nil)]", c.callText("EXEC"));
        }
    }

    @Test
    void script_redisCallRefused(RawClient raw, EmbeddedServer server) {
        raw.call("ACL", "SETUSER", "alice", "on", "nopass", "~k*", "+eval", "+get");
        try (RawClient c = authed(server, "alice", "x")) {
            String r = c.callText("EVAL", "return redis.call('set','k','1')", "0");
            assertTrue(r.startsWith("-ERR The user executing the script can't run this command or subcommand script:"), r);
            assertEquals("-ERR The user executing the script can't run this command or subcommand",
                    c.callText("EVAL", "return redis.pcall('set','k','1')", "0"));
            r = c.callText("EVAL", "return redis.call('get','z')", "0");
            assertTrue(r.startsWith("-ERR The user executing the script can't access at least one of the keys mentioned in "
                    + "the command arguments"), r);
            assertEquals(":0", c.callText("EVAL", "return redis.acl_check_cmd('set','k','1') and 1 or 0", "0"));
            assertEquals(":1", c.callText("EVAL", "return redis.acl_check_cmd('get','k1') and 1 or 0", "0"));
        }
        assertTrue(raw.callText("ACL", "LOG", "1").contains("$context, $lua"));
    }

    // ---- statistics and clients -------------------------------------------------------------

    @Test
    void refusals_countedInInfo(RawClient raw, EmbeddedServer server) {
        raw.call("CONFIG", "RESETSTAT");
        raw.call("ACL", "SETUSER", "alice", "on", "nopass", "~*", "+get");
        try (RawClient c = authed(server, "alice", "x")) {
            c.call("SET", "k", "v");
            c.call("SET", "k", "v");
        }
        String info = raw.callText("INFO", "all");
        assertTrue(info.contains("errorstat_NOPERM:count=2"), info);
        assertTrue(info.contains("cmdstat_set:calls=0,usec=0,usec_per_call=0.00,rejected_calls=2,failed_calls=0"), info);
        assertTrue(raw.callText("ACL", "LOG").startsWith("[[$count, :2, $reason, $command, $context, $toplevel, $object, $set, "
                + "$username, $alice, $age-seconds, "));
    }

    @Test
    void deluser_disconnectsItsClients(RawClient raw, EmbeddedServer server) {
        raw.call("ACL", "SETUSER", "bob", "on", "nopass", "+@all", "~*");
        try (RawClient c = authed(server, "bob", "x"); RawClient d = authed(server, "bob", "x")) {
            assertEquals(":1", raw.callText("ACL", "DELUSER", "bob", "nobody"));
            awaitClosed(c);
            awaitClosed(d);
        }
        assertEquals("-ERR The 'default' user cannot be removed", raw.callText("ACL", "DELUSER", "x", "default"));
    }

    @Test
    void clientKillUser(RawClient raw, EmbeddedServer server) {
        raw.call("ACL", "SETUSER", "bob", "on", "nopass", "+@all", "~*");
        try (RawClient c = authed(server, "bob", "x")) {
            assertEquals(":1", raw.callText("CLIENT", "KILL", "USER", "bob"));
            awaitClosed(c);
        }
        assertEquals("-ERR No such user 'zed'", raw.callText("CLIENT", "KILL", "USER", "zed"));
    }

    @Test
    void setuserOff_keepsConnection(RawClient raw, EmbeddedServer server) {
        raw.call("ACL", "SETUSER", "bob", "on", "nopass", "+@all", "~*");
        try (RawClient c = authed(server, "bob", "x")) {
            raw.call("ACL", "SETUSER", "bob", "off");
            // as Redis 7.0: off stops new logins only
            assertEquals("+PONG", c.callText("PING"));
        }
    }

    @Test
    void resp2Lettuce_aclCommands(@Resp2 RedisCommands<String, String> redis) {
        assertEquals("default", redis.aclWhoami());
        assertTrue(redis.aclUsers().contains("default"));
        assertEquals(64, redis.aclGenpass().length());
        assertEquals(2, redis.aclGenpass(5).length());
    }

    private static void awaitClosed(RawClient c) {
        assertTrue(c.isClosedByServer(), "connection still open");
    }

    private static String sha256(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
