package io.damselfly.server.keyspace;

/**
 * The hash operations of one {@link Database} (Redis's t_hash.c, below the reply layer): each
 * takes keys and plain arguments, runs on the key's shard (locked by the caller) and answers a
 * view, a count or a status. A hash is a {@link HashValue} in an {@link ObjectEntry}; writes to an
 * existing one change it in place through {@link Database#changeInPlace}, which books the
 * footprint, the event and the removal of a hash left empty.
 */
public final class HashOps {
    private final Database db;

    HashOps(Database db) {
        this.db = db;
    }

    /** A read (lookupKeyRead): the hash, null when the key is missing, or {@link HashView#WRONG_TYPE}. */
    public HashView read(byte[] key) {
        Object e = db.read(key);
        if (e == null) {
            return null;
        }
        return e instanceof ObjectEntry o && o.value instanceof HashValue h ? new HashView(h) : HashView.WRONG_TYPE;
    }

    /** The hash of an entry found for a write, null when it holds another type. */
    private static HashValue hashOf(Object e) {
        return e instanceof ObjectEntry o && o.value instanceof HashValue h ? h : null;
    }

    /**
     * HSET and HMSET: sets the pairs {@code args[from..]} (field, value, ...) and answers how many
     * fields are new, or WRONG_TYPE.
     */
    public LongResult set(byte[] key, byte[][] args, int from) {
        ListpackLimits limits = db.keyspace().hashLimits();
        Object e = db.find(key);
        if (e == null) {
            HashValue h = new HashValue();
            int added = h.putAll(args, from, limits);
            db.insert(key, ObjectEntry.of(key, h, Database.NO_EXPIRY, db.initialAccess()), KeyEvent.HSET);
            db.countChanges(key, (args.length - from) / 2);
            return LongResult.ok(added);
        }
        HashValue h = hashOf(e);
        if (h == null) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        int added = db.changeInPlace(key, e, () -> h.putAll(args, from, limits), KeyEvent.HSET);
        // as Redis: every pair counts, new fields and updated ones alike
        db.countChanges(key, (args.length - from) / 2);
        return LongResult.ok(added);
    }

    /** HSETNX: 1 when the field was set, 0 when it existed, or WRONG_TYPE. */
    public LongResult setIfAbsent(byte[] key, byte[] field, byte[] value) {
        Object e = db.find(key);
        HashValue h = e == null ? null : hashOf(e);
        if (e != null && h == null) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        if (h != null && h.find(field) >= 0) {
            return LongResult.ok(0);
        }
        return set(key, new byte[][] {field, value}, 0).isOk() ? LongResult.ok(1) : LongResult.failed(OpStatus.WRONG_TYPE);
    }

    /** HDEL: how many of the fields {@code args[from..]} were removed, or WRONG_TYPE. */
    public LongResult delete(byte[] key, byte[][] args, int from) {
        Object e = db.find(key);
        if (e == null) {
            return LongResult.ok(0);
        }
        HashValue h = hashOf(e);
        if (h == null) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        return LongResult.ok(db.removeMembers(key, e, h, args, from, f -> h.find(f) >= 0, h::remove, KeyEvent.HDEL));
    }

    /** HINCRBY: the new value, or WRONG_TYPE, NOT_INTEGER (the field's value), OVERFLOW. */
    public LongResult incrBy(byte[] key, byte[] field, long delta) {
        Object e = db.find(key);
        HashValue h = e == null ? null : hashOf(e);
        if (e != null && h == null) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        int at = h == null ? -1 : h.find(field);
        byte[] v = at >= 0 ? h.valueBytesAt(at) : null;
        LongResult r = Numbers.increment(v, 0, v == null ? 0 : v.length, delta);
        if (r.isOk()) {
            store(key, e, h, field, Numbers.toBytes(r.value()), KeyEvent.HINCRBY);
        }
        return r;
    }

    /**
     * HINCRBYFLOAT: the new value as Redis prints it, or WRONG_TYPE, NOT_FLOAT (the field's
     * value), NAN_OR_INFINITY. The increment is finite (the command checks it first).
     */
    public BytesResult incrByFloat(byte[] key, byte[] field, LongDouble increment) {
        Object e = db.find(key);
        HashValue h = e == null ? null : hashOf(e);
        if (e != null && h == null) {
            return BytesResult.failed(OpStatus.WRONG_TYPE);
        }
        LongDouble current = LongDouble.ZERO;
        int at = h == null ? -1 : h.find(field);
        if (at >= 0) {
            byte[] v = h.valueBytesAt(at);
            current = LongDouble.parse(v, v.length);
            if (current == null) {
                return BytesResult.failed(OpStatus.NOT_FLOAT);
            }
        }
        LongDouble sum = current.add(increment);
        if (!sum.isFinite()) {
            return BytesResult.failed(OpStatus.NAN_OR_INFINITY);
        }
        byte[] text = Numbers.toHumanBytes(sum.toBigDecimal());
        store(key, e, h, field, text, KeyEvent.HINCRBYFLOAT);
        return BytesResult.ok(text);
    }

    /** Sets one field of a hash found by {@link Database#find} (or of a new one when e is null). */
    private void store(byte[] key, Object e, HashValue h, byte[] field, byte[] value, KeyEvent event) {
        ListpackLimits limits = db.keyspace().hashLimits();
        if (e == null) {
            HashValue created = new HashValue();
            created.put(field, value, limits);
            db.insert(key, ObjectEntry.of(key, created, Database.NO_EXPIRY, db.initialAccess()), event);
            return;
        }
        db.changeInPlace(key, e, () -> h.put(field, value, limits) ? 1 : 0, event);
    }
}
