package io.damselfly.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.TempDirs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The process directives of a stock redis.conf (daemonize, pidfile, logfile, loglevel, timeout,
 * protected-mode, bind, proc titles, syslog, supervised, crash reports, unix socket, ...): their
 * CONFIG GET and CONFIG SET replies against a live redis-server 7.0.15, command by command, and
 * the parsers on garbage.
 */
class ProcessDirectivesTest {

    /** Commands whose replies must be the same from both servers, in order (each argument one element). */
    private static final String[][] SCRIPT = {
            {"CONFIG", "GET", "daemonize"},
            {"CONFIG", "GET", "pidfile"},
            {"CONFIG", "GET", "logfile"},
            {"CONFIG", "GET", "timeout"},
            {"CONFIG", "GET", "protected-mode"},
            {"CONFIG", "GET", "bind"},
            {"CONFIG", "GET", "set-proc-title"},
            {"CONFIG", "GET", "proc-title-template"},
            {"CONFIG", "GET", "syslog-enabled"},
            {"CONFIG", "GET", "syslog-ident"},
            {"CONFIG", "GET", "syslog-facility"},
            {"CONFIG", "GET", "supervised"},
            {"CONFIG", "GET", "crash-log-enabled"},
            {"CONFIG", "GET", "crash-memcheck-enabled"},
            {"CONFIG", "GET", "enable-protected-configs"},
            {"CONFIG", "GET", "enable-debug-command"},
            {"CONFIG", "GET", "tcp-keepalive"},
            {"CONFIG", "GET", "unixsocket"},
            {"CONFIG", "GET", "unixsocketperm"},
            {"CONFIG", "GET", "ignore-warnings"},
            {"CONFIG", "GET", "locale-collate"},
            // immutable at run time
            {"CONFIG", "SET", "daemonize", "yes"},
            {"CONFIG", "SET", "pidfile", "/tmp/x.pid"},
            {"CONFIG", "SET", "logfile", "/tmp/x.log"},
            {"CONFIG", "SET", "set-proc-title", "no"},
            {"CONFIG", "SET", "syslog-enabled", "yes"},
            {"CONFIG", "SET", "syslog-ident", "x"},
            {"CONFIG", "SET", "syslog-facility", "local1"},
            {"CONFIG", "SET", "supervised", "systemd"},
            {"CONFIG", "SET", "enable-protected-configs", "yes"},
            {"CONFIG", "SET", "unixsocket", "/tmp/x.sock"},
            {"CONFIG", "SET", "unixsocketperm", "700"},
            {"CONFIG", "SET", "dir", "/tmp"},
            // loglevel
            {"CONFIG", "SET", "loglevel", "foo"},
            {"CONFIG", "SET", "loglevel", "nothing"},
            {"CONFIG", "SET", "loglevel", "VERBOSE"},
            {"CONFIG", "GET", "loglevel"},
            {"CONFIG", "SET", "loglevel", "warning"},
            {"CONFIG", "GET", "loglevel"},
            {"CONFIG", "SET", "loglevel", ""},
            // timeout
            {"CONFIG", "SET", "timeout", "-1"},
            {"CONFIG", "SET", "timeout", "abc"},
            {"CONFIG", "SET", "timeout", "2147483648"},
            {"CONFIG", "SET", "timeout", "1.5"},
            {"CONFIG", "SET", "timeout", ""},
            {"CONFIG", "SET", "timeout", "2147483647"},
            {"CONFIG", "GET", "timeout"},
            {"CONFIG", "SET", "timeout", "0"},
            // booleans
            {"CONFIG", "SET", "protected-mode", "maybe"},
            {"CONFIG", "SET", "protected-mode", "no"},
            {"CONFIG", "GET", "protected-mode"},
            {"CONFIG", "SET", "protected-mode", "yes"},
            {"CONFIG", "SET", "crash-log-enabled", "maybe"},
            {"CONFIG", "SET", "crash-log-enabled", "no"},
            {"CONFIG", "SET", "crash-memcheck-enabled", "no"},
            {"CONFIG", "GET", "crash-log-enabled"},
            {"CONFIG", "GET", "crash-memcheck-enabled"},
            {"CONFIG", "SET", "crash-log-enabled", "yes", "crash-memcheck-enabled", "yes"},
            // proc-title-template, validated as Redis's sdstemplate expansion
            {"CONFIG", "SET", "proc-title-template", "{foo}"},
            {"CONFIG", "SET", "proc-title-template", "{title} {unterminated"},
            {"CONFIG", "SET", "proc-title-template", "{title} {"},
            {"CONFIG", "SET", "proc-title-template", "{}"},
            {"CONFIG", "SET", "proc-title-template", ""},
            {"CONFIG", "SET", "proc-title-template", "   "},
            {"CONFIG", "SET", "proc-title-template", "{title}"},
            {"CONFIG", "SET", "proc-title-template", "{title} {server-mode}"},
            {"CONFIG", "SET", "proc-title-template", "{{"},
            {"CONFIG", "GET", "proc-title-template"},
            {"CONFIG", "SET", "proc-title-template", "x}"},
            {"CONFIG", "SET", "proc-title-template", "{title} {port} {tls-port} {config-file} {listen-addr} {unixsocket}"},
            {"CONFIG", "GET", "proc-title-template"},
            {"CONFIG", "SET", "proc-title-template", "{title} {listen-addr} {server-mode}"},
            // tcp-keepalive is modifiable in Redis
            {"CONFIG", "SET", "tcp-keepalive", "-1"},
            {"CONFIG", "SET", "tcp-keepalive", "100"},
            {"CONFIG", "GET", "tcp-keepalive"},
            {"CONFIG", "SET", "tcp-keepalive", "300"},
            {"CONFIG", "SET", "ignore-warnings", "ARM64-COW-BUG"},
            {"CONFIG", "GET", "ignore-warnings"},
            {"CONFIG", "SET", "ignore-warnings", ""},
            // bind: several addresses, "-" optional, a missing one refused with the old listeners kept
            {"CONFIG", "SET", "bind", "a b c d e f g h i j k l m n o p q"},
            {"CONFIG", "SET", "bind", "192.0.2.1"},
            {"CONFIG", "GET", "bind"},
            {"PING"},
            {"CONFIG", "SET", "bind", "127.0.0.1  -::1"},
            {"CONFIG", "GET", "bind"},
            {"CONFIG", "SET", "bind", "127.0.0.1 -::1"},
            {"CONFIG", "GET", "bind"},
            {"CONFIG", "SET", "bind", "-192.0.2.1 127.0.0.1"},
            {"CONFIG", "GET", "bind"},
            {"PING"},
            {"CONFIG", "SET", "bind", "127.0.0.1"},
            // all or nothing: a bad value anywhere leaves every option as it was
            {"CONFIG", "SET", "timeout", "5", "loglevel", "loud"},
            {"CONFIG", "GET", "timeout"},
            {"CONFIG", "SET", "timeout", "5", "bind", "192.0.2.1"},
            {"CONFIG", "GET", "timeout"},
            {"CONFIG", "SET", "timeout", "0"},
    };

    @Test
    void configGetSet_sameAsRedis() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start("--loglevel", "notice");
             EmbeddedServer server = EmbeddedServer.builder().start();
             RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient("127.0.0.1", server.port())) {
            List<String> mismatches = new ArrayList<>();
            for (String[] command : SCRIPT) {
                String expected = ref.callText((Object[]) command);
                String actual = ours.callText((Object[]) command);
                if (!expected.equals(actual)) {
                    mismatches.add(String.join(" ", command) + "\n   redis:     " + expected + "\n   damselfly: " + actual);
                }
            }
            assertEquals("", String.join("\n", mismatches));
            try (RawClient again = new RawClient("127.0.0.1", server.port())) {
                assertEquals("+PONG", again.callText("PING"), "listening on 127.0.0.1 again after the bind changes");
            }
        }
    }

    @Test
    void procTitleTemplate_garbage() {
        assertTrue(ProcTitle.valid("{title} {listen-addr} {server-mode}"));
        assertTrue(ProcTitle.valid("x"));
        assertTrue(ProcTitle.valid("{{"));
        assertTrue(ProcTitle.valid("}"));
        assertFalse(ProcTitle.valid(""));
        assertFalse(ProcTitle.valid("{title}"), "expands to nothing with an empty title");
        assertFalse(ProcTitle.valid(" {server-mode} "));
        assertFalse(ProcTitle.valid("{"));
        assertFalse(ProcTitle.valid("a{"));
        assertFalse(ProcTitle.valid("{port"));
        assertFalse(ProcTitle.valid("{PORT}"));
        assertFalse(ProcTitle.valid("{title}{nope}x"));
        java.util.Random random = new java.util.Random(7);
        String alphabet = "{}tilep- x";
        for (int i = 0; i < 10_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int n = random.nextInt(12); n > 0; n--) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            ProcTitle.valid(sb.toString()); // never throws
        }
    }

    @Test
    void octalAndBind_garbage() {
        assertEquals(0700L, Option.UNIXSOCKETPERM.parse("700"));
        assertEquals("700", Option.UNIXSOCKETPERM.format(0700L));
        for (String bad : new String[] {"", "8", "0x1", "7 7", "abc", "-", "+-1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Option.UNIXSOCKETPERM.parse(bad), bad);
            assertEquals("argument couldn't be parsed as an octal number", e.getMessage(), bad);
        }
        assertEquals("argument must be between 0 and 777 inclusive",
                assertThrows(IllegalArgumentException.class, () -> Option.UNIXSOCKETPERM.parse("1000")).getMessage());
        assertEquals("argument must be between 0 and 777 inclusive",
                assertThrows(IllegalArgumentException.class, () -> Option.UNIXSOCKETPERM.parse("-1")).getMessage());
        assertEquals("127.0.0.1 -::1", Option.BIND.parse("127.0.0.1 -::1"));
        assertEquals("", Option.BIND.parse(""));
        assertEquals("Too many bind addresses specified.",
                assertThrows(IllegalArgumentException.class, () -> Option.BIND.parse("a ".repeat(17))).getMessage());
        assertEquals("/tmp/redis.sock", Option.UNIXSOCKET.parse("/tmp/redis.sock"));
    }

    @Test
    void stockRedisConf_processLinesAccepted() throws Exception {
        java.nio.file.Path conf = TempDirs.file("redis", ".conf");
        try {
            java.nio.file.Files.writeString(conf, """
                    bind 127.0.0.1   -::1
                    protected-mode yes
                    timeout 0
                    tcp-keepalive 300
                    daemonize no
                    supervised no
                    pidfile ""
                    loglevel notice
                    logfile ""
                    syslog-enabled no
                    syslog-ident redis
                    syslog-facility local0
                    crash-log-enabled no
                    crash-memcheck-enabled no
                    set-proc-title yes
                    proc-title-template "{title} {listen-addr} {server-mode}"
                    unixsocketperm 700
                    enable-protected-configs no
                    ignore-warnings ARM64-COW-BUG
                    """);
            ServerConfig c = ServerConfig.fromArgs(conf.toString());
            assertEquals("127.0.0.1 -::1", c.format(Option.BIND));
            assertEquals("700", c.format(Option.UNIXSOCKETPERM));
            assertEquals("{title} {listen-addr} {server-mode}", c.format(Option.PROC_TITLE_TEMPLATE));
            assertEquals("no", c.format(Option.CRASH_LOG_ENABLED));
            assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--proc-title-template", "{nope}"));
            assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--supervised", "launchd"));
        } finally {
            java.nio.file.Files.deleteIfExists(conf);
        }
    }
}
