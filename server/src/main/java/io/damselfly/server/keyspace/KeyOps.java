package io.damselfly.server.keyspace;

import java.util.Arrays;

/**
 * Operations on keys of any type in one {@link Database} (Redis's db.c and expire.c, below the
 * reply layer): existence, deletion, type, renaming and copying, expiry, and introspection. The
 * caller holds the shard locks of every key named (RENAME's two keys, MOVE's key in both
 * databases: a key lives in the same shard in every database).
 */
public final class KeyOps {
    /** Answers of {@link #expiryOf}: the key is missing, or it has no expiry. */
    public static final long MISSING = -2;
    public static final long PERSISTENT = -1;

    /** EXPIRE's conditions, as option bits for {@link #expire}. */
    public static final int EXPIRE_NX = 1;
    public static final int EXPIRE_XX = 2;
    public static final int EXPIRE_GT = 4;
    public static final int EXPIRE_LT = 8;

    private final Database db;

    KeyOps(Database db) {
        this.db = db;
    }

    /** DEL: whether a live key was there. */
    public boolean delete(byte[] key) {
        Object e = db.find(key);
        if (e == null) {
            return false;
        }
        db.remove(key, e, KeyEvent.DEL);
        return true;
    }

    /**
     * UNLINK (and DEL under lazyfree-lazy-user-del): DEL that counts the value in INFO's
     * lazyfreed_objects when Redis would free it in the background.
     */
    public boolean unlink(byte[] key) {
        Object e = db.find(key);
        if (e == null) {
            return false;
        }
        db.keyspace().countLazyFree(true, e); // before the removal releases the entry
        db.remove(key, e, KeyEvent.DEL);
        return true;
    }

    /** EXISTS: counts a hit or miss, leaves the access clock alone. */
    public boolean exists(byte[] key) {
        return db.readNoTouch(key) != null;
    }

    /** Whether a key exists, as a write command's lookup sees it (touches, counts nothing). */
    public boolean existsForWrite(byte[] key) {
        return db.find(key) != null;
    }

    /** TYPE: the key's type, or null when it is missing. */
    public ValueType type(byte[] key) {
        Object e = db.readNoTouch(key);
        return e == null ? null : Entries.type(e);
    }

    /** TOUCH: a read that counts and touches; whether the key exists. */
    public boolean touch(byte[] key) {
        return db.read(key) != null;
    }

    // ---- renaming, copying, moving ---------------------------------------------------------

    /**
     * RENAME and RENAMENX ({@code onlyIfAbsent}): NO_SUCH_KEY, NOT_DONE when RENAMENX finds the
     * new name taken, or OK. The value keeps its expiry and access clock (Redis moves the object).
     */
    public OpStatus rename(byte[] key, byte[] newKey, boolean onlyIfAbsent) {
        Object src = db.find(key);
        if (src == null) {
            return OpStatus.NO_SUCH_KEY;
        }
        if (Arrays.equals(key, newKey)) {
            return onlyIfAbsent ? OpStatus.NOT_DONE : OpStatus.OK;
        }
        Object dst = db.find(newKey);
        if (dst != null && onlyIfAbsent) {
            return OpStatus.NOT_DONE;
        }
        Object moved = rekeyed(src, newKey);
        db.remove(key, src, KeyEvent.RENAME_FROM);
        db.countChanges(key, 0); // Redis counts a rename once, for the new name
        db.put(newKey, dst, moved, KeyEvent.RENAME_TO);
        return OpStatus.OK;
    }

    /**
     * COPY to {@code target} (this database or another): NOT_DONE when the source is missing or
     * the destination exists and {@code replace} is off. The copy shares nothing with the
     * original and starts a fresh access clock, as Redis's dup*Object.
     */
    public OpStatus copy(byte[] key, Database target, byte[] newKey, boolean replace) {
        Object src = db.read(key);
        if (src == null) {
            return OpStatus.NOT_DONE;
        }
        Object dst = target.find(newKey);
        if (dst != null && !replace) {
            return OpStatus.NOT_DONE;
        }
        Object copy;
        if (src instanceof StringRecord r) {
            copy = target.rekeyedString(r, newKey, target.initialAccess());
        } else {
            ObjectEntry o = (ObjectEntry) src;
            copy = ObjectEntry.of(newKey, o.value.copy(), o.expiresAt(), target.initialAccess());
        }
        target.put(newKey, dst, copy, KeyEvent.COPY_TO);
        return OpStatus.OK;
    }

    /** MOVE to {@code target}: NOT_DONE when the key is missing here or exists there. */
    public OpStatus move(byte[] key, Database target) {
        Object e = db.find(key);
        if (e == null || target.find(key) != null) {
            return OpStatus.NOT_DONE;
        }
        // a record is copied first: removing it gives its slot back
        Object moved = e instanceof StringRecord r ? target.rekeyedString(r, key, r.access()) : e;
        db.remove(key, e, KeyEvent.MOVE_FROM);
        db.countChanges(key, 0); // Redis counts a move once, for its arrival
        target.insert(key, moved, KeyEvent.MOVE_TO);
        return OpStatus.OK;
    }

    /** The same value, expiry and access clock under another key. */
    private Object rekeyed(Object e, byte[] newKey) {
        if (e instanceof StringRecord r) {
            return db.rekeyedString(r, newKey, r.access());
        }
        ObjectEntry o = (ObjectEntry) e;
        return ObjectEntry.of(newKey, o.value, o.expiresAt(), o.access);
    }

    // ---- serialization: DUMP and RESTORE ----------------------------------------------------

    /**
     * DUMP's lookup (a counted, touching read): walks the key's value through {@code visitor};
     * false when the key is missing.
     */
    public boolean dump(byte[] key, ValueVisitor visitor) {
        Object e = db.read(key);
        if (e == null) {
            return false;
        }
        visit(e, visitor);
        return true;
    }

    /**
     * MIGRATE's lookup: DUMP's read of the key (counted, touching) walking its value through
     * {@code visitor}, and the key's absolute expiry in Unix ms; {@link #MISSING} when the key is
     * missing, {@link #PERSISTENT} when it has no expiry.
     */
    public long dumpWithExpiry(byte[] key, ValueVisitor visitor) {
        Object e = db.read(key);
        if (e == null) {
            return MISSING;
        }
        visit(e, visitor);
        long at = Entries.expiresAt(e);
        return at == Database.NO_EXPIRY ? PERSISTENT : at;
    }

    /** Walks an entry's value through a visitor (see {@link ValueVisitor} for the order of calls). */
    static void visit(Object e, ValueVisitor v) {
        if (e instanceof StringRecord r) {
            byte[] value = r.value();
            v.string(value, 0, value.length);
            return;
        }
        visit(((ObjectEntry) e).value, v);
    }

    /**
     * Walks a value through a visitor, as {@link #dump} walks a key's: for serializers of values
     * that are in no keyspace (the command form of an AOF rewrite reads values made by a {@link
     * ValueBuilder} from an RDB file).
     */
    public static void visit(Value value, ValueVisitor v) {
        if (value instanceof StringValue s) {
            v.string(s.array(), 0, s.length());
        } else if (value instanceof ListValue l) {
            int n = l.size();
            v.list(n);
            for (int i = 0; i < n; i++) {
                v.listElement(l.get(i));
            }
        } else if (value instanceof SetValue s) {
            v.set(s.size(), s.isIntSet());
            s.forEach(v::setMember);
        } else if (value instanceof HashValue h) {
            v.hash(h.size(), h.encoding().equals("listpack"));
            h.forEach(v::hashField);
        } else if (value instanceof SortedSetValue z) {
            v.zset(z.size(), z.isCompact());
            z.forRanks(0, z.size() - 1, false, v::zsetEntry);
        } else if (value instanceof StreamValue st) {
            st.visit(v);
        } else {
            throw new IllegalStateException("no serialized form for " + value.type());
        }
    }

    /**
     * RESTORE's write, after the caller checked that the key is free or {@code replace} is on:
     * puts {@code value} (made by a {@link ValueBuilder}) under the key with an absolute expiry
     * ({@link Database#NO_EXPIRY} for none). An expiry already past only deletes what was there, as
     * Redis does. {@code idleSeconds} (under an LRU policy) or {@code frequency} (under LFU), when
     * not negative, set the access clock as Redis's objectSetLRUOrLFU.
     */
    public void restore(byte[] key, Value value, long expiresAt, long idleSeconds, int frequency) {
        Object old = db.find(key);
        if (expiresAt != Database.NO_EXPIRY && expiresAt <= db.now() && !db.keyspace().storesPastExpiries()) {
            if (old != null) {
                db.remove(key, old, KeyEvent.DEL);
            }
            return;
        }
        int access = restoredAccess(idleSeconds, frequency);
        Object entry = value instanceof StringValue s
                ? db.newString(key, s.length() == s.array().length ? s.array() : s.toByteArray(), expiresAt, access)
                : ObjectEntry.of(key, value, expiresAt, access);
        if (old == null) {
            db.insert(key, entry, KeyEvent.RESTORE);
        } else {
            // Redis deletes the old value silently, then adds the key anew ("new", then "restore")
            db.announce(key, KeyEvent.NEW);
            db.put(key, old, entry, KeyEvent.RESTORE);
        }
        if (frequency >= 0) {
            db.seedFrequency(key, frequency);
        }
    }

    private int restoredAccess(long idleSeconds, int frequency) {
        Keyspace ks = db.keyspace();
        int access = db.initialAccess();
        if (ks.isLfu()) {
            // the current minute in the high bits, as lfuInitial put it, with the counter given
            return frequency >= 0 ? (access & ~0xFF) | frequency : access;
        }
        if (idleSeconds < 0) {
            return access;
        }
        long clock = AccessClock.lruStamp(db.now());
        long stamp = clock - idleSeconds;
        if (stamp < 0) {
            // objectSetLRUOrLFU's answer to an idle time longer than the clock: half a wrap back
            stamp = (clock + AccessClock.LRU_CLOCK_MAX / 2) % AccessClock.LRU_CLOCK_MAX;
        }
        return (int) stamp;
    }

    // ---- expiry ----------------------------------------------------------------------------

    /**
     * EXPIRE and its forms, with an absolute time in Unix ms and {@link #EXPIRE_NX} ... {@link
     * #EXPIRE_LT} conditions: whether the expiry was set (a time already past deletes the key,
     * which also counts as set, as in Redis). No expiry counts as infinite for GT and LT.
     */
    public boolean expire(byte[] key, long when, int conditions) {
        Object e = db.find(key);
        if (e == null) {
            return false;
        }
        if (conditions != 0) {
            long current = Entries.expiresAt(e);
            boolean persistent = current == Database.NO_EXPIRY;
            if (((conditions & EXPIRE_NX) != 0 && !persistent)
                    || ((conditions & EXPIRE_XX) != 0 && persistent)
                    || ((conditions & EXPIRE_GT) != 0 && (persistent || when <= current))
                    || ((conditions & EXPIRE_LT) != 0 && !persistent && when >= current)) {
                return false;
            }
        }
        // checkAlreadyExpired: a past time deletes the key, except while an AOF is replayed (the
        // key keeps the commands after it and expires once the load is done) and on a replica
        if (when <= db.now() && !db.keyspace().storesPastExpiries()) {
            db.remove(key, e, KeyEvent.DEL);
        } else {
            db.setExpiry(key, e, when, KeyEvent.EXPIRE);
        }
        return true;
    }

    /** PERSIST: whether an expiry was removed. */
    public boolean persist(byte[] key) {
        Object e = db.find(key);
        if (e == null || !Entries.hasExpiry(e)) {
            return false;
        }
        db.setExpiry(key, e, Database.NO_EXPIRY, KeyEvent.PERSIST);
        return true;
    }

    /** TTL's lookup: {@link #MISSING}, {@link #PERSISTENT}, or the absolute expiry in Unix ms. */
    public long expiryOf(byte[] key) {
        Object e = db.readNoTouch(key);
        if (e == null) {
            return MISSING;
        }
        long at = Entries.expiresAt(e);
        return at == Database.NO_EXPIRY ? PERSISTENT : at;
    }

    // ---- introspection ---------------------------------------------------------------------

    /**
     * What OBJECT reports of a key, read without touching it: its encoding, idle seconds and LFU
     * counter, and whether Redis would answer it from its shared integers (0..9999, int-encoded).
     */
    public record ObjectInfo(String encoding, long idleSeconds, int frequency, boolean sharedInteger) {
    }

    /** OBJECT's lookup: the key's introspection, or null when it is missing. */
    public ObjectInfo object(byte[] key) {
        Object e = db.readNoTouch(key);
        return e == null ? null : info(key, e);
    }

    /**
     * DEBUG OBJECT's look at a key (debug.c's dictFind): found even when its time has passed,
     * and then left in place; no hit or miss counted, the access clock not touched. The value is
     * walked through {@code visitor} (for its serialized length); null when there is no such key.
     */
    public ObjectInfo debugObject(byte[] key, ValueVisitor visitor) {
        Object e = db.peekEvenExpired(key);
        if (e == null) {
            return null;
        }
        visit(e, visitor);
        return info(key, e);
    }

    private ObjectInfo info(byte[] key, Object e) {
        Keyspace ks = db.keyspace();
        String encoding;
        boolean shared = false;
        if (e instanceof StringRecord r) {
            encoding = r.encoding();
            if (encoding.equals("int")) {
                Long v = r.canonicalLong();
                shared = v != null && v >= 0 && v < SHARED_INTEGERS;
            }
        } else {
            encoding = ((ObjectEntry) e).value.encoding();
        }
        int frequency = ks.isSketching() ? db.sketchFrequency(key) : ks.frequency(e, db.now());
        return new ObjectInfo(encoding, ks.idleSeconds(e, db.now()), frequency, shared);
    }

    /** MEMORY USAGE's lookup: the heap bytes of the key's entry, key and value, or -1 when it is missing. */
    public long memoryUsage(byte[] key) {
        Object e = db.readNoTouch(key);
        return e == null ? -1 : Entries.footprint(e);
    }

    /** Redis's OBJ_SHARED_INTEGERS: integers 0..9999 are shared objects. */
    private static final int SHARED_INTEGERS = 10_000;
}
