package io.damselfly.server.keyspace;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-key versions for WATCH, kept only for keys some client watches: a write to any other key
 * costs one emptiness check. A watched key's version moves on every change of the key, including
 * expiry, eviction, FLUSHDB and SWAPDB of its database, so EXEC can compare the version it saw at
 * WATCH with the one it sees now. Guarded by the owning shard's lock.
 */
final class WatchedKeys {
    private record Key(int db, byte[] bytes, int hash) {
        static Key of(int db, byte[] bytes) {
            return new Key(db, bytes, 31 * db + Arrays.hashCode(bytes));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.db == db && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static final class Watch {
        long version;
        int watchers;
        /**
         * The version at which SWAPDB put an expired key where there was none: its watchers then
         * count as having watched an expired key (multi.c sets their {@code expired} flag).
         */
        long expiredBySwapAt = -1;
    }

    /** {@link #touchSwapped}'s verdicts on a watched key. */
    static final int UNCHANGED = 0;
    static final int CHANGED = 1;
    /** An absent key replaced with an expired one: no logical change, but now expired. */
    static final int BECAME_EXPIRED = 2;

    private final Map<Key, Watch> watches = new HashMap<>();
    /** Versions start from a shard-wide counter, so a key unwatched and watched again never repeats one. */
    private long clock;

    boolean isEmpty() {
        return watches.isEmpty();
    }

    long watch(int db, byte[] key) {
        Watch w = watches.computeIfAbsent(Key.of(db, key.clone()), k -> {
            Watch fresh = new Watch();
            fresh.version = ++clock;
            return fresh;
        });
        w.watchers++;
        return w.version;
    }

    void unwatch(int db, byte[] key) {
        Key k = Key.of(db, key);
        Watch w = watches.get(k);
        if (w != null && --w.watchers == 0) {
            watches.remove(k);
        }
    }

    /** The key's version, or -1 when nobody watches it. */
    long version(int db, byte[] key) {
        Watch w = watches.get(Key.of(db, key));
        return w == null ? -1 : w.version;
    }

    void touch(int db, byte[] key) {
        Watch w = watches.get(Key.of(db, key));
        if (w != null) {
            w.version = ++clock;
        }
    }

    /**
     * SWAPDB of {@code db}: moves the version of every watched key {@code verdict} calls {@link
     * #CHANGED}, and marks those it calls {@link #BECAME_EXPIRED}.
     */
    void touchSwapped(int db, java.util.function.ToIntFunction<byte[]> verdict) {
        for (Map.Entry<Key, Watch> e : watches.entrySet()) {
            if (e.getKey().db != db) {
                continue;
            }
            Watch w = e.getValue();
            switch (verdict.applyAsInt(e.getKey().bytes)) {
                case CHANGED -> w.version = ++clock;
                case BECAME_EXPIRED -> w.expiredBySwapAt = w.version;
                default -> {
                }
            }
        }
    }

    /** Whether SWAPDB made the key expired for those who watched it at {@code version}. */
    boolean expiredBySwap(int db, byte[] key, long version) {
        Watch w = watches.get(Key.of(db, key));
        return w != null && w.expiredBySwapAt == version;
    }

    /** Moves the version of every watched key of {@code db} for which {@code changed} holds. */
    void touchDatabase(int db, java.util.function.Predicate<byte[]> changed) {
        for (Map.Entry<Key, Watch> e : watches.entrySet()) {
            if (e.getKey().db == db && changed.test(e.getKey().bytes)) {
                e.getValue().version = ++clock;
            }
        }
    }
}
