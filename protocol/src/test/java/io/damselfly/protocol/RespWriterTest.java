package io.damselfly.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class RespWriterTest {

    /**
     * What {@code write} produces, checked on a heap buffer (array path), a direct buffer (setByte
     * path) and a buffer with bytes already in it (so absolute indexes are exercised).
     */
    private static String written(Consumer<ByteBuf> write) {
        ByteBuf heap = Unpooled.buffer(1);
        ByteBuf direct = Unpooled.directBuffer(1);
        ByteBuf offset = Unpooled.buffer(4).writeBytes(new byte[] {'x', 'y'});
        offset.readerIndex(1);
        ByteBuf sliced = Unpooled.wrappedBuffer(new byte[100_000]).slice(3, 90_000).clear(); // arrayOffset 3
        try {
            write.accept(heap);
            write.accept(direct);
            write.accept(offset);
            write.accept(sliced);
            String s = heap.toString(StandardCharsets.ISO_8859_1);
            assertEquals(s, direct.toString(StandardCharsets.ISO_8859_1), "direct buffer");
            assertEquals("y" + s, offset.toString(StandardCharsets.ISO_8859_1), "buffer with content");
            assertEquals(s, sliced.toString(StandardCharsets.ISO_8859_1), "buffer with array offset");
            return s;
        } finally {
            heap.release();
            direct.release();
            offset.release();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------------------------------------
    // Lines
    // ---------------------------------------------------------------------------------------------

    @Test
    void simpleString() {
        assertEquals("+OK\r\n", written(b -> RespWriter.writeSimpleString(b, "OK")));
        assertEquals("+OK\r\n", written(b -> RespWriter.writeSimpleString(b, bytes("OK"))));
        assertEquals("+\r\n", written(b -> RespWriter.writeSimpleString(b, "")));
    }

    @Test
    void simpleString_crLfBecomeSpaces() {
        assertEquals("+a  b c\r\n", written(b -> RespWriter.writeSimpleString(b, "a\r\nb\nc")));
        assertEquals("+a  b\r\n", written(b -> RespWriter.writeSimpleString(b, bytes("a\r\nb"))));
    }

    @Test
    void simpleString_nonAsciiIsUtf8() {
        assertEquals("+\u00c3\u00a9 \r\n", written(b -> RespWriter.writeSimpleString(b, "\u00e9\n")));
    }

    @Test
    void error() {
        assertEquals("-ERR unknown command\r\n", written(b -> RespWriter.writeError(b, "ERR unknown command")));
        assertEquals("-ERR a b\r\n", written(b -> RespWriter.writeError(b, "ERR a\nb")));
        assertEquals("-ERR a  b\r\n", written(b -> RespWriter.writeError(b, "ERR a\r\nb")));
    }

    @Test
    void error_isAByteStringOneBytePerChar() {
        // client bytes quoted in an error (decoded ISO-8859-1 by the server) go back unchanged
        String echoed = "ERR unknown command '\u00ff\u00c3\u00a9\u0001\u007f\u0080'";
        assertEquals("-" + echoed + "\r\n", written(b -> RespWriter.writeError(b, echoed)));
        assertEquals("-ERR '\u00ff' \r\n", written(b -> RespWriter.writeError(b, "ERR '\u00ff'\r")));
        // no char above U+00FF belongs in a byte string: written as '?', never as several bytes
        assertEquals("-ERR ?\r\n", written(b -> RespWriter.writeError(b, "ERR \u20ac")));
    }

    @Test
    void integer_cachedRange() {
        for (long v = RespWriter.CACHED_INTEGER_MIN - 1; v <= RespWriter.CACHED_INTEGER_MAX + 1; v++) {
            long n = v;
            assertEquals(":" + n + "\r\n", written(b -> RespWriter.writeInteger(b, n)));
        }
    }

    @Test
    void integer_extremes() {
        assertEquals(":0\r\n", written(b -> RespWriter.writeInteger(b, 0)));
        assertEquals(":-1\r\n", written(b -> RespWriter.writeInteger(b, -1)));
        assertEquals(":-2\r\n", written(b -> RespWriter.writeInteger(b, -2)));
        assertEquals(":9223372036854775807\r\n", written(b -> RespWriter.writeInteger(b, Long.MAX_VALUE)));
        assertEquals(":-9223372036854775808\r\n", written(b -> RespWriter.writeInteger(b, Long.MIN_VALUE)));
        assertEquals(":-9223372036854775807\r\n", written(b -> RespWriter.writeInteger(b, Long.MIN_VALUE + 1)));
    }

    @Test
    void integer_everyDigitCountBoundary() {
        List<Long> values = new ArrayList<>();
        for (long p = 1; p > 0 && p <= Long.MAX_VALUE / 10 * 10; p *= 10) {
            values.add(p - 1);
            values.add(p);
            values.add(p + 1);
            values.add(-p + 1);
            values.add(-p);
            values.add(-p - 1);
            if (p > Long.MAX_VALUE / 10) {
                break;
            }
        }
        Random rnd = new Random(7);
        for (int i = 0; i < 1000; i++) {
            values.add(rnd.nextLong() >> rnd.nextInt(64));
        }
        for (long v : values) {
            assertEquals(":" + v + "\r\n", written(b -> RespWriter.writeInteger(b, v)), "value " + v);
            assertEquals(Long.toString(v).length(), RespWriter.stringSize(v), "size of " + v);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Bulk strings
    // ---------------------------------------------------------------------------------------------

    @Test
    void bulk() {
        assertEquals("$5\r\nhello\r\n", written(b -> RespWriter.writeBulk(b, bytes("hello"))));
        assertEquals("$0\r\n\r\n", written(b -> RespWriter.writeBulk(b, new byte[0])));
        assertEquals("$3\r\nell\r\n", written(b -> RespWriter.writeBulk(b, bytes("hello"), 1, 3)));
        assertEquals("$4\r\na\r\nb\r\n", written(b -> RespWriter.writeBulk(b, bytes("a\r\nb"))));
    }

    @Test
    void bulk_fromByteBufDoesNotConsume() {
        ByteBuf value = Unpooled.wrappedBuffer(bytes("xhello")).skipBytes(1);
        assertEquals("$5\r\nhello\r\n", written(b -> RespWriter.writeBulk(b, value)));
        assertEquals(1, value.readerIndex());
    }

    @Test
    void bulk_cachedAndUncachedHeaders() {
        for (int len : new int[] {0, 1, 9, 10, 1022, 1023, 1024, 1025, 70000}) {
            byte[] value = new byte[len];
            String s = written(b -> RespWriter.writeBulk(b, value));
            assertEquals("$" + len + "\r\n" + new String(value, StandardCharsets.ISO_8859_1) + "\r\n", s);
        }
    }

    @Test
    void bulk_header() {
        assertEquals("$12\r\n", written(b -> RespWriter.writeBulkHeader(b, 12)));
        assertEquals("$123456\r\n", written(b -> RespWriter.writeBulkHeader(b, 123456)));
        assertEquals("\r\n", written(RespWriter::writeCrlf));
    }

    @Test
    void bulkString_utf8() {
        assertEquals("$5\r\nhello\r\n", written(b -> RespWriter.writeBulkString(b, "hello")));
        // "h\u00e9\u20ac" is 1 + 2 + 3 UTF-8 bytes
        assertEquals("$6\r\nh\u00c3\u00a9\u00e2\u0082\u00ac\r\n", written(b -> RespWriter.writeBulkString(b, "h\u00e9\u20ac")));
        assertEquals("$0\r\n\r\n", written(b -> RespWriter.writeBulkString(b, "")));
    }

    @Test
    void nullBulk() {
        assertEquals("$-1\r\n", written(b -> RespWriter.writeNullBulk(b, 2)));
        assertEquals("_\r\n", written(b -> RespWriter.writeNullBulk(b, 3)));
    }

    @Test
    void nullArray() {
        assertEquals("*-1\r\n", written(b -> RespWriter.writeNullArray(b, 2)));
        assertEquals("_\r\n", written(b -> RespWriter.writeNullArray(b, 3)));
    }

    // ---------------------------------------------------------------------------------------------
    // Aggregates
    // ---------------------------------------------------------------------------------------------

    @Test
    void arrayHeader() {
        assertEquals("*0\r\n", written(b -> RespWriter.writeArrayHeader(b, 0)));
        assertEquals("*3\r\n", written(b -> RespWriter.writeArrayHeader(b, 3)));
        assertEquals("*1023\r\n", written(b -> RespWriter.writeArrayHeader(b, 1023)));
        assertEquals("*1024\r\n", written(b -> RespWriter.writeArrayHeader(b, 1024)));
        assertEquals("*2147483647\r\n", written(b -> RespWriter.writeArrayHeader(b, Integer.MAX_VALUE)));
    }

    @Test
    void mapHeader() {
        assertEquals("%2\r\n", written(b -> RespWriter.writeMapHeader(b, 2, 3)));
        assertEquals("*4\r\n", written(b -> RespWriter.writeMapHeader(b, 2, 2)));
        assertEquals("*0\r\n", written(b -> RespWriter.writeMapHeader(b, 0, 2)));
        assertEquals("*2048\r\n", written(b -> RespWriter.writeMapHeader(b, 1024, 2)));
        assertEquals("*4294967294\r\n", written(b -> RespWriter.writeMapHeader(b, Integer.MAX_VALUE, 2)));
    }

    @Test
    void setHeader() {
        assertEquals("~5\r\n", written(b -> RespWriter.writeSetHeader(b, 5, 3)));
        assertEquals("*5\r\n", written(b -> RespWriter.writeSetHeader(b, 5, 2)));
    }

    @Test
    void pushHeader() {
        assertEquals(">3\r\n", written(b -> RespWriter.writePushHeader(b, 3, 3)));
        assertEquals("*3\r\n", written(b -> RespWriter.writePushHeader(b, 3, 2)));
    }

    @Test
    void attributeHeader() {
        assertEquals("|1\r\n", written(b -> RespWriter.writeAttributeHeader(b, 1)));
        assertEquals("|1234\r\n", written(b -> RespWriter.writeAttributeHeader(b, 1234)));
    }

    // ---------------------------------------------------------------------------------------------
    // RESP3 scalars
    // ---------------------------------------------------------------------------------------------

    /** {value, C printf("%.17g")}, from glibc. */
    private static final Object[][] DOUBLES = {
        {3.0, "3"},
        {10.5, "10.5"},
        {0.0, "0"},
        {-0.0, "-0"},
        {-3.0, "-3"},
        {0.1, "0.10000000000000001"},
        {-0.1, "-0.10000000000000001"},
        {1e300, "1.0000000000000001e+300"},
        {-1e300, "-1.0000000000000001e+300"},
        {1e20, "1e+20"},
        {1e17, "1e+17"},
        {1e16, "10000000000000000"},
        {9.999999999999998e16, "99999999999999984"},
        {1e100, "1e+100"},
        {1.5e-7, "1.4999999999999999e-07"},
        {1e-5, "1.0000000000000001e-05"},
        {0.0001, "0.0001"},
        {2.5, "2.5"},
        {1.0 / 3, "0.33333333333333331"},
        {4.35, "4.3499999999999996"},
        {12345.678, "12345.678"},
        {123456789.125, "123456789.125"},
        {-2.5e-10, "-2.5000000000000002e-10"},
        {0.30000000000000004, "0.30000000000000004"},
        {Double.MIN_VALUE, "4.9406564584124654e-324"},
        {Double.MAX_VALUE, "1.7976931348623157e+308"},
        {9007199254740992.0, "9007199254740992"},
        {Double.POSITIVE_INFINITY, "inf"},
        {Double.NEGATIVE_INFINITY, "-inf"},
        {Double.NaN, "nan"},
    };

    @Test
    void double_resp3() {
        for (Object[] c : DOUBLES) {
            double d = (double) c[0];
            assertEquals("," + c[1] + "\r\n", written(b -> RespWriter.writeDouble(b, d, 3)), "value " + d);
        }
    }

    @Test
    void double_resp2IsBulk() {
        for (Object[] c : DOUBLES) {
            double d = (double) c[0];
            String text = (String) c[1];
            assertEquals("$" + text.length() + "\r\n" + text + "\r\n", written(b -> RespWriter.writeDouble(b, d, 2)),
                    "value " + d);
        }
    }

    @Test
    void double_seventeenDigitsRoundTrip() {
        Random rnd = new Random(11);
        for (int i = 0; i < 5_000; i++) {
            double d = Double.longBitsToDouble(rnd.nextLong());
            if (Double.isNaN(d)) {
                continue;
            }
            String s = written(b -> RespWriter.writeDouble(b, d, 3));
            String text = s.substring(1, s.length() - 2);
            double back = text.equals("inf") ? Double.POSITIVE_INFINITY
                    : text.equals("-inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(text);
            assertEquals(d, back, text);
        }
    }

    @Test
    void boolean_() {
        assertEquals("#t\r\n", written(b -> RespWriter.writeBoolean(b, true, 3)));
        assertEquals("#f\r\n", written(b -> RespWriter.writeBoolean(b, false, 3)));
        assertEquals(":1\r\n", written(b -> RespWriter.writeBoolean(b, true, 2)));
        assertEquals(":0\r\n", written(b -> RespWriter.writeBoolean(b, false, 2)));
    }

    @Test
    void verbatim() {
        assertEquals("=9\r\ntxt:hello\r\n", written(b -> RespWriter.writeVerbatim(b, "txt", bytes("hello"), 3)));
        assertEquals("=4\r\nmkd:\r\n", written(b -> RespWriter.writeVerbatim(b, "mkd", new byte[0], 3)));
        assertEquals("$5\r\nhello\r\n", written(b -> RespWriter.writeVerbatim(b, "txt", bytes("hello"), 2)));
        assertThrows(IllegalArgumentException.class,
                () -> RespWriter.writeVerbatim(Unpooled.buffer(), "text", bytes("x"), 3));
    }

    @Test
    void bigNumber() {
        BigInteger big = new BigInteger("3492890328409238509324850943850943825024385");
        assertEquals("(3492890328409238509324850943850943825024385\r\n",
                written(b -> RespWriter.writeBigNumber(b, big, 3)));
        assertEquals("(-1\r\n", written(b -> RespWriter.writeBigNumber(b, BigInteger.ONE.negate(), 3)));
        assertEquals("$43\r\n3492890328409238509324850943850943825024385\r\n",
                written(b -> RespWriter.writeBigNumber(b, big, 2)));
        assertEquals("(12\r\n", written(b -> RespWriter.writeBigNumber(b, "12", 3)));
    }


    /**
     * writeBulks writes exactly what writeBulk does value by value, on every kind of buffer: values
     * of every length around its byte-by-byte limit and the cached headers' end, an empty one, long
     * ones between short ones, and more than one reserved batch (64 KiB) of them.
     */
    @Test
    void writeBulksMatchesWriteBulkValueByValue() {
        Random random = new Random(42);
        List<byte[]> list = new ArrayList<>();
        for (int len : new int[] {0, 1, 3, 15, 16, 17, 100, 1022, 1023, 1024, 2_000, 3, 0}) {
            byte[] v = new byte[len];
            random.nextBytes(v);
            list.add(v);
        }
        for (int i = 0; i < 4_000; i++) { // about 68 KiB: more than one reserved batch
            byte[] v = new byte[random.nextInt(20)];
            random.nextBytes(v);
            list.add(v);
        }
        byte[][] values = list.toArray(new byte[0][]);
        String expected = written(b -> {
            for (byte[] v : values) {
                RespWriter.writeBulk(b, v);
            }
        });
        assertEquals(expected, written(b -> RespWriter.writeBulks(b, values, 0, values.length)));
        String middle = written(b -> {
            for (int i = 5; i < 20; i++) {
                RespWriter.writeBulk(b, values[i]);
            }
        });
        assertEquals(middle, written(b -> RespWriter.writeBulks(b, values, 5, 20)));
        assertEquals("", written(b -> RespWriter.writeBulks(b, values, 7, 7)));
        // a direct buffer with bytes already in it: stores go after them, at its writer index
        ByteBuf direct = Unpooled.directBuffer(8).writeBytes(new byte[] {'a', 'b', 'c'});
        try {
            direct.readerIndex(1);
            RespWriter.writeBulks(direct, values, 0, values.length);
            assertEquals("bc" + expected, direct.toString(StandardCharsets.ISO_8859_1));
        } finally {
            direct.release();
        }
    }
}
