package io.damselfly.server.scripting.lib;

import java.io.ByteArrayInputStream;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * What Redis scripts, written for Lua 5.1, find in Redis's Lua and luaj's Lua 5.2 lacks.
 *
 * <p>Checked against redis-server 7.0.15: its scripts can call {@code unpack}, {@code loadstring},
 * {@code gcinfo}, {@code math.mod}, {@code math.log10}, {@code string.gfind}, {@code table.getn},
 * {@code table.setn}, {@code table.maxn}, {@code table.foreach} and {@code table.foreachi}, and
 * {@code _VERSION} is "Lua 5.1". They cannot reach {@code getfenv}, {@code setfenv} or
 * {@code newproxy} (Redis's sandbox leaves them out), nor {@code loadfile}/{@code dofile}, so those
 * are not added. Not removed here either: what 5.2 has and 5.1 had not ({@code table.pack},
 * {@code table.unpack}, {@code rawlen}, {@code load} of binary chunks...) is for the sandbox
 * that builds the globals to drop.
 *
 * <p>{@code unpack} is Lua 5.1's, with its limit of about 8000 results, not luaj's
 * {@code table.unpack}. {@code loadstring} compiles text only: Redis refuses precompiled chunks (its test "Binary code
 * loading failed"), answering nil and a syntax error, as here.
 */
public final class Lua51Compat {

    private Lua51Compat() {
    }

    /** Adds the Lua 5.1 names listed in the class comment to {@code g} and its libraries. */
    public static void install(Globals g) {
        LuaTable table = g.get("table").checktable();
        LuaTable string = g.get("string").checktable();
        LuaTable math = g.get("math").checktable();

        g.set("unpack", LuaArgs.function("unpack", Lua51Compat::unpack));
        g.set("loadstring", LuaArgs.function("loadstring", a -> loadstring(g, a)));
        g.set("gcinfo", LuaArgs.function("gcinfo", a -> {
            Runtime rt = Runtime.getRuntime();
            return LuaValue.valueOf((int) Math.min(Integer.MAX_VALUE, (rt.totalMemory() - rt.freeMemory()) / 1024));
        }));
        g.set("_VERSION", "Lua 5.1");

        math.set("mod", LuaArgs.function("mod", a -> {
            double x = LuaArgs.checkNumber(a, 1, "mod");
            return LuaValue.valueOf(x % LuaArgs.checkNumber(a, 2, "mod")); // Java's % on doubles is C's fmod
        }));
        if (math.get("log10").isnil()) {
            math.set("log10", LuaArgs.function("log10", a -> LuaValue.valueOf(Math.log10(LuaArgs.checkNumber(a, 1, "log10")))));
        }
        string.set("gfind", string.get("gmatch"));

        table.set("getn", LuaArgs.function("getn", a -> LuaValue.valueOf(checkTable(a, 1, "getn").rawlen())));
        table.set("setn", LuaArgs.function("setn", a -> {
            checkTable(a, 1, "setn");
            throw new LuaError("'setn' is obsolete");
        }));
        table.set("maxn", LuaArgs.function("maxn", a -> {
            LuaTable t = checkTable(a, 1, "maxn");
            double max = 0;
            LuaValue k = LuaValue.NIL;
            while (!(k = t.next(k).arg1()).isnil()) {
                if (k.type() == LuaValue.TNUMBER && k.todouble() > max) {
                    max = k.todouble();
                }
            }
            return LuaValue.valueOf(max);
        }));
        table.set("foreach", LuaArgs.function("foreach", a -> {
            LuaTable t = checkTable(a, 1, "foreach");
            LuaValue f = checkFunction(a, 2, "foreach");
            LuaValue k = LuaValue.NIL;
            while (true) {
                Varargs entry = t.next(k);
                k = entry.arg1();
                if (k.isnil()) {
                    return LuaValue.NONE;
                }
                LuaValue r = f.call(k, entry.arg(2));
                if (!r.isnil()) {
                    return r;
                }
            }
        }));
        table.set("foreachi", LuaArgs.function("foreachi", a -> {
            LuaTable t = checkTable(a, 1, "foreachi");
            LuaValue f = checkFunction(a, 2, "foreachi");
            int n = t.rawlen();
            for (int i = 1; i <= n; i++) {
                LuaValue r = f.call(LuaValue.valueOf(i), t.rawget(i));
                if (!r.isnil()) {
                    return r;
                }
            }
            return LuaValue.NONE;
        }));
    }

    /**
     * unpack(list [, i [, j]]): list[i] .. list[j] (raw reads), j defaulting to #list; more results
     * than Lua 5.1's 8000-slot stack holds is "too many results to unpack", as in Redis.
     */
    private static Varargs unpack(Varargs a) {
        LuaTable t = checkTable(a, 1, "unpack");
        int i = (int) LuaArgs.optInteger(a, 2, "unpack", 1);
        int e = a.arg(3).isnil() ? t.rawlen() : (int) LuaArgs.checkInteger(a, 3, "unpack");
        if (i > e) {
            return LuaValue.NONE;
        }
        long n = (long) e - i + 1;
        if (n >= Integer.MAX_VALUE || a.narg() + n > LuaArgs.MAX_C_STACK) {
            throw new LuaError("too many results to unpack");
        }
        LuaValue[] values = new LuaValue[(int) n];
        for (int k = 0; k < n; k++) {
            values[k] = t.rawget(i + k);
        }
        return LuaValue.varargsOf(values);
    }

    private static LuaTable checkTable(Varargs a, int arg, String fname) {
        if (!a.arg(arg).istable()) {
            throw LuaArgs.typeError(a, arg, fname, "table");
        }
        return a.arg(arg).checktable();
    }

    private static LuaValue checkFunction(Varargs a, int arg, String fname) {
        if (!a.arg(arg).isfunction()) {
            throw LuaArgs.typeError(a, arg, fname, "function");
        }
        return a.arg(arg);
    }

    /** loadstring(s [, chunkname]): the compiled chunk, or nil and the error message. */
    private static Varargs loadstring(Globals g, Varargs a) {
        LuaString source = LuaArgs.checkString(a, 1, "loadstring");
        LuaString name = a.arg(2).isnil() ? source : LuaArgs.checkString(a, 2, "loadstring");
        if (source.length() > 0 && source.luaByte(0) == 0x1b) {
            return LuaValue.varargsOf(LuaValue.NIL,
                LuaValue.valueOf(chunkId(name.tojstring()) + ":1: unexpected symbol near 'char(27)'"));
        }
        try {
            // luaj formats compile errors with the chunk name the way Lua 5.1 does
            return g.load(new ByteArrayInputStream(source.m_bytes, source.m_offset, source.m_length), name.tojstring(), "t", g);
        } catch (LuaError e) {
            return LuaValue.varargsOf(LuaValue.NIL, e.getMessageObject());
        }
    }

    /**
     * Lua 5.1's display name of a chunk (luaO_chunkid): "=name" and "@name" without their marker,
     * anything else as [string "first line..."].
     */
    static String chunkId(String name) {
        if (name.startsWith("=") || name.startsWith("@")) {
            return name.substring(1);
        }
        String s = name;
        int nl = s.indexOf('\n');
        boolean cut = nl >= 0;
        if (cut) {
            s = s.substring(0, nl);
        }
        if (s.length() > 40) {
            s = s.substring(0, 40);
            cut = true;
        }
        return "[string \"" + s + (cut ? "...\"]" : "\"]");
    }
}
