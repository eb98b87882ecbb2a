package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replies sent straight to the socket ({@link ReplyQueue}'s staged buffer) keep every byte and
 * their order among the connection's other writes (lent values, large replies) when the socket
 * buffer fills up and the rest goes through the channel; clients that reset the connection while
 * their replies are being sent leave the server serving.
 */
@ExtendWith(ServerExtension.class)
class DirectSendTest {
    /** Value sizes cycled through: below, around and far past a socket buffer and the flush threshold. */
    private static final int[] SIZES = {1, 70_000, 100, 300_000, 0, 1_500_000, 17};

    @Test
    void pipelinedRepliesOfMixedSizes_toAClientThatReadsLate_arriveWholeAndInOrder(EmbeddedServer server) throws Exception {
        byte[][] values = new byte[60][];
        for (int i = 0; i < values.length; i++) {
            values[i] = value(i, SIZES[i % SIZES.length]);
        }
        byte[] medium = value(-1, 550);
        // a few times over, since where the socket fills up is a matter of timing
        for (int round = 0; round < 3; round++) {
            List<Object[]> commands = new ArrayList<>();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            commands.add(new Object[] {"SET", "medium", medium});
            expected.writeBytes(ascii("+OK\r\n"));
            // short batches first (each write below is a read of a hundred requests, whose
            // replies, 56 KB, are staged), more of them than the server's socket buffer holds
            // (tcp_wmem's maximum, 4 MiB by default): one is taken only in part as it fills up
            for (int i = 0; i < 10_000; i++) {
                commands.add(new Object[] {"GET", "medium"});
                expectBulk(expected, medium);
            }
            for (int i = 0; i < values.length; i++) {
                String key = "k" + i;
                commands.add(new Object[] {"SET", key, values[i]});
                expected.writeBytes(ascii("+OK\r\n"));
                commands.add(new Object[] {"GET", key});
                expectBulk(expected, values[i]);
                commands.add(new Object[] {"PING"});
                expected.writeBytes(ascii("+PONG\r\n"));
            }
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(16 * 1024);
                socket.connect(new java.net.InetSocketAddress(server.host(), server.port()));
                socket.setSoTimeout(30_000);
                // from another thread: the server stops reading while its replies wait
                CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> writeInSteps(socket, commands, 100));
                try {
                    // not reading yet, so that the server's socket buffer fills up
                    sent.get(1, TimeUnit.SECONDS);
                } catch (TimeoutException heldBackByTcp) {
                    // the writer waits for the server, which waits for this reader
                }
                byte[] got = new byte[expected.size()];
                new DataInputStream(socket.getInputStream()).readFully(got);
                sent.get(30, TimeUnit.SECONDS);
                assertArrayEquals(expected.toByteArray(), got, "round " + round);
            }
        }
    }

    @Test
    void clientsResettingWhileTheirRepliesAreSent_leaveTheServerServing(EmbeddedServer server, RawClient other) throws Exception {
        assertEquals("+OK", other.callText("SET", "v", value(3, 1000)));
        List<Object[]> gets = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            gets.add(new Object[] {"GET", "v"});
        }
        for (int round = 0; round < 30; round++) {
            try (Socket socket = new Socket(server.host(), server.port())) {
                socket.setReceiveBufferSize(8 * 1024);
                writeInSteps(socket, gets.subList(0, 100 + round * 60), 20);
                socket.getInputStream().readNBytes(round * 500);
                socket.setSoLinger(true, 0); // the close resets: the server's next send fails
            }
            assertEquals("+PONG", other.callText("PING"));
        }
        assertEquals(":1000", other.callText("STRLEN", "v"));
    }

    /** Writes {@code commands}, {@code perWrite} of them at a time with a pause between. */
    private static void writeInSteps(Socket socket, List<Object[]> commands, int perWrite) {
        try {
            for (int i = 0; i < commands.size(); i += perWrite) {
                socket.getOutputStream().write(RawClient.encodeAll(commands.subList(i, Math.min(commands.size(), i + perWrite))));
                Thread.sleep(0, 200_000);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void expectBulk(ByteArrayOutputStream expected, byte[] value) {
        expected.writeBytes(ascii("$" + value.length + "\r\n"));
        expected.writeBytes(value);
        expected.writeBytes(ascii("\r\n"));
    }

    /** A value whose bytes depend on its index and position, so a misplaced chunk shows. */
    private static byte[] value(int index, int size) {
        byte[] v = new byte[size];
        for (int i = 0; i < size; i++) {
            v[i] = (byte) ('a' + Math.floorMod(index * 7 + i / 1000, 26));
        }
        return v;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
