package io.damselfly.server.net;

import io.damselfly.protocol.RespLimits;
import io.damselfly.protocol.RespRequestDecoder;
import io.damselfly.server.command.ServerContext;
import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;
import io.damselfly.server.metrics.Health;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket and the event loops: native epoll when the platform has it, NIO
 * otherwise; one acceptor thread and {@code conn_io_threads} I/O threads (one per core by
 * default), {@link LoopBalancer} deciding which serves which connection. Each connection gets a
 * request decoder and a {@link ConnectionHandler}, and an account in the server-wide {@link
 * RequestMemoryBudget} for what its unfinished requests hold.
 *
 * <p>HTTP. Unless {@code primary_port_http_enabled} is off, a main-port connection starts with an
 * {@link HttpSniffer} in front, which hands a connection whose first line is an HTTP request line
 * to the {@link AdminHttp} endpoints instead. {@code admin_port} (unless -1) is a second listener
 * on the same event loops and the same {@code bind} address whose connections are sniffed always,
 * HTTP or RESP, as Dragonfly's admin port speaks both.
 */
public final class NetServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NetServer.class);
    /** Set by the first close: a saving shutdown closes the network, then the server's close again. */
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Outbound bytes at which a connection stops being writable (the client is not reading). */
    private static final int HIGH_WATER_MARK = 256 * 1024;
    private static final int LOW_WATER_MARK = 64 * 1024;

    /** The pipeline names of a RESP connection's handlers, which an HTTP connection removes. */
    static final String[] RESP_HANDLERS = {"decoder", "connection"};

    private final ServerContext server;
    private final int ioThreads;
    private final RequestMemoryBudget requestMemory;
    private final AdminHttp http;
    private EventLoopGroup acceptor;
    private EventLoopGroup workers;
    /** Which worker loop serves which connection ({@link LoopBalancer}). */
    private LoopBalancer balancer;
    /** How the worker loops wait when idle (conn_io_idle_poll_us); null before {@link #start}. */
    private LoopIdlePoll idlePoll;
    /** The main-port listeners, one per bind address bound (none with bind ""). */
    private volatile List<Channel> listeners = List.of();
    /** The port the listeners use: the configured one, or the one the first bind picked for port 0. */
    private volatile int boundPort;
    private Channel adminListener;
    /** The unix-socket listener ({@code unixsocket}), or null. */
    private Channel unixListener;
    private java.nio.file.Path unixPath;

    /** The network of {@code server}; {@code health} is what GET /health reports. */
    public NetServer(ServerContext server, int ioThreads, Health health) {
        this.server = server;
        this.ioThreads = ioThreads;
        this.requestMemory = new RequestMemoryBudget(server.config());
        this.http = new AdminHttp(server, health);
    }

    /** The budget for memory held by unfinished requests, all connections together. */
    public RequestMemoryBudget requestMemory() {
        return requestMemory;
    }

    /** The worker event loops that serve connections; empty before {@link #start}. */
    public List<EventExecutor> eventLoops() {
        List<EventExecutor> loops = new ArrayList<>();
        if (workers != null) {
            workers.forEach(loops::add);
        }
        return loops;
    }

    /**
     * Executors for a background save's walk steps, one per worker loop, each handing its steps
     * to a loop that serves connections ({@link LoopBalancer#stepLoops}); empty before {@link #start}.
     */
    public List<java.util.concurrent.Executor> stepLoops() {
        return balancer == null ? List.of() : balancer.stepLoops();
    }

    /**
     * Whether an event loop is busy serving ({@link LoopBalancer#anyLoopServing}): background
     * saves pace themselves meanwhile. False before {@link #start}, after close, and when the
     * balancer does not sample (one loop, --conn_io_balancing=false).
     */
    public boolean loopsBusy() {
        LoopBalancer b = balancer;
        return b != null && b.anyLoopServing();
    }

    /** How many connections each worker loop serves now (tests, and INFO's view of the balance). */
    public int[] connectionsPerLoop() {
        return balancer == null ? new int[0] : balancer.connectionCounts();
    }

    /** How the worker loops wait when idle (tests); null before {@link #start}. */
    LoopIdlePoll idlePoll() {
        return idlePoll;
    }

    /** Seconds the worker loops together have spent polling idle (conn_io_idle_poll_us) since the start. */
    public double idlePollSeconds() {
        LoopIdlePoll p = idlePoll;
        return p == null ? 0 : p.polledNanos() / 1e9;
    }

    /** Connections the balancer moved from one loop to another since the start. */
    public long connectionMoves() {
        return balancer == null ? 0 : balancer.moves();
    }

    /** Moves half of loop {@code from}'s movable connections to loop {@code to} now, as a spread does (tests). */
    public void spreadNow(int from, int to) {
        balancer.spread(from, to);
    }

    /** Binds and starts accepting; returns the port bound. */
    public int start() throws InterruptedException {
        ServerConfig config = server.config();
        boolean epoll = Epoll.isAvailable();
        Class<? extends ServerChannel> channelClass;
        balancer = new LoopBalancer(config.getBool(Option.CONN_IO_BALANCING), Runtime.getRuntime().availableProcessors());
        java.util.concurrent.Executor ioThreadsStarter = new io.netty.util.concurrent.ThreadPerTaskExecutor(
                new DefaultThreadFactory("damselfly-io", true));
        idlePoll = new LoopIdlePoll(config.getLong(Option.CONN_IO_IDLE_POLL_US), balancer::roomToPoll);
        if (epoll) {
            acceptor = new EpollEventLoopGroup(1, new DefaultThreadFactory("damselfly-accept", true));
            workers = new EpollEventLoopGroup(ioThreads, ioThreadsStarter, balancer, idlePoll);
            channelClass = EpollServerSocketChannel.class;
        } else {
            acceptor = new NioEventLoopGroup(1, new DefaultThreadFactory("damselfly-accept", true));
            workers = new NioEventLoopGroup(ioThreads, ioThreadsStarter, balancer,
                    java.nio.channels.spi.SelectorProvider.provider(), idlePoll);
            channelClass = NioServerSocketChannel.class;
        }
        idlePoll.attach(workers);
        config.watch(Option.CONN_IO_IDLE_POLL_US, value -> idlePoll.limit(((Number) value).longValue()));
        // A loop's thread is made by whichever thread gives the loop its first task, and inherits
        // that thread's scheduling class. A background save's walk steps are handed to the loops
        // by the save thread, at SCHED_IDLE (persist.IdlePriority): a loop with no connection
        // yet when a save began stayed at idle priority for good, its clients served only by
        // cores nothing else wanted (by hand, with both loops so: SET/GET max 5 -> 60-111 ms,
        // first saves under load 2-4x slower). So every loop's thread starts here.
        List<Long> loopThreads = new ArrayList<>();
        for (EventExecutor loop : workers) {
            loopThreads.add(loop.submit(() -> Thread.currentThread().getId()).sync().getNow());
        }
        balancer.start((io.netty.channel.EventLoop) acceptor.next(), loopThreads.stream().mapToLong(Long::longValue).toArray(),
                idlePoll);
        RespLimits limits = RespLimits.defaults();
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, config.getInt(Option.TCP_BACKLOG))
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, config.getBool(Option.TCP_NODELAY))
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new LoopBuffers.ReadAllocator())
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(LOW_WATER_MARK, HIGH_WATER_MARK))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        keepAlive(ch, config.getInt(Option.TCP_KEEPALIVE));
                        if (config.getBool(Option.PRIMARY_PORT_HTTP_ENABLED)) {
                            ch.pipeline().addLast("http-sniffer", new HttpSniffer(http, false, null));
                        }
                        installResp(ch.pipeline(), limits);
                    }
                });
        if (epoll) {
            // Level-triggered, as Redis's ae_epoll: edge-triggered mode must read until EAGAIN, one
            // more read() per readiness event; level-triggered reads what is there and goes back
            // to epoll_wait (GET/SET -P 16, two runs each: equal to 5% better, never worse)
            b.childOption(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
        }
        BindAddresses bind = BindAddresses.parse(config.getString(Option.BIND));
        int port = config.getInt(Option.PORT);
        try {
            listeners = listen(b, bind, port);
        } catch (Exception e) {
            // Redis's line (initServer); tools that start a server wait for it to try another port
            log.warn("Failed listening on port {} (TCP), aborting.", port);
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (listeners.isEmpty() && config.getString(Option.UNIXSOCKET).isEmpty()) {
            // no bind address, or every one optional and missing, and no unix socket: Redis exits too
            throw new IllegalStateException("Configured to not listen anywhere (bind: '" + config.getString(Option.BIND) + "')");
        }
        boundPort = port != 0 || listeners.isEmpty() ? port : localPort(listeners.get(0));
        int bound = port();
        String host = bind.firstHost();
        config.guard(Option.PORT, value -> rebind(b, BindAddresses.parse(config.getString(Option.BIND)), ((Number) value).intValue(),
                "Unable to listen on this port. Check server logs."));
        config.guard(Option.BIND, value -> rebind(b, BindAddresses.parse((String) value), port(),
                "Failed to bind to specified addresses."));
        log.info("listening on {} ({} transport, {} I/O threads, {} shards, {} bytes for unfinished requests)",
                addressesText(), epoll ? "epoll" : "nio", ioThreads, server.keyspace().shardCount(), requestMemory.limit());
        listenOnUnixSocket(config, epoll, limits);
        int adminPort = config.getInt(Option.ADMIN_PORT);
        if (adminPort >= 0) {
            ServerBootstrap admin = b.clone().childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    keepAlive(ch, config.getInt(Option.TCP_KEEPALIVE));
                    ch.pipeline().addLast("http-sniffer", new HttpSniffer(http, true, p -> installResp(p, limits)));
                }
            });
            try {
                adminListener = admin.bind(new InetSocketAddress(host, adminPort)).sync().channel();
            } catch (Exception e) {
                throw new IllegalStateException("cannot listen on admin_port " + adminPort + " (--admin_port -1 turns it off): "
                        + e.getMessage(), e);
            }
            log.info("admin port (HTTP /metrics /health /stats, and RESP) on {}:{}", host, adminPort());
        }
        return bound;
    }

    /**
     * unixsocket: a listener on a unix domain socket, as Redis's anetUnixServer: a file already at
     * the path is removed first, unixsocketperm (unless 0) is applied to the new socket, and the
     * file is removed at shutdown. Its connections are served as TCP ones (HTTP sniffing too);
     * they count as local (protected-mode, the "local" settings) and show as "path:0" with flag
     * U in CLIENT LIST. Netty has unix sockets only on its native epoll transport.
     */
    private void listenOnUnixSocket(ServerConfig config, boolean epoll, RespLimits limits) {
        String path = config.getString(Option.UNIXSOCKET);
        if (path.isEmpty()) {
            return;
        }
        if (!epoll) {
            throw new IllegalStateException("unixsocket needs the native epoll transport, not available here");
        }
        ServerBootstrap u = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(io.netty.channel.epoll.EpollServerDomainSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, config.getInt(Option.TCP_BACKLOG))
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new LoopBuffers.ReadAllocator())
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(LOW_WATER_MARK, HIGH_WATER_MARK))
                .childOption(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (config.getBool(Option.PRIMARY_PORT_HTTP_ENABLED)) {
                            ch.pipeline().addLast("http-sniffer", new HttpSniffer(http, false, null));
                        }
                        installResp(ch.pipeline(), limits);
                    }
                });
        // a relative path is taken from dir, where Redis runs
        java.nio.file.Path file = config.inDir(path);
        try {
            java.nio.file.Files.deleteIfExists(file);
            unixListener = u.bind(new io.netty.channel.unix.DomainSocketAddress(file.toString())).sync().channel();
            unixPath = file;
            long perm = config.getLong(Option.UNIXSOCKETPERM);
            if (perm != 0) {
                java.nio.file.Files.setPosixFilePermissions(file, permissions(perm));
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on unix socket " + path + ": " + e.getMessage(), e);
        }
        log.info("listening on unix socket {}", path);
    }

    /** Octal permission bits (0700) as the JDK's set. */
    static java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions(long octal) {
        java.nio.file.attribute.PosixFilePermission[] order = {
                java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE, java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE,
                java.nio.file.attribute.PosixFilePermission.OTHERS_READ, java.nio.file.attribute.PosixFilePermission.GROUP_EXECUTE,
                java.nio.file.attribute.PosixFilePermission.GROUP_WRITE, java.nio.file.attribute.PosixFilePermission.GROUP_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                java.nio.file.attribute.PosixFilePermission.OWNER_READ};
        java.util.Set<java.nio.file.attribute.PosixFilePermission> set =
                java.util.EnumSet.noneOf(java.nio.file.attribute.PosixFilePermission.class);
        for (int bit = 0; bit < order.length; bit++) {
            if ((octal & (1L << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }

    /**
     * The RESP handlers of a connection: the request decoder (which counts the bytes read, for
     * INFO total_net_input_bytes) and the connection handler.
     */
    private void installResp(ChannelPipeline p, RespLimits limits) {
        RequestMemoryAccount memory = requestMemory.open(p.channel());
        RespRequestDecoder decoder = new RespRequestDecoder(
                limits.withMaxBulkLength((int) server.config().getLong(Option.PROTO_MAX_BULK_LEN)), memory);
        decoder.countInputWith(server.stats()::countInput);
        p.addLast(RESP_HANDLERS[0], decoder);
        p.addLast(RESP_HANDLERS[1], new ConnectionHandler(server, decoder, memory, balancer));
    }

    /** The main port bound now (CONFIG SET port moves it). */
    public int port() {
        return boundPort;
    }

    private static int localPort(Channel c) {
        return ((InetSocketAddress) c.localAddress()).getPort();
    }

    /** The local addresses listened on, for the log: "127.0.0.1:6379 [::1]:6379". */
    private String addressesText() {
        StringBuilder sb = new StringBuilder();
        for (Channel c : listeners) {
            InetSocketAddress a = (InetSocketAddress) c.localAddress();
            String ip = a.getAddress().getHostAddress();
            sb.append(sb.length() == 0 ? "" : " ").append(ip.contains(":") ? "[" + ip + "]" : ip).append(':').append(a.getPort());
        }
        return sb.length() == 0 ? "nothing" : sb.toString();
    }

    /**
     * tcp-keepalive on a new connection, as Redis's anetKeepAlive: SO_KEEPALIVE, and (native
     * transport) the first probe after {@code seconds} idle, then every seconds/3, 3 probes.
     * Read per connection, so a CONFIG SET applies to connections made after it, as in Redis.
     */
    private static void keepAlive(Channel ch, int seconds) {
        ch.config().setOption(ChannelOption.SO_KEEPALIVE, seconds > 0);
        if (seconds > 0 && ch instanceof io.netty.channel.epoll.EpollSocketChannel) {
            ch.config().setOption(EpollChannelOption.TCP_KEEPIDLE, seconds);
            ch.config().setOption(EpollChannelOption.TCP_KEEPINTVL, Math.max(1, seconds / 3));
            ch.config().setOption(EpollChannelOption.TCP_KEEPCNT, 3);
        }
    }

    /**
     * Redis's listenToPort: one listener per address, in order; an address that is optional and
     * missing, or of a family this host lacks, is skipped (logged); any other failure closes the
     * listeners made so far and throws. With port 0 the first listener picks the port, the rest
     * take the same one. Runs on any thread; each bind waits for its one system call.
     */
    private List<Channel> listen(ServerBootstrap b, BindAddresses bind, int port) throws Exception {
        List<Channel> made = new ArrayList<>();
        int p = port;
        for (BindAddresses.Address a : bind.addresses()) {
            if (a.host().isEmpty()) {
                // Java would take "" for the loopback address; Redis's getaddrinfo refuses it
                made.forEach(Channel::close);
                throw new java.net.UnknownHostException("empty bind address");
            }
            io.netty.channel.ChannelFuture f = b.bind(new InetSocketAddress(a.host(), p)).awaitUninterruptibly();
            if (f.isSuccess()) {
                made.add(f.channel());
                p = p == 0 ? localPort(f.channel()) : p;
                continue;
            }
            log.warn("Could not create server TCP listening socket {}:{}: {}", a.text(), p, f.cause().getMessage());
            if (BindAddresses.skippable(a, f.cause())) {
                continue;
            }
            made.forEach(Channel::close);
            Throwable cause = f.cause();
            throw cause instanceof Exception ex ? ex : new IllegalStateException(cause);
        }
        return List.copyOf(made);
    }

    /**
     * CONFIG SET port and bind. A new port is listened on first and the old listeners closed only
     * when every option of the CONFIG SET is ready (connections made through them stay), as
     * Redis's changeListenPort; new addresses replace the old listeners as changeBindAddr does
     * (closed first, since the same address and port cannot be bound twice), and the old ones are
     * bound again if the new ones fail or another option of the CONFIG SET does. A failure answers
     * {@code error}, Redis's words, and its reason goes to the log. The caller (a CONFIG SET on
     * an event loop) waits for the bind system calls, as it would for any other.
     */
    private ServerConfig.Prepared rebind(ServerBootstrap b, BindAddresses bind, int port, String error) {
        List<Channel> old = listeners;
        int oldPort = boundPort;
        boolean samePort = port == oldPort;
        if (samePort) {
            closeAll(old);
        }
        List<Channel> fresh;
        try {
            fresh = listen(b, bind, port);
        } catch (Exception e) {
            log.warn("CONFIG SET: cannot listen on {} port {}: {}", bind.addresses(), port, e.toString());
            if (samePort) {
                restore(b, oldPort);
            }
            throw new IllegalArgumentException(error);
        }
        listeners = fresh;
        boundPort = port != 0 || fresh.isEmpty() ? port : localPort(fresh.get(0));
        return new ServerConfig.Prepared() {
            @Override
            public void commit() {
                if (!samePort) {
                    closeAll(old);
                }
                log.info("listening on {} (CONFIG SET)", addressesText());
            }

            @Override
            public void rollback() {
                closeAll(fresh);
                listeners = old;
                boundPort = oldPort;
                if (samePort) {
                    restore(b, oldPort);
                }
            }
        };
    }

    /** Listens again on the bind addresses of the configuration (a failed CONFIG SET's way back). */
    private void restore(ServerBootstrap b, int port) {
        try {
            listeners = listen(b, BindAddresses.parse(server.config().getString(Option.BIND)), port);
            boundPort = port;
        } catch (Exception e) {
            log.error("cannot listen again on the previous addresses: {}", e.toString());
            listeners = List.of();
        }
    }

    private static void closeAll(List<Channel> channels) {
        for (Channel c : channels) {
            c.close().syncUninterruptibly();
        }
    }

    /** The admin port bound, or -1 when there is none ({@code admin_port} -1, or not started). */
    public int adminPort() {
        return adminListener == null ? -1 : ((InetSocketAddress) adminListener.localAddress()).getPort();
    }

    @Override
    public void close() {
        // a saving shutdown closes the network before its last save, and the server's close after
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeAll(listeners);
        if (unixListener != null) {
            unixListener.close().syncUninterruptibly();
            try {
                java.nio.file.Files.deleteIfExists(unixPath);
            } catch (java.io.IOException e) {
                log.warn("cannot remove unix socket {}: {}", unixPath, e.toString());
            }
        }
        if (adminListener != null) {
            adminListener.close().syncUninterruptibly();
        }
        http.close();
        if (balancer != null) {
            balancer.stop();
        }
        if (acceptor != null) {
            acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
