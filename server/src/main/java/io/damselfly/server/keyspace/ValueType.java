package io.damselfly.server.keyspace;

/** The Redis data types, with the names TYPE and SCAN ... TYPE use. */
public enum ValueType {
    STRING("string"),
    LIST("list"),
    SET("set"),
    ZSET("zset"),
    HASH("hash"),
    STREAM("stream");

    private final String redisName;

    ValueType(String redisName) {
        this.redisName = redisName;
    }

    /** The name Redis replies with for TYPE. */
    public String redisName() {
        return redisName;
    }

    /** The type whose Redis name equals {@code name} ignoring case, or null. */
    public static ValueType byRedisName(String name) {
        for (ValueType t : values()) {
            if (t.redisName.equalsIgnoreCase(name)) {
                return t;
            }
        }
        return null;
    }
}
