package io.damselfly.bench.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @Test
    void pollute_replacesAShareByOneOffKeysInSequence() {
        int[] trace = ZipfSampler.scrambledTrace(KEYS, 0.99, 100_000, 42);
        int[] clean = trace.clone();
        ZipfReadThrough.pollute(trace, KEYS, 0, 42);
        assertArrayEquals(clean, trace, "share 0 leaves the trace alone");
        ZipfReadThrough.pollute(trace, KEYS, 0.2, 42);
        int next = KEYS;
        int scanned = 0;
        for (int i = 0; i < trace.length; i++) {
            if (trace[i] >= KEYS) {
                assertEquals(next++, trace[i], "one-off keys come in sequence, each once");
                scanned++;
            } else {
                assertEquals(clean[i], trace[i], "the Zipf requests left are the same");
            }
        }
        assertTrue(scanned > 19_000 && scanned < 21_000, scanned + " of 100000 scanned");
        int[] again = clean.clone();
        ZipfReadThrough.pollute(again, KEYS, 0.2, 42);
        assertArrayEquals(trace, again, "the same seed gives both servers the same trace");
    }

    @Test
    void params_scanShareOutsideZeroToOne_refused() {
        ZipfReadThrough.Params p = ZipfReadThrough.Params.defaults("127.0.0.1", 1, KEYS);
        for (double bad : new double[] {-0.1, 1, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> p.withScanShare(bad), "scan share " + bad);
        }
        assertEquals(0.5, p.withScanShare(0.5).scanShare());
    }

    @Test
    void run_scanPolluted_countsOnlyTheZipfKeysInTheHitRatio() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().start()) {
            ZipfReadThrough.Params p = ZipfReadThrough.Params.defaults(server.host(), server.port(), KEYS)
                    .withRequests(KEYS, 10 * KEYS);
            double clean = ZipfReadThrough.run(p).get("hit ratio");
            Figures f = ZipfReadThrough.run(p.withScanShare(0.5));
            // no limit: every key stays, so the one-off keys take nothing from the Zipf keys (which
            // get half the requests, so first sightings weigh a little more); had the scan's GETs
            // been counted, all of them misses, the ratio would be under half the clean one
            double polluted = f.get("hit ratio");
            assertTrue(polluted > 0.8 && polluted <= clean, "clean " + clean + ", polluted " + polluted);
            assertEquals(0, f.get("errors"), f.toString());
        }
    }
}
