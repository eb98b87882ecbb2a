package io.damselfly.server.scripting.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/** cjson against redis-server 7.0.15's answers (each expected value was read from one). */
class CjsonLibTest {

    private final LuaHarness lua = new LuaHarness();

    // ------------------------------------------------ tests/unit/scripting.tcl

    @Test
    void scriptingTcl_jsonNumericDecoding() {
        // The TCL test concatenates with Lua 5.1's tostring ("0.0003"); luaj prints 3.0E-4, so the
        // numbers are compared one by one.
        Varargs r = lua.run("local t = cjson.decode('[0.0, -5e3, -1, 0.3e-3, 1023.2, 0e10]') "
            + "return #t, t[1], t[2], t[3], t[4], t[5], t[6]");
        assertEquals(6, r.arg(1).toint());
        double[] expected = {0, -5000, -1, 0.0003, 1023.2, 0};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], r.arg(i + 2).todouble(), 0.0);
        }
    }

    @Test
    void scriptingTcl_jsonStringDecoding() {
        Varargs r = lua.run("local decoded = cjson.decode('{\"keya\": \"a\", \"keyb\": \"b\"}') "
            + "return decoded.keya, decoded.keyb");
        assertEquals("a", r.arg(1).tojstring());
        assertEquals("b", r.arg(2).tojstring());
    }

    @Test
    void scriptingTcl_jsonSmokeTest() {
        lua.run("""
            local some_map = {
                s1="Some string",
                n1=100,
                a1={"Some","String","Array"},
                nil1=nil,
                b1=true,
                b2=false}
            local encoded = cjson.encode(some_map)
            local decoded = cjson.decode(encoded)
            assert(table.concat(some_map) == table.concat(decoded))

            cjson.encode_keep_buffer(false)
            encoded = cjson.encode(some_map)
            decoded = cjson.decode(encoded)
            assert(table.concat(some_map) == table.concat(decoded))

            -- Table with numeric keys
            local table1 = {one="one", [1]="one"}
            encoded = cjson.encode(table1)
            decoded = cjson.decode(encoded)
            assert(decoded["one"] == table1["one"])
            assert(decoded["1"] == table1[1])

            -- Array
            local array1 = {[1]="one", [2]="two"}
            encoded = cjson.encode(array1)
            decoded = cjson.decode(encoded)
            assert(table.concat(array1) == table.concat(decoded))

            -- Invalid keys
            local invalid_map = {}
            invalid_map[false] = "false"
            local ok, encoded = pcall(cjson.encode, invalid_map)
            assert(ok == false)

            -- Max depth
            cjson.encode_max_depth(1)
            ok, encoded = pcall(cjson.encode, some_map)
            assert(ok == false)

            cjson.decode_max_depth(1)
            ok, decoded = pcall(cjson.decode, '{"obj": {"array": [1,2,3,4]}}')
            assert(ok == false)

            -- Invalid numbers
            ok, encoded = pcall(cjson.encode, {num1=0/0})
            assert(ok == false)
            cjson.encode_invalid_numbers(true)
            ok, encoded = pcall(cjson.encode, {num1=0/0})
            assert(ok == true)

            -- Restore defaults
            cjson.decode_max_depth(1000)
            cjson.encode_max_depth(1000)
            cjson.encode_invalid_numbers(false)
            """);
    }

    // ------------------------------------------------------------- encoding

    @Test
    void encode_valuesAsRedis() {
        lua.expect("[1,2,{\"a\":1}]", "cjson.encode({1,2,{a=1}})");
        lua.expect("{}", "cjson.encode({})");
        lua.expect("[1,null,3]", "cjson.encode({[1]=1,[3]=3})");
        lua.expect("0.1", "cjson.encode(0.1)");
        lua.expect("1e+300", "cjson.encode(1e300 * 1)");
        lua.expect("1.2345678901235e+17", "cjson.encode(123456789012345678)");
        lua.expect("\"a\\/b\\\\\\\"\\u0001\\u007f\"", "cjson.encode('a/b\\\\\"\\1\\127')");
        lua.expect("\"\\b\\t\\n\\f\\r\\u001f\"", "cjson.encode('\\b\\t\\n\\f\\r\\31')");
        lua.expect("true", "cjson.encode(true)");
        lua.expect("null", "cjson.encode(nil)");
        lua.expect("[null]", "cjson.encode({cjson.null})");
        lua.expect("{\"1.5\":1}", "cjson.encode({[1.5]=1})");
        lua.expect("[1,2]", "cjson.encode({[1.0]=1,[2]=2})");
    }

    @Test
    void encode_sparseArrays() {
        lua.expect("Cannot serialise table: excessively sparse array", "select(2, pcall(cjson.encode, {[20]=1}))");
        // up to the safe index an array with holes is fine
        lua.expect("[null,null,null,null,null,null,null,null,null,1]", "cjson.encode({[10]=1})");
        lua.expect("{\"20\":1}", "(function() cjson.encode_sparse_array(true) return cjson.encode({[20]=1}) end)()");
    }

    @Test
    void encode_numberPrecisionAndInvalidNumbers() {
        lua.expect("3", "cjson.encode_number_precision(3)");
        lua.expect("3.14", "cjson.encode(math.pi)");
        lua.expect("null", "cjson.encode_invalid_numbers('null')");
        lua.expect("null", "cjson.encode(1/0)");
        lua.expect("true", "cjson.encode_invalid_numbers(true)");
        lua.expect("[inf,-inf,nan]", "cjson.encode({1/0, -1/0, 0/0})");
        lua.expect("false", "cjson.encode_invalid_numbers(false)");
        lua.expect("Cannot serialise number: must not be NaN or Inf", "select(2, pcall(cjson.encode, 1/0))");
    }

    @Test
    void encode_errors() {
        lua.expectError("Cannot serialise boolean: table key must be a number or string", "cjson.encode, {[true]=1}");
        lua.expectError("Cannot serialise function: type not supported", "cjson.encode, function() end");
        lua.expectError("bad argument #1 to 'encode' (expected 1 argument)", "cjson.encode");
        lua.expectError("bad argument #1 to 'encode' (expected 1 argument)", "cjson.encode, 1, 2");
        lua.expectError("Cannot serialise, excessive nesting (1001)",
            "function() local t = {} t[1] = t return cjson.encode(t) end");
    }

    @Test
    void encode_sharedSubtablesExpandUntilTheOutputCap() {
        lua.expectError("not enough memory",
            "function() local t = {string.rep('x', 1000)} for i = 1, 15 do t = {t, t, t, t} end return cjson.encode(t) end");
    }

    @Test
    void encode_deepNestingWithRaisedLimit_isALuaError() {
        lua.run("cjson.encode_max_depth(2147483647)");
        String msg = lua.pcallError("function() local t = {} local c = t for i = 1, 100000 do c.x = {} c = c.x end "
            + "return cjson.encode(t) end");
        assertTrue(msg.startsWith("Cannot serialise, excessive nesting ("), msg);
    }

    // ------------------------------------------------------------- decoding

    @Test
    void decode_valuesAsRedis() {
        lua.expect("16", "cjson.decode('0x10')");
        lua.expect("1", "cjson.decode('[+1, 007, -inf]')[1]");
        lua.expect("7", "cjson.decode('[+1, 007, -inf]')[2]");
        lua.expect("-inf", "tostring(cjson.decode('[+1, 007, -inf]')[3])");
        lua.expect("true", "cjson.decode('null') == cjson.null");
        lua.expect("1", "cjson.decode('[1]\\0xx')[1]");
        lua.expect("inf", "tostring(cjson.decode('1e400'))");
        lua.expect("f09f9880", "hx(cjson.decode('\"\\\\ud83d\\\\ude00\"'))");
        lua.expect("c3a9", "hx(cjson.decode('\"\\\\u00e9\"'))");
        lua.expect("3", "cjson.decode('0x1.8p1')");
        lua.expect("true", "cjson.decode(' { \"a\" : [ true , false ] } ').a[1]");
        lua.expect("0", "#cjson.decode('[]')");
        lua.expect("nil", "next(cjson.decode('{}'))");
    }

    @Test
    void decode_errorsAsRedis() {
        lua.expectError("Expected value but found invalid token at character 1", "cjson.decode, 'x'");
        lua.expectError("Expected value but found invalid unicode escape code at character 2",
            "cjson.decode, '\"\\\\ud83d\"'");
        lua.expectError("Expected comma or array end but found T_END at character 5", "cjson.decode, '[1,2'");
        lua.expectError("Expected colon but found T_NUMBER at character 6", "cjson.decode, '{\"a\" 1}'");
        lua.expectError("Expected value but found T_END at character 1", "cjson.decode, ''");
        lua.expectError("Expected value but found T_ARR_END at character 4", "cjson.decode, '[1,]'");
        lua.expectError("Found too many nested data structures (1001) at character 1001",
            "cjson.decode, string.rep('[', 1001)");
        lua.expectError("Expected value but found invalid token at character 1", "cjson.decode, 'tru'");
        lua.expectError("Expected value but found unexpected end of string at character 5", "cjson.decode, '\"abc'");
        lua.expectError("Expected value but found invalid escape code at character 2", "cjson.decode, '\"\\\\q\"'");
        lua.expectError("JSON parser does not support UTF-16 or UTF-32", "cjson.decode, 'a\\0'");
        lua.expectError("Expected value but found invalid number at character 1", "cjson.decode, '-'");
        lua.expectError("Expected object key string but found T_NUMBER at character 2", "cjson.decode, '{1:2}'");
        lua.expectError("Expected the end but found T_NUMBER at character 3", "cjson.decode, '1 2'");
        lua.expectError("Expected comma or object end but found T_STRING at character 8",
            "cjson.decode, '{\"a\":1 \"b\":2}'");
        lua.expectError("bad argument #1 to 'decode' (expected 1 argument)", "cjson.decode");
        lua.expectError("bad argument #1 to 'decode' (string expected, got table)", "cjson.decode, {}");
    }

    @Test
    void decode_strictNumbersWhenInvalidNumbersOff() {
        lua.expect("false", "cjson.decode_invalid_numbers(false)");
        lua.expectError("Expected value but found invalid number at character 1", "cjson.decode, '0x10'");
        lua.expectError("Expected value but found invalid token at character 1", "cjson.decode, 'nan'");
        lua.expectError("Expected value but found invalid token at character 1", "cjson.decode, '+1'");
        lua.expectError("Expected value but found invalid number at character 1", "cjson.decode, '-0x1'");
        lua.expect("-1.5", "cjson.decode('-1.5')");
    }

    @Test
    void config_answersAndErrors() {
        Varargs r = lua.run("return cjson.encode_sparse_array()");
        assertEquals(LuaValue.FALSE, r.arg(1));
        assertEquals(2, r.arg(2).toint());
        assertEquals(10, r.arg(3).toint());
        lua.expect("1000", "cjson.encode_max_depth()");
        lua.expect("1000", "cjson.decode_max_depth()");
        lua.expect("14", "cjson.encode_number_precision()");
        lua.expect("true", "cjson.encode_keep_buffer()");
        lua.expect("false", "cjson.encode_invalid_numbers()");
        lua.expect("true", "cjson.decode_invalid_numbers()");
        lua.expectError("bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647)",
            "cjson.encode_max_depth, 0");
        lua.expectError("bad argument #1 to 'encode_sparse_array' (invalid option 'x')", "cjson.encode_sparse_array, 'x'");
        lua.expectError("bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)",
            "cjson.encode_number_precision, 15");
        lua.expectError("bad argument #2 to 'encode_max_depth' (found too many arguments)", "cjson.encode_max_depth, 1, 2");
        lua.expect("2.1.0", "cjson._VERSION");
        lua.expect("1000", "cjson.new().encode_max_depth()");
    }

    // ---------------------------------------------------------- round trips

    @Test
    void roundTrip_binaryStringsAndNesting() {
        lua.run("""
            local s = ''
            for i = 0, 255 do s = s .. string.char(i) end
            local v = {s, {a = {b = {1, 2.5, -3e-7, true, false}}}, 'x'}
            local d = cjson.decode(cjson.encode(v))
            assert(d[1] == s)
            assert(d[2].a.b[2] == 2.5 and d[2].a.b[3] == -3e-7 and d[2].a.b[4] == true and d[2].a.b[5] == false)
            assert(d[3] == 'x')
            """);
    }

    @Test
    void decode_garbageAnswersLuaErrors() {
        Random random = new Random(7);
        String alphabet = "{}[]:,\"\\ 0123456789eE+-.truefalsnul\u0001x";
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = new byte[random.nextInt(24)];
            for (int j = 0; j < bytes.length; j++) {
                bytes[j] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : (byte) alphabet.charAt(random.nextInt(alphabet.length()));
            }
            LuaValue decode = lua.g.get("cjson").get("decode");
            try {
                decode.call(LuaString.valueOf(bytes));
            } catch (LuaError expected) {
                // the only failure allowed
            }
        }
    }

    @Test
    void decode_deepNestingIsBoundedWithoutJavaRecursion() {
        lua.run("cjson.decode_max_depth(2147483647)");
        String msg = lua.pcallError("cjson.decode, string.rep('[', 1000000)");
        assertEquals("Found too many nested data structures (7999) at character 7999", msg);
        msg = lua.pcallError("cjson.decode, string.rep('{\"a\":', 100000)");
        assertTrue(msg.startsWith("Found too many nested data structures ("), msg);
        LuaTable t = lua.eval("return cjson.decode(string.rep('[', 5000) .. string.rep(']', 5000))").checktable();
        assertEquals(1, t.rawlen());
    }
}
