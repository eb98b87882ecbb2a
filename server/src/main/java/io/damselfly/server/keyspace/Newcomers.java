package io.damselfly.server.keyspace;

/**
 * The keys a shard added most recently, oldest first: W-TinyLFU's admission window, in the form a
 * sampled-eviction table allows (it has no LRU list to hold a window segment in).
 *
 * <p>Every insert of a new key appends it here (its database, its key array, its table hash);
 * while more than {@code window} newcomers wait, each eviction takes the oldest of them as the
 * candidate of an admission duel against the eviction's own victim ({@link
 * Shard#admissionDuel}). So a newcomer has the time of {@code window} later inserts in its shard
 * to gather accesses before it is judged, as Caffeine's window LRU gives a new entry time before
 * it meets the probation segment's victim. The ring is bounded: when inserts outrun evictions the
 * oldest is dropped, which admits it (without a limit to hold, every newcomer stays anyway).
 *
 * <p>The key arrays are the ones the write stored or came with (a command's argument), held by
 * reference, never changed; a few dozen per shard. Not thread-safe: the shard's lock guards it.
 */
final class Newcomers {
    /** Ring capacity: a window and room for bursts of inserts between two evictions. */
    static final int CAPACITY = 64;

    private final byte[][] keys = new byte[CAPACITY][];
    private final int[] dbs = new int[CAPACITY];
    private final int[] hashes = new int[CAPACITY];
    private int head;
    private int size;

    void add(int db, byte[] key, int hash) {
        if (size == CAPACITY) {
            removeOldest();
        }
        int at = (head + size) & (CAPACITY - 1);
        keys[at] = key;
        dbs[at] = db;
        hashes[at] = hash;
        size++;
    }

    int size() {
        return size;
    }

    byte[] oldestKey() {
        return keys[head];
    }

    int oldestDb() {
        return dbs[head];
    }

    int oldestHash() {
        return hashes[head];
    }

    void removeOldest() {
        keys[head] = null;
        head = (head + 1) & (CAPACITY - 1);
        size--;
    }

    void clear() {
        while (size > 0) {
            removeOldest();
        }
        head = 0;
    }
}
