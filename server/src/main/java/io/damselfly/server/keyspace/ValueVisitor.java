package io.damselfly.server.keyspace;

/**
 * A reader of one value's contents, element by element, without seeing how the keyspace stores
 * it: what serializers (DUMP, RDB snapshots) are written against. {@link KeyOps#dump} calls
 * exactly one of the opening methods, with the element count, then the matching element method
 * that many times. Arrays are lent for the duration of the call: copy what is kept. The stream
 * methods have throwing defaults only so that visitors written before streams still compile;
 * every serializer overrides them.
 */
public interface ValueVisitor {

    /** A string value: its bytes. */
    void string(byte[] value, int offset, int length);

    /** A list of {@code size} elements, which follow head to tail through {@link #listElement}. */
    void list(int size);

    void listElement(byte[] element);

    /**
     * A set of {@code size} members, which follow through {@link #setMember}; {@code intset} says
     * every member is the decimal text of a long and the set is in Redis's intset encoding
     * (members then come in ascending order).
     */
    void set(int size, boolean intset);

    void setMember(byte[] member);

    /**
     * A hash of {@code size} fields, which follow with their values through {@link #hashField};
     * {@code compact} says it is in Redis's listpack encoding.
     */
    void hash(int size, boolean compact);

    void hashField(byte[] field, int fieldOffset, int fieldLength, byte[] value, int valueOffset, int valueLength);

    /**
     * A sorted set of {@code size} members, which follow in rank order through {@link
     * #zsetEntry}; {@code compact} says it is in Redis's listpack encoding.
     */
    void zset(int size, boolean compact);

    void zsetEntry(byte[] member, int offset, int length, double score);

    /** A stream in Redis's RDB order: `nodes` nodes, each as streamNode then its entries, then
     *  streamMeta, then `groups` groups, each as streamGroup, its pending entries, its consumers
     *  (each as streamConsumer then the ids it owns). */
    default void stream(int nodes, int groups) {
        throw new UnsupportedOperationException("this visitor does not read streams");
    }

    /** A node: its master ID and its entries, live plus deleted, which follow through {@link #streamEntry}. */
    default void streamNode(long masterMs, long masterSeq, int entries) {
        throw new UnsupportedOperationException("this visitor does not read streams");
    }

    /** An entry of the node last opened: its ID, whether it is deleted, and f1, v1, f2, v2... */
    default void streamEntry(long ms, long seq, boolean deleted, byte[][] fieldsAndValues) {
        throw new UnsupportedOperationException("this visitor does not read streams");
    }

    /** The stream's counters and IDs, after its nodes. */
    default void streamMeta(long length, long lastMs, long lastSeq, long firstMs, long firstSeq,
                    long maxDeletedMs, long maxDeletedSeq, long entriesAdded) {
        throw new UnsupportedOperationException("this visitor does not read streams");
    }

    /** A consumer group; entriesRead -1 means unknown. Its PEL and consumers follow. */
    default void streamGroup(byte[] name, long lastMs, long lastSeq, long entriesRead, int pending, int consumers) {
        throw new UnsupportedOperationException("this visitor does not read streams");
    }

    /** An entry of the group's PEL, in ID order. */
    default void streamPending(long ms, long seq, long deliveryTimeMs, long deliveryCount) {
        throw new UnsupportedOperationException("this visitor does not read streams");
    }

    /** A consumer of the group last opened; the IDs it owns follow through {@link #streamConsumerPending}. */
    default void streamConsumer(byte[] name, long seenTimeMs, long activeTimeMs, int pending) {
        throw new UnsupportedOperationException("this visitor does not read streams");
    }

    /** An ID of the consumer's PEL, in ID order. */
    default void streamConsumerPending(long ms, long seq) {
        throw new UnsupportedOperationException("this visitor does not read streams");
    }
}
