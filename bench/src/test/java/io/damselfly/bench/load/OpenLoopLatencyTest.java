package io.damselfly.bench.load;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OpenLoopLatencyTest {

    @Test
    void run_lowRate_achievesOfferedRate() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().start()) {
            Figures f = OpenLoopLatency.run(OpenLoopLatency.Params.defaults(server.host(), server.port(), 2_000)
                    .withKeys(2_000).withConnections(2).withTimes(Duration.ofMillis(300), Duration.ofSeconds(1)));
            System.out.println(f); // in the surefire report, for a look at the numbers
            assertEquals(2_000, f.get("offered ops/s"));
            double achieved = f.get("achieved ops/s");
            assertTrue(achieved > 1_800 && achieved <= 2_000, f.toString());
            assertEquals(0, f.get("errors"), f.toString());
            assertEquals(0, f.get("unfinished"), f.toString());
            assertTrue(f.get("p50 ms") > 0, f.toString());
            assertTrue(f.get("p50 ms") <= f.get("p99 ms") && f.get("p99 ms") <= f.get("p99.9 ms")
                    && f.get("p99.9 ms") <= f.get("max ms"), f.toString());
        }
    }

    /**
     * A server that stops reading for 300 ms, at 2,000 SETs/s: 600 requests fall due during the
     * stall, about 17% of the 3,600 measured, and each should be charged the rest of the stall, so
     * p90 is about 120 ms (the 360th longest of delays running from 300 ms down to 0). The values
     * are 16 KiB and the server's receive buffer small, so the sender really blocks partway
     * through the stall and sends the remainder late, in a burst: counted from their actual send
     * times, those would look fast and p90 would be under a millisecond. A closed-loop client
     * would have seen the stall once.
     */
    @Test
    void run_serverStalls_stallCountsAgainstEveryRequestDueDuringIt() throws Exception {
        try (StallingServer server = new StallingServer(500, 300)) {
            Figures f = OpenLoopLatency.run(OpenLoopLatency.Params.defaults("127.0.0.1", server.port(), 2_000)
                    .withGetRatio(0).withValueSize(16 * 1024).withConnections(1).withPreload(false)
                    .withTimes(Duration.ofMillis(200), Duration.ofMillis(1_800)));
            System.out.println(f); // in the surefire report, for a look at the numbers
            assertTrue(f.get("max ms") >= 290, f.toString());
            assertTrue(f.get("p99 ms") >= 200, f.toString());
            assertTrue(f.get("p90 ms") >= 60, f.toString());
            assertTrue(f.get("achieved ops/s") > 1_800, f.toString());
            assertEquals(0, f.get("unfinished"), f.toString());
        }
    }

    /**
     * Answers +OK to every command; each connection's handler stops for {@code stallMillis} once,
     * {@code afterMillis} after its first command.
     */
    private static final class StallingServer implements AutoCloseable {
        private final ServerSocket listener;
        private final Thread acceptor;

        StallingServer(long afterMillis, long stallMillis) throws IOException {
            listener = new ServerSocket();
            // small and fixed (no autotuning), so a stalled server soon blocks its client's writes
            listener.setReceiveBufferSize(64 * 1024);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = listener.accept();
                        Thread t = new Thread(() -> serve(s, afterMillis, stallMillis), "stalling-server-conn");
                        t.setDaemon(true);
                        t.start();
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "stalling-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        private static void serve(Socket s, long afterMillis, long stallMillis) {
            try (s) {
                InputStream in = new BufferedInputStream(s.getInputStream());
                OutputStream out = new BufferedOutputStream(s.getOutputStream());
                byte[] ok = "+OK\r\n".getBytes(US_ASCII);
                long stallAt = 0;
                boolean stalled = false;
                while (true) {
                    skipCommand(in);
                    long now = System.nanoTime();
                    if (stallAt == 0) {
                        stallAt = now + afterMillis * 1_000_000;
                    } else if (!stalled && now - stallAt > 0) {
                        stalled = true;
                        out.flush();
                        Thread.sleep(stallMillis);
                    }
                    out.write(ok);
                    if (in.available() == 0) {
                        out.flush();
                    }
                }
            } catch (IOException | InterruptedException | RuntimeException done) {
                // client gone
            }
        }

        /** Reads one RESP array of bulk strings. */
        private static void skipCommand(InputStream in) throws IOException {
            int n = Integer.parseInt(line(in, '*'));
            for (int i = 0; i < n; i++) {
                int len = Integer.parseInt(line(in, '$'));
                in.readNBytes(len + 2);
            }
        }

        private static String line(InputStream in, char type) throws IOException {
            int t = in.read();
            if (t != type) {
                throw new IOException("expected " + type + ", got " + t);
            }
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != '\r') {
                if (c < 0) {
                    throw new IOException("end of stream");
                }
                sb.append((char) c);
            }
            in.read(); // \n
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
