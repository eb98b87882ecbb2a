package io.damselfly.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ReplicationStreamReader;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.damselfly.server.testing.StreamComparison;
import io.damselfly.server.testing.TempDirs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * damselfly as a primary: a real redis-server 7.0.15 replica loads its snapshot and follows its
 * writes (WAIT, ROLE, INFO see it); the stream a replica reads is compared, command by command,
 * with the stream redis-server sends for the same script (SELECT, MULTI/EXEC units, what is not
 * propagated); PSYNC continues from the backlog; REPLCONF's errors are Redis's.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
@ServerOptions("enable_debug_command=yes")
class ReplicationTest {

    @Test
    void realReplica_loadsSnapshotAndFollowsWrites(EmbeddedServer damselfly) throws Exception {
        try (RawClient primary = new RawClient("127.0.0.1", damselfly.port())) {
            primary.call("SET", "before", "1");
            primary.call("HSET", "h", "f", "v");
            primary.call("SELECT", "3");
            primary.call("RPUSH", "l", "a", "b");
            primary.call("SELECT", "0");
            try (RedisServerProcess replica = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(damselfly.port()));
                    RawClient r = new RawClient("127.0.0.1", replica.port())) {
                // DEBUG REPLICATE below reaches only replicas already attached (as in Redis, whose
                // replicationFeedSlaves skips one still waiting for its snapshot's start): the link
                // is up first, or the fed key may come before the replica's moment and be lost
                waitForOffset(r, 0);
                primary.call("SET", "after", "2");
                // DEBUG REPLICATE: to the replicas as it is, in the database the stream selected last
                assertEquals("+OK", primary.callText("DEBUG", "REPLICATE", "SET", "fed", "1"));
                primary.call("INCRBY", "after", "5");
                primary.call("MULTI");
                primary.call("SADD", "s", "x");
                primary.call("ZADD", "z", "1.5", "m");
                primary.call("EXEC");
                primary.call("EVAL", "redis.call('set', KEYS[1], 'a'); return redis.call('append', KEYS[1], 'b')", "1", "scripted");
                primary.call("SELECT", "3");
                primary.call("LPUSH", "l", "z");
                primary.call("SELECT", "0");
                assertEquals(":1", RawClient.render(primary.call("WAIT", "1", "5000")));
                waitForOffset(r, offset(primary));
                assertEquals("$1", RawClient.render(r.call("GET", "before")));
                assertEquals("$7", RawClient.render(r.call("GET", "after")));
                assertEquals("$v", RawClient.render(r.call("HGET", "h", "f")));
                assertEquals(":1", RawClient.render(r.call("SISMEMBER", "s", "x")));
                assertEquals("$1.5", RawClient.render(r.call("ZSCORE", "z", "m")));
                assertEquals("$ab", RawClient.render(r.call("GET", "scripted")));
                assertEquals("$1", RawClient.render(r.call("GET", "fed")));
                assertEquals("(nil)", RawClient.render(primary.call("GET", "fed")), "not run on the primary");
                r.call("SELECT", "3");
                assertEquals("[$z, $a, $b]", RawClient.render(r.call("LRANGE", "l", "0", "-1")));
                String info = RawClient.render(primary.call("INFO", "replication"));
                assertTrue(info.contains("connected_slaves:1"), info);
                assertTrue(info.contains("port=" + replica.port() + ",state=online"), info);
                String role = RawClient.render(primary.call("ROLE"));
                assertTrue(role.startsWith("[$master, :"), role);
                assertTrue(role.contains("$" + replica.port()), role);
            }
        }
    }

    /**
     * A disk-based full synchronisation's snapshot (repl-diskless-sync no) is removed when nothing
     * is persisted (rdb-del-sync-files): left behind, a restart loaded it and served its old
     * values. With save points it is the RDB file and stays. (The default, diskless, writes none:
     * DisklessSyncTest.)
     */
    @Test
    void fullSync_leavesNoSnapshotFileWithoutPersistence() throws Exception {
        for (String save : new String[] {"", "3600 1"}) {
            java.nio.file.Path dir = TempDirs.create("sync-file");
            try (EmbeddedServer primary = EmbeddedServer.builder().option("dir", dir.toString()).option("save", save)
                    .option("repl-diskless-sync", "no").start();
                    RawClient p = new RawClient("127.0.0.1", primary.port())) {
                p.call("SET", "k", "old");
                try (RedisServerProcess replica = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(primary.port()));
                        RawClient r = new RawClient("127.0.0.1", replica.port())) {
                    // its link is up once the snapshot is loaded (WAIT could answer while it loads:
                    // the replica is online, at offset 0, as soon as the file is sent)
                    io.damselfly.server.testing.InfoFields.awaitLine(r, "replication", "master_link_status:up");
                    assertEquals("$old", RawClient.render(r.call("GET", "k")));
                }
                assertEquals(!save.isEmpty(), java.nio.file.Files.exists(dir.resolve("dump.rdb")), "save '" + save + "'");
            }
        }
    }

    /**
     * A replica that asks for a disk-based synchronisation while someone else's save runs waits
     * for that save to end and then for its own (Redis's WAIT_BGSAVE_START): meanwhile it gets
     * replicationCron's keep-alive newline every second, or a save longer than its repl-timeout
     * would drop it. Both servers, the same steps: a save made slow with rdb-key-save-delay, then
     * SYNC from a bare socket.
     */
    @Test
    void replicaWaitingBehindARunningSave_getsKeepAliveNewlines() throws Exception {
        String expected = "2 newlines, nothing else";
        try (EmbeddedServer ours = EmbeddedServer.builder().option("dir", TempDirs.create("presync").toString())
                .option("repl-diskless-sync", "no").start()) {
            assertEquals(expected, waitBehindSave(ours.port()));
        }
        try (RedisServerProcess redis = RedisServerProcess.start("--repl-diskless-sync", "no")) {
            assertEquals(expected, waitBehindSave(redis.port()));
        }
    }

    private static String waitBehindSave(int port) throws Exception {
        try (RawClient p = new RawClient("127.0.0.1", port)) {
            for (int i = 0; i < 10; i++) {
                p.call("SET", "k" + i, "v");
            }
            // 10 keys at 0.5 s each: a 5 s save, begun before the replica asks
            assertEquals("+OK", p.callText("CONFIG", "SET", "rdb-key-save-delay", "500000"));
            assertEquals("+Background saving started", p.callText("BGSAVE"));
            try (java.net.Socket replica = new java.net.Socket("127.0.0.1", port)) {
                replica.getOutputStream().write("SYNC\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                java.io.InputStream in = replica.getInputStream();
                int newlines = 0;
                int other = 0;
                long end = System.currentTimeMillis() + 2800;
                for (long left; (left = end - System.currentTimeMillis()) > 0; ) {
                    replica.setSoTimeout((int) left);
                    int b;
                    try {
                        b = in.read();
                    } catch (java.net.SocketTimeoutException e) {
                        break;
                    }
                    if (b < 0) {
                        break;
                    }
                    if (b == '\n') {
                        newlines++;
                    } else {
                        other++;
                    }
                }
                return Math.min(newlines, 2) + " newlines, " + (other == 0 ? "nothing else" : other + " other bytes");
            } finally {
                p.call("CONFIG", "SET", "rdb-key-save-delay", "0");
            }
        }
    }

    @Test
    void stream_asRedisSends(RedisServerProcess redis, EmbeddedServer damselfly) {
        StreamComparison.Result r = StreamComparison.run(redis, damselfly,
                new Object[] {"SET", "k", "v"},
                new Object[] {"GET", "k"},
                new Object[] {"DEL", "missing"},
                new Object[] {"SADD", "s", "a"},
                new Object[] {"SADD", "s", "a"},
                new Object[] {"SELECT", "2"},
                new Object[] {"RPUSH", "l", "x", "y"},
                new Object[] {"MULTI"},
                new Object[] {"INCR", "n"},
                new Object[] {"EXEC"},
                new Object[] {"MULTI"},
                new Object[] {"INCR", "n"},
                new Object[] {"GET", "n"},
                new Object[] {"HSET", "h", "f", "1"},
                new Object[] {"EXEC"},
                new Object[] {"SELECT", "0"},
                new Object[] {"EVAL", "redis.call('set', 'a', '1'); redis.call('incr', 'a'); return 1", "0"},
                new Object[] {"EVAL", "return redis.call('get', 'a')", "0"},
                new Object[] {"FLUSHDB"},
                new Object[] {"FLUSHDB"},
                new Object[] {"PUBLISH", "ch", "hello"},
                new Object[] {"SWAPDB", "0", "2"});
        assertEquals(r.redisReplies(), r.ourReplies());
        assertEquals(r.redisStream(), r.ourStream());
        assertEquals(List.of("select 0", "set k v", "sadd s a", "select 2", "rpush l x y", "incr n"),
                r.ourStream().subList(0, 6), "the stream starts as Redis's does");
    }

    @Test
    void stream_largeValueChangedLaterInTheUnit_sendsWhatWasSet(RedisServerProcess redis, EmbeddedServer damselfly) {
        // a 20 KB SET keeps the request's own array as the value; the SETRANGE after it in the same
        // transaction changes that array in place, which must not change the SET already propagated
        String big = "a".repeat(20_000);
        StreamComparison.Result r = StreamComparison.run(redis, damselfly,
                new Object[] {"MULTI"},
                new Object[] {"SET", "big", big},
                new Object[] {"SETRANGE", "big", "0", "xyz"},
                new Object[] {"BITFIELD", "big", "INCRBY", "u8", "0", "1"},
                new Object[] {"EXEC"});
        assertEquals(r.redisReplies(), r.ourReplies());
        assertEquals(r.redisStream(), r.ourStream());
        assertTrue(r.ourStream().contains("set big " + big), "the SET carries the value as set");
    }

    @Test
    void psync_continuesFromBacklog(EmbeddedServer damselfly) {
        String id;
        long offset;
        try (RawClient c = new RawClient("127.0.0.1", damselfly.port());
                ReplicationStreamReader first = ReplicationStreamReader.psync(damselfly.port())) {
            String[] fullResync = first.fullResyncLine().split(" ");
            assertEquals("+FULLRESYNC", fullResync[0]);
            id = fullResync[1];
            c.call("SET", "x", "1");
            assertEquals("select 0", first.nextLine());
            assertEquals("set x 1", first.nextLine());
            offset = offset(c);
            c.call("SET", "y", "2");
        }
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", damselfly.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("PSYNC " + id + " " + (offset + 1) + "\r\n").getBytes());
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            String expected = "+CONTINUE " + id + "\r\n*3\r\n$3\r\nSET\r\n$1\r\ny\r\n$1\r\n2\r\n";
            byte[] got = new byte[expected.length()];
            in.readFully(got);
            assertEquals(expected, new String(got));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void replconfErrors_asRedis(RedisServerProcess redis, EmbeddedServer damselfly) {
        Object[][] script = {
            {"REPLCONF"},
            {"REPLCONF", "listening-port"},
            {"REPLCONF", "listening-port", "notanumber"},
            {"REPLCONF", "nonsense", "1"},
            {"REPLCONF", "ip-address", "x".repeat(60)},
            {"REPLCONF", "ip-address", "x".repeat(255)},
            {"REPLCONF", "ip-address", "x".repeat(256)},
            {"REPLCONF", "listening-port", "6380", "capa", "eof", "capa", "psync2"},
            {"PSYNC", "x"},
            {"MULTI"},
            {"SYNC"},
            {"DISCARD"},
            {"PING"},
        };
        try (RawClient a = new RawClient("127.0.0.1", redis.port()); RawClient b = new RawClient("127.0.0.1", damselfly.port())) {
            for (Object[] command : script) {
                String theirs = RawClient.render(a.call(command));
                String ours = RawClient.render(b.call(command));
                assertEquals(theirs, ours, String.join(" ", java.util.Arrays.stream(command).map(String::valueOf).toList()));
            }
        }
    }

    private static long offset(RawClient c) {
        Map<String, String> fields = fields(RawClient.render(c.call("INFO", "replication")));
        return Long.parseLong(fields.get("master_repl_offset"));
    }

    private static void waitForOffset(RawClient replica, long offset) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            Map<String, String> f = fields(RawClient.render(replica.call("INFO", "replication")));
            String at = f.get("slave_repl_offset");
            if ("up".equals(f.get("master_link_status")) && at != null && Long.parseLong(at) >= offset) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the replica did not reach offset " + offset);
    }

    private static Map<String, String> fields(String info) {
        Map<String, String> out = new java.util.HashMap<>();
        for (String line : info.replace("\\r\\n", "\n").split("[\r\n]+")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon).replaceFirst("^\\$", ""), line.substring(colon + 1));
            }
        }
        assertNotNull(out.get("role"), info);
        return out;
    }
}
