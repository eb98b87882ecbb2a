package io.damselfly.server.keyspace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * SORT and SORT_RO below the reply layer (Redis's sort.c): the elements of a list, set or sorted
 * set, ordered numerically or as bytes, by themselves or by weights looked up through a BY
 * pattern, cut by LIMIT, projected through GET patterns, and returned or stored as a list.
 *
 * <p>BY and GET patterns name arbitrary keys ({@code weight_*}, {@code obj_*->field}), so SORT's
 * Redis key specs are "unknown" and the executor holds every shard while it runs; the lookups here
 * are plain reads of the current database.
 *
 * <p>Order. Redis sorts with an unstable quicksort; ties are broken as sortCompare breaks them
 * (equal numeric weights compare the elements' bytes), so only alphabetic ties with equal BY
 * values may come out in another order than on redis-server, where that order is itself
 * unspecified. Alphabetic comparison is by bytes, as strcoll is in the C locale redis-server runs
 * under by default.
 */
public final class SortOps {
    private final Database db;

    SortOps(Database db) {
        this.db = db;
    }

    /**
     * One SORT call, parsed. {@code by} is null without BY; {@code gets} holds the GET patterns
     * in order; {@code store} is the destination or null; {@code fromScript} makes an unsorted set
     * sort alphabetically, as Redis does for scripts (so results do not depend on hash order).
     */
    public record Request(byte[] key, byte[] by, List<byte[]> gets, boolean desc, boolean alpha, long limitStart,
                          long limitCount, byte[] store, boolean fromScript) {
    }

    /**
     * What a SORT did: the elements (null entries for GET patterns that found nothing), or, with
     * STORE, how many were stored; WRONG_TYPE for the sorted key, NOT_FLOAT when a weight or
     * element is not a number in a numeric sort.
     */
    public record Result(OpStatus status, List<byte[]> elements, long stored) {
        static Result failed(OpStatus status) {
            return new Result(status, null, 0);
        }
    }

    private static final class Item {
        final byte[] element;
        double score;
        byte[] weight;

        Item(byte[] element) {
            this.element = element;
        }
    }

    public Result sort(Request r) {
        Object e = db.read(r.key());
        Value value = null;
        if (e != null) {
            if (!(e instanceof ObjectEntry o)
                    || !(o.value instanceof ListValue || o.value instanceof SetValue || o.value instanceof SortedSetValue)) {
                return Result.failed(OpStatus.WRONG_TYPE);
            }
            value = o.value;
        }
        boolean dontSort = r.by() != null && indexOf(r.by(), (byte) '*', 0) < 0;
        boolean alpha = r.alpha();
        byte[] by = r.by();
        if (dontSort && value instanceof SetValue && (r.store() != null || r.fromScript())) {
            // a set has no order of its own: sorted alphabetically so the result is deterministic
            dontSort = false;
            alpha = true;
            by = null;
        }
        int length = 0;
        if (value instanceof ListValue l) {
            length = l.size();
        } else if (value instanceof SetValue set) {
            length = set.size();
        } else if (value instanceof SortedSetValue zset) {
            length = zset.size();
        }
        long start = Math.min(Math.max(r.limitStart(), 0), length);
        long count = Math.min(Math.max(r.limitCount(), -1), length);
        long end = count < 0 ? length - 1 : start + count - 1;
        if (start >= length) {
            start = length - 1;
            end = length - 2;
        }
        if (end >= length) {
            end = length - 1;
        }

        List<Item> items = new ArrayList<>();
        if (value instanceof ListValue list && dontSort) {
            // the list's own order (reversed by DESC), only the LIMIT range read
            for (long i = start; i <= end; i++) {
                int at = (int) (r.desc() ? length - 1 - i : i);
                items.add(new Item(list.get(at)));
            }
            end -= start;
            start = 0;
        } else if (value instanceof ListValue list) {
            for (int i = 0; i < length; i++) {
                items.add(new Item(list.get(i)));
            }
        } else if (value instanceof SetValue set) {
            set.forEach(m -> items.add(new Item(m)));
        } else if (value instanceof SortedSetValue zset && dontSort) {
            // the sorted set's own order (reversed by DESC), only the LIMIT range read
            if (end >= start) {
                long from = r.desc() ? length - 1 - end : start;
                long to = r.desc() ? length - 1 - start : end;
                zset.forRanks(from, to, r.desc(), (m, off, len, score) -> items.add(new Item(Arrays.copyOfRange(m, off, off + len))));
            }
            end -= start;
            start = 0;
        } else if (value instanceof SortedSetValue zset) {
            zset.forRanks(0, length - 1, false, (m, off, len, score) -> items.add(new Item(Arrays.copyOfRange(m, off, off + len))));
        }

        if (!dontSort) {
            for (Item item : items) {
                byte[] weight = by == null ? item.element : lookupByPattern(by, item.element);
                if (weight == null) {
                    continue;
                }
                if (alpha) {
                    if (by != null) {
                        item.weight = weight;
                    }
                } else {
                    Double d = strtod(weight);
                    if (d == null) {
                        return Result.failed(OpStatus.NOT_FLOAT);
                    }
                    item.score = d;
                }
            }
            items.sort(comparator(alpha, by != null, r.desc()));
        }

        List<byte[]> out = new ArrayList<>();
        for (long i = start; i <= end; i++) {
            Item item = items.get((int) i);
            if (r.gets().isEmpty()) {
                out.add(item.element);
            }
            for (byte[] get : r.gets()) {
                out.add(lookupByPattern(get, item.element));
            }
        }
        if (r.store() == null) {
            return new Result(OpStatus.OK, out, 0);
        }
        return new Result(OpStatus.OK, null, store(r.store(), out));
    }

    private static Comparator<Item> comparator(boolean alpha, boolean byPattern, boolean desc) {
        Comparator<Item> c;
        if (!alpha) {
            // equal scores fall back to the elements' bytes, as sortCompare does
            c = Comparator.<Item>comparingDouble(i -> i.score).thenComparing(i -> i.element, Arrays::compareUnsigned);
        } else if (byPattern) {
            // a missing weight sorts first
            c = Comparator.comparing(i -> i.weight, Comparator.nullsFirst(Arrays::compareUnsigned));
        } else {
            c = Comparator.comparing(i -> i.element, Arrays::compareUnsigned);
        }
        return desc ? c.reversed() : c;
    }

    /** SORT ... STORE: the results (a missing GET value stored as "") replace the destination. */
    private long store(byte[] destination, List<byte[]> elements) {
        Object old = db.find(destination);
        if (elements.isEmpty()) {
            if (old != null) {
                db.remove(destination, old, KeyEvent.DEL);
            }
            return 0;
        }
        ListValue list = new ListValue();
        for (byte[] element : elements) {
            list.pushRight(element == null ? new byte[0] : element);
        }
        db.put(destination, old, ObjectEntry.of(destination, list, Database.NO_EXPIRY, db.initialAccess()),
                KeyEvent.SORTSTORE);
        db.countChanges(destination, elements.size());
        return elements.size();
    }

    /**
     * Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced by
     * the element, and a "->field" after it reads that field of a hash, else the key's string
     * value. Null when the pattern has no '*', the key is missing or holds another type.
     */
    byte[] lookupByPattern(byte[] pattern, byte[] element) {
        if (pattern.length == 1 && pattern[0] == '#') {
            return element;
        }
        int star = indexOf(pattern, (byte) '*', 0);
        if (star < 0) {
            return null;
        }
        int arrow = indexOfArrow(pattern, star + 1);
        boolean field = arrow >= 0 && arrow + 2 < pattern.length;
        int keyEnd = field ? arrow : pattern.length;
        byte[] key = new byte[star + element.length + (keyEnd - star - 1)];
        System.arraycopy(pattern, 0, key, 0, star);
        System.arraycopy(element, 0, key, star, element.length);
        System.arraycopy(pattern, star + 1, key, star + element.length, keyEnd - star - 1);
        Object e = db.read(key);
        if (e == null) {
            return null;
        }
        if (field) {
            if (!(e instanceof ObjectEntry o) || !(o.value instanceof HashValue h)) {
                return null;
            }
            int at = h.find(Arrays.copyOfRange(pattern, arrow + 2, pattern.length));
            return at < 0 ? null : h.valueBytesAt(at);
        }
        StringView v = db.viewOf(e);
        return v == StringView.WRONG_TYPE ? null : v.toByteArray();
    }

    private static int indexOf(byte[] b, byte c, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfArrow(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '-' && b[i + 1] == '>') {
                return i;
            }
        }
        return -1;
    }

    /**
     * A weight as sort.c reads it with strtod: the empty string is 0, leading spaces are skipped,
     * the whole rest must be a number ({@link Scores#parse}: hex and inf accepted, NaN and ERANGE
     * overflows and underflows refused). Null if refused.
     */
    static Double strtod(byte[] b) {
        if (b.length == 0) {
            return 0.0;
        }
        int from = 0;
        while (from < b.length && Numbers.isSpace(b[from])) {
            from++;
        }
        double d = Scores.parse(from == 0 ? b : Arrays.copyOfRange(b, from, b.length));
        return Double.isNaN(d) ? null : d;
    }
}
