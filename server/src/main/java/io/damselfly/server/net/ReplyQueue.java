package io.damselfly.server.net;

import io.damselfly.server.command.DeferredReply;
import io.damselfly.server.command.LentBytes;
import io.damselfly.server.command.Reply;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A connection's replies on their way to the channel, in request order: ready buffers, lent
 * values still to be copied out, and deferred-reply slots not yet resolved.
 *
 * <p>Design. In the common case nothing waits: a reply buffer is written to the channel the moment
 * it is added, and this queue stays empty. Two things make replies wait here:
 * <ul>
 *   <li>a {@link LentBytes} piece: a large value copied to the socket {@link #CHUNK} bytes at a
 *       time, and only while the channel is writable, so a reply of gigabytes costs a few chunks
 *       of memory and linear time (the epoll and NIO transports would otherwise copy a heap buffer
 *       whole into direct memory on every write);
 *   <li>an unresolved {@link DeferredReply}: everything added after it waits behind it, and goes
 *       out when it is resolved and rendered in its place.
 * </ul>
 * One owner: the connection's event loop; nothing here is thread-safe.
 */
final class ReplyQueue {
    /** Bytes of a lent value copied per write: large enough for few syscalls, small to hold. */
    static final int CHUNK = 256 * 1024;

    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    /** Bytes waiting here: buffers and lent values not yet copied. */
    private long backlog;
    /** Of {@link #backlog}, the bytes that are copies (buffers), not lent from the keyspace. */
    private long copiedBacklog;

    /** A lent value being copied out; {@code position} moves as chunks go. */
    private static final class LentCursor {
        final LentBytes bytes;
        int position;

        LentCursor(LentBytes bytes) {
            this.bytes = bytes;
            this.position = bytes.offset();
        }

        int remaining() {
            return bytes.offset() + bytes.length() - position;
        }
    }

    /** Adds a piece of reply (ByteBuf, LentBytes or DeferredReply), written now if nothing waits. */
    void add(ChannelHandlerContext ctx, Object piece) {
        if (piece instanceof ByteBuf buf && queue.isEmpty()) {
            ctx.write(buf, ctx.voidPromise());
        } else {
            queue.addLast(counted(piece));
        }
    }

    /**
     * What the queue holds for a piece (a lent value as a cursor over its bytes), with the piece's
     * bytes added to the backlog.
     */
    private Object counted(Object piece) {
        if (piece instanceof ByteBuf buf) {
            backlog += buf.readableBytes();
            copiedBacklog += buf.readableBytes();
            return buf;
        }
        if (piece instanceof LentBytes lent) {
            backlog += lent.length();
            return new LentCursor(lent);
        }
        return (DeferredReply) piece;
    }

    /**
     * Writes from the head of the queue as far as it is ready: buffers always, lent values while
     * the channel is writable, resolved slots rendered in place with {@code render}. The caller
     * flushes.
     */
    void pump(ChannelHandlerContext ctx, Reply render) {
        while (!queue.isEmpty()) {
            Object head = queue.peek();
            if (head instanceof ByteBuf buf) {
                queue.poll();
                backlog -= buf.readableBytes();
                copiedBacklog -= buf.readableBytes();
                ctx.write(buf, ctx.voidPromise());
            } else if (head instanceof LentCursor lent) {
                if (!ctx.channel().isWritable()) {
                    return;
                }
                int n = Math.min(CHUNK, lent.remaining());
                ByteBuf chunk = ctx.alloc().directBuffer(n);
                chunk.writeBytes(lent.bytes.array(), lent.position, n);
                lent.position += n;
                backlog -= n;
                if (lent.remaining() == 0) {
                    queue.poll();
                }
                ctx.write(chunk, ctx.voidPromise());
            } else {
                DeferredReply slot = (DeferredReply) head;
                if (!slot.isResolved()) {
                    return;
                }
                queue.poll();
                if (slot.isCompleted()) {
                    renderInPlace(slot, render);
                }
            }
        }
    }

    /** Puts a completed slot's reply at the head of the queue, where the slot was. */
    private void renderInPlace(DeferredReply slot, Reply render) {
        render.open();
        slot.render(render);
        List<Object> rendered = new ArrayList<>(2);
        render.drainTo(rendered::add);
        for (int i = rendered.size() - 1; i >= 0; i--) {
            queue.addFirst(counted(rendered.get(i)));
        }
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Bytes waiting here, lent ones included. */
    long backlog() {
        return backlog;
    }

    /**
     * Bytes waiting here that are copies made for this client (lent values are the keyspace's
     * own and cost nothing extra): what counts against the output buffer limit.
     */
    long copiedBacklog() {
        return copiedBacklog;
    }

    /** The connection closed: releases the buffers and cancels the slots. */
    void discard() {
        for (Object p : queue) {
            if (p instanceof ByteBuf buf) {
                buf.release();
            } else if (p instanceof DeferredReply slot) {
                slot.cancel();
            }
        }
        queue.clear();
        backlog = 0;
        copiedBacklog = 0;
    }
}
