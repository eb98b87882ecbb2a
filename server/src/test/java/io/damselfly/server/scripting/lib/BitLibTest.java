package io.damselfly.server.scripting.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** bit against redis-server 7.0.15's answers (each expected value was read from one). */
class BitLibTest {

    private final LuaHarness lua = new LuaHarness();

    @Test
    void scriptingTcl_numericalSanityCheckFromBitop() {
        lua.run("""
            assert(0x7fffffff == 2147483647, "broken hex literals");
            assert(0xffffffff == -1 or 0xffffffff == 2^32-1,
                "broken hex literals");
            assert(tostring(-1) == "-1", "broken tostring()");
            assert(tostring(0xffffffff) == "-1" or
                tostring(0xffffffff) == "4294967295",
                "broken tostring()")
            """);
    }

    @Test
    void scriptingTcl_verifyMinimalBitopFunctionality() {
        lua.run("""
            assert(bit.tobit(1) == 1);
            assert(bit.band(1) == 1);
            assert(bit.bxor(1,2) == 3);
            assert(bit.bor(1,2,4,8,16,32,64,128) == 255)
            """);
    }

    @Test
    void functionsTcl_versionDecomposition() {
        // tests/unit/functions.tcl splits REDIS_VERSION_NUM with bit.rshift/bit.band
        lua.expect("7.0.15", "(function() local version = 0x0007000f return string.format('%d.%d.%d', "
            + "bit.band(bit.rshift(version, 16), 0x000000ff), bit.band(bit.rshift(version, 8), 0x000000ff), "
            + "bit.band(version, 0x000000ff)) end)()");
    }

    @Test
    void operationsAsRedis() {
        String[][] cases = {
            {"-1", "bit.tobit(0xffffffff)"}, {"5", "bit.tobit(2^32+5)"}, {"2", "bit.tobit(1.5)"},
            {"2", "bit.tobit(2.5)"}, {"-2", "bit.tobit(-1.5)"}, {"4", "bit.tobit(2^53+7)"}, {"12", "bit.tobit('12')"},
            {"000000ff", "bit.tohex(255)"}, {"FFFF", "bit.tohex(-1, -4)"}, {"34", "bit.tohex(0x1234, 2)"},
            {"", "bit.tohex(1, 0)"}, {"00000001", "bit.tohex(1, 20)"}, {"0000FFFF", "bit.tohex(65535, -2^31)"},
            {"-1", "bit.bnot(0)"}, {"-2147483648", "bit.lshift(1, 31)"}, {"2", "bit.lshift(1, 33)"},
            {"15", "bit.rshift(-1, 28)"}, {"-16", "bit.arshift(-256, 4)"}, {"878082066", "bit.rol(0x12345678, 8)"},
            {"2014458966", "bit.ror(0x12345678, 8)"}, {"5", "bit.rol(5, 0)"}, {"2018915346", "bit.bswap(0x12345678)"},
            {"0", "bit.tobit(0/0)"}, {"0", "bit.tobit(1/0)"}, {"15", "bit.band(0xff, '0x0f')"},
            {"-2147483648", "bit.tobit(2^31)"}, {"0", "bit.tobit(-0)"}, {"7", "bit.bxor(1, 2, 4)"}, {"6", "bit.bxor(3, 5)"},
        };
        for (String[] c : cases) {
            lua.expect(c[0], c[1]);
        }
    }

    @Test
    void errorsAsRedis() {
        lua.expectError("bad argument #1 to 'tobit' (number expected, got string)", "bit.tobit, 'x'");
        lua.expectError("bad argument #1 to 'tobit' (number expected, got table)", "bit.tobit, {}");
        lua.expectError("bad argument #2 to 'band' (number expected, got nil)", "bit.band, 1, nil");
        lua.expectError("bad argument #2 to 'tohex' (number expected, got nil)", "bit.tohex, 1, nil");
        lua.expectError("bad argument #1 to 'bor' (number expected, got no value)", "bit.bor");
        lua.expectError("bad argument #2 to 'lshift' (number expected, got no value)", "bit.lshift, 1");
    }

    @Test
    void toBit_matchesRoundHalfEvenModulo2pow32() {
        for (double d = -70000.5; d < 70000; d += 0.25) {
            long rounded = (long) Math.rint(d);
            assertEquals((int) rounded, BitLib.toBit(d), () -> "tobit");
        }
    }
}
