package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The order CLIENT UNPAUSE releases postponed clients in, on one event loop: the order they were
 * postponed in, as Redis walks its postponed_clients list. (On several loops, clients of different
 * loops have no order between them: DESIGN.md, Threads.)
 */
@ExtendWith(ServerExtension.class)
@ServerOptions({"conn_io_threads=1"})
class ClientPauseOneLoopTest {

    @AfterEach
    void endAnyPause(EmbeddedServer server) {
        server.clientPause().unpause();
    }

    @Test
    void unpause_releasesClientsInTheOrderTheyWerePostponed(EmbeddedServer server, RawClient admin) {
        List<RawClient> clients = new ArrayList<>();
        try {
            assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "60000", "WRITE"));
            for (int i = 0; i < 8; i++) {
                RawClient c = new RawClient(server.host(), server.port());
                clients.add(c);
                c.send("RPUSH", "order", Integer.toString(i));
                ClientPauseTest.awaitWaiting(server, i + 1);
            }
            assertEquals("+OK", admin.callText("CLIENT", "UNPAUSE"));
            for (int i = 0; i < clients.size(); i++) {
                assertEquals(":" + (i + 1), RawClient.render(clients.get(i).read()));
            }
            assertEquals("[$0, $1, $2, $3, $4, $5, $6, $7]", admin.callText("LRANGE", "order", "0", "-1"));
        } finally {
            clients.forEach(RawClient::close);
        }
    }

    @Test
    void timeout_releasesClientsInTheOrderTheyWerePostponed(EmbeddedServer server, RawClient admin) {
        List<RawClient> clients = new ArrayList<>();
        try {
            assertEquals("+OK", admin.callText("CLIENT", "PAUSE", "500", "ALL"));
            for (int i = 0; i < 5; i++) {
                RawClient c = new RawClient(server.host(), server.port());
                clients.add(c);
                c.send("RPUSH", "order", Integer.toString(i));
                ClientPauseTest.awaitWaiting(server, i + 1);
            }
            for (int i = 0; i < clients.size(); i++) {
                assertEquals(":" + (i + 1), RawClient.render(clients.get(i).read()));
            }
        } finally {
            clients.forEach(RawClient::close);
        }
    }
}
