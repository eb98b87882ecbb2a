package io.damselfly.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.InfoFields;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.TempDirs;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A replica replacing its data set with its primary's snapshot loses nothing on disk, as Redis's
 * readSyncBulkPayload: no save writes the part loaded so far over the file (SHUTDOWN forces NOSAVE,
 * save points wait for the load's end), and the AOF is turned off for the load and on again from a
 * rewrite, so a restart finds the snapshot's data set and not the one before it. Loads are slowed
 * with key-load-delay so that the test can act while one runs.
 */
class ReplicaLoadSafetyTest {

    @Test
    void replicaLoadingItsSnapshot_shutdownKeepsTheWholeFile() throws Exception {
        int keys = 3000;
        Path dir = TempDirs.create("loading-replica");
        try (EmbeddedServer primary = primaryWith(keys)) {
            EmbeddedServer replica = EmbeddedServer.builder().port(0).option("dir", dir.toString())
                    .option("save", "3600 1").option("key-load-delay", "2000").start();
            try (RawClient r = new RawClient("127.0.0.1", replica.port())) {
                replicate(r, primary);
                InfoFields.await(r, "persistence", info -> info.contains("loading:1"), "the replica is loading");
                shutdown(r, "SHUTDOWN");
            } finally {
                replica.close();
            }
        }
        // the file the replica received is whole: every key loads from it
        assertEquals(":" + keys, dbsizeAfterRestart(dir, "no"));
    }

    @Test
    void savePoints_waitForTheLoadToEnd() throws Exception {
        try (EmbeddedServer primary = primaryWith(2000);
                EmbeddedServer replica = EmbeddedServer.builder().port(0).option("dir", TempDirs.create("replica").toString())
                        .option("save", "1 1").option("key-load-delay", "2000").start();
                RawClient r = new RawClient("127.0.0.1", replica.port())) {
            replicate(r, primary);
            InfoFields.await(r, "persistence", info -> info.contains("loading:1"), "the replica is loading");
            // "save 1 1": a save would be due a second after the flush that began the load
            Thread.sleep(2500);
            String info = RawClient.render(r.call("INFO", "persistence"));
            assertTrue(info.contains("loading:1"), "still loading: " + info);
            assertTrue(info.contains("rdb_saves:0"), "no save while loading: " + info);
            InfoFields.await(r, "persistence", i -> i.contains("loading:0"), "the load ends");
        }
    }

    @Test
    void aofOn_restartFindsThePrimarysDataSet() throws Exception {
        int keys = 500;
        Path dir = TempDirs.create("aof-replica");
        try (EmbeddedServer primary = primaryWith(keys);
                RawClient p = new RawClient("127.0.0.1", primary.port())) {
            EmbeddedServer replica = EmbeddedServer.builder().port(0).option("dir", dir.toString()).option("appendonly", "yes").start();
            try (RawClient r = new RawClient("127.0.0.1", replica.port())) {
                assertEquals("+OK", r.callText("SET", "own", "before-the-sync"));
                replicate(r, primary);
                InfoFields.await(r, "replication", info -> info.contains("master_link_status:up"), "the link is up");
                p.call("SET", "after", "the-sync");
                assertEquals(":1", RawClient.render(p.call("WAIT", "1", "5000")));
                awaitAofSettled(r);
                shutdown(r, "SHUTDOWN", "NOSAVE");
            } finally {
                replica.close();
            }
        }
        try (EmbeddedServer again = EmbeddedServer.builder().port(0).option("dir", dir.toString()).option("appendonly", "yes").start();
                RawClient c = new RawClient("127.0.0.1", again.port())) {
            assertEquals(":" + (keys + 1), RawClient.render(c.call("DBSIZE")));
            assertEquals("(nil)", RawClient.render(c.call("GET", "own")), "the data set before the sync is gone");
            assertEquals("$the-sync", RawClient.render(c.call("GET", "after")));
        }
    }

    @Test
    void aofTurnedOnWhileLoading_startsFromTheWholeDataSet() throws Exception {
        int keys = 2000;
        Path dir = TempDirs.create("aof-on-loading");
        try (EmbeddedServer primary = primaryWith(keys)) {
            EmbeddedServer replica = EmbeddedServer.builder().port(0).option("dir", dir.toString()).option("key-load-delay", "1000").start();
            try (RawClient r = new RawClient("127.0.0.1", replica.port())) {
                replicate(r, primary);
                InfoFields.await(r, "persistence", info -> info.contains("loading:1"), "the replica is loading");
                assertEquals("+OK", r.callText("CONFIG", "SET", "appendonly", "yes"));
                InfoFields.await(r, "persistence", info -> info.contains("loading:0"), "the load ends");
                awaitAofSettled(r);
                shutdown(r, "SHUTDOWN", "NOSAVE");
            } finally {
                replica.close();
            }
        }
        assertEquals(":" + keys, dbsizeAfterRestart(dir, "yes"));
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** A primary holding {@code keys} string keys. */
    private static EmbeddedServer primaryWith(int keys) throws Exception {
        EmbeddedServer primary = EmbeddedServer.builder().port(0).option("dir", TempDirs.create("primary").toString()).start();
        try (RawClient p = new RawClient("127.0.0.1", primary.port())) {
            for (int i = 0; i < keys; i++) {
                p.call("SET", "key:" + i, "value:" + i);
            }
        }
        return primary;
    }

    private static void replicate(RawClient replica, EmbeddedServer primary) {
        assertEquals("+OK", replica.callText("REPLICAOF", "127.0.0.1", Integer.toString(primary.port())));
    }

    /** Sends a SHUTDOWN form and checks the server stops (no reply, the connection closed). */
    private static void shutdown(RawClient c, Object... shutdown) {
        c.send(shutdown);
        assertTrue(c.isClosedByServer(), "the server stops");
    }

    /** DBSIZE of a server started on {@code dir} with appendonly {@code appendonly}. */
    private static String dbsizeAfterRestart(Path dir, String appendonly) {
        try (EmbeddedServer again = EmbeddedServer.builder().port(0).option("dir", dir.toString()).option("appendonly", appendonly).start();
                RawClient c = new RawClient("127.0.0.1", again.port())) {
            return RawClient.render(c.call("DBSIZE"));
        }
    }

    /** Waits until the AOF is on and a rewrite has ended since the start (its base written), none running. */
    private static void awaitAofSettled(RawClient c) throws Exception {
        InfoFields.await(c, "persistence", info -> info.contains("aof_enabled:1") && info.contains("aof_rewrite_in_progress:0")
                && info.contains("aof_rewrite_scheduled:0") && !info.contains("aof_rewrites:0"), "the AOF's rewrite ended");
    }
}
