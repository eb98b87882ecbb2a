package io.damselfly.server.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Error texts that quote the client's bytes, byte for byte against a live redis-server 7.0.15:
 * bytes that are not UTF-8 come back raw, a NUL ends the quote (C strings), 128-byte cuts
 * ({@code %.128s}) and the 128-byte cap on an unknown command's arguments, CR and LF as spaces, a
 * trailing CR LF trimmed where Redis's addReplyErrorFormat trims it. Also what 7.0.15 answers
 * where 7.2 differs (HELLO's order of effects, no CLIENT SETINFO).
 *
 * <p>Replies are read as raw bytes, not through a decoder, so nothing is re-encoded on the way.
 * redis-server is required: without it this test fails, it does not skip.
 */
class ErrorEchoCompatibilityTest {
    private static final String PASSWORD = "s3cret";
    private static RedisServerProcess redis;
    private static RedisServerProcess redisWithPassword;
    private static EmbeddedServer damselfly;
    private static EmbeddedServer damselflyWithPassword;

    @BeforeAll
    static void start() throws Exception {
        assertNotNull(RedisServerProcess.binary(), "redis-server 7.0.15 must be installed (/usr/bin/redis-server)");
        redis = RedisServerProcess.start();
        redisWithPassword = RedisServerProcess.start();
        try (RawClient c = new RawClient("127.0.0.1", redisWithPassword.port())) {
            // set after the start: RedisServerProcess waits for a PONG, which a password forbids
            assertEquals("+OK", c.callText("CONFIG", "SET", "requirepass", PASSWORD));
        }
        damselfly = EmbeddedServer.builder().start();
        damselflyWithPassword = EmbeddedServer.builder().option("requirepass", PASSWORD).start();
        assertEquals("7.0.15", redis.version(), "the reference is the version damselfly reports");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {damselfly, damselflyWithPassword, redis, redisWithPassword}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    // ---- the quoted values --------------------------------------------------------------------

    private static byte[] b(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] repeat(String latin1, int times) {
        return b(latin1.repeat(times));
    }

    /** Values to quote: not UTF-8, UTF-8, NULs, CR and LF at either end and inside, long ones. */
    private static final List<byte[]> VALUES = List.of(
            b("\u00ff"), b("\u00ff\u00fe\u0080"), b("caf\u00c3\u00a9"), b("ab\u0000cd"), b("\u0000x"),
            b("foo\r\n"), b("\r\nfoo"), b("a\rb\nc"), b("a\r\n\u0000b"), b("\r\n"), b(""),
            repeat("x", 127), repeat("x", 128), repeat("x", 129), repeat("x", 300),
            repeat("\u00c3\u00a9", 100), b("x".repeat(127) + "\u00c3\u00a9"));

    /** Each command quotes its last argument; {@code V} marks where the value goes. */
    private static final List<Object[]> QUOTING = List.of(
            new Object[] {"V"},
            new Object[] {"V", "a"},
            new Object[] {"nosuch", "V"},
            new Object[] {"nosuch", "V", "tail"},
            new Object[] {"nosuch", "x".repeat(60), "V", "tail"},
            new Object[] {"CLIENT", "V"},
            new Object[] {"config", "V", "x"},
            new Object[] {"HELLO", "3", "V"},
            new Object[] {"CLIENT", "LIST", "TYPE", "V"},
            new Object[] {"CLIENT", "KILL", "USER", "V"},
            new Object[] {"CONFIG", "SET", "V", "1"},
            new Object[] {"EXPIRE", "k", "10", "V"});

    static Stream<Arguments> quotingCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Object[] template : QUOTING) {
            for (byte[] value : VALUES) {
                Object[] args = new Object[template.length];
                for (int i = 0; i < args.length; i++) {
                    args[i] = "V".equals(template[i]) ? value : template[i];
                }
                cases.add(Arguments.of(show(RawClient.encode(args)), RawClient.encode(args)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("quotingCases")
    void quotedClientBytes_sameBytesAsRedis(String shown, byte[] request) {
        assertSameLine(redis, damselfly, request);
    }

    /** Cuts that depend on the arguments before: 128 bytes of quoted arguments in all. */
    @Test
    void unknownCommand_argumentsCappedAt128Bytes() {
        List<Object[]> requests = List.of(
                new Object[] {"nosuch", "a".repeat(60), "b".repeat(60), "c".repeat(60)},
                new Object[] {"nosuch", "a".repeat(126), "b"},
                new Object[] {"nosuch", "a".repeat(125), "b", "c"},
                new Object[] {"nosuch", "a".repeat(124), "", "c"},
                new Object[] {"nosuch", b("a\u0000".repeat(100)), "b"},
                new Object[] {"nosuch", "", ""},
                new Object[] {"nosuch", b("\u0000"), "y"},
                new Object[] {"x".repeat(200), "y".repeat(200)},
                new Object[] {"nosuch", repeat("\u00c3\u00a9", 40), repeat("\u00e9", 80)});
        for (Object[] r : requests) {
            assertSameLine(redis, damselfly, RawClient.encode(r));
        }
    }

    /** CONFIG SET quotes the name as the client wrote it, except for a bad value. */
    @Test
    void configSet_failures_sameBytesAsRedis() {
        List<Object[]> requests = List.of(
                new Object[] {"CONFIG", "SET", "hz", "1", "HZ", "2"},
                new Object[] {"CONFIG", "SET", "hz", "1", b("H\u00ff"), "2"},
                new Object[] {"CONFIG", "SET", "DIR", "/tmp"},
                new Object[] {"CONFIG", "SET", "DataBases", "4"},
                new Object[] {"CONFIG", "SET", "HZ", "abc"},
                new Object[] {"CONFIG", "SET", "hz", b("\u00ff")},
                new Object[] {"CONFIG", "SET", "maxmemory-POLICY", "nope"});
        for (Object[] r : requests) {
            assertSameLine(redis, damselfly, RawClient.encode(r));
        }
    }

    // ---- 7.0.15 where 7.2 differs ---------------------------------------------------------------

    @Test
    void clientSetinfo_unknownSubcommandAsIn70() {
        assertSameLine(redis, damselfly, RawClient.encode("CLIENT", "SETINFO", "lib-name", "x"));
        assertSameLine(redis, damselfly, RawClient.encode("client", "SetInfo", "LIB-VER", "1.0"));
        assertSameLine(redis, damselfly, RawClient.encode("CLIENT", "SETINFO"));
    }

    @Test
    void hello_versionAndOrderOfEffects_asIn70() {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            String[] expected = helloFields(ref.callText("HELLO", "3"));
            String[] actual = helloFields(ours.callText("HELLO", "3"));
            assertEquals(expected[0], actual[0], "HELLO's server and version");
        }
        List<List<Object[]>> sessions = List.of(
                List.of(new Object[] {"HELLO", "2", "SETNAME", "early"}, new Object[] {"AUTH", PASSWORD},
                        new Object[] {"CLIENT", "GETNAME"}),
                List.of(new Object[] {"HELLO", "2", "SETNAME", "early", "AUTH", "default", "bad"},
                        new Object[] {"PING"}, new Object[] {"AUTH", PASSWORD}, new Object[] {"CLIENT", "GETNAME"}),
                List.of(new Object[] {"HELLO", "2", "AUTH", "default", PASSWORD, "SETNAME", "bad name"},
                        new Object[] {"PING"}, new Object[] {"CLIENT", "GETNAME"}),
                List.of(new Object[] {"HELLO", "3", "AUTH", "default", PASSWORD, "nope"}, new Object[] {"PING"}),
                List.of(new Object[] {"HELLO", "3", "SETNAME", "x", "nope"}, new Object[] {"AUTH", PASSWORD},
                        new Object[] {"CLIENT", "GETNAME"}),
                List.of(new Object[] {"HELLO"}, new Object[] {"HELLO", "3"}));
        for (List<Object[]> session : sessions) {
            try (RawClient ref = new RawClient("127.0.0.1", redisWithPassword.port());
                 RawClient ours = new RawClient(damselflyWithPassword.host(), damselflyWithPassword.port())) {
                for (Object[] command : session) {
                    assertEquals(ref.callText(command), ours.callText(command), java.util.Arrays.toString(command));
                }
            }
        }
    }

    /** "server" and "version" of a rendered HELLO reply, and the rest. */
    private static String[] helloFields(String rendered) {
        int proto = rendered.indexOf("$proto");
        return new String[] {rendered.substring(0, proto), rendered.substring(proto)};
    }

    // ---- raw transcript -------------------------------------------------------------------------

    private static void assertSameLine(RedisServerProcess reference, EmbeddedServer candidate, byte[] request) {
        byte[] expected = replyLine("127.0.0.1", reference.port(), request);
        byte[] actual = replyLine(candidate.host(), candidate.port(), request);
        assertEquals(show(expected), show(actual), "reply to " + show(request));
    }

    /** Sends {@code request} on a new connection and returns the first reply line, CR LF included. */
    private static byte[] replyLine(String host, int port, byte[] request) {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int prev = -1;
            for (int i = 0; i < 64 * 1024; i++) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                line.write(c);
                if (prev == '\r' && c == '\n') {
                    break;
                }
                prev = c;
            }
            return line.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes as Java-escaped text, so a difference in one byte shows in the failure message. */
    private static String show(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte x : bytes) {
            int c = x & 0xFF;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.length() > 300 ? sb.substring(0, 300) + "...(" + bytes.length + " bytes)" : sb.toString();
    }
}
