package io.damselfly.server.upstream;

import io.damselfly.protocol.RespDecoder;
import io.damselfly.protocol.RespValue;
import io.damselfly.server.keyspace.Eviction;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's upstream connections: its tracking connection (fetches and invalidations) and
 * its pooled pass-through connections, {@code upstream_connections} per client protocol. Everything
 * here runs on that loop, so a client's request and its upstream write happen on one thread with
 * no lock; only fetch results and fences cross loops, as tasks.
 *
 * <p>Reconnecting. A connection that fails is replaced on the next request, but not before its
 * back-off has passed (50 ms doubling to 2 s, reset by a successful login); meanwhile requests are
 * answered with the error at once, so nothing queues without bound while the upstream is away.
 * The tracking connection reconnects by itself after its back-off, so invalidations (and, with
 * serve_stale, the flush that ends stale serving) resume without waiting for a client.
 */
final class UpstreamLoop {
    static final long MIN_BACKOFF_MILLIS = 50;
    static final long MAX_BACKOFF_MILLIS = 2000;

    private final NearCache cache;
    final EventLoop loop;
    /** The upstream node these connections go to (the upstream, unless it is a cluster). */
    final UpstreamUrl url;
    /** Makes room after a fetch stored a value, on this loop (as an executor does before a command). */
    final Eviction eviction;
    /** Tells a busy upstream node from a gone one for this loop's connections to it. */
    final Liveness liveness;
    private UpstreamConnection tracking;
    private long trackingBackoff;
    private final UpstreamConnection[][] pool;
    private final long[][] retryAt;
    private final long[][] backoff;
    private final String[][] lastFailure;
    /** Fences asked for and not yet sent: each waits for one PING's reply on the tracking connection. */
    private List<Runnable> fenceWaiters = new ArrayList<>();
    private boolean fenceScheduled;

    UpstreamLoop(NearCache cache, EventLoop loop, UpstreamUrl url, int connections) {
        this.cache = cache;
        this.loop = loop;
        this.url = url;
        this.eviction = new Eviction(cache.store().keyspace());
        this.liveness = new Liveness(url, loop, cache.timeoutMillis(), cache.ssl());
        this.pool = new UpstreamConnection[2][connections];
        this.retryAt = new long[2][connections];
        this.backoff = new long[2][connections];
        this.lastFailure = new String[2][connections];
    }

    /** Opens the tracking connection (on the loop). */
    void start() {
        loop.execute(this::openTracking);
    }

    // ---- the tracking connection ------------------------------------------------------------

    private void openTracking() {
        if (cache.isClosed()) {
            return;
        }
        tracking = new UpstreamConnection(url, loop, UpstreamConnection.Role.TRACKING, 3, cache.timeoutMillis(),
                cache.ssl(), new UpstreamConnection.Listener() {
                    @Override
                    public void frame(UpstreamConnection c, ByteBuf frame) {
                        push(frame);
                    }

                    @Override
                    public void ready(UpstreamConnection c, boolean trackingOn) {
                        trackingBackoff = 0;
                        upstreamIsBack();
                        cache.trackingReady(trackingOn);
                    }

                    @Override
                    public void closed(UpstreamConnection c, String reason) {
                        cache.trackingLost(c.tracking(), reason);
                        cache.nodeTrouble();
                        trackingBackoff = Math.min(MAX_BACKOFF_MILLIS, Math.max(MIN_BACKOFF_MILLIS, trackingBackoff * 2));
                        if (!cache.isClosed()) {
                            loop.schedule(UpstreamLoop.this::openTracking, trackingBackoff, TimeUnit.MILLISECONDS);
                        }
                        List<Runnable> waiting = fenceWaiters;
                        fenceWaiters = new ArrayList<>();
                        // a fence on a lost connection is passed: the loss flushed what it could guard
                        waiting.forEach(Runnable::run);
                    }
                }, liveness);
        tracking.open();
    }

    /** The tracking connection when it is up (logged in), else null: misses then pass through. */
    UpstreamConnection trackingIfReady() {
        return tracking != null && tracking.state() == UpstreamConnection.State.READY ? tracking : null;
    }

    /** A push on the tracking connection: {@code invalidate [keys]}, or {@code invalidate null} for all. */
    private void push(ByteBuf frame) {
        RespValue v;
        try {
            v = RespDecoder.decodeAll(frame.duplicate()).get(0);
        } catch (RuntimeException e) {
            return;
        }
        if (!(v instanceof RespValue.Push p) || p.values().size() < 2
                || !(p.values().get(0) instanceof RespValue.BulkString kind)
                || !new String(kind.value(), java.nio.charset.StandardCharsets.US_ASCII).equals("invalidate")) {
            return;
        }
        RespValue keys = p.values().get(1);
        if (keys instanceof RespValue.Array a) {
            for (RespValue k : a.values()) {
                if (k instanceof RespValue.BulkString b) {
                    cache.invalidated(b.value());
                }
            }
        } else {
            cache.invalidatedAll();
        }
    }

    /**
     * Runs {@code done} (on this loop) once every invalidation the upstream produced before now has
     * arrived on this loop's tracking connection: a PING sent now is answered after them. Many
     * fences asked in one loop turn share one PING.
     */
    void fence(Runnable done) {
        UpstreamConnection t = trackingIfReady();
        if (t == null || !t.tracking()) {
            done.run();
            return;
        }
        fenceWaiters.add(done);
        if (!fenceScheduled) {
            fenceScheduled = true;
            loop.execute(this::sendFence);
        }
    }

    private void sendFence() {
        fenceScheduled = false;
        List<Runnable> waiting = fenceWaiters;
        fenceWaiters = new ArrayList<>();
        if (waiting.isEmpty()) {
            return;
        }
        UpstreamConnection t = trackingIfReady();
        if (t == null) {
            waiting.forEach(Runnable::run);
            return;
        }
        t.request(UpstreamConnection.argv("PING"), new UpstreamConnection.Callback() {
            @Override
            public void reply(ByteBuf frame) {
                waiting.forEach(Runnable::run);
            }

            @Override
            public void failed(String reason) {
                waiting.forEach(Runnable::run);
            }
        });
    }

    /**
     * Fetches {@code f}'s key on this loop's tracking connection: DUMP and PTTL pipelined, the
     * result stored (unless poisoned) and every waiting reader told. Answers false when the
     * tracking connection is not up (the caller passes the read through).
     */
    boolean fetch(Fetch f) {
        UpstreamConnection t = trackingIfReady();
        if (t == null) {
            return false;
        }
        byte[] key = f.key.bytes();
        byte[][] dumpArgv = {DUMP, key};
        byte[][] pttlArgv = {PTTL, key};
        byte[][] payload = new byte[1][];
        boolean[] dumpFailed = new boolean[1];
        t.request(dumpArgv, new UpstreamConnection.Callback() {
            @Override
            public void reply(ByteBuf frame) {
                byte type = frame.getByte(frame.readerIndex());
                if (type == '$') {
                    RespValue v = RespDecoder.decodeAll(frame.duplicate()).get(0);
                    payload[0] = v instanceof RespValue.BulkString b ? b.value() : null;
                } else if (type != '_') {
                    // an error (DUMP renamed or refused): this key's reads go upstream
                    dumpFailed[0] = true;
                }
            }

            @Override
            public void failed(String reason) {
                dumpFailed[0] = true;
            }
        });
        t.request(pttlArgv, new UpstreamConnection.Callback() {
            @Override
            public void reply(ByteBuf frame) {
                long pttl = -3;
                if (frame.getByte(frame.readerIndex()) == ':') {
                    try {
                        pttl = Long.parseLong(frame.toString(frame.readerIndex() + 1, frame.readableBytes() - 3,
                                java.nio.charset.StandardCharsets.US_ASCII));
                    } catch (NumberFormatException e) {
                        // not an integer after all: the fetch fails and its readers go upstream
                    }
                }
                cache.fetched(f, !dumpFailed[0] && pttl >= -2, payload[0], pttl, t.tracking(), UpstreamLoop.this);
            }

            @Override
            public void failed(String reason) {
                cache.fetchFailed(f);
            }
        });
        return true;
    }

    private static final byte[] DUMP = {'D', 'U', 'M', 'P'};
    private static final byte[] PTTL = {'P', 'T', 'T', 'L'};

    // ---- pooled pass-through connections -----------------------------------------------------

    /**
     * The pooled connection for a client of {@code protocol} (pinned by its id, so its requests
     * stay in order), opening it if needed; null while its back-off runs after a failure ({@link
     * #lastFailure} says why).
     */
    UpstreamConnection pooled(int protocol, long clientId) {
        int p = protocol >= 3 ? 1 : 0;
        int i = (int) Long.remainderUnsigned(clientId, pool[p].length);
        UpstreamConnection c = pool[p][i];
        if (c != null && c.isUsable()) {
            return c;
        }
        if (System.nanoTime() - retryAt[p][i] < 0) {
            return null;
        }
        UpstreamConnection opened = new UpstreamConnection(url, loop, UpstreamConnection.Role.POOL, p == 1 ? 3 : 2,
                cache.timeoutMillis(), cache.ssl(), new UpstreamConnection.Listener() {
                    @Override
                    public void frame(UpstreamConnection conn, ByteBuf frame) {
                        // a push on a pooled connection (none is asked for): ignored
                    }

                    @Override
                    public void ready(UpstreamConnection conn, boolean trackingOn) {
                        backoff[p][i] = 0;
                        upstreamIsBack();
                    }

                    @Override
                    public void closed(UpstreamConnection conn, String reason) {
                        lastFailure[p][i] = reason;
                        long b = Math.min(MAX_BACKOFF_MILLIS, Math.max(MIN_BACKOFF_MILLIS, backoff[p][i] * 2));
                        backoff[p][i] = b;
                        retryAt[p][i] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(b);
                        cache.upstreamFailed(reason);
                        cache.nodeTrouble();
                    }
                }, liveness);
        pool[p][i] = opened;
        opened.open();
        return opened;
    }

    /**
     * A connection of this loop logged in: the upstream is back, so pooled connections still
     * waiting out a back-off may open at their next request instead of answering "upstream
     * unavailable" for up to {@link #MAX_BACKOFF_MILLIS} more (a client that connects just after
     * the upstream returned would otherwise get errors a reader on another connection no longer
     * does).
     */
    private void upstreamIsBack() {
        long now = System.nanoTime();
        for (long[] row : retryAt) {
            java.util.Arrays.fill(row, now);
        }
    }

    /** Why the connection a {@link #pooled} call refused failed last. */
    String lastFailure(int protocol, long clientId) {
        int p = protocol >= 3 ? 1 : 0;
        String r = lastFailure[p][(int) Long.remainderUnsigned(clientId, pool[p].length)];
        return r == null ? "connecting" : r;
    }

    /** Closes every connection (the server is stopping). */
    void close() {
        loop.execute(() -> {
            if (tracking != null) {
                tracking.close("server stopping");
            }
            for (UpstreamConnection[] row : pool) {
                for (UpstreamConnection c : row) {
                    if (c != null) {
                        c.close("server stopping");
                    }
                }
            }
        });
    }

    static byte[] bytes(ByteBuf frame) {
        return ByteBufUtil.getBytes(frame);
    }
}
