package io.damselfly.server.upstream;

import static io.damselfly.server.upstream.UpstreamFixture.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.TempDirs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The sidecar in front of a Redis Cluster of three redis-server 7.0.15 masters started here: keys
 * of every node read and written through it with a plain (not cluster-aware) Lettuce client, hits
 * served locally, a node's own writes invalidating within 100 ms, hash tags and CROSSSLOT, a slot
 * migrated while reading (ASK and MOVED followed), and one node killed (its keys get errors, the
 * others keep working; last, since it breaks the cluster).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NearCacheClusterTest {
    private static final int NODES = 3;
    private static final int[] ports = new int[NODES];
    private static final Process[] nodes = new Process[NODES];
    private static Path dir;
    private static EmbeddedServer sidecar;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static RedisCommands<String, String> side;

    @BeforeAll
    static void start() throws Exception {
        String bin = RedisServerProcess.binary();
        if (bin == null) {
            throw new IllegalStateException("redis-server is not installed");
        }
        dir = TempDirs.create("nearcache-cluster");
        // each node's cluster bus gets a free port of its own too: by default it is the port plus
        // 10000, which may be taken (a client connection's local port) or past 65535, and then the
        // node does not start; all are held open while chosen so that none is chosen twice
        int[] busPorts = new int[NODES];
        ServerSocket[] held = new ServerSocket[2 * NODES];
        try {
            for (int i = 0; i < held.length; i++) {
                held[i] = new ServerSocket(0);
            }
            for (int i = 0; i < NODES; i++) {
                ports[i] = held[i].getLocalPort();
                busPorts[i] = held[NODES + i].getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                if (s != null) {
                    s.close();
                }
            }
        }
        for (int i = 0; i < NODES; i++) {
            Path nodeDir = Files.createDirectories(dir.resolve("n" + i));
            nodes[i] = new ProcessBuilder(bin, "--port", Integer.toString(ports[i]), "--cluster-port", Integer.toString(busPorts[i]),
                    "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                    "--cluster-config-file", nodeDir.resolve("nodes.conf").toString(), "--save", "", "--appendonly", "no",
                    "--daemonize", "no", "--dir", nodeDir.toString(), "--loglevel", "warning")
                    .redirectErrorStream(true).redirectOutput(nodeDir.resolve("redis.log").toFile()).start();
        }
        for (int i = 0; i < NODES; i++) {
            int port = ports[i];
            assertTrue(within(10_000, () -> {
                try (RawClient c = new RawClient("127.0.0.1", port)) {
                    return c.callText("PING").equals("+PONG");
                } catch (RuntimeException notYet) {
                    return false;
                }
            }), "node " + port + " did not start");
        }
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        for (int p : ports) {
            create.add("127.0.0.1:" + p);
        }
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Process cli = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(dir.resolve("create.log").toFile()).start();
        assertTrue(cli.waitFor(30, TimeUnit.SECONDS) && cli.exitValue() == 0, () -> "cluster create failed: " + read("create.log"));
        for (int i = 0; i < NODES; i++) {
            int port = ports[i];
            assertTrue(within(20_000, () -> info(port, "CLUSTER", "INFO").contains("cluster_state:ok")), "cluster not ok on " + port);
        }
        sidecar = EmbeddedServer.builder().option("upstream", "redis-cluster://127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1])
                .option("near_cache_maxmemory", "64mb").option("conn_io_threads", "2").option("upstream_timeout_ms", "1000").start();
        client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(sidecar.port())
                .withTimeout(Duration.ofSeconds(10)).build());
        connection = client.connect();
        side = connection.sync();
    }

    @AfterAll
    static void stop() throws Exception {
        if (connection != null) {
            connection.close();
        }
        if (client != null) {
            client.shutdown();
        }
        if (sidecar != null) {
            sidecar.close();
        }
        for (Process p : nodes) {
            if (p != null) {
                p.destroyForcibly();
                p.waitFor();
            }
        }
        TempDirs.delete(dir);
    }

    private static String read(String file) {
        try {
            return Files.readString(dir.resolve(file));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** A bulk-string reply's text from the node on {@code port}, or "" when it cannot answer. */
    private static String info(int port, Object... command) {
        try (RawClient c = new RawClient("127.0.0.1", port)) {
            RespValue v = c.call(command);
            return v instanceof RespValue.BulkString b ? new String(b.value(), StandardCharsets.UTF_8) : RawClient.render(v);
        } catch (RuntimeException down) {
            return "";
        }
    }

    private static String direct(int port, Object... command) {
        try (RawClient c = new RawClient("127.0.0.1", port)) {
            return c.callText(command);
        }
    }

    /** The index of the node serving {@code key} now (the one that does not answer MOVED). */
    private static int ownerOf(String key) {
        for (int i = 0; i < NODES; i++) {
            if (!direct(ports[i], "TYPE", key).startsWith("-MOVED")) {
                return i;
            }
        }
        throw new AssertionError("no node serves " + key);
    }

    /** {@code count} keys with {@code prefix} served by node {@code node}. */
    private static List<String> keysOn(int node, String prefix, int count) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < count; i++) {
            String k = prefix + i;
            if (ownerOf(k) == node) {
                keys.add(k);
            }
        }
        return keys;
    }

    /** Calls of {@code command} in node {@code port}'s commandstats (0 when never called). */
    private static long calls(int port, String command) {
        for (String line : info(port, "INFO", "commandstats").split("\r\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
            }
        }
        return 0;
    }

    private static long upstreamReads() {
        long sum = 0;
        for (int p : ports) {
            sum += calls(p, "get") + calls(p, "dump") + calls(p, "pttl");
        }
        return sum;
    }

    @Test
    @Order(1)
    void slot_isRedisKeyslot_forRandomKeysAndHashTags() {
        Random r = new Random(15);
        String alphabet = "ab{}x{}1";
        try (RawClient c = new RawClient("127.0.0.1", ports[0])) {
            for (int i = 0; i < 1500; i++) {
                StringBuilder sb = new StringBuilder();
                for (int k = r.nextInt(12); k > 0; k--) {
                    sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
                }
                if (i % 3 == 0) {
                    sb.append((char) r.nextInt(0x3000));
                }
                String key = sb.toString();
                RespValue v = c.call("CLUSTER", "KEYSLOT", key);
                assertEquals(((RespValue.Integer) v).value(), ClusterSlots.slot(key.getBytes(StandardCharsets.UTF_8)), key);
            }
        }
        assertEquals(ClusterSlots.slot("user1".getBytes(StandardCharsets.UTF_8)),
                ClusterSlots.slot("{user1}.name".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    @Order(1)
    void seeds_anyReachableOneIsEnough_noneGivesAClearError() throws Exception {
        try (EmbeddedServer other = EmbeddedServer.builder().option("upstream", "redis-cluster://127.0.0.1:1,127.0.0.1:" + ports[2])
                .option("conn_io_threads", "1").start();
                RawClient c = new RawClient("127.0.0.1", other.port())) {
            String k = keysOn(1, "seed:", 1).get(0);
            assertEquals("+OK", c.callText("SET", k, "s"));
            assertEquals("s", info(ports[1], "GET", k));
            assertEquals("$s", c.callText("GET", k));
            assertTrue(info(other.port(), "INFO", "nearcache").contains("upstream_cluster_nodes:3"));
        }
        try (EmbeddedServer none = EmbeddedServer.builder().option("upstream", "redis-cluster://127.0.0.1:1")
                .option("conn_io_threads", "1").option("upstream_timeout_ms", "500").start();
                RawClient c = new RawClient("127.0.0.1", none.port())) {
            String reply = c.callText("GET", "k");
            assertTrue(reply.startsWith("-ERR upstream unavailable: cannot read the cluster slot map (127.0.0.1:1: "), reply);
            assertTrue(c.callText("SET", "{a}x", "1").startsWith("-ERR upstream unavailable: "));
        }
    }

    @Test
    @Order(2)
    void getAndSet_reachEveryNode_andHitsStayLocal() {
        for (int n = 0; n < NODES; n++) {
            for (String k : keysOn(n, "every:" + n + ":", 5)) {
                assertEquals("OK", side.set(k, "v-" + k));
                assertEquals("v-" + k, info(ports[n], "GET", k), k);
                assertEquals("v-" + k, side.get(k));
            }
        }
        // a GET right behind its SET may pass through (the write's fence): one round caches the rest
        for (int n = 0; n < NODES; n++) {
            for (String k : keysOn(n, "every:" + n + ":", 5)) {
                assertEquals("v-" + k, side.get(k));
            }
        }
        // every key cached now: more rounds reach no node at all
        long before = upstreamReads();
        for (int round = 0; round < 20; round++) {
            for (int n = 0; n < NODES; n++) {
                for (String k : keysOn(n, "every:" + n + ":", 5)) {
                    assertEquals("v-" + k, side.get(k));
                }
            }
        }
        assertEquals(before, upstreamReads(), "hits went upstream");
        assertNull(side.get(keysOn(2, "absent:", 1).get(0)));
    }

    @Test
    @Order(3)
    void writeStraightToANode_invalidatesWithin100ms() {
        for (int n = 0; n < NODES; n++) {
            String k = keysOn(n, "inval:" + n + ":", 1).get(0);
            direct(ports[n], "SET", k, "old");
            assertEquals("old", side.get(k));
            assertEquals("old", side.get(k));
            direct(ports[n], "SET", k, "new");
            assertTrue(within(100, () -> "new".equals(side.get(k))), "node " + n + "'s write not seen within 100 ms");
            direct(ports[n], "DEL", k);
            assertTrue(within(100, () -> side.get(k) == null), "node " + n + "'s DEL not seen within 100 ms");
        }
    }

    @Test
    @Order(4)
    void hashTags_keepKeysTogether_andCrossSlotIsRefusedLocally() {
        assertEquals("OK", side.mset(java.util.Map.of("{user7}.name", "ann", "{user7}.mail", "a@x")));
        assertEquals(List.of("ann", "a@x"), side.mget("{user7}.name", "{user7}.mail").stream().map(kv -> kv.getValue()).toList());
        int owner = ownerOf("user7");
        assertEquals(2L, Long.parseLong(direct(ports[owner], "EXISTS", "{user7}.name", "{user7}.mail").substring(1)));
        String a = keysOn(0, "cross:", 1).get(0);
        String b = keysOn(1, "cross:", 1).get(0);
        long msets = calls(ports[0], "mset") + calls(ports[1], "mset");
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class,
                () -> side.mset(java.util.Map.of(a, "1", b, "2")));
        assertEquals("CROSSSLOT Keys in request don't hash to the same slot", e.getMessage());
        e = assertThrows(RedisCommandExecutionException.class, () -> side.mget(a, b));
        assertEquals("CROSSSLOT Keys in request don't hash to the same slot", e.getMessage());
        try (RawClient c = new RawClient("127.0.0.1", sidecar.port())) {
            assertEquals("-CROSSSLOT Keys in request don't hash to the same slot", c.callText("DEL", a, b));
            assertEquals("-CROSSSLOT Keys in request don't hash to the same slot", c.callText("SUNIONSTORE", a, b));
        }
        assertEquals(msets, calls(ports[0], "mset") + calls(ports[1], "mset"), "a CROSSSLOT request went upstream");
        // a stateful client is piped to the node of its first keyed command: WATCH/MULTI/EXEC on a tag
        try (RawClient c = new RawClient("127.0.0.1", sidecar.port())) {
            assertEquals("+OK", c.callText("WATCH", "{user7}.name"));
            assertEquals("+OK", c.callText("MULTI"));
            assertEquals("+QUEUED", c.callText("SET", "{user7}.name", "bob"));
            assertEquals("[+OK]", c.callText("EXEC"));
        }
        assertEquals("bob", side.get("{user7}.name"));
    }

    @Test
    @Order(5)
    void multi_isPipedToTheNodeOfItsFirstKeyedCommand() {
        for (int n = 0; n < NODES; n++) {
            String k = keysOn(n, "tx:" + n + ":", 1).get(0);
            try (RawClient c = new RawClient("127.0.0.1", sidecar.port())) {
                assertEquals("+OK", c.callText("MULTI"));
                assertEquals("+QUEUED", c.callText("SET", k, "t" + n));
                assertEquals("+QUEUED", c.callText("GET", k));
                assertEquals("[+OK, $t" + n + "]", c.callText("EXEC"));
                // the pipe stays on that node: a key of another node gets the node's own MOVED
                String other = keysOn((n + 1) % NODES, "tx:other:", 1).get(0);
                assertTrue(c.callText("GET", other).startsWith("-MOVED "));
                assertEquals("$t" + n, c.callText("GET", k));
            }
            assertEquals("t" + n, info(ports[n], "GET", k));
        }
        try (RawClient c = new RawClient("127.0.0.1", sidecar.port())) {
            assertEquals("+OK", c.callText("MULTI"));
            assertEquals("+QUEUED", c.callText("PING"));
            assertEquals("[+PONG]", c.callText("EXEC"));
        }
        try (RawClient c = new RawClient("127.0.0.1", sidecar.port())) {
            assertEquals("+OK", c.callText("MULTI"));
            assertEquals("+OK", c.callText("DISCARD"));
        }
    }

    @Test
    @Order(5)
    void blockingCommands_runOnTheirKeysNode_withoutPinningTheClient() throws Exception {
        String q = keysOn(2, "queue:", 1).get(0);
        String other0 = keysOn(0, "plain:", 1).get(0);
        String other1 = keysOn(1, "plain:", 1).get(0);
        try (StatefulRedisConnection<String, String> waiterConnection = client.connect()) {
            RedisCommands<String, String> waiter = waiterConnection.sync();
            var popped = java.util.concurrent.CompletableFuture.supplyAsync(() -> waiter.blpop(5, q));
            Thread.sleep(200);
            assertEquals(1L, side.lpush(q, "job"));
            assertEquals("job", popped.get(10, TimeUnit.SECONDS).getValue());
            // the same client goes on with keys of every node: it is no pipe to one node
            assertEquals("OK", waiter.set(other0, "a"));
            assertEquals("OK", waiter.set(other1, "b"));
            assertEquals("a", waiter.get(other0));
            assertEquals("b", waiter.get(other1));
            assertNull(waiter.blpop(0.1, q));
        }
        try (RawClient c = new RawClient("127.0.0.1", sidecar.port())) {
            // pipelined behind a blocking pop, a push waits for it as on Redis: the pop times out first
            c.sendRaw(new String(RawClient.encode("BLPOP", q, "0.2"), StandardCharsets.UTF_8)
                    + new String(RawClient.encode("LPUSH", q, "late"), StandardCharsets.UTF_8)
                    + new String(RawClient.encode("GET", other0), StandardCharsets.UTF_8));
            assertEquals("(nil)", RawClient.render(c.read()));
            assertEquals(":1", RawClient.render(c.read()));
            assertEquals("$a", RawClient.render(c.read()));
            assertEquals("[$" + q + ", $late]", c.callText("BLPOP", q, "1"));
            assertEquals("-CROSSSLOT Keys in request don't hash to the same slot", c.callText("BLMOVE", q, other0, "LEFT", "LEFT", "1"));
        }
    }

    @Test
    @Order(6)
    void keylessCommands_fanOutToEveryMaster() {
        for (int n = 0; n < NODES; n++) {
            for (String k : keysOn(n, "fan:" + n + ":", 2)) {
                side.set(k, "x");
            }
        }
        long total = 0;
        for (int p : ports) {
            total += Long.parseLong(direct(p, "DBSIZE").substring(1));
        }
        assertEquals(total, side.dbsize());
        assertEquals(6, side.keys("fan:*").size());
        assertEquals("OK", side.flushall());
        for (int p : ports) {
            assertEquals(":0", direct(p, "DBSIZE"));
        }
        assertEquals(0L, side.dbsize());
        try (RawClient c = new RawClient("127.0.0.1", sidecar.port())) {
            assertTrue(c.callText("SCAN", "0").startsWith("-ERR SCAN is per node"));
            // settings and scripts reach every master, so EVALSHA works whichever node its keys are on
            assertEquals("+OK", c.callText("CONFIG", "SET", "hash-max-listpack-entries", "77"));
            String sha = ((RespValue.BulkString) c.call("SCRIPT", "LOAD", "return redis.call('GET', KEYS[1])")).asString();
            for (int n = 0; n < NODES; n++) {
                assertEquals("[$hash-max-listpack-entries, $77]", direct(ports[n], "CONFIG", "GET", "hash-max-listpack-entries"));
                String k = keysOn(n, "script:", 1).get(0);
                assertEquals("+OK", c.callText("SET", k, "s" + n));
                assertEquals("$s" + n, c.callText("EVALSHA", sha, "1", k));
            }
            assertTrue(c.callText("CONFIG", "SET", "no-such-parameter", "1").startsWith("-ERR Unknown option"));
            assertEquals("+OK", c.callText("CONFIG", "SET", "hash-max-listpack-entries", "128"));
        }
    }

    @Test
    @Order(7)
    void slotMigratedWhileReading_followsAskAndMoved() {
        String tag = "{mig}";
        int from = ownerOf(tag + "0");
        int to = (from + 1) % NODES;
        int slot = ClusterSlots.slot(tag.getBytes(StandardCharsets.UTF_8));
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            keys.add(tag + i);
            assertEquals("OK", side.set(tag + i, "m" + i));
        }
        for (String k : keys) {
            assertEquals("m" + k.substring(tag.length()), side.get(k));
        }
        // a reader of its own reads keys 2..9 (never written here) through the whole migration
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
        List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                RedisCommands<String, String> r = c.sync();
                while (!stop.get()) {
                    for (int i = 2; i < keys.size(); i++) {
                        String v = r.get(keys.get(i));
                        reads.incrementAndGet();
                        if (!("m" + i).equals(v)) {
                            wrong.add(keys.get(i) + "=" + v);
                        }
                    }
                }
            } catch (RuntimeException e) {
                wrong.add(e.toString());
            }
        }, "migration-reader");
        reader.start();
        String fromId = info(ports[from], "CLUSTER", "MYID");
        String toId = info(ports[to], "CLUSTER", "MYID");
        assertEquals("+OK", direct(ports[to], "CLUSTER", "SETSLOT", slot, "IMPORTING", fromId));
        assertEquals("+OK", direct(ports[from], "CLUSTER", "SETSLOT", slot, "MIGRATING", toId));
        // half the keys moved: those are read on the importing node after ASK, the others where they were
        assertEquals("+OK", direct(ports[from], "MIGRATE", "127.0.0.1", ports[to], "", 0, 5000, "KEYS",
                keys.get(0), keys.get(1), keys.get(2), keys.get(3), keys.get(4)));
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < keys.size(); i++) {
                assertEquals("m" + i, side.get(keys.get(i)), keys.get(i) + " while migrating");
            }
        }
        assertEquals("OK", side.set(keys.get(0), "during"));
        try (RawClient c = new RawClient("127.0.0.1", ports[to])) {
            // the importing node answers for the slot only after ASKING
            assertEquals("+OK", c.callText("ASKING"));
            assertEquals("$during", c.callText("GET", keys.get(0)));
        }
        assertEquals("+OK", direct(ports[from], "MIGRATE", "127.0.0.1", ports[to], "", 0, 5000, "KEYS",
                keys.get(5), keys.get(6), keys.get(7), keys.get(8), keys.get(9)));
        for (int p : ports) {
            assertEquals("+OK", direct(p, "CLUSTER", "SETSLOT", slot, "NODE", toId));
        }
        long readsBefore = reads.get();
        assertTrue(within(5000, () -> reads.get() > readsBefore + 100), "the reader is stuck");
        stop.set(true);
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertEquals(List.of(), wrong, "reads through the sidecar while the slot moved");
        // the slot is the other node's now: the sidecar's map says otherwise until MOVED tells it
        for (int i = 0; i < keys.size(); i++) {
            assertEquals(i == 0 ? "during" : "m" + i, side.get(keys.get(i)), keys.get(i) + " after the move");
        }
        assertEquals("OK", side.set(keys.get(1), "after"));
        assertEquals("after", info(ports[to], "GET", keys.get(1)));
        assertEquals("after", side.get(keys.get(1)));
        // and the new owner's own writes invalidate what the sidecar cached from it
        assertEquals("after", side.get(keys.get(1)));
        direct(ports[to], "SET", keys.get(1), "fresh");
        assertTrue(within(100, () -> "fresh".equals(side.get(keys.get(1)))), "the new owner's write not seen within 100 ms");
    }

    @Test
    @Order(8)
    void oneNodeKilled_itsKeysGetErrors_theOthersWork() throws Exception {
        int dead = 2;
        List<String> deadKeys = keysOn(dead, "dead:", 2);
        List<String> liveKeys = new ArrayList<>(keysOn(0, "live:", 2));
        liveKeys.addAll(keysOn(1, "live:", 2));
        for (String k : deadKeys) {
            side.set(k, "d");
        }
        for (String k : liveKeys) {
            side.set(k, "l");
            assertEquals("l", side.get(k));
        }
        nodes[dead].destroyForcibly();
        nodes[dead].waitFor();
        long start = System.nanoTime();
        for (String k : deadKeys) {
            RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class, () -> {
                // a copy cached before may be flushed a moment later (the node's tracking connection is lost): read until it is
                for (int i = 0; i < 100; i++) {
                    side.set(k, "write");
                }
            });
            assertTrue(e.getMessage().startsWith("ERR upstream unavailable: "), e.getMessage());
        }
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "errors took too long");
        for (String k : liveKeys) {
            assertEquals("OK", side.set(k, "still"));
            assertEquals("still", side.get(k));
        }
        assertTrue(within(3000, () -> {
            try {
                side.get(deadKeys.get(0));
                return false;
            } catch (RedisCommandExecutionException e) {
                return e.getMessage().startsWith("ERR upstream unavailable: ");
            }
        }), "a read of the dead node's key did not fail clearly");
    }
}
