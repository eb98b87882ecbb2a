package io.damselfly.server.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A replica's view of a server's replication stream, as Redis's own tests read it
 * (attach_to_replication_stream, read_from_replication_stream): SYNC (or PSYNC), the snapshot
 * bulk skipped, then one propagated command at a time, its name lowercased. Works against
 * damselfly and redis-server alike, so a test can compare the two streams command by command.
 */
public final class ReplicationStreamReader implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    /** PSYNC's first line (+FULLRESYNC id offset), or null after SYNC. */
    private final String fullResync;
    private final int snapshotBytes;

    private ReplicationStreamReader(Socket socket, InputStream in, String fullResync, int snapshotBytes) {
        this.socket = socket;
        this.in = in;
        this.fullResync = fullResync;
        this.snapshotBytes = snapshotBytes;
    }

    /** Attaches with SYNC. */
    public static ReplicationStreamReader sync(int port) {
        return attach(port, "SYNC\r\n", false);
    }

    /** Attaches with PSYNC ? -1 (a full synchronisation, +FULLRESYNC first). */
    public static ReplicationStreamReader psync(int port) {
        return attach(port, "PSYNC ? -1\r\n", true);
    }

    private static ReplicationStreamReader attach(int port, String request, boolean psync) {
        try {
            Socket s = new Socket("127.0.0.1", port);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            String first = psync ? line(in) : null;
            String count;
            do {
                // newlines are the primary's keep-alives while it prepares the snapshot
                count = line(in);
            } while (count.isEmpty());
            if (!count.startsWith("$")) {
                throw new IllegalStateException("expected the snapshot's length, got '" + count + "'");
            }
            int n = Integer.parseInt(count.substring(1));
            in.readNBytes(n);
            return new ReplicationStreamReader(s, in, first, n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String fullResyncLine() {
        return fullResync;
    }

    public int snapshotBytes() {
        return snapshotBytes;
    }

    /** The next propagated command, its name lowercased; null when none arrives within {@code millis}. */
    public List<String> next(int millis) {
        try {
            socket.setSoTimeout(millis);
            String header;
            try {
                header = line(in);
            } catch (SocketTimeoutException e) {
                return null;
            }
            socket.setSoTimeout(10_000);
            if (!header.startsWith("*")) {
                throw new IllegalStateException("expected a command, got '" + header + "'");
            }
            int argc = Integer.parseInt(header.substring(1));
            List<String> args = new ArrayList<>(argc);
            for (int i = 0; i < argc; i++) {
                String len = line(in);
                byte[] arg = in.readNBytes(Integer.parseInt(len.substring(1)));
                in.readNBytes(2);
                String a = new String(arg, StandardCharsets.ISO_8859_1);
                args.add(i == 0 ? a.toLowerCase(Locale.ROOT) : a);
            }
            return args;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next command within 5 s, as one space-joined string ("set k v"), or null. */
    public String nextLine() {
        List<String> c = next(5_000);
        return c == null ? null : String.join(" ", c);
    }

    /** Every command that arrives until none has for {@code quietMillis}, each as {@link #nextLine} renders it. */
    public List<String> drain(int quietMillis) {
        List<String> out = new ArrayList<>();
        List<String> c;
        while ((c = next(quietMillis)) != null) {
            out.add(String.join(" ", c));
        }
        return out;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("the stream ended");
            }
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
