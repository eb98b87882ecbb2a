package io.damselfly.server.scripting.lib;

import io.damselfly.protocol.PrintfG;
import java.util.function.Function;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Argument checking with Lua 5.1's auxiliary-library semantics and error texts, shared by the
 * libraries of this package.
 *
 * <p>luaj's own checks speak Lua 5.2 ("bad argument #1 (number expected, got nil)" without a
 * function name, numbers formatted by Java); Redis scripts see Lua 5.1's lauxlib:
 * {@code bad argument #1 to 'encode' (expected 1 argument)}. Lua 5.1 takes the function name
 * from the call site (the field name for {@code cjson.encode(...)}, a local's name, or {@code ?}
 * under {@code pcall(f, ...)}); luaj cannot see the call site, so we always name the library
 * function, which is what the common direct call shows.
 *
 * <p>Errors are raised as {@code new LuaError(String)} (level 1): luaj then prefixes the position
 * of the calling Lua code, as Lua 5.1's {@code luaL_error} does with {@code luaL_where(L, 1)},
 * and adds nothing when the caller is {@code pcall} itself.
 */
final class LuaArgs {

    /**
     * The most stack slots Lua 5.1 lets one C function use ({@code LUAI_MAXCSTACK} in luaconf.h).
     * The C libraries answer "stack overflow (...)" when they would pass it; we count the slots
     * they would use and answer the same, which also bounds the work and nesting of every decoder.
     */
    static final int MAX_C_STACK = 8000;

    /**
     * The largest string an encoder here builds: 512 MB, Redis's default proto-max-bulk-len, the
     * largest bulk string it accepts anyway. The C libraries have no limit and would exhaust the
     * process's memory (cmsgpack re-expands a shared subtable at every reference down to 16
     * levels, so a few small tables can ask for terabytes); past this we answer Lua's own
     * allocation-failure error instead of risking the JVM's heap.
     */
    static final int MAX_ENCODED_BYTES = 512 << 20;

    private LuaArgs() {
    }

    /** "not enough memory" (Lua's LUA_ERRMEM text) once {@code out} passes MAX_ENCODED_BYTES. */
    static void checkEncodedSize(java.io.ByteArrayOutputStream out) {
        if (out.size() > MAX_ENCODED_BYTES) {
            throw new LuaError("not enough memory");
        }
    }

    /** A Lua function named {@code name} (for error messages and tostring) running {@code body}. */
    static LuaValue function(String name, Function<Varargs, Varargs> body) {
        return new VarArgFunction() {
            {
                this.name = name;
            }

            @Override
            public Varargs invoke(Varargs args) {
                try {
                    return body.apply(args);
                } catch (StackOverflowError e) {
                    // Every decoder here is iterative and every encoder is depth-bounded; this is a
                    // last guard so that no Java error escapes into the script engine.
                    throw new LuaError("stack overflow");
                }
            }
        };
    }

    /** {@code bad argument #arg to 'fname' (msg)}, as luaL_argerror. */
    static LuaError argError(int arg, String fname, String msg) {
        return new LuaError("bad argument #" + arg + " to '" + fname + "' (" + msg + ")");
    }

    /** {@code bad argument #arg to 'fname' (expected expected, got type)}, as luaL_typerror. */
    static LuaError typeError(Varargs args, int arg, String fname, String expected) {
        return argError(arg, fname, expected + " expected, got " + typeName(args, arg));
    }

    /** Lua's type name of argument {@code arg}, "no value" past the last argument. */
    static String typeName(Varargs args, int arg) {
        return arg > args.narg() ? "no value" : args.arg(arg).typename();
    }

    /** luaL_checknumber: a number, or a string that converts to one. */
    static double checkNumber(Varargs args, int arg, String fname) {
        LuaValue v = args.arg(arg);
        if (v.type() == LuaValue.TNUMBER) {
            return v.todouble();
        }
        if (v.type() == LuaValue.TSTRING) {
            Double n = stringToNumber(v.checkstring());
            if (n != null) {
                return n;
            }
        }
        throw typeError(args, arg, fname, "number");
    }

    /** lua_isnumber: a number, or a string that converts to one. */
    static boolean isNumber(LuaValue v) {
        return v.type() == LuaValue.TNUMBER || (v.type() == LuaValue.TSTRING && stringToNumber(v.checkstring()) != null);
    }

    /** lua_tonumber for a value {@link #isNumber} accepts. */
    static double toNumber(LuaValue v) {
        return v.type() == LuaValue.TNUMBER ? v.todouble() : stringToNumber(v.checkstring());
    }

    /**
     * Lua 5.1's string-to-number coercion (luaO_str2d): strtod on the C string, so the text ends at
     * the first NUL, leading and trailing whitespace is allowed, and hex, "inf" and "nan" convert;
     * null when the string is not a number.
     */
    static Double stringToNumber(LuaString s) {
        int len = s.indexOf((byte) 0, 0);
        int end = len < 0 ? s.length() : len;
        java.util.function.IntUnaryOperator at = i -> i < end ? s.luaByte(i) : 0;
        int p = 0;
        while (isSpace(at.applyAsInt(p))) {
            p++;
        }
        int stop = Strtod.scan(at, p);
        if (stop == p) {
            return null;
        }
        double value = Strtod.parse(at, p, stop);
        int q = stop;
        while (isSpace(at.applyAsInt(q))) {
            q++;
        }
        return q == end ? value : null;
    }

    private static boolean isSpace(int c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /**
     * luaL_checkinteger: as {@link #checkNumber}, truncated toward zero to a 64-bit
     * {@code lua_Integer} (out-of-range values saturate, where C would be undefined).
     */
    static long checkInteger(Varargs args, int arg, String fname) {
        return (long) checkNumber(args, arg, fname);
    }

    /** luaL_optinteger: {@code def} when the argument is absent or nil. */
    static long optInteger(Varargs args, int arg, String fname, long def) {
        return args.arg(arg).isnil() ? def : checkInteger(args, arg, fname);
    }

    /** luaL_checklstring: a string, or a number converted with Lua 5.1's "%.14g". */
    static LuaString checkString(Varargs args, int arg, String fname) {
        LuaValue v = args.arg(arg);
        if (v.type() == LuaValue.TSTRING) {
            return v.checkstring();
        }
        if (v.type() == LuaValue.TNUMBER) {
            return LuaString.valueOf(PrintfG.format(v.todouble(), 14));
        }
        throw typeError(args, arg, fname, "string");
    }

    /** A Lua number from a Java double (luaj picks its integer representation when exact). */
    static LuaValue number(double d) {
        return LuaValue.valueOf(d);
    }

    /**
     * The number syntax of glibc's strtod, which Lua CJSON uses: optional sign, then "inf",
     * "infinity", "nan", "nan(chars)" (any case), a hex float (0x..., optional p exponent), or a
     * decimal with optional fraction and exponent. Conversion goes through Java's correctly
     * rounded parser, as glibc's strtod is correctly rounded.
     */
    static final class Strtod {
        private Strtod() {
        }

        private static boolean digit(int c) {
            return c >= '0' && c <= '9';
        }

        private static boolean hexDigit(int c) {
            return digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
        }

        private static boolean word(java.util.function.IntUnaryOperator at, int p, String w) {
            for (int i = 0; i < w.length(); i++) {
                if ((at.applyAsInt(p + i) | 0x20) != w.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        /** The end of the number starting at {@code start}, or {@code start} when there is none. */
        static int scan(java.util.function.IntUnaryOperator at, int start) {
            int p = start;
            if (at.applyAsInt(p) == '+' || at.applyAsInt(p) == '-') {
                p++;
            }
            if (word(at, p, "inf")) {
                p += 3;
                return word(at, p, "inity") ? p + 5 : p;
            }
            if (word(at, p, "nan")) {
                p += 3;
                if (at.applyAsInt(p) == '(') {
                    int q = p + 1;
                    while (digit(at.applyAsInt(q)) || Character.isLetter(at.applyAsInt(q)) && at.applyAsInt(q) < 0x80
                        || at.applyAsInt(q) == '_') {
                        q++;
                    }
                    if (at.applyAsInt(q) == ')') {
                        p = q + 1;
                    }
                }
                return p;
            }
            if (at.applyAsInt(p) == '0' && (at.applyAsInt(p + 1) | 0x20) == 'x') {
                int q = p + 2;
                int digits = 0;
                while (hexDigit(at.applyAsInt(q))) {
                    q++;
                    digits++;
                }
                if (at.applyAsInt(q) == '.') {
                    q++;
                    while (hexDigit(at.applyAsInt(q))) {
                        q++;
                        digits++;
                    }
                }
                if (digits == 0) {
                    return p + 1; // just the "0"
                }
                return exponent(at, q, 'p');
            }
            int q = p;
            int digits = 0;
            while (digit(at.applyAsInt(q))) {
                q++;
                digits++;
            }
            if (at.applyAsInt(q) == '.') {
                q++;
                while (digit(at.applyAsInt(q))) {
                    q++;
                    digits++;
                }
            }
            if (digits == 0) {
                return start;
            }
            return exponent(at, q, 'e');
        }

        private static int exponent(java.util.function.IntUnaryOperator at, int p, char marker) {
            if ((at.applyAsInt(p) | 0x20) != marker) {
                return p;
            }
            int r = p + 1;
            if (at.applyAsInt(r) == '+' || at.applyAsInt(r) == '-') {
                r++;
            }
            if (!digit(at.applyAsInt(r))) {
                return p;
            }
            while (digit(at.applyAsInt(r))) {
                r++;
            }
            return r;
        }

        /** The value of the number {@link #scan} found between {@code start} and {@code end}. */
        static double parse(java.util.function.IntUnaryOperator at, int start, int end) {
            StringBuilder sb = new StringBuilder(end - start + 2);
            for (int i = start; i < end; i++) {
                sb.append((char) at.applyAsInt(i));
            }
            String s = sb.toString();
            boolean negative = s.startsWith("-");
            String body = (negative || s.startsWith("+")) ? s.substring(1) : s;
            String lower = body.toLowerCase(java.util.Locale.ROOT);
            double v;
            if (lower.startsWith("inf")) {
                v = Double.POSITIVE_INFINITY;
            } else if (lower.startsWith("nan")) {
                v = Double.NaN;
            } else if (lower.startsWith("0x")) {
                v = Double.parseDouble(lower.indexOf('p') >= 0 ? lower : lower + "p0");
            } else {
                v = Double.parseDouble(body);
            }
            return negative ? -v : v;
        }
    }
}
