package io.damselfly.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.InfoFields;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.TempDirs;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * PSYNC2 and what stands on it, each run the same way with real redis-server 7.0.15 nodes in the
 * places damselfly takes, and compared: chained replicas (a replica passing its primary's stream
 * on, in the database the stream is in), a promoted replica continuing its former siblings and its
 * former primary from its backlog (replid2) instead of sending each a snapshot, and FAILOVER
 * handing a primary's role to a replica, both ways between damselfly and redis-server.
 */
class FailoverTest {

    /** A server of either kind, started empty on a free port. */
    private interface Node extends AutoCloseable {
        int port();

        @Override
        void close() throws Exception;
    }

    private static Node redis() throws Exception {
        RedisServerProcess p = RedisServerProcess.start();
        return new Node() {
            public int port() {
                return p.port();
            }

            public void close() {
                p.close();
            }
        };
    }

    private static Node ours() throws Exception {
        EmbeddedServer s = EmbeddedServer.builder().port(0).option("dir", TempDirs.create("failover").toString()).start();
        return new Node() {
            public int port() {
                return s.port();
            }

            public void close() throws Exception {
                s.close();
            }
        };
    }

    private static Node node(boolean damselfly) throws Exception {
        return damselfly ? ours() : redis();
    }

    /**
     * A replica of a replica gets the top primary's stream through the middle one, byte for byte
     * (the same offsets on all three), in the database the stream is in when it attaches (the
     * snapshot's repl-stream-db: the middle one sends no SELECT of its own); a transaction arrives
     * whole. With damselfly in the middle, and a redis-server and a damselfly below it; the same
     * steps with redis-server everywhere give the same answers.
     */
    @Test
    void chainedReplicas_getThePrimarysStreamThroughTheMiddleOne_asRedis() throws Exception {
        assertEquals(chainSteps(false, false), chainSteps(true, true));
    }

    private static String chainSteps(boolean middleIsOurs, boolean secondBelowIsOurs) throws Exception {
        StringBuilder seen = new StringBuilder();
        try (Node top = redis(); Node middle = node(middleIsOurs); Node below = redis(); Node below2 = node(secondBelowIsOurs);
                RawClient t = new RawClient("127.0.0.1", top.port());
                RawClient m = new RawClient("127.0.0.1", middle.port());
                RawClient b = new RawClient("127.0.0.1", below.port());
                RawClient b2 = new RawClient("127.0.0.1", below2.port())) {
            // a replica whose own link is not up refuses to feed one
            m.call("REPLICAOF", "127.0.0.1", "1");
            seen.append(RawClient.render(m.call("SYNC"))).append('\n');
            t.call("SELECT", "3");
            t.call("SET", "a", "1");
            follow(top.port(), m);
            // the stream is in database 3 now and will send no SELECT before the next write
            t.call("SET", "b", "2");
            assertEquals(":1", RawClient.render(t.call("WAIT", "1", "5000")));
            follow(middle.port(), b, b2);
            t.call("INCR", "b");
            t.call("MULTI");
            t.call("SET", "c", "3");
            t.call("LPUSH", "l", "x", "y");
            t.call("EXEC");
            t.call("SELECT", "5");
            t.call("SET", "d", "4");
            String offset = InfoFields.field(t, "replication", "master_repl_offset");
            for (RawClient r : List.of(m, b, b2)) {
                awaitField(r, "master_repl_offset", offset);
                r.call("SELECT", "3");
                seen.append(RawClient.render(r.call("MGET", "a", "b", "c"))).append(' ')
                        .append(RawClient.render(r.call("LRANGE", "l", "0", "-1"))).append(' ');
                r.call("SELECT", "5");
                seen.append(RawClient.render(r.call("GET", "d"))).append(' ')
                        .append(InfoFields.field(r, "replication", "master_replid").equals(InfoFields.field(t, "replication", "master_replid")))
                        .append('\n');
            }
            seen.append(InfoFields.field(m, "replication", "connected_slaves")).append('\n');
        }
        return seen.toString();
    }

    /**
     * A middle replica whose link breaks in the middle of a transaction (a relay between it and
     * the primary cuts the connection just before EXEC) continues from the last applied offset
     * and gets the transaction again whole: what it passes on must hold the transaction once, so
     * the replica below ends at the primary's offset with the primary's data.
     */
    @Test
    void chainedReplica_linkBrokenInsideATransaction_passesItOnOnce() throws Exception {
        try (RedisServerProcess top = RedisServerProcess.start();
                CuttingRelay relay = new CuttingRelay(top.port());
                Node middle = ours(); Node below = redis();
                RawClient t = new RawClient("127.0.0.1", top.port());
                RawClient m = new RawClient("127.0.0.1", middle.port());
                RawClient b = new RawClient("127.0.0.1", below.port())) {
            follow(relay.port(), m);
            follow(middle.port(), b);
            t.call("SET", "x", "0");
            relay.cutBefore("EXEC\r\n");
            t.call("MULTI");
            t.call("INCR", "x");
            t.call("RPUSH", "l", "a");
            t.call("EXEC");
            String offset = InfoFields.field(t, "replication", "master_repl_offset");
            awaitField(m, "master_repl_offset", offset);
            awaitField(b, "master_repl_offset", offset);
            assertEquals("$1", RawClient.render(b.call("GET", "x")));
            assertEquals("[$a]", RawClient.render(b.call("LRANGE", "l", "0", "-1")));
            assertEquals("1", InfoFields.field(t, "stats", "sync_partial_ok"));
        }
    }

    /**
     * A TCP relay to a server that, once told, closes both sides of its connection just before
     * the next occurrence of a byte pattern going from the server to the client (once), so the
     * client sees the stream end there. Threads of its own; stopped by close.
     */
    private static final class CuttingRelay implements AutoCloseable {
        private final java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        private final int target;
        private volatile byte[] cutBefore;
        private final List<java.net.Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

        CuttingRelay(int target) throws java.io.IOException {
            this.target = target;
            Thread accept = new Thread(() -> {
                while (!listener.isClosed()) {
                    try {
                        java.net.Socket client = listener.accept();
                        java.net.Socket server = new java.net.Socket("127.0.0.1", target);
                        sockets.add(client);
                        sockets.add(server);
                        pump(client, server, false);
                        pump(server, client, true);
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            }, "cutting-relay");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        void cutBefore(String pattern) {
            cutBefore = pattern.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }

        private void pump(java.net.Socket from, java.net.Socket to, boolean mayCut) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[65536];
                try (from; to) {
                    java.io.InputStream in = from.getInputStream();
                    java.io.OutputStream out = to.getOutputStream();
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        byte[] pattern = mayCut ? cutBefore : null;
                        int at = pattern == null ? -1 : indexOf(buf, n, pattern);
                        if (at >= 0) {
                            cutBefore = null;
                            out.write(buf, 0, at);
                            out.flush();
                            return;
                        }
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (java.io.IOException gone) {
                    // either side closed: both go
                }
            }, "cutting-relay-pump");
            t.setDaemon(true);
            t.start();
        }

        private static int indexOf(byte[] buf, int n, byte[] pattern) {
            outer:
            for (int i = 0; i + pattern.length <= n; i++) {
                for (int j = 0; j < pattern.length; j++) {
                    if (buf[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }

        @Override
        public void close() throws java.io.IOException {
            listener.close();
            for (java.net.Socket s : sockets) {
                s.close();
            }
        }
    }

    /**
     * PSYNC2 across a promotion: replica B of primary A is promoted (REPLICAOF NO ONE), its sibling
     * C and then A itself are made its replicas, and both continue from B's backlog: B counts two
     * partial synchronisations and no full one, keeps A's id as its second (master_replid2, valid
     * up to second_repl_offset), and both follow B's writes; CONFIG RESETSTAT zeroes the counts. The steps with damselfly as A and B and
     * redis-server as C, and with redis-server as all three, give the same answers.
     */
    @Test
    void promotedReplica_continuesItsSiblingAndItsFormerPrimary_asRedis() throws Exception {
        String expected = promotionSteps(false, false);
        assertEquals(expected, promotionSteps(true, true));
        assertEquals(expected, promotionSteps(false, true));
        assertTrue(expected.contains("sync_full=0 sync_partial_ok=2 sync_partial_err=0"), expected);
    }

    private static String promotionSteps(boolean aIsOurs, boolean bIsOurs) throws Exception {
        StringBuilder seen = new StringBuilder();
        try (Node a = node(aIsOurs); Node b = node(bIsOurs); Node c = redis();
                RawClient ca = new RawClient("127.0.0.1", a.port());
                RawClient cb = new RawClient("127.0.0.1", b.port());
                RawClient cc = new RawClient("127.0.0.1", c.port())) {
            follow(a.port(), cb, cc);
            ca.call("SET", "k", "1");
            ca.call("SELECT", "2");
            ca.call("RPUSH", "l", "a", "b");
            assertEquals(":2", RawClient.render(ca.call("WAIT", "2", "5000")));
            String aId = InfoFields.field(ca, "replication", "master_replid");
            long aOffset = Long.parseLong(InfoFields.field(ca, "replication", "master_repl_offset"));
            cb.call("REPLICAOF", "NO", "ONE");
            seen.append(InfoFields.field(cb, "replication", "master_replid2").equals(aId)).append(' ')
                    .append(Long.parseLong(InfoFields.field(cb, "replication", "second_repl_offset")) - aOffset).append('\n');
            follow(b.port(), cc, ca);
            // CONFIG GET replicaof (and so CONFIG REWRITE) shows the role in force
            seen.append(RawClient.render(ca.call("CONFIG", "GET", "replicaof")).replace(Integer.toString(b.port()), "<B>"))
                    .append(' ').append(RawClient.render(cb.call("CONFIG", "GET", "replicaof"))).append('\n');
            cb.call("SELECT", "2");
            cb.call("RPUSH", "l", "c");
            cb.call("SELECT", "0");
            cb.call("INCR", "k");
            assertEquals(":2", RawClient.render(cb.call("WAIT", "2", "5000")));
            seen.append(syncCounts(cb)).append('\n');
            cb.call("CONFIG", "RESETSTAT");
            seen.append("after RESETSTAT ").append(syncCounts(cb)).append('\n');
            for (RawClient r : List.of(ca, cc)) {
                r.call("SELECT", "2");
                seen.append(RawClient.render(r.call("LRANGE", "l", "0", "-1"))).append(' ');
                r.call("SELECT", "0");
                seen.append(RawClient.render(r.call("GET", "k"))).append(' ')
                        .append(InfoFields.field(r, "replication", "master_replid2").equals(aId)).append('\n');
            }
        }
        return seen.toString();
    }

    /**
     * FAILOVER's argument checks and refusals, on a primary with one online replica: the same
     * replies from damselfly as from redis-server.
     */
    @Test
    void failoverRefusals_asRedis() throws Exception {
        assertEquals(refusals(false), refusals(true));
    }

    private static String refusals(boolean ours) throws Exception {
        StringBuilder seen = new StringBuilder();
        try (Node p = node(ours); Node r = redis();
                RawClient cp = new RawClient("127.0.0.1", p.port());
                RawClient cr = new RawClient("127.0.0.1", r.port())) {
            seen.append(RawClient.render(cp.call("FAILOVER"))).append('\n');
            follow(p.port(), cr);
            Object[][] script = {
                {"FAILOVER", "ABORT"},
                {"FAILOVER", "TO", "127.0.0.1", "1"},
                {"FAILOVER", "TO", "127.0.0.1", "notaport"},
                {"FAILOVER", "FORCE"},
                {"FAILOVER", "TO", "127.0.0.1", "<replica's port>", "FORCE"},
                {"FAILOVER", "TIMEOUT", "0"},
                {"FAILOVER", "TIMEOUT", "-5"},
                {"FAILOVER", "TIMEOUT", "x"},
                {"FAILOVER", "BOGUS"},
                {"FAILOVER", "FORCE", "FORCE"},
            };
            for (Object[] command : script) {
                Object[] sent = List.of(command).stream().map(a -> a.equals("<replica's port>") ? Integer.toString(r.port()) : a).toArray();
                seen.append(List.of(command)).append(" -> ").append(RawClient.render(cp.call(sent))).append('\n');
            }
            seen.append(RawClient.render(cr.call("FAILOVER"))).append('\n');
            seen.append(RawClient.render(cr.call("PSYNC", "notmyid", "1", "FAILOVER"))).append('\n');
            seen.append(RawClient.render(cp.call("PSYNC", "x", "1", "FAILOVER"))).append('\n');
        }
        return seen.toString();
    }

    /**
     * FAILOVER from damselfly to a redis-server replica, then from that redis-server back to
     * damselfly: each time the old primary becomes a replica of the new one and neither loads a
     * snapshot (partial synchronisations only), the other replica follows through the old primary,
     * and writes made before and after reach everyone.
     */
    @Test
    void failover_handsTheRoleOverAndBack_withoutAFullSync() throws Exception {
        try (Node a = ours(); Node b = redis(); Node c = ours();
                RawClient ca = new RawClient("127.0.0.1", a.port());
                RawClient cb = new RawClient("127.0.0.1", b.port());
                RawClient cc = new RawClient("127.0.0.1", c.port())) {
            follow(a.port(), cb, cc);
            ca.call("SET", "before", "1");
            String fullSyncs = InfoFields.field(ca, "stats", "sync_full");
            assertEquals("+OK", RawClient.render(ca.call("FAILOVER", "TO", "127.0.0.1", Integer.toString(b.port()))));
            assertEquals("-ERR FAILOVER already in progress.", RawClient.render(ca.call("FAILOVER")));
            assertEquals("-ERR REPLICAOF not allowed while failing over.", RawClient.render(ca.call("REPLICAOF", "NO", "ONE")));
            awaitRole(cb, "master");
            awaitRole(ca, "slave");
            awaitField(ca, "master_link_status", "up");
            awaitField(ca, "master_failover_state", "no-failover");
            assertEquals("-READONLY You can't write against a read only replica.", RawClient.render(ca.call("SET", "x", "1")));
            cb.call("SET", "after", "2");
            String offset = InfoFields.field(cb, "replication", "master_repl_offset");
            for (RawClient r : List.of(ca, cc)) {
                awaitField(r, "master_repl_offset", offset);
                assertEquals("[$1, $2]", RawClient.render(r.call("MGET", "before", "after")));
            }
            assertEquals("0", InfoFields.field(cb, "stats", "sync_full"));
            // and back: redis-server hands over to damselfly
            assertEquals("+OK", RawClient.render(cb.call("FAILOVER", "TO", "127.0.0.1", Integer.toString(a.port()))));
            awaitRole(ca, "master");
            awaitRole(cb, "slave");
            awaitField(cb, "master_link_status", "up");
            ca.call("SET", "again", "3");
            assertEquals(":2", RawClient.render(ca.call("WAIT", "2", "5000")));
            for (RawClient r : List.of(cb, cc)) {
                assertEquals("[$1, $2, $3]", RawClient.render(r.call("MGET", "before", "after", "again")));
            }
            // the two full synchronisations are the replicas' first ones, before the failovers
            assertEquals(fullSyncs, InfoFields.field(ca, "stats", "sync_full"));
            assertEquals("2", fullSyncs);
        }
    }

    /**
     * A failover whose replica never catches up (stopped with SIGSTOP) holds writes until its
     * TIMEOUT, then ends with this server still the primary and the held write done; FAILOVER
     * ABORT ends one at once.
     */
    @Test
    void failoverTimeoutAndAbort_resumeWrites() throws Exception {
        try (RedisServerProcess replica = RedisServerProcess.start();
                Node p = ours();
                RawClient cp = new RawClient("127.0.0.1", p.port());
                RawClient cr = new RawClient("127.0.0.1", replica.port());
                RawClient writer = new RawClient("127.0.0.1", p.port())) {
            follow(p.port(), cr);
            replica.signal("STOP");
            try {
                cp.call("SET", "k", "1");
                assertEquals("+OK", RawClient.render(cp.call("FAILOVER", "TIMEOUT", "600")));
                assertEquals("waiting-for-sync", InfoFields.field(cp, "replication", "master_failover_state"));
                CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> RawClient.render(writer.call("SET", "k", "2")));
                Thread.sleep(200);
                assertTrue(!held.isDone(), "a write during the failover waits");
                assertEquals("+OK", held.get(10, TimeUnit.SECONDS));
                assertEquals("no-failover", InfoFields.field(cp, "replication", "master_failover_state"));
                assertEquals("[$master", RawClient.render(cp.call("ROLE")).substring(0, 8));
                assertEquals("+OK", RawClient.render(cp.call("FAILOVER")));
                assertEquals("+OK", RawClient.render(cp.call("FAILOVER", "ABORT")));
                assertEquals("no-failover", InfoFields.field(cp, "replication", "master_failover_state"));
                assertEquals("+OK", RawClient.render(cp.call("SET", "k", "3")));
            } finally {
                replica.signal("CONT");
            }
        }
    }

    /**
     * A primary restarted from its RDB file takes the file's place in its old stream as its second
     * id (the file's repl-id and repl-offset), with the DELs of the keys that expired while it was
     * down after it, so its redis-server replica continues instead of loading everything again; a
     * damselfly replica restarted from its file (replicaof in its config) asks its redis-server
     * primary to continue from where the file was, in the database the stream was in.
     */
    @Test
    void restarts_continueFromWhereTheRdbFileWas() throws Exception {
        java.nio.file.Path dir = TempDirs.create("restart");
        EmbeddedServer primary = EmbeddedServer.builder().port(0).option("dir", dir.toString()).start();
        int port = primary.port();
        try (RedisServerProcess replica = RedisServerProcess.start();
                RawClient r = new RawClient("127.0.0.1", replica.port())) {
            follow(port, r);
            String oldId;
            try (RawClient p = new RawClient("127.0.0.1", port)) {
                p.call("SELECT", "2");
                p.call("SET", "a", "1");
                p.call("SET", "e", "x", "PX", "700");
                assertEquals(":1", RawClient.render(p.call("WAIT", "1", "5000")));
                oldId = InfoFields.field(p, "replication", "master_replid");
                p.send("SHUTDOWN", "SAVE");
                assertTrue(p.isClosedByServer(), "the primary stops");
            } finally {
                primary.close();
            }
            Thread.sleep(1000);
            try (EmbeddedServer again = EmbeddedServer.builder().port(port).option("dir", dir.toString()).start();
                    RawClient p = new RawClient("127.0.0.1", port)) {
                assertEquals(oldId, InfoFields.field(p, "replication", "master_replid2"));
                awaitField(p, "connected_slaves", "1");
                p.call("SELECT", "2");
                p.call("SET", "b", "2");
                assertEquals(":1", RawClient.render(p.call("WAIT", "1", "5000")));
                r.call("SELECT", "2");
                assertEquals("[$1, $2, (nil)]", RawClient.render(r.call("MGET", "a", "b", "e")));
                assertEquals("0", InfoFields.field(p, "stats", "sync_full"));
                assertEquals("1", InfoFields.field(p, "stats", "sync_partial_ok"));
            }
        }
        // the other way round: a damselfly replica restarts
        java.nio.file.Path replicaDir = TempDirs.create("restart-replica");
        try (RedisServerProcess redisPrimary = RedisServerProcess.start("--enable-debug-command", "yes");
                RawClient p = new RawClient("127.0.0.1", redisPrimary.port())) {
            String replicaof = "127.0.0.1 " + redisPrimary.port();
            try (EmbeddedServer replica = EmbeddedServer.builder().port(0).option("dir", replicaDir.toString())
                    .option("replicaof", replicaof).start();
                    RawClient r = new RawClient("127.0.0.1", replica.port())) {
                awaitField(r, "master_link_status", "up");
                p.call("SELECT", "2");
                p.call("SET", "a", "1");
                // a key whose time passes while the replica is down, which its primary does not
                // expire by itself (no active expiry): the replica's file keeps it for the DEL
                p.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
                p.call("SET", "gone", "x", "PX", "300");
                assertEquals(":1", RawClient.render(p.call("WAIT", "1", "5000")));
                r.send("SHUTDOWN", "SAVE");
                assertTrue(r.isClosedByServer(), "the replica stops");
            }
            // the primary's stream stays in database 2: no SELECT comes before these
            p.call("SET", "b", "2");
            p.call("INCR", "a");
            Thread.sleep(400);
            String partial = InfoFields.field(p, "stats", "sync_partial_ok");
            try (EmbeddedServer replica = EmbeddedServer.builder().port(0).option("dir", replicaDir.toString())
                    .option("replicaof", replicaof).start();
                    RawClient r = new RawClient("127.0.0.1", replica.port())) {
                awaitField(r, "master_link_status", "up");
                // loaded as a replica loads: the expired key kept (hidden), not counted as expired
                assertEquals("0", InfoFields.field(r, "persistence", "rdb_last_load_keys_expired"));
                assertEquals(":1", RawClient.render(p.call("WAIT", "1", "5000")));
                r.call("SELECT", "2");
                assertEquals("[$2, $2, (nil)]", RawClient.render(r.call("MGET", "a", "b", "gone")));
                assertEquals(":3", RawClient.render(r.call("DBSIZE")));
                assertEquals(Integer.parseInt(partial) + 1, Integer.parseInt(InfoFields.field(p, "stats", "sync_partial_ok")));
                assertEquals("1", InfoFields.field(p, "stats", "sync_full"));
            }
        }
    }

    /** Makes each of {@code replicas} a replica of the server on {@code primaryPort}, and waits for its link. */
    private static void follow(int primaryPort, RawClient... replicas) throws InterruptedException {
        for (RawClient r : replicas) {
            r.call("REPLICAOF", "127.0.0.1", Integer.toString(primaryPort));
            awaitField(r, "master_link_status", "up");
        }
    }

    private static String syncCounts(RawClient c) {
        return "sync_full=" + InfoFields.field(c, "stats", "sync_full") + " sync_partial_ok="
                + InfoFields.field(c, "stats", "sync_partial_ok") + " sync_partial_err=" + InfoFields.field(c, "stats", "sync_partial_err");
    }

    private static void awaitField(RawClient c, String field, String value) throws InterruptedException {
        InfoFields.awaitLine(c, "replication", field + ":" + value);
    }

    private static void awaitRole(RawClient c, String role) throws InterruptedException {
        awaitField(c, "role", role);
    }
}
