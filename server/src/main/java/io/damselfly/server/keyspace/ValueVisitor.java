package io.damselfly.server.keyspace;

/**
 * A reader of one value's contents, element by element, without seeing how the keyspace stores
 * it: what serializers (DUMP, RDB snapshots) are written against. {@link KeyOps#dump} calls
 * exactly one of the opening methods, with the element count, then the matching element method
 * that many times. Arrays are lent for the duration of the call: copy what is kept.
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
}
