package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pub/Sub through real clients: Lettuce pub/sub connections in RESP2 and RESP3 between clients
 * (on the server's several event loops), patterns, binary channels and payloads, PUBSUB counts,
 * CLIENT LIST and INFO fields, and the registry left empty by UNSUBSCRIBE, disconnects, RESET and
 * CLIENT KILL. Exact reply shapes are checked against redis-server in PubSubCompatibilityTest.
 */
@ExtendWith(ServerExtension.class)
@ServerOptions({"conn_io_threads=3"})
class PubSubCommandsTest {
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeOpened() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    /** Messages a Lettuce pub/sub listener saw, as "message|channel|payload" or "pmessage|pattern|channel|payload". */
    private static final class Recorder extends RedisPubSubAdapter<String, String> {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

        @Override
        public void message(String channel, String message) {
            messages.add("message|" + channel + "|" + message);
        }

        @Override
        public void message(String pattern, String channel, String message) {
            messages.add("pmessage|" + pattern + "|" + channel + "|" + message);
        }

        String next() throws InterruptedException {
            String m = messages.poll(10, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no message within 10 s");
            }
            return m;
        }
    }

    private StatefulRedisPubSubConnection<String, String> subscriber(RedisClient client, Recorder recorder) {
        StatefulRedisPubSubConnection<String, String> conn = client.connectPubSub();
        conn.addListener(recorder);
        opened.add(conn::close);
        return conn;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void publish_subscribe_resp3(RedisClient client, RedisCommands<String, String> redis) throws Exception {
        Recorder r = new Recorder();
        subscriber(client, r).sync().subscribe("news", "sports");
        assertEquals(1L, redis.publish("news", "hello"));
        assertEquals(1L, redis.publish("sports", "goal"));
        assertEquals(0L, redis.publish("weather", "rain"));
        assertEquals("message|news|hello", r.next());
        assertEquals("message|sports|goal", r.next());
        assertNull(r.messages.poll(100, TimeUnit.MILLISECONDS));
    }

    @Test
    void publish_subscribe_resp2(@Resp2 RedisClient client, RedisCommands<String, String> redis) throws Exception {
        Recorder r = new Recorder();
        subscriber(client, r).sync().subscribe("news");
        assertEquals(1L, redis.publish("news", "hello"));
        assertEquals("message|news|hello", r.next());
    }

    @Test
    void publish_countsEverySubscriberOnEveryLoop(RedisClient client, @Resp2 RedisClient client2,
                                                  RedisCommands<String, String> redis) throws Exception {
        List<Recorder> recorders = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Recorder r = new Recorder();
            recorders.add(r);
            subscriber(i % 2 == 0 ? client : client2, r).sync().subscribe("ch");
        }
        Recorder byPattern = new Recorder();
        subscriber(client, byPattern).sync().psubscribe("c?");
        // six channel subscribers and one pattern subscriber
        assertEquals(7L, redis.publish("ch", "x"));
        for (Recorder r : recorders) {
            assertEquals("message|ch|x", r.next());
        }
        assertEquals("pmessage|c?|ch|x", byPattern.next());
    }

    @Test
    void psubscribe_patternMessages(RedisClient client, RedisCommands<String, String> redis) throws Exception {
        Recorder r = new Recorder();
        StatefulRedisPubSubConnection<String, String> sub = subscriber(client, r);
        sub.sync().psubscribe("news.*", "h[ae]llo");
        sub.sync().subscribe("news.tech");
        // the channel subscription and the matching pattern each receive it
        assertEquals(2L, redis.publish("news.tech", "a"));
        assertEquals(1L, redis.publish("hallo", "b"));
        assertEquals(0L, redis.publish("hillo", "c"));
        List<String> got = List.of(r.next(), r.next(), r.next());
        assertTrue(got.contains("message|news.tech|a"), got.toString());
        assertTrue(got.contains("pmessage|news.*|news.tech|a"), got.toString());
        assertEquals("pmessage|h[ae]llo|hallo|b", got.get(2));
        sub.sync().punsubscribe("news.*");
        assertEquals(1L, redis.publish("news.tech", "d"));
    }

    @Test
    void publish_keepsOrderPerSubscriber(RedisClient client, RedisCommands<String, String> redis) throws Exception {
        Recorder r = new Recorder();
        subscriber(client, r).sync().subscribe("seq");
        for (int i = 0; i < 2000; i++) {
            redis.publish("seq", Integer.toString(i));
        }
        for (int i = 0; i < 2000; i++) {
            assertEquals("message|seq|" + i, r.next());
        }
    }

    @Test
    void publish_binaryChannelAndPayload(RedisClient client, EmbeddedServer server) throws Exception {
        byte[] channel = {0, 1, '\r', '\n', (byte) 0xff, '*'};
        byte[] payload = new byte[70_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31);
        }
        BlockingQueue<byte[][]> got = new LinkedBlockingQueue<>();
        StatefulRedisPubSubConnection<byte[], byte[]> sub = client.connectPubSub(ByteArrayCodec.INSTANCE);
        opened.add(sub::close);
        sub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] ch, byte[] message) {
                got.add(new byte[][] {ch, message});
            }

            @Override
            public void message(byte[] pattern, byte[] ch, byte[] message) {
                got.add(new byte[][] {pattern, ch, message});
            }
        });
        sub.sync().subscribe(channel);
        sub.sync().psubscribe(new byte[] {0, '*'});
        try (RawClient pub = new RawClient(server.host(), server.port())) {
            assertEquals(":2", pub.callText("PUBLISH", channel, payload));
        }
        byte[][] first = got.poll(10, TimeUnit.SECONDS);
        byte[][] second = got.poll(10, TimeUnit.SECONDS);
        assertArrayEquals(channel, first[0]);
        assertArrayEquals(payload, first[1]);
        assertArrayEquals(new byte[] {0, '*'}, second[0]);
        assertArrayEquals(channel, second[1]);
        assertArrayEquals(payload, second[2]);
    }

    @Test
    void pubsub_counts(RedisClient client, RedisCommands<String, String> redis) throws Exception {
        subscriber(client, new Recorder()).sync().subscribe("a", "b");
        subscriber(client, new Recorder()).sync().subscribe("a");
        subscriber(client, new Recorder()).sync().psubscribe("x*", "y*");
        subscriber(client, new Recorder()).sync().psubscribe("x*");
        assertEquals(Map.of("a", 2L, "b", 1L, "c", 0L), redis.pubsubNumsub("a", "b", "c"));
        assertEquals(2L, redis.pubsubNumpat());
        assertEquals(List.of("a", "b"), redis.pubsubChannels().stream().sorted().toList());
        assertEquals(List.of("b"), redis.pubsubChannels("b*"));
        String info = redis.info("stats");
        assertTrue(info.contains("pubsub_channels:2\r\n"), info);
        assertTrue(info.contains("pubsub_patterns:2\r\n"), info);
        assertTrue(info.contains("pubsubshard_channels:0\r\n"), info);
    }

    @Test
    void ssubscribe_spublish_separateNamespace(RawClient sub, EmbeddedServer server) {
        assertEquals("[$ssubscribe, $s, :1]", sub.callText("SSUBSCRIBE", "s"));
        try (RawClient pub = new RawClient(server.host(), server.port())) {
            assertEquals(":0", pub.callText("PUBLISH", "s", "plain"));
            assertEquals(":1", pub.callText("SPUBLISH", "s", "sharded"));
            assertEquals("[$s]", pub.callText("PUBSUB", "SHARDCHANNELS"));
            assertEquals("[$s, :1]", pub.callText("PUBSUB", "SHARDNUMSUB", "s"));
            assertEquals("[]", pub.callText("PUBSUB", "CHANNELS"));
        }
        assertEquals("[$smessage, $s, $sharded]", RawClient.render(sub.read()));
        assertEquals("[$sunsubscribe, $s, :0]", sub.callText("SUNSUBSCRIBE"));
    }

    @Test
    void clientList_showsSubscriptions(RawClient sub, RedisCommands<String, String> redis, EmbeddedServer server) {
        sub.call("CLIENT", "SETNAME", "listener");
        sub.call("SUBSCRIBE", "a");
        sub.call("PSUBSCRIBE", "p*");
        sub.call("SSUBSCRIBE", "s");
        String line = redis.clientList().lines().filter(l -> l.contains("name=listener")).findFirst().orElseThrow();
        assertTrue(line.contains(" flags=P ") && line.contains(" sub=1 psub=1 ssub=1 "), line);
        try (RawClient other = new RawClient(server.host(), server.port())) {
            String pubsubOnly = other.callText("CLIENT", "LIST", "TYPE", "pubsub");
            assertTrue(pubsubOnly.contains("name=listener") && pubsubOnly.split("\n").length == 1, pubsubOnly);
            assertTrue(!other.callText("CLIENT", "LIST", "TYPE", "normal").contains("name=listener"));
        }
    }

    private static void assertRegistryEmpty(RedisCommands<String, String> redis) throws InterruptedException {
        await(() -> redis.pubsubNumsub("a").get("a") == 0 && redis.pubsubNumpat() == 0
                && redis.pubsubChannels().isEmpty() && redis.info("stats").contains("pubsubshard_channels:0"),
                "the registry to empty");
    }

    @Test
    void disconnect_leavesNothing(EmbeddedServer server, RedisCommands<String, String> redis) throws Exception {
        RawClient sub = new RawClient(server.host(), server.port());
        sub.call("SUBSCRIBE", "a");
        sub.call("PSUBSCRIBE", "p*");
        sub.call("SSUBSCRIBE", "s");
        assertEquals(1L, redis.pubsubNumpat());
        sub.close();
        assertRegistryEmpty(redis);
        assertEquals(0L, redis.publish("a", "x"));
    }

    @Test
    void unsubscribe_leavesNothing(RawClient sub, RedisCommands<String, String> redis) throws Exception {
        sub.call("SUBSCRIBE", "a");
        sub.call("PSUBSCRIBE", "p*");
        assertEquals("[$unsubscribe, $a, :1]", sub.callText("UNSUBSCRIBE"));
        assertEquals("[$punsubscribe, $p*, :0]", sub.callText("PUNSUBSCRIBE"));
        // out of subscribed mode: any command runs again
        assertEquals("+PONG", sub.callText("PING"));
        assertEquals("(nil)", sub.callText("GET", "k"));
        assertRegistryEmpty(redis);
    }

    @Test
    void reset_leavesNothing(RawClient sub, RedisCommands<String, String> redis) throws Exception {
        sub.call("HELLO", "3");
        sub.call("SELECT", "3");
        sub.call("SUBSCRIBE", "a");
        sub.call("PSUBSCRIBE", "p*");
        sub.call("SSUBSCRIBE", "s");
        assertEquals("+RESET", sub.callText("RESET"));
        assertRegistryEmpty(redis);
        String info = sub.callText("CLIENT", "INFO");
        assertTrue(info.contains(" db=0 ") && info.contains(" sub=0 psub=0 ssub=0 ") && info.contains(" resp=2"), info);
        assertEquals("+PONG", sub.callText("PING"));
    }

    @Test
    void clientKill_leavesNothing(RawClient sub, RedisCommands<String, String> redis) throws Exception {
        sub.call("CLIENT", "SETNAME", "victim");
        sub.call("SUBSCRIBE", "a");
        sub.call("PSUBSCRIBE", "p*");
        assertEquals(1L, redis.clientKill(io.lettuce.core.KillArgs.Builder.typePubsub()));
        assertTrue(sub.isClosedByServer());
        assertRegistryEmpty(redis);
    }

    @Test
    void resp3Subscriber_runsAnyCommand_andSeesItsOwnMessageFirst(RawClient raw) {
        raw.call("HELLO", "3");
        assertEquals(">[$subscribe, $me, :1]", raw.callText("SUBSCRIBE", "me"));
        assertEquals("+OK", raw.callText("SET", "k", "v"));
        assertEquals("$v", raw.callText("GET", "k"));
        // Redis writes the message to the publisher's own connection before PUBLISH's count
        assertEquals(">[$message, $me, $hi]", raw.callText("PUBLISH", "me", "hi"));
        assertEquals(":1", RawClient.render(raw.read()));
    }

    @Test
    void resp2Subscriber_refusesOtherCommands(RawClient raw) {
        raw.call("SUBSCRIBE", "a");
        assertEquals("-ERR Can't execute 'set': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                + "are allowed in this context", raw.callText("SET", "k", "v"));
        assertEquals("[$pong, $]", raw.callText("PING"));
        assertEquals("[$pong, $x]", raw.callText("PING", "x"));
        assertEquals("+OK", raw.callText("QUIT"));
    }

    @Test
    void clientReplyOff_stillGetsConfirmationsAndMessages(RawClient sub, RedisCommands<String, String> redis) {
        sub.send("CLIENT", "REPLY", "OFF");
        sub.send("SUBSCRIBE", "a");
        assertEquals("[$subscribe, $a, :1]", RawClient.render(sub.read()));
        assertEquals(1L, redis.publish("a", "m"));
        assertEquals("[$message, $a, $m]", RawClient.render(sub.read()));
    }

    @Test
    void manyChannels_registryBoundedAfterChurn(RawClient sub, RedisCommands<String, String> redis) throws Exception {
        for (int round = 0; round < 3; round++) {
            Object[] sub1 = new Object[501];
            sub1[0] = "SUBSCRIBE";
            for (int i = 1; i <= 500; i++) {
                sub1[i] = "ch" + round + ":" + i;
            }
            sub.send(sub1);
            for (int i = 1; i <= 500; i++) {
                sub.read();
            }
            assertEquals(500, redis.pubsubChannels().size());
            sub.send("UNSUBSCRIBE");
            for (int i = 1; i <= 500; i++) {
                sub.read();
            }
            assertRegistryEmpty(redis);
        }
    }

    @Test
    void subscribe_garbageArguments(RawClient raw) {
        assertEquals("-ERR wrong number of arguments for 'subscribe' command", raw.callText("SUBSCRIBE"));
        assertEquals("-ERR wrong number of arguments for 'psubscribe' command", raw.callText("PSUBSCRIBE"));
        assertEquals("-ERR wrong number of arguments for 'publish' command", raw.callText("PUBLISH", "a"));
        assertEquals("-ERR wrong number of arguments for 'publish' command", raw.callText("PUBLISH", "a", "b", "c"));
        assertEquals("-ERR unknown subcommand 'nope'. Try PUBSUB HELP.", raw.callText("PUBSUB", "nope"));
        assertEquals("-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.",
                raw.callText("PUBSUB", "CHANNELS", "a", "b"));
        // a pattern that can match nothing, an empty channel and an empty pattern are all fine
        assertEquals("[$psubscribe, $[, :1]", raw.callText("PSUBSCRIBE", "["));
        assertEquals("[$subscribe, $, :2]", raw.callText("SUBSCRIBE", ""));
        assertEquals("[$psubscribe, $, :3]", raw.callText("PSUBSCRIBE", ""));
        assertEquals("+RESET", raw.callText("RESET"));
        assertEquals(":0", raw.callText("PUBLISH", "", "x"));
    }

    @Test
    void outputBufferLimit_configGetSet(RedisCommands<String, String> redis) {
        assertEquals(Map.of("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
                redis.configGet("client-output-buffer-limit"));
        assertEquals("OK", redis.configSet("client-output-buffer-limit", "pubsub 1mb 512kb 10 replica 1 2 3"));
        assertEquals("normal 0 0 0 slave 1 2 3 pubsub 1048576 524288 10",
                redis.configGet("client-output-buffer-limit").get("client-output-buffer-limit"));
        redis.configSet("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 32mb 8mb 60");
        assertEquals("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
                redis.configGet("client-output-buffer-limit").get("client-output-buffer-limit"));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
