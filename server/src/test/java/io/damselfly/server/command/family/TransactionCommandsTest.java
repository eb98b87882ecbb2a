package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.BlockedClients;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Transactions through Lettuce (RESP2 and RESP3) and raw sockets, where more than one connection
 * is involved: WATCH broken by another client's write, delete, expiry, flush and swap; EXEC atomic
 * against concurrent writers on other event loops (four shards, so a transaction spans shards);
 * a blocked client woken only after EXEC; watches released on disconnect; the queue bound.
 */
@ExtendWith(ServerExtension.class)
@ServerOptions({"num_shards=4", "conn_io_threads=2"})
class TransactionCommandsTest {

    @Test
    void execRunsTheQueue_resp3(RedisCommands<String, String> redis) {
        assertEquals("OK", redis.multi());
        assertEquals(null, redis.set("a", "1"));
        redis.incr("a");
        redis.rpush("l", "x", "y");
        redis.lrange("l", 0, -1);
        TransactionResult r = redis.exec();
        assertFalse(r.wasDiscarded());
        assertEquals(List.of("OK", 2L, 2L, List.of("x", "y")), r.stream().toList());
    }

    @Test
    void execRunsTheQueue_resp2(@Resp2 RedisCommands<String, String> redis) {
        redis.multi();
        redis.set("a", "1");
        redis.get("a");
        TransactionResult r = redis.exec();
        assertEquals(List.of("OK", "1"), r.stream().toList());
        redis.multi();
        assertEquals("OK", redis.discard());
        assertEquals("1", redis.get("a"));
    }

    @Test
    void watchSeesAnotherClientsWrite(RedisCommands<String, String> redis, RedisCommands<String, String> other) {
        redis.set("k", "1");
        redis.watch("k");
        other.set("k", "2");
        redis.multi();
        redis.set("k", "mine");
        assertTrue(redis.exec().wasDiscarded());
        assertEquals("2", redis.get("k"));
        // the failed EXEC unwatched: a fresh transaction runs
        redis.multi();
        redis.set("k", "mine");
        assertFalse(redis.exec().wasDiscarded());
    }

    @Test
    void watchSeesDeleteAndUntouchedKeysDoNotAbort(@Resp2 RedisCommands<String, String> redis, RedisCommands<String, String> other) {
        redis.set("k", "1");
        redis.watch("k", "untouched");
        other.set("elsewhere", "x");
        redis.multi();
        redis.get("k");
        assertEquals(List.of("1"), redis.exec().stream().toList());
        redis.watch("k");
        other.del("k");
        redis.multi();
        redis.get("k");
        assertTrue(redis.exec().wasDiscarded());
    }

    @Test
    void watchSeesExpiry(RedisCommands<String, String> redis) throws InterruptedException {
        redis.set("k", "1");
        redis.pexpire("k", 30);
        redis.watch("k");
        Thread.sleep(80);
        redis.multi();
        redis.ping();
        assertTrue(redis.exec().wasDiscarded(), "a watched key that expired aborts EXEC (Redis's isWatchedKeyExpired)");
    }

    @Test
    void watchSeesFlushAndSwapFromAnotherClient(RedisCommands<String, String> redis, RedisCommands<String, String> other) {
        redis.set("k", "1");
        redis.watch("k");
        other.flushall();
        redis.multi();
        redis.ping();
        assertTrue(redis.exec().wasDiscarded());

        other.select(1);
        other.set("k", "in db 1");
        redis.watch("k");
        other.swapdb(0, 1);
        redis.multi();
        redis.get("k");
        assertTrue(redis.exec().wasDiscarded(), "a key swapped in from another db changed");
        other.swapdb(0, 1);
    }

    /**
     * A transaction of INCRs across four shards, run while other connections (on both event
     * loops) increment the same keys: each transaction's replies must be consecutive per key,
     * since nothing can run between its commands.
     */
    @Test
    void execIsAtomicAgainstConcurrentWriters(RedisCommands<String, String> redis, RedisCommands<String, String> w1,
            RedisCommands<String, String> w2) throws Exception {
        String[] keys = {"c1", "c2", "c3", "c4", "c5", "c6"};
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (RedisCommands<String, String> w : List.of(w1, w2)) {
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        w.incr(keys[i % keys.length]);
                    }
                    return null;
                }));
            }
            for (int round = 0; round < 30; round++) {
                redis.multi();
                for (String k : keys) {
                    redis.incr(k);
                    redis.incr(k);
                }
                List<Object> replies = redis.exec().stream().toList();
                for (int i = 0; i < replies.size(); i += 2) {
                    assertEquals((Long) replies.get(i) + 1, replies.get(i + 1), "round " + round + " key " + keys[i / 2]);
                }
            }
            for (Future<?> f : writers) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long total = 0;
        for (String k : keys) {
            total += Long.parseLong(redis.get(k));
        }
        assertEquals(600 + 30 * keys.length * 2, total);
    }

    @Test
    void blockedClientIsServedAfterExecNotBetweenItsCommands(EmbeddedServer server, RedisCommands<String, String> redis) throws Exception {
        try (RawClient blocked = new RawClient(server.host(), server.port())) {
            blocked.send("BLPOP", "q", "5");
            BlockedClients.await(redis, 1);
            redis.multi();
            redis.rpush("q", "a");
            redis.llen("q");
            redis.lrange("q", 0, -1);
            assertEquals(List.of(1L, 1L, List.of("a")), redis.exec().stream().toList());
            assertEquals("[$q, $a]", RawClient.render(blocked.read()));
            assertEquals(0, redis.exists("q"));
        }
    }

    @Test
    void blockingCommandInsideExecAnswersAtOnce(RedisCommands<String, String> redis) {
        redis.multi();
        redis.blpop(0, "none");
        redis.brpoplpush(0, "none", "other");
        List<Object> replies = redis.exec().stream().toList();
        assertEquals(2, replies.size());
        assertEquals(null, replies.get(0));
        assertEquals(null, replies.get(1));
    }

    @Test
    void disconnectReleasesWatchesAndTheQueue(EmbeddedServer server, RedisCommands<String, String> redis) throws Exception {
        try (RawClient c = new RawClient(server.host(), server.port())) {
            assertEquals("+OK", c.callText("WATCH", "w1", "w2"));
            assertEquals("+OK", c.callText("MULTI"));
            assertEquals("+QUEUED", c.callText("SET", "w1", "x"));
            assertTrue(server.keyspace().watchedVersion(0, "w1".getBytes()) >= 0);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.keyspace().watchedVersion(0, "w1".getBytes()) != -1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(-1, server.keyspace().watchedVersion(0, "w1".getBytes()));
        assertEquals(-1, server.keyspace().watchedVersion(0, "w2".getBytes()));
        assertEquals(0, redis.exists("w1"), "the queued SET never ran");
    }

    @Test
    void queueIsBoundedByTheQueryBufferLimit(EmbeddedServer server, RedisCommands<String, String> redis) {
        redis.configSet("client-query-buffer-limit", "1mb");
        try (RawClient c = new RawClient(server.host(), server.port())) {
            assertEquals("+OK", c.callText("MULTI"));
            String value = "v".repeat(100_000);
            List<String> replies = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                replies.add(c.callText("SET", "k" + i, value));
            }
            // the eleventh passes 1 MiB; later commands are answered QUEUED, as Redis answers
            // them in a transaction that is already doomed
            assertEquals("+QUEUED", replies.get(9));
            assertEquals("-ERR transaction queue exceeds client-query-buffer-limit", replies.get(10));
            assertEquals("+QUEUED", replies.get(11));
            assertEquals("-EXECABORT Transaction discarded because of previous errors.", c.callText("EXEC"));
            assertEquals("+PONG", c.callText("PING"), "the connection stays usable");
        } finally {
            redis.configSet("client-query-buffer-limit", "1gb");
        }
        assertEquals(0, redis.exists("k0"));
    }

    @Test
    void pipelinedTransactionsKeepOrder(EmbeddedServer server) {
        try (RawClient c = new RawClient(server.host(), server.port())) {
            StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                pipeline.append("MULTI\r\nINCR p\r\nGET p\r\nEXEC\r\n");
            }
            c.sendRaw(pipeline.toString());
            for (int i = 1; i <= 50; i++) {
                assertEquals("+OK", RawClient.render(c.read()));
                assertEquals("+QUEUED", RawClient.render(c.read()));
                assertEquals("+QUEUED", RawClient.render(c.read()));
                assertEquals("[:" + i + ", $" + i + "]", RawClient.render(c.read()));
            }
        }
    }

    @Test
    void keyValueResultsOfBlpopInsideExec(RedisCommands<String, String> redis) {
        redis.rpush("ready", "v");
        redis.multi();
        redis.blpop(1, "ready");
        List<Object> replies = redis.exec().stream().toList();
        assertEquals(KeyValue.just("ready", "v"), replies.get(0));
    }

    /** CLIENT LIST as Redis shows a client in MULTI (flag x, multi=queued, cmd=the last queued) and a blocked one (flag b). */
    @Test
    void clientListShowsMultiAndBlockedClients(EmbeddedServer server) throws Exception {
        try (RawClient tx = new RawClient(server.host(), server.port());
             RawClient blocked = new RawClient(server.host(), server.port());
             RawClient admin = new RawClient(server.host(), server.port())) {
            String txId = RawClient.render(tx.call("CLIENT", "ID")).substring(1);
            String blockedId = RawClient.render(blocked.call("CLIENT", "ID")).substring(1);
            assertEquals("+OK", tx.callText("MULTI"));
            assertEquals("+QUEUED", tx.callText("SET", "k", "1"));
            assertEquals("+QUEUED", tx.callText("GET", "k"));
            blocked.send("BLPOP", "nothing", "5");
            BlockedClients.await(admin, 1);
            String list = admin.callText("CLIENT", "LIST");
            String txLine = list.lines().filter(l -> l.contains("id=" + txId + " ")).findFirst().orElseThrow();
            String blockedLine = list.lines().filter(l -> l.contains("id=" + blockedId + " ")).findFirst().orElseThrow();
            assertTrue(txLine.contains(" flags=x ") && txLine.contains(" multi=2 ") && txLine.contains(" cmd=get "), txLine);
            assertTrue(blockedLine.contains(" flags=b ") && blockedLine.contains(" multi=-1 "), blockedLine);
            assertEquals("[+OK, $1]", tx.callText("EXEC"));
            String after = admin.callText("CLIENT", "LIST").lines().filter(l -> l.contains("id=" + txId + " ")).findFirst().orElseThrow();
            assertTrue(after.contains(" flags=N ") && after.contains(" multi=-1 ") && after.contains(" cmd=exec "), after);
        }
    }
}
