package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * EVAL, EVALSHA and SCRIPT through a real client (Lettuce, RESP3 and RESP2) and raw transcripts:
 * the scripts applications run (a rate limiter, a lock, SET NX PX), EVALSHA falling back to EVAL,
 * conversions both ways, pcall's error tables, SELECT inside a script, atomicity against a second
 * connection, BUSY and SCRIPT KILL across connections, the sandbox. The comparison with
 * redis-server is in ScriptingCompatibilityTest.
 */
@ExtendWith(ServerExtension.class)
@ServerOptions({"busy_reply_threshold=150"})
class ScriptingCommandsTest {

    /** A sliding-window log on a list: at most LIMIT calls in WINDOW ms per key. */
    static final String RATE_LIMITER = """
            local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
            while true do
              local oldest = redis.call('LINDEX', key, -1)
              if not oldest or tonumber(oldest) > now - window then break end
              redis.call('RPOP', key)
            end
            if redis.call('LLEN', key) >= limit then return 0 end
            redis.call('LPUSH', key, now)
            redis.call('PEXPIRE', key, window)
            return 1
            """;

    @Test
    void eval_slidingWindowRateLimiter(RedisCommands<String, String> redis) {
        String[] key = {"rl:user1"};
        for (int i = 0; i < 3; i++) {
            assertEquals(1L, (Long) redis.eval(RATE_LIMITER, ScriptOutputType.INTEGER, key, "" + (1000 + i), "100", "3"));
        }
        assertEquals(0L, (Long) redis.eval(RATE_LIMITER, ScriptOutputType.INTEGER, key, "1050", "100", "3"));
        // 1000 and 1001 left the window at 1101; 1002 is still in it
        assertEquals(1L, (Long) redis.eval(RATE_LIMITER, ScriptOutputType.INTEGER, key, "1101", "100", "3"));
        assertEquals(List.of("1101", "1002"), redis.lrange("rl:user1", 0, -1));
        assertTrue(redis.pttl("rl:user1") > 0);
    }

    static final String UNLOCK = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """;

    @Test
    void eval_lockReleasedByCompareAndDelete(RedisCommands<String, String> redis) {
        String[] lock = {"lock:res"};
        assertEquals("OK", redis.eval("return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])",
                ScriptOutputType.STATUS, lock, "token-a", "30000"));
        // a second owner cannot take it: SET NX answers nil, which the script returns as nil
        assertNull(redis.eval("return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])",
                ScriptOutputType.STATUS, lock, "token-b", "30000"));
        long ttl = redis.pttl("lock:res");
        assertTrue(ttl > 29000 && ttl <= 30000, "ttl " + ttl);
        assertEquals(0L, (Long) redis.eval(UNLOCK, ScriptOutputType.INTEGER, lock, "token-b"));
        assertEquals("token-a", redis.get("lock:res"));
        assertEquals(1L, (Long) redis.eval(UNLOCK, ScriptOutputType.INTEGER, lock, "token-a"));
        assertEquals(0L, redis.exists("lock:res"));
    }

    @Test
    void evalsha_fallsBackToEvalOnNoscript(RedisCommands<String, String> redis) {
        String script = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
        String sha = redis.digest(script);
        redis.scriptFlush();
        assertEquals(List.of(false), redis.scriptExists(sha));
        RedisNoScriptException e = assertThrows(RedisNoScriptException.class,
                () -> redis.evalsha(sha, ScriptOutputType.INTEGER, new String[] {"n"}, "5"));
        assertEquals("NOSCRIPT No matching script. Please use EVAL.", e.getMessage());
        assertEquals(5L, (Long) redis.eval(script, ScriptOutputType.INTEGER, new String[] {"n"}, "5"));
        // EVAL cached it: EVALSHA now runs, in any letter case
        assertEquals(10L, (Long) redis.evalsha(sha, ScriptOutputType.INTEGER, new String[] {"n"}, "5"));
        assertEquals(15L, (Long) redis.evalsha(sha.toUpperCase(), ScriptOutputType.INTEGER, new String[] {"n"}, "5"));
        assertEquals(sha, redis.scriptLoad(script));
        assertEquals(List.of(true, false), redis.scriptExists(sha, "0000000000000000000000000000000000000000"));
    }

    @Test
    void eval_luaToRedisConversions(RawClient raw) {
        assertEquals(":3", raw.callText("EVAL", "return 3.99", "0"));
        assertEquals(":-3", raw.callText("EVAL", "return -3.99", "0"));
        assertEquals("$3.99", raw.callText("EVAL", "return '3.99'", "0"));
        assertEquals(":1", raw.callText("EVAL", "return true", "0"));
        assertEquals("(nil)", raw.callText("EVAL", "return false", "0"));
        assertEquals("(nil)", raw.callText("EVAL", "return nil", "0"));
        assertEquals("[:1, :2, $x]", raw.callText("EVAL", "return {1, 2, 'x', nil, 4}", "0"));
        assertEquals("+fine", raw.callText("EVAL", "return {ok='fine'}", "0"));
        assertEquals("-MY own error", raw.callText("EVAL", "return {err='MY own error'}", "0"));
        assertEquals("-ERR boom", raw.callText("EVAL", "return redis.error_reply('boom')", "0"));
        assertEquals("+st", raw.callText("EVAL", "return redis.status_reply('st')", "0"));
        assertEquals("[:1, [:2, [$3]]]", raw.callText("EVAL", "return {1, {2, {'3'}}}", "0"));
        // a RESP2 caller gets maps flattened and doubles as bulk strings
        assertEquals("[$a, :1]", raw.callText("EVAL", "return {map={a=1}}", "0"));
        assertEquals("$3.5", raw.callText("EVAL", "return {double=3.5}", "0"));
        raw.call("HELLO", "3");
        assertEquals("{$a=:1}", raw.callText("EVAL", "return {map={a=1}}", "0"));
        assertEquals("~[$a]", raw.callText("EVAL", "return {set={a=true}}", "0"));
        assertEquals(",3.5", raw.callText("EVAL", "return {double=3.5}", "0"));
        assertEquals("(12345678901234567890", raw.callText("EVAL", "return {big_number='12345678901234567890'}", "0"));
        // booleans: RESP3 booleans only when the script set RESP3 itself
        assertEquals("(nil)", raw.callText("EVAL", "return false", "0"));
        assertEquals("#f", raw.callText("EVAL", "redis.setresp(3) return false", "0"));
        assertEquals("#t", raw.callText("EVAL", "redis.setresp(3) return true", "0"));
    }

    @Test
    void eval_redisToLuaConversions(RawClient raw) {
        raw.call("RPUSH", "l", "a", "b");
        raw.call("HSET", "h", "f", "v");
        assertEquals("$number 2", raw.callText("EVAL", "return type(redis.call('LLEN', KEYS[1])) .. ' ' .. redis.call('LLEN', KEYS[1])", "1", "l"));
        assertEquals("$table OK", raw.callText("EVAL", "local r = redis.call('SET', 'k', 'v') return type(r) .. ' ' .. r.ok", "0"));
        assertEquals("$boolean false", raw.callText("EVAL", "local r = redis.call('GET', 'nokey') return type(r) .. ' ' .. tostring(r)", "0"));
        assertEquals("$2 a b", raw.callText("EVAL", "local r = redis.call('LRANGE', 'l', 0, -1) return #r .. ' ' .. r[1] .. ' ' .. r[2]", "0"));
        // RESP3 inside the script: maps, nulls, doubles
        assertEquals("$v", raw.callText("EVAL", "redis.setresp(3) return redis.call('HGETALL', 'h').map.f", "0"));
        assertEquals("$nil", raw.callText("EVAL", "redis.setresp(3) return tostring(redis.call('GET', 'nokey'))", "0"));
        assertEquals("$table 0", raw.callText("EVAL", "redis.setresp(3) local m = redis.call('HGETALL', 'nokey').map return type(m) .. ' ' .. #m", "0"));
        assertEquals("$1e+15 9.007199254741e+15 0.1", raw.callText("EVAL", "return tostring(1e15) .. ' ' .. tostring(2^53) .. ' ' .. tostring(0.1)", "0"));
        // Lua numbers past the integer range reply as C's cast gives them
        assertEquals(":-9223372036854775808", raw.callText("EVAL", "return 1/0", "0"));
        // numbers go to commands as %.17g
        raw.call("EVAL", "redis.call('SET', 'n', 0.1) redis.call('SET', 'm', 100)", "0");
        assertEquals("$0.10000000000000001", raw.callText("GET", "n"));
        assertEquals("$100", raw.callText("GET", "m"));
    }

    @Test
    void pcall_returnsErrorTables(RawClient raw) {
        raw.call("SET", "s", "notanumber");
        assertEquals("$ERR value is not an integer or out of range",
                raw.callText("EVAL", "local r = redis.pcall('INCR', 's') return r.err", "0"));
        assertEquals("-ERR value is not an integer or out of range",
                raw.callText("EVAL", "return redis.pcall('INCR', 's')", "0"));
        assertEquals("$ERR Unknown Redis command called from script",
                raw.callText("EVAL", "local ok, e = pcall(redis.call, 'nosuch') return e", "0"));
        assertEquals("$WRONGTYPE", raw.callText("EVAL", "redis.call('RPUSH', 'l', 1) local r = redis.pcall('GET', 'l') return string.sub(r.err, 1, 9)", "0"));
        String sha = RawClientShas.sha1("return redis.call('INCR', 's')");
        assertEquals("-ERR value is not an integer or out of range script: " + sha + ", on @user_script:1.",
                raw.callText("EVAL", "return redis.call('INCR', 's')", "0"));
    }

    @Test
    void eval_selectInsideScriptChangesOnlyTheScriptsClient(RawClient raw) {
        assertEquals("$in-db-3", raw.callText("EVAL", "redis.call('SELECT', 3) redis.call('SET', 'k', 'in-db-3') return redis.call('GET', 'k')", "0"));
        assertEquals("(nil)", raw.callText("GET", "k"));
        raw.call("SELECT", "3");
        assertEquals("$in-db-3", raw.callText("GET", "k"));
        // the next script starts in its caller's database again
        assertEquals(":3", raw.callText("EVAL", "return redis.call('DBSIZE') + 2", "0"));
        raw.call("FLUSHALL");
    }

    @Test
    void eval_isAtomicAgainstASecondConnection(EmbeddedServer server, RedisCommands<String, String> redis) throws Exception {
        // the script sets a, then spins for 100 ms by the server's clock, then sets b
        String script = """
                redis.call('SET', KEYS[1], '1')
                local t = redis.call('TIME')
                local start = t[1] * 1000000 + t[2]
                repeat
                  t = redis.call('TIME')
                until t[1] * 1000000 + t[2] - start > 100000
                redis.call('SET', KEYS[2], '1')
                return 1
                """;
        try (RawClient runner = new RawClient(server.host(), server.port())) {
            CompletableFuture<String> run = CompletableFuture.supplyAsync(() -> runner.callText("EVAL", script, "2", "a", "b"));
            while (!run.isDone()) {
                List<?> both = redis.mget("a", "b");
                long set = both.stream().filter(kv -> ((io.lettuce.core.KeyValue<?, ?>) kv).hasValue()).count();
                assertTrue(set == 0 || set == 2, "saw half a script: " + both);
            }
            assertEquals(":1", run.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void busy_thenScriptKill(EmbeddedServer server, RawClient other) throws Exception {
        try (RawClient runner = new RawClient(server.host(), server.port())) {
            CompletableFuture<String> run = CompletableFuture.supplyAsync(
                    () -> runner.callText("EVAL", "local i = 0 while true do i = i + 1 end", "0"));
            Thread.sleep(400);
            String busy = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
            assertEquals(busy, other.callText("PING"));
            assertEquals(busy, other.callText("GET", "k"));
            assertEquals(busy, other.callText("EVAL", "return 1", "0"));
            assertEquals("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
                    other.callText("FUNCTION", "KILL"));
            assertEquals("+OK", other.callText("SCRIPT", "KILL"));
            String killed = run.get(5, TimeUnit.SECONDS);
            assertTrue(killed.startsWith("-ERR Script killed by user with SCRIPT KILL... script: "), killed);
            assertEquals("+PONG", other.callText("PING"));
            assertEquals("-NOTBUSY No scripts in execution right now.", other.callText("SCRIPT", "KILL"));
        }
    }

    /**
     * Pipelined scripts queue behind one another (one hand-off per batch, not per script); a
     * command that is not a script waits for the scripts before it and sees their writes.
     */
    @Test
    void pipelinedScripts_runInOrder_andOtherCommandsSeeTheirWrites(RawClient raw) {
        String incr = "return redis.call('INCR', KEYS[1])";
        List<Object[]> pipeline = List.of(
                new Object[] {"EVAL", incr, "1", "pc"}, new Object[] {"EVAL", incr, "1", "pc"},
                new Object[] {"GET", "pc"},
                new Object[] {"EVAL", incr, "1", "pc"}, new Object[] {"EVALSHA", "0000000000000000000000000000000000000000", "0"},
                new Object[] {"eval_ro", "return redis.call('GET', KEYS[1])", "1", "pc"},
                new Object[] {"EVAL", incr, "1", "pc"}, new Object[] {"INCR", "pc"});
        raw.sendRaw(RawClient.encodeAll(pipeline));
        List<String> replies = new java.util.ArrayList<>();
        for (int i = 0; i < pipeline.size(); i++) {
            replies.add(RawClient.render(raw.read()));
        }
        assertEquals(List.of(":1", ":2", "$2", ":3", "-NOSCRIPT No matching script. Please use EVAL.", "$3", ":4", ":5"), replies);
    }

    /** Many connections pipelining scripts: every reply arrives, in order, and no increment is lost. */
    @Test
    void manyConnectionsPipeliningScripts_loseNothing(EmbeddedServer server) throws Exception {
        int connections = 20;
        int rounds = 50;
        int depth = 16;
        byte[] batch = RawClient.encodeAll(java.util.Collections.nCopies(depth,
                new Object[] {"EVAL", "return redis.call('INCR', KEYS[1])", "1", "many"}));
        List<CompletableFuture<Void>> runs = new java.util.ArrayList<>();
        for (int c = 0; c < connections; c++) {
            runs.add(CompletableFuture.runAsync(() -> {
                try (RawClient client = new RawClient(server.host(), server.port())) {
                    long last = 0;
                    for (int r = 0; r < rounds; r++) {
                        client.sendRaw(batch);
                        for (int i = 0; i < depth; i++) {
                            long v = Long.parseLong(RawClient.render(client.read()).substring(1));
                            assertTrue(v > last, "a connection's increments come back in order");
                            last = v;
                        }
                    }
                }
            }));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        try (RawClient check = new RawClient(server.host(), server.port())) {
            assertEquals("$" + connections * rounds * depth, check.callText("GET", "many"));
        }
    }

    /**
     * A busy script's own client pipelined another script behind it: Redis would not have read it
     * yet, so it runs after the busy one ends instead of getting BUSY, while another client's
     * script gets BUSY.
     */
    @Test
    void busyScript_theCallersPipelinedScriptWaits_anotherClientsGetsBusy(EmbeddedServer server, RawClient other) throws Exception {
        String spin = """
                local t = redis.call('TIME')
                local start = t[1] * 1000000 + t[2]
                repeat
                  t = redis.call('TIME')
                until t[1] * 1000000 + t[2] - start > 500000
                return 'spun'
                """;
        try (RawClient runner = new RawClient(server.host(), server.port())) {
            runner.sendRaw(RawClient.encodeAll(List.of(new Object[] {"EVAL", spin, "0"},
                    new Object[] {"EVAL", "return 'after'", "0"})));
            Thread.sleep(300);
            assertEquals("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
                    other.callText("EVAL", "return 1", "0"));
            assertEquals("$spun", RawClient.render(runner.read()));
            assertEquals("$after", RawClient.render(runner.read()));
        }
    }

    @Test
    void scriptKill_unkillableAfterAWrite(EmbeddedServer server, RawClient other) throws Exception {
        String script = """
                redis.call('SET', 'w', '1')
                local t = redis.call('TIME')
                local start = t[1] * 1000000 + t[2]
                repeat
                  t = redis.call('TIME')
                until t[1] * 1000000 + t[2] - start > 600000
                return 'done'
                """;
        try (RawClient runner = new RawClient(server.host(), server.port())) {
            CompletableFuture<String> run = CompletableFuture.supplyAsync(() -> runner.callText("EVAL", script, "0"));
            Thread.sleep(300);
            assertTrue(other.callText("SCRIPT", "KILL").startsWith("-UNKILLABLE Sorry the script already executed write commands"));
            assertEquals("$done", run.get(5, TimeUnit.SECONDS));
            assertEquals("$1", other.callText("GET", "w"));
        }
    }

    /**
     * SHUTDOWN NOSAVE stops a server stuck in a script that wrote (SCRIPT KILL refuses it): the
     * client that asked sees its connection close only once the port is closed, so it cannot
     * connect again and get BUSY (Redis's "SHUTDOWN NOSAVE can kill a timedout script anyway"
     * reconnects at once), and the script's thread stops with the server.
     */
    @Test
    void shutdownNosave_stopsAServerStuckInAScriptThatWrote() throws Exception {
        EmbeddedServer own = EmbeddedServer.builder().port(0).option("busy-reply-threshold", "100").start();
        try (RawClient runner = new RawClient(own.host(), own.port());
                RawClient other = new RawClient(own.host(), own.port())) {
            runner.send("EVAL", "redis.call('SET', 'x', 'y') while true do end", "0");
            Thread.sleep(300);
            assertTrue(other.callText("PING").startsWith("-BUSY"));
            assertTrue(other.callText("SCRIPT", "KILL").startsWith("-UNKILLABLE"));
            other.send("SHUTDOWN", "NOSAVE");
            assertTrue(other.isClosedByServer(), "connection closed, no reply");
            assertThrows(java.net.ConnectException.class, () -> new java.net.Socket(own.host(), own.port()).close());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (scriptThreadAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(scriptThreadAlive(), "the script stopped with the server");
        } finally {
            own.close();
        }
    }

    private static boolean scriptThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("damselfly-script") && t.isAlive() && t.getState() == Thread.State.RUNNABLE);
    }

    @Test
    void eval_blockingCommandAnswersAtOnce(RawClient raw) {
        // BLMPOP may run in a script (BLPOP and BLMOVE are noscript in 7.0): it does not wait
        long start = System.nanoTime();
        assertEquals("(nil)", raw.callText("EVAL", "return redis.call('BLMPOP', 0, 1, 'nolist', 'LEFT')", "0"));
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
        assertTrue(raw.callText("EVAL", "return redis.call('BLPOP', 'nolist', 0)", "0")
                .startsWith("-ERR This Redis command is not allowed from script script: "));
    }

    @Test
    void eval_readOnlyRefusesWrites(RedisCommands<String, String> redis, RawClient raw) {
        assertTrue(raw.callText("EVAL_RO", "return redis.call('SET', 'k', 'v')", "0")
                .startsWith("-ERR Write commands are not allowed from read-only scripts. script: "));
        assertEquals("-ERR Can not execute a script with write flag using *_ro command.",
                raw.callText("EVAL_RO", "#!lua\nreturn 1", "0"));
        assertEquals(":1", raw.callText("EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"));
        assertTrue(raw.callText("EVAL", "#!lua flags=no-writes\nreturn redis.call('DEL', 'k')", "0")
                .startsWith("-ERR Write commands are not allowed from read-only scripts. script: "));
        redis.set("k", "v");
        assertEquals("v", redis.evalReadOnly("return redis.call('GET', KEYS[1])".getBytes(), ScriptOutputType.VALUE, new String[] {"k"}));
    }

    @Test
    void sandbox_noGlobalsNoFilesNoOs(RawClient raw) {
        assertTrue(raw.callText("EVAL", "x = 1", "0").startsWith("-ERR user_script:1: Attempt to modify a readonly table script: "));
        assertTrue(raw.callText("EVAL", "return nope", "0")
                .startsWith("-ERR user_script:1: Script attempted to access nonexistent global variable 'nope' script: "));
        for (String lib : new String[] {"os", "io", "dofile", "loadfile", "print", "require", "package", "debug", "luajava"}) {
            assertTrue(raw.callText("EVAL", "return type(" + lib + ")", "0").contains("nonexistent global variable '" + lib + "'"), lib);
        }
        assertTrue(raw.callText("EVAL", "string.rep = nil", "0").contains("Attempt to modify a readonly table"));
        assertTrue(raw.callText("EVAL", "table.insert(redis, 1)", "0").contains("Attempt to modify a readonly table"));
        assertTrue(raw.callText("EVAL", "setmetatable(_G, nil)", "0").contains("Attempt to modify a readonly table"));
        assertEquals("$Lua 5.1", raw.callText("EVAL", "return _VERSION", "0"));
        assertEquals("$7.0.15 458767", raw.callText("EVAL", "return redis.REDIS_VERSION .. ' ' .. redis.REDIS_VERSION_NUM", "0"));
        assertEquals(":3", raw.callText("EVAL", "return select('#', unpack({1, 2, 3}))", "0"));
        // a local table is the script's own to change
        assertEquals(":2", raw.callText("EVAL", "local t = {} table.insert(t, 1) t.x = 1 return #t + t.x", "0"));
    }

    @Test
    void eval_garbageArguments(RawClient raw) {
        assertEquals("-ERR value is not an integer or out of range", raw.callText("EVAL", "return 1", "x"));
        assertEquals("-ERR Number of keys can't be greater than number of args", raw.callText("EVAL", "return 1", "2", "a"));
        assertEquals("-ERR Number of keys can't be negative", raw.callText("EVAL", "return 1", "-1"));
        assertEquals("-NOSCRIPT No matching script. Please use EVAL.", raw.callText("EVALSHA", "abc", "0"));
        assertEquals("-ERR wrong number of arguments for 'eval' command", raw.callText("EVAL", "return 1"));
        assertTrue(raw.callText("EVAL", "return 1 +", "0").startsWith("-ERR Error compiling script (new function): user_script:1: "));
        assertTrue(raw.callText("EVAL", "return 'abc", "0").startsWith("-ERR Error compiling script (new function): user_script:1: unfinished string"));
        assertEquals("-ERR Unexpected flag in script shebang: bad", raw.callText("EVAL", "#!lua flags=bad\nreturn 1", "0"));
        assertEquals("-ERR SCRIPT FLUSH only support SYNC|ASYNC option", raw.callText("SCRIPT", "FLUSH", "LATER"));
        assertEquals("+OK", raw.callText("SCRIPT", "FLUSH", "ASYNC"));
    }

    @Test
    void eval_resp2Client(@Resp2 RedisCommands<String, String> redis) {
        assertEquals(List.of(1L, "two"), redis.eval("return {1, 'two'}", ScriptOutputType.MULTI));
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class,
                () -> redis.eval("return redis.call('NOSUCH')", ScriptOutputType.STATUS));
        assertTrue(e.getMessage().startsWith("ERR Unknown Redis command called from script script: "));
    }

    @Test
    void info_countsCachedScripts(RawClient raw) {
        raw.call("SCRIPT", "FLUSH");
        raw.call("SCRIPT", "LOAD", "return 'a fairly long script body to count'");
        String info = raw.callText("INFO", "memory");
        assertTrue(info.contains("number_of_cached_scripts:1"), info);
        assertFalse(info.contains("used_memory_scripts_eval:0\r"), info);
        raw.call("SCRIPT", "FLUSH");
        assertTrue(raw.callText("INFO", "memory").contains("used_memory_scripts_eval:0"));
    }

    /** SHA1 of a script, as Redis names it. */
    static final class RawClientShas {
        static String sha1(String s) {
            try {
                return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                        .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }
    }
}
