package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * max_eviction_per_heartbeat: after CONFIG SET lowers maxmemory under a full cache, with no
 * command arriving (so no eviction before a command), the background tick alone brings the
 * keyspace down, at most the configured number of keys per tick, until it fits.
 */
class HeartbeatEvictionTest {
    private static final int BOUND = 20;
    private static final int TICK_MILLIS = 100;

    @Test
    void loweredMaxmemory_reachedByBoundedTicks() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().option("cache_mode", "true").option("hz", "10")
                .option("max_eviction_per_heartbeat", String.valueOf(BOUND)).start();
                RawClient c = new RawClient(server.host(), server.port())) {
            Keyspace ks = server.keyspace();
            fill(c, 0, 1000);
            long limit = ks.usedMemory();
            fill(c, 1000, 2000);
            assertEquals(2000, ks.size(0));
            assertEquals("+OK", c.callText("CONFIG", "SET", "maxmemory", String.valueOf(limit)));
            // from here on no command: only the tick evicts
            List<long[]> seen = new ArrayList<>();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (ks.memoryEstimate() > limit && System.nanoTime() < deadline) {
                seen.add(new long[] {System.nanoTime(), ks.size(0)});
                Thread.sleep(10);
            }
            seen.add(new long[] {System.nanoTime(), ks.size(0)});
            assertTrue(ks.memoryEstimate() <= limit, "memory reached the lowered limit by background ticks alone");
            long evicted = 2000 - ks.size(0);
            assertTrue(evicted >= 900, "about 1000 keys went: " + evicted);
            long elapsedMillis = (seen.get(seen.size() - 1)[0] - seen.get(0)[0]) / 1_000_000;
            // 1000 keys at 20 a tick take at least 50 ticks: no tick evicted more than its bound
            assertTrue(elapsedMillis >= (evicted / BOUND - 2) * TICK_MILLIS,
                    evicted + " keys in " + elapsedMillis + " ms: more than " + BOUND + " per " + TICK_MILLIS + " ms tick");
            int full = 0;
            for (int i = 1; i < seen.size(); i++) {
                long gap = (seen.get(i)[0] - seen.get(i - 1)[0]) / 1_000_000;
                long drop = seen.get(i - 1)[1] - seen.get(i)[1];
                if (gap < TICK_MILLIS * 9 / 10) {
                    // at most one tick fits in a gap shorter than the tick period
                    assertTrue(drop <= BOUND, drop + " keys evicted within " + gap + " ms");
                }
                full += drop == BOUND ? 1 : 0;
            }
            assertTrue(full >= 10, "ticks evict their full bound while over the limit: " + full);
        }
    }

    private static void fill(RawClient c, int from, int to) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            all.writeBytes(RawClient.encode("SET", "key:" + i, "v".repeat(100)));
        }
        c.sendRaw(all.toByteArray());
        for (int i = from; i < to; i++) {
            assertEquals("+OK", RawClient.render(c.read()));
        }
    }
}
