package io.damselfly.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.InfoFields;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.TempDirs;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Diskless full synchronisation (repl-diskless-sync, Redis 7's default), both ways with
 * redis-server 7.0.15: a primary streams its snapshot to the replicas' sockets, framed by a
 * 40-byte end mark, writes no file and counts no save (rdb_saves stays 0, as Redis's
 * rdbSaveToSlavesSockets does not count one); repl-diskless-sync-delay and
 * repl-diskless-sync-max-replicas gather replicas for one snapshot; a replica that goes away
 * mid-transfer leaves the others to finish; a replica fed a broken transfer drops the link and
 * keeps serving.
 */
class DisklessSyncTest {
    private static final int KEYS = 2000;

    @Test
    void damselflyPrimary_streamsItsSnapshot_writingNoFile() throws Exception {
        Path dir = TempDirs.create("diskless-primary");
        // the transfer slowed (50 us a key) so the test can look at the directory while it runs
        try (EmbeddedServer primary = EmbeddedServer.builder().port(0).option("dir", dir.toString())
                        .option("repl-diskless-sync-delay", "0").option("rdb-key-save-delay", "50").start();
                EmbeddedServer replica = ours();
                RawClient p = new RawClient("127.0.0.1", primary.port());
                RawClient r = new RawClient("127.0.0.1", replica.port())) {
            fill(p);
            r.call("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()));
            boolean sawTransfer = false;
            long deadline = System.currentTimeMillis() + 20_000;
            while (!InfoFields.field(r, "replication", "master_link_status").equals("up")) {
                sawTransfer |= InfoFields.field(p, "persistence", "rdb_bgsave_in_progress").equals("1");
                try (Stream<Path> files = Files.list(dir)) {
                    assertEquals(List.of(), files.toList(), "no file in the primary's directory during the transfer");
                }
                assertTrue(System.currentTimeMillis() < deadline, "the replica's link comes up");
                Thread.sleep(10);
            }
            assertTrue(sawTransfer, "the transfer counts as a save in progress");
            assertSameData(p, r);
            assertEquals("0", InfoFields.field(p, "persistence", "rdb_saves"));
            assertEquals("1", InfoFields.field(p, "stats", "sync_full"));
            // the stream follows the snapshot (from the replica's first acknowledgement)
            p.call("SET", "after", "the-transfer");
            awaitValue(r, "after", "$the-transfer");
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.toList());
            }
        }
    }

    @Test
    void redisPrimary_streamsToADamselflyReplica() throws Exception {
        try (RedisServerProcess primary = RedisServerProcess.start();
                EmbeddedServer replica = ours()) {
            // redis-server counts no save for a transfer to sockets: the replica took the stream form
            assertStreamedAcross(primary.port(), replica.port());
        }
    }

    @Test
    void damselflyPrimary_streamsToARedisReplica() throws Exception {
        try (EmbeddedServer primary = ours();
                RedisServerProcess replica = RedisServerProcess.start()) {
            assertStreamedAcross(primary.port(), replica.port());
        }
    }

    /**
     * The replica on {@code replicaPort} follows the primary on {@code primaryPort}: the whole
     * data set, no save counted on the primary (the snapshot was streamed), then the stream, to
     * the primary's offset.
     */
    private static void assertStreamedAcross(int primaryPort, int replicaPort) throws Exception {
        try (RawClient p = new RawClient("127.0.0.1", primaryPort);
                RawClient r = new RawClient("127.0.0.1", replicaPort)) {
            fill(p);
            r.call("REPLICAOF", "127.0.0.1", Integer.toString(primaryPort));
            InfoFields.awaitLine(r, "replication", "master_link_status:up");
            assertSameData(p, r);
            assertEquals("0", InfoFields.field(p, "persistence", "rdb_saves"));
            p.call("SET", "after", "the-transfer");
            awaitValue(r, "after", "$the-transfer");
            String offset = InfoFields.field(p, "replication", "master_repl_offset");
            InfoFields.awaitLine(r, "replication", "master_repl_offset:" + offset);
        }
    }

    /** repl-diskless-sync no: the snapshot goes through the RDB file, a save counted, as Redis's disk-based sync. */
    @Test
    void disklessSyncOff_savesTheFileFirst() throws Exception {
        try (EmbeddedServer primary = EmbeddedServer.builder().port(0).option("dir", TempDirs.create("disk-primary").toString())
                        .option("repl-diskless-sync", "no").start();
                EmbeddedServer replica = ours();
                RawClient p = new RawClient("127.0.0.1", primary.port());
                RawClient r = new RawClient("127.0.0.1", replica.port())) {
            fill(p);
            r.call("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()));
            InfoFields.awaitLine(r, "replication", "master_link_status:up");
            assertSameData(p, r);
            assertEquals("1", InfoFields.field(p, "persistence", "rdb_saves"));
        }
    }

    /**
     * The delay gathers replicas for one snapshot, and max-replicas ends it early: with a 60 s
     * delay and max-replicas 2, the first replica waits (keep-alive newlines keep its link) until
     * the second asks, then both are served at once. The same steps against redis-server give the
     * same answers.
     */
    @Test
    void delayWaitsForMoreReplicas_untilMaxReplicasAsk() throws Exception {
        assertEquals("first waits: down; then both: up up", gathering(true));
        assertEquals("first waits: down; then both: up up", gathering(false));
    }

    private static String gathering(boolean damselflyPrimary) throws Exception {
        String[] settings = {"repl-diskless-sync-delay", "60", "repl-diskless-sync-max-replicas", "2"};
        try (AutoCloseable primary = damselflyPrimary
                        ? EmbeddedServer.builder().port(0).option("dir", TempDirs.create("gather").toString())
                                .option(settings[0], settings[1]).option(settings[2], settings[3]).start()
                        : RedisServerProcess.start("--" + settings[0], settings[1], "--" + settings[2], settings[3]);
                EmbeddedServer a = ours();
                EmbeddedServer b = ours();
                RawClient ra = new RawClient("127.0.0.1", a.port());
                RawClient rb = new RawClient("127.0.0.1", b.port())) {
            int port = primary instanceof EmbeddedServer e ? e.port() : ((RedisServerProcess) primary).port();
            try (RawClient p = new RawClient("127.0.0.1", port)) {
                fill(p);
            }
            ra.call("REPLICAOF", "127.0.0.1", Integer.toString(port));
            Thread.sleep(2500);
            String first = InfoFields.field(ra, "replication", "master_link_status");
            rb.call("REPLICAOF", "127.0.0.1", Integer.toString(port));
            InfoFields.awaitLine(ra, "replication", "master_link_status:up");
            InfoFields.awaitLine(rb, "replication", "master_link_status:up");
            return "first waits: " + first + "; then both: " + InfoFields.field(ra, "replication", "master_link_status")
                    + " " + InfoFields.field(rb, "replication", "master_link_status");
        }
    }

    /**
     * A replica waiting out the delay is a replica already, as Redis's syncCommand lists it: INFO
     * counts it (connected_slaves, and not in connected_clients) and shows it as wait_bgsave,
     * CLIENT LIST flags it S, ROLE leaves it out until its transfer begins; gone, it is forgotten.
     */
    @Test
    void aReplicaWaitingForTheTransfer_isListedFromItsSync() throws Exception {
        String expected = "connected_slaves:1 slave0:ip=127.0.0.1,port=R,state=wait_bgsave,offset=0,lag=0"
                + " connected_clients:1 flags=S role:[$master, :0, []] | gone: connected_slaves:0";
        assertEquals(expected, waitingView(true));
        assertEquals(expected, waitingView(false));
    }

    private static String waitingView(boolean damselflyPrimary) throws Exception {
        try (AutoCloseable primary = damselflyPrimary
                        ? EmbeddedServer.builder().port(0).option("dir", TempDirs.create("waiting").toString())
                                .option("repl-diskless-sync-delay", "60").start()
                        : RedisServerProcess.start("--repl-diskless-sync-delay", "60")) {
            int port = primary instanceof EmbeddedServer e ? e.port() : ((RedisServerProcess) primary).port();
            try (RawClient p = new RawClient("127.0.0.1", port)) {
                String view;
                try (EmbeddedServer replica = ours(); RawClient r = new RawClient("127.0.0.1", replica.port())) {
                    r.call("REPLICAOF", "127.0.0.1", Integer.toString(port));
                    InfoFields.awaitLine(p, "replication", "connected_slaves:1");
                    String slave = "slave0:" + InfoFields.field(p, "replication", "slave0");
                    String clients = RawClient.render(p.call("CLIENT", "LIST"));
                    String flags = clients.contains("cmd=psync") ? clients.replaceAll("(?s).*(flags=\\S+) [^\\n]*cmd=psync.*", "$1") : "no psync client";
                    view = "connected_slaves:1 " + slave.replace("port=" + replica.port(), "port=R")
                            + " connected_clients:" + InfoFields.field(p, "clients", "connected_clients")
                            + " " + flags + " role:" + RawClient.render(p.call("ROLE"));
                }
                InfoFields.awaitLine(p, "replication", "connected_slaves:0");
                return view + " | gone: connected_slaves:0";
            }
        }
    }

    /**
     * Two replicas share a slow transfer; one goes away in the middle of it. The other gets the
     * whole snapshot and the stream after it; the primary ends the transfer and serves on.
     */
    @Test
    void aReplicaGoneMidTransfer_theOtherFinishes() throws Exception {
        try (EmbeddedServer primary = EmbeddedServer.builder().port(0).option("dir", TempDirs.create("drop").toString())
                        .option("repl-diskless-sync-delay", "60").option("repl-diskless-sync-max-replicas", "2")
                        .option("rdb-key-save-delay", "500").start();
                EmbeddedServer stays = ours();
                RawClient p = new RawClient("127.0.0.1", primary.port());
                RawClient rs = new RawClient("127.0.0.1", stays.port())) {
            fill(p);
            EmbeddedServer leaves = ours();
            try (RawClient rl = new RawClient("127.0.0.1", leaves.port())) {
                rl.call("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()));
                rs.call("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()));
                InfoFields.awaitLine(p, "persistence", "rdb_bgsave_in_progress:1");
                Thread.sleep(200);
            }
            leaves.close();
            p.call("CONFIG", "SET", "rdb-key-save-delay", "0");
            InfoFields.awaitLine(rs, "replication", "master_link_status:up");
            assertSameData(p, rs);
            p.call("SET", "after", "the-transfer");
            awaitValue(rs, "after", "$the-transfer");
            InfoFields.awaitLine(p, "replication", "connected_slaves:1");
            InfoFields.awaitLine(p, "persistence", "rdb_bgsave_in_progress:0");
        }
    }

    /**
     * A primary whose transfer is broken (a mark of the wrong length; a payload that is no RDB
     * image; a connection closed before the mark): the replica drops the link and asks again,
     * keeps serving, and keeps its data set when the transfer never completed.
     */
    @Test
    void brokenTransfers_dropTheLink_theReplicaServesOn() throws Exception {
        String mark = "0123456789abcdef0123456789abcdef01234567";
        assertBroken("$EOF:short\r\n", true);
        assertBroken("$EOF:" + mark + "\r\nnot an rdb file at all" + mark, false);
        assertBroken("$EOF:" + mark + "\r\nREDIS0010 and then the primary goes away", true);
    }

    private static void assertBroken(String transfer, boolean dataKept) throws Exception {
        try (FakePrimary fake = new FakePrimary(transfer);
                EmbeddedServer replica = ours();
                RawClient r = new RawClient("127.0.0.1", replica.port())) {
            r.call("SET", "mine", "kept");
            r.call("REPLICAOF", "127.0.0.1", Integer.toString(fake.port()));
            // the link fails and the replica connects again for another try
            long deadline = System.currentTimeMillis() + 15_000;
            while (fake.connections.get() < 2) {
                assertTrue(System.currentTimeMillis() < deadline, "the replica connects again after: " + transfer);
                Thread.sleep(20);
            }
            assertEquals("+PONG", r.callText("PING"));
            assertEquals("master_link_status:down", "master_link_status:" + InfoFields.field(r, "replication", "master_link_status"));
            if (dataKept) {
                assertEquals("$kept", RawClient.render(r.call("GET", "mine")));
            }
            r.call("REPLICAOF", "NO", "ONE");
        }
    }

    /**
     * A primary that answers the handshake (PING, REPLCONF, PSYNC) and then sends {@code
     * transfer} after +FULLRESYNC, and closes the connection; it counts the connections it got.
     */
    private static final class FakePrimary implements AutoCloseable {
        final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger connections = new AtomicInteger();
        final Thread thread;

        FakePrimary(String transfer) throws IOException {
            thread = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket s = listener.accept()) {
                        connections.incrementAndGet();
                        s.setSoTimeout(10_000);
                        InputStream in = new BufferedInputStream(s.getInputStream());
                        OutputStream out = s.getOutputStream();
                        while (true) {
                            List<String> command = readCommand(in);
                            if (command.isEmpty()) {
                                break;
                            }
                            String name = command.get(0).toUpperCase();
                            if (name.equals("PING")) {
                                out.write("+PONG\r\n".getBytes(StandardCharsets.US_ASCII));
                            } else if (name.equals("PSYNC")) {
                                out.write(("+FULLRESYNC " + "f".repeat(40) + " 0\r\n" + transfer).getBytes(StandardCharsets.ISO_8859_1));
                                out.flush();
                                Thread.sleep(300);
                                break;
                            } else {
                                out.write("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
                            }
                        }
                    } catch (IOException | InterruptedException e) {
                        // the next connection, or closed
                    }
                }
            }, "fake-primary");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        /** One command as an array of bulk strings; empty at the end of the stream. */
        private static List<String> readCommand(InputStream in) throws IOException {
            String header = line(in);
            List<String> args = new ArrayList<>();
            if (header == null || !header.startsWith("*")) {
                return args;
            }
            int n = Integer.parseInt(header.substring(1));
            for (int i = 0; i < n; i++) {
                int len = Integer.parseInt(line(in).substring(1));
                byte[] b = in.readNBytes(len + 2);
                args.add(new String(b, 0, len, StandardCharsets.ISO_8859_1));
            }
            return args;
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    return sb.toString().replace("\r", "");
                }
                sb.append((char) c);
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    private static EmbeddedServer ours() throws Exception {
        return EmbeddedServer.builder().port(0).option("dir", TempDirs.create("diskless").toString()).start();
    }

    /** Strings, a hash, a list, a set and a sorted set, some keys with a TTL. */
    private static void fill(RawClient p) {
        for (int i = 0; i < KEYS; i++) {
            p.call("SET", "key:" + i, "value:" + i);
        }
        for (int i = 0; i < 100; i++) {
            p.call("HSET", "hash", "f" + i, "v" + i);
            p.call("RPUSH", "list", "e" + i);
            p.call("SADD", "set", "m" + i);
            p.call("ZADD", "zset", Integer.toString(i), "z" + i);
            p.call("SET", "ttl:" + i, "x", "EX", "3600");
        }
    }

    private static void assertSameData(RawClient p, RawClient r) {
        assertEquals(RawClient.render(p.call("DBSIZE")), RawClient.render(r.call("DBSIZE")));
        for (Object[] c : List.of(new Object[] {"GET", "key:0"}, new Object[] {"GET", "key:" + (KEYS - 1)},
                new Object[] {"HGETALL", "hash"}, new Object[] {"LRANGE", "list", "0", "-1"},
                new Object[] {"SMEMBERS", "set"}, new Object[] {"ZRANGE", "zset", "0", "-1", "WITHSCORES"},
                new Object[] {"EXISTS", "ttl:99"})) {
            String expected = RawClient.render(p.call(c));
            String actual = RawClient.render(r.call(c));
            if (c[0].equals("SMEMBERS")) {
                expected = sorted(expected);
                actual = sorted(actual);
            }
            assertEquals(expected, actual, String.join(" ", List.of(c).stream().map(Object::toString).toList()));
        }
        long ttl = Long.parseLong(RawClient.render(r.call("TTL", "ttl:0")).substring(1));
        assertTrue(ttl > 3000 && ttl <= 3600, "the TTL came with the key: " + ttl);
    }

    private static String sorted(String rendered) {
        return Stream.of(rendered.substring(1, rendered.length() - 1).split(", ")).sorted().toList().toString();
    }

    private static void awaitValue(RawClient r, String key, String expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        String got;
        while (!(got = RawClient.render(r.call("GET", key))).startsWith(expected)) {
            assertTrue(System.currentTimeMillis() < deadline, key + " reaches the replica: " + got);
            Thread.sleep(20);
        }
    }
}
