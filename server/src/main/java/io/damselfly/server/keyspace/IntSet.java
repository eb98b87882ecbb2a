package io.damselfly.server.keyspace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A sorted set of distinct longs packed in one byte array at the narrowest width that holds them
 * all, 2, 4 or 8 bytes a member, as Redis's intset.c: the compact form of a {@link SetValue}. Static
 * operations over the array, as {@link StringRecord}'s over a string record; a change answers a
 * new array (or the same one when nothing changed), so an array once made is never written again.
 */
final class IntSet {
    /*
     * Design. Layout: [width][member 0][member 1]..., the width one byte, the members ascending,
     * each `width` bytes little-endian, read through byte-array view VarHandles (plain access
     * allows the odd offsets). The array has no spare room, so the size is (length - 1) / width
     * and there is no object around it: ten small integers cost one 40-byte array, where an
     * object with a size field and a grown array would add 24 bytes or more per set.
     *
     * A lookup is a binary search. An insertion or removal copies the array into a new one of the
     * new size, O(n) as Redis's memmove and realloc are; Redis bounds an intset by
     * set-max-intset-entries (512 by default), so a write moves at most 4 KiB. A member that does
     * not fit the width widens every member first (16 -> 32 -> 64 bits); the width never narrows,
     * as in Redis. Such a member is below or above every other, so it goes to one end unsearched.
     * Arrays never change once built, so the empty intset is one shared array.
     *
     * The cost of having no spare room: Redis's realloc often grows in place, so a run of
     * ascending appends costs it about O(1) each, where here every add copies the array. At the
     * default bound (4 KiB at most) that is a few hundred nanoseconds; with set-max-intset-entries
     * raised to 100k, building such a set by single appends copies about 40 GB in all.
     */

    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** The empty intset, 16-bit; shared, since an intset array is never written after it is built. */
    static final byte[] EMPTY = {2};

    private IntSet() {
    }

    static int width(byte[] s) {
        return s[0];
    }

    static int size(byte[] s) {
        return (s.length - 1) / s[0];
    }

    /** The member at {@code index} (ascending order). */
    static long get(byte[] s, int index) {
        return read(s, s[0], index);
    }

    private static long read(byte[] a, int width, int index) {
        int at = 1 + index * width;
        return switch (width) {
            case 2 -> (short) SHORTS.get(a, at);
            case 4 -> (int) INTS.get(a, at);
            default -> (long) LONGS.get(a, at);
        };
    }

    private static void write(byte[] a, int width, int index, long v) {
        int at = 1 + index * width;
        switch (width) {
            case 2 -> SHORTS.set(a, at, (short) v);
            case 4 -> INTS.set(a, at, (int) v);
            default -> LONGS.set(a, at, v);
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
    static int indexOf(byte[] s, long v) {
        int width = s[0];
        int size = (s.length - 1) / width;
        if (widthOf(v) > width) {
            // wider than every member: absent, and it would go to one end
            return v < 0 ? -1 : -size - 1;
        }
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long m = read(s, width, mid);
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

    static boolean contains(byte[] s, long v) {
        return indexOf(s, v) >= 0;
    }

    /** The intset with {@code v} added: {@code s} itself when it was there. */
    static byte[] add(byte[] s, long v) {
        int width = s[0];
        int size = (s.length - 1) / width;
        int w = widthOf(v);
        if (w > width) {
            // a new end member at a new width: rewrite every member
            byte[] wider = new byte[1 + (size + 1) * w];
            wider[0] = (byte) w;
            int shift = v < 0 ? 1 : 0;
            for (int i = 0; i < size; i++) {
                write(wider, w, i + shift, read(s, width, i));
            }
            write(wider, w, v < 0 ? 0 : size, v);
            return wider;
        }
        int at = indexOf(s, v);
        if (at >= 0) {
            return s;
        }
        at = -at - 1;
        byte[] grown = new byte[s.length + width];
        int split = 1 + at * width;
        System.arraycopy(s, 0, grown, 0, split);
        System.arraycopy(s, split, grown, split + width, s.length - split);
        write(grown, width, at, v);
        return grown;
    }

    /** The intset without {@code v}: {@code s} itself when it was not there. */
    static byte[] remove(byte[] s, long v) {
        int at = indexOf(s, v);
        return at < 0 ? s : removeAt(s, at);
    }

    /** The intset without the member at {@code index}. */
    static byte[] removeAt(byte[] s, int index) {
        int width = s[0];
        if (s.length - 1 == width) {
            return width == 2 ? EMPTY : new byte[] {(byte) width};
        }
        byte[] shrunk = new byte[s.length - width];
        int split = 1 + index * width;
        System.arraycopy(s, 0, shrunk, 0, split);
        System.arraycopy(s, split + width, shrunk, split, shrunk.length - split);
        return shrunk;
    }

    /** Heap bytes of the array. */
    static long footprint(byte[] s) {
        return MemoryLayout.byteArray(s.length);
    }

    /** Checks width, length, order and distinctness; null when sound. For tests. */
    static String checkStructure(byte[] s) {
        int width = s[0];
        if (width != 2 && width != 4 && width != 8) {
            return "width " + width;
        }
        if ((s.length - 1) % width != 0) {
            return "length " + s.length + " at width " + width;
        }
        for (int i = 1; i < size(s); i++) {
            if (get(s, i - 1) >= get(s, i)) {
                return "members " + (i - 1) + " and " + i + " out of order";
            }
        }
        return null;
    }

    /** The members, ascending; for tests. */
    static long[] toLongs(byte[] s) {
        long[] out = new long[size(s)];
        Arrays.setAll(out, i -> get(s, i));
        return out;
    }
}
