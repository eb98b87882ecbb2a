package io.damselfly.protocol;

import static io.damselfly.protocol.RequestFeeder.args;
import static io.damselfly.protocol.RequestFeeder.assertDecodesAtEverySplit;
import static io.damselfly.protocol.RequestFeeder.assertFrame;
import static io.damselfly.protocol.RequestFeeder.assertMessages;
import static io.damselfly.protocol.RequestFeeder.bytes;
import static io.damselfly.protocol.RequestFeeder.channel;
import static io.damselfly.protocol.RequestFeeder.concat;
import static io.damselfly.protocol.RequestFeeder.decodeWhole;
import static io.damselfly.protocol.RequestFeeder.multibulk;
import static io.damselfly.protocol.RequestFeeder.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespRequestDecoderTest {

    private static final int INLINE_MAX = RespLimits.DEFAULT_MAX_INLINE_LENGTH;

    private static RespProtocolError error(String message) {
        return new RespProtocolError(message);
    }

    /** Asserts {@code data} fed whole emits exactly one error with this message. */
    private static void assertError(String data, String message) {
        assertError(bytes(data), message);
    }

    private static void assertError(byte[] data, String message) {
        assertMessages(List.of(error(message)), decodeWhole(data));
    }

    private static EmbeddedChannel unauthenticated() {
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.defaults());
        decoder.authenticatedBy(() -> false);
        return channel(decoder);
    }

    private static byte[] repeat(char c, int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }

    // ---------------------------------------------------------------------------------------------
    // Multibulk: valid
    // ---------------------------------------------------------------------------------------------

    @Test
    void multibulk_ping() {
        assertFrame(bytes("*1\r\n$4\r\nPING\r\n"), args("PING"));
    }

    @Test
    void multibulk_set() {
        assertFrame(bytes("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"), args("SET", "key", "value"));
    }

    @Test
    void multibulk_emptyArgument() {
        assertFrame(bytes("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$0\r\n\r\n"), args("SET", "", ""));
    }

    @Test
    void multibulk_commandNameBytesAsSent() {
        assertFrame(bytes("*1\r\n$4\r\npInG\r\n"), args("pInG"));
    }

    @Test
    void multibulk_binarySafeAllByteValues() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        byte[] crlfs = bytes("\r\n\r\n*1\r\n$3\r\n\r");
        assertFrame(multibulk(bytes("SET"), all, crlfs), new byte[][] {bytes("SET"), all, crlfs});
    }

    @Test
    void multibulk_payloadWithNulBytes() {
        byte[] value = bytes("a\u0000b\u0000\r\n");
        assertFrame(multibulk(bytes("SET"), bytes("k"), value), new byte[][] {bytes("SET"), bytes("k"), value});
    }

    @Test
    void multibulk_zeroCountEmitsNothing() {
        assertDecodesAtEverySplit(bytes("*0\r\n*1\r\n$4\r\nPING\r\n"), List.of((Object) args("PING")));
    }

    @Test
    void multibulk_negativeCountEmitsNothing() {
        assertDecodesAtEverySplit(
                bytes("*-1\r\n*-9223372036854775808\r\n*1\r\n$4\r\nPING\r\n"), List.of((Object) args("PING")));
    }

    @Test
    void multibulk_byteAfterCrIsNotChecked() {
        // Redis skips the byte after the CR of a count/length line and the 2 bytes after a payload.
        assertDecodesAtEverySplit(
                bytes("*2\rX$3\rYGET\r\n$1\r\nkZZ*1\r\n$4\r\nPING\r\n"),
                List.of(args("GET", "k"), args("PING")));
    }

    @Test
    void multibulk_lineEndsAtFirstCr() {
        // The count line runs to the first CR even past an LF: "1\n$3" is not an integer.
        assertError("*1\n$3\r\nGET\r\n", "Protocol error: invalid multibulk length");
    }

    @Test
    void multibulk_maxCountAccepted() {
        EmbeddedChannel ch = channel();
        assertEquals(List.of(), write(ch, bytes("*2147483647\r\n$4\r\nPING\r\n")));
        ch.finishAndReleaseAll();
    }

    @Test
    void multibulk_largeArgumentCount() {
        // More arguments than the initial 1024-slot array: it must grow.
        byte[][] expected = new byte[5000][];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = bytes(Integer.toString(i));
        }
        EmbeddedChannel ch = channel();
        assertMessages(List.of((Object) expected), write(ch, multibulk(expected)));
        ch.finishAndReleaseAll();
    }

    // ---------------------------------------------------------------------------------------------
    // Inline: valid
    // ---------------------------------------------------------------------------------------------

    @Test
    void inline_crlf() {
        assertFrame(bytes("PING\r\n"), args("PING"));
    }

    @Test
    void inline_lfOnly() {
        assertFrame(bytes("SET key value\n"), args("SET", "key", "value"));
    }

    @Test
    void inline_extraBlanks() {
        assertFrame(bytes(" \t SET \t key   value  \r\n"), args("SET", "key", "value"));
    }

    @Test
    void inline_doubleQuotesWithEscapes() {
        assertFrame(
                bytes("SET \"a b\" \"\\x41\\x4a\\n\\r\\t\\b\\a\\\\\\\"\\q\"\r\n"),
                new byte[][] {bytes("SET"), bytes("a b"), bytes("AJ\n\r\t\b\u0007\\\"q")});
    }

    @Test
    void inline_invalidHexEscapeIsLiteral() {
        assertFrame(bytes("ECHO \"\\xZZ\\x4\"\n"), args("ECHO", "xZZx4"));
    }

    @Test
    void inline_singleQuotes() {
        assertFrame(bytes("ECHO 'don\\'t \\n \"x\"'\n"), args("ECHO", "don't \\n \"x\""));
    }

    @Test
    void inline_emptyQuotedArgument() {
        assertFrame(bytes("SET k \"\" ''\n"), args("SET", "k", "", ""));
    }

    @Test
    void inline_quoteInsideWord() {
        assertFrame(bytes("ECHO ab\"c d\"\n"), args("ECHO", "abc d"));
    }

    @Test
    void inline_closingQuoteThenOtherBlank() {
        // isspace() after a closing quote includes VT and FF.
        assertFrame(bytes("ECHO \"a\"\u000bb\n"), args("ECHO", "a", "b"));
    }

    @Test
    void inline_verticalTabInsideWordIsKept() {
        // Leading VT/FF are skipped as blanks, but only space, tab, CR, LF end an unquoted word.
        assertFrame(bytes("\u000bECHO a\u000bb\u000c\n"), args("ECHO", "a\u000bb\u000c"));
    }

    @Test
    void inline_crInsideLineSeparates() {
        assertFrame(bytes("EC\rHO x\n"), args("EC", "HO", "x"));
    }

    @Test
    void inline_highBytes() {
        assertFrame(bytes("ECHO \u00ff\u0080x\n"), args("ECHO", "\u00ff\u0080x"));
    }

    @Test
    void inline_emptyLinesEmitNothing() {
        assertDecodesAtEverySplit(bytes("\r\n\n   \r\n\t\nPING\r\n"), List.of((Object) args("PING")));
    }

    @Test
    void inline_notLimitedWhenUnauthenticated() {
        EmbeddedChannel ch = unauthenticated();
        byte[] line = bytes("MSET a 1 b 2 c 3 d 4 e 5 f 6 g 7\r\n");
        assertMessages(
                List.of((Object) args("MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6", "g", "7")),
                write(ch, line));
        ch.finishAndReleaseAll();
    }

    @Test
    void inline_longLineArrivingWholeIsAccepted() {
        // Redis judges size only while no newline is buffered.
        byte[] value = repeat('v', INLINE_MAX + 100);
        byte[] line = concat(bytes("SET k "), value, bytes("\r\n"));
        assertMessages(List.of((Object) new byte[][] {bytes("SET"), bytes("k"), value}), decodeWhole(line));
    }

    // ---------------------------------------------------------------------------------------------
    // Pipelines
    // ---------------------------------------------------------------------------------------------

    @Test
    void pipeline_mixedFramesAtEverySplit() {
        byte[] data =
                concat(
                        bytes("*1\r\n$4\r\nPING\r\n"),
                        bytes("SET a \"b c\"\r\n"),
                        multibulk(bytes("GET"), bytes("a")),
                        bytes("*0\r\n\r\n"),
                        multibulk(bytes("DEL"), bytes("a"), bytes("b")),
                        bytes("QUIT\n"));
        assertDecodesAtEverySplit(
                data,
                List.of(args("PING"), args("SET", "a", "b c"), args("GET", "a"), args("DEL", "a", "b"), args("QUIT")));
    }

    @Test
    void pipeline_manyFramesInOneBuffer() {
        List<Object> expected = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            byte[][] a = args("SET", "key:" + i, "value-" + i);
            expected.add(a);
            frames.add(i % 3 == 0 ? bytes("SET key:" + i + " value-" + i + "\r\n") : multibulk(a));
        }
        byte[] data = concat(frames.toArray(new byte[0][]));
        assertMessages(expected, decodeWhole(data));
        // and in odd-sized chunks
        EmbeddedChannel ch = channel();
        List<Object> out = new ArrayList<>();
        for (int off = 0; off < data.length; off += 37) {
            out.addAll(write(ch, data, off, Math.min(37, data.length - off)));
        }
        assertMessages(expected, out);
        ch.finishAndReleaseAll();
    }

    @Test
    void pipeline_authenticationTakesEffectForNextCommand() {
        // A handler that authenticates on AUTH, synchronously in channelRead, as the server does.
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.defaults());
        boolean[] authenticated = {false};
        decoder.authenticatedBy(() -> authenticated[0]);
        List<Object> seen = new ArrayList<>();
        EmbeddedChannel ch =
                new EmbeddedChannel(
                        decoder,
                        new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                seen.add(msg);
                                if (msg instanceof byte[][] a && new String(a[0]).equals("AUTH")) {
                                    authenticated[0] = true;
                                }
                            }
                        });
        byte[][] mset = new byte[13][];
        mset[0] = bytes("MSET");
        for (int i = 1; i < mset.length; i++) {
            mset[i] = bytes("x" + i);
        }
        byte[] big = repeat('b', 20_000);
        ch.writeInbound(
                io.netty.buffer.Unpooled.wrappedBuffer(
                        concat(multibulk(bytes("AUTH"), bytes("pw")), multibulk(mset), multibulk(bytes("SET"), bytes("k"), big))));
        assertMessages(List.of(args("AUTH", "pw"), mset, new byte[][] {bytes("SET"), bytes("k"), big}), seen);
        ch.finishAndReleaseAll();
    }

    // ---------------------------------------------------------------------------------------------
    // Multibulk: errors
    // ---------------------------------------------------------------------------------------------

    @Test
    void multibulk_tooBigCountString() {
        byte[] data = concat(bytes("*"), repeat('1', INLINE_MAX - 1)); // INLINE_MAX bytes buffered
        EmbeddedChannel ch = channel();
        assertEquals(List.of(), write(ch, data), "exactly the limit is still waiting");
        assertMessages(List.of(error("Protocol error: too big mbulk count string")), write(ch, bytes("1")));
        ch.finishAndReleaseAll();
    }

    @Test
    void multibulk_invalidLength() {
        for (String count :
                new String[] {"abc", "", "1a", "01", "00", "-0", "+1", " 1", "1 ", "-", "2147483648",
                        "99999999999999999999", "9223372036854775808", "123456789012345678901"}) {
            assertError("*" + count + "\r\n", "Protocol error: invalid multibulk length");
            // and inside a request that is buffered whole (read in one pass when well formed)
            assertError("*" + count + "\r\n$4\r\nPING\r\n$4\r\nPING\r\n", "Protocol error: invalid multibulk length");
        }
    }

    @Test
    void multibulk_invalidLengthAboveConfiguredMax() {
        RespLimits limits = new RespLimits(100, 5, 1024, 8, 10, 16384);
        EmbeddedChannel ch = channel(new RespRequestDecoder(limits));
        assertMessages(List.of(error("Protocol error: invalid multibulk length")), write(ch, bytes("*6\r\n")));
        ch.finishAndReleaseAll();
    }

    @Test
    void multibulk_unauthenticatedLength() {
        EmbeddedChannel ch = unauthenticated();
        assertMessages(List.of(error("Protocol error: unauthenticated multibulk length")), write(ch, bytes("*11\r\n")));
        ch.finishAndReleaseAll();
    }

    @Test
    void multibulk_unauthenticatedLengthAtLimitAccepted() {
        EmbeddedChannel ch = unauthenticated();
        byte[][] ten = args("MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e");
        assertMessages(List.of((Object) ten), write(ch, multibulk(ten)));
        ch.finishAndReleaseAll();
    }

    @Test
    void multibulk_invalidLengthCheckedBeforeUnauthenticated() {
        EmbeddedChannel ch = unauthenticated();
        assertMessages(List.of(error("Protocol error: invalid multibulk length")), write(ch, bytes("*2147483648\r\n")));
        ch.finishAndReleaseAll();
    }

    @Test
    void bulk_expectedDollar() {
        assertError("*1\r\n:3\r\n", "Protocol error: expected '$', got ':'");
    }

    @Test
    void bulk_expectedDollarInlineAfterCount() {
        assertError("*1\r\nGET foo\r\n", "Protocol error: expected '$', got 'G'");
    }

    @Test
    void bulk_expectedDollarCrOrLfShownAsSpace() {
        assertError("*1\r\n\r\n", "Protocol error: expected '$', got ' '");
        assertError("*1\r\n\n$3\r\n", "Protocol error: expected '$', got ' '");
    }

    @Test
    void bulk_expectedDollarHighByte() {
        assertError(bytes("*1\r\n\u00ffx\r\n"), "Protocol error: expected '$', got '\u00ff'");
    }

    @Test
    void error_replyBytesAreRaw() {
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
        new RespProtocolError("Protocol error: expected '$', got '\u00ff'").writeTo(out);
        byte[] wire = new byte[out.readableBytes()];
        out.readBytes(wire);
        out.release();
        assertArrayEquals(bytes("-ERR Protocol error: expected '$', got '\u00ff'\r\n"), wire);
        assertEquals("ERR Protocol error: invalid bulk length",
                new RespProtocolError("Protocol error: invalid bulk length").errorText());
    }

    @Test
    void bulk_expectedDollarOnlyOnceLineIsWhole() {
        EmbeddedChannel ch = channel();
        assertEquals(List.of(), write(ch, bytes("*1\r\nX")));
        assertEquals(List.of(), write(ch, bytes("\r")));
        assertMessages(List.of(error("Protocol error: expected '$', got 'X'")), write(ch, bytes("\n")));
        ch.finishAndReleaseAll();
    }

    @Test
    void bulk_tooBigCountString() {
        byte[] data = concat(bytes("*1\r\n$"), repeat('1', INLINE_MAX - 1));
        EmbeddedChannel ch = channel();
        assertEquals(List.of(), write(ch, data));
        assertMessages(List.of(error("Protocol error: too big bulk count string")), write(ch, bytes("11")));
        ch.finishAndReleaseAll();
    }

    @Test
    void bulk_invalidLength() {
        for (String len :
                new String[] {"-1", "-5", "abc", "", "01", "-0", "+3", "3 ", "536870913", "9223372036854775808",
                        "99999999999999999999"}) {
            assertError("*1\r\n$" + len + "\r\n", "Protocol error: invalid bulk length");
            assertError("*2\r\n$4\r\nPING\r\n$" + len + "\r\nabc\r\n", "Protocol error: invalid bulk length");
        }
    }

    @Test
    void wholeRequests_readInOnePass_asInPieces() {
        // lengths of one to five digits, and a byte after each CR that is not LF (skipped
        // unchecked, as Redis does)
        String value = new String(repeat('v', 12_345), java.nio.charset.StandardCharsets.US_ASCII);
        assertFrame(bytes("*4\r\n$0\r\n\r\n$1\r\nx\r\n$12\r\n0123456789ab\r\n$12345\r\n" + value + "\r\n"),
                args("", "x", "0123456789ab", value));
        assertFrame(bytes("*1\rX$4\rYPING\r\n"), args("PING"));
        // the limits apply as they do a piece at a time
        EmbeddedChannel limited = channel(new RespRequestDecoder(RespLimits.defaults().withMaxBulkLength(3)));
        assertMessages(List.of(error("Protocol error: invalid bulk length")), write(limited, bytes("*1\r\n$4\r\nPING\r\n")));
        limited.finishAndReleaseAll();
        EmbeddedChannel anonymous = unauthenticated();
        assertMessages(List.of(error("Protocol error: unauthenticated multibulk length")),
                write(anonymous, multibulk(args("MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"))));
        anonymous.finishAndReleaseAll();
    }

    @Test
    void bulk_invalidLengthAboveConfiguredMax() {
        EmbeddedChannel ch = channel(new RespRequestDecoder(RespLimits.defaults().withMaxBulkLength(10)));
        assertMessages(List.of((Object) args("0123456789")), write(ch, bytes("*1\r\n$10\r\n0123456789\r\n")));
        assertMessages(List.of(error("Protocol error: invalid bulk length")), write(ch, bytes("*1\r\n$11\r\n")));
        ch.finishAndReleaseAll();
    }

    @Test
    void bulk_maxLengthAccepted() {
        EmbeddedChannel ch = channel();
        assertEquals(List.of(), write(ch, bytes("*1\r\n$536870912\r\nabc")));
        ch.finishAndReleaseAll();
    }

    @Test
    void bulk_unauthenticatedLength() {
        EmbeddedChannel ch = unauthenticated();
        assertMessages(
                List.of(error("Protocol error: unauthenticated bulk length")),
                write(ch, bytes("*2\r\n$4\r\nAUTH\r\n$16385\r\n")));
        ch.finishAndReleaseAll();
    }

    @Test
    void bulk_unauthenticatedLengthAtLimitAccepted() {
        EmbeddedChannel ch = unauthenticated();
        byte[] pw = repeat('p', 16384);
        assertMessages(List.of((Object) new byte[][] {bytes("AUTH"), pw}), write(ch, multibulk(bytes("AUTH"), pw)));
        ch.finishAndReleaseAll();
    }

    @Test
    void bulk_authenticatedAgainHasNoUnauthenticatedLimits() {
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.defaults());
        boolean[] authenticated = {false};
        decoder.authenticatedBy(() -> authenticated[0]);
        authenticated[0] = true;
        EmbeddedChannel ch = channel(decoder);
        byte[] big = repeat('v', 16385);
        assertMessages(List.of((Object) new byte[][] {bytes("SET"), big}), write(ch, multibulk(bytes("SET"), big)));
        ch.finishAndReleaseAll();
    }

    // ---------------------------------------------------------------------------------------------
    // Inline: errors
    // ---------------------------------------------------------------------------------------------

    @Test
    void inline_tooBig() {
        EmbeddedChannel ch = channel();
        assertEquals(List.of(), write(ch, repeat('a', INLINE_MAX)));
        assertMessages(List.of(error("Protocol error: too big inline request")), write(ch, bytes("a")));
        ch.finishAndReleaseAll();
    }

    @Test
    void inline_unbalancedQuotes() {
        for (String line :
                new String[] {"SET \"a b\r\n", "SET 'a b\n", "SET \"a\"b\n", "SET 'a'b\n", "ECHO \"abc\\\"\n",
                        "ECHO \"abc\\\n", "ECHO x\"\n"}) {
            assertError(line, "Protocol error: unbalanced quotes in request");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // NUL in a line: Redis's strchr() stops there
    // ---------------------------------------------------------------------------------------------

    @Test
    void multibulk_nulInCountLineHidesLineEnd() {
        EmbeddedChannel ch = channel();
        assertEquals(List.of(), write(ch, bytes("*1\u0000\r\n$4\r\nPING\r\n")));
        byte[] padding = repeat('x', INLINE_MAX);
        assertMessages(List.of(error("Protocol error: too big mbulk count string")), write(ch, padding));
        ch.finishAndReleaseAll();
    }

    @Test
    void inline_nulHidesLineEnd() {
        EmbeddedChannel ch = channel();
        assertEquals(List.of(), write(ch, bytes("GET a\u0000b\nPING\n")));
        assertMessages(List.of(error("Protocol error: too big inline request")), write(ch, repeat('x', INLINE_MAX)));
        ch.finishAndReleaseAll();
    }

    // ---------------------------------------------------------------------------------------------
    // After an error
    // ---------------------------------------------------------------------------------------------

    @Test
    void error_framesBeforeItAreEmitted() {
        assertMessages(
                List.of(args("PING"), error("Protocol error: invalid bulk length")),
                decodeWhole(bytes("PING\r\n*1\r\n$x\r\n*1\r\n$4\r\nPING\r\n")));
    }

    @Test
    void error_nothingEmittedAfterwards() {
        EmbeddedChannel ch = channel();
        assertMessages(
                List.of(error("Protocol error: invalid multibulk length")),
                write(ch, bytes("*x\r\n*1\r\n$4\r\nPING\r\nPING\r\n")));
        for (int i = 0; i < 10; i++) {
            assertEquals(List.of(), write(ch, bytes("*1\r\n$4\r\nPING\r\nPING\r\n")));
        }
        ch.finishAndReleaseAll();
    }

    // ---------------------------------------------------------------------------------------------
    // Memory: nothing sized from a claim
    // ---------------------------------------------------------------------------------------------

    @Test
    void memory_bigBulkInSmallChunks() {
        byte[] value = new byte[3 * 1024 * 1024];
        new java.util.Random(1).nextBytes(value);
        byte[] frame = multibulk(bytes("SET"), bytes("big"), value);
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.defaults());
        EmbeddedChannel ch = channel(decoder);
        List<Object> out = new ArrayList<>();
        int received = 0;
        for (int off = 0; off < frame.length; off += 1024) {
            int n = Math.min(1024, frame.length - off);
            out.addAll(write(ch, frame, off, n));
            received += n;
            if (off + n < frame.length) {
                assertEquals(List.of(), out);
                // The array grows with what arrived: under double the bytes received, or 128 KiB.
                assertTrue(decoder.streamCapacity() < 2 * Math.max(received, RespRequestDecoder.STREAMING_INITIAL_CAPACITY),
                        "capacity " + decoder.streamCapacity() + " after " + received);
            }
        }
        assertEquals(1, out.size());
        byte[][] got = (byte[][]) out.get(0);
        assertArrayEquals(bytes("big"), got[1]);
        assertArrayEquals(value, got[2]);
        ch.finishAndReleaseAll();
    }

    @Test
    void memory_hugeClaimedBulkDoesNotAllocate() {
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.defaults());
        EmbeddedChannel ch = channel(decoder);
        assertEquals(List.of(), write(ch, bytes("*2\r\n$3\r\nSET\r\n$500000000\r\n")));
        assertEquals(List.of(), write(ch, repeat('z', 100)));
        assertTrue(decoder.streamCapacity() < 2 * RespRequestDecoder.STREAMING_INITIAL_CAPACITY);
        assertEquals(100, decoder.queryBufferBytes());
        ch.finishAndReleaseAll();
    }

    @Test
    void memory_hugeClaimedCountDoesNotAllocate() {
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.defaults());
        EmbeddedChannel ch = channel(decoder);
        assertEquals(List.of(), write(ch, bytes("*2000000000\r\n")));
        assertEquals(RespRequestDecoder.INITIAL_ARGS_CAPACITY, decoder.argumentCapacity());
        for (int i = 0; i < 3000; i++) {
            assertEquals(List.of(), write(ch, bytes("$1\r\na\r\n")));
        }
        assertEquals(4096, decoder.argumentCapacity());
        ch.finishAndReleaseAll();
    }

    @Test
    void memory_stateSurvivesManyTinyReads() {
        // A count line fed one byte at a time is scanned once, not once per byte (which would take
        // billions of steps here).
        assertTimeout(Duration.ofSeconds(5), () -> {
            EmbeddedChannel ch = channel();
            assertEquals(List.of(), write(ch, bytes("*")));
            byte[] data = repeat('1', INLINE_MAX - 1);
            for (int i = 0; i < data.length; i++) {
                assertEquals(List.of(), write(ch, data, i, 1));
            }
            assertMessages(List.of(error("Protocol error: invalid multibulk length")), write(ch, bytes("\r\n")));
            ch.finishAndReleaseAll();
        });
    }
}
