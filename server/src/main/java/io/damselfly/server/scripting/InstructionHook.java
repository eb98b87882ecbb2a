package io.damselfly.server.scripting;

import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.DebugLib;

/**
 * Redis's count hook (luaMaskCountHook), and where the script is.
 *
 * <p>luaj calls its debug library on every call, return and instruction when one is installed.
 * This one keeps none of the full library's call frames. Every {@link #CHECK_INTERVAL}
 * instructions it asks the engine whether the running script was killed (SCRIPT KILL, FUNCTION
 * KILL) or a FUNCTION LOAD ran out of time, and if so raises the error that ends it; after that
 * the check runs on every instruction, so a script cannot outlive it. And it remembers the last
 * instruction run ({@link #position}): an error raised by a function a script tail-called
 * ({@code return redis.call(...)}) passes no Lua frame on its way out in luaj, so that is where
 * Redis's "on @user_script:N" comes from then. The sandbox removes the {@code debug} table from
 * the globals: scripts see no debug library, as in Redis.
 */
final class InstructionHook extends DebugLib {
    /** As Redis: lua_sethook(..., LUA_MASKCOUNT, 100000). */
    static final int CHECK_INTERVAL = 100_000;

    private final ScriptEngine engine;
    private int count;
    private Prototype[] frames = new Prototype[16];
    private int depth;
    private Prototype lastProto;
    private int lastPc;

    InstructionHook(ScriptEngine engine) {
        this.engine = engine;
    }

    @Override
    public void onCall(LuaClosure c, Varargs varargs, LuaValue[] stack) {
        if (depth == frames.length) {
            frames = java.util.Arrays.copyOf(frames, depth * 2);
        }
        frames[depth++] = c.p;
    }

    @Override
    public void onReturn() {
        if (depth > 0) {
            frames[--depth] = null;
        }
    }

    @Override
    public void onInstruction(int pc, Varargs v, int top) {
        if (depth > 0) {
            lastProto = frames[depth - 1];
            lastPc = pc;
        }
        if (++count >= CHECK_INTERVAL) {
            count = 0;
            if (engine.mustStop()) {
                count = CHECK_INTERVAL;
                engine.stop();
            }
        }
    }

    /** Starts a run: no frames, no position. */
    void reset() {
        java.util.Arrays.fill(frames, 0, depth, null);
        depth = 0;
        lastProto = null;
    }

    /** luaj's runtime error text {@code raw}, raised by the last instruction run, in Lua 5.1's words. */
    String lua51Message(String raw) {
        return RuntimeErrorNames.lua51(raw, lastProto, lastPc);
    }

    /** The source and line of the last instruction run ("@user_script:3"), or null. */
    String position() {
        Prototype p = lastProto;
        if (p == null) {
            return null;
        }
        int line = p.lineinfo != null && lastPc >= 0 && lastPc < p.lineinfo.length ? p.lineinfo[lastPc] : -1;
        return p.source.tojstring() + ":" + (line < 0 ? "?" : String.valueOf(line));
    }
}
