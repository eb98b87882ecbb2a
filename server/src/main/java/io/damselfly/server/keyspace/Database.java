package io.damselfly.server.keyspace;

/**
 * What a command sees of the keyspace: one database, at one instant. Each call routes the key to
 * its shard; the caller must already hold that shard's lock (the command executor takes the locks
 * of a command's declared keys before running it).
 *
 * <p>A connection keeps one instance and rebinds it before each command ({@link #bind}), so the
 * hot path allocates nothing. {@code now} is fixed for the whole command, as Redis fixes the time
 * per command, so a key cannot expire halfway through one.
 *
 * <p>Lookup flavours follow Redis's lookupKey flags: {@link #read} counts a hit or miss and
 * touches the access clock (lookupKeyRead); {@link #readNoTouch} counts without touching
 * (LOOKUP_NOTOUCH: TYPE, TTL, EXISTS); {@link #find} touches without counting (lookupKeyWrite);
 * {@link #peek} does neither (OBJECT).
 */
public final class Database {
    private final Keyspace keyspace;
    private int index;
    private long now;

    public Database(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    public void bind(int index, long now) {
        this.index = index;
        this.now = now;
    }

    public int index() {
        return index;
    }

    public long now() {
        return now;
    }

    public Keyspace keyspace() {
        return keyspace;
    }

    public Entry read(byte[] key) {
        Entry e = lookup(key, true);
        if (e != null) {
            keyspace.touch(e, now);
        }
        return e;
    }

    public Entry readNoTouch(byte[] key) {
        return lookup(key, true);
    }

    public Entry find(byte[] key) {
        Entry e = lookup(key, false);
        if (e != null) {
            keyspace.touch(e, now);
        }
        return e;
    }

    public Entry peek(byte[] key) {
        return lookup(key, false);
    }

    private Entry lookup(byte[] key, boolean countStats) {
        int hash = Keyspace.hash(key);
        Shard s = keyspace.shardOfHash(hash);
        Entry e = s.lookup(index, key, hash, now);
        if (countStats) {
            s.countLookup(e != null);
        }
        return e;
    }

    /** SET semantics: stores the value, replacing any old value and clearing any expiry. */
    public Entry set(byte[] key, Value value) {
        return set(key, value, Entry.NO_EXPIRY);
    }

    /** Stores the value with an absolute expiry in Unix ms ({@link Entry#NO_EXPIRY} for none). */
    public Entry set(byte[] key, Value value, long expiresAt) {
        int hash = Keyspace.hash(key);
        Shard s = keyspace.shardOfHash(hash);
        Entry e = s.lookup(index, key, hash, now);
        if (e == null) {
            return s.insert(index, key, hash, value, expiresAt, keyspace.initialAccess(now));
        }
        s.replace(index, e, value, expiresAt);
        keyspace.touch(e, now);
        return e;
    }

    /** Replaces the value of an existing entry, keeping its expiry (KEEPTTL, type conversions). */
    public void replaceValue(Entry e, Value value) {
        keyspace.shardOfHash(e.hash).replace(index, e, value, e.expiresAt);
    }

    /** Deletes a key; returns whether a live key was there. */
    public boolean delete(byte[] key) {
        int hash = Keyspace.hash(key);
        Shard s = keyspace.shardOfHash(hash);
        Entry e = s.lookup(index, key, hash, now);
        if (e == null) {
            return false;
        }
        s.remove(index, e);
        return true;
    }

    /** Deletes an entry this database returned. */
    public void delete(Entry e) {
        keyspace.shardOfHash(e.hash).remove(index, e);
    }

    /** Sets or clears ({@link Entry#NO_EXPIRY}) an entry's absolute expiry in Unix ms. */
    public void setExpiry(Entry e, long expiresAt) {
        keyspace.shardOfHash(e.hash).setExpiry(index, e, expiresAt);
    }

    /**
     * Gives {@code to} the access clock (LRU stamp or LFU counter) of {@code from}: RENAME and
     * MOVE move the value object itself in Redis, and its clock goes with it.
     */
    public void inheritAccess(Entry from, Entry to) {
        to.access = from.access;
    }

    /**
     * Tells the shard that an entry's value was changed in place (APPEND, SETRANGE, INCR on an
     * existing value...), with the value's footprint before the change, so memory accounting and
     * the change counter stay right.
     */
    public void valueChanged(Entry e, long footprintBefore) {
        keyspace.shardOfHash(e.hash).valueChanged(e, footprintBefore);
    }
}
