package io.damselfly.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespDecoderTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static RespValue.BulkString bulk(String s) {
        return new RespValue.BulkString(bytes(s));
    }

    private static RespValue.SimpleString simple(String s) {
        return new RespValue.SimpleString(s);
    }

    private static RespValue.Integer integer(long v) {
        return new RespValue.Integer(v);
    }

    private static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    private static List<Object> write(EmbeddedChannel ch, byte[] data, int off, int len) {
        ch.writeInbound(Unpooled.wrappedBuffer(data, off, len));
        return drain(ch);
    }

    /** Whole, split at every byte, and byte by byte: nothing until the value is whole, then it. */
    private static void assertDecodes(String wire, RespValue expected) {
        byte[] data = bytes(wire);
        assertEquals(List.of(expected), RespDecoder.decodeAll(Unpooled.wrappedBuffer(data)));
        for (int k = 1; k < data.length; k++) {
            EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder());
            assertEquals(List.of(), write(ch, data, 0, k), "emitted after " + k + " of " + data.length + " bytes");
            assertEquals(List.of(expected), write(ch, data, k, data.length - k));
            ch.finishAndReleaseAll();
        }
        EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder());
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < data.length; i++) {
            out.addAll(write(ch, data, i, 1));
            if (i < data.length - 1) {
                assertEquals(List.of(), out);
            }
        }
        assertEquals(List.of(expected), out);
        ch.finishAndReleaseAll();
    }

    private static void assertMalformed(String wire) {
        assertMalformed(wire, RespLimits.defaults());
    }

    private static void assertMalformed(String wire, RespLimits limits) {
        EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder(limits));
        assertThrows(DecoderException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(bytes(wire))), wire);
        // Afterwards the connection's input is ignored.
        ch.writeInbound(Unpooled.wrappedBuffer(bytes("+OK\r\n")));
        assertNull(ch.readInbound());
        ch.finishAndReleaseAll();
    }

    // ---------------------------------------------------------------------------------------------
    // RESP2 types
    // ---------------------------------------------------------------------------------------------

    @Test
    void simpleString() {
        assertDecodes("+OK\r\n", simple("OK"));
        assertDecodes("+\r\n", simple(""));
    }

    @Test
    void simpleString_utf8() {
        assertDecodes("+caf\u00c3\u00a9\r\n", simple("caf\u00e9"));
    }

    @Test
    void error() {
        assertDecodes("-ERR unknown command 'x'\r\n", new RespValue.Error("ERR unknown command 'x'"));
    }

    @Test
    void integer() {
        assertDecodes(":0\r\n", integer(0));
        assertDecodes(":-42\r\n", integer(-42));
        assertDecodes(":+7\r\n", integer(7));
        assertDecodes(":9223372036854775807\r\n", integer(Long.MAX_VALUE));
        assertDecodes(":-9223372036854775808\r\n", integer(Long.MIN_VALUE));
    }

    @Test
    void bulkString() {
        assertDecodes("$5\r\nhello\r\n", bulk("hello"));
        assertDecodes("$0\r\n\r\n", bulk(""));
        assertDecodes("$4\r\na\r\nb\r\n", bulk("a\r\nb"));
    }

    @Test
    void bulkString_allByteValues() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        assertDecodes("$256\r\n" + new String(all, StandardCharsets.ISO_8859_1) + "\r\n", new RespValue.BulkString(all));
    }

    @Test
    void nullBulkAndNullArray() {
        assertDecodes("$-1\r\n", RespValue.Null.INSTANCE);
        assertDecodes("*-1\r\n", RespValue.Null.INSTANCE);
    }

    @Test
    void array() {
        assertDecodes("*0\r\n", new RespValue.Array(List.of()));
        assertDecodes(
                "*4\r\n:1\r\n$1\r\na\r\n*2\r\n+x\r\n$-1\r\n*0\r\n",
                RespValue.Array.of(
                        integer(1), bulk("a"), RespValue.Array.of(simple("x"), RespValue.Null.INSTANCE),
                        new RespValue.Array(List.of())));
    }

    @Test
    void pipelinedValues() {
        ByteBuf in = Unpooled.wrappedBuffer(bytes("+OK\r\n:1\r\n$1\r\nx\r\n*1\r\n:2\r\n"));
        assertEquals(List.of(simple("OK"), integer(1), bulk("x"), RespValue.Array.of(integer(2))), RespDecoder.decodeAll(in));
        assertEquals(0, in.readableBytes());
    }

    // ---------------------------------------------------------------------------------------------
    // RESP3 types
    // ---------------------------------------------------------------------------------------------

    @Test
    void null3() {
        assertDecodes("_\r\n", RespValue.Null.INSTANCE);
    }

    @Test
    void double_() {
        assertDecodes(",3.14\r\n", new RespValue.Double(3.14));
        assertDecodes(",-2\r\n", new RespValue.Double(-2));
        assertDecodes(",1.0000000000000001e+300\r\n", new RespValue.Double(1e300));
        assertDecodes(",1E5\r\n", new RespValue.Double(1e5));
        assertDecodes(",inf\r\n", new RespValue.Double(Double.POSITIVE_INFINITY));
        assertDecodes(",-inf\r\n", new RespValue.Double(Double.NEGATIVE_INFINITY));
        assertDecodes(",nan\r\n", new RespValue.Double(Double.NaN));
    }

    @Test
    void boolean_() {
        assertDecodes("#t\r\n", new RespValue.Boolean(true));
        assertDecodes("#f\r\n", new RespValue.Boolean(false));
    }

    @Test
    void bigNumber() {
        assertDecodes("(3492890328409238509324850943850943825024385\r\n",
                new RespValue.BigNumber(new BigInteger("3492890328409238509324850943850943825024385")));
        assertDecodes("(-12\r\n", new RespValue.BigNumber(BigInteger.valueOf(-12)));
    }

    @Test
    void blobError() {
        assertDecodes("!21\r\nSYNTAX invalid syntax\r\n", new RespValue.Error("SYNTAX invalid syntax"));
    }

    @Test
    void verbatim() {
        assertDecodes("=15\r\ntxt:Some string\r\n", new RespValue.Verbatim("txt", bytes("Some string")));
        assertDecodes("=4\r\nmkd:\r\n", new RespValue.Verbatim("mkd", new byte[0]));
    }

    @Test
    void map() {
        RespValue.Map expected = new RespValue.Map(List.of(
                new RespValue.Map.Entry(simple("first"), integer(1)),
                new RespValue.Map.Entry(bulk("second"), RespValue.Array.of(integer(2)))));
        assertDecodes("%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n*1\r\n:2\r\n", expected);
        assertEquals(integer(1), expected.asMap().get(simple("first")));
        assertDecodes("%0\r\n", new RespValue.Map(List.of()));
    }

    @Test
    void set() {
        assertDecodes("~3\r\n+a\r\n:1\r\n#t\r\n",
                new RespValue.Set(List.of(simple("a"), integer(1), new RespValue.Boolean(true))));
    }

    @Test
    void push() {
        assertDecodes(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n",
                new RespValue.Push(List.of(bulk("message"), bulk("ch"), bulk("hello"))));
    }

    @Test
    void attribute_isDropped() {
        assertDecodes(
                "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
                RespValue.Array.of(integer(2039123), integer(9543892)));
    }

    @Test
    void attribute_insideAggregateIsNotAnElement() {
        assertDecodes("*2\r\n|1\r\n+k\r\n+v\r\n:1\r\n|0\r\n:2\r\n", RespValue.Array.of(integer(1), integer(2)));
    }

    // ---------------------------------------------------------------------------------------------
    // Limits
    // ---------------------------------------------------------------------------------------------

    @Test
    void depth_atLimitAccepted() {
        RespLimits limits = new RespLimits(100, 100, 100, 3, 10, 100);
        List<RespValue> values = RespDecoder.decodeAll(Unpooled.wrappedBuffer(bytes("*1\r\n*1\r\n*1\r\n:1\r\n")), limits);
        assertEquals(List.of(RespValue.Array.of(RespValue.Array.of(RespValue.Array.of(integer(1))))), values);
    }

    @Test
    void depth_beyondLimitRefused() {
        RespLimits limits = new RespLimits(100, 100, 100, 3, 10, 100);
        assertMalformed("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", limits);
        assertMalformed("*1\r\n%1\r\n~1\r\n>1\r\n:1\r\n", limits);
    }

    @Test
    void depth_defaultLimit() {
        String ok = "*1\r\n".repeat(RespLimits.DEFAULT_MAX_DEPTH) + ":1\r\n";
        assertEquals(1, RespDecoder.decodeAll(Unpooled.wrappedBuffer(bytes(ok))).size());
        assertMalformed("*1\r\n".repeat(RespLimits.DEFAULT_MAX_DEPTH + 1) + ":1\r\n");
        // A hostile nesting cannot overflow the stack: refused at the limit, not recursed into.
        assertMalformed("*1\r\n".repeat(100_000));
    }

    @Test
    void bulk_tooLongRefusedBeforeAllocating() {
        RespLimits limits = RespLimits.defaults().withMaxBulkLength(10);
        assertMalformed("$11\r\nhello", limits);
        assertMalformed("$2147483647\r\n");
    }

    @Test
    void aggregate_tooLongRefused() {
        RespLimits limits = new RespLimits(100, 5, 100, 8, 10, 100);
        assertMalformed("*6\r\n", limits);
        assertMalformed("%3\r\n", new RespLimits(100, 2, 100, 8, 10, 100));
        assertMalformed("*2147483648\r\n");
    }

    @Test
    void aggregate_hugeClaimWaitsWithoutAllocating() {
        EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder());
        assertEquals(List.of(), write(ch, bytes("*2000000000\r\n:1\r\n"), 0, 17));
        ch.finishAndReleaseAll();
    }

    @Test
    void line_tooLongRefused() {
        RespLimits limits = new RespLimits(100, 100, 16, 8, 10, 100);
        assertMalformed("+" + "x".repeat(16), limits);
        assertMalformed("+" + "x".repeat(20) + "\r\n", limits);
        assertEquals(List.of(simple("x".repeat(15))),
                RespDecoder.decodeAll(Unpooled.wrappedBuffer(bytes("+" + "x".repeat(15) + "\r\n")), limits));
    }

    // ---------------------------------------------------------------------------------------------
    // Malformed input
    // ---------------------------------------------------------------------------------------------

    @Test
    void malformed_unknownType() {
        assertMalformed("?what\r\n");
        assertMalformed("PING\r\n");
    }

    @Test
    void malformed_numbers() {
        for (String s : new String[] {":\r\n", ":abc\r\n", ":1.5\r\n", ":-\r\n", ":9223372036854775808\r\n",
                ":-9223372036854775809\r\n", "$abc\r\n", "$-2\r\n", "*-2\r\n", "%-1\r\n", "~-1\r\n", "* 1\r\n"}) {
            assertMalformed(s);
        }
    }

    @Test
    void malformed_lineEnd() {
        assertMalformed("+OK\rX");
        assertMalformed("$5\r\nhelloXY");
        assertMalformed("$5\r\nhello\n\r");
    }

    @Test
    void malformed_resp3Scalars() {
        for (String s : new String[] {"#x\r\n", "#\r\n", "#tt\r\n", "_x\r\n", ",\r\n", ",abc\r\n", ",Infinity\r\n",
                ",1.5.5\r\n", ",1d\r\n", ",0x10\r\n", "(\r\n", "(12a\r\n", "(-\r\n", "=3\r\ntxt\r\n", "=5\r\ntxt-a\r\n"}) {
            assertMalformed(s);
        }
    }

    @Test
    void malformed_streamedNotSupported() {
        assertMalformed("$?\r\n;4\r\nHell\r\n;0\r\n");
        assertMalformed("*?\r\n:1\r\n.\r\n");
    }

    @Test
    void decodeAll_incompleteInputRefused() {
        assertThrows(DecoderException.class, () -> RespDecoder.decodeAll(Unpooled.wrappedBuffer(bytes("$5\r\nhel"))));
        assertThrows(DecoderException.class, () -> RespDecoder.decodeAll(Unpooled.wrappedBuffer(bytes("*2\r\n:1\r\n"))));
        assertThrows(DecoderException.class, () -> RespDecoder.decodeAll(Unpooled.wrappedBuffer(bytes("+OK"))));
    }

    @Test
    void bulkString_asString() {
        RespValue.BulkString b = RespValue.BulkString.of("h\u00e9llo");
        assertEquals("h\u00e9llo", b.asString());
        assertEquals("h\u00e9llo", b.toString());
        assertEquals(b, bulk("h\u00c3\u00a9llo"));
        assertEquals(b.hashCode(), bulk("h\u00c3\u00a9llo").hashCode());
        assertThrows(NullPointerException.class, () -> new RespValue.BulkString(null));
    }

    @Test
    void bigValueInPieces() {
        byte[] value = new byte[1 << 20];
        new java.util.Random(3).nextBytes(value);
        ByteBuf wire = Unpooled.buffer();
        RespWriter.writeBulk(wire, value);
        byte[] data = new byte[wire.readableBytes()];
        wire.readBytes(data);
        EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder());
        List<Object> out = new ArrayList<>();
        for (int off = 0; off < data.length; off += 4096) {
            out.addAll(write(ch, data, off, Math.min(4096, data.length - off)));
        }
        assertEquals(1, out.size());
        assertInstanceOf(RespValue.BulkString.class, out.get(0));
        assertTrue(java.util.Arrays.equals(value, ((RespValue.BulkString) out.get(0)).value()));
        ch.finishAndReleaseAll();
    }
}
