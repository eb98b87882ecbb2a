package io.damselfly.server.scripting;

import java.lang.reflect.Field;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * Turns luaj's errors into the values Lua 5.1 (and so Redis) would carry.
 *
 * <p>luaj differs from Lua 5.1 in how it reports an error: it keeps the position ("@user_script:3")
 * apart from the message and, with the debug library loaded, glues a stack traceback onto the
 * message. Lua 5.1 puts the position in front of a string error ("user_script:3: boom") and
 * leaves a table error alone; Redis's error handler then adds the position as {@code source} and
 * {@code line} fields, which its replies quote ("... script: sha, on @user_script:3."). So the
 * engine raises its own errors as values ({@link Raised}, thrown by Redis's {@code error} and
 * redis.call), and reads luaj's own ones (runtime errors, library argument errors) back into
 * that form here: the message without the traceback, prefixed with the position. The position is
 * where luaj's innermost Lua function was when the error passed it, which is where Redis's
 * handler looks too (the caller of a C function that raised).
 *
 * <p>luaj keeps these parts in protected or private fields of LuaError without accessors; they are
 * read by reflection (the jar is on the class path, so no module boundary stands in the way).
 */
final class LuaErrors {
    private static final Field FILELINE = field("fileline");
    private static final Field TRACEBACK = field("traceback");
    private static final Field OBJECT = field("object");

    private LuaErrors() {
    }

    private static Field field(String name) {
        try {
            Field f = LuaError.class.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** An error raised with a value (Lua's {@code error(v, level)}, redis.call's error table). */
    static class Raised extends LuaError {
        final LuaValue value;
        final int level;

        Raised(LuaValue value, int level) {
            super(value == null ? LuaValue.NIL : value);
            this.value = value == null ? LuaValue.NIL : value;
            this.level = level;
        }
    }

    /** SCRIPT KILL / FUNCTION KILL stopping a script: no pcall catches it. */
    static final class Killed extends Raised {
        Killed() {
            this("ERR Script killed by user with SCRIPT KILL...");
        }

        Killed(String text) {
            super(errorTable(text), 0);
        }
    }

    /** A table {err = text}, as Redis's luaPushError builds it. */
    static LuaTable errorTable(String text) {
        LuaTable t = new LuaTable();
        t.rawset("err", LuaValue.valueOf(text));
        return t;
    }

    /**
     * The position the error passed, as luaj records it ("@user_script:3"), or {@code fallback}
     * when it passed no Lua function (raised by a function the script tail-called).
     */
    static String fileline(LuaError e, String fallback) {
        try {
            String where = (String) FILELINE.get(e);
            return where != null ? where : fallback;
        } catch (IllegalAccessException x) {
            return fallback;
        }
    }

    /**
     * The value the error carries, as Lua 5.1 would: a string error with its position in front,
     * and the VM's own errors in Lua 5.1's words ({@link RuntimeErrorNames}, from the failing
     * instruction {@code hook} saw; null where no script code ran, as for a compile error).
     */
    static LuaValue value(LuaError e, InstructionHook hook) {
        String fallbackWhere = hook == null ? null : hook.position();
        String where = fileline(e, fallbackWhere);
        String prefix = where == null ? "" : (where.startsWith("@") ? where.substring(1) : where) + ": ";
        if (e instanceof Raised r) {
            if (r.level > 0 && r.value.type() == LuaValue.TSTRING) {
                return LuaValue.valueOf(prefix + r.value.tojstring());
            }
            return r.value;
        }
        try {
            Object object = OBJECT.get(e);
            if (object instanceof LuaValue v && !(v.type() == LuaValue.TSTRING)) {
                return v;
            }
            // the bare message: drop luaj's traceback and position, read, restore
            Object fileline = FILELINE.get(e);
            Object traceback = TRACEBACK.get(e);
            FILELINE.set(e, null);
            TRACEBACK.set(e, null);
            String raw = e.getMessage();
            FILELINE.set(e, fileline);
            TRACEBACK.set(e, traceback);
            if (object instanceof LuaValue v) {
                return v;
            }
            return LuaValue.valueOf(prefix + (raw == null ? "nil" : hook == null ? raw : hook.lua51Message(raw)));
        } catch (IllegalAccessException x) {
            return LuaValue.valueOf(String.valueOf(e.getMessage()));
        }
    }
}
