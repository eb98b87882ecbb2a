package io.damselfly.server.scripting;

import io.damselfly.protocol.PrintfG;
import io.damselfly.server.scripting.lib.Lua51Compat;
import io.damselfly.server.scripting.lib.ScriptLibraries;
import java.util.IdentityHashMap;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.BaseLib;
import org.luaj.vm2.lib.CoroutineLib;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * Builds a sandboxed Lua state the way Redis 7.0 builds its own (luaLoadLibraries,
 * luaRegisterRedisAPI, scriptingInit in script_lua.c and eval.c).
 *
 * <p>What a script gets: the base library without dofile, loadfile and print (Redis's deny list)
 * and without 5.2's rawlen; table, string, math, coroutine; the {@code redis} table; the libraries
 * Redis adds (cjson, cmsgpack, bit, struct) and the Lua 5.1 names luaj lacks, through {@link
 * #installRedisLibraries}. What it does not get: io, os, package/require, luajava, the debug
 * library (loaded for the instruction hook, then removed, as Redis removes {@code debug} after
 * building its error handler). So a script reaches no file, process, class or network.
 *
 * <p>Redis's replacements: {@code pcall} returns a redis.call error's text rather than its table
 * (luaRedisPcall), {@code math.random} is Redis's lrand48-based generator, and
 * {@code collectgarbage} never runs a JVM-wide collection. Three more exist for luaj: {@code
 * error} raises its value as Lua 5.1 does (with the position in front of a string), {@code
 * xpcall} calls its handler with that value, and neither pcall nor xpcall catches a kill.
 *
 * <p>Protection, as Redis 7.0: every table reachable from the globals becomes a {@link
 * ReadOnlyTable}, the globals are a locked {@link SandboxGlobals}, and a missing global raises
 * "Script attempted to access nonexistent global variable". {@code _VERSION} says Lua 5.1, the
 * language Redis scripts are written for.
 */
final class LuaSandbox {
    private LuaSandbox() {
    }

    /** A state with the libraries and {@code redis} (not yet protected: see {@link #protect}). */
    static SandboxGlobals create(ScriptEngine engine, LuaTable redis) {
        SandboxGlobals g = new SandboxGlobals();
        g.load(new BaseLib());
        // the other libraries register in package.loaded; package and require are removed below
        g.load(new PackageLib());
        g.load(new TableLib());
        g.load(new StringLib());
        g.load(new JseMathLib());
        g.load(new CoroutineLib());
        g.hook = new InstructionHook(engine);
        g.load(g.hook);
        LoadState.install(g);
        LuaC.install(g);
        for (String denied : new String[] {"dofile", "loadfile", "print", "rawlen", "debug", "require", "package"}) {
            g.rawset(denied, LuaValue.NIL);
        }
        g.rawset("_VERSION", LuaValue.valueOf("Lua 5.1"));
        g.rawset("pcall", new PCall(g.hook));
        g.rawset("xpcall", new XPCall(g.hook));
        g.rawset("error", new Error());
        g.rawset("collectgarbage", new CollectGarbage());
        g.rawset("tostring", new ToString(g.rawget("tostring")));
        g.get("string").set("format", new StringFormat());
        g.get("table").set("concat", new TableConcat());
        LuaValue math = g.get("math");
        math.set("random", new Random(engine));
        math.set("randomseed", new RandomSeed(engine));
        if (redis != null) {
            g.rawset("redis", redis);
        }
        installRedisLibraries(g);
        return g;
    }

    /** The libraries Redis loads that luaj does not have, and the Lua 5.1 names scripts use. */
    private static void installRedisLibraries(Globals g) {
        ScriptLibraries.install(g);
        Lua51Compat.install(g);
    }

    /**
     * Locks {@code g}: its tables become read-only copies (the string metatable's too), a read of
     * a missing global raises Redis's error, and no global can be set or created.
     */
    static void protect(SandboxGlobals g) {
        Map<LuaTable, ReadOnlyTable> seen = new IdentityHashMap<>();
        for (LuaValue key : g.keys()) {
            LuaValue v = g.rawget(key);
            if (v instanceof LuaTable t && t != g) {
                g.rawset(key, readOnly(t, seen, g));
            }
        }
        LuaValue string = g.rawget("string");
        if (string.istable()) {
            ReadOnlyTable meta = new ReadOnlyTable();
            meta.rawset(LuaValue.INDEX, string);
            meta.lock();
            LuaString.s_metatable = meta;
        }
        g.setmetatable(missingGlobalMetatable());
        g.lock();
    }

    /** A locked metatable whose __index raises "Script attempted to access nonexistent global variable". */
    static ReadOnlyTable missingGlobalMetatable() {
        ReadOnlyTable meta = new ReadOnlyTable();
        meta.rawset(LuaValue.INDEX, new TwoArgFunction() {
            @Override
            public LuaValue call(LuaValue table, LuaValue key) {
                throw new LuaError("Script attempted to access nonexistent global variable '" + key.tojstring() + "'");
            }
        });
        meta.lock();
        return meta;
    }

    static ReadOnlyTable readOnly(LuaTable t, Map<LuaTable, ReadOnlyTable> seen, LuaTable globals) {
        if (t instanceof ReadOnlyTable r) {
            return r;
        }
        ReadOnlyTable copy = seen.get(t);
        if (copy != null) {
            return copy;
        }
        copy = new ReadOnlyTable();
        seen.put(t, copy);
        for (LuaValue key : t.keys()) {
            LuaValue v = t.rawget(key);
            if (v instanceof LuaTable inner && inner != globals) {
                v = readOnly(inner, seen, globals);
            }
            copy.rawset(key, v);
        }
        LuaValue meta = t.getmetatable();
        if (meta instanceof LuaTable m) {
            copy.setmetatable(readOnly(m, seen, globals));
        }
        copy.lock();
        return copy;
    }

    /** Redis's pcall: a caught error table with an {@code err} string gives that string. */
    static final class PCall extends VarArgFunction {
        private final InstructionHook hook;

        PCall(InstructionHook hook) {
            this.hook = hook;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaValue f = args.arg1();
            try {
                return varargsOf(TRUE, f.invoke(args.subargs(2)));
            } catch (LuaErrors.Killed k) {
                throw k;
            } catch (LuaError e) {
                LuaValue v = LuaErrors.value(e, hook);
                if (v.istable()) {
                    LuaValue err = v.rawget("err");
                    if (err.isstring()) {
                        v = err;
                    }
                }
                return varargsOf(FALSE, v);
            } catch (StackOverflowError e) {
                return varargsOf(FALSE, valueOf(where(hook) + "stack overflow"));
            }
        }
    }

    /** "user_script:3: ", the position Lua puts in front of a runtime error, or "" when unknown. */
    static String where(InstructionHook hook) {
        String p = hook.position();
        return p == null ? "" : (p.startsWith("@") ? p.substring(1) : p) + ": ";
    }

    /** Lua 5.1's xpcall(f, handler): the handler gets the error value, as Lua 5.1 passes it. */
    static final class XPCall extends VarArgFunction {
        private final InstructionHook hook;

        XPCall(InstructionHook hook) {
            this.hook = hook;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaValue f = args.arg1();
            LuaValue handler = args.arg(2);
            try {
                return varargsOf(TRUE, f.invoke(args.subargs(3)));
            } catch (LuaErrors.Killed k) {
                throw k;
            } catch (LuaError e) {
                return varargsOf(FALSE, handler.call(LuaErrors.value(e, hook)));
            } catch (StackOverflowError e) {
                return varargsOf(FALSE, handler.call(valueOf(where(hook) + "stack overflow")));
            }
        }
    }

    /** error(message [, level]): raises the value itself, a string with its position in front. */
    static final class Error extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            throw new LuaErrors.Raised(args.arg1(), args.optint(2, 1));
        }
    }

    /**
     * tostring as Lua 5.1's: numbers printed with LUAI_NUMFFORMAT "%.14g" (1e+15, -0, 1e+100),
     * where luaj prints integral doubles whole; everything else as luaj's own tostring.
     */
    static final class ToString extends VarArgFunction {
        private final LuaValue luaj;

        ToString(LuaValue luaj) {
            this.luaj = luaj;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaValue v = args.arg1();
            if (v.type() == TNUMBER) {
                return valueOf(number51(v.todouble()));
            }
            return luaj.invoke(args);
        }
    }

    /** A number as Lua 5.1 writes it (LUAI_NUMFFORMAT "%.14g"), where luaj would write "3.0E-4". */
    static String number51(double d) {
        return Double.isNaN(d) ? "nan" : PrintfG.format(d, 14);
    }

    /**
     * table.concat with Lua 5.1's number text (luaj writes 0.0003 as "3.0E-4") and its error:
     * {@code table.concat(list [, sep [, i [, j]]])}.
     */
    static final class TableConcat extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = args.checktable(1);
            LuaString sep = args.optstring(2, LuaString.valueOf(""));
            int from = args.optint(3, 1);
            int to = args.isnoneornil(4) ? t.length() : args.checkint(4);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (int k = from; k <= to; k++) {
                LuaValue v = t.get(k);
                if (v.type() == TNUMBER) {
                    byte[] text = number51(v.todouble()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    out.write(text, 0, text.length);
                } else if (v.type() == TSTRING) {
                    LuaString s = v.checkstring();
                    out.write(s.m_bytes, s.m_offset, s.m_length);
                } else {
                    throw new LuaError("invalid value (" + v.typename() + ") at index " + k + " in table for 'concat'");
                }
                if (k < to) {
                    out.write(sep.m_bytes, sep.m_offset, sep.m_length);
                }
            }
            return LuaString.valueOf(out.toByteArray());
        }
    }

    /** collectgarbage: counts, never collects (a JVM-wide collection is not a script's to start). */
    static final class CollectGarbage extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            String opt = args.optjstring(1, "collect");
            if (opt.equals("count")) {
                Runtime rt = Runtime.getRuntime();
                return valueOf((rt.totalMemory() - rt.freeMemory()) / 1024.0);
            }
            return valueOf(0);
        }
    }

    /** math.random as Redis's (lrand48, so the sequence is the same on every platform). */
    static final class Random extends VarArgFunction {
        private final ScriptEngine engine;

        Random(ScriptEngine engine) {
            this.engine = engine;
        }

        @Override
        public Varargs invoke(Varargs args) {
            double r = (engine.lrand48() % Rand48.MAX) / (double) Rand48.MAX;
            switch (args.narg()) {
                case 0:
                    return valueOf(r);
                case 1: {
                    int u = args.checkint(1);
                    if (u < 1) {
                        throw new LuaError("bad argument #1 to 'random' (interval is empty)");
                    }
                    return valueOf(Math.floor(r * u) + 1);
                }
                case 2: {
                    int l = args.checkint(1);
                    int u = args.checkint(2);
                    if (l > u) {
                        throw new LuaError("bad argument #2 to 'random' (interval is empty)");
                    }
                    return valueOf(Math.floor(r * (u - l + 1)) + l);
                }
                default:
                    throw new LuaError("wrong number of arguments");
            }
        }
    }

    static final class RandomSeed extends OneArgFunction {
        private final ScriptEngine engine;

        RandomSeed(ScriptEngine engine) {
            this.engine = engine;
        }

        @Override
        public LuaValue call(LuaValue seed) {
            engine.srand48(seed.checkint());
            return NONE;
        }
    }

    /** Redis's rand.c: the 48-bit linear congruential generator of lrand48, 31-bit results. */
    static final class Rand48 {
        static final long MAX = Integer.MAX_VALUE;
        private static final long A = 0x5DEECE66DL;
        private static final long C = 0xB;
        private static final long MASK = (1L << 48) - 1;
        private long x = 0x1234ABCD330EL;

        synchronized long next() {
            x = (A * x + C) & MASK;
            return x >>> 17;
        }

        synchronized void seed(int s) {
            x = (((long) s & 0xFFFFFFFFL) << 16 | 0x330E) & MASK;
        }
    }
}
