package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * min-replicas-to-write on a master without replicas, against redis-server 7.0.15 (which has
 * none either), RESP2 and RESP3: writes refused with NOREPLICAS, reads served, MULTI aborted,
 * scripts refused before they run (shebang without no-writes) or at their first write (no
 * shebang), the -slaves- aliases, min-replicas-max-lag 0 turning the check off, and the
 * statistics of the refusals.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class MinReplicasCompatibilityTest {

    @AfterEach
    void turnOff(RedisServerProcess redis, EmbeddedServer damselfly) {
        for (RawClient c : clients(redis, damselfly)) {
            try (c) {
                c.call("CONFIG", "SET", "min-replicas-to-write", "0", "min-replicas-max-lag", "10");
            }
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void writesRefusedWithoutReplicas_asRedis(int protocol, RedisServerProcess redis, EmbeddedServer damselfly) {
        List<RawClient> both = clients(redis, damselfly);
        try (RawClient ref = both.get(0); RawClient ours = both.get(1)) {
            Object[][] script = {
                {"HELLO", Integer.toString(protocol)},
                {"FLUSHALL"},
                {"SET", "x", "1"},
                {"CONFIG", "RESETSTAT"},
                {"CONFIG", "SET", "min-replicas-to-write", "1"},
                {"CONFIG", "GET", "min-replicas-to-write"},
                {"CONFIG", "GET", "min-slaves-to-write"},
                {"CONFIG", "GET", "min-slaves-max-lag"},
                {"SET", "x", "2"},
                {"INCR", "x"},
                {"DEL", "x"},
                {"GET", "x"},
                {"EXISTS", "x"},
                {"MULTI"},
                {"GET", "x"},
                {"SET", "x", "3"},
                {"EXEC"},
                {"EVAL", "return redis.call('get', KEYS[1])", "1", "x"},
                {"EVAL", "return redis.call('set', KEYS[1], 'y')", "1", "x"},
                {"EVAL", "return redis.pcall('set', KEYS[1], 'y')", "1", "x"},
                {"EVAL", "#!lua\nreturn redis.call('get', KEYS[1])", "1", "x"},
                {"EVAL", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "x"},
                {"EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "x"},
                {"EVAL", "#!lua flags=no-writes\nreturn redis.call('set', KEYS[1], 'z')", "1", "x"},
                {"GET", "x"},
                {"CONFIG", "SET", "min-slaves-max-lag", "0"},
                {"SET", "x", "4"},
                {"CONFIG", "SET", "min-slaves-max-lag", "10"},
                {"SET", "x", "5"},
                {"CONFIG", "SET", "min-slaves-to-write", "0"},
                {"SET", "x", "6"},
                {"GET", "x"},
                {"CONFIG", "SET", "min-replicas-to-write", "-1"},
                {"CONFIG", "SET", "min-replicas-to-write", "x"},
            };
            for (Object[] command : script) {
                String expected = RawClient.render(ref.call(command));
                String actual = RawClient.render(ours.call(command));
                if (command[0].equals("HELLO")) {
                    continue; // server name and version differ
                }
                assertEquals(expected, actual, String.join(" ", java.util.Arrays.stream(command).map(Object::toString).toList()));
            }
            String info = ours.callText("INFO", "replication");
            assertTrue(!info.contains("min_slaves_good_slaves"), info);
            ours.call("CONFIG", "SET", "min-replicas-to-write", "2");
            assertTrue(ours.callText("INFO", "replication").contains("min_slaves_good_slaves:0"));
            for (String section : new String[] {"errorstats", "commandstats"}) {
                // not EVAL's: a shebang script refused before it runs is a rejected call to Redis,
                // whose processCommand derives EVAL's flags from the script; here the command
                // itself refuses it, a failed call (the same holds for the OOM refusal)
                assertEquals(lines(ref.callText("INFO", section), "NOREPLICAS", "cmdstat_set:"),
                        lines(ours.callText("INFO", section), "NOREPLICAS", "cmdstat_set:"), section);
            }
        }
    }

    /** The lines of an INFO text naming any of {@code words}, latency figures cut off. */
    private static String lines(String info, String... words) {
        StringBuilder out = new StringBuilder();
        for (String line : info.split("\r\n")) {
            for (String w : words) {
                if (line.contains(w)) {
                    out.append(line.replaceAll("usec=[0-9]+,usec_per_call=[0-9.]+,", "")).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static List<RawClient> clients(RedisServerProcess redis, EmbeddedServer damselfly) {
        return List.of(new RawClient("127.0.0.1", redis.port()), new RawClient(damselfly.host(), damselfly.port()));
    }
}
