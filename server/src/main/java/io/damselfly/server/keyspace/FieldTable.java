package io.damselfly.server.keyspace;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The large form of a hash: a table from field to value, both {@code byte[]}, that a SCAN cursor
 * can walk as Redis's dictScan walks a dict. Without values it is the large form of a set.
 */
final class FieldTable {
    /*
     * Design. Open addressing with linear probing over three parallel arrays (fields, values, the
     * fields' 32-bit hashes), a power-of-two capacity, and backward-shift deletion. No node object
     * per field: a slot costs 12 bytes (two references and an int), where java.util.HashMap costs
     * a 32-byte node plus a 4-byte bucket and a wrapper for byte[] keys. The hash is the
     * keyspace's keyed SipHash, so clients cannot aim collisions at one table (Redis seeds its
     * dict hash the same way); keeping it per slot makes a resize rehash nothing and lets a
     * lookup skip most byte comparisons.
     *
     * Load: grows (doubles) past 3/4 full; shrinks when under 1/8 full, to the smallest capacity
     * at most 3/8 full, so a table never stays mostly empty after deletes and a grow/shrink pair
     * cannot alternate on one element. A resize rehashes the whole table at once (Redis rehashes
     * incrementally; a hash of a million fields pauses its shard for the few milliseconds of the
     * copy).
     *
     * A set's table has no values array at all (values == null): a slot then costs 8 bytes.
     *
     * SCAN: a field's home bucket is hash & mask and, under linear probing with backward-shift
     * deletion, it sits in the run of occupied slots that starts at its home, with no empty slot
     * between. A step visits the fields homed at one bucket (walking that run) and advances the
     * cursor in Redis's reverse-binary order. Doubling splits home b into b and b + capacity,
     * halving merges them, exactly as in a chained dict with one table, so dictScan's guarantee
     * carries over: every field present for the whole scan is returned at least once.
     */

    /** Smallest capacity; a table is only created past the compact form's bounds. */
    private static final int MIN_CAPACITY = 8;

    private byte[][] fields;
    private byte[][] values;
    private int[] hashes;
    private int size;
    /** Heap bytes of the field and value arrays held, kept as they come and go. */
    private long dataBytes;

    FieldTable(int expectedSize) {
        this(expectedSize, true);
    }

    /** A table of fields alone when {@code withValues} is false: the values given to put are ignored. */
    FieldTable(int expectedSize, boolean withValues) {
        allocate(capacityFor(expectedSize), withValues);
    }

    private void allocate(int capacity, boolean withValues) {
        fields = new byte[capacity][];
        values = withValues ? new byte[capacity][] : null;
        hashes = new int[capacity];
    }

    /** The smallest power of two that holds {@code n} fields at most 3/8 full. */
    private static int capacityFor(int n) {
        long need = Math.max(MIN_CAPACITY, (n * 8L + 2) / 3);
        return (int) Math.min(1 << 30, Long.highestOneBit(need - 1) << 1);
    }

    static int hash(byte[] field) {
        return (int) Keyspace.hash(field);
    }

    int size() {
        return size;
    }

    /** Heap bytes of this table: the object, its arrays, and every field and value. */
    long footprint() {
        int cap = fields.length;
        return MemoryLayout.FIELD_TABLE + (values == null ? 1 : 2) * MemoryLayout.referenceArray(cap) + MemoryLayout.intArray(cap) + dataBytes;
    }

    /** The slot of {@code field}, or -1. */
    int find(byte[] field) {
        int h = hash(field);
        int mask = fields.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            byte[] f = fields[i];
            if (f == null) {
                return -1;
            }
            if (hashes[i] == h && Arrays.equals(f, field)) {
                return i;
            }
        }
    }

    byte[] fieldAt(int slot) {
        return fields[slot];
    }

    byte[] valueAt(int slot) {
        return values[slot];
    }

    int capacity() {
        return fields.length;
    }

    /** Sets a field's value; returns true when the field is new. The arrays are kept, not copied. */
    boolean put(byte[] field, byte[] value) {
        int h = hash(field);
        int mask = fields.length - 1;
        int i = h & mask;
        for (; fields[i] != null; i = (i + 1) & mask) {
            if (hashes[i] == h && Arrays.equals(fields[i], field)) {
                if (values != null) {
                    dataBytes += MemoryLayout.byteArray(value.length) - MemoryLayout.byteArray(values[i].length);
                    values[i] = value;
                }
                return false;
            }
        }
        fields[i] = field;
        hashes[i] = h;
        size++;
        dataBytes += MemoryLayout.byteArray(field.length);
        if (values != null) {
            values[i] = value;
            dataBytes += MemoryLayout.byteArray(value.length);
        }
        if (size > fields.length / 4 * 3) {
            resize(fields.length * 2);
        }
        return true;
    }

    /** Removes a field; returns whether it was there. */
    boolean remove(byte[] field) {
        int slot = find(field);
        if (slot < 0) {
            return false;
        }
        dataBytes -= MemoryLayout.byteArray(fields[slot].length) + (values == null ? 0 : MemoryLayout.byteArray(values[slot].length));
        size--;
        deleteSlot(slot);
        if (size < fields.length / 8 && fields.length > MIN_CAPACITY) {
            resize(capacityFor(size));
        }
        return true;
    }

    /** Backward-shift deletion: later members of the run move up so no lookup meets a hole. */
    private void deleteSlot(int hole) {
        int mask = fields.length - 1;
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            if (fields[i] == null) {
                break;
            }
            int home = hashes[i] & mask;
            // the entry at i may fill the hole unless its home lies cyclically in (hole, i]
            boolean homeBetween = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
            if (!homeBetween) {
                fields[hole] = fields[i];
                if (values != null) {
                    values[hole] = values[i];
                }
                hashes[hole] = hashes[i];
                hole = i;
            }
        }
        fields[hole] = null;
        if (values != null) {
            values[hole] = null;
        }
        hashes[hole] = 0;
    }

    private void resize(int capacity) {
        byte[][] oldFields = fields;
        byte[][] oldValues = values;
        int[] oldHashes = hashes;
        allocate(capacity, oldValues != null);
        int mask = capacity - 1;
        for (int j = 0; j < oldFields.length; j++) {
            if (oldFields[j] != null) {
                int i = oldHashes[j] & mask;
                while (fields[i] != null) {
                    i = (i + 1) & mask;
                }
                fields[i] = oldFields[j];
                if (oldValues != null) {
                    values[i] = oldValues[j];
                }
                hashes[i] = oldHashes[j];
            }
        }
    }

    /** A copy sharing no mutable state (the arrays of fields and values are never changed in place). */
    FieldTable copy() {
        FieldTable c = new FieldTable(0, values != null);
        c.fields = fields.clone();
        c.values = values == null ? null : values.clone();
        c.hashes = hashes.clone();
        c.size = size;
        c.dataBytes = dataBytes;
        return c;
    }

    /** A slot holding a field, chosen uniformly (rejection sampling: the table is at least 1/8 full but when tiny). */
    int randomSlot(RandomGenerator random) {
        int mask = fields.length - 1;
        while (true) {
            int i = random.nextInt() & mask;
            if (fields[i] != null) {
                return i;
            }
        }
    }

    /**
     * One dictScan step: visits the slots of the fields homed at bucket {@code cursor & mask} and
     * answers the next cursor in reverse-binary order (0 when the walk is done).
     */
    long scanStep(long cursor, java.util.function.IntConsumer slotVisitor) {
        int mask = fields.length - 1;
        int bucket = (int) (cursor & mask);
        for (int i = bucket; fields[i] != null; i = (i + 1) & mask) {
            if ((hashes[i] & mask) == bucket) {
                slotVisitor.accept(i);
            }
        }
        long v = cursor | ~(long) mask;
        v = Long.reverse(v);
        v++;
        return Long.reverse(v);
    }

    /** Recomputes what {@link #footprint()} and the size keep incrementally; for tests. */
    String checkStructure() {
        int n = 0;
        long bytes = 0;
        int mask = fields.length - 1;
        for (int i = 0; i < fields.length; i++) {
            if (fields[i] == null) {
                continue;
            }
            n++;
            bytes += MemoryLayout.byteArray(fields[i].length) + (values == null ? 0 : MemoryLayout.byteArray(values[i].length));
            if (hashes[i] != hash(fields[i])) {
                return "slot " + i + " holds a stale hash";
            }
            for (int j = hashes[i] & mask; j != i; j = (j + 1) & mask) {
                if (fields[j] == null) {
                    return "slot " + i + " is cut off from its home " + (hashes[i] & mask);
                }
            }
        }
        if (n != size || bytes != dataBytes) {
            return "size " + size + "/" + n + ", bytes " + dataBytes + "/" + bytes;
        }
        return null;
    }
}
