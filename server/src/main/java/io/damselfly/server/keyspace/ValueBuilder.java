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

    /** An empty stream. */
    public Value stream() {
        return new StreamValue();
    }

    /** Appends an entry (ids strictly increasing); false when not greater than the last. deleted=true
     *  keeps a deleted entry in its node as RDB files carry them. Node boundaries: newNode=true starts
     *  a new node at this entry. */
    public boolean streamAppend(Value s, long ms, long seq, boolean deleted, boolean newNode, byte[][] fieldsAndValues) {
        return ((StreamValue) s).appendLoaded(ms, seq, deleted, newNode, fieldsAndValues);
    }

    /** Sets a stream's counters, after its entries. */
    public void streamMeta(Value s, long length, long lastMs, long lastSeq, long firstMs, long firstSeq,
                           long maxDeletedMs, long maxDeletedSeq, long entriesAdded) {
        ((StreamValue) s).setMeta(length, lastMs, lastSeq, firstMs, firstSeq, maxDeletedMs, maxDeletedSeq, entriesAdded);
    }

    /** Adds a consumer group; false when the name is a duplicate. */
    public boolean streamGroup(Value s, byte[] name, long lastMs, long lastSeq, long entriesRead) {
        return ((StreamValue) s).createGroup(name, new StreamId(lastMs, lastSeq), entriesRead) != null;
    }

    /** Adds an entry to a group's PEL, not yet owned; false when the group is missing or the ID is there. */
    public boolean streamPending(Value s, byte[] group, long ms, long seq, long deliveryTimeMs, long deliveryCount) {
        StreamValue v = (StreamValue) s;
        StreamValue.Group g = v.group(group);
        StreamId id = new StreamId(ms, seq);
        if (g == null || g.pel.containsKey(id)) {
            return false;
        }
        v.addPending(g, id, null, deliveryTimeMs, deliveryCount);
        return true;
    }

    /** Adds a consumer to a group; false when the group is missing or the consumer exists. */
    public boolean streamConsumer(Value s, byte[] group, byte[] name, long seenTimeMs, long activeTimeMs) {
        StreamValue v = (StreamValue) s;
        StreamValue.Group g = v.group(group);
        if (g == null) {
            return false;
        }
        StreamValue.Consumer c = v.createConsumer(g, name, seenTimeMs);
        if (c == null) {
            return false;
        }
        c.activeTime = activeTimeMs;
        return true;
    }

    /** false when the id is not in the group's PEL or is already owned by a consumer (corrupt input). */
    public boolean streamConsumerPending(Value s, byte[] group, byte[] consumer, long ms, long seq) {
        StreamValue v = (StreamValue) s;
        StreamValue.Group g = v.group(group);
        StreamValue.Consumer c = g == null ? null : g.consumers.get(consumer);
        StreamId id = new StreamId(ms, seq);
        StreamValue.Nack n = g == null ? null : g.pel.get(id);
        if (c == null || n == null || n.consumer != null) {
            return false;
        }
        StreamValue.reassign(n, id, c);
        return true;
    }
}
