package io.damselfly.server.scripting;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * A command's reply, as RESP bytes the script's client received, turned into a Lua value exactly
 * as Redis 7.0's redisProtocolToLuaType turns it (script_lua.c): integer to number, bulk string to
 * string, null bulk and null array to false, status to {ok=s}, error to {err="CODE msg"}, array
 * to a table; and for a script that asked for RESP3 (redis.setresp(3)): map to {map={k=v}}, set
 * to {set={m=true}}, null to nil, boolean to boolean, double to {double=n}, big number to
 * {big_number=s}, verbatim to {verbatim_string={format=f, string=s}}; attributes are skipped;
 * a push gives null, Redis's parser having no push type (only DEBUG PROTOCOL push sends one).
 *
 * <p>The bytes were written by our own reply writer for one command, so they are whole and
 * well formed: a recursive descent over the buffer with no limit checks (nesting is bounded by
 * what a command replies, a few levels).
 */
final class RespToLua {
    private RespToLua() {
    }

    /** Reads one reply from {@code in}, advancing its reader index; null for a push (see above). */
    static LuaValue read(ByteBuf in) {
        byte type = in.readByte();
        switch (type) {
            case ':':
                return LuaValue.valueOf((double) Long.parseLong(line(in)));
            case '$': {
                int len = Integer.parseInt(line(in));
                if (len < 0) {
                    return LuaValue.FALSE;
                }
                return bulk(in, len);
            }
            case '+': {
                LuaTable t = new LuaTable();
                t.rawset("ok", LuaValue.valueOf(lineBytes(in)));
                return t;
            }
            case '-': {
                LuaTable t = LuaErrors.errorTable(errorText(new String(lineBytes(in), StandardCharsets.ISO_8859_1)));
                // the command counted its error already (redisProtocolToLuaType_Error)
                t.rawset("ignore_error_stats_update", LuaValue.TRUE);
                return t;
            }
            case '*': {
                int n = Integer.parseInt(line(in));
                if (n < 0) {
                    return LuaValue.FALSE;
                }
                LuaTable t = new LuaTable(n, 0);
                for (int i = 1; i <= n; i++) {
                    t.rawset(i, element(in));
                }
                return t;
            }
            case '%': {
                int n = Integer.parseInt(line(in));
                // grown as Lua grows it, not presized: integer keys then move to the array part
                // at a rehash as in Redis's Lua, and come out of next() in the same order
                LuaTable m = new LuaTable();
                for (int i = 0; i < n; i++) {
                    LuaValue k = element(in);
                    LuaValue v = element(in);
                    if (!k.isnil()) {
                        m.rawset(k, v);
                    }
                }
                return wrap("map", m);
            }
            case '~': {
                int n = Integer.parseInt(line(in));
                LuaTable s = new LuaTable(); // not presized, as the map above
                for (int i = 0; i < n; i++) {
                    LuaValue k = element(in);
                    if (!k.isnil()) {
                        s.rawset(k, LuaValue.TRUE);
                    }
                }
                return wrap("set", s);
            }
            case '_':
                line(in);
                return LuaValue.NIL;
            case '#':
                return LuaValue.valueOf(line(in).equals("t"));
            case ',':
                return wrap("double", LuaValue.valueOf(parseDouble(line(in))));
            case '(':
                return wrap("big_number", LuaValue.valueOf(lineBytes(in)));
            case '=': {
                int len = Integer.parseInt(line(in));
                byte[] all = new byte[len];
                in.readBytes(all);
                in.skipBytes(2);
                LuaTable v = new LuaTable();
                v.rawset("format", LuaString.valueOf(all, 0, Math.min(3, len)));
                v.rawset("string", LuaString.valueOf(all, Math.min(4, len), Math.max(0, len - 4)));
                return wrap("verbatim_string", v);
            }
            case '|': {
                int n = Integer.parseInt(line(in));
                for (int i = 0; i < 2 * n; i++) {
                    read(in);
                }
                return read(in);
            }
            case '>':
                // resp_parser.c has no push type: parseReply calls no callback, and the Lua stack
                // gets nothing (the caller decides what that means); what follows is not read
                return null;
            default:
                throw new IllegalStateException("unexpected reply type " + (char) type);
        }
    }

    /** An element of an aggregate: never null (no command nests a push; nil stands in if one did). */
    private static LuaValue element(ByteBuf in) {
        LuaValue v = read(in);
        return v == null ? LuaValue.NIL : v;
    }

    /**
     * Redis's luaPushErrorBuff on "-CODE msg": the code is the text up to the first space (ERR
     * when there is none), trailing CR/LF trimmed; the table holds "CODE msg".
     */
    static String errorText(String withoutDash) {
        int space = withoutDash.indexOf(' ');
        String code;
        String msg;
        if (space < 0) {
            code = "ERR";
            msg = withoutDash;
        } else {
            code = withoutDash.substring(0, space);
            msg = withoutDash.substring(space + 1);
        }
        return code + " " + trimCrLf(msg);
    }

    static String trimCrLf(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && (s.charAt(a) == '\r' || s.charAt(a) == '\n')) {
            a++;
        }
        while (b > a && (s.charAt(b - 1) == '\r' || s.charAt(b - 1) == '\n')) {
            b--;
        }
        return s.substring(a, b);
    }

    private static LuaTable wrap(String field, LuaValue v) {
        LuaTable t = new LuaTable();
        t.rawset(field, v);
        return t;
    }

    private static double parseDouble(String s) {
        return switch (s) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan", "-nan" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    private static LuaValue bulk(ByteBuf in, int len) {
        byte[] b = new byte[len];
        in.readBytes(b);
        in.skipBytes(2);
        return LuaValue.valueOf(b);
    }

    private static byte[] lineBytes(ByteBuf in) {
        int cr = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\r');
        byte[] b = new byte[cr - in.readerIndex()];
        in.readBytes(b);
        in.skipBytes(2);
        return b;
    }

    private static String line(ByteBuf in) {
        return new String(lineBytes(in), StandardCharsets.ISO_8859_1);
    }
}
