package io.damselfly.server.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RedisServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which TCP clients the "local" settings (enable-debug-command, enable-module-command,
 * enable-protected-configs) count as local, against a live redis-server 7.0.15: islocalClient
 * takes 127.0.0.1 and ::1 only, so a client bound to 127.0.0.2 (loopback on Linux, which routes
 * all of 127.0.0.0/8 to lo) is refused as a remote one is.
 */
class LocalConnectionCompatibilityTest {
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
        EmbeddedServer.Builder b = EmbeddedServer.builder();
        for (int i = 0; i < LOCAL_ONLY.length; i += 2) {
            b.option(LOCAL_ONLY[i].substring(2), LOCAL_ONLY[i + 1]);
        }
        try (RedisServerProcess redis = RedisServerProcess.start(LOCAL_ONLY);
             EmbeddedServer server = b.start()) {
            for (String source : new String[] {"127.0.0.1", "127.0.0.2"}) {
                for (String[] command : commands) {
                    String expected = firstLine(source, redis.port(), command);
                    String actual = firstLine(source, server.port(), command);
                    if (!expected.equals(actual)) {
                        mismatches.add(source + " " + String.join(" ", command) + ": redis " + expected + " damselfly " + actual);
                    }
                }
            }
            // the comparison means something: the two sources are answered differently
            assertEquals("+OK", firstLine("127.0.0.1", server.port(), "DEBUG", "SLEEP", "0"));
            assertTrue(firstLine("127.0.0.2", server.port(), "DEBUG", "SLEEP", "0").startsWith("-ERR DEBUG command not allowed."));
        }
        assertEquals(List.of(), mismatches);
        assertTrue(Files.notExists(missingModule));
    }

    /** Connects from {@code source}, sends one command, answers its reply's first line. */
    private static String firstLine(String source, int port, String... command) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(5_000);
            StringBuilder request = new StringBuilder("*" + command.length + "\r\n");
            for (String a : command) {
                request.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            }
            s.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                got.write(c);
                String text = got.toString(StandardCharsets.UTF_8);
                if (text.endsWith("\r\n")) {
                    return text.substring(0, text.length() - 2);
                }
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }
}
