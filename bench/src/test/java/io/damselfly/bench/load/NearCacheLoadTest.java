package io.damselfly.bench.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NearCacheLoadTest {
    private static final int KEYS = 2_000;

    @Test
    void run_preloadedKeys_everyGetAnsweredAndEveryRequestCounted() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().start()) {
            NearCacheLoad.Params p = NearCacheLoad.Params.defaults(server.host(), server.port(), KEYS)
                    .withConnections(4).withRequests(2_000, 10_000);
            Figures f = NearCacheLoad.run(p);
            System.out.println(f); // in the surefire report, for a look at the numbers
            assertEquals(10_000, f.get("requests"), f.toString());
            assertEquals(0, f.get("errors"), f.toString());
            assertEquals(0, f.get("nil GETs"), f.toString());
            assertTrue(f.get("ops/s") > 0, f.toString());
            assertTrue(f.get("GET p50 ms") > 0 && f.get("GET p50 ms") <= f.get("GET p90 ms")
                    && f.get("GET p90 ms") <= f.get("GET p99 ms"), f.toString());
            assertTrue(f.get("SET p50 ms") > 0 && f.get("SET p50 ms") <= f.get("SET p99 ms"), f.toString());
            try (RespSocket s = RespSocket.connect(server.host(), server.port())) {
                assertEquals(KEYS, s.callInteger("DBSIZE"), "preloaded every key, and SET no other");
            }
        }
    }

    @Test
    void run_noSets_setFiguresHaveNoValue() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().start()) {
            Figures f = NearCacheLoad.run(NearCacheLoad.Params.defaults(server.host(), server.port(), KEYS)
                    .withSetShare(0).withRequests(0, 3_000));
            assertEquals(3_000, f.get("requests"), f.toString());
            assertTrue(Double.isNaN(f.get("SET p50 ms")), f.toString());
        }
    }

    @Test
    void run_withoutPreload_getsOfMissingKeysCountedAsNil() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().start()) {
            Figures f = NearCacheLoad.run(NearCacheLoad.Params.defaults(server.host(), server.port(), KEYS)
                    .withPreload(false).withSetShare(0).withRequests(0, 1_000));
            assertEquals(1_000, f.get("nil GETs"), f.toString());
        }
    }

    /** Through the relay every request takes at least its round trip. */
    @Test
    void run_throughRelay_everyRequestTakesTheRoundTrip() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().start();
                LatencyRelay relay = LatencyRelay.start(server.host(), server.port(), LatencyRelay.DEFAULT_DELAY)) {
            Figures f = NearCacheLoad.run(NearCacheLoad.Params.defaults(relay.host(), relay.port(), KEYS)
                    .withConnections(4).withRequests(500, 2_000));
            System.out.println(relay + ": " + f);
            double roundTripMs = 2 * LatencyRelay.DEFAULT_DELAY.toNanos() / 1e6;
            assertTrue(f.get("GET p50 ms") >= roundTripMs, f.toString());
            assertTrue(f.get("SET p50 ms") >= roundTripMs, f.toString());
            assertEquals(2_000, f.get("requests"), f.toString());
        }
    }

    /** A phase ends at its time limit: far more requests than 300 ms at a 40 ms round trip allow. */
    @Test
    void run_timeLimit_endsThePhaseEarly() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().start();
                LatencyRelay relay = LatencyRelay.start(server.host(), server.port(), Duration.ofMillis(20))) {
            long t0 = System.nanoTime();
            Figures f = NearCacheLoad.run(NearCacheLoad.Params.defaults(relay.host(), relay.port(), 100)
                    .withConnections(2).withRequests(1_000_000, 1_000_000).withMaxPhase(Duration.ofMillis(300)));
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(f.get("requests") > 0 && f.get("requests") < 100, f.toString());
            assertTrue(tookMs < 5_000, "took " + tookMs + " ms");
        }
    }

    @Test
    void run_measuredPhase_toldWhenItStartsAndEnds() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().start()) {
            List<String> calls = new ArrayList<>();
            NearCacheLoad.run(NearCacheLoad.Params.defaults(server.host(), server.port(), KEYS).withRequests(100, 100),
                    new NearCacheLoad.MeasuredPhase() {
                        @Override
                        public void starting() throws IOException {
                            calls.add("starting");
                            try (RespSocket s = RespSocket.connect(server.host(), server.port())) {
                                assertEquals(KEYS, s.callInteger("DBSIZE"), "after the preload");
                            }
                        }

                        @Override
                        public void ended() {
                            calls.add("ended");
                        }
                    });
            assertEquals(List.of("starting", "ended"), calls);
        }
    }

    @Test
    void trace_sameSeedSameTrace_setShareHeld() {
        NearCacheLoad.Params p = NearCacheLoad.Params.defaults("127.0.0.1", 1, KEYS).withRequests(10_000, 90_000);
        NearCacheLoad.Trace a = NearCacheLoad.Trace.of(p);
        NearCacheLoad.Trace b = NearCacheLoad.Trace.of(p);
        assertArrayEquals(a.key(), b.key());
        assertArrayEquals(a.isSet(), b.isSet());
        long sets = 0;
        for (boolean s : a.isSet()) {
            sets += s ? 1 : 0;
        }
        assertEquals(0.05, sets / 100_000.0, 0.005);
        for (int k : a.key()) {
            assertTrue(k >= 0 && k < KEYS);
        }
    }

    @Test
    void params_outOfRange_refused() {
        NearCacheLoad.Params p = NearCacheLoad.Params.defaults("127.0.0.1", 1, KEYS);
        assertThrows(IllegalArgumentException.class, () -> p.withSetShare(1.5));
        assertThrows(IllegalArgumentException.class, () -> p.withSetShare(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> p.withConnections(0));
        assertThrows(IllegalArgumentException.class, () -> p.withRequests(0, 0));
        assertThrows(IllegalArgumentException.class, () -> p.withMaxPhase(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> NearCacheLoad.Params.defaults("127.0.0.1", 1, 0));
    }
}
