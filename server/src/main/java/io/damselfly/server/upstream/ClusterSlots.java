package io.damselfly.server.upstream;

import io.damselfly.protocol.RespDecoder;
import io.damselfly.protocol.RespValue;
import io.damselfly.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redis Cluster upstream's slot map: which master serves each of the 16384 hash slots, learnt
 * with CLUSTER SLOTS from any seed or known node, corrected slot by slot by {@code -MOVED}, and
 * read again (off the event loops, on a thread of its own) when a MOVED arrives or a node's
 * connection is lost. Readers on the event loops see a slot's owner without a lock.
 */
final class ClusterSlots {
    private static final Logger log = LoggerFactory.getLogger(ClusterSlots.class);
    static final int SLOTS = 16384;
    /** The shortest time between two map reads asked for by MOVED or a lost node. */
    static final long MIN_REFRESH_INTERVAL_MILLIS = 100;

    private final List<UpstreamUrl> seeds;
    private final long timeoutMillis;
    private final AtomicReferenceArray<UpstreamUrl> owners = new AtomicReferenceArray<>(SLOTS);
    /** Every master the map has named, by address (host:port), in the order first seen. */
    private final Map<String, UpstreamUrl> nodes = new LinkedHashMap<>();
    private volatile List<UpstreamUrl> nodeList = List.of();
    private final ExecutorService refresher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "damselfly-cluster-slots");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private volatile long lastRefreshNanos;
    private volatile String lastError = "the slot map is not known yet";
    /** Told (on the refresher thread) of every master the map names, new ones included. */
    private volatile java.util.function.Consumer<UpstreamUrl> nodeListener = n -> { };

    ClusterSlots(List<UpstreamUrl> seeds, long timeoutMillis) {
        this.seeds = seeds;
        this.timeoutMillis = timeoutMillis;
    }

    void onNode(java.util.function.Consumer<UpstreamUrl> listener) {
        this.nodeListener = listener;
    }

    // ---- hash slots ----------------------------------------------------------------------------

    /** The hash slot of {@code key}: CRC16 (XMODEM) of its hash tag if it has a non-empty one, else of the key, mod 16384. */
    static int slot(byte[] key) {
        int start = 0;
        int end = key.length;
        for (int i = 0; i < key.length; i++) {
            if (key[i] == '{') {
                for (int j = i + 1; j < key.length; j++) {
                    if (key[j] == '}') {
                        if (j > i + 1) {
                            start = i + 1;
                            end = j;
                        }
                        break;
                    }
                }
                break;
            }
        }
        return crc16(key, start, end) & (SLOTS - 1);
    }

    static int crc16(byte[] b, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc ^= (b[i] & 0xff) << 8;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xffff;
        }
        return crc;
    }

    // ---- the map -------------------------------------------------------------------------------

    /** The master serving {@code slot}, or null while the map does not say (then ask for a refresh). */
    UpstreamUrl owner(int slot) {
        return owners.get(slot);
    }

    /** Every master known, in the order first seen. */
    List<UpstreamUrl> nodes() {
        return nodeList;
    }

    /** Any master (the first known), for keyless commands; null while none is known. */
    UpstreamUrl anyNode() {
        List<UpstreamUrl> n = nodeList;
        for (UpstreamUrl u : n) {
            if (u != null) {
                return u;
            }
        }
        return null;
    }

    String lastError() {
        return lastError;
    }

    /** {@code -MOVED slot host:port}: the slot is served there now (and the map is read again soon). */
    void moved(int slot, String host, int port) {
        if (slot < 0 || slot >= SLOTS) {
            return;
        }
        owners.set(slot, node(host, port));
        refreshSoon();
    }

    private UpstreamUrl node(String host, int port) {
        UpstreamUrl u;
        boolean added = false;
        synchronized (nodes) {
            String address = seeds.get(0).at(host, port).address();
            u = nodes.get(address);
            if (u == null) {
                u = seeds.get(0).at(host, port);
                nodes.put(address, u);
                nodeList = List.copyOf(nodes.values());
                added = true;
            }
        }
        if (added) {
            nodeListener.accept(u);
        }
        return u;
    }

    /** Reads the map again on the refresher thread, at most once per {@link #MIN_REFRESH_INTERVAL_MILLIS}. */
    void refreshSoon() {
        if (!refreshQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            refresher.execute(() -> {
                long wait = MIN_REFRESH_INTERVAL_MILLIS - (System.nanoTime() - lastRefreshNanos) / 1_000_000;
                if (wait > 0) {
                    try {
                        Thread.sleep(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                refreshQueued.set(false);
                refresh();
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            refreshQueued.set(false);
        }
    }

    /**
     * Reads CLUSTER SLOTS from the first node that answers (known masters first, then the seeds)
     * and installs it; answers whether one did. Blocking: never on an event loop.
     */
    boolean refresh() {
        lastRefreshNanos = System.nanoTime();
        List<UpstreamUrl> tries = new ArrayList<>(nodeList);
        tries.addAll(seeds);
        String why = "no seed node";
        for (UpstreamUrl u : tries) {
            try {
                install(query(u, "CLUSTER", "SLOTS"), u);
                lastError = null;
                return true;
            } catch (IOException | RuntimeException e) {
                why = u.address() + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }
        lastError = "cannot read the cluster slot map (" + why + ")";
        log.warn(lastError);
        return false;
    }

    /** CLUSTER SLOTS's reply: [start, end, [host, port, id...], replicas...] per range; masters only. */
    void install(RespValue reply, UpstreamUrl asked) {
        if (reply instanceof RespValue.Error e) {
            throw new IllegalStateException(e.message());
        }
        if (!(reply instanceof RespValue.Array ranges) || ranges.values().isEmpty()) {
            throw new IllegalStateException("CLUSTER SLOTS answered no slot ranges");
        }
        UpstreamUrl[] next = new UpstreamUrl[SLOTS];
        Map<String, UpstreamUrl> masters = new LinkedHashMap<>();
        for (RespValue r : ranges.values()) {
            if (!(r instanceof RespValue.Array range) || range.values().size() < 3
                    || !(range.values().get(0) instanceof RespValue.Integer from)
                    || !(range.values().get(1) instanceof RespValue.Integer to)
                    || !(range.values().get(2) instanceof RespValue.Array master) || master.values().size() < 2
                    || !(master.values().get(1) instanceof RespValue.Integer port)) {
                throw new IllegalStateException("CLUSTER SLOTS answered an unexpected shape");
            }
            String host = text(master.values().get(0));
            if (host == null || host.equals("?")) {
                // the node's address is not known: its slots stay unserved here until the next read
                continue;
            }
            if (host.isEmpty()) {
                // an empty preferred endpoint means "the address you asked me on" (Redis 7)
                host = asked.host();
            }
            UpstreamUrl owner = node(host, (int) port.value());
            masters.put(owner.address(), owner);
            for (long s = Math.max(0, from.value()); s <= Math.min(SLOTS - 1, to.value()); s++) {
                next[(int) s] = owner;
            }
        }
        if (masters.isEmpty()) {
            throw new IllegalStateException("CLUSTER SLOTS named no master with an address");
        }
        for (int s = 0; s < SLOTS; s++) {
            owners.set(s, next[s]);
        }
        synchronized (nodes) {
            // only the masters serving slots now: a former master (a replica after a failover) is
            // not sent fanned-out commands (its connections stay, unused)
            nodes.clear();
            nodes.putAll(masters);
            nodeList = List.copyOf(nodes.values());
        }
    }

    private static String text(RespValue v) {
        if (v instanceof RespValue.BulkString b) {
            return new String(b.value(), StandardCharsets.UTF_8);
        }
        return v instanceof RespValue.SimpleString s ? s.value() : null;
    }

    /** One command on a short blocking connection to {@code u} (AUTH first where the URL has a password). */
    private RespValue query(UpstreamUrl u, String... command) throws IOException {
        int timeout = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeoutMillis));
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(u.host(), u.port()), timeout);
            plain.setSoTimeout(timeout);
            Socket s = u.tls() ? ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(plain, u.host(), u.port(), true) : plain;
            try {
                ByteBuf out = Unpooled.buffer();
                int replies = 1;
                if (u.password() != null) {
                    List<String> auth = u.user() == null ? List.of("AUTH", u.password()) : List.of("AUTH", u.user(), u.password());
                    write(out, auth.toArray(new String[0]));
                    replies++;
                }
                write(out, command);
                OutputStream os = s.getOutputStream();
                byte[] bytes = new byte[out.readableBytes()];
                out.readBytes(bytes);
                os.write(bytes);
                os.flush();
                InputStream in = s.getInputStream();
                ByteBuf got = Unpooled.buffer();
                byte[] chunk = new byte[8192];
                while (true) {
                    int n = in.read(chunk);
                    if (n < 0) {
                        throw new IOException("connection closed");
                    }
                    got.writeBytes(chunk, 0, n);
                    if (got.readableBytes() > (64 << 20)) {
                        throw new IOException("reply too large");
                    }
                    List<RespValue> values;
                    try {
                        values = RespDecoder.decodeAll(got.duplicate(), UpstreamConnection.UPSTREAM_LIMITS);
                    } catch (RuntimeException notWhole) {
                        continue;
                    }
                    if (values.size() >= replies) {
                        if (replies == 2 && values.get(0) instanceof RespValue.Error e) {
                            throw new IOException("login refused: " + e.message());
                        }
                        return values.get(replies - 1);
                    }
                }
            } finally {
                if (s != plain) {
                    s.close();
                }
            }
        }
    }

    private static void write(ByteBuf out, String... words) {
        RespWriter.writeArrayHeader(out, words.length);
        for (String w : words) {
            RespWriter.writeBulk(out, w.getBytes(StandardCharsets.UTF_8));
        }
    }

    void close() {
        refresher.shutdownNow();
    }
}
