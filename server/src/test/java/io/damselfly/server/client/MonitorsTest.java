package io.damselfly.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.config.ClientOutputBufferLimits;
import io.damselfly.server.config.ClientOutputBufferLimits.Limit;
import io.damselfly.server.pubsub.Subscriber;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * The MONITOR registry and line rendering without a server: sessions on a transport of the test's
 * own whose lines are delivered at once (a direct executor), so what each monitor received, and
 * when the registry lets one go, can be read directly.
 */
class MonitorsTest {
    private static final Limit UNLIMITED = new Limit(0, 0, 0);

    /** A transport that is open until closed, and an outlet that keeps what it is given. */
    private static class Peer implements ClientConnection, Subscriber.Outlet {
        final List<String> received = new ArrayList<>();
        final int port;
        boolean open = true;
        long closedForLimit = -1;

        Peer(int port) {
            this.port = port;
        }

        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.1", port);
        }

        @Override
        public SocketAddress localAddress() {
            return new InetSocketAddress("127.0.0.1", 6379);
        }

        @Override
        public int fd() {
            return -1;
        }

        @Override
        public long pendingOutputBytes() {
            return 0;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }

        @Override
        public Executor executor() {
            return Runnable::run;
        }

        @Override
        public long unwrittenBytes() {
            return 0;
        }

        @Override
        public void write(byte[] frame) {
            received.add(new String(frame, StandardCharsets.ISO_8859_1));
        }

        @Override
        public void flush() {
        }

        @Override
        public void closeForOutputLimit(long pendingBytes) {
            closedForLimit = pendingBytes;
            open = false;
        }
    }

    private static ClientSession session(long id, Peer peer) {
        ClientSession s = new ClientSession(id, peer, true, 0);
        s.bindPushOutlet(peer);
        return s;
    }

    private static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return out;
    }

    @Test
    void active_nullWithoutMonitors_arrayWithThem() {
        Monitors m = new Monitors();
        assertNull(m.active());
        ClientSession a = session(1, new Peer(1001));
        assertTrue(m.add(a));
        assertFalse(m.add(a), "a second MONITOR adds nothing");
        assertEquals(1, m.active().length);
        assertTrue(a.isMonitor());
        assertTrue(m.remove(a));
        assertFalse(a.isMonitor());
        assertFalse(m.remove(a));
        assertNull(m.active(), "back to the one-read fast path");
    }

    @Test
    void add_sessionWithoutConnection_refused() {
        Monitors m = new Monitors();
        ClientSession script = new ClientSession(0, ClientConnection.NONE, true, 0);
        assertThrows(IllegalStateException.class, () -> m.add(script));
        assertNull(m.active());
    }

    @Test
    void feed_everyMonitorGetsTheSameLine() {
        Monitors m = new Monitors();
        Peer pa = new Peer(1001);
        Peer pb = new Peer(1002);
        m.add(session(1, pa));
        m.add(session(2, pb));
        ClientSession writer = session(3, new Peer(40000));
        m.feed(m.active(), writer, 4, argv("SET", "k", "v"), null, UNLIMITED);
        assertEquals(1, pa.received.size());
        assertEquals(pa.received, pb.received);
        assertTrue(pa.received.get(0).matches("\\+\\d{10,}\\.\\d{6} \\[4 127\\.0\\.0\\.1:40000\\] \"SET\" \"k\" \"v\"\r\n"),
                pa.received.get(0));
    }

    @Test
    void feed_dropsMonitorsThatAreGone() {
        Monitors m = new Monitors();
        Peer pa = new Peer(1001);
        Peer pb = new Peer(1002);
        ClientSession a = session(1, pa);
        m.add(a);
        m.add(session(2, pb));
        ClientSession[] before = m.active();
        pb.open = false;
        m.feed(before, a, 0, argv("PING"), null, UNLIMITED);
        assertEquals(1, pa.received.size());
        assertEquals(0, pb.received.size());
        assertEquals(1, m.count(), "the closed monitor left the registry");
        assertSame(a, m.active()[0]);
        pa.open = false;
        m.feed(m.active(), a, 0, argv("PING"), null, UNLIMITED);
        assertNull(m.active());
    }

    @Test
    void feed_skipsMonitorRemovedAfterTheRead() {
        Monitors m = new Monitors();
        Peer pa = new Peer(1001);
        ClientSession a = session(1, pa);
        m.add(a);
        ClientSession[] read = m.active();
        m.remove(a);
        m.feed(read, a, 0, argv("RESET"), null, UNLIMITED);
        assertEquals(List.of(), pa.received);
    }

    @Test
    void feed_pastHardLimit_closesTheMonitor() {
        Monitors m = new Monitors();
        Peer slow = new Peer(1001) {
            @Override
            public Executor executor() {
                // never drains: everything offered stays queued
                return r -> { };
            }
        };
        ClientSession a = session(1, slow);
        m.add(a);
        Limit limit = new Limit(1000, 0, 0);
        byte[][] big = argv("SET", "k", "x".repeat(300));
        for (int i = 0; i < 10 && slow.open; i++) {
            m.feed(m.active() == null ? new ClientSession[0] : m.active(), a, 0, big, null, limit);
        }
        assertFalse(slow.open);
        assertTrue(slow.closedForLimit >= 1000, "closed at " + slow.closedForLimit);
        assertTrue(a.pendingOutputBytes() < 1000);
    }

    @Test
    void line_timestampPaddedPeerAndLua() {
        byte[] l = Monitors.line(1_700_000_000_000_042L, 0, null, argv("get", "k"), null);
        assertEquals("+1700000000.000042 [0 lua] \"get\" \"k\"\r\n", new String(l, StandardCharsets.ISO_8859_1));
        l = Monitors.line(1_700_000_000_999_999L, 15, "[::1]:5000", argv("PING"), null);
        assertEquals("+1700000000.999999 [15 [::1]:5000] \"PING\"\r\n", new String(l, StandardCharsets.ISO_8859_1));
    }

    @Test
    void line_quotesEveryByteAsSdscatrepr() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        String l = new String(Monitors.line(1_000_000L, 0, "h:1", new byte[][] {all, new byte[0]}, null),
                StandardCharsets.ISO_8859_1);
        StringBuilder want = new StringBuilder("+1.000000 [0 h:1] \"");
        for (int i = 0; i < 256; i++) {
            switch (i) {
                case '\\' -> want.append("\\\\");
                case '"' -> want.append("\\\"");
                case '\n' -> want.append("\\n");
                case '\r' -> want.append("\\r");
                case '\t' -> want.append("\\t");
                case 7 -> want.append("\\a");
                case 8 -> want.append("\\b");
                default -> want.append(i >= 32 && i <= 126 ? String.valueOf((char) i) : String.format("\\x%02x", i));
            }
        }
        want.append("\" \"\"\r\n");
        assertEquals(want.toString(), l);
    }

    @Test
    void line_redactedArguments() {
        BitSet redacted = new BitSet();
        redacted.set(2);
        redacted.set(3);
        byte[] l = Monitors.line(1_000_000L, 0, "h:1", argv("HELLO", "3", "AUTH", "secret"), redacted);
        assertEquals("+1.000000 [0 h:1] \"HELLO\" \"3\" \"(redacted)\" \"(redacted)\"\r\n", new String(l, StandardCharsets.ISO_8859_1));
    }

    @Test
    void limit_normalClassElseOutputBufferLimit() {
        ClientOutputBufferLimits none = ClientOutputBufferLimits.parse(ClientOutputBufferLimits.DEFAULT);
        assertEquals(new Limit(1 << 30, 0, 0), Monitors.limit(none, 1 << 30));
        ClientOutputBufferLimits set = ClientOutputBufferLimits.parse("normal 1mb 512kb 10 slave 0 0 0 pubsub 0 0 0");
        assertEquals(new Limit(1024 * 1024, 512 * 1024, 10), Monitors.limit(set, 1L << 30));
        // the smaller of the two hard limits
        assertEquals(new Limit(4096, 512 * 1024, 10), Monitors.limit(set, 4096));
    }
}
