package io.damselfly.server.upstream;

import io.damselfly.server.keyspace.ByteKey;
import io.damselfly.server.client.ClientSession;
import io.damselfly.server.command.CommandExecutor;
import io.damselfly.server.command.DeferredReply;
import io.damselfly.server.command.Reply;
import io.damselfly.server.command.ServerContext;
import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;
import io.damselfly.server.keyspace.Eviction;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.pubsub.Subscriber;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.HdrHistogram.ConcurrentHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The near-cache sidecar ({@code --upstream}): damselfly in front of a Redis or Dragonfly, serving
 * hot reads from a local copy kept coherent by CLIENT TRACKING, and relaying everything else.
 *
 * <p>Design. The local store is damselfly's own keyspace ({@link LocalStore}), bounded by
 * near_cache_maxmemory with allkeys-tinylfu eviction. A cacheable read (the command table's
 * CACHEABLE flag) whose keys are all local runs through its standalone handler, so its reply is
 * exactly what the standalone server, and so Redis, gives, in RESP2 and RESP3. A miss fetches the
 * whole key with DUMP + PTTL pipelined on its loop's tracking connection, once per key across all
 * loops ({@link Fetch}), loads it as RESTORE does, then runs the command. Every other command is
 * relayed to the upstream on a pooled connection of the client's protocol and its reply frame
 * returned byte for byte ({@link UpstreamRouter}); a client that makes its connection stateful
 * (SELECT, MULTI, SUBSCRIBE, blocking commands...) gets a connection of its own for good.
 *
 * <p>Coherence. Invalidation pushes arrive on the tracking connection in order with the fetch
 * replies, and any push for a key poisons its fetch in flight (see {@link LocalStore}); a null
 * push (upstream FLUSHALL) flushes everything; losing a tracking connection flushes the store
 * before anything else runs on that loop (with serve_stale: keeps it, and flushes when tracking is
 * back). A local copy expires when the upstream's TTL, counted from when the fetch was sent, ends.
 * A client's write drops its keys locally at once, and its later reads go upstream until the
 * write is answered and a fence (a PING on every tracking connection) shows that the upstream's
 * invalidations caused by it have arrived, so a client reads its own writes. An upstream that
 * refuses tracking still works: local copies then live near_cache_ttl at most (1000 ms by default).
 */
public final class NearCache {
    private static final Logger log = LoggerFactory.getLogger(NearCache.class);
    /** The local bound on copies when the upstream refuses tracking and near_cache_ttl is 0. */
    static final long DEFAULT_UNTRACKED_TTL_MILLIS = 1000;
    /** The error every client gets while the upstream cannot be reached (Redis style). */
    static final String UNAVAILABLE = "ERR upstream unavailable: ";

    private final ServerContext server;
    private final UpstreamUrl url;
    private final LocalStore store;
    private final long timeoutMillis;
    private final int connections;
    private final long ttlMillis;
    private final boolean serveStale;
    private final SslContext ssl;
    /** Each I/O loop's connections to each upstream node (one node unless the upstream is a cluster), by address. */
    private final ConcurrentHashMap<EventLoop, ConcurrentHashMap<String, UpstreamLoop>> loops = new ConcurrentHashMap<>();
    /** The cluster's slot map with a redis-cluster:// upstream, else null. */
    private final ClusterSlots slots;
    private volatile java.util.List<EventLoop> ioLoops = java.util.List.of();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean refusalLogged = new AtomicBoolean();
    private final AtomicInteger trackingUp = new AtomicInteger();
    private volatile boolean trackingRefused;
    private volatile boolean stale;
    private volatile String lastFailure;

    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder fetches = new LongAdder();
    final LongAdder passedThrough = new LongAdder();
    final LongAdder invalidations = new LongAdder();
    final LongAdder invalidationFlushes = new LongAdder();
    final LongAdder trackingLosses = new LongAdder();
    final LongAdder fetchFallbacks = new LongAdder();
    /** Upstream round trips (fetches and pass-through replies), in microseconds. */
    private final ConcurrentHistogram roundTrips = new ConcurrentHistogram(3_600_000_000L, 2);

    /**
     * The near-cache of {@code server}, configured by its --upstream options; throws
     * IllegalArgumentException when the URL is wrong or TLS cannot be set up.
     */
    public NearCache(ServerContext server) {
        this.server = server;
        ServerConfig config = server.config();
        String upstream = config.getString(Option.UPSTREAM);
        this.timeoutMillis = config.getLong(Option.UPSTREAM_TIMEOUT_MS);
        if (UpstreamUrl.isCluster(upstream)) {
            java.util.List<UpstreamUrl> seeds = UpstreamUrl.seeds(upstream);
            this.url = seeds.get(0);
            this.slots = new ClusterSlots(seeds, timeoutMillis);
        } else {
            this.url = UpstreamUrl.parse(upstream);
            this.slots = null;
        }
        this.connections = config.getInt(Option.UPSTREAM_CONNECTIONS);
        this.ttlMillis = config.getLong(Option.NEAR_CACHE_TTL);
        this.serveStale = config.getBool(Option.SERVE_STALE);
        this.store = new LocalStore(server.keyspace(), (int) config.getLong(Option.NEAR_CACHE_MAX_VALUE));
        if (url.tls()) {
            try {
                // the JDK's TLS and trust store: no native library, the upstream's certificate checked
                this.ssl = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).build();
            } catch (SSLException e) {
                throw new IllegalArgumentException("upstream: cannot set up TLS: " + e.getMessage(), e);
            }
        } else {
            this.ssl = null;
        }
    }

    /**
     * The memory the local store may use: near_cache_maxmemory, else maxmemory, else a quarter of
     * the heap.
     */
    public static long localMemory(ServerConfig config) {
        long m = config.getLong(Option.NEAR_CACHE_MAXMEMORY);
        if (m > 0) {
            return m;
        }
        m = config.getLong(Option.MAXMEMORY);
        return m > 0 ? m : Runtime.getRuntime().maxMemory() / 4;
    }

    /**
     * Starts the near-cache on the server's I/O threads: each opens its tracking connection now,
     * so the first reads on every thread can be served locally.
     */
    public void start(java.util.List<? extends io.netty.util.concurrent.EventExecutor> ioLoops) {
        java.util.List<EventLoop> mine = new java.util.ArrayList<>();
        for (io.netty.util.concurrent.EventExecutor e : ioLoops) {
            if (e instanceof EventLoop l) {
                mine.add(l);
            }
        }
        this.ioLoops = java.util.List.copyOf(mine);
        if (slots != null) {
            // every master the map names gets a tracking connection on every I/O loop, now or when learnt
            slots.onNode(node -> {
                for (EventLoop l : this.ioLoops) {
                    nodeLoop(l, node);
                }
            });
            if (!slots.refresh()) {
                lastFailure = slots.lastError();
            }
            log.info("near-cache in front of the Redis Cluster {} ({} masters{}), local copies up to {} bytes",
                    server.config().getString(Option.UPSTREAM).replaceAll("//[^@]*@", "//"), slots.nodes().size(),
                    url.tls() ? ", TLS" : "", server.config().getLong(Option.MAXMEMORY));
            return;
        }
        for (EventLoop l : mine) {
            loopOf(l);
        }
        log.info("near-cache in front of {} (db {}{}), local copies up to {} bytes", url.address(), url.db(),
                url.tls() ? ", TLS" : "", server.config().getLong(Option.MAXMEMORY));
    }

    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (slots != null) {
                slots.close();
            }
            allLoops().forEach(UpstreamLoop::close);
        }
    }

    /** The slot map with a Redis Cluster upstream, else null. */
    ClusterSlots slots() {
        return slots;
    }

    private java.util.List<UpstreamLoop> allLoops() {
        java.util.List<UpstreamLoop> all = new java.util.ArrayList<>();
        for (ConcurrentHashMap<String, UpstreamLoop> byNode : loops.values()) {
            all.addAll(byNode.values());
        }
        return all;
    }

    boolean isClosed() {
        return closed.get();
    }

    UpstreamUrl url() {
        return url;
    }

    long timeoutMillis() {
        return timeoutMillis;
    }

    SslContext ssl() {
        return ssl;
    }

    LocalStore store() {
        return store;
    }

    ServerContext server() {
        return server;
    }

    /**
     * The router of one client connection: it decides for each request whether it is answered
     * locally, fetched, or relayed. Called on the connection's event loop.
     */
    public UpstreamRouter router(ClientSession client, CommandExecutor executor, Reply reply, DeferredReply.Owner owner,
            Subscriber.Outlet outlet, EventLoop eventLoop) {
        return new UpstreamRouter(this, loopOf(eventLoop), client, executor, reply, owner, outlet);
    }

    private UpstreamLoop loopOf(EventLoop eventLoop) {
        if (slots != null) {
            UpstreamUrl any = slots.anyNode();
            return nodeLoop(eventLoop, any != null ? any : url);
        }
        return nodeLoop(eventLoop, url);
    }

    /** {@code eventLoop}'s connections to the upstream node {@code node}, opened on first use. */
    UpstreamLoop nodeLoop(EventLoop eventLoop, UpstreamUrl node) {
        ConcurrentHashMap<String, UpstreamLoop> byNode = loops.computeIfAbsent(eventLoop, l -> new ConcurrentHashMap<>());
        UpstreamLoop u = byNode.get(node.address());
        if (u != null) {
            return u;
        }
        synchronized (byNode) {
            u = byNode.get(node.address());
            if (u == null && !closed.get()) {
                u = new UpstreamLoop(this, eventLoop, node, connections);
                byNode.put(node.address(), u);
                u.start();
            }
        }
        return u != null ? u : new UpstreamLoop(this, eventLoop, node, connections);
    }

    /** A connection to a cluster node failed: the slot map is read again (a failover may have moved its slots). */
    void nodeTrouble() {
        if (slots != null && !closed.get()) {
            slots.refreshSoon();
        }
    }

    // ---- fetches ----------------------------------------------------------------------------

    /**
     * Tells {@code waiter} (on the finishing thread) the outcome of fetching {@code key}: joins the
     * fetch in flight, or starts one on {@code loop}'s tracking connection.
     */
    void fetch(byte[] key, UpstreamLoop loop, Consumer<Fetch.Result> waiter) {
        ByteKey k = ByteKey.of(key);
        while (true) {
            Fetch running = store.inFlight.get(k);
            if (running != null) {
                if (running.attach(waiter)) {
                    return;
                }
                // it ended between the look and the attach: it is leaving the map
                store.inFlight.remove(k, running);
                continue;
            }
            // none in flight: one may have just ended, storing the key (a store happens before its
            // fetch leaves the map), so look again before asking the upstream a second time
            if (store.lookup(key, System.currentTimeMillis()) == LocalStore.HIT) {
                waiter.accept(new Fetch.Result(Fetch.Outcome.STORED, store.epoch(key)));
                return;
            }
            Fetch mine = new Fetch(k, System.currentTimeMillis(), System.nanoTime());
            if (store.inFlight.putIfAbsent(k, mine) != null) {
                continue;
            }
            mine.attach(waiter);
            fetches.increment();
            if (!loop.fetch(mine)) {
                store.inFlight.remove(k, mine);
                mine.finish(new Fetch.Result(Fetch.Outcome.FAILED, 0));
            }
            return;
        }
    }

    /** A fetch's replies arrived (on its tracking connection's loop). */
    void fetched(Fetch f, boolean ok, byte[] payload, long pttl, boolean tracked, UpstreamLoop loop) {
        recordRoundTrip(f.sentNanos);
        Fetch.Result r;
        if (!ok) {
            r = new Fetch.Result(Fetch.Outcome.FAILED, 0);
        } else {
            long cap = tracked ? ttlMillis : (ttlMillis > 0 ? ttlMillis : DEFAULT_UNTRACKED_TTL_MILLIS);
            r = store.store(f, payload, pttl, cap);
        }
        store.inFlight.remove(f.key, f);
        f.finish(r);
        if (r.outcome() == Fetch.Outcome.STORED) {
            Keyspace ks = store.keyspace();
            loop.eviction.makeRoom(server.config().getLong(Option.MAXMEMORY), ks.evictionPolicy(), System.currentTimeMillis());
        }
    }

    void fetchFailed(Fetch f) {
        store.inFlight.remove(f.key, f);
        f.finish(new Fetch.Result(Fetch.Outcome.FAILED, 0));
    }

    void recordRoundTrip(long sentNanos) {
        long micros = (System.nanoTime() - sentNanos) / 1000;
        roundTrips.recordValue(Math.max(0, Math.min(micros, roundTrips.getHighestTrackableValue())));
    }

    // ---- invalidations and the tracking connections' state -------------------------------------

    void invalidated(byte[] key) {
        invalidations.increment();
        store.drop(key);
    }

    void invalidatedAll() {
        invalidationFlushes.increment();
        store.flush();
    }

    /** A write passing through: its key leaves the local store now. */
    void dropForWrite(byte[] key) {
        store.drop(key);
    }

    void flushForWrite() {
        store.flush();
    }

    /** A tracking connection logged in; {@code on}: CLIENT TRACKING ON was accepted. */
    void trackingReady(boolean on) {
        if (on) {
            if (stale) {
                // serve_stale kept the copies while tracking was away: they are not guarded, so go
                log.info("tracking is back: the copies served stale are flushed");
                store.flush();
                stale = false;
            }
            trackingUp.incrementAndGet();
            trackingRefused = false;
            lastFailure = null;
        } else {
            trackingRefused = true;
            if (refusalLogged.compareAndSet(false, true)) {
                log.warn("the upstream {} refuses CLIENT TRACKING: local copies live at most {} ms", url.address(),
                        ttlMillis > 0 ? ttlMillis : DEFAULT_UNTRACKED_TTL_MILLIS);
            }
        }
    }

    /**
     * A tracking connection is gone: what it guarded is flushed now, before any other hit is served
     * on its loop (the loop runs this before anything else), unless serve_stale keeps it.
     */
    void trackingLost(boolean wasTracking, String reason) {
        lastFailure = reason;
        if (!wasTracking) {
            return;
        }
        trackingUp.decrementAndGet();
        trackingLosses.increment();
        if (serveStale) {
            stale = true;
            log.warn("tracking connection lost ({}): serving stale copies until it is back", reason);
        } else {
            log.warn("tracking connection lost ({}): local copies flushed", reason);
            store.flush();
        }
    }

    void upstreamFailed(String reason) {
        lastFailure = reason;
    }

    /** Runs {@code done} on {@code home}'s loop once every loop's tracking connection has passed a fence. */
    void fenceAll(UpstreamLoop home, Runnable done) {
        UpstreamLoop[] all = allLoops().toArray(new UpstreamLoop[0]);
        AtomicInteger left = new AtomicInteger(all.length);
        Runnable one = () -> {
            if (left.decrementAndGet() == 0) {
                home.loop.execute(done);
            }
        };
        for (UpstreamLoop l : all) {
            l.loop.execute(() -> l.fence(one));
        }
    }

    boolean trackingRefused() {
        return trackingRefused;
    }

    boolean anyTracking() {
        return trackingUp.get() > 0;
    }

    /**
     * What GET /health reports while the upstream cannot be reached ({@code upstream unreachable:
     * <why>}), or null: the sidecar then answers errors, or with serve_stale only hits.
     */
    public String healthProblem() {
        if (trackingUp.get() > 0 || trackingRefused || lastFailure == null) {
            return null;
        }
        return "upstream unreachable: " + lastFailure;
    }

    // ---- INFO --------------------------------------------------------------------------------

    /** The text of INFO's "# Nearcache" section, fields CRLF-terminated. */
    public String infoSection() {
        Keyspace ks = store.keyspace();
        StringBuilder sb = new StringBuilder(1024);
        sb.append("# Nearcache\r\n");
        if (slots != null) {
            StringBuilder nodes = new StringBuilder();
            for (UpstreamUrl n : slots.nodes()) {
                nodes.append(nodes.length() == 0 ? "" : ",").append(n.address());
            }
            field(sb, "upstream", (url.tls() ? "rediss-cluster://" : "redis-cluster://") + nodes);
            field(sb, "upstream_cluster_nodes", slots.nodes().size());
        } else {
            field(sb, "upstream", (url.tls() ? "rediss://" : "redis://") + url.address() + "/" + url.db());
        }
        String state = trackingUp.get() > 0 ? "up" : trackingRefused ? "up-untracked" : lastFailure == null ? "connecting" : "down";
        field(sb, "upstream_state", state);
        field(sb, "upstream_last_error", lastFailure == null ? "" : lastFailure.replace('\r', ' ').replace('\n', ' '));
        field(sb, "tracking", trackingUp.get() > 0 ? "on" : trackingRefused ? "refused" : "off");
        field(sb, "tracking_connections", trackingUp.get());
        field(sb, "tracking_losses", trackingLosses.sum());
        field(sb, "serve_stale", serveStale ? "yes" : "no");
        field(sb, "serving_stale", stale ? 1 : 0);
        field(sb, "hits", hits.sum());
        field(sb, "misses", misses.sum());
        long h = hits.sum();
        long m = misses.sum();
        field(sb, "hit_ratio", h + m == 0 ? "0.0000" : String.format(java.util.Locale.ROOT, "%.4f", (double) h / (h + m)));
        field(sb, "fetches", fetches.sum());
        field(sb, "fetch_fallbacks", fetchFallbacks.sum());
        field(sb, "passed_through", passedThrough.sum());
        field(sb, "invalidations_received", invalidations.sum());
        field(sb, "invalidation_flushes", invalidationFlushes.sum());
        field(sb, "local_keys", ks.size(0));
        field(sb, "local_absent_keys", store.absentCount());
        field(sb, "local_uncacheable_keys", store.uncacheableCount());
        field(sb, "local_bytes", ks.usedMemory());
        field(sb, "local_maxmemory", server.config().getLong(Option.MAXMEMORY));
        field(sb, "evictions", ks.evictedKeys());
        field(sb, "fetches_in_flight", store.inFlight.size());
        field(sb, "upstream_rtt_p50_usec", roundTrips.getValueAtPercentile(50));
        field(sb, "upstream_rtt_p99_usec", roundTrips.getValueAtPercentile(99));
        field(sb, "upstream_rtt_p999_usec", roundTrips.getValueAtPercentile(99.9));
        field(sb, "upstream_round_trips", roundTrips.getTotalCount());
        return sb.toString();
    }

    private static void field(StringBuilder sb, String name, Object value) {
        sb.append(name).append(':').append(value).append("\r\n");
    }
}
