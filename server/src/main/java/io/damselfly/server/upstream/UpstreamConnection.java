package io.damselfly.server.upstream;

import io.damselfly.protocol.RespDecoder;
import io.damselfly.protocol.RespFrameSplitter;
import io.damselfly.protocol.RespLimits;
import io.damselfly.protocol.RespValue;
import io.damselfly.protocol.RespWriter;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One connection to the upstream, owned by one event loop (every method is called on it): opens
 * itself, logs in, and matches each reply frame with the request that asked for it, in order.
 *
 * <p>Design. Replies come back as raw frames ({@link RespFrameSplitter}) so a pass-through reply
 * is relayed byte for byte. Requests are pipelined: each is written at once (flushed once per
 * loop turn) and its {@link Callback} waits in a FIFO; requests made while the connection is still
 * opening wait in a bounded queue. Push frames ({@code >}) are not replies: they go to the {@link
 * Listener} (invalidations on a tracking connection). A connection in <em>pipe</em> mode (a
 * stateful client's own) hands every frame after its login to the listener instead, since
 * Pub/Sub messages and pushes arrive unasked. Timeouts: connecting is bounded by {@code
 * timeoutMillis}. A request (a pipe's excepted: BLPOP may wait for ever) that has heard nothing
 * on its connection for {@code timeoutMillis} (no byte since it was sent, or since the last sign
 * of life) makes the connection ask its {@link Liveness} whether the upstream is gone or only
 * busy (Redis answers no one while a long command runs): gone, or serving others while this
 * connection stays silent, closes the connection and fails everything waiting on it, with the
 * reason; busy waits another timeout. So a long script delays the requests behind it, as on
 * Redis, instead of failing them.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UpstreamConnection.class);
    /**
     * What the upstream may send: it is trusted, so only what a RESP frame can say bounds it (a
     * script may return a reply nested thousands deep; the splitter keeps its stack on the heap).
     */
    static final RespLimits UPSTREAM_LIMITS = new RespLimits(Integer.MAX_VALUE, Integer.MAX_VALUE,
            RespLimits.DEFAULT_MAX_INLINE_LENGTH * 16, 1 << 20, Integer.MAX_VALUE, Integer.MAX_VALUE);

    /** Requests that may wait for a connection that is still opening; more are refused at once. */
    static final int MAX_WAITING = 10_000;

    /** What a request's issuer learns: its reply frame (retained for the call) or why there is none. */
    interface Callback {
        void reply(ByteBuf frame);

        void failed(String reason);
    }

    /** What the connection's owner learns besides replies. */
    interface Listener {
        /** A push frame; or in pipe mode, any frame after the login. The frame is released after the call. */
        void frame(UpstreamConnection c, ByteBuf frame);

        /** The login finished: {@code tracking} says whether CLIENT TRACKING is on. */
        default void ready(UpstreamConnection c, boolean tracking) {
        }

        /** The connection is gone (or never came up); every request waiting on it has failed. */
        void closed(UpstreamConnection c, String reason);
    }

    enum Role {
        /** A pooled pass-through connection. */
        POOL,
        /** The near-cache's fetch connection, with CLIENT TRACKING on (RESP3 where possible). */
        TRACKING,
        /** A stateful client's own connection: every frame goes to the listener. */
        PIPE
    }

    enum State {
        CONNECTING,
        LOGIN,
        READY,
        CLOSED
    }

    /** A request sent: {@code name} is its command's name, kept for {@link #mayRunLong}. */
    private record Pending(Callback callback, long sentNanos, byte[] name) {
    }

    private record Waiting(byte[][] argv, Callback callback) {
    }

    private final UpstreamUrl url;
    private final EventLoop loop;
    private final Role role;
    private final int protocol;
    private final long timeoutMillis;
    private final SslContext ssl;
    private final Listener listener;
    /** Tells a busy upstream from a gone one when a request hears nothing; null: a timeout closes. */
    private final Liveness liveness;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private State state = State.CONNECTING;
    private Channel channel;
    private boolean flushScheduled;
    private ScheduledFuture<?> timer;
    private boolean tracking;
    /** The protocol the connection speaks after login (a tracking one falls back to 2). */
    private int spoken;
    /** When bytes last arrived (System.nanoTime), or when the connection was made if none has. */
    private long lastReadNanos;
    /** When the liveness check last found the upstream busy: the silence until then is explained. */
    private long busyNanos = Long.MIN_VALUE;
    private boolean checking;

    UpstreamConnection(UpstreamUrl url, EventLoop loop, Role role, int protocol, long timeoutMillis, SslContext ssl,
            Listener listener) {
        this(url, loop, role, protocol, timeoutMillis, ssl, listener, null);
    }

    UpstreamConnection(UpstreamUrl url, EventLoop loop, Role role, int protocol, long timeoutMillis, SslContext ssl,
            Listener listener, Liveness liveness) {
        this.url = url;
        this.loop = loop;
        this.role = role;
        this.protocol = protocol;
        this.timeoutMillis = timeoutMillis;
        this.ssl = ssl;
        this.listener = listener;
        this.liveness = liveness;
        this.lastReadNanos = System.nanoTime();
    }

    /** Starts connecting; the listener hears {@code ready} or {@code closed}. */
    void open() {
        ChannelFuture f = connect(url, loop, timeoutMillis, ssl, pipeline -> {
            pipeline.addLast("frames", new RespFrameSplitter(UPSTREAM_LIMITS));
            pipeline.addLast("upstream", UpstreamConnection.this);
        });
        channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                String why = connectFailure(done.cause());
                close("cannot connect to " + url.address() + (why.isEmpty() ? "" : ": " + why));
            }
        });
        timer = loop.scheduleAtFixedRate(this::checkTimeouts, timeoutMillis, checkPeriodMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Connects to {@code url} from {@code loop}: TLS first when {@code ssl} is set, then the
     * handlers {@code handlers} adds. The one way the sidecar opens a connection upstream.
     */
    static ChannelFuture connect(UpstreamUrl url, EventLoop loop, long timeoutMillis, SslContext ssl,
                                 java.util.function.Consumer<io.netty.channel.ChannelPipeline> handlers) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc(), url.host(), url.port()));
                        }
                        handlers.accept(ch.pipeline());
                    }
                });
        return b.connect(url.host(), url.port());
    }

    /** Why a connect failed, without Netty's wrapping ("Connection refused"), or "". */
    static String connectFailure(Throwable cause) {
        String why = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
        // Netty's native transport says "finishConnect(..) failed: Connection refused: /host:port"
        int failed = why.lastIndexOf("failed: ");
        why = failed >= 0 ? why.substring(failed + 8) : why;
        int address = why.indexOf(": /");
        return address >= 0 ? why.substring(0, address) : why;
    }

    State state() {
        return state;
    }

    Role role() {
        return role;
    }

    boolean isUsable() {
        return state != State.CLOSED;
    }

    /** Whether CLIENT TRACKING is on (a tracking connection whose login finished). */
    boolean tracking() {
        return tracking;
    }

    /** The protocol the upstream renders replies in on this connection. */
    int protocol() {
        return spoken;
    }

    /** Requests sent and not answered, plus those waiting for the connection to open. */
    int outstanding() {
        return pending.size() + waiting.size();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        state = State.LOGIN;
        login();
        ctx.fireChannelActive();
    }

    /**
     * HELLO (protocol, credentials), SELECT, CLIENT TRACKING ON, pipelined; the replies come back
     * before any request that waited. A tracking connection whose upstream refuses HELLO 3 falls
     * back to RESP2, and one that refuses tracking keeps working without it.
     */
    private void login() {
        List<byte[][]> steps = new ArrayList<>();
        boolean hello = protocol == 3;
        if (hello) {
            steps.add(url.password() == null ? argv("HELLO", "3")
                    : argv("HELLO", "3", "AUTH", url.user() == null ? "default" : url.user(), url.password()));
        } else if (url.password() != null) {
            steps.add(url.user() == null ? argv("AUTH", url.password()) : argv("AUTH", url.user(), url.password()));
        }
        if (url.db() != 0) {
            steps.add(argv("SELECT", Integer.toString(url.db())));
        }
        int total = steps.size();
        spoken = protocol;
        if (role == Role.TRACKING) {
            steps.add(argv("CLIENT", "TRACKING", "ON"));
        }
        LoginProgress progress = new LoginProgress(total, role == Role.TRACKING);
        for (int i = 0; i < steps.size(); i++) {
            int step = i;
            boolean isHello = hello && i == 0;
            send(steps.get(i), new Callback() {
                @Override
                public void reply(ByteBuf frame) {
                    boolean error = frame.getByte(frame.readerIndex()) == '-' || frame.getByte(frame.readerIndex()) == '!';
                    if (error && isHello && role == Role.TRACKING) {
                        // no RESP3 (Redis before 6, or HELLO renamed): tracking needs it, so none
                        fallBackToResp2();
                        return;
                    }
                    if (error && (step < progress.required || notNow(frame))) {
                        // a busy or loading upstream refuses CLIENT TRACKING for now, not for good:
                        // closed, the connection is opened again after its back-off
                        close("login refused: " + text(frame));
                        return;
                    }
                    if (step >= progress.required) {
                        progress.tracking = !error;
                    }
                    if (step == steps.size() - 1) {
                        loggedIn(progress.tracking);
                    }
                }

                @Override
                public void failed(String reason) {
                    // the connection closed: close() reports it
                }
            });
        }
        if (steps.isEmpty()) {
            loggedIn(false);
        }
    }

    /** An error that says "not now": -BUSY (a script past busy-reply-threshold) or -LOADING. */
    private static boolean notNow(ByteBuf frame) {
        String t = frame.toString(frame.readerIndex(), Math.min(9, frame.readableBytes()), StandardCharsets.US_ASCII);
        return t.startsWith("-BUSY ") || t.startsWith("-LOADING ");
    }

    private static final class LoginProgress {
        final int required;
        boolean tracking;

        LoginProgress(int required, boolean tracking) {
            this.required = required;
            this.tracking = tracking;
        }
    }

    /** A tracking connection whose upstream has no HELLO 3: AUTH and SELECT in RESP2, no tracking. */
    private void fallBackToResp2() {
        // the replies of the steps after HELLO are still to come: let them arrive and be ignored
        int left = pending.size();
        for (int i = 0; i < left; i++) {
            Pending p = pending.poll();
            pending.add(new Pending(ignore(), p.sentNanos, p.name));
        }
        spoken = 2;
        List<byte[][]> steps = new ArrayList<>();
        if (url.password() != null) {
            steps.add(url.user() == null ? argv("AUTH", url.password()) : argv("AUTH", url.user(), url.password()));
        }
        if (url.db() != 0) {
            steps.add(argv("SELECT", Integer.toString(url.db())));
        }
        if (steps.isEmpty()) {
            loggedIn(false);
            return;
        }
        for (int i = 0; i < steps.size(); i++) {
            boolean last = i == steps.size() - 1;
            send(steps.get(i), new Callback() {
                @Override
                public void reply(ByteBuf frame) {
                    if (frame.getByte(frame.readerIndex()) == '-') {
                        close("login refused: " + text(frame));
                    } else if (last) {
                        loggedIn(false);
                    }
                }

                @Override
                public void failed(String reason) {
                }
            });
        }
    }

    private static Callback ignore() {
        return new Callback() {
            @Override
            public void reply(ByteBuf frame) {
            }

            @Override
            public void failed(String reason) {
            }
        };
    }

    private void loggedIn(boolean trackingOn) {
        if (state != State.LOGIN) {
            return;
        }
        state = State.READY;
        tracking = trackingOn;
        listener.ready(this, trackingOn);
        while (!waiting.isEmpty() && state == State.READY) {
            Waiting w = waiting.poll();
            send(w.argv, w.callback);
        }
    }

    /**
     * Sends one request; its callback hears the reply (or the failure) on this loop. A connection
     * still opening keeps it waiting (bounded by {@link #MAX_WAITING}); a closed one fails it.
     */
    void request(byte[][] argv, Callback callback) {
        switch (state) {
            case READY -> send(argv, callback);
            case CONNECTING, LOGIN -> {
                if (waiting.size() >= MAX_WAITING) {
                    callback.failed("too many requests waiting for a connection");
                } else {
                    waiting.add(new Waiting(argv, callback));
                }
            }
            case CLOSED -> callback.failed("connection closed");
        }
    }

    /** A pipe's request: written, its reply to come through the listener. */
    void requestPiped(byte[][] argv) {
        request(argv, null);
    }

    private void send(byte[][] argv, Callback callback) {
        ByteBuf out = channel.alloc().ioBuffer();
        RespWriter.writeArrayHeader(out, argv.length);
        for (byte[] a : argv) {
            RespWriter.writeBulk(out, a);
        }
        if (callback != null) {
            pending.add(new Pending(callback, System.nanoTime(), argv[0]));
        }
        channel.write(out, channel.voidPromise());
        if (!flushScheduled) {
            // one flush per loop turn: a pipelined batch of a client's requests is one write
            flushScheduled = true;
            loop.execute(this::flush);
        }
    }

    private void flush() {
        flushScheduled = false;
        if (channel != null) {
            channel.flush();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            byte type = frame.getByte(frame.readerIndex());
            if (role == Role.PIPE && state == State.READY && pending.isEmpty()) {
                listener.frame(this, frame);
            } else if (type == '>' && role != Role.PIPE) {
                listener.frame(this, frame);
            } else {
                Pending p = pending.poll();
                if (p == null) {
                    close("reply without a request");
                    return;
                }
                p.callback.reply(frame);
            }
        } catch (RuntimeException e) {
            // a bug in whoever took the frame: theirs alone, the connection and its other requests go on
            log.error("upstream reply handling failed", e);
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // bytes arrived (a whole frame or not): the upstream is alive and this connection works
        lastReadNanos = System.nanoTime();
        ctx.fireChannelReadComplete();
    }

    private void checkTimeouts() {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.CONNECTING || state == State.LOGIN) {
            if (!waiting.isEmpty() || role != Role.POOL) {
                Pending first = pending.peek();
                if (state == State.CONNECTING) {
                    close("timeout connecting to " + url.address());
                } else if (first != null && silent(first)) {
                    // the login waits like a request: a busy upstream answers it late
                    suspect(first, "timeout connecting to " + url.address());
                }
            }
            return;
        }
        if (role == Role.PIPE) {
            return;
        }
        Pending first = pending.peek();
        if (first != null && silent(first)) {
            suspect(first, "timeout after " + timeoutMillis + " ms");
        }
    }

    /** Whether nothing explains the wait for {@code first}: no byte and no busy verdict for the timeout. */
    private boolean silent(Pending first) {
        long since = Math.max(first.sentNanos, Math.max(lastReadNanos, busyNanos));
        return System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /**
     * {@code first} has heard nothing for the timeout: the connection closes with {@code reason}
     * if the upstream is gone, or serves others while this connection stays silent and {@code
     * first} is not a command that may run long by itself; a busy upstream is waited for.
     */
    private void suspect(Pending first, String reason) {
        if (liveness == null) {
            close(reason);
            return;
        }
        if (checking) {
            return;
        }
        checking = true;
        long asked = System.nanoTime();
        liveness.check(probe -> {
            checking = false;
            if (state == State.CLOSED || lastReadNanos - asked >= 0 || pending.peek() != first) {
                // bytes came meanwhile: progress
                return;
            }
            switch (probe.verdict()) {
                case DEAD -> close(reason + " (" + probe.why() + ")");
                case BUSY -> busyNanos = System.nanoTime();
                case RESPONSIVE -> {
                    if (mayRunLong(first.name)) {
                        busyNanos = System.nanoTime();
                    } else {
                        // a reply to this connection may still be on its way: one more check period
                        loop.schedule(() -> {
                            if (state != State.CLOSED && lastReadNanos - asked < 0 && pending.peek() == first) {
                                close(reason + " (the upstream answers a new connection, not this one)");
                            }
                        }, checkPeriodMillis(), TimeUnit.MILLISECONDS);
                    }
                }
            }
        });
    }

    private long checkPeriodMillis() {
        return Math.max(1, timeoutMillis / 4);
    }

    /**
     * Whether a command may take long upstream while the upstream serves other connections: a
     * script past Redis's busy-reply-threshold (EVAL, EVALSHA, FCALL and their _RO forms), or
     * DEBUG and KEYS on an upstream that runs commands in parallel. Its connection waits for it
     * as long as the upstream is alive.
     */
    static boolean mayRunLong(byte[] name) {
        return isScript(name) || (name.length == 4 && is(name, "keys")) || (name.length == 5 && is(name, "debug"));
    }

    /** EVAL, EVALSHA, FCALL or their _RO forms (no allocation: this runs for every relayed request). */
    static boolean isScript(byte[] name) {
        return switch (name.length) {
            case 4 -> is(name, "eval");
            case 5 -> is(name, "fcall");
            case 7 -> is(name, "evalsha") || is(name, "eval_ro");
            case 8 -> is(name, "fcall_ro");
            case 10 -> is(name, "evalsha_ro");
            default -> false;
        };
    }

    /** Whether {@code name} is {@code lower} (as long as it), ignoring ASCII case. */
    private static boolean is(byte[] name, String lower) {
        for (int i = 0; i < name.length; i++) {
            int c = name[i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        close("connection to " + url.address() + " lost");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        close("connection to " + url.address() + " failed: " + cause.getMessage());
    }

    /** Closes the connection and fails everything waiting on it with {@code reason}; once. */
    void close(String reason) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (timer != null) {
            timer.cancel(false);
        }
        if (channel != null) {
            channel.close();
        }
        // the listener first: a tracking connection's loss flushes the store before anyone retries
        listener.closed(this, reason);
        while (!pending.isEmpty()) {
            pending.poll().callback.failed(reason);
        }
        while (!waiting.isEmpty()) {
            Waiting w = waiting.poll();
            if (w.callback != null) {
                w.callback.failed(reason);
            }
        }
    }

    static byte[][] argv(String... words) {
        byte[][] a = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            a[i] = words[i].getBytes(StandardCharsets.UTF_8);
        }
        return a;
    }

    /** An error or simple frame's text, for messages. */
    static String text(ByteBuf frame) {
        try {
            RespValue v = RespDecoder.decodeAll(frame.duplicate()).get(0);
            if (v instanceof RespValue.Error e) {
                return e.message();
            }
            return v instanceof RespValue.SimpleString s ? s.value() : v.toString();
        } catch (RuntimeException e) {
            return frame.toString(StandardCharsets.UTF_8).trim();
        }
    }
}
