package io.damselfly.server.keyspace;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The sorted-set operations of one {@link Database} (Redis's t_zset.c, below the reply layer):
 * each takes keys and plain arguments, runs on the key's shard (locked by the caller) and answers
 * a view, a result or a status. A sorted set is a {@link SortedSetValue} in an {@link
 * ObjectEntry}; changes go through {@link Database#changeInPlace} with Redis's event names
 * (zadd, zincr, zrem, zpopmin ...), which also removes a set left empty.
 */
public final class SortedSetOps {

    /** ZADD's option flags, as zaddGenericCommand's. */
    public static final int INCR = SortedSetValue.IN_INCR;
    public static final int NX = SortedSetValue.IN_NX;
    public static final int XX = SortedSetValue.IN_XX;
    public static final int GT = SortedSetValue.IN_GT;
    public static final int LT = SortedSetValue.IN_LT;

    /**
     * ZADD's outcome: members added, members whose score changed, pairs not skipped by NX, XX,
     * GT or LT, and the last resulting score; status NAN_OR_INFINITY when an increment made NaN.
     */
    public record AddResult(OpStatus status, long added, long updated, long processed, double score) {
    }

    /** Members popped with their scores, in pop order, and the key they came from; null arrays when nothing was there. */
    public record Popped(OpStatus status, byte[] key, byte[][] members, double[] scores) {
        static final Popped MISSING = new Popped(OpStatus.OK, null, null, null);
        static final Popped WRONG_TYPE = new Popped(OpStatus.WRONG_TYPE, null, null, null);

        public boolean isMissing() {
            return status == OpStatus.OK && members == null;
        }
    }

    /**
     * One input of ZUNION and friends: a sorted set, or a set whose members all score 1
     * (zuiFind, zuiNext over a set), or nothing (a missing key).
     */
    public static final class Source {
        static final Source EMPTY = new Source(null, null);
        public static final Source WRONG_TYPE = new Source(null, null);

        private final SortedSetValue zset;
        private final SetValue set;

        private Source(SortedSetValue zset, SetValue set) {
            this.zset = zset;
            this.set = set;
        }

        public int size() {
            return zset != null ? zset.size() : set != null ? set.size() : 0;
        }

        /** The member's score (1 in a set), NaN when absent. */
        public double score(byte[] member) {
            if (zset != null) {
                return zset.score(member);
            }
            return set != null && set.contains(member) ? 1.0 : Double.NaN;
        }

        /** Every member and its score, each member in an array of its own. */
        public void forEach(ScoredConsumer out) {
            if (zset != null) {
                zset.forRanks(0, zset.size() - 1, false, (m, o, l, s) -> out.accept(Arrays.copyOfRange(m, o, o + l), s));
            } else if (set != null) {
                set.forEach(m -> out.accept(m, 1.0));
            }
        }

        /** Whether this is the same stored value as {@code other}. */
        public boolean sameAs(Source other) {
            return zset != null ? zset == other.zset : set != null && set == other.set;
        }
    }

    /** Receives a member (its own array) and its score. */
    @FunctionalInterface
    public interface ScoredConsumer {
        void accept(byte[] member, double score);
    }

    private final Database db;

    SortedSetOps(Database db) {
        this.db = db;
    }

    private ListpackLimits limits() {
        return db.keyspace().zsetLimits();
    }

    static SortedSetValue zsetOf(Object e) {
        return e instanceof ObjectEntry o && o.value instanceof SortedSetValue z ? z : null;
    }

    // ---- reads ------------------------------------------------------------------------------

    /** A read (lookupKeyRead): the set, null when the key is missing, or {@link SortedSetView#WRONG_TYPE}. */
    public SortedSetView read(byte[] key) {
        Object e = db.read(key);
        if (e == null) {
            return null;
        }
        SortedSetValue z = zsetOf(e);
        return z == null ? SortedSetView.WRONG_TYPE : new SortedSetView(z);
    }

    /** An input of ZUNION and friends (lookupKeyRead): a sorted set, a set, empty when missing, or {@link Source#WRONG_TYPE}. */
    public Source source(byte[] key) {
        Object e = db.read(key);
        if (e == null) {
            return Source.EMPTY;
        }
        Value v = e instanceof ObjectEntry o ? o.value : null;
        if (v instanceof SortedSetValue z) {
            return new Source(z, null);
        }
        if (v instanceof SetValue s) {
            return new Source(null, s);
        }
        return Source.WRONG_TYPE;
    }

    // ---- writes -----------------------------------------------------------------------------

    /**
     * ZADD and ZINCRBY: the pairs (scores[j], args[firstMember + 2j]) under {@code flags}. The
     * key is created unless XX; Redis's zadd or zincr event when anything was added or changed.
     */
    public AddResult add(byte[] key, int flags, double[] scores, byte[][] args, int firstMember) {
        Object e = db.find(key);
        SortedSetValue z;
        if (e == null) {
            if ((flags & XX) != 0) {
                return new AddResult(OpStatus.OK, 0, 0, 0, 0);
            }
            z = new SortedSetValue();
            reserve(z, scores, args, firstMember);
            AddResult r = addAll(z, flags, scores, args, firstMember);
            db.insert(key, ObjectEntry.of(key, z, Database.NO_EXPIRY, db.initialAccess()), eventOf(flags));
            db.countChanges(key, r.added() + r.updated());
            return r;
        }
        z = zsetOf(e);
        if (z == null) {
            return new AddResult(OpStatus.WRONG_TYPE, 0, 0, 0, 0);
        }
        // a dry run decides whether anything changes: Redis signals (and counts a write) only then
        SortedSetValue target = z;
        AddResult[] result = new AddResult[1];
        if (!wouldChange(z, flags, scores, args, firstMember)) {
            return addAll(z, flags, scores, args, firstMember);
        }
        db.changeInPlace(key, e, () -> {
            if ((flags & XX) == 0) {
                reserve(target, scores, args, firstMember);
            }
            result[0] = addAll(target, flags, scores, args, firstMember);
            return 0;
        }, eventOf(flags));
        // as Redis: every member added or whose score changed
        db.countChanges(key, result[0].added() + result[0].updated());
        return result[0];
    }

    /** Room for every member of a ZADD at once (see {@link SortedSetValue#reserve}); inside a write. */
    private void reserve(SortedSetValue z, double[] scores, byte[][] args, int firstMember) {
        long bytes = 0;
        for (int j = 0; j < scores.length; j++) {
            bytes += args[firstMember + 2 * j].length;
        }
        z.reserve(scores.length, bytes, limits());
    }

    private static KeyEvent eventOf(int flags) {
        return (flags & INCR) != 0 ? KeyEvent.ZINCR : KeyEvent.ZADD;
    }

    /** Whether adding the pairs would add a member or change a score (or fail on NaN, which changes nothing before it). */
    private static boolean wouldChange(SortedSetValue z, int flags, double[] scores, byte[][] args, int firstMember) {
        for (int j = 0; j < scores.length; j++) {
            byte[] m = args[firstMember + 2 * j];
            double cur = z.score(m);
            if (Double.isNaN(cur)) {
                if ((flags & XX) == 0) {
                    return true;
                }
                continue;
            }
            if ((flags & NX) != 0) {
                continue;
            }
            double s = (flags & INCR) != 0 ? scores[j] + cur : scores[j];
            if (Double.isNaN(s)) {
                return false;
            }
            if ((flags & LT) != 0 && s >= cur || (flags & GT) != 0 && s <= cur) {
                continue;
            }
            if (s != cur) {
                return true;
            }
        }
        return false;
    }

    private AddResult addAll(SortedSetValue z, int flags, double[] scores, byte[][] args, int firstMember) {
        ListpackLimits limits = limits();
        long added = 0;
        long updated = 0;
        long processed = 0;
        double[] score = new double[1];
        double last = 0;
        for (int j = 0; j < scores.length; j++) {
            int out = z.add(args[firstMember + 2 * j], scores[j], flags, score, limits);
            if (out == SortedSetValue.NAN) {
                return new AddResult(OpStatus.NAN_OR_INFINITY, added, updated, processed, 0);
            }
            if ((out & SortedSetValue.ADDED) != 0) {
                added++;
            }
            if ((out & SortedSetValue.UPDATED) != 0) {
                updated++;
            }
            if ((out & SortedSetValue.NOP) == 0) {
                processed++;
                last = score[0];
            }
        }
        return new AddResult(OpStatus.OK, added, updated, processed, last);
    }

    /** ZREM: how many of {@code args[from..]} were removed, or WRONG_TYPE. */
    public LongResult remove(byte[] key, byte[][] args, int from) {
        Object e = db.find(key);
        if (e == null) {
            return LongResult.ok(0);
        }
        SortedSetValue z = zsetOf(e);
        if (z == null) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        return LongResult.ok(db.removeMembers(key, e, z, args, from, m -> !Double.isNaN(z.score(m)), z::remove,
                KeyEvent.ZREM));
    }

    /** ZREMRANGEBYRANK: Redis's index rules (negative from the end); how many were removed, or WRONG_TYPE. */
    public LongResult removeRangeByRank(byte[] key, long start, long end) {
        return removeRange(key, z -> {
            long n = z.size();
            long s = start < 0 ? n + start : start;
            long t = end < 0 ? n + end : end;
            s = Math.max(s, 0);
            if (s > t || s >= n) {
                return null;
            }
            return new long[] {s, Math.min(t, n - 1)};
        }, KeyEvent.ZREMRANGEBYRANK);
    }

    /** ZREMRANGEBYSCORE. */
    public LongResult removeRangeByScore(byte[] key, ScoreRange range) {
        return removeRange(key, z -> z.ranksOf(range), KeyEvent.ZREMRANGEBYSCORE);
    }

    /** ZREMRANGEBYLEX. */
    public LongResult removeRangeByLex(byte[] key, LexRange range) {
        return removeRange(key, z -> z.lexRemovalRanks(range), KeyEvent.ZREMRANGEBYLEX);
    }

    private LongResult removeRange(byte[] key, java.util.function.Function<SortedSetValue, long[]> ranks, KeyEvent event) {
        Object e = db.find(key);
        if (e == null) {
            return LongResult.ok(0);
        }
        SortedSetValue z = zsetOf(e);
        if (z == null) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        long[] r = ranks.apply(z);
        if (r == null || r[0] > r[1]) {
            return LongResult.ok(0);
        }
        long n = r[1] - r[0] + 1;
        db.changeInPlace(key, e, () -> {
            z.removeRanks(r[0], r[1]);
            return 0;
        }, event);
        db.countChanges(key, n);
        return LongResult.ok(n);
    }

    /** ZPOPMIN/ZPOPMAX: up to {@code count} members from the low (or, with {@code max}, high) end. */
    public Popped pop(byte[] key, boolean max, long count) {
        Object e = db.find(key);
        if (e == null) {
            return Popped.MISSING;
        }
        SortedSetValue z = zsetOf(e);
        if (z == null) {
            return Popped.WRONG_TYPE;
        }
        return popFrom(key, e, z, max, count);
    }

    /** ZMPOP and the blocking pops: pops from the first of {@code keys[from, from + n)} that exists, or WRONG_TYPE at the first of another type. */
    public Popped popFirst(byte[][] keys, int from, int n, boolean max, long count) {
        for (int i = from; i < from + n; i++) {
            Object e = db.find(keys[i]);
            if (e == null) {
                continue;
            }
            SortedSetValue z = zsetOf(e);
            if (z == null) {
                return Popped.WRONG_TYPE;
            }
            return popFrom(keys[i], e, z, max, count);
        }
        return Popped.MISSING;
    }

    private Popped popFrom(byte[] key, Object e, SortedSetValue z, boolean max, long count) {
        Popped p = ends(key, z, max, count);
        int n = p.members().length;
        if (n > 0) {
            int size = z.size();
            db.changeInPlace(key, e, () -> {
                z.removeRanks(max ? size - n : 0, max ? size - 1 : n - 1);
                return 0;
            }, max ? KeyEvent.ZPOPMAX : KeyEvent.ZPOPMIN);
            db.countChanges(key, n);
        }
        return p;
    }

    /** Up to {@code count} members from the low (or high) end, in pop order, copied out; the set is not changed. */
    private static Popped ends(byte[] key, SortedSetValue z, boolean max, long count) {
        int n = (int) Math.min(count, z.size());
        int size = z.size();
        byte[][] members = new byte[n][];
        double[] scores = new double[n];
        int[] k = {0};
        z.forRanks(max ? size - n : 0, max ? size - 1 : n - 1, max, (m, o, l, s) -> {
            members[k[0]] = Arrays.copyOfRange(m, o, o + l);
            scores[k[0]++] = s;
        });
        return new Popped(OpStatus.OK, key, members, scores);
    }

    /**
     * The members a blocked pop would take from a key now (its shard held), without taking them:
     * null unless the key holds a sorted set. For the blocked-client registry.
     */
    static Popped peek(Object e, boolean max, long count) {
        SortedSetValue z = zsetOf(e);
        return z == null || z.isEmpty() ? null : ends(null, z, max, count);
    }

    /**
     * Stores a computed result at {@code key} whatever it held (setKey: any type, and its
     * expiry, are replaced), in the form Redis builds for that size; an empty result deletes the
     * key instead (a del event when there was one). Answers the size stored.
     */
    public long store(byte[] key, List<byte[]> members, double[] scores, KeyEvent event) {
        return put(key, members.isEmpty() ? null : SortedSetValue.build(members, scores, limits()), event);
    }

    /**
     * ZRANGESTORE's store: as {@link #store}, but the result is built as Redis's
     * zrangeResultBeginStore builds it, members added one by one in the order given to a compact
     * set that converts when it must ({@code compactStart}), or to a skip list from the start
     * (a rank range longer than zset-max-listpack-entries). The two differ only in which scores
     * pass through the compact form, which keeps -0 as 0.
     */
    public long storeRange(byte[] key, List<byte[]> members, double[] scores, boolean compactStart) {
        SortedSetValue z = null;
        if (!members.isEmpty()) {
            z = compactStart ? new SortedSetValue() : SortedSetValue.build(members, scores, new ListpackLimits(0, 0));
            if (compactStart) {
                ListpackLimits limits = limits();
                double[] out = new double[1];
                for (int i = 0; i < members.size(); i++) {
                    z.add(members.get(i), scores[i], 0, out, limits);
                }
            }
        }
        return put(key, z, KeyEvent.ZRANGESTORE);
    }

    /** Puts a result at {@code key} (setKey), or deletes the key when there is none (a del event when it existed). */
    private long put(byte[] key, SortedSetValue z, KeyEvent event) {
        Object old = db.find(key);
        if (z == null) {
            if (old != null) {
                db.remove(key, old, KeyEvent.DEL);
            }
            return 0;
        }
        db.put(key, old, ObjectEntry.of(key, z, Database.NO_EXPIRY, db.initialAccess()), event);
        return z.size();
    }
}
