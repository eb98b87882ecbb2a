package io.damselfly.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import org.junit.jupiter.api.Test;

class ZipfReadThroughTest {
    private static final int KEYS = 2_000;

    @Test
    void run_keyspaceThatFits_mostGetsHit() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().start()) {
            Figures f = ZipfReadThrough.run(ZipfReadThrough.Params.defaults(server.host(), server.port(), KEYS)
                    .withRequests(KEYS, 10 * KEYS));
            System.out.println(f); // in the surefire report, for a look at the numbers
            double hitRatio = f.get("hit ratio");
            // every key seen once stays: only first sightings miss, and the warm-up took the hottest
            assertTrue(hitRatio > 0.7 && hitRatio < 1, "hit ratio " + hitRatio);
            assertTrue(f.get("ops/s") > 0, f.toString());
            assertEquals(0, f.get("errors"), f.toString());
            assertEquals(0, f.get("warm-up errors"), f.toString());
        }
    }

    @Test
    void run_sameSeedSameHitRatioOnOneConnection() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().start()) {
            ZipfReadThrough.Params p = ZipfReadThrough.Params.defaults(server.host(), server.port(), KEYS)
                    .withConnections(1).withRequests(KEYS, 4 * KEYS);
            // flushed first, one connection, same trace: the same hits exactly
            assertEquals(ZipfReadThrough.run(p).get("hit ratio"), ZipfReadThrough.run(p).get("hit ratio"));
        }
    }

    @Test
    void run_oomOnSet_countedAsErrorsAndCarriesOn() throws Exception {
        // about 200 keys' worth: until eviction lands, and under noeviction after, SETs get -OOM
        try (EmbeddedServer server = EmbeddedServer.builder().option("maxmemory", "40kb").start()) {
            Figures f = ZipfReadThrough.run(ZipfReadThrough.Params.defaults(server.host(), server.port(), KEYS)
                    .withRequests(KEYS, 5 * KEYS));
            System.out.println(f); // in the surefire report, for a look at the numbers
            assertTrue(f.get("errors") > 0, f.toString());
            double hitRatio = f.get("hit ratio");
            assertTrue(hitRatio > 0 && hitRatio < 0.9, "hit ratio " + hitRatio);
            assertTrue(f.get("ops/s") > 0, f.toString());
        }
    }
}
