package io.damselfly.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pipeline_squash: pipelined batches give the same replies, in the same order, whether
 * consecutive same-shard commands share one lock (from the first command, 1; from the tenth, 10)
 * or each takes its own (0); and the shared lock neither loses writes of concurrent clients nor
 * deadlocks against multi-key commands that take several shards in index order.
 */
class PipelineSquashTest {
    private static final String[] SQUASH = {"0", "1", "10"};
    private static final List<EmbeddedServer> servers = new ArrayList<>();

    @BeforeAll
    static void start() {
        for (String s : SQUASH) {
            // few shards, so that unrelated keys share one often, and two I/O threads for concurrency
            servers.add(EmbeddedServer.builder().option("pipeline_squash", s).option("num_shards", "4")
                    .option("conn_io_threads", "2").start());
        }
    }

    @AfterAll
    static void stop() {
        servers.forEach(EmbeddedServer::close);
    }

    /** A pipeline of every kind of command the executor treats differently. */
    private static List<Object[]> mixedPipeline() {
        List<Object[]> cmds = new ArrayList<>();
        cmds.add(new Object[] {"FLUSHALL"});
        for (int i = 0; i < 40; i++) {
            // runs on one key (one shard), then spread over keys (shards alternate)
            cmds.add(new Object[] {"INCR", "same"});
            cmds.add(new Object[] {"SET", "k" + (i % 7), "v" + i});
            cmds.add(new Object[] {"GET", "k" + ((i + 3) % 7)});
        }
        // multi-key commands between single-key ones: the held lock goes before they lock
        cmds.add(new Object[] {"GET", "k1"});
        cmds.add(new Object[] {"MSET", "k1", "a", "k2", "b", "k3", "c", "k4", "d", "k5", "e"});
        cmds.add(new Object[] {"GET", "k5"});
        cmds.add(new Object[] {"MGET", "k1", "k2", "k3", "k4", "k5", "nokey"});
        cmds.add(new Object[] {"DEL", "k1", "k2", "nokey"});
        cmds.add(new Object[] {"RENAME", "k3", "k6"});
        cmds.add(new Object[] {"EXISTS", "k3", "k6"});
        // errors of every kind in the middle
        cmds.add(new Object[] {"LPUSH", "same", "x"});
        cmds.add(new Object[] {"NOSUCHCOMMAND", "same"});
        cmds.add(new Object[] {"GET"});
        cmds.add(new Object[] {"INCR", "k4"});
        cmds.add(new Object[] {"GET", "same"});
        // a transaction inside the pipeline, with a queued error and a runtime one
        cmds.add(new Object[] {"MULTI"});
        cmds.add(new Object[] {"INCR", "same"});
        cmds.add(new Object[] {"LPUSH", "same", "x"});
        cmds.add(new Object[] {"SET", "k7", "tx"});
        cmds.add(new Object[] {"EXEC"});
        cmds.add(new Object[] {"GET", "k7"});
        cmds.add(new Object[] {"MULTI"});
        cmds.add(new Object[] {"SET", "k8", "x"});
        cmds.add(new Object[] {"GET"});
        cmds.add(new Object[] {"EXEC"});
        cmds.add(new Object[] {"EXISTS", "k8"});
        // a script, a blocking pop that need not block, keyspace-wide commands
        cmds.add(new Object[] {"EVAL", "redis.call('set', KEYS[1], ARGV[1]); return redis.call('incr', KEYS[2])", "2", "k9", "same", "s"});
        cmds.add(new Object[] {"RPUSH", "list", "a", "b", "c"});
        cmds.add(new Object[] {"BLPOP", "list", "0"});
        cmds.add(new Object[] {"LRANGE", "list", "0", "-1"});
        cmds.add(new Object[] {"DBSIZE"});
        cmds.add(new Object[] {"SELECT", "1"});
        cmds.add(new Object[] {"SET", "same", "db1"});
        cmds.add(new Object[] {"GET", "same"});
        cmds.add(new Object[] {"SELECT", "0"});
        cmds.add(new Object[] {"GET", "same"});
        cmds.add(new Object[] {"KEYS", "k9"});
        for (int i = 0; i < 30; i++) {
            cmds.add(new Object[] {"APPEND", "tail", String.valueOf(i % 10)});
        }
        cmds.add(new Object[] {"GET", "tail"});
        return cmds;
    }

    private static List<String> runPipelined(EmbeddedServer server, List<Object[]> cmds) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Object[] c : cmds) {
            all.writeBytes(RawClient.encode(c));
        }
        List<String> replies = new ArrayList<>();
        try (RawClient c = new RawClient(server.host(), server.port())) {
            // one write: the server reads it as one batch (or a few, as TCP delivers it)
            c.sendRaw(all.toByteArray());
            for (int i = 0; i < cmds.size(); i++) {
                replies.add(RawClient.render(c.read()));
            }
        }
        return replies;
    }

    @Test
    void pipeline_sameRepliesWithSquashOnAndOff() {
        List<Object[]> cmds = mixedPipeline();
        List<String> off = runPipelined(servers.get(0), cmds);
        // the replies are what the commands mean, not an accident of one setting
        assertEquals("+OK", off.get(0));
        assertEquals("$40", off.get(1 + 40 * 3 + 11));
        assertTrue(off.contains("-WRONGTYPE Operation against a key holding the wrong kind of value"));
        assertTrue(off.stream().anyMatch(r -> r.startsWith("-EXECABORT")));
        assertEquals("$0123456789012345678901234567890123456789".substring(0, 31), off.get(off.size() - 1));
        for (int s = 1; s < SQUASH.length; s++) {
            assertEquals(off, runPipelined(servers.get(s), cmds), "pipeline_squash " + SQUASH[s] + " against 0");
        }
    }

    @Test
    void pipeline_manyBatchesOfOneShard_sameReplies() {
        List<Object[]> cmds = new ArrayList<>();
        cmds.add(new Object[] {"DEL", "n"});
        for (int i = 0; i < 5000; i++) {
            cmds.add(new Object[] {i % 3 == 0 ? "GET" : "INCR", "n"});
        }
        List<String> off = runPipelined(servers.get(0), cmds);
        assertEquals(":3333", off.get(off.size() - 1));
        for (int s = 1; s < SQUASH.length; s++) {
            assertEquals(off, runPipelined(servers.get(s), cmds), "pipeline_squash " + SQUASH[s]);
        }
    }

    /**
     * Four clients pipeline increments over keys of every shard, interleaved with MSETs that lock
     * several shards in index order: with squashing on, no write is lost (every lock really is
     * held) and nothing deadlocks (a held lock is released before a multi-shard command).
     */
    @Test
    void concurrentPipelines_noLostWrites_noDeadlock() throws Exception {
        for (EmbeddedServer server : servers) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> hammer(server));
        }
    }

    private static void hammer(EmbeddedServer server) throws Exception {
        int clients = 4;
        int rounds = 20;
        int keys = 16;
        try (RawClient c = new RawClient(server.host(), server.port())) {
            c.callText("FLUSHALL");
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < clients; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    for (int r = 0; r < rounds; r++) {
                        List<Object[]> cmds = new ArrayList<>();
                        for (int i = 0; i < 200; i++) {
                            // runs of the same key, so squashed runs form, then a jump to another
                            cmds.add(new Object[] {"INCR", "c" + ((i / 5 + id) % keys)});
                            if (i % 37 == 0) {
                                // several shards, in the opposite order of the keys' names
                                cmds.add(new Object[] {"MSET", "m" + (keys - 1 - i % keys), "x", "m" + (i % keys), "y"});
                            }
                        }
                        runPipelined(server, cmds);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long total = 0;
        try (RawClient c = new RawClient(server.host(), server.port())) {
            for (int k = 0; k < keys; k++) {
                String v = c.callText("GET", "c" + k);
                total += Long.parseLong(v.substring(1));
            }
        }
        assertEquals((long) clients * rounds * 200, total, "increments lost under pipeline_squash " + server.config().format(
                io.damselfly.server.config.Option.PIPELINE_SQUASH));
    }
}
