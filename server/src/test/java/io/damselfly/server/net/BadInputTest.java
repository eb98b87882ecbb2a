package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Garbage, half frames and abrupt disconnects on some connections while another client keeps
 * working: the server survives, the good client is served throughout and its data is intact.
 */
@ExtendWith(ServerExtension.class)
class BadInputTest {

    @Test
    void garbageAndHalfFrames_otherClientsKeepWorkingAndKeepTheirData(EmbeddedServer server,
                                                                       @Resp2 RedisCommands<String, String> good) throws IOException {
        for (int i = 0; i < 500; i++) {
            good.set("safe:" + i, "value-" + i);
        }
        Random random = new Random(42);
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int round = 0; round < 300; round++) {
                try (Socket s = new Socket(server.host(), server.port())) {
                    s.setSoLinger(true, 0);
                    OutputStream out = s.getOutputStream();
                    byte[] junk = new byte[1 + random.nextInt(4096)];
                    random.nextBytes(junk);
                    if (round % 3 == 0) {
                        // a valid frame with one byte flipped: may still be a well-formed command on
                        // junk:* keys, but can never name a safe:* key
                        byte[] frame = RawClient.encode("SET", "junk:" + round, "overwritten?");
                        frame[random.nextInt(frame.length)] ^= (byte) (1 + random.nextInt(255));
                        junk = frame;
                    }
                    out.write(junk);
                    out.flush();
                } catch (IOException closedByServer) {
                    // the server may close first on a protocol error: that is the point
                }
                if (round % 50 == 0) {
                    // half frames left open: a bulk promised but never sent, a count never finished
                    Socket s = new Socket(server.host(), server.port());
                    s.getOutputStream().write("*3\r\n$3\r\nSET\r\n$1000000\r\nabc".getBytes());
                    s.getOutputStream().flush();
                    stalled.add(s);
                    Socket t = new Socket(server.host(), server.port());
                    t.getOutputStream().write("*20000".getBytes());
                    stalled.add(t);
                }
                assertEquals("PONG", good.ping(), "good client served during round " + round);
            }
            for (int i = 0; i < 500; i++) {
                assertEquals("value-" + i, good.get("safe:" + i), "safe:" + i);
            }
            assertEquals("OK", good.set("after", "garbage"));
            assertEquals("garbage", good.get("after"));
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void hugeClaims_doNotAllocate(EmbeddedServer server, @Resp2 RedisCommands<String, String> good) throws IOException {
        long before = usedHeap();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                Socket s = new Socket(server.host(), server.port());
                // 500 MB promised, 3 bytes sent, on 50 connections: nothing may be reserved for it
                s.getOutputStream().write("*2\r\n$3\r\nGET\r\n$500000000\r\nabc".getBytes());
                sockets.add(s);
                Socket t = new Socket(server.host(), server.port());
                t.getOutputStream().write("*2000000000\r\n".getBytes());
                sockets.add(t);
            }
            assertEquals("PONG", good.ping());
            long grown = usedHeap() - before;
            // 100 connections each holding a 500 MB or 2-billion-slot reservation would be > 25 GB
            org.junit.jupiter.api.Assertions.assertTrue(grown < 512L * 1024 * 1024, "heap grew by " + grown);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
