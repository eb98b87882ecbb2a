package io.damselfly.server.keyspace;

/**
 * One key of the keyspace: the key bytes, its value, its expiry and its access clock, chained in
 * an {@link EntryTable} bucket.
 *
 * <p>The layout is the same for every data type: the per-type part is the {@link Value}. Fields are
 * package-private and written only under the owning shard's lock; commands read them through
 * accessors. {@code access} holds either the LRU clock (seconds, 24 bits, as Redis's lru field) or
 * the LFU pair (16-bit minutes, 8-bit log counter), depending on the eviction policy; see
 * {@link AccessClock}.
 */
public final class Entry {
    final byte[] key;
    final int hash;
    Entry next;
    Value value;
    /** Absolute expiry in Unix milliseconds, or {@link #NO_EXPIRY}. */
    long expiresAt;
    int access;

    public static final long NO_EXPIRY = 0L;

    Entry(byte[] key, int hash, Value value) {
        this.key = key;
        this.hash = hash;
        this.value = value;
    }

    public byte[] key() {
        return key;
    }

    public Value value() {
        return value;
    }

    public long expiresAt() {
        return expiresAt;
    }

    public boolean hasExpiry() {
        return expiresAt != NO_EXPIRY;
    }

    boolean isExpired(long nowMillis) {
        return expiresAt != NO_EXPIRY && expiresAt <= nowMillis;
    }

    /** Estimated heap bytes of this entry with its key and value. */
    long footprint() {
        return MemoryLayout.ENTRY + MemoryLayout.byteArray(key.length) + value.footprint();
    }
}
