package io.damselfly.server.scripting.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;

/**
 * Random inputs through the same Lua on luaj (with our libraries) and on redis-server 7.0.15
 * (EVALSHA, inputs in ARGV), comparing a canonical dump of every result or the error text.
 *
 * <p>Normalised before comparing, because they belong to the Lua VM and not to the libraries:
 * error positions ("[string ...]:1:") and the function name Lua 5.1 reads from the call site
 * ('?' under pcall). Inputs avoid -0 (luaj has no negative zero) and tables with several hash
 * keys (luaj's next() order is not Lua 5.1's), both noted in the library classes.
 */
@ExtendWith(RedisServerExtension.class)
class ScriptLibrariesDifferentialTest {

    /** The script both sides run: ARGV[1] names the case, ARGV[2..] are its inputs. */
    private static final String SCRIPT = """
        local function hx(s) local h = {} for i = 1, #s do h[#h+1] = string.format('%02x', string.byte(s, i)) end return table.concat(h) end
        local dump
        dump = function(v, d)
          d = d or 0
          if d > 40 then return '...' end
          local t = type(v)
          if t == 'table' then
            local dk = {}
            for k in pairs(v) do dk[#dk+1] = {dump(k, d+1), k} end
            table.sort(dk, function(a, b) return a[1] < b[1] end)
            local parts = {}
            for _, e in ipairs(dk) do parts[#parts+1] = e[1] .. '=' .. dump(v[e[2]], d+1) end
            return '{' .. table.concat(parts, ',') .. '}'
          elseif t == 'number' then
            if v ~= v then return 'nan' end
            return 'n' .. hx(struct.pack('>d', v))
          elseif t == 'string' then return 's' .. hx(v)
          elseif t == 'boolean' then return tostring(v)
          elseif v == cjson.null then return 'null'
          else return t end
        end
        local function res(ok, ...)
          if not ok then return 'ERR:' .. tostring((...)) end
          local parts = {}
          for i = 1, select('#', ...) do parts[i] = dump((select(i, ...))) end
          return 'OK' .. select('#', ...) .. ':' .. table.concat(parts, ';')
        end
        local function bytes(ok, r) if ok then return 'OK:' .. hx(r) end return 'ERR:' .. tostring(r) end
        local kind, a, b = ARGV[1], ARGV[2], ARGV[3]
        if kind == 'jdec' then return res(pcall(cjson.decode, a))
        elseif kind == 'jenc' then return bytes(pcall(cjson.encode, loadstring('return ' .. a)()))
        elseif kind == 'mpun' then return res(pcall(cmsgpack.unpack, a))
        elseif kind == 'mpone' then return res(pcall(cmsgpack.unpack_one, a, tonumber(b)))
        elseif kind == 'mplim' then return res(pcall(cmsgpack.unpack_limit, a, 2, tonumber(b)))
        elseif kind == 'mpk' then return bytes(pcall(cmsgpack.pack, loadstring('return ' .. a)()))
        elseif kind == 'stun' then return res(pcall(struct.unpack, a, b))
        elseif kind == 'stsz' then return res(pcall(struct.size, a))
        elseif kind == 'stpk' then return bytes(pcall(struct.pack, a, 1, b, -2.5, b, 300, 7))
        elseif kind == 'bit' then return res(pcall(loadstring('return ' .. a)))
        end
        return 'unknown kind'
        """;

    private static final int CASES_PER_KIND = 1000;

    @Test
    void cjsonDecode(RedisServerProcess redis) {
        String alphabet = "{}[]:,\"\\ 0123456789eE+-.truefalsnulxIiNnfy";
        String[] seeds = {"[1,2,[3,{\"a\":4}]]", "{\"k\":\"v\\u00e9\\n\"}", "[1e5, 0.1, -1.5e-300]",
            "\"\\ud83d\\ude00\"", "[0x1F, 1E400, -Infinity, NaN]", "[\"\\u0000\", 007, +5]"};
        compare(redis, "jdec", r -> {
            StringBuilder s = new StringBuilder();
            if (r.nextInt(10) < 3) {
                s.append(seeds[r.nextInt(seeds.length)]);
            }
            for (int n = r.nextInt(21); n > 0; n--) {
                s.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            return new byte[][] {latin1(s.toString())};
        });
    }

    @Test
    void cjsonEncode(RedisServerProcess redis) {
        compare(redis, "jenc", r -> new byte[][] {latin1(jsonValue(r, 0))});
    }

    @Test
    void cmsgpackUnpack(RedisServerProcess redis) {
        int[] likely = {0x91, 0x81, 0xa1, 0xcd, 0xce, 0xcf, 0xd3, 0xca, 0xcb, 0xc0, 0xc3, 0x01, 0x7f, 0xe0, 0xdc, 0xde, 0xd9, 0xc1};
        compare(redis, "mpun", r -> {
            byte[] b = new byte[r.nextInt(13)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (r.nextBoolean() ? r.nextInt(256) : likely[r.nextInt(likely.length)]);
            }
            return new byte[][] {b};
        });
        for (String kind : new String[] {"mpone", "mplim"}) {
            compare(redis, kind, r -> {
                byte[] b = new byte[r.nextInt(9)];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) (r.nextInt(10) < 3 ? r.nextInt(256) : r.nextInt(0x80));
                }
                return new byte[][] {b, latin1(String.valueOf(r.nextInt(b.length + 3) - 1))};
            });
        }
    }

    @Test
    void cmsgpackPack(RedisServerProcess redis) {
        compare(redis, "mpk", r -> new byte[][] {latin1(msgpackValue(r, 0))});
    }

    @Test
    void struct(RedisServerProcess redis) {
        String alphabet = "<>! xbBhHlLTiIfdsc0123456789";
        for (String kind : new String[] {"stun", "stsz", "stpk"}) {
            compare(redis, kind, r -> {
                StringBuilder fmt = new StringBuilder();
                for (int n = r.nextInt(8); n > 0; n--) {
                    fmt.append(alphabet.charAt(r.nextInt(alphabet.length())));
                }
                byte[] data = new byte[r.nextInt(25)];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) (r.nextBoolean() ? r.nextInt(256) : (r.nextBoolean() ? 0 : 'A'));
                }
                return new byte[][] {latin1(fmt.toString()), data};
            });
        }
    }

    @Test
    void bit(RedisServerProcess redis) {
        String[] fns = {"tobit", "bnot", "band", "bor", "bxor", "lshift", "rshift", "arshift", "rol", "ror", "bswap", "tohex"};
        String[] nums = {"0", "1", "-1", "2^31", "2^32", "2^52+0.5", "-2^53", "1.5", "2.5", "-3.5", "0x7fffffff",
            "'12'", "'0x10'", "4294967295.5", "1e20", "-1e20", "33", "-33", "8", "-8", "nil", "{}", "'x'", "'inf'",
            "' 12 '", "'1\\0x'", "'0x'", "'1e'", "'nan'", "' 0x1p4'", "'5 x'", "''", "'\\t7\\n'", "-2^31"};
        compare(redis, "bit", r -> {
            StringBuilder e = new StringBuilder("bit.").append(fns[r.nextInt(fns.length)]).append('(');
            for (int n = r.nextInt(4), i = 0; i < n; i++) {
                e.append(i > 0 ? "," : "").append(nums[r.nextInt(nums.length)]);
            }
            return new byte[][] {latin1(e.append(')').toString())};
        });
    }

    // ------------------------------------------------------------------------------------------

    private static String jsonValue(Random r, int depth) {
        switch (r.nextInt(depth < 3 ? 10 : 6)) {
            case 0:
                return pick(r, "0", "1", "-1", "0.1", "1e300", "1/3", "123456789012345", "2^53", "-2.5e-7", "1e15", "1e16",
                    "100000000000000", "5e-5", "0.0001", "2^63", "-2^63", "1e-5", "123.456");
            case 1:
                return pick(r, "'a'", "'\\0\\1\\31\\127\\255/\\\\\\\"'", "''", "'\\r\\n\\t\\b\\f'");
            case 2:
                return pick(r, "true", "false", "cjson.null", "nil");
            case 3:
                return pick(r, "1/0", "-1/0", "0/0");
            case 4:
                return pick(r, "{}", "{[1]=1,[3]=3}", "{[12]=1}", "{[11]=1,[1]=2,[2]=3,[3]=4,[4]=5,[5]=6}", "{[1.5]=2}",
                    "{[0]=1}", "{[-1]=1}", "{[2^40]=1}", "{[true]=1}", "{function() end}", "{[10]=1}");
            case 5:
                return "{x=" + jsonValue(r, depth + 1) + "}";
            default: {
                StringBuilder s = new StringBuilder("{");
                for (int n = r.nextInt(5), i = 0; i < n; i++) {
                    s.append(i > 0 ? "," : "").append(jsonValue(r, depth + 1));
                }
                return s.append('}').toString();
            }
        }
    }

    private static String msgpackValue(Random r, int depth) {
        switch (r.nextInt(depth < 3 ? 8 : 5)) {
            case 0:
                return pick(r, "0", "1", "-1", "0.1", "127", "128", "255", "256", "65535", "65536", "2^32", "2^32-1", "-32",
                    "-33", "-128", "-129", "-32768", "-32769", "-2^31", "-2^31-1", "2^53", "1.5", "1e300", "2^63", "-2^63",
                    "3.0e9+0.5", "2^64", "0/0");
            case 1:
                return pick(r, "'a'", "string.rep('x', 31)", "string.rep('x', 32)", "string.rep('y', 256)", "''");
            case 2:
                return pick(r, "true", "false", "cjson.null", "nil", "function() end");
            case 3:
                return pick(r, "1/0", "-1/0");
            case 4:
                return pick(r, "{}", "{[1]=1,[3]=3}", "{[2]=1}", "{[1.5]=2}", "{[0]=1}", "{[1]=1,[2]=2,[3]=3}",
                    "setmetatable({1,2}, {__index=function() return 9 end})");
            case 5:
                return "{x=" + msgpackValue(r, depth + 1) + "}";
            default: {
                StringBuilder s = new StringBuilder("{");
                for (int n = r.nextInt(18), i = 0; i < n; i++) {
                    s.append(i > 0 ? "," : "").append(msgpackValue(r, depth + 1));
                }
                return s.append('}').toString();
            }
        }
    }

    private static String pick(Random r, String... options) {
        return options[r.nextInt(options.length)];
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Runs CASES_PER_KIND inputs from {@code gen} on both sides and asserts equal answers. */
    private static void compare(RedisServerProcess redis, String kind, Function<Random, byte[][]> gen) {
        LuaHarness lua = new LuaHarness();
        LuaValue chunk = lua.g.load(SCRIPT, "=user_script");
        Random random = new Random(kind.hashCode());
        List<String> mismatches = new ArrayList<>();
        try (RawClient client = new RawClient("127.0.0.1", redis.port())) {
            String sha = ((RespValue.BulkString) client.call("SCRIPT", "LOAD", SCRIPT)).asString();
            for (int i = 0; i < CASES_PER_KIND; i++) {
                byte[][] inputs = gen.apply(random);
                Object[] command = new Object[4 + inputs.length];
                command[0] = "EVALSHA";
                command[1] = sha;
                command[2] = "0";
                command[3] = kind;
                System.arraycopy(inputs, 0, command, 4, inputs.length);
                RespValue reply = client.call(command);
                String expected = reply instanceof RespValue.BulkString b ? b.asString() : RawClient.render(reply);

                LuaTable argv = new LuaTable();
                argv.set(1, LuaValue.valueOf(kind));
                for (int j = 0; j < inputs.length; j++) {
                    argv.set(j + 2, LuaString.valueOf(inputs[j]));
                }
                lua.g.set("ARGV", argv);
                String actual = chunk.call().tojstring();
                if (!normalise(expected).equals(normalise(actual))) {
                    mismatches.add(clip(new String(inputs[0], StandardCharsets.ISO_8859_1)) + "\n  redis: " + clip(expected)
                        + "\n  luaj:  " + clip(actual));
                }
            }
        }
        assertTrue(mismatches.isEmpty(), () -> mismatches.size() + " of " + CASES_PER_KIND + " " + kind
            + " cases differ, first:\n" + String.join("\n", mismatches.subList(0, Math.min(5, mismatches.size()))));
        assertEquals(0, mismatches.size());
    }

    private static String clip(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    private static String normalise(String s) {
        return s.replaceAll("\\[string \".*\"\\]:\\d+: ", "")
            .replaceAll("=?user_script:\\d+:? ", "")
            .replaceAll("bad argument #(\\d+) to '[^']*'", "bad argument #$1 to 'F'");
    }
}
