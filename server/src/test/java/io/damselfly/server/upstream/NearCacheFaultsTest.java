package io.damselfly.server.upstream;

import static io.damselfly.server.upstream.UpstreamFixture.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Upstream faults: killed and restarted under load (errors, never hangs, never a stale value
 * afterwards, recovery by itself), serve_stale, an upstream that is not there at all, an upstream
 * that refuses tracking, and damselfly in front of damselfly.
 */
class NearCacheFaultsTest {

    /** GET through a raw socket: the value, null, or "-" + the error text. */
    private static String get(RawClient c, String key) {
        RespValue v = c.call("GET", key);
        if (v instanceof RespValue.Error e) {
            return "-" + e.message();
        }
        return v instanceof RespValue.BulkString b ? b.asString() : null;
    }

    /** SHUTDOWN through the sidecar stops the sidecar, not the upstream other applications share. */
    @Test
    void shutdownStopsTheSidecarNotTheUpstream() throws Exception {
        try (UpstreamFixture f = new UpstreamFixture(Map.of())) {
            try (RawClient c = new RawClient("127.0.0.1", f.sidecar.port())) {
                c.send("SHUTDOWN", "NOSAVE");
            }
            assertTrue(within(10_000, () -> {
                try (java.net.Socket probe = new java.net.Socket("127.0.0.1", f.sidecar.port())) {
                    return false;
                } catch (java.io.IOException refused) {
                    return true;
                }
            }), "the sidecar stopped listening");
            assertEquals("PONG", f.upstream().ping());
        }
    }

    @Test
    void upstreamKilledAndRestarted_midLoad_errorsNotHangs_noStaleValueAfter() throws Exception {
        try (UpstreamFixture f = new UpstreamFixture(Map.of("upstream_timeout_ms", "500"))) {
            RedisCommands<String, String> up = f.upstream();
            for (int i = 0; i < 20; i++) {
                up.set("k" + i, "old");
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong errors = new AtomicLong();
            AtomicLong answered = new AtomicLong();
            AtomicReference<String> wrongError = new AtomicReference<>();
            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                readers.add(pool.submit(() -> {
                    while (!stop.get()) {
                        // a new connection now and then: a client that connects while the upstream is away
                        try (RawClient c = new RawClient("127.0.0.1", f.sidecar.port())) {
                            for (int i = 0; i < 50 && !stop.get(); i++) {
                                String v = get(c, "k" + (i % 20));
                                answered.incrementAndGet();
                                if (v != null && v.startsWith("-")) {
                                    errors.incrementAndGet();
                                    if (!v.startsWith("-ERR upstream unavailable: ")) {
                                        wrongError.set(v);
                                    }
                                }
                            }
                        }
                    }
                }));
            }
            assertTrue(within(5000, () -> answered.get() > 200));
            f.killRedis();
            long answeredAtKill = answered.get();
            // clients keep getting answers (errors) while it is away: the raw socket's 10 s
            // timeout would fail a reader that hangs
            Thread.sleep(700);
            assertTrue(answered.get() > answeredAtKill, "no answers while the upstream is away");
            f.startRedis();
            // the restarted upstream is empty: no old value may be served once it is back
            RedisCommands<String, String> up2 = f.upstream();
            up2.set("k0", "new");
            assertTrue(within(10_000, () -> {
                // several connections, so every event loop's upstream link is seen back (each
                // reconnects on its own; the checks below may land on any loop)
                for (int n = 0; n < 4; n++) {
                    try (RawClient c = new RawClient("127.0.0.1", f.sidecar.port())) {
                        if (!"new".equals(get(c, "k0")) || get(c, "k1") != null) {
                            return false;
                        }
                    }
                }
                return true;
            }), "service did not resume");
            stop.set(true);
            for (Future<?> r : readers) {
                r.get(20, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertTrue(errors.get() > 0, "no errors while the upstream was away");
            assertEquals(null, wrongError.get(), "an error other than the upstream-unavailable one");
            try (RawClient c = new RawClient("127.0.0.1", f.sidecar.port())) {
                for (int i = 1; i < 20; i++) {
                    assertEquals(null, get(c, "k" + i), "stale k" + i);
                }
                assertEquals("new", get(c, "k0"));
            }
            assertTrue(f.nearcache("tracking_losses") >= 1);
        }
    }

    @Test
    void serveStale_hitsKeepBeingServedWhileAway_flushedWhenBack() throws Exception {
        try (UpstreamFixture f = new UpstreamFixture(Map.of("serve_stale", "yes", "upstream_timeout_ms", "500"))) {
            RedisCommands<String, String> up = f.upstream();
            up.set("s", "cached");
            try (RawClient c = new RawClient("127.0.0.1", f.sidecar.port())) {
                assertEquals("cached", get(c, "s"));
                assertEquals("cached", get(c, "s"));
                f.killRedis();
                Thread.sleep(300);
                for (int i = 0; i < 20; i++) {
                    assertEquals("cached", get(c, "s"), "a hit while the upstream is away");
                }
                assertTrue(get(c, "never-read").startsWith("-ERR upstream unavailable: "));
                f.startRedis();
                // the new upstream has no "s": once tracking is back the stale copy is gone
                assertTrue(within(10_000, () -> get(c, "s") == null), "stale copy served after tracking came back");
            }
        }
    }

    @Test
    void noUpstreamAtAll_clearErrorsAtOnce() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (EmbeddedServer sidecar = EmbeddedServer.builder().option("upstream", "redis://127.0.0.1:" + port)
                .option("upstream_timeout_ms", "300").option("near_cache_maxmemory", "16mb").start();
                RawClient c = new RawClient("127.0.0.1", sidecar.port())) {
            for (int i = 0; i < 5; i++) {
                String g = get(c, "x");
                assertTrue(g.startsWith("-ERR upstream unavailable: "), g);
                RespValue set = c.call("SET", "x", "1");
                assertTrue(set instanceof RespValue.Error e && e.message().startsWith("ERR upstream unavailable: "));
            }
            // INFO nearcache is answered locally whatever the upstream does
            assertTrue(within(2000, () -> c.callText("INFO", "nearcache").contains("upstream_state:down")));
            // and GET /health says why
            assertTrue(sidecar.health().problem().startsWith("upstream unreachable: cannot connect to 127.0.0.1:" + port),
                    sidecar.health().problem());
        }
    }

    @Test
    void upstreamRefusingTracking_stillWorks_boundedByNearCacheTtl() throws Exception {
        try (UpstreamFixture f = new UpstreamFixture(Map.of("near_cache_ttl", "200"), "--rename-command", "CLIENT", "")) {
            RedisCommands<String, String> up = f.upstream();
            up.set("t", "v1");
            RedisCommands<String, String> side = f.sidecar();
            assertEquals("v1", side.get("t"));
            assertTrue(within(2000, () -> "v1".equals(side.get("t")) && f.nearcache("hits") > 0), "no local hit");
            up.set("t", "v2");
            // no invalidation comes: the local copy lives near_cache_ttl at most
            long changed = System.nanoTime();
            assertTrue(within(1000, () -> "v2".equals(side.get("t"))));
            long took = (System.nanoTime() - changed) / 1_000_000;
            assertTrue(took <= 400, "stale for " + took + " ms, near_cache_ttl is 200");
            try (RawClient c = new RawClient("127.0.0.1", f.sidecar.port())) {
                assertTrue(c.callText("INFO", "nearcache").contains("tracking:refused"));
            }
            // writes through the sidecar are still read back at once
            side.set("t", "v3");
            assertEquals("v3", side.get("t"));
        }
    }

    @Test
    void upstreamWithoutHello_trackingFallsBackToResp2_boundedByTtl() throws Exception {
        // a Redis before 6 has no HELLO: the tracking connection logs in with RESP2 and does without
        try (UpstreamFixture f = new UpstreamFixture(Map.of("near_cache_ttl", "200"), "--rename-command", "HELLO", "");
                RawClient c = new RawClient("127.0.0.1", f.sidecar.port())) {
            f.upstream().set("k", "v1");
            assertTrue(within(2000, () -> get(c, "k").equals("v1") && f.nearcache("hits") > 0), "no local hit");
            assertTrue(c.callText("INFO", "nearcache").contains("tracking:refused"));
            f.upstream().set("k", "v2");
            assertTrue(within(1000, () -> "v2".equals(get(c, "k"))));
            assertEquals("+OK", c.callText("SET", "k", "v3"));
            assertEquals("v3", get(c, "k"));
        }
    }

    @Test
    void untracked_ownWritesDropTheCopy_evenOfCommandsDamselflyDoesNotImplement() throws Exception {
        // without tracking and with a long near_cache_ttl only the local drop can make these pass
        try (UpstreamFixture f = new UpstreamFixture(Map.of("near_cache_ttl", "60000"), "--rename-command", "CLIENT", "")) {
            RedisCommands<String, String> side = f.sidecar();
            side.set("b", "");
            assertTrue(within(2000, () -> "".equals(side.get("b")) && f.nearcache("hits") > 0), "no local hit");
            side.setbit("b", 7, 1);
            assertEquals("\u0001", side.get("b"));
            side.hset("h", "f", "1");
            assertEquals("1", side.hget("h", "f"));
            assertEquals("1", side.hget("h", "f"));
            side.hincrbyfloat("h", "f", 0.5);
            assertEquals("1.5", side.hget("h", "f"));
            side.pfadd("hll", "a");
            assertEquals("string", side.type("hll"));
            side.sadd("s1", "a");
            assertEquals(1L, side.scard("s2") + 1);
            side.smove("s1", "s2", "a");
            assertEquals(1L, side.scard("s2"));
            assertEquals(0L, side.scard("s1"));
        }
    }

    @Test
    void damselflyInFrontOfDamselfly() throws Exception {
        try (EmbeddedServer origin = EmbeddedServer.builder().start();
                EmbeddedServer sidecar = EmbeddedServer.builder().upstream("redis://127.0.0.1:" + origin.port())
                        .option("near_cache_maxmemory", "16mb").start();
                RawClient direct = new RawClient("127.0.0.1", origin.port());
                RawClient through = new RawClient("127.0.0.1", sidecar.port())) {
            direct.call("SET", "d", "1");
            direct.call("HSET", "dh", "f", "v");
            assertEquals("1", get(through, "d"));
            assertEquals("1", get(through, "d"));
            assertEquals("$v", through.callText("HGET", "dh", "f"));
            direct.call("SET", "d", "2");
            assertTrue(within(100, () -> "2".equals(get(through, "d"))), "damselfly's own tracking did not invalidate");
            direct.call("HSET", "dh", "f", "w");
            assertTrue(within(100, () -> through.callText("HGET", "dh", "f").equals("$w")));
            through.call("SET", "d", "3");
            assertEquals("3", get(through, "d"));
            assertEquals("3", get(direct, "d"));
            assertTrue(through.callText("INFO", "nearcache").contains("tracking:on"));
        }
    }
}
