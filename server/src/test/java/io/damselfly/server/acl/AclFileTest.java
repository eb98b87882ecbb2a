package io.damselfly.server.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users from files: the config file's "user" lines at start, and the aclfile (read at start,
 * ACL LOAD all or nothing with Redis's error texts, ACL SAVE); both at once refuse to start.
 */
class AclFileTest {

    @Test
    void configFileUserLines_defineUsers(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("damselfly.conf");
        Files.writeString(conf, "user alice on >pa ~a* +@all\nuser default on nopass ~* &* +@all -flushall\n");
        try (EmbeddedServer s = EmbeddedServer.builder().option("flagfile", conf.toString()).start();
             RawClient raw = new RawClient(s.host(), s.port())) {
            assertEquals("[$user alice on #" + User.hash("pa".getBytes()) + " ~a* resetchannels +@all, "
                    + "$user default on nopass sanitize-payload ~* &* +@all -flushall]", raw.callText("ACL", "LIST"));
            assertEquals("-NOPERM this user has no permissions to run the 'flushall' command", raw.callText("FLUSHALL"));
            assertEquals("+OK", raw.callText("AUTH", "alice", "pa"));
            assertEquals("-ERR This Redis instance is not configured to use an ACL file. You may want to specify users "
                    + "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration "
                    + "file set) in order to store users in the Redis configuration.", raw.callText("ACL", "SAVE"));
        }
    }

    @Test
    void configFileBadUserLine_refusesToStart(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("damselfly.conf");
        Files.writeString(conf, "user alice on +nosuch\n");
        assertThrows(RuntimeException.class, () -> EmbeddedServer.builder().option("flagfile", conf.toString()).start().close());
    }

    @Test
    void duplicateUserLines_refuseToStart_withRedisMessage(@TempDir Path dir) throws Exception {
        // as redis-server --user foo --user foo (and the same for default): refused before the rules are read
        for (String user : new String[] {"foo", "default"}) {
            Path conf = dir.resolve(user + ".conf");
            Files.writeString(conf, "user " + user + " on\nuser " + user + " off\n");
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> EmbeddedServer.builder().option("flagfile", conf.toString()).start().close());
            String messages = "";
            for (Throwable t = e; t != null; t = t.getCause()) {
                messages += t.getMessage() + "\n";
            }
            assertTrue(messages.contains("Error in user declaration '" + user
                    + "': Duplicate user found. A user can only be defined once in config files"), messages);
        }
    }

    @Test
    void userLinesAndAclfile_refuseToStart(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("damselfly.conf");
        Path acl = dir.resolve("users.acl");
        Files.writeString(acl, "user bob on nopass\n");
        Files.writeString(conf, "user alice on\naclfile " + acl + "\n");
        assertThrows(RuntimeException.class, () -> EmbeddedServer.builder().option("flagfile", conf.toString()).start().close());
    }

    @Test
    void aclfile_loadSaveLoad(@TempDir Path dir) throws Exception {
        Path acl = dir.resolve("users.acl");
        Files.writeString(acl, "user bob on nopass ~b* +get\n\n  user carol off  \n");
        try (EmbeddedServer s = EmbeddedServer.builder().option("aclfile", acl.toString()).start();
             RawClient raw = new RawClient(s.host(), s.port())) {
            assertEquals("[$user bob on nopass ~b* resetchannels -@all +get, $user carol off resetchannels -@all, "
                    + "$user default on nopass ~* &* +@all]", raw.callText("ACL", "LIST"));
            assertEquals("+OK", raw.callText("ACL", "SETUSER", "dave", "on", ">pw", "(~x +set)"));
            assertEquals("+OK", raw.callText("ACL", "SAVE"));
            assertEquals("user bob on nopass ~b* resetchannels -@all +get\nuser carol off resetchannels -@all\n"
                    + "user dave on #" + User.hash("pw".getBytes()) + " resetchannels -@all (~x resetchannels -@all +set)\n"
                    + "user default on nopass ~* &* +@all\n", Files.readString(acl));

            try (RawClient bob = new RawClient(s.host(), s.port())) {
                assertEquals("+OK", bob.callText("AUTH", "bob", "x"));
                Files.writeString(acl, "user bob on nopass +@all ~*\n# a comment\nuser x on +nosuch +get|\n");
                assertEquals("-ERR " + acl + ":2 should start with user keyword followed by the username. "
                        + acl + ":3: Error in applying operation '+nosuch': Unknown command or category name in ACL. "
                        + acl + ":3: Syntax error. "
                        + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
                        raw.callText("ACL", "LOAD"));
                // nothing changed: bob keeps his connection and his rules
                assertEquals("(nil)", bob.callText("GET", "b1"));
                Files.writeString(acl, "user bob on nopass +@all ~*\nuser default on nopass ~* &* +@all -debug\n");
                assertEquals("+OK", raw.callText("ACL", "LOAD"));
                // bob is a new user now: the old one's connections are gone, as Redis frees them
                assertTrue(bob.isClosedByServer());
            }
            assertEquals("[$user bob on nopass ~* resetchannels +@all, $user default on nopass ~* &* +@all -debug]",
                    raw.callText("ACL", "LIST"));
        }
    }
}
