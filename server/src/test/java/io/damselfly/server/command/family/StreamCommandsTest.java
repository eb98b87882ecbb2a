package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.BlockedClients;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XPendingArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.PendingMessage;
import io.lettuce.core.models.stream.PendingMessages;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stream family through Lettuce (RESP3, and RESP2 where marked) and raw sockets: automatic
 * IDs, reads in and out of groups, the clock-dependent replies the differential test cannot
 * compare (idle and seen times, delivery times), and blocked XREAD / XREADGROUP across
 * connections: served by XADD, FIFO, timeouts, a reader that leaves, a destroyed group and a
 * deleted key, and no blocking inside MULTI. Every wait is bounded.
 */
@ExtendWith(ServerExtension.class)
class StreamCommandsTest {

    // ---- plain commands -----------------------------------------------------------------------

    @Test
    void xadd_automaticIdsIncreaseWithinAMillisecond(RedisCommands<String, String> redis, @Resp2 RedisCommands<String, String> resp2) {
        long before = System.currentTimeMillis();
        String a = redis.xadd("s", Map.of("f", "1"));
        String b = redis.xadd("s", Map.of("f", "2"));
        String c = resp2.xadd("s", Map.of("f", "3"));
        long ms = Long.parseLong(a.substring(0, a.indexOf('-')));
        assertTrue(ms >= before && ms <= System.currentTimeMillis(), a);
        List<StreamMessage<String, String>> all = redis.xrange("s", Range.create("-", "+"));
        assertEquals(List.of(a, b, c), all.stream().map(StreamMessage::getId).toList());
        assertTrue(io.damselfly.server.keyspace.StreamId.parse(b.getBytes(), 0, true)
                .compareTo(io.damselfly.server.keyspace.StreamId.parse(a.getBytes(), 0, true)) > 0);
        assertEquals(Map.of("f", "3"), all.get(2).getBody());
    }

    @Test
    void xadd_afterAFutureIdKeepsCounting(RedisCommands<String, String> redis) {
        redis.xadd("s", new XAddArgs().id("99999999999999-5"), Map.of("f", "v"));
        assertEquals("99999999999999-6", redis.xadd("s", Map.of("f", "v")));
        assertEquals("99999999999999-7", redis.xadd("s", new XAddArgs().id("99999999999999-*"), Map.of("f", "v")));
    }

    @Test
    void xadd_maxlenTrimsAndNomkstreamAnswersNull(RedisCommands<String, String> redis, @Resp2 RedisCommands<String, String> resp2) {
        for (int i = 1; i <= 5; i++) {
            redis.xadd("s", new XAddArgs().id(i + "-0").maxlen(3), Map.of("f", "v" + i));
        }
        assertEquals(3, redis.xlen("s"));
        assertEquals("3-0", redis.xrange("s", Range.create("-", "+")).get(0).getId());
        assertNull(redis.xadd("nokey", XAddArgs.Builder.nomkstream(), Map.of("f", "v")));
        assertNull(resp2.xadd("nokey", XAddArgs.Builder.nomkstream(), Map.of("f", "v")));
        assertEquals(0, redis.exists("nokey"));
    }

    @Test
    void xreadgroup_deliversOnceThenFromTheConsumersHistory(RedisCommands<String, String> redis) {
        redis.xgroupCreate(StreamOffset.from("s", "0"), "g", XGroupCreateArgs.Builder.mkstream());
        redis.xadd("s", new XAddArgs().id("1-0"), Map.of("a", "1"));
        redis.xadd("s", new XAddArgs().id("2-0"), Map.of("a", "2"));
        List<StreamMessage<String, String>> first = redis.xreadgroup(Consumer.from("g", "alice"), StreamOffset.lastConsumed("s"));
        assertEquals(List.of("1-0", "2-0"), first.stream().map(StreamMessage::getId).toList());
        assertTrue(redis.xreadgroup(Consumer.from("g", "bob"), StreamOffset.lastConsumed("s")).isEmpty());
        List<StreamMessage<String, String>> history = redis.xreadgroup(Consumer.from("g", "alice"), StreamOffset.from("s", "0"));
        assertEquals(2, history.size());
        assertEquals(1, redis.xack("s", "g", "1-0"));
        PendingMessages summary = redis.xpending("s", "g");
        assertEquals(1, summary.getCount());
        assertEquals(Map.of("alice", 1L), summary.getConsumerMessageCount());
        List<PendingMessage> rows = redis.xpending("s", XPendingArgs.Builder.xpending(Consumer.from("g", "alice"), Range.create("-", "+"), io.lettuce.core.Limit.from(10)));
        assertEquals(1, rows.size());
        assertEquals("2-0", rows.get(0).getId());
        assertEquals(2, rows.get(0).getRedeliveryCount(), "delivered, then read again from the history");
        assertTrue(rows.get(0).getMsSinceLastDelivery() < 5000);
    }

    @Test
    void xclaim_idleAndTimeSetTheDeliveryTime(RedisCommands<String, String> redis) {
        redis.xgroupCreate(StreamOffset.from("s", "0"), "g", XGroupCreateArgs.Builder.mkstream());
        redis.xadd("s", new XAddArgs().id("1-0"), Map.of("a", "1"));
        redis.xreadgroup(Consumer.from("g", "alice"), StreamOffset.lastConsumed("s"));
        List<StreamMessage<String, String>> claimed = redis.xclaim("s", Consumer.from("g", "bob"),
                XClaimArgs.Builder.minIdleTime(0).idle(60_000), "1-0");
        assertEquals("1-0", claimed.get(0).getId());
        PendingMessage row = redis.xpending("s", XPendingArgs.Builder.xpending(Consumer.from("g", "bob"), Range.create("-", "+"), io.lettuce.core.Limit.from(10))).get(0);
        assertTrue(row.getMsSinceLastDelivery() >= 60_000 && row.getMsSinceLastDelivery() < 65_000, "idle " + row.getMsSinceLastDelivery());
        assertEquals(2, row.getRedeliveryCount());
        // idle below the bound: nothing claimed
        assertTrue(redis.xclaim("s", Consumer.from("g", "carol"), XClaimArgs.Builder.minIdleTime(120_000), "1-0").isEmpty());
        redis.xclaim("s", Consumer.from("g", "carol"), XClaimArgs.Builder.minIdleTime(0).time(1000).justid(), "1-0");
        PendingMessage old = redis.xpending("s", XPendingArgs.Builder.xpending(Consumer.from("g", "carol"), Range.create("-", "+"), io.lettuce.core.Limit.from(10))).get(0);
        assertTrue(old.getMsSinceLastDelivery() > 1_000_000_000L, "delivered at 1000 ms after the epoch");
        assertEquals(2, old.getRedeliveryCount(), "JUSTID does not count a delivery");
    }

    @Test
    void xinfo_consumersAndFullShowTimes(EmbeddedServer server) {
        try (RawClient c = new RawClient(server.host(), server.port())) {
            c.call("XGROUP", "CREATE", "s", "g", "0", "MKSTREAM");
            c.call("XADD", "s", "1-0", "a", "1");
            long before = System.currentTimeMillis();
            c.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">");
            c.call("XCLAIM", "s", "g", "bob", "0", "1-0", "TIME", "1000", "JUSTID");
            String consumers = c.callText("XINFO", "CONSUMERS", "s", "g");
            assertTrue(consumers.matches("\\[\\[\\$name, \\$alice, \\$pending, :0, \\$idle, :\\d+], \\[\\$name, \\$bob, \\$pending, :1, \\$idle, :\\d+]]"),
                    consumers);
            RespValue full = c.call("XINFO", "STREAM", "s", "FULL");
            String text = RawClient.render(full);
            assertTrue(text.contains("[$1-0, $bob, :1000, :1]"), text);
            assertTrue(text.contains("$pel-count, :1, $pending, [[$1-0, :1000, :1]]"), text);
            long seen = Long.parseLong(text.replaceAll("(?s).*\\$name, \\$bob, \\$seen-time, :(\\d+).*", "$1"));
            assertTrue(seen >= before && seen <= System.currentTimeMillis(), text);
            c.call("HELLO", "3");
            String resp3 = RawClient.render(c.call("XINFO", "CONSUMERS", "s", "g"));
            assertTrue(resp3.startsWith("[{$name=$alice"), resp3);
        }
    }

    @Test
    void xautoclaim_movesIdleEntriesAndReportsDeletedOnes(RedisCommands<String, String> redis, EmbeddedServer server) {
        try (RawClient c = new RawClient(server.host(), server.port())) {
            c.call("XGROUP", "CREATE", "s", "g", "0", "MKSTREAM");
            c.call("XADD", "s", "1-0", "a", "1");
            c.call("XADD", "s", "2-0", "a", "2");
            c.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">");
            c.call("XDEL", "s", "1-0");
            assertEquals("[$0-0, [[$2-0, [$a, $2]]], [$1-0]]", c.callText("XAUTOCLAIM", "s", "g", "bob", "0", "0"));
            assertEquals("[$0-0, [], []]", c.callText("XAUTOCLAIM", "s", "g", "bob", "3600000", "0"));
        }
    }

    // ---- blocking reads -----------------------------------------------------------------------

    @Test
    void xread_blockServedByXaddFromAnotherConnection(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            redis.xadd("s", new XAddArgs().id("1-0"), Map.of("a", "1"));
            waiter.send("XREAD", "BLOCK", "0", "STREAMS", "other", "s", "0", "$");
            BlockedClients.await(redis, 1);
            redis.xadd("s", new XAddArgs().id("2-0"), Map.of("b", "2"));
            assertEquals("[[$s, [[$2-0, [$b, $2]]]]]", RawClient.render(waiter.read()));
            BlockedClients.await(redis, 0);
            waiter.call("HELLO", "3");
            waiter.send("XREAD", "BLOCK", "0", "STREAMS", "new", "$");
            BlockedClients.await(redis, 1);
            redis.xadd("new", new XAddArgs().id("5-0"), Map.of("c", "3"));
            assertEquals("{$new=[[$5-0, [$c, $3]]]}", RawClient.render(waiter.read()));
        }
    }

    @Test
    void xread_blockedReadersServedInOrder_withTheirOwnIds(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient first = new RawClient(server.host(), server.port());
             RawClient second = new RawClient(server.host(), server.port())) {
            redis.xadd("s", new XAddArgs().id("1-0"), Map.of("a", "1"));
            first.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
            BlockedClients.await(redis, 1);
            second.send("XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", "1-0");
            BlockedClients.await(redis, 2);
            redis.xadd("s", new XAddArgs().id("2-0"), Map.of("b", "2"));
            assertEquals("[[$s, [[$2-0, [$b, $2]]]]]", RawClient.render(first.read()));
            assertEquals("[[$s, [[$2-0, [$b, $2]]]]]", RawClient.render(second.read()));
        }
    }

    @Test
    void xreadgroup_blockedConsumersShareNewEntries(EmbeddedServer server, RedisCommands<String, String> redis) {
        redis.xgroupCreate(StreamOffset.from("s", "$"), "g", XGroupCreateArgs.Builder.mkstream());
        try (RawClient first = new RawClient(server.host(), server.port());
             RawClient second = new RawClient(server.host(), server.port())) {
            first.send("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", ">");
            BlockedClients.await(redis, 1);
            second.send("XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "s", ">");
            BlockedClients.await(redis, 2);
            redis.xadd("s", new XAddArgs().id("1-0"), Map.of("a", "1"));
            assertEquals("[[$s, [[$1-0, [$a, $1]]]]]", RawClient.render(first.read()));
            BlockedClients.await(redis, 1);
            redis.xadd("s", new XAddArgs().id("2-0"), Map.of("a", "2"));
            assertEquals("[[$s, [[$2-0, [$a, $2]]]]]", RawClient.render(second.read()));
            PendingMessages p = redis.xpending("s", "g");
            assertEquals(Map.of("alice", 1L, "bob", 1L), p.getConsumerMessageCount());
        }
    }

    @Test
    void xreadgroup_blockedReaderAnsweredWhenTheGroupOrTheKeyGoes(EmbeddedServer server, RedisCommands<String, String> redis) {
        redis.xgroupCreate(StreamOffset.from("s", "$"), "g", XGroupCreateArgs.Builder.mkstream());
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            waiter.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
            BlockedClients.await(redis, 1);
            redis.xgroupDestroy("s", "g");
            assertEquals("-NOGROUP the consumer group this client was blocked on no longer exists", RawClient.render(waiter.read()));
            redis.xgroupCreate(StreamOffset.from("s", "$"), "g");
            waiter.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
            BlockedClients.await(redis, 1);
            redis.del("s");
            assertEquals("-UNBLOCKED the stream key no longer exists", RawClient.render(waiter.read()));
            redis.xgroupCreate(StreamOffset.from("s", "$"), "g", XGroupCreateArgs.Builder.mkstream());
            waiter.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
            BlockedClients.await(redis, 1);
            redis.set("s", "now a string");
            assertEquals("-UNBLOCKED the stream key no longer exists", RawClient.render(waiter.read()));
        }
    }

    @Test
    void xreadgroup_blockedReaderAnsweredByFlushall_andCountedInErrorstats(EmbeddedServer server, RedisCommands<String, String> redis) {
        redis.configResetstat();
        redis.xgroupCreate(StreamOffset.from("s", "$"), "g", XGroupCreateArgs.Builder.mkstream());
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            waiter.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
            BlockedClients.await(redis, 1);
            redis.flushall();
            assertEquals("-UNBLOCKED the stream key no longer exists", RawClient.render(waiter.read()));
            assertTrue(redis.info("errorstats").contains("errorstat_UNBLOCKED:count=1"), redis.info("errorstats"));
        }
    }

    @Test
    void xread_plainReaderKeepsWaitingWhenTheKeyIsDeleted(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            redis.xadd("s", new XAddArgs().id("5-0"), Map.of("a", "1"));
            waiter.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
            BlockedClients.await(redis, 1);
            redis.del("s");
            // a new stream serves it only past the ID it blocked with (5-0), as Redis compares
            redis.xadd("s", new XAddArgs().id("1-0"), Map.of("a", "2"));
            redis.xadd("s", new XAddArgs().id("6-0"), Map.of("a", "3"));
            assertEquals("[[$s, [[$6-0, [$a, $3]]]]]", RawClient.render(waiter.read()));
        }
    }

    @Test
    void xread_timesOutToTheMillisecond(RedisCommands<String, String> redis, @Resp2 RedisCommands<String, String> resp2,
                                        EmbeddedServer server) {
        long start = System.nanoTime();
        List<StreamMessage<String, String>> got = redis.xread(XReadArgs.Builder.block(100), StreamOffset.latest("s"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(got.isEmpty());
        assertTrue(millis >= 100 && millis < 5000, "waited " + millis + " ms");
        assertTrue(resp2.xread(XReadArgs.Builder.block(20), StreamOffset.latest("s")).isEmpty());
        try (RawClient c = new RawClient(server.host(), server.port())) {
            assertEquals("(nil)", c.callText("XREAD", "BLOCK", "30", "STREAMS", "s", "$"));
            c.call("HELLO", "3");
            assertEquals("(nil)", c.callText("XREAD", "BLOCK", "30", "STREAMS", "s", "$"));
        }
    }

    @Test
    void readerThatLeaves_leavesNothingBehind(EmbeddedServer server, RedisCommands<String, String> redis) {
        redis.xgroupCreate(StreamOffset.from("s", "$"), "g", XGroupCreateArgs.Builder.mkstream());
        RawClient gone = new RawClient(server.host(), server.port());
        gone.send("XREADGROUP", "GROUP", "g", "ghost", "BLOCK", "0", "STREAMS", "s", ">");
        BlockedClients.await(redis, 1);
        gone.close();
        BlockedClients.await(redis, 0);
        redis.xadd("s", new XAddArgs().id("1-0"), Map.of("a", "1"));
        assertEquals(0, redis.xpending("s", "g").getCount(), "nobody read the entry");
        try (RawClient c = new RawClient(server.host(), server.port())) {
            assertTrue(c.callText("XINFO", "GROUPS", "s").contains("$last-delivered-id, $0-0"), "the group did not move");
        }
    }

    @Test
    void blockInsideMulti_answersAsOnTimeout(EmbeddedServer server) {
        try (RawClient c = new RawClient(server.host(), server.port())) {
            c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
            c.call("MULTI");
            c.call("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
            c.call("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
            assertEquals("[(nil), (nil)]", c.callText("EXEC"));
        }
    }

    @Test
    void blockFromAScript_isRefused(EmbeddedServer server) {
        try (RawClient c = new RawClient(server.host(), server.port())) {
            String reply = c.callText("EVAL", "return redis.pcall('XREAD','BLOCK','0','STREAMS','s','$')", "0");
            assertTrue(reply.startsWith("-ERR XREAD command is not allowed with BLOCK option from scripts"), reply);
        }
    }

    @Test
    void xadd_notifiesStreamEventsInRedisOrder(EmbeddedServer server, RedisCommands<String, String> redis) {
        redis.configSet("notify-keyspace-events", "Kt");
        try (RawClient sub = new RawClient(server.host(), server.port())) {
            sub.call("PSUBSCRIBE", "*");
            redis.xgroupCreate(StreamOffset.from("s", "$"), "g", XGroupCreateArgs.Builder.mkstream());
            redis.xgroupCreateconsumer("s", Consumer.from("g", "bob"));
            redis.xadd("s", new XAddArgs().id("1-0"), Map.of("f", "v"));
            redis.xreadgroup(Consumer.from("g", "alice"), StreamOffset.lastConsumed("s"));
            redis.xclaim("s", Consumer.from("g", "mike"), XClaimArgs.Builder.minIdleTime(0).force(), "1-0");
            redis.xgroupDelconsumer("s", Consumer.from("g", "lee"));
            redis.xautoclaim("s", io.lettuce.core.XAutoClaimArgs.Builder.xautoclaim(Consumer.from("g", "bob"), 0, "1-0"));
            redis.xgroupDelconsumer("s", Consumer.from("g", "bob"));
            redis.xadd("s", new XAddArgs().id("2-0").maxlen(1), Map.of("f", "v"));
            for (String event : List.of("xgroup-create", "xgroup-createconsumer", "xadd", "xgroup-createconsumer",
                    "xgroup-createconsumer", "xgroup-delconsumer", "xadd", "xtrim")) {
                assertEquals("[$pmessage, $*, $__keyspace@0__:s, $" + event + "]", RawClient.render(sub.read()));
            }
        } finally {
            redis.configSet("notify-keyspace-events", "");
        }
    }
}
