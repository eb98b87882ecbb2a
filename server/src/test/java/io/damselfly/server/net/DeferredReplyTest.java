package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A command that answers late, seen from a client: WAIT blocks its client as Redis does (later
 * pipelined requests neither run nor answer before it), answers in request order, and a client
 * that leaves while waiting leaves nothing behind.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class DeferredReplyTest {
    @Test
    void waitAnswersAfterItsTimeout_andLaterRequestsWaitTheirTurn(EmbeddedServer server, RawClient other) throws Exception {
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            pipeline.writeBytes(RawClient.encode("WAIT", "1", "300"));
            pipeline.writeBytes(RawClient.encode("SET", "after-wait", "1"));
            pipeline.writeBytes(RawClient.encode("PING"));
            long start = System.nanoTime();
            waiter.sendRaw(pipeline.toByteArray());
            Thread.sleep(100);
            // blocked as in Redis: the SET behind the WAIT has not run
            assertEquals(":0", other.callText("EXISTS", "after-wait"));
            assertTrue(other.callText("INFO", "clients").contains("blocked_clients:1"));
            assertEquals(":0", RawClient.render(waiter.read()));
            assertTrue(System.nanoTime() - start >= 300_000_000L, "WAIT answered before its timeout");
            assertEquals("+OK", RawClient.render(waiter.read()));
            assertEquals("+PONG", RawClient.render(waiter.read()));
            assertEquals(":1", other.callText("EXISTS", "after-wait"));
            assertTrue(other.callText("INFO", "clients").contains("blocked_clients:0"));
        }
    }

    @Test
    void waitForNoReplica_answersAtOnce(RawClient client) {
        assertEquals(":0", client.callText("WAIT", "0", "0"));
        assertEquals(":0", client.callText("WAIT", "-5", "100000"));
    }

    @Test
    void clientLeavingWhileBlocked_isForgotten(EmbeddedServer server, RawClient other) throws Exception {
        RawClient waiter = new RawClient(server.host(), server.port());
        waiter.send("WAIT", "1", "0");
        waitFor(other, "blocked_clients:1");
        waiter.close();
        waitFor(other, "blocked_clients:0");
        assertEquals("+PONG", other.callText("PING"));
    }

    @Test
    void clientLeavingWhileBlockedWithRequestsQueued_isForgotten(EmbeddedServer server, RawClient other) throws Exception {
        RawClient waiter = new RawClient(server.host(), server.port());
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        pipeline.writeBytes(RawClient.encode("WAIT", "1", "0"));
        for (int i = 0; i < 100; i++) {
            pipeline.writeBytes(RawClient.encode("SET", "queued-" + i, "1"));
        }
        waiter.sendRaw(pipeline.toByteArray());
        waitFor(other, "blocked_clients:1");
        waiter.close();
        waitFor(other, "blocked_clients:0");
        assertEquals(":0", other.callText("EXISTS", "queued-0"), "requests behind a blocked command never ran");
    }

    @Test
    void waitArgumentErrors_matchRedis(RawClient client, RedisServerProcess redis) {
        try (RawClient reference = new RawClient("127.0.0.1", redis.port())) {
            for (List<String> args : List.of(List.of("WAIT", "x", "0"), List.of("WAIT", "1", "-1"),
                    List.of("WAIT", "1", "1.5"), List.of("WAIT", "1", "x"), List.of("WAIT", "1"))) {
                Object[] a = args.toArray();
                assertEquals(reference.callText(a), client.callText(a), String.join(" ", args));
            }
        }
    }

    private static void waitFor(RawClient client, String infoLine) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (client.callText("INFO", "clients").contains(infoLine)) {
                return;
            }
            Thread.sleep(20);
        }
        fail("INFO clients never showed " + infoLine);
    }
}
