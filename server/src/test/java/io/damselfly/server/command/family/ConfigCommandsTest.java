package io.damselfly.server.command.family;

import static io.damselfly.server.command.family.ServerCommandsTest.field;
import static io.damselfly.server.command.family.ServerCommandsTest.longField;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.config.HeapBudget;
import io.damselfly.server.config.Option;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** CONFIG GET / SET / RESETSTAT / HELP, with Redis 7.0.15's replies and error texts. */
@ExtendWith(ServerExtension.class)
class ConfigCommandsTest {
    private EmbeddedServer server;

    /** Puts back what the tests change, so each test starts from the defaults. */
    @AfterEach
    void restoreDefaults() {
        if (server != null) {
            for (Option o : List.of(Option.MAXMEMORY, Option.MAXMEMORY_POLICY, Option.HZ, Option.OUTPUT_BUFFER_LIMIT)) {
                server.config().set(o, o.defaultValue());
            }
        }
    }

    @Test
    void configGet_exactNamesEchoedAsAsked(@Resp2 RedisCommands<String, String> redis, RawClient raw, EmbeddedServer server) {
        this.server = server;
        assertEquals(Map.of("maxmemory", "0"), redis.configGet("maxmemory"));
        assertEquals("[$MAXMEMORY, $0]", raw.callText("CONFIG", "GET", "MAXMEMORY"));
        assertEquals("[$maxmemory, $0]", raw.callText("CONFIG", "GET", "maxmemory", "MAXMEMORY", "maxmemory"));
        assertEquals("[]", raw.callText("CONFIG", "GET", "nosuch"));
        assertEquals("-ERR wrong number of arguments for 'config|get' command", raw.callText("CONFIG", "GET"));
    }

    @Test
    void configGet_patterns(@Resp2 RedisCommands<String, String> redis, EmbeddedServer server) {
        this.server = server;
        assertEquals(Map.of("maxmemory", "0", "maxmemory-policy", "noeviction", "maxmemory-samples", "5",
                "maxmemory-eviction-tenacity", "10", "maxmemory-clients", "0"), redis.configGet("maxmemory*"));
        assertEquals(Map.of("maxmemory-policy", "noeviction"), redis.configGet("MAXMEMORY-p?l[a-z]cy"));
        Map<String, String> all = redis.configGet("*");
        // an option with a Redis alias is listed under both names, as Redis lists them; a hidden
        // one (Redis's HIDDEN_CONFIG) under neither: a pattern never lists it
        long aliases = java.util.Arrays.stream(Option.values()).filter(o -> o.alias() != null).count();
        long hidden = java.util.Arrays.stream(Option.values()).filter(Option::isHidden).count();
        assertEquals(5, hidden, "rdb-key-save-delay, key-load-delay and the others Redis's tests set");
        assertEquals(Option.values().length + aliases - hidden, all.size());
        for (Option o : Option.values()) {
            if (o.isHidden()) {
                assertFalse(all.containsKey(o.configName()), o.configName());
                assertEquals(Map.of(o.configName(), o.defaultValue()), redis.configGet(o.configName()), "by its exact name");
                continue;
            }
            assertTrue(all.containsKey(o.configName()), o.configName());
            if (o.alias() != null) {
                assertEquals(all.get(o.configName()), all.get(o.alias()), o.alias());
            }
        }
        assertFalse(all.containsKey("maxmemory_policy"), "options with a Redis name are listed under it only");
        assertEquals(Map.of("hz", "10", "maxmemory", "0"), redis.configGet("hz", "maxm[a-e]mory", "h[a-z]"));
    }

    @Test
    void configGet_optionsWithoutRedisNameByFlag(@Resp2 RedisCommands<String, String> redis, EmbeddedServer server) {
        this.server = server;
        assertEquals(Map.of("cache_mode", "no"), redis.configGet("cache_mode"));
        assertEquals(Map.of("num_shards", "0"), redis.configGet("num_shards"));
        assertEquals(Map.of("maxmemory_policy", "noeviction"), redis.configGet("maxmemory_policy"));
    }

    /**
     * Every pair CONFIG GET * answers can be given back to CONFIG SET except Redis's own immutable
     * options (which tools such as Redis's CONFIG sanity test skip by name): damselfly's start-up
     * options take their current value as a no-op and refuse any other.
     */
    @Test
    void configSet_ownStartUpOptionsTakeTheirCurrentValue(RawClient raw, EmbeddedServer server) {
        this.server = server;
        RespValue all = raw.call("CONFIG", "GET", "*");
        List<RespValue> pairs = ((RespValue.Array) all).values();
        for (int i = 0; i < pairs.size(); i += 2) {
            String name = new String(((RespValue.BulkString) pairs.get(i)).value(), java.nio.charset.StandardCharsets.UTF_8);
            Option o = Option.byName(name);
            if (o.redisName() != null && !o.isMutable() || o.isProtected()) {
                continue; // Redis's immutable and protected options refuse as in Redis
            }
            String value = new String(((RespValue.BulkString) pairs.get(i + 1)).value(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals("+OK", raw.callText("CONFIG", "SET", name, value), name + " " + value);
        }
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'num_shards') - can't set immutable config",
                raw.callText("CONFIG", "SET", "num_shards", "3"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
                raw.callText("CONFIG", "SET", "databases", "16"), "Redis's immutable options refuse even their own value");
    }

    @Test
    void configGet_whatRedisBenchmarkAndClientsAsk(@Resp2 RedisCommands<String, String> redis, EmbeddedServer server) {
        this.server = server;
        assertEquals(Map.of("save", ""), redis.configGet("save"));
        assertEquals(Map.of("appendonly", "no"), redis.configGet("appendonly"));
        assertEquals(Map.of("port", Integer.toString(server.port())), redis.configGet("port"));
        assertEquals(Map.of("databases", "16"), redis.configGet("databases"));
    }

    @Test
    void configSet_appliesValues(@Resp2 RedisCommands<String, String> redis, EmbeddedServer server) {
        this.server = server;
        assertEquals("OK", redis.configSet("maxmemory", "10mb"));
        assertEquals(Map.of("maxmemory", "10485760"), redis.configGet("maxmemory"));
        assertEquals(10L * 1024 * 1024, server.config().getLong(Option.MAXMEMORY));
        Map<String, String> several = new LinkedHashMap<>();
        several.put("maxmemory", "1gb");
        several.put("MAXMEMORY-POLICY", "ALLKEYS-LRU");
        assertEquals("OK", redis.configSet(several));
        assertEquals(Map.of("maxmemory", "1073741824", "maxmemory-policy", "allkeys-lru", "maxmemory-samples", "5",
                "maxmemory-eviction-tenacity", "10", "maxmemory-clients", "0"), redis.configGet("maxmemory*"));
        assertEquals("OK", redis.configSet("output_buffer_limit", "2mb"));
        assertEquals(2L * 1024 * 1024, server.config().getLong(Option.OUTPUT_BUFFER_LIMIT));
    }

    /** A maxmemory the JVM heap cannot hold is refused in Redis's CONFIG SET wording; the old value stays. */
    @Test
    void configSet_maxmemoryBeyondTheHeapRefused(@Resp2 RedisCommands<String, String> redis, RawClient raw, EmbeddedServer server) {
        this.server = server;
        assertEquals("+OK", raw.callText("CONFIG", "SET", "maxmemory", "10mb"));
        long heap = Runtime.getRuntime().maxMemory();
        // 100000gb needs -Xmx 100000 GiB + 12500 GiB + 96 MiB = 115200096 MiB
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - the JVM heap ("
                        + HeapBudget.human(heap) + ") holds at most " + HeapBudget.human(HeapBudget.maxMemoryFor(heap))
                        + " of data; restart with a larger heap: -Xmx115200096m for this maxmemory"
                        + " (scripts/run sizes it from maxmemory)",
                raw.callText("CONFIG", "SET", "maxmemory", "100000gb"));
        assertEquals(Map.of("maxmemory", "10485760"), redis.configGet("maxmemory"));
        // the bound is exact: the most the heap holds is accepted, a byte more is not
        long most = HeapBudget.maxMemoryFor(heap);
        assertTrue(raw.callText("CONFIG", "SET", "maxmemory", Long.toString(most + 1))
                .startsWith("-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - the JVM heap ("));
        assertEquals(Map.of("maxmemory", "10485760"), redis.configGet("maxmemory"));
        assertEquals("+OK", raw.callText("CONFIG", "SET", "maxmemory", Long.toString(most)));
        assertEquals(Map.of("maxmemory", Long.toString(most)), redis.configGet("maxmemory"));
        assertEquals("+OK", raw.callText("CONFIG", "SET", "maxmemory", "0"));
    }

    @Test
    void configSet_hzClampedLikeRedis(@Resp2 RedisCommands<String, String> redis, EmbeddedServer server) {
        this.server = server;
        assertEquals("OK", redis.configSet("hz", "1000"));
        assertEquals(Map.of("hz", "500"), redis.configGet("hz"));
        assertEquals("OK", redis.configSet("hz", "0"));
        assertEquals(Map.of("hz", "1"), redis.configGet("hz"));
    }

    @Test
    void configSet_acceptsNoPersistenceValues(RawClient raw, EmbeddedServer server) {
        this.server = server;
        assertEquals("+OK", raw.callText("CONFIG", "SET", "save", ""));
        assertEquals("+OK", raw.callText("CONFIG", "SET", "appendonly", "no"));
    }

    @Test
    void configSet_errorsAsRedis(RawClient raw, EmbeddedServer server) {
        this.server = server;
        assertEquals("-ERR Unknown option or number of arguments for CONFIG SET - 'foo'", raw.callText("CONFIG", "SET", "foo", "bar"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter",
                raw.callText("CONFIG", "SET", "maxmemory", "10mb", "maxmemory", "20mb"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter",
                raw.callText("CONFIG", "SET", "maxmemory", "10mb", "MAXMEMORY", "20mb"));
        assertEquals("-ERR wrong number of arguments for 'config|set' command", raw.callText("CONFIG", "SET", "maxmemory"));
        assertEquals("-ERR syntax error", raw.callText("CONFIG", "SET", "maxmemory", "1", "hz"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer",
                raw.callText("CONFIG", "SET", "hz", "abc"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
                raw.callText("CONFIG", "SET", "maxmemory", "abc"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
                raw.callText("CONFIG", "SET", "MAXMEMORY", "-1"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'",
                raw.callText("CONFIG", "SET", "appendonly", "maybe"));
        assertTrue(raw.callText("CONFIG", "SET", "maxmemory-policy", "foo").startsWith(
                "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: "));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
                raw.callText("CONFIG", "SET", "databases", "3"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'num_shards') - can't set immutable config",
                raw.callText("CONFIG", "SET", "num_shards", "3"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
                raw.callText("CONFIG", "SET", "dir", "/tmp"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config",
                raw.callText("CONFIG", "SET", "dbfilename", "x.rdb"));
    }

    @Test
    void configSet_firstProblemWinsInArgumentOrder(RawClient raw, EmbeddedServer server) {
        this.server = server;
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
                raw.callText("CONFIG", "SET", "databases", "1", "foo", "3"));
        assertEquals("-ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
                raw.callText("CONFIG", "SET", "foo", "1", "databases", "3"));
        // names are all checked before any value is parsed
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
                raw.callText("CONFIG", "SET", "maxmemory", "x", "databases", "1"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter",
                raw.callText("CONFIG", "SET", "maxmemory", "1", "maxmemory", "2", "foo", "3"));
    }

    @Test
    void configSet_isAllOrNothing(@Resp2 RedisCommands<String, String> redis, RawClient raw, EmbeddedServer server) {
        this.server = server;
        assertTrue(raw.callText("CONFIG", "SET", "maxmemory", "1mb", "hz", "20", "maxmemory-policy", "foo")
                .startsWith("-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy')"));
        assertEquals(Map.of("maxmemory", "0"), redis.configGet("maxmemory"));
        assertEquals(Map.of("hz", "10"), redis.configGet("hz"));
    }

    @Test
    void configResetstat_zeroesInfoCounters(RawClient raw, EmbeddedServer server) {
        this.server = server;
        raw.call("SET", "k", "v");
        raw.call("GET", "k");
        raw.call("GET", "nosuch");
        raw.call("GET");
        raw.call("NOSUCH");
        assertEquals("+OK", raw.callText("CONFIG", "RESETSTAT"));
        String info = ((RespValue.BulkString) raw.call("INFO", "all")).asString();
        // only this INFO itself has been counted since the reset, as in Redis
        assertEquals(1, longField(info, "total_commands_processed"));
        assertEquals(0, longField(info, "keyspace_hits"));
        assertEquals(0, longField(info, "keyspace_misses"));
        assertEquals(0, longField(info, "total_error_replies"));
        assertEquals(0, longField(info, "total_connections_received"));
        assertEquals(null, field(info, "errorstat_ERR"));
        assertEquals(null, field(info, "cmdstat_get"));
        assertTrue(field(info, "cmdstat_config|resetstat").startsWith("calls=1,"), info);
        // commands rejected before running are errors, but not processed commands (Redis's call())
        raw.call("CONFIG", "RESETSTAT");
        raw.call("NOSUCH");
        raw.call("GET");
        info = ((RespValue.BulkString) raw.call("INFO", "all")).asString();
        assertEquals(1, longField(info, "total_commands_processed"));
        assertEquals(2, longField(info, "total_error_replies"));
        assertEquals("count=2", field(info, "errorstat_ERR"));
        assertEquals("calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0", field(info, "cmdstat_get"));
        assertEquals("-ERR wrong number of arguments for 'config|resetstat' command", raw.callText("CONFIG", "RESETSTAT", "x"));
    }

    @Test
    void config_helpAndContainerErrors(RawClient raw, EmbeddedServer server) {
        this.server = server;
        assertEquals("[+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:, +GET <pattern>, "
                        + "+    Return parameters matching the glob-like <pattern> and their values., +SET <directive> <value>, "
                        + "+    Set the configuration <directive> to <value>., +RESETSTAT, +    Reset statistics reported by the INFO command., "
                        + "+REWRITE, +    Rewrite the configuration file., +HELP, +    Prints this help.]",
                raw.callText("CONFIG", "HELP"));
        assertEquals("-ERR wrong number of arguments for 'config' command", raw.callText("CONFIG"));
        assertEquals("-ERR unknown subcommand 'foo'. Try CONFIG HELP.", raw.callText("CONFIG", "foo"));
    }

    /** CONFIG GET and COMMAND LIST match with Redis's glob, case-insensitively, as Redis does. */
    @Test
    void configGet_globPatterns(RawClient raw) {
        assertEquals("[$maxmemory, $0]", raw.callText("CONFIG", "GET", "MAX[l-n]EMORY"));
        assertEquals("[$lfu-decay-time, $1, $lfu-log-factor, $10]", sortedPairs(raw.callText("CONFIG", "GET", "lfu-*")));
        assertEquals("[]", raw.callText("CONFIG", "GET", "max\\*"));
        assertEquals("[$config|get, $config|set]", raw.callText("COMMAND", "LIST", "FILTERBY", "PATTERN", "CONFIG|[gs]ET"));
    }

    /** A flat CONFIG GET reply with its name/value pairs sorted by name. */
    private static String sortedPairs(String flat) {
        String[] items = flat.substring(1, flat.length() - 1).split(", ");
        java.util.List<String> pairs = new java.util.ArrayList<>();
        for (int i = 0; i + 1 < items.length; i += 2) {
            pairs.add(items[i] + ", " + items[i + 1]);
        }
        java.util.Collections.sort(pairs);
        return "[" + String.join(", ", pairs) + "]";
    }

    @Test
    void configGet_resp3IsMap(RedisClient client, RawClient raw, EmbeddedServer server) {
        this.server = server;
        try (StatefulRedisConnection<String, String> conn = ServerCommandsTest.resp3(client, raw)) {
            assertEquals(Map.of("maxmemory", "0"), conn.sync().configGet("maxmemory"));
        }
        raw.call("HELLO", "3");
        assertEquals("{$maxmemory=$0}", raw.callText("CONFIG", "GET", "maxmemory"));
        assertEquals("{}", raw.callText("CONFIG", "GET", "nosuch"));
    }
}
