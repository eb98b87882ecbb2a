package io.damselfly.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.InfoFields;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Redis Sentinel itself (redis-server 7.0.15 in sentinel mode) watching a damselfly primary and
 * two damselfly replicas, as an operator runs it: when the primary goes away, Sentinel promotes a
 * replica (REPLICAOF NO ONE inside MULTI, CONFIG REWRITE) and points the other at it, which
 * continues from the promoted one's backlog (PSYNC2's second id) instead of loading a snapshot;
 * writes to the new primary reach it.
 */
class SentinelFailoverTest {

    @Test
    void sentinelPromotesAReplica_andTheOtherContinuesFromItsBacklog() throws Exception {
        EmbeddedServer primary = EmbeddedServer.builder().port(0).option("dir", TempDirs.create("sentinel-p").toString()).start();
        int primaryPort = primary.port();
        String replicaof = "127.0.0.1 " + primaryPort;
        // replicas with a config file each: Sentinel's failover rewrites it (CONFIG REWRITE)
        try (EmbeddedServer r1 = replica(replicaof); EmbeddedServer r2 = replica(replicaof)) {
            try (RawClient p = new RawClient("127.0.0.1", primaryPort)) {
                for (EmbeddedServer r : List.of(r1, r2)) {
                    try (RawClient c = new RawClient("127.0.0.1", r.port())) {
                        InfoFields.awaitLine(c, "replication", "master_link_status:up");
                    }
                }
                p.call("SET", "before", "1");
                assertEquals(":2", RawClient.render(p.call("WAIT", "2", "5000")));
            }
            Path conf = TempDirs.file("sentinel", ".conf");
            Files.writeString(conf, "sentinel monitor dfly 127.0.0.1 " + primaryPort + " 1\n"
                    + "sentinel down-after-milliseconds dfly 1000\n"
                    + "sentinel failover-timeout dfly 10000\n");
            try (RedisServerProcess sentinel = RedisServerProcess.start(conf, "--sentinel");
                    RawClient s = new RawClient("127.0.0.1", sentinel.port())) {
                // Sentinel learns the replicas from the primary's INFO replication
                awaitTrue(() -> RawClient.render(s.call("SENTINEL", "REPLICAS", "dfly")).split("\\$name").length == 3,
                        "Sentinel sees both replicas");
                primary.close();
                awaitTrue(() -> !RawClient.render(s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "dfly")).contains("$" + primaryPort + "]"),
                        "Sentinel promotes a replica");
                String address = RawClient.render(s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "dfly"));
                assertTrue(address.contains("$" + r1.port() + "]") || address.contains("$" + r2.port() + "]"), address);
                EmbeddedServer promoted = address.contains("$" + r1.port() + "]") ? r1 : r2;
                EmbeddedServer other = promoted == r1 ? r2 : r1;
                // Sentinel's reconfiguration ends with CLIENT KILL TYPE normal on each server it
                // changed: a new connection per look until both show their new roles
                awaitTrue(() -> replicationShows(other.port(), "master_port:" + promoted.port())
                        && replicationShows(other.port(), "master_link_status:up")
                        && replicationShows(promoted.port(), "role:master"), "the other replica follows the promoted one");
                try (RawClient np = new RawClient("127.0.0.1", promoted.port());
                        RawClient o = new RawClient("127.0.0.1", other.port())) {
                    np.call("SET", "after", "2");
                    assertEquals(":1", RawClient.render(np.call("WAIT", "1", "5000")));
                    assertEquals("[$1, $2]", RawClient.render(o.call("MGET", "before", "after")));
                    // the other replica continued from the promoted one's backlog
                    assertEquals("0", InfoFields.field(np, "stats", "sync_full"));
                    assertEquals("1", InfoFields.field(np, "stats", "sync_partial_ok"));
                    // Sentinel's CONFIG REWRITE left the promoted one's file without replicaof
                    assertTrue(!Files.readString(Path.of(promoted.config().configFile())).contains("replicaof " + replicaof));
                }
            }
        } finally {
            primary.close();
        }
    }

    private static EmbeddedServer replica(String replicaof) throws Exception {
        Path dir = TempDirs.create("sentinel-r");
        Path conf = dir.resolve("replica.conf");
        Files.writeString(conf, "replicaof " + replicaof + "\n");
        return EmbeddedServer.builder().configFile(conf).port(0).option("dir", dir.toString()).start();
    }

    /** Whether INFO replication of the server on {@code port} has {@code line}, asked on a new connection. */
    private static boolean replicationShows(int port, String line) {
        try (RawClient c = new RawClient("127.0.0.1", port)) {
            return RawClient.render(c.call("INFO", "replication")).lines().anyMatch(l -> l.strip().equals(line));
        } catch (RuntimeException closedMeanwhile) {
            return false;
        }
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within 60 s");
            }
            Thread.sleep(100);
        }
    }
}
