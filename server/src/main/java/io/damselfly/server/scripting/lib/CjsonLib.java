package io.damselfly.server.scripting.lib;

import io.damselfly.protocol.PrintfG;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;

/**
 * The {@code cjson} library Redis embeds (Lua CJSON 2.1.0, deps/lua/src/lua_cjson.c), with
 * Redis's defaults: sparse arrays are errors (ratio 2, safe 10), nesting 1000 both ways, numbers
 * "%.14g", NaN/Inf refused when encoding and accepted when decoding (with hex, leading zeros and
 * '+'), JSON null as {@link #NULL}.
 *
 * <p>Encoding and decoding are explicit-stack loops, so nesting costs heap, not Java stack; the
 * depth is bounded by encode/decode_max_depth and by the Lua stack the C library would use (8000
 * slots: about 4000 nested objects or 8000 arrays when the configured depth allows it).
 *
 * <p>Encoding: a table is an array when all its keys are integers >= 1 (holes become null; an
 * array "excessively sparse" by the configured ratio is an error, or an object when conversion is
 * on); the empty table is {@code {}}. Object keys come in luaj's {@code next} order, which is not
 * Lua 5.1's: byte-for-byte the same only for arrays and single-key objects.
 *
 * <p>Decoding: the tokenizer reads the input as a C string (a NUL byte ends it) and reports errors
 * exactly as the C library: "Expected &lt;what&gt; but found &lt;token or problem&gt; at character
 * &lt;1-based offset&gt;". Numbers follow glibc's strtod ({@link LuaArgs.Strtod}).
 *
 * <p>Configuration lives per library table ({@code cjson.new()} makes another), like the C upvalue;
 * it persists across calls, as in Redis, where one script's {@code cjson.encode_max_depth(5)}
 * stays in force for the next script on the same Lua state.
 */
public final class CjsonLib extends TwoArgFunction {

    /**
     * cjson.null: the value JSON null decodes to and encodes from. Lua CJSON uses a NULL
     * lightuserdata; this one shared userdata plays its part (type "userdata", equal to itself,
     * shared by every cjson table as NULL is). redis-server 7.0.15 replies to it as to nil: a null
     * bulk, or a nil element inside an array, so the scripting core converts it that way. Being one
     * JVM-wide object, it must not be reachable by {@code debug.setmetatable}.
     */
    public static final LuaUserdata NULL = new LuaUserdata(new Object() {
        @Override
        public String toString() {
            return "cjson.null";
        }
    });

    private static final int MAX_C_STACK = LuaArgs.MAX_C_STACK;

    /** Lua CJSON's settings (json_config_t), with Redis's defaults. */
    private static final class Config {
        boolean sparseConvert = false;
        int sparseRatio = 2;
        int sparseSafe = 10;
        int encodeMaxDepth = 1000;
        int decodeMaxDepth = 1000;
        /** 0 refuse, 1 allow ("nan", "inf"), 2 encode as null. */
        int encodeInvalidNumbers = 0;
        int encodeNumberPrecision = 14;
        boolean encodeKeepBuffer = true;
        boolean decodeInvalidNumbers = true;
    }

    private static final String[] BOOL_OPTIONS = {"off", "on"};
    private static final String[] INVALID_NUMBER_OPTIONS = {"off", "on", "null"};

    /** Installs {@code cjson} into {@code env} and returns the library table. */
    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        LuaTable cjson = create();
        env.set("cjson", cjson);
        return cjson;
    }

    /** A fresh {@code cjson} table with its own configuration (lua_cjson_new). */
    public static LuaTable create() {
        Config cfg = new Config();
        LuaTable t = new LuaTable();
        t.set("encode", LuaArgs.function("encode", a -> {
            if (a.narg() != 1) {
                throw LuaArgs.argError(1, "encode", "expected 1 argument");
            }
            return new Encoder(cfg).encode(a.arg1());
        }));
        t.set("decode", LuaArgs.function("decode", a -> {
            if (a.narg() != 1) {
                throw LuaArgs.argError(1, "decode", "expected 1 argument");
            }
            return new Decoder(cfg, LuaArgs.checkString(a, 1, "decode")).decode();
        }));
        t.set("encode_sparse_array", LuaArgs.function("encode_sparse_array", a -> {
            String f = "encode_sparse_array";
            checkArgCount(a, 3, f);
            int convert = enumOption(a, 1, f, cfg.sparseConvert ? 1 : 0, null);
            cfg.sparseConvert = convert != 0;
            cfg.sparseRatio = integerOption(a, 2, f, cfg.sparseRatio, 0, Integer.MAX_VALUE);
            cfg.sparseSafe = integerOption(a, 3, f, cfg.sparseSafe, 0, Integer.MAX_VALUE);
            return LuaValue.varargsOf(LuaValue.valueOf(cfg.sparseConvert), LuaValue.valueOf(cfg.sparseRatio),
                LuaValue.valueOf(cfg.sparseSafe));
        }));
        t.set("encode_max_depth", LuaArgs.function("encode_max_depth", a -> {
            checkArgCount(a, 1, "encode_max_depth");
            cfg.encodeMaxDepth = integerOption(a, 1, "encode_max_depth", cfg.encodeMaxDepth, 1, Integer.MAX_VALUE);
            return LuaValue.valueOf(cfg.encodeMaxDepth);
        }));
        t.set("decode_max_depth", LuaArgs.function("decode_max_depth", a -> {
            checkArgCount(a, 1, "decode_max_depth");
            cfg.decodeMaxDepth = integerOption(a, 1, "decode_max_depth", cfg.decodeMaxDepth, 1, Integer.MAX_VALUE);
            return LuaValue.valueOf(cfg.decodeMaxDepth);
        }));
        t.set("encode_number_precision", LuaArgs.function("encode_number_precision", a -> {
            checkArgCount(a, 1, "encode_number_precision");
            cfg.encodeNumberPrecision =
                integerOption(a, 1, "encode_number_precision", cfg.encodeNumberPrecision, 1, 14);
            return LuaValue.valueOf(cfg.encodeNumberPrecision);
        }));
        t.set("encode_keep_buffer", LuaArgs.function("encode_keep_buffer", a -> {
            checkArgCount(a, 1, "encode_keep_buffer");
            // Only a buffer-reuse hint in C; kept for its answers, it changes nothing here.
            int v = enumOption(a, 1, "encode_keep_buffer", cfg.encodeKeepBuffer ? 1 : 0, null);
            cfg.encodeKeepBuffer = v != 0;
            return enumResult(v, BOOL_OPTIONS);
        }));
        t.set("encode_invalid_numbers", LuaArgs.function("encode_invalid_numbers", a -> {
            checkArgCount(a, 1, "encode_invalid_numbers");
            cfg.encodeInvalidNumbers =
                enumOption(a, 1, "encode_invalid_numbers", cfg.encodeInvalidNumbers, INVALID_NUMBER_OPTIONS);
            return enumResult(cfg.encodeInvalidNumbers, INVALID_NUMBER_OPTIONS);
        }));
        t.set("decode_invalid_numbers", LuaArgs.function("decode_invalid_numbers", a -> {
            checkArgCount(a, 1, "decode_invalid_numbers");
            int v = enumOption(a, 1, "decode_invalid_numbers", cfg.decodeInvalidNumbers ? 1 : 0, null);
            cfg.decodeInvalidNumbers = v != 0;
            return enumResult(v, BOOL_OPTIONS);
        }));
        t.set("new", LuaArgs.function("new", a -> create()));
        t.set("null", NULL);
        t.set("_NAME", "cjson");
        t.set("_VERSION", "2.1.0");
        return t;
    }

    // ---------------------------------------------------------- configuration

    private static void checkArgCount(Varargs a, int max, String fname) {
        if (a.narg() > max) {
            throw LuaArgs.argError(max + 1, fname, "found too many arguments");
        }
    }

    /** json_integer_option: keeps {@code current} for nil, else a checked integer in range. */
    private static int integerOption(Varargs a, int arg, String fname, int current, int min, int max) {
        if (a.arg(arg).isnil()) {
            return current;
        }
        long value = LuaArgs.checkInteger(a, arg, fname);
        int v = (int) value; // lua_Integer to int, as the C code stores it
        if (v < min || v > max) {
            // sic: the C library always names argument 1
            throw LuaArgs.argError(1, fname, "expected integer between " + min + " and " + max);
        }
        return v;
    }

    /** json_enum_option: a boolean, or one of the option names (default: off/on). */
    private static int enumOption(Varargs a, int arg, String fname, int current, String[] options) {
        LuaValue v = a.arg(arg);
        if (v.isnil()) {
            return current;
        }
        if (v.isboolean()) {
            return v.toboolean() ? 1 : 0;
        }
        String[] names = options == null ? BOOL_OPTIONS : options;
        LuaString name = LuaArgs.checkString(a, arg, fname);
        for (int i = 0; i < names.length; i++) {
            if (name.raweq(LuaString.valueOf(names[i]))) {
                return i;
            }
        }
        throw LuaArgs.argError(arg, fname, "invalid option '" + name.tojstring() + "'");
    }

    /** A setting's answer: a boolean for 0 and 1, else the option's name. */
    private static LuaValue enumResult(int setting, String[] options) {
        return setting <= 1 ? LuaValue.valueOf(setting == 1) : LuaValue.valueOf(options[setting]);
    }

    // --------------------------------------------------------------- encoding

    private static final byte[][] ESCAPES = new byte[256][];
    private static final byte[] NULL_BYTES = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE_BYTES = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE_BYTES = {'f', 'a', 'l', 's', 'e'};

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = String.format("\\u%04x", c).getBytes(StandardCharsets.US_ASCII);
        }
        ESCAPES['\b'] = "\\b".getBytes(StandardCharsets.US_ASCII);
        ESCAPES['\t'] = "\\t".getBytes(StandardCharsets.US_ASCII);
        ESCAPES['\n'] = "\\n".getBytes(StandardCharsets.US_ASCII);
        ESCAPES['\f'] = "\\f".getBytes(StandardCharsets.US_ASCII);
        ESCAPES['\r'] = "\\r".getBytes(StandardCharsets.US_ASCII);
        ESCAPES['"'] = "\\\"".getBytes(StandardCharsets.US_ASCII);
        ESCAPES['\\'] = "\\\\".getBytes(StandardCharsets.US_ASCII);
        ESCAPES['/'] = "\\/".getBytes(StandardCharsets.US_ASCII);
        ESCAPES[0x7f] = "\\u007f".getBytes(StandardCharsets.US_ASCII);
    }

    /** A table being encoded: an array's next index, or an object's last key and entry count. */
    private static final class EncodeFrame {
        final LuaTable table;
        final boolean array;
        final int depth;
        int length;
        int next;
        LuaValue key = LuaValue.NIL;

        EncodeFrame(LuaTable table, boolean array, int depth) {
            this.table = table;
            this.array = array;
            this.depth = depth;
        }
    }

    private static final class Encoder {
        final Config cfg;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        /** Lua stack slots the C encoder would hold: the argument, plus 1 or 2 per open table. */
        int slots = 1;
        final ArrayDeque<EncodeFrame> frames = new ArrayDeque<>();

        Encoder(Config cfg) {
            this.cfg = cfg;
        }

        LuaValue encode(LuaValue v) {
            value(v, 0);
            while (!frames.isEmpty()) {
                EncodeFrame f = frames.peek();
                if (f.array) {
                    if (f.next > f.length) {
                        out.write(']');
                        frames.pop();
                        slots--;
                        continue;
                    }
                    if (f.next > 1) {
                        out.write(',');
                    }
                    value(f.table.rawget(f.next++), f.depth);
                    continue;
                }
                Varargs entry = f.table.next(f.key);
                LuaValue k = entry.arg1();
                if (k.isnil()) {
                    out.write('}');
                    frames.pop();
                    slots -= 2;
                    continue;
                }
                f.key = k;
                if (f.next++ > 0) {
                    out.write(',');
                }
                if (k.type() == LuaValue.TNUMBER) {
                    out.write('"');
                    number(k);
                    out.write('"');
                    out.write(':');
                } else if (k.type() == LuaValue.TSTRING) {
                    string(k.checkstring());
                    out.write(':');
                } else {
                    throw cannot(k, "table key must be a number or string");
                }
                value(entry.arg(2), f.depth);
            }
            return LuaString.valueUsing(out.toByteArray());
        }

        LuaError cannot(LuaValue v, String reason) {
            return new LuaError("Cannot serialise " + v.typename() + ": " + reason);
        }

        void ascii(String s) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            out.write(b, 0, b.length);
        }

        void ascii(byte[] b) {
            out.write(b, 0, b.length);
        }

        /** Writes a scalar, or opens a table (pushing a frame the loop in encode() finishes). */
        void value(LuaValue v, int depth) {
            LuaArgs.checkEncodedSize(out);
            switch (v.type()) {
                case LuaValue.TSTRING -> string(v.checkstring());
                case LuaValue.TNUMBER -> number(v);
                case LuaValue.TBOOLEAN -> ascii(v.toboolean() ? TRUE_BYTES : FALSE_BYTES);
                case LuaValue.TNIL -> ascii(NULL_BYTES);
                case LuaValue.TTABLE -> open((LuaTable) v, depth + 1);
                default -> {
                    if (v == NULL) {
                        ascii(NULL_BYTES);
                    } else {
                        throw cannot(v, "type not supported");
                    }
                }
            }
        }

        void string(LuaString s) {
            out.write('"');
            byte[] bytes = s.m_bytes;
            int run = s.m_offset; // start of the bytes not yet written, copied in bulk
            int end = s.m_offset + s.m_length;
            for (int i = run; i < end; i++) {
                byte[] esc = ESCAPES[bytes[i] & 0xff];
                if (esc != null) {
                    out.write(bytes, run, i - run);
                    out.write(esc, 0, esc.length);
                    run = i + 1;
                }
            }
            out.write(bytes, run, end - run);
            out.write('"');
        }

        void number(LuaValue v) {
            double d = v.todouble();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                if (cfg.encodeInvalidNumbers == 0) {
                    throw cannot(v, "must not be NaN or Inf");
                }
                if (cfg.encodeInvalidNumbers == 2) {
                    ascii("null");
                    return;
                }
                if (Double.isNaN(d)) {
                    ascii("nan");
                    return;
                }
            }
            ascii(PrintfG.format(d, cfg.encodeNumberPrecision));
        }

        void open(LuaTable t, int depth) {
            // json_check_encode_depth: the configured limit, or the C stack (3 free slots needed)
            if (depth > cfg.encodeMaxDepth || slots + 3 > MAX_C_STACK) {
                throw new LuaError("Cannot serialise, excessive nesting (" + depth + ")");
            }
            int length = arrayLength(t);
            boolean array = length > 0;
            out.write(array ? '[' : '{');
            slots += array ? 1 : 2; // the element being encoded; or key and value
            EncodeFrame f = new EncodeFrame(t, array, depth);
            f.length = length;
            if (array) {
                f.next = 1;
            }
            frames.push(f);
        }

        /**
         * lua_array_length: the largest key when every key is an integer >= 1 (0 for the empty
         * table), -1 for an object, an error (or -1 when converting) for an excessively sparse array.
         */
        int arrayLength(LuaTable t) {
            int max = 0;
            int items = 0;
            LuaValue k = LuaValue.NIL;
            while (true) {
                k = t.next(k).arg1();
                if (k.isnil()) {
                    break;
                }
                if (k.type() != LuaValue.TNUMBER) {
                    return -1;
                }
                double d = k.todouble();
                if (d == 0 || Math.floor(d) != d || d < 1) {
                    return -1;
                }
                if (d > max) {
                    // C assigns the double to an int; x86 turns out-of-range values into INT_MIN
                    max = d >= 0x1p31 ? Integer.MIN_VALUE : (int) d;
                }
                items++;
            }
            if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
                if (!cfg.sparseConvert) {
                    throw new LuaError("Cannot serialise table: excessively sparse array");
                }
                return -1;
            }
            return max;
        }
    }

    // --------------------------------------------------------------- decoding

    private enum TokenType {
        T_OBJ_BEGIN, T_OBJ_END, T_ARR_BEGIN, T_ARR_END, T_STRING, T_NUMBER, T_BOOLEAN, T_NULL,
        T_COLON, T_COMMA, T_END, T_WHITESPACE, T_ERROR, T_UNKNOWN
    }

    /** The last token read: its type, 0-based position, value, or error text for T_ERROR. */
    private static final class Token {
        TokenType type;
        int index;
        LuaValue value;
        String error;
    }

    /** One open array or object while decoding. */
    private static final class Frame {
        final LuaTable table;
        final boolean object;
        int index = 1;
        LuaValue key;

        Frame(LuaTable table, boolean object) {
            this.table = table;
            this.object = object;
        }
    }

    private static final class Decoder {
        final Config cfg;
        final byte[] bytes;
        final int offset;
        final int length;
        int ptr;
        int depth;
        /** Lua stack slots the C decoder would hold: the argument, 1 per open array, 2 per object. */
        int slots = 1;
        final Token token = new Token();
        final ArrayDeque<Frame> frames = new ArrayDeque<>();

        Decoder(Config cfg, LuaString json) {
            this.cfg = cfg;
            this.bytes = json.m_bytes;
            this.offset = json.m_offset;
            this.length = json.m_length;
        }

        /** The byte at {@code i}, 0 past the end (the C string's terminator). */
        int at(int i) {
            return i < length ? bytes[offset + i] & 0xff : 0;
        }

        LuaValue decode() {
            if (length >= 2 && (at(0) == 0 || at(1) == 0)) {
                throw new LuaError("JSON parser does not support UTF-16 or UTF-32");
            }
            next();
            LuaValue result = null;
            valueLoop:
            while (true) {
                // token holds the start of a value
                LuaValue v;
                switch (token.type) {
                    case T_STRING, T_NUMBER, T_BOOLEAN -> v = token.value;
                    case T_NULL -> v = NULL;
                    case T_OBJ_BEGIN -> {
                        descend(3);
                        Frame f = new Frame(new LuaTable(), true);
                        frames.push(f);
                        slots += 2;
                        next();
                        if (token.type != TokenType.T_OBJ_END) {
                            objectKey(f);
                            continue valueLoop;
                        }
                        v = closeFrame();
                    }
                    case T_ARR_BEGIN -> {
                        descend(2);
                        frames.push(new Frame(new LuaTable(), false));
                        slots += 1;
                        next();
                        if (token.type != TokenType.T_ARR_END) {
                            continue valueLoop;
                        }
                        v = closeFrame();
                    }
                    default -> throw parseError("value");
                }
                // v is complete: file it in its container, closing containers that end here
                while (true) {
                    Frame f = frames.peek();
                    if (f == null) {
                        result = v;
                        break valueLoop;
                    }
                    if (f.object) {
                        f.table.rawset(f.key, v);
                        next();
                        if (token.type == TokenType.T_OBJ_END) {
                            v = closeFrame();
                            continue;
                        }
                        if (token.type != TokenType.T_COMMA) {
                            throw parseError("comma or object end");
                        }
                        next();
                        objectKey(f);
                        continue valueLoop;
                    }
                    f.table.rawset(f.index++, v);
                    next();
                    if (token.type == TokenType.T_ARR_END) {
                        v = closeFrame();
                        continue;
                    }
                    if (token.type != TokenType.T_COMMA) {
                        throw parseError("comma or array end");
                    }
                    next();
                    continue valueLoop;
                }
            }
            next();
            if (token.type != TokenType.T_END) {
                throw parseError("the end");
            }
            return result;
        }

        /** With the token after '{' or ',': reads "key" ':' and leaves the value's first token. */
        void objectKey(Frame f) {
            if (token.type != TokenType.T_STRING) {
                throw parseError("object key string");
            }
            f.key = token.value;
            next();
            if (token.type != TokenType.T_COLON) {
                throw parseError("colon");
            }
            next();
        }

        LuaValue closeFrame() {
            Frame f = frames.pop();
            slots -= f.object ? 2 : 1;
            depth--;
            return f.table;
        }

        void descend(int needed) {
            depth++;
            if (depth <= cfg.decodeMaxDepth && slots + needed <= MAX_C_STACK) {
                return;
            }
            throw new LuaError("Found too many nested data structures (" + depth + ") at character " + ptr);
        }

        LuaError parseError(String expected) {
            String found = token.type == TokenType.T_ERROR ? token.error : token.type.name();
            return new LuaError("Expected " + expected + " but found " + found + " at character " + (token.index + 1));
        }

        void error(String what) {
            token.type = TokenType.T_ERROR;
            token.index = ptr;
            token.error = what;
        }

        boolean startsWith(String word) {
            for (int i = 0; i < word.length(); i++) {
                if (at(ptr + i) != word.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        /** json_next_token: the next token into {@link #token}. */
        void next() {
            int ch;
            while (true) {
                ch = at(ptr);
                if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') {
                    break;
                }
                ptr++;
            }
            token.index = ptr;
            token.value = null;
            switch (ch) {
                case '{' -> single(TokenType.T_OBJ_BEGIN);
                case '}' -> single(TokenType.T_OBJ_END);
                case '[' -> single(TokenType.T_ARR_BEGIN);
                case ']' -> single(TokenType.T_ARR_END);
                case ',' -> single(TokenType.T_COMMA);
                case ':' -> single(TokenType.T_COLON);
                case 0 -> token.type = TokenType.T_END;
                case '"' -> string();
                case 'f', 'i', 'I', 'n', 'N', 't', '+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' ->
                    unknown(ch);
                default -> error("invalid token");
            }
        }

        void single(TokenType type) {
            token.type = type;
            ptr++;
        }

        /** Characters that may start a literal or a number. */
        void unknown(int ch) {
            if (ch == '-' || (ch >= '0' && ch <= '9')) {
                if (!cfg.decodeInvalidNumbers && isInvalidNumber()) {
                    error("invalid number");
                    return;
                }
                number();
            } else if (startsWith("true")) {
                token.type = TokenType.T_BOOLEAN;
                token.value = LuaValue.TRUE;
                ptr += 4;
            } else if (startsWith("false")) {
                token.type = TokenType.T_BOOLEAN;
                token.value = LuaValue.FALSE;
                ptr += 5;
            } else if (startsWith("null")) {
                token.type = TokenType.T_NULL;
                ptr += 4;
            } else if (cfg.decodeInvalidNumbers && isInvalidNumber()) {
                number();
            } else {
                error("invalid token");
            }
        }

        /** json_is_invalid_number: forms strtod takes that strict JSON does not. */
        boolean isInvalidNumber() {
            int p = ptr;
            if (at(p) == '+') {
                return true;
            }
            if (at(p) == '-') {
                p++;
            }
            if (at(p) == '0') {
                int ch2 = at(p + 1);
                return (ch2 | 0x20) == 'x' || (ch2 >= '0' && ch2 <= '9');
            } else if (at(p) <= '9') {
                return false;
            }
            return matchesIgnoreCase(p, "inf") || matchesIgnoreCase(p, "nan");
        }

        boolean matchesIgnoreCase(int p, String word) {
            for (int i = 0; i < word.length(); i++) {
                if ((at(p + i) | 0x20) != word.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        void number() {
            int start = ptr;
            int end = LuaArgs.Strtod.scan(this::at, start);
            if (end == start) {
                error("invalid number");
                return;
            }
            token.type = TokenType.T_NUMBER;
            token.value = LuaArgs.number(LuaArgs.Strtod.parse(this::at, start, end));
            ptr = end;
        }

        /** json_next_string_token: a string with its escapes decoded (\\uXXXX to UTF-8). */
        void string() {
            ptr++; // opening quote
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            while (true) {
                int ch = at(ptr);
                if (ch == '"') {
                    break;
                }
                if (ch == 0) {
                    error("unexpected end of string");
                    return;
                }
                if (ch == '\\') {
                    int esc = at(ptr + 1);
                    switch (esc) {
                        case '"', '\\', '/' -> ch = esc;
                        case 'b' -> ch = '\b';
                        case 't' -> ch = '\t';
                        case 'n' -> ch = '\n';
                        case 'f' -> ch = '\f';
                        case 'r' -> ch = '\r';
                        case 'u' -> {
                            if (!unicodeEscape(buf)) {
                                error("invalid unicode escape code");
                                return;
                            }
                            continue;
                        }
                        default -> {
                            error("invalid escape code");
                            return;
                        }
                    }
                    ptr++;
                }
                buf.write(ch);
                ptr++;
            }
            ptr++; // closing quote
            token.type = TokenType.T_STRING;
            token.value = LuaString.valueUsing(buf.toByteArray());
        }

        int hex4(int p) {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int c = at(p + i);
                int digit;
                if (c >= '0' && c <= '9') {
                    digit = c - '0';
                } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
                    digit = (c | 0x20) - 'a' + 10;
                } else {
                    return -1;
                }
                v = (v << 4) | digit;
            }
            return v;
        }

        /** \\uXXXX (or a surrogate pair of them) at ptr, appended as UTF-8; false if malformed. */
        boolean unicodeEscape(ByteArrayOutputStream buf) {
            int codepoint = hex4(ptr + 2);
            int escapeLength = 6;
            if (codepoint < 0) {
                return false;
            }
            if ((codepoint & 0xF800) == 0xD800) {
                if ((codepoint & 0x400) != 0) {
                    return false; // a low surrogate first
                }
                if (at(ptr + 6) != '\\' || at(ptr + 7) != 'u') {
                    return false;
                }
                int low = hex4(ptr + 8);
                if (low < 0 || (low & 0xFC00) != 0xDC00) {
                    return false;
                }
                codepoint = (((codepoint & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
                escapeLength = 12;
            }
            if (codepoint <= 0x7F) {
                buf.write(codepoint);
            } else if (codepoint <= 0x7FF) {
                buf.write(0xC0 | (codepoint >> 6));
                buf.write(0x80 | (codepoint & 0x3F));
            } else if (codepoint <= 0xFFFF) {
                buf.write(0xE0 | (codepoint >> 12));
                buf.write(0x80 | ((codepoint >> 6) & 0x3F));
                buf.write(0x80 | (codepoint & 0x3F));
            } else {
                buf.write(0xF0 | (codepoint >> 18));
                buf.write(0x80 | ((codepoint >> 12) & 0x3F));
                buf.write(0x80 | ((codepoint >> 6) & 0x3F));
                buf.write(0x80 | (codepoint & 0x3F));
            }
            ptr += escapeLength;
            return true;
        }
    }
}
