package io.damselfly.server.rdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The rdb package's codecs alone: lengths, strings, listpacks, intsets, LZF, on good and garbage input. */
class RdbCodecsTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void lengths_roundTripEveryWidth() throws Exception {
        long[] lengths = {0, 1, 63, 64, 16383, 16384, 0xFFFF_FFFFL, 0x1_0000_0000L, Long.MAX_VALUE};
        RdbOutput out = new RdbOutput(0);
        for (long n : lengths) {
            out.writeLength(n);
        }
        RdbInput in = new RdbInput(out.toByteArray(), 0, out.size());
        for (long n : lengths) {
            assertEquals(n, in.readLength());
        }
        assertEquals(0, in.remaining());
        assertThrows(RdbFormatException.class, in::readLength);
    }

    @Test
    void strings_integerEncodingsOnlyForCanonicalInt32() throws Exception {
        String[] values = {"0", "-1", "127", "-128", "128", "32767", "-32769", "2147483647", "-2147483648",
            "2147483648", "007", "+1", "-0", "", "abc", "12345678901234567890"};
        RdbOutput out = new RdbOutput(0);
        for (String v : values) {
            out.writeString(b(v), 0, v.length());
        }
        RdbInput in = new RdbInput(out.toByteArray(), 0, out.size());
        for (String v : values) {
            assertEquals(v, new String(in.readString(), StandardCharsets.ISO_8859_1));
        }
        // "-2147483648" takes 5 bytes (marker + int32), not 12
        RdbOutput one = new RdbOutput(0);
        one.writeString(b("-2147483648"), 0, 11);
        assertEquals(5, one.size());
    }

    @Test
    void canonicalLong_edges() {
        assertEquals(Long.MIN_VALUE, RdbOutput.canonicalLong(b("-9223372036854775808"), 0, 20));
        assertEquals(Long.MAX_VALUE, RdbOutput.canonicalLong(b("9223372036854775807"), 0, 19));
        assertNull(RdbOutput.canonicalLong(b("9223372036854775808"), 0, 19));
        assertNull(RdbOutput.canonicalLong(b("-9223372036854775809"), 0, 20));
        assertNull(RdbOutput.canonicalLong(b("-"), 0, 1));
        assertNull(RdbOutput.canonicalLong(b("01"), 0, 2));
        assertNull(RdbOutput.canonicalLong(b("1a"), 0, 2));
    }

    @Test
    void listpack_writerAndReaderAgree() throws Exception {
        List<byte[]> elements = new ArrayList<>();
        for (String s : new String[] {"0", "127", "128", "-1", "-4096", "4095", "4096", "-32768", "32767", "32768",
            "-8388608", "8388607", "8388608", "2147483647", "-2147483649", "9223372036854775807", "-9223372036854775808",
            "", "a", "007", "x".repeat(63), "x".repeat(64), "y".repeat(4095), "z".repeat(4096), "w".repeat(20000)}) {
            elements.add(b(s));
        }
        ListpackWriter w = new ListpackWriter();
        for (byte[] e : elements) {
            w.add(e);
        }
        List<byte[]> back = CompactEncodings.listpack(w.finish());
        assertEquals(elements.size(), back.size());
        for (int i = 0; i < elements.size(); i++) {
            assertArrayEquals(elements.get(i), back.get(i), "element " + i);
        }
    }

    @Test
    void listpack_scoresReadBackAsTheSameDouble() throws Exception {
        double[] scores = {0, -0.0, 1, -1, 1.5, 0.1, 1e-300, 1e300, 123456789.125, 1e15, -1e15, 1e14,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE};
        ListpackWriter w = new ListpackWriter();
        for (double d : scores) {
            w.addScore(d);
        }
        List<byte[]> back = CompactEncodings.listpack(w.finish());
        for (int i = 0; i < scores.length; i++) {
            assertEquals(scores[i] == 0 ? 0.0 : scores[i], RdbInput.parseListpackScore(back.get(i)), "score " + i);
        }
    }

    @Test
    void compactBlobs_garbageRefused() {
        Random random = new Random(3);
        ListpackWriter w = new ListpackWriter();
        w.add(b("hello"));
        w.add(b("12345"));
        byte[] good = w.finish();
        int refused = 0;
        for (int round = 0; round < 5000; round++) {
            byte[] bad = good.clone();
            bad[random.nextInt(bad.length)] ^= (byte) (1 + random.nextInt(255));
            try {
                CompactEncodings.listpack(bad);
            } catch (RdbFormatException e) {
                refused++;
            }
            byte[] noise = new byte[random.nextInt(40)];
            random.nextBytes(noise);
            for (int k = 0; k < 3; k++) {
                try {
                    switch (k) {
                        case 0 -> CompactEncodings.listpack(noise);
                        case 1 -> CompactEncodings.ziplist(noise);
                        default -> CompactEncodings.intset(noise);
                    }
                } catch (RdbFormatException e) {
                    refused++;
                }
            }
        }
        // a flip in a string's bytes is undetectable; nearly every other damage is caught
        assertEquals(true, refused > 15000, "refused " + refused);
    }

    /** Raw strings of every length width round-trip; an LZF string reads back; garbage is refused, never thrown otherwise. */
    @Test
    void strings_rawRoundTripLzfAndGarbage() throws Exception {
        for (int len : new int[] {0, 1, 63, 64, 16383, 16384, 70000}) {
            byte[] s = new byte[len];
            new Random(len).nextBytes(s);
            RdbOutput out = new RdbOutput(16);
            out.writeLength(s.length);
            out.writeBytes(s, 0, s.length);
            RdbInput in = new RdbInput(out.array(), 0, out.size());
            assertArrayEquals(s, in.readString());
            assertEquals(0, in.remaining());
        }
        // "aaaaaaaaaa" as LZF: literal 'a', then a back reference of 9 bytes at distance 1
        byte[] lzf = {(byte) 0xC3, 5, 10, 0, 'a', (byte) (7 << 5), 0, 0};
        assertArrayEquals("aaaaaaaaaa".getBytes(), new RdbInput(lzf, 0, lzf.length).readString());
        Random r = new Random(11);
        for (int i = 0; i < 5000; i++) {
            byte[] b = new byte[r.nextInt(30)];
            r.nextBytes(b);
            try {
                new RdbInput(b, 0, b.length).readString();
            } catch (RdbFormatException expected) {
                // refused
            }
        }
    }

    @Test
    void lzf_runsAndGarbage() throws Exception {
        // literal "ab", then a back reference of 8 bytes one back: "ab" + "bbbbbbbb"
        byte[] in = {1, 'a', 'b', (byte) (6 << 5), 0};
        assertArrayEquals(b("abbbbbbbbb"), Lzf.decompress(in, 0, in.length, 10));
        assertThrows(RdbFormatException.class, () -> Lzf.decompress(in, 0, in.length, 9));
        assertThrows(RdbFormatException.class, () -> Lzf.decompress(in, 0, in.length, 11));
        assertThrows(RdbFormatException.class, () -> Lzf.decompress(new byte[] {(byte) (1 << 5), 5}, 0, 2, 3));
        assertThrows(RdbFormatException.class, () -> Lzf.decompress(new byte[] {5, 'a'}, 0, 2, 6));
        Random random = new Random(5);
        for (int round = 0; round < 10000; round++) {
            byte[] noise = new byte[random.nextInt(30)];
            random.nextBytes(noise);
            try {
                Lzf.decompress(noise, 0, noise.length, random.nextInt(100));
            } catch (RdbFormatException expected) {
                // fine: refused
            }
        }
    }

    @Test
    void lzf_hugeAnnouncedLength_refusedBeforeAllocating() {
        // type-less string: LZF marker, compressed length 2, plain length 2^31 - 9
        RdbOutput out = new RdbOutput(0);
        out.writeByte(0xC3);
        out.writeLength(2);
        out.writeLength(Integer.MAX_VALUE - 9);
        out.writeByte(0);
        out.writeByte('a');
        RdbInput in = new RdbInput(out.toByteArray(), 0, out.size());
        assertThrows(RdbFormatException.class, in::readString);
    }

    @Test
    void lzf_compressThenDecompress_sameBytes() throws Exception {
        Random random = new Random(11);
        Lzf lzf = new Lzf();
        List<byte[]> inputs = new ArrayList<>();
        inputs.add(b("a".repeat(10_000)));
        inputs.add(b("abcdefgh".repeat(3000)));
        inputs.add(b("0123456789".repeat(2) + "x"));
        for (int n : new int[] {300, 9000, 70_000}) {
            byte[] words = new byte[n];
            for (int i = 0; i < n; i++) {
                // a small alphabet with repeats near and far (past the 8 KB window too)
                words[i] = (byte) (i % 9000 < 4500 ? 'a' + random.nextInt(4) : words[i % 4500]);
            }
            inputs.add(words);
        }
        int compressed = 0;
        byte[] short21 = new byte[21];
        random.nextBytes(short21);
        byte[] out21 = new byte[21];
        int n21 = lzf.compress(short21, 0, 21, out21, 21);
        if (n21 > 0) {
            assertArrayEquals(short21, Lzf.decompress(out21, 0, n21, 21));
        }
        for (byte[] in : inputs) {
            byte[] out = new byte[in.length];
            int n = lzf.compress(in, 0, in.length, out, in.length - 4);
            if (n > 0) {
                compressed++;
                assertArrayEquals(in, Lzf.decompress(out, 0, n, in.length));
            }
        }
        assertEquals(inputs.size(), compressed);
        byte[] noise = new byte[5000];
        random.nextBytes(noise);
        assertEquals(0, lzf.compress(noise, 0, noise.length, new byte[noise.length], noise.length - 4));
    }

    @Test
    void strings_longOnesCompressedWhenItPays() throws Exception {
        RdbOutput out = new RdbOutput(0);
        byte[] repetitive = b("abc".repeat(1000));
        byte[] noise = new byte[1000];
        new Random(1).nextBytes(noise);
        out.writeString(repetitive, 0, repetitive.length);
        int afterFirst = out.size();
        out.writeString(noise, 0, noise.length);
        assertEquals(true, afterFirst < 200, "compressed to " + afterFirst);
        assertEquals(0xC3, out.toByteArray()[0] & 0xFF);
        // too random to gain 4 bytes: stored raw, a 2-byte length and the bytes
        assertEquals(1000 + 2, out.size() - afterFirst);
        RdbInput in = new RdbInput(out.toByteArray(), 0, out.size());
        assertArrayEquals(repetitive, in.readString());
        assertArrayEquals(noise, in.readString());
    }

    @Test
    void scoresAsText_readAsStrtodReadsThem() {
        assertEquals(1.5, RdbInput.parseListpackScore(b("1.5")));
        assertEquals(1.5, RdbInput.parseListpackScore(b(" 1.5abc")));
        assertEquals(-2e10, RdbInput.parseListpackScore(b("-2e10")));
        assertEquals(12.0, RdbInput.parseListpackScore(b("12e")));
        assertEquals(0.5, RdbInput.parseListpackScore(b(".5")));
        assertEquals(Double.POSITIVE_INFINITY, RdbInput.parseListpackScore(b("inf")));
        assertEquals(Double.NEGATIVE_INFINITY, RdbInput.parseListpackScore(b("-Infinity")));
        assertEquals(0.0, RdbInput.parseListpackScore(b("!.5")));
        assertEquals(0.0, RdbInput.parseListpackScore(b("")));
        assertNull(RdbInput.parseDoublePrefix(b("x1")));
        assertNull(RdbInput.parseDoublePrefix(b("-")));
        assertNull(RdbInput.parseDoublePrefix(b(".")));
    }
}
