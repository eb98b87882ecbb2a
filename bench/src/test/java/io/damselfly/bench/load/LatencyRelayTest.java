package io.damselfly.bench.load;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The latency relay in front of a real redis-server (and of an echo server, for raw bytes). */
class LatencyRelayTest {
    private static RedisServerProcess redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServerProcess.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    /**
     * A PING through the relay takes at least the two one-way delays, and at the default 0.5 ms
     * not much more: the median within 2x the added round trip (redis itself answers in tens of
     * microseconds; the rest is the timer's wake-up).
     */
    @Test
    void ping_defaultDelay_roundTripAtLeastTwiceTheDelayAndNotMuchMore() throws Exception {
        try (LatencyRelay relay = LatencyRelay.start("127.0.0.1", redis.port(), LatencyRelay.DEFAULT_DELAY);
                RespSocket s = RespSocket.connect(relay.host(), relay.port())) {
            long[] rtt = pings(s, 400);
            long roundTrip = 2 * LatencyRelay.DEFAULT_DELAY.toNanos();
            System.out.printf("%s: PING min %.3f ms, median %.3f ms, p99 %.3f ms%n", relay,
                    rtt[0] / 1e6, rtt[rtt.length / 2] / 1e6, rtt[rtt.length * 99 / 100] / 1e6);
            assertTrue(rtt[0] >= roundTrip, "fastest PING " + rtt[0] + " ns, under the round trip " + roundTrip);
            assertTrue(rtt[rtt.length / 2] < 2 * roundTrip, "median PING " + rtt[rtt.length / 2] + " ns");
        }
    }

    @Test
    void ping_longDelay_roundTripAtLeastTwiceTheDelay() throws Exception {
        Duration delay = Duration.ofMillis(20);
        try (LatencyRelay relay = LatencyRelay.start("127.0.0.1", redis.port(), delay);
                RespSocket s = RespSocket.connect(relay.host(), relay.port())) {
            long[] rtt = pings(s, 10);
            assertTrue(rtt[0] >= 2 * delay.toNanos(), "fastest PING " + rtt[0] + " ns");
            assertTrue(rtt[rtt.length / 2] < 3 * delay.toNanos(), "median PING " + rtt[rtt.length / 2] + " ns");
        }
    }

    @Test
    void ping_zeroDelay_relaysAtOnce() throws Exception {
        try (LatencyRelay relay = LatencyRelay.start("127.0.0.1", redis.port(), Duration.ZERO);
                RespSocket s = RespSocket.connect(relay.host(), relay.port())) {
            long[] rtt = pings(s, 50);
            assertTrue(rtt[rtt.length / 2] < TimeUnit.MILLISECONDS.toNanos(1), "median PING " + rtt[rtt.length / 2] + " ns");
        }
    }

    /**
     * A pipe, not a throttle: 100 PINGs written one by one, each its own chunk, all arrive one
     * round trip after they were sent, not one delay after another (which would take 100 x 10 ms).
     */
    @Test
    void pipelinedChunks_eachDelayedFromItsArrival_notQueuedBehindTheLast() throws Exception {
        Duration delay = Duration.ofMillis(5);
        try (LatencyRelay relay = LatencyRelay.start("127.0.0.1", redis.port(), delay);
                RespSocket s = RespSocket.connect(relay.host(), relay.port())) {
            pings(s, 3); // connected through
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                s.writeCommand("PING");
                s.flush();
            }
            for (int i = 0; i < 100; i++) {
                assertEquals(RespSocket.Reply.STATUS, s.read());
            }
            long took = System.nanoTime() - start;
            assertTrue(took >= 2 * delay.toNanos(), "took " + took + " ns");
            assertTrue(took < TimeUnit.MILLISECONDS.toNanos(100), "100 pipelined PINGs took " + took / 1e6 + " ms");
        }
    }

    /**
     * Thousands of SETs of random binary values (empty to 300 KB, so replies and requests split
     * across many chunks) pipelined through the relay while their replies are read, then read
     * back pipelined through the relay, and checked straight against redis-server too.
     */
    @Test
    void pipelinedLoad_binaryValues_bytesIntact() throws Exception {
        Random random = new Random(7);
        int n = 3_000;
        byte[][] values = new byte[n][];
        for (int i = 0; i < n; i++) {
            int len = i % 500 == 0 ? 300_000 : random.nextInt(i % 3 == 0 ? 20_000 : 200);
            values[i] = new byte[len];
            random.nextBytes(values[i]);
        }
        try (LatencyRelay relay = LatencyRelay.start("127.0.0.1", redis.port(), Duration.ofMillis(1));
                Raw c = new Raw(relay.port())) {
            c.send(command("FLUSHALL"));
            assertEquals("+OK", c.line());
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        c.send(binary("SET".getBytes(US_ASCII), ("relay:" + i).getBytes(US_ASCII), values[i]));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals("+OK", c.line(), "reply to SET " + i);
            }
            writer.get(30, TimeUnit.SECONDS);
            CompletableFuture<Void> getter = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        c.send(command("GET", "relay:" + i));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            for (int i = 0; i < n; i++) {
                assertArrayEquals(values[i], c.bulk(), "value " + i + " read through the relay");
            }
            getter.get(30, TimeUnit.SECONDS);
        }
        try (Raw direct = new Raw(redis.port())) {
            for (int i = 0; i < n; i += 97) {
                direct.send(command("GET", "relay:" + i));
                assertArrayEquals(values[i], direct.bulk(), "value " + i + " read straight from redis-server");
            }
            direct.send(command("DBSIZE"));
            assertEquals(":" + n, direct.line());
        }
    }

    /** 8 MB of random bytes in odd-sized writes, echoed back through the relay both ways, in order. */
    @Test
    void echo_randomBytesInOddWrites_arriveInOrderBothWays() throws Exception {
        byte[] data = new byte[8 << 20];
        new Random(11).nextBytes(data);
        try (EchoServer echo = new EchoServer();
                LatencyRelay relay = LatencyRelay.start("127.0.0.1", echo.port(), Duration.ofMillis(1));
                Raw c = new Raw(relay.port())) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                Random sizes = new Random(3);
                try {
                    for (int at = 0; at < data.length; ) {
                        int len = Math.min(data.length - at, 1 + sizes.nextInt(70_000));
                        c.out.write(data, at, len);
                        c.out.flush();
                        at += len;
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] back = new byte[data.length];
            c.in.readFully(back);
            writer.get(30, TimeUnit.SECONDS);
            assertTrue(Arrays.equals(data, back), "the echoed bytes differ from those sent");
        }
    }

    @Test
    void clientCloses_relayClosesItsConnectionToTheTarget() throws Exception {
        try (LatencyRelay relay = LatencyRelay.start("127.0.0.1", redis.port(), LatencyRelay.DEFAULT_DELAY);
                Raw direct = new Raw(redis.port())) {
            long before = connectedClients(direct);
            Raw c = new Raw(relay.port());
            c.send(command("PING"));
            assertEquals("+PONG", c.line());
            assertEquals(before + 1, connectedClients(direct));
            c.close();
            awaitClients(direct, before);
        }
    }

    @Test
    void targetCloses_relayClosesTheClient_afterTheLastReply() throws Exception {
        try (LatencyRelay relay = LatencyRelay.start("127.0.0.1", redis.port(), Duration.ofMillis(5));
                Raw c = new Raw(relay.port())) {
            c.send(command("QUIT"));
            assertEquals("+OK", c.line(), "the reply sent before the close still arrives");
            assertEquals(-1, c.in.read(), "end of stream after the target closed");
        }
    }

    @Test
    void targetKillsTheConnection_clientSeesTheEnd() throws Exception {
        try (LatencyRelay relay = LatencyRelay.start("127.0.0.1", redis.port(), LatencyRelay.DEFAULT_DELAY);
                Raw c = new Raw(relay.port());
                Raw direct = new Raw(redis.port())) {
            c.send(command("CLIENT", "SETNAME", "relayed"));
            assertEquals("+OK", c.line());
            direct.send(command("CLIENT", "LIST"));
            String list = new String(direct.bulk(), US_ASCII);
            String addr = list.lines().filter(l -> l.contains("name=relayed")).findFirst().orElseThrow()
                    .replaceAll(".*\\baddr=(\\S+).*", "$1");
            direct.send(command("CLIENT", "KILL", "ADDR", addr));
            assertEquals(":1", direct.line(), "CLIENT KILL ADDR killed one connection");
            assertEquals(-1, c.in.read(), "end of stream after the target closed");
        }
    }

    @Test
    void targetNotListening_clientIsClosed() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (LatencyRelay relay = LatencyRelay.start("127.0.0.1", closedPort, LatencyRelay.DEFAULT_DELAY);
                Raw c = new Raw(relay.port())) {
            assertEquals(-1, c.in.read(), "end of stream: nothing to relay to");
        }
    }

    @Test
    void close_closesEveryRelayedConnection() throws Exception {
        Raw c;
        try (LatencyRelay relay = LatencyRelay.start("127.0.0.1", redis.port(), LatencyRelay.DEFAULT_DELAY)) {
            c = new Raw(relay.port());
            c.send(command("PING"));
            assertEquals("+PONG", c.line());
            assertEquals(1, relay.accepted());
        }
        try (c) {
            assertEquals(-1, c.in.read());
        }
    }

    @Test
    void start_negativeDelay_refused() {
        assertThrows(IllegalArgumentException.class, () -> LatencyRelay.start("127.0.0.1", redis.port(), Duration.ofMillis(-1)));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** {@code count} PING round trips in nanoseconds, sorted. */
    private static long[] pings(RespSocket s, int count) throws IOException {
        long[] rtt = new long[count];
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            s.writeCommand("PING");
            s.flush();
            assertEquals(RespSocket.Reply.STATUS, s.read());
            rtt[i] = System.nanoTime() - t0;
        }
        Arrays.sort(rtt);
        return rtt;
    }

    private static long connectedClients(Raw direct) throws IOException {
        direct.send(command("INFO", "clients"));
        String info = new String(direct.bulk(), US_ASCII);
        return info.lines().filter(l -> l.startsWith("connected_clients:"))
                .mapToLong(l -> Long.parseLong(l.substring("connected_clients:".length()).trim())).findFirst().orElseThrow();
    }

    private static void awaitClients(Raw direct, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long now;
        while ((now = connectedClients(direct)) != expected) {
            assertTrue(System.nanoTime() < deadline, "connected_clients stays " + now + ", expected " + expected);
            Thread.sleep(10);
        }
    }

    private static byte[] command(String... args) {
        byte[][] b = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            b[i] = args[i].getBytes(US_ASCII);
        }
        return binary(b[0], Arrays.copyOfRange(b, 1, b.length));
    }

    private static byte[] binary(byte[] name, byte[]... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<byte[]> all = new ArrayList<>();
        all.add(name);
        all.addAll(List.of(args));
        out.writeBytes(("*" + all.size() + "\r\n").getBytes(US_ASCII));
        for (byte[] a : all) {
            out.writeBytes(("$" + a.length + "\r\n").getBytes(US_ASCII));
            out.writeBytes(a);
            out.writeBytes("\r\n".getBytes(US_ASCII));
        }
        return out.toByteArray();
    }

    /** A raw client: bytes out, reply lines and bulk bodies in. */
    private static final class Raw implements AutoCloseable {
        final Socket socket = new Socket();
        final DataInputStream in;
        final OutputStream out;

        Raw(int port) throws IOException {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            out = socket.getOutputStream();
        }

        void send(byte[] b) throws IOException {
            out.write(b);
            out.flush();
        }

        String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != '\r') {
                if (c < 0) {
                    throw new EOFException("end of stream in a line: " + sb);
                }
                sb.append((char) c);
            }
            assertEquals('\n', in.read());
            return sb.toString();
        }

        byte[] bulk() throws IOException {
            String head = line();
            if (!head.startsWith("$")) {
                throw new IOException("expected a bulk reply, got " + head);
            }
            byte[] b = new byte[Integer.parseInt(head.substring(1))];
            in.readFully(b);
            assertEquals('\r', in.read());
            assertEquals('\n', in.read());
            return b;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Writes back whatever each connection sends, until the connection or the server closes. */
    private static final class EchoServer implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        EchoServer() throws IOException {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = listener.accept();
                        Thread t = new Thread(() -> echo(s), "echo-conn");
                        t.setDaemon(true);
                        t.start();
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "echo-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        private static void echo(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[16 * 1024];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                }
            } catch (IOException | RuntimeException done) {
                // client gone
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
