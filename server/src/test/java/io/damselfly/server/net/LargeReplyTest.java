package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replies of large values: many of them in one reply arrive whole and in order, a reply beyond
 * 2 GiB arrives whole, other clients are served while one drains a huge reply, and a value changed
 * while the reply that holds it is still being written does not change that reply.
 */
@ExtendWith(ServerExtension.class)
class LargeReplyTest {
    private static final int MIB = 1024 * 1024;

    @Test
    void mgetOfOneMegabyteValue300Times_arrivesWhole_whileOthersAreServed(EmbeddedServer server, RawClient other) throws Exception {
        byte[] value = filled(MIB, (byte) 'v');
        assertEquals("+OK", other.callText("SET", "big", value));
        Object[] mget = new Object[301];
        mget[0] = "MGET";
        Arrays.fill(mget, 1, 301, "big");
        try (Socket socket = connect(server)) {
            socket.getOutputStream().write(RawClient.encode(mget));
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            assertEquals("*300", line(in));
            for (int i = 0; i < 300; i++) {
                assertEquals("$" + MIB, line(in));
                expectFilled(in, MIB, (byte) 'v');
                assertEquals("", line(in));
                if (i == 10) {
                    // the rest of the reply waits for this client; another is answered meanwhile
                    assertEquals("+PONG", other.callText("PING"));
                }
            }
        }
    }

    @Test
    void replyOfMoreThanTwoGigabytes_arrivesWhole(EmbeddedServer server, RawClient other) throws Exception {
        int size = 256 * MIB;
        int copies = 9; // 2.25 GiB in one reply
        try (Socket socket = connect(server)) {
            OutputStream out = socket.getOutputStream();
            out.write(("*3\r\n$3\r\nSET\r\n$4\r\nhuge\r\n$" + size + "\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = filled(MIB, (byte) 'h');
            for (int i = 0; i < size / MIB; i++) {
                out.write(chunk);
            }
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = new BufferedInputStream(socket.getInputStream(), 256 * 1024);
            assertEquals("+OK", line(in));
            Object[] mget = new Object[copies + 1];
            mget[0] = "MGET";
            Arrays.fill(mget, 1, copies + 1, "huge");
            out.write(RawClient.encode(mget));
            assertEquals("*" + copies, line(in));
            for (int i = 0; i < copies; i++) {
                assertEquals("$" + size, line(in));
                expectFilled(in, size, (byte) 'h');
                assertEquals("", line(in));
            }
            assertEquals(":1", callOn(socket, in, "DEL", "huge"));
        }
    }

    @Test
    void valueChangedWhileItsReplyWaits_replySendsTheValueAsRead(EmbeddedServer server, RawClient other) throws Exception {
        int size = 16 * MIB;
        assertEquals("+OK", other.callText("SET", "record", filled(size, (byte) 'a')));
        // a string grown in place has another form in the keyspace: check it too
        assertEquals("+OK", other.callText("SET", "grown", filled(size - 1, (byte) 'a')));
        assertEquals(":" + size, other.callText("APPEND", "grown", "a"));
        try (Socket socket = connect(server)) {
            // one command, so both values are read at once (a second request would wait until
            // the client reads: the server stops running a client's requests while its replies
            // wait, and would then read the new values)
            socket.getOutputStream().write(RawClient.encode("MGET", "record", "grown"));
            Thread.sleep(200);
            assertEquals("+OK", other.callText("SET", "record", filled(size, (byte) 'b')));
            assertEquals(":" + size, other.callText("SETRANGE", "grown", "0", filled(size, (byte) 'b')));
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            assertEquals("*2", line(in));
            for (int i = 0; i < 2; i++) {
                assertEquals("$" + size, line(in));
                expectFilled(in, size, (byte) 'a');
                assertEquals("", line(in));
            }
        }
        // and the keyspace has the new values
        try (RawClient check = new RawClient(server.host(), server.port())) {
            assertEquals(":" + size, check.callText("STRLEN", "record"));
            assertEquals("$b", check.callText("GETRANGE", "record", "5", "5"));
            assertEquals("$b", check.callText("GETRANGE", "grown", "7", "7"));
        }
    }

    private static Socket connect(EmbeddedServer server) throws IOException {
        Socket s = new Socket(server.host(), server.port());
        s.setSoTimeout(30_000);
        return s;
    }

    private static String callOn(Socket socket, InputStream in, Object... args) throws IOException {
        socket.getOutputStream().write(RawClient.encode(args));
        return line(in);
    }

    private static byte[] filled(int n, byte b) {
        byte[] a = new byte[n];
        Arrays.fill(a, b);
        return a;
    }

    /** One line without its CR LF. */
    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != '\r'; ) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            sb.append((char) c);
        }
        if (in.read() != '\n') {
            throw new IOException("CR without LF");
        }
        return sb.toString();
    }

    private static void expectFilled(InputStream in, int n, byte b) throws IOException {
        byte[] buf = new byte[64 * 1024];
        int left = n;
        long offset = 0;
        while (left > 0) {
            int r = in.read(buf, 0, Math.min(buf.length, left));
            if (r < 0) {
                throw new IOException("connection closed with " + left + " bytes to go");
            }
            for (int i = 0; i < r; i++) {
                if (buf[i] != b) {
                    throw new AssertionError("byte " + (offset + i) + " is '" + (char) buf[i] + "', expected '" + (char) b + "'");
                }
            }
            left -= r;
            offset += r;
        }
    }
}
