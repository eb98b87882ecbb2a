package io.damselfly.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link RespEncoder} then {@link RespDecoder} gives back equal values. */
class RespRoundTripTest {

    private static final String TEXT_CHARS = "abcXYZ019 _-:*$+%~é€😀";

    @Test
    void resp3_everyTypeRoundTrips() {
        Random rnd = new Random(5);
        for (int i = 0; i < 2000; i++) {
            RespValue v = randomValue(rnd, 0, true);
            assertEquals(List.of(v), roundTrip(v, 3));
        }
    }

    @Test
    void resp2_resp2TypesRoundTrip() {
        Random rnd = new Random(6);
        for (int i = 0; i < 2000; i++) {
            RespValue v = randomValue(rnd, 0, false);
            assertEquals(List.of(v), roundTrip(v, 2));
        }
    }

    @Test
    void resp2_resp3TypesAreDowngraded() {
        RespValue map = new RespValue.Map(List.of(new RespValue.Map.Entry(simple("k"), new RespValue.Double(1.5))));
        assertEquals(
                List.of(RespValue.Array.of(simple("k"), RespValue.BulkString.of("1.5"))), roundTrip(map, 2));
        assertEquals(List.of(new RespValue.Integer(1)), roundTrip(new RespValue.Boolean(true), 2));
        assertEquals(List.of(RespValue.Array.of(simple("a"))), roundTrip(new RespValue.Set(List.of(simple("a"))), 2));
        assertEquals(List.of(RespValue.Array.of(simple("a"))), roundTrip(new RespValue.Push(List.of(simple("a"))), 2));
        assertEquals(List.of(RespValue.BulkString.of("hi")),
                roundTrip(new RespValue.Verbatim("txt", "hi".getBytes(StandardCharsets.UTF_8)), 2));
        assertEquals(List.of(RespValue.BulkString.of("-123")),
                roundTrip(new RespValue.BigNumber(BigInteger.valueOf(-123)), 2));
    }

    @Test
    void encoderInPipeline() {
        EmbeddedChannel out = new EmbeddedChannel(new RespEncoder(2));
        out.writeOutbound(RespValue.Array.of(RespValue.BulkString.of("GET"), RespValue.BulkString.of("k")));
        ByteBuf buf = out.readOutbound();
        assertEquals("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", buf.toString(StandardCharsets.US_ASCII));
        buf.release();
        out.finishAndReleaseAll();
        EmbeddedChannel in = new EmbeddedChannel(new RespDecoder());
        RespEncoder encoder = new RespEncoder();
        out = new EmbeddedChannel(encoder);
        RespValue v = new RespValue.Map(List.of(new RespValue.Map.Entry(simple("a"), RespValue.Null.INSTANCE)));
        out.writeOutbound(v);
        ByteBuf encoded = out.readOutbound();
        in.writeInbound(encoded);
        assertEquals(v, in.readInbound());
        encoder.setProtocolVersion(2);
        out.writeOutbound(RespValue.Null.INSTANCE);
        buf = out.readOutbound();
        assertEquals("$-1\r\n", buf.toString(StandardCharsets.US_ASCII));
        buf.release();
        out.finishAndReleaseAll();
        in.finishAndReleaseAll();
    }

    private static List<RespValue> roundTrip(RespValue v, int protover) {
        ByteBuf buf = Unpooled.buffer();
        try {
            RespEncoder.encode(v, buf, protover);
            return RespDecoder.decodeAll(buf);
        } finally {
            buf.release();
        }
    }

    private static RespValue.SimpleString simple(String s) {
        return new RespValue.SimpleString(s);
    }

    private static String text(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int n = rnd.nextInt(12);
        for (int i = 0; i < n; i++) {
            sb.appendCodePoint(TEXT_CHARS.codePointAt(TEXT_CHARS.offsetByCodePoints(0, rnd.nextInt(TEXT_CHARS.codePointCount(0, TEXT_CHARS.length())))));
        }
        return sb.toString();
    }

    private static byte[] blob(Random rnd) {
        byte[] b = new byte[rnd.nextInt(8) == 0 ? rnd.nextInt(5000) : rnd.nextInt(20)];
        rnd.nextBytes(b);
        return b;
    }

    private static List<RespValue> children(Random rnd, int depth, boolean resp3) {
        List<RespValue> list = new ArrayList<>();
        int n = rnd.nextInt(5);
        for (int i = 0; i < n; i++) {
            list.add(randomValue(rnd, depth + 1, resp3));
        }
        return list;
    }

    private static RespValue randomValue(Random rnd, int depth, boolean resp3) {
        int kinds = resp3 ? 13 : 6;
        int k = rnd.nextInt(depth >= 4 ? kinds - 1 : kinds); // no aggregates beyond depth 4
        if (!resp3) {
            return switch (k) {
                case 0 -> simple(text(rnd));
                case 1 -> new RespValue.Error("ERR " + text(rnd));
                case 2 -> new RespValue.Integer(rnd.nextLong() >> rnd.nextInt(64));
                case 3 -> new RespValue.BulkString(blob(rnd));
                case 4 -> RespValue.Null.INSTANCE;
                default -> new RespValue.Array(children(rnd, depth, false));
            };
        }
        return switch (k) {
            case 0 -> simple(text(rnd));
            case 1 -> new RespValue.Error("ERR " + text(rnd));
            case 2 -> new RespValue.Integer(rnd.nextLong() >> rnd.nextInt(64));
            case 3 -> new RespValue.BulkString(blob(rnd));
            case 4 -> RespValue.Null.INSTANCE;
            case 5 -> new RespValue.Double(randomDouble(rnd));
            case 6 -> new RespValue.Boolean(rnd.nextBoolean());
            case 7 -> new RespValue.BigNumber(new BigInteger(rnd.nextInt(200), rnd).subtract(BigInteger.TEN.pow(20)));
            case 8 -> new RespValue.Verbatim(rnd.nextBoolean() ? "txt" : "mkd", blob(rnd));
            case 9 -> new RespValue.Set(children(rnd, depth, true));
            case 10 -> new RespValue.Push(children(rnd, depth, true));
            case 11 -> {
                List<RespValue.Map.Entry> entries = new ArrayList<>();
                int n = rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    entries.add(new RespValue.Map.Entry(randomValue(rnd, depth + 1, true), randomValue(rnd, depth + 1, true)));
                }
                yield new RespValue.Map(entries);
            }
            default -> new RespValue.Array(children(rnd, depth, true));
        };
    }

    private static double randomDouble(Random rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> Double.POSITIVE_INFINITY;
            case 1 -> Double.NEGATIVE_INFINITY;
            case 2 -> Double.NaN;
            case 3 -> rnd.nextInt(2000) - 1000;
            case 4 -> -0.0;
            default -> Double.longBitsToDouble(rnd.nextLong());
        };
    }
}
