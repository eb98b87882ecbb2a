package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The loops' reused read and reply buffers: a buffer goes out again only once everyone it was
 * handed to has released it, so a partial request kept by a decoder and a reply a client has not
 * read yet are never written over by another connection's read or reply.
 */
@ExtendWith(ServerExtension.class)
class LoopBuffersTest {
    /** Unpooled: a freed buffer object is not recycled, so identity tells reuse apart. */
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(true);

    @Test
    void aBufferReleasedByItsHolder_isHandedOutAgainEmpty() {
        LoopBuffers.Ring ring = new LoopBuffers.Ring(4, 1024, 1024);
        ByteBuf first = ring.take(ALLOC);
        first.writeBytes("partial".getBytes(StandardCharsets.US_ASCII));
        first.release();
        ByteBuf again = ring.take(ALLOC);
        assertSame(first, again);
        assertEquals(0, again.readableBytes());
        assertEquals(0, again.readerIndex());
        again.release();
        ring.releaseAll();
        assertEquals(0, first.refCnt());
    }

    @Test
    void aBufferStillHeld_isNotHandedOut_andStaysItsHolders() {
        LoopBuffers.Ring ring = new LoopBuffers.Ring(2, 1024, 1024);
        ByteBuf held = ring.take(ALLOC);
        held.writeBytes("kept".getBytes(StandardCharsets.US_ASCII));
        List<ByteBuf> others = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ByteBuf b = ring.take(ALLOC);
            assertNotSame(held, b, "take #" + i);
            b.writeBytes("other".getBytes(StandardCharsets.US_ASCII));
            others.add(b);
        }
        assertEquals("kept", held.toString(StandardCharsets.US_ASCII));
        assertEquals(1, held.refCnt(), "the ring gave up its reference to the held buffer");
        held.release();
        assertEquals(0, held.refCnt());
        others.forEach(ByteBuf::release);
        ring.releaseAll();
    }

    @Test
    void aBufferGrownPastTheKeepLimit_isNotKept() {
        LoopBuffers.Ring ring = new LoopBuffers.Ring(1, 0, 1024);
        ByteBuf grown = ring.take(ALLOC);
        grown.writeBytes(new byte[4096]);
        grown.release();
        ByteBuf next = ring.take(ALLOC);
        assertNotSame(grown, next);
        assertEquals(0, grown.refCnt(), "freed once its holder and the ring let go");
        next.release();
        ring.releaseAll();
        assertEquals(0, next.refCnt());
    }

    @Test
    void halfRequestsOnManyConnections_areNeverMixed(EmbeddedServer server) throws Exception {
        // more connections than loops, so several share a loop's read ring; each leaves half a
        // request in its decoder while the others' reads come in between
        int connections = 6;
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int c = 0; c < connections; c++) {
                clients.add(new RawClient(server.host(), server.port()));
            }
            for (int round = 0; round < 20; round++) {
                List<byte[]> frames = new ArrayList<>();
                for (int c = 0; c < connections; c++) {
                    String value = Character.toString('a' + c).repeat(3000 + round * 100 + c);
                    frames.add(RawClient.encode("SET", "half:" + c, value));
                }
                for (int c = 0; c < connections; c++) {
                    byte[] f = frames.get(c);
                    clients.get(c).sendRaw(java.util.Arrays.copyOfRange(f, 0, f.length / 2));
                }
                Thread.sleep(5);
                for (int c = 0; c < connections; c++) {
                    byte[] f = frames.get(c);
                    clients.get(c).sendRaw(java.util.Arrays.copyOfRange(f, f.length / 2, f.length));
                }
                for (int c = 0; c < connections; c++) {
                    assertEquals("+OK", RawClient.render(clients.get(c).read()), "connection " + c + " round " + round);
                    String value = Character.toString('a' + c).repeat(3000 + round * 100 + c);
                    assertEquals("$" + value, clients.get(c).callText("GET", "half:" + c), "connection " + c + " round " + round);
                }
            }
        } finally {
            clients.forEach(RawClient::close);
        }
    }

    @Test
    void repliesAClientHasNotReadYet_areNotWrittenOver(EmbeddedServer server) throws IOException {
        int keys = 50;
        int gets = 3000;
        List<RawClient> busy = new ArrayList<>();
        try (Socket slow = new Socket()) {
            // a small receive window: most replies wait in the server, in the buffers they were written in
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress(server.host(), server.port()), 5000);
            slow.setSoTimeout(30_000);
            // connections made after it, some on its loop, take reply buffers while it does not read
            for (int c = 0; c < 3; c++) {
                busy.add(new RawClient(server.host(), server.port()));
            }
            for (int k = 0; k < keys; k++) {
                assertEquals("+OK", busy.get(0).callText("SET", "slow:" + k, value(k)));
            }
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int i = 0; i < gets; i++) {
                batch.writeBytes(RawClient.encode("GET", "slow:" + i % keys));
            }
            OutputStream out = slow.getOutputStream();
            out.write(batch.toByteArray());
            out.flush();
            for (int i = 0; i < 3000; i++) {
                RawClient c = busy.get(i % busy.size());
                String v = "z".repeat(500 + i % 7);
                assertEquals("+OK", c.callText("SET", "busy" + i % busy.size(), v));
                assertEquals("$" + v, c.callText("GET", "busy" + i % busy.size()));
            }
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(slow.getInputStream()));
            for (int i = 0; i < gets; i++) {
                String expected = "$" + value(i % keys).length() + "\r\n" + value(i % keys) + "\r\n";
                byte[] got = new byte[expected.length()];
                in.readFully(got);
                assertEquals(expected, new String(got, StandardCharsets.US_ASCII), "reply #" + i);
            }
        } finally {
            busy.forEach(RawClient::close);
        }
    }

    /** A value of about a kilobyte that differs from every other key's all along. */
    private static String value(int k) {
        StringBuilder s = new StringBuilder();
        while (s.length() < 1000) {
            s.append(k).append(':').append(s.length()).append(';');
        }
        return s.toString();
    }
}
