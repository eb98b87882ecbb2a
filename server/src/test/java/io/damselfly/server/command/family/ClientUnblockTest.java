package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.BlockedClients;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * CLIENT UNBLOCK from another connection, on damselfly and on a real redis-server with the same
 * steps: a BLPOP ended as on timeout and with the UNBLOCKED error, WAIT ended at once, a client
 * that is not blocked, bad arguments; the unblocked client runs its next request. And a blocked
 * client killed by CLIENT KILL leaves nothing behind: no waiter takes a later push.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class ClientUnblockTest {

    /** The replies of one scripted session against a server at {@code port}. */
    private static String session(int port) throws Exception {
        StringBuilder out = new StringBuilder();
        try (RawClient blocked = new RawClient("127.0.0.1", port); RawClient admin = new RawClient("127.0.0.1", port)) {
            admin.callText("FLUSHALL");
            String id = RawClient.render(blocked.call("CLIENT", "ID")).substring(1);
            out.append(admin.callText("CLIENT", "UNBLOCK", id)).append('\n');
            for (String reason : new String[] {"TIMEOUT", "ERROR"}) {
                blocked.send("BLPOP", "nolist", "0");
                BlockedClients.await(admin, 1);
                out.append(admin.callText("CLIENT", "UNBLOCK", id, reason)).append('\n');
                out.append(RawClient.render(blocked.read())).append('\n');
                out.append(blocked.callText("PING")).append('\n');
            }
            blocked.send("WAIT", "1", "0");
            BlockedClients.await(admin, 1);
            out.append(admin.callText("CLIENT", "UNBLOCK", id)).append('\n');
            out.append(RawClient.render(blocked.read())).append('\n');
            blocked.send("BRPOPLPUSH", "nolist", "dst", "0");
            BlockedClients.await(admin, 1);
            out.append(admin.callText("CLIENT", "UNBLOCK", id, "ERROR")).append('\n');
            out.append(RawClient.render(blocked.read())).append('\n');
            out.append(admin.callText("CLIENT", "UNBLOCK", id, "bogus")).append('\n');
            out.append(admin.callText("CLIENT", "UNBLOCK", "notanid")).append('\n');
            out.append(admin.callText("CLIENT", "UNBLOCK", "123456789")).append('\n');
            out.append(admin.callText("CLIENT", "UNBLOCK", id, "TIMEOUT", "extra")).append('\n');
            BlockedClients.await(admin, 0);
        }
        return out.toString();
    }

    /**
     * A client running a script is not blocked: CLIENT UNBLOCK answers 0 and the script's reply
     * arrives (Redis answers after the script, its only thread busy with it; damselfly at once).
     */
    @Test
    void aScriptsCallerIsNotUnblocked(EmbeddedServer damselfly, RedisServerProcess redis) throws Exception {
        String spin = "local t = redis.call('TIME') local start = t[1] * 1000000 + t[2] "
                + "repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - start >= 300000 return 'done'";
        for (int port : new int[] {redis.port(), damselfly.port()}) {
            try (RawClient running = new RawClient("127.0.0.1", port); RawClient admin = new RawClient("127.0.0.1", port)) {
                String id = RawClient.render(running.call("CLIENT", "ID")).substring(1);
                running.send("EVAL", spin, "0");
                Thread.sleep(50);
                assertEquals(":0", admin.callText("CLIENT", "UNBLOCK", id, "ERROR"), "port " + port);
                assertEquals("$done", RawClient.render(running.read()), "port " + port);
            }
        }
    }

    @Test
    void unblocksAsRedisDoes(EmbeddedServer damselfly, RedisServerProcess redis) throws Exception {
        String expected = session(redis.port());
        assertEquals(expected, session(damselfly.port()));
        // the reference itself shows both ways of ending a wait
        assertEquals(true, expected.contains("-UNBLOCKED client unblocked via CLIENT UNBLOCK"), expected);
    }

    @Test
    void killedBlockedClientLeavesNothingBehind(EmbeddedServer damselfly) throws Exception {
        try (RawClient blocked = new RawClient(damselfly.host(), damselfly.port());
             RawClient admin = new RawClient(damselfly.host(), damselfly.port())) {
            String id = RawClient.render(blocked.call("CLIENT", "ID")).substring(1);
            blocked.send("BLPOP", "q1", "q2", "0");
            BlockedClients.await(admin, 1);
            assertEquals(":1", admin.callText("CLIENT", "KILL", "ID", id));
            BlockedClients.await(admin, 0);
            assertEquals("blocked_clients:0", admin.callText("INFO", "clients").lines()
                    .filter(l -> l.startsWith("blocked_clients")).findFirst().orElseThrow().replace("$", ""));
            assertEquals(":1", admin.callText("RPUSH", "q2", "kept"));
            assertEquals("[$kept]", admin.callText("LRANGE", "q2", "0", "-1"), "no waiter is left to take it");
        }
    }
}
