package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.command.Errors;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ROLE, CLUSTER, READONLY, MODULE and MEMORY STATS / DOCTOR / MALLOC-STATS / PURGE through
 * Lettuce in RESP2 and RESP3 and raw transcripts: the shapes clients parse, and MEMORY STATS's
 * figures against what INFO memory and the keyspace say.
 */
@ExtendWith(ServerExtension.class)
class AdminCommandsTest {

    @Test
    void role_primaryWithoutReplicas(@Resp2 RedisCommands<String, String> resp2, RedisCommands<String, String> resp3) {
        for (RedisCommands<String, String> r : List.of(resp2, resp3)) {
            assertEquals(List.of("master", 0L, List.of()), r.role());
        }
    }

    @Test
    void cluster_disabledForWhatClientsProbe(@Resp2 RedisCommands<String, String> resp2, RedisCommands<String, String> resp3) {
        for (RedisCommands<String, String> r : List.of(resp2, resp3)) {
            assertEquals("ERR This instance has cluster support disabled",
                    assertThrows(RedisCommandExecutionException.class, r::clusterInfo).getMessage());
            assertEquals("ERR This instance has cluster support disabled",
                    assertThrows(RedisCommandExecutionException.class, r::clusterNodes).getMessage());
            assertEquals("ERR This instance has cluster support disabled",
                    assertThrows(RedisCommandExecutionException.class, () -> r.clusterKeyslot("foo")).getMessage());
            assertEquals("ERR This instance has cluster support disabled",
                    assertThrows(RedisCommandExecutionException.class, r::readOnly).getMessage());
            assertEquals("ERR This instance has cluster support disabled",
                    assertThrows(RedisCommandExecutionException.class, r::readWrite).getMessage());
            assertEquals("ERR This instance has cluster support disabled",
                    assertThrows(RedisCommandExecutionException.class, r::asking).getMessage());
        }
    }

    @Test
    void module_listEmptyLoadRefused(RawClient raw) {
        assertEquals("[]", raw.callText("MODULE", "LIST"));
        assertEquals("-" + Errors.MODULE_NOT_ALLOWED, raw.callText("MODULE", "LOAD", "/tmp/x.so"));
        assertEquals("-ERR wrong number of arguments for 'module|load' command", raw.callText("MODULE", "LOAD"));
        assertEquals("-ERR unknown subcommand '\u0001\u00ff'. Try MODULE HELP.", raw.callText("MODULE", "\u0001\u00ff"));
    }

    @Test
    void memoryStats_resp2FlatArrayResp3Map(RawClient raw, EmbeddedServer server) {
        raw.callText("SET", "a", "1");
        raw.callText("SELECT", "3");
        raw.callText("SET", "b", "2");
        raw.callText("SET", "c", "3");
        raw.callText("SELECT", "0");
        RespValue v2 = raw.call("MEMORY", "STATS");
        List<RespValue> flat = assertInstanceOf(RespValue.Array.class, v2).values();
        Map<String, RespValue> stats = new LinkedHashMap<>();
        for (int i = 0; i < flat.size(); i += 2) {
            stats.put(text(flat.get(i)), flat.get(i + 1));
        }
        assertEquals(List.of("peak.allocated", "total.allocated", "startup.allocated", "replication.backlog", "clients.slaves",
                "clients.normal", "cluster.links", "aof.buffer", "lua.caches", "functions.caches", "db.0", "db.3", "overhead.total",
                "keys.count", "keys.bytes-per-key", "dataset.bytes", "dataset.percentage", "peak.percentage", "allocator.allocated",
                "allocator.active", "allocator.resident", "allocator-fragmentation.ratio", "allocator-fragmentation.bytes",
                "allocator-rss.ratio", "allocator-rss.bytes", "rss-overhead.ratio", "rss-overhead.bytes", "fragmentation",
                "fragmentation.bytes"), new ArrayList<>(stats.keySet()));
        assertEquals(3, integer(stats.get("keys.count")));
        long used = server.keyspace().usedMemory();
        assertEquals(used, integer(stats.get("total.allocated")));
        assertEquals(used, integer(stats.get("dataset.bytes")));
        assertEquals(used / 3, integer(stats.get("keys.bytes-per-key")));
        assertTrue(integer(stats.get("peak.allocated")) >= used);
        // RESP2: ratios as bulk strings, %.17g of Redis's float
        assertEquals("100", text(stats.get("dataset.percentage")));
        assertEquals("1", text(stats.get("rss-overhead.ratio")));
        String transcript = raw.callText("MEMORY", "STATS");
        assertTrue(transcript.contains(
                "$db.3, [$overhead.hashtable.main, :0, $overhead.hashtable.expires, :0, $overhead.hashtable.slot-to-keys, :0], $overhead.total"),
                transcript);

        raw.call("HELLO", "3");
        RespValue v3 = raw.call("MEMORY", "STATS");
        List<RespValue.Map.Entry> entries = assertInstanceOf(RespValue.Map.class, v3).entries();
        assertEquals(29, entries.size());
        Map<String, RespValue> m3 = new LinkedHashMap<>();
        for (RespValue.Map.Entry e : entries) {
            m3.put(text(e.key()), e.value());
        }
        assertEquals(new ArrayList<>(stats.keySet()), new ArrayList<>(m3.keySet()));
        assertInstanceOf(RespValue.Map.class, m3.get("db.0"));
        assertEquals(100.0, assertInstanceOf(RespValue.Double.class, m3.get("dataset.percentage")).value());
        assertInstanceOf(RespValue.Double.class, m3.get("fragmentation"));
        raw.callText("FLUSHALL");
    }

    @Test
    void memoryDoctor_emptyThenPeak(RawClient raw, EmbeddedServer server) {
        assertEquals(MemoryCommands.DOCTOR_EMPTY, text(raw.call("MEMORY", "DOCTOR")));
        raw.call("HELLO", "3");
        RespValue.Verbatim v = assertInstanceOf(RespValue.Verbatim.class, raw.call("MEMORY", "DOCTOR"));
        assertEquals("txt", v.format());
        // about 12 MiB of values, then half of it deleted: the peak is over 150% of what is used
        String value = "x".repeat(64 * 1024);
        for (int i = 0; i < 192; i++) {
            raw.call("SET", "k" + i, value);
        }
        assertTrue(server.keyspace().usedMemory() > 12L << 20, "used " + server.keyspace().usedMemory());
        assertEquals(MemoryCommands.DOCTOR_HEALTHY, text(raw.call("MEMORY", "DOCTOR")));
        for (int i = 0; i < 96; i++) {
            raw.call("DEL", "k" + i);
        }
        assertTrue(server.keyspace().usedMemory() > MemoryCommands.DOCTOR_EMPTY_BELOW);
        String report = text(raw.call("MEMORY", "DOCTOR"));
        assertTrue(report.startsWith("Sam, I detected a few issues in this Redis instance memory implants:\n\n * Peak memory: In the past"),
                report);
        assertTrue(report.endsWith("I'm here to keep you safe, Sam. I want to help you.\n"), report);
        raw.callText("FLUSHALL");
    }

    @Test
    void memoryMallocStatsAndPurge(@Resp2 RedisCommands<String, String> resp2, RawClient raw) {
        assertEquals("Stats not supported for the current allocator", resp2.dispatch(CommandType.MEMORY,
                new io.lettuce.core.output.StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).add("MALLOC-STATS")));
        assertEquals("+OK", raw.callText("MEMORY", "PURGE"));
        List<Object> help = resp2.dispatch(CommandType.MEMORY, new NestedMultiOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add("HELP"));
        assertEquals("MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", help.get(0));
        assertEquals(14, help.size());
    }

    @Test
    void lolwut_drawingsHaveRedisShapes(RawClient raw) {
        String schotter = text(raw.call("LOLWUT", "VERSION", "5"));
        String[] lines = schotter.split("\n", -1);
        // 66 columns, 8 x 12 squares: a canvas of 132 x 196 pixels, 49 rows of braille characters,
        // the blank line that the last row's newline and the footer's make, the footer
        assertEquals(52, lines.length);
        for (int i = 0; i < 49; i++) {
            assertEquals(66, lines[i].length(), "row " + i);
            assertTrue(lines[i].chars().allMatch(ch -> ch >= 0x2800 && ch <= 0x28ff), "row " + i);
        }
        assertEquals("", lines[49]);
        assertEquals("Georg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15", lines[50]);
        String sky = text(raw.call("LOLWUT", "VERSION", "6"));
        String[] rows = sky.split("\n", -1);
        assertEquals(23, rows.length);
        String white = "\033[0;97;107m \033[0m";
        assertEquals(white.repeat(80), rows[0], "the sky: no skyscraper is as tall as the canvas");
        for (int i = 0; i < 20; i++) {
            assertEquals(80, rows[i].split("\033\\[0m", -1).length - 1, "row " + i);
        }
        assertEquals("Original 8 bit image from Plaguemon by hikikomori. Redis ver. 7.0.15", rows[21]);
        assertEquals("-" + LolwutCommands.TOO_LARGE, raw.callText("LOLWUT", "VERSION", "5", "1000", "1", "200"));
    }

    private static String text(RespValue v) {
        if (v instanceof RespValue.BulkString b) {
            return new String(b.value(), StandardCharsets.UTF_8);
        }
        if (v instanceof RespValue.Verbatim t) {
            return new String(t.text(), StandardCharsets.UTF_8);
        }
        if (v instanceof RespValue.SimpleString s) {
            return s.value();
        }
        throw new AssertionError("not text: " + v);
    }

    private static long integer(RespValue v) {
        return assertInstanceOf(RespValue.Integer.class, v).value();
    }
}
