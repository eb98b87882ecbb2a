package io.damselfly.server.scripting.lib;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;

/**
 * The {@code cmsgpack} library Redis embeds (lua-cmsgpack 0.4.0, deps/lua/src/lua_cmsgpack.c):
 * {@code pack(...)}, {@code unpack(s)}, {@code unpack_one(s [, offset])} and
 * {@code unpack_limit(s, limit [, offset])}.
 *
 * <p>Packing: a number that is exactly a 64-bit integer becomes the smallest MessagePack integer
 * (fixint, uint/int 8..64); any other number a float 32 when the float holds it exactly, else a
 * float 64 (NaN as x86-64's default NaN, see {@link StructLib#doubleBits}). Strings use
 * fixstr/str8/str16/str32. A table whose keys are exactly 1..n (n >= 0, so
 * the empty table too) is an array, read with the table's metamethods; any other table a map in
 * {@code next} order. Tables nested 16 deep, and every value MessagePack cannot hold (functions,
 * userdata, nil), pack as nil, which also makes cyclic tables finite (though a table referenced
 * from many places is expanded at each, so output is capped: {@link LuaArgs#MAX_ENCODED_BYTES}).
 * Several arguments pack to the concatenation of their encodings.
 *
 * <p>Unpacking is an explicit-stack state machine rather than recursion, so hostile input cannot
 * exhaust the Java stack. It keeps the C library's quirks: uint 64 above 2^63 come out negative
 * (the C code pushes them as a signed lua_Integer), bin/ext types are "Bad data format", nil
 * array elements leave holes, a nil or NaN map key is the Lua error "table index is nil/NaN".
 * It counts the Lua stack slots the C decoder would use (the input string, each value returned so
 * far, each open table and its pending index or key) and fails where Lua 5.1's 8000-slot limit
 * makes the C decoder fail, with its message: about 4000 levels of nesting, 7999 values at once.
 */
public final class CmsgpackLib extends TwoArgFunction {

    /** Tables deeper than this pack as nil (LUACMSGPACK_MAX_NESTING). */
    static final int MAX_NESTING = 16;

    private static final double TWO_63 = 0x1p63;

    private static final String TOO_MANY_VALUES =
        "stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)";
    private static final String ARRAY_TOO_DEEP = "stack overflow (in function mp_decode_to_lua_array)";

    /** Installs {@code cmsgpack} into {@code env} and returns the library table. */
    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        LuaTable cmsgpack = create();
        env.set("cmsgpack", cmsgpack);
        return cmsgpack;
    }

    /** A fresh {@code cmsgpack} table. */
    public static LuaTable create() {
        LuaTable t = new LuaTable();
        t.set("pack", LuaArgs.function("pack", CmsgpackLib::pack));
        t.set("unpack", LuaArgs.function("unpack", a -> unpack(a, "unpack", 0, 0, a.narg())));
        t.set("unpack_one", LuaArgs.function("unpack_one", a -> {
            long offset = LuaArgs.optInteger(a, 2, "unpack_one", 0);
            return unpack(a, "unpack_one", 1, offset, 1);
        }));
        t.set("unpack_limit", LuaArgs.function("unpack_limit", a -> {
            long limit = LuaArgs.checkInteger(a, 2, "unpack_limit");
            long offset = LuaArgs.optInteger(a, 3, "unpack_limit", 0);
            return unpack(a, "unpack_limit", limit, offset, 1);
        }));
        t.set("_NAME", "cmsgpack");
        t.set("_VERSION", "lua-cmsgpack 0.4.0");
        t.set("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo");
        t.set("_DESCRIPTION", "MessagePack C implementation for Lua");
        return t;
    }

    // ---------------------------------------------------------------- packing

    /** cmsgpack.pack(v1, v2, ...): the concatenated encodings. */
    private static Varargs pack(Varargs a) {
        if (a.narg() == 0) {
            throw LuaArgs.argError(0, "pack", "MessagePack pack needs input.");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i <= a.narg(); i++) {
            encode(out, a.arg(i), 0);
        }
        return LuaString.valueUsing(out.toByteArray());
    }

    private static void encode(ByteArrayOutputStream out, LuaValue v, int level) {
        LuaArgs.checkEncodedSize(out);
        switch (v.type()) {
            case LuaValue.TSTRING -> encodeBytes(out, v.checkstring());
            case LuaValue.TBOOLEAN -> out.write(v.toboolean() ? 0xc3 : 0xc2);
            case LuaValue.TNUMBER -> encodeNumber(out, v.todouble());
            case LuaValue.TTABLE -> {
                if (level == MAX_NESTING) {
                    out.write(0xc0);
                } else if (isArray((LuaTable) v)) {
                    encodeArray(out, (LuaTable) v, level);
                } else {
                    encodeMap(out, (LuaTable) v, level);
                }
            }
            default -> out.write(0xc0);
        }
    }

    private static void encodeBytes(ByteArrayOutputStream out, LuaString s) {
        int len = s.length();
        if (len < 32) {
            out.write(0xa0 | len);
        } else if (len <= 0xff) {
            out.write(0xd9);
            out.write(len);
        } else if (len <= 0xffff) {
            out.write(0xda);
            writeBig(out, len, 2);
        } else {
            out.write(0xdb);
            writeBig(out, len, 4);
        }
        out.write(s.m_bytes, s.m_offset, len);
    }

    private static void encodeNumber(ByteArrayOutputStream out, double d) {
        // IS_INT64_EQUIVALENT: not infinite and (int64_t) d == d, with d inside int64's range
        if (d >= -TWO_63 && d < TWO_63 && (long) d == d) {
            encodeInteger(out, (long) d);
            return;
        }
        float f = (float) d;
        if (d == (double) f) {
            out.write(0xca);
            writeBig(out, Float.floatToRawIntBits(f), 4);
        } else {
            out.write(0xcb);
            writeBig(out, StructLib.doubleBits(d), 8);
        }
    }

    private static void encodeInteger(ByteArrayOutputStream out, long n) {
        if (n >= 0) {
            if (n <= 127) {
                out.write((int) n);
            } else if (n <= 0xff) {
                out.write(0xcc);
                out.write((int) n);
            } else if (n <= 0xffff) {
                out.write(0xcd);
                writeBig(out, n, 2);
            } else if (n <= 0xffffffffL) {
                out.write(0xce);
                writeBig(out, n, 4);
            } else {
                out.write(0xcf);
                writeBig(out, n, 8);
            }
        } else if (n >= -32) {
            out.write((int) n & 0xff);
        } else if (n >= -128) {
            out.write(0xd0);
            out.write((int) n & 0xff);
        } else if (n >= -32768) {
            out.write(0xd1);
            writeBig(out, n, 2);
        } else if (n >= -2147483648L) {
            out.write(0xd2);
            writeBig(out, n, 4);
        } else {
            out.write(0xd3);
            writeBig(out, n, 8);
        }
    }

    private static void writeBig(ByteArrayOutputStream out, long v, int bytes) {
        for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
            out.write((int) (v >>> shift) & 0xff);
        }
    }

    /** True when the keys are exactly the integers 1..n (table_is_an_array). */
    private static boolean isArray(LuaTable t) {
        int count = 0;
        int max = 0;
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs entry = t.next(k);
            k = entry.arg1();
            if (k.isnil()) {
                break;
            }
            if (k.type() != LuaValue.TNUMBER) {
                return false;
            }
            double n = k.todouble();
            if (n <= 0 || (double) (int) n != n || n > Integer.MAX_VALUE) {
                return false;
            }
            max = Math.max(max, (int) n);
            count++;
        }
        return max == count;
    }

    private static void encodeArray(ByteArrayOutputStream out, LuaTable t, int level) {
        int len = t.rawlen();
        writeContainerHeader(out, len, 0x90, 0xdc, 0xdd);
        for (int j = 1; j <= len; j++) {
            encode(out, t.get(j), level + 1);
        }
    }

    private static void encodeMap(ByteArrayOutputStream out, LuaTable t, int level) {
        int len = 0;
        LuaValue k = LuaValue.NIL;
        while (!(k = t.next(k).arg1()).isnil()) {
            len++;
        }
        writeContainerHeader(out, len, 0x80, 0xde, 0xdf);
        k = LuaValue.NIL;
        while (true) {
            Varargs entry = t.next(k);
            k = entry.arg1();
            if (k.isnil()) {
                break;
            }
            encode(out, k, level + 1);
            encode(out, entry.arg(2), level + 1);
        }
    }

    private static void writeContainerHeader(ByteArrayOutputStream out, long n, int fix, int op16, int op32) {
        if (n <= 15) {
            out.write(fix | (int) n);
        } else if (n <= 0xffff) {
            out.write(op16);
            writeBig(out, n, 2);
        } else {
            out.write(op32);
            writeBig(out, n, 4);
        }
    }

    // -------------------------------------------------------------- unpacking

    /** Input ended inside a value (MP_CUR_ERROR_EOF). */
    private static final class MissingBytes extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MissingBytes() {
            super(null, null, false, false);
        }
    }

    /** A byte that starts no MessagePack value we read (MP_CUR_ERROR_BADFMT). */
    private static final class BadFormat extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadFormat() {
            super(null, null, false, false);
        }
    }

    /**
     * mp_unpack_full: decodes up to {@code limit} values from {@code offset}; with limit and offset
     * both 0 it decodes everything and returns the values alone, otherwise the next offset (-1 at
     * the end of the input) followed by the values.
     */
    private static Varargs unpack(Varargs a, String fname, long limit, long offset, int stackBase) {
        LuaString s = LuaArgs.checkString(a, 1, fname);
        int len = s.length();
        boolean decodeAll = limit == 0 && offset == 0;
        if (offset < 0 || limit < 0) {
            // sic: the C library prints the input length where it means the limit
            throw new LuaError("Invalid request to unpack with offset of " + (int) offset
                + " and limit of " + len + ".");
        } else if (offset > len) {
            throw new LuaError("Start offset " + (int) offset + " greater than input length " + len + ".");
        }
        if (decodeAll) {
            limit = Integer.MAX_VALUE;
        }
        Decoder d = new Decoder(s, (int) offset, stackBase);
        List<LuaValue> values = new ArrayList<>();
        try {
            for (long count = 0; d.pos < d.end && count < limit; count++) {
                values.add(d.decodeOne());
                d.slots++;
            }
        } catch (MissingBytes e) {
            throw new LuaError("Missing bytes in input.");
        } catch (BadFormat e) {
            throw new LuaError("Bad data format in input.");
        }
        if (!decodeAll) {
            values.add(0, LuaValue.valueOf(d.pos == d.end ? -1 : d.pos));
        }
        return LuaValue.varargsOf(values.toArray(new LuaValue[0]));
    }

    /** One open array or map while decoding. */
    private static final class Frame {
        final LuaTable table;
        final boolean map;
        long remaining;
        int index = 1;
        LuaValue key;
        boolean haveKey;

        Frame(LuaTable table, boolean map, long remaining) {
            this.table = table;
            this.map = map;
            this.remaining = remaining;
        }
    }

    private static final class Decoder {
        final LuaString s;
        final int end;
        int pos;
        /** Lua stack slots the C decoder would hold (see the class comment). */
        int slots;
        final ArrayDeque<Frame> frames = new ArrayDeque<>();

        Decoder(LuaString s, int offset, int stackBase) {
            this.s = s;
            this.end = s.length();
            this.pos = offset;
            this.slots = stackBase;
        }

        int u8(int at) {
            return s.luaByte(at);
        }

        void need(long n) {
            if (end - pos < n) {
                throw new MissingBytes();
            }
        }

        long big(int at, int bytes) {
            long v = 0;
            for (int i = 0; i < bytes; i++) {
                v = (v << 8) | u8(at + i);
            }
            return v;
        }

        /** Decodes one complete top-level value, containers included. */
        LuaValue decodeOne() {
            while (true) {
                LuaValue v = scalarOrOpen();
                // v == null: a container was opened and awaits its elements
                while (true) {
                    if (v == null) {
                        Frame f = frames.peek();
                        if (f.remaining > 0) {
                            break; // decode the next element
                        }
                        v = close();
                    }
                    if (frames.isEmpty()) {
                        return v;
                    }
                    v = store(frames.peek(), v);
                }
            }
        }

        /** Pops the finished top frame and returns its table. */
        LuaValue close() {
            Frame f = frames.pop();
            slots--; // the table leaves the stack frame of its parent's loop ...
            return f.table;
        }

        /**
         * Files an element into {@code f}: a map key is held until its value arrives. Returns null
         * when {@code f} wants more elements, or {@code f}'s table when {@code f} is complete.
         */
        LuaValue store(Frame f, LuaValue v) {
            if (f.map) {
                if (!f.haveKey) {
                    f.key = v;
                    f.haveKey = true;
                    slots++; // the key waits on the stack while the value is decoded
                    return null;
                }
                slots--;
                f.haveKey = false;
                if (f.key.isnil()) {
                    throw new LuaError("table index is nil");
                }
                if (f.key.type() == LuaValue.TNUMBER && Double.isNaN(f.key.todouble())) {
                    throw new LuaError("table index is NaN");
                }
                f.table.rawset(f.key, v);
                f.key = null;
            } else {
                slots--; // the index pushed before the element
                if (!v.isnil()) {
                    f.table.rawset(f.index, v);
                }
                f.index++;
            }
            f.remaining--;
            return null;
        }

        /**
         * mp_decode_to_lua_type for the next byte: a scalar value, or null after opening a
         * container (pushed on {@link #frames}).
         */
        LuaValue scalarOrOpen() {
            Frame parent = frames.peek();
            if (parent != null && !parent.map) {
                slots++; // the C loop pushes the array index before decoding the element
            }
            need(1);
            if (slots + 1 > LuaArgs.MAX_C_STACK) {
                throw new LuaError(TOO_MANY_VALUES);
            }
            int b = u8(pos);
            switch (b) {
                case 0xcc:
                    need(2);
                    pos += 2;
                    return LuaValue.valueOf(u8(pos - 1));
                case 0xd0:
                    need(2);
                    pos += 2;
                    return LuaValue.valueOf((byte) u8(pos - 1));
                case 0xcd:
                    need(3);
                    pos += 3;
                    return LuaValue.valueOf((int) big(pos - 2, 2));
                case 0xd1:
                    need(3);
                    pos += 3;
                    return LuaValue.valueOf((short) big(pos - 2, 2));
                case 0xce:
                    need(5);
                    pos += 5;
                    return LuaArgs.number(big(pos - 4, 4));
                case 0xd2:
                    need(5);
                    pos += 5;
                    return LuaValue.valueOf((int) big(pos - 4, 4));
                case 0xcf:
                case 0xd3:
                    need(9);
                    pos += 9;
                    return LuaArgs.number((double) big(pos - 8, 8));
                case 0xc0:
                    pos++;
                    return LuaValue.NIL;
                case 0xc3:
                    pos++;
                    return LuaValue.TRUE;
                case 0xc2:
                    pos++;
                    return LuaValue.FALSE;
                case 0xca:
                    need(5);
                    pos += 5;
                    return LuaArgs.number(Float.intBitsToFloat((int) big(pos - 4, 4)));
                case 0xcb:
                    need(9);
                    pos += 9;
                    return LuaArgs.number(Double.longBitsToDouble(big(pos - 8, 8)));
                case 0xd9:
                    need(2);
                    return string(2, u8(pos + 1));
                case 0xda:
                    need(3);
                    return string(3, big(pos + 1, 2));
                case 0xdb:
                    need(5);
                    return string(5, big(pos + 1, 4));
                case 0xdc:
                    need(3);
                    pos += 3;
                    return open(false, big(pos - 2, 2));
                case 0xdd:
                    need(5);
                    pos += 5;
                    return open(false, big(pos - 4, 4));
                case 0xde:
                    need(3);
                    pos += 3;
                    return open(true, big(pos - 2, 2));
                case 0xdf:
                    need(5);
                    pos += 5;
                    return open(true, big(pos - 4, 4));
                default:
                    if ((b & 0x80) == 0) {
                        pos++;
                        return LuaValue.valueOf(b);
                    } else if ((b & 0xe0) == 0xe0) {
                        pos++;
                        return LuaValue.valueOf((byte) b);
                    } else if ((b & 0xe0) == 0xa0) {
                        return string(1, b & 0x1f);
                    } else if ((b & 0xf0) == 0x90) {
                        pos++;
                        return open(false, b & 0xf);
                    } else if ((b & 0xf0) == 0x80) {
                        pos++;
                        return open(true, b & 0xf);
                    }
                    throw new BadFormat();
            }
        }

        LuaValue string(int header, long len) {
            pos += header;
            if (end - pos < len) {
                throw new MissingBytes();
            }
            LuaString v = s.substring(pos, pos + (int) len);
            pos += (int) len;
            return v;
        }

        LuaValue open(boolean map, long count) {
            slots++; // the new table
            if (!map && slots + 1 > LuaArgs.MAX_C_STACK) {
                throw new LuaError(ARRAY_TOO_DEEP);
            }
            frames.push(new Frame(new LuaTable(), map, count));
            return null;
        }
    }
}
