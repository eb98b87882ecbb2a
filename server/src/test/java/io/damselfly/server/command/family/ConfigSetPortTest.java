package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CONFIG SET port as Redis 7.0's changeListenPort: the server listens on the new port, stops
 * listening on the old one and keeps the connections it has; a port that cannot be bound fails
 * the whole CONFIG SET with Redis's error, every option of it left as it was.
 */
class ConfigSetPortTest {

    @Test
    void movesTheListener_keepsConnections() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().start();
             RawClient before = new RawClient("127.0.0.1", server.port())) {
            int old = server.port();
            int fresh = freePort();
            assertEquals("+OK", before.callText("CONFIG", "SET", "port", Integer.toString(fresh)));
            assertEquals("+PONG", before.callText("PING"), "a connection made before stays");
            assertEquals(fresh, server.port());
            try (RawClient after = new RawClient("127.0.0.1", fresh)) {
                assertEquals("+PONG", after.callText("PING"));
                assertEquals("[$port, $" + fresh + "]", after.callText("CONFIG", "GET", "port"));
                String info = after.callText("INFO", "server");
                assertEquals(true, info.contains("tcp_port:" + fresh + "\r"), info);
            }
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", old).close(), "the old port is closed");
            // setting the port it has changes nothing
            assertEquals("+OK", before.callText("CONFIG", "SET", "port", Integer.toString(fresh)));
            assertEquals(fresh, server.port());
        }
    }

    @Test
    void portInUse_failsTheWholeSetAsRedis() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             EmbeddedServer server = EmbeddedServer.builder().start();
             ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            String used = Integer.toString(taken.getLocalPort());
            List<String> replies = new ArrayList<>();
            for (int port : new int[] {redis.port(), server.port()}) {
                try (RawClient c = new RawClient("127.0.0.1", port)) {
                    String maxmemory = c.callText("CONFIG", "GET", "maxmemory");
                    String limit = c.callText("CONFIG", "GET", "client-query-buffer-limit");
                    replies.add(c.callText("CONFIG", "SET", "maxmemory", "10000001", "port", used, "client-query-buffer-limit", "10mb"));
                    assertEquals(maxmemory, c.callText("CONFIG", "GET", "maxmemory"), "rolled back");
                    assertEquals(limit, c.callText("CONFIG", "GET", "client-query-buffer-limit"), "rolled back");
                }
                try (RawClient again = new RawClient("127.0.0.1", port)) {
                    assertEquals("+PONG", again.callText("PING"), "still listening on the original port");
                }
            }
            assertEquals(replies.get(0), replies.get(1));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.",
                    replies.get(1));
            assertNotEquals(Integer.parseInt(used), server.port());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
