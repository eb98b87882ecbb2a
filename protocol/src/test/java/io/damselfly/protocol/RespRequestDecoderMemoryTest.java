package io.damselfly.protocol;

import static io.damselfly.protocol.RequestFeeder.bytes;
import static io.damselfly.protocol.RequestFeeder.channel;
import static io.damselfly.protocol.RequestFeeder.multibulk;
import static io.damselfly.protocol.RequestFeeder.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What {@link RespRequestDecoder} books with its {@link RequestMemory}: nothing for requests that
 * end within a read, what it holds after each read that leaves a request unfinished, the peak
 * before a streamed array grows, nothing once a request is emitted or the channel goes; and that a
 * refusal drops the request before the allocation it was asked about.
 */
class RespRequestDecoderMemoryTest {

    /** Records every booking; refuses anything above {@code limit}. */
    static final class RecordingMemory implements RequestMemory {
        final long limit;
        final List<long[]> calls = new ArrayList<>();
        long held;
        long peak;
        int refusals;

        RecordingMemory(long limit) {
            this.limit = limit;
        }

        @Override
        public boolean hold(long heldBytes, long queryBufferBytes) {
            assertTrue(heldBytes >= 0 && queryBufferBytes >= 0 && queryBufferBytes <= heldBytes,
                    "held " + heldBytes + ", query buffer " + queryBufferBytes);
            calls.add(new long[] {heldBytes, queryBufferBytes});
            if (heldBytes > limit) {
                refusals++;
                held = 0;
                return false;
            }
            held = heldBytes;
            peak = Math.max(peak, heldBytes);
            return true;
        }
    }

    @Test
    void smallRequestsWithinOneRead_bookNothing() {
        RecordingMemory memory = new RecordingMemory(Long.MAX_VALUE);
        EmbeddedChannel ch = channel(new RespRequestDecoder(RespLimits.defaults(), memory));
        byte[] pipeline = RequestFeeder.concat(multibulk(bytes("SET"), bytes("k"), bytes("v")),
                multibulk(bytes("GET"), bytes("k")), bytes("PING\r\n"));
        for (int i = 0; i < 100; i++) {
            assertEquals(3, write(ch, pipeline).size());
        }
        assertEquals(List.of(), memory.calls);
        ch.finishAndReleaseAll();
        assertEquals(List.of(), memory.calls);
    }

    @Test
    void requestAcrossReads_bookedPerReadThenReleased() {
        RecordingMemory memory = new RecordingMemory(Long.MAX_VALUE);
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.defaults(), memory);
        EmbeddedChannel ch = channel(decoder);
        byte[] frame = multibulk(bytes("SET"), bytes("key"), new byte[1000]);
        assertEquals(List.of(), write(ch, frame, 0, 600));
        assertEquals(1, memory.calls.size());
        // 29 bytes of header lines are parsed; "SET" and "key" are arguments of 24 bytes each with
        // their array header, the argument array takes 32; the rest waits unparsed
        long unparsed = 600 - 29;
        assertArrayEquals(new long[] {unparsed + 24 + 24 + 32, unparsed}, memory.calls.get(0));
        assertEquals(decoder.heldBytes(), memory.calls.get(0)[0]);
        assertEquals(1, write(ch, frame, 600, frame.length - 600).size());
        assertEquals(2, memory.calls.size());
        assertArrayEquals(new long[] {0, 0}, memory.calls.get(1), "nothing held once the request is emitted");
        ch.finishAndReleaseAll();
        assertEquals(2, memory.calls.size());
    }

    @Test
    void streamedBulk_peakBookedBeforeEachGrowth() {
        RecordingMemory memory = new RecordingMemory(Long.MAX_VALUE);
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.defaults(), memory);
        EmbeddedChannel ch = channel(decoder);
        byte[] value = new byte[3_000_000];
        new Random(7).nextBytes(value);
        byte[] frame = multibulk(bytes("SET"), bytes("big"), value);
        List<Object> out = new ArrayList<>();
        int lastCapacity = 0;
        for (int off = 0; off < frame.length; off += 16 * 1024) {
            int n = Math.min(16 * 1024, frame.length - off);
            out.addAll(write(ch, frame, off, n));
            int capacity = decoder.streamCapacity();
            if (capacity > 0) {
                // what is booked covers the array the decoder holds
                assertTrue(memory.held >= capacity, "booked " + memory.held + " < capacity " + capacity);
                if (capacity != lastCapacity && lastCapacity != 0) {
                    // growing held both arrays at once, and that was booked first
                    assertTrue(memory.peak >= capacity + lastCapacity, "peak " + memory.peak);
                }
                lastCapacity = capacity;
            }
        }
        assertEquals(1, out.size());
        assertArrayEquals(value, ((byte[][]) out.get(0))[2]);
        assertEquals(0, memory.held);
        // the last growth copies at most half the bulk: the peak stays near 1.5 x the value
        assertTrue(memory.peak < value.length * 3L / 2 + 256 * 1024, "peak " + memory.peak);
        ch.finishAndReleaseAll();
    }

    @Test
    void refusal_dropsTheRequestBeforeAllocatingAndDiscardsTheRest() {
        RecordingMemory memory = new RecordingMemory(1024 * 1024);
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.defaults(), memory);
        EmbeddedChannel ch = channel(decoder);
        assertEquals(List.of(), write(ch, bytes("*2\r\n$3\r\nSET\r\n$500000000\r\n")));
        byte[] chunk = new byte[60 * 1024];
        for (int i = 0; i < 40 && memory.refusals == 0; i++) {
            assertEquals(List.of(), write(ch, chunk));
            assertTrue(decoder.streamCapacity() <= 1024 * 1024, "allocated " + decoder.streamCapacity());
        }
        assertEquals(1, memory.refusals);
        assertEquals(RespRequestDecoder.State.DISCARD, decoder.state());
        assertEquals(0, decoder.streamCapacity());
        assertEquals(0, decoder.heldBytes());
        int calls = memory.calls.size();
        // everything after a refusal is skipped, even well-formed requests, and books nothing
        assertEquals(List.of(), write(ch, RequestFeeder.concat(chunk, bytes("\r\n*1\r\n$4\r\nPING\r\n"))));
        assertEquals(calls, memory.calls.size());
        ch.finishAndReleaseAll();
        assertEquals(calls, memory.calls.size(), "nothing was booked, nothing to give back");
    }

    @Test
    void manyEmptyArguments_bookedWithTheirHeaders() {
        RecordingMemory memory = new RecordingMemory(Long.MAX_VALUE);
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.defaults(), memory);
        EmbeddedChannel ch = channel(decoder);
        write(ch, bytes("*1000000\r\n"));
        byte[] empties = bytes("$0\r\n\r\n".repeat(10_000));
        write(ch, empties);
        // 10,000 empty arrays of 16 bytes and their references: far more than the 60 KB received
        assertTrue(memory.held >= 10_000 * 20L, "held " + memory.held);
        ch.finishAndReleaseAll();
    }

    @Test
    void channelClosedMidRequest_releasesTheBooking() {
        RecordingMemory memory = new RecordingMemory(Long.MAX_VALUE);
        EmbeddedChannel ch = channel(new RespRequestDecoder(RespLimits.defaults(), memory));
        write(ch, bytes("*2\r\n$3\r\nSET\r\n$200000\r\n"));
        write(ch, new byte[100_000]);
        assertTrue(memory.held > 100_000);
        ch.finishAndReleaseAll();
        assertEquals(0, memory.held);
    }

    /** Garbage and cut frames, split anywhere: the booking always equals what is held, and ends at 0. */
    @Test
    void garbage_bookingAlwaysMatchesWhatIsHeld() {
        Random rnd = new Random(0xB00CL);
        byte[] alphabet = bytes("*$\r\n0123456789-x \u0000");
        for (int it = 0; it < 2000; it++) {
            RecordingMemory memory = new RecordingMemory(rnd.nextBoolean() ? Long.MAX_VALUE : 200_000);
            RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.defaults(), memory);
            EmbeddedChannel ch = channel(decoder);
            byte[] input = new byte[rnd.nextInt(3000)];
            for (int i = 0; i < input.length; i++) {
                input[i] = rnd.nextInt(4) == 0 ? (byte) rnd.nextInt(256) : alphabet[rnd.nextInt(alphabet.length)];
            }
            if (rnd.nextBoolean()) {
                // a plausible big claim in front, so streaming and refusals happen too
                input = RequestFeeder.concat(bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (100_000 + rnd.nextInt(400_000)) + "\r\n"),
                        new byte[rnd.nextInt(300_000)], input);
            }
            for (int off = 0; off < input.length; ) {
                int n = Math.min(input.length - off, 1 + rnd.nextInt(70_000));
                ch.writeInbound(Unpooled.wrappedBuffer(input, off, n));
                RequestFeeder.drain(ch);
                off += n;
                assertEquals(decoder.heldBytes(), memory.held, "iteration " + it + " after " + off + " bytes");
            }
            ch.finishAndReleaseAll();
            assertEquals(0, memory.held, "iteration " + it + ": released at close");
        }
    }
}
