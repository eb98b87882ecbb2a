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
 * One client connection: queues the requests the decoder emits during a read, runs them when the
 * read completes, and writes all their replies with one flush.
 *
 * <p>Flow control. Replies accumulate in one buffer per batch; past {@link #FLUSH_THRESHOLD} bytes
 * they are handed to the channel early. When the channel's outbound buffer passes its high water
 * mark (the client is not reading), the remaining requests stay queued, reading from the socket
 * stops, and work resumes when the channel drains. So a client that pipelines without reading is
 * held back by TCP instead of growing the server's memory: the queue holds at most one read's
 * requests and the outbound buffer at most the high water mark plus one reply. A single reply
 * larger than {@code output_buffer_limit} closes the connection, as Redis's client output buffer
 * hard limit does.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);
    /** Reply bytes gathered before handing them to the channel mid-batch. */
    static final int FLUSH_THRESHOLD = 64 * 1024;

    private final ServerContext server;
    private final RespRequestDecoder decoder;
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private final Reply reply = new Reply();
    private ClientSession client;
    private CommandExecutor executor;
    private ByteBuf out;
    private boolean registered;

    ConnectionHandler(ServerContext server, RespRequestDecoder decoder) {
        this.server = server;
        this.decoder = decoder;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (server.clients().count() >= server.config().getInt(Option.MAXCLIENTS)) {
            server.clients().countRejected();
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
        pending.add(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (registered) {
            drain(ctx);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (registered && ctx.channel().isWritable()) {
            drain(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** Runs queued requests until the queue is empty or the client stops reading. */
    private void drain(ChannelHandlerContext ctx) {
        try {
            while (!pending.isEmpty()) {
                if (!ctx.channel().isWritable()) {
                    break;
                }
                Object msg = pending.poll();
                if (msg instanceof RespProtocolError error) {
                    protocolError(ctx, error);
                    return;
                }
                if (out == null) {
                    out = ctx.alloc().ioBuffer();
                    reply.bind(out);
                }
                reply.setProtocol(client.protocol());
                executor.execute((byte[][]) msg);
                if (client.isClosingAfterReply()) {
                    pending.clear();
                    executor.endBatch();
                    writeOut(ctx);
                    ctx.flush();
                    ctx.close();
                    return;
                }
                if (out.readableBytes() >= FLUSH_THRESHOLD) {
                    executor.endBatch();
                    writeOut(ctx);
                    ctx.flush();
                    if (overOutputLimit(ctx)) {
                        return;
                    }
                }
            }
        } finally {
            executor.endBatch();
        }
        writeOut(ctx);
        ctx.flush();
        decoder.setAuthenticated(client.isAuthenticated() || server.config().getString(Option.REQUIREPASS).isEmpty());
        if (overOutputLimit(ctx)) {
            return;
        }
        // stop reading while requests wait for the client to drain its replies
        ctx.channel().config().setAutoRead(pending.isEmpty());
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
            releasePending();
            ctx.close();
            return true;
        }
        return false;
    }

    private void protocolError(ChannelHandlerContext ctx, RespProtocolError error) {
        releasePending();
        executor.endBatch();
        if (out == null) {
            out = ctx.alloc().ioBuffer();
            reply.bind(out);
        }
        reply.error("ERR " + error.message());
        server.stats().countError("ERR");
        writeOut(ctx);
        ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
    }

    private void releasePending() {
        pending.clear();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (registered) {
            registered = false;
            executor.endBatch();
            server.clients().remove(client);
            releasePending();
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
