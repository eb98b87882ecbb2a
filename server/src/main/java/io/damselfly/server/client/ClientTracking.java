package io.damselfly.server.client;

import io.damselfly.server.config.ClientOutputBufferLimits;
import io.damselfly.server.keyspace.KeyEvent;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.KeyspaceObserver;
import io.damselfly.server.pubsub.Subscriber;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Server-assisted client-side caching (Redis's tracking.c): CLIENT TRACKING's modes, the table of
 * who read which key, and the invalidation messages.
 *
 * <p>Design. Two sides meet here. Reads: after a read-only command of a tracking client, while
 * the command still holds its keys' shard locks, the executor calls {@link #remember}, which adds
 * the client's id to each key's entry in the tracking table (key to client ids, as Redis's
 * TrackingTable: one table for all databases, as Redis's, so a write in any database invalidates).
 * Writes: this class is a {@link KeyspaceObserver}, so every change of a key (commands, expiry,
 * eviction, scripts, EXEC) reaches {@link #keyChanged} on the writing thread under the same shard
 * lock. It removes the key's entry and sends each client in it one invalidation. Because both run
 * under the key's shard lock, a read and a write of one key are ordered: a client either read the
 * new value, or is in the entry the write removes.
 *
 * <p>Delivery never blocks and is safe from any thread: a message is rendered once and offered
 * to the receiving client's Pub/Sub inbox ({@link Subscriber#offer}), which posts one task to the
 * receiver's event loop and holds the receiver to its output buffer limit (the pubsub class
 * while it is subscribed, the normal class otherwise). The message so always reaches the client
 * after the reply of the command during which it was produced, as Redis defers invalidations for
 * the current client (tracking_pending_keys). RESP3 clients get a push {@code >2 invalidate
 * [keys]} on their own connection; with REDIRECT the message goes to the other client instead: a
 * push when that one speaks RESP3, a Pub/Sub message on {@code __redis__:invalidate} when it is
 * a RESP2 client in Pub/Sub mode, nothing otherwise. A redirect client that went away marks the
 * tracker broken and, in RESP3, sends it {@code tracking-redir-broken}.
 *
 * <p>BCAST keeps no per-key memory: prefixes map to clients (an immutable array replaced on
 * change, read by writers without a lock); a write whose key starts with a prefix is queued in
 * the writing thread's batch, which the executor sends when the client's request ends, before
 * its reply goes out: one message per client and prefix with its keys in bytewise order, as
 * trackingBroadcastInvalidationMessages sends them once per event loop iteration. So one MSET or
 * EXEC gives one message per prefix. Writes outside a request (active expiry, eviction by the
 * background task) are sent at once.
 *
 * <p>Cost when nobody tracks: this object observes the keyspace only from the first CLIENT
 * TRACKING ON; the executor's read side is one volatile read of the client's own state.
 */
public final class ClientTracking implements KeyspaceObserver {
    private static final byte[] INVALIDATE_PUSH = ">2\r\n$10\r\ninvalidate\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INVALIDATE_MESSAGE =
            "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_RESP2 = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_RESP3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * The client whose command runs on this thread, when that client tracks with NOLOOP (Redis's
     * server.current_client, needed only to skip a NOLOOP client's own writes); 0 otherwise.
     */
    private static final ThreadLocal<long[]> CURRENT = ThreadLocal.withInitial(() -> new long[1]);
    /** The tracking client whose request runs on this thread, and its own invalidations waiting for the reply. */
    private final ThreadLocal<SelfInvalidations> selves = ThreadLocal.withInitial(SelfInvalidations::new);
    /** This thread's writes for BCAST clients, waiting for the end of the running command. */
    private final ThreadLocal<BroadcastBatch> batches = ThreadLocal.withInitial(() -> new BroadcastBatch(this));

    private final Keyspace keyspace;
    private final ClientRegistry clients;
    private final Limits limits;
    private volatile boolean observing;

    /** Tracking clients by id (INFO tracking_clients). */
    private final ConcurrentHashMap<Long, TrackingState> trackers = new ConcurrentHashMap<>();
    /** Key to the ids of clients that read it since its last invalidation. */
    private final ConcurrentHashMap<Key, IdSet> table = new ConcurrentHashMap<>();
    private final AtomicLong totalItems = new AtomicLong();
    /** BCAST prefixes, bytewise ascending; replaced under this object's monitor. */
    private volatile Prefix[] prefixes = new Prefix[0];
    /** Ids of clients that stopped tracking while the table may hold them ({@link #sweep}). */
    private final Set<Long> departed = ConcurrentHashMap.newKeySet();
    /** Where the sweep goes on at its next step; null between passes. Cron thread only. */
    private Iterator<Key> sweepAt;
    /** The departed ids the current pass takes out (those known when it began). */
    private Set<Long> sweeping;
    /**
     * Held while the table is trimmed to its limit, from a key's removal until its readers'
     * invalidations are queued: a command that finds the table within the limit while another
     * thread trims waits for the pushes, so they reach its client ahead of its reply.
     */
    private final ReentrantLock trimming = new ReentrantLock();
    /** Runs of the table limit that ended still over it (Redis's timeout_counter); written under {@link #trimming}. */
    private volatile int limitRuns;

    /** What the output limits are now (config), read when a message is offered. */
    public interface Limits {
        ClientOutputBufferLimits classes();

        long outputBufferLimit();

        /** tracking-table-max-keys; 0 means no limit. */
        long maxKeys();
    }

    public ClientTracking(Keyspace keyspace, ClientRegistry clients, Limits limits) {
        this.keyspace = keyspace;
        this.clients = clients;
        this.limits = limits;
    }

    // ---- CLIENT TRACKING ON / OFF ----------------------------------------------------------

    /**
     * Turns tracking on for {@code client} with the given options (already validated as
     * networking.c validates them); {@code prefixes} only with BCAST. Runs on the client's loop.
     */
    public void enable(ClientSession client, long redirect, boolean bcast, boolean optin, boolean optout, boolean noloop,
            List<byte[]> newPrefixes) {
        startObserving();
        TrackingState old = client.tracking();
        List<byte[]> all = new ArrayList<>();
        if (bcast) {
            // the prefixes accumulate across ON calls in BCAST mode, as Redis's client_tracking_prefixes
            if (old != null && old.bcast) {
                all.addAll(old.prefixes);
            }
            for (byte[] p : newPrefixes.isEmpty() ? List.of(new byte[0]) : newPrefixes) {
                if (!containsPrefix(all, p)) {
                    all.add(p);
                }
            }
            all.sort(Arrays::compareUnsigned);
        }
        // CACHING survives a second ON, as Redis's enableTracking leaves that flag alone
        boolean caching = old != null && old.caching;
        TrackingState state = new TrackingState(client, redirect, bcast, optin, optout, noloop, List.copyOf(all));
        state.caching = caching;
        // the Pub/Sub side that carries this client's pushes, made here on its own thread
        client.subscriber();
        if (old != null) {
            old.active = false;
            if (old.bcast) {
                removeFromPrefixes(old);
            }
        }
        client.setTracking(state);
        // tracking again after OFF or RESET: the sweep must no longer take this id out
        departed.remove(client.id());
        trackers.put(client.id(), state);
        if (bcast) {
            addToPrefixes(state);
        }
    }

    /** CLIENT TRACKING OFF, RESET, disconnect: the client's tracking state goes entirely. */
    public void disable(ClientSession client) {
        TrackingState old = client.tracking();
        if (old == null) {
            return;
        }
        old.active = false;
        client.setTracking(null);
        trackers.remove(client.id(), old);
        if (!table.isEmpty()) {
            // its id stays in the entries of keys it read until the sweep takes it out
            departed.add(client.id());
        }
        if (old.bcast) {
            removeFromPrefixes(old);
        }
    }

    private static boolean containsPrefix(List<byte[]> list, byte[] p) {
        for (byte[] q : list) {
            if (Arrays.equals(q, p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Redis's checkPrefixCollisionsOrReply: the error when a new prefix overlaps one the client has
     * or another new one (one is a prefix of the other), else null.
     */
    public static String prefixCollision(TrackingState current, List<byte[]> newPrefixes) {
        for (int i = 0; i < newPrefixes.size(); i++) {
            byte[] p = newPrefixes.get(i);
            if (current != null) {
                for (byte[] q : current.prefixes) {
                    if (overlap(q, p)) {
                        return "ERR Prefix '" + text(p) + "' overlaps with an existing prefix '" + text(q)
                                + "'. Prefixes for a single client must not overlap.";
                    }
                }
            }
            for (int j = i + 1; j < newPrefixes.size(); j++) {
                byte[] q = newPrefixes.get(j);
                if (overlap(p, q)) {
                    return "ERR Prefix '" + text(p) + "' overlaps with another provided prefix '" + text(q)
                            + "'. Prefixes for a single client must not overlap.";
                }
            }
        }
        return null;
    }

    private static boolean overlap(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        return Arrays.equals(a, 0, n, b, 0, n);
    }

    /** Bytes as Redis's %s prints them: up to the first NUL. */
    private static String text(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    private synchronized void startObserving() {
        if (!observing) {
            observing = true;
            keyspace.addObserver(this);
        }
    }

    private synchronized void addToPrefixes(TrackingState state) {
        TreeMap<byte[], List<TrackingState>> m = prefixMap();
        for (byte[] p : state.prefixes) {
            m.computeIfAbsent(p, k -> new ArrayList<>()).add(state);
        }
        prefixes = build(m);
    }

    private synchronized void removeFromPrefixes(TrackingState state) {
        TreeMap<byte[], List<TrackingState>> m = prefixMap();
        for (byte[] p : state.prefixes) {
            List<TrackingState> l = m.get(p);
            if (l != null) {
                l.remove(state);
                if (l.isEmpty()) {
                    m.remove(p);
                }
            }
        }
        prefixes = build(m);
    }

    private TreeMap<byte[], List<TrackingState>> prefixMap() {
        TreeMap<byte[], List<TrackingState>> m = new TreeMap<>(Arrays::compareUnsigned);
        for (Prefix p : prefixes) {
            m.put(p.bytes, new ArrayList<>(Arrays.asList(p.clients)));
        }
        return m;
    }

    private static Prefix[] build(TreeMap<byte[], List<TrackingState>> m) {
        Prefix[] out = new Prefix[m.size()];
        int i = 0;
        for (Map.Entry<byte[], List<TrackingState>> e : m.entrySet()) {
            out[i++] = new Prefix(e.getKey(), e.getValue().toArray(new TrackingState[0]));
        }
        return out;
    }

    private record Prefix(byte[] bytes, TrackingState[] clients) {
    }

    // ---- the current client (NOLOOP) ------------------------------------------------------

    /** The calling thread's sink for a running client's own invalidations (the executor's thread). */
    public SelfInvalidations threadSelf() {
        return selves.get();
    }

    /**
     * A RESP3 tracking client's own invalidations produced while its request runs on this thread
     * (its own writes, a flush it ran), written by the executor right after the request's reply
     * instead of through the inbox: Redis's tracking_pending_keys, so in a pipeline the push comes
     * straight after the reply of the command that caused it. Thread-confined.
     */
    public static final class SelfInvalidations {
        private long clientId;
        /** Each: the keys of one message, or null for "everything" (a flush). */
        private final List<List<byte[]>> pending = new ArrayList<>();

        /** The request of {@code clientId} starts on this thread (0 when it ends). */
        public void running(long clientId) {
            this.clientId = clientId;
        }

        boolean isRunning(long id) {
            return id == clientId && id != 0;
        }

        void add(List<byte[]> keys) {
            pending.add(keys);
        }

        /** Whether anything waits to be written. */
        public boolean isEmpty() {
            return pending.isEmpty();
        }

        /** Hands each waiting message to {@code out}: the keys, or null for a flush. */
        public void drainTo(java.util.function.Consumer<List<byte[]>> out) {
            for (List<byte[]> keys : pending) {
                out.accept(keys);
            }
            pending.clear();
        }
    }

    /** The calling thread's BCAST batch, for an executor that runs its commands on this thread. */
    public BroadcastBatch threadBatch() {
        return batches.get();
    }

    /** Marks {@code clientId} as the client whose command runs on this thread (0: none). */
    public static void setCurrent(long clientId) {
        CURRENT.get()[0] = clientId;
    }

    /** The client marked by {@link #setCurrent} on this thread, or 0. */
    public static long current() {
        return CURRENT.get()[0];
    }

    // ---- reads -----------------------------------------------------------------------------

    /**
     * Remembers that {@code state}'s client read {@code key}; called under the key's shard lock,
     * after a read-only command (Redis's trackingRememberKeys). The key array is kept.
     */
    public void remember(TrackingState state, byte[] key) {
        long id = state.clientId();
        table.compute(new Key(key), (k, ids) -> {
            if (ids == null) {
                ids = new IdSet();
            }
            if (ids.add(id)) {
                totalItems.incrementAndGet();
            }
            return ids;
        });
    }

    /**
     * processCommand's trackingLimitUsedSlots, before every command runs or is queued: the table
     * back within tracking-table-max-keys, so a limit lowered by CONFIG SET takes effect at the
     * next command of any client. Answers whether anyone tracks, i.e. whether invalidations may
     * have been queued for the caller's client that must go ahead of its reply (a trim on
     * another thread, the cron's included, has queued them by the time this returns). One
     * emptiness check when nobody tracks.
     */
    public boolean limitBeforeCommand() {
        if (trackers.isEmpty()) {
            return false;
        }
        limitTable();
        return true;
    }

    /**
     * Keeps the table within tracking-table-max-keys by invalidating keys (Redis's
     * trackingLimitUsedSlots): each run tries 100 times the number of runs that ended still over
     * the limit, so a table far over it shrinks fast without one run taking long. Returns at once
     * when the table is within the limit and no other thread is trimming it; otherwise waits for
     * that trim (a bounded one) before looking again.
     */
    public void limitTable() {
        long max = limits.maxKeys();
        boolean within = max <= 0 || table.size() <= max;
        // read after the size: a trim that took the table within the limit holds the lock
        // until its invalidations are queued
        if (within && !trimming.isLocked() && limitRuns == 0) {
            return;
        }
        trimming.lock();
        try {
            int effort = 100 * (limitRuns + 1);
            Iterator<Key> it = table.keySet().iterator();
            while (max > 0 && table.size() > max) {
                if (effort-- == 0 || !it.hasNext()) {
                    limitRuns++;
                    return;
                }
                invalidateKey(it.next().bytes, 0);
            }
            limitRuns = 0;
        } finally {
            trimming.unlock();
        }
    }

    /** Table entries one sweep step looks at: a few hundred microseconds of work on the cron thread. */
    static final int SWEEP_STEP = 10_000;

    /**
     * Takes the ids of clients that stopped tracking (disconnect, CLIENT KILL, OFF, RESET) out of
     * the table, a bounded step at a time on the background thread, so a client that read many
     * keys and left leaves nothing behind. Redis leaves such ids until the key is next written;
     * they cost memory and INFO's tracking_total_items would count them. An id that tracks again
     * before the sweep reaches an entry is left in it: each entry's change is atomic with the
     * check, and enabling removes the id from the departed set first.
     */
    public void sweep() {
        if (sweepAt == null) {
            if (departed.isEmpty()) {
                return;
            }
            sweeping = Set.copyOf(departed);
            sweepAt = table.keySet().iterator();
        }
        int budget = SWEEP_STEP;
        while (budget-- > 0 && sweepAt.hasNext()) {
            Key k = sweepAt.next();
            table.computeIfPresent(k, (key, ids) -> {
                int removed = ids.removeIf(id -> sweeping.contains(id) && departed.contains(id));
                if (removed > 0) {
                    totalItems.addAndGet(-removed);
                }
                return ids.size == 0 ? null : ids;
            });
        }
        if (!sweepAt.hasNext()) {
            departed.removeAll(sweeping);
            sweepAt = null;
            sweeping = null;
        }
    }

    // ---- writes (KeyspaceObserver) ---------------------------------------------------------

    @Override
    public void keyChanged(int db, byte[] key, KeyEvent event) {
        if (event == KeyEvent.NEW || !event.signalsModified()) {
            // NEW is always followed by the event of the write that created the key: one
            // invalidation; what Redis only notifies (XGROUP's subcommands) invalidates nothing
            return;
        }
        Prefix[] ps = prefixes;
        if (ps.length != 0) {
            rememberForBroadcast(ps, key);
        }
        if (!table.isEmpty()) {
            invalidateKey(key, current());
        }
    }

    @Override
    public void keyspaceFlushed() {
        invalidateAll();
    }

    /** Sends every client that read {@code key} one invalidation and forgets them for it. */
    private void invalidateKey(byte[] key, long writer) {
        IdSet ids = table.remove(new Key(key));
        if (ids == null) {
            return;
        }
        totalItems.addAndGet(-ids.size);
        long[] readers = new long[ids.size];
        int[] n = {0};
        ids.forEach(id -> readers[n[0]++] = id);
        byte[] body = null;
        for (long id : readers) {
            TrackingState t = trackers.get(id);
            // a client that switched to BCAST since it read the key gets nothing (as Redis)
            if (t == null || !t.active || t.bcast || (t.noloop && id == writer)) {
                continue;
            }
            if (t.redirect == 0 && selves.get().isRunning(id) && t.session.protocol() > 2) {
                // the key array is the writer's: copied, since it is written after the request
                selves.get().add(List.of(key.clone()));
                continue;
            }
            if (body == null) {
                body = keyArray(List.of(key));
            }
            send(t, body);
        }
    }

    /** FLUSHDB, FLUSHALL, SWAPDB: every tracking client is told "all keys" (a null), the table emptied. */
    private void invalidateAll() {
        SelfInvalidations self = selves.get();
        for (TrackingState t : trackers.values()) {
            if (!t.active) {
                continue;
            }
            if (t.redirect == 0 && self.isRunning(t.clientId()) && t.session.protocol() > 2) {
                self.add(null);
            } else {
                send(t, t.session.protocol() > 2 ? NULL_RESP3 : NULL_RESP2);
            }
        }
        table.clear();
        totalItems.set(0);
    }

    private void rememberForBroadcast(Prefix[] ps, byte[] key) {
        byte[] copy = null;
        long writer = current();
        BroadcastBatch batch = null;
        for (Prefix p : ps) {
            byte[] pb = p.bytes;
            if (pb.length > key.length || !Arrays.equals(pb, 0, pb.length, key, 0, pb.length)) {
                continue;
            }
            if (copy == null) {
                copy = key.clone();
                batch = batches.get();
            }
            for (TrackingState t : p.clients) {
                if (t.active) {
                    batch.add(t, pb, copy, writer);
                }
            }
        }
        if (batch != null && !batch.inCommand) {
            // not inside a client's command (expiry, eviction by the background task): at once
            broadcast(batch);
        }
    }

    /**
     * Sends what this thread's writes queued for BCAST clients: per client, one message per
     * prefix, keys in bytewise order, the last writer of a key deciding NOLOOP (Redis's raxInsert
     * keeps the last client). Runs after the loop's current batch of requests, so the keys of one
     * MSET or EXEC (or of a whole pipeline) go together, as Redis's per-iteration broadcast.
     */
    private void broadcast(BroadcastBatch batch) {
        Map<TrackingState, TreeMap<byte[], TreeMap<byte[], Long>>> byClient = batch.take();
        for (Map.Entry<TrackingState, TreeMap<byte[], TreeMap<byte[], Long>>> c : byClient.entrySet()) {
            TrackingState t = c.getKey();
            if (!t.active) {
                continue;
            }
            for (TreeMap<byte[], Long> keys : c.getValue().values()) {
                List<byte[]> send = new ArrayList<>(keys.size());
                for (Map.Entry<byte[], Long> e : keys.entrySet()) {
                    if (!(t.noloop && e.getValue() == t.clientId())) {
                        send.add(e.getKey());
                    }
                }
                if (send.isEmpty()) {
                    continue;
                }
                if (t.redirect == 0 && selves.get().isRunning(t.clientId()) && t.session.protocol() > 2) {
                    selves.get().add(send);
                } else {
                    send(t, keyArray(send));
                }
            }
        }
    }

    /**
     * The keys written on one thread for BCAST clients since its last broadcast. The executor of
     * that thread's commands marks when a command runs ({@link #commandStarts}) and sends the
     * batch when it ends ({@link #commandEnds}): plain fields, since only that thread touches them.
     */
    public static final class BroadcastBatch {
        private Map<TrackingState, TreeMap<byte[], TreeMap<byte[], Long>>> byClient = new LinkedHashMap<>();
        boolean inCommand;
        private final ClientTracking owner;

        private BroadcastBatch(ClientTracking owner) {
            this.owner = owner;
        }

        /** A client's request starts on this thread: BCAST keys wait for its end. */
        public void commandStarts() {
            inCommand = true;
        }

        /** The request ended: what it wrote under BCAST prefixes is sent now, before its reply is. */
        public void commandEnds() {
            inCommand = false;
            if (!byClient.isEmpty()) {
                owner.broadcast(this);
            }
        }

        void add(TrackingState t, byte[] prefix, byte[] key, long writer) {
            byClient.computeIfAbsent(t, k -> new TreeMap<>(Arrays::compareUnsigned))
                    .computeIfAbsent(prefix, k -> new TreeMap<>(Arrays::compareUnsigned))
                    .put(key, writer);
        }

        boolean isEmpty() {
            return byClient.isEmpty();
        }

        Map<TrackingState, TreeMap<byte[], TreeMap<byte[], Long>>> take() {
            Map<TrackingState, TreeMap<byte[], TreeMap<byte[], Long>>> out = byClient;
            byClient = new LinkedHashMap<>();
            return out;
        }
    }

    // ---- delivery --------------------------------------------------------------------------

    /**
     * Redis's sendTrackingMessage: {@code body} (the RESP of the keys, or of a null) to the
     * tracker, or to its redirect client.
     */
    private void send(TrackingState t, byte[] body) {
        ClientSession target = t.session;
        boolean redirected = false;
        if (t.redirect != 0) {
            ClientSession r = clients.get(t.redirect);
            // a client that sent QUIT is gone once its reply is out (Redis frees it before the next command)
            if (r == null || r.isGone() || r.isClosingAfterReply()) {
                t.brokenRedirect = true;
                if (target.protocol() > 2) {
                    offer(target, concat(">2\r\n$21\r\ntracking-redir-broken\r\n".getBytes(StandardCharsets.US_ASCII),
                            (":" + t.redirect + "\r\n").getBytes(StandardCharsets.US_ASCII)));
                }
                return;
            }
            target = r;
            redirected = true;
        }
        if (target.protocol() > 2) {
            offer(target, concat(INVALIDATE_PUSH, body));
        } else if (redirected && target.isSubscribed()) {
            offer(target, concat(INVALIDATE_MESSAGE, body));
        }
        // a RESP2 client without a redirect cannot be sent anything (RESP2 has no push)
    }

    private void offer(ClientSession target, byte[] frame) {
        Subscriber s = target.subscriber();
        if (s == null) {
            return;
        }
        ClientOutputBufferLimits classes = limits.classes();
        ClientOutputBufferLimits.Limit limit = target.isSubscribed()
                ? classes.pubsub() : Monitors.limit(classes, limits.outputBufferLimit());
        s.offer(frame, limit, System.currentTimeMillis());
    }

    /** The RESP array of {@code keys}. */
    static byte[] keyArray(List<byte[]> keys) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + keys.size() * 16);
        out.writeBytes(("*" + keys.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] k : keys) {
            out.writeBytes(("$" + k.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(k);
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---- INFO ------------------------------------------------------------------------------

    /** INFO tracking_clients. */
    public int trackingClients() {
        return trackers.size();
    }

    /** INFO tracking_total_keys: keys in the tracking table. */
    public long totalKeys() {
        return table.size();
    }

    /** INFO tracking_total_items: client ids across the table. */
    public long totalItems() {
        return totalItems.get();
    }

    /** INFO tracking_total_prefixes: distinct BCAST prefixes. */
    public long totalPrefixes() {
        return prefixes.length;
    }

    // ---- table pieces ----------------------------------------------------------------------

    /** A key by its bytes. */
    private static final class Key {
        final byte[] bytes;
        final int hash;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }
    }

    /**
     * The ids of the clients that read one key: a plain array while there are at most
     * {@link #LINEAR} (the usual case: a key read by a few clients), then an open-addressing table
     * (linear probing, 0 marks a free slot: client ids start at 1) kept at most half full, so a hot
     * key read by thousands of clients still adds an id in O(1). Changed only inside the table's
     * compute for its key; read by the invalidating thread only after the entry was removed.
     */
    private static final class IdSet {
        /** Ids held in a plain array up to this many. */
        static final int LINEAR = 8;
        long[] slots = new long[2];
        int size;
        boolean hashed;

        boolean add(long id) {
            if (!hashed) {
                for (int i = 0; i < size; i++) {
                    if (slots[i] == id) {
                        return false;
                    }
                }
                if (size < LINEAR) {
                    if (size == slots.length) {
                        slots = Arrays.copyOf(slots, size * 2);
                    }
                    slots[size++] = id;
                    return true;
                }
                rehash(4 * LINEAR);
            } else if ((size + 1) * 2 > slots.length) {
                rehash(slots.length * 2);
            }
            if (!insert(slots, id)) {
                return false;
            }
            size++;
            return true;
        }

        private static boolean insert(long[] table, long id) {
            int mask = table.length - 1;
            int i = (int) (id * 0x9E3779B97F4A7C15L >>> 40) & mask;
            while (table[i] != 0) {
                if (table[i] == id) {
                    return false;
                }
                i = (i + 1) & mask;
            }
            table[i] = id;
            return true;
        }

        private void rehash(int capacity) {
            long[] table = new long[capacity];
            forEach(id -> insert(table, id));
            slots = table;
            hashed = true;
        }

        void forEach(java.util.function.LongConsumer action) {
            if (!hashed) {
                for (int i = 0; i < size; i++) {
                    action.accept(slots[i]);
                }
                return;
            }
            for (long id : slots) {
                if (id != 0) {
                    action.accept(id);
                }
            }
        }

        /** Removes the ids {@code test} accepts; answers how many. */
        int removeIf(java.util.function.LongPredicate test) {
            long[] all = new long[size];
            int[] n = {0};
            forEach(id -> all[n[0]++] = id);
            slots = new long[2];
            size = 0;
            hashed = false;
            int removed = 0;
            for (long id : all) {
                if (test.test(id)) {
                    removed++;
                } else {
                    add(id);
                }
            }
            return removed;
        }
    }
}
