package io.damselfly.server.upstream;

import static io.damselfly.server.upstream.UpstreamFixture.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.testing.RawClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An upstream busy with a long command (a script, DEBUG SLEEP) longer than a short
 * upstream_timeout_ms: the long command's client gets redis-server's reply, other clients relayed
 * meanwhile (on the very same pooled connection: one I/O thread, one pooled connection) wait and
 * are answered, hits are served without waiting, the local copies stay; SCRIPT KILL through the
 * sidecar reaches the upstream. An upstream that is gone is still reported.
 */
class NearCacheSlowUpstreamTest {
    /** One I/O thread and one pooled connection: every relayed request shares the slow one's connection. */
    private static final Map<String, String> SHARED = Map.of("upstream_timeout_ms", "300", "conn_io_threads", "1",
            "upstream_connections", "1");

    /** A sidecar with {@link #SHARED}'s settings whose upstream is reached through {@code proxy}. */
    private static UpstreamFixture behind(FreezingProxy proxy) throws Exception {
        Map<String, String> options = new java.util.HashMap<>(SHARED);
        options.put("upstream", "redis://127.0.0.1:" + proxy.port());
        return new UpstreamFixture(options);
    }

    /** A script busy for {@code ms} milliseconds by the server's clock; returns "slow done". */
    private static String busyScript(int ms) {
        return "local s = redis.call('TIME') local t0 = s[1] * 1000000 + s[2] "
                + "while true do local n = redis.call('TIME') "
                + "if n[1] * 1000000 + n[2] - t0 > " + ms * 1000 + " then break end end return 'slow done'";
    }

    /**
     * While {@code slow} runs on its own client, four other clients loop SET, INCR and GET (misses
     * and writes, all going upstream) through the sidecar and a fifth reads a cached key: every
     * reply is right, none an error. With {@code keepsCopies} (a command that does not flush the
     * local copies as it passes: EVAL does, its keys being unknown to the sidecar), a cached key
     * is read meanwhile without waiting, and is still cached after. Answers the slow client's reply.
     */
    private static RespValue othersServedWhile(UpstreamFixture f, boolean keepsCopies, Object... slow) throws Exception {
        f.upstream().set("cached", "c");
        try (RawClient reader = new RawClient("127.0.0.1", f.sidecar.port())) {
            assertEquals("$c", reader.callText("GET", "cached"));
            assertTrue(within(2000, () -> reader.callText("GET", "cached").equals("$c") && f.nearcache("hits") > 0));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try (RawClient slowClient = new RawClient("127.0.0.1", f.sidecar.port())) {
            long lossesBefore = f.nearcache("tracking_losses");
            Future<RespValue> slowReply = pool.submit(() -> slowClient.call(slow));
            Thread.sleep(50);
            AtomicBoolean stop = new AtomicBoolean();
            List<String> wrong = new CopyOnWriteArrayList<>();
            List<Future<Integer>> others = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int id = w;
                others.add(pool.submit(() -> {
                    int rounds = 0;
                    try (RawClient c = new RawClient("127.0.0.1", f.sidecar.port())) {
                        while (!stop.get()) {
                            String key = "w" + id + ":" + rounds;
                            check(wrong, "+OK", c.callText("SET", key, "v" + rounds));
                            check(wrong, ":" + (rounds + 1), c.callText("INCR", "n" + id));
                            check(wrong, "$v" + rounds, c.callText("GET", key));
                            check(wrong, "(nil)", c.callText("GET", "absent" + id + ":" + rounds));
                            rounds++;
                        }
                    }
                    return rounds;
                }));
            }
            if (keepsCopies) {
                // a hit needs no upstream: answered while the slow command still runs
                try (RawClient hit = new RawClient("127.0.0.1", f.sidecar.port())) {
                    assertEquals("$c", hit.callText("GET", "cached"));
                }
                assertFalse(slowReply.isDone(), "the slow command ended before the hit was answered");
            }
            RespValue reply = slowReply.get(8, TimeUnit.SECONDS);
            Thread.sleep(100);
            stop.set(true);
            int rounds = 0;
            for (Future<Integer> o : others) {
                rounds += o.get(8, TimeUnit.SECONDS);
            }
            assertEquals(List.of(), wrong, "other clients got wrong replies");
            assertTrue(rounds >= 4, "other clients made no progress: " + rounds);
            assertEquals(lossesBefore, f.nearcache("tracking_losses"), "the tracking connection was dropped");
            if (keepsCopies) {
                try (RawClient after = new RawClient("127.0.0.1", f.sidecar.port())) {
                    long hits = f.nearcache("hits");
                    assertEquals("$c", after.callText("GET", "cached"));
                    assertEquals(hits + 1, f.nearcache("hits"), "the local copy was flushed");
                }
            }
            assertNull(f.sidecar.health().problem());
            return reply;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void check(List<String> wrong, String expected, String got) {
        if (!expected.equals(got)) {
            wrong.add(expected + " -> " + got);
        }
    }

    @Test
    @Timeout(20)
    void slowScript_longerThanTheTimeout_othersAnswered_slowOneGetsTheResult() throws Exception {
        try (UpstreamFixture f = new UpstreamFixture(SHARED)) {
            RespValue reply = othersServedWhile(f, false, "EVAL", busyScript(1500), "0");
            assertEquals("$slow done", RawClient.render(reply));
        }
    }

    @Test
    @Timeout(20)
    void debugSleep_longerThanTheTimeout_othersAnswered_sleeperGetsOk() throws Exception {
        try (UpstreamFixture f = new UpstreamFixture(SHARED, "--enable-debug-command", "yes")) {
            RespValue reply = othersServedWhile(f, true, "DEBUG", "SLEEP", "1.5");
            assertEquals("+OK", RawClient.render(reply));
        }
    }

    /**
     * On {@code port}: a script that never ends, another client's PING while it runs (-BUSY once
     * busy-reply-threshold has passed), that client's SCRIPT KILL, the script's client's reply.
     * Answers the busy PING's and the script's replies.
     */
    private static List<String> killedScript(int port) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (RawClient runner = new RawClient("127.0.0.1", port); RawClient other = new RawClient("127.0.0.1", port)) {
            Future<RespValue> killed = pool.submit(() -> runner.call("EVAL", "while true do end", "0"));
            String[] busy = new String[1];
            // PONG until the script has run past the threshold; through the sidecar the PING shares
            // the pooled connection the script would have been sent on
            assertTrue(within(5000, () -> (busy[0] = other.callText("PING")).startsWith("-BUSY")), "no -BUSY: " + busy[0]);
            assertFalse(killed.isDone());
            assertEquals("+OK", other.callText("SCRIPT", "KILL"));
            RespValue reply = killed.get(5, TimeUnit.SECONDS);
            assertEquals("+PONG", other.callText("PING"));
            return List.of(busy[0], RawClient.render(reply));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(30)
    void scriptKill_fromAnotherClient_reachesTheUpstream_theScriptsClientGetsRedisError() throws Exception {
        try (UpstreamFixture f = new UpstreamFixture(SHARED)) {
            f.upstream().configSet("busy-reply-threshold", "200");
            List<String> direct = killedScript(f.redisPort);
            assertTrue(direct.get(1).contains("Script killed by user with SCRIPT KILL"), direct.get(1));
            List<String> through = killedScript(f.sidecar.port());
            assertEquals(direct, through);
            // other clients go on, the local copies too
            try (RawClient c = new RawClient("127.0.0.1", f.sidecar.port())) {
                assertEquals("+OK", c.callText("SET", "after", "1"));
                assertEquals("$1", c.callText("GET", "after"));
                assertEquals("-NOTBUSY No scripts in execution right now.", c.callText("SCRIPT", "KILL"));
            }
            assertEquals(0, f.nearcache("tracking_losses"));
        }
    }

    /**
     * The tracking connection reconnects while a script runs past busy-reply-threshold: Redis then
     * answers its CLIENT TRACKING ON with -BUSY, which is "not now", not a refusal: tracking is on
     * again once the script is gone.
     */
    @Test
    @Timeout(20)
    void trackingRefusedWithBusy_isAskedAgain() throws Exception {
        try (UpstreamFixture f = new UpstreamFixture(SHARED);
                RawClient admin = new RawClient("127.0.0.1", f.redisPort);
                RawClient runner = new RawClient("127.0.0.1", f.redisPort)) {
            assertTrue(within(3000, () -> f.nearcache("tracking_connections") == 1));
            admin.call("CONFIG", "SET", "busy-reply-threshold", "100");
            // the sidecar's tracking connection goes, then a script holds the upstream while it comes back
            admin.call("CLIENT", "KILL", "ID", trackingId(admin));
            runner.send("EVAL", "while true do end", "0");
            Thread.sleep(600);
            assertEquals("+OK", admin.callText("SCRIPT", "KILL"));
            String killed = RawClient.render(runner.read());
            assertTrue(killed.contains("Script killed by user with SCRIPT KILL"), killed);
            assertTrue(within(5000, () -> f.nearcache("tracking_connections") == 1), "tracking not back");
            try (RawClient c = new RawClient("127.0.0.1", f.sidecar.port())) {
                assertTrue(c.callText("INFO", "nearcache").contains("tracking:on"));
            }
        }
    }

    /** The id of the upstream client that has tracking on (the sidecar's one tracking connection). */
    private static String trackingId(RawClient admin) {
        for (String line : admin.callText("CLIENT", "LIST").substring(1).split("\n")) {
            if (line.contains(" flags=t ")) {
                return line.substring(3, line.indexOf(' '));
            }
        }
        throw new AssertionError("no tracking client upstream");
    }

    /** A pipelined mix of scripts and other commands: the same replies, in order, as from redis-server. */
    @Test
    @Timeout(20)
    void scriptsOnTheirOwnConnection_keepTheClientsOrder() throws Exception {
        try (UpstreamFixture f = new UpstreamFixture(SHARED)) {
            String incr = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
            String get = "return redis.call('GET', KEYS[1])";
            List<Object[]> batch = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                batch.add(new Object[] {"SET", "o", "10"});
                batch.add(new Object[] {"EVAL", incr, "1", "o", "5"});
                batch.add(new Object[] {"EVAL", incr, "1", "o", "1"});
                batch.add(new Object[] {"GET", "o"});
                batch.add(new Object[] {"INCR", "o"});
                batch.add(new Object[] {"EVAL_RO", get, "1", "o"});
                batch.add(new Object[] {"APPEND", "o", "x"});
                batch.add(new Object[] {"EVAL", get, "1", "o"});
                batch.add(new Object[] {"EVALSHA", "0000000000000000000000000000000000000000", "0"});
                batch.add(new Object[] {"GET", "o"});
                batch.add(new Object[] {"DEL", "o"});
            }
            List<String> direct = pipelined(f.redisPort, batch);
            List<String> through = pipelined(f.sidecar.port(), batch);
            assertEquals(direct, through);
            assertEquals(List.of("+OK", ":15", ":16", "$16", ":17", "$17", ":3", "$17x"), direct.subList(0, 8));
        }
    }

    private static List<String> pipelined(int port, List<Object[]> batch) {
        try (RawClient c = new RawClient("127.0.0.1", port)) {
            c.sendRaw(RawClient.encodeAll(batch));
            List<String> replies = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                replies.add(RawClient.render(c.read()));
            }
            return replies;
        }
    }

    @Test
    @Timeout(20)
    void upstreamKilledDuringASlowCommand_waitersGetTheErrorAtOnce() throws Exception {
        try (UpstreamFixture f = new UpstreamFixture(SHARED, "--enable-debug-command", "yes")) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try (RawClient sleeper = new RawClient("127.0.0.1", f.sidecar.port());
                    RawClient other = new RawClient("127.0.0.1", f.sidecar.port())) {
                Future<String> slept = pool.submit(() -> sleeper.callText("DEBUG", "SLEEP", "8"));
                Thread.sleep(100);
                Future<String> set = pool.submit(() -> other.callText("SET", "k", "v"));
                // well past the timeout: both wait for the busy upstream
                Thread.sleep(700);
                assertFalse(slept.isDone());
                assertFalse(set.isDone());
                long killed = System.nanoTime();
                f.killRedis();
                assertTrue(slept.get(3, TimeUnit.SECONDS).startsWith("-ERR upstream unavailable: "), slept.get());
                assertTrue(set.get(3, TimeUnit.SECONDS).startsWith("-ERR upstream unavailable: "), set.get());
                assertTrue(System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(2), "the loss was not noticed at once");
                assertTrue(within(3000, () -> f.sidecar.health().problem() != null), "GET /health still says healthy");
                assertTrue(other.callText("GET", "k").startsWith("-ERR upstream unavailable: "));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    @Timeout(20)
    void upstreamSilentAndNotAcceptingConnections_isReportedAfterTheTimeout() throws Exception {
        try (FreezingProxy proxy = new FreezingProxy(0);
                UpstreamFixture f = behind(proxy)) {
            proxy.target(f.redisPort);
            try (RawClient c = new RawClient("127.0.0.1", f.sidecar.port())) {
                assertTrue(within(5000, () -> c.callText("SET", "k", "v").equals("+OK")));
                assertEquals("$v", c.callText("GET", "k"));
                // the upstream's host goes silent: established connections hear nothing, new ones are refused
                proxy.freeze();
                long frozen = System.nanoTime();
                String set = c.callText("SET", "k2", "v2");
                long tookMillis = (System.nanoTime() - frozen) / 1_000_000;
                assertTrue(set.startsWith("-ERR upstream unavailable: timeout after 300 ms (a new connection failed: "), set);
                assertTrue(tookMillis >= 300 && tookMillis < 3000, "reported after " + tookMillis + " ms");
                String miss = c.callText("GET", "never-cached");
                assertTrue(miss.startsWith("-ERR upstream unavailable: "), miss);
                assertTrue(within(3000, () -> f.sidecar.health().problem() != null), "GET /health still says healthy");
            }
        }
    }

    /** A pooled connection that never heard a byte (no login steps) whose first request meets a gone upstream. */
    @Test
    @Timeout(20)
    void freshConnectionSilentFromItsFirstRequest_upstreamGone_isReported() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (FreezingProxy proxy = new FreezingProxy(0);
                UpstreamFixture f = behind(proxy);
                RawClient c = new RawClient("127.0.0.1", f.sidecar.port())) {
            proxy.target(f.redisPort);
            assertTrue(within(5000, () -> f.nearcache("tracking_connections") == 1));
            // the pooled connection opens at the first relayed request: accepted, then nothing
            proxy.freezeNew();
            Future<String> set = pool.submit(() -> c.callText("SET", "k", "v"));
            Thread.sleep(100);
            proxy.freeze();
            String reply = set.get(5, TimeUnit.SECONDS);
            assertTrue(reply.startsWith("-ERR upstream unavailable: timeout after 300 ms (a new connection failed: "), reply);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(20)
    void connectionSilentWhileTheUpstreamAnswersOthers_isClosedAndReplaced() throws Exception {
        try (FreezingProxy proxy = new FreezingProxy(0);
                UpstreamFixture f = behind(proxy)) {
            proxy.target(f.redisPort);
            try (RawClient c = new RawClient("127.0.0.1", f.sidecar.port())) {
                assertTrue(within(5000, () -> c.callText("SET", "k", "v").equals("+OK")));
                // the sidecar's connections go silent (a middlebox lost them); the upstream is fine
                proxy.freezeExisting();
                String set = c.callText("SET", "k2", "v2");
                assertEquals("-ERR upstream unavailable: timeout after 300 ms (the upstream answers a new connection,"
                        + " not this one)", set);
                // new connections replace them
                assertTrue(within(5000, () -> c.callText("SET", "k3", "v3").equals("+OK")), "no recovery");
                assertTrue(within(5000, () -> c.callText("GET", "k3").equals("$v3")), "no recovery of reads");
                assertEquals("v3", f.upstream().get("k3"));
            }
        }
    }

    /**
     * A TCP relay to the upstream that can freeze: it then stops relaying in both directions on
     * the connections it holds and closes its listening socket, so new connections are refused,
     * as a host that went away behind a connection tracker would behave; or it freezes only the
     * connections it holds, as a middlebox that lost their state.
     */
    private static final class FreezingProxy implements AutoCloseable {
        private final ServerSocket listener;
        private volatile int target;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final List<AtomicBoolean> frozen = new CopyOnWriteArrayList<>();
        private volatile boolean newOnesFrozen;

        FreezingProxy(int target) throws IOException {
            this.target = target;
            listener = new ServerSocket(0);
            Thread accept = new Thread(() -> {
                while (!listener.isClosed()) {
                    Socket in;
                    try {
                        in = listener.accept();
                    } catch (IOException closed) {
                        return;
                    }
                    try {
                        Socket out = new Socket("127.0.0.1", this.target);
                        sockets.add(in);
                        sockets.add(out);
                        AtomicBoolean pairFrozen = new AtomicBoolean(newOnesFrozen);
                        frozen.add(pairFrozen);
                        pump(in, out, pairFrozen);
                        pump(out, in, pairFrozen);
                    } catch (IOException e) {
                        // no target yet, or it refused: the client's connection is dropped
                        try {
                            in.close();
                        } catch (IOException ignored) {
                            // closing anyway
                        }
                    }
                }
            }, "freezing-proxy-accept");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        void target(int port) {
            target = port;
        }

        private void pump(Socket from, Socket to, AtomicBoolean pairFrozen) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16384];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        if (!pairFrozen.get()) {
                            out.write(buf, 0, n);
                            out.flush();
                        }
                    }
                } catch (IOException e) {
                    // one side closed
                }
            }, "freezing-proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        void freeze() throws IOException {
            listener.close();
            freezeExisting();
        }

        /** Connections accepted from now on relay nothing. */
        void freezeNew() {
            newOnesFrozen = true;
        }

        void freezeExisting() {
            frozen.forEach(b -> b.set(true));
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
