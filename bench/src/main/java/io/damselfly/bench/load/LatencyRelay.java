package io.damselfly.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay that adds a fixed one-way delay in each direction, as a network between two hosts
 * would: it listens on 127.0.0.1 (a free port unless told), and each connection accepted is
 * relayed to the target over a connection of its own. Used by the near-cache workload to put a
 * "remote" upstream behind a realistic round trip on one machine.
 *
 * <p>By hand, in front of a redis-server on 6379 (Ctrl-C stops it):
 * <pre>
 * java -cp bench/target/damselfly-bench.jar io.damselfly.bench.load.LatencyRelay --target-port 6379 \
 *     --delay-ms 0.5 --port 6390
 * </pre>
 */
public final class LatencyRelay implements AutoCloseable {
    /*
     * A pipe with latency, not a throttle. Every chunk the relay reads (whatever one read() of the
     * socket returned) is written to the other side `delay` after it ARRIVED, by a task scheduled
     * on the connection's event loop when it was read. Chunks read in a burst therefore leave in
     * the same burst, `delay` later, and the relay adds no time per byte or per request: a
     * pipelined batch crosses it in `delay`, as it would cross a link of that latency with ample
     * bandwidth. Releasing each chunk `delay` after the previous one's release instead would add
     * the delay once per chunk and turn the relay into a rate limiter.
     *
     * Order. Both channels of a relayed connection live on one event loop (the outbound one is
     * registered on the inbound one's loop, as in Netty's proxy example), so every task touching
     * a connection runs on one thread. Netty's scheduled-task queue orders tasks by deadline and,
     * for equal deadlines, by the order they were scheduled; deadlines are arrival time (a
     * monotonic clock) plus a constant, so chunks leave in the order they arrived, in each
     * direction. A close travels the same way: the side that saw its peer go sends the close
     * `delay` later, behind the data that arrived before it (a FIN queues behind the data on a
     * real link too).
     *
     * Timer precision. The NIO transport's selector sleeps in whole milliseconds (Netty rounds a
     * 0.5 ms deadline up to the next millisecond), which would make a 0.5 ms link a 1 ms one;
     * the epoll transport arms a timerfd with nanosecond deadlines, so on Linux the release is
     * late only by the wake-up latency (tens of microseconds). NIO is the fallback elsewhere, and
     * the relay then says so in its toString. Measured on the 2-core test machine with the default
     * 0.5 ms: a PING through the relay to redis-server takes 1.17-1.18 ms (median; about 0.03 ms
     * straight), so each hop is released 80-90 us late (the kernel's default timer slack is 50 us,
     * the rest is the wake-up); under the near-cache workload's load (8 unpipelined connections,
     * about 6,000 requests/s) a GET through it takes 1.33 ms at p50 and 1.5 ms at p99.
     *
     * Back-pressure. A side whose outbound buffer is full (the reader is slower than the
     * writer) stops reading from its source until the buffer drains, so a fast writer cannot
     * make the relay buffer without bound; chunks already in flight (at most `delay` worth) are
     * still delivered. Under the bounded loads of the benchmarks this never triggers.
     *
     * Threads: IO_THREADS event loops for every connection; the relay's own cost per chunk is one
     * scheduled task and one write.
     */

    /** The default one-way delay: 0.5 ms, so a round trip gains 1 ms, a LAN between two racks or a zone. */
    public static final Duration DEFAULT_DELAY = Duration.ofNanos(500_000);
    /**
     * Event loops: one. The relay sits on the same 2 cores as the servers and the load; one
     * thread carries well over 100,000 small chunks a second each way, more than an unpipelined
     * load through a 1 ms round trip can send.
     */
    static final int IO_THREADS = 1;
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    static final String USAGE = """
            LatencyRelay: a TCP relay adding a fixed one-way delay in each direction
              --target-host H   where to relay to (127.0.0.1)
              --target-port P   its port (6379)
              --delay-ms D      one-way delay in milliseconds, fractions allowed (0.5)
              --port P          port to listen on, 127.0.0.1 (0: a free one, printed)""";

    private final EventLoopGroup group;
    private final Channel listener;
    private final ChannelGroup channels;
    private final InetSocketAddress target;
    private final long delayNanos;
    private final boolean epoll;
    private final AtomicLong accepted;
    /** Kept from the start: the listener's address is not to be asked once it is closed. */
    private final int port;

    private LatencyRelay(EventLoopGroup group, Channel listener, ChannelGroup channels, InetSocketAddress target,
            long delayNanos, boolean epoll, AtomicLong accepted) {
        this.group = group;
        this.listener = listener;
        this.channels = channels;
        this.target = target;
        this.delayNanos = delayNanos;
        this.epoll = epoll;
        this.accepted = accepted;
        this.port = ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** A relay on a free 127.0.0.1 port to {@code targetHost:targetPort}, adding {@code oneWayDelay} each way. */
    public static LatencyRelay start(String targetHost, int targetPort, Duration oneWayDelay) throws IOException {
        return start(targetHost, targetPort, oneWayDelay, 0);
    }

    /** The same on {@code listenPort} (0 for a free one). */
    public static LatencyRelay start(String targetHost, int targetPort, Duration oneWayDelay, int listenPort)
            throws IOException {
        if (oneWayDelay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + oneWayDelay);
        }
        boolean epoll = Epoll.isAvailable();
        DefaultThreadFactory threads = new DefaultThreadFactory("latency-relay", true);
        EventLoopGroup group = epoll ? new EpollEventLoopGroup(IO_THREADS, threads) : new NioEventLoopGroup(IO_THREADS, threads);
        Class<? extends ServerChannel> serverClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends SocketChannel> clientClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        ChannelGroup channels = new DefaultChannelGroup("latency-relay", GlobalEventExecutor.INSTANCE);
        InetSocketAddress target = new InetSocketAddress(targetHost, targetPort);
        long delayNanos = oneWayDelay.toNanos();
        AtomicLong accepted = new AtomicLong();
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channel(serverClass)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // nothing is read until the connection to the target is up
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel inbound) {
                            accepted.incrementAndGet();
                            channels.add(inbound);
                            connect(inbound, target, clientClass, delayNanos, channels);
                        }
                    });
            Channel listener = b.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort))
                    .syncUninterruptibly().channel();
            LatencyRelay relay = new LatencyRelay(group, listener, channels, target, delayNanos, epoll, accepted);
            channels.add(listener);
            return relay;
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("cannot start a relay on 127.0.0.1:" + listenPort + ": " + e.getMessage(), e);
        }
    }

    /** Opens the target side of a newly accepted connection, on the inbound channel's own loop. */
    private static void connect(SocketChannel inbound, InetSocketAddress target, Class<? extends SocketChannel> clientClass,
            long delayNanos, ChannelGroup channels) {
        Bootstrap b = new Bootstrap()
                .group(inbound.eventLoop())
                .channel(clientClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new DelayedForwarder(inbound, delayNanos));
        b.connect(target).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                inbound.close();
                return;
            }
            Channel outbound = f.channel();
            channels.add(outbound);
            inbound.pipeline().addLast(new DelayedForwarder(outbound, delayNanos));
            if (!inbound.isActive()) {
                // the client left while the target connection was being made
                outbound.close();
                return;
            }
            inbound.config().setAutoRead(true);
            outbound.config().setAutoRead(true);
        });
    }

    /** Listening port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** Always 127.0.0.1. */
    public String host() {
        return "127.0.0.1";
    }

    /** The one-way delay added in each direction. */
    public Duration delay() {
        return Duration.ofNanos(delayNanos);
    }

    /** Connections accepted so far. */
    public long accepted() {
        return accepted.get();
    }

    /** Stops listening and closes every relayed connection, both sides; returns once they are closed. */
    @Override
    public void close() {
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "relay 127.0.0.1:" + port() + " -> " + target.getHostString() + ":" + target.getPort() + ", "
                + delayNanos / 1e6 + " ms each way (" + (epoll ? "epoll" : "nio: timers round up to whole ms") + ")";
    }

    /** Runs a relay until the process is stopped (Ctrl-C), printing where it listens. */
    public static void main(String[] args) throws Exception {
        LatencyRelay relay = Flags.parse(USAGE, args, f -> {
            String host = f.string("target-host", "127.0.0.1");
            int targetPort = f.integer("target-port", 6379);
            double delayMs = f.doubleValue("delay-ms", DEFAULT_DELAY.toNanos() / 1e6);
            int port = f.integer("port", 0);
            if (!(delayMs >= 0)) {
                throw new IllegalArgumentException("--delay-ms must be 0 or more, got " + delayMs);
            }
            try {
                return start(host, targetPort, Duration.ofNanos(Math.round(delayMs * 1e6)), port);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(relay::close, "latency-relay-stop"));
        System.out.println(relay);
        relay.listener.closeFuture().sync();
    }

    /**
     * One direction of a relayed connection: what this handler's channel reads goes to
     * {@code peer}, {@code delayNanos} after it arrived; this channel's close reaches the peer
     * the same way.
     */
    private static final class DelayedForwarder extends ChannelInboundHandlerAdapter {
        private final Channel peer;
        private final long delayNanos;

        DelayedForwarder(Channel peer, long delayNanos) {
            this.peer = peer;
            this.delayNanos = delayNanos;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf buf)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            Channel source = ctx.channel();
            ctx.executor().schedule(() -> {
                if (!peer.isActive()) {
                    buf.release();
                    return;
                }
                peer.writeAndFlush(buf).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                if (!peer.isWritable()) {
                    source.config().setAutoRead(false); // resumed by channelWritabilityChanged on the peer
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // this channel drained what its peer sent through it: the peer may read again
            if (ctx.channel().isWritable()) {
                peer.config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // behind every chunk already scheduled, as a FIN follows the data on a link
            ctx.executor().schedule(() -> {
                if (peer.isActive()) {
                    peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a reset or a broken pipe: drop this side; channelInactive carries the close over
            ctx.close();
        }
    }
}
