package io.damselfly.server.keyspace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A sorted set of distinct longs packed in one byte array at the narrowest width that holds them
 * all: 2, 4 or 8 bytes a member, as Redis's intset.c. The compact form of a {@link SetValue}.
 */
final class IntSet {
    /*
     * Design. Members are kept in ascending order in one byte[], each `width` bytes little-endian,
     * read and written through byte-array view VarHandles (one bounds-checked load, no boxing).
     * A lookup is a binary search; an insertion or removal moves the tail, O(n) as in Redis, whose
     * intset is bounded by set-max-intset-entries (512 by default). A member that does not fit
     * the current width widens the whole array first (16 -> 32 -> 64 bits); it never narrows
     * again, as in Redis. Such a member is smaller or larger than every other, so it goes to one
     * end without a search.
     *
     * The array keeps up to 1/8 spare room so a run of SADDs does not reallocate on every call,
     * and is trimmed when removals leave it half empty. Footprint: this object plus the array.
     */

    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] EMPTY = new byte[0];

    /** IntSet: header 12 + data 4 + size 4 + width 1 = 21, aligned to 24. */
    static final int OBJECT_BYTES = 24;

    private byte[] data = EMPTY;
    private int size;
    /** Bytes per member: 2, 4 or 8. */
    private byte width = 2;

    int size() {
        return size;
    }

    /** Bytes per member (2, 4 or 8), for tests. */
    int width() {
        return width;
    }

    /** Heap bytes of this object and its array. */
    long footprint() {
        return OBJECT_BYTES + MemoryLayout.byteArray(data.length);
    }

    /** The member at {@code index} (ascending order). */
    long get(int index) {
        return read(data, width, index);
    }

    private static long read(byte[] a, int width, int index) {
        return switch (width) {
            case 2 -> (short) SHORTS.get(a, index << 1);
            case 4 -> (int) INTS.get(a, index << 2);
            default -> (long) LONGS.get(a, index << 3);
        };
    }

    private static void write(byte[] a, int width, int index, long v) {
        switch (width) {
            case 2 -> SHORTS.set(a, index << 1, (short) v);
            case 4 -> INTS.set(a, index << 2, (int) v);
            default -> LONGS.set(a, index << 3, v);
        }
    }

    /** The width that holds {@code v}. */
    private static int widthOf(long v) {
        if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            return 2;
        }
        return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? 4 : 8;
    }

    /** The index of {@code v}, or {@code -(insertion point) - 1}. */
    int indexOf(long v) {
        if (widthOf(v) > width) {
            // wider than every member: absent, and it would go to one end
            return v < 0 ? -1 : -size - 1;
        }
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long m = get(mid);
            if (m < v) {
                lo = mid + 1;
            } else if (m > v) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -lo - 1;
    }

    boolean contains(long v) {
        return indexOf(v) >= 0;
    }

    /** Adds {@code v}; false when it was there. */
    boolean add(long v) {
        int w = widthOf(v);
        if (w > width) {
            widen(w);
        }
        int at = indexOf(v);
        if (at >= 0) {
            return false;
        }
        at = -at - 1;
        ensureCapacity((size + 1) * width);
        System.arraycopy(data, at * width, data, (at + 1) * width, (size - at) * width);
        write(data, width, at, v);
        size++;
        return true;
    }

    /** Removes {@code v}; false when it was not there. */
    boolean remove(long v) {
        int at = indexOf(v);
        if (at < 0) {
            return false;
        }
        removeAt(at);
        return true;
    }

    /** Removes the member at {@code index}. */
    void removeAt(int index) {
        System.arraycopy(data, (index + 1) * width, data, index * width, (size - index - 1) * width);
        size--;
        int used = size * width;
        if (used < data.length / 2) {
            data = used == 0 ? EMPTY : Arrays.copyOf(data, used);
        }
    }

    /** Rewrites every member at the larger width {@code w}. */
    private void widen(int w) {
        byte[] wider = new byte[capacityFor(size * w)];
        for (int i = 0; i < size; i++) {
            write(wider, w, i, get(i));
        }
        data = wider;
        width = (byte) w;
    }

    /** Makes room for {@code needed} bytes, with up to 1/8 to spare. */
    private void ensureCapacity(int needed) {
        if (needed > data.length) {
            data = Arrays.copyOf(data, capacityFor(needed));
        }
    }

    /** An array length for {@code needed} bytes with up to 1/8 to spare, filling the 8-byte alignment. */
    private static int capacityFor(int needed) {
        long grown = MemoryLayout.byteArray(needed + (needed >> 3)) - 16;
        return (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, grown));
    }

    /** A copy sharing nothing, trimmed to its members. */
    IntSet copy() {
        IntSet c = new IntSet();
        c.data = size == 0 ? EMPTY : Arrays.copyOf(data, size * width);
        c.size = size;
        c.width = width;
        return c;
    }

    /** Checks order, distinctness and width; null when sound. For tests. */
    String checkStructure() {
        if (size * width > data.length) {
            return size + " members of " + width + " bytes in " + data.length;
        }
        for (int i = 1; i < size; i++) {
            if (get(i - 1) >= get(i)) {
                return "members " + (i - 1) + " and " + i + " out of order";
            }
        }
        return null;
    }
}
