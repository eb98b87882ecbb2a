package io.damselfly.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.InfoFields;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.TempDirs;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * damselfly as a replica (REPLICAOF): of a real redis-server 7.0.15 primary, beside a real
 * redis-server replica of the same primary, so the data each ends with and the errors each gives
 * its own clients (READONLY for writes, EXEC with a write queued, a write-flagged script; no
 * NOREPLICAS from a replica's own min-replicas-to-write) are compared; of another damselfly; and a primary again after REPLICAOF NO ONE.
 */
class ReplicaRoleTest {

    @Test
    void replicaOfRedis_asARedisReplica() throws Exception {
        try (RedisServerProcess primary = RedisServerProcess.start();
                RawClient p = new RawClient("127.0.0.1", primary.port())) {
            p.call("SET", "k", "v");
            p.call("HSET", "h", "f", "1");
            p.call("SELECT", "4");
            p.call("SADD", "s", "a", "b");
            p.call("SELECT", "0");
            Path dir = TempDirs.create("replica");
            try (RedisServerProcess theirs = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(primary.port()));
                    EmbeddedServer ours = EmbeddedServer.builder().port(0).option("dir", dir.toString()).start();
                    RawClient r = new RawClient("127.0.0.1", theirs.port());
                    RawClient d = new RawClient("127.0.0.1", ours.port())) {
                assertEquals("+OK", RawClient.render(d.call("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()))));
                assertEquals("+OK Already connected to specified master",
                        RawClient.render(d.call("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()))));
                for (RawClient replica : List.of(r, d)) {
                    // a replica's own min-replicas settings never refuse its primary's stream or its clients' writes
                    replica.call("CONFIG", "SET", "min-replicas-to-write", "1");
                    replica.call("CONFIG", "SET", "min-replicas-max-lag", "10");
                }
                p.call("INCRBY", "n", "5");
                p.call("SET", "t", "x", "EX", "1000");
                p.call("SELECT", "4");
                p.call("SREM", "s", "a");
                p.call("SELECT", "0");
                assertEquals(":2", RawClient.render(p.call("WAIT", "2", "5000")));
                Object[][] script = {
                    {"GET", "k"}, {"HGET", "h", "f"}, {"GET", "n"}, {"GET", "t"},
                    {"SELECT", "4"}, {"SMEMBERS", "s"}, {"SELECT", "0"},
                    {"SET", "k", "mine"},
                    {"MULTI"}, {"SET", "k", "mine"}, {"EXEC"},
                    {"MULTI"}, {"GET", "k"}, {"EXEC"},
                    {"EVAL", "return redis.call('set', 'k', 'mine')", "0"},
                    {"EVAL", "#!lua\nreturn redis.call('set', 'k', 'mine')", "0"},
                    {"EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'k')", "0"},
                    {"EVAL_RO", "#!lua\nreturn redis.call('get', 'k')", "0"},
                    {"CONFIG", "SET", "replica-read-only", "no"},
                    {"SET", "own", "1"},
                    {"EVAL", "return redis.call('set', 'own', '2')", "0"},
                    {"CONFIG", "SET", "replica-read-only", "yes"},
                    {"WAIT", "0", "0"},
                    {"REPLICAOF", "127.0.0.1", "notaport"},
                    {"REPLICAOF", "127.0.0.1", "70000"},
                    {"CONFIG", "SET", "min-replicas-to-write", "0"},
                };
                for (Object[] command : script) {
                    assertEquals(RawClient.render(r.call(command)), RawClient.render(d.call(command)), List.of(command).toString());
                }
                String role = RawClient.render(d.call("ROLE"));
                assertTrue(role.startsWith("[$slave, $127.0.0.1, :" + primary.port() + ", $connected, :"), role);
                String info = RawClient.render(d.call("INFO", "replication"));
                assertTrue(info.contains("role:slave") && info.contains("master_link_status:up"), info);
                assertEquals("+OK", RawClient.render(d.call("REPLICAOF", "NO", "ONE")));
                assertEquals("+OK", RawClient.render(d.call("SET", "k", "mine")));
                assertTrue(RawClient.render(d.call("ROLE")).startsWith("[$master, :"));
            }
        }
    }

    /**
     * A replica deletes no key whose time has passed: it reads as missing to clients (GET, EXISTS,
     * TTL, KEYS, SCAN) but stays (DBSIZE, no expired_keys) until the primary's DEL arrives, and
     * does not evict for maxmemory (replica-ignore-maxmemory). The primary's active expiry is off
     * (DEBUG SET-ACTIVE-EXPIRE 0), so the keys expire there only when a GET finds them.
     */
    @Test
    void expiredKeysWaitForThePrimarysDel_asARedisReplica() throws Exception {
        Path dir = TempDirs.create("replica");
        try (RedisServerProcess primary = RedisServerProcess.start("--enable-debug-command", "yes");
                RedisServerProcess theirs = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(primary.port()));
                EmbeddedServer ours = EmbeddedServer.builder().port(0).option("dir", dir.toString()).start();
                RawClient p = new RawClient("127.0.0.1", primary.port());
                RawClient r = new RawClient("127.0.0.1", theirs.port());
                RawClient d = new RawClient("127.0.0.1", ours.port())) {
            d.call("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()));
            assertEquals("+OK", p.callText("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
            p.call("SET", "kept", "v");
            p.call("SET", "short", "v", "PX", "300");
            p.call("HSET", "h", "f", "v");
            p.call("PEXPIRE", "h", "300");
            assertEquals(":2", RawClient.render(p.call("WAIT", "2", "5000")));
            for (RawClient c : List.of(r, d)) {
                // a maxmemory far below the data set: a replica evicts nothing for it
                c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random");
                c.call("CONFIG", "SET", "maxmemory", "1");
            }
            Thread.sleep(500);
            Object[][] script = {
                {"GET", "short"}, {"EXISTS", "short", "h"}, {"TTL", "short"}, {"PTTL", "h"}, {"HGET", "h", "f"},
                {"KEYS", "*"}, {"SCAN", "0"}, {"DBSIZE"}, {"GET", "kept"}, {"OBJECT", "ENCODING", "short"},
            };
            for (Object[] command : script) {
                assertEquals(RawClient.render(r.call(command)), RawClient.render(d.call(command)), List.of(command).toString());
            }
            assertEquals(":3", RawClient.render(d.call("DBSIZE")));
            assertEquals("0", infoField(d, "expired_keys"));
            assertEquals("0", infoField(d, "evicted_keys"));
            // the primary expires them when a read finds them, and its DELs reach the replicas
            assertEquals("(nil)", RawClient.render(p.call("GET", "short")));
            assertEquals(":0", RawClient.render(p.call("EXISTS", "h")));
            assertEquals(":2", RawClient.render(p.call("WAIT", "2", "5000")));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!RawClient.render(d.call("DBSIZE")).equals(":1") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(RawClient.render(r.call("DBSIZE")), RawClient.render(d.call("DBSIZE")));
            assertEquals(":1", RawClient.render(d.call("DBSIZE")));
            assertEquals("0", infoField(d, "evicted_keys"));
            // a writable replica expires the keys its own clients gave a TTL (expireSlaveKeys), and
            // a write recreates a key whose time passed (replication-3.tcl)
            p.call("SET", "primarys", "v", "PX", "200");
            assertEquals(":2", RawClient.render(p.call("WAIT", "2", "5000")));
            for (RawClient c : List.of(r, d)) {
                c.call("CONFIG", "SET", "maxmemory", "0");
                c.call("CONFIG", "SET", "replica-read-only", "no");
                assertEquals("+OK", c.callText("SET", "own", "v", "PX", "200"));
            }
            Thread.sleep(300);
            Object[][] writable = {{"INCR", "primarys"}, {"TTL", "primarys"}, {"GET", "own"}};
            for (Object[] command : writable) {
                assertEquals(RawClient.render(r.call(command)), RawClient.render(d.call(command)), List.of(command).toString());
            }
            long until = System.nanoTime() + 5_000_000_000L;
            while (!RawClient.render(d.call("DBSIZE")).equals(":2") && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertEquals(RawClient.render(r.call("DBSIZE")), RawClient.render(d.call("DBSIZE")), "own key expired by the replica");
            assertEquals(":2", RawClient.render(d.call("DBSIZE")));
            // a primary again, it evicts on its own
            d.call("CONFIG", "SET", "maxmemory", "1");
            d.call("REPLICAOF", "NO", "ONE");
            d.call("SET", "later", "v");
            assertTrue(Long.parseLong(infoField(d, "evicted_keys")) > 0, infoField(d, "evicted_keys"));
        }
    }

    /** bind-source-addr: the link to the primary leaves from that address (networking.tcl). */
    @Test
    void bindSourceAddr_theLinkLeavesFromIt() throws Exception {
        Path dir = TempDirs.create("replica");
        try (RedisServerProcess primary = RedisServerProcess.start("--bind", "127.0.0.1 127.0.0.2", "--protected-mode", "no");
                EmbeddedServer ours = EmbeddedServer.builder().port(0).option("dir", dir.toString())
                        .option("bind-source-addr", "127.0.0.2").start();
                RawClient p = new RawClient("127.0.0.1", primary.port());
                RawClient d = new RawClient("127.0.0.1", ours.port())) {
            d.call("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()));
            long deadline = System.nanoTime() + 10_000_000_000L;
            String info = "";
            while (!info.contains("slave0:") && System.nanoTime() < deadline) {
                Thread.sleep(20);
                info = p.callText("INFO", "replication");
            }
            assertTrue(info.contains("slave0:ip=127.0.0.2,"), info);
        }
    }

    private static String infoField(RawClient c, String field) {
        return infoField(c, "stats", field);
    }

    private static String infoField(RawClient c, String section, String field) {
        String value = InfoFields.field(c, section, field);
        if (value == null) {
            throw new AssertionError("no " + field + " in INFO " + section);
        }
        return value;
    }

    /**
     * A lost link continues from the primary's backlog (PSYNC id offset, +CONTINUE) while the
     * backlog holds what the replica missed, in the database the stream had selected, and falls
     * back to a full synchronisation when it does not; a primary without replicas frees its
     * backlog after repl-backlog-ttl. The same steps with a damselfly replica of a redis-server
     * primary and of a damselfly primary: the same data and the same counts on both primaries.
     */
    @Test
    void lostLink_continuesFromTheBacklog_asWithARedisPrimary() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
                EmbeddedServer ours = EmbeddedServer.builder().port(0).option("dir", TempDirs.create("primary").toString()).start();
                EmbeddedServer replicaOfRedis = debuggableReplica();
                EmbeddedServer replicaOfOurs = debuggableReplica()) {
            String withRedis = lostLinkSteps(redis.port(), replicaOfRedis.port());
            String withOurs = lostLinkSteps(ours.port(), replicaOfOurs.port());
            assertEquals(withRedis, withOurs);
            // the replica's first PSYNC asks to continue its own history (it was a primary), which
            // the primary counts as a failed partial synchronisation, as a redis-server replica's
            assertTrue(withOurs.contains("sync_full=1 sync_partial_ok=1 sync_partial_err=1"), withOurs);
            assertTrue(withOurs.contains("sync_full=2 sync_partial_ok=1 sync_partial_err=2"), withOurs);
        }
    }

    /**
     * A client blocked while the server was a primary gets Redis's UNBLOCKED error and is closed
     * when the server becomes a replica, so it cannot pop what the new primary's stream pushes
     * (integration/replication's "BLPOP followed by role change, issue #2473").
     */
    @Test
    void blockedClients_unblockedWhenBecomingAReplica_asRedis() throws Exception {
        try (RedisServerProcess primary = RedisServerProcess.start();
                RedisServerProcess theirs = RedisServerProcess.start();
                EmbeddedServer ours = EmbeddedServer.builder().port(0).option("dir", TempDirs.create("replica").toString()).start();
                RawClient p = new RawClient("127.0.0.1", primary.port())) {
            List<String> seen = new java.util.ArrayList<>();
            for (int port : new int[] {theirs.port(), ours.port()}) {
                try (RawClient blocked = new RawClient("127.0.0.1", port);
                        RawClient admin = new RawClient("127.0.0.1", port)) {
                    blocked.send("BLPOP", "foo", "0");
                    awaitInfo(admin, "clients", "blocked_clients", "1");
                    admin.call("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()));
                    seen.add(RawClient.render((io.damselfly.protocol.RespValue) blocked.readMessage()));
                    awaitInfo(admin, "replication", "master_link_status", "up");
                }
            }
            p.call("RPUSH", "foo", "a", "b", "c");
            assertEquals(":2", RawClient.render(p.call("WAIT", "2", "5000")));
            try (RawClient r = new RawClient("127.0.0.1", theirs.port());
                    RawClient d = new RawClient("127.0.0.1", ours.port())) {
                seen.add(RawClient.render(r.call("LRANGE", "foo", "0", "-1")));
                seen.add(RawClient.render(d.call("LRANGE", "foo", "0", "-1")));
            }
            assertEquals(seen.get(0), seen.get(1));
            assertTrue(seen.get(1).startsWith("-UNBLOCKED force unblock"), seen.get(1));
            assertEquals("[$a, $b, $c]", seen.get(2));
            assertEquals(seen.get(2), seen.get(3));
        }
    }

    /**
     * repl-timeout both ways, with a peer stopped by SIGSTOP (silent, its connection open): a
     * replica gives up a silent primary's link (and continues from the backlog once it answers
     * again), and a primary drops a replica that stopped acknowledging, as a redis-server primary
     * drops the same stopped replica.
     */
    @Test
    void silentPeers_timedOutAfterReplTimeout_asRedis() throws Exception {
        try (RedisServerProcess primary = RedisServerProcess.start();
                EmbeddedServer ours = EmbeddedServer.builder().port(0).option("dir", TempDirs.create("replica").toString()).start();
                RawClient p = new RawClient("127.0.0.1", primary.port());
                RawClient d = new RawClient("127.0.0.1", ours.port())) {
            d.call("CONFIG", "SET", "repl-timeout", "1");
            d.call("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()));
            awaitInfo(d, "replication", "master_link_status", "up");
            primary.signal("STOP");
            try {
                awaitInfo(d, "replication", "master_link_status", "down");
            } finally {
                primary.signal("CONT");
            }
            p.call("SET", "after", "1");
            awaitInfo(d, "replication", "master_link_status", "up");
            assertEquals("1", infoField(p, "sync_partial_ok"));
            assertEquals("1", infoField(p, "sync_full"));
        }
        try (RedisServerProcess redisPrimary = RedisServerProcess.start();
                EmbeddedServer ourPrimary = EmbeddedServer.builder().port(0).option("dir", TempDirs.create("primary").toString()).start()) {
            for (int port : new int[] {redisPrimary.port(), ourPrimary.port()}) {
                try (RedisServerProcess replica = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(port));
                        RawClient p = new RawClient("127.0.0.1", port)) {
                    awaitInfo(p, "replication", "connected_slaves", "1");
                    p.call("SET", "k", "v");
                    assertEquals(":1", RawClient.render(p.call("WAIT", "1", "5000")));
                    // the short timeout once the replica is online and acknowledging: on a loaded
                    // box its first acknowledgement may come later than a second after its snapshot
                    p.call("CONFIG", "SET", "repl-timeout", "1");
                    replica.signal("STOP");
                    try {
                        awaitInfo(p, "replication", "connected_slaves", "0");
                    } finally {
                        replica.signal("CONT");
                    }
                }
            }
        }
    }

    /**
     * A replica loading a snapshot for longer than the primary's repl-timeout sends it a newline
     * each second (replicationSendNewlineToMaster), so the primary keeps it: one
     * synchronisation, not a second one after the primary dropped it.
     */
    @Test
    void longLoad_keepsTheLinkAlive() throws Exception {
        try (EmbeddedServer primary = EmbeddedServer.builder().port(0).option("dir", TempDirs.create("primary").toString()).start();
                EmbeddedServer replica = EmbeddedServer.builder().port(0).option("dir", TempDirs.create("replica").toString()).start();
                RawClient p = new RawClient("127.0.0.1", primary.port());
                RawClient r = new RawClient("127.0.0.1", replica.port())) {
            Object[] mset = new Object[1 + 2 * 6000];
            mset[0] = "MSET";
            for (int i = 0; i < 6000; i++) {
                mset[1 + 2 * i] = "k" + i;
                mset[2 + 2 * i] = "v";
            }
            p.call(mset);
            p.call("CONFIG", "SET", "repl-timeout", "1");
            // 0.5 ms a key: a load of about three seconds
            r.call("CONFIG", "SET", "key-load-delay", "500");
            r.call("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()));
            awaitInfo(r, "replication", "master_link_status", "up");
            Thread.sleep(1500);
            assertEquals("up", infoField(r, "replication", "master_link_status"));
            // never dropped: no second synchronisation, full or partial
            assertEquals("1", infoField(p, "sync_full"));
            assertEquals("0", infoField(p, "sync_partial_ok"));
            assertEquals(":6000", RawClient.render(r.call("DBSIZE")));
        }
    }

    /** Waits up to 10 s for an INFO field to show {@code value}, and fails if it never does. */
    private static void awaitInfo(RawClient c, String section, String field, String value) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!infoField(c, section, field).equals(value) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(value, infoField(c, section, field), field);
    }

    private static EmbeddedServer debuggableReplica() throws Exception {
        return EmbeddedServer.builder().port(0).option("dir", TempDirs.create("replica").toString())
                .option("enable-debug-command", "yes").start();
    }

    /** What the replica holds and the primary counts after each step, as one string. */
    private static String lostLinkSteps(int primaryPort, int replicaPort) throws Exception {
        StringBuilder seen = new StringBuilder();
        try (RawClient p = new RawClient("127.0.0.1", primaryPort);
                RawClient r = new RawClient("127.0.0.1", replicaPort)) {
            p.call("CONFIG", "SET", "repl-backlog-size", "16384");
            r.call("REPLICAOF", "127.0.0.1", Integer.toString(primaryPort));
            // WAIT is no barrier before the replica attached (a write before it has offset 0)
            awaitInfo(r, "replication", "master_link_status", "up");
            p.call("SELECT", "3");
            p.call("SET", "a", "1");
            assertEquals(":1", RawClient.render(p.call("WAIT", "1", "5000")));
            // the link dropped: the replica asks to continue, and the stream goes on in database 3
            String list = r.callText("CLIENT", "LIST");
            String role = RawClient.render(r.call("ROLE"));
            assertEquals(":1", RawClient.render(r.call("CLIENT", "KILL", "TYPE", "master")), list + " " + role);
            p.call("SET", "b", "2");
            p.call("INCR", "c");
            assertEquals(":1", RawClient.render(p.call("WAIT", "1", "5000")));
            r.call("SELECT", "3");
            seen.append(RawClient.render(r.call("MGET", "a", "b", "c"))).append(' ').append(syncCounts(p)).append('\n');
            // the link dropped while the replica sleeps, and the primary writes more than its
            // backlog holds meanwhile: a full synchronisation. Writes keep coming before it, so the
            // kill (inside EXEC, every shard held) finds the link applying the stream
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.CompletableFuture<Void> load = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try (RawClient w = new RawClient("127.0.0.1", primaryPort)) {
                    while (writing.get()) {
                        w.call("INCR", "load");
                    }
                }
            });
            Thread.sleep(200);
            java.util.concurrent.CompletableFuture<String> sleeping = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (RawClient s = new RawClient("127.0.0.1", replicaPort)) {
                    s.call("MULTI");
                    s.call("CLIENT", "KILL", "TYPE", "master");
                    s.call("DEBUG", "SLEEP", "1");
                    return RawClient.render(s.call("EXEC"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            p.call("SET", "big", "x".repeat(40_000));
            seen.append(sleeping.get(30, java.util.concurrent.TimeUnit.SECONDS)).append('\n');
            writing.set(false);
            load.get(30, java.util.concurrent.TimeUnit.SECONDS);
            p.call("INCR", "c");
            assertEquals(":1", RawClient.render(p.call("WAIT", "1", "10000")));
            seen.append(RawClient.render(r.call("MGET", "a", "b", "c"))).append(' ')
                    .append(RawClient.render(r.call("STRLEN", "big"))).append(' ').append(syncCounts(p)).append('\n');
            // no replica for repl-backlog-ttl seconds: the backlog is freed and the id changes
            String id = infoField(p, "replication", "master_replid");
            r.call("REPLICAOF", "NO", "ONE");
            p.call("CONFIG", "SET", "repl-backlog-ttl", "1");
            awaitInfo(p, "replication", "repl_backlog_active", "0");
            seen.append("backlog active ").append(infoField(p, "replication", "repl_backlog_active"))
                    .append(", id changed ").append(!infoField(p, "replication", "master_replid").equals(id));
        }
        return seen.toString();
    }

    private static String syncCounts(RawClient p) {
        return "sync_full=" + infoField(p, "sync_full") + " sync_partial_ok=" + infoField(p, "sync_partial_ok")
                + " sync_partial_err=" + infoField(p, "sync_partial_err");
    }

    @Test
    void staleReplicaAndChecksAtExec_asRedis() throws Exception {
        Path dir = TempDirs.create("stale");
        try (RedisServerProcess redis = RedisServerProcess.start();
                EmbeddedServer ours = EmbeddedServer.builder().port(0).option("dir", dir.toString()).start();
                RawClient r = new RawClient("127.0.0.1", redis.port());
                RawClient d = new RawClient("127.0.0.1", ours.port())) {
            Object[][] script = {
                {"SET", "xx", "1"},
                {"MULTI"}, {"INCR", "xx"},
                {"CONFIG", "SET", "min-replicas-to-write", "2"},
                {"EXEC"},
                {"CONFIG", "SET", "min-replicas-to-write", "0"},
                {"GET", "xx"},
                {"CONFIG", "SET", "replica-serve-stale-data", "no"},
                {"MULTI"}, {"GET", "xx"},
                {"REPLICAOF", "127.0.0.1", "1"},
                {"EXEC"},
                {"GET", "xx"},
                {"PING"},
                {"CONFIG", "SET", "replica-serve-stale-data", "yes"},
                {"GET", "xx"},
                {"SET", "xx", "2"},
                {"REPLICAOF", "NO", "ONE"},
                {"SET", "xx", "2"},
            };
            for (Object[] command : script) {
                assertEquals(RawClient.render(r.call(command)), RawClient.render(d.call(command)), List.of(command).toString());
            }
        }
    }

    @Test
    void replicaOfDamselfly_followsItsWrites() throws Exception {
        Path a = TempDirs.create("primary");
        Path b = TempDirs.create("replica");
        try (EmbeddedServer primary = EmbeddedServer.builder().port(0).option("dir", a.toString()).start();
                EmbeddedServer replica = EmbeddedServer.builder().port(0).option("dir", b.toString()).start();
                RawClient p = new RawClient("127.0.0.1", primary.port());
                RawClient r = new RawClient("127.0.0.1", replica.port())) {
            p.call("RPUSH", "l", "1", "2", "3");
            r.call("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()));
            p.call("LPOP", "l");
            p.call("ZADD", "z", "2", "b", "1", "a");
            p.call("MULTI");
            p.call("INCR", "c");
            p.call("INCR", "c");
            p.call("EXEC");
            for (int i = 0; i < 300; i++) {
                // an approximate trim reaches the replica as an exact one with LIMIT, which only a primary may send
                p.call("XADD", "s", "MAXLEN", "~", "100", "*", "f", Integer.toString(i));
            }
            p.call("XTRIM", "s", "MAXLEN", "~", "10", "LIMIT", "1000");
            assertEquals(":1", RawClient.render(p.call("WAIT", "1", "5000")));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!RawClient.render(r.call("GET", "c")).equals("$2") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals("[$2, $3]", RawClient.render(r.call("LRANGE", "l", "0", "-1")));
            assertEquals("[$a, $b]", RawClient.render(r.call("ZRANGE", "z", "0", "-1")));
            assertEquals("$2", RawClient.render(r.call("GET", "c")));
            assertEquals(RawClient.render(p.call("XRANGE", "s", "-", "+")), RawClient.render(r.call("XRANGE", "s", "-", "+")));
        }
    }

    /**
     * replica-announce-ip and replica-announce-port: the address a primary shows for a replica
     * behind NAT or a port mapping (REPLCONF ip-address and listening-port), in INFO and ROLE, the
     * same from a redis-server primary as from a damselfly one.
     */
    @Test
    void announcedAddress_isWhatThePrimaryShows() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
                EmbeddedServer ours = EmbeddedServer.builder().port(0).option("dir", TempDirs.create("primary").toString()).start()) {
            for (int primaryPort : new int[] {redis.port(), ours.port()}) {
                try (EmbeddedServer replica = EmbeddedServer.builder().port(0).option("dir", TempDirs.create("replica").toString())
                                .option("replica-announce-ip", "10.9.8.7").option("replica-announce-port", "4242").start();
                        RawClient p = new RawClient("127.0.0.1", primaryPort);
                        RawClient r = new RawClient("127.0.0.1", replica.port())) {
                    r.call("REPLICAOF", "127.0.0.1", Integer.toString(primaryPort));
                    InfoFields.awaitLine(r, "replication", "master_link_status:up");
                    InfoFields.await(p, "replication", info -> info.contains("slave0:ip=10.9.8.7,port=4242,state=online"),
                            "the primary shows the announced address");
                    String role = RawClient.render(p.call("ROLE"));
                    assertTrue(role.contains(", [[$10.9.8.7, $4242, $"), role);
                }
            }
        }
    }
}
