package io.damselfly.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RespFrameSplitterTest {
    /** Every reply shape of RESP2 and RESP3, each a whole frame. */
    static final List<String> CORPUS = List.of(
            "+OK\r\n",
            "-ERR unknown command 'foo'\r\n",
            ":0\r\n",
            ":-42\r\n",
            "$5\r\nhello\r\n",
            "$0\r\n\r\n",
            "$-1\r\n",
            "$4\r\n\r\n\r\n\r\n",
            "*-1\r\n",
            "*0\r\n",
            "*3\r\n$1\r\na\r\n:1\r\n*2\r\n+x\r\n$-1\r\n",
            "*2\r\n*2\r\n*1\r\n:1\r\n*0\r\n$3\r\nabc\r\n",
            "_\r\n",
            "#t\r\n",
            "#f\r\n",
            ",3.14\r\n",
            ",inf\r\n",
            "(3492890328409238509324850943850943825024385\r\n",
            "!21\r\nSYNTAX invalid syntax\r\n",
            "=15\r\ntxt:Some string\r\n",
            "%2\r\n+first\r\n:1\r\n+second\r\n%1\r\n$1\r\nk\r\n~2\r\n:1\r\n:2\r\n",
            "%0\r\n",
            "~3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
            ">3\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nkey\r\n_\r\n",
            ">2\r\n$10\r\ninvalidate\r\n_\r\n",
            "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n",
            "|0\r\n:5\r\n");

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static List<String> drain(EmbeddedChannel ch) {
        List<String> out = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readInbound()) != null) {
            out.add(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out;
    }

    @Test
    void everyFrame_wholeAndSplitAtEveryByte() {
        for (String frame : CORPUS) {
            byte[] data = bytes(frame);
            for (int k = 0; k < data.length; k++) {
                EmbeddedChannel ch = new EmbeddedChannel(new RespFrameSplitter());
                ch.writeInbound(Unpooled.wrappedBuffer(data, 0, k));
                assertEquals(List.of(), drain(ch), frame + " emitted after " + k + " bytes");
                ch.writeInbound(Unpooled.wrappedBuffer(data, k, data.length - k));
                assertEquals(List.of(frame), drain(ch), frame + " split at " + k);
                ch.finishAndReleaseAll();
            }
        }
    }

    @Test
    void wholeCorpusInOneStream_byteByByte_andAtEverySplitPoint() {
        StringBuilder all = new StringBuilder();
        CORPUS.forEach(all::append);
        byte[] data = bytes(all.toString());
        EmbeddedChannel ch = new EmbeddedChannel(new RespFrameSplitter());
        List<String> got = new ArrayList<>();
        for (byte b : data) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            got.addAll(drain(ch));
        }
        assertEquals(CORPUS, got);
        ch.finishAndReleaseAll();
        for (int k = 1; k < data.length; k++) {
            EmbeddedChannel c = new EmbeddedChannel(new RespFrameSplitter());
            c.writeInbound(Unpooled.wrappedBuffer(data, 0, k));
            List<String> frames = new ArrayList<>(drain(c));
            c.writeInbound(Unpooled.wrappedBuffer(data, k, data.length - k));
            frames.addAll(drain(c));
            assertEquals(CORPUS, frames, "split at " + k);
            c.finishAndReleaseAll();
        }
    }

    @Test
    void framesAreSlicesOfTheInput_byteIdentical() {
        byte[] big = new byte[100_000];
        new Random(1).nextBytes(big);
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(bytes("$100000\r\n"));
        in.writeBytes(big);
        in.writeBytes(bytes("\r\n"));
        EmbeddedChannel ch = new EmbeddedChannel(new RespFrameSplitter());
        ch.writeInbound(in);
        ByteBuf frame = ch.readInbound();
        byte[] got = ByteBufUtil.getBytes(frame);
        frame.release();
        assertEquals(100_000 + 11, got.length);
        for (int i = 0; i < big.length; i++) {
            if (got[9 + i] != big[i]) {
                throw new AssertionError("byte " + i + " differs");
            }
        }
        ch.finishAndReleaseAll();
    }

    @Test
    void garbage_isRefused() {
        for (String bad : List.of("?\r\n", "$3\r\nabcd\r\n", "$x\r\n", "*-2\r\n", "$-2\r\n", "+OK\rX",
                "#x\r\n", "_x\r\n", "*1\r\n!-1\r\n", "$99999999999999999999\r\n", "*\r\n", "=-1\r\n", "~-1\r\n", ">-1\r\n")) {
            EmbeddedChannel ch = new EmbeddedChannel(new RespFrameSplitter());
            assertThrows(DecoderException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(bytes(bad))), bad);
            // after a failure the rest is ignored, never emitted
            ch.writeInbound(Unpooled.wrappedBuffer(bytes("+OK\r\n")));
            assertEquals(List.of(), drain(ch));
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void limits_lineDepthAndLength() {
        RespLimits small = new RespLimits(10, 5, 16, 3, 10, 10);
        assertThrows(DecoderException.class, () -> new EmbeddedChannel(new RespFrameSplitter(small))
                .writeInbound(Unpooled.wrappedBuffer(bytes("$11\r\n"))));
        assertThrows(DecoderException.class, () -> new EmbeddedChannel(new RespFrameSplitter(small))
                .writeInbound(Unpooled.wrappedBuffer(bytes("*6\r\n"))));
        assertThrows(DecoderException.class, () -> new EmbeddedChannel(new RespFrameSplitter(small))
                .writeInbound(Unpooled.wrappedBuffer(bytes("*1\r\n*1\r\n*1\r\n*1\r\n"))));
        assertThrows(DecoderException.class, () -> new EmbeddedChannel(new RespFrameSplitter(small))
                .writeInbound(Unpooled.wrappedBuffer(bytes("+" + "x".repeat(20)))));
        // at the limits: accepted
        EmbeddedChannel ch = new EmbeddedChannel(new RespFrameSplitter(small));
        ch.writeInbound(Unpooled.wrappedBuffer(bytes("*1\r\n*1\r\n*1\r\n$10\r\n0123456789\r\n")));
        assertEquals(List.of("*1\r\n*1\r\n*1\r\n$10\r\n0123456789\r\n"), drain(ch));
        ch.finishAndReleaseAll();
    }

    @Test
    void randomGarbage_neverHangsOrEmitsPartialFrames() {
        Random r = new Random(7);
        for (int round = 0; round < 2000; round++) {
            byte[] junk = new byte[r.nextInt(64)];
            String alphabet = "+-:$*%~>|_#,(!=\r\n0123456789-abc";
            for (int i = 0; i < junk.length; i++) {
                junk[i] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
            }
            EmbeddedChannel ch = new EmbeddedChannel(new RespFrameSplitter());
            try {
                ch.writeInbound(Unpooled.wrappedBuffer(junk));
            } catch (DecoderException expected) {
                // refused: fine
            }
            for (String frame : drain(ch)) {
                // whatever it emitted is one whole frame: split again, it comes out alone and equal
                EmbeddedChannel again = new EmbeddedChannel(new RespFrameSplitter());
                again.writeInbound(Unpooled.wrappedBuffer(bytes(frame)));
                assertEquals(List.of(frame), drain(again));
                again.finishAndReleaseAll();
            }
            ch.finishAndReleaseAll();
        }
    }
}
