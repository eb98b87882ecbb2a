package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * CLIENT LIST and CLIENT INFO differentially against a real redis-server 7.0.15: clients in the
 * states Redis flags (monitor, subscribed, in MULTI with queued commands, blocked, RESP3, another
 * database) are set up the same way on both servers, and every line must have Redis's field names
 * in Redis's order, and the same values in every field but those that name the connection or
 * measure Redis's own buffers (id, addr, laddr, fd, age, idle, qbuf-free, rbs, rbp, tot-mem).
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class ClientListCompatibilityTest {
    /** Fields whose values depend on the connection or on Redis's allocator, not on the client's state. */
    private static final List<String> MASKED = List.of("id", "addr", "laddr", "fd", "age", "idle", "qbuf-free", "rbs",
            "rbp", "tot-mem");

    @Test
    void clientList_fieldsAndValuesAsRedis(RedisServerProcess redis, EmbeddedServer damselfly) throws Exception {
        assertEquals(describe(redis.port()), describe(damselfly.port()));
    }

    /** The masked lines of the named clients, by name, then the asker's CLIENT INFO and the TYPE filters. */
    private static Map<String, String> describe(int port) throws Exception {
        List<RawClient> open = new ArrayList<>();
        try (RawClient asker = new RawClient("127.0.0.1", port)) {
            RawClient mon = connect(port, open, "mon");
            assertEquals("+OK", mon.callText("MONITOR"));
            RawClient sub = connect(port, open, "sub");
            sub.call("SUBSCRIBE", "c1");
            sub.call("PSUBSCRIBE", "p*");
            sub.call("SSUBSCRIBE", "s1");
            RawClient multi = connect(port, open, "multi");
            multi.call("SELECT", "2");
            multi.call("MULTI");
            multi.call("SET", "k", "v");
            multi.call("SET", "key", "value");
            RawClient blocked = connect(port, open, "blocked");
            blocked.send("BLPOP", "nolist", "0");
            RawClient resp3 = connect(port, open, "r3");
            resp3.call("HELLO", "3");
            resp3.call("GET", "nokey");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!text(asker.call("CLIENT", "LIST")).matches("(?s).*name=blocked age=\\d+ idle=\\d+ flags=b .*")) {
                assertTrue(System.nanoTime() < deadline, "client blocked");
                Thread.sleep(5);
            }
            // output on its way to a client (the monitor's lines, a reply whose write has not
            // completed on the client's own event loop yet) shows as omem and events=rw for a
            // moment: compare the clients at rest, as Redis shows them once it has written
            while (java.util.Arrays.stream(text(asker.call("CLIENT", "LIST")).split("\n"))
                    .anyMatch(line -> line.matches(".* name=\\S+ .* omem=[1-9].*"))) {
                assertTrue(System.nanoTime() < deadline, "clients' output written");
                Thread.sleep(5);
            }
            Map<String, String> out = new TreeMap<>();
            for (String line : text(asker.call("CLIENT", "LIST")).split("\n")) {
                Map<String, String> f = fields(line);
                String name = f.get("name");
                if (!name.isEmpty()) {
                    out.put(name, masked(f));
                }
            }
            out.put("(asker's CLIENT INFO)", masked(fields(text(asker.call("CLIENT", "INFO")))));
            out.put("(TYPE normal)", names(asker.call("CLIENT", "LIST", "TYPE", "normal")));
            out.put("(TYPE pubsub)", names(asker.call("CLIENT", "LIST", "TYPE", "pubsub")));
            out.put("(TYPE replica)", names(asker.call("CLIENT", "LIST", "TYPE", "replica")));
            return out;
        } finally {
            for (RawClient c : open) {
                c.close();
            }
        }
    }

    private static RawClient connect(int port, List<RawClient> open, String name) {
        RawClient c = new RawClient("127.0.0.1", port);
        open.add(c);
        assertEquals("+OK", c.callText("CLIENT", "SETNAME", name));
        return c;
    }

    private static String text(RespValue v) {
        if (v instanceof RespValue.BulkString b) {
            return b.asString();
        }
        if (v instanceof RespValue.Verbatim t) {
            return new String(t.text(), StandardCharsets.UTF_8);
        }
        throw new AssertionError("not text: " + RawClient.render(v));
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : line.trim().split(" ")) {
            int eq = kv.indexOf('=');
            m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return m;
    }

    /** Every field name in order, with its value unless masked. */
    private static String masked(Map<String, String> f) {
        StringBuilder s = new StringBuilder();
        f.forEach((k, v) -> s.append(k).append('=').append(MASKED.contains(k) ? "*" : v).append(' '));
        return s.toString().trim();
    }

    /** The names (sorted) of the named clients in a CLIENT LIST reply. */
    private static String names(RespValue v) {
        List<String> names = new ArrayList<>();
        for (String line : text(v).split("\n")) {
            if (!line.isBlank()) {
                String name = fields(line).get("name");
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        }
        names.sort(null);
        return names.toString();
    }
}
