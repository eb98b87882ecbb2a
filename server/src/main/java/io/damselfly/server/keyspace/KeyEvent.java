package io.damselfly.server.keyspace;

/**
 * What happened to a key, as the keyspace's write hook reports it to {@link KeyspaceObserver}s:
 * one constant per event Redis names in its keyspace notifications ({@code __keyevent@0__:set}),
 * with the class letter of {@code notify-keyspace-events} it belongs to.
 */
public enum KeyEvent {
    /** A key that did not exist was created (Redis's "new", class n). */
    NEW("new", 'n'),
    SET("set", '$'),
    APPEND("append", '$'),
    SETRANGE("setrange", '$'),
    /** PFADD, and PFMERGE's write of its destination (Redis names both "pfadd"). */
    PFADD("pfadd", '$'),
    /**
     * PFCOUNT stored the cardinality it computed in the key's header: a change Redis signals
     * (WATCH, client tracking) without notifying it, so it has no event name and is never published.
     */
    PFCOUNT_CACHE(null, '$'),
    /**
     * DEBUG POPULATE created the key with dbAdd: signalled (WATCH, client tracking) and announced
     * only as "new", so it has no event name of its own and is never published.
     */
    POPULATED(null, '$'),
    INCRBY("incrby", '$'),
    INCRBYFLOAT("incrbyfloat", '$'),
    /** SETBIT, or a BITFIELD that changed a field (BITOP's destination is a "set"). */
    SETBIT("setbit", '$'),
    HSET("hset", 'h'),
    HDEL("hdel", 'h'),
    HINCRBY("hincrby", 'h'),
    HINCRBYFLOAT("hincrbyfloat", 'h'),
    LPUSH("lpush", 'l'),
    RPUSH("rpush", 'l'),
    LPOP("lpop", 'l'),
    RPOP("rpop", 'l'),
    LSET("lset", 'l'),
    LREM("lrem", 'l'),
    LTRIM("ltrim", 'l'),
    LINSERT("linsert", 'l'),
    /** SORT ... STORE wrote its destination (a list). */
    SORTSTORE("sortstore", 'l'),
    SADD("sadd", 's'),
    SREM("srem", 's'),
    SPOP("spop", 's'),
    SINTERSTORE("sinterstore", 's'),
    SUNIONSTORE("sunionstore", 's'),
    SDIFFSTORE("sdiffstore", 's'),
    ZADD("zadd", 'z'),
    ZINCR("zincr", 'z'),
    ZREM("zrem", 'z'),
    ZREMRANGEBYRANK("zremrangebyrank", 'z'),
    ZREMRANGEBYSCORE("zremrangebyscore", 'z'),
    ZREMRANGEBYLEX("zremrangebylex", 'z'),
    ZPOPMIN("zpopmin", 'z'),
    ZPOPMAX("zpopmax", 'z'),
    ZRANGESTORE("zrangestore", 'z'),
    ZUNIONSTORE("zunionstore", 'z'),
    ZINTERSTORE("zinterstore", 'z'),
    ZDIFFSTORE("zdiffstore", 'z'),
    /** GEORADIUS / GEORADIUSBYMEMBER ... STORE or STOREDIST wrote its destination. */
    GEORADIUSSTORE("georadiusstore", 'z'),
    /** GEOSEARCHSTORE wrote its destination. */
    GEOSEARCHSTORE("geosearchstore", 'z'),
    XADD("xadd", 't'),
    XTRIM("xtrim", 't'),
    XDEL("xdel", 't'),
    // the stream IDs' and groups' changes Redis notifies without signalModifiedKey
    XSETID("xsetid", 't', false),
    XGROUP_CREATE("xgroup-create", 't', false),
    /** XGROUP CREATE ... MKSTREAM creating its key: that creation is signalled, as any. */
    XGROUP_CREATE_MKSTREAM("xgroup-create", 't'),
    XGROUP_CREATECONSUMER("xgroup-createconsumer", 't', false),
    XGROUP_DELCONSUMER("xgroup-delconsumer", 't', false),
    XGROUP_DESTROY("xgroup-destroy", 't', false),
    XGROUP_SETID("xgroup-setid", 't', false),
    DEL("del", 'g'),
    EXPIRE("expire", 'g'),
    PERSIST("persist", 'g'),
    RENAME_FROM("rename_from", 'g'),
    RENAME_TO("rename_to", 'g'),
    MOVE_FROM("move_from", 'g'),
    MOVE_TO("move_to", 'g'),
    COPY_TO("copy_to", 'g'),
    RESTORE("restore", 'g'),
    /** Deleted because its time passed (class x). */
    EXPIRED("expired", 'x'),
    /** Deleted to make room at maxmemory (class e). */
    EVICTED("evicted", 'e'),
    /** A read found no key (class m, not part of A): given to observers as {@link KeyspaceObserver#keyMissed}, not as a change. */
    KEYMISS("keymiss", 'm');

    private final String redisName;
    private final char notifyClass;
    private final boolean signalsModified;

    KeyEvent(String redisName, char notifyClass) {
        this(redisName, notifyClass, true);
    }

    KeyEvent(String redisName, char notifyClass, boolean signalsModified) {
        this.redisName = redisName;
        this.notifyClass = notifyClass;
        this.signalsModified = signalsModified;
    }

    /**
     * Whether the change is a modification of the key as Redis's signalModifiedKey makes one:
     * WATCH sees it and client tracking invalidates the key. False for the stream changes Redis
     * only notifies (XSETID, XGROUP's subcommands on an existing key): a transaction WATCHing the
     * stream still commits, as in Redis.
     */
    public boolean signalsModified() {
        return signalsModified;
    }

    /** The event name in Redis's keyspace notifications. */
    public String redisName() {
        return redisName;
    }

    /** The notify-keyspace-events class letter that enables this event. */
    public char notifyClass() {
        return notifyClass;
    }
}
