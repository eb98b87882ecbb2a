package io.damselfly.server.keyspace;

import java.util.Arrays;

/**
 * Bytes as a hash-map key: compared by content, hashed once (a {@code byte[]} itself compares by
 * identity). For maps keyed by a key or member name outside the keyspace's own tables.
 */
public record ByteKey(byte[] bytes, int hash) {
    public static ByteKey of(byte[] bytes) {
        return new ByteKey(bytes, Arrays.hashCode(bytes));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
