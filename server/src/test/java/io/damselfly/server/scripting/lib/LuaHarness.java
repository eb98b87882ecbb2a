package io.damselfly.server.scripting.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.jse.JsePlatform;

/** A plain luaj Globals with Redis's script libraries and the Lua 5.1 names installed. */
final class LuaHarness {

    /** Lua that hex-encodes a string, for comparing binary results with redis-server's. */
    static final String HEX = "local function hx(s) local h = '' for i = 1, #s do "
        + "h = h .. string.format('%02x', string.byte(s, i)) end return h end\n";

    final Globals g;

    LuaHarness() {
        g = JsePlatform.standardGlobals();
        ScriptLibraries.install(g);
        Lua51Compat.install(g);
    }

    /** Runs {@code script} as a chunk and returns all its results. */
    Varargs run(String script) {
        return g.load(HEX + script, "=user_script").invoke();
    }

    /** The first result of {@code script}. */
    LuaValue eval(String script) {
        return run(script).arg1();
    }

    /** The first result of {@code script} as a Java string (tostring semantics). */
    String str(String script) {
        return eval(script).tojstring();
    }

    /** Asserts that {@code expression} answers the Lua string {@code expected}. */
    void expect(String expected, String expression) {
        assertEquals(expected, str("return " + expression), expression);
    }

    /**
     * The message of the error {@code call} raises, taken through pcall as a script sees it
     * ({@code call} is "f, args" as pcall's arguments).
     */
    String pcallError(String call) {
        Varargs r = run("return pcall(" + call + ")");
        assertEquals(LuaValue.FALSE, r.arg1(), () -> "pcall(" + call + ") succeeded with " + r.arg(2));
        return r.arg(2).tojstring();
    }

    /** Asserts that {@code pcall(call)} fails with exactly {@code message}. */
    void expectError(String message, String call) {
        assertEquals(message, pcallError(call), call);
    }
}
