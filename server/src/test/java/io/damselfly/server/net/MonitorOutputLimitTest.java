package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.NonReadingClient;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A monitor that never reads, on a raw socket with a small receive buffer, while another client
 * writes: it is disconnected at the normal class's hard limit (a monitor is a normal client to
 * Redis 7.0's getClientType), and, where that class sets no limit (Redis's default, under which
 * redis-server would hold everything), at output_buffer_limit; until then what the server holds
 * for it (CLIENT LIST omem) stays within the limit and one line. The writer is never held back.
 */
@ExtendWith(ServerExtension.class)
class MonitorOutputLimitTest {
    private static final Pattern MONITOR_OMEM = Pattern.compile("name=slow .*flags=O .* omem=(\\d+) ");
    private NonReadingClient slow;

    @AfterEach
    void restore(EmbeddedServer server) throws IOException {
        if (slow != null) {
            slow.close();
        }
        try (RawClient c = new RawClient(server.host(), server.port())) {
            c.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0");
            c.call("CONFIG", "SET", "output_buffer_limit", "1gb");
        }
    }

    /** A monitor named "slow" on a socket with a 4 KiB receive buffer that it never reads. */
    private void slowMonitor(RawClient other, EmbeddedServer server) throws Exception {
        slow = new NonReadingClient(server, "slow", "MONITOR");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (omem(other) < 0) {
            assertTrue(System.nanoTime() < deadline, "monitor registered");
            Thread.sleep(5);
        }
    }

    /** The slow monitor's omem, or -1 when it is not monitoring (not connected). */
    private static long omem(RawClient c) {
        Matcher m = MONITOR_OMEM.matcher(c.callText("CLIENT", "LIST"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Writes 8 KiB values until the monitor is gone; returns the largest omem seen, or -1 if it stayed. */
    private static long floodUntilDropped(RawClient writer, int maxWrites) {
        byte[] value = new byte[8 * 1024];
        Arrays.fill(value, (byte) 'x');
        long maxOmem = 0;
        for (int i = 0; i < maxWrites; i++) {
            assertEquals("+OK", writer.callText("SET", "flood", value));
            if (i % 16 == 0) {
                long omem = omem(writer);
                if (omem < 0) {
                    return maxOmem;
                }
                maxOmem = Math.max(maxOmem, omem);
            }
        }
        return -1;
    }


    private static long disconnections(RawClient c) {
        Matcher m = Pattern.compile("client_output_buffer_limit_disconnections:(\\d+)").matcher(c.callText("INFO", "stats"));
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }

    @Test
    void monitor_normalClassHardLimit_disconnects(EmbeddedServer server, RawClient writer) throws Exception {
        long hard = 256 * 1024;
        assertEquals("+OK", writer.callText("CONFIG", "SET", "client-output-buffer-limit", "normal 256kb 0 0"));
        long before = disconnections(writer);
        slowMonitor(writer, server);
        // 64 MiB of lines, 256 times the limit: without it the server would hold them all
        long maxOmem = floodUntilDropped(writer, 8192);
        assertTrue(maxOmem >= 0, "the monitor was never disconnected");
        assertTrue(maxOmem <= hard + 9 * 1024, "omem " + maxOmem + " passed the hard limit");
        assertTrue(slow.closedByServer(), "the connection is closed");
        assertEquals(before + 1, disconnections(writer));
        assertFalse(writer.callText("CLIENT", "LIST").contains("flags=O"));
        assertEquals("+PONG", writer.callText("PING"));
    }

    @Test
    void monitor_unlimitedClass_boundedByOutputBufferLimit(EmbeddedServer server, RawClient writer) throws Exception {
        assertEquals("+OK", writer.callText("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0"));
        assertEquals("+OK", writer.callText("CONFIG", "SET", "output_buffer_limit", "1mb"));
        slowMonitor(writer, server);
        long maxOmem = floodUntilDropped(writer, 8192);
        assertTrue(maxOmem >= 0, "the monitor was never disconnected");
        assertTrue(maxOmem <= 1024 * 1024 + 9 * 1024, "omem " + maxOmem + " passed output_buffer_limit");
        assertTrue(slow.closedByServer(), "the connection is closed");
    }

    @Test
    void monitor_softLimit_disconnectsAfterItsSeconds(EmbeddedServer server, RawClient writer) throws Exception {
        assertEquals("+OK", writer.callText("CONFIG", "SET", "client-output-buffer-limit", "normal 0 128kb 0"));
        slowMonitor(writer, server);
        // past the soft limit for more than its seconds (0: any whole second), bounded in time
        byte[] value = new byte[8 * 1024];
        boolean dropped = false;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        for (int i = 0; i < 30_000 && !dropped && System.nanoTime() < until; i++) {
            writer.callText("SET", "soft", value);
            if (i % 64 == 63) {
                dropped = omem(writer) < 0;
                Thread.sleep(10);
            }
        }
        assertTrue(dropped, "the monitor was never dropped");
        assertTrue(slow.closedByServer(), "the connection is closed");
    }
}
