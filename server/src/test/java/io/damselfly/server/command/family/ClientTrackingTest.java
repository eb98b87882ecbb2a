package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.support.caching.CacheAccessor;
import io.lettuce.core.support.caching.CacheFrontend;
import io.lettuce.core.support.caching.ClientSideCaching;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * CLIENT TRACKING's invalidations as clients receive them: Lettuce's client-side cache kept
 * coherent over RESP3, RESP2 redirection through {@code __redis__:invalidate}, RESP3 redirection,
 * BCAST with prefixes, NOLOOP, OPTIN/OPTOUT with CLIENT CACHING, every write path (commands,
 * RENAME's two keys, MULTI/EXEC, scripts, expiry, eviction, FLUSHALL/FLUSHDB/SWAPDB), a broken
 * redirect, the tracking-table-max-keys bound, CLIENT LIST's flags, INFO's counts, and that a
 * disconnect, RESET or CLIENT TRACKING OFF leave nothing behind. The replies and errors of the
 * subcommands themselves are compared with redis-server in ClientTrackingCompatibilityTest.
 *
 * <p>"Nothing was sent" is checked as Redis's own tests check it: a later write that must be
 * sent, whose message has to be the next one.
 */
@ExtendWith(ServerExtension.class)
@ServerOptions({"hz=100"})
class ClientTrackingTest {

    private static long id(RawClient c) {
        return Long.parseLong(c.callText("CLIENT", "ID").substring(1));
    }

    private static long info(RawClient c, String field) {
        String text = c.callText("INFO", "everything");
        int i = text.indexOf("\n" + field + ":");
        assertTrue(i >= 0, field + " in INFO");
        int from = i + field.length() + 2;
        return Long.parseLong(text.substring(from, text.indexOf('\r', from)));
    }

    private static String message(String... keys) {
        return "[$message, $__redis__:invalidate, [" + String.join(", ", prefixed(keys)) + "]]";
    }

    private static String push(String... keys) {
        return ">[$invalidate, [" + String.join(", ", prefixed(keys)) + "]]";
    }

    private static List<String> prefixed(String... keys) {
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            out.add("$" + k);
        }
        return out;
    }

    // ---- Lettuce's client-side caching --------------------------------------------------------

    @Test
    void lettuceCacheFrontend_invalidatedByAnotherConnectionsWrite(RedisClient client, RedisCommands<String, String> other)
            throws Exception {
        other.set("user:1", "alice");
        Map<String, String> local = new ConcurrentHashMap<>();
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            CacheFrontend<String, String> frontend = ClientSideCaching.enable(CacheAccessor.forMap(local), conn,
                    TrackingArgs.Builder.enabled());
            assertEquals("alice", frontend.get("user:1"));
            assertEquals("alice", local.get("user:1"), "cached locally");
            // served from the local map: a value put there behind the server's back is what comes back
            local.put("user:1", "local-copy");
            assertEquals("local-copy", frontend.get("user:1"));

            other.set("user:1", "bob");
            long deadline = System.currentTimeMillis() + 5_000;
            while (local.containsKey("user:1") && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            assertFalse(local.containsKey("user:1"), "the invalidation dropped the local copy");
            assertEquals("bob", frontend.get("user:1"));

            other.del("user:1");
            deadline = System.currentTimeMillis() + 5_000;
            while (local.containsKey("user:1") && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            assertFalse(local.containsKey("user:1"), "DEL invalidates too");
            assertNull(frontend.get("user:1"));
            frontend.close();
        }
    }

    // ---- delivery --------------------------------------------------------------------------

    @Test
    void redirect_resp2ClientGetsPubSubMessages(EmbeddedServer server, RawClient tracker, RawClient writer) {
        RawClient target = new RawClient(server.host(), server.port());
        long targetId = id(target);
        assertEquals("[$subscribe, $__redis__:invalidate, :1]", target.callText("SUBSCRIBE", "__redis__:invalidate"));
        assertEquals("+OK", tracker.callText("CLIENT", "TRACKING", "on", "REDIRECT", targetId));
        assertEquals(":" + targetId, tracker.callText("CLIENT", "GETREDIR"));
        writer.call("MSET", "a", "1", "b", "1");
        tracker.call("GET", "a");
        writer.call("INCR", "b"); // never read: no message
        writer.call("INCR", "a");
        assertEquals(message("a"), RawClient.render(target.read()));
        writer.call("INCR", "a"); // forgotten after its invalidation
        tracker.call("MGET", "a", "b");
        writer.call("SET", "b", "2");
        assertEquals(message("b"), RawClient.render(target.read()));
        target.close();
    }

    @Test
    void resp3_pushOnTheOwnConnection_afterTheReply(RawClient tracker, RawClient writer) {
        tracker.call("HELLO", "3");
        assertEquals("+OK", tracker.callText("CLIENT", "TRACKING", "on"));
        writer.call("SET", "k", "1");
        assertEquals("$1", tracker.callText("GET", "k"));
        writer.call("SET", "k", "2");
        assertEquals(push("k"), RawClient.render(tracker.read()));
        // its own write: the reply first, then the push
        assertEquals("$2", tracker.callText("GET", "k"));
        assertEquals(":3", tracker.callText("INCR", "k"));
        assertEquals(push("k"), RawClient.render(tracker.read()));
        assertEquals("+PONG", tracker.callText("PING"));
    }

    /**
     * What a tracking client of a stream is sent while the stream's groups and IDs change: Redis
     * only notifies XSETID and XGROUP's subcommands (no signalModifiedKey), so no invalidation
     * until XADD. The same bytes to redis-server 7.0.15 and to damselfly.
     */
    @Test
    void resp3_streamGroupChangesInvalidateNothing_asRedis(EmbeddedServer server) throws Exception {
        try (io.damselfly.server.testing.RedisServerProcess redis = io.damselfly.server.testing.RedisServerProcess.start()) {
            assertEquals(streamTrackingReplies("127.0.0.1", redis.port()), streamTrackingReplies(server.host(), server.port()));
        }
    }

    private static List<String> streamTrackingReplies(String host, int port) {
        try (RawClient tracker = new RawClient(host, port)) {
            tracker.call("HELLO", "3");
            java.io.ByteArrayOutputStream pipeline = new java.io.ByteArrayOutputStream();
            for (Object[] c : new Object[][] {{"XADD", "s", "1-0", "f", "v"}, {"CLIENT", "TRACKING", "on"}, {"XLEN", "s"},
                    {"XGROUP", "CREATE", "s", "g", "$"}, {"XLEN", "s"}, {"XGROUP", "CREATECONSUMER", "s", "g", "c"},
                    {"XGROUP", "SETID", "s", "g", "0"}, {"XSETID", "s", "5-0"}, {"XGROUP", "DESTROY", "s", "g"},
                    {"XLEN", "s"}, {"XADD", "s", "6-0", "f", "v"}, {"PING"}}) {
                pipeline.writeBytes(RawClient.encode(c));
            }
            tracker.sendRaw(pipeline.toByteArray());
            List<String> got = new ArrayList<>();
            String last = "";
            while (!last.equals("+PONG")) {
                last = RawClient.render(tracker.read());
                got.add(last);
            }
            return got;
        }
    }

    @Test
    void resp3_ownWritesInAPipeline_pushRightAfterTheCausingReply(RawClient tracker) {
        tracker.call("HELLO", "3");
        java.io.ByteArrayOutputStream pipeline = new java.io.ByteArrayOutputStream();
        for (Object[] c : new Object[][] {{"SET", "k", "1"}, {"CLIENT", "TRACKING", "on"}, {"GET", "k"}, {"INCR", "k"},
                {"GET", "k"}, {"MULTI"}, {"INCR", "k"}, {"GET", "k"}, {"EXEC"}, {"FLUSHDB"}, {"PING"}}) {
            pipeline.writeBytes(RawClient.encode(c));
        }
        tracker.sendRaw(pipeline.toByteArray());
        // as redis-server 7.0.15 answers the same bytes (tracking_pending_keys after each call())
        List<String> expected = List.of("+OK", "+OK", "$1", ":2", push("k"), "$2", "+OK", "+QUEUED", "+QUEUED",
                "[:3, $3]", push("k"), "+OK", ">[$invalidate, (nil)]", "+PONG");
        List<String> got = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            got.add(RawClient.render(tracker.read()));
        }
        assertEquals(expected, got);
    }

    @Test
    void redirect_toResp3Client_isAPush(EmbeddedServer server, RawClient tracker, RawClient writer) {
        try (RawClient target = new RawClient(server.host(), server.port())) {
            target.call("HELLO", "3");
            long targetId = id(target);
            assertEquals("+OK", tracker.callText("CLIENT", "TRACKING", "on", "REDIRECT", targetId));
            tracker.call("GET", "r");
            writer.call("SET", "r", "1");
            assertEquals(push("r"), RawClient.render(target.read()));
        }
    }

    @Test
    void redirectBroken_resp3TrackerTold_flagR(EmbeddedServer server, RawClient tracker, RawClient writer) {
        RawClient target = new RawClient(server.host(), server.port());
        long targetId = id(target);
        target.call("SUBSCRIBE", "__redis__:invalidate");
        tracker.call("HELLO", "3");
        assertEquals("+OK", tracker.callText("CLIENT", "TRACKING", "on", "REDIRECT", targetId));
        tracker.call("GET", "x");
        target.close();
        long deadline = System.currentTimeMillis() + 5_000;
        while (writer.callText("CLIENT", "LIST").contains("id=" + targetId + " ") && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        writer.call("SET", "x", "1");
        assertEquals(">[$tracking-redir-broken, :" + targetId + "]", RawClient.render(tracker.read()));
        String flags = tracker.callText("CLIENT", "INFO");
        assertTrue(flags.contains(" flags=tR "), flags);
        assertTrue(flags.contains(" redir=" + targetId + " "), flags);
        assertTrue(tracker.callText("CLIENT", "TRACKINGINFO").contains("$broken_redirect"));
    }

    // ---- modes -----------------------------------------------------------------------------

    @Test
    void bcast_prefixes_oneMessagePerPrefix_noPerKeyMemory(EmbeddedServer server, RawClient tracker, RawClient writer) {
        RawClient target = new RawClient(server.host(), server.port());
        long targetId = id(target);
        target.call("SUBSCRIBE", "__redis__:invalidate");
        assertEquals("+OK", tracker.callText("CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", targetId, "PREFIX", "a:", "PREFIX", "b:"));
        assertEquals(2, info(writer, "tracking_total_prefixes"));
        // one transaction: written before the loop's next turn, so one batch per prefix
        writer.call("MULTI");
        writer.call("INCR", "a:2");
        writer.call("INCR", "b:1");
        writer.call("INCR", "a:1");
        writer.call("INCR", "c:1");
        writer.call("INCR", "a:1");
        writer.call("EXEC");
        Set<String> got = new HashSet<>();
        got.add(RawClient.render(target.read()));
        got.add(RawClient.render(target.read()));
        assertEquals(Set.of(message("a:1", "a:2"), message("b:1")), got);
        assertEquals(0, info(writer, "tracking_total_keys"), "BCAST remembers no keys");
        writer.call("SET", "c:2", "x");
        writer.call("SET", "b:9", "x");
        assertEquals(message("b:9"), RawClient.render(target.read()));
        target.close();
    }

    @Test
    void noloop_ownWritesAreNotSent(EmbeddedServer server, RawClient tracker, RawClient writer) {
        RawClient target = new RawClient(server.host(), server.port());
        long targetId = id(target);
        target.call("SUBSCRIBE", "__redis__:invalidate");
        assertEquals("+OK", tracker.callText("CLIENT", "TRACKING", "on", "REDIRECT", targetId, "NOLOOP"));
        tracker.call("MGET", "o1", "loop", "o2");
        writer.call("SET", "o1", "1");
        tracker.call("SET", "loop", "1");
        writer.call("SET", "o2", "1");
        assertEquals(message("o1"), RawClient.render(target.read()));
        assertEquals(message("o2"), RawClient.render(target.read()));
        // the key was forgotten by its own write as well
        writer.call("SET", "loop", "2");
        tracker.call("GET", "o1");
        writer.call("SET", "o1", "2");
        assertEquals(message("o1"), RawClient.render(target.read()));
        target.close();
    }

    @Test
    void optin_onlyAfterCachingYes_forOneCommand(EmbeddedServer server, RawClient tracker, RawClient writer) {
        tracker.call("HELLO", "3");
        assertEquals("+OK", tracker.callText("CLIENT", "TRACKING", "on", "OPTIN"));
        tracker.call("GET", "no1");
        assertEquals("+OK", tracker.callText("CLIENT", "CACHING", "yes"));
        tracker.call("GET", "yes1");
        tracker.call("GET", "no2");
        writer.call("SET", "no1", "x");
        writer.call("SET", "no2", "x");
        writer.call("SET", "yes1", "x");
        assertEquals(push("yes1"), RawClient.render(tracker.read()));
        // CACHING yes then MULTI: every read of the transaction is remembered
        tracker.call("CLIENT", "CACHING", "yes");
        tracker.call("MULTI");
        tracker.call("GET", "t1");
        tracker.call("GET", "t2");
        tracker.call("EXEC");
        tracker.call("GET", "after");
        writer.call("MSET", "after", "1", "t2", "1", "t1", "1");
        assertEquals(push("t2"), RawClient.render(tracker.read()));
        assertEquals(push("t1"), RawClient.render(tracker.read()));
        assertEquals("+PONG", tracker.callText("PING"));
    }

    @Test
    void optout_cachingNoSkipsOneRead(RawClient tracker, RawClient writer) {
        tracker.call("HELLO", "3");
        tracker.call("CLIENT", "TRACKING", "on", "OPTOUT");
        tracker.call("CLIENT", "CACHING", "no");
        tracker.call("GET", "skipped");
        tracker.call("GET", "kept");
        writer.call("SET", "skipped", "1");
        writer.call("SET", "kept", "1");
        assertEquals(push("kept"), RawClient.render(tracker.read()));
    }

    // ---- write paths -------------------------------------------------------------------------

    @Test
    void rename_multiExec_script_invalidate(RawClient tracker, RawClient writer) {
        tracker.call("HELLO", "3");
        tracker.call("CLIENT", "TRACKING", "on");
        writer.call("MSET", "src", "1", "dst", "2", "m", "1", "s", "1");
        tracker.call("MGET", "src", "dst", "m", "s");
        writer.call("RENAME", "src", "dst");
        assertEquals(push("src"), RawClient.render(tracker.read()));
        assertEquals(push("dst"), RawClient.render(tracker.read()));
        writer.call("MULTI");
        writer.call("INCR", "m");
        writer.call("EXEC");
        assertEquals(push("m"), RawClient.render(tracker.read()));
        writer.call("EVAL", "return redis.call('incr', KEYS[1])", "1", "s");
        assertEquals(push("s"), RawClient.render(tracker.read()));
    }

    @Test
    void script_readRemembersItsDeclaredKeys(RawClient tracker, RawClient writer) {
        tracker.call("HELLO", "3");
        tracker.call("CLIENT", "TRACKING", "on");
        tracker.call("EVAL", "return redis.call('set', 'w', 'x')", "1", "k1");
        tracker.call("EVAL", "return redis.call('get', 'other')", "1", "k2");
        writer.call("SET", "k1", "1");
        writer.call("SET", "k2", "1");
        assertEquals(push("k2"), RawClient.render(tracker.read()));
    }

    @Test
    void expiry_invalidates(RawClient tracker, RawClient writer) throws Exception {
        tracker.call("HELLO", "3");
        tracker.call("CLIENT", "TRACKING", "on");
        writer.call("SET", "ttl", "v", "PX", "30");
        assertEquals("$v", tracker.callText("GET", "ttl"));
        // active expiry (hz=100) removes it without anyone touching the key
        assertEquals(push("ttl"), RawClient.render(tracker.read()));
    }

    @Test
    void eviction_invalidates(RawClient tracker, RawClient writer) {
        tracker.call("HELLO", "3");
        tracker.call("CLIENT", "TRACKING", "on");
        for (int i = 0; i < 200; i++) {
            // only these keys have a TTL, so volatile-random evicts only them
            writer.call("SET", "ev" + i, "x".repeat(100), "EX", "10000");
            tracker.call("GET", "ev" + i);
        }
        assertEquals("+OK", writer.callText("CONFIG", "SET", "maxmemory-policy", "volatile-random"));
        assertEquals("+OK", writer.callText("CONFIG", "SET", "maxmemory", "2mb"));
        try {
            for (int i = 0; i < 30_000 && info(writer, "evicted_keys") < 50; i += 1000) {
                for (int j = 0; j < 1000; j++) {
                    writer.send("SET", "fill" + (i + j), "y".repeat(100));
                }
                for (int j = 0; j < 1000; j++) {
                    writer.read();
                }
            }
            long evicted = info(writer, "evicted_keys");
            assertTrue(evicted >= 50, "evicted " + evicted);
            // some tracked key went; every invalidation names a tracked key that is gone
            String first = RawClient.render(tracker.read());
            assertTrue(first.startsWith(">[$invalidate, [$ev"), first);
            String key = first.substring(first.indexOf("$ev") + 1, first.length() - 2);
            assertEquals(":0", writer.callText("EXISTS", key), key + " evicted");
        } finally {
            writer.call("CONFIG", "SET", "maxmemory", "0");
            writer.call("CONFIG", "SET", "maxmemory-policy", "noeviction");
        }
    }

    @Test
    void eviction_beforeTheOwnCommand_pushBeforeItsReply(RawClient tracker, RawClient writer) {
        tracker.call("HELLO", "3");
        tracker.call("CLIENT", "TRACKING", "on");
        long used = info(writer, "used_memory");
        assertEquals("+OK", writer.callText("CONFIG", "SET", "maxmemory-policy", "volatile-random"));
        assertEquals("+OK", writer.callText("CONFIG", "SET", "maxmemory", used + 100 * 1024));
        try {
            // the one volatile key, tracked; then a 200 KB value takes memory past the limit
            tracker.call("SETEX", "volatile-key", "10000", "x");
            assertEquals("$x", tracker.callText("GET", "volatile-key"));
            assertEquals("+OK", tracker.callText("SET", "big-key", "b".repeat(200 * 1024)));
            // the next command evicts first: its push comes before its reply, as redis-server's
            assertEquals(push("volatile-key"), RawClient.render(tracker.call("STRLEN", "big-key")));
            assertEquals(":" + 200 * 1024, RawClient.render(tracker.read()));
        } finally {
            writer.call("CONFIG", "SET", "maxmemory", "0");
            writer.call("CONFIG", "SET", "maxmemory-policy", "noeviction");
        }
    }

    @Test
    void flushall_flushdb_swapdb_sendNull(EmbeddedServer server, RawClient tracker, RawClient writer) {
        tracker.call("HELLO", "3");
        tracker.call("CLIENT", "TRACKING", "on");
        tracker.call("GET", "f");
        writer.call("FLUSHALL");
        assertEquals(">[$invalidate, (nil)]", RawClient.render(tracker.read()));
        assertEquals(0, info(writer, "tracking_total_keys"), "the table is emptied");
        writer.call("FLUSHDB");
        assertEquals(">[$invalidate, (nil)]", RawClient.render(tracker.read()));
        writer.call("SWAPDB", "0", "1");
        assertEquals(">[$invalidate, (nil)]", RawClient.render(tracker.read()));
        // RESP2 through a redirect: a null bulk as the message
        RawClient target = new RawClient(server.host(), server.port());
        long targetId = id(target);
        target.call("SUBSCRIBE", "__redis__:invalidate");
        try (RawClient resp2 = new RawClient(server.host(), server.port())) {
            resp2.call("CLIENT", "TRACKING", "on", "REDIRECT", targetId);
            writer.call("FLUSHALL");
            assertEquals("[$message, $__redis__:invalidate, (nil)]", RawClient.render(target.read()));
        }
        target.close();
    }

    // ---- bounds and state --------------------------------------------------------------------

    @Test
    void trackingTableMaxKeys_invalidatesToStayWithin(RawClient tracker, RawClient writer) {
        tracker.call("HELLO", "3");
        tracker.call("CLIENT", "TRACKING", "on");
        assertEquals("+OK", writer.callText("CONFIG", "SET", "tracking-table-max-keys", "10"));
        try {
            for (int i = 0; i < 100; i++) {
                tracker.send("GET", "t" + i);
            }
            // the pushes of the keys dropped from the table may come between the GETs' replies
            int replies = 0;
            Set<String> invalidated = new HashSet<>();
            while (replies < 100) {
                String r = RawClient.render(tracker.read());
                if (r.startsWith(">")) {
                    invalidated.add(r);
                } else {
                    assertEquals("(nil)", r);
                    replies++;
                }
            }
            assertEquals(10, info(writer, "tracking_total_keys"), "table within its bound");
            // exactly the 90 keys that did not fit were invalidated, each once
            while (invalidated.size() < 90) {
                String r = RawClient.render(tracker.read());
                assertTrue(invalidated.add(r), "sent twice: " + r);
            }
            assertEquals("+PONG", tracker.callText("PING"));
            for (String p : invalidated) {
                assertTrue(p.startsWith(">[$invalidate, [$t"), p);
            }
        } finally {
            writer.call("CONFIG", "SET", "tracking-table-max-keys", "1000000");
        }
    }

    @Test
    void loweredTableLimit_appliesBeforeTheNextCommandEvenWhenQueued(RawClient tracker, RawClient writer) {
        // Redis's regression test for #11715 (unit/tracking): processCommand trims the table before
        // any command, so a PING queued by MULTI is answered after the invalidation the lowered
        // limit caused, not before it (redis-server 7.0.15: push, QUEUED, then EXEC's [PONG])
        tracker.call("HELLO", "3");
        assertEquals("+OK", tracker.callText("CLIENT", "TRACKING", "on"));
        assertEquals("[(nil), (nil)]", RawClient.render(tracker.call("MGET", "1{tag}", "2{tag}")));
        assertEquals("+OK", tracker.callText("MULTI"));
        assertEquals("+OK", writer.callText("CONFIG", "SET", "tracking-table-max-keys", "1"));
        try {
            tracker.send("PING");
            tracker.send("EXEC");
            assertTrue(RawClient.render(tracker.read()).matches(">\\[\\$invalidate, \\[\\$[12]\\{tag}]]"));
            assertEquals("+QUEUED", RawClient.render(tracker.read()));
            assertEquals("[+PONG]", RawClient.render(tracker.read()));
        } finally {
            writer.call("CONFIG", "SET", "tracking-table-max-keys", "1000000");
        }
    }

    @Test
    void loweredTableLimit_trimmedByTheCronMeanwhile_stillPushesAheadOfTheReply(RawClient tracker, RawClient writer) {
        // the cron trims the table too (as serverCron does when nobody sends a command); a tick
        // between CONFIG SET and the tracker's next command queues the push on another thread, and
        // that command must not answer before it. With a tick every 2 ms about one round in a
        // hundred hit that window before the trim and the command's check were ordered.
        tracker.call("HELLO", "3");
        assertEquals("+OK", tracker.callText("CLIENT", "TRACKING", "on"));
        assertEquals("+OK", writer.callText("CONFIG", "SET", "hz", "500"));
        try {
            for (int round = 0; round < 1000; round++) {
                tracker.call("MGET", "1{tag}", "2{tag}");
                assertEquals("+OK", tracker.callText("MULTI"));
                assertEquals("+OK", writer.callText("CONFIG", "SET", "tracking-table-max-keys", "1"));
                tracker.send("PING");
                tracker.send("EXEC");
                String first = RawClient.render(tracker.read());
                assertTrue(first.matches(">\\[\\$invalidate, \\[\\$[12]\\{tag}]]"), "round " + round + ": " + first);
                assertEquals("+QUEUED", RawClient.render(tracker.read()));
                assertEquals("[+PONG]", RawClient.render(tracker.read()));
                assertEquals("+OK", writer.callText("CONFIG", "SET", "tracking-table-max-keys", "1000000"));
            }
        } finally {
            writer.call("CONFIG", "SET", "tracking-table-max-keys", "1000000");
            writer.call("CONFIG", "SET", "hz", "100");
        }
    }

    @Test
    void manyReadersOfOneKey_eachToldOnce(EmbeddedServer server, RawClient writer) {
        // past the small-array size the readers of a key are kept in a hash table (grown twice here)
        List<RawClient> readers = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                RawClient r = new RawClient(server.host(), server.port());
                r.call("HELLO", "3");
                r.call("CLIENT", "TRACKING", "on");
                r.call("GET", "hot");
                r.call("GET", "hot");
                readers.add(r);
            }
            assertEquals(1, info(writer, "tracking_total_keys"));
            assertEquals(40, info(writer, "tracking_total_items"), "each reader once");
            readers.get(7).close();
            writer.call("SET", "hot", "v");
            for (int i = 0; i < readers.size(); i++) {
                if (i != 7) {
                    assertEquals(push("hot"), RawClient.render(readers.get(i).read()), "reader " + i);
                    assertEquals("+PONG", readers.get(i).callText("PING"), "only one message for reader " + i);
                }
            }
            assertEquals(0, info(writer, "tracking_total_items"));
        } finally {
            readers.forEach(RawClient::close);
        }
    }

    @Test
    void clientList_flagsAndRedir_info(EmbeddedServer server, RawClient tracker, RawClient writer) throws Exception {
        // another test's tracking clients (the server is the class's) end when their close reaches the server
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (info(writer, "tracking_clients") != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, info(writer, "tracking_clients"));
        tracker.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p");
        String line = tracker.callText("CLIENT", "INFO");
        assertTrue(line.contains(" flags=tB ") && line.contains(" redir=0 "), line);
        assertEquals(1, info(writer, "tracking_clients"));
        tracker.call("CLIENT", "TRACKING", "off");
        line = tracker.callText("CLIENT", "INFO");
        assertTrue(line.contains(" flags=N ") && line.contains(" redir=-1 "), line);
        assertEquals(0, info(writer, "tracking_clients"));
        assertEquals(0, info(writer, "tracking_total_prefixes"));
    }

    @Test
    void trackingAgainAfterOff_keepsWhatItReadsAfterwards(RawClient tracker, RawClient writer) throws Exception {
        tracker.call("HELLO", "3");
        tracker.call("CLIENT", "TRACKING", "on");
        tracker.call("MGET", "s1", "s2");
        tracker.call("CLIENT", "TRACKING", "off");
        tracker.call("CLIENT", "TRACKING", "on");
        tracker.call("GET", "s2");
        Thread.sleep(100); // sweeps run (hz=100): the second read's entry must survive them
        writer.call("SET", "s2", "x");
        assertEquals(push("s2"), RawClient.render(tracker.read()));
    }

    @Test
    void disconnectAndReset_leaveNothingBehind(EmbeddedServer server, RawClient writer) throws Exception {
        RawClient a = new RawClient(server.host(), server.port());
        a.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "PREFIX", "y");
        RawClient b = new RawClient(server.host(), server.port());
        b.call("CLIENT", "TRACKING", "on");
        b.call("MGET", "k1", "k2");
        assertEquals(2, info(writer, "tracking_clients"));
        assertEquals(2, info(writer, "tracking_total_prefixes"));
        assertEquals("+RESET", b.callText("RESET"));
        assertEquals("[$flags, ~[$off], $redirect, :-1, $prefixes, []]".replace("~[", "["),
                b.callText("CLIENT", "TRACKINGINFO"));
        a.close();
        long deadline = System.currentTimeMillis() + 5_000;
        while (info(writer, "tracking_clients") != 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(0, info(writer, "tracking_clients"));
        assertEquals(0, info(writer, "tracking_total_prefixes"));
        // the keys b read leave the table without being written: the background sweep takes its id out
        deadline = System.currentTimeMillis() + 5_000;
        while (info(writer, "tracking_total_keys") != 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(0, info(writer, "tracking_total_keys"));
        assertEquals(0, info(writer, "tracking_total_items"));
        b.close();
    }
}
