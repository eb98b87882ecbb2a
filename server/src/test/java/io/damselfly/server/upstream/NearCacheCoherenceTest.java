package io.damselfly.server.upstream;

import static io.damselfly.server.upstream.UpstreamFixture.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sidecar against a real redis-server: another client's writes straight to the upstream stop
 * being visible through damselfly within 100 ms, for every kind of change; hits do not reach the
 * upstream; a client reads its own writes; concurrent writers and readers end equal.
 */
class NearCacheCoherenceTest {
    private static UpstreamFixture f;
    private static RedisCommands<String, String> up;
    private static RedisCommands<String, String> side;

    @BeforeAll
    static void start() throws Exception {
        f = new UpstreamFixture(Map.of());
        up = f.upstream();
        side = f.sidecar();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @BeforeEach
    void empty() {
        f.flushBoth();
    }

    /** Reads through the sidecar until it sees what {@code expected} says, at most 100 ms. */
    private static void seenWithin100ms(String what, java.util.function.BooleanSupplier expected) {
        assertTrue(within(100, expected), what + " not visible through the sidecar within 100 ms");
    }

    @Test
    void get_writeStraightToUpstream_invisibleWithin100ms() {
        up.set("k", "v1");
        assertEquals("v1", side.get("k"));
        assertEquals("v1", side.get("k"));
        up.set("k", "v2");
        seenWithin100ms("SET", () -> "v2".equals(side.get("k")));
        up.del("k");
        seenWithin100ms("DEL", () -> side.get("k") == null);
        // a missing key is cached as missing, and its creation is seen too
        assertNull(side.get("k"));
        up.set("k", "v3");
        seenWithin100ms("SET of a key read as missing", () -> "v3".equals(side.get("k")));
    }

    @Test
    void expire_upstreamTtl_isTheLocalBound() {
        up.set("e", "v");
        up.pexpire("e", 300);
        assertEquals("v", side.get("e"));
        long ttl = side.pttl("e");
        assertTrue(ttl > 0 && ttl <= 300, "PTTL through the sidecar " + ttl);
        assertTrue(within(1000, () -> up.get("e") == null));
        seenWithin100ms("expiry", () -> side.get("e") == null);
        // an EXPIRE straight upstream on a cached key invalidates it as well
        up.set("e2", "v");
        assertEquals("v", side.get("e2"));
        up.pexpire("e2", 1);
        seenWithin100ms("EXPIRE", () -> side.get("e2") == null);
    }

    @Test
    void flushall_straightToUpstream_flushesLocally() {
        up.set("a", "1");
        up.hset("h", "f", "v");
        assertEquals("1", side.get("a"));
        assertEquals("v", side.hget("h", "f"));
        up.flushall();
        seenWithin100ms("FLUSHALL", () -> side.get("a") == null && side.hget("h", "f") == null);
    }

    @Test
    void hashAndList_changesStraightToUpstream_invisibleWithin100ms() {
        up.hset("h", Map.of("a", "1", "b", "2"));
        assertEquals(Map.of("a", "1", "b", "2"), side.hgetall("h"));
        assertEquals(2L, side.hlen("h"));
        up.hset("h", "c", "3");
        seenWithin100ms("HSET", () -> side.hlen("h") == 3 && "3".equals(side.hget("h", "c")));
        up.hdel("h", "a");
        seenWithin100ms("HDEL", () -> !side.hexists("h", "a"));

        up.rpush("l", "x", "y");
        assertEquals(List.of("x", "y"), side.lrange("l", 0, -1));
        up.lpush("l", "w");
        seenWithin100ms("LPUSH", () -> side.lrange("l", 0, -1).equals(List.of("w", "x", "y")));
        up.lpop("l");
        seenWithin100ms("LPOP", () -> side.llen("l") == 2);
    }

    @Test
    void hits_doNotReachTheUpstream() {
        up.set("hot", "value");
        up.configResetstat();
        long hitsBefore = f.nearcache("hits");
        RedisCommands<String, String> reader = f.sidecar();
        for (int i = 0; i < 200; i++) {
            assertEquals("value", reader.get("hot"));
        }
        assertEquals(0, f.upstreamCalls("get"), "GETs reached the upstream");
        assertTrue(f.upstreamCalls("dump") <= 2, "more than one fetch per tracking connection");
        assertTrue(f.nearcache("hits") - hitsBefore >= 198);
        // per client in CLIENT LIST (answered by damselfly): this reader's own line
        String id = Long.toString(reader.clientId());
        String line = java.util.Arrays.stream(reader.clientList().split("\n")).filter(l -> l.startsWith("id=" + id + " "))
                .findFirst().orElseThrow();
        java.util.regex.Matcher own = java.util.regex.Pattern.compile(" nc-hits=(\\d+) nc-misses=(\\d+) nc-relayed=\\d+ nc-pipe=0").matcher(line);
        assertTrue(own.find(), line);
        assertTrue(Long.parseLong(own.group(1)) >= 198, line);
        // MGET of cached keys is a hit too; of a new key, fetches only that one
        up.set("other", "o");
        assertEquals("value", reader.mget("hot", "other").get(0).getValue());
        assertEquals("o", reader.mget("hot", "other").get(1).getValue());
        assertEquals(0, f.upstreamCalls("mget"));
        // the same figures on /metrics (HTTP on the main port)
        try (java.net.Socket http = new java.net.Socket("127.0.0.1", f.sidecar.port())) {
            http.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes());
            String metrics = new String(http.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\nredis_nearcache_hits (\\S+)").matcher(metrics);
            assertTrue(m.find(), metrics);
            assertTrue(Double.parseDouble(m.group(1)) >= 198, m.group(1));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void concurrentMisses_fetchOncePerKey() throws Exception {
        int clients = 16;
        List<RedisCommands<String, String>> readers = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            readers.add(f.sidecar());
        }
        // every I/O thread's tracking connection is up (a loop's first client opens it)
        assertTrue(within(2000, () -> f.nearcache("tracking_connections") == 2));
        for (int round = 0; round < 5; round++) {
            String key = "flight" + round;
            up.set(key, "v" + round);
            up.configResetstat();
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(clients);
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<String>> got = new ArrayList<>();
            for (RedisCommands<String, String> r : readers) {
                got.add(pool.submit(() -> {
                    start.await();
                    return r.get(key);
                }));
            }
            for (Future<String> g : got) {
                assertEquals("v" + round, g.get(10, TimeUnit.SECONDS));
            }
            pool.shutdown();
            assertEquals(1, f.upstreamCalls("dump"), "fetches of one key asked by " + clients + " clients at once");
            assertEquals(0, f.upstreamCalls("get"));
        }
    }

    @Test
    void ownWrites_areReadBackAtOnce() {
        RedisCommands<String, String> c = f.sidecar();
        for (int i = 0; i < 300; i++) {
            c.set("mine", "v" + i);
            assertEquals("v" + i, c.get("mine"));
            assertEquals("v" + i, c.get("mine"));
        }
        c.hset("mh", "f", "1");
        assertEquals("1", c.hget("mh", "f"));
        c.hincrby("mh", "f", 5);
        assertEquals("6", c.hget("mh", "f"));
        c.rpush("ml", "a");
        assertEquals(1L, c.llen("ml"));
        c.rpush("ml", "b");
        assertEquals(List.of("a", "b"), c.lrange("ml", 0, -1));
        c.flushdb();
        assertNull(c.get("mine"));
    }

    @Test
    void ownWrites_ofCommandsOnlyRelayed_dropTheCopyToo() {
        RedisCommands<String, String> c = f.sidecar();
        c.set("bits", "");
        for (int i = 0; i < 200; i++) {
            assertEquals(i == 0 ? 0L : 1L, (long) c.strlen("bits"));
            // SETBIT is relayed to the upstream, never run on the copy: Redis's key specs name its key
            c.setbit("bits", 7, i % 2);
            assertEquals(i % 2 == 1 ? "\u0001" : "\u0000", c.get("bits"));
        }
        c.xadd("stream", Map.of("f", "v"));
        assertEquals("stream", c.type("stream"));
        c.del("stream");
        assertEquals("none", c.type("stream"));
    }

    @Test
    void race_writersStraightToUpstream_readersThroughSidecar_endEqual() throws Exception {
        int keys = 50;
        int writers = 3;
        int readers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers + readers);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> tasks = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int seed = w;
            RedisCommands<String, String> c = f.upstream();
            tasks.add(pool.submit(() -> {
                Random r = new Random(seed);
                for (int i = 0; i < 3000 && !stop.get(); i++) {
                    String k = "r" + r.nextInt(keys);
                    switch (r.nextInt(4)) {
                        case 0 -> c.del(k);
                        case 1 -> c.append(k, "x");
                        default -> c.set(k, seed + ":" + i);
                    }
                }
            }));
        }
        List<Future<?>> reads = new ArrayList<>();
        for (int rd = 0; rd < readers; rd++) {
            int seed = 100 + rd;
            RedisCommands<String, String> c = f.sidecar();
            reads.add(pool.submit(() -> {
                Random r = new Random(seed);
                while (!stop.get()) {
                    c.get("r" + r.nextInt(keys));
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (Future<?> t : tasks) {
            t.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        stop.set(true);
        for (Future<?> t : reads) {
            t.get(10, TimeUnit.SECONDS);
        }
        pool.shutdown();
        // the writers stopped: once the invalidations drained (a generous 200 ms on a loaded
        // machine), every key reads as upstream's, the first time and every time
        Thread.sleep(200);
        RedisCommands<String, String> check = f.sidecar();
        for (int i = 0; i < keys; i++) {
            assertEquals(up.get("r" + i), check.get("r" + i), "r" + i);
        }
        // and a second pass (hits only now) agrees too
        for (int i = 0; i < keys; i++) {
            assertEquals(up.get("r" + i), check.get("r" + i), "r" + i);
        }
    }
}
