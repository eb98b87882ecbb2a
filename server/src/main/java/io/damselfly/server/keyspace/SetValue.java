package io.damselfly.server.keyspace;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * A Redis set: distinct members of bytes, in one of Redis 7.0's two encodings, "intset" while
 * every member is an integer and there are at most set-max-intset-entries of them, "hashtable"
 * otherwise. Changed only under its shard's lock, by {@link SetOps}; read by commands through
 * {@link SetView}.
 */
final class SetValue implements Value {
    /*
     * Design. The compact form is an IntSet array (sorted longs, 2, 4 or 8 bytes each, the width
     * in its first byte; replaced, never written, by a change); the large form
     * is a FieldTable without values (the hash's table: open addressing, one byte[] per member,
     * its hash kept per slot, dictScan's cursor order). A member belongs in the intset when its
     * bytes are exactly how Redis prints a long (string2ll: no '+', no leading zeros, no "-0"),
     * so what comes out is always what went in.
     *
     * Conversions follow t_set.c: a set is created as an intset when its first member is such an
     * integer (setTypeCreate; the STORE forms and SPOP's rebuild start from an empty intset), it
     * converts when a non-integer is added or it passes the entry limit (setTypeAdd), and it never
     * converts back. A member of the intset is handed out as the decimal text of its long, made on
     * demand; one of the table as the stored array itself (never changed in place).
     *
     * A position names a member for the random picks: an index in the intset, a slot of the table,
     * valid until the next change. Footprint: this object plus the intset's or the table's own
     * account, both kept as the set changes, so footprint() is O(1).
     */

    /** SetValue: header 12 + ints 4 + table 4 = 20, aligned to 24. */
    static final int OBJECT_BYTES = 24;
    /**
     * The most members an intset takes whatever set-max-intset-entries says: Redis caps it at 2^30
     * (setTypeAdd); a Java array of 8-byte members holds fewer, (2^31 - 1 - 64) / 8, about 2^28.
     */
    private static final long INTSET_HARD_LIMIT = Math.min(1L << 30, (Integer.MAX_VALUE - 64) / 8);

    /** The compact form (an {@link IntSet} array), or null once converted. */
    private byte[] ints;
    /** The large form, or null while compact. */
    private FieldTable table;

    private SetValue(byte[] ints, FieldTable table) {
        this.ints = ints;
        this.table = table;
    }

    /** An empty intset (createIntsetObject). */
    static SetValue emptyIntSet() {
        return new SetValue(IntSet.EMPTY, null);
    }

    /** An empty set that can hold {@code first} in the form Redis picks for it (setTypeCreate). */
    static SetValue createFor(byte[] first) {
        return asLong(first) != null ? emptyIntSet() : new SetValue(null, new FieldTable(0, false));
    }

    /** The long a member stands for when it belongs in an intset, else null. */
    static Long asLong(byte[] member) {
        return Numbers.parseCanonicalLong(member, member.length);
    }

    @Override
    public ValueType type() {
        return ValueType.SET;
    }

    @Override
    public String encoding() {
        return table == null ? "intset" : "hashtable";
    }

    @Override
    public long footprint() {
        return OBJECT_BYTES + (table == null ? IntSet.footprint(ints) : table.footprint());
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    int size() {
        return table == null ? IntSet.size(ints) : table.size();
    }

    boolean isIntSet() {
        return table == null;
    }

    /** Bytes per member of the intset (2, 4 or 8), 0 for a table; for tests. */
    int intWidth() {
        return table == null ? IntSet.width(ints) : 0;
    }

    @Override
    public SetValue copy() {
        // an intset array is never written once built, so the copy may share it
        return table == null ? new SetValue(ints, null) : new SetValue(null, table.copy());
    }

    // ---- reading ----------------------------------------------------------------------------

    boolean contains(byte[] member) {
        if (table != null) {
            return table.find(member) >= 0;
        }
        Long v = asLong(member);
        return v != null && IntSet.contains(ints, v);
    }

    /** The member at a position (an intset index or a table slot). */
    byte[] memberAt(int position) {
        return table == null ? Numbers.toBytes(IntSet.get(ints, position)) : table.fieldAt(position);
    }

    /** Every member, ascending for an intset, in table order otherwise. */
    void forEach(Consumer<byte[]> out) {
        if (table == null) {
            int size = IntSet.size(ints);
            for (int i = 0; i < size; i++) {
                out.accept(Numbers.toBytes(IntSet.get(ints, i)));
            }
            return;
        }
        for (int i = 0; i < table.capacity(); i++) {
            byte[] f = table.fieldAt(i);
            if (f != null) {
                out.accept(f);
            }
        }
    }

    /** The positions of every member, in iteration order. */
    private int[] positions() {
        int[] all = new int[size()];
        if (table == null) {
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        }
        int n = 0;
        for (int i = 0; i < table.capacity(); i++) {
            if (table.fieldAt(i) != null) {
                all[n++] = i;
            }
        }
        return all;
    }

    /** A uniformly chosen position; the set is not empty. */
    int randomPosition(RandomGenerator random) {
        return table == null ? random.nextInt(IntSet.size(ints)) : table.randomSlot(random);
    }

    /**
     * SSCAN's walk: an intset all at once with the cursor 0, as Redis returns it whole; the table
     * from {@code cursor} until {@code count} members or ten steps per member asked (Redis's
     * maxiterations). Answers the next cursor.
     */
    long scan(long cursor, long count, Consumer<byte[]> out) {
        if (table == null) {
            forEach(out);
            return 0;
        }
        long[] visited = {0};
        long maxIterations = count > Long.MAX_VALUE / 10 ? Long.MAX_VALUE : count * 10;
        do {
            cursor = table.scanStep(cursor, slot -> {
                visited[0]++;
                out.accept(table.fieldAt(slot));
            });
        } while (cursor != 0 && maxIterations-- != 0 && visited[0] < count);
        return cursor;
    }

    /**
     * SRANDMEMBER's picks: {@code count} independent uniform picks, or with {@code unique} that
     * many distinct members (every member, in order, when count reaches the size). O(count) but
     * where count is near the size. The set is not empty.
     */
    void randomMembers(long count, boolean unique, RandomGenerator random, Consumer<byte[]> out) {
        int size = size();
        if (unique && count >= size) {
            forEach(out);
            return;
        }
        if (!unique) {
            for (long n = 0; n < count; n++) {
                out.accept(memberAt(randomPosition(random)));
            }
            return;
        }
        if (count * 3 <= size) {
            // a small sample of a large set: pick positions, skipping repeats (Redis's CASE 4)
            Set<Integer> seen = new HashSet<>();
            for (long n = 0; n < count; ) {
                int position = randomPosition(random);
                if (seen.add(position)) {
                    out.accept(memberAt(position));
                    n++;
                }
            }
            return;
        }
        // most of the set (Redis's CASE 3): a partial Fisher-Yates shuffle of every position
        int[] all = positions();
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(size - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
            out.accept(memberAt(all[i]));
        }
    }

    // ---- writing ----------------------------------------------------------------------------

    /** Adds a member (setTypeAdd): true when it is new. Converts for a non-integer or past {@code maxIntSetEntries}. */
    boolean add(byte[] member, long maxIntSetEntries) {
        if (table != null) {
            return table.put(member, null);
        }
        Long v = asLong(member);
        if (v == null) {
            convert();
            return table.put(member, null);
        }
        byte[] added = IntSet.add(ints, v);
        if (added == ints) {
            return false;
        }
        ints = added;
        if (IntSet.size(ints) > Math.min(maxIntSetEntries, INTSET_HARD_LIMIT)) {
            convert();
        }
        return true;
    }

    /** Removes a member; false when it was not there. */
    boolean remove(byte[] member) {
        if (table != null) {
            return table.remove(member);
        }
        Long v = asLong(member);
        if (v == null) {
            return false;
        }
        byte[] removed = IntSet.remove(ints, v);
        if (removed == ints) {
            return false;
        }
        ints = removed;
        return true;
    }

    /** Removes the member at a position and answers it. */
    byte[] removeAt(int position) {
        if (table == null) {
            byte[] m = Numbers.toBytes(IntSet.get(ints, position));
            ints = IntSet.removeAt(ints, position);
            return m;
        }
        byte[] m = table.fieldAt(position);
        table.remove(m);
        return m;
    }

    /** Moves the members into a table (setTypeConvert); for good. */
    private void convert() {
        int size = IntSet.size(ints);
        FieldTable t = new FieldTable(size, false);
        for (int i = 0; i < size; i++) {
            t.put(Numbers.toBytes(IntSet.get(ints, i)), null);
        }
        table = t;
        ints = null;
    }

    /** Recomputes what is kept incrementally; null when it agrees. For tests. */
    String checkStructure() {
        if (table != null) {
            return table.checkStructure();
        }
        return IntSet.checkStructure(ints);
    }

    /** The members as arrays, in iteration order; for tests and small results. */
    byte[][] toArray() {
        byte[][] out = new byte[size()][];
        int[] n = {0};
        forEach(m -> out[n[0]++] = m);
        return out;
    }
}
