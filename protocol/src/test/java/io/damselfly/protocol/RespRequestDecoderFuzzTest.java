package io.damselfly.protocol;

import static io.damselfly.protocol.RequestFeeder.assertMessages;
import static io.damselfly.protocol.RequestFeeder.bytes;
import static io.damselfly.protocol.RequestFeeder.concat;
import static io.damselfly.protocol.RequestFeeder.describe;
import static io.damselfly.protocol.RequestFeeder.multibulk;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random input for {@link RespRequestDecoder}: it must never throw, must emit only
 * well-formed requests or one error and then nothing, and - for inputs under the inline limit,
 * where Redis's answer does not depend on how the bytes were split into reads - must emit exactly
 * what {@link RedisReferenceParser} (a plain transcription of Redis's parser) says, whatever the
 * chunking.
 */
class RespRequestDecoderFuzzTest {

    private static final long SEED = 0xDA5E1F1L;
    private static final int ITERATIONS = 4000;

    /** Bytes that steer random input into the parser's interesting branches. */
    private static final byte[] PROTOCOL_BYTES = bytes("*$\r\n\r\n0123456789-+ \t\"'\\x\u0000\u000b");

    @Test
    void randomBytesAndMutatedFrames_matchReferenceAtAnyChunking() {
        assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
            Random rnd = new Random(SEED);
            for (int it = 0; it < ITERATIONS; it++) {
                byte[] input = switch (it % 3) {
                    case 0 -> randomBytes(rnd);
                    case 1 -> mutate(rnd, validPipeline(rnd));
                    default -> validPipeline(rnd);
                };
                boolean authenticated = rnd.nextInt(4) != 0;
                List<Object> expected = RedisReferenceParser.parse(input, authenticated, RespLimits.defaults());
                List<Object> actual = feed(rnd, input, authenticated, RespLimits.defaults());
                checkShape(actual);
                try {
                    assertMessages(expected, actual);
                } catch (AssertionError e) {
                    fail("iteration " + it + " input " + RequestFeeder.escape(input) + "\nexpected " + describe(expected)
                            + "\nactual   " + describe(actual), e);
                }
            }
        });
    }

    @Test
    void randomInputWithSmallLimits_neverThrowsAndStopsAfterError() {
        // Tiny limits make the "too big" and "invalid length" paths, which depend on chunking, common.
        RespLimits limits = new RespLimits(40, 6, 24, 8, 3, 10);
        assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
            Random rnd = new Random(SEED + 1);
            for (int it = 0; it < ITERATIONS; it++) {
                byte[] input = it % 2 == 0 ? randomBytes(rnd) : mutate(rnd, validPipeline(rnd));
                checkShape(feed(rnd, input, rnd.nextBoolean(), limits));
            }
        });
    }

    @Test
    void validPipelines_decodeToTheirArguments() {
        Random rnd = new Random(SEED + 2);
        for (int it = 0; it < 500; it++) {
            List<Object> expected = new ArrayList<>();
            List<byte[]> frames = new ArrayList<>();
            int n = 1 + rnd.nextInt(8);
            for (int i = 0; i < n; i++) {
                byte[][] args = randomArgs(rnd);
                expected.add(args);
                frames.add(multibulk(args));
            }
            assertMessages(expected, feed(rnd, concat(frames.toArray(new byte[0][])), true, RespLimits.defaults()));
        }
    }

    /** Feeds input in random chunks; the decoder must not throw (EmbeddedChannel rethrows). */
    private static List<Object> feed(Random rnd, byte[] input, boolean authenticated, RespLimits limits) {
        RespRequestDecoder decoder = new RespRequestDecoder(limits);
        decoder.authenticatedBy(() -> authenticated);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        List<Object> out = new ArrayList<>();
        int maxChunk = 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 200);
        int off = 0;
        while (off < input.length) {
            int n = Math.min(input.length - off, 1 + rnd.nextInt(maxChunk));
            ch.writeInbound(Unpooled.wrappedBuffer(input, off, n));
            off += n;
            Object o;
            while ((o = ch.readInbound()) != null) {
                out.add(o);
            }
        }
        ch.finishAndReleaseAll();
        return out;
    }

    /** Only byte[][] with at least one non-null argument, or one error as the very last message. */
    private static void checkShape(List<Object> out) {
        for (int i = 0; i < out.size(); i++) {
            Object m = out.get(i);
            if (m instanceof RespProtocolError e) {
                assertTrue(i == out.size() - 1, "a message after an error: " + describe(out));
                assertTrue(e.message().startsWith("Protocol error: "));
                assertFalse(e.message().contains("\r") || e.message().contains("\n"));
            } else if (m instanceof byte[][] args) {
                assertTrue(args.length > 0);
                for (byte[] a : args) {
                    assertNotNull(a);
                }
            } else {
                fail("unexpected message " + m);
            }
        }
    }

    private static byte[] randomBytes(Random rnd) {
        byte[] b = new byte[rnd.nextInt(120)];
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextInt(3) == 0 ? (byte) rnd.nextInt(256) : PROTOCOL_BYTES[rnd.nextInt(PROTOCOL_BYTES.length)];
        }
        if (b.length > 0 && rnd.nextBoolean()) {
            b[0] = '*';
        }
        return b;
    }

    private static byte[][] randomArgs(Random rnd) {
        // Now and then more than the 10 arguments allowed before AUTH.
        byte[][] args = new byte[rnd.nextInt(16) == 0 ? 11 + rnd.nextInt(3) : 1 + rnd.nextInt(5)][];
        for (int i = 0; i < args.length; i++) {
            byte[] a = new byte[rnd.nextInt(4) == 0 ? rnd.nextInt(300) : rnd.nextInt(12)];
            rnd.nextBytes(a);
            args[i] = a;
        }
        return args;
    }

    private static byte[] validPipeline(Random rnd) {
        List<byte[]> frames = new ArrayList<>();
        int n = 1 + rnd.nextInt(5);
        for (int i = 0; i < n; i++) {
            switch (rnd.nextInt(4)) {
                case 0 -> frames.add(bytes("SET k" + i + " \"v a\\x41\\n\" 'x\\'y'\r\n"));
                case 1 -> frames.add(bytes("*0\r\n"));
                default -> frames.add(multibulk(randomArgs(rnd)));
            }
        }
        return concat(frames.toArray(new byte[0][]));
    }

    private static byte[] mutate(Random rnd, byte[] input) {
        byte[] b = input.clone();
        int mutations = 1 + rnd.nextInt(3);
        for (int m = 0; m < mutations && b.length > 0; m++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(4)) {
                case 0 -> b[at] = (byte) rnd.nextInt(256);
                case 1 -> b[at] = PROTOCOL_BYTES[rnd.nextInt(PROTOCOL_BYTES.length)];
                case 2 -> b = concat(java.util.Arrays.copyOf(b, at), java.util.Arrays.copyOfRange(b, at + 1, b.length));
                default -> b = concat(java.util.Arrays.copyOf(b, at),
                        new byte[] {PROTOCOL_BYTES[rnd.nextInt(PROTOCOL_BYTES.length)]},
                        java.util.Arrays.copyOfRange(b, at, b.length));
            }
        }
        return b;
    }
}
