package io.damselfly.server.scripting;

import io.damselfly.protocol.PrintfG;
import io.damselfly.server.command.Reply;
import java.nio.charset.StandardCharsets;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * A script's return value written as the caller's reply, as Redis 7.0's luaReplyToRedisReply
 * writes it (script_lua.c): string to bulk, number to integer (truncated toward zero), boolean
 * to 1 / null in RESP2 or a RESP3 boolean when the script set RESP3, and a table by its first
 * matching field: {err=s} an error, {ok=s} a status, {double=n}, {big_number=s},
 * {verbatim_string={format, string}}, {map=t}, {set=t}; otherwise an array of its elements 1, 2,
 * ... up to the first nil. Anything else (nil, a function) is a null. Maps, sets, doubles and big
 * numbers take the caller's protocol, flattened for a RESP2 caller as Redis flattens them.
 */
final class LuaToReply {
    /** Nesting beyond this is refused, as Redis refuses past its Lua stack ("reached lua stack limit"). */
    static final int MAX_DEPTH = 1000;

    private LuaToReply() {
    }

    static void write(Reply r, LuaValue v, int scriptResp) {
        write(r, v, scriptResp, 0);
    }

    private static void write(Reply r, LuaValue v, int scriptResp, int depth) {
        if (depth > MAX_DEPTH) {
            r.error("ERR reached lua stack limit");
            return;
        }
        switch (v.type()) {
            case LuaValue.TSTRING -> r.bulk(bytes((LuaString) v.checkstring()));
            case LuaValue.TBOOLEAN -> {
                if (scriptResp == 2) {
                    if (v.toboolean()) {
                        r.integer(1);
                    } else {
                        r.nullBulk();
                    }
                } else {
                    r.bool(v.toboolean());
                }
            }
            case LuaValue.TNUMBER -> r.integer(toLong(v.todouble()));
            case LuaValue.TTABLE -> table(r, v, scriptResp, depth);
            default -> r.nullBulk();
        }
    }

    private static void table(Reply r, LuaValue t, int scriptResp, int depth) {
        LuaValue err = t.rawget("err");
        if (err.type() == LuaValue.TSTRING) {
            r.error(err.tojstring().replace('\r', ' ').replace('\n', ' '));
            return;
        }
        LuaValue ok = t.rawget("ok");
        if (ok.type() == LuaValue.TSTRING) {
            r.simple(ok.tojstring().replace('\r', ' ').replace('\n', ' '));
            return;
        }
        LuaValue dbl = t.rawget("double");
        if (dbl.type() == LuaValue.TNUMBER) {
            r.doubleValue(dbl.todouble());
            return;
        }
        LuaValue big = t.rawget("big_number");
        if (big.type() == LuaValue.TSTRING) {
            r.bigNumber(big.tojstring().replace('\r', ' ').replace('\n', ' '));
            return;
        }
        LuaValue verbatim = t.rawget("verbatim_string");
        if (verbatim.type() == LuaValue.TTABLE) {
            LuaValue format = verbatim.rawget("format");
            LuaValue text = verbatim.rawget("string");
            if (format.type() == LuaValue.TSTRING && text.type() == LuaValue.TSTRING) {
                r.verbatim(format.tojstring(), bytes((LuaString) text.checkstring()));
                return;
            }
        }
        LuaValue map = t.rawget("map");
        if (map.type() == LuaValue.TTABLE) {
            int n = 0;
            for (Varargs e = map.next(LuaValue.NIL); !e.arg1().isnil(); e = map.next(e.arg1())) {
                n++;
            }
            r.map(n);
            for (Varargs e = map.next(LuaValue.NIL); !e.arg1().isnil(); e = map.next(e.arg1())) {
                write(r, e.arg1(), scriptResp, depth + 1);
                write(r, e.arg(2), scriptResp, depth + 1);
            }
            return;
        }
        LuaValue set = t.rawget("set");
        if (set.type() == LuaValue.TTABLE) {
            int n = 0;
            for (Varargs e = set.next(LuaValue.NIL); !e.arg1().isnil(); e = set.next(e.arg1())) {
                n++;
            }
            r.set(n);
            for (Varargs e = set.next(LuaValue.NIL); !e.arg1().isnil(); e = set.next(e.arg1())) {
                write(r, e.arg1(), scriptResp, depth + 1);
            }
            return;
        }
        int n = 0;
        while (!t.rawget(n + 1).isnil()) {
            n++;
        }
        r.array(n);
        for (int i = 1; i <= n; i++) {
            write(r, t.rawget(i), scriptResp, depth + 1);
        }
    }

    /**
     * C's (long long) cast of a double on x86-64, as Redis's reply of a Lua number: truncation
     * toward zero, and for NaN, infinities and anything out of range the "integer indefinite"
     * value LLONG_MIN that cvttsd2si gives (so 1/0 replies -9223372036854775808, as Redis).
     */
    static long toLong(double d) {
        if (Double.isNaN(d) || d >= 0x1p63 || d < -0x1p63) {
            return Long.MIN_VALUE;
        }
        return (long) d;
    }

    static byte[] bytes(LuaString s) {
        byte[] b = new byte[s.m_length];
        System.arraycopy(s.m_bytes, s.m_offset, b, 0, s.m_length);
        return b;
    }

    /** C's {@code %.17g}: how redis.call passes a Lua number to a command. */
    static String g17(double d) {
        return Double.isNaN(d) ? "nan" : PrintfG.format(d, 17);
    }


    static byte[] g17Bytes(double d) {
        return g17(d).getBytes(StandardCharsets.US_ASCII);
    }
}
