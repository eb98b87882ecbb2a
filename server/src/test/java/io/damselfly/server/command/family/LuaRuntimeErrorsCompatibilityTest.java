package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Lua VM's runtime errors (calling or indexing nil, arithmetic, concatenation, comparison,
 * length) in Lua 5.1's words, as redis-server's scripts report them, naming the local, global,
 * field, method or upvalue involved, and table.concat's number text and errors: each script's EVAL
 * reply compared with a real redis-server 7.0.15, byte for byte (the script's sha and position
 * included).
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class LuaRuntimeErrorsCompatibilityTest {
    private static final List<String> SCRIPTS = List.of(
            "local t = nil; t.x = 1",
            "local t; return t.x",
            "return undefinedfn()",
            "local r = {} ; r.f()",
            "return redis_x.y",
            "local x; return x + 1",
            "return nil .. 'a'",
            "return {} < {}",
            "return #nil",
            "local s = 'a'; s:nomethod()",
            "return math.nofn(1)",
            "local a = 1; local b; return a + b",
            "local t = {}; return t.a.b",
            "local up; local function f() return up.x end; return f()",
            "local function g(t) return t.a.b end; return g({})",
            "return pcall(function() local z; return z() end)",
            "local ok, err = pcall(function() return nil + 1 end); return err",
            "local t = {}; t.a.b = 1",
            "local t = {1}; return t[1].x",
            "local s = 'x'; return -s",
            "local x; return -x",
            "return ('a') .. {}",
            "return 1 < 'x'",
            "local t = setmetatable({}, {}); return t()",
            "local n = 5; return n()",
            "return string.nofn('a')",
            "local t = {}; for i = 1, 3 do t = t.next end",
            "return redis.nocall('get', 'x')",
            "return 'x' < 1",
            "return 1 <= {}",
            "local a = {}; return a > 2",
            "return nil < 1",
            "return table.concat(cjson.decode(\"[0.0, -5e3, -1, 0.3e-3, 1023.2, 0e10]\"), \" \")",
            "return table.concat({\"a\", 1e100, 2^53}, \"-\")",
            "return table.concat({1,2,3}, \", \", 2, 5)",
            "return table.concat({1,{},3})");

    @Test
    void runtimeErrorsReadAsInRedis(EmbeddedServer damselfly, RedisServerProcess redis) {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            for (String script : SCRIPTS) {
                assertEquals(ref.callText("EVAL", script, "0"), ours.callText("EVAL", script, "0"), script);
            }
        }
    }
}
