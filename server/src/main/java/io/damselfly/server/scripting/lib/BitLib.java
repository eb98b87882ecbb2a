package io.damselfly.server.scripting.lib;

import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;

/**
 * The {@code bit} library Redis embeds (LuaBitOp 1.0, deps/lua/src/lua_bit.c): 32-bit operations
 * on Lua numbers, every result a signed 32-bit integer.
 *
 * <p>Arguments are normalised as LuaBitOp does on a double-number Lua: add 2^52 + 2^51 and keep
 * the low 32 bits of the IEEE-754 representation. That rounds to the nearest integer, ties to
 * even ({@code tobit(2.5) == 2}), and reduces modulo 2^32 ({@code tobit(2^32 + 5) == 5});
 * NaN and infinities become 0. Shift counts are taken modulo 32.
 */
public final class BitLib extends TwoArgFunction {

    /** 2^52 + 2^51: adding it leaves the integer part of the sum in the mantissa's low bits. */
    private static final double NORMALISER = 6755399441055744.0;

    private static final String HEX_LOWER = "0123456789abcdef";
    private static final String HEX_UPPER = "0123456789ABCDEF";

    /** Installs {@code bit} into {@code env} and returns the library table. */
    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        LuaTable bit = create();
        env.set("bit", bit);
        return bit;
    }

    /** A fresh {@code bit} table. */
    public static LuaTable create() {
        LuaTable t = new LuaTable();
        t.set("tobit", LuaArgs.function("tobit", a -> result(arg(a, 1, "tobit"))));
        t.set("bnot", LuaArgs.function("bnot", a -> result(~arg(a, 1, "bnot"))));
        t.set("band", LuaArgs.function("band", a -> {
            int b = arg(a, 1, "band");
            for (int i = a.narg(); i > 1; i--) {
                b &= arg(a, i, "band");
            }
            return result(b);
        }));
        t.set("bor", LuaArgs.function("bor", a -> {
            int b = arg(a, 1, "bor");
            for (int i = a.narg(); i > 1; i--) {
                b |= arg(a, i, "bor");
            }
            return result(b);
        }));
        t.set("bxor", LuaArgs.function("bxor", a -> {
            int b = arg(a, 1, "bxor");
            for (int i = a.narg(); i > 1; i--) {
                b ^= arg(a, i, "bxor");
            }
            return result(b);
        }));
        t.set("lshift", LuaArgs.function("lshift", a -> {
            int b = arg(a, 1, "lshift");
            return result(b << (arg(a, 2, "lshift") & 31));
        }));
        t.set("rshift", LuaArgs.function("rshift", a -> {
            int b = arg(a, 1, "rshift");
            return result(b >>> (arg(a, 2, "rshift") & 31));
        }));
        t.set("arshift", LuaArgs.function("arshift", a -> {
            int b = arg(a, 1, "arshift");
            return result(b >> (arg(a, 2, "arshift") & 31));
        }));
        t.set("rol", LuaArgs.function("rol", a -> {
            int b = arg(a, 1, "rol");
            return result(Integer.rotateLeft(b, arg(a, 2, "rol") & 31));
        }));
        t.set("ror", LuaArgs.function("ror", a -> {
            int b = arg(a, 1, "ror");
            return result(Integer.rotateRight(b, arg(a, 2, "ror") & 31));
        }));
        t.set("bswap", LuaArgs.function("bswap", a -> result(Integer.reverseBytes(arg(a, 1, "bswap")))));
        t.set("tohex", LuaArgs.function("tohex", BitLib::tohex));
        return t;
    }

    /** bit.tohex(x [, n]): n (default 8) hex digits of x, upper case when n is negative. */
    private static Varargs tohex(Varargs a) {
        int b = arg(a, 1, "tohex");
        int n = a.narg() < 2 ? 8 : arg(a, 2, "tohex");
        String digits = HEX_LOWER;
        if (n < 0) {
            n = -n;
            digits = HEX_UPPER;
        }
        // -(-2^31) overflows in C too; the compiled LuaBitOp then behaves as if n were 8
        if (n > 8 || n < 0) {
            n = 8;
        }
        byte[] out = new byte[n];
        for (int i = n - 1; i >= 0; i--) {
            out[i] = (byte) digits.charAt(b & 15);
            b >>>= 4;
        }
        return LuaString.valueUsing(out);
    }

    /** The 32-bit value of argument {@code i}, or "number expected" as Lua 5.1's LuaBitOp. */
    static int arg(Varargs a, int i, String fname) {
        return toBit(LuaArgs.checkNumber(a, i, fname));
    }

    /** LuaBitOp's normalisation of a double to 32 bits (see the class comment). */
    static int toBit(double d) {
        return (int) Double.doubleToRawLongBits(d + NORMALISER);
    }

    private static LuaValue result(int b) {
        return LuaValue.valueOf(b);
    }
}
