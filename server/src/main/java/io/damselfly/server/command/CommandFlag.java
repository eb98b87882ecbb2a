package io.damselfly.server.command;

/**
 * Command flags. The first group are Redis's own (COMMAND INFO reports them by
 * {@link #redisName()}); the last two are damselfly's and are never reported to clients:
 * they tell the near-cache which replies may be cached and which commands make a connection
 * stateful, so that it must keep a dedicated upstream connection.
 */
public enum CommandFlag {
    WRITE("write"),
    READONLY("readonly"),
    DENYOOM("denyoom"),
    ADMIN("admin"),
    PUBSUB("pubsub"),
    NOSCRIPT("noscript"),
    BLOCKING("blocking"),
    LOADING("loading"),
    STALE("stale"),
    SKIP_MONITOR("skip_monitor"),
    SKIP_SLOWLOG("skip_slowlog"),
    FAST("fast"),
    NO_AUTH("no_auth"),
    MAY_REPLICATE("may_replicate"),
    NO_MANDATORY_KEYS("no_mandatory_keys"),
    NO_MULTI("no_multi"),
    MOVABLE_KEYS("movablekeys"),
    ALLOW_BUSY("allow_busy"),

    /** The reply depends only on the keys' values: the near-cache may serve it locally. */
    CACHEABLE(null),
    /** Running it changes the connection's state (db, protocol, subscriptions, MULTI...). */
    STATEFUL(null);

    private final String redisName;

    CommandFlag(String redisName) {
        this.redisName = redisName;
    }

    /** The flag's name in COMMAND INFO, or null for damselfly's own flags. */
    public String redisName() {
        return redisName;
    }
}
