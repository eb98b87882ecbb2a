package io.damselfly.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import java.nio.file.Files;
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
        Path dir = Files.createTempDirectory("loading-replica");
        try (EmbeddedServer primary = EmbeddedServer.builder().port(0).option("dir", Files.createTempDirectory("primary").toString()).start();
                RawClient p = new RawClient("127.0.0.1", primary.port())) {
            for (int i = 0; i < keys; i++) {
                p.call("SET", "key:" + i, "value:" + i);
            }
            EmbeddedServer replica = EmbeddedServer.builder().port(0).option("dir", dir.toString())
                    .option("save", "3600 1").option("key-load-delay", "2000").start();
            try (RawClient r = new RawClient("127.0.0.1", replica.port())) {
                assertEquals("+OK", r.callText("REPLICAOF", "127.0.0.1", Integer.toString(primary.port())));
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (!RawClient.render(r.call("INFO", "persistence")).contains("loading:1") && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertTrue(RawClient.render(r.call("INFO", "persistence")).contains("loading:1"), "the replica is loading");
                r.send("SHUTDOWN");
                assertTrue(r.isClosedByServer(), "the replica stops");
            } finally {
                replica.close();
            }
        }
        // the file the replica received is whole: every key loads from it
        try (EmbeddedServer again = EmbeddedServer.builder().port(0).option("dir", dir.toString()).start();
                RawClient c = new RawClient("127.0.0.1", again.port())) {
            assertEquals(":" + keys, RawClient.render(c.call("DBSIZE")));
        }
    }

    @Test
    void savePoints_waitForTheLoadToEnd() throws Exception {
        try (EmbeddedServer primary = EmbeddedServer.builder().port(0).option("dir", Files.createTempDirectory("primary").toString()).start();
                RawClient p = new RawClient("127.0.0.1", primary.port());
                EmbeddedServer replica = EmbeddedServer.builder().port(0).option("dir", Files.createTempDirectory("replica").toString())
                        .option("save", "1 1").option("key-load-delay", "2000").start();
                RawClient r = new RawClient("127.0.0.1", replica.port())) {
            for (int i = 0; i < 2000; i++) {
                p.call("SET", "key:" + i, "value:" + i);
            }
            assertEquals("+OK", r.callText("REPLICAOF", "127.0.0.1", Integer.toString(primary.port())));
            awaitPersistence(r, "loading:1");
            // "save 1 1": a save would be due a second after the flush that began the load
            Thread.sleep(2500);
            String info = RawClient.render(r.call("INFO", "persistence"));
            assertTrue(info.contains("loading:1"), "still loading: " + info);
            assertTrue(info.contains("rdb_saves:0"), "no save while loading: " + info);
            awaitPersistence(r, "loading:0");
        }
    }

    @Test
    void aofOn_restartFindsThePrimarysDataSet() throws Exception {
        int keys = 500;
        Path dir = Files.createTempDirectory("aof-replica");
        try (EmbeddedServer primary = EmbeddedServer.builder().port(0).option("dir", Files.createTempDirectory("primary").toString()).start();
                RawClient p = new RawClient("127.0.0.1", primary.port())) {
            for (int i = 0; i < keys; i++) {
                p.call("SET", "key:" + i, "value:" + i);
            }
            EmbeddedServer replica = EmbeddedServer.builder().port(0).option("dir", dir.toString()).option("appendonly", "yes").start();
            try (RawClient r = new RawClient("127.0.0.1", replica.port())) {
                assertEquals("+OK", r.callText("SET", "own", "before-the-sync"));
                assertEquals("+OK", r.callText("REPLICAOF", "127.0.0.1", Integer.toString(primary.port())));
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (!RawClient.render(r.call("INFO", "replication")).contains("master_link_status:up") && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                p.call("SET", "after", "the-sync");
                assertEquals(":1", RawClient.render(p.call("WAIT", "1", "5000")));
                // the AOF's first rewrite after the load has its base
                deadline = System.nanoTime() + 20_000_000_000L;
                while (!aofSettled(r) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertTrue(aofSettled(r), "the AOF's rewrite ended");
                r.send("SHUTDOWN", "NOSAVE");
                assertTrue(r.isClosedByServer());
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
        Path dir = Files.createTempDirectory("aof-on-loading");
        try (EmbeddedServer primary = EmbeddedServer.builder().port(0).option("dir", Files.createTempDirectory("primary").toString()).start();
                RawClient p = new RawClient("127.0.0.1", primary.port())) {
            for (int i = 0; i < keys; i++) {
                p.call("SET", "key:" + i, "value:" + i);
            }
            EmbeddedServer replica = EmbeddedServer.builder().port(0).option("dir", dir.toString()).option("key-load-delay", "1000").start();
            try (RawClient r = new RawClient("127.0.0.1", replica.port())) {
                assertEquals("+OK", r.callText("REPLICAOF", "127.0.0.1", Integer.toString(primary.port())));
                awaitPersistence(r, "loading:1");
                assertEquals("+OK", r.callText("CONFIG", "SET", "appendonly", "yes"));
                awaitPersistence(r, "loading:0");
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (!aofSettled(r) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertTrue(aofSettled(r), "the AOF's rewrite ended");
                r.send("SHUTDOWN", "NOSAVE");
                assertTrue(r.isClosedByServer());
            } finally {
                replica.close();
            }
        }
        try (EmbeddedServer again = EmbeddedServer.builder().port(0).option("dir", dir.toString()).option("appendonly", "yes").start();
                RawClient c = new RawClient("127.0.0.1", again.port())) {
            assertEquals(":" + keys, RawClient.render(c.call("DBSIZE")));
        }
    }

    private static boolean aofSettled(RawClient c) {
        String info = RawClient.render(c.call("INFO", "persistence"));
        return info.contains("aof_enabled:1") && info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrite_scheduled:0");
    }

    private static void awaitPersistence(RawClient c, String line) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!RawClient.render(c.call("INFO", "persistence")).contains(line) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(RawClient.render(c.call("INFO", "persistence")).contains(line), line);
    }
}
