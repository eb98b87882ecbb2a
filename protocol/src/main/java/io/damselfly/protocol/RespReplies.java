package io.damselfly.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Replies a server sends millions of times, encoded once.
 *
 * <p>Two ways to use them: copy into a reply buffer being built ({@link #writeOk(ByteBuf)} and
 * friends), or write the shared buffer itself to a channel as {@code RespReplies.OK.duplicate()}.
 * The shared buffers are read-only and unreleasable, so {@code release()} on them is harmless; the
 * {@code duplicate()} gives each write its own reader index.
 */
public final class RespReplies {

    /** {@code +OK\r\n}. */
    public static final ByteBuf OK = shared("+OK\r\n");

    /** {@code +PONG\r\n}. */
    public static final ByteBuf PONG = shared("+PONG\r\n");

    /** {@code +QUEUED\r\n}, the reply to a command queued inside MULTI. */
    public static final ByteBuf QUEUED = shared("+QUEUED\r\n");

    /** RESP2 null bulk string {@code $-1\r\n}. */
    public static final ByteBuf NULL_BULK_RESP2 = shared("$-1\r\n");

    /** RESP2 null array {@code *-1\r\n}. */
    public static final ByteBuf NULL_ARRAY_RESP2 = shared("*-1\r\n");

    /** RESP3 null {@code _\r\n}. */
    public static final ByteBuf NULL_RESP3 = shared("_\r\n");

    /** {@code *0\r\n}. */
    public static final ByteBuf EMPTY_ARRAY = shared("*0\r\n");

    /** {@code :0\r\n}. */
    public static final ByteBuf ZERO = shared(":0\r\n");

    /** {@code :1\r\n}. */
    public static final ByteBuf ONE = shared(":1\r\n");

    private RespReplies() {}

    /** Appends {@code +OK\r\n}. */
    public static void writeOk(ByteBuf out) {
        append(out, OK);
    }

    /** Appends {@code +PONG\r\n}. */
    public static void writePong(ByteBuf out) {
        append(out, PONG);
    }

    /** Appends {@code +QUEUED\r\n}. */
    public static void writeQueued(ByteBuf out) {
        append(out, QUEUED);
    }

    /** Appends the null bulk string of the protocol version (RESP2 {@code $-1}, RESP3 {@code _}). */
    public static void writeNull(ByteBuf out, int protover) {
        append(out, protover == 3 ? NULL_RESP3 : NULL_BULK_RESP2);
    }

    /** Appends {@code *0\r\n}. */
    public static void writeEmptyArray(ByteBuf out) {
        append(out, EMPTY_ARRAY);
    }

    /** The shared buffer of the null bulk string for a protocol version, to write as {@code .duplicate()}. */
    public static ByteBuf nullBulk(int protover) {
        return protover == 3 ? NULL_RESP3 : NULL_BULK_RESP2;
    }

    private static void append(ByteBuf out, ByteBuf reply) {
        // Absolute read: leaves the shared buffer's reader index alone, so it is safe across threads.
        out.writeBytes(reply, reply.readerIndex(), reply.readableBytes());
    }

    private static ByteBuf shared(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes).asReadOnly());
    }
}
