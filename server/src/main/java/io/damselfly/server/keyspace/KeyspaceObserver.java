package io.damselfly.server.keyspace;

/**
 * Sees every change of every key, from the one place each shard funnels its writes through
 * ({@link Shard}'s write hook): the consumers are client tracking and the near-cache
 * (invalidations), keyspace notifications, blocking pops (key-ready signals) and snapshots
 * (copy-on-write before a change).
 *
 * <p>Both calls run on the writing thread with the key's shard locked: they must be quick, must
 * not block, and must not call back into the keyspace. The key array must not be changed or kept
 * beyond the call without copying.
 */
public interface KeyspaceObserver {
    /** Before a key of {@code db} is changed or removed (a snapshot saves the old value first). */
    default void beforeChange(int db, byte[] key) {
    }

    /** After a key of {@code db} was changed, created or removed. */
    void keyChanged(int db, byte[] key, KeyEvent event);

    /** Every key of {@code db} may have changed at once (FLUSHDB, FLUSHALL, SWAPDB). */
    default void databaseChanged(int db) {
    }

    /**
     * A FLUSHDB, FLUSHALL or SWAPDB finished: once per command, after its {@link #databaseChanged}
     * calls (client tracking sends one "everything changed" per flush, as Redis).
     */
    default void keyspaceFlushed() {
    }

    /**
     * A read lookup of {@code db} found no key (Redis's keymiss; the lookups that count
     * keyspace_misses). Nothing changed: only keyspace notifications care.
     */
    default void keyMissed(int db, byte[] key) {
    }
}
