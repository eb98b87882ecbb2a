package io.damselfly.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal blocking RESP2 connection for the runner's own bookkeeping (PING, INFO, FLUSHALL,
 * DBSIZE), the same for both servers and independent of the load drivers' clients. Not for load:
 * one command at a time, replies decoded into Strings, Longs, Lists or {@link ServerError}.
 */
final class ServerConnection implements AutoCloseable {
    /** Bookkeeping commands are small; a server that takes longer than this is in trouble. */
    static final int TIMEOUT_MILLIS = 30_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    ServerConnection(int port) throws IOException {
        this(port, TIMEOUT_MILLIS);
    }

    ServerConnection(int port, int timeoutMillis) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = new BufferedOutputStream(socket.getOutputStream());
    }

    /** An error reply, returned rather than thrown so callers can show it. */
    record ServerError(String message) {}

    /** Sends one command and returns its decoded reply. */
    Object call(String... args) throws IOException {
        out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            out.write(('$' + Integer.toString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.write('\r');
            out.write('\n');
        }
        out.flush();
        return read();
    }

    /** Sends one command and fails unless the reply is not an error. */
    Object callOk(String... args) throws IOException {
        Object reply = call(args);
        if (reply instanceof ServerError e) {
            throw new IOException(args[0] + " failed: " + e.message());
        }
        return reply;
    }

    /** The fields of {@code INFO section} as name -> value. */
    Map<String, String> info(String section) throws IOException {
        Object reply = callOk("INFO", section);
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : String.valueOf(reply).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (!line.startsWith("#") && colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    private Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed");
        }
        String line = readLine();
        return switch (type) {
            case '+' -> line;
            case '-' -> new ServerError(line);
            case ':' -> Long.parseLong(line);
            case '$' -> {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    yield null;
                }
                byte[] b = in.readNBytes(len + 2);
                if (b.length < len + 2) {
                    throw new EOFException("connection closed in a bulk string");
                }
                yield new String(b, 0, len, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    yield null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                yield items;
            }
            default -> throw new IOException("unexpected reply type '" + (char) type + "'");
        };
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\r') {
                in.read(); // '\n'
                return buf.toString(StandardCharsets.UTF_8);
            }
            buf.write(c);
        }
        throw new EOFException("connection closed in a reply line");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
