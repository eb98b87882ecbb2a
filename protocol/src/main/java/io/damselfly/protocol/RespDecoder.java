package io.damselfly.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ByteProcessor;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decodes replies (RESP2 and RESP3) into {@link RespValue}s: the client side, for the upstream
 * client and for tests. Malformed input throws {@link DecoderException}; after that the decoder
 * ignores the rest of the connection's input.
 *
 * <p>RESP3 attributes ({@code |n}) are read and dropped; the value they annotate is emitted alone.
 * Streamed strings and aggregates ({@code $?}, {@code *?}) are not supported and are refused.
 */
public final class RespDecoder extends ByteToMessageDecoder {
    /*
     * How it works.
     *
     * Two states: LINE (a type byte and its line, up to CRLF) and PAYLOAD (the bytes of a bulk,
     * blob error or verbatim string whose length line has been read). Nesting is not recursion but
     * an explicit stack of open aggregates, each counting the elements it still needs; a finished
     * value is added to the top aggregate, and an aggregate that becomes full is popped and added
     * to the one below, and so on. The stack and the partially built lists survive between reads,
     * so a reply split at any byte is parsed once, and a hostile stream cannot overflow the Java
     * stack: depth is capped by RespLimits.maxDepth before a level is opened.
     *
     * Limits, checked before anything is sized from the wire: a line with no CRLF after
     * maxInlineLength bytes fails; bulk lengths above maxBulkLength and aggregate counts above
     * maxMultibulkLength fail; a bulk's array is only allocated once all its bytes are buffered,
     * and an aggregate's list starts small and grows with the elements actually received.
     */

    private static final ByteProcessor FIND_CR = ByteProcessor.FIND_CR;

    /** Elements preallocated for an aggregate before any has arrived. */
    private static final int INITIAL_AGGREGATE_CAPACITY = 16;

    private enum State {
        LINE,
        PAYLOAD,
        FAILED
    }

    /** An aggregate whose elements are still arriving. */
    private static final class Aggregate {
        final byte type;
        long remaining;
        final ArrayList<RespValue> items;

        Aggregate(byte type, long elements) {
            this.type = type;
            this.remaining = elements;
            this.items = new ArrayList<>((int) Math.min(elements, INITIAL_AGGREGATE_CAPACITY));
        }
    }

    private final RespLimits limits;
    private State state = State.LINE;

    /** Bytes of the current line, from the reader index, already searched for CR. */
    private int scanned;

    /** Type byte and length of the payload being waited for in state PAYLOAD. */
    private byte payloadType;

    private int payloadLength;

    /** Set by readLine / readPayload when they return null because bytes are missing. */
    private boolean waiting;

    private Aggregate[] stack = new Aggregate[8];
    private int depth;

    /** A decoder with the default (Redis 7) limits. */
    public RespDecoder() {
        this(RespLimits.defaults());
    }

    /** A decoder applying {@code limits}. */
    public RespDecoder(RespLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Decodes every value in the readable bytes of {@code in} with the default limits, consuming
     * them. Throws {@link DecoderException} if the input is malformed or ends inside a value.
     */
    public static List<RespValue> decodeAll(ByteBuf in) {
        return decodeAll(in, RespLimits.defaults());
    }

    /** {@link #decodeAll(ByteBuf)} with the given limits. */
    public static List<RespValue> decodeAll(ByteBuf in, RespLimits limits) {
        RespDecoder decoder = new RespDecoder(limits);
        List<Object> out = new ArrayList<>();
        decoder.decodeValues(in, out);
        if (in.isReadable() || decoder.depth > 0 || decoder.state != State.LINE) {
            throw new DecoderException("input ends inside a RESP value");
        }
        List<RespValue> values = new ArrayList<>(out.size());
        for (Object o : out) {
            values.add((RespValue) o);
        }
        return values;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decodeValues(in, out);
    }

    /** Decodes as many whole values as {@code in} holds into {@code out}. */
    void decodeValues(ByteBuf in, List<Object> out) {
        if (state == State.FAILED) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            for (; ; ) {
                waiting = false;
                RespValue value = state == State.PAYLOAD ? readPayload(in) : readLine(in);
                if (value != null) {
                    complete(value, out);
                } else if (waiting) {
                    return;
                }
                // else: an aggregate was opened, a payload announced or an attribute ended; go on
            }
        } catch (DecoderException e) {
            state = State.FAILED;
            stack = new Aggregate[0];
            depth = 0;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Lines
    // ---------------------------------------------------------------------------------------------

    /**
     * Reads one line if it is whole. Returns its value, or null when the line opened an aggregate,
     * announced a payload or ended an empty attribute, or when it is not whole yet (then {@link
     * #waiting} is set).
     */
    private RespValue readLine(ByteBuf in) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        if (start == end) {
            waiting = true;
            return null;
        }
        int from = start + scanned;
        int cr = from < end ? in.forEachByte(from, end - from, FIND_CR) : -1;
        int lineLength = (cr < 0 ? end : cr) - start;
        if (lineLength > limits.maxInlineLength()) {
            throw new DecoderException("RESP line longer than " + limits.maxInlineLength() + " bytes");
        }
        if (cr < 0 || cr + 1 >= end) {
            scanned = (cr < 0 ? end : cr) - start;
            waiting = true;
            return null;
        }
        if (in.getByte(cr + 1) != '\n') {
            throw new DecoderException("RESP line not terminated by CRLF");
        }
        scanned = 0;
        byte type = in.getByte(start);
        int textFrom = start + 1;
        in.readerIndex(cr + 2);
        return switch (type) {
            case '+' -> new RespValue.SimpleString(text(in, textFrom, cr));
            case '-' -> new RespValue.Error(text(in, textFrom, cr));
            case ':' -> new RespValue.Integer(parseLong(in, textFrom, cr));
            case '_' -> {
                if (cr != textFrom) {
                    throw new DecoderException("RESP null with content");
                }
                yield RespValue.Null.INSTANCE;
            }
            case '#' -> parseBoolean(in, textFrom, cr);
            case ',' -> new RespValue.Double(parseDouble(text(in, textFrom, cr)));
            case '(' -> new RespValue.BigNumber(parseBigInteger(text(in, textFrom, cr)));
            case '$', '!', '=' -> startPayload(type, in, textFrom, cr);
            case '*', '~', '>' -> openAggregate(type, in, textFrom, cr, 1);
            case '%', '|' -> openAggregate(type, in, textFrom, cr, 2);
            default -> throw new DecoderException(
                    "unknown RESP type byte 0x" + Integer.toHexString(type & 0xFF));
        };
    }

    private RespValue startPayload(byte type, ByteBuf in, int from, int to) {
        rejectStreamed(in, from, to);
        long len = parseLong(in, from, to);
        if (len == -1 && type == '$') {
            return RespValue.Null.INSTANCE; // RESP2 null bulk string
        }
        if (len < 0 || len > limits.maxBulkLength()) {
            throw new DecoderException("invalid RESP bulk length " + len);
        }
        if (type == '=' && len < 4) {
            throw new DecoderException("RESP verbatim string shorter than its format prefix");
        }
        payloadType = type;
        payloadLength = (int) len;
        state = State.PAYLOAD;
        return null;
    }

    private RespValue openAggregate(byte type, ByteBuf in, int from, int to, int perEntry) {
        rejectStreamed(in, from, to);
        long n = parseLong(in, from, to);
        if (n == -1 && type == '*') {
            return RespValue.Null.INSTANCE; // RESP2 null array
        }
        if (n < 0 || n > limits.maxMultibulkLength()) {
            throw new DecoderException("invalid RESP aggregate length " + n);
        }
        if (n == 0) {
            return type == '|' ? null : build(type, new ArrayList<>(0));
        }
        if (depth >= limits.maxDepth()) {
            throw new DecoderException("RESP nesting deeper than " + limits.maxDepth());
        }
        if (depth == stack.length) {
            stack = java.util.Arrays.copyOf(stack, stack.length * 2);
        }
        stack[depth++] = new Aggregate(type, n * perEntry);
        return null;
    }

    // ---------------------------------------------------------------------------------------------
    // Payloads
    // ---------------------------------------------------------------------------------------------

    private RespValue readPayload(ByteBuf in) {
        if (in.readableBytes() < payloadLength + 2L) {
            waiting = true;
            return null;
        }
        int start = in.readerIndex();
        if (in.getByte(start + payloadLength) != '\r' || in.getByte(start + payloadLength + 1) != '\n') {
            throw new DecoderException("RESP bulk string not terminated by CRLF");
        }
        state = State.LINE;
        RespValue value;
        switch (payloadType) {
            case '$' -> {
                byte[] bytes = new byte[payloadLength];
                in.getBytes(start, bytes);
                value = new RespValue.BulkString(bytes);
            }
            case '!' -> value = new RespValue.Error(text(in, start, start + payloadLength));
            default -> {
                if (in.getByte(start + 3) != ':') {
                    throw new DecoderException("RESP verbatim string without 'fmt:' prefix");
                }
                String format = in.toString(start, 3, StandardCharsets.US_ASCII);
                byte[] text = new byte[payloadLength - 4];
                in.getBytes(start + 4, text);
                value = new RespValue.Verbatim(format, text);
            }
        }
        in.readerIndex(start + payloadLength + 2);
        return value;
    }

    // ---------------------------------------------------------------------------------------------
    // Aggregates
    // ---------------------------------------------------------------------------------------------

    /** Adds a finished value to the open aggregates, closing those it fills; emits a top-level one. */
    private void complete(RespValue value, List<Object> out) {
        for (; ; ) {
            if (depth == 0) {
                out.add(value);
                return;
            }
            Aggregate top = stack[depth - 1];
            top.items.add(value);
            if (--top.remaining > 0) {
                return;
            }
            stack[--depth] = null;
            if (top.type == '|') {
                return; // an attribute annotates the next value; it is not an element of its parent
            }
            value = build(top.type, top.items);
        }
    }

    private static RespValue build(byte type, ArrayList<RespValue> items) {
        return switch (type) {
            case '*' -> new RespValue.Array(items);
            case '~' -> new RespValue.Set(items);
            case '>' -> new RespValue.Push(items);
            case '%' -> {
                List<RespValue.Map.Entry> entries = new ArrayList<>(items.size() / 2);
                for (int i = 0; i < items.size(); i += 2) {
                    entries.add(new RespValue.Map.Entry(items.get(i), items.get(i + 1)));
                }
                yield new RespValue.Map(entries);
            }
            default -> throw new IllegalStateException("not an aggregate: " + (char) type);
        };
    }

    // ---------------------------------------------------------------------------------------------
    // Scalars
    // ---------------------------------------------------------------------------------------------

    private static void rejectStreamed(ByteBuf in, int from, int to) {
        if (to - from == 1 && in.getByte(from) == '?') {
            throw new DecoderException("RESP3 streamed strings and aggregates are not supported");
        }
    }

    private static String text(ByteBuf in, int from, int to) {
        return in.toString(from, to - from, StandardCharsets.UTF_8);
    }

    /** A signed decimal long: optional sign, at least one digit, no overflow. */
    private static long parseLong(ByteBuf in, int from, int to) {
        int p = from;
        boolean negative = false;
        if (p < to && (in.getByte(p) == '-' || in.getByte(p) == '+')) {
            negative = in.getByte(p) == '-';
            p++;
        }
        if (p == to) {
            throw new DecoderException("RESP number without digits");
        }
        long v = 0; // accumulated negatively so that Long.MIN_VALUE fits
        for (; p < to; p++) {
            byte b = in.getByte(p);
            if (b < '0' || b > '9') {
                throw new DecoderException("RESP number with a non-digit");
            }
            int d = b - '0';
            if (v < Long.MIN_VALUE / 10 || v * 10 < Long.MIN_VALUE + d) {
                throw new DecoderException("RESP number out of range");
            }
            v = v * 10 - d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                throw new DecoderException("RESP number out of range");
            }
            v = -v;
        }
        return v;
    }

    private static RespValue parseBoolean(ByteBuf in, int from, int to) {
        if (to - from == 1) {
            byte b = in.getByte(from);
            if (b == 't') {
                return new RespValue.Boolean(true);
            }
            if (b == 'f') {
                return new RespValue.Boolean(false);
            }
        }
        throw new DecoderException("RESP boolean that is not #t or #f");
    }

    private static double parseDouble(String s) {
        switch (s) {
            case "inf", "+inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            case "nan", "-nan" -> {
                return Double.NaN;
            }
            default -> {
                // Double.parseDouble also takes "Infinity", hex floats, a 'd' suffix and blanks: not RESP.
                boolean digit = false;
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (c >= '0' && c <= '9') {
                        digit = true;
                    } else if (c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+') {
                        throw new DecoderException("RESP double with an invalid character");
                    }
                }
                if (!digit) {
                    throw new DecoderException("RESP double without digits");
                }
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new DecoderException("invalid RESP double", e);
                }
            }
        }
    }

    private static BigInteger parseBigInteger(String s) {
        int i = s.startsWith("-") || s.startsWith("+") ? 1 : 0;
        if (i == s.length()) {
            throw new DecoderException("RESP big number without digits");
        }
        for (int j = i; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c < '0' || c > '9') {
                throw new DecoderException("RESP big number with a non-digit");
            }
        }
        return new BigInteger(s);
    }
}
