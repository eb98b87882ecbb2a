package io.damselfly.server.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis's protected commands and configs against a live redis-server 7.0.15. Which TCP clients the
 * "local" settings (enable-debug-command, enable-module-command, enable-protected-configs) count
 * as local: islocalClient takes 127.0.0.1 and ::1 only, so a client bound to 127.0.0.2 (loopback
 * on Linux, which routes all of 127.0.0.0/8 to lo) is refused as a remote one is. And where the
 * refusal of DEBUG and MODULE LOAD/LOADEX/UNLOAD happens: processCommand, after the arity check and
 * before auth and MULTI, so inside MULTI an allowed one is queued and a refused one answers the
 * refusal at once and dooms the transaction (EXECABORT); neither is NO_MULTI.
 */
class ProtectedCommandsCompatibilityTest {
    private static final String[] LOCAL_ONLY = {"--protected-mode", "no", "--enable-debug-command", "local",
            "--enable-module-command", "local", "--enable-protected-configs", "local"};

    @TempDir
    Path dir;

    @Test
    void localSettings_from127002_refusedAsRedis_from127001_allowed() throws Exception {
        Path missingModule = dir.resolve("no-such-module.so");
        String[][] commands = {{"DEBUG", "SLEEP", "0"}, {"CONFIG", "SET", "dir", dir.toString()},
                {"CONFIG", "SET", "dbfilename", "local.rdb"}, {"MODULE", "LOAD", missingModule.toString()},
                {"MODULE", "UNLOAD", "nosuchmodule"}, {"MODULE", "LIST"}};
        List<String> mismatches = new ArrayList<>();
        try (RedisServerProcess redis = RedisServerProcess.start(LOCAL_ONLY);
             EmbeddedServer server = start(LOCAL_ONLY)) {
            for (String source : new String[] {"127.0.0.1", "127.0.0.2"}) {
                for (String[] command : commands) {
                    compare(List.<String[]>of(command), source, redis, server, mismatches);
                }
            }
            // the comparison means something: the two sources are answered differently
            try (RawClient local = new RawClient("127.0.0.1", "127.0.0.1", server.port());
                 RawClient other = new RawClient("127.0.0.2", "127.0.0.1", server.port())) {
                assertEquals("+OK", local.callText("DEBUG", "SLEEP", "0"));
                assertTrue(other.callText("DEBUG", "SLEEP", "0").startsWith("-ERR DEBUG command not allowed."));
            }
        }
        assertEquals(List.of(), mismatches);
        assertTrue(Files.notExists(missingModule));
    }

    @Test
    void inMulti_allowedQueued_refusedAtOnceAndAbortsExec() throws Exception {
        String module = dir.resolve("no-such-module.so").toString();
        List<List<String[]>> transcripts = List.of(
                List.of(new String[] {"MULTI"}, new String[] {"DEBUG", "SLEEP", "0"}, new String[] {"MODULE", "LOAD", module},
                        new String[] {"MODULE", "UNLOAD", "nosuch"}, new String[] {"MODULE", "LIST"},
                        new String[] {"SET", "k", "v"}, new String[] {"EXEC"}, new String[] {"EXISTS", "k"}),
                List.of(new String[] {"MULTI"}, new String[] {"MODULE", "LOADEX", module}, new String[] {"EXEC"}),
                List.of(new String[] {"MULTI"}, new String[] {"DEBUG", "NOSUCHSUB"}, new String[] {"EXEC"}),
                List.of(new String[] {"MULTI"}, new String[] {"DEBUG"}, new String[] {"EXEC"}),
                List.of(new String[] {"MULTI"}, new String[] {"SET", "k", "v"}, new String[] {"DEBUG", "SET-ACTIVE-EXPIRE", "1"},
                        new String[] {"EXEC"}, new String[] {"EXISTS", "k"}));
        List<String> mismatches = new ArrayList<>();
        // allowed from 127.0.0.1 only; then allowed nowhere, as shipped
        for (String[] options : new String[][] {LOCAL_ONLY, {"--protected-mode", "no"}}) {
            try (RedisServerProcess redis = RedisServerProcess.start(options);
                 EmbeddedServer server = start(options)) {
                for (String source : new String[] {"127.0.0.1", "127.0.0.2"}) {
                    for (List<String[]> transcript : transcripts) {
                        compare(transcript, source, redis, server, mismatches);
                    }
                }
                try (RawClient c = new RawClient("127.0.0.2", "127.0.0.1", server.port())) {
                    assertEquals("+OK", c.callText("MULTI"));
                    assertTrue(c.callText("DEBUG", "SLEEP", "0").startsWith("-ERR DEBUG command not allowed."));
                    assertTrue(c.callText("EXEC").startsWith("-EXECABORT"));
                }
            }
        }
        assertEquals(List.of(), mismatches);
    }

    @Test
    void refusedBeforeAuth() throws Exception {
        String[] options = {"--requirepass", "pw"};
        List<String> mismatches = new ArrayList<>();
        try (RedisServerProcess redis = RedisServerProcess.start(options);
             EmbeddedServer server = start(options)) {
            compare(List.of(new String[] {"DEBUG", "SLEEP", "0"}, new String[] {"MODULE", "LOAD", "/x.so"},
                    new String[] {"MODULE", "LIST"}, new String[] {"DEBUG"}, new String[] {"MULTI"}), "127.0.0.1", redis, server,
                    mismatches);
        }
        assertEquals(List.of(), mismatches);
    }

    private static EmbeddedServer start(String[] options) {
        EmbeddedServer.Builder b = EmbeddedServer.builder();
        for (int i = 0; i < options.length; i += 2) {
            b.option(options[i].substring(2), options[i + 1]);
        }
        return b.start();
    }

    /** Runs the commands on one connection from {@code source} to each server; notes where the replies differ. */
    private static void compare(List<String[]> commands, String source, RedisServerProcess redis, EmbeddedServer server,
            List<String> mismatches) {
        try (RawClient r = new RawClient(source, "127.0.0.1", redis.port());
             RawClient d = new RawClient(source, "127.0.0.1", server.port())) {
            for (String[] command : commands) {
                String expected = r.callText((Object[]) command);
                String actual = d.callText((Object[]) command);
                if (!expected.equals(actual)) {
                    mismatches.add(source + " " + String.join(" ", command) + ": redis " + expected + " damselfly " + actual);
                }
            }
            r.callText("FLUSHALL");
            d.callText("FLUSHALL");
        }
    }
}
