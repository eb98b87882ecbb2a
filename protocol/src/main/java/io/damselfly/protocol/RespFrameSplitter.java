package io.damselfly.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ByteProcessor;
import java.util.List;
import java.util.Objects;

/**
 * Splits a stream of RESP2/RESP3 replies into whole frames without decoding them: each emitted
 * message is a retained slice ({@link ByteBuf}) holding exactly one top-level reply, nested
 * aggregates, an attribute and the value it annotates, or a push, byte for byte as received. A
 * proxy relays such a slice unchanged, so what its client reads is what the upstream wrote.
 * Malformed input throws {@link DecoderException}; after that the rest of the input is ignored.
 */
public final class RespFrameSplitter extends ByteToMessageDecoder {
    /*
     * How it works.
     *
     * The splitter only walks the frame's structure: a type byte and its line; for bulk, blob error
     * and verbatim strings a payload of the announced length plus CRLF; for aggregates a count of
     * values still to come. The walk is incremental: `scanned` is how far into the current frame
     * (from the reader index) it has got, `payloadLeft` the payload bytes still missing, and
     * `remaining[0..depth)` the values each open aggregate still needs. Nothing is consumed until a
     * frame is complete, so a frame split at any byte is scanned once in total, and nothing is
     * allocated per frame but the slice. Limits (from RespLimits) are checked before any count is
     * believed: the line length without CRLF, the bulk length, the aggregate count, the depth.
     */

    private static final ByteProcessor FIND_CR = ByteProcessor.FIND_CR;

    private final RespLimits limits;
    /** Bytes of the current frame already walked, from the reader index. */
    private int scanned;
    /** Of the line being read: bytes already searched for CR, from its start. */
    private int lineSearched;
    /** Payload bytes (CRLF included) still to pass; 0 when a line is next. */
    private long payloadLeft;
    /** Values each open aggregate still needs, innermost last. */
    private long[] remaining = new long[8];
    private int depth;
    private boolean failed;

    /** A splitter with the default (Redis 7) limits. */
    public RespFrameSplitter() {
        this(RespLimits.defaults());
    }

    public RespFrameSplitter(RespLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        split(in, out);
    }

    /** Emits into {@code out} a retained slice per whole frame in {@code in}, consuming them. */
    public void split(ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            while (step(in)) {
                if (frameDone) {
                    out.add(in.retainedSlice(in.readerIndex(), scanned));
                    in.skipBytes(scanned);
                    scanned = 0;
                    frameDone = false;
                }
            }
        } catch (DecoderException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    /** Set when the value just walked completed the top-level frame. */
    private boolean frameDone;

    /** Walks one line or one payload; false when more bytes are needed. */
    private boolean step(ByteBuf in) {
        int base = in.readerIndex();
        int end = in.writerIndex();
        if (payloadLeft > 0) {
            long available = end - (base + scanned);
            if (available < payloadLeft) {
                // keep the CRLF check for when the whole payload is there
                return false;
            }
            int crlf = base + scanned + (int) payloadLeft - 2;
            if (in.getByte(crlf) != '\r' || in.getByte(crlf + 1) != '\n') {
                throw new DecoderException("RESP payload not terminated by CRLF");
            }
            scanned += (int) payloadLeft;
            payloadLeft = 0;
            valueDone();
            return true;
        }
        int lineStart = base + scanned;
        if (lineStart >= end) {
            return false;
        }
        int from = lineStart + lineSearched;
        int cr = from < end ? in.forEachByte(from, end - from, FIND_CR) : -1;
        int lineLength = (cr < 0 ? end : cr) - lineStart;
        if (lineLength > limits.maxInlineLength()) {
            throw new DecoderException("RESP line longer than " + limits.maxInlineLength() + " bytes");
        }
        if (cr < 0 || cr + 1 >= end) {
            lineSearched = (cr < 0 ? end : cr) - lineStart;
            return false;
        }
        if (in.getByte(cr + 1) != '\n') {
            throw new DecoderException("RESP line not terminated by CRLF");
        }
        lineSearched = 0;
        byte type = in.getByte(lineStart);
        scanned += lineLength + 2;
        switch (type) {
            case '+', '-', ':', ',', '(' -> valueDone();
            case '_' -> {
                if (lineLength != 1) {
                    throw new DecoderException("RESP null with content");
                }
                valueDone();
            }
            case '#' -> {
                byte b = lineLength == 2 ? in.getByte(lineStart + 1) : 0;
                if (b != 't' && b != 'f') {
                    throw new DecoderException("RESP boolean is neither t nor f");
                }
                valueDone();
            }
            case '$', '!', '=' -> {
                long n = parseCount(in, lineStart + 1, cr);
                if (n == -1 && type == '$') {
                    valueDone();
                } else if (n < 0 || n > limits.maxBulkLength()) {
                    throw new DecoderException("RESP bulk length out of range: " + n);
                } else {
                    payloadLeft = n + 2;
                }
            }
            case '*', '~', '>', '%', '|' -> {
                long n = parseCount(in, lineStart + 1, cr);
                if (n == -1 && (type == '*' || type == '%')) {
                    valueDone();
                    break;
                }
                if (n < 0 || n > limits.maxMultibulkLength()) {
                    throw new DecoderException("RESP aggregate count out of range: " + n);
                }
                long values = type == '%' || type == '|' ? 2 * n : n;
                if (type == '|') {
                    // an attribute is followed by the value it annotates: one frame together
                    values++;
                }
                if (values == 0) {
                    valueDone();
                    break;
                }
                if (depth == limits.maxDepth()) {
                    throw new DecoderException("RESP nesting deeper than " + limits.maxDepth());
                }
                if (depth == remaining.length) {
                    remaining = java.util.Arrays.copyOf(remaining, depth * 2);
                }
                remaining[depth++] = values;
            }
            default -> throw new DecoderException("unknown RESP type byte 0x" + Integer.toHexString(type & 0xFF));
        }
        return true;
    }

    /** A value ended: it fills a place in the open aggregates, closing those it completes. */
    private void valueDone() {
        while (depth > 0) {
            if (--remaining[depth - 1] > 0) {
                return;
            }
            depth--;
        }
        frameDone = true;
    }

    private static long parseCount(ByteBuf in, int from, int to) {
        if (from == to) {
            throw new DecoderException("RESP length without digits");
        }
        boolean negative = in.getByte(from) == '-';
        int p = negative ? from + 1 : from;
        if (p == to || to - p > 18) {
            throw new DecoderException("RESP length malformed");
        }
        long v = 0;
        for (; p < to; p++) {
            byte b = in.getByte(p);
            if (b < '0' || b > '9') {
                throw new DecoderException("RESP length with a non-digit");
            }
            v = v * 10 + (b - '0');
        }
        return negative ? -v : v;
    }
}
