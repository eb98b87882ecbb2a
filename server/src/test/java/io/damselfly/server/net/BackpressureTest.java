package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import java.io.ByteArrayOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that sends without reading cannot make the server buffer without bound: it is held
 * back by TCP (reading stops while its replies wait), and one reply beyond output_buffer_limit
 * disconnects it. Other clients are served meanwhile.
 */
@ExtendWith(ServerExtension.class)
@ServerOptions({"output_buffer_limit=4mb"})
class BackpressureTest {
    private static final Pattern OMEM = Pattern.compile("name=greedy .*? omem=(\\d+)");

    @Test
    void nonReadingClient_isHeldBackNotBuffered(EmbeddedServer server, RawClient admin) throws Exception {
        byte[] value = new byte[100 * 1024];
        assertEquals("+OK", admin.callText("SET", "big", value));
        try (RawClient greedy = new RawClient(server.host(), server.port())) {
            assertEquals("+OK", greedy.callText("CLIENT", "SETNAME", "greedy"));
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int i = 0; i < 200; i++) {
                batch.writeBytes(RawClient.encode("GET", "big"));
            }
            byte[] gets = batch.toByteArray();
            // 20 writes of 200 GETs: 400 MB of replies if the server buffered them all
            Thread writer = new Thread(() -> {
                for (int i = 0; i < 20; i++) {
                    try {
                        greedy.sendRaw(gets);
                    } catch (RuntimeException blockedThenClosed) {
                        return;
                    }
                }
            });
            writer.setDaemon(true);
            writer.start();
            long maxOmem = 0;
            for (int sample = 0; sample < 20; sample++) {
                Thread.sleep(50);
                String list = admin.callText("CLIENT", "LIST");
                Matcher m = OMEM.matcher(list);
                if (m.find()) {
                    maxOmem = Math.max(maxOmem, Long.parseLong(m.group(1)));
                }
                assertEquals("+PONG", admin.callText("PING"), "other clients keep being served");
            }
            // bounded by the high water mark plus one batch of replies, far below the 4 MB limit
            assertTrue(maxOmem < 2 * 1024 * 1024, "pending output grew to " + maxOmem);
            assertTrue(writer.isAlive() || maxOmem > 0, "the writer should be held back by TCP");
        }
    }

    @Test
    void replyBeyondTheLimit_disconnects(EmbeddedServer server, RawClient admin) {
        // values under Reply.LEND_THRESHOLD are copied into the reply: 400 x 15 KB = 6 MB of copies
        assertEquals("+OK", admin.callText("SET", "medium", new byte[15 * 1024]));
        try (RawClient greedy = new RawClient(server.host(), server.port())) {
            Object[] mget = new Object[401];
            mget[0] = "MGET";
            java.util.Arrays.fill(mget, 1, 401, "medium");
            greedy.send(mget);
            assertTrue(greedy.isClosedByServer(), "a non-reading client past output_buffer_limit is disconnected");
        }
        assertEquals("+PONG", admin.callText("PING"));
    }
}
