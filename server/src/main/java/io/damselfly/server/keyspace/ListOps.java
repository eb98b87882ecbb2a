package io.damselfly.server.keyspace;

import java.util.Arrays;

/**
 * The list operations of one {@link Database} (Redis's t_list.c, below the reply layer): each
 * takes keys and plain arguments, runs on the key's shard (locked by the caller) and answers a
 * result or a status. Every change goes through the write path with Redis's event name (lpush,
 * rpop, ltrim...); a list left empty is removed there, as Redis deletes the key of an emptied
 * list. Elements handed out are the stored arrays themselves: nothing changes an element in place,
 * so they stay valid after the shard lock is released.
 */
public final class ListOps {
    /** An end of a list: LEFT is the head (index 0), RIGHT the tail. */
    public enum End {
        LEFT,
        RIGHT
    }

    /**
     * What a read or pop found: the status, the key it came from (LMPOP, BLPOP), and the elements
     * in reply order; {@code elements} is null when the key is missing (or, for LMPOP, when every
     * key was).
     */
    public record Elements(OpStatus status, byte[] key, byte[][] elements) {
        static final Elements MISSING = new Elements(OpStatus.OK, null, null);
        static final Elements WRONG_TYPE = new Elements(OpStatus.WRONG_TYPE, null, null);

        public boolean isMissing() {
            return status == OpStatus.OK && elements == null;
        }
    }

    /** LPOS's answer: the matching indexes, or null when the key is missing. */
    public record Positions(OpStatus status, long[] indexes) {
    }

    private static final byte[][] NONE = new byte[0][];

    private final Database db;

    ListOps(Database db) {
        this.db = db;
    }

    // ---- pushes ------------------------------------------------------------------------------

    /**
     * LPUSH/RPUSH (and the X forms with {@code onlyIfExists}): pushes {@code args[from..]} one by
     * one at {@code end}; answers the new length (0 when an X form finds no key) or WRONG_TYPE.
     */
    public LongResult push(byte[] key, byte[][] args, int from, End end, boolean onlyIfExists) {
        Object e = db.find(key);
        KeyEvent event = end == End.LEFT ? KeyEvent.LPUSH : KeyEvent.RPUSH;
        if (e == null) {
            if (onlyIfExists) {
                return LongResult.ok(0);
            }
            ListValue list = new ListValue();
            pushAll(list, args, from, end);
            db.insert(key, ObjectEntry.of(key, list, Database.NO_EXPIRY, db.initialAccess()), event);
            db.countChanges(key, args.length - from);
            return LongResult.ok(list.size());
        }
        ListValue list = listOf(e);
        if (list == null) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        int length = db.changeInPlace(key, e, () -> {
            pushAll(list, args, from, end);
            return list.size();
        }, event);
        db.countChanges(key, args.length - from);
        return LongResult.ok(length);
    }

    private static void pushAll(ListValue list, byte[][] args, int from, End end) {
        for (int i = from; i < args.length; i++) {
            push(list, args[i], end);
        }
    }

    private static void push(ListValue list, byte[] element, End end) {
        if (end == End.LEFT) {
            list.pushLeft(element);
        } else {
            list.pushRight(element);
        }
    }

    // ---- pops --------------------------------------------------------------------------------

    /**
     * LPOP/RPOP: up to {@code count} elements from {@code end}, in pop order; MISSING when the
     * key is missing. A count of 0 pops nothing (the caller answers an empty array).
     */
    public Elements pop(byte[] key, End end, long count) {
        Object e = db.find(key);
        if (e == null) {
            return Elements.MISSING;
        }
        ListValue list = listOf(e);
        if (list == null) {
            return Elements.WRONG_TYPE;
        }
        if (count == 0) {
            return new Elements(OpStatus.OK, key, NONE);
        }
        return new Elements(OpStatus.OK, key, popFrom(key, e, list, end, count));
    }

    /**
     * LMPOP: pops up to {@code count} from the first of {@code keys[from, from + n)} that holds a
     * list; WRONG_TYPE if a key before it holds another type; MISSING when none holds a list.
     */
    public Elements popFirst(byte[][] keys, int from, int n, End end, long count) {
        for (int i = from; i < from + n; i++) {
            byte[] key = keys[i];
            Object e = db.find(key);
            if (e == null) {
                continue;
            }
            ListValue list = listOf(e);
            if (list == null) {
                return Elements.WRONG_TYPE;
            }
            return new Elements(OpStatus.OK, key, popFrom(key, e, list, end, count));
        }
        return Elements.MISSING;
    }

    /** Pops {@code count} (at most all) from a non-empty list through the write path. */
    private byte[][] popFrom(byte[] key, Object e, ListValue list, End end, long count) {
        int n = (int) Math.min(count, list.size());
        byte[][] popped = peek(list, end, n);
        db.changeInPlace(key, e, () -> {
            removeEnd(list, end, n);
            return 0;
        }, end == End.LEFT ? KeyEvent.LPOP : KeyEvent.RPOP);
        db.countChanges(key, n);
        return popped;
    }

    /** The first {@code n} elements from {@code end}, in pop order. */
    static byte[][] peek(ListValue list, End end, int n) {
        byte[][] out = new byte[n][];
        int size = list.size();
        for (int i = 0; i < n; i++) {
            out[i] = list.get(end == End.LEFT ? i : size - 1 - i);
        }
        return out;
    }

    static void removeEnd(ListValue list, End end, int n) {
        if (n == 1) {
            if (end == End.LEFT) {
                list.popLeft();
            } else {
                list.popRight();
            }
        } else if (end == End.LEFT) {
            list.retain(n, list.size() - 1);
        } else {
            list.retain(0, list.size() - 1 - n);
        }
    }

    /**
     * LMOVE/RPOPLPUSH: moves one element from {@code source}'s {@code from} end to {@code
     * destination}'s {@code to} end and answers it; null value when the source is missing,
     * WRONG_TYPE when either key holds another type. As Redis: the push to the destination comes
     * first, then the pop from the source (whose emptying removes it).
     */
    public BytesResult move(byte[] source, byte[] destination, End from, End to) {
        Object src = db.find(source);
        if (src == null) {
            return BytesResult.ok(null);
        }
        ListValue list = listOf(src);
        if (list == null) {
            return BytesResult.failed(OpStatus.WRONG_TYPE);
        }
        Object dst = db.find(destination);
        if (dst != null && listOf(dst) == null) {
            return BytesResult.failed(OpStatus.WRONG_TYPE);
        }
        KeyEvent pushed = to == End.LEFT ? KeyEvent.LPUSH : KeyEvent.RPUSH;
        KeyEvent popped = from == End.LEFT ? KeyEvent.LPOP : KeyEvent.RPOP;
        byte[] element = peek(list, from, 1)[0];
        if (dst == src) {
            // rotation: one list, both changes at once, then the pop's event
            db.changeInPlace(source, src, () -> {
                removeEnd(list, from, 1);
                push(list, element, to);
                return 0;
            }, pushed);
            db.changeInPlace(source, src, () -> 0, popped);
            db.countChanges(source, 0); // Redis counts a move once
            return BytesResult.ok(element);
        }
        pushTo(destination, dst, element, to);
        db.changeInPlace(source, src, () -> {
            removeEnd(list, from, 1);
            return 0;
        }, popped);
        db.countChanges(source, 0); // Redis counts a move once, for the push
        return BytesResult.ok(element);
    }

    /** Pushes one element to a list entry, or creates the list when {@code e} is null. */
    private void pushTo(byte[] key, Object e, byte[] element, End end) {
        KeyEvent event = end == End.LEFT ? KeyEvent.LPUSH : KeyEvent.RPUSH;
        if (e == null) {
            ListValue created = new ListValue();
            created.pushLeft(element);
            db.insert(key, ObjectEntry.of(key, created, Database.NO_EXPIRY, db.initialAccess()), event);
            return;
        }
        ListValue list = listOf(e);
        db.changeInPlace(key, e, () -> {
            push(list, element, end);
            return 0;
        }, event);
    }

    // ---- reads -------------------------------------------------------------------------------

    /** LLEN: the length, 0 for a missing key, or WRONG_TYPE. */
    public LongResult length(byte[] key) {
        Object e = db.read(key);
        if (e == null) {
            return LongResult.ok(0);
        }
        ListValue list = listOf(e);
        return list == null ? LongResult.failed(OpStatus.WRONG_TYPE) : LongResult.ok(list.size());
    }

    /** LRANGE: the elements from start to end (inclusive, negative from the tail, clamped). */
    public Elements range(byte[] key, long start, long end) {
        Object e = db.read(key);
        if (e == null) {
            return Elements.MISSING;
        }
        ListValue list = listOf(e);
        if (list == null) {
            return Elements.WRONG_TYPE;
        }
        long range = clamp(list.size(), start, end);
        int from = (int) (range >>> 32);
        byte[][] out = new byte[(int) range - from + 1][];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(from + i);
        }
        return new Elements(OpStatus.OK, key, out);
    }

    /**
     * LINDEX: the element, null when the key is missing or the index out of range, WRONG_TYPE, or
     * NOT_INTEGER when {@code index} is null (an unparsable index: as Redis, reported only after
     * the key was found and type-checked).
     */
    public BytesResult index(byte[] key, Long index) {
        Object e = db.read(key);
        if (e == null) {
            return BytesResult.ok(null);
        }
        ListValue list = listOf(e);
        if (list == null) {
            return BytesResult.failed(OpStatus.WRONG_TYPE);
        }
        if (index == null) {
            return BytesResult.failed(OpStatus.NOT_INTEGER);
        }
        int i = position(list, index);
        return BytesResult.ok(i < 0 ? null : list.get(i));
    }

    /** The position of a Redis index (negative from the tail) in the list, or -1 when out of range. */
    private static int position(ListValue list, long index) {
        long i = index < 0 ? list.size() + index : index;
        return i < 0 || i >= list.size() ? -1 : (int) i;
    }

    /**
     * LPOS: the indexes of the elements equal to {@code element}, skipping the first {@code
     * rank - 1} matches (a negative rank searches from the tail), at most {@code count} of them (0
     * = all), looking at no more than {@code maxLength} elements (0 = all).
     */
    public Positions positions(byte[] key, byte[] element, long rank, long count, long maxLength) {
        Object e = db.read(key);
        if (e == null) {
            return new Positions(OpStatus.OK, null);
        }
        ListValue list = listOf(e);
        if (list == null) {
            return new Positions(OpStatus.WRONG_TYPE, null);
        }
        boolean fromTail = rank < 0;
        long skip = Math.abs(rank) - 1;
        int size = list.size();
        long[] found = new long[(int) Math.min(count == 0 ? size : count, Math.min(size, 16))];
        int n = 0;
        long matches = 0;
        for (int seen = 0; seen < size && (maxLength == 0 || seen < maxLength); seen++) {
            int i = fromTail ? size - 1 - seen : seen;
            if (Arrays.equals(list.get(i), element) && ++matches > skip) {
                if (n == found.length) {
                    found = Arrays.copyOf(found, Math.max(1, n * 2));
                }
                found[n++] = i;
                if (count != 0 && n >= count) {
                    break;
                }
            }
        }
        return new Positions(OpStatus.OK, Arrays.copyOf(found, n));
    }

    // ---- changes in the middle ---------------------------------------------------------------

    /**
     * LSET: OK, NO_SUCH_KEY, WRONG_TYPE, NOT_INTEGER for a null (unparsable) index, checked after
     * the key as Redis does, or NOT_DONE when the index is out of range.
     */
    public OpStatus set(byte[] key, Long index, byte[] element) {
        Object e = db.find(key);
        if (e == null) {
            return OpStatus.NO_SUCH_KEY;
        }
        ListValue list = listOf(e);
        if (list == null) {
            return OpStatus.WRONG_TYPE;
        }
        if (index == null) {
            return OpStatus.NOT_INTEGER;
        }
        int i = position(list, index);
        if (i < 0) {
            return OpStatus.NOT_DONE;
        }
        db.changeInPlace(key, e, () -> {
            list.set(i, element);
            return 0;
        }, KeyEvent.LSET);
        return OpStatus.OK;
    }

    /**
     * LINSERT: inserts before or after the first element equal to {@code pivot}; answers the new
     * length, -1 when the pivot is not there, 0 when the key is missing, or WRONG_TYPE.
     */
    public LongResult insert(byte[] key, boolean before, byte[] pivot, byte[] element) {
        Object e = db.find(key);
        if (e == null) {
            return LongResult.ok(0);
        }
        ListValue list = listOf(e);
        if (list == null) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        for (int i = 0; i < list.size(); i++) {
            if (Arrays.equals(list.get(i), pivot)) {
                int at = before ? i : i + 1;
                return LongResult.ok(db.changeInPlace(key, e, () -> {
                    list.insert(at, element);
                    return list.size();
                }, KeyEvent.LINSERT));
            }
        }
        return LongResult.ok(-1);
    }

    /**
     * LREM: removes elements equal to {@code element}, {@code count} of them from the head (0 =
     * all; negative from the tail); answers how many, or WRONG_TYPE.
     */
    public LongResult remove(byte[] key, long count, byte[] element) {
        Object e = db.find(key);
        if (e == null) {
            return LongResult.ok(0);
        }
        ListValue list = listOf(e);
        if (list == null) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        // Redis negates the count with C's wrap-around: LONG_MIN stays negative, so removes all from the tail
        long limit = count == Long.MIN_VALUE ? 0 : Math.abs(count);
        boolean fromTail = count < 0;
        if (!contains(list, element)) {
            // nothing removed is no write: no event, no dirty count, as Redis
            return LongResult.ok(0);
        }
        int[] removed = {0};
        db.changeInPlace(key, e, () -> removed[0] = list.removeEqual(element, limit, fromTail), KeyEvent.LREM);
        db.countChanges(key, removed[0]);
        return LongResult.ok(removed[0]);
    }

    /** LTRIM: keeps the range start..end (as LRANGE reads it); OK or WRONG_TYPE. */
    public OpStatus trim(byte[] key, long start, long end) {
        Object e = db.find(key);
        if (e == null) {
            return OpStatus.OK;
        }
        ListValue list = listOf(e);
        if (list == null) {
            return OpStatus.WRONG_TYPE;
        }
        long range = clamp(list.size(), start, end);
        int from = (int) (range >>> 32);
        int to = (int) range;
        int size = list.size();
        db.changeInPlace(key, e, () -> {
            list.retain(from, to);
            return 0;
        }, KeyEvent.LTRIM);
        // every removed element, none when the range kept them all (still a write for WATCH)
        db.countChanges(key, size - list.size());
        return OpStatus.OK;
    }

    // ---- helpers -----------------------------------------------------------------------------

    /**
     * A Redis range (negative indexes from the tail, as LRANGE and LTRIM read them) clamped to a
     * list of {@code size}: the first index in the high 32 bits and the last in the low 32, or
     * (0, -1) when the range is empty.
     */
    private static long clamp(long size, long start, long end) {
        if (start < 0) {
            start = size + start;
        }
        if (end < 0) {
            end = size + end;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > end || start >= size) {
            return 0xFFFFFFFFL;
        }
        return start << 32 | (Math.min(end, size - 1) & 0xFFFFFFFFL);
    }

    private static boolean contains(ListValue list, byte[] element) {
        for (int i = 0; i < list.size(); i++) {
            if (Arrays.equals(list.get(i), element)) {
                return true;
            }
        }
        return false;
    }

    /** The list an entry holds, or null when it holds another type. */
    static ListValue listOf(Object e) {
        return e instanceof ObjectEntry o && o.value instanceof ListValue l ? l : null;
    }
}
