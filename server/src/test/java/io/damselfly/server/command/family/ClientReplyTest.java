package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * CLIENT REPLY ON / OFF / SKIP, pipelined, against a live redis-server: the same replies come
 * back, large (lent) values and deferred replies included; and CLIENT LIST's query buffer fields
 * for the client that asks.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class ClientReplyTest {
    private static final String BIG = "x".repeat(40_000);

    /** Each script ends with PING so the reader knows where the replies stop. */
    private static final List<List<Object[]>> SCRIPTS = List.of(
            List.of(new Object[] {"CLIENT", "REPLY", "OFF"}, new Object[] {"SET", "a", "1"}, new Object[] {"GET", "a"},
                    new Object[] {"NOSUCH"}, new Object[] {"CLIENT", "REPLY", "ON"}, new Object[] {"GET", "a"},
                    new Object[] {"PING"}),
            List.of(new Object[] {"CLIENT", "REPLY", "SKIP"}, new Object[] {"SET", "b", "2"}, new Object[] {"GET", "b"},
                    new Object[] {"PING"}),
            List.of(new Object[] {"CLIENT", "REPLY", "SKIP"}, new Object[] {"CLIENT", "REPLY", "ON"},
                    new Object[] {"PING"}),
            List.of(new Object[] {"CLIENT", "REPLY", "OFF"}, new Object[] {"CLIENT", "REPLY", "SKIP"},
                    new Object[] {"CLIENT", "REPLY", "ON"}, new Object[] {"PING"}),
            List.of(new Object[] {"SET", "big", BIG}, new Object[] {"CLIENT", "REPLY", "SKIP"},
                    new Object[] {"MGET", "big", "big", "a"}, new Object[] {"GET", "big"}, new Object[] {"PING"}),
            List.of(new Object[] {"CLIENT", "REPLY", "SKIP"}, new Object[] {"WAIT", "1", "50"},
                    new Object[] {"WAIT", "1", "50"}, new Object[] {"PING"}),
            List.of(new Object[] {"CLIENT", "REPLY", "MAYBE"}, new Object[] {"CLIENT", "REPLY"}, new Object[] {"PING"}));

    @Test
    void pipelinedScripts_answerAsRedis(EmbeddedServer server, RedisServerProcess redis) {
        for (List<Object[]> script : SCRIPTS) {
            List<String> expected;
            try (RawClient reference = new RawClient("127.0.0.1", redis.port())) {
                expected = run(reference, script);
            }
            try (RawClient ours = new RawClient(server.host(), server.port())) {
                assertEquals(expected, run(ours, script), script.stream().map(c -> String.valueOf(c[0]) + " " + (c.length > 1 ? c[1] : "")).toList().toString());
            }
        }
    }

    @Test
    void clientListShowsTheAskersQueryBuffer(RawClient client) {
        String line = client.callText("CLIENT", "LIST");
        assertTrue(line.contains(" qbuf=26 ") && line.contains(" argv-mem=10 "), line);
        String info = client.callText("CLIENT", "INFO");
        assertTrue(info.contains(" qbuf=26 ") && info.contains(" argv-mem=10 "), info);
    }

    private static List<String> run(RawClient c, List<Object[]> script) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Object[] cmd : script) {
            all.writeBytes(RawClient.encode(cmd));
        }
        c.sendRaw(all.toByteArray());
        List<String> replies = new ArrayList<>();
        while (true) {
            String r = RawClient.render(c.read());
            replies.add(r.length() > 200 ? r.substring(0, 200) + "... (" + r.length() + ")" : r);
            if (r.equals("+PONG")) {
                return replies;
            }
        }
    }
}
