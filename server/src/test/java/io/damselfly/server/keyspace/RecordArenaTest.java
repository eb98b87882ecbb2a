package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecordArenaTest {
    @Test
    void slotSizes_holdTheSize_andWasteAtMostAQuarter() {
        int previous = 0;
        for (int size = 1; size <= RecordArena.MAX_SLOT; size++) {
            int slot = RecordArena.slotSize(size);
            assertTrue(slot >= size, "slot " + slot + " for " + size);
            assertTrue(slot >= previous, "slot sizes never shrink as the size grows");
            assertEquals(0, slot % 8, "slots are whole 8-byte units");
            if (size > 16) {
                assertTrue(slot - size < slot / 4 + 16, "slot " + slot + " for " + size + " wastes too much");
            }
            previous = slot;
        }
        assertEquals(0, RecordArena.slotSize(RecordArena.MAX_SLOT + 1));
    }

    /**
     * Random allocations and frees of every size against a model: each live slot keeps the bytes
     * written into it (no two live slots overlap), the books balance, and emptied pages go back.
     */
    @Test
    void randomAllocateAndFree_keepsEverySlotsBytes() {
        RecordArena arena = new RecordArena();
        Random r = new Random(17);
        Map<Integer, Integer> sizes = new HashMap<>();
        Map<Integer, Byte> marks = new HashMap<>();
        List<Integer> live = new ArrayList<>();
        long expectedSlotBytes = 0;
        for (int op = 0; op < 200_000; op++) {
            boolean grow = op < 100_000 ? r.nextInt(3) != 0 : r.nextInt(3) == 0;
            if (grow || live.isEmpty()) {
                // mostly small records, some up to the largest slot
                int size = r.nextInt(10) == 0 ? 1 + r.nextInt(RecordArena.MAX_SLOT) : 1 + r.nextInt(300);
                int h = arena.allocate(size);
                assertTrue(h >= 0);
                assertTrue(arena.slotSizeOf(h) >= size);
                byte mark = (byte) r.nextInt();
                fill(arena.page(h), RecordArena.offset(h), size, mark);
                assertTrue(sizes.put(h, size) == null, "handle " + h + " handed out twice");
                marks.put(h, mark);
                live.add(h);
                expectedSlotBytes += arena.slotSizeOf(h);
            } else {
                int h = live.remove(r.nextInt(live.size()));
                check(arena.page(h), RecordArena.offset(h), sizes.get(h), marks.get(h));
                expectedSlotBytes -= arena.slotSizeOf(h);
                arena.free(h);
                sizes.remove(h);
                marks.remove(h);
            }
            if (op % 20_000 == 0) {
                assertNull(arena.checkStructure(), "at op " + op);
                for (int h : live) {
                    check(arena.page(h), RecordArena.offset(h), sizes.get(h), marks.get(h));
                }
            }
            assertEquals(expectedSlotBytes, arena.slotBytes());
        }
        for (int h : live) {
            check(arena.page(h), RecordArena.offset(h), sizes.get(h), marks.get(h));
            arena.free(h);
        }
        assertEquals(0, arena.slotBytes());
        assertNull(arena.checkStructure());
        assertTrue(arena.committedBytes() <= RecordArena.RETAINED_EMPTY_PAGES * (long) RecordArena.PAGE_SIZE);
    }

    @Test
    void smallSlots_packPagesTightly() {
        RecordArena arena = new RecordArena();
        int n = 100_000;
        Set<Integer> handles = new HashSet<>();
        for (int i = 0; i < n; i++) {
            handles.add(arena.allocate(100));
        }
        assertEquals(n, handles.size());
        assertEquals(104L * n, arena.slotBytes());
        // whole pages of 104-byte slots (630 to a page): only the last page and each page's tail are unused
        long pages = arena.committedBytes() / RecordArena.PAGE_SIZE;
        assertEquals((n + 629) / 630, pages);
    }


    private static void fill(ByteBuffer page, int at, int size, byte mark) {
        for (int i = 0; i < size; i++) {
            page.put(at + i, (byte) (mark + i));
        }
    }

    private static void check(ByteBuffer page, int at, int size, byte mark) {
        for (int i = 0; i < size; i++) {
            if (page.get(at + i) != (byte) (mark + i)) {
                throw new AssertionError("slot at " + at + " changed at byte " + i);
            }
        }
    }
}
