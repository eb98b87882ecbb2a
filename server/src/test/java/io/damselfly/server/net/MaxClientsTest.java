package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ServerExtension.class)
@ServerOptions({"maxclients=5"})
class MaxClientsTest {

    @Test
    void maxclients_refusesTheNextWithRedisError(EmbeddedServer server) throws InterruptedException {
        List<RawClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                RawClient c = new RawClient(server.host(), server.port());
                assertEquals("+PONG", c.callText("PING"));
                open.add(c);
            }
            try (RawClient sixth = new RawClient(server.host(), server.port())) {
                assertEquals("-ERR max number of clients reached", RawClient.render(sixth.read()));
                assertTrue(sixth.isClosedByServer());
            }
            open.remove(0).close();
            // the slot frees once the server has seen the close
            String reply = "";
            for (int attempt = 0; attempt < 50 && !reply.equals("+PONG"); attempt++) {
                Thread.sleep(20);
                try (RawClient again = new RawClient(server.host(), server.port())) {
                    again.send("PING");
                    reply = RawClient.render(again.read());
                }
            }
            assertEquals("+PONG", reply);
        } finally {
            open.forEach(RawClient::close);
        }
    }
}
