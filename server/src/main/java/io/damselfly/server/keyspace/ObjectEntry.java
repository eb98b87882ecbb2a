package io.damselfly.server.keyspace;

/**
 * A key whose value is an object: every collection type, and strings grown in place (APPEND,
 * SETRANGE: a {@link StringValue} with spare capacity). Strings set whole are {@link
 * StringRecord}s instead; both stand in the same {@link KeyTable} slots. Written only under the
 * owning shard's lock.
 */
final class ObjectEntry {
    final byte[] key;
    Value value;
    /** Absolute expiry in Unix ms, or {@link Entries#NO_EXPIRY}. */
    long expiresAt;
    /** The access clock: an LRU stamp or LFU counter, see {@link AccessClock}. */
    int access;

    ObjectEntry(byte[] key, Value value, long expiresAt, int access) {
        this.key = key;
        this.value = value;
        this.expiresAt = expiresAt;
        this.access = access;
    }

    /** Heap bytes of this entry, its key and its value. */
    long footprint() {
        return MemoryLayout.OBJECT_ENTRY + MemoryLayout.byteArray(key.length) + value.footprint();
    }
}
