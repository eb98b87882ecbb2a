package io.damselfly.server.scripting.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.luaj.vm2.Varargs;

/** The Lua 5.1 names Redis scripts use, against redis-server 7.0.15's answers. */
class Lua51CompatTest {

    private final LuaHarness lua = new LuaHarness();

    @Test
    void scriptingTcl_unpackWithMassiveArguments() {
        // the TCL test passes unpack(a) to redis.call; here to select, which counts them
        lua.expect("7999", "(function() local a = {} for i = 1, 7999 do a[i] = 1 end return select('#', unpack(a)) end)()");
    }

    @Test
    void unpack_limitsAndArgumentsAsRedis() {
        lua.expectError("too many results to unpack",
            "function() local a = {} for i = 1, 8000 do a[i] = 1 end return unpack(a) end");
        lua.expectError("too many results to unpack", "unpack, (function() local a = {} for i = 1, 7998 do a[i] = 1 end return a end)(), 1, 7998");
        lua.expect("2 3", "table.concat({unpack({1, 2, 3}, 2)}, ' ')");
        lua.expect("3", "select('#', unpack({1, 2, 3}, -1, 1))");
        lua.expect("0", "select('#', unpack({}, 1, 2^40))");
        lua.expectError("bad argument #1 to 'unpack' (table expected, got string)", "unpack, 'x'");
        lua.expectError("bad argument #2 to 'unpack' (number expected, got string)", "unpack, {1, 2}, 'a'");
    }

    @Test
    void scriptingTcl_binaryCodeLoadingFails() {
        // Redis: "attempt to call a nil value" (the VM's wording, luaj's differs)
        String msg = lua.pcallError("function() return loadstring(string.dump(function() return 1 end))() end");
        assertTrue(msg.contains("attempt to call"), msg);
        Varargs r = lua.run("return loadstring(string.dump(function() return 1 end))");
        assertTrue(r.arg1().isnil());
        assertTrue(r.arg(2).tojstring().endsWith("\"]:1: unexpected symbol near 'char(27)'"), r.arg(2).tojstring());
    }

    @Test
    void loadstring_compilesText() {
        lua.expect("2", "loadstring('return 1+1')()");
        Varargs r = lua.run("return loadstring('x=')");
        assertTrue(r.arg1().isnil());
        // Redis: [string "x="]:1: unexpected symbol near '<eof>' (luaj words the syntax error its own way)
        assertTrue(r.arg(2).tojstring().startsWith("[string \"x=\"]:1:"), r.arg(2).tojstring());
        r = lua.run("return loadstring('error(\\'boom\\')', '=mychunk')");
        String boom = lua.g.get("pcall").invoke(r.arg1()).arg(2).tojstring();
        assertTrue(boom.contains("mychunk:1") && boom.endsWith("boom"), boom);
        lua.expectError("bad argument #1 to 'loadstring' (string expected, got table)", "loadstring, {}");
    }

    @Test
    void fiveOneNames() {
        lua.expect("1", "math.mod(7, 3)");
        lua.expect("-1.5", "math.mod(-7.5, 3)");
        lua.expect("2", "math.log10(100)");
        lua.expect("a", "string.gfind('a b', '%a')()");
        lua.expect("3", "table.getn({1, 2, 3})");
        lua.expect("5", "table.maxn({[5] = 1, x = 2})");
        lua.expect("0", "table.maxn({})");
        lua.expect("11", "table.foreach({10, 20}, function(k, v) return k + v end)");
        lua.expect("21", "table.foreachi({10, 20}, function(i, v) if i == 2 then return i + v - 1 end end)");
        lua.expect("Lua 5.1", "_VERSION");
        lua.expect("true", "gcinfo() > 0");
        lua.expectError("'setn' is obsolete", "table.setn, {}, 1");
        lua.expectError("bad argument #1 to 'getn' (table expected, got number)", "table.getn, 1");
        lua.expectError("bad argument #1 to 'mod' (number expected, got string)", "math.mod, 'x', 1");
    }

    @Test
    void librariesAreInstalledAsRedisGlobals() {
        for (String name : new String[] {"cjson", "cmsgpack", "bit", "struct"}) {
            assertEquals("table", lua.str("return type(" + name + ")"), name);
        }
        lua.expect("userdata", "type(cjson.null)");
    }
}
