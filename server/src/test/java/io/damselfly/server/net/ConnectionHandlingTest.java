package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pipelining, many connections, and request framing as a client sees them. */
@ExtendWith(ServerExtension.class)
class ConnectionHandlingTest {

    @Test
    void pipeline_tenThousandCommandsInOneWrite(RawClient raw) {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 10_000; i++) {
            batch.writeBytes(RawClient.encode("SET", "k" + i, "v" + i));
            batch.writeBytes(RawClient.encode("GET", "k" + i));
        }
        raw.sendRaw(batch.toByteArray());
        for (int i = 0; i < 10_000; i++) {
            assertEquals("+OK", RawClient.render(raw.read()), "reply to SET #" + i);
            assertEquals("$v" + i, RawClient.render(raw.read()), "reply to GET #" + i);
        }
        assertEquals("+PONG", raw.callText("PING"));
    }

    @Test
    void pipeline_lettuceAsyncBatch(RedisClient client) {
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            conn.setAutoFlushCommands(false);
            RedisAsyncCommands<String, String> async = conn.async();
            List<RedisFuture<?>> futures = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                futures.add(async.set("p" + i, Integer.toString(i)));
            }
            RedisFuture<String> last = async.get("p9999");
            futures.add(last);
            conn.flushCommands();
            assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(30), futures.toArray(new RedisFuture<?>[0])));
            assertEquals("9999", last.toCompletableFuture().join());
        }
    }

    @Test
    void inline_commandsAsTypedByHand(RawClient raw) {
        raw.sendRaw("SET greeting \"hello world\"\r\n");
        assertEquals("+OK", RawClient.render(raw.read()));
        raw.sendRaw("GET greeting\n");
        assertEquals("$hello world", RawClient.render(raw.read()));
        raw.sendRaw("\r\n   \r\nPING\r\n");
        assertEquals("+PONG", RawClient.render(raw.read()));
    }

    @Test
    void halfFrames_waitForTheRest(RawClient raw) throws InterruptedException {
        byte[] frame = RawClient.encode("SET", "half", "x".repeat(100));
        for (byte b : frame) {
            raw.sendRaw(new byte[] {b});
        }
        assertEquals("+OK", RawClient.render(raw.read()));
        raw.sendRaw("*2\r\n$3\r\nGET\r\n$4\r\nha");
        Thread.sleep(50);
        raw.sendRaw("lf\r\n");
        assertEquals("$" + "x".repeat(100), RawClient.render(raw.read()));
    }

    @Test
    void protocolError_repliesAndClosesOnlyThatConnection(EmbeddedServer server, @Resp2 RedisCommands<String, String> other) {
        other.set("kept", "value");
        try (RawClient bad = new RawClient(server.host(), server.port())) {
            bad.sendRaw("*2\r\n$3\r\nGET\r\n$-5\r\n");
            assertEquals("-ERR Protocol error: invalid bulk length", RawClient.render(bad.read()));
            assertTrue(bad.isClosedByServer());
        }
        try (RawClient bad = new RawClient(server.host(), server.port())) {
            bad.sendRaw("*1\r\n+PING\r\n");
            assertEquals("-ERR Protocol error: expected '$', got '+'", RawClient.render(bad.read()));
            assertTrue(bad.isClosedByServer());
        }
        try (RawClient bad = new RawClient(server.host(), server.port())) {
            bad.sendRaw("SET a \"unterminated\r\n");
            assertEquals("-ERR Protocol error: unbalanced quotes in request", RawClient.render(bad.read()));
            assertTrue(bad.isClosedByServer());
        }
        assertEquals("value", other.get("kept"));
    }

    @Test
    void repliesBeforeAProtocolError_areStillSent(RawClient raw) {
        raw.sendRaw("*1\r\n$4\r\nPING\r\n*1\r\n$-7\r\n");
        assertEquals("+PONG", RawClient.render(raw.read()));
        assertEquals("-ERR Protocol error: invalid bulk length", RawClient.render(raw.read()));
        assertTrue(raw.isClosedByServer());
    }

    @Test
    void oneThousandConcurrentConnections(EmbeddedServer server) {
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                clients.add(new RawClient(server.host(), server.port()));
            }
            // every connection writes before any reads: all 1000 are open and served together
            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).send("SET", "conn:" + i, Integer.toString(i));
            }
            for (RawClient c : clients) {
                assertEquals("+OK", RawClient.render(c.read()));
            }
            for (int i = 0; i < clients.size(); i++) {
                clients.get((i + 1) % clients.size()).send("GET", "conn:" + i);
            }
            for (int i = 0; i < clients.size(); i++) {
                RespValue v = clients.get((i + 1) % clients.size()).read();
                assertEquals("$" + i, RawClient.render(v));
            }
        } finally {
            clients.forEach(RawClient::close);
        }
    }

    @Test
    void unknownCommand_redisText(RawClient raw) {
        assertEquals("-ERR unknown command 'FOO', with args beginning with: 'a' 'b c' ", raw.callText("FOO", "a", "b c"));
        assertEquals("-ERR unknown command 'nope', with args beginning with: ", raw.callText("nope"));
        assertEquals("-ERR wrong number of arguments for 'set' command", raw.callText("SET", "x"));
        assertEquals("+PONG", raw.callText("ping"));
        assertEquals("+PONG", raw.callText("PiNg"));
    }
}
