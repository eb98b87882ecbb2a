package io.damselfly.server.keyspace;

/**
 * The string operations of one {@link Database} (Redis's t_string.c, below the reply layer):
 * each takes keys and plain arguments, runs on the key's shard (locked by the caller) and
 * answers a value, a view or a status. Strings set whole are {@link StringRecord}s; strings grown
 * in place become {@link StringValue}s in an {@link ObjectEntry}, as Redis turns them "raw".
 */
public final class StringOps {
    /** SET's conditions and KEEPTTL, as option bits for {@link #set(byte[], byte[], long, int)}. */
    public static final int IF_ABSENT = 1;
    public static final int IF_PRESENT = 2;
    public static final int KEEP_TTL = 4;

    private final Database db;

    StringOps(Database db) {
        this.db = db;
    }

    /**
     * GET: the value (a view valid until the shard lock is released), null when the key is
     * missing, or {@link StringView#WRONG_TYPE}.
     */
    public StringView get(byte[] key) {
        Object e = db.read(key);
        return e == null ? null : db.viewOf(e);
    }

    /**
     * SET key value: stores the value, replacing any old value of any type and its expiry. The
     * value array becomes the keyspace's (a large one is kept as it is): pass one nobody else holds.
     */
    public void set(byte[] key, byte[] value) {
        write(key, db.find(key), value, Database.NO_EXPIRY, KeyEvent.SET);
    }

    /**
     * Stores the value with an absolute expiry ({@link Database#NO_EXPIRY} for none). An expiry
     * already past is stored all the same, as Redis 7.0 does: no client can tell, but a replica
     * can, since the write propagates (SET key value PXAT ms) and so does the deletion when the
     * next lookup or the expiry cycle finds the key expired (DEL key).
     */
    public void set(byte[] key, byte[] value, long expiresAt) {
        store(key, db.find(key), value, expiresAt, expiresAt != Database.NO_EXPIRY);
    }

    /**
     * SET with conditions: {@link #IF_ABSENT} (NX), {@link #IF_PRESENT} (XX), {@link #KEEP_TTL};
     * returns whether the value was stored.
     */
    public boolean set(byte[] key, byte[] value, long expiresAt, int options) {
        Object old = db.find(key);
        if (((options & IF_ABSENT) != 0 && old != null) || ((options & IF_PRESENT) != 0 && old == null)) {
            return false;
        }
        boolean expireGiven = expiresAt != Database.NO_EXPIRY && (options & KEEP_TTL) == 0;
        if ((options & KEEP_TTL) != 0) {
            expiresAt = old == null ? Database.NO_EXPIRY : Entries.expiresAt(old);
        }
        store(key, old, value, expiresAt, expireGiven);
        return true;
    }

    /** Stores the value; {@code expireGiven}: the command set an expiry, which Redis notifies as "expire". */
    private void store(byte[] key, Object old, byte[] value, long expiresAt, boolean expireGiven) {
        write(key, old, value, expiresAt, KeyEvent.SET);
        if (expireGiven) {
            db.announce(key, KeyEvent.EXPIRE);
        }
    }

    /**
     * Values at least this long are kept in the array they arrived in (a {@link StringValue}
     * behind an {@link ObjectEntry}) instead of being copied into a record: a copy would briefly
     * double a large SET's memory and cost its time, while the two extra objects are nothing
     * beside such a value.
     */
    static final int ADOPT_THRESHOLD = 16 * 1024;

    /**
     * Puts a string value under a key over {@code old} (null for a new key): into the old record
     * itself when it is a record of the same value length that can hold the expiry (a cache
     * rewriting a key keeps its size more often than not), otherwise as a new record; a large
     * value keeps its own array. In place, the write allocates nothing and leaves nothing for the
     * young collector to copy. {@code value} becomes the keyspace's: callers pass an array nobody
     * else holds (a request's argument, or one they built).
     */
    private void write(byte[] key, Object old, byte[] value, long expiresAt, KeyEvent event) {
        if (old instanceof StringRecord r && r.canOverwrite(value.length, expiresAt)) {
            db.overwrite(key, r, value, expiresAt, event);
            return;
        }
        Object entry = value.length >= ADOPT_THRESHOLD
                ? ObjectEntry.of(key, new StringValue(value), expiresAt, accessFor(old))
                : db.newString(key, value, expiresAt, accessFor(old));
        db.put(key, old, entry, event);
    }

    /**
     * DEBUG POPULATE's write of one key (debug.c, with dbAdd): stores {@code value} unless the key
     * exists (an expired one is gone first, as lookupKeyWrite deletes it) and answers whether it
     * did. No "set" event, and no change counted: populate leaves server.dirty alone, so save
     * points and rdb_changes_since_last_save do not see it. {@code value} becomes the keyspace's.
     */
    public boolean populate(byte[] key, byte[] value) {
        if (db.find(key) != null) {
            return false;
        }
        db.insert(key, db.newString(key, value, Database.NO_EXPIRY, accessFor(null)), KeyEvent.POPULATED);
        db.countChanges(key, 0);
        return true;
    }

    /** GETDEL: the value of a string key, which is deleted; null or WRONG_TYPE as {@link #get}. */
    public StringView getDel(byte[] key) {
        Object e = db.read(key);
        if (e == null) {
            return null;
        }
        StringView v = db.viewOf(e);
        if (v != StringView.WRONG_TYPE) {
            // a record's slot is reused once removed: the reply reads a copy
            v = v.detached();
            db.remove(key, e, KeyEvent.DEL);
        }
        return v;
    }

    /** APPEND: the new length, or WRONG_TYPE, or STRING_TOO_LONG past {@code maxLength}. */
    public LongResult append(byte[] key, byte[] tail, long maxLength) {
        Object e = db.find(key);
        if (e == null) {
            db.insert(key, db.newString(key, tail, Database.NO_EXPIRY, db.initialAccess()), KeyEvent.APPEND);
            return LongResult.ok(tail.length);
        }
        if (Entries.type(e) != ValueType.STRING) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        if (db.viewOf(e).length() > maxLength - tail.length) {
            return LongResult.failed(OpStatus.STRING_TOO_LONG);
        }
        ObjectEntry o = growable(key, e);
        StringValue s = (StringValue) o.value;
        return LongResult.ok(db.changeInPlace(key, o, () -> s.append(tail), KeyEvent.APPEND));
    }

    /**
     * SETRANGE: overwrites from {@code offset}, zero-padding, and answers the new length; a missing
     * key with an empty patch stays missing.
     */
    public LongResult setRange(byte[] key, long offset, byte[] patch, long maxLength) {
        Object e = db.find(key);
        if (e == null) {
            if (patch.length == 0) {
                return LongResult.ok(0);
            }
            if (offset > maxLength - patch.length) {
                return LongResult.failed(OpStatus.STRING_TOO_LONG);
            }
            // a new string built by SETRANGE is raw from the start, as Redis's createObject makes it
            StringValue s = StringValue.raw(new byte[0]);
            s.setRange((int) offset, patch);
            db.insert(key, ObjectEntry.of(key, s, Database.NO_EXPIRY, db.initialAccess()), KeyEvent.SETRANGE);
            return LongResult.ok(s.length());
        }
        if (Entries.type(e) != ValueType.STRING) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        if (patch.length == 0) {
            return LongResult.ok(db.viewOf(e).length());
        }
        if (offset > maxLength - patch.length) {
            return LongResult.failed(OpStatus.STRING_TOO_LONG);
        }
        ObjectEntry o = growable(key, e);
        StringValue s = (StringValue) o.value;
        return LongResult.ok(db.changeInPlace(key, o, () -> s.setRange((int) offset, patch), KeyEvent.SETRANGE));
    }

    /**
     * The growable form of a string entry: a record becomes an ObjectEntry with a {@link
     * StringValue} first (Redis turns an embstr raw before changing it in place). The change of
     * form is not a write: no event, no dirty count, only the memory account moves.
     */
    ObjectEntry growable(byte[] key, Object e) {
        if (e instanceof StringRecord r) {
            ObjectEntry o = r.onHeap(key, r.expiresAt(), r.access());
            db.reform(key, r, o);
            return o;
        }
        return (ObjectEntry) e;
    }

    /** INCRBY: the new value, or WRONG_TYPE, NOT_INTEGER, OVERFLOW; the TTL stays, as Redis's dbOverwrite. */
    public LongResult incrBy(byte[] key, long delta) {
        Object e = db.find(key);
        StringView v = e == null ? null : db.viewOf(e);
        if (v == StringView.WRONG_TYPE) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        LongResult r = v == null ? Numbers.increment(null, 0, 0, delta)
                : v.array() != null ? Numbers.increment(v.array(), v.offset(), v.length(), delta)
                : Numbers.increment(v.toByteArray(), 0, v.length(), delta);
        if (r.isOk()) {
            storeKeepingTtl(key, e, Numbers.toBytes(r.value()), KeyEvent.INCRBY);
        }
        return r;
    }

    /** INCRBYFLOAT: the new value as Redis prints it, or WRONG_TYPE, NOT_FLOAT, NAN_OR_INFINITY. */
    public BytesResult incrByFloat(byte[] key, byte[] increment) {
        Object e = db.find(key);
        LongDouble current = LongDouble.ZERO;
        if (e != null) {
            StringView v = db.viewOf(e);
            if (v == StringView.WRONG_TYPE) {
                return BytesResult.failed(OpStatus.WRONG_TYPE);
            }
            current = LongDouble.parse(v.toByteArray(), v.length());
        }
        LongDouble by = current == null ? null : LongDouble.parse(increment, increment.length);
        if (current == null || by == null) {
            return BytesResult.failed(OpStatus.NOT_FLOAT);
        }
        LongDouble sum = current.add(by);
        if (!sum.isFinite()) {
            return BytesResult.failed(OpStatus.NAN_OR_INFINITY);
        }
        byte[] text = Numbers.toHumanBytes(sum.toBigDecimal());
        storeKeepingTtl(key, e, text, KeyEvent.INCRBYFLOAT);
        return BytesResult.ok(text);
    }

    private void storeKeepingTtl(byte[] key, Object old, byte[] value, KeyEvent event) {
        write(key, old, value, old == null ? Database.NO_EXPIRY : Entries.expiresAt(old), event);
    }

    /** The access clock of a value written over {@code old}: the old one's, already touched. */
    private int accessFor(Object old) {
        return old == null ? db.initialAccess() : Entries.access(old);
    }
}
