package io.damselfly.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes client requests on the server: emits one {@code byte[][]} per command (element 0 is the
 * command name, bytes as sent), or one {@link RespProtocolError} for a malformed request, after
 * which it discards all further input.
 *
 * <p>Accepts exactly what Redis 7 accepts and refuses it with the same error text ({@code
 * processMultibulkBuffer} and {@code processInlineBuffer} in {@code networking.c}). Never throws
 * for bad input.
 *
 * <p>At most one command is emitted per {@code decode} call, so {@link ByteToMessageDecoder} hands
 * each one to the next handler before the following one is parsed. A handler that calls {@link
 * #setAuthenticated(boolean)} while handling AUTH therefore changes the limits for the very next
 * pipelined command, as in Redis, provided it does so before returning from {@code channelRead}.
 */
public final class RespRequestDecoder extends ByteToMessageDecoder {
    /*
     * How it works.
     *
     * A state machine, one method per wire fragment. Each returns true when it made progress and the
     * next state may run at once, false when it needs more bytes (or has failed). All state survives
     * between reads, so a frame that arrives in a thousand pieces is parsed once, not a thousand
     * times:
     *
     *   START --'*'--> MULTIBULK_COUNT --count<=0--> START
     *     |                    |
     *     |                    v
     *     |              BULK_LENGTH --len<=64K--> BULK_PAYLOAD ----------------+
     *     |                    ^     \--len>64K--> BULK_STREAMING -> BULK_TRAILER +
     *     |                    |                                                 |
     *     |                    +---------- more arguments expected <-------------+
     *     |                                 last argument: emit, START
     *     +--other--> INLINE --line end--> emit (unless blank), START
     *   any error --> DISCARD (terminal: emits nothing more, skips all input)
     *
     * Positions kept between calls are relative to the reader index, because ByteToMessageDecoder
     * may compact the cumulation (discardSomeReadBytes) and move absolute indexes.
     *
     * Redis quirks kept on purpose, because clients and tests see them:
     *  - a count or length line is found by the first CR; the byte after it is skipped unchecked
     *    ("*1\rX$3..." is accepted), and so are the two bytes after a bulk payload;
     *  - Redis looks for line ends with strchr(), which stops at a NUL byte. A NUL before the CR (or,
     *    for inline requests, before the LF) therefore hides the line end: the request waits until
     *    more than maxInlineLength bytes are buffered and is then refused as too big. Bulk payloads
     *    are read by length and may hold NULs freely;
     *  - "too big" is judged on what is buffered and not yet parsed when no line end is in it, so a
     *    long line that arrives whole with its terminator is accepted. Netty reads at most 64 KiB at a
     *    time by default, so in practice, as in Redis, lines much beyond maxInlineLength fail;
     *  - "expected '$', got 'X'" is only reported once the whole line (up to CR + 1 byte) is in; CR
     *    or LF as X is shown as a space, as Redis's addReplyErrorFormat does.
     *
     * Memory. Nothing is sized from a number the client sent before the bytes are here:
     *  - the argument array starts at min(count, 1024) and doubles (capped at count) as arguments
     *    arrive, as Redis does with argv_len, so "*2000000000" costs a 1024-slot array;
     *  - a bulk of up to STREAMING_THRESHOLD bytes waits in the cumulation until it is whole and is
     *    then copied once into its exact array;
     *  - a larger bulk is copied out of the cumulation as it arrives into an array that doubles with
     *    the bytes received (capped at the claimed length, so it ends exactly sized with no final
     *    copy). A client claiming 500 MB and sending 10 bytes costs 64 KiB here. Total work stays
     *    linear: each byte is copied once from the network buffer plus amortised doubling copies.
     */

    /** Redis: {@code argv_len = min(multibulklen, 1024)} before any argument has arrived. */
    static final int INITIAL_ARGS_CAPACITY = 1024;

    /**
     * Bulks above this size are streamed into a growing array instead of waiting whole in the
     * cumulation. 64 KiB is Netty's largest default read, so a smaller bulk usually arrives in one or
     * two reads anyway; Redis uses a similar cut-off (PROTO_MBULK_BIG_ARG, 32 KiB) for its own
     * big-argument path.
     */
    static final int STREAMING_THRESHOLD = 64 * 1024;

    /** First capacity of a streamed bulk's array when fewer bytes than this are already here. */
    static final int STREAMING_INITIAL_CAPACITY = 64 * 1024;

    /** Redis: strchr(querybuf, '\r') - a CR ends the line, a NUL ends the C string. */
    private static final ByteProcessor FIND_CR_OR_NUL = b -> b != '\r' && b != 0;

    /** Redis: strchr(querybuf, '\n') for inline requests, NUL ends the C string. */
    private static final ByteProcessor FIND_LF_OR_NUL = b -> b != '\n' && b != 0;

    private static final byte[][] NO_ARGS = new byte[0][];

    enum State {
        START,
        INLINE,
        MULTIBULK_COUNT,
        BULK_LENGTH,
        BULK_PAYLOAD,
        BULK_STREAMING,
        BULK_TRAILER,
        DISCARD
    }

    private final RespLimits limits;
    private volatile boolean authenticated = true;

    private State state = State.START;

    /** Bytes of the current line, from the reader index, already searched for its terminator. */
    private int scanned;

    /** Arguments of the multibulk request being read; {@code args.length <= argc + remaining}. */
    private byte[][] args = NO_ARGS;

    private int argc;

    /** Arguments still expected, the one being read included. */
    private int remaining;

    /** Claimed length of the bulk being read. */
    private int bulkLength;

    /** A streamed bulk's bytes so far ({@code streamed} of them), or null. */
    private byte[] stream;

    private int streamed;

    /** Bytes held in completed arguments of the current request. */
    private long argumentBytes;

    /** Set by {@link #parseNumber}: whether the last number parsed was well formed. */
    private boolean numberOk;

    /** A decoder applying {@code limits}; the client counts as authenticated until told otherwise. */
    public RespRequestDecoder(RespLimits limits) {
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
    }

    /**
     * Whether the client has authenticated. When false, requests are limited to {@link
     * RespLimits#unauthenticatedMaxMultibulkLength()} arguments of at most {@link
     * RespLimits#unauthenticatedMaxBulkLength()} bytes, as Redis 7 limits clients that have not
     * AUTHed while a password is required. Takes effect from the next line parsed.
     */
    public void setAuthenticated(boolean authenticated) {
        this.authenticated = authenticated;
    }

    /** Whether the authenticated limits apply. */
    public boolean isAuthenticated() {
        return authenticated;
    }

    /**
     * Bytes this decoder holds for the request being read, outside Netty's cumulation buffer:
     * completed arguments plus the received part of a streamed bulk. With the cumulation's readable
     * bytes this is the client's query buffer, for limits such as Redis's {@code
     * client-query-buffer-limit}.
     */
    public long bufferedArgumentBytes() {
        return argumentBytes + streamed;
    }

    // ---------------------------------------------------------------------------------------------
    // Driver
    // ---------------------------------------------------------------------------------------------

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decodeRequests(in, out);
    }

    /** Runs the state machine until it needs more bytes or has emitted one message. */
    void decodeRequests(ByteBuf in, List<Object> out) {
        boolean progress;
        do {
            progress =
                    switch (state) {
                        case START -> startRequest(in);
                        case INLINE -> decodeInline(in, out);
                        case MULTIBULK_COUNT -> decodeMultibulkCount(in, out);
                        case BULK_LENGTH -> decodeBulkLength(in, out);
                        case BULK_PAYLOAD -> decodeBulkPayload(in, out);
                        case BULK_STREAMING -> decodeBulkStreaming(in);
                        case BULK_TRAILER -> decodeBulkTrailer(in, out);
                        case DISCARD -> discard(in);
                    };
        } while (progress && out.isEmpty());
    }

    private boolean startRequest(ByteBuf in) {
        if (!in.isReadable()) {
            return false;
        }
        scanned = 0;
        state = in.getByte(in.readerIndex()) == '*' ? State.MULTIBULK_COUNT : State.INLINE;
        return true;
    }

    private static boolean discard(ByteBuf in) {
        in.skipBytes(in.readableBytes());
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // Multibulk: *<count>\r\n then <count> times $<len>\r\n<bytes>\r\n
    // ---------------------------------------------------------------------------------------------

    private boolean decodeMultibulkCount(ByteBuf in, List<Object> out) {
        int cr = findLineEnd(in, FIND_CR_OR_NUL);
        if (cr < 0) {
            if (in.readableBytes() > limits.maxInlineLength()) {
                return fail(in, out, "Protocol error: too big mbulk count string");
            }
            return false;
        }
        if (cr + 1 >= in.writerIndex()) {
            return false; // the byte after CR (normally LF) is not here yet
        }
        long count = parseNumber(in, in.readerIndex() + 1, cr);
        if (!numberOk || count > limits.maxMultibulkLength()) {
            return fail(in, out, "Protocol error: invalid multibulk length");
        }
        if (count > limits.unauthenticatedMaxMultibulkLength() && !authenticated) {
            return fail(in, out, "Protocol error: unauthenticated multibulk length");
        }
        in.readerIndex(cr + 2);
        scanned = 0;
        if (count <= 0) {
            state = State.START; // "*0" and "*-1": an empty request, nothing to run
            return true;
        }
        remaining = (int) count;
        argc = 0;
        argumentBytes = 0;
        args = new byte[(int) Math.min(count, INITIAL_ARGS_CAPACITY)][];
        state = State.BULK_LENGTH;
        return true;
    }

    private boolean decodeBulkLength(ByteBuf in, List<Object> out) {
        int cr = findLineEnd(in, FIND_CR_OR_NUL);
        if (cr < 0) {
            if (in.readableBytes() > limits.maxInlineLength()) {
                return fail(in, out, "Protocol error: too big bulk count string");
            }
            return false;
        }
        if (cr + 1 >= in.writerIndex()) {
            return false;
        }
        int start = in.readerIndex();
        byte first = in.getByte(start);
        if (first != '$') {
            return fail(in, out, "Protocol error: expected '$', got '" + printable(first) + "'");
        }
        long len = parseNumber(in, start + 1, cr);
        if (!numberOk || len < 0 || len > limits.maxBulkLength()) {
            return fail(in, out, "Protocol error: invalid bulk length");
        }
        if (len > limits.unauthenticatedMaxBulkLength() && !authenticated) {
            return fail(in, out, "Protocol error: unauthenticated bulk length");
        }
        in.readerIndex(cr + 2);
        scanned = 0;
        bulkLength = (int) len;
        if (bulkLength <= STREAMING_THRESHOLD) {
            state = State.BULK_PAYLOAD;
        } else {
            stream = null;
            streamed = 0;
            state = State.BULK_STREAMING;
        }
        return true;
    }

    /** A small bulk: wait until it and its CRLF are all buffered, then copy it out once. */
    private boolean decodeBulkPayload(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < bulkLength + 2) {
            return false;
        }
        byte[] arg = new byte[bulkLength];
        in.readBytes(arg);
        in.skipBytes(2); // Redis skips the CRLF without looking at it
        return addArgument(arg, out);
    }

    /** A large bulk: move what has arrived into the growing array and release the network bytes. */
    private boolean decodeBulkStreaming(ByteBuf in) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return false;
        }
        int n = Math.min(readable, bulkLength - streamed);
        ensureStreamCapacity(streamed + n);
        in.readBytes(stream, streamed, n);
        streamed += n;
        if (streamed < bulkLength) {
            return false;
        }
        state = State.BULK_TRAILER;
        return true;
    }

    private boolean decodeBulkTrailer(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 2) {
            return false;
        }
        in.skipBytes(2);
        byte[] arg = stream;
        stream = null;
        streamed = 0;
        return addArgument(arg, out);
    }

    private void ensureStreamCapacity(int needed) {
        if (stream == null) {
            stream = new byte[Math.min(bulkLength, Math.max(needed, STREAMING_INITIAL_CAPACITY))];
        } else if (needed > stream.length) {
            long doubled = 2L * stream.length;
            int capacity = (int) Math.min(bulkLength, Math.max(needed, doubled));
            stream = Arrays.copyOf(stream, capacity);
        }
    }

    private boolean addArgument(byte[] arg, List<Object> out) {
        if (argc == args.length) {
            // argc + remaining is the claimed count (<= Integer.MAX_VALUE), so this cannot overflow.
            args = Arrays.copyOf(args, (int) Math.min(2L * args.length, (long) argc + remaining));
        }
        args[argc++] = arg;
        argumentBytes += arg.length;
        if (--remaining > 0) {
            state = State.BULK_LENGTH;
            return true;
        }
        out.add(args); // exactly argc long: capacity never exceeds the claimed count
        args = NO_ARGS;
        argc = 0;
        argumentBytes = 0;
        state = State.START;
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // Inline: one line of words, split like sdssplitargs
    // ---------------------------------------------------------------------------------------------

    private boolean decodeInline(ByteBuf in, List<Object> out) {
        int lf = findLineEnd(in, FIND_LF_OR_NUL);
        if (lf < 0) {
            if (in.readableBytes() > limits.maxInlineLength()) {
                return fail(in, out, "Protocol error: too big inline request");
            }
            return false;
        }
        int start = in.readerIndex();
        int end = lf;
        if (end > start && in.getByte(end - 1) == '\r') {
            end--;
        }
        byte[] line = new byte[end - start];
        in.getBytes(start, line);
        byte[][] argv = InlineSplitter.split(line);
        if (argv == null) {
            return fail(in, out, "Protocol error: unbalanced quotes in request");
        }
        in.readerIndex(lf + 1);
        scanned = 0;
        state = State.START;
        if (argv.length > 0) {
            out.add(argv); // an empty or blank line is no request
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    /**
     * Index of the line end (CR, or LF for inline), or -1 if it is not buffered yet or a NUL hides
     * it. Resumes where the previous call stopped, so a long line fed byte by byte is scanned once.
     */
    private int findLineEnd(ByteBuf in, ByteProcessor finder) {
        int base = in.readerIndex();
        int from = base + scanned;
        int to = in.writerIndex();
        if (from >= to) {
            return -1;
        }
        int i = in.forEachByte(from, to - from, finder);
        if (i < 0) {
            scanned = to - base;
            return -1;
        }
        scanned = i - base; // found CR, or stuck at a NUL: resume exactly here next time
        return in.getByte(i) == 0 ? -1 : i;
    }

    /**
     * Redis {@code string2ll} over {@code in[from, to)}: an optional '-', then digits without
     * leading zeros ("0" alone is fine, "-0" is not), at most 20 characters, no overflow. Sets
     * {@link #numberOk}.
     */
    private long parseNumber(ByteBuf in, int from, int to) {
        numberOk = false;
        int len = to - from;
        if (len == 0 || len >= 21) { // Redis LONG_STR_SIZE
            return 0;
        }
        int p = from;
        byte b = in.getByte(p);
        if (len == 1 && b == '0') {
            numberOk = true;
            return 0;
        }
        boolean negative = b == '-';
        if (negative) {
            if (++p == to) {
                return 0;
            }
            b = in.getByte(p);
        }
        if (b < '1' || b > '9') {
            return 0;
        }
        // Accumulate negatively: the negative range is one larger, so Long.MIN_VALUE parses too.
        long v = -(b - '0');
        while (++p < to) {
            b = in.getByte(p);
            if (b < '0' || b > '9' || v < Long.MIN_VALUE / 10) {
                return 0;
            }
            int d = b - '0';
            v *= 10;
            if (v < Long.MIN_VALUE + d) {
                return 0;
            }
            v -= d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                return 0;
            }
            v = -v;
        }
        numberOk = true;
        return v;
    }

    /** The byte as Redis's "%c" shows it once addReplyErrorFormat has replaced CR and LF. */
    private static char printable(byte b) {
        return b == '\r' || b == '\n' ? ' ' : (char) (b & 0xFF);
    }

    /**
     * Emits the error and discards everything buffered. ByteToMessageDecoder insists that a decode
     * call which emits also consumes, and nothing after an error will be parsed anyway.
     */
    private boolean fail(ByteBuf in, List<Object> out, String message) {
        in.skipBytes(in.readableBytes());
        out.add(new RespProtocolError(message));
        state = State.DISCARD;
        args = NO_ARGS;
        argc = 0;
        argumentBytes = 0;
        stream = null;
        streamed = 0;
        return false;
    }

    /** For tests: the current state. */
    State state() {
        return state;
    }

    /** For tests: slots allocated for arguments of the request being read. */
    int argumentCapacity() {
        return args.length;
    }

    /** For tests: bytes allocated for the bulk being streamed. */
    int streamCapacity() {
        return stream == null ? 0 : stream.length;
    }
}
