package io.damselfly.server.keyspace;

/**
 * What an {@link ObjectEntry} holds: one implementation per data type (StringValue now; ListValue,
 * HashValue, SetValue, SortedSetValue and StreamValue as those types arrive), all behind the same
 * entry layout so expiry, eviction, accounting, RDB and the near-cache treat every type alike.
 */
public interface Value {

    /** The Redis type, for TYPE and WRONGTYPE checks. */
    ValueType type();

    /** The encoding name OBJECT ENCODING reports, as Redis would for the same content. */
    String encoding();

    /**
     * Estimated heap bytes this value retains, counted by the shard's memory accounting. Kept up to
     * date incrementally by the value itself: O(1) to read, however large the collection.
     */
    long footprint();

    /** Whether the value is an empty collection, which the write path removes with its key. */
    default boolean isEmpty() {
        return false;
    }

    /**
     * A deep copy that shares no mutable state with this value and reports the same encoding
     * (COPY duplicates values this way, as Redis's dup*Object functions do).
     */
    Value copy();
}
