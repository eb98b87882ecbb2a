package io.damselfly.server.keyspace;

/**
 * A key whose value is an object: every collection type, and strings grown in place (APPEND,
 * SETRANGE: a {@link StringValue} with spare capacity). Strings set whole are {@link
 * StringRecord}s instead; both stand in the same {@link KeyTable} slots. Written only under the
 * owning shard's lock.
 *
 * <p>An entry made without an expiry has no field for one (24 bytes); a key given an expiry gets
 * an {@link Expiring} entry in its place (32 bytes), as a string record gets its expiry field, and
 * keeps that form (PERSIST clears the field). Most collections never expire, and the 8 bytes were
 * 8 of the 112 a small hash cost besides its entries' bytes (entry, key, value object, array
 * header, table slots).
 */
class ObjectEntry {
    final byte[] key;
    Value value;
    /** The access clock: an LRU stamp or LFU counter, see {@link AccessClock}. */
    int access;

    private ObjectEntry(byte[] key, Value value, int access) {
        this.key = key;
        this.value = value;
        this.access = access;
    }

    /** An entry in the form its expiry calls for: {@code expiresAt} in Unix ms, or {@link Entries#NO_EXPIRY}. */
    static ObjectEntry of(byte[] key, Value value, long expiresAt, int access) {
        return expiresAt == Entries.NO_EXPIRY ? new ObjectEntry(key, value, access) : new Expiring(key, value, expiresAt, access);
    }

    /** Absolute expiry in Unix ms, or {@link Entries#NO_EXPIRY}. */
    long expiresAt() {
        return Entries.NO_EXPIRY;
    }

    /** Heap bytes of this entry, its key and its value. */
    long footprint() {
        return MemoryLayout.OBJECT_ENTRY + MemoryLayout.byteArray(key.length) + value.footprint();
    }

    /** An object entry with an expiry field. */
    static final class Expiring extends ObjectEntry {
        /** Absolute expiry in Unix ms, or {@link Entries#NO_EXPIRY}. */
        long expiresAt;

        Expiring(byte[] key, Value value, long expiresAt, int access) {
            super(key, value, access);
            this.expiresAt = expiresAt;
        }

        @Override
        long expiresAt() {
            return expiresAt;
        }

        @Override
        long footprint() {
            return MemoryLayout.EXPIRING_OBJECT_ENTRY + MemoryLayout.byteArray(key.length) + value.footprint();
        }
    }
}
