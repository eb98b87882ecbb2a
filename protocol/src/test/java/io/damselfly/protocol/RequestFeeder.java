package io.damselfly.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helpers: feed bytes to a {@link RespRequestDecoder} in an EmbeddedChannel and compare. */
final class RequestFeeder {

    private RequestFeeder() {}

    /** Bytes of {@code s}, one byte per char (ISO-8859-1), so any byte value can be written as a char escape. */
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[][] args(String... args) {
        byte[][] result = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            result[i] = bytes(args[i]);
        }
        return result;
    }

    /** A multibulk frame of the given arguments. */
    static byte[] multibulk(byte[]... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        List<byte[]> parts = new ArrayList<>();
        for (byte[] a : args) {
            sb.append('$').append(a.length).append("\r\n");
            parts.add(bytes(sb.toString()));
            sb.setLength(0);
            parts.add(a);
            sb.append("\r\n");
        }
        parts.add(bytes(sb.toString()));
        return concat(parts.toArray(new byte[0][]));
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, off, p.length);
            off += p.length;
        }
        return all;
    }

    static EmbeddedChannel channel() {
        return new EmbeddedChannel(new RespRequestDecoder(RespLimits.defaults()));
    }

    static EmbeddedChannel channel(RespRequestDecoder decoder) {
        return new EmbeddedChannel(decoder);
    }

    /** Writes one chunk and returns everything emitted because of it. */
    static List<Object> write(EmbeddedChannel ch, byte[] chunk) {
        return write(ch, chunk, 0, chunk.length);
    }

    static List<Object> write(EmbeddedChannel ch, byte[] data, int off, int len) {
        ch.writeInbound(Unpooled.wrappedBuffer(data, off, len));
        return drain(ch);
    }

    static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    /** Feeds {@code data} whole to a fresh decoder and returns what it emits. */
    static List<Object> decodeWhole(byte[] data) {
        EmbeddedChannel ch = channel();
        List<Object> out = write(ch, data);
        ch.finishAndReleaseAll();
        return out;
    }

    /** Asserts two emitted sequences are equal, comparing byte[][] by content. */
    static void assertMessages(List<?> expected, List<?> actual) {
        assertEquals(expected.size(), actual.size(), () -> "message count: " + describe(actual));
        for (int i = 0; i < expected.size(); i++) {
            Object e = expected.get(i);
            Object a = actual.get(i);
            if (e instanceof byte[][] ea) {
                assertTrue(a instanceof byte[][], () -> "expected arguments, got " + a);
                assertTrue(Arrays.deepEquals(ea, (byte[][]) a),
                        "message " + i + ": expected " + describe(List.of(e)) + " got " + describe(List.of(a)));
            } else {
                assertEquals(e, a, "message " + i);
            }
        }
    }

    static String describe(List<?> messages) {
        StringBuilder sb = new StringBuilder("[");
        for (Object m : messages) {
            if (m instanceof byte[][] args) {
                sb.append('{');
                for (byte[] a : args) {
                    sb.append('"').append(escape(a)).append("\" ");
                }
                sb.append('}');
            } else {
                sb.append(m);
            }
            sb.append(", ");
        }
        return sb.append(']').toString();
    }

    static String escape(byte[] a) {
        StringBuilder sb = new StringBuilder();
        for (byte b : a) {
            int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }

    /**
     * Asserts that {@code data} decodes to {@code expected} fed whole, split in two at every
     * position, and one byte at a time; and that no message appears before its last byte has
     * arrived (every split's first half emits a prefix of {@code expected}).
     */
    static void assertDecodesAtEverySplit(byte[] data, List<?> expected) {
        assertMessages(expected, decodeWhole(data));
        for (int k = 1; k < data.length; k++) {
            EmbeddedChannel ch = channel();
            List<Object> first = write(ch, data, 0, k);
            assertTrue(first.size() <= expected.size());
            assertMessages(expected.subList(0, first.size()), first);
            List<Object> all = new ArrayList<>(first);
            all.addAll(write(ch, data, k, data.length - k));
            assertMessages(expected, all);
            ch.finishAndReleaseAll();
        }
        EmbeddedChannel ch = channel();
        List<Object> all = new ArrayList<>();
        for (int i = 0; i < data.length; i++) {
            all.addAll(write(ch, data, i, 1));
        }
        assertMessages(expected, all);
        ch.finishAndReleaseAll();
    }

    /** Asserts a single frame: nothing before its last byte, then exactly these arguments. */
    static void assertFrame(byte[] frame, byte[][] expected) {
        EmbeddedChannel ch = channel();
        for (int i = 0; i < frame.length - 1; i++) {
            assertEquals(List.of(), write(ch, frame, i, 1), "emitted before byte " + (i + 1));
        }
        assertMessages(List.of((Object) expected), write(ch, frame, frame.length - 1, 1));
        ch.finishAndReleaseAll();
        assertDecodesAtEverySplit(frame, List.of((Object) expected));
    }
}
