package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Redis 7 functions: FUNCTION LOAD, LIST, DELETE, FLUSH, DUMP, RESTORE, STATS, KILL and FCALL
 * through a real client and raw transcripts, DUMP payloads crossing between damselfly and
 * redis-server both ways, and differential scripts against redis-server 7.0.15 (RESP2 and RESP3)
 * for every error text.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
@ServerOptions({"busy_reply_threshold=150"})
class FunctionCommandsTest {

    static final String LIB = """
            #!lua name=counters
            local function incr(keys, args)
              return redis.call('INCRBY', keys[1], args[1] or 1)
            end
            redis.register_function('counter_incr', incr)
            redis.register_function{function_name='counter_get', callback=function(keys) return redis.call('GET', keys[1]) end,
              flags={'no-writes'}, description='reads a counter'}
            """;

    @Test
    void fcall_runsRegisteredFunctions(RedisCommands<String, String> redis) {
        assertEquals("counters", redis.functionLoad(LIB));
        assertEquals(5L, (Long) redis.fcall("counter_incr", ScriptOutputType.INTEGER, new String[] {"c"}, "5"));
        assertEquals(6L, (Long) redis.fcall("counter_incr", ScriptOutputType.INTEGER, "c"));
        assertEquals("6", redis.fcallReadOnly("counter_get", ScriptOutputType.VALUE, "c"));
        List<java.util.Map<String, Object>> libs = redis.functionList();
        assertEquals("counters", libs.get(0).get("library_name"));
        assertEquals(1, libs.size());
        redis.functionFlush(io.lettuce.core.FlushMode.SYNC);
        assertEquals(0, redis.functionList().size());
    }

    @Test
    void functionList_shapes(RawClient raw) {
        raw.call("FUNCTION", "LOAD", LIB);
        String list = raw.callText("FUNCTION", "LIST");
        assertTrue(list.startsWith("[[$library_name, $counters, $engine, $LUA, $functions, ["), list);
        assertTrue(list.contains("[$name, $counter_get, $description, $reads a counter, $flags, [+no-writes]]"), list);
        assertTrue(list.contains("[$name, $counter_incr, $description, (nil), $flags, []]"), list);
        raw.call("HELLO", "3");
        String list3 = raw.callText("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "count*");
        assertTrue(list3.contains("$flags=~[+no-writes]"), list3);
        assertTrue(list3.contains("$library_code=$#!lua name=counters"), list3);
        assertEquals("[]", raw.callText("FUNCTION", "LIST", "LIBRARYNAME", "nomatch*"));
        raw.call("FUNCTION", "FLUSH");
    }

    @Test
    void functionDelete_andStats(RawClient raw) {
        raw.call("FUNCTION", "LOAD", LIB);
        assertEquals("[$running_script, (nil), $engines, [$LUA, [$libraries_count, :1, $functions_count, :2]]]",
                raw.callText("FUNCTION", "STATS"));
        assertEquals("+OK", raw.callText("FUNCTION", "DELETE", "counters"));
        assertEquals("-ERR Library not found", raw.callText("FUNCTION", "DELETE", "counters"));
        assertEquals("-ERR Function not found", raw.callText("FCALL", "counter_incr", "0"));
    }

    @Test
    void functionKill_stopsABusyFunction(EmbeddedServer server, RawClient other) throws Exception {
        other.call("FUNCTION", "LOAD", "REPLACE", "#!lua name=spin\nredis.register_function{function_name='spin', "
                + "callback=function() local i = 0 while true do i = i + 1 end end, flags={'no-writes'}}");
        try (RawClient runner = new RawClient(server.host(), server.port())) {
            CompletableFuture<String> run = CompletableFuture.supplyAsync(() -> runner.callText("FCALL", "spin", "0"));
            Thread.sleep(400);
            assertEquals("-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.",
                    other.callText("GET", "x"));
            assertEquals("-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.",
                    other.callText("SCRIPT", "KILL"));
            String stats = other.callText("FUNCTION", "STATS");
            assertTrue(stats.startsWith("[$running_script, [$name, $spin, $command, [$FCALL, $spin, $0], $duration_ms, :"), stats);
            assertEquals("+OK", other.callText("FUNCTION", "KILL"));
            String killed = run.get(5, TimeUnit.SECONDS);
            assertEquals("-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.", killed);
            other.call("FUNCTION", "FLUSH");
        }
    }

    @Test
    void functionDump_crossesWithRedisBothWays(RedisServerProcess redis, RawClient ours) {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port())) {
            ref.call("FUNCTION", "FLUSH");
            ours.call("FUNCTION", "FLUSH");
            // long enough for redis-server to LZF-compress it in the payload
            StringBuilder code = new StringBuilder("#!lua name=many\n");
            for (int i = 0; i < 20; i++) {
                code.append("redis.register_function('fn").append(i).append("', function() return ").append(i).append(" end)\n");
            }
            assertEquals("$many", ref.callText("FUNCTION", "LOAD", code.toString()));
            byte[] fromRedis = ((io.damselfly.protocol.RespValue.BulkString) ref.call("FUNCTION", "DUMP")).value();
            assertEquals("+OK", ours.callText("FUNCTION", "RESTORE", fromRedis));
            assertEquals(":7", ours.callText("FCALL", "fn7", "0"));
            assertEquals("-ERR Library many already exists", ours.callText("FUNCTION", "RESTORE", fromRedis));
            assertEquals("+OK", ours.callText("FUNCTION", "RESTORE", fromRedis, "REPLACE"));
            byte[] fromUs = ((io.damselfly.protocol.RespValue.BulkString) ours.call("FUNCTION", "DUMP")).value();
            assertEquals("+OK", ref.callText("FUNCTION", "RESTORE", fromUs, "FLUSH"));
            assertEquals(":19", ref.callText("FCALL", "fn19", "0"));
            byte[] broken = fromUs.clone();
            broken[3] ^= 1;
            assertEquals("-ERR DUMP payload version or checksum are wrong", ours.callText("FUNCTION", "RESTORE", broken));
            assertEquals("-ERR DUMP payload version or checksum are wrong", ours.callText("FUNCTION", "RESTORE", "x"));
            ref.call("FUNCTION", "FLUSH");
            ours.call("FUNCTION", "FLUSH");
        }
    }

    // ---- differential ---------------------------------------------------------------------

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (int protocol : new int[] {2, 3}) {
            for (Object[] c : CASES) {
                list.add(Arguments.of(c[0], protocol, c[1]));
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} RESP{1}")
    @MethodSource("cases")
    void sameRepliesAsRedis(String name, int protocol, String[][] commands, RedisServerProcess redis, EmbeddedServer damselfly) {
        ScriptingCompatibilityTest.assertSameReplies(name, protocol, commands, redis, damselfly);
    }

    static String[] c(String... args) {
        return args;
    }

    static final String ONE = "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return {keys[1], args[1]} end)\n"
            + "redis.register_function{function_name='ro', callback=function(keys) return redis.call('SET', keys[1], 'x') end, flags={'no-writes'}, description='d'}";

    private static final Object[][] CASES = {
        {"load-and-call", new String[][] {
            c("FUNCTION", "LOAD", ONE),
            c("FUNCTION", "LOAD", ONE),
            c("FUNCTION", "LOAD", "REPLACE", ONE),
            c("FUNCTION", "LOAD", "BAD", ONE),
            c("FUNCTION", "LOAD", "REPLACE"),
            c("FCALL", "f1", "1", "k", "a"),
            c("FCALL", "f1", "0"),
            c("FCALL_RO", "f1", "0"),
            c("FCALL", "ro", "1", "k"),
            c("FCALL_RO", "ro", "1", "k"),
            c("FCALL", "nosuch", "0"),
            c("FCALL", "f1", "x"),
            c("FCALL", "f1", "2", "a"),
            c("FCALL", "f1", "-1"),
            c("FCALL", "f1"),
            // (a library of two functions lists them in Redis's dict order, which its hash seed
            // makes random: listings compare a library of one)
            c("FUNCTION", "LOAD", "#!lua name=lib3\nredis.register_function{function_name='only', callback=function() return 1 end, "
                    + "flags={'allow-oom', 'no-writes'}, description='one'}"),
            c("FUNCTION", "LIST", "LIBRARYNAME", "lib3"),
            c("FUNCTION", "LIST", "LIBRARYNAME", "lib3", "WITHCODE"),
            c("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "*b3"),
            c("FUNCTION", "LIST", "LIBRARYNAME", "nomatch*"),
            c("FUNCTION", "DELETE", "lib3"),
            c("FUNCTION", "LIST", "LIBRARYNAME"),
            c("FUNCTION", "LIST", "BAD"),
            c("FUNCTION", "LIST", "WITHCODE", "WITHCODE"),
            c("FUNCTION", "LOAD", "#!lua name=lib2\nredis.register_function('f1', function() return 1 end)"),
            c("FUNCTION", "STATS"),
            c("FUNCTION", "DELETE", "lib1"),
            c("FUNCTION", "DELETE", "lib1"),
            c("FUNCTION", "DELETE"),
            c("FUNCTION", "STATS"),
        }},
        {"load-errors", new String[][] {
            c("FUNCTION", "LOAD", "return 1"),
            c("FUNCTION", "LOAD", "#!lua"),
            c("FUNCTION", "LOAD", "#!lua name=a name=b\nx"),
            c("FUNCTION", "LOAD", "#!lua foo=bar\nx"),
            c("FUNCTION", "LOAD", "#!lua\nx"),
            c("FUNCTION", "LOAD", "#!js name=x\nx"),
            c("FUNCTION", "LOAD", "#!LUA name=x\nredis.register_function('up', function() return 1 end)"),
            c("FUNCTION", "LOAD", "#!lua name=a-b\nx"),
            c("FUNCTION", "LOAD", "#!lua name=y\nreturn 1 +"),
            c("FUNCTION", "LOAD", "#!lua name=y\nreturn 1"),
            c("FUNCTION", "LOAD", "#!lua name=y\nerror('boom')"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.call('ping')"),
            c("FUNCTION", "LOAD", "#!lua name=y\nstring.format('x')"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.register_function('a-b', function() end)"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.register_function('ab', function() end)\nredis.register_function('ab', function() end)"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.register_function{function_name='ab', callback=function() end, flags={'bad'}}"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.register_function{function_name='ab', callback=function() end, flags='no-writes'}"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.register_function{function_name='ab'}"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.register_function{callback=function() end}"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.register_function{function_name='ab', callback=function() end, foo=1}"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.register_function{function_name=1, callback=function() end}"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.register_function{function_name='ab', callback=1}"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.register_function{function_name='ab', callback=function() end, description={}}"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.register_function(1)"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.register_function({}, 1)"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.register_function('a', 1)"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.register_function()"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.register_function('a', function() end, 3)"),
            c("FUNCTION", "LOAD", "#!lua name=y\nlocal i = 0 while true do i = i + 1 end"),
            c("FUNCTION", "LOAD", "#!lua name=y\nredis.log(redis.LOG_NOTICE, 'loading') redis.register_function('v', function() return redis.REDIS_VERSION end)"),
            c("FCALL", "v", "0"),
            c("FUNCTION", "LOAD"),
        }},
        {"run-errors", new String[][] {
            c("FUNCTION", "LOAD", "#!lua name=e\nredis.register_function('e1', function() error('boom') end)\n"
                    + "redis.register_function('e2', function() return redis.call('nosuch') end)\n"
                    + "redis.register_function('e3', function() return x end)\n"
                    + "redis.register_function('e4', function() return redis.setresp(3) end)\n"
                    + "redis.register_function('e5', function() return type(redis.register_function) end)\n"
                    + "redis.register_function('e6', function(k, a) return #k .. #a .. tostring(KEYS) end)"),
            c("FCALL", "e1", "0"),
            c("FCALL", "e2", "0"),
            c("FCALL", "e3", "0"),
            c("FCALL", "e4", "0"),
            c("FCALL", "e5", "0"),
            c("FCALL", "e6", "1", "k", "a", "b"),
        }},
        {"flush-restore-help", new String[][] {
            c("FUNCTION", "FLUSH", "SYNC"),
            c("FUNCTION", "FLUSH", "ASYNC"),
            c("FUNCTION", "FLUSH", "BAD"),
            c("FUNCTION", "FLUSH", "SYNC", "X"),
            c("FUNCTION", "RESTORE", "x"),
            c("FUNCTION", "RESTORE", "x", "BAD"),
            c("FUNCTION", "RESTORE", "x", "FLUSH", "Y"),
            c("FUNCTION", "RESTORE"),
            c("FUNCTION", "DUMP", "X"),
            c("FUNCTION", "KILL"),
            c("FUNCTION", "HELP"),
            c("FUNCTION", "NOSUCH"),
            c("FUNCTION"),
            c("FCALL"),
            c("FCALL_RO", "x"),
        }},
    };
}
