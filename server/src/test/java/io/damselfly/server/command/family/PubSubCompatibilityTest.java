package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ReplyComparison;
import io.damselfly.server.testing.ServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pub/Sub differentially against a real redis-server 7.0.15 (see {@link ReplyComparison}), RESP2
 * and RESP3, where the replies are deterministic: subscription confirmations and their counts,
 * the RESP2 subscribed-mode errors and PING, RESET, PUBSUB HELP, NUMSUB, NUMPAT, arity and garbage,
 * the notify-keyspace-events and client-output-buffer-limit options. Each script line reads one
 * reply, so a line subscribes to one name at a time; {@link #multiReply} covers commands with a
 * reply per argument. A bare UNSUBSCRIBE of several channels is not compared: Redis answers in its
 * dict's order, damselfly in subscription order.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class PubSubCompatibilityTest {

    static Stream<Arguments> scripts() {
        return ReplyComparison.inBothProtocols(SCRIPTS);
    }

    @ParameterizedTest(name = "{0} RESP{1}")
    @MethodSource("scripts")
    void sameRepliesAsRedis(String name, int protocol, String script, RedisServerProcess redis, EmbeddedServer damselfly) {
        try {
            ReplyComparison.assertSameReplies(name, protocol, script, redis, damselfly);
        } finally {
            ReplyComparison.okOnBoth(redis, damselfly, "CONFIG", "SET", "notify-keyspace-events", "");
            ReplyComparison.okOnBoth(redis, damselfly, "CONFIG", "SET", "client-output-buffer-limit",
                    "normal 0 0 0 slave 268435456 67108864 60 pubsub 32mb 8mb 60");
        }
    }

    private static final String[][] SCRIPTS = {
        {"subscribe-confirmations", """
                UNSUBSCRIBE
                PUNSUBSCRIBE
                SUNSUBSCRIBE
                UNSUBSCRIBE nosuch
                PUNSUBSCRIBE nosuch
                SUNSUBSCRIBE nosuch
                SUBSCRIBE a
                SUBSCRIBE a
                SUBSCRIBE b
                PSUBSCRIBE p*
                PSUBSCRIBE p*
                SSUBSCRIBE s
                SSUBSCRIBE t
                PUNSUBSCRIBE zz
                UNSUBSCRIBE zz
                SUNSUBSCRIBE s
                PUNSUBSCRIBE
                UNSUBSCRIBE b
                UNSUBSCRIBE a
                SUNSUBSCRIBE
                UNSUBSCRIBE
                """},
        {"subscribed-mode", """
                SUBSCRIBE a
                PING
                PING hello
                PING a b
                GET k
                SET k v
                CLIENT GETNAME
                CONFIG GET maxmemory
                PUBLISH a x
                PUBSUB NUMSUB a
                SELECT 1
                HELLO 4
                NOSUCHCOMMAND
                CLIENT NOSUCH
                SUBSCRIBE
                RESET
                PING
                GET k
                """},
        {"pattern-mode", """
                PSUBSCRIBE *
                ECHO x
                SLOWLOG RESET
                SSUBSCRIBE s
                PUNSUBSCRIBE *
                MGET a b
                SUNSUBSCRIBE s
                MGET a b
                """},
        {"pubsub-introspection", """
                PUBSUB HELP
                PUBSUB NUMSUB
                PUBSUB NUMSUB a b a
                PUBSUB NUMPAT
                PUBSUB CHANNELS
                PUBSUB CHANNELS *
                PUBSUB SHARDCHANNELS
                PUBSUB SHARDCHANNELS x*
                PUBSUB SHARDNUMSUB
                PUBSUB SHARDNUMSUB a
                PUBSUB CHANNELS a b
                PUBSUB SHARDCHANNELS a b
                PUBSUB NUMPAT x
                PUBSUB HELP x
                PUBSUB nosuch
                PUBSUB
                PUBLISH
                PUBLISH a
                PUBLISH a b c
                PUBLISH a b
                SPUBLISH a b
                SPUBLISH a
                SUBSCRIBE
                PSUBSCRIBE
                SSUBSCRIBE
                RESET x
                """},
        {"self-and-counts", """
                SUBSCRIBE c1
                PSUBSCRIBE c*
                PUNSUBSCRIBE c*
                UNSUBSCRIBE c1
                PUBLISH c1 hello
                PUBSUB NUMSUB c1
                PUBSUB NUMPAT
                """},
        {"notify-keyspace-events", """
                CONFIG GET notify-keyspace-events
                CONFIG SET notify-keyspace-events KEA
                CONFIG GET notify-keyspace-events
                CONFIG SET notify-keyspace-events Kgx$lshzetdnm
                CONFIG GET notify-keyspace-events
                CONFIG SET notify-keyspace-events g$lshzxetd
                CONFIG GET notify-keyspace-events
                CONFIG SET notify-keyspace-events nElK
                CONFIG GET notify-keyspace-events
                CONFIG SET notify-keyspace-events mK
                CONFIG GET notify-keyspace-events
                CONFIG SET notify-keyspace-events Kq
                CONFIG SET notify-keyspace-events a
                CONFIG GET notify-keyspace-events
                CONFIG SET notify-keyspace-events _
                CONFIG GET notify-keyspace-events
                CONFIG SET notify-keyspace-events AAAA
                ~CONFIG GET notify-*
                """},
        {"client-output-buffer-limit", """
                CONFIG GET client-output-buffer-limit
                CONFIG SET client-output-buffer-limit pubsub_1mb_512kb_10
                CONFIG SET client-output-buffer-limit _
                CONFIG GET client-output-buffer-limit
                CONFIG SET client-output-buffer-limit foo
                CONFIG SET client-output-buffer-limit x_1_2_3
                CONFIG SET client-output-buffer-limit master_1_2_3
                CONFIG SET client-output-buffer-limit pubsub_x_2_3
                CONFIG SET client-output-buffer-limit pubsub_1_2_-3
                CONFIG SET client-output-buffer-limit pubsub_1_2_3x
                CONFIG SET client-output-buffer-limit pubsub_1_2
                CONFIG GET client-output-buffer-limit
                CONFIG SET client-output-buffer-limit PUBSUB_2GB_1G_0_REPLICA_1k_2kb_5
                CONFIG GET client-output-buffer-limit
                CONFIG SET client-output-buffer-limit slave_1_2_3_normal_0_0_0
                CONFIG GET client-output-buffer-limit
                ~CONFIG GET client-output*
                """},
    };

    /**
     * Commands whose reply comes in several pieces (one confirmation per name), compared piece by
     * piece on both servers, in both protocols.
     */
    @Test
    void multiReply(RedisServerProcess redis, EmbeddedServer damselfly) {
        for (int protocol : new int[] {2, 3}) {
            try (RawClient ref = new RawClient("127.0.0.1", redis.port());
                 RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
                if (protocol == 3) {
                    ref.call("HELLO", "3");
                    ours.call("HELLO", "3");
                }
                Object[][] script = {
                    {3, new Object[] {"SUBSCRIBE", "a", "b", "a"}},
                    {2, new Object[] {"PSUBSCRIBE", "x*", "y*"}},
                    {2, new Object[] {"SSUBSCRIBE", "s1", "s1"}},
                    {3, new Object[] {"UNSUBSCRIBE", "b", "zz", "a"}},
                    {1, new Object[] {"PUNSUBSCRIBE", "y*"}},
                    {1, new Object[] {"PUNSUBSCRIBE"}},
                    {1, new Object[] {"SUNSUBSCRIBE"}},
                    {1, new Object[] {"UNSUBSCRIBE"}},
                };
                for (Object[] step : script) {
                    int replies = (Integer) step[0];
                    Object[] cmd = (Object[]) step[1];
                    ref.send(cmd);
                    ours.send(cmd);
                    for (int i = 0; i < replies; i++) {
                        assertEquals(RawClient.render(ref.read()), RawClient.render(ours.read()),
                                String.join(" ", Stream.of(cmd).map(String::valueOf).toList()) + " reply " + i + " RESP" + protocol);
                    }
                }
            }
        }
    }

    /** A subscriber's messages, in both protocols, byte for byte as Redis renders them. */
    @Test
    void messagesAsRedisRendersThem(RedisServerProcess redis, EmbeddedServer damselfly) {
        for (int protocol : new int[] {2, 3}) {
            List<String> expected = messages(protocol, "127.0.0.1", redis.port());
            List<String> actual = messages(protocol, damselfly.host(), damselfly.port());
            assertEquals(expected, actual, "RESP" + protocol);
        }
    }

    private static List<String> messages(int protocol, String host, int port) {
        List<String> out = new ArrayList<>();
        try (RawClient sub = new RawClient(host, port); RawClient pub = new RawClient(host, port)) {
            if (protocol == 3) {
                sub.call("HELLO", "3");
            }
            sub.call("SUBSCRIBE", "news");
            sub.call("PSUBSCRIBE", "n*");
            sub.call("SSUBSCRIBE", "news");
            out.add(pub.callText("PUBLISH", "news", "one"));
            out.add(pub.callText("PUBLISH", "nothing", ""));
            out.add(pub.callText("SPUBLISH", "news", "two"));
            for (int i = 0; i < 4; i++) {
                out.add(RawClient.render(sub.read()));
            }
        }
        return out;
    }
}
