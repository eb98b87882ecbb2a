package io.damselfly.server.command;

import io.damselfly.protocol.RespWriter;
import io.damselfly.server.client.ClientSession;
import io.damselfly.server.keyspace.StringView;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Where a command writes its reply: RESP written straight into an outbound buffer, shaped for the
 * connection's protocol version (RESP2 or RESP3: maps, sets, doubles, booleans and nulls differ).
 * One instance per connection.
 *
 * <p>Output as pieces. Small replies go into one buffer per read batch (its loop's, reused). A
 * string value of {@link #LEND_THRESHOLD} bytes or more is not copied: its bytes are lent ({@link
 * StringView#lend}, after which the keyspace never changes them in place) and handed on as a
 * {@link LentBytes} piece between the buffer before it and a new buffer after it, and the
 * connection copies them to the socket in chunks as the client reads. So a reply of many large
 * values costs linear time and no memory beyond the chunks in flight, where one buffer regrown
 * for it would be copied again at every growth step (quadratic past Netty's 4 MiB growth step)
 * and could not pass 2 GiB. {@link #drainTo} hands the pieces on in order.
 */
public final class Reply {
    /**
     * Values at least this long are lent instead of copied: below it a copy into the batch buffer
     * costs less than a piece of its own (Redis copies replies into 16 KiB blocks alike).
     */
    public static final int LEND_THRESHOLD = 16 * 1024;

    private final ClientSession client;
    /** Gives new buffers, each released by whoever it is handed to; null for bound buffers. */
    private final Supplier<ByteBuf> buffers;
    private ByteBuf out;
    /** Pieces before {@link #out}, in order: ByteBufs and LentBytes. */
    private final List<Object> pieces = new ArrayList<>(2);
    private int errors;
    private String lastErrorPrefix;

    /**
     * Replies to {@code client}, in the protocol version its session holds at each write, into
     * buffers from {@code buffers}, lending large values; see {@link #drainTo}.
     */
    public Reply(ClientSession client, Supplier<ByteBuf> buffers) {
        this.client = client;
        this.buffers = buffers;
    }

    /** Replies to {@code client} into buffers bound with {@link #bind}, large values copied too. */
    public Reply(ClientSession client) {
        this(client, null);
    }

    /** Writes into {@code out} from now on (copying large values too), until rebound. */
    public void bind(ByteBuf out) {
        this.out = out;
    }

    /** Starts a buffer for the next command's reply if none is open. */
    public void open() {
        if (out == null) {
            out = buffers.get();
        }
    }

    /** Bytes written since the last {@link #drainTo}, lent values included. */
    public long pendingBytes() {
        long n = out == null ? 0 : out.readableBytes();
        // indexed, not for-each: this runs per request and an iterator is garbage each time
        for (int i = 0; i < pieces.size(); i++) {
            Object p = pieces.get(i);
            n += p instanceof LentBytes l ? l.length() : ((ByteBuf) p).readableBytes();
        }
        return n;
    }

    /**
     * Hands everything written so far to {@code sink} in order (ByteBufs, whose release passes to
     * the sink, and LentBytes) and leaves the reply with no open buffer.
     */
    public void drainTo(Consumer<Object> sink) {
        for (int i = 0; i < pieces.size(); i++) {
            sink.accept(pieces.get(i));
        }
        pieces.clear();
        if (out != null) {
            ByteBuf last = out;
            out = null;
            if (last.isReadable()) {
                sink.accept(last);
            } else {
                last.release();
            }
        }
    }

    /** A position in what was written, to {@link #truncate} back to. */
    public long mark() {
        return (long) pieces.size() << 32 | (out == null ? 0 : out.writerIndex());
    }

    /** Drops everything written since {@code mark} (CLIENT REPLY OFF and SKIP). */
    public void truncate(long mark) {
        int piecesThen = (int) (mark >>> 32);
        if (pieces.size() > piecesThen) {
            // a lent value cut the buffer of that time into the pieces: it is the first one after
            ByteBuf then = (ByteBuf) pieces.get(piecesThen);
            for (int i = piecesThen + 1; i < pieces.size(); i++) {
                if (pieces.get(i) instanceof ByteBuf b) {
                    b.release();
                }
            }
            pieces.subList(piecesThen, pieces.size()).clear();
            out.release();
            out = then;
        }
        if (out != null) {
            out.writerIndex((int) mark);
        }
    }

    /** Releases whatever was written and not handed on (the connection closed). */
    public void discard() {
        drainTo(p -> {
            if (p instanceof ByteBuf b) {
                b.release();
            }
        });
    }

    /** The client's protocol version now: a HELLO that changes it gets its own reply in the new one. */
    public int protocol() {
        return client.protocol();
    }

    public boolean isResp3() {
        return client.protocol() >= 3;
    }

    /** Error replies written since the last {@link #takeErrorCount()}. */
    public int takeErrorCount() {
        int n = errors;
        errors = 0;
        return n;
    }

    public String lastErrorPrefix() {
        return lastErrorPrefix;
    }

    public void ok() {
        RespWriter.writeSimpleString(out, "OK");
    }

    public void simple(String s) {
        RespWriter.writeSimpleString(out, s);
    }

    /** An error reply; {@code text} starts with its code, e.g. "ERR syntax error". */
    public void error(String text) {
        errors++;
        int space = text.indexOf(' ');
        lastErrorPrefix = space < 0 ? text : text.substring(0, space);
        RespWriter.writeError(out, text);
    }

    public void integer(long v) {
        RespWriter.writeInteger(out, v);
    }

    public void bulk(byte[] b) {
        RespWriter.writeBulk(out, b);
    }

    /** Each of {@code values} as a bulk string, one after another (after an array header). */
    public void bulks(byte[][] values) {
        RespWriter.writeBulks(out, values, 0, values.length);
    }

    public void bulk(byte[] b, int offset, int length) {
        RespWriter.writeBulk(out, b, offset, length);
    }

    /** A string value read from the keyspace; lent instead of copied when large. */
    public void bulk(StringView v) {
        bulk(v, 0, v.length());
    }

    /** {@code length} bytes of a string value from {@code from} (GETRANGE); lent when large. */
    public void bulk(StringView v, int from, int length) {
        if (v.array() == null) {
            // a string record in an arena page: always small enough to copy
            RespWriter.writeBulk(out, v.buffer(), v.offset() + from, length);
            return;
        }
        if (length < LEND_THRESHOLD || buffers == null) {
            RespWriter.writeBulk(out, v.array(), v.offset() + from, length);
            return;
        }
        v.lend();
        RespWriter.writeBulkHeader(out, length);
        pieces.add(out);
        pieces.add(new LentBytes(v.array(), v.offset() + from, length));
        out = buffers.get();
        RespWriter.writeCrlf(out);
    }

    /** A double as Redis's addReplyDouble writes it: RESP3 {@code ,}, RESP2 a bulk string of C's %.17g. */
    public void doubleValue(double d) {
        RespWriter.writeDouble(out, d, client.protocol());
    }

    public void bulk(String s) {
        RespWriter.writeBulkString(out, s);
    }

    /** A bulk string, or the null bulk when {@code b} is null. */
    public void bulkOrNull(byte[] b) {
        if (b == null) {
            nullBulk();
        } else {
            bulk(b);
        }
    }

    public void nullBulk() {
        RespWriter.writeNullBulk(out, client.protocol());
    }

    public void nullArray() {
        RespWriter.writeNullArray(out, client.protocol());
    }

    public void array(int n) {
        RespWriter.writeArrayHeader(out, n);
    }

    /** An array header for a count past int (HRANDFIELD with a large negative count). */
    public void array(long n) {
        RespWriter.writeArrayHeader(out, n);
    }

    public void emptyArray() {
        RespWriter.writeArrayHeader(out, 0);
    }

    /** A map of {@code pairs} key/value pairs (RESP3 map; RESP2 flat array of 2n). */
    public void map(int pairs) {
        RespWriter.writeMapHeader(out, pairs, client.protocol());
    }

    /** A set of n elements (RESP3 set; RESP2 array). */
    public void set(int n) {
        RespWriter.writeSetHeader(out, n, client.protocol());
    }

    public void push(int n) {
        RespWriter.writePushHeader(out, n, client.protocol());
    }

    /**
     * The header of a RESP3 attribute of {@code pairs} pairs, which the pairs and then the reply
     * they annotate follow. Only for a RESP3 client: RESP2 has no attributes.
     */
    public void attribute(int pairs) {
        if (!isResp3()) {
            throw new IllegalStateException("an attribute is RESP3 only");
        }
        RespWriter.writeAttributeHeader(out, pairs);
    }

    public void bool(boolean b) {
        RespWriter.writeBoolean(out, b, client.protocol());
    }

    /** Text for humans (INFO, CLIENT INFO...): RESP3 verbatim "txt", RESP2 bulk. */
    public void verbatim(String text) {
        RespWriter.writeVerbatim(out, "txt", text.getBytes(StandardCharsets.UTF_8), client.protocol());
    }

    /** An array of bulk strings. */
    public void bulkArray(Collection<byte[]> items) {
        array(items.size());
        for (byte[] b : items) {
            bulk(b);
        }
    }

    /** An array of bulk strings from Java strings. */
    public void stringArray(Collection<String> items) {
        array(items.size());
        for (String s : items) {
            bulk(s);
        }
    }

    /**
     * Bytes that already are a whole RESP reply, written unchanged: the near-cache relays the
     * upstream's reply frames this way, byte for byte.
     */
    public void raw(byte[] frame) {
        out.writeBytes(frame);
    }

    /** A big number given as its decimal text (RESP3 {@code (}; RESP2 a bulk string), for script replies. */
    public void bigNumber(String decimal) {
        RespWriter.writeBigNumber(out, decimal, client.protocol());
    }

    /** Verbatim text with its three-letter format (RESP3 {@code =}; RESP2 a bulk string), for script replies. */
    public void verbatim(String format, byte[] text) {
        RespWriter.writeVerbatim(out, format, text, client.protocol());
    }
}
