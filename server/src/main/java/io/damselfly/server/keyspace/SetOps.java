package io.damselfly.server.keyspace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The set operations of one {@link Database} (Redis's t_set.c, below the reply layer): each takes
 * keys and plain arguments, runs on the keys' shards (locked by the caller) and answers a view, a
 * count, members or a status. A set is a {@link SetValue} in an {@link ObjectEntry}; writes to an
 * existing one change it in place through {@link Database#changeInPlace}, which books the
 * footprint, the event (Redis's names: sadd, srem, spop, sinterstore...) and the removal of a set
 * left empty (del). Members handed out are the stored arrays or fresh ones, never changed after.
 */
public final class SetOps {
    /** The three ways to combine sets. */
    public enum Combine {
        INTER,
        UNION,
        DIFF
    }

    /** Members in reply order, or the status that stopped the operation; null members for a missing key. */
    public record Members(OpStatus status, byte[][] members) {
        static final Members MISSING = new Members(OpStatus.OK, null);
        static final Members WRONG_TYPE = new Members(OpStatus.WRONG_TYPE, null);

        public boolean isMissing() {
            return status == OpStatus.OK && members == null;
        }
    }

    /** SPOP's threshold (Redis's SPOP_MOVE_STRATEGY_MUL): past remaining * 5 <= count, the rest is rebuilt instead. */
    private static final int SPOP_MOVE_STRATEGY_MUL = 5;
    private static final byte[][] NONE = new byte[0][];

    private final Database db;

    SetOps(Database db) {
        this.db = db;
    }

    /** The set of an entry, null when it holds another type. */
    private static SetValue setOf(Object e) {
        return e instanceof ObjectEntry o && o.value instanceof SetValue s ? s : null;
    }

    private long maxIntSetEntries() {
        return db.keyspace().setMaxIntSetEntries();
    }

    /** A read (lookupKeyRead): the set, null when the key is missing, or {@link SetView#WRONG_TYPE}. */
    public SetView read(byte[] key) {
        Object e = db.read(key);
        if (e == null) {
            return null;
        }
        SetValue s = setOf(e);
        return s == null ? SetView.WRONG_TYPE : new SetView(s);
    }

    // ---- SADD SREM --------------------------------------------------------------------------

    /** SADD: how many of {@code args[from..]} were new, or WRONG_TYPE. Nothing new: no write, no event. */
    public LongResult add(byte[] key, byte[][] args, int from) {
        long max = maxIntSetEntries();
        Object e = db.find(key);
        if (e == null) {
            SetValue s = SetValue.createFor(args[from]);
            int added = addAll(s, args, from, max);
            db.insert(key, ObjectEntry.of(key, s, Database.NO_EXPIRY, db.initialAccess()), KeyEvent.SADD);
            db.countChanges(key, added);
            return LongResult.ok(added);
        }
        SetValue s = setOf(e);
        if (s == null) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        int first = from;
        while (first < args.length && s.contains(args[first])) {
            first++;
        }
        if (first == args.length) {
            return LongResult.ok(0);
        }
        int start = first;
        int added = db.changeInPlace(key, e, () -> addAll(s, args, start, max), KeyEvent.SADD);
        db.countChanges(key, added);
        return LongResult.ok(added);
    }

    private static int addAll(SetValue s, byte[][] args, int from, long max) {
        int added = 0;
        for (int i = from; i < args.length; i++) {
            if (s.add(args[i], max)) {
                added++;
            }
        }
        return added;
    }

    /** SREM: how many of {@code args[from..]} were removed, or WRONG_TYPE. */
    public LongResult remove(byte[] key, byte[][] args, int from) {
        Object e = db.find(key);
        if (e == null) {
            return LongResult.ok(0);
        }
        SetValue s = setOf(e);
        if (s == null) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        return LongResult.ok(db.removeMembers(key, e, s, args, from, s::contains, s::remove, KeyEvent.SREM));
    }

    // ---- SPOP -------------------------------------------------------------------------------

    /** SPOP without a count: the member popped, null value when the key is missing, or WRONG_TYPE. */
    public BytesResult popOne(byte[] key, RandomGenerator random) {
        Object e = db.find(key);
        if (e == null) {
            return BytesResult.ok(null);
        }
        SetValue s = setOf(e);
        if (s == null) {
            return BytesResult.failed(OpStatus.WRONG_TYPE);
        }
        byte[][] popped = new byte[1][];
        db.changeInPlace(key, e, () -> {
            popped[0] = s.removeAt(s.randomPosition(random));
            return 0;
        }, KeyEvent.SPOP);
        return BytesResult.ok(popped[0]);
    }

    /**
     * SPOP with a count (spopWithCountCommand): up to {@code count} distinct members, in reply
     * order; MISSING when the key is missing. As Redis: the whole set when count reaches its size
     * (in the order of a set built from it), else {@code count} random removals while the rest is
     * large (O(count)), else the few members left are picked and moved to a new set, which takes
     * the encoding Redis gives it, and what remains of the old one is the reply.
     */
    public Members pop(byte[] key, long count, RandomGenerator random) {
        Object e = db.find(key);
        if (e == null) {
            return Members.MISSING;
        }
        SetValue s = setOf(e);
        if (s == null) {
            return Members.WRONG_TYPE;
        }
        if (count == 0) {
            return new Members(OpStatus.OK, NONE);
        }
        ObjectEntry entry = (ObjectEntry) e;
        long max = maxIntSetEntries();
        int size = s.size();
        byte[][][] out = new byte[1][][];
        db.changeInPlace(key, e, () -> {
            if (count >= size) {
                out[0] = rebuilt(s, max).toArray();
                entry.value = SetValue.emptyIntSet();
                return 0;
            }
            int n = (int) count;
            int remaining = size - n;
            if ((long) remaining * SPOP_MOVE_STRATEGY_MUL > count) {
                byte[][] popped = new byte[n][];
                for (int i = 0; i < n; i++) {
                    popped[i] = s.removeAt(s.randomPosition(random));
                }
                out[0] = popped;
                return 0;
            }
            SetValue kept = null;
            for (int i = 0; i < remaining; i++) {
                byte[] m = s.removeAt(s.randomPosition(random));
                if (kept == null) {
                    kept = SetValue.createFor(m);
                }
                kept.add(m, max);
            }
            out[0] = s.toArray();
            entry.value = kept;
            return 0;
        }, KeyEvent.SPOP);
        db.countChanges(key, out[0].length);
        return new Members(OpStatus.OK, out[0]);
    }

    /** A new set of every member of {@code s}, built as Redis builds a STORE result (from an empty intset). */
    private static SetValue rebuilt(SetValue s, long max) {
        SetValue r = SetValue.emptyIntSet();
        s.forEach(m -> r.add(m, max));
        return r;
    }

    // ---- SMOVE ------------------------------------------------------------------------------

    /**
     * SMOVE: 1 when the member moved (or, for one key, is there), 0 when the source is missing or
     * lacks it, or WRONG_TYPE when either key holds another type. Events as Redis: srem on the
     * source (del if emptied), then sadd on the destination if the member was new there.
     */
    public LongResult move(byte[] source, byte[] destination, byte[] member) {
        Object src = db.find(source);
        Object dst = db.find(destination);
        if (src == null) {
            return LongResult.ok(0);
        }
        SetValue from = setOf(src);
        SetValue to = dst == null ? null : setOf(dst);
        if (from == null || (dst != null && to == null)) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        if (src == dst) {
            return LongResult.ok(from.contains(member) ? 1 : 0);
        }
        if (!from.contains(member)) {
            return LongResult.ok(0);
        }
        long max = maxIntSetEntries();
        db.changeInPlace(source, src, () -> from.remove(member) ? 1 : 0, KeyEvent.SREM);
        if (to == null) {
            SetValue created = SetValue.createFor(member);
            created.add(member, max);
            db.insert(destination, ObjectEntry.of(destination, created, Database.NO_EXPIRY, db.initialAccess()), KeyEvent.SADD);
        } else if (!to.contains(member)) {
            db.changeInPlace(destination, dst, () -> to.add(member, max) ? 1 : 0, KeyEvent.SADD);
        }
        return LongResult.ok(1);
    }

    // ---- SINTER SUNION SDIFF and their STORE forms, SINTERCARD ------------------------------

    /**
     * The sets at {@code keys[from, to)} (lookupKeyRead each, a missing key as null), or null when
     * one holds another type (every key is looked up first, as Redis checks them in order).
     */
    private SetValue[] sources(byte[][] keys, int from, int to) {
        SetValue[] sets = new SetValue[to - from];
        for (int i = from; i < to; i++) {
            Object e = db.read(keys[i]);
            if (e == null) {
                continue;
            }
            SetValue s = setOf(e);
            if (s == null) {
                return null;
            }
            sets[i - from] = s;
        }
        return sets;
    }

    /** SINTER (and SMEMBERS), SUNION, SDIFF: the members of the result in reply order, or WRONG_TYPE. */
    public Members combine(Combine op, byte[][] keys, int from, int to) {
        SetValue[] sets = sources(keys, from, to);
        if (sets == null) {
            return Members.WRONG_TYPE;
        }
        if (op == Combine.INTER) {
            List<byte[]> out = new ArrayList<>();
            intersect(sets, 0, out::add);
            return new Members(OpStatus.OK, out.toArray(NONE));
        }
        SetValue r = unionOrDiff(op, sets);
        return new Members(OpStatus.OK, r == null ? NONE : r.toArray());
    }

    /** SINTERCARD: the intersection's size, counting stops at {@code limit} (0: no limit); or WRONG_TYPE. */
    public LongResult intersectionSize(byte[][] keys, int from, int to, long limit) {
        SetValue[] sets = sources(keys, from, to);
        if (sets == null) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        return LongResult.ok(intersect(sets, limit, m -> { }));
    }

    /**
     * SINTERSTORE, SUNIONSTORE, SDIFFSTORE: stores the result at {@code destination} (replacing
     * any value and its expiry, event sinterstore...), or deletes the destination when the result
     * is empty (event del); answers the result's size, or WRONG_TYPE for a source.
     */
    public LongResult store(Combine op, byte[] destination, byte[][] keys, int from, int to) {
        SetValue[] sets = sources(keys, from, to);
        if (sets == null) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        SetValue result;
        if (op == Combine.INTER) {
            SetValue r = SetValue.emptyIntSet();
            long max = maxIntSetEntries();
            intersect(sets, 0, m -> r.add(m, max));
            result = r;
        } else {
            result = unionOrDiff(op, sets);
        }
        Object old = db.find(destination);
        if (result == null || result.isEmpty()) {
            if (old != null) {
                db.remove(destination, old, KeyEvent.DEL);
            }
            return LongResult.ok(0);
        }
        KeyEvent event = switch (op) {
            case INTER -> KeyEvent.SINTERSTORE;
            case UNION -> KeyEvent.SUNIONSTORE;
            case DIFF -> KeyEvent.SDIFFSTORE;
        };
        db.put(destination, old, ObjectEntry.of(destination, result, Database.NO_EXPIRY, db.initialAccess()), event);
        return LongResult.ok(result.size());
    }

    /**
     * Hands each member of the intersection to {@code out}, walking the smallest set (Redis's
     * sinterGenericCommand); stops after {@code limit} members when limit > 0. Answers how many.
     */
    private static long intersect(SetValue[] sets, long limit, Consumer<byte[]> out) {
        for (SetValue s : sets) {
            if (s == null) {
                return 0;
            }
        }
        SetValue[] bySize = sets.clone();
        Arrays.sort(bySize, Comparator.comparingInt(SetValue::size));
        SetValue smallest = bySize[0];
        long[] found = {0};
        try {
            smallest.forEach(m -> {
                for (int j = 1; j < bySize.length; j++) {
                    if (bySize[j] != smallest && !bySize[j].contains(m)) {
                        return;
                    }
                }
                out.accept(m);
                if (++found[0] == limit) {
                    throw LimitReached.INSTANCE;
                }
            });
        } catch (LimitReached done) {
            // SINTERCARD's LIMIT: the walk stops early
        }
        return found[0];
    }

    /** Ends a walk early; preallocated, without a stack trace. */
    private static final class LimitReached extends RuntimeException {
        static final LimitReached INSTANCE = new LimitReached();

        private LimitReached() {
            super(null, null, false, false);
        }
    }

    /**
     * The union or difference as a new set built as Redis builds it (from an empty intset, so it
     * takes the encoding Redis gives it); null for an empty difference Redis does not build.
     */
    private SetValue unionOrDiff(Combine op, SetValue[] sets) {
        long max = maxIntSetEntries();
        SetValue r = SetValue.emptyIntSet();
        if (op == Combine.UNION) {
            for (SetValue s : sets) {
                if (s != null) {
                    s.forEach(m -> r.add(m, max));
                }
            }
            return r;
        }
        SetValue first = sets[0];
        if (first == null) {
            return null;
        }
        long oneWork = 0;
        long twoWork = 0;
        for (int j = 1; j < sets.length; j++) {
            if (sets[j] == first) {
                // the first set subtracted from itself
                return null;
            }
        }
        for (SetValue s : sets) {
            if (s != null) {
                oneWork += first.size();
                twoWork += s.size();
            }
        }
        if (oneWork / 2 <= twoWork) {
            // walk the first set, keep what no other set has; larger sets first, as Redis orders them
            SetValue[] others = Arrays.stream(sets, 1, sets.length).filter(s -> s != null)
                    .sorted(Comparator.comparingInt(SetValue::size).reversed()).toArray(SetValue[]::new);
            first.forEach(m -> {
                for (SetValue o : others) {
                    if (o.contains(m)) {
                        return;
                    }
                }
                r.add(m, max);
            });
            return r;
        }
        // copy the first set, then remove every member of the others
        first.forEach(m -> r.add(m, max));
        for (int j = 1; j < sets.length && !r.isEmpty(); j++) {
            if (sets[j] != null) {
                sets[j].forEach(r::remove);
            }
        }
        return r;
    }
}
