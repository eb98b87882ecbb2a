package io.damselfly.server.pubsub;

import io.damselfly.server.config.ClientOutputBufferLimits.Limit;
import io.damselfly.server.keyspace.ByteKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * One client's side of Pub/Sub: what it is subscribed to, and the inbox through which messages
 * published on any thread reach its connection.
 *
 * <p>Design. A publisher runs on its own connection's event loop, possibly holding shard locks (a
 * keyspace notification is published from the write hook), so delivering must never block and
 * never touch the subscriber's connection, which only its own loop may write. {@link #offer}
 * therefore only appends the rendered frame to a lock-free queue, books its bytes, and, when the
 * queue was idle, posts one task to the subscriber's loop; that task ({@link #drain}) moves
 * everything queued to the connection and flushes once, so a burst of messages costs one task and
 * one flush. Messages from one publisher arrive in the order published.
 *
 * <p>Output limits. The bytes booked here and not yet handed over, plus what the connection holds
 * unwritten ({@link Outlet#unwrittenBytes}, Netty's outbound buffer, readable from any thread),
 * are the client's output buffer, checked on every offer against the pubsub class of
 * client-output-buffer-limit as Redis's checkClientOutputBufferLimits: past the hard limit the
 * client is closed at once; past the soft limit it is closed once it has stayed past it for more
 * than the soft seconds. So a subscriber that never reads costs at most its limit, whatever is
 * published. A closed subscriber takes no more messages.
 *
 * <p>The subscription sets are touched only by the subscriber's own loop (its commands, its
 * disconnect); the registry ({@link PubSub}) keeps the reverse index for publishers.
 */
public final class Subscriber {
    /** The connection end of a subscriber, implemented by the network layer. */
    public interface Outlet {
        /** The subscriber's event loop: {@link Subscriber#drain} runs there. */
        Executor executor();

        /** Bytes handed to the connection and not yet written to the socket; any thread. */
        long unwrittenBytes();

        /** Writes one frame (without flushing); called on {@link #executor()} only. */
        void write(byte[] frame);

        /** Flushes what {@link #write} gave; called on {@link #executor()} only. */
        void flush();

        /** Closes the connection for passing its output buffer limit (logs, counts); any thread. */
        void closeForOutputLimit(long pendingBytes);
    }

    private final long clientId;
    private final Outlet outlet;
    private final IntSupplier protocol;
    private final ConcurrentLinkedQueue<byte[]> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** When the soft limit was first seen exceeded (ms), or 0. */
    private final AtomicLong softSince = new AtomicLong();

    // owned by the subscriber's loop
    final Set<ByteKey> channels = new LinkedHashSet<>();
    final Set<ByteKey> patterns = new LinkedHashSet<>();
    final Set<ByteKey> shardChannels = new LinkedHashSet<>();

    /** A subscriber for client {@code clientId}, whose protocol version {@code protocol} reads. */
    public Subscriber(long clientId, Outlet outlet, IntSupplier protocol) {
        this.clientId = clientId;
        this.outlet = outlet;
        this.protocol = protocol;
    }

    public long clientId() {
        return clientId;
    }

    /** Whether messages to this subscriber are rendered as RESP3 pushes. */
    boolean isResp3() {
        return protocol.getAsInt() >= 3;
    }

    /** Channels and patterns (what SUBSCRIBE and PSUBSCRIBE replies count). */
    public int subscriptionCount() {
        return channels.size() + patterns.size();
    }

    public int channelCount() {
        return channels.size();
    }

    public int patternCount() {
        return patterns.size();
    }

    public int shardChannelCount() {
        return shardChannels.size();
    }

    /** The channels subscribed to, oldest first (UNSUBSCRIBE without arguments). */
    public List<byte[]> channels() {
        return names(channels);
    }

    public List<byte[]> patterns() {
        return names(patterns);
    }

    public List<byte[]> shardChannels() {
        return names(shardChannels);
    }

    private static List<byte[]> names(Set<ByteKey> set) {
        List<byte[]> out = new ArrayList<>(set.size());
        for (ByteKey n : set) {
            out.add(n.bytes());
        }
        return out;
    }

    /** Bytes of messages queued for this subscriber and not yet handed to its connection. */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    /**
     * Queues a message frame for delivery, from any thread, unless the subscriber is closed or the
     * frame takes it past its output buffer limit (then it is closed instead). Never blocks. Public
     * for MONITOR, whose lines reach a monitor through the same inbox under the normal class's
     * limit (client/Monitors).
     */
    public void offer(byte[] frame, Limit limit, long nowMillis) {
        if (closed.get()) {
            return;
        }
        long pending = queuedBytes.addAndGet(frame.length) + outlet.unwrittenBytes();
        if (overLimit(pending, limit, nowMillis)) {
            queuedBytes.addAndGet(-frame.length);
            close(pending);
            return;
        }
        inbox.add(frame);
        if (drainScheduled.compareAndSet(false, true)) {
            outlet.executor().execute(this::drain);
        }
    }

    /**
     * Checks the output buffer against {@code limit} with nothing offered, as Redis's clientsCron
     * does for every client: a subscriber that stays past the soft limit is closed once the soft
     * seconds have passed even when nothing more is published. Any thread.
     */
    public void checkLimit(Limit limit, long nowMillis) {
        if (closed.get()) {
            return;
        }
        long pending = queuedBytes.get() + outlet.unwrittenBytes();
        if (overLimit(pending, limit, nowMillis)) {
            close(pending);
        }
    }

    /**
     * Queues a frame the client's own command produced, for delivery in order with its messages:
     * the Pub/Sub confirmations and messages that Redis sends even while CLIENT REPLY is OFF or
     * SKIP (they are pushes, CLIENT_PUSHING), which the command's suppressed reply cannot carry.
     */
    public void push(byte[] frame) {
        if (closed.get()) {
            return;
        }
        queuedBytes.addAndGet(frame.length);
        inbox.add(frame);
        if (drainScheduled.compareAndSet(false, true)) {
            outlet.executor().execute(this::drain);
        }
    }

    /** Whether this subscriber's frames are RESP3 pushes. */
    public boolean resp3() {
        return isResp3();
    }

    /** Redis's checkClientOutputBufferLimits for the pubsub class. */
    private boolean overLimit(long pending, Limit limit, long nowMillis) {
        if (limit.hardBytes() > 0 && pending >= limit.hardBytes()) {
            return true;
        }
        if (limit.softBytes() > 0 && pending >= limit.softBytes()) {
            long since = softSince.get();
            if (since == 0) {
                softSince.compareAndSet(0, nowMillis);
                return false;
            }
            return (nowMillis - since) / 1000 > limit.softSeconds();
        }
        softSince.set(0);
        return false;
    }

    private void close(long pending) {
        if (closed.compareAndSet(false, true)) {
            inbox.clear();
            queuedBytes.set(0);
            outlet.closeForOutputLimit(pending);
        }
    }

    /**
     * Hands what is queued to the connection now, on the subscriber's loop, before the client's
     * next request runs: a message offered before that request arrived precedes its reply, as in
     * Redis (the posted task may not have run yet when the loop reads the request first).
     */
    public void deliverQueued() {
        if (queuedBytes.get() != 0) {
            drain();
        }
    }

    /** Hands everything queued to the connection; runs on the subscriber's loop. */
    void drain() {
        drainScheduled.set(false);
        boolean wrote = false;
        byte[] frame;
        while ((frame = inbox.poll()) != null) {
            if (!closed.get()) {
                outlet.write(frame);
                wrote = true;
            }
            queuedBytes.addAndGet(-frame.length);
        }
        if (wrote) {
            outlet.flush();
        }
    }

    /** The connection is gone: nothing more is delivered, and what waits is dropped. */
    public void closed() {
        closed.set(true);
        inbox.clear();
        queuedBytes.set(0);
    }

    /** Whether the subscriber was closed (disconnected, or past its output limit). */
    public boolean isClosed() {
        return closed.get();
    }
}
