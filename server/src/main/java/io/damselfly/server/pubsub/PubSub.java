package io.damselfly.server.pubsub;

import io.damselfly.server.config.ClientOutputBufferLimits;
import io.damselfly.server.config.ClientOutputBufferLimits.Limit;
import io.damselfly.server.keyspace.ByteKey;
import io.damselfly.server.keyspace.GlobPattern;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's Pub/Sub registry: channel to subscribers, pattern to subscribers, shard channel to
 * subscribers (Redis's pubsub_channels, pubsub_patterns and pubsubshard_channels), and message
 * publishing across event loops.
 *
 * <p>Design. Publishing is the hot, many-threaded path and must never block (a keyspace
 * notification publishes from under a shard lock); subscribing is rarer and runs on the
 * subscriber's own loop. So every subscriber list is an immutable array replaced on change:
 * channels in a {@link ConcurrentHashMap} changed with {@code compute} (a publisher's {@code get}
 * takes no lock), patterns in one volatile array of entries replaced under this object's monitor,
 * which only subscribing and unsubscribing take. A publisher reads the arrays as they are at that
 * moment, renders the message once per protocol, and hands it to each receiver's inbox ({@link
 * Subscriber#offer}), which only enqueues. An entry goes when its last subscriber leaves, so the
 * registry holds exactly the names someone is subscribed to, as Redis frees them.
 *
 * <p>Order: subscribers of a channel are kept in subscription order and patterns in the order
 * first subscribed, as Redis's lists; Redis's dict order of channels and patterns is not
 * reproduced (PUBSUB CHANNELS and a bare UNSUBSCRIBE list in insertion order).
 */
public final class PubSub {
    private static final Subscriber[] NONE = new Subscriber[0];

    /** One pattern with its compiled form and subscribers; immutable. */
    private record PatternEntry(ByteKey name, GlobPattern glob, Subscriber[] subscribers) {
    }

    /** Receives the messages addressed to the publishing client itself, in its reply stream. */
    public interface Self {
        /** A message ({@code pattern} null for a channel message) for the client that published. */
        void message(byte[] kind, byte[] pattern, byte[] channel, byte[] payload);
    }

    private final ConcurrentHashMap<ByteKey, Subscriber[]> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ByteKey, Subscriber[]> shardChannels = new ConcurrentHashMap<>();
    private volatile PatternEntry[] patterns = new PatternEntry[0];
    private volatile Limit limit = ClientOutputBufferLimits.parse(ClientOutputBufferLimits.DEFAULT).pubsub();

    /** Sets the pubsub class's output buffer limits (client-output-buffer-limit). */
    public void setLimit(Limit limit) {
        this.limit = limit;
    }

    /** The pubsub class's output buffer limits. */
    public Limit limit() {
        return limit;
    }

    // ---- subscribing (on the subscriber's loop) --------------------------------------------

    /** SUBSCRIBE one channel; false when already subscribed. */
    public boolean subscribe(Subscriber s, byte[] channel) {
        return add(channels, s.channels, s, channel);
    }

    /** UNSUBSCRIBE one channel; false when not subscribed. */
    public boolean unsubscribe(Subscriber s, byte[] channel) {
        return remove(channels, s.channels, s, ByteKey.of(channel));
    }

    /** SSUBSCRIBE one shard channel; false when already subscribed. */
    public boolean ssubscribe(Subscriber s, byte[] channel) {
        return add(shardChannels, s.shardChannels, s, channel);
    }

    /** SUNSUBSCRIBE one shard channel; false when not subscribed. */
    public boolean sunsubscribe(Subscriber s, byte[] channel) {
        return remove(shardChannels, s.shardChannels, s, ByteKey.of(channel));
    }

    private static boolean add(ConcurrentHashMap<ByteKey, Subscriber[]> map, java.util.Set<ByteKey> own,
                               Subscriber s, byte[] channel) {
        ByteKey name = ByteKey.of(channel.clone());
        if (!own.add(name)) {
            return false;
        }
        map.compute(name, (k, subs) -> append(subs == null ? NONE : subs, s));
        return true;
    }

    private static boolean remove(ConcurrentHashMap<ByteKey, Subscriber[]> map, java.util.Set<ByteKey> own,
                                  Subscriber s, ByteKey name) {
        if (!own.remove(name)) {
            return false;
        }
        map.computeIfPresent(name, (k, subs) -> {
            Subscriber[] left = without(subs, s);
            return left.length == 0 ? null : left;
        });
        return true;
    }

    /** PSUBSCRIBE one pattern; false when already subscribed. */
    public boolean psubscribe(Subscriber s, byte[] pattern) {
        ByteKey name = ByteKey.of(pattern.clone());
        if (!s.patterns.add(name)) {
            return false;
        }
        synchronized (this) {
            PatternEntry[] now = patterns;
            for (int i = 0; i < now.length; i++) {
                if (now[i].name.equals(name)) {
                    PatternEntry[] next = now.clone();
                    next[i] = new PatternEntry(now[i].name, now[i].glob, append(now[i].subscribers, s));
                    patterns = next;
                    return true;
                }
            }
            PatternEntry[] next = Arrays.copyOf(now, now.length + 1);
            next[now.length] = new PatternEntry(name, GlobPattern.compile(name.bytes()), new Subscriber[] {s});
            patterns = next;
        }
        return true;
    }

    /** PUNSUBSCRIBE one pattern; false when not subscribed. */
    public boolean punsubscribe(Subscriber s, byte[] pattern) {
        return punsubscribe(s, ByteKey.of(pattern));
    }

    private boolean punsubscribe(Subscriber s, ByteKey name) {
        if (!s.patterns.remove(name)) {
            return false;
        }
        synchronized (this) {
            PatternEntry[] now = patterns;
            for (int i = 0; i < now.length; i++) {
                if (now[i].name.equals(name)) {
                    Subscriber[] left = without(now[i].subscribers, s);
                    PatternEntry[] next;
                    if (left.length == 0) {
                        next = new PatternEntry[now.length - 1];
                        System.arraycopy(now, 0, next, 0, i);
                        System.arraycopy(now, i + 1, next, i, now.length - i - 1);
                    } else {
                        next = now.clone();
                        next[i] = new PatternEntry(now[i].name, now[i].glob, left);
                    }
                    patterns = next;
                    break;
                }
            }
        }
        return true;
    }

    /**
     * Removes every subscription of {@code s} without replies (disconnect, RESET, CLIENT KILL);
     * call on the subscriber's loop.
     */
    public void unsubscribeAll(Subscriber s) {
        for (ByteKey n : new ArrayList<>(s.channels)) {
            remove(channels, s.channels, s, n);
        }
        for (ByteKey n : new ArrayList<>(s.shardChannels)) {
            remove(shardChannels, s.shardChannels, s, n);
        }
        for (ByteKey n : new ArrayList<>(s.patterns)) {
            punsubscribe(s, n);
        }
    }

    private static Subscriber[] append(Subscriber[] subs, Subscriber s) {
        Subscriber[] next = Arrays.copyOf(subs, subs.length + 1);
        next[subs.length] = s;
        return next;
    }

    private static Subscriber[] without(Subscriber[] subs, Subscriber s) {
        for (int i = 0; i < subs.length; i++) {
            if (subs[i] == s) {
                Subscriber[] next = new Subscriber[subs.length - 1];
                System.arraycopy(subs, 0, next, 0, i);
                System.arraycopy(subs, i + 1, next, i, subs.length - i - 1);
                return next;
            }
        }
        return subs;
    }

    // ---- publishing (any thread; never blocks) ---------------------------------------------

    /**
     * PUBLISH: delivers {@code payload} to the channel's subscribers and to the subscribers of
     * every matching pattern; answers how many receivers it was given to (a client subscribed by
     * channel and pattern counts twice, as in Redis). Messages for {@code self} (may be null)
     * go to {@code selfSink} instead, so they precede the publisher's own reply as in Redis.
     */
    public int publish(byte[] channel, byte[] payload, Subscriber self, Self selfSink) {
        int receivers = 0;
        long now = System.currentTimeMillis();
        Limit lim = limit;
        Subscriber[] subs = channels.get(ByteKey.of(channel));
        if (subs != null) {
            receivers += deliver(subs, Frames.MESSAGE, null, channel, payload, self, selfSink, lim, now);
        }
        for (PatternEntry p : patterns) {
            if (p.glob.matches(channel)) {
                receivers += deliver(p.subscribers, Frames.PMESSAGE, p.name.bytes(), channel, payload, self, selfSink, lim, now);
            }
        }
        return receivers;
    }

    /** SPUBLISH: shard channel subscribers only; patterns do not apply. */
    public int spublish(byte[] channel, byte[] payload, Subscriber self, Self selfSink) {
        Subscriber[] subs = shardChannels.get(ByteKey.of(channel));
        if (subs == null) {
            return 0;
        }
        return deliver(subs, Frames.SMESSAGE, null, channel, payload, self, selfSink, limit, System.currentTimeMillis());
    }

    private static int deliver(Subscriber[] subs, byte[] kind, byte[] pattern, byte[] channel, byte[] payload,
                               Subscriber self, Self selfSink, Limit limit, long now) {
        byte[] resp2 = null;
        byte[] resp3 = null;
        for (Subscriber s : subs) {
            if (s == self && selfSink != null) {
                selfSink.message(kind, pattern, channel, payload);
                continue;
            }
            if (s.isResp3()) {
                if (resp3 == null) {
                    resp3 = Frames.render(true, kind, pattern, channel, payload);
                }
                s.offer(resp3, limit, now);
            } else {
                if (resp2 == null) {
                    resp2 = Frames.render(false, kind, pattern, channel, payload);
                }
                s.offer(resp2, limit, now);
            }
        }
        return subs.length;
    }

    // ---- introspection (PUBSUB, INFO) --------------------------------------------------------

    /** PUBSUB CHANNELS: the channels with subscribers, matching {@code pattern} (null for all). */
    public List<byte[]> channelNames(byte[] pattern) {
        return names(channels, pattern);
    }

    /** PUBSUB SHARDCHANNELS. */
    public List<byte[]> shardChannelNames(byte[] pattern) {
        return names(shardChannels, pattern);
    }

    private static List<byte[]> names(ConcurrentHashMap<ByteKey, Subscriber[]> map, byte[] pattern) {
        GlobPattern glob = pattern == null ? null : GlobPattern.compile(pattern);
        List<byte[]> out = new ArrayList<>();
        for (ByteKey n : map.keySet()) {
            if (glob == null || glob.matches(n.bytes())) {
                out.add(n.bytes());
            }
        }
        return out;
    }

    /** PUBSUB NUMSUB: subscribers of one channel (patterns not counted). */
    public int numsub(byte[] channel) {
        Subscriber[] subs = channels.get(ByteKey.of(channel));
        return subs == null ? 0 : subs.length;
    }

    /** PUBSUB SHARDNUMSUB. */
    public int shardNumsub(byte[] channel) {
        Subscriber[] subs = shardChannels.get(ByteKey.of(channel));
        return subs == null ? 0 : subs.length;
    }

    /** PUBSUB NUMPAT and INFO pubsub_patterns: patterns with at least one subscriber. */
    public int patternCount() {
        return patterns.length;
    }

    /** INFO pubsub_channels. */
    public int channelCount() {
        return channels.size();
    }

    /** INFO pubsubshard_channels. */
    public int shardChannelCount() {
        return shardChannels.size();
    }
}
