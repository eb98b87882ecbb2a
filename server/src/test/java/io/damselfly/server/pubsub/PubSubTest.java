package io.damselfly.server.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.config.ClientOutputBufferLimits;
import io.damselfly.server.config.ClientOutputBufferLimits.Limit;
import io.damselfly.server.config.KeyspaceEventClasses;
import io.damselfly.server.config.ServerConfig;
import io.damselfly.server.config.Option;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The registry and a subscriber's inbox without the network: counts, emptiness after every way
 * of leaving, frames byte for byte, the output limits at offer time, delivery from many threads,
 * and the two options' parsers with garbage.
 */
class PubSubTest {

    /** An outlet that records what it is given; runs drains where told. */
    static final class FakeOutlet implements Subscriber.Outlet {
        final List<String> written = new ArrayList<>();
        Executor executor = Runnable::run;
        long unwritten;
        int closes;
        int flushes;

        @Override
        public Executor executor() {
            return executor;
        }

        @Override
        public long unwrittenBytes() {
            return unwritten;
        }

        @Override
        public synchronized void write(byte[] frame) {
            written.add(new String(frame, StandardCharsets.ISO_8859_1));
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void closeForOutputLimit(long pendingBytes) {
            closes++;
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void subscribe_countsAndEmptiesOnUnsubscribeAll() {
        PubSub p = new PubSub();
        FakeOutlet o = new FakeOutlet();
        Subscriber s = new Subscriber(1, o, () -> 2);
        assertTrue(p.subscribe(s, b("a")));
        assertFalse(p.subscribe(s, b("a")));
        assertTrue(p.psubscribe(s, b("a*")));
        assertFalse(p.psubscribe(s, b("a*")));
        assertTrue(p.ssubscribe(s, b("a")));
        assertEquals(2, s.subscriptionCount());
        assertEquals(1, s.shardChannelCount());
        assertEquals(1, p.channelCount());
        assertEquals(1, p.patternCount());
        assertEquals(1, p.shardChannelCount());
        assertEquals(2, p.publish(b("a"), b("m"), null, null));
        assertEquals(1, p.spublish(b("a"), b("s"), null, null));
        p.unsubscribeAll(s);
        assertEquals(0, p.channelCount() + p.patternCount() + p.shardChannelCount());
        assertEquals(0, s.subscriptionCount() + s.shardChannelCount());
        assertEquals(0, p.publish(b("a"), b("m"), null, null));
        assertFalse(p.unsubscribe(s, b("a")));
        assertFalse(p.punsubscribe(s, b("a*")));
    }

    @Test
    void publish_framesAsRedisWritesThem() {
        PubSub p = new PubSub();
        FakeOutlet o2 = new FakeOutlet();
        FakeOutlet o3 = new FakeOutlet();
        Subscriber resp2 = new Subscriber(1, o2, () -> 2);
        Subscriber resp3 = new Subscriber(2, o3, () -> 3);
        p.subscribe(resp2, b("ch"));
        p.psubscribe(resp3, b("c?"));
        assertEquals(2, p.publish(b("ch"), b("hi"), null, null));
        assertEquals(List.of("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"), o2.written);
        assertEquals(List.of(">4\r\n$8\r\npmessage\r\n$2\r\nc?\r\n$2\r\nch\r\n$2\r\nhi\r\n"), o3.written);
        assertEquals("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n",
                new String(Frames.confirmation(false, b("unsubscribe"), null, 0), StandardCharsets.ISO_8859_1));
        assertEquals(">3\r\n$9\r\nsubscribe\r\n$0\r\n\r\n:12\r\n",
                new String(Frames.confirmation(true, b("subscribe"), b(""), 12), StandardCharsets.ISO_8859_1));
        assertEquals(">3\r\n$12\r\npunsubscribe\r\n_\r\n:0\r\n",
                new String(Frames.confirmation(true, b("punsubscribe"), null, 0), StandardCharsets.ISO_8859_1));
    }

    @Test
    void publish_selfGoesToTheSinkAndCounts() {
        PubSub p = new PubSub();
        FakeOutlet o = new FakeOutlet();
        Subscriber s = new Subscriber(1, o, () -> 3);
        p.subscribe(s, b("x"));
        p.psubscribe(s, b("*"));
        List<String> self = new ArrayList<>();
        assertEquals(2, p.publish(b("x"), b("m"), s, (kind, pattern, ch, payload) ->
                self.add(new String(kind) + (pattern == null ? "" : "|" + new String(pattern)))));
        assertEquals(List.of("message", "pmessage|*"), self);
        assertTrue(o.written.isEmpty());
    }

    @Test
    void patterns_removedWhenTheirLastSubscriberLeaves() {
        PubSub p = new PubSub();
        Subscriber s1 = new Subscriber(1, new FakeOutlet(), () -> 2);
        Subscriber s2 = new Subscriber(2, new FakeOutlet(), () -> 2);
        p.psubscribe(s1, b("a*"));
        p.psubscribe(s2, b("a*"));
        p.psubscribe(s2, b("b*"));
        assertEquals(2, p.patternCount());
        assertEquals(2, p.publish(b("abc"), b("m"), null, null));
        p.punsubscribe(s1, b("a*"));
        assertEquals(2, p.patternCount());
        assertEquals(1, p.publish(b("abc"), b("m"), null, null));
        p.unsubscribeAll(s2);
        assertEquals(0, p.patternCount());
    }

    @Test
    void offer_hardLimitClosesOnce() {
        PubSub p = new PubSub();
        p.setLimit(new Limit(100, 0, 0));
        FakeOutlet o = new FakeOutlet();
        o.executor = r -> { };  // never drains: everything stays queued
        Subscriber s = new Subscriber(1, o, () -> 2);
        p.subscribe(s, b("c"));
        p.publish(b("c"), b("0123456789"), null, null);
        assertEquals(0, o.closes);
        assertTrue(s.queuedBytes() > 0);
        for (int i = 0; i < 10; i++) {
            p.publish(b("c"), b("0123456789"), null, null);
        }
        assertEquals(1, o.closes);
        assertTrue(s.isClosed());
        assertEquals(0, s.queuedBytes());
        // unwritten bytes of the connection count as well
        Subscriber t = new Subscriber(2, o, () -> 2);
        p.subscribe(t, b("d"));
        o.unwritten = 99;
        p.publish(b("d"), b("x"), null, null);
        assertTrue(t.isClosed());
    }

    @Test
    void offer_softLimitNeedsItsSecondsPassed() {
        FakeOutlet o = new FakeOutlet();
        o.executor = r -> { };
        Subscriber s = new Subscriber(1, o, () -> 2);
        Limit soft = new Limit(0, 10, 2);
        s.offer(new byte[20], soft, 1_000);
        s.offer(new byte[1], soft, 2_900);
        s.offer(new byte[1], soft, 3_999);
        assertEquals(0, o.closes, "2.999 s past the soft limit, 2 allowed: stays (whole seconds, as Redis)");
        s.offer(new byte[1], soft, 4_000);
        assertEquals(1, o.closes);
    }

    @Test
    void offer_softLimitClockResetsWhenBelow() {
        FakeOutlet o = new FakeOutlet();
        Subscriber s = new Subscriber(1, o, () -> 2);
        Limit soft = new Limit(0, 10, 0);
        o.unwritten = 50;
        s.offer(new byte[1], soft, 1_000);
        o.unwritten = 0;
        s.offer(new byte[1], soft, 5_000);
        o.unwritten = 50;
        s.offer(new byte[1], soft, 5_500);
        assertEquals(0, o.closes);
        s.offer(new byte[1], soft, 6_500);
        assertEquals(1, o.closes);
    }

    @Test
    void publish_fromManyThreads_keepsEachPublishersOrder() throws Exception {
        PubSub p = new PubSub();
        ExecutorService loop = Executors.newSingleThreadExecutor();
        ExecutorService publishers = Executors.newFixedThreadPool(4);
        try {
            FakeOutlet o = new FakeOutlet();
            o.executor = loop;
            Subscriber s = new Subscriber(1, o, () -> 2);
            p.subscribe(s, b("c"));
            int perThread = 5000;
            CountDownLatch done = new CountDownLatch(4);
            for (int t = 0; t < 4; t++) {
                int id = t;
                publishers.execute(() -> {
                    for (int i = 0; i < perThread; i++) {
                        p.publish(b("c"), b(id + ":" + i), null, null);
                    }
                    done.countDown();
                });
            }
            assertTrue(done.await(20, TimeUnit.SECONDS));
            loop.submit(() -> { }).get();
            int[] next = new int[4];
            synchronized (o) {
                assertEquals(4 * perThread, o.written.size());
                for (String frame : o.written) {
                    String payload = frame.substring(frame.lastIndexOf("$"));
                    payload = payload.substring(payload.indexOf("\r\n") + 2, payload.length() - 2);
                    int t = Integer.parseInt(payload.substring(0, payload.indexOf(':')));
                    assertEquals(next[t]++, Integer.parseInt(payload.substring(payload.indexOf(':') + 1)));
                }
            }
            assertEquals(0, s.queuedBytes());
        } finally {
            loop.shutdownNow();
            publishers.shutdownNow();
        }
    }

    @Test
    void keyspaceEventClasses_parseAndPrintAsRedis() {
        assertEquals("AKE", KeyspaceEventClasses.parse("KEA").toString());
        assertEquals("AKm", KeyspaceEventClasses.parse("Kgx$lshzetdnm").toString());
        assertEquals("glKE", KeyspaceEventClasses.parse("EKlg").toString());
        assertEquals("", KeyspaceEventClasses.parse("").toString());
        for (String bad : new String[] {"a", "KEq", " ", "K E", "\u00e9"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyspaceEventClasses.parse(bad));
            assertEquals("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.", e.getMessage());
        }
    }

    @Test
    void clientOutputBufferLimits_parseMergeAndGarbage() throws Exception {
        ClientOutputBufferLimits def = ClientOutputBufferLimits.parse(ClientOutputBufferLimits.DEFAULT);
        assertEquals(ClientOutputBufferLimits.DEFAULT, def.toString());
        assertEquals("normal 0 0 0 slave 268435456 67108864 60 pubsub 1000 2048 7",
                ClientOutputBufferLimits.parse("  PubSub 1k 2kb 7 ").over(def).toString());
        assertEquals(def, ClientOutputBufferLimits.parse("").over(def));
        for (String bad : new String[] {"pubsub 1 2", "x 1 2 3", "master 1 2 3", "pubsub -1 2 3", "pubsub 1 2 -3",
                "pubsub 1 2 3x", "pubsub 1mbb 2 3", "pubsub 1 2 99999999999999999999"}) {
            assertThrows(IllegalArgumentException.class, () -> ClientOutputBufferLimits.parse(bad), bad);
        }
        // a config file or flags name classes one group at a time, each over what came before
        ServerConfig c = ServerConfig.fromArgs("--client-output-buffer-limit", "pubsub 1mb 0 0",
                "--client_output_buffer_limit", "normal 5 6 7");
        assertEquals("normal 5 6 7 slave 268435456 67108864 60 pubsub 1048576 0 0", c.format(Option.CLIENT_OUTPUT_BUFFER_LIMIT));
    }
}
