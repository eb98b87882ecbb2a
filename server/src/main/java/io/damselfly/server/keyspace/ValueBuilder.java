package io.damselfly.server.keyspace;

/**
 * Builds values from their elements for a keyspace, without the caller knowing how the keyspace
 * stores them: what deserializers (RESTORE, RDB loading) are written against. Each collection is
 * built in the encoding Redis would give it after loading (compact within the keyspace's limits,
 * converted past them). The adders answer false for an element already present, which a
 * serialized value never holds: the caller treats that as corrupt input. A value built here is
 * handed to {@link KeyOps#restore}; until then it belongs to the builder's caller alone.
 */
public final class ValueBuilder {
    private final Keyspace keyspace;

    public ValueBuilder(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    /** A string holding {@code bytes} (kept, not copied). */
    public Value string(byte[] bytes) {
        return new StringValue(bytes);
    }

    /** An empty list. */
    public Value list() {
        return new ListValue();
    }

    /** Appends to a list made by {@link #list}. */
    public void listAppend(Value list, byte[] element) {
        ((ListValue) list).pushRight(element);
    }

    /** An empty set whose first member will be {@code first}, in the form Redis picks for it. */
    public Value set(byte[] first) {
        return SetValue.createFor(first);
    }

    /** Adds a member to a set made by {@link #set}: false when it was there. */
    public boolean setAdd(Value set, byte[] member) {
        return ((SetValue) set).add(member, keyspace.setMaxIntSetEntries());
    }

    /** An empty hash. */
    public Value hash() {
        return new HashValue();
    }

    /** Adds a field to a hash made by {@link #hash}: false when it was there. */
    public boolean hashPut(Value hash, byte[] field, byte[] value) {
        return ((HashValue) hash).put(field, value, keyspace.hashLimits());
    }

    /** An empty sorted set. */
    public Value zset() {
        return new SortedSetValue();
    }

    /** Adds a member to a sorted set made by {@link #zset}: false when it was there or the score is NaN. */
    public boolean zsetAdd(Value zset, byte[] member, double score) {
        if (Double.isNaN(score)) {
            return false;
        }
        return ((SortedSetValue) zset).add(member, score, 0, new double[1], keyspace.zsetLimits()) == SortedSetValue.ADDED;
    }
}
