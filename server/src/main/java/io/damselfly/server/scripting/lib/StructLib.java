package io.damselfly.server.scripting.lib;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;

/**
 * The {@code struct} library Redis embeds (Roberto Ierusalimschy's struct 0.2,
 * deps/lua/src/lua_struct.c): {@code struct.pack(fmt, ...)}, {@code struct.unpack(fmt, data [, pos])}
 * and {@code struct.size(fmt)} over binary strings.
 *
 * <p>Format language: {@code >} big endian, {@code <} little endian, {@code !n} maximum alignment n
 * (a power of 2, default 8), space ignored; {@code x} a pad byte; {@code b/B h/H l/L T i/I[n]}
 * signed/unsigned integers of 1, 2, 8, 8 and n (default 4, at most 32) bytes; {@code f d} float and
 * double; {@code s} a zero-terminated string; {@code c[n]} n chars (c0 = the whole string when
 * packing, the previous number's length when unpacking). Item sizes and the default endianness are
 * those of the x86-64 build Redis ships (little endian, long = size_t = 8), and alignment follows
 * the C code: an item of size s is aligned to min(s, maxalign), computed with the same
 * {@code (s - (pos & (s-1))) & (s-1)} formula even for sizes that are not powers of two.
 *
 * <p>Integers go through a 64-bit {@code unsigned long}, as in the C code: packing converts the
 * number as x86-64 does (values out of range become 0x8000000000000000 or 0), wide integers
 * (n > 8) are zero-filled beyond 8 bytes, and unpacking keeps the last 8 bytes read. The format
 * string ends at its first NUL, as a C string does.
 */
public final class StructLib extends TwoArgFunction {

    private static final boolean BIG = false;
    private static final boolean LITTLE = true;
    /** Largest integer item, in bytes (MAXINTSIZE). */
    private static final int MAX_INT_SIZE = 32;
    /** Default maximum alignment: max(alignof(double), sizeof(int)) on x86-64. */
    private static final int MAX_ALIGN = 8;
    private static final double TWO_63 = 0x1p63;

    /** Installs {@code struct} into {@code env} and returns the library table. */
    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        LuaTable struct = create();
        env.set("struct", struct);
        return struct;
    }

    /** A fresh {@code struct} table. */
    public static LuaTable create() {
        LuaTable t = new LuaTable();
        t.set("pack", LuaArgs.function("pack", StructLib::pack));
        t.set("unpack", LuaArgs.function("unpack", StructLib::unpack));
        t.set("size", LuaArgs.function("size", StructLib::size));
        return t;
    }

    /** The format being read, with the current endianness and alignment (the C "Header"). */
    private static final class Format {
        final LuaString fmt;
        final int end;
        int pos;
        boolean endian = LITTLE;
        int align = 1;

        Format(LuaString fmt) {
            this.fmt = fmt;
            int nul = fmt.indexOf((byte) 0, 0);
            this.end = nul < 0 ? fmt.length() : nul;
        }

        boolean more() {
            return pos < end;
        }

        int next() {
            return fmt.luaByte(pos++);
        }

        int peek() {
            return pos < end ? fmt.luaByte(pos) : 0;
        }

        /** An optional decimal count following an option, {@code def} when absent. */
        int number(int def) {
            if (!isDigit(peek())) {
                return def;
            }
            int a = 0;
            do {
                int digit = peek() - '0';
                if (a > Integer.MAX_VALUE / 10 || a * 10 > Integer.MAX_VALUE - digit) {
                    throw new LuaError("integral size overflow");
                }
                a = a * 10 + digit;
                pos++;
            } while (isDigit(peek()));
            return a;
        }

        /** The size in bytes of option {@code opt}, reading its count; 0 for control options. */
        long size(int opt) {
            switch (opt) {
                case 'B', 'b', 'x':
                    return 1;
                case 'H', 'h':
                    return 2;
                case 'L', 'l', 'T', 'd':
                    return 8;
                case 'f':
                    return 4;
                case 'c':
                    return number(1);
                case 'i', 'I': {
                    int sz = number(4);
                    if (sz > MAX_INT_SIZE) {
                        throw new LuaError("integral size " + sz + " is larger than limit of " + MAX_INT_SIZE);
                    }
                    return sz;
                }
                default:
                    return 0;
            }
        }

        /** Padding bytes that align an item of {@code size} at offset {@code len}. */
        long toAlign(long len, int opt, long size) {
            if (size == 0 || opt == 'c') {
                return 0;
            }
            if (size > align) {
                size = align;
            }
            return (size - (len & (size - 1))) & (size - 1);
        }

        /** Endianness, alignment and blanks; anything else is an invalid option. */
        void control(int opt, String fname) {
            switch (opt) {
                case ' ':
                    return;
                case '>':
                    endian = BIG;
                    return;
                case '<':
                    endian = LITTLE;
                    return;
                case '!': {
                    int a = number(MAX_ALIGN);
                    if (a <= 0 || (a & (a - 1)) != 0) {
                        throw new LuaError("alignment " + a + " is not a power of 2");
                    }
                    align = a;
                    return;
                }
                default:
                    throw LuaArgs.argError(1, fname, "invalid format option '" + (char) opt + "'");
            }
        }
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAlnum(int c) {
        return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** struct.pack(fmt, v1, v2, ...): the values packed into a binary string. */
    private static Varargs pack(Varargs a) {
        Format f = new Format(LuaArgs.checkString(a, 1, "pack"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int arg = 2;
        long total = 0;
        while (f.more()) {
            int opt = f.next();
            long size = f.size(opt);
            long pad = f.toAlign(total, opt, size);
            total += pad;
            for (long i = 0; i < pad; i++) {
                out.write(0);
            }
            switch (opt) {
                case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I': {
                    long value = toUnsignedLong(packNumber(a, arg++));
                    byte[] buf = new byte[(int) size];
                    for (int i = 0; i < size; i++) {
                        buf[f.endian == LITTLE ? i : (int) size - 1 - i] = (byte) value;
                        value >>>= 8;
                    }
                    out.write(buf, 0, buf.length);
                    break;
                }
                case 'x':
                    out.write(0);
                    break;
                case 'f':
                    writeBits(out, floatBits((float) packNumber(a, arg++)), 4, f.endian);
                    break;
                case 'd':
                    writeBits(out, doubleBits(packNumber(a, arg++)), 8, f.endian);
                    break;
                case 'c', 's': {
                    LuaString s = packString(a, arg);
                    arg++;
                    long l = s.length();
                    if (size == 0) {
                        size = l;
                    }
                    if (l < size) {
                        // the C code checks after moving to the next argument, and names that one
                        throw LuaArgs.argError(arg, "pack", "string too short");
                    }
                    out.write(s.m_bytes, s.m_offset, (int) size);
                    if (opt == 's') {
                        out.write(0);
                        size++;
                    }
                    break;
                }
                default:
                    f.control(opt, "pack");
            }
            total += size;
        }
        return LuaString.valueUsing(out.toByteArray());
    }

    /**
     * luaL_checknumber for a pack argument. b_pack pushes a nil marker after its arguments, so the
     * first missing one reads as "got nil" and later ones as "got no value".
     */
    private static double packNumber(Varargs a, int arg) {
        LuaValue v = a.arg(arg);
        if (v.type() == LuaValue.TNUMBER) {
            return v.todouble();
        }
        if (LuaArgs.isNumber(v)) {
            return LuaArgs.toNumber(v);
        }
        String got = arg == a.narg() + 1 ? "nil" : LuaArgs.typeName(a, arg);
        throw LuaArgs.argError(arg, "pack", "number expected, got " + got);
    }

    /** luaL_checklstring for a pack argument, with the same nil marker as {@link #packNumber}. */
    private static LuaString packString(Varargs a, int arg) {
        if (arg == a.narg() + 1) {
            throw LuaArgs.argError(arg, "pack", "string expected, got nil");
        }
        return LuaArgs.checkString(a, arg, "pack");
    }

    /** C's conversion of a double to unsigned long as x86-64 performs it (lua_struct.c putinteger). */
    static long toUnsignedLong(double n) {
        if (n < 0) {
            return (long) n; // (unsigned long)(long) n; below -2^63 x86 gives 0x8000000000000000, as Java
        }
        if (Double.isNaN(n)) {
            return Long.MIN_VALUE;
        }
        if (n < TWO_63) {
            return (long) n;
        }
        double high = n - TWO_63;
        return high < TWO_63 ? ((long) high) ^ Long.MIN_VALUE : 0L;
    }

    /**
     * IEEE bits of {@code d}, NaN written as x86-64's default NaN (sign set), which is what 0/0
     * gives in Redis; luaj's 0/0 is Java's positive NaN. (A NaN of another origin, such as
     * {@code -(0/0)}, loses its own sign: the VM difference cannot be undone here exactly.)
     */
    static long doubleBits(double d) {
        return Double.isNaN(d) ? 0xfff8000000000000L : Double.doubleToRawLongBits(d);
    }

    private static long floatBits(float f) {
        return Float.isNaN(f) ? 0xffc00000L : Float.floatToRawIntBits(f) & 0xffffffffL;
    }

    private static void writeBits(ByteArrayOutputStream out, long bits, int size, boolean endian) {
        for (int i = 0; i < size; i++) {
            int shift = endian == LITTLE ? 8 * i : 8 * (size - 1 - i);
            out.write((int) (bits >>> shift));
        }
    }

    private static long readBits(LuaString data, long pos, int size, boolean endian) {
        long bits = 0;
        for (int i = 0; i < size; i++) {
            int b = data.luaByte((int) pos + (endian == BIG ? i : size - 1 - i));
            bits = (bits << 8) | b;
        }
        return bits;
    }

    /** struct.unpack(fmt, data [, pos]): the values read, then the position after them. */
    private static Varargs unpack(Varargs a) {
        Format f = new Format(LuaArgs.checkString(a, 1, "unpack"));
        LuaString data = LuaArgs.checkString(a, 2, "unpack");
        long ld = data.length();
        long pos = LuaArgs.optInteger(a, 3, "unpack", 1);
        if (pos == 0) {
            throw LuaArgs.argError(3, "unpack", "offset must be 1 or greater");
        }
        pos--; // size_t arithmetic: a negative start wraps to a huge offset, as in C
        int base = a.narg();
        List<LuaValue> results = new ArrayList<>();
        while (f.more()) {
            int opt = f.next();
            long size = f.size(opt);
            pos += f.toAlign(pos, opt, size);
            checkRoom(ld, pos, size);
            if (base + results.size() + 2 > LuaArgs.MAX_C_STACK) {
                throw new LuaError("stack overflow (too many results)");
            }
            switch (opt) {
                case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I': {
                    results.add(LuaArgs.number(readInteger(data, pos, f.endian, Character.isLowerCase(opt), (int) size)));
                    break;
                }
                case 'x':
                    break;
                case 'f':
                    results.add(LuaArgs.number(Float.intBitsToFloat((int) readBits(data, pos, 4, f.endian))));
                    break;
                case 'd':
                    results.add(LuaArgs.number(Double.longBitsToDouble(readBits(data, pos, 8, f.endian))));
                    break;
                case 'c': {
                    if (size == 0) {
                        LuaValue previous = results.isEmpty() ? LuaValue.NIL : results.get(results.size() - 1);
                        if (!LuaArgs.isNumber(previous)) {
                            throw new LuaError("format 'c0' needs a previous size");
                        }
                        size = (long) LuaArgs.toNumber(previous);
                        results.remove(results.size() - 1);
                        checkRoom(ld, pos, size);
                    }
                    results.add(data.substring((int) pos, (int) (pos + size)));
                    break;
                }
                case 's': {
                    int nul = data.indexOf((byte) 0, (int) pos);
                    if (nul < 0) {
                        throw new LuaError("unfinished string in data");
                    }
                    size = nul - pos + 1;
                    results.add(data.substring((int) pos, nul));
                    break;
                }
                default:
                    f.control(opt, "unpack");
            }
            pos += size;
        }
        results.add(LuaValue.valueOf((double) (pos + 1)));
        return LuaValue.varargsOf(results.toArray(new LuaValue[0]));
    }

    /** "data string too short" unless {@code size} bytes fit at {@code pos} (unsigned, as size_t). */
    private static void checkRoom(long ld, long pos, long size) {
        if (Long.compareUnsigned(size, ld) > 0 || Long.compareUnsigned(pos, ld - size) > 0) {
            throw LuaArgs.argError(2, "unpack", "data string too short");
        }
    }

    /** An integer of {@code size} bytes, through a 64-bit unsigned long as lua_struct.c reads it. */
    private static double readInteger(LuaString data, long pos, boolean endian, boolean signed, int size) {
        long l = 0;
        for (int i = 0; i < size; i++) {
            int b = data.luaByte((int) pos + (endian == BIG ? i : size - 1 - i));
            l = (l << 8) | b;
        }
        if (!signed) {
            return unsignedToDouble(l);
        }
        long mask = -1L << (size * 8 - 1); // x86 (and Java) take the shift count modulo 64
        if ((l & mask) != 0) {
            l |= mask;
        }
        return (double) l;
    }

    private static double unsignedToDouble(long l) {
        if (l >= 0) {
            return (double) l;
        }
        return ((double) ((l >>> 1) | (l & 1))) * 2.0;
    }

    /** struct.size(fmt): the bytes {@code struct.pack(fmt, ...)} would produce. */
    private static Varargs size(Varargs a) {
        Format f = new Format(LuaArgs.checkString(a, 1, "size"));
        long pos = 0;
        while (f.more()) {
            int opt = f.next();
            long size = f.size(opt);
            pos += f.toAlign(pos, opt, size);
            if (opt == 's') {
                throw LuaArgs.argError(1, "size", "option 's' has no fixed size");
            } else if (opt == 'c' && size == 0) {
                throw LuaArgs.argError(1, "size", "option 'c0' has no fixed size");
            }
            if (!isAlnum(opt)) {
                f.control(opt, "size");
            }
            pos += size;
        }
        return LuaValue.valueOf((double) pos);
    }
}
