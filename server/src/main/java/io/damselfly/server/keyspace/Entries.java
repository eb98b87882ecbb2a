package io.damselfly.server.keyspace;

import java.util.Arrays;

/**
 * What a {@link KeyTable} slot holds, read without caring which form it is: a {@link
 * StringRecord} (a handle on an off-heap slot) or an {@link ObjectEntry}. One {@code instanceof} per call; the table and
 * the shard use these and nothing outside the keyspace sees either form.
 */
final class Entries {
    /** The expiry of a key without one. */
    static final long NO_EXPIRY = Database.NO_EXPIRY;

    private Entries() {
    }

    static boolean keyEquals(Object entry, byte[] key) {
        return entry instanceof StringRecord r ? r.keyEquals(key) : Arrays.equals(((ObjectEntry) entry).key, key);
    }

    /**
     * Whether two entries are the same one: the same object, or handles on the same record (a
     * record's handle objects are made per lookup).
     */
    static boolean same(Object a, Object b) {
        return a == b || (a instanceof StringRecord r && r.sameAs(b));
    }

    /** Gives an entry's off-heap memory back once it has left its table for good; nothing for an object. */
    static void release(Object entry) {
        if (entry instanceof StringRecord r) {
            r.free();
        }
    }

    /** The key (a copy for a record, the entry's own array otherwise: callers must not change it). */
    static byte[] key(Object entry) {
        return entry instanceof StringRecord r ? r.key() : ((ObjectEntry) entry).key;
    }

    /** The key in a fresh array the caller may keep. */
    static byte[] keyCopy(Object entry) {
        return entry instanceof StringRecord r ? r.key() : ((ObjectEntry) entry).key.clone();
    }

    static long expiresAt(Object entry) {
        return entry instanceof StringRecord r ? r.expiresAt() : ((ObjectEntry) entry).expiresAt();
    }

    static boolean hasExpiry(Object entry) {
        return expiresAt(entry) != NO_EXPIRY;
    }

    static boolean isExpired(Object entry, long now) {
        long at = expiresAt(entry);
        return at != NO_EXPIRY && at <= now;
    }

    static int access(Object entry) {
        return entry instanceof StringRecord r ? r.access() : ((ObjectEntry) entry).access;
    }

    static void setAccess(Object entry, int access) {
        if (entry instanceof StringRecord r) {
            r.setAccess(access);
        } else {
            ((ObjectEntry) entry).access = access;
        }
    }

    static ValueType type(Object entry) {
        return entry instanceof StringRecord ? ValueType.STRING : ((ObjectEntry) entry).value.type();
    }

    /** Bytes of the entry with its key and value (a record's off-heap slot, an object's heap). */
    static long footprint(Object entry) {
        return entry instanceof StringRecord r ? r.footprint() : ((ObjectEntry) entry).footprint();
    }
}
