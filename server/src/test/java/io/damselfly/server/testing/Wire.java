package io.damselfly.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.EmbeddedServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain socket that checks replies byte for byte, for RESP2/RESP3 shapes (a null bulk against a
 * null array). Closing checks that no stray reply bytes are left.
 */
public final class Wire implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public Wire(EmbeddedServer server) {
        try {
            socket = new Socket(server.host(), server.port());
            socket.setSoTimeout(5_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a command and checks that the next reply bytes are exactly {@code expected}. */
    public void expect(String expected, Object... cmd) {
        send(cmd);
        byte[] got = readBytes(expected.getBytes(StandardCharsets.ISO_8859_1).length);
        assertEquals(expected, new String(got, StandardCharsets.ISO_8859_1), java.util.Arrays.toString(cmd));
    }

    /** Switches to RESP3; false when the server has no HELLO. */
    public boolean hello3() {
        String marker = "wire-sync-" + System.nanoTime();
        send("HELLO", "3");
        send("ECHO", marker);
        String tail = "$" + marker.length() + "\r\n" + marker + "\r\n";
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        while (!all.toString(StandardCharsets.ISO_8859_1).endsWith(tail)) {
            all.writeBytes(readBytes(1));
        }
        return all.toByteArray()[0] == '%';
    }

    private void send(Object... cmd) {
        try {
            out.write(RawClient.encode(cmd));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] readBytes(int n) {
        try {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            send("PING");
            assertEquals("+PONG\r\n", new String(readBytes(7), StandardCharsets.ISO_8859_1), "no stray reply bytes");
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
