package io.damselfly.server.migrate;

import io.damselfly.protocol.RespWriter;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One MIGRATE's exchange with its target, after the command serialized its keys: AUTH, SELECT
 * when the connection's database differs, one RESTORE per key, pipelined, then one reply line
 * each, read as Redis's migrateCommand reads them; the outcome goes to a {@link Done}.
 *
 * <p>Design. Redis does this with blocking socket calls on its only thread; here every step is an
 * event on a Netty loop and nothing waits: the connection is opened on the calling client's loop
 * (or a cached one is leased, see {@link MigrateSockets}), the request is written in Redis's 64 KB
 * pieces, and the replies come back as lines from the {@link MigrateLink}. All of a migration's
 * events run on its connection's loop. The timeout bounds the connect and each write or read
 * step, as Redis's: a timer re-armed whenever a piece is written or bytes arrive.
 *
 * <p>Redis's rules, kept: the first error reply (AUTH's, else SELECT's, else the key's) is
 * answered as "ERR Target instance replied with error: ..." and makes the next call SELECT again;
 * a key whose RESTORE was acknowledged is deleted (unless COPY) even if another key failed; an I/O
 * error closes the connection and is retried once on a fresh one, unless it was a timeout or a
 * key was already answered. Redis 7.0.15's blocking connect reports a refused or timed-out
 * connect only at the first write, so those answer "IOERR ... writing to target instance"; only
 * an address it cannot resolve answers "IOERR error or timeout connecting to the client". Both
 * are kept.
 */
public final class Migration {
    /** What the command learns: which keys the target acknowledged, and the error reply, or null for OK. */
    public interface Done {
        void finished(boolean[] acknowledged, String error);
    }

    static final String CONNECT_ERROR = "IOERR error or timeout connecting to the client";
    static final String WRITE_ERROR = "IOERR error or timeout writing to target instance";
    static final String READ_ERROR = "IOERR error or timeout reading to target instance";
    static final String TARGET_ERROR = "ERR Target instance replied with error: ";
    /** Redis writes the request in pieces of this size, each bounded by the timeout. */
    static final int WRITE_PIECE = 64 * 1024;

    /** Where host names are resolved, off the event loops; its threads end when idle. */
    private static final Executor RESOLVER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "damselfly-migrate-resolver");
        t.setDaemon(true);
        return t;
    });

    private enum Phase { AUTH, SELECT, KEYS }

    private final MigrateSockets sockets;
    private final EventLoop loop;
    private final String host;
    private final int port;
    private final String name;
    private final long dbid;
    private final long timeoutMillis;
    private final byte[] username;
    private final byte[] password;
    private final boolean copy;
    private final boolean replace;
    private final byte[][] keys;
    private final long[] ttls;
    private final byte[][] payloads;
    private final Done done;
    private final boolean[] acknowledged;

    // ---- one attempt's state, on the connection's loop ----
    private MigrateLink link;
    private boolean mayRetry = true;
    private boolean select;
    private Phase phase;
    private byte[] authLine;
    private byte[] selectLine;
    private int next;
    private String targetError;
    private boolean writeError;
    private boolean writing;
    private int piecesPending;
    private ScheduledFuture<?> timer;
    private boolean finished;

    /**
     * A migration of {@code keys} (with their TTLs in ms, 0 for none, and DUMP payloads) to {@code
     * host}:{@code port} database {@code dbid}; new connections open on {@code loop}. {@code port}
     * is MIGRATE's argument as C's atoi reads it. {@code password} null: no AUTH; {@code username}
     * null: AUTH with the password alone.
     */
    public Migration(MigrateSockets sockets, EventLoop loop, String host, int port, String name, long dbid,
            long timeoutMillis, byte[] username, byte[] password, boolean copy, boolean replace, byte[][] keys,
            long[] ttls, byte[][] payloads, Done done) {
        this.sockets = sockets;
        this.loop = loop;
        this.host = host;
        this.port = port;
        this.name = name;
        this.dbid = dbid;
        this.timeoutMillis = timeoutMillis;
        this.username = username;
        this.password = password;
        this.copy = copy;
        this.replace = replace;
        this.keys = keys;
        this.ttls = ttls;
        this.payloads = payloads;
        this.done = done;
        this.acknowledged = new boolean[keys.length];
    }

    /** Starts the exchange; {@link Done} hears the outcome, on the connection's loop. */
    public void start() {
        attempt();
    }

    private void attempt() {
        MigrateLink cachedLink = sockets.lease(name);
        if (cachedLink != null) {
            cachedLink.channel.eventLoop().execute(() -> send(cachedLink));
            return;
        }
        if (port < 0 || host.isEmpty()) {
            // getaddrinfo refuses a negative service and an empty name: Redis's connect fails before it starts
            loop.execute(() -> finish(CONNECT_ERROR));
            return;
        }
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        if (literal != null) {
            InetAddress address;
            try {
                address = InetAddress.getByAddress(host, literal);
            } catch (UnknownHostException e) {
                loop.execute(() -> finish(CONNECT_ERROR));
                return;
            }
            loop.execute(() -> connect(address));
            return;
        }
        // a name is resolved off the loop: getaddrinfo blocks (Redis blocks on it too)
        CompletableFuture.supplyAsync(() -> {
            try {
                return InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                return null;
            }
        }, RESOLVER).whenComplete((address, failure) -> loop.execute(() -> {
            if (address == null) {
                finish(CONNECT_ERROR);
            } else {
                connect(address);
            }
        }));
    }

    /** Opens a connection to the resolved target on the calling client's loop. */
    private void connect(InetAddress address) {
        MigrateLink fresh = new MigrateLink(name, sockets);
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("migrate", fresh);
                    }
                });
        // getaddrinfo keeps the low 16 bits of a larger port
        ChannelFuture f = b.connect(new InetSocketAddress(address, port & 0xFFFF));
        f.addListener(result -> {
            if (result.isSuccess()) {
                fresh.channel = f.channel();
                sockets.adopt(fresh);
                send(fresh);
            } else {
                // Redis's blocking connect "succeeds" and the first write fails
                f.channel().close();
                link = null;
                writeError = true;
                socketError(result.cause() instanceof ConnectTimeoutException);
            }
        });
    }

    /** Writes AUTH, SELECT and the RESTOREs on a leased connection; on its loop. */
    private void send(MigrateLink l) {
        link = l;
        phase = password != null ? Phase.AUTH : null;
        select = l.lastDb != dbid;
        if (phase == null) {
            phase = select ? Phase.SELECT : Phase.KEYS;
        }
        authLine = null;
        selectLine = null;
        next = 0;
        targetError = null;
        writeError = false;
        byte[] request = request(select);
        writing = true;
        piecesPending = 0;
        armTimer();
        l.attach(this);
        if (finished || link != l) {
            return; // lines left from before decided it already
        }
        for (int from = 0; from < request.length; from += WRITE_PIECE) {
            int len = Math.min(WRITE_PIECE, request.length - from);
            piecesPending++;
            l.channel.writeAndFlush(Unpooled.wrappedBuffer(request, from, len)).addListener(w -> written(l, w.isSuccess()));
        }
        if (piecesPending == 0) {
            writing = false;
        }
    }

    private byte[] request(boolean withSelect) {
        ByteBuf out = Unpooled.buffer();
        if (password != null) {
            RespWriter.writeArrayHeader(out, username != null ? 3 : 2);
            RespWriter.writeBulkString(out, "AUTH");
            if (username != null) {
                RespWriter.writeBulk(out, username);
            }
            RespWriter.writeBulk(out, password);
        }
        if (withSelect) {
            RespWriter.writeArrayHeader(out, 2);
            RespWriter.writeBulkString(out, "SELECT");
            RespWriter.writeBulkString(out, Long.toString(dbid));
        }
        for (int i = 0; i < keys.length; i++) {
            RespWriter.writeArrayHeader(out, replace ? 5 : 4);
            RespWriter.writeBulkString(out, "RESTORE");
            RespWriter.writeBulk(out, keys[i]);
            RespWriter.writeBulkString(out, Long.toString(ttls[i]));
            RespWriter.writeBulk(out, payloads[i]);
            if (replace) {
                RespWriter.writeBulkString(out, "REPLACE");
            }
        }
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        return bytes;
    }

    private void written(MigrateLink l, boolean ok) {
        if (finished || link != l || !writing) {
            return;
        }
        if (!ok) {
            writeError = true;
            socketError(false);
            return;
        }
        armTimer();
        if (--piecesPending == 0) {
            writing = false;
        }
    }

    /** Bytes arrived: the read step's timeout starts again. */
    void progress(MigrateLink l) {
        if (!finished && link == l && !writing) {
            armTimer();
        }
    }

    /** One reply line from the target. */
    void line(MigrateLink l, byte[] line) {
        if (finished || link != l) {
            return;
        }
        if (line.length == 0) {
            // Redis's connSyncReadLine answers 0 for an empty line: a read error
            readFailed(false);
            return;
        }
        switch (phase) {
            case AUTH -> {
                authLine = line;
                phase = select ? Phase.SELECT : Phase.KEYS;
            }
            case SELECT -> {
                selectLine = line;
                phase = Phase.KEYS;
            }
            case KEYS -> {
                byte[] error = authLine != null && authLine[0] == '-' ? authLine
                        : selectLine != null && selectLine[0] == '-' ? selectLine
                        : line[0] == '-' ? line : null;
                if (error != null) {
                    if (targetError == null) {
                        l.lastDb = -1;
                        targetError = TARGET_ERROR + new String(error, 1, error.length - 1, StandardCharsets.ISO_8859_1);
                    }
                } else if (!copy) {
                    acknowledged[next] = true;
                }
                if (++next == keys.length) {
                    completed(l);
                }
            }
        }
    }

    /** The connection ended. */
    void closed(MigrateLink l) {
        failed(l, false);
    }

    private void timedOut(MigrateLink l) {
        timer = null;
        failed(l, true);
    }

    /** The link closed or timed out: a write that failed, or a reply that could not be read. */
    private void failed(MigrateLink l, boolean timeout) {
        if (finished || link != l) {
            return;
        }
        if (writing) {
            writeError = true;
            socketError(timeout);
        } else {
            readFailed(timeout);
        }
    }

    /** A reply could not be read: Redis's socket_error, or socket_err before the RESTORE replies. */
    private void readFailed(boolean timeout) {
        if (phase != Phase.KEYS) {
            socketError(timeout);
            return;
        }
        if (targetError == null && next == 0 && mayRetry && !timeout) {
            socketError(false); // nothing was processed: a fresh connection may do better
            return;
        }
        dropLink();
        if (targetError == null) {
            mayRetry = false;
            socketError(timeout);
        } else {
            finish(targetError);
        }
    }

    /** Redis's socket_err: closes the connection, then retries once unless it timed out. */
    private void socketError(boolean timeout) {
        dropLink();
        if (!timeout && mayRetry) {
            mayRetry = false;
            attempt();
            return;
        }
        finish(writeError ? WRITE_ERROR : READ_ERROR);
    }

    private void completed(MigrateLink l) {
        cancelTimer();
        l.detach(this);
        link = null;
        if (targetError == null) {
            l.lastDb = dbid;
        }
        sockets.release(l);
        finish(targetError);
    }

    private void dropLink() {
        cancelTimer();
        MigrateLink l = link;
        link = null;
        writing = false;
        if (l != null) {
            l.detach(this);
            sockets.discard(l);
        }
    }

    private void finish(String error) {
        if (finished) {
            return;
        }
        finished = true;
        cancelTimer();
        done.finished(acknowledged, error);
    }

    private void armTimer() {
        cancelTimer();
        MigrateLink l = link;
        timer = l.channel.eventLoop().schedule(() -> timedOut(l), timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
