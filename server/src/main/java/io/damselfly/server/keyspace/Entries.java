package io.damselfly.server.keyspace;

import java.util.Arrays;

/**
 * What a {@link KeyTable} slot holds, read without caring which form it is: a {@code byte[]}
 * {@link StringRecord} or an {@link ObjectEntry}. One {@code instanceof} per call; the table and
 * the shard use these and nothing outside the keyspace sees either form.
 */
final class Entries {
    /** The expiry of a key without one. */
    static final long NO_EXPIRY = Database.NO_EXPIRY;

    private Entries() {
    }

    static boolean keyEquals(Object entry, byte[] key) {
        return entry instanceof byte[] r ? StringRecord.keyEquals(r, key) : Arrays.equals(((ObjectEntry) entry).key, key);
    }

    /** The key (a copy for a record, the entry's own array otherwise: callers must not change it). */
    static byte[] key(Object entry) {
        return entry instanceof byte[] r ? StringRecord.key(r) : ((ObjectEntry) entry).key;
    }

    /** The key in a fresh array the caller may keep. */
    static byte[] keyCopy(Object entry) {
        return entry instanceof byte[] r ? StringRecord.key(r) : ((ObjectEntry) entry).key.clone();
    }

    static long expiresAt(Object entry) {
        return entry instanceof byte[] r ? StringRecord.expiresAt(r) : ((ObjectEntry) entry).expiresAt;
    }

    static boolean hasExpiry(Object entry) {
        return expiresAt(entry) != NO_EXPIRY;
    }

    static boolean isExpired(Object entry, long now) {
        long at = expiresAt(entry);
        return at != NO_EXPIRY && at <= now;
    }

    static int access(Object entry) {
        return entry instanceof byte[] r ? StringRecord.access(r) : ((ObjectEntry) entry).access;
    }

    static void setAccess(Object entry, int access) {
        if (entry instanceof byte[] r) {
            StringRecord.setAccess(r, access);
        } else {
            ((ObjectEntry) entry).access = access;
        }
    }

    static ValueType type(Object entry) {
        return entry instanceof byte[] ? ValueType.STRING : ((ObjectEntry) entry).value.type();
    }

    /** Heap bytes of the entry with its key and value. */
    static long footprint(Object entry) {
        return entry instanceof byte[] r ? StringRecord.footprint(r) : ((ObjectEntry) entry).footprint();
    }
}
