package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The latency monitor seen by a client: with latency-monitor-threshold at 1 ms, a KEYS over
 * 200,000 keys (tens of milliseconds, far over the threshold on any machine) becomes a "command"
 * event that LATENCY LATEST, HISTORY, GRAPH, DOCTOR and RESET report.
 */
@ExtendWith(ServerExtension.class)
class LatencyMonitorCommandsTest {
    @AfterEach
    void monitorOff(RawClient raw) {
        raw.callText("CONFIG", "SET", "latency-monitor-threshold", "0");
        raw.callText("LATENCY", "RESET");
    }

    @Test
    void aSlowCommand_isAnEvent(RawClient raw) {
        for (int batch = 0; batch < 200; batch++) {
            List<Object> mset = new ArrayList<>(List.of("MSET"));
            for (int i = 0; i < 1000; i++) {
                mset.add("key:" + batch + ":" + i);
                mset.add("v");
            }
            assertEquals("+OK", raw.callText(mset.toArray()));
        }
        assertEquals("+OK", raw.callText("CONFIG", "SET", "latency-monitor-threshold", "1"));
        long before = System.currentTimeMillis() / 1000;
        assertEquals(200_000, array(raw.call("KEYS", "*")).size());
        long after = System.currentTimeMillis() / 1000;

        RespValue latest = raw.call("LATENCY", "LATEST");
        List<RespValue> command = null;
        for (RespValue event : array(latest)) {
            if (text(array(event).get(0)).equals("command")) {
                command = array(event);
            }
        }
        assertTrue(command != null, RawClient.render(latest));
        long time = number(command.get(1));
        assertTrue(time >= before && time <= after, RawClient.render(latest));
        assertTrue(number(command.get(2)) >= 1 && number(command.get(3)) >= number(command.get(2)), RawClient.render(latest));

        List<RespValue> history = array(raw.call("LATENCY", "HISTORY", "command"));
        assertTrue(history.size() >= 1);
        assertEquals(time, number(array(history.get(history.size() - 1)).get(0)));

        String graph = text(raw.call("LATENCY", "GRAPH", "command"));
        assertTrue(graph.startsWith("command - high "), graph);
        assertTrue(graph.contains("-".repeat(80)), graph);
        String doctor = text(raw.call("LATENCY", "DOCTOR"));
        assertTrue(doctor.contains("1. command: "), doctor);

        assertEquals(":0", raw.callText("LATENCY", "RESET", "nosuch"));
        assertTrue(Long.parseLong(raw.callText("LATENCY", "RESET").substring(1)) >= 1);
        assertEquals("[]", raw.callText("LATENCY", "LATEST"));
        assertEquals("-ERR No samples available for event 'command'", raw.callText("LATENCY", "GRAPH", "command"));
    }

    private static List<RespValue> array(RespValue v) {
        return ((RespValue.Array) v).values();
    }

    private static long number(RespValue v) {
        return ((RespValue.Integer) v).value();
    }

    private static String text(RespValue v) {
        return v instanceof RespValue.Verbatim t ? t.asString() : ((RespValue.BulkString) v).asString();
    }
}
