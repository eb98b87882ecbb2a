package io.damselfly.server.net;

import io.damselfly.protocol.RespProtocolError;
import io.damselfly.protocol.RespRequestDecoder;
import io.damselfly.protocol.RespWriter;
import io.damselfly.server.client.ClientSession;
import io.damselfly.server.command.CommandExecutor;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.command.ServerContext;
import io.damselfly.server.config.Option;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: runs each request as soon as the decoder emits it, gathers the replies of
 * a whole read into one buffer, and writes them with one flush when the read completes.
 *
 * <p>Requests run in {@code channelRead}, before the next frame of the same read is decoded, so a
 * pipelined AUTH lifts the unauthenticated size limits for the very next command, as in Redis.
 *
 * <p>Flow control. Past {@link #FLUSH_THRESHOLD} bytes, replies are handed to the channel early.
 * When the channel's outbound buffer passes its high water mark (the client is not reading),
 * further requests are queued instead of run, reading from the socket stops, and the queue is
 * worked off when the channel drains. So a client that pipelines without reading is held back by
 * TCP instead of growing the server's memory: the queue holds at most one read's requests and the
 * outbound buffer at most the high water mark plus one reply. A single reply larger than
 * {@code output_buffer_limit} closes the connection, as Redis's client output buffer hard limit
 * does.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);
    /** Reply bytes gathered before handing them to the channel mid-batch. */
    static final int FLUSH_THRESHOLD = 64 * 1024;

    private final ServerContext server;
    private final RespRequestDecoder decoder;
    /** Keeps queued requests booked in the request memory budget until they run. */
    private final RequestMemoryAccount requestMemory;
    /** Requests waiting for the client to read its replies; empty in the normal case. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private final Reply reply = new Reply();
    private ClientSession client;
    private CommandExecutor executor;
    private ByteBuf out;
    private boolean registered;
    /**
     * Set while requests run: a flush inside can make the channel writable again, and Netty
     * reports that synchronously, which must not start working off the queue inside a request.
     */
    private boolean running;

    ConnectionHandler(ServerContext server, RespRequestDecoder decoder, RequestMemoryAccount requestMemory) {
        this.server = server;
        this.decoder = decoder;
        this.requestMemory = requestMemory;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!server.clients().tryAdmit(server.config().getInt(Option.MAXCLIENTS))) {
            ByteBuf err = ctx.alloc().buffer();
            RespWriter.writeError(err, Errors.MAX_CLIENTS);
            ctx.writeAndFlush(err).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        boolean open = server.config().getString(Option.REQUIREPASS).isEmpty();
        client = new ClientSession(server.clients().nextId(), ctx.channel(), open, System.currentTimeMillis());
        executor = new CommandExecutor(server, client, reply);
        decoder.setAuthenticated(open);
        server.clients().add(client);
        registered = true;
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!registered) {
            return;
        }
        if (!pending.isEmpty() || !ctx.channel().isWritable()) {
            pending.add(msg);
            requestMemory.queued(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        running = true;
        try {
            run(ctx, msg);
        } finally {
            running = false;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (registered) {
            finishBatch(ctx);
            if (!pending.isEmpty() && ctx.channel().isWritable()) {
                drain(ctx);
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (registered && !running && ctx.channel().isWritable()) {
            drain(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * Runs one request. Returns false when the connection is closing and nothing more may run.
     */
    private boolean run(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof RespProtocolError error) {
            protocolError(ctx, error);
            return false;
        }
        if (out == null) {
            out = ctx.alloc().ioBuffer();
            reply.bind(out);
        }
        reply.setProtocol(client.protocol());
        executor.execute((byte[][]) msg);
        if (!decoder.isAuthenticated() && client.isAuthenticated()) {
            decoder.setAuthenticated(true);
        }
        if (client.isClosingAfterReply()) {
            pending.clear();
            finishBatch(ctx);
            ctx.close();
            return false;
        }
        if (out.readableBytes() >= FLUSH_THRESHOLD) {
            return finishBatch(ctx);
        }
        return true;
    }

    /** Works off queued requests while the client reads its replies. */
    private void drain(ChannelHandlerContext ctx) {
        if (!registered) {
            return;
        }
        running = true;
        try {
            while (!pending.isEmpty() && ctx.channel().isWritable()) {
                Object next = pending.poll();
                requestMemory.dequeued(next);
                if (!run(ctx, next)) {
                    return;
                }
            }
            if (!finishBatch(ctx)) {
                return;
            }
        } finally {
            running = false;
        }
        if (pending.isEmpty()) {
            ctx.channel().config().setAutoRead(true);
        } else if (ctx.channel().isWritable()) {
            // the final flush made room again, and its writability event was swallowed above
            ctx.executor().execute(() -> drain(ctx));
        }
    }

    /**
     * Ends a batch: releases any squashed shard lock (never held across I/O), writes and flushes
     * the gathered replies, and enforces the output limit. Returns false if the connection closed.
     */
    private boolean finishBatch(ChannelHandlerContext ctx) {
        executor.endBatch();
        writeOut(ctx);
        ctx.flush();
        return !overOutputLimit(ctx);
    }

    private void writeOut(ChannelHandlerContext ctx) {
        if (out == null) {
            return;
        }
        ByteBuf buf = out;
        out = null;
        reply.bind(null);
        if (buf.isReadable()) {
            server.stats().countOutput(buf.readableBytes());
            ctx.write(buf, ctx.voidPromise());
        } else {
            buf.release();
        }
    }

    private boolean overOutputLimit(ChannelHandlerContext ctx) {
        long limit = server.config().getLong(Option.OUTPUT_BUFFER_LIMIT);
        long pendingBytes = client.pendingOutputBytes();
        if (pendingBytes > limit) {
            log.warn("Client id={} addr={} closed for overcoming of output buffer limits ({} bytes pending)",
                    client.id(), client.address(), pendingBytes);
            server.stats().countOutputLimitDisconnection();
            pending.clear();
            ctx.close();
            return true;
        }
        return false;
    }

    private void protocolError(ChannelHandlerContext ctx, RespProtocolError error) {
        pending.clear();
        executor.endBatch();
        if (out == null) {
            out = ctx.alloc().ioBuffer();
            reply.bind(out);
        }
        // the message may hold the client's offending byte, which Redis echoes as one raw byte
        error.writeTo(out);
        server.stats().countError("ERR");
        writeOut(ctx);
        ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (registered) {
            registered = false;
            executor.endBatch();
            server.clients().remove(client);
            pending.clear();
            if (out != null) {
                out.release();
                out = null;
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // connection resets and the like: nothing for the other clients to worry about
        log.debug("connection error, closing", cause);
        ctx.close();
    }
}
