package io.damselfly.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

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
 * each one to the next handler before the following one is parsed. The decoder asks whether the
 * client has authenticated ({@link #authenticatedBy}) each time a limit applies, of the session
 * that owns that state, so an AUTH handled in {@code channelRead} changes the limits for the very
 * next pipelined command, as in Redis.
 *
 * <p>What it holds for a request not emitted yet is booked with a {@link RequestMemory}, which may
 * refuse it; the decoder then drops the request and discards the rest of the input.
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
     *    the bytes received. Its capacities are the claimed length L halved k times (rounded up):
     *    ..., L/4, L/2, L. So it ends exactly sized with no final copy, and the last growth holds
     *    L/2 + L at once, not up to 2L as doubling from 64 KiB would. A client claiming 500 MB and
     *    sending 10 bytes costs under 128 KiB here. Total work stays linear: each byte is copied
     *    once from the network buffer plus amortised doubling copies.
     *
     * Booking (RequestMemory). What the decoder holds for the request being read (unparsed input in
     * the cumulation, the streamed array, completed arguments with their object headers) is booked
     * with absolute figures at two points: before a streamed array grows, counting old and new
     * arrays both (the peak), so a refusal comes before the allocation; and after every read that
     * changed the figure, from channelRead. A read that ends between requests holds nothing and
     * books nothing, so small requests cost no booking at all. Between those points the figure may
     * run ahead of the booking by what one read brings (its bytes and the small arguments parsed
     * from them), which is bounded by Netty's read size.
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

    /** A streamed bulk's first array is at least this big (or the bulk's length), under twice it. */
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
    private final RequestMemory memory;
    private BooleanSupplier authenticated = () -> true;
    /** Told the size of every read, before it is decoded. */
    private LongConsumer inputBytes = n -> { };

    /** What {@link #memory} last accepted as held; 0 when nothing is booked. */
    private long booked;

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

    /** Heap held by the completed arguments of the current request, their array headers included. */
    private long argumentBytes;

    /** Set by {@link #parseNumber}: whether the last number parsed was well formed. */
    private boolean numberOk;

    /** A decoder applying {@code limits} that books nothing; the client counts as authenticated until told otherwise. */
    public RespRequestDecoder(RespLimits limits) {
        this(limits, RequestMemory.UNBOUNDED);
    }

    /** A decoder applying {@code limits} and booking what it holds with {@code memory}. */
    public RespRequestDecoder(RespLimits limits, RequestMemory memory) {
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
        this.memory = java.util.Objects.requireNonNull(memory, "memory");
    }

    /**
     * Where the decoder learns whether the client has authenticated (the client's session; by
     * default always). While it answers false, requests are limited to {@link
     * RespLimits#unauthenticatedMaxMultibulkLength()} arguments of at most {@link
     * RespLimits#unauthenticatedMaxBulkLength()} bytes, as Redis 7 limits clients that have not
     * AUTHed while a password is required. Asked only when a request passes those limits.
     */
    public void authenticatedBy(BooleanSupplier source) {
        this.authenticated = java.util.Objects.requireNonNull(source, "source");
    }

    /**
     * Where the decoder reports the bytes of every read it is given (the server's count of bytes
     * read from clients); by default nowhere.
     */
    public void countInputWith(LongConsumer counter) {
        this.inputBytes = java.util.Objects.requireNonNull(counter, "counter");
    }

    /**
     * Heap and buffer bytes held now for the request being read (unparsed input, a streamed bulk's
     * array, completed arguments): what is booked with the {@link RequestMemory} after each read.
     * On the channel's event loop only.
     */
    public long heldBytes() {
        return heldBytes(internalBuffer());
    }

    /**
     * The client's query buffer as Redis measures it for {@code client-query-buffer-limit} and
     * CLIENT LIST {@code qbuf}: input received and not yet part of a completed argument. On the
     * channel's event loop only.
     */
    public long queryBufferBytes() {
        return queryBufferBytes(internalBuffer());
    }

    // ---------------------------------------------------------------------------------------------
    // Driver
    // ---------------------------------------------------------------------------------------------

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decodeRequests(in, out);
    }

    /** Decodes the read, then books what is left held (see "Booking" above). */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf b) {
            inputBytes.accept(b.readableBytes());
        }
        super.channelRead(ctx, msg);
        if (!ctx.isRemoved()) {
            book(internalBuffer());
        }
    }

    /** Gives back whatever is booked: the connection is going away. */
    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        release();
    }

    /** Runs the state machine until it needs more bytes or has emitted one message. */
    void decodeRequests(ByteBuf in, List<Object> out) {
        boolean progress;
        do {
            progress =
                    switch (state) {
                        case START -> startRequest(in, out);
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

    private boolean startRequest(ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return false;
        }
        scanned = 0;
        if (in.getByte(in.readerIndex()) != '*') {
            state = State.INLINE;
        } else if (!decodeWholeRequest(in, out)) {
            state = State.MULTIBULK_COUNT;
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // The common case in one pass
    // ---------------------------------------------------------------------------------------------

    /** Arguments a request may have to be read in one pass (the state machine reads the rest). */
    static final int WHOLE_REQUEST_MAX_ARGS = 1024;

    /**
     * Reads a multibulk request in one pass when all of it is buffered, its count and lengths are
     * plain (digits only, no leading zero), its arguments are small ({@link #STREAMING_THRESHOLD}
     * at most) and within every limit. Returns false, having consumed nothing, for anything else:
     * the state machine then reads the request and answers for it exactly as before.
     *
     * <p>Why: a request of small arguments is what nearly every client sends, and the state
     * machine spends per argument a dispatch, a line search, a second pass to parse the number and
     * reader-index updates, most of the decoder's time on a 10-key MSET (profiled: the decoder
     * was 40% of the event loop's user time, as much as running the command).
     */
    private boolean decodeWholeRequest(ByteBuf in, List<Object> out) {
        int end = in.writerIndex();
        int count = plainLength(in, in.readerIndex() + 1, end);
        if (count <= 0 || count > WHOLE_REQUEST_MAX_ARGS || count > limits.maxMultibulkLength()
                || count > limits.unauthenticatedMaxMultibulkLength() && !authenticated.getAsBoolean()) {
            return false;
        }
        int maxLength = Math.min(STREAMING_THRESHOLD, Math.min(limits.maxBulkLength(), limits.unauthenticatedMaxBulkLength()));
        byte[][] argv = new byte[count][];
        int p = lineEnd;
        for (int i = 0; i < count; i++) {
            if (p >= end || in.getByte(p) != '$') {
                return false;
            }
            int length = plainLength(in, p + 1, end);
            if (length < 0 || length > maxLength) {
                return false;
            }
            p = lineEnd;
            if (end - p < length + 2) {
                return false;
            }
            byte[] arg = new byte[length];
            in.getBytes(p, arg);
            argv[i] = arg;
            p += length + 2; // the CRLF after the payload, skipped unchecked as Redis does
        }
        in.readerIndex(p);
        out.add(argv);
        return true;
    }

    /** Where the line read by {@link #plainLength} ends: after its CR and the byte that follows. */
    private int lineEnd;

    /**
     * The number of a count or length line whose digits start at {@code p}: up to nine digits, no
     * sign, no leading zero, then a CR with one more byte buffered before {@code end}; -1 for any
     * other line (the state machine judges those). Sets {@link #lineEnd}.
     */
    private int plainLength(ByteBuf in, int p, int end) {
        int value = 0;
        for (int digits = 0; p < end; digits++, p++) {
            byte b = in.getByte(p);
            if (b == '\r') {
                if (digits == 0 || p + 1 >= end) {
                    return -1;
                }
                lineEnd = p + 2;
                return value;
            }
            if (b < '0' || b > '9' || digits == 9 || digits == 1 && value == 0) {
                return -1;
            }
            value = value * 10 + (b - '0');
        }
        return -1;
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
        if (count > limits.unauthenticatedMaxMultibulkLength() && !authenticated.getAsBoolean()) {
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
        if (len > limits.unauthenticatedMaxBulkLength() && !authenticated.getAsBoolean()) {
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
        if (!ensureStreamCapacity(in, streamed + n)) {
            return false;
        }
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

    /**
     * Makes room for {@code needed} bytes of the streamed bulk, booking the larger array first.
     * Returns false when the booking is refused (the request is then dropped).
     */
    private boolean ensureStreamCapacity(ByteBuf in, int needed) {
        int current = stream == null ? 0 : stream.length;
        if (needed <= current) {
            return true;
        }
        int capacity = streamCapacityFor(stream == null ? Math.max(needed, STREAMING_INITIAL_CAPACITY) : needed);
        // the old array is still held while it is copied: the peak is both
        if (!book(in, heldBytes(in) + RequestMemory.arrayBytes(capacity))) {
            return false;
        }
        stream = stream == null ? new byte[capacity] : Arrays.copyOf(stream, capacity);
        return true;
    }

    /**
     * The smallest of bulkLength, ceil(bulkLength / 2), ceil(bulkLength / 4), ... that is at least
     * {@code needed}: growing along these, the last growth copies half the bulk.
     */
    private int streamCapacityFor(int needed) {
        int capacity = bulkLength;
        while (true) {
            // ceil(ceil(L / 2^k) / 2) = ceil(L / 2^(k+1))
            int half = (int) ((capacity + 1L) / 2);
            if (half < needed || half == capacity) {
                return capacity;
            }
            capacity = half;
        }
    }

    private boolean addArgument(byte[] arg, List<Object> out) {
        if (argc == args.length) {
            // argc + remaining is the claimed count (<= Integer.MAX_VALUE), so this cannot overflow.
            args = Arrays.copyOf(args, (int) Math.min(2L * args.length, (long) argc + remaining));
        }
        args[argc++] = arg;
        argumentBytes += RequestMemory.arrayBytes(arg.length);
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
        drop(in);
        out.add(new RespProtocolError(message));
        state = State.DISCARD;
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // Booking
    // ---------------------------------------------------------------------------------------------

    /** Everything held for the request being read, {@code in} being the cumulation. */
    private long heldBytes(ByteBuf in) {
        long held = in.readableBytes() + argumentBytes;
        if (stream != null) {
            held += RequestMemory.arrayBytes(stream.length);
        }
        if (args.length > 0) {
            held += RequestMemory.referenceArrayBytes(args.length);
        }
        return held;
    }

    private long queryBufferBytes(ByteBuf in) {
        return in.readableBytes() + (long) streamed;
    }

    /** Books what is held now if it changed; on refusal drops the request. */
    private void book(ByteBuf in) {
        long held = heldBytes(in);
        if (held != booked) {
            book(in, held);
        }
    }

    /** Books {@code held}; on refusal drops the request and returns false. */
    private boolean book(ByteBuf in, long held) {
        if (memory.hold(held, queryBufferBytes(in))) {
            booked = held;
            return true;
        }
        // the memory already counts this connection as holding nothing
        booked = 0;
        drop(in);
        state = State.DISCARD;
        return false;
    }

    private void release() {
        if (booked != 0) {
            booked = 0;
            memory.hold(0, 0);
        }
    }

    /** Forgets the request being read and skips all buffered input. */
    private void drop(ByteBuf in) {
        in.skipBytes(in.readableBytes());
        args = NO_ARGS;
        argc = 0;
        argumentBytes = 0;
        stream = null;
        streamed = 0;
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
