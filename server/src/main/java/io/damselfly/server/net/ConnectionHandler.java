package io.damselfly.server.net;

import io.damselfly.protocol.RespProtocolError;
import io.damselfly.protocol.RespRequestDecoder;
import io.damselfly.protocol.RespWriter;
import io.damselfly.server.client.ClientPause;
import io.damselfly.server.client.ClientSession;
import io.damselfly.server.command.CommandExecutor;
import io.damselfly.server.command.DeferredReply;
import io.damselfly.server.command.LentBytes;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.command.ServerContext;
import io.damselfly.server.config.ClientOutputBufferLimits;
import io.damselfly.server.config.Option;
import io.damselfly.server.pubsub.Subscriber;
import io.damselfly.server.upstream.NearCache;
import io.damselfly.server.upstream.UpstreamRouter;
import io.netty.buffer.Unpooled;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: runs each request as soon as the decoder emits it, gathers the replies of
 * a whole read into one buffer, and writes them with one flush when the read completes.
 *
 * <p>Requests run in {@code channelRead}, before the next frame of the same read is decoded, so a
 * pipelined AUTH lifts the unauthenticated size limits for the very next command, as in Redis.
 *
 * <p>Reply order. Replies go through a {@link ReplyQueue}, which writes them at once unless
 * something before them waits: a large value being copied out in chunks, or a {@link
 * DeferredReply} slot a command opened instead of replying. A slot that blocks the client (WAIT,
 * and blocking pops) also stops the client's later requests from running until it is resolved,
 * as Redis blocks a client; its resolution arrives as a task on this loop and is rendered in the
 * slot's place.
 *
 * <p>Flow control. Past {@link #FLUSH_THRESHOLD} bytes, replies are handed to the channel early.
 * When the channel's outbound buffer passes its high water mark (the client is not reading), or
 * replies wait in the queue, further requests are queued instead of run, reading from the socket
 * stops, and the queue is worked off when the channel drains. So a client that pipelines without
 * reading is held back by TCP instead of growing the server's memory: the queue holds at most one
 * read's requests and the outbound buffer at most the high water mark plus one reply. Reply bytes
 * copied for a client beyond {@code output_buffer_limit} close the connection, as Redis's client
 * output buffer hard limit does; lent values do not count, since they cost no memory of their own.
 *
 * <p>Pub/Sub. The handler is its client's {@link Subscriber.Outlet}: messages published on any
 * loop arrive here as tasks and are written behind whatever waits in the reply queue; the
 * subscriber checks the pubsub class of client-output-buffer-limit as they are offered, and the
 * class's hard limit also bounds this connection's replies. A closing connection leaves the
 * Pub/Sub registry.
 *
 * <p>CLIENT PAUSE. A request the pause holds back ({@link CommandExecutor#execute} answers false)
 * goes back to the head of {@link #pending}, reading stops, and nothing of this client runs until
 * the pause ends: {@link ClientPause} wakes it (CLIENT UNPAUSE, or the end seen by anyone), or its
 * own timer on this loop fires at the pause's end. Then the request runs again from the start, as
 * Redis reprocesses a postponed client, and may be postponed again by a newer pause. Meanwhile the
 * client counts in INFO blocked_clients and shows flag b, as Redis's BLOCKED_POSTPONE does.
 *
 * <p>Moving. {@link LoopBalancer} may move a connection to another event loop between two reads,
 * when nothing of it waits on this loop ({@link #movable}): the channel leaves this loop's epoll
 * set and joins the other's within one task of this loop, and the executor takes the new thread's
 * statistics and batches when the channel arrives ({@link #channelRegistered}). Tasks other
 * threads address to the connection go to {@code ctx.executor()}, which is the new loop from the
 * moment of the switch; a Pub/Sub write that reaches the old loop anyway (an invalidation
 * redirected here just then) is passed on ({@link #write}).
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter
        implements DeferredReply.Owner, Subscriber.Outlet, LoopFlushes.Flushable, ClientPause.Waiter, LoopConnections.Member {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);
    /** Reply bytes gathered before handing them to the channel mid-batch. */
    static final int FLUSH_THRESHOLD = 64 * 1024;
    /**
     * Scripts one client may have queued behind one another (pipelined EVALs): a batch of the
     * script thread's takes them together, and the queue is shared by every client.
     */
    static final int MAX_SCRIPTS_IN_FLIGHT = 16;

    private final ServerContext server;
    /** Writes what the AOF buffers, before replies are flushed (one volatile read when nothing is). */
    private final Runnable writeAof;
    private final RespRequestDecoder decoder;
    /** Keeps queued requests booked in the request memory budget until they run. */
    private final RequestMemoryAccount requestMemory;
    /** Requests waiting to run (client not reading, or blocked); empty in the normal case. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private final ReplyQueue replies = new ReplyQueue();
    private ChannelHandlerContext ctx;
    private Reply reply;
    /** Renders resolved deferred replies, apart from the batch being written. */
    private Reply renderReply;
    private ClientSession client;
    private CommandExecutor executor;
    /** Sidecar mode's per-client routing (local, fetched, relayed, piped); null when standalone. */
    private UpstreamRouter router;
    private boolean registered;
    /** The slot of the blocking command this client waits in, or null. */
    private DeferredReply blockingSlot;
    /** Scripts of this client queued behind one another, the last being {@link #blockingSlot}. */
    private int scriptsInFlight;
    /**
     * Set while requests run: a flush inside can make the channel writable again, and Netty
     * reports that synchronously, which must not start working off the queue inside a request.
     */
    private boolean running;
    /** Set from a read batch's first request to its end: the inbox is looked at once per batch. */
    private boolean inBatch;
    /** Set while this connection waits in its loop's {@link LoopFlushes}. */
    private boolean flushQueued;
    /** Set while a client pause holds back the request at the head of {@link #pending}. */
    private boolean postponed;
    /** Whether the postponement counts this client as blocked (it was not already, in a script). */
    private boolean postponeCounted;
    /** Fires at the end of the pause this client waits out; null when none is armed. */
    private ScheduledFuture<?> pauseTimer;
    private final LoopBalancer balancer;
    /** The registry of the loop serving this connection, null while it moves or once it left. */
    private LoopConnections home;
    private int memberIndex = -1;
    /** Set from leaving a loop until arriving at the next ({@link #channelRegistered}). */
    private boolean moving;

    ConnectionHandler(ServerContext server, RespRequestDecoder decoder, RequestMemoryAccount requestMemory, LoopBalancer balancer) {
        this.server = server;
        this.balancer = balancer;
        io.damselfly.server.aof.AppendOnlyFile aof = server.aof();
        this.writeAof = aof::writeBuffered;
        this.decoder = decoder;
        this.requestMemory = requestMemory;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ProtectedMode.refuses(server.config().getBool(Option.PROTECTED_MODE), server.acl().defaultUser().nopass(),
                ctx.channel().remoteAddress())) {
            server.clients().countRejected();
            ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(ProtectedMode.DENIED.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!server.clients().tryAdmit(server.config().getInt(Option.MAXCLIENTS))) {
            ByteBuf err = ctx.alloc().buffer();
            RespWriter.writeError(err, Errors.MAX_CLIENTS);
            ctx.writeAndFlush(err).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        this.ctx = ctx;
        replies.bind(ctx.channel());
        // Redis's clientSetDefaultAuth: the default user, authenticated when it needs no password
        boolean open = !server.acl().authRequired();
        client = new ClientSession(server.clients().nextId(), new ChannelConnection(ctx.channel()), open, System.currentTimeMillis());
        client.setAclUser(server.acl().defaultUser());
        reply = new Reply(client, LoopBuffers.replies(ctx.alloc()));
        renderReply = new Reply(client, LoopBuffers.replies(ctx.alloc()));
        executor = new CommandExecutor(server, client, reply, this);
        NearCache nearCache = server.nearCache();
        if (nearCache != null) {
            router = nearCache.router(client, executor, reply, this, this, ctx.channel().eventLoop());
        } else {
            executor.enablePause();
        }
        client.bindPushOutlet(this);
        decoder.authenticatedBy(client::isAuthenticated);
        server.clients().add(client);
        registered = true;
        home = balancer.connectionsOf(ctx.executor());
        home.join(this);
        ctx.fireChannelActive();
    }

    // ---- moving between loops (LoopConnections.Member) -----------------------------------------

    @Override
    public int memberIndex() {
        return memberIndex;
    }

    @Override
    public void memberIndex(int index) {
        memberIndex = index;
    }

    /**
     * Nothing of this connection waits on its loop: no request half read, queued or running, no
     * reply unwritten, no timer, no slot, and none of the roles whose traffic other threads send
     * here (Pub/Sub, tracking, MONITOR, replication, the sidecar's routing).
     */
    @Override
    public boolean movable() {
        return registered && router == null && !running && !inBatch && !flushQueued && !postponed
                && pauseTimer == null && blockingSlot == null && pending.isEmpty() && replies.isEmpty()
                && reply.pendingBytes() == 0 && executor.isIdle()
                && ctx.channel().isRegistered() && ctx.channel().config().isAutoRead()
                && decoder.heldBytes() == 0 && client.pendingOutputBytes() == 0
                && client.subscriberIfAny() == null && client.tracking() == null
                && !client.isReplica() && !client.isMonitor() && !client.isPrimaryLink() && !client.isClosingAfterReply()
                && ctx.pipeline().get(HttpSniffer.class) == null;
    }

    /**
     * On this loop, having left its registry: out of this loop's epoll set and into {@code
     * target}'s, both inside this one task (Netty runs a deregistration as a task of its own, and
     * its listener then registers), so no other task of this loop runs between the two.
     */
    @Override
    public void moveTo(io.netty.channel.EventLoop target) {
        home = null;
        moving = true;
        io.netty.channel.Channel ch = ctx.channel();
        ch.deregister().addListener(left -> {
            if (!left.isSuccess()) {
                arrivalFailed(left.cause());
                return;
            }
            target.register(ch).addListener(arrived -> {
                if (!arrived.isSuccess()) {
                    arrivalFailed(arrived.cause());
                }
            });
        });
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        if (moving) {
            moving = false;
            if (registered) {
                executor.rebindToThisThread();
                home = balancer.connectionsOf(ctx.executor());
                home.join(this);
            }
        }
        ctx.fireChannelRegistered();
    }

    /**
     * The move did not complete: the channel closed meanwhile (a close while it belongs to no
     * loop fires no channelInactive) or the target refused it. The client leaves here.
     */
    private void arrivalFailed(Throwable cause) {
        moving = false;
        log.debug("connection could not move to another event loop", cause);
        ctx.channel().close();
        leave();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!registered) {
            return;
        }
        if (!pending.isEmpty() || !canRun(msg)) {
            pending.add(msg);
            requestMemory.queued(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        if (!inBatch) {
            // messages and invalidations queued for this client before the batch arrived go first
            inBatch = true;
            Subscriber s = client.subscriberIfAny();
            if (s != null) {
                s.deliverQueued();
            }
        }
        running = true;
        try {
            run(msg);
        } finally {
            running = false;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inBatch = false;
        if (client.isReplica()) {
            // anything a replica sends counts as a sign of life, its keep-alive newlines while it
            // loads our snapshot too (which decode to no request), as Redis's repl_ack_time
            server.propagation().stream().heardFrom(client);
        }
        if (registered) {
            finishRead();
            if (!pending.isEmpty() && !postponed && canRun(pending.peek())) {
                drain();
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (registered && !running && ctx.channel().isWritable()) {
            if (!replies.isEmpty()) {
                replies.pump(ctx, renderReply);
                writeAof.run();
                replies.flush(ctx);
            }
            drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    // ---- deferred replies (DeferredReply.Owner) ----------------------------------------------

    @Override
    public EventExecutor executor() {
        return ctx.executor();
    }

    @Override
    public void resolved(DeferredReply slot) {
        if (!registered) {
            return;
        }
        if (slot == blockingSlot) {
            unblock();
        }
        replies.pump(ctx, renderReply);
        // a script's or a served blocked command's writes are in the AOF before its reply leaves
        writeAof.run();
        if (flushWithinLimit()) {
            drain();
        }
    }

    // ---- Pub/Sub delivery (Subscriber.Outlet) -------------------------------------------------

    @Override
    public long unwrittenBytes() {
        return client.connection().pendingOutputBytes();
    }

    /**
     * A published message, on this loop: written behind whatever replies wait in the queue (a
     * large value being copied out), so it never cuts into another reply.
     */
    @Override
    public void write(byte[] frame) {
        if (!registered) {
            return;
        }
        if (!ctx.executor().inEventLoop()) {
            // queued on the loop this connection just left: in order, to the one it serves from now
            ctx.executor().execute(() -> write(frame));
            return;
        }
        server.stats().countOutput(frame.length);
        replies.add(ctx, Unpooled.wrappedBuffer(frame));
    }

    @Override
    public void flush() {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(this::flush);
            return;
        }
        if (registered) {
            flushWithinLimit();
        }
    }

    @Override
    public void closeForOutputLimit(long pendingBytes) {
        if (!client.connection().isOpen()) {
            // already closing (this loop found it over its limit first): counted there
            return;
        }
        log.warn("Client id={} addr={} closed for overcoming of output buffer limits ({} bytes pending)",
                client.id(), client.address(), pendingBytes);
        server.stats().countOutputLimitDisconnection();
        client.connection().close();
    }

    /** Whether the request {@code next} may run now, rather than wait in {@link #pending}. */
    private boolean canRun(Object next) {
        return ctx.channel().isWritable() && replies.backlog() < FLUSH_THRESHOLD
                && (blockingSlot == null || mayQueueBehindScript(next));
    }

    /**
     * A client blocked in a script may send more scripts behind it (see {@link
     * DeferredReply#admitScriptsBehind}), up to {@link #MAX_SCRIPTS_IN_FLIGHT} and while the
     * script queue has room to spare: pipelined EVALs then cost one hand-off per batch, not each.
     */
    private boolean mayQueueBehindScript(Object next) {
        return blockingSlot.admitsScriptsBehind() && scriptsInFlight < MAX_SCRIPTS_IN_FLIGHT
                && server.scripts().isScriptRequest(next) && server.scripts().admitsPipelinedScripts();
    }

    private void unblock() {
        blockingSlot = null;
        scriptsInFlight = 0;
        client.setBlocking(null);
        server.clients().countBlocked(-1);
    }

    /**
     * Runs one request. Returns false when the connection is closing and nothing more may run.
     */
    private boolean run(Object msg) {
        if (msg instanceof RespProtocolError error) {
            protocolError(error);
            return false;
        }
        reply.open();
        DeferredReply slot;
        if (router == null) {
            if (!executor.execute((byte[][]) msg)) {
                postpone(msg);
                return true;
            }
            slot = executor.takeDeferred();
        } else {
            slot = router.execute((byte[][]) msg);
        }
        if (slot != null) {
            // the replies before the slot go first; everything after waits behind it
            reply.drainTo(this::addReply);
            replies.add(ctx, slot);
            if (slot.blocksClient()) {
                if (blockingSlot == null) {
                    server.clients().countBlocked(1);
                }
                // a script queued behind another: the client stays blocked until the last one
                blockingSlot = slot;
                client.setBlocking(slot, (byte[][]) msg);
                if (slot.admitsScriptsBehind()) {
                    scriptsInFlight++;
                }
            }
            return true;
        }
        if (client.isClosingAfterReply()) {
            pending.clear();
            finishBatch();
            ctx.close();
            return false;
        }
        if (reply.pendingBytes() >= FLUSH_THRESHOLD) {
            return finishBatch();
        }
        return true;
    }

    /** Works off queued requests while the client reads its replies and is not blocked. */
    private void drain() {
        if (!registered) {
            return;
        }
        running = true;
        try {
            while (!postponed && !pending.isEmpty() && canRun(pending.peek())) {
                Object next = pending.poll();
                requestMemory.dequeued(next);
                if (!run(next)) {
                    return;
                }
            }
            if (!finishBatch()) {
                return;
            }
        } finally {
            running = false;
        }
        if (pending.isEmpty()) {
            ctx.channel().config().setAutoRead(true);
        } else if (!postponed && canRun(pending.peek())) {
            // the final flush made room again, and its writability event was swallowed above
            ctx.executor().execute(this::drain);
        }
    }

    // ---- CLIENT PAUSE (ClientPause.Waiter) ----------------------------------------------------

    /**
     * A client pause held back {@code msg}: it goes back to the head of the queue, reading stops,
     * and the client waits, blocked, until the pause ends (or at once runs it again, if the pause
     * it was held back by has already ended or changed).
     */
    private void postpone(Object msg) {
        pending.addFirst(msg);
        requestMemory.queued(msg);
        ctx.channel().config().setAutoRead(false);
        postponed = true;
        if (blockingSlot == null && !postponeCounted) {
            postponeCounted = true;
            server.clients().countBlocked(1);
            client.setBlocking(ClientPause.POSTPONED, (byte[][]) msg);
        }
        ClientPause.State under = executor.postponedUnder();
        if (!server.clients().pause().await(this, under)) {
            ctx.executor().execute(this::resumeAfterPause);
            return;
        }
        armPauseTimer(under);
    }

    /** Wakes this connection at the end of {@code pause} (at most an hour ahead; it re-arms then). */
    private void armPauseTimer(ClientPause.State pause) {
        long delay = Math.min(PAUSE_TIMER_MAX_MILLIS, Math.max(0, pause.endMillis() - System.currentTimeMillis()) + 1);
        pauseTimer = ctx.executor().schedule(this::pauseTimeUp, delay, TimeUnit.MILLISECONDS);
    }

    /** The longest a pause timer is armed for; a longer pause re-arms it when it fires. */
    private static final long PAUSE_TIMER_MAX_MILLIS = 3_600_000;

    /** This client's pause timer fired: the pause ends now if its time is up, else the timer re-arms. */
    private void pauseTimeUp() {
        pauseTimer = null;
        if (!registered || !postponed) {
            return;
        }
        ClientPause pause = server.clients().pause();
        // wakes every waiter, this one included, if the end has passed
        pause.expireIfElapsed(System.currentTimeMillis());
        ClientPause.State still = pause.current();
        if (still != null) {
            // extended meanwhile: this client is still among its waiters
            armPauseTimer(still);
        }
    }

    /** From any thread: the pause this client waits out ended. */
    @Override
    public void pauseEnded() {
        try {
            ctx.executor().execute(this::resumeAfterPause);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the loop is shutting down with the server: nothing is left to run
            log.debug("pause ended while the event loop shuts down", e);
        }
    }

    /** On this loop: runs the held-back request again, and what was pipelined behind it. */
    private void resumeAfterPause() {
        if (!registered || !postponed) {
            return;
        }
        postponed = false;
        cancelPauseTimer();
        if (postponeCounted) {
            postponeCounted = false;
            server.clients().countBlocked(-1);
            client.setBlocking(null);
        }
        drain();
    }

    private void cancelPauseTimer() {
        if (pauseTimer != null) {
            pauseTimer.cancel(false);
            pauseTimer = null;
        }
    }

    /**
     * Ends a batch: releases any squashed shard lock (never held across I/O), writes and flushes
     * the gathered replies, and enforces the output limit. Returns false if the connection closed.
     */
    private boolean finishBatch() {
        endBatch();
        writeAof.run();
        return flushWithinLimit();
    }

    /**
     * Flushes the replies, then enforces the output limit unless everything is known to be out.
     * Returns false if the connection closed for the limit.
     */
    private boolean flushWithinLimit() {
        return replies.flush(ctx) || !overOutputLimit();
    }

    /**
     * Ends the batch of a finished read as {@link #finishBatch} does, but leaves the flush (and
     * the output limit, which is measured after it) to the end of the loop's pass, with the other
     * connections the pass served ({@link LoopFlushes}).
     */
    private void finishRead() {
        endBatch();
        if (!flushQueued) {
            flushQueued = true;
            LoopFlushes.ofThisLoop().add(this, ctx.executor(), writeAof);
        }
    }

    private void endBatch() {
        executor.endBatch();
        reply.drainTo(this::addReply);
        replies.pump(ctx, renderReply);
    }

    @Override
    public void flushWaiting() {
        flushQueued = false;
        if (registered) {
            flushWithinLimit();
        }
    }

    private void addReply(Object piece) {
        if (piece instanceof ByteBuf buf) {
            server.stats().countOutput(buf.readableBytes());
        } else if (piece instanceof LentBytes lent) {
            server.stats().countOutput(lent.length());
        }
        replies.add(ctx, piece);
    }

    private boolean overOutputLimit() {
        long pendingBytes = client.pendingOutputBytes() + replies.copiedBacklog();
        if (pendingBytes == 0) {
            // the usual case after a flush: everything went out, no limit to look up
            return false;
        }
        long limit = server.config().getLong(Option.OUTPUT_BUFFER_LIMIT);
        // client-output-buffer-limit's hard limit for the client's class, where one is set
        ClientOutputBufferLimits classes = (ClientOutputBufferLimits) server.config().get(Option.CLIENT_OUTPUT_BUFFER_LIMIT);
        long classHard = (client.isSubscribed() ? classes.pubsub() : classes.normal()).hardBytes();
        if (classHard > 0 && classHard < limit) {
            limit = classHard;
        }
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

    private void protocolError(RespProtocolError error) {
        pending.clear();
        executor.endBatch();
        reply.drainTo(this::addReply);
        ByteBuf out = ctx.alloc().ioBuffer();
        // the message may hold the client's offending byte, which Redis echoes as one raw byte
        error.writeTo(out);
        server.stats().countError("ERR");
        addReply(out);
        replies.pump(ctx, renderReply);
        replies.flush(ctx);
        ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        leave();
        ctx.fireChannelInactive();
    }

    /**
     * Removed from an open channel: the connection turned out to speak HTTP ({@link HttpSniffer}),
     * so it stops being a client; after channelInactive this does nothing.
     */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        leave();
    }

    /** Takes the client out of the registry and releases what it holds; once. */
    private void leave() {
        if (registered) {
            registered = false;
            if (home != null) {
                home.leave(this);
                home = null;
            }
            executor.connectionClosed();
            if (router != null) {
                router.closed();
            }
            server.clients().remove(client);
            pending.clear();
            reply.discard();
            replies.discard();
            if (blockingSlot != null) {
                unblock();
            }
            if (postponed) {
                // a postponed client that leaves leaves nothing behind in the pause
                postponed = false;
                server.clients().pause().cancel(this);
                cancelPauseTimer();
            }
            if (postponeCounted) {
                postponeCounted = false;
                server.clients().countBlocked(-1);
                client.setBlocking(null);
            }
            // tracking state goes before the inbox closes: no invalidation is queued after
            server.tracking().disable(client);
            Subscriber subscriber = client.subscriberIfAny();
            if (subscriber != null) {
                subscriber.closed();
                server.pubsub().unsubscribeAll(subscriber);
                client.setSubscriptions(0, 0, 0);
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // connection resets and the like: nothing for the other clients to worry about
        log.debug("connection error, closing", cause);
        ctx.close();
    }
}
