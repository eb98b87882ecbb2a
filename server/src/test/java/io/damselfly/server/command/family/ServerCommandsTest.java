package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespDecoder;
import io.damselfly.protocol.RespValue;
import io.damselfly.server.DamselflyServer;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.command.Command;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.client.ClientConnection;
import io.damselfly.server.client.ClientSession;
import io.damselfly.server.command.Reply;
import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.metrics.InfoBuilder;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.lettuce.core.FlushMode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** INFO DBSIZE FLUSHDB FLUSHALL SWAPDB TIME SHUTDOWN COMMAND, against Redis 7.0.15's replies. */
@ExtendWith(ServerExtension.class)
class ServerCommandsTest {
    private static final CommandTable TABLE = DamselflyServer.buildCommandTable();

    // ---- helpers ---------------------------------------------------------------------------

    /** A field of an INFO text, or null when absent. */
    static String field(String info, String name) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1);
            }
        }
        return null;
    }

    static long longField(String info, String name) {
        String v = field(info, name);
        assertNotNull(v, name + " missing from INFO");
        return Long.parseLong(v);
    }

    /** The "# Title" lines of an INFO text, in order. */
    static List<String> headers(String info) {
        List<String> out = new ArrayList<>();
        for (String line : info.split("\r\n")) {
            if (line.startsWith("# ")) {
                out.add(line.substring(2));
            }
        }
        return out;
    }

    /**
     * A RESP3 connection, when the server speaks RESP3: HELLO belongs to the connection family,
     * so until it is present these tests are skipped rather than run over RESP2.
     */
    static StatefulRedisConnection<String, String> resp3(RedisClient client, RawClient raw) {
        return client.connect();
    }

    /** What a reply writer emits in RESP3, decoded and rendered as {@link RawClient#render} does. */
    static String renderResp3(Consumer<Reply> writer) {
        ByteBuf buf = Unpooled.buffer();
        try {
            ClientSession session = new ClientSession(0, ClientConnection.NONE, true, 0);
            session.setProtocol(3);
            Reply r = new Reply(session);
            r.bind(buf);
            writer.accept(r);
            List<RespValue> values = RespDecoder.decodeAll(buf);
            assertEquals(1, values.size());
            assertFalse(buf.isReadable(), "bytes left after one reply");
            return RawClient.render(values.get(0));
        } finally {
            buf.release();
        }
    }

    /** Stores a key directly in the keyspace, with an absolute expiry (Database.NO_EXPIRY for none). */
    static void store(EmbeddedServer server, int db, String key, String value, long expiresAt) {
        Keyspace ks = server.keyspace();
        ks.lockAll();
        try {
            Database d = ks.database(db, System.currentTimeMillis());
            d.strings().set(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), expiresAt);
        } finally {
            ks.unlockAll();
        }
    }

    // ---- INFO ------------------------------------------------------------------------------

    @Test
    void info_defaultHasRedisSectionsInOrder(@Resp2 RedisCommands<String, String> redis) {
        String info = redis.info();
        assertEquals(List.of("Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules",
                "Errorstats", "Cluster", "Keyspace"), headers(info));
        assertEquals(headers(info), headers(redis.info("default")));
    }

    @Test
    void info_server_truthfulFields(@Resp2 RedisCommands<String, String> redis, EmbeddedServer server) {
        String info = redis.info("server");
        assertEquals("7.0.15", field(info, "redis_version"));
        assertEquals("standalone", field(info, "redis_mode"));
        assertNotNull(field(info, "damselfly_version"));
        assertEquals(Long.toString(ProcessHandle.current().pid()), field(info, "process_id"));
        assertEquals(Integer.toString(server.port()), field(info, "tcp_port"));
        assertTrue(field(info, "run_id").matches("[0-9a-f]{40}"), field(info, "run_id"));
        assertEquals("64", field(info, "arch_bits"));
        assertTrue(field(info, "os").startsWith(System.getProperty("os.name") + " "), field(info, "os"));
        long uptime = longField(info, "uptime_in_seconds");
        assertTrue(uptime >= 0 && uptime < 3600, "uptime " + uptime);
        assertEquals(0, longField(info, "uptime_in_days"));
        assertEquals(10, longField(info, "hz"));
        assertEquals(10, longField(info, "configured_hz"));
        assertEquals(ProcessHandle.current().info().command().orElse(""), field(info, "executable"));
        assertEquals("", field(info, "config_file"));
        long usec = longField(info, "server_time_usec");
        assertTrue(Math.abs(usec / 1000 - System.currentTimeMillis()) < 60_000, "server_time_usec " + usec);
    }

    @Test
    void info_sectionsComeInRedisOrderWithCrlf(RawClient raw) {
        RespValue v = raw.call("INFO", "clients", "SERVER");
        String text = ((RespValue.BulkString) v).asString();
        assertTrue(text.startsWith("# Server\r\nredis_version:7.0.15\r\n"), text);
        assertTrue(text.contains("\r\n\r\n# Clients\r\nconnected_clients:"), text);
        assertTrue(text.endsWith("\r\n") && !text.endsWith("\r\n\r\n"), "one CRLF after the last line");
        assertFalse(text.replace("\r\n", "").contains("\n"), "every line ends with CRLF");
        assertEquals(List.of("Server", "Clients"), headers(text));
    }

    @Test
    void info_unknownSectionIsEmpty(RawClient raw) {
        assertEquals("$", raw.callText("INFO", "nosuch"));
        assertEquals(List.of("Keyspace"), headers(((RespValue.BulkString) raw.call("INFO", "nosuch", "keyspace")).asString()));
    }

    @Test
    void info_allAndEverythingAddCommandAndLatencystats(@Resp2 RedisCommands<String, String> redis) {
        redis.get("missing");
        List<String> all = List.of("Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules",
                "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace");
        assertEquals(all, headers(redis.info("all")));
        assertEquals(all, headers(redis.info("everything")));
        String stats = redis.info("commandstats");
        assertTrue(stats.matches("(?s).*\r\ncmdstat_get:calls=\\d+,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=\\d+,failed_calls=\\d+\r\n.*"),
                stats);
        assertFalse(redis.info().contains("cmdstat_"));
    }

    @Test
    void info_commandstats_countsCallsRejectionsAndFailures(RawClient raw) {
        String before = ((RespValue.BulkString) raw.call("INFO", "commandstats")).asString();
        raw.call("SET", "k", "v");
        raw.call("GET", "k");
        raw.call("GET");
        raw.call("SWAPDB", "0", "99");
        raw.call("CONFIG", "GET", "maxmemory");
        String after = ((RespValue.BulkString) raw.call("INFO", "commandstats")).asString();
        assertEquals(stat(before, "get", "calls") + 1, stat(after, "get", "calls"));
        assertEquals(stat(before, "get", "rejected_calls") + 1, stat(after, "get", "rejected_calls"));
        assertEquals(stat(before, "swapdb", "failed_calls") + 1, stat(after, "swapdb", "failed_calls"));
        assertEquals(stat(before, "config|get", "calls") + 1, stat(after, "config|get", "calls"));
    }

    /** One counter of a cmdstat line, 0 when the command has no line yet. */
    private static long stat(String info, String command, String counter) {
        String line = field(info, "cmdstat_" + command);
        if (line == null) {
            return 0;
        }
        Matcher m = Pattern.compile("(?:^|,)" + counter + "=(\\d+)").matcher(line);
        assertTrue(m.find(), line);
        return Long.parseLong(m.group(1));
    }

    @Test
    void info_stats_countHitsMissesAndErrors(RawClient raw) {
        String before = ((RespValue.BulkString) raw.call("INFO", "stats", "errorstats")).asString();
        raw.call("SET", "hit", "1");
        raw.call("GET", "hit");
        raw.call("GET", "miss1");
        raw.call("GET", "miss2");
        assertEquals("-ERR syntax error", raw.callText("FLUSHDB", "bogus"));
        assertTrue(raw.callText("NOSUCHCOMMAND").startsWith("-ERR unknown command"));
        String after = ((RespValue.BulkString) raw.call("INFO", "stats", "errorstats")).asString();
        assertEquals(longField(before, "keyspace_hits") + 1, longField(after, "keyspace_hits"));
        assertEquals(longField(before, "keyspace_misses") + 2, longField(after, "keyspace_misses"));
        assertEquals(longField(before, "total_error_replies") + 2, longField(after, "total_error_replies"));
        assertTrue(longField(after, "total_commands_processed") >= longField(before, "total_commands_processed") + 6);
        long errBefore = field(before, "errorstat_ERR") == null ? 0 : Long.parseLong(field(before, "errorstat_ERR").substring(6));
        assertEquals("count=" + (errBefore + 2), field(after, "errorstat_ERR"));
        assertTrue(longField(after, "total_net_input_bytes") > longField(before, "total_net_input_bytes"));
        assertTrue(longField(after, "total_net_output_bytes") > longField(before, "total_net_output_bytes"));
        assertTrue(longField(after, "total_connections_received") >= 1);
        assertEquals(0, longField(after, "evicted_keys"));
    }

    @Test
    void info_stats_instantaneousOpsFollowsLoad(@Resp2 RedisCommands<String, String> redis, RawClient raw) throws Exception {
        // a pipeline of 2000 PINGs in one write, then wait for a few 100 ms samples to see it
        StringBuilder pipeline = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            pipeline.append("PING\r\n");
        }
        raw.sendRaw(pipeline.toString());
        for (int i = 0; i < 2000; i++) {
            raw.read();
        }
        // the sampler runs every 100 ms; on a loaded machine it may run late, so wait for it
        // (bounded) rather than for a fixed time
        String info = redis.info("stats");
        for (long deadline = System.nanoTime() + 10_000_000_000L;
                longField(info, "instantaneous_ops_per_sec") == 0 && System.nanoTime() < deadline; ) {
            Thread.sleep(50);
            info = redis.info("stats");
        }
        assertTrue(longField(info, "instantaneous_ops_per_sec") > 0, info);
        assertTrue(Double.parseDouble(field(info, "instantaneous_input_kbps")) > 0, info);
        assertTrue(Double.parseDouble(field(info, "instantaneous_output_kbps")) > 0, info);
    }

    @Test
    void info_memory_reportsKeyspaceBytesAndMaxmemory(@Resp2 RedisCommands<String, String> redis) {
        long before = longField(redis.info("memory"), "used_memory");
        redis.set("big", "x".repeat(200_000));
        String info = redis.info("memory");
        long used = longField(info, "used_memory");
        assertTrue(used >= before + 200_000, before + " -> " + used);
        assertEquals(InfoBuilder.bytesToHuman(used), field(info, "used_memory_human"));
        assertTrue(longField(info, "used_memory_peak") >= used);
        assertTrue(longField(info, "used_memory_rss") > used, "the JVM's resident set holds more than the keys");
        assertTrue(longField(info, "used_memory_heap") > 0);
        // Redis's process_rss / used_memory, from the same two readings' kind
        double fragmentation = Double.parseDouble(field(info, "mem_fragmentation_ratio"));
        assertTrue(fragmentation > 1, "RSS above the keyspace's bytes: " + fragmentation);
        assertTrue(longField(info, "mem_fragmentation_bytes") > 0);
        for (String present : List.of("mem_replication_backlog", "mem_total_replication_buffers", "mem_clients_slaves",
                "mem_clients_normal", "mem_cluster_links", "mem_aof_buffer")) {
            assertTrue(longField(info, present) >= 0, present);
        }
        assertEquals("0", field(info, "maxmemory"));
        assertEquals("0B", field(info, "maxmemory_human"));
        assertEquals("noeviction", field(info, "maxmemory_policy"));
        try {
            redis.configSet("maxmemory", "10mb");
            String limited = redis.info("memory");
            assertEquals("10485760", field(limited, "maxmemory"));
            assertEquals("10.00M", field(limited, "maxmemory_human"));
        } finally {
            redis.configSet("maxmemory", "0");
        }
    }

    @Test
    void info_bytesToHumanMatchesRedis() {
        // figures taken from a redis-server 7.0.15 INFO memory
        assertEquals("0B", InfoBuilder.bytesToHuman(0));
        assertEquals("1023B", InfoBuilder.bytesToHuman(1023));
        assertEquals("1.00K", InfoBuilder.bytesToHuman(1024));
        assertEquals("943.58K", InfoBuilder.bytesToHuman(966224));
        assertEquals("6.77M", InfoBuilder.bytesToHuman(7102464));
        assertEquals("23.54G", InfoBuilder.bytesToHuman(25276510208L));
    }

    @Test
    void info_keyspace_listsNonEmptyDatabases(@Resp2 RedisCommands<String, String> redis, EmbeddedServer server) {
        assertEquals("# Keyspace\r\n", redis.info("keyspace"));
        long later = System.currentTimeMillis() + 600_000;
        store(server, 0, "a", "1", Database.NO_EXPIRY);
        store(server, 0, "b", "1", later);
        store(server, 3, "c", "1", Database.NO_EXPIRY);
        assertEquals("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n", redis.info("keyspace"));
    }

    @Test
    void info_clients_countsConnections(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        raw.call("PING");
        String info = redis.info("clients");
        assertTrue(longField(info, "connected_clients") >= 2, info);
        assertEquals(10000, longField(info, "maxclients"));
        assertEquals(0, longField(info, "blocked_clients"));
    }

    @Test
    void info_persistenceReplicationClusterForClientChecks(@Resp2 RedisCommands<String, String> redis) {
        String info = redis.info();
        assertEquals("0", field(info, "loading"));
        assertEquals("0", field(info, "aof_enabled"));
        assertEquals("master", field(info, "role"));
        assertEquals("0", field(info, "connected_slaves"));
        assertEquals("0", field(info, "cluster_enabled"));
        assertTrue(field(info, "used_cpu_user").matches("\\d+\\.\\d{6}"), field(info, "used_cpu_user"));
    }

    @Test
    void info_resp3IsVerbatimText(RedisClient client, RawClient raw) {
        try (StatefulRedisConnection<String, String> conn = resp3(client, raw)) {
            String info = conn.sync().info("server");
            assertTrue(info.startsWith("# Server\r\n"), info);
        }
        raw.call("HELLO", "3");
        assertTrue(raw.callText("INFO", "server").startsWith("=# Server\r\n"));
    }

    // ---- DBSIZE FLUSHDB FLUSHALL SWAPDB TIME ------------------------------------------------

    @Test
    void dbsize_countsSelectedDatabase(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        assertEquals(0L, redis.dbsize());
        redis.set("a", "1");
        redis.set("b", "2");
        assertEquals(2L, redis.dbsize());
        redis.select(1);
        assertEquals(0L, redis.dbsize());
        assertEquals("-ERR wrong number of arguments for 'dbsize' command", raw.callText("DBSIZE", "x"));
    }

    @Test
    void flushdb_emptiesOnlySelectedDatabase(@Resp2 RedisCommands<String, String> redis, EmbeddedServer server) {
        store(server, 0, "a", "1", Database.NO_EXPIRY);
        store(server, 1, "b", "1", Database.NO_EXPIRY);
        assertEquals("OK", redis.flushdb());
        assertEquals(0L, redis.dbsize());
        redis.select(1);
        assertEquals(1L, redis.dbsize());
        assertEquals("OK", redis.flushdb(FlushMode.ASYNC));
        assertEquals(0L, redis.dbsize());
        store(server, 1, "c", "1", Database.NO_EXPIRY);
        assertEquals("OK", redis.flushdb(FlushMode.SYNC));
        assertEquals(0L, redis.dbsize());
    }

    @Test
    void flush_syntaxErrors(RawClient raw) {
        assertEquals("-ERR syntax error", raw.callText("FLUSHDB", "x"));
        assertEquals("-ERR syntax error", raw.callText("FLUSHDB", "async", "sync"));
        assertEquals("-ERR syntax error", raw.callText("FLUSHALL", "x", "y"));
        assertEquals("+OK", raw.callText("FLUSHALL", "SYNC"));
        assertEquals("+OK", raw.callText("flushall", "Async"));
    }

    @Test
    void flushall_emptiesEveryDatabase(@Resp2 RedisCommands<String, String> redis, EmbeddedServer server) {
        store(server, 0, "a", "1", Database.NO_EXPIRY);
        store(server, 5, "b", "1", Database.NO_EXPIRY);
        store(server, 15, "c", "1", Database.NO_EXPIRY);
        assertEquals("OK", redis.flushall());
        for (int db = 0; db < 16; db++) {
            assertEquals(0, server.keyspace().size(db), "db " + db);
        }
    }

    @Test
    void swapdb_exchangesDatabases(@Resp2 RedisCommands<String, String> redis, EmbeddedServer server) {
        store(server, 0, "zero", "0", Database.NO_EXPIRY);
        store(server, 1, "one", "1", Database.NO_EXPIRY);
        store(server, 1, "uno", "1", Database.NO_EXPIRY);
        assertEquals("OK", redis.swapdb(0, 1));
        assertEquals(2L, redis.dbsize());
        assertEquals("1", redis.get("one"));
        redis.select(1);
        assertEquals("0", redis.get("zero"));
        assertEquals("OK", redis.swapdb(1, 1));
        assertEquals(1L, redis.dbsize());
    }

    @Test
    void swapdb_errors(RawClient raw) {
        assertEquals("-ERR wrong number of arguments for 'swapdb' command", raw.callText("SWAPDB", "0"));
        assertEquals("-ERR invalid first DB index", raw.callText("SWAPDB", "a", "1"));
        assertEquals("-ERR invalid first DB index", raw.callText("SWAPDB", "a", "b"));
        assertEquals("-ERR invalid second DB index", raw.callText("SWAPDB", "0", "b"));
        assertEquals("-ERR invalid second DB index", raw.callText("SWAPDB", "0", "99999999999"));
        assertEquals("-ERR DB index is out of range", raw.callText("SWAPDB", "0", "16"));
        assertEquals("-ERR DB index is out of range", raw.callText("SWAPDB", "-1", "0"));
    }

    @Test
    void time_isSecondsAndMicroseconds(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        long before = System.currentTimeMillis();
        List<String> t = redis.time();
        long after = System.currentTimeMillis();
        assertEquals(2, t.size());
        long micros = Long.parseLong(t.get(0)) * 1_000_000 + Long.parseLong(t.get(1));
        assertTrue(micros / 1000 >= before - 1 && micros / 1000 <= after + 1, t + " not within " + before + ".." + after);
        assertTrue(Long.parseLong(t.get(1)) < 1_000_000);
        assertTrue(raw.callText("TIME").matches("\\[\\$\\d{10,}, \\$\\d{1,6}]"));
        assertEquals("-ERR wrong number of arguments for 'time' command", raw.callText("TIME", "x"));
    }

    // ---- SHUTDOWN --------------------------------------------------------------------------

    @Test
    void shutdown_badArguments(RawClient raw) {
        assertEquals("-ERR syntax error", raw.callText("SHUTDOWN", "foo"));
        assertEquals("-ERR syntax error", raw.callText("SHUTDOWN", "save", "nosave"));
        assertEquals("-ERR syntax error", raw.callText("SHUTDOWN", "abort", "now"));
        assertEquals("-ERR No shutdown in progress.", raw.callText("SHUTDOWN", "ABORT"));
        assertEquals("+PONG", raw.callText("PING"), "the server is still up");
    }

    @Test
    void shutdown_stopsServerWithoutReply() throws Exception {
        EmbeddedServer own = EmbeddedServer.builder().start();
        try (RawClient raw = new RawClient(own.host(), own.port())) {
            assertEquals("+PONG", raw.callText("PING"));
            raw.send("SHUTDOWN", "NOW", "NOSAVE", "FORCE");
            assertTrue(raw.isClosedByServer(), "connection closed, no reply");
            // by then the port is closed, as after Redis's exit (Redis's tests reconnect at once)
            assertThrows(ConnectException.class, () -> new Socket(own.host(), own.port()).close(), "the port stopped accepting first");
        } finally {
            own.close();
        }
    }

    // ---- COMMAND ---------------------------------------------------------------------------

    /** COMMAND INFO replies of redis-server 7.0.15 for the commands this family registers (RESP2). */
    private static final Map<String, String> REDIS_INFO_RESP2 = Map.ofEntries(
            Map.entry("info", "[$info, :-1, [+loading, +stale], :0, :0, :0, [+@slow, +@dangerous], [$nondeterministic_output, $request_policy:all_shards, $response_policy:special], [], []]"),
            Map.entry("dbsize", "[$dbsize, :1, [+readonly, +fast], :0, :0, :0, [+@keyspace, +@read, +@fast], [$request_policy:all_shards, $response_policy:agg_sum], [], []]"),
            Map.entry("flushdb", "[$flushdb, :-1, [+write], :0, :0, :0, [+@keyspace, +@write, +@slow, +@dangerous], [$request_policy:all_shards, $response_policy:all_succeeded], [], []]"),
            Map.entry("flushall", "[$flushall, :-1, [+write], :0, :0, :0, [+@keyspace, +@write, +@slow, +@dangerous], [$request_policy:all_shards, $response_policy:all_succeeded], [], []]"),
            Map.entry("swapdb", "[$swapdb, :3, [+write, +fast], :0, :0, :0, [+@keyspace, +@write, +@fast, +@dangerous], [], [], []]"),
            Map.entry("time", "[$time, :1, [+loading, +stale, +fast], :0, :0, :0, [+@fast], [$nondeterministic_output], [], []]"),
            Map.entry("shutdown", "[$shutdown, :-1, [+admin, +noscript, +loading, +stale, +no_multi, +allow_busy], :0, :0, :0, [+@admin, +@slow, +@dangerous], [], [], []]"),
            Map.entry("config|get", "[$config|get, :-3, [+admin, +noscript, +loading, +stale], :0, :0, :0, [+@admin, +@slow, +@dangerous], [], [], []]"),
            Map.entry("config|set", "[$config|set, :-4, [+admin, +noscript, +loading, +stale], :0, :0, :0, [+@admin, +@slow, +@dangerous], [$request_policy:all_nodes, $response_policy:all_succeeded], [], []]"),
            Map.entry("config|resetstat", "[$config|resetstat, :2, [+admin, +noscript, +loading, +stale], :0, :0, :0, [+@admin, +@slow, +@dangerous], [], [], []]"),
            Map.entry("config|help", "[$config|help, :2, [+loading, +stale], :0, :0, :0, [+@slow], [], [], []]"),
            Map.entry("command|count", "[$command|count, :2, [+loading, +stale], :0, :0, :0, [+@slow, +@connection], [], [], []]"),
            Map.entry("command|docs", "[$command|docs, :-2, [+loading, +stale], :0, :0, :0, [+@slow, +@connection], [$nondeterministic_output_order], [], []]"),
            Map.entry("command|getkeys", "[$command|getkeys, :-4, [+loading, +stale], :0, :0, :0, [+@slow, +@connection], [], [], []]"),
            Map.entry("command|getkeysandflags", "[$command|getkeysandflags, :-4, [+loading, +stale], :0, :0, :0, [+@slow, +@connection], [], [], []]"),
            Map.entry("command|help", "[$command|help, :2, [+loading, +stale], :0, :0, :0, [+@slow, +@connection], [], [], []]"),
            Map.entry("command|info", "[$command|info, :-2, [+loading, +stale], :0, :0, :0, [+@slow, +@connection], [$nondeterministic_output_order], [], []]"),
            Map.entry("command|list", "[$command|list, :-2, [+loading, +stale], :0, :0, :0, [+@slow, +@connection], [$nondeterministic_output_order], [], []]"));

    @Test
    void commandInfo_matchesRedisForThisFamily(RawClient raw) {
        for (Map.Entry<String, String> e : REDIS_INFO_RESP2.entrySet()) {
            assertEquals("[" + e.getValue() + "]", raw.callText("COMMAND", "INFO", e.getKey()), e.getKey());
        }
        assertEquals("[(nil), " + REDIS_INFO_RESP2.get("time") + "]", raw.callText("COMMAND", "INFO", "nosuch", "TIME"));
    }

    @Test
    void commandInfo_resp3MatchesRedisForThisFamily() {
        for (Map.Entry<String, String> e : REDIS_INFO_RESP2.entrySet()) {
            // RESP3 differs from RESP2 only in that flags, categories, tips and key specs are sets
            String resp3 = e.getValue().replaceAll("(?<=, )\\[(?=[+$\\]])", "~[");
            Command c = TABLE.byFullName(e.getKey());
            assertEquals(resp3, renderResp3(r -> CommandDescriptions.writeCommandInfo(r, c)), e.getKey());
        }
    }

    @Test
    void commandInfo_keySpecsAreRedisOwn(RawClient raw) {
        assertEquals("[[$get, :2, [+readonly, +fast], :1, :1, :1, [+@read, +@string, +@fast], [], "
                        + "[[$flags, [+RO, +access], $begin_search, [$type, $index, $spec, [$index, :1]], "
                        + "$find_keys, [$type, $range, $spec, [$lastkey, :0, $keystep, :1, $limit, :0]]]], []]]",
                raw.callText("COMMAND", "INFO", "get"));
        String del = raw.callText("COMMAND", "INFO", "del");
        assertTrue(del.contains("[$flags, [+RM, +delete], $begin_search, [$type, $index, $spec, [$index, :1]], "
                + "$find_keys, [$type, $range, $spec, [$lastkey, :-1, $keystep, :1, $limit, :0]]]"), del);
    }

    @Test
    void command_bareListsEveryCommandWithSubcommands(RawClient raw) {
        RespValue v = raw.call("COMMAND");
        List<RespValue> all = ((RespValue.Array) v).values();
        assertEquals(TABLE.size(), all.size());
        List<RespValue> config = null;
        for (RespValue entry : all) {
            List<RespValue> fields = ((RespValue.Array) entry).values();
            if (((RespValue.BulkString) fields.get(0)).asString().equals("config")) {
                config = fields;
            }
        }
        assertNotNull(config);
        assertEquals(":-2", RawClient.render(config.get(1)));
        assertEquals("[+@slow]", RawClient.render(config.get(6)));
        assertEquals(5, ((RespValue.Array) config.get(9)).values().size(), "get set resetstat rewrite help: all of Redis 7.0.15's");
        assertEquals(RawClient.render(v), raw.callText("COMMAND", "INFO"));
    }

    @Test
    void commandCount_isTopLevelCommands(RawClient raw) {
        assertEquals(":" + TABLE.size(), raw.callText("COMMAND", "COUNT"));
        assertEquals("-ERR wrong number of arguments for 'command|count' command", raw.callText("COMMAND", "COUNT", "x"));
        assertEquals("-ERR unknown subcommand 'foo'. Try COMMAND HELP.", raw.callText("COMMAND", "foo"));
    }

    @Test
    void commandDocs_matchesRedisWhereNoArgumentsAreDocumented(RawClient raw) {
        // redis-server 7.0.15's reply for these three, which document no arguments
        String redis = "[$dbsize, [$summary, $Return the number of keys in the selected database, $since, $1.0.0, $group, $server, $complexity, $O(1)], "
                + "$time, [$summary, $Return the current server time, $since, $2.6.0, $group, $server, $complexity, $O(1)], "
                + "$config|resetstat, [$summary, $Reset the stats returned by INFO, $since, $2.0.0, $group, $server, $complexity, $O(1)]]";
        assertEquals(redis, raw.callText("COMMAND", "DOCS", "dbsize", "nosuch", "TIME", "config|resetstat"));
        assertEquals("[]", raw.callText("COMMAND", "DOCS", "nosuch"));
        String resp3 = "{$dbsize={$summary=$Return the number of keys in the selected database, $since=$1.0.0, $group=$server, $complexity=$O(1)}}";
        assertEquals(resp3, renderResp3(r -> {
            r.map(1);
            r.bulk("dbsize");
            CommandDescriptions.writeCommandDocs(r, TABLE.get("dbsize"));
        }));
    }

    @Test
    void commandDocs_allWithSubcommandsForRedisCli(RawClient raw) {
        // redis-cli's help table: a map of every command, containers with a "subcommands" map keyed "container|sub"
        List<RespValue> flat = ((RespValue.Array) raw.call("COMMAND", "DOCS")).values();
        assertEquals(2 * TABLE.size(), flat.size());
        for (int i = 0; i < flat.size(); i += 2) {
            String name = ((RespValue.BulkString) flat.get(i)).asString();
            List<RespValue> doc = ((RespValue.Array) flat.get(i + 1)).values();
            List<String> keys = new ArrayList<>();
            for (int k = 0; k < doc.size(); k += 2) {
                keys.add(((RespValue.BulkString) doc.get(k)).asString());
            }
            assertEquals(List.of("summary", "since", "group"), keys.subList(0, 3), name);
            Command c = TABLE.get(name);
            assertEquals(c.isContainer(), keys.contains("subcommands"), name);
            if (c.isContainer()) {
                List<RespValue> subs = ((RespValue.Array) doc.get(keys.indexOf("subcommands") * 2 + 1)).values();
                assertEquals(2 * c.subcommands().size(), subs.size(), name);
                for (int s = 0; s < subs.size(); s += 2) {
                    assertTrue(((RespValue.BulkString) subs.get(s)).asString().startsWith(name + "|"));
                }
            }
        }
    }

    @Test
    void commandGetKeys_usesKeySpec(RawClient raw) {
        assertEquals("[$a]", raw.callText("COMMAND", "GETKEYS", "set", "a", "b"));
        assertEquals("[$a]", raw.callText("COMMAND", "GETKEYS", "GET", "a"));
        assertEquals("[$a, $b, $c]", raw.callText("COMMAND", "GETKEYS", "del", "a", "b", "c"));
        assertEquals("[[$a, [+RO]], [$b, [+RO]]]", raw.callText("COMMAND", "GETKEYSANDFLAGS", "exists", "a", "b"));
        assertEquals("[[$a, [+RW, +access, +update]]]", raw.callText("COMMAND", "GETKEYSANDFLAGS", "set", "a", "b", "get"));
        assertEquals("[[$a, [+OW, +update]]]", raw.callText("COMMAND", "GETKEYSANDFLAGS", "set", "a", "b"));
    }

    @Test
    void commandGetKeys_errors(RawClient raw) {
        assertEquals("-ERR wrong number of arguments for 'command|getkeys' command", raw.callText("COMMAND", "GETKEYS"));
        assertEquals("-ERR wrong number of arguments for 'command|getkeys' command", raw.callText("COMMAND", "GETKEYS", "get"));
        assertEquals("-ERR Invalid command specified", raw.callText("COMMAND", "GETKEYS", "nosuch", "a"));
        assertEquals("-ERR Invalid command specified", raw.callText("COMMAND", "GETKEYS", "config", "foo"));
        assertEquals("-ERR The command has no key arguments", raw.callText("COMMAND", "GETKEYS", "config", "get", "x"));
        assertEquals("-ERR The command has no key arguments", raw.callText("COMMAND", "GETKEYS", "ping", "x"));
        assertEquals("-ERR Invalid number of arguments specified for command", raw.callText("COMMAND", "GETKEYS", "get", "a", "b"));
        assertEquals("-ERR Invalid number of arguments specified for command", raw.callText("COMMAND", "GETKEYSANDFLAGS", "set", "a"));
    }

    @Test
    void commandList_allAndFiltered(RawClient raw) {
        List<String> all = names(raw.call("COMMAND", "LIST"));
        int subs = TABLE.all().stream().mapToInt(c -> c.subcommands().size()).sum();
        assertEquals(TABLE.size() + subs, all.size());
        assertTrue(all.containsAll(List.of("get", "config", "config|get", "command|docs", "info")));
        assertEquals(List.of("config", "config|get", "config|set", "config|resetstat", "config|rewrite", "config|help"),
                names(raw.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "conf*")));
        assertEquals(List.of("config|get"), names(raw.call("COMMAND", "LIST", "filterby", "pattern", "CONFIG|G?T")));
        List<String> keyspace = names(raw.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "KEYSPACE"));
        assertTrue(keyspace.containsAll(List.of("dbsize", "flushdb", "flushall", "swapdb", "del", "exists")), keyspace.toString());
        assertFalse(keyspace.contains("get"));
        assertEquals("[]", raw.callText("COMMAND", "LIST", "FILTERBY", "ACLCAT", "@keyspace"));
        assertEquals("[]", raw.callText("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"));
        assertEquals("[]", raw.callText("COMMAND", "LIST", "FILTERBY", "MODULE", "x"));
        assertEquals("-ERR syntax error", raw.callText("COMMAND", "LIST", "FILTERBY"));
        assertEquals("-ERR syntax error", raw.callText("COMMAND", "LIST", "FILTERBY", "foo", "x"));
        assertEquals("-ERR syntax error", raw.callText("COMMAND", "LIST", "x"));
    }

    private static List<String> names(RespValue v) {
        List<String> out = new ArrayList<>();
        for (RespValue e : ((RespValue.Array) v).values()) {
            out.add(((RespValue.BulkString) e).asString());
        }
        return out;
    }

    @Test
    void commandHelp_isRedisText(RawClient raw) {
        String help = raw.callText("COMMAND", "HELP");
        assertTrue(help.startsWith("[+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:, +(no subcommand), "), help);
        assertTrue(help.endsWith(", +HELP, +    Prints this help.]"), help);
        assertEquals("-ERR wrong number of arguments for 'command|help' command", raw.callText("COMMAND", "HELP", "x"));
    }

    @Test
    void command_resp3Shapes(RedisClient client, RawClient raw) {
        try (StatefulRedisConnection<String, String> conn = resp3(client, raw)) {
            assertEquals(TABLE.size(), conn.sync().command().size());
        }
        raw.call("HELLO", "3");
        assertEquals("[" + REDIS_INFO_RESP2.get("time").replaceAll("(?<=, )\\[(?=[+$\\]])", "~[") + "]",
                raw.callText("COMMAND", "INFO", "time"));
        assertTrue(raw.callText("COMMAND", "DOCS", "config").startsWith("{$config={$summary="));
    }

    // ---- redis-cli -------------------------------------------------------------------------

    private static final Path REDIS_CLI = Path.of("/usr/bin/redis-cli");

    /** Runs redis-cli against the server and returns its standard output. */
    private static String redisCli(EmbeddedServer server, String... args) throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(REDIS_CLI), "redis-cli is not installed; ./scripts/test installs redis-tools");
        List<String> cmd = new ArrayList<>(List.of(REDIS_CLI.toString(), "-h", server.host(), "-p", Integer.toString(server.port())));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "redis-cli finished");
        assertEquals(0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void redisCli_pingSetGet(EmbeddedServer server) throws Exception {
        assertEquals("PONG\n", redisCli(server, "ping"));
        assertEquals("OK\n", redisCli(server, "set", "cli-key", "hello world"));
        assertEquals("hello world\n", redisCli(server, "get", "cli-key"));
        assertEquals("\n", redisCli(server, "get", "nosuch"));
        assertEquals("(nil)\n", redisCli(server, "--no-raw", "get", "nosuch"));
    }

    @Test
    void redisCli_infoServer(EmbeddedServer server) throws Exception {
        String out = redisCli(server, "info", "server");
        assertTrue(out.startsWith("# Server\r\n"), out);
        assertTrue(out.contains("redis_version:7.0.15\r\n"), out);
        assertTrue(out.contains("tcp_port:" + server.port() + "\r\n"), out);
    }

    @Test
    void redisCli_configGet(EmbeddedServer server) throws Exception {
        assertEquals("1) \"maxmemory\"\n2) \"0\"\n", redisCli(server, "--no-raw", "config", "get", "maxmemory"));
        assertEquals("1) \"save\"\n2) \"\"\n", redisCli(server, "--no-raw", "config", "get", "save"));
    }
}
