package io.damselfly.server.keyspace;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import io.damselfly.server.keyspace.HashView.BytesConsumer;
import io.damselfly.server.keyspace.HashView.PairConsumer;
import java.util.random.RandomGenerator;

/**
 * A Redis hash: field/value pairs of bytes, in one of Redis's two encodings, "listpack" while
 * small and "hashtable" beyond. Changed only under its shard's lock, by {@link HashOps}, which
 * books each change through the shard's write path; read by commands through {@link HashView}.
 */
final class HashValue implements Value {
    /*
     * Design. The compact form is one byte[] of entries, field then value, each a LEB128 length
     * followed by its bytes: [len f1][f1][len v1][v1][len f2]... A hash of ten 8-byte fields and
     * values costs one array of about 180 bytes, close to Redis's listpack, instead of twenty
     * arrays and a table (about 650 bytes). Lookups walk the entries comparing lengths first,
     * as Redis's lpFind does; the walk is bounded by hash-max-listpack-entries (512), so it costs
     * about what a listpack costs. The array keeps up to 1/8 spare room so a run of HSETs does
     * not copy it on every call, and is trimmed when a deletion leaves it half empty.
     *
     * The hash converts to a FieldTable when it passes either bound of its ListpackLimits: more
     * entries than maxEntries, or a field or value longer than maxValueBytes (checked before a
     * write, over all its arguments, as hashTypeTryConversion does). It never converts back, as
     * in Redis.
     *
     * A position names a pair for readers: the offset of the field's entry in the compact form,
     * the slot in the table form; valid until the next change.
     *
     * Footprint: this object plus the array, or plus the table's own account, both kept as the
     * hash changes, so footprint() is O(1).
     */

    private static final byte[] EMPTY = new byte[0];

    /**
     * The compact form's entries (a {@code byte[]}) or, once converted, the large form (a {@link
     * FieldTable}): one reference for both keeps this object at 24 bytes instead of 32.
     */
    private Object form;
    /** Bytes of {@link #packed} in use. */
    private int used;
    /** Pairs in the compact form. */
    private int pairs;

    HashValue() {
        form = EMPTY;
    }

    /** The large form, or null while compact. */
    private FieldTable table() {
        return form instanceof FieldTable t ? t : null;
    }

    /** The compact form's entries; only while compact. */
    private byte[] packed() {
        return (byte[]) form;
    }

    @Override
    public ValueType type() {
        return ValueType.HASH;
    }

    @Override
    public String encoding() {
        return form instanceof FieldTable ? "hashtable" : "listpack";
    }

    @Override
    public long footprint() {
        return MemoryLayout.HASH_VALUE
                + (form instanceof FieldTable t ? t.footprint() : MemoryLayout.byteArray(((byte[]) form).length));
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    int size() {
        return form instanceof FieldTable t ? t.size() : pairs;
    }

    @Override
    public HashValue copy() {
        HashValue c = new HashValue();
        FieldTable table = table();
        if (table != null) {
            c.form = table.copy();
        } else {
            c.form = Arrays.copyOf(packed(), used);
            c.used = used;
            c.pairs = pairs;
        }
        return c;
    }

    // ---- the compact form's entries ---------------------------------------------------------

    /** The length stored in the entry at {@code at}. */
    private int lengthAt(int at) {
        byte[] packed = packed();
        int len = 0;
        int shift = 0;
        byte b;
        do {
            b = packed[at++];
            len |= (b & 0x7f) << shift;
            shift += 7;
        } while (b < 0);
        return len;
    }

    /** Bytes the length prefix of {@code len} takes. */
    private static int prefixSize(int len) {
        int n = 1;
        while ((len >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    /** Where the bytes of the entry at {@code at} start. */
    private int dataAt(int at) {
        return at + prefixSize(lengthAt(at));
    }

    /** Where the entry after the one at {@code at} starts. */
    private int nextEntry(int at) {
        int len = lengthAt(at);
        return at + prefixSize(len) + len;
    }

    private static int writeEntry(byte[] to, int at, byte[] data) {
        int len = data.length;
        while (len >= 0x80) {
            to[at++] = (byte) (len | 0x80);
            len >>>= 7;
        }
        to[at++] = (byte) len;
        System.arraycopy(data, 0, to, at, data.length);
        return at + data.length;
    }

    private static int entrySize(byte[] data) {
        return prefixSize(data.length) + data.length;
    }

    private int findPacked(byte[] field) {
        byte[] packed = packed();
        for (int at = 0; at < used; ) {
            int len = lengthAt(at);
            int data = at + prefixSize(len);
            if (len == field.length && Arrays.equals(packed, data, data + len, field, 0, len)) {
                return at;
            }
            // skip the field and its value
            at = nextEntry(data + len);
        }
        return -1;
    }

    /** Makes room for {@code needed} bytes in use, with up to 1/8 to spare. */
    private void ensureCapacity(int needed) {
        if (needed > packed().length) {
            long grown = MemoryLayout.align(needed + (long) (needed >> 3));
            form = Arrays.copyOf(packed(), (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, grown)));
        }
    }

    /** Replaces {@code oldSize} bytes at {@code at} by {@code newSize}, moving the tail. */
    private void resizeGap(int at, int oldSize, int newSize) {
        if (newSize > oldSize) {
            ensureCapacity(used + newSize - oldSize);
        }
        byte[] packed = packed();
        System.arraycopy(packed, at + oldSize, packed, at + newSize, used - at - oldSize);
        used += newSize - oldSize;
    }

    // ---- reading ----------------------------------------------------------------------------

    /** The position of a field's pair, or -1. */
    int find(byte[] field) {
        return form instanceof FieldTable t ? t.find(field) : findPacked(field);
    }

    void pairAt(int position, PairConsumer out) {
        FieldTable table = table();
        if (table != null) {
            byte[] f = table.fieldAt(position);
            byte[] v = table.valueAt(position);
            out.accept(f, 0, f.length, v, 0, v.length);
            return;
        }
        int fl = lengthAt(position);
        int fd = position + prefixSize(fl);
        int v = fd + fl;
        int vl = lengthAt(v);
        byte[] packed = packed();
        out.accept(packed, fd, fl, packed, v + prefixSize(vl), vl);
    }

    void valueAt(int position, BytesConsumer out) {
        FieldTable table = table();
        if (table != null) {
            byte[] v = table.valueAt(position);
            out.accept(v, 0, v.length);
            return;
        }
        int v = nextEntry(position);
        out.accept(packed(), dataAt(v), lengthAt(v));
    }

    int valueLengthAt(int position) {
        return form instanceof FieldTable t ? t.valueAt(position).length : lengthAt(nextEntry(position));
    }

    /** The value at a position in an array of its own size (the table's own array: not to be changed). */
    byte[] valueBytesAt(int position) {
        FieldTable table = table();
        if (table != null) {
            return table.valueAt(position);
        }
        int v = nextEntry(position);
        int data = dataAt(v);
        return Arrays.copyOfRange(packed(), data, data + lengthAt(v));
    }

    void forEach(PairConsumer out) {
        FieldTable table = table();
        if (table != null) {
            for (int i = 0; i < table.capacity(); i++) {
                if (table.fieldAt(i) != null) {
                    pairAt(i, out);
                }
            }
            return;
        }
        for (int at = 0; at < used; at = nextEntry(nextEntry(at))) {
            pairAt(at, out);
        }
    }

    /** The positions of every pair, in iteration order. */
    private int[] positions() {
        int[] all = new int[size()];
        int n = 0;
        FieldTable table = table();
        if (table != null) {
            for (int i = 0; i < table.capacity(); i++) {
                if (table.fieldAt(i) != null) {
                    all[n++] = i;
                }
            }
        } else {
            for (int at = 0; at < used; at = nextEntry(nextEntry(at))) {
                all[n++] = at;
            }
        }
        return all;
    }

    /**
     * Visits pairs as HSCAN returns them: the compact form all at once with the cursor 0, as Redis
     * returns a listpack whole; the table from {@code cursor} until about {@code count} pairs or
     * ten steps per pair asked (Redis's maxiterations). Answers the next cursor.
     */
    long scan(long cursor, long count, PairConsumer out) {
        FieldTable table = table();
        if (table == null) {
            forEach(out);
            return 0;
        }
        long[] visited = {0};
        long maxIterations = count > Long.MAX_VALUE / 20 ? Long.MAX_VALUE : count * 20;
        do {
            cursor = table.scanStep(cursor, slot -> {
                visited[0]++;
                pairAt(slot, out);
            });
        } while (cursor != 0 && maxIterations-- != 0 && visited[0] < count);
        return cursor;
    }

    /**
     * HRANDFIELD's picks: {@code count} independent uniform picks, or with {@code unique} that many
     * distinct pairs (every pair, in order, when count reaches the size). The hash is not empty.
     */
    void randomPairs(long count, boolean unique, RandomGenerator random, PairConsumer out) {
        int size = size();
        FieldTable table = table();
        if (unique && count >= size) {
            forEach(out);
            return;
        }
        if (table != null && (!unique || count * 3 <= size)) {
            // a large table: sample slots, skipping repeats when they must be distinct (Redis's CASE 4)
            Set<Integer> seen = unique ? new HashSet<>() : null;
            for (long n = 0; n < count; ) {
                int slot = table.randomSlot(random);
                if (seen == null || seen.add(slot)) {
                    pairAt(slot, out);
                    n++;
                }
            }
            return;
        }
        int[] all = positions();
        if (!unique) {
            for (long n = 0; n < count; n++) {
                pairAt(all[random.nextInt(size)], out);
            }
            return;
        }
        // a partial Fisher-Yates shuffle: the first count slots end up a uniform distinct sample
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(size - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
            pairAt(all[i], out);
        }
    }

    // ---- writing ----------------------------------------------------------------------------

    /**
     * Converts to the table before a write whose arguments {@code args[from..to)} hold one
     * longer than the compact form allows (hashTypeTryConversion).
     */
    void convertForArguments(byte[][] args, int from, int to, ListpackLimits limits) {
        if (form instanceof FieldTable) {
            return;
        }
        long bytes = 0;
        for (int i = from; i < to; i++) {
            if (args[i].length > limits.maxValueBytes()) {
                convert();
                return;
            }
            bytes += entrySize(args[i]);
        }
        // room for every pair at once, as a listpack reallocs in place: an HSET of many fields
        // would otherwise regrow the array step by step (a few times its final size in garbage)
        long need = used + bytes;
        if (size() + (to - from) / 2 <= limits.maxEntries() && need > packed().length && need <= Integer.MAX_VALUE - 8) {
            form = Arrays.copyOf(packed(), (int) need);
        }
    }

    /** Sets a field (hashTypeSet): true when it is new. Converts past the limits. */
    boolean put(byte[] field, byte[] value, ListpackLimits limits) {
        if (!(form instanceof FieldTable) && (field.length > limits.maxValueBytes() || value.length > limits.maxValueBytes())) {
            convert();
        }
        if (form instanceof FieldTable t) {
            return t.put(field, value);
        }
        int at = findPacked(field);
        if (at >= 0) {
            int v = nextEntry(at);
            resizeGap(v, nextEntry(v) - v, entrySize(value));
            writeEntry(packed(), v, value);
            return false;
        }
        int start = used;
        ensureCapacity(used + entrySize(field) + entrySize(value));
        byte[] packed = packed();
        used = writeEntry(packed, writeEntry(packed, start, field), value);
        pairs++;
        if (pairs > limits.maxEntries()) {
            convert();
        }
        return true;
    }

    /** Removes a field; returns whether it was there. */
    boolean remove(byte[] field) {
        if (form instanceof FieldTable t) {
            return t.remove(field);
        }
        int at = findPacked(field);
        if (at < 0) {
            return false;
        }
        resizeGap(at, nextEntry(nextEntry(at)) - at, 0);
        pairs--;
        if (used < packed().length / 2) {
            form = used == 0 ? EMPTY : Arrays.copyOf(packed(), used);
        }
        return true;
    }

    /** Moves the pairs into a table (hashTypeConvertListpack); for good. */
    private void convert() {
        FieldTable t = new FieldTable(pairs);
        forEach((f, fo, fl, v, vo, vl) -> t.put(Arrays.copyOfRange(f, fo, fo + fl), Arrays.copyOfRange(v, vo, vo + vl)));
        form = t;
        used = 0;
        pairs = 0;
    }

    /** Recomputes what is kept incrementally; null when it agrees. For tests. */
    String checkStructure() {
        if (form instanceof FieldTable t) {
            return t.checkStructure();
        }
        int n = 0;
        int at = 0;
        while (at < used) {
            at = nextEntry(nextEntry(at));
            n++;
        }
        return at == used && n == pairs ? null : "compact form: " + n + " pairs in " + at + " bytes, kept " + pairs + " in " + used;
    }
}
