package io.damselfly.server.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.rdb.Crc64;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scripting package's parsers on their own and on garbage: shebang lines (sdssplitargs and
 * the flags), RDB strings with LZF, CRC64, %.17g, and FUNCTION RESTORE fed random payloads with
 * a valid checksum, which must answer an error and never fail inside the server.
 */
@ExtendWith(ServerExtension.class)
class ScriptingParsersTest {

    @Test
    void crc64_checkValue() {
        assertEquals(0xe9c6d914c4b8d9caL, Crc64.of("123456789".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void splitArgs_asSdssplitargs() {
        assertEquals(List.of("#!lua", "name=foo"), SplitArgs.split("#!lua name=foo"));
        assertEquals(List.of("#!lua", "name=a b"), SplitArgs.split("#!lua \"name=a b\""));
        assertEquals(List.of("a\nb", "it's"), SplitArgs.split("\"a\\nb\" 'it\\'s'"));
        assertEquals(List.of("x"), SplitArgs.split("\"\\x78\""));
        assertEquals(List.of(), SplitArgs.split("   "));
        assertNull(SplitArgs.split("\"unclosed"));
        assertNull(SplitArgs.split("'unclosed"));
        assertNull(SplitArgs.split("\"a\"b"));
    }

    @Test
    void shebang_flagsAndErrors() {
        assertEquals(ScriptFlags.COMPAT, ScriptFlags.parse("return 1".getBytes()).flags());
        ScriptFlags.Shebang s = ScriptFlags.parse("#!lua flags=no-writes,allow-oom\nreturn 1".getBytes());
        assertEquals(ScriptFlags.NO_WRITES | ScriptFlags.ALLOW_OOM, s.flags());
        assertEquals(31, s.length());
        assertEquals(0, ScriptFlags.parse("#!lua flags=\nx".getBytes()).flags());
        assertEquals("Invalid script shebang", assertThrows(IllegalArgumentException.class, () -> ScriptFlags.parse("#!lua".getBytes())).getMessage());
        assertEquals("Unexpected flag in script shebang: ", assertThrows(IllegalArgumentException.class,
                () -> ScriptFlags.parse("#!lua flags=no-writes,\nx".getBytes())).getMessage());
        assertEquals("Invalid engine in script shebang", assertThrows(IllegalArgumentException.class,
                () -> ScriptFlags.parse("#!\"lua\nx".getBytes())).getMessage());
        Random r = new Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[r.nextInt(40)];
            r.nextBytes(b);
            if (b.length >= 2) {
                b[0] = '#';
                b[1] = '!';
            }
            try {
                ScriptFlags.parse(b);
            } catch (IllegalArgumentException expected) {
                // any refusal is fine; anything else is a bug
            }
        }
    }

    @Test
    void g17_asPrintf() {
        assertEquals("0.10000000000000001", LuaToReply.g17(0.1));
        assertEquals("1", LuaToReply.g17(1));
        assertEquals("1e+20", LuaToReply.g17(1e20));
        assertEquals("10000000000000000", LuaToReply.g17(1e16));
        assertEquals("-3.5", LuaToReply.g17(-3.5));
        assertEquals("1.0000000000000001e-05", LuaToReply.g17(1e-5));
        assertEquals("inf", LuaToReply.g17(Double.POSITIVE_INFINITY));
        assertEquals(Long.MIN_VALUE, LuaToReply.toLong(Double.NaN));
        assertEquals(-3, LuaToReply.toLong(-3.99));
    }

    @Test
    void functionRestore_garbagePayloadsAnswerErrors(EmbeddedServer server, RawClient raw) {
        Random r = new Random(3);
        for (int i = 0; i < 300; i++) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            int n = r.nextInt(40);
            if (r.nextBoolean()) {
                body.write(FunctionLibraries.RDB_OPCODE_FUNCTION2);
            }
            for (int k = 0; k < n; k++) {
                body.write(r.nextInt(256));
            }
            body.write(10);
            body.write(0);
            byte[] head = body.toByteArray();
            long crc = Crc64.of(head);
            for (int k = 0; k < 8; k++) {
                body.write((int) (crc >>> (8 * k)) & 0xff);
            }
            String reply = raw.callText("FUNCTION", "RESTORE", body.toByteArray());
            assertTrue(reply.startsWith("-ERR ") || reply.equals("+OK"), reply);
            assertTrue(!reply.equals("-ERR internal error"), reply);
        }
        assertEquals("+PONG", raw.callText("PING"));
        raw.call("FUNCTION", "FLUSH");
    }
}
