package io.damselfly.server.scripting.lib;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;

/**
 * struct against redis-server 7.0.15's answers (each expected value was read from one). Redis's
 * scripting.tcl has no struct case of its own; these are the outputs of the real server.
 */
class StructLibTest {

    private final LuaHarness lua = new LuaHarness();

    @Test
    void pack_bytesAsRedis() {
        lua.expect("fffffffe", "hx(struct.pack('>i', -2))");
        lua.expect("010000020300000000000004", "hx(struct.pack('<h>H!4bi', 1, 2, 3, 4))");
        lua.expect("0100000000000000000000000000f83f", "hx(struct.pack('!8bd', 1, 1.5))");
        lua.expect("0100701101", "hx(struct.pack('bxi3', 1, 70000))");
        lua.expect("ffffffffffffffff0000000000000000", "hx(struct.pack('i16', -1))");
        lua.expect("8000000000000000", "hx(struct.pack('>L', 0/0))");
        lua.expect("0000000000000000", "hx(struct.pack('>L', 2^64))");
        lua.expect("8000000000100000", "hx(struct.pack('>L', 2^63+2^20))");
        lua.expect("8000000000000000", "hx(struct.pack('>l', -2^70))");
        lua.expect("0000000000000000", "hx(struct.pack('>l', 2^70))");
        lua.expect("61620078797a7171", "hx(struct.pack('s c3 c0', 'ab', 'xyz', 'qq'))");
        lua.expect("312e3500", "hx(struct.pack('s', 1.5))");
        lua.expect("2c", "hx(struct.pack('b', 300))");
        lua.expect("010002000003", "hx(struct.pack('!2bi3b', 1, 2, 3))");
        lua.expect("06", "hx(struct.pack('i0b', 5, 6))");
        lua.expect("3dcccccd", "hx(struct.pack('>f', 0.1))");
        lua.expect("fff8000000000000ffc00000", "hx(struct.pack('>df', 0/0, 0/0))");
        lua.expect("0102", "hx(struct.pack('bb\\0b', 1, 2, 3))"); // the format ends at its NUL
    }

    @Test
    void unpack_valuesAsRedis() {
        lua.expect("-1 17", "table.concat({struct.unpack('i16', struct.pack('i16', -1))}, ' ')");
        lua.expect("-1 10", "table.concat({struct.unpack('<i9', string.rep(string.char(255), 9))}, ' ')");
        // 2^64 (Redis's integer reply then turns it into -9223372036854775808)
        lua.expect("true", "struct.unpack('<I9', string.rep(string.char(255), 9)) == 2^64");
        lua.expect("he 4", "table.concat({struct.unpack('bc0', string.char(2) .. 'hello')}, ' ')");
        lua.expect("ab 4", "table.concat({struct.unpack('s', 'ab\\0cd')}, ' ')");
        lua.expect("99 4", "table.concat({struct.unpack('b', 'abc', 3)}, ' ')");
        lua.expect("abc 5", "table.concat({struct.unpack('b c0', string.char(3) .. 'abcdef')}, ' ')");
        lua.expect("-1", "struct.unpack('', '', -1)");
        lua.expect("true", "(function() local f, d, n = struct.unpack('>fd', struct.pack('>fd', 0.1, 0.1)) "
            + "return math.abs(f - 0.1) < 1e-8 and d == 0.1 and n == 13 end)()");
        lua.expect("7998", "select('#', struct.unpack(string.rep('b', 7997), string.rep('a', 9000)))");
        lua.expect("-2 65535 4294967295 -1", "table.concat({struct.unpack('<bHIl', string.char(254, 255, 255, 255, 255, 255, 255) "
            + ".. string.rep(string.char(255), 8))}, ' ', 1, 4)");
    }

    @Test
    void size_asRedis() {
        lua.expect("20", "struct.size('!8bdi')");
        lua.expect("0", "struct.size('z<')");
        lua.expect("8", "struct.size('T')");
    }

    @Test
    void errorsAsRedis() {
        lua.expectError("bad argument #3 to 'pack' (string too short)", "struct.pack, 'c3', 'ab'");
        lua.expectError("bad argument #4 to 'pack' (string too short)", "struct.pack, 'c0c3', 'a', 'ab'");
        lua.expectError("format 'c0' needs a previous size", "struct.unpack, 'c0', 'hello'");
        lua.expectError("unfinished string in data", "struct.unpack, 's', 'abcd'");
        lua.expectError("bad argument #2 to 'unpack' (data string too short)", "struct.unpack, 'i', 'abc'");
        lua.expectError("bad argument #3 to 'unpack' (offset must be 1 or greater)", "struct.unpack, 'b', 'abc', 0");
        lua.expectError("bad argument #2 to 'unpack' (data string too short)", "struct.unpack, 'b', 'abc', 4");
        lua.expectError("bad argument #1 to 'size' (option 's' has no fixed size)", "struct.size, 's'");
        lua.expectError("bad argument #1 to 'size' (option 'c0' has no fixed size)", "struct.size, 'c0'");
        lua.expectError("alignment 3 is not a power of 2", "struct.size, '!3'");
        lua.expectError("integral size 33 is larger than limit of 32", "struct.pack, 'i33', 1");
        lua.expectError("integral size overflow", "struct.pack, 'i99999999999', 1");
        lua.expectError("bad argument #2 to 'pack' (number expected, got string)", "struct.pack, 'i', 'x'");
        lua.expectError("bad argument #2 to 'pack' (number expected, got nil)", "struct.pack, 'i'");
        lua.expectError("bad argument #2 to 'pack' (string expected, got table)", "struct.pack, 's', {}");
        lua.expectError("bad argument #1 to 'pack' (string expected, got no value)", "struct.pack");
        lua.expectError("bad argument #1 to 'pack' (invalid format option 'z')", "struct.pack, 'z', 1");
        lua.expectError("stack overflow (too many results)", "struct.unpack, string.rep('b', 9000), string.rep('a', 9000)");
    }

    @Test
    void roundTrip_everyIntegerWidth() {
        lua.run("""
            for _, e in ipairs({'<', '>'}) do
                for _, spec in ipairs({{'b', -128}, {'B', 255}, {'h', -32768}, {'H', 65535}, {'i', -2^31},
                                       {'I', 2^32 - 1}, {'l', -2^53}, {'L', 2^53}, {'i3', -8388608}, {'I5', 2^40 - 1}}) do
                    local f = e .. spec[1]
                    local v, n = struct.unpack(f, struct.pack(f, spec[2]))
                    assert(v == spec[2], f)
                    assert(n == struct.size(f) + 1, f)
                end
            end
            """);
    }

    @Test
    void garbageFormatsAndData_answerLuaErrors() {
        Random random = new Random(5);
        String alphabet = "<>! xbBhHlLTiIfdsc0123456789z";
        LuaValue pack = lua.g.get("struct").get("pack");
        LuaValue unpack = lua.g.get("struct").get("unpack");
        LuaValue size = lua.g.get("struct").get("size");
        for (int i = 0; i < 3000; i++) {
            StringBuilder fmt = new StringBuilder();
            for (int j = random.nextInt(8); j > 0; j--) {
                fmt.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            byte[] data = new byte[random.nextInt(40)];
            random.nextBytes(data);
            LuaValue f = LuaValue.valueOf(fmt.toString());
            LuaValue d = LuaString.valueOf(data);
            tryCall(() -> unpack.call(f, d));
            tryCall(() -> size.call(f));
            tryCall(() -> pack.invoke(LuaValue.varargsOf(new LuaValue[] {f, LuaValue.valueOf(1), d, LuaValue.valueOf(2.5), d})));
        }
    }

    private static void tryCall(Runnable r) {
        try {
            r.run();
        } catch (LuaError expected) {
            // the only failure allowed
        }
    }
}
