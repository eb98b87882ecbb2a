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
     * about what a listpack costs.
     *
     * The array is exactly as long as its entries: no spare room, no count of bytes in use, no
     * count of pairs, so that this object is a header and one reference (16 bytes) and the array
     * holds nothing but entries. A write builds the new array once (a Draft: the entries copied
     * with room for all of the write's pairs, trimmed at the end), as a listpack is reallocated
     * on every insert; a value replaced by one of the same length is written in place. HLEN walks
     * the entries (at most hash-max-listpack-entries pairs), where Redis reads a count kept in the
     * listpack's header. Loading 1M hashes of ten short fields, the 16 bytes a hash saved against
     * a 32-byte object with those counts and a table reference are 1.6 bytes per field. The price
     * is a copy per HSET that adds a field (of a few KB at most within the default limits): HSET
     * of one field into 10k hashes growing to about 80 fields (redis-benchmark -P 16 -c 8),
     * 0.95x the ops/s of the version with spare room, in eight alternating runs whose spread
     * (374k-505k) was wider than the difference.
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
     * The compact form's entries (a {@code byte[]} holding nothing else) or, once converted, the
     * large form (a {@link FieldTable}).
     */
    private Object form;

    HashValue() {
        form = EMPTY;
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
        return form instanceof FieldTable t ? t.size() == 0 : ((byte[]) form).length == 0;
    }

    /** Pairs held: O(1) for the table, a walk of the entries for the compact form. */
    int size() {
        return form instanceof FieldTable t ? t.size() : countPairs(packed());
    }

    @Override
    public HashValue copy() {
        HashValue c = new HashValue();
        // a compact array is written in place (a value of the same length), so the copy has its own
        c.form = form instanceof FieldTable t ? t.copy() : packed().clone();
        return c;
    }

    /** The large form, or null while compact. */
    private FieldTable table() {
        return form instanceof FieldTable t ? t : null;
    }

    /** The compact form's entries; only while compact. */
    private byte[] packed() {
        return (byte[]) form;
    }

    // ---- the compact form's entries ---------------------------------------------------------

    /** The length stored in the entry at {@code at}. */
    private static int lengthAt(byte[] packed, int at) {
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
    private static int dataAt(byte[] packed, int at) {
        return at + prefixSize(lengthAt(packed, at));
    }

    /** Where the entry after the one at {@code at} starts. */
    private static int nextEntry(byte[] packed, int at) {
        int len = lengthAt(packed, at);
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

    /**
     * The offset of {@code field}'s entry among the first {@code used} bytes; when absent, -1 -
     * the number of pairs there (the walk passed them all).
     */
    private static int findPacked(byte[] packed, int used, byte[] field) {
        int pairs = 0;
        for (int at = 0; at < used; pairs++) {
            int len = lengthAt(packed, at);
            int data = at + prefixSize(len);
            if (len == field.length && Arrays.equals(packed, data, data + len, field, 0, len)) {
                return at;
            }
            // skip the field and its value
            at = nextEntry(packed, data + len);
        }
        return -1 - pairs;
    }

    private static int countPairs(byte[] packed) {
        int n = 0;
        for (int at = 0; at < packed.length; at = nextEntry(packed, nextEntry(packed, at))) {
            n++;
        }
        return n;
    }

    /**
     * A write in progress on the compact form: the entries in an array with room for the write,
     * and how many bytes it holds. Lives for one write; {@link #trimmed} is the array
     * the hash keeps.
     */
    private static final class Draft {
        byte[] buf;
        int used;

        /**
         * Starts from {@code packed} itself when {@code room} is 0 (a value of the same length is
         * then written in place), else from a copy with that room.
         */
        Draft(byte[] packed, long room) {
            long size = packed.length + room;
            buf = room == 0 || size > Integer.MAX_VALUE - 8 ? packed : Arrays.copyOf(packed, (int) size);
            used = packed.length;
        }

        /** Makes room for {@code needed} bytes in use, exactly. */
        private void ensureCapacity(int needed) {
            if (needed > buf.length) {
                buf = Arrays.copyOf(buf, needed);
            }
        }

        /** Replaces {@code oldSize} bytes at {@code at} by {@code newSize}, moving the tail. */
        private void resizeGap(int at, int oldSize, int newSize) {
            if (newSize > oldSize) {
                ensureCapacity(used + newSize - oldSize);
            }
            System.arraycopy(buf, at + oldSize, buf, at + newSize, used - at - oldSize);
            used += newSize - oldSize;
        }

        /** Sets a field: answers the pairs now held when it is new, 0 when it was there. */
        int put(byte[] field, byte[] value) {
            int at = findPacked(buf, used, field);
            if (at >= 0) {
                int v = nextEntry(buf, at);
                resizeGap(v, nextEntry(buf, v) - v, entrySize(value));
                writeEntry(buf, v, value);
                return 0;
            }
            int start = used;
            ensureCapacity(used + entrySize(field) + entrySize(value));
            used = writeEntry(buf, writeEntry(buf, start, field), value);
            return -at;
        }

        /** The entries in an array of their own size. */
        byte[] trimmed() {
            return used == buf.length ? buf : used == 0 ? EMPTY : Arrays.copyOf(buf, used);
        }
    }

    // ---- reading ----------------------------------------------------------------------------

    /** The position of a field's pair, or -1. */
    int find(byte[] field) {
        if (form instanceof FieldTable t) {
            return t.find(field);
        }
        byte[] packed = packed();
        int at = findPacked(packed, packed.length, field);
        return at >= 0 ? at : -1;
    }

    void pairAt(int position, PairConsumer out) {
        FieldTable table = table();
        if (table != null) {
            byte[] f = table.fieldAt(position);
            byte[] v = table.valueAt(position);
            out.accept(f, 0, f.length, v, 0, v.length);
            return;
        }
        byte[] packed = packed();
        int fl = lengthAt(packed, position);
        int fd = position + prefixSize(fl);
        int v = fd + fl;
        int vl = lengthAt(packed, v);
        out.accept(packed, fd, fl, packed, v + prefixSize(vl), vl);
    }

    void valueAt(int position, BytesConsumer out) {
        FieldTable table = table();
        if (table != null) {
            byte[] v = table.valueAt(position);
            out.accept(v, 0, v.length);
            return;
        }
        byte[] packed = packed();
        int v = nextEntry(packed, position);
        out.accept(packed, dataAt(packed, v), lengthAt(packed, v));
    }

    int valueLengthAt(int position) {
        if (form instanceof FieldTable t) {
            return t.valueAt(position).length;
        }
        byte[] packed = packed();
        return lengthAt(packed, nextEntry(packed, position));
    }

    /** The value at a position in an array of its own size (the table's own array: not to be changed). */
    byte[] valueBytesAt(int position) {
        FieldTable table = table();
        if (table != null) {
            return table.valueAt(position);
        }
        byte[] packed = packed();
        int v = nextEntry(packed, position);
        int data = dataAt(packed, v);
        return Arrays.copyOfRange(packed, data, data + lengthAt(packed, v));
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
        byte[] packed = packed();
        for (int at = 0; at < packed.length; at = nextEntry(packed, nextEntry(packed, at))) {
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
            byte[] packed = packed();
            for (int at = 0; at < packed.length; at = nextEntry(packed, nextEntry(packed, at))) {
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
        for (int i = from; i < to; i++) {
            if (args[i].length > limits.maxValueBytes()) {
                convert();
                return;
            }
        }
    }

    /**
     * HSET's pairs {@code args[from..]} (field, value, ...): answers how many fields are new.
     * Converts as {@link #put} would, pair by pair.
     */
    int putAll(byte[][] args, int from, ListpackLimits limits) {
        convertForArguments(args, from, args.length, limits);
        Draft draft = null;
        if (!(form instanceof FieldTable)) {
            // room for every pair at once, as a listpack reallocs in place: an HSET of many fields
            // would otherwise copy the array once per field
            long room = 0;
            for (int i = from; i + 1 < args.length; i += 2) {
                room += entrySize(args[i]) + entrySize(args[i + 1]);
            }
            draft = new Draft(packed(), room);
        }
        int added = 0;
        for (int i = from; i + 1 < args.length; i += 2) {
            if (draft == null) {
                if (((FieldTable) form).put(args[i], args[i + 1])) {
                    added++;
                }
                continue;
            }
            int pairs = draft.put(args[i], args[i + 1]);
            if (pairs > 0) {
                added++;
            }
            if (pairs > limits.maxEntries()) {
                form = draft.trimmed();
                draft = null;
                convert();
            }
        }
        if (draft != null) {
            form = draft.trimmed();
        }
        return added;
    }

    /** Sets a field (hashTypeSet): true when it is new. Converts past the limits. */
    boolean put(byte[] field, byte[] value, ListpackLimits limits) {
        if (!(form instanceof FieldTable) && (field.length > limits.maxValueBytes() || value.length > limits.maxValueBytes())) {
            convert();
        }
        if (form instanceof FieldTable t) {
            return t.put(field, value);
        }
        Draft draft = new Draft(packed(), 0);
        int pairs = draft.put(field, value);
        form = draft.trimmed();
        if (pairs > limits.maxEntries()) {
            convert();
        }
        return pairs > 0;
    }

    /** Removes a field; returns whether it was there. */
    boolean remove(byte[] field) {
        if (form instanceof FieldTable t) {
            return t.remove(field);
        }
        byte[] packed = packed();
        int at = findPacked(packed, packed.length, field);
        if (at < 0) {
            return false;
        }
        int end = nextEntry(packed, nextEntry(packed, at));
        int left = packed.length - (end - at);
        if (left == 0) {
            form = EMPTY;
        } else {
            byte[] kept = Arrays.copyOf(packed, left);
            System.arraycopy(packed, end, kept, at, packed.length - end);
            form = kept;
        }
        return true;
    }

    /** Moves the pairs into a table (hashTypeConvertListpack); for good. */
    private void convert() {
        FieldTable t = new FieldTable(countPairs(packed()));
        forEach((f, fo, fl, v, vo, vl) -> t.put(Arrays.copyOfRange(f, fo, fo + fl), Arrays.copyOfRange(v, vo, vo + vl)));
        form = t;
    }

    /** Checks the structure; null when sound. For tests. */
    String checkStructure() {
        if (form instanceof FieldTable t) {
            return t.checkStructure();
        }
        byte[] packed = packed();
        int at = 0;
        while (at < packed.length) {
            at = nextEntry(packed, nextEntry(packed, at));
        }
        return at == packed.length ? null : "compact form: entries end at " + at + " in an array of " + packed.length;
    }
}
