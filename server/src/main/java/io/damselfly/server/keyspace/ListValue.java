package io.damselfly.server.keyspace;

import java.util.Arrays;

/**
 * A Redis list: a sequence of byte strings with O(1) push and pop at both ends and O(1) access
 * by index, held by an {@link ObjectEntry}.
 *
 * <p>Design. The elements live in one growable circular array of references ({@code
 * items[(head + i) & (capacity - 1)]}, capacity a power of two), each element its own {@code
 * byte[]}: a push stores the request's argument array itself (the decoder gives every argument
 * its own array, and nothing changes an element once stored: LSET stores a new reference), so a
 * push copies nothing and a pop hands out the stored array. Redis 7.0 keeps a list as a
 * quicklist of listpack nodes; this costs a reference and an array header (20 bytes) per element
 * more than a listpack entry, but no node bookkeeping, and LINDEX/LSET are O(1) instead of a
 * node walk. The array doubles when full and shrinks when a quarter full (never below {@link
 * #MIN_CAPACITY}), so a list that shrinks gives its memory back (at most four references per
 * element) and every push and pop stays amortised O(1).
 *
 * <p>The footprint is kept as the sum of the element arrays' sizes plus the reference array's,
 * updated by every change, so reading it is O(1) whatever the length. Changed only under the
 * owning shard's lock, by {@link ListOps}, which books each change through the write path.
 */
final class ListValue implements Value {
    /** The smallest array: 4 references fill the 16-byte array header's 8-byte alignment twice. */
    static final int MIN_CAPACITY = 4;

    private byte[][] items;
    private int head;
    private int size;
    /** Heap bytes of the element arrays (not the reference array). */
    private long elementBytes;

    ListValue() {
        this.items = new byte[MIN_CAPACITY][];
    }

    private ListValue(byte[][] items, int size, long elementBytes) {
        this.items = items;
        this.size = size;
        this.elementBytes = elementBytes;
    }

    @Override
    public ValueType type() {
        return ValueType.LIST;
    }

    /**
     * Redis 7.0 encodes every list as a quicklist (t_list.c creates one for every new list; the
     * listpack-encoded small list and its conversion rules arrived in 7.2), so OBJECT ENCODING
     * answers "quicklist" whatever the length and list-max-listpack-size.
     */
    @Override
    public String encoding() {
        return "quicklist";
    }

    @Override
    public long footprint() {
        return MemoryLayout.LIST_VALUE + MemoryLayout.referenceArray(items.length) + elementBytes;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** Heap bytes of the elements themselves (lazy-free's quicklist node estimate). */
    long elementBytes() {
        return elementBytes;
    }

    /** The element at {@code index} (0 = head), which must be in range. */
    byte[] get(int index) {
        return items[(head + index) & (items.length - 1)];
    }

    /** Replaces the element at {@code index}, which must be in range. */
    void set(int index, byte[] element) {
        int slot = (head + index) & (items.length - 1);
        elementBytes += MemoryLayout.byteArray(element.length) - MemoryLayout.byteArray(items[slot].length);
        items[slot] = element;
    }

    void pushLeft(byte[] element) {
        growIfFull();
        head = (head - 1) & (items.length - 1);
        items[head] = element;
        size++;
        elementBytes += MemoryLayout.byteArray(element.length);
    }

    void pushRight(byte[] element) {
        growIfFull();
        items[(head + size) & (items.length - 1)] = element;
        size++;
        elementBytes += MemoryLayout.byteArray(element.length);
    }

    /** Removes and returns the head element; the list must not be empty. */
    byte[] popLeft() {
        byte[] e = items[head];
        items[head] = null;
        head = (head + 1) & (items.length - 1);
        size--;
        elementBytes -= MemoryLayout.byteArray(e.length);
        shrinkIfSparse();
        return e;
    }

    /** Removes and returns the tail element; the list must not be empty. */
    byte[] popRight() {
        int slot = (head + size - 1) & (items.length - 1);
        byte[] e = items[slot];
        items[slot] = null;
        size--;
        elementBytes -= MemoryLayout.byteArray(e.length);
        shrinkIfSparse();
        return e;
    }

    /** Inserts at {@code index} (0..size), moving the shorter side. */
    void insert(int index, byte[] element) {
        if (index == 0) {
            pushLeft(element);
            return;
        }
        if (index == size) {
            pushRight(element);
            return;
        }
        growIfFull();
        int mask = items.length - 1;
        if (index < size / 2) {
            head = (head - 1) & mask;
            for (int i = 0; i < index; i++) {
                items[(head + i) & mask] = items[(head + i + 1) & mask];
            }
        } else {
            for (int i = size; i > index; i--) {
                items[(head + i) & mask] = items[(head + i - 1) & mask];
            }
        }
        items[(head + index) & mask] = element;
        size++;
        elementBytes += MemoryLayout.byteArray(element.length);
    }

    /**
     * Keeps only the elements at {@code from..to} (inclusive, in range, from <= to + 1): LTRIM and
     * the pops of several elements.
     */
    void retain(int from, int to) {
        int mask = items.length - 1;
        for (int i = 0; i < from; i++) {
            drop((head + i) & mask);
        }
        for (int i = to + 1; i < size; i++) {
            drop((head + i) & mask);
        }
        head = (head + from) & mask;
        size = to - from + 1;
        shrinkIfSparse();
    }

    /**
     * Removes the elements equal to {@code element}: all of them for {@code limit} 0, else at most
     * {@code limit}, from the head ({@code fromTail} false) or the tail. One pass that closes the
     * gaps as it goes; returns how many were removed.
     */
    int removeEqual(byte[] element, long limit, boolean fromTail) {
        int mask = items.length - 1;
        int removed = 0;
        if (!fromTail) {
            int write = 0;
            for (int read = 0; read < size; read++) {
                byte[] e = items[(head + read) & mask];
                if ((limit == 0 || removed < limit) && Arrays.equals(e, element)) {
                    removed++;
                    elementBytes -= MemoryLayout.byteArray(e.length);
                } else {
                    items[(head + write++) & mask] = e;
                }
            }
            for (int i = write; i < size; i++) {
                items[(head + i) & mask] = null;
            }
        } else {
            int write = size - 1;
            for (int read = size - 1; read >= 0; read--) {
                byte[] e = items[(head + read) & mask];
                if ((limit == 0 || removed < limit) && Arrays.equals(e, element)) {
                    removed++;
                    elementBytes -= MemoryLayout.byteArray(e.length);
                } else {
                    items[(head + write--) & mask] = e;
                }
            }
            for (int i = 0; i <= write; i++) {
                items[(head + i) & mask] = null;
            }
            head = (head + removed) & mask;
        }
        size -= removed;
        shrinkIfSparse();
        return removed;
    }

    private void drop(int slot) {
        elementBytes -= MemoryLayout.byteArray(items[slot].length);
        items[slot] = null;
    }

    private void growIfFull() {
        if (size == items.length) {
            resize(items.length * 2);
        }
    }

    /**
     * At a quarter full, shrinks to twice the next power of two of the size: one step however much
     * an LTRIM removed, and far enough from both thresholds that a push and a pop at the boundary
     * cannot both resize. The array so never exceeds four references per element.
     */
    private void shrinkIfSparse() {
        if (items.length > MIN_CAPACITY && size <= items.length / 4) {
            int fit = size <= 1 ? 1 : Integer.highestOneBit(size - 1) << 1;
            resize(Math.max(MIN_CAPACITY, fit * 2));
        }
    }

    /** The reference array's length (tests check the bound on it). */
    int capacity() {
        return items.length;
    }

    private void resize(int capacity) {
        byte[][] grown = new byte[capacity][];
        int mask = items.length - 1;
        for (int i = 0; i < size; i++) {
            grown[i] = items[(head + i) & mask];
        }
        items = grown;
        head = 0;
    }

    /** The elements are shared: they are never changed in place, so the copy shares no mutable state. */
    @Override
    public ListValue copy() {
        byte[][] c = new byte[items.length][];
        int mask = items.length - 1;
        for (int i = 0; i < size; i++) {
            c[i] = items[(head + i) & mask];
        }
        return new ListValue(c, size, elementBytes);
    }
}
