package io.damselfly.server.keyspace;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Off-heap memory for the string records of one shard: a slab allocator over 64 KiB direct
 * pages, each page cut into slots of one size class, a slot named by an {@code int} handle.
 *
 * <h2>Why off the heap</h2>
 *
 * <p>String keys are most of a cache's keys and almost all of its bytes. On the Java heap each was
 * an array that a young collection had to copy once (pauses that grew with the write rate) and
 * that G1 then kept headroom around (resident memory well above the data; a full collection when
 * the live data neared the heap). Here a record is bytes in a page the collector never looks at:
 * the heap keeps only the tables of handles, young collections copy almost nothing, and resident
 * memory is the slots plus the partly used pages, as with Redis's jemalloc.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 *   handle = page << 13 | (offset in the page / 8)         page < 2^18, so a handle is >= 0
 *   size classes: 16..128 by 8, then four per doubling up to 16 KiB (jemalloc's spacing past
 *                 128 bytes: at most 25% and on average about 10% of a slot unused; finer below,
 *                 where most cache records fall: a 118-byte record takes 120, not 128)
 * </pre>
 *
 * <p>A page serves one class while it holds any slot; its free slots form a list threaded through
 * the slots themselves (the first four bytes of a free slot name the next), and slots never used
 * since the page was taken are handed out from a bump offset, so a fresh page costs nothing to
 * prepare. Pages with a free slot are on a doubly linked list per class, the most recently freed
 * first. A page whose last slot is freed goes back to a list of empty pages any class may take;
 * past {@link #RETAINED_EMPTY_PAGES} of those its memory is given up (the buffer is dropped and its
 * cleaner frees it), so a shrinking keyspace returns memory without thrashing at the boundary.
 *
 * <p>Not thread-safe: the owning {@link Shard}'s lock guards it, as it guards the tables that hold
 * the handles. Page memory comes from {@link ByteBuffer#allocateDirect} (counted against the JVM's
 * {@code MaxDirectMemorySize}); when that refuses, {@link #allocate} answers {@link #NONE} and the
 * caller keeps the string on the heap instead.
 */
final class RecordArena {
    /** The answer of {@link #allocate} when no slot can be had. */
    static final int NONE = -1;
    /** The largest slot: records larger than this live on the heap. */
    static final int MAX_SLOT = 16 * 1024;
    /** The byte order of every page (x86's and ARM's own). */
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private static final int PAGE_SHIFT = 16;
    static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    private static final int UNIT_SHIFT = 3;
    private static final int UNIT = 1 << UNIT_SHIFT;
    private static final int UNIT_BITS = PAGE_SHIFT - UNIT_SHIFT;
    private static final int UNIT_MASK = (1 << UNIT_BITS) - 1;
    private static final int MAX_PAGES = 1 << (31 - UNIT_BITS);
    /** Empty pages kept for reuse before memory is given back. */
    static final int RETAINED_EMPTY_PAGES = 16;
    private static final int NO_PAGE = -1;
    private static final int NO_SLOT = -1;

    private static final int[] CLASS_SIZES = classSizes();
    /** The class of each size in 8-byte units (index: (size + 7) / 8). */
    private static final byte[] CLASS_OF_UNITS = classOfUnits();

    private static int[] classSizes() {
        int[] sizes = new int[64];
        int n = 0;
        for (int s = 16; s <= 128; s += UNIT) {
            sizes[n++] = s;
        }
        for (int base = 128; base < MAX_SLOT; base *= 2) {
            for (int step = 1; step <= 4; step++) {
                sizes[n++] = base + step * (base / 4);
            }
        }
        return Arrays.copyOf(sizes, n);
    }

    private static byte[] classOfUnits() {
        byte[] classes = new byte[(MAX_SLOT >> UNIT_SHIFT) + 1];
        int c = 0;
        for (int units = 0; units < classes.length; units++) {
            while (CLASS_SIZES[c] < units << UNIT_SHIFT) {
                c++;
            }
            classes[units] = (byte) c;
        }
        return classes;
    }

    private ByteBuffer[] pages = new ByteBuffer[8];
    /** Per page: its class, or -1 while it is empty. */
    private int[] pageClass = new int[8];
    private int[] freeSlots = new int[8];
    /** Per page: the unit offset of the first freed slot, or {@link #NO_SLOT}. */
    private int[] freeList = new int[8];
    /** Per page: the unit offset of the first slot never handed out. */
    private int[] bump = new int[8];
    /** Per page: neighbours on its class's list of pages with room, or on the empty list. */
    private int[] next = new int[8];
    private int[] previous = new int[8];
    private final int[] withRoom = new int[CLASS_SIZES.length];
    private int pageCount;
    private int emptyPages = NO_PAGE;
    private int emptyCount;
    /** Page indexes whose memory was given back, for reuse: a stack threaded through {@link #next}. */
    private int releasedPages = NO_PAGE;
    private long committedBytes;
    private long slotBytes;

    RecordArena() {
        Arrays.fill(withRoom, NO_PAGE);
    }

    /** The slot size a record of {@code size} bytes takes, or 0 when it is over {@link #MAX_SLOT}. */
    static int slotSize(int size) {
        return size > MAX_SLOT ? 0 : CLASS_SIZES[CLASS_OF_UNITS[(size + UNIT - 1) >> UNIT_SHIFT]];
    }

    /** A slot of at least {@code size} bytes (at most {@link #MAX_SLOT}), or {@link #NONE}. */
    int allocate(int size) {
        int c = CLASS_OF_UNITS[(size + UNIT - 1) >> UNIT_SHIFT];
        int p = withRoom[c];
        if (p == NO_PAGE) {
            p = takePage(c);
            if (p == NO_PAGE) {
                return NONE;
            }
        }
        int unit = freeList[p];
        if (unit != NO_SLOT) {
            freeList[p] = pages[p].getInt(unit << UNIT_SHIFT);
        } else {
            unit = bump[p];
            bump[p] = unit + (CLASS_SIZES[c] >> UNIT_SHIFT);
        }
        if (--freeSlots[p] == 0) {
            unlink(p, c);
        }
        slotBytes += CLASS_SIZES[c];
        return p << UNIT_BITS | unit;
    }

    /** Gives a slot back; the handle must not be used again. */
    void free(int handle) {
        int p = handle >>> UNIT_BITS;
        int unit = handle & UNIT_MASK;
        int c = pageClass[p];
        pages[p].putInt(unit << UNIT_SHIFT, freeList[p]);
        freeList[p] = unit;
        slotBytes -= CLASS_SIZES[c];
        if (freeSlots[p]++ == 0) {
            linkFirst(p, c);
        }
        if (freeSlots[p] == slotsPerPage(c)) {
            unlink(p, c);
            makeEmpty(p);
        }
    }

    /** The page holding a handle's slot. */
    ByteBuffer page(int handle) {
        return pages[handle >>> UNIT_BITS];
    }

    /** The offset of a handle's slot in its {@link #page}. */
    static int offset(int handle) {
        return (handle & UNIT_MASK) << UNIT_SHIFT;
    }

    /** The size of a handle's slot. */
    int slotSizeOf(int handle) {
        return CLASS_SIZES[pageClass[handle >>> UNIT_BITS]];
    }

    /** Bytes of the slots in use. */
    long slotBytes() {
        return slotBytes;
    }

    /** Bytes of page memory held (in use, partly used or kept empty for reuse). */
    long committedBytes() {
        return committedBytes;
    }


    private static int slotsPerPage(int c) {
        return PAGE_SIZE / CLASS_SIZES[c];
    }

    private int takePage(int c) {
        int p = emptyPages;
        if (p != NO_PAGE) {
            emptyPages = next[p];
            emptyCount--;
        } else {
            p = newPage();
            if (p == NO_PAGE) {
                return NO_PAGE;
            }
        }
        pageClass[p] = c;
        freeSlots[p] = slotsPerPage(c);
        freeList[p] = NO_SLOT;
        bump[p] = 0;
        linkFirst(p, c);
        return p;
    }

    private int newPage() {
        ByteBuffer memory;
        try {
            memory = ByteBuffer.allocateDirect(PAGE_SIZE).order(ORDER);
        } catch (OutOfMemoryError refused) {
            // MaxDirectMemorySize reached: the caller keeps this string on the heap
            return NO_PAGE;
        }
        int p = releasedPages;
        if (p != NO_PAGE) {
            releasedPages = next[p];
        } else {
            if (pageCount == MAX_PAGES) {
                return NO_PAGE;
            }
            p = pageCount++;
            if (p == pages.length) {
                grow();
            }
        }
        pages[p] = memory;
        committedBytes += PAGE_SIZE;
        return p;
    }

    private void grow() {
        int n = pages.length * 2;
        pages = Arrays.copyOf(pages, n);
        pageClass = Arrays.copyOf(pageClass, n);
        freeSlots = Arrays.copyOf(freeSlots, n);
        freeList = Arrays.copyOf(freeList, n);
        bump = Arrays.copyOf(bump, n);
        next = Arrays.copyOf(next, n);
        previous = Arrays.copyOf(previous, n);
    }

    /** A page with no slot in use: kept for any class, or its memory given back past the retained few. */
    private void makeEmpty(int p) {
        pageClass[p] = -1;
        if (emptyCount < RETAINED_EMPTY_PAGES) {
            next[p] = emptyPages;
            emptyPages = p;
            emptyCount++;
        } else {
            pages[p] = null;
            committedBytes -= PAGE_SIZE;
            next[p] = releasedPages;
            releasedPages = p;
        }
    }

    private void linkFirst(int p, int c) {
        int head = withRoom[c];
        next[p] = head;
        previous[p] = NO_PAGE;
        if (head != NO_PAGE) {
            previous[head] = p;
        }
        withRoom[c] = p;
    }

    private void unlink(int p, int c) {
        int before = previous[p];
        int after = next[p];
        if (before == NO_PAGE) {
            withRoom[c] = after;
        } else {
            next[before] = after;
        }
        if (after != NO_PAGE) {
            previous[after] = before;
        }
    }

    /** Checks the books: every page's free count against its lists; null when sound. */
    String checkStructure() {
        long inUse = 0;
        for (int p = 0; p < pageCount; p++) {
            if (pages[p] == null || pageClass[p] < 0) {
                continue;
            }
            int c = pageClass[p];
            int listed = 0;
            for (int u = freeList[p]; u != NO_SLOT; u = pages[p].getInt(u << UNIT_SHIFT)) {
                if (++listed > slotsPerPage(c)) {
                    return "page " + p + " free list loops";
                }
            }
            int neverUsed = slotsPerPage(c) - bump[p] / (CLASS_SIZES[c] >> UNIT_SHIFT);
            if (listed + neverUsed != freeSlots[p]) {
                return "page " + p + " counts " + freeSlots[p] + " free slots but lists " + (listed + neverUsed);
            }
            inUse += (long) (slotsPerPage(c) - freeSlots[p]) * CLASS_SIZES[c];
        }
        return inUse == slotBytes ? null : "slot bytes " + slotBytes + " but pages hold " + inUse;
    }
}
