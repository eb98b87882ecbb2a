package io.damselfly.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.BlockedClients;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * INFO commandstats and errorstats after known calls, as Redis 7.0.15 prints them, on a server
 * with four event loops so that connections record on different threads.
 */
@ExtendWith(ServerExtension.class)
@ServerOptions({"conn_io_threads=4"})
class InfoStatisticsTest {
    /** The INFO text of the given sections, RESP2 bulk or RESP3 verbatim alike. */
    static String info(RawClient raw, String... sections) {
        Object[] args = new Object[sections.length + 1];
        args[0] = "INFO";
        System.arraycopy(sections, 0, args, 1, sections.length);
        RespValue v = raw.call(args);
        if (v instanceof RespValue.Verbatim t) {
            return new String(t.text(), StandardCharsets.UTF_8);
        }
        return ((RespValue.BulkString) v).asString();
    }

    /** A field of an INFO text, or null when absent. */
    static String field(String info, String name) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1);
            }
        }
        return null;
    }

    static final String CMDSTAT = "calls=(\\d+),usec=(\\d+),usec_per_call=(\\d+\\.\\d\\d),rejected_calls=(\\d+),failed_calls=(\\d+)";

    /** calls, rejected and failed of a cmdstat line, checking its format and its per-call mean. */
    static long[] cmdstat(String info, String command) {
        String line = field(info, "cmdstat_" + command);
        if (line == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(CMDSTAT).matcher(line);
        assertTrue(m.matches(), line);
        long calls = Long.parseLong(m.group(1));
        long usec = Long.parseLong(m.group(2));
        String perCall = calls == 0 ? "0.00" : new java.math.BigDecimal((double) ((float) usec / calls))
                .setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString();
        assertEquals(perCall, m.group(3), line);
        return new long[] {calls, Long.parseLong(m.group(4)), Long.parseLong(m.group(5))};
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void commandstats_countsCallsRejectionsFailures(int protocol, RawClient raw) {
        if (protocol == 3) {
            raw.call("HELLO", "3");
        }
        assertEquals("+OK", raw.callText("CONFIG", "RESETSTAT"));
        raw.call("SET", "k", "v");
        raw.call("GET", "k");
        raw.call("GET", "k");
        assertTrue(raw.callText("GET").startsWith("-ERR wrong number of arguments"));
        assertTrue(raw.callText("INCR", "k").startsWith("-ERR value is not an integer"));
        assertTrue(raw.callText("CONFIG", "NOSUCH").startsWith("-ERR unknown subcommand"));
        assertTrue(raw.callText("CONFIG").startsWith("-ERR wrong number of arguments for 'config'"));
        raw.call("CONFIG", "GET", "hz");
        String info = info(raw, "commandstats");
        assertTrue(info.startsWith("# Commandstats\r\n"), info);
        assertEquals(List.of(1L, 0L, 0L), List.of(box(cmdstat(info, "set"))));
        assertEquals(List.of(2L, 1L, 0L), List.of(box(cmdstat(info, "get"))));
        assertEquals(List.of(1L, 0L, 1L), List.of(box(cmdstat(info, "incr"))));
        assertEquals(List.of(1L, 0L, 0L), List.of(box(cmdstat(info, "config|get"))));
        assertEquals(List.of(1L, 0L, 0L), List.of(box(cmdstat(info, "config|resetstat"))));
        // a bare container is rejected on the container; an unknown subcommand counts nowhere
        assertEquals(List.of(0L, 1L, 0L), List.of(box(cmdstat(info, "config"))));
        assertNull(cmdstat(info, "ping"), "a command never called has no line");
        String stats = info(raw, "stats", "errorstats");
        assertEquals("7", field(stats, "total_commands_processed"), "config|resetstat set get get incr config|get info");
        assertEquals("4", field(stats, "total_error_replies"));
        assertEquals("count=4", field(stats, "errorstat_ERR"));
    }

    /** The command names of a RESP2 LATENCY HISTOGRAM reply (the keys of its flattened map). */
    private static List<String> histogramNames(RespValue reply) {
        List<RespValue> items = ((RespValue.Array) reply).values();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < items.size(); i += 2) {
            names.add(((RespValue.BulkString) items.get(i)).asString());
        }
        return names;
    }

    private static Long[] box(long[] v) {
        Long[] out = new Long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    /**
     * INFO stats fields of what damselfly does not have (replication, client eviction, fork,
     * active defrag): present, with the values redis-server 7.0.15 shows while it does none of
     * that, and in Redis's order (tools read evicted_clients next to evicted_keys, and Redis's own
     * unit/maxmemory does arithmetic on it).
     */
    @Test
    void stats_fieldsOfWhatIsAbsent_asRedisWithoutIt(EmbeddedServer server) throws Exception {
        List<String> names = List.of("total_net_repl_input_bytes", "total_net_repl_output_bytes",
                "instantaneous_input_repl_kbps", "instantaneous_output_repl_kbps", "sync_full", "sync_partial_ok",
                "sync_partial_err", "evicted_keys", "evicted_clients", "latest_fork_usec", "total_forks",
                "slave_expires_tracked_keys", "active_defrag_hits", "active_defrag_misses", "active_defrag_key_hits",
                "active_defrag_key_misses", "total_active_defrag_time", "current_active_defrag_time",
                "unexpected_error_replies");
        try (RedisServerProcess redis = RedisServerProcess.start();
             RawClient theirs = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(server.host(), server.port())) {
            assertEquals(absentFeatureFields(info(theirs, "stats"), names), absentFeatureFields(info(ours, "stats"), names));
        }
    }

    /** The lines of {@code names} in the order the INFO text has them. */
    private static List<String> absentFeatureFields(String info, List<String> names) {
        List<String> lines = new ArrayList<>();
        for (String line : info.split("\r\n")) {
            if (names.contains(line.split(":")[0])) {
                lines.add(line);
            }
        }
        return lines;
    }

    /**
     * A blocked call answered later with an error (CLIENT UNBLOCK ... ERROR, a stream reader whose
     * group goes) and a script's error: what commandstats and errorstats say afterwards, on
     * damselfly and on redis-server 7.0.15 alike.
     */
    @Test
    void lateErrors_countAsFailedCalls_asRedis(EmbeddedServer server) throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            assertEquals(lateErrorStats("127.0.0.1", redis.port()), lateErrorStats(server.host(), server.port()));
        }
    }

    private static List<String> lateErrorStats(String host, int port) {
        try (RawClient admin = new RawClient(host, port); RawClient blocked = new RawClient(host, port)) {
            admin.call("FLUSHALL");
            admin.call("CONFIG", "RESETSTAT");
            long id = ((RespValue.Integer) blocked.call("CLIENT", "ID")).value();
            blocked.send("BLPOP", "list", "0");
            BlockedClients.await(admin, 1);
            assertEquals(":1", admin.callText("CLIENT", "UNBLOCK", Long.toString(id), "ERROR"));
            assertEquals("-UNBLOCKED client unblocked via CLIENT UNBLOCK", RawClient.render(blocked.read()));
            admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
            blocked.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
            BlockedClients.await(admin, 1);
            admin.call("XGROUP", "DESTROY", "s", "g");
            assertTrue(RawClient.render(blocked.read()).startsWith("-NOGROUP"));
            admin.call("SET", "str", "x");
            assertTrue(admin.callText("EVAL", "return redis.call('incr', KEYS[1])", "1", "str").startsWith("-ERR"));
            assertEquals(1, ((RespValue.Integer) admin.call("EVAL", "return 1", "0")).value());
            List<String> stats = new ArrayList<>();
            String commands = info(admin, "commandstats");
            for (String command : List.of("blpop", "xreadgroup", "eval", "incr")) {
                stats.add(command + " " + java.util.Arrays.toString(cmdstat(commands, command)));
            }
            for (String line : info(admin, "errorstats").split("\r\n")) {
                stats.add(line);
            }
            return stats;
        }
    }

    @Test
    void errorstats_byCodeInCodeOrder(RawClient raw) {
        raw.call("CONFIG", "RESETSTAT");
        assertTrue(raw.callText("HELLO", "4").startsWith("-NOPROTO"));
        assertTrue(raw.callText("HELLO", "5").startsWith("-NOPROTO"));
        raw.callText("NOSUCHCOMMAND");
        String info = info(raw, "errorstats");
        List<String> lines = new ArrayList<>(List.of(info.split("\r\n")));
        assertEquals("# Errorstats", lines.remove(0));
        assertTrue(lines.size() >= 2, info);
        assertEquals(lines.stream().sorted().toList(), lines, "codes in byte order, as Redis's radix tree");
        assertTrue(lines.contains("errorstat_ERR:count=1"), info);
        assertTrue(lines.contains("errorstat_NOPROTO:count=2"), info);
    }

    @Test
    void resetstat_zeroesCommandErrorAndLatencyStatsUnderLoad(EmbeddedServer server) throws Exception {
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Thread> load = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            load.add(new Thread(() -> {
                try (RawClient c = new RawClient(server.host(), server.port())) {
                    while (running.get()) {
                        c.call("GET", "k");
                        c.call("INCR", "notanumber:" + Thread.currentThread().getId());
                        c.call("GET");
                    }
                }
            }));
        }
        try (RawClient raw = new RawClient(server.host(), server.port())) {
            raw.call("SET", "k", "v");
            load.forEach(Thread::start);
            for (int i = 0; i < 50; i++) {
                assertEquals("+OK", raw.callText("CONFIG", "RESETSTAT"));
                String info = info(raw, "commandstats", "errorstats", "latencystats");
                assertTrue(!info.contains("=-"), "never negative: " + info);
            }
            running.set(false);
            for (Thread t : load) {
                t.join();
            }
            assertEquals("+OK", raw.callText("CONFIG", "RESETSTAT"));
            String info = info(raw, "commandstats", "errorstats", "latencystats");
            assertEquals("# Commandstats\r\n" + "cmdstat_config|resetstat:" + field(info, "cmdstat_config|resetstat") + "\r\n\r\n"
                    + "# Errorstats\r\n\r\n"
                    + "# Latencystats\r\n" + "latency_percentiles_usec_config|resetstat:"
                    + field(info, "latency_percentiles_usec_config|resetstat") + "\r\n", info);
            assertEquals(List.of("info", "config|resetstat"), histogramNames(raw.call("LATENCY", "HISTOGRAM")), "table order");
            for (int i = 0; i < 25; i++) {
                raw.call("GET", "k");
            }
            info = info(raw, "commandstats");
            assertEquals(25, cmdstat(info, "get")[0]);
            assertEquals(null, field(info, "cmdstat_incr"));
            assertEquals("[$get, [$calls, :25, $histogram_usec, ",
                    RawClient.render(raw.call("LATENCY", "HISTOGRAM", "get")).substring(0, 38));
        }
    }

    @Test
    void commandstats_countsEveryEventLoop(EmbeddedServer server) throws Exception {
        int connections = 4;
        int callsEach = 500;
        try (RawClient admin = new RawClient(server.host(), server.port())) {
            admin.call("CONFIG", "RESETSTAT");
            List<Thread> threads = new ArrayList<>();
            List<RawClient> clients = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                // Netty hands connections to its four loops in turn, so each lands on its own
                clients.add(new RawClient(server.host(), server.port()));
            }
            for (RawClient c : clients) {
                threads.add(new Thread(() -> {
                    for (int n = 0; n < callsEach; n++) {
                        c.call("ECHO", "x");
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            clients.forEach(RawClient::close);
            String info = info(admin, "commandstats");
            assertEquals(connections * (long) callsEach, cmdstat(info, "echo")[0], info);
        }
    }
}
