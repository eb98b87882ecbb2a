package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * A subscriber that never reads, on a raw socket with a small receive buffer: it is disconnected
 * at the pubsub class's hard limit (client-output-buffer-limit, set small here with CONFIG SET),
 * or after staying past the soft limit for longer than its seconds, and until then what the
 * server holds for it (CLIENT LIST omem: unwritten bytes plus its inbox) stays within the limit
 * and one message, however much is published. The publisher is never held back.
 */
@ExtendWith(ServerExtension.class)
class PubSubOutputLimitTest {
    private static final Pattern OMEM = Pattern.compile("name=slow .* omem=(\\d+) ");
    private NonReadingClient slow;

    @AfterEach
    void restore(EmbeddedServer server) throws IOException {
        if (slow != null) {
            slow.close();
        }
        try (RawClient c = new RawClient(server.host(), server.port())) {
            c.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60");
        }
    }

    /** A subscriber named "slow" on a socket with a 4 KiB receive buffer that it never reads. */
    private void slowSubscriber(EmbeddedServer server, String channel) throws IOException {
        slow = new NonReadingClient(server, "slow", "SUBSCRIBE", channel);
    }

    private static long omem(RawClient c) {
        Matcher m = OMEM.matcher(c.callText("CLIENT", "LIST"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }


    @Test
    void hardLimit_disconnectsSubscriberThatDoesNotRead(EmbeddedServer server, RawClient pub) throws Exception {
        long hard = 256 * 1024;
        assertEquals("+OK", pub.callText("CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 0 0"));
        String before = pub.callText("INFO", "stats");
        slowSubscriber(server, "flood");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!pub.callText("PUBSUB", "NUMSUB", "flood").equals("[$flood, :1]")) {
            assertTrue(System.nanoTime() < deadline, "subscriber registered");
            Thread.sleep(5);
        }
        byte[] payload = new byte[8 * 1024];
        Arrays.fill(payload, (byte) 'x');
        long maxOmem = 0;
        int published = 0;
        // 64 MiB published, 256 times the limit: without the limit the server would hold it all
        for (; published < 8192; published++) {
            String receivers = pub.callText("PUBLISH", "flood", payload);
            if (receivers.equals(":0")) {
                break;
            }
            if (published % 64 == 0) {
                maxOmem = Math.max(maxOmem, omem(pub));
            }
        }
        assertTrue(published < 8192, "the subscriber was never disconnected");
        assertTrue(maxOmem <= hard + payload.length + 100, "omem " + maxOmem + " passed the hard limit");
        assertTrue(slow.closedByServer(), "the connection is closed");
        assertEquals("[$flood, :0]", pub.callText("PUBSUB", "NUMSUB", "flood"));
        assertEquals(counter(before) + 1, counter(pub.callText("INFO", "stats")));
        assertEquals("+PONG", pub.callText("PING"));
    }

    @Test
    void softLimit_disconnectsAfterItsSeconds(EmbeddedServer server, RawClient pub) throws Exception {
        assertEquals("+OK", pub.callText("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 128kb 0"));
        slowSubscriber(server, "soft");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!pub.callText("PUBSUB", "NUMSUB", "soft").equals("[$soft, :1]")) {
            assertTrue(System.nanoTime() < deadline, "subscriber registered");
            Thread.sleep(5);
        }
        byte[] payload = new byte[8 * 1024];
        // fill the socket buffers and pass the soft limit; the subscriber stays for now
        long pending = 0;
        for (int i = 0; i < 4096 && pending < 256 * 1024; i++) {
            pub.callText("PUBLISH", "soft", payload);
            if (i % 32 == 0) {
                pending = omem(pub);
            }
        }
        assertTrue(pending >= 128 * 1024, "past the soft limit: " + pending);
        assertEquals(":1", pub.callText("PUBLISH", "soft", payload));
        // kept past the soft limit for more than its seconds (0: any whole second), the
        // subscriber is closed by a message published after that; loopback send buffers grow
        // while the test runs (which can take the backlog back under the limit and restart the
        // clock, as in Redis), so publish on, bounded, until the server drops it
        boolean dropped = false;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        for (int i = 0; i < 30_000 && !dropped && System.nanoTime() < until; i++) {
            dropped = pub.callText("PUBLISH", "soft", payload).equals(":0");
            if (i % 64 == 63) {
                Thread.sleep(10);
            }
        }
        assertTrue(dropped, "the subscriber was never dropped");
        assertTrue(slow.closedByServer(), "the connection is closed");
        assertEquals("[$soft, :0]", pub.callText("PUBSUB", "NUMSUB", "soft"));
    }

    @Test
    void softLimit_disconnectsAfterItsSeconds_withNothingMorePublished(EmbeddedServer server, RawClient pub) throws Exception {
        // Redis's unit/obuf-limits "soft limit is not enforced too early and is enforced when no
        // traffic": past the soft limit, then silence; the cron closes the subscriber
        assertEquals("+OK", pub.callText("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 128kb 1"));
        slowSubscriber(server, "quiet");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!pub.callText("PUBSUB", "NUMSUB", "quiet").equals("[$quiet, :1]")) {
            assertTrue(System.nanoTime() < deadline, "subscriber registered");
            Thread.sleep(5);
        }
        byte[] payload = new byte[8 * 1024];
        long pending = 0;
        // the server's socket send buffer grows to megabytes on loopback and takes what the
        // subscriber does not read: past the soft limit only counts once that buffer is full, so
        // the pending bytes are read after a pause in which they could have drained into it
        // (-1: the subscriber is gone already, over the soft limit for its second while published to)
        for (int i = 0; i < 4096 && pending >= 0 && pending < 256 * 1024; i++) {
            pub.callText("PUBLISH", "quiet", payload);
            if (i % 64 == 63) {
                Thread.sleep(100);
                pending = omem(pub);
            }
        }
        assertTrue(pending >= 128 * 1024 || pending < 0, "past the soft limit: " + pending);
        // no more publishing: gone within the soft seconds plus the cron's second and a margin
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!pub.callText("PUBSUB", "NUMSUB", "quiet").equals("[$quiet, :0]")) {
            assertTrue(System.nanoTime() < deadline, "still subscribed with nothing published, omem " + omem(pub));
            Thread.sleep(50);
        }
        assertTrue(slow.closedByServer(), "the connection is closed");
    }

    private static long counter(String info) {
        Matcher m = Pattern.compile("client_output_buffer_limit_disconnections:(\\d+)").matcher(info);
        assertTrue(m.find(), info);
        return Long.parseLong(m.group(1));
    }
}
