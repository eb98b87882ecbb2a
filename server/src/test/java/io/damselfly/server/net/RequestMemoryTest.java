package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server-wide budget for memory held by unfinished requests (request_memory_limit, set low
 * here so no big heap is needed) and client-query-buffer-limit: the probe that used to end the
 * process (clients streaming unfinished 500 MB bulks) closes the largest holders while every other
 * client is served and keeps its data; what is booked returns to zero when the clients go.
 */
@ExtendWith(ServerExtension.class)
@ServerOptions({"request_memory_limit=8mb"})
class RequestMemoryTest {
    private static final long LIMIT = 8L << 20;
    private static final byte[] CHUNK = new byte[256 * 1024];

    @Test
    void clientsStreamingHugeUnfinishedBulks_largestClosedOthersServedBookingBackToZero(
            EmbeddedServer server, RedisCommands<String, String> good) throws Exception {
        RequestMemoryBudget budget = server.requestMemory();
        assertEquals(LIMIT, budget.limit());
        for (int i = 0; i < 200; i++) {
            good.set("safe:" + i, "value-" + i);
        }
        long closuresBefore = budget.budgetClosures();
        AtomicLong peakBooked = new AtomicLong();
        List<Thread> attackers = new ArrayList<>();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int c = 0; c < 6; c++) {
                Socket s = new Socket(server.host(), server.port());
                sockets.add(s);
                Thread t = new Thread(() -> streamUnfinished(s, "*2\r\n$3\r\nSET\r\n$500000000\r\n", 80), "attacker");
                t.setDaemon(true);
                attackers.add(t);
                t.start();
            }
            // every other client is served all along, and the booking stays near the budget
            while (attackers.stream().anyMatch(Thread::isAlive)) {
                peakBooked.accumulateAndGet(budget.bookedBytes(), Math::max);
                assertEquals("PONG", good.ping());
                assertEquals("value-7", good.get("safe:7"));
                Thread.sleep(5);
            }
            for (Thread t : attackers) {
                t.join(30_000);
            }
            // none can hold a 500 MB bulk within 8 MB: each is closed when its array would outgrow
            // the budget, or earlier when it is the largest holder and another asks for room
            assertEquals(6, budget.budgetClosures() - closuresBefore, "every attacker is closed");
            // condemned holders count until their loop closes them: about twice the budget, a little
            // more when a loop is slow to get to the close (17,696,064 bytes against 16 MiB once, on a loaded CI
            // box); six 500 MB bulks would book 3 GB
            assertTrue(peakBooked.get() <= 3 * LIMIT, "booked peaked at " + peakBooked.get());
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        awaitBooked(budget, b -> b == 0, "booking returns to zero after the disconnects");
        for (int i = 0; i < 200; i++) {
            assertEquals("value-" + i, good.get("safe:" + i));
        }
        assertEquals("OK", good.set("after", "probe"));
    }

    @Test
    void budgetExceeded_closesTheLargestHolderNotTheSmallerOneAsking(EmbeddedServer server, RawClient small)
            throws Exception {
        RequestMemoryBudget budget = server.requestMemory();
        long closuresBefore = budget.budgetClosures();
        try (Socket big = new Socket(server.host(), server.port())) {
            // 5.2 of 5.3 MB: the bulk's array is at its full 5.3 MB, booked within the 8 MB budget
            OutputStream out = big.getOutputStream();
            out.write("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$5300000\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[5_200_000]);
            out.flush();
            awaitBooked(budget, b -> b >= 5_300_000, "the large holder is booked");
            // the small request's last growth (1.5 + 3 MB) takes the total over 8 MB: the large
            // holder goes, the smaller one asking for room finishes its request
            byte[] value = new byte[3_000_000];
            new java.util.Random(3).nextBytes(value);
            assertEquals("+OK", small.callText("SET", "small", value));
            assertArrayEquals(value, ((RespValue.BulkString) small.call("GET", "small")).value());
            assertEquals(1, budget.budgetClosures() - closuresBefore);
            assertTrue(closedByServer(big), "the largest holder is closed");
            assertEquals("(nil)", small.callText("GET", "big"));
        }
        awaitBooked(budget, b -> b == 0, "booking returns to zero");
    }

    @Test
    void clientQueryBufferLimit_closesThatClientOnly_asRedis(EmbeddedServer server, RawClient admin) throws Exception {
        RequestMemoryBudget budget = server.requestMemory();
        assertEquals("[client-query-buffer-limit, 1073741824]", admin.callText("CONFIG", "GET", "client-query-buffer-limit")
                .replace("$", ""));
        assertEquals("+OK", admin.callText("CONFIG", "SET", "client-query-buffer-limit", "1mb"));
        try {
            long before = budget.queryBufferClosures();
            try (Socket s = new Socket(server.host(), server.port())) {
                streamUnfinished(s, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n", 8);
                assertTrue(closedByServer(s), "a client past client-query-buffer-limit is closed");
            }
            assertEquals(1, budget.queryBufferClosures() - before);
            // as in Redis the limit is on the query buffer, not on the request: two arguments of
            // 900 KB each pass a 1 MB limit
            byte[] v = new byte[900_000];
            assertEquals("+OK", admin.callText("MSET", "a", v, "b", v));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'client-query-buffer-limit') - argument must be"
                    + " between 1048576 and 9223372036854775807 inclusive",
                    admin.callText("CONFIG", "SET", "client-query-buffer-limit", "1000"));
        } finally {
            admin.call("CONFIG", "SET", "client-query-buffer-limit", "1gb");
        }
        awaitBooked(budget, b -> b == 0, "booking returns to zero");
    }

    @Test
    void requestsQueuedForAClientThatDoesNotRead_stayBookedUntilTheyRun(EmbeddedServer server, RawClient admin)
            throws Exception {
        RequestMemoryBudget budget = server.requestMemory();
        // 40 MB of replies: more than the socket buffers of both ends take, so the channel stops
        // being writable and the requests after that wait in the connection's queue
        int value = 4 * 1024 * 1024;
        int gets = 10;
        assertEquals("+OK", admin.callText("SET", "big", new byte[value]));
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        for (int i = 0; i < gets; i++) {
            pipeline.writeBytes(RawClient.encode("GET", "big"));
        }
        int sets = 2000;
        for (int i = 0; i < sets; i++) {
            pipeline.writeBytes(RawClient.encode("SET", "q:" + i, "x".repeat(100)));
        }
        try (Socket greedy = new Socket(server.host(), server.port())) {
            greedy.getOutputStream().write(pipeline.toByteArray());
            greedy.getOutputStream().flush();
            // its first reply fills the outbound buffer: the requests after it wait, booked
            awaitBooked(budget, b -> b > 0, "queued requests are booked");
            InputStream in = greedy.getInputStream();
            greedy.setSoTimeout(10_000);
            long expected = gets * (value + ("$" + value + "\r\n\r\n").length()) + (long) sets * "+OK\r\n".length();
            byte[] buf = new byte[64 * 1024];
            for (long read = 0; read < expected; ) {
                int n = in.read(buf);
                assertTrue(n > 0, "replies cut short after " + read);
                read += n;
            }
            awaitBooked(budget, b -> b == 0, "nothing booked once they ran");
        }
        assertEquals("$" + "x".repeat(100), admin.callText("GET", "q:" + (sets - 1)));
    }

    /** Sends {@code header} then up to {@code chunks} chunks of 256 KB, stopping when the server closes. */
    private static void streamUnfinished(Socket s, String header, int chunks) {
        try {
            OutputStream out = s.getOutputStream();
            out.write(header.getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < chunks; i++) {
                out.write(CHUNK);
                out.flush();
            }
        } catch (IOException closedByServer) {
            // the point: the server cut this client off
        }
    }

    private static boolean closedByServer(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            for (int i = 0; i < 1000; i++) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
            return false;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static void awaitBooked(RequestMemoryBudget budget, LongPredicate condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.test(budget.bookedBytes())) {
            assertFalse(System.nanoTime() > deadline, what + ": booked " + budget.bookedBytes());
            Thread.sleep(5);
        }
    }
}
