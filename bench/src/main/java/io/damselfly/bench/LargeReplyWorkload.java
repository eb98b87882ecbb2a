package io.damselfly.bench;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code large-reply}: replies made of many large values, the cases a hostile-client probe found
 * quadratic: one MGET naming a 1 MiB value 300 times, and a 10 MiB value 100 times (1 GiB in one
 * reply); in full mode also a 500 MB value five times (2.5 GB, past the 2 GiB a single buffer can
 * hold). Times the first byte and the whole reply read by a client that reads as fast as it can,
 * and how long another client's PING waits while the 1 GiB reply is being read.
 */
final class LargeReplyWorkload implements Workload {
    private static final int MIB = 1024 * 1024;

    /** One MGET of {@code copies} times a value of {@code size} bytes. */
    private record Case(String label, int size, int copies) {
        long replyBytes() {
            long header = ("*" + copies + "\r\n").length();
            long element = ("$" + size + "\r\n").length() + (long) size + 2;
            return header + element * copies;
        }
    }

    private static List<Case> cases(Mode mode) {
        List<Case> cases = new ArrayList<>(List.of(new Case("300x1MiB", MIB, 300), new Case("100x10MiB", 10 * MIB, 100)));
        if (mode.pick(0, 1) == 1) {
            cases.add(new Case("5x500MB", 500_000_000, 5));
        }
        return cases;
    }

    @Override
    public String name() {
        return "large-reply";
    }

    @Override
    public String describe(Mode mode) {
        return "one connection SETs a value, then sends one MGET naming it N times and reads the whole reply"
                + " as fast as it can: " + String.join(", ", cases(mode).stream().map(Case::label).toList())
                + "; first byte and whole reply in ms; PING from a second connection while the 100x10MiB reply"
                + " is read (worst of 20)";
    }

    @Override
    public List<Reading> run(ServerProcess server, Mode mode, Binaries bin) throws Exception {
        List<Reading> readings = new ArrayList<>();
        for (Case c : cases(mode)) {
            try (Socket socket = connect(server.port())) {
                set(socket, "big", c.size());
                boolean pingDuring = c.label().equals("100x10MiB");
                long[] times = mget(socket, server.port(), c, pingDuring);
                readings.add(Reading.of("MGET " + c.label() + " first byte ms", Better.LOWER, times[0] / 1e6));
                readings.add(Reading.of("MGET " + c.label() + " total ms", Better.LOWER, times[1] / 1e6));
                if (pingDuring) {
                    readings.add(Reading.of("PING during 1 GiB reply max ms", Better.LOWER, times[2] / 1e6));
                }
                socket.getOutputStream().write(command("DEL", "big"));
                expectLine(socket.getInputStream(), ":1");
            }
        }
        return readings;
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(120_000);
        s.setTcpNoDelay(true);
        return s;
    }

    /** SETs {@code key} to {@code size} bytes, streamed so the driver holds one chunk at a time. */
    private static void set(Socket socket, String key, int size) throws IOException {
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        out.write(("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + size + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = new byte[MIB];
        java.util.Arrays.fill(chunk, (byte) 'x');
        for (int left = size; left > 0; left -= chunk.length) {
            out.write(chunk, 0, Math.min(left, chunk.length));
        }
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        expectLine(socket.getInputStream(), "+OK");
    }

    /**
     * Sends the MGET and reads exactly the reply's bytes: answers {first byte ns, whole reply ns,
     * worst PING ns from another connection meanwhile (0 unless asked)}.
     */
    private static long[] mget(Socket socket, int port, Case c, boolean pingDuring) throws IOException {
        String[] args = new String[c.copies() + 1];
        args[0] = "MGET";
        java.util.Arrays.fill(args, 1, args.length, "big");
        long start = System.nanoTime();
        socket.getOutputStream().write(command(args));
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[1 << 20];
        long left = c.replyBytes();
        long first = 0;
        long worstPing = 0;
        int pings = 0;
        try (Socket pinger = pingDuring ? connect(port) : null) {
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new EOFException("connection closed with " + left + " reply bytes to go");
                }
                if (first == 0) {
                    first = System.nanoTime() - start;
                }
                left -= n;
                if (pinger != null && pings < 20 && left < c.replyBytes() - (long) pings * (c.replyBytes() / 25)) {
                    long t = System.nanoTime();
                    pinger.getOutputStream().write(command("PING"));
                    expectLine(pinger.getInputStream(), "+PONG");
                    worstPing = Math.max(worstPing, System.nanoTime() - t);
                    pings++;
                }
            }
        }
        return new long[] {first, System.nanoTime() - start, worstPing};
    }

    private static byte[] command(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void expectLine(InputStream in, String expected) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int ch; (ch = in.read()) != '\r'; ) {
            if (ch < 0) {
                throw new EOFException("connection closed");
            }
            sb.append((char) ch);
        }
        in.read();
        if (!sb.toString().equals(expected)) {
            throw new IOException("expected " + expected + ", got " + sb);
        }
    }
}
