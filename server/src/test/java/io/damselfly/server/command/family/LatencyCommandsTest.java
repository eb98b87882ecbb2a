package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.DifferentialScripts;
import io.damselfly.server.testing.ReplyComparison;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LATENCY and INFO latencystats against a live redis-server 7.0.15: exact replies where they do
 * not depend on timing, and for the histograms the same shape, commands and counts (the bucket
 * keys depend on how long each command took, so only their form is compared).
 */
class LatencyCommandsTest implements DifferentialScripts {
    @AfterEach
    void restoreConfig(EmbeddedServer server, RedisServerProcess redis) {
        ReplyComparison.okOnBoth(redis, server, "CONFIG", "SET", "latency-tracking", "yes", "latency-tracking-info-percentiles", "50 99 99.9");
    }

    @Override
    public String[][] scripts() {
        return SCRIPTS;
    }

    private static final String[][] SCRIPTS = {
        {"monitor-off", """
                LATENCY LATEST
                LATENCY HISTORY command
                LATENCY RESET
                LATENCY RESET command fast-command
                LATENCY GRAPH command
                LATENCY DOCTOR
                LATENCY HELP
                LATENCY NOSUCH
                LATENCY HISTORY
                LATENCY LATEST x
                LATENCY
                CONFIG GET latency-monitor-threshold
                """},
        {"histogram-nothing-recorded", """
                CONFIG RESETSTAT
                LATENCY HISTOGRAM nosuch
                LATENCY HISTOGRAM get
                CONFIG SET latency-tracking no
                CONFIG RESETSTAT
                GET a
                LATENCY HISTOGRAM get
                CONFIG SET latency-tracking yes
                CONFIG GET latency-tracking
                """},
        {"config", """
                CONFIG GET latency-tracking-info-percentiles
                CONFIG SET latency-tracking-info-percentiles 101
                CONFIG SET latency-tracking-info-percentiles -1
                CONFIG SET latency-tracking-info-percentiles abc
                CONFIG SET latency-tracking-info-percentiles 1e999
                CONFIG SET latency-tracking-info-percentiles nan
                CONFIG SET latency-tracking-info-percentiles inf
                CONFIG SET latency-tracking-info-percentiles 99.99
                CONFIG GET latency-tracking-info-percentiles
                CONFIG SET latency-tracking-info-percentiles _
                CONFIG GET latency-tracking-info-percentiles
                CONFIG SET latency-tracking-info-percentiles 50.000
                CONFIG GET latency-tracking-info-percentiles
                CONFIG SET latency-tracking maybe
                CONFIG SET latency-monitor-threshold -1
                """},
    };

    /** CONFIG SET of a multi-word value, which the scripts cannot express: both servers alike. */
    @Test
    void percentiles_multiWordValues(EmbeddedServer damselfly, RedisServerProcess redis) {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            for (String value : List.of("0 50.5 99.999 100", "50  99", "50 99 ", " 50", "1 2 3 4 5 6 7 8 9", "50 99 99.9")) {
                assertEquals(ref.callText("CONFIG", "SET", "latency-tracking-info-percentiles", value),
                        ours.callText("CONFIG", "SET", "latency-tracking-info-percentiles", value), value);
                assertEquals(ref.callText("CONFIG", "GET", "latency-tracking-info-percentiles"),
                        ours.callText("CONFIG", "GET", "latency-tracking-info-percentiles"), value);
            }
        }
    }

    /** Runs the same calls on both servers in {@code protocol}, from RESETSTAT on. */
    private static void sameCalls(int protocol, RawClient... clients) {
        for (RawClient c : clients) {
            if (protocol == 3) {
                c.call("HELLO", "3");
            }
            assertEquals("+OK", c.callText("CONFIG", "RESETSTAT"));
            c.call("SET", "k", "v");
            for (int i = 0; i < 5; i++) {
                c.call("GET", "k");
            }
            c.call("CONFIG", "GET", "hz");
            c.call("CONFIG", "GET", "maxmemory");
            c.call("GET");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void histogram_sameShapeAndCountsAsRedis(int protocol, EmbeddedServer damselfly, RedisServerProcess redis) {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            sameCalls(protocol, ref, ours);
            for (Object[] args : List.of(new Object[] {"LATENCY", "HISTOGRAM", "get", "SET", "config", "nosuch"},
                    new Object[] {"LATENCY", "HISTOGRAM", "config|get", "get", "get"},
                    new Object[] {"LATENCY", "HISTOGRAM"})) {
                RespValue expected = ref.call(args);
                RespValue actual = ours.call(args);
                assertEquals(shape(expected), shape(actual), List.of(args) + ": " + RawClient.render(actual));
                Map<String, Long> expectedCalls = calls(expected);
                assertEquals(expectedCalls, calls(actual), RawClient.render(expected) + " vs " + RawClient.render(actual));
            }
            Map<String, Long> named = calls(ours.call("LATENCY", "HISTOGRAM", "get", "set", "config"));
            assertEquals(Map.of("get", 5L, "set", 1L, "config|get", 2L, "config|resetstat", 1L), named);
        }
    }

    /**
     * The reply with the data-dependent parts masked: map and array kinds kept, each command's
     * histogram_usec reduced to its kind (its buckets are checked by {@link #calls}).
     */
    private static String shape(RespValue v) {
        List<String> entries = new ArrayList<>();
        for (Map.Entry<RespValue, RespValue> e : pairs(v)) {
            List<Map.Entry<RespValue, RespValue>> fields = pairs(e.getValue());
            StringBuilder s = new StringBuilder(RawClient.render(e.getKey())).append("=").append(e.getValue().kind()).append('{');
            for (Map.Entry<RespValue, RespValue> f : fields) {
                s.append(RawClient.render(f.getKey())).append(':').append(f.getValue().kind()).append(' ');
            }
            entries.add(s.append('}').toString());
        }
        entries.sort(null);
        return v.kind() + entries.toString();
    }

    /**
     * Each command's calls, after checking its buckets: keys from Redis's series (the highest
     * microsecond of each power-of-two bucket from 1024 ns) in increasing order, counts rising to
     * the calls.
     */
    private static Map<String, Long> calls(RespValue v) {
        Set<Long> keys = new TreeSet<>();
        for (long level = 1024; level <= (1L << 29); level *= 2) {
            keys.add((level + level / 128 - 1) / 1000);
        }
        keys.add(((1L << 30) - 1) / 1000);
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<RespValue, RespValue> e : pairs(v)) {
            List<Map.Entry<RespValue, RespValue>> fields = pairs(e.getValue());
            assertEquals("$calls", RawClient.render(fields.get(0).getKey()));
            assertEquals("$histogram_usec", RawClient.render(fields.get(1).getKey()));
            long calls = ((RespValue.Integer) fields.get(0).getValue()).value();
            long lastKey = 0;
            long lastCount = 0;
            for (Map.Entry<RespValue, RespValue> b : pairs(fields.get(1).getValue())) {
                long key = ((RespValue.Integer) b.getKey()).value();
                long count = ((RespValue.Integer) b.getValue()).value();
                assertTrue(keys.contains(key) && key > lastKey, "bucket " + key + " in " + RawClient.render(v));
                assertTrue(count > lastCount, RawClient.render(v));
                lastKey = key;
                lastCount = count;
            }
            assertEquals(calls, lastCount, "the last bucket holds every call");
            out.merge(((RespValue.BulkString) e.getKey()).asString(), calls, (a, b) -> a);
        }
        return new java.util.TreeMap<>(out);
    }

    /** The key/value pairs of a RESP3 map or of a RESP2 flat array. */
    private static List<Map.Entry<RespValue, RespValue>> pairs(RespValue v) {
        if (v instanceof RespValue.Map m) {
            List<Map.Entry<RespValue, RespValue>> out = new ArrayList<>();
            m.entries().forEach(e -> out.add(Map.entry(e.key(), e.value())));
            return out;
        }
        List<RespValue> items = ((RespValue.Array) v).values();
        List<Map.Entry<RespValue, RespValue>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i += 2) {
            out.add(Map.entry(items.get(i), items.get(i + 1)));
        }
        return out;
    }

    static String infoText(RespValue v) {
        if (v instanceof RespValue.Verbatim t) {
            return new String(t.text(), StandardCharsets.UTF_8);
        }
        return ((RespValue.BulkString) v).asString();
    }

    /** The latencystats line of a command with its percentiles masked, and the values parsed. */
    private static String latencyLine(String info, String command, List<Double> valuesOut) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith("latency_percentiles_usec_" + command + ":")) {
                Matcher m = Pattern.compile("=(\\d+\\.\\d{3})(?=,|$)").matcher(line);
                while (m.find()) {
                    valuesOut.add(Double.parseDouble(m.group(1)));
                }
                return line.replaceAll("=\\d+\\.\\d{3}(?=,|$)", "=#");
            }
        }
        return null;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void latencystats_sameFormatAsRedis(int protocol, EmbeddedServer damselfly, RedisServerProcess redis) {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            sameCalls(protocol, ref, ours);
            for (String percentiles : List.of("50 99 99.9", "0 50.5 100", "")) {
                for (RawClient c : List.of(ref, ours)) {
                    assertEquals("+OK", c.callText("CONFIG", "SET", "latency-tracking-info-percentiles", percentiles));
                }
                RespValue expected = ref.call("INFO", "latencystats");
                RespValue actual = ours.call("INFO", "latencystats");
                assertEquals(expected.kind(), actual.kind());
                for (String command : List.of("get", "set", "config|get", "config|resetstat")) {
                    List<Double> values = new ArrayList<>();
                    String line = latencyLine(infoText(actual), command, values);
                    assertNotNull(line, command + " in " + infoText(actual));
                    assertEquals(latencyLine(infoText(expected), command, new ArrayList<>()), line);
                    for (int i = 1; i < values.size(); i++) {
                        assertTrue(values.get(i) >= values.get(i - 1), "percentiles rise: " + line);
                    }
                }
                assertEquals(null, latencyLine(infoText(actual), "ping", new ArrayList<>()));
            }
            for (RawClient c : List.of(ref, ours)) {
                c.call("CONFIG", "SET", "latency-tracking", "no");
            }
            assertEquals(RawClient.render(ref.call("INFO", "latencystats")), RawClient.render(ours.call("INFO", "latencystats")),
                    "only the title while tracking is off");
        }
    }

    @Test
    void info_latencystatsInAllNotDefault(RawClient raw) {
        raw.call("GET", "x");
        String all = infoText(raw.call("INFO", "all"));
        assertTrue(all.contains("\r\n\r\n# Latencystats\r\nlatency_percentiles_usec_"), all);
        assertTrue(all.indexOf("# Errorstats") < all.indexOf("# Latencystats") && all.indexOf("# Latencystats") < all.indexOf("# Cluster"));
        assertTrue(infoText(raw.call("INFO", "everything")).contains("# Latencystats\r\n"));
        assertTrue(!infoText(raw.call("INFO")).contains("Latencystats"));
        assertTrue(!infoText(raw.call("INFO", "default")).contains("Latencystats"));
    }
}
