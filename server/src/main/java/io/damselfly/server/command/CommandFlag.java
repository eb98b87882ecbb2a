package io.damselfly.server.command;

/**
 * Command flags. The first group are Redis's own, named as in Redis's command JSON and listed in
 * the order COMMAND INFO lists them (server.c addReplyFlagsForCommand); they come from the Redis
 * command metadata, never from a family's registration. A few Redis keeps internal and never
 * reports (may_replicate, sentinel, only_sentinel, protected, touches_arbitrary_keys): their
 * {@link #redisName()} is null. MOVABLE_KEYS is derived from the key specs.
 *
 * <p>The last group are damselfly's, declared at registration and never reported to clients.
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
    ASKING("asking"),
    FAST("fast"),
    NO_AUTH("no_auth"),
    MAY_REPLICATE(null),
    SENTINEL(null),
    ONLY_SENTINEL(null),
    NO_MANDATORY_KEYS("no_mandatory_keys"),
    PROTECTED(null),
    NO_ASYNC_LOADING("no_async_loading"),
    NO_MULTI("no_multi"),
    MOVABLE_KEYS("movablekeys"),
    ALLOW_BUSY("allow_busy"),
    TOUCHES_ARBITRARY_KEYS(null),

    /** The reply depends only on the keys' values: the near-cache may serve it locally. */
    CACHEABLE(null),
    /** Running it changes the connection's state (db, protocol, subscriptions, MULTI...). */
    STATEFUL(null),
    /**
     * It runs a script (EVAL, EVALSHA, FCALL and their _RO forms): the handler hands it to the
     * script thread, which holds every shard while it runs, so the executor takes no shard lock
     * for the call (it would only wait for the script thread), and a client blocked in one script
     * may queue the next behind it.
     */
    SCRIPT(null),
    /**
     * It may read keys that its arguments do not name, found only in the values it reads (SORT's
     * BY and GET patterns): the executor then holds every shard, in index order, while it runs.
     */
    ARBITRARY_KEYS(null),
    /**
     * It reads or changes the whole keyspace rather than named keys (KEYS, SCAN, DBSIZE,
     * RANDOMKEY, FLUSHALL, FLUSHDB, SWAPDB): such a command takes shard locks itself, one at a
     * time or all in index order, and a transaction or script that contains one must hold every
     * shard, in index order, for its whole run.
     */
    WHOLE_KEYSPACE(null);

    private final String redisName;

    CommandFlag(String redisName) {
        this.redisName = redisName;
    }

    /** The flag's name in COMMAND INFO, or null when it is never reported. */
    public String redisName() {
        return redisName;
    }

    /** Whether the flag is damselfly's own (declared at registration) rather than Redis's. */
    public boolean isDamselflys() {
        return ordinal() >= CACHEABLE.ordinal();
    }
}
