package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.client.ClientPause;
import io.damselfly.server.testing.BlockedClients;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * CLIENT PAUSE, UNPAUSE and NO-EVICT on damselfly with two event loops: what waits and what does
 * not under WRITE and ALL, release by UNPAUSE and by the timeout, the order of a client's
 * pipelined requests behind a postponed one, scripts and transactions, the frozen dataset
 * (expiry and eviction stand still), clients that leave while postponed, and the errors.
 * Replies and errors are also compared with a live redis-server in ClientPauseCompatibilityTest.
 */
@ExtendWith(ServerExtension.class)
@ServerOptions({"conn_io_threads=2", "hz=50"})
class ClientPauseTest {

    @AfterEach
    void endAnyPause(EmbeddedServer server) {
        // a pause left behind would hold back every later test's commands
        server.clientPause().unpause();
    }

    /** Waits until {@code n} connections hold a request back for the pause (bounded: 5 s). */
    static void awaitWaiting(EmbeddedServer server, int n) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.clientPause().waiting() != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never saw " + n + " postponed clients, saw " + server.clientPause().waiting());
            }
            sleep(2);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static long infoField(RawClient c, String section, String field) {
        String info = c.callText("INFO", section);
        int i = info.indexOf(field + ":");
        return Long.parseLong(info.substring(i + field.length() + 1, info.indexOf('\r', i)));
    }

    private static String clientLine(RawClient asker, long id) {
        for (String line : asker.callText("CLIENT", "LIST").substring(1).split("\n")) {
            if (line.startsWith("id=" + id + " ")) {
                return line;
            }
        }
        return null;
    }

    private static long id(RawClient c) {
        return Long.parseLong(c.callText("CLIENT", "ID").substring(1));
    }

    // ---- WRITE holds back writes, not reads -----------------------------------------------------

    @Test
    void pauseWrite_postponesSetNotGet_resp3(RedisClient lettuce, EmbeddedServer server, RawClient admin) throws Exception {
        writePauseWithLettuce(lettuce, server, admin);
    }

    @Test
    void pauseWrite_postponesSetNotGet_resp2(@Resp2 RedisClient lettuce, EmbeddedServer server, RawClient admin) throws Exception {
        writePauseWithLettuce(lettuce, server, admin);
    }

    private static void writePauseWithLettuce(RedisClient lettuce, EmbeddedServer server, RawClient admin) throws Exception {
        try (StatefulRedisConnection<String, String> writerConn = lettuce.connect();
             StatefulRedisConnection<String, String> readerConn = lettuce.connect()) {
            RedisAsyncCommands<String, String> writer = writerConn.async();
            RedisCommands<String, String> reader = readerConn.sync();
            reader.set("k", "old");
            assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "60000", "WRITE"));
            RedisFuture<String> set = writer.set("k", "new");
            RedisFuture<Long> pub = writer.publish("ch", "m");
            awaitWaiting(server, 1);
            BlockedClients.await(reader, 1);
            // reads, and commands that neither write nor replicate, answer at once
            assertEquals("old", reader.get("k"));
            assertEquals("PONG", reader.ping());
            assertTrue(reader.info("clients").contains("blocked_clients:1"));
            assertFalse(set.isDone(), "SET ran during a WRITE pause");
            assertFalse(pub.isDone(), "PUBLISH (may replicate) ran during a WRITE pause");
            assertEquals("+OK", admin.callText("CLIENT", "UNPAUSE"));
            assertEquals("OK", set.get(5, TimeUnit.SECONDS));
            assertEquals(0L, pub.get(5, TimeUnit.SECONDS));
            assertEquals("new", reader.get("k"));
            BlockedClients.await(reader, 0);
        }
    }

    @Test
    void pausedClient_showsBlockedInClientListAndInfo(EmbeddedServer server, RawClient admin, RawClient writer) {
        long writerId = id(writer);
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "60000", "WRITE"));
        writer.send("SET", "key", "value");
        awaitWaiting(server, 1);
        String line = clientLine(admin, writerId);
        // as redis-server shows a postponed client: blocked, its command and its arguments' bytes
        assertTrue(line.contains(" flags=b "), line);
        assertTrue(line.contains(" cmd=set "), line);
        assertTrue(line.contains(" argv-mem=11 "), line);
        assertEquals(1, infoField(admin, "clients", "blocked_clients"));
        // CLIENT UNBLOCK does not end a pause's wait (redis-server 7.0.15 crashes on TIMEOUT)
        assertEquals(":0", admin.callText("CLIENT", "UNBLOCK", Long.toString(writerId)));
        assertEquals(":0", admin.callText("CLIENT", "UNBLOCK", Long.toString(writerId), "ERROR"));
        assertEquals("(nil)", admin.callText("GET", "key"));
        assertEquals("+OK", admin.callText("CLIENT", "UNPAUSE"));
        assertEquals("+OK", RawClient.render(writer.read()));
        assertEquals("$value", admin.callText("GET", "key"));
        line = clientLine(admin, writerId);
        assertTrue(line.contains(" flags=N "), line);
        assertEquals(0, infoField(admin, "clients", "blocked_clients"));
    }

    // ---- ALL holds back everything --------------------------------------------------------------

    @Test
    void pauseAll_postponesReadsAndUnpauseItself_untilTheTimeout(EmbeddedServer server, RawClient admin, RawClient reader) {
        assertEquals("+OK", admin.callText("SET", "k", "v"));
        long before = System.nanoTime();
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "400", "ALL"));
        reader.send("GET", "k");
        // under ALL even CLIENT UNPAUSE waits, as in Redis 7.0.15: only the timeout ends it
        admin.send("CLIENT", "UNPAUSE");
        admin.send("PING");
        awaitWaiting(server, 2);
        assertEquals("$v", RawClient.render(reader.read()));
        long waitedMillis = (System.nanoTime() - before) / 1_000_000;
        assertTrue(waitedMillis >= 395, "GET answered after " + waitedMillis + " ms of a 400 ms pause");
        assertEquals("+OK", RawClient.render(admin.read()));
        assertEquals("+PONG", RawClient.render(admin.read()));
        assertNull(server.clientPause().current());
        assertEquals(0, infoField(admin, "clients", "blocked_clients"));
    }

    @Test
    void pauseAll_withLettuce_bothProtocols(RedisClient resp3, @Resp2 RedisClient resp2, EmbeddedServer server) throws Exception {
        try (StatefulRedisConnection<String, String> a = resp3.connect();
             StatefulRedisConnection<String, String> b = resp2.connect()) {
            a.sync().set("k", "v");
            assertEquals("OK", a.sync().clientPause(60_000));
            RedisFuture<String> get3 = a.async().get("k");
            RedisFuture<String> get2 = b.async().get("k");
            RedisFuture<String> ping2 = b.async().ping();
            awaitWaiting(server, 2);
            assertFalse(get3.isDone() || get2.isDone() || ping2.isDone());
            assertEquals(ClientPause.Type.ALL, server.clientPause().current().type());
            server.clientPause().unpause();
            assertEquals("v", get3.get(5, TimeUnit.SECONDS));
            assertEquals("v", get2.get(5, TimeUnit.SECONDS));
            assertEquals("PONG", ping2.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void pauseWrite_timeoutReleases(EmbeddedServer server, RawClient admin, RawClient writer) {
        long before = System.nanoTime();
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "300", "WRITE"));
        writer.send("SET", "k", "v");
        awaitWaiting(server, 1);
        assertEquals("+OK", RawClient.render(writer.read()));
        long waitedMillis = (System.nanoTime() - before) / 1_000_000;
        assertTrue(waitedMillis >= 295, "SET answered after " + waitedMillis + " ms of a 300 ms pause");
        assertEquals("$v", admin.callText("GET", "k"));
        assertEquals(0, server.clientPause().waiting());
        assertEquals(0, infoField(admin, "clients", "blocked_clients"));
    }

    @Test
    void pauseWithoutWaiters_endsAtItsTime(EmbeddedServer server, RawClient admin) {
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "100", "WRITE"));
        assertTrue(server.clientPause().current() != null);
        assertTrue(server.keyspace().isDatasetFrozen());
        sleep(400);
        // the server's tick ended it although no command looked
        assertNull(server.clientPause().current());
        assertFalse(server.keyspace().isDatasetFrozen());
    }

    // ---- merging --------------------------------------------------------------------------------

    @Test
    void pause_mergesTheMoreRestrictiveTypeAndTheLaterEnd(EmbeddedServer server, RawClient admin, RawClient reader) {
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "60000", "WRITE"));
        ClientPause.State first = server.clientPause().current();
        assertEquals(ClientPause.Type.WRITE, first.type());
        // a shorter pause changes nothing; timeout 0 changes only the type
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "10", "WRITE"));
        assertEquals(first.endMillis(), server.clientPause().current().endMillis());
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "0", "ALL"));
        ClientPause.State merged = server.clientPause().current();
        assertEquals(ClientPause.Type.ALL, merged.type());
        assertEquals(first.endMillis(), merged.endMillis());
        reader.send("GET", "k");
        awaitWaiting(server, 1);
        // a WRITE pause given during an ALL pause keeps ALL, with the later end
        server.clientPause().pause(ClientPause.Type.WRITE, first.endMillis() + 5000, System.currentTimeMillis());
        assertEquals(new ClientPause.State(ClientPause.Type.ALL, first.endMillis() + 5000), server.clientPause().current());
        assertEquals(1, server.clientPause().waiting());
        server.clientPause().unpause();
        assertEquals("(nil)", RawClient.render(reader.read()));
    }

    @Test
    void pause_zeroOrOverflowingTimeout_pausesNothing(EmbeddedServer server, RawClient admin) {
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "0"));
        assertNull(server.clientPause().current());
        // now + timeout overflows, as it does in Redis: the end is long past
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", Long.toString(Long.MAX_VALUE), "WRITE"));
        assertNull(server.clientPause().current());
        assertEquals("+OK", admin.callText("SET", "k", "v"));
    }

    // ---- order ------------------------------------------------------------------------------------

    @Test
    void pipelinedRequests_behindAPostponedOne_keepTheirOrder(EmbeddedServer server, RawClient admin, RawClient client) {
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "60000", "WRITE"));
        List<Object[]> pipeline = List.of(
                new Object[] {"GET", "a"},
                new Object[] {"SET", "a", "1"},
                new Object[] {"GET", "a"},
                new Object[] {"INCR", "a"},
                new Object[] {"GET", "a"},
                new Object[] {"PING"});
        client.sendRaw(RawClient.encodeAll(pipeline));
        // the read before the postponed write is answered at once
        assertEquals("(nil)", RawClient.render(client.read()));
        awaitWaiting(server, 1);
        // nothing behind the postponed SET ran, reads included
        assertEquals("(nil)", admin.callText("GET", "a"));
        assertEquals("+OK", admin.callText("CLIENT", "UNPAUSE"));
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            rest.add(RawClient.render(client.read()));
        }
        assertEquals(List.of("+OK", "$1", ":2", "$2", "+PONG"), rest);
    }

    @Test
    void unpause_releasesEveryClientOnBothLoops(EmbeddedServer server, RawClient admin) {
        List<RawClient> clients = new ArrayList<>();
        try {
            assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "60000", "WRITE"));
            for (int i = 0; i < 6; i++) {
                RawClient c = new RawClient(server.host(), server.port());
                clients.add(c);
                c.send("INCR", "counter");
                awaitWaiting(server, i + 1);
            }
            assertEquals(6, infoField(admin, "clients", "blocked_clients"));
            assertEquals("(nil)", admin.callText("GET", "counter"));
            assertEquals("+OK", admin.callText("CLIENT", "UNPAUSE"));
            Set<String> got = new HashSet<>();
            for (RawClient c : clients) {
                got.add(RawClient.render(c.read()));
            }
            assertEquals(Set.of(":1", ":2", ":3", ":4", ":5", ":6"), got);
        } finally {
            clients.forEach(RawClient::close);
        }
    }

    // ---- scripts ------------------------------------------------------------------------------

    @Test
    void scripts_readOnlyPass_writingOnesWait(EmbeddedServer server, RawClient admin, RawClient client) {
        assertEquals("+OK", admin.callText("SET", "x", "y"));
        assertEquals("$f1", admin.callText("FUNCTION", "LOAD", "REPLACE",
                "#!lua name=f1\nredis.register_function{function_name='ro', callback=function() return 'hello' end, flags={'no-writes'}}\n"
                        + "redis.register_function('rw', function() return 'written' end)"));
        String noWritesSha = admin.callText("SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 2").substring(1);
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "60000", "WRITE"));
        // EVAL_RO, a no-writes shebang (cached or not), EVALSHA of one, FCALL of a no-writes function
        assertEquals("$y unique", client.callText("EVAL_RO", "return redis.call('GeT', KEYS[1])..' unique'", "1", "x"));
        assertEquals("$ro", client.callText("EVAL", "#!lua flags=no-writes\nreturn 'ro'", "0"));
        assertEquals("$ro", client.callText("EVAL", "#!lua flags=no-writes\nreturn 'ro'", "0"));
        assertEquals(":2", client.callText("EVALSHA", noWritesSha, "0"));
        assertEquals("$hello", client.callText("FCALL", "ro", "0"));
        assertEquals("$hello", client.callText("FCALL_RO", "ro", "0"));
        assertEquals(0, infoField(admin, "clients", "blocked_clients"));
        // a script in compatibility mode, a shebang without no-writes, a writing function, an
        // unknown SHA (EVALSHA may replicate): each waits
        String[][] waiting = {
            {"EVAL", "return 1", "0"},
            {"EVAL", "#!lua\nreturn 1", "0"},
            {"FCALL", "rw", "0"},
            {"EVALSHA", "0123456789012345678901234567890123456789", "0"},
        };
        List<RawClient> clients = new ArrayList<>();
        try {
            for (String[] call : waiting) {
                RawClient c = new RawClient(server.host(), server.port());
                clients.add(c);
                c.send((Object[]) call);
                awaitWaiting(server, clients.size());
            }
            assertEquals("+OK", admin.callText("CLIENT", "UNPAUSE"));
            assertEquals(":1", RawClient.render(clients.get(0).read()));
            assertEquals(":1", RawClient.render(clients.get(1).read()));
            assertEquals("$written", RawClient.render(clients.get(2).read()));
            assertEquals("-NOSCRIPT No matching script. Please use EVAL.", RawClient.render(clients.get(3).read()));
        } finally {
            clients.forEach(RawClient::close);
            admin.callText("FUNCTION", "FLUSH");
        }
    }

    // ---- transactions ---------------------------------------------------------------------------

    @Test
    void multiExec_readOnlyRuns_writingExecWaits(EmbeddedServer server, RawClient admin, RawClient client, RawClient other) {
        assertEquals("+OK", admin.callText("SET", "foo", "bar"));
        assertEquals("+OK", other.callText("MULTI"));
        assertEquals("+QUEUED", other.callText("SET", "foo", "baz"));
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "60000", "WRITE"));
        // read and admin commands in a transaction run
        assertEquals("+OK", client.callText("MULTI"));
        assertEquals("+QUEUED", client.callText("PING"));
        assertEquals("+QUEUED", client.callText("GET", "foo"));
        assertEquals("+QUEUED", client.callText("EVAL", "#!lua flags=no-writes\nreturn 12", "0"));
        assertEquals("[+PONG, $bar, :12]", client.callText("EXEC"));
        // the EXEC of a transaction that queued a write waits
        other.send("EXEC");
        awaitWaiting(server, 1);
        // and so does queueing a write inside MULTI, as processCommand pauses before queueing
        assertEquals("+OK", client.callText("MULTI"));
        client.send("SET", "foo", "qux");
        awaitWaiting(server, 2);
        assertEquals("$bar", admin.callText("GET", "foo"));
        assertEquals("+OK", admin.callText("CLIENT", "UNPAUSE"));
        assertEquals("[+OK]", RawClient.render(other.read()));
        assertEquals("+QUEUED", RawClient.render(client.read()));
        assertEquals("[+OK]", client.callText("EXEC"));
        assertEquals("$qux", admin.callText("GET", "foo"));
    }

    @Test
    void multiExec_flaggedAfterAWrite_execWaitsThenAborts(EmbeddedServer server, RawClient admin, RawClient client) {
        assertEquals("+OK", client.callText("MULTI"));
        assertEquals("+QUEUED", client.callText("SET", "a", "1"));
        assertEquals("-ERR wrong number of arguments for 'set' command", client.callText("SET", "b"));
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "60000", "WRITE"));
        // mstate.cmd_flags keeps the write queued before the error: EXEC waits, as in Redis
        client.send("EXEC");
        awaitWaiting(server, 1);
        assertEquals("+OK", admin.callText("CLIENT", "UNPAUSE"));
        assertEquals("-EXECABORT Transaction discarded because of previous errors.", RawClient.render(client.read()));
    }

    @Test
    void clientPauseInsideMulti_takesEffectAfterTheTransaction(EmbeddedServer server, RawClient client, RawClient other) {
        assertEquals("+OK", client.callText("MULTI"));
        assertEquals("+QUEUED", client.callText("SET", "foo1{t}", "bar"));
        assertEquals("+QUEUED", client.callText("CLIENT", "PAUSE", "60000", "WRITE"));
        assertEquals("+QUEUED", client.callText("SET", "foo2{t}", "bar"));
        assertEquals("[+OK, +OK, +OK]", client.callText("EXEC"));
        other.send("SET", "foo3{t}", "bar");
        awaitWaiting(server, 1);
        assertEquals("$bar", client.callText("GET", "foo1{t}"));
        assertEquals("$bar", client.callText("GET", "foo2{t}"));
        assertEquals("(nil)", client.callText("GET", "foo3{t}"));
        assertEquals("+OK", client.callText("CLIENT", "UNPAUSE"));
        assertEquals("+OK", RawClient.render(other.read()));
    }

    // ---- the frozen dataset ---------------------------------------------------------------------

    @Test
    void expiredKeys_readAsMissingButStayDuringThePause(EmbeddedServer server, RawClient admin) {
        long expiredBefore = infoField(admin, "stats", "expired_keys");
        assertEquals("+OK", admin.callText("MULTI"));
        admin.callText("SET", "foo{t}", "bar", "PX", "10");
        admin.callText("SET", "bar{t}", "foo", "PX", "10");
        admin.callText("CLIENT", "PAUSE", "60000", "WRITE");
        assertEquals("[+OK, +OK, +OK]", admin.callText("EXEC"));
        sleep(50);
        assertEquals("(nil)", admin.callText("GET", "foo{t}"));
        assertEquals("(nil)", admin.callText("GET", "bar{t}"));
        assertEquals(":-2", admin.callText("PTTL", "foo{t}"));
        assertEquals(":0", admin.callText("EXISTS", "foo{t}", "bar{t}"));
        assertEquals("[]", admin.callText("KEYS", "*"));
        assertEquals("(nil)", admin.callText("RANDOMKEY"));
        // several ticks of active expiry (hz 50) pass: nothing is deleted
        sleep(200);
        assertEquals(":2", admin.callText("DBSIZE"));
        assertEquals(expiredBefore, infoField(admin, "stats", "expired_keys"));
        assertEquals("+OK", admin.callText("CLIENT", "UNPAUSE"));
        assertEquals("(nil)", admin.callText("GET", "foo{t}"));
        assertEquals("(nil)", admin.callText("GET", "bar{t}"));
        assertEquals(expiredBefore + 2, infoField(admin, "stats", "expired_keys"));
        assertEquals(":0", admin.callText("DBSIZE"));
    }

    @Test
    void expiredKeys_activeExpiryResumesAfterThePause(EmbeddedServer server, RawClient admin) {
        assertEquals("+OK", admin.callText("SET", "k", "v", "PX", "30"));
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "60000", "WRITE"));
        // expired, and nobody reads it: only active expiry could delete it, and it stands still
        sleep(150);
        assertEquals(":1", admin.callText("DBSIZE"));
        assertEquals("+OK", admin.callText("CLIENT", "UNPAUSE"));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!admin.callText("DBSIZE").equals(":0") && System.nanoTime() < deadline) {
            sleep(10);
        }
        assertEquals(":0", admin.callText("DBSIZE"));
    }

    @Test
    void writeOverAHiddenExpiredKey_duringThePause_replacesIt(EmbeddedServer server, RawClient admin) {
        assertEquals("+OK", admin.callText("SET", "k", "old", "PX", "10"));
        sleep(30);
        // the pause and the write in one transaction: the write runs, the pause is in force
        assertEquals("+OK", admin.callText("MULTI"));
        admin.callText("CLIENT", "PAUSE", "60000", "WRITE");
        admin.callText("GET", "k");
        admin.callText("SET", "k", "new");
        admin.callText("GET", "k");
        assertEquals("[+OK, (nil), +OK, $new]", admin.callText("EXEC"));
        assertEquals(":1", admin.callText("DBSIZE"));
        assertEquals("$new", admin.callText("GET", "k"));
    }

    @Test
    void eviction_standsStillDuringThePause(EmbeddedServer server, RawClient admin) {
        try {
            assertEquals("+OK", admin.callText("CONFIG", "SET", "maxmemory-policy", "allkeys-random"));
            for (int i = 0; i < 2000; i++) {
                admin.send("SET", "k" + i, "x".repeat(100));
            }
            for (int i = 0; i < 2000; i++) {
                assertEquals("+OK", RawClient.render(admin.read()));
            }
            assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "60000", "WRITE"));
            long evictedBefore = infoField(admin, "stats", "evicted_keys");
            // far below what the keys take: the background tick would evict at once
            assertEquals("+OK", admin.callText("CONFIG", "SET", "maxmemory", "100000"));
            sleep(200);
            assertEquals(":2000", admin.callText("DBSIZE"));
            assertEquals(evictedBefore, infoField(admin, "stats", "evicted_keys"));
            // nor is a read refused over the limit
            assertEquals("$" + "x".repeat(100), admin.callText("GET", "k1"));
            assertEquals("+OK", admin.callText("CLIENT", "UNPAUSE"));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (infoField(admin, "stats", "evicted_keys") == evictedBefore && System.nanoTime() < deadline) {
                sleep(10);
            }
            assertTrue(infoField(admin, "stats", "evicted_keys") > evictedBefore);
        } finally {
            admin.callText("CONFIG", "SET", "maxmemory", "0");
            admin.callText("CONFIG", "SET", "maxmemory-policy", "noeviction");
        }
    }

    // ---- clients that leave -------------------------------------------------------------------

    @Test
    void postponedClient_killed_leavesNothingBehind(EmbeddedServer server, RawClient admin, RawClient writer) {
        long writerId = id(writer);
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "60000", "WRITE"));
        writer.send("SET", "x", "1");
        writer.send("SET", "y", "1");
        awaitWaiting(server, 1);
        assertEquals(":1", admin.callText("CLIENT", "KILL", "ID", Long.toString(writerId)));
        assertTrue(writer.isClosedByServer());
        awaitWaiting(server, 0);
        BlockedClients.await(admin, 0);
        assertEquals("+OK", admin.callText("CLIENT", "UNPAUSE"));
        assertEquals("(nil)", admin.callText("GET", "x"));
        assertEquals("(nil)", admin.callText("GET", "y"));
        assertNull(clientLine(admin, writerId));
    }

    @Test
    void postponedClient_disconnecting_leavesNothingBehind(EmbeddedServer server, RawClient admin) {
        RawClient writer = new RawClient(server.host(), server.port());
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "60000", "WRITE"));
        writer.send("SET", "x", "1");
        awaitWaiting(server, 1);
        writer.close();
        awaitWaiting(server, 0);
        BlockedClients.await(admin, 0);
        assertEquals("+OK", admin.callText("CLIENT", "UNPAUSE"));
        assertEquals("(nil)", admin.callText("GET", "x"));
    }

    // ---- exemptions and errors --------------------------------------------------------------

    @Test
    void refusedCommands_answerAtOnceDuringThePause(EmbeddedServer server, RawClient admin, RawClient client) {
        assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "60000", "ALL"));
        // arity, unknown command and unknown subcommand errors come before the pause check
        assertEquals("-ERR wrong number of arguments for 'set' command", client.callText("SET", "foo"));
        assertTrue(client.callText("NOPE").startsWith("-ERR unknown command 'NOPE'"));
        assertEquals("-ERR unknown subcommand 'nope'. Try CLIENT HELP.", client.callText("CLIENT", "nope"));
        assertEquals(0, server.clientPause().waiting());
    }

    @Test
    void clientNoEvict_setsAndClearsFlagE(RawClient client) {
        assertTrue(client.callText("CLIENT", "INFO").contains(" flags=N "));
        assertEquals("+OK", client.callText("CLIENT", "NO-EVICT", "on"));
        assertTrue(client.callText("CLIENT", "INFO").contains(" flags=e "));
        assertEquals("+OK", client.callText("CLIENT", "NO-EVICT", "ON"));
        // RESET keeps it, as clearClientConnectionState does
        assertEquals("+RESET", client.callText("RESET"));
        assertTrue(client.callText("CLIENT", "INFO").contains(" flags=e "));
        assertEquals("+OK", client.callText("CLIENT", "NO-EVICT", "Off"));
        assertTrue(client.callText("CLIENT", "INFO").contains(" flags=N "));
    }

    @Test
    void errors(RawClient raw) {
        assertEquals("-ERR timeout is not an integer or out of range", raw.callText("CLIENT", "PAUSE", "abc"));
        assertEquals("-ERR timeout is not an integer or out of range", raw.callText("CLIENT", "PAUSE", ""));
        assertEquals("-ERR timeout is not an integer or out of range", raw.callText("CLIENT", "PAUSE", "1.5"));
        assertEquals("-ERR timeout is not an integer or out of range", raw.callText("CLIENT", "PAUSE", "9223372036854775808"));
        assertEquals("-ERR timeout is not an integer or out of range", raw.callText("CLIENT", "PAUSE", " 10"));
        assertEquals("-ERR timeout is negative", raw.callText("CLIENT", "PAUSE", "-1"));
        assertEquals("-ERR CLIENT PAUSE mode must be WRITE or ALL", raw.callText("CLIENT", "PAUSE", "10", "READ"));
        // the mode is checked before the timeout
        assertEquals("-ERR CLIENT PAUSE mode must be WRITE or ALL", raw.callText("CLIENT", "PAUSE", "abc", ""));
        assertEquals("-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.",
                raw.callText("CLIENT", "PAUSE", "10", "WRITE", "x"));
        assertEquals("-ERR wrong number of arguments for 'client|pause' command", raw.callText("CLIENT", "PAUSE"));
        assertEquals("-ERR wrong number of arguments for 'client|unpause' command", raw.callText("CLIENT", "UNPAUSE", "x"));
        assertEquals("-ERR wrong number of arguments for 'client|no-evict' command", raw.callText("CLIENT", "NO-EVICT"));
        assertEquals("-ERR syntax error", raw.callText("CLIENT", "NO-EVICT", "yes"));
        assertEquals("-ERR syntax error", raw.callText("CLIENT", "NO-EVICT", ""));
        assertEquals("+OK", raw.callText("CLIENT", "UNPAUSE"));
        assertEquals("+OK", raw.callText("SET", "k", "v"), "nothing paused");
    }
}
