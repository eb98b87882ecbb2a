package io.damselfly.server.keyspace;

import java.util.Locale;

/** Redis's eight maxmemory policies: which keys may be evicted, and in what order. */
public enum EvictionPolicy {
    NOEVICTION("noeviction", false, Order.NONE),
    ALLKEYS_LRU("allkeys-lru", false, Order.LRU),
    ALLKEYS_LFU("allkeys-lfu", false, Order.LFU),
    ALLKEYS_RANDOM("allkeys-random", false, Order.RANDOM),
    VOLATILE_LRU("volatile-lru", true, Order.LRU),
    VOLATILE_LFU("volatile-lfu", true, Order.LFU),
    VOLATILE_RANDOM("volatile-random", true, Order.RANDOM),
    VOLATILE_TTL("volatile-ttl", true, Order.TTL),
    /**
     * Not Redis's: cache mode's own policy (W-TinyLFU adapted to sampled eviction; see Eviction
     * and DESIGN.md, Eviction). Its name starts with "allkeys-" so that tools which classify the
     * policy by prefix see what it is: every key may be evicted.
     */
    ALLKEYS_TINYLFU("allkeys-tinylfu", false, Order.TINYLFU);

    /** How candidates are ranked. */
    enum Order {
        NONE,
        /** Longest idle first. */
        LRU,
        /** Lowest (decayed) access frequency first. */
        LFU,
        /** Any key. */
        RANDOM,
        /** Soonest expiry first. */
        TTL,
        /** Lowest sketched access frequency first, then longest idle; newcomers admitted by frequency. */
        TINYLFU
    }

    private final String redisName;
    private final boolean volatileOnly;
    private final Order order;

    EvictionPolicy(String redisName, boolean volatileOnly, Order order) {
        this.redisName = redisName;
        this.volatileOnly = volatileOnly;
        this.order = order;
    }

    public String redisName() {
        return redisName;
    }

    /** Whether only keys with an expiry may be evicted (the volatile-* policies). */
    public boolean volatileOnly() {
        return volatileOnly;
    }

    Order order() {
        return order;
    }

    /** The policy named as in maxmemory-policy; throws IllegalArgumentException for others. */
    public static EvictionPolicy fromName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (EvictionPolicy p : values()) {
            if (p.redisName.equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown maxmemory policy: " + name);
    }

    /**
     * The policy in force: the configured one, except that cache mode (Dragonfly's --cache_mode)
     * turns the default noeviction into allkeys-tinylfu, as DESIGN.md fixes.
     */
    public static EvictionPolicy effective(String configured, boolean cacheMode) {
        EvictionPolicy p = fromName(configured);
        return p == NOEVICTION && cacheMode ? ALLKEYS_TINYLFU : p;
    }
}
