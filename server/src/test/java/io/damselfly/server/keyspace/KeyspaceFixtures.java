package io.damselfly.server.keyspace;

/**
 * What tests of other packages need of the keyspace's insides: a key of a type no command
 * creates yet, and a key's expiry read without counting a lookup. Test code only; production
 * code sees entries through the typed operations alone.
 */
public final class KeyspaceFixtures {
    private KeyspaceFixtures() {
    }

    /** Stores an arbitrary value under a key (replacing any), with all shards of the keyspace locked. */
    public static void put(Keyspace ks, int db, byte[] key, Value value) {
        ks.lockAll();
        try {
            Database d = ks.database(db, System.currentTimeMillis());
            Object old = d.peek(key);
            d.put(key, old, ObjectEntry.of(key, value, Database.NO_EXPIRY, d.initialAccess()), KeyEvent.SET);
        } finally {
            ks.unlockAll();
        }
    }

    /** The key's absolute expiry in Unix ms; -1 without one, -2 when the key is absent. Counts nothing. */
    public static long expiresAt(Keyspace ks, int db, byte[] key) {
        ks.lockAll();
        try {
            Object e = ks.database(db, System.currentTimeMillis()).peek(key);
            return e == null ? -2 : Entries.hasExpiry(e) ? Entries.expiresAt(e) : -1;
        } finally {
            ks.unlockAll();
        }
    }
}
