package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ListValue} against a plain {@code ArrayList} model under random pushes, pops, inserts,
 * trims and removals across growth, wrap-around and shrinking; after every step the contents and
 * the O(1)-maintained footprint must equal what a recount gives.
 */
class ListValueTest {

    @Test
    void randomOperations_matchModelAndFootprint() {
        Random r = new Random(42);
        ListValue list = new ListValue();
        List<byte[]> model = new ArrayList<>();
        for (int step = 0; step < 20_000; step++) {
            byte[] e = new byte[r.nextInt(3)];
            if (e.length > 0) {
                e[0] = (byte) r.nextInt(4);
            }
            int op = r.nextInt(model.size() > 200 ? 10 : 6);
            switch (op) {
                case 0, 6 -> {
                    list.pushLeft(e);
                    model.add(0, e);
                }
                case 1 -> {
                    list.pushRight(e);
                    model.add(e);
                }
                case 2, 7 -> {
                    if (!model.isEmpty()) {
                        assertArrayEquals(model.remove(0), list.popLeft());
                    }
                }
                case 3, 8 -> {
                    if (!model.isEmpty()) {
                        assertArrayEquals(model.remove(model.size() - 1), list.popRight());
                    }
                }
                case 4 -> {
                    int at = r.nextInt(model.size() + 1);
                    list.insert(at, e);
                    model.add(at, e);
                }
                case 5 -> {
                    if (!model.isEmpty()) {
                        int i = r.nextInt(model.size());
                        list.set(i, e);
                        model.set(i, e);
                    }
                }
                default -> {
                    if (r.nextBoolean()) {
                        int from = r.nextInt(model.size() + 1);
                        int to = from - 1 + r.nextInt(model.size() - from + 1);
                        list.retain(from, to);
                        List<byte[]> kept = new ArrayList<>(model.subList(from, to + 1));
                        model.clear();
                        model.addAll(kept);
                    } else {
                        byte[] victim = e;
                        long limit = r.nextInt(3);
                        boolean fromTail = r.nextBoolean();
                        int removed = list.removeEqual(victim, limit, fromTail);
                        assertEquals(removeFromModel(model, victim, limit, fromTail), removed);
                    }
                }
            }
            check(list, model);
        }
        ListValue copy = list.copy();
        check(copy, model);
    }

    private static int removeFromModel(List<byte[]> model, byte[] victim, long limit, boolean fromTail) {
        int removed = 0;
        if (fromTail) {
            for (int i = model.size() - 1; i >= 0; i--) {
                if ((limit == 0 || removed < limit) && Arrays.equals(model.get(i), victim)) {
                    model.remove(i);
                    removed++;
                }
            }
        } else {
            for (int i = 0; i < model.size(); i++) {
                if ((limit == 0 || removed < limit) && Arrays.equals(model.get(i), victim)) {
                    model.remove(i--);
                    removed++;
                }
            }
        }
        return removed;
    }

    private static void check(ListValue list, List<byte[]> model) {
        assertEquals(model.size(), list.size());
        long elements = 0;
        for (int i = 0; i < model.size(); i++) {
            assertArrayEquals(model.get(i), list.get(i), "element " + i);
            elements += MemoryLayout.byteArray(model.get(i).length);
        }
        assertEquals(MemoryLayout.LIST_VALUE + MemoryLayout.referenceArray(list.capacity()) + elements, list.footprint(), "footprint");
        assertTrue(list.capacity() <= Math.max(ListValue.MIN_CAPACITY, 4 * list.size()), "capacity " + list.capacity() + " for " + list.size());
    }
}
