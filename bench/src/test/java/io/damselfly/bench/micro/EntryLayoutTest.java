package io.damselfly.bench.micro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.damselfly.bench.micro.EntryLayoutBenchmark.Layout;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A model check of every layout {@link EntryLayoutBenchmark} compares, through the same {@link
 * StringStore} calls: after each round of SETs, every GET answers the value last set, so the
 * benchmark cannot be timing a store that loses or mixes up keys. Chronicle needs the JVM flags
 * that bench/pom.xml gives surefire.
 */
class EntryLayoutTest {
    private static final int KEYS = 10_000;
    private static final int VALUE_SIZE = 100;

    @ParameterizedTest
    @EnumSource(Layout.class)
    void everyGetAnswersTheValueLastSet(Layout layout) {
        byte[][] keys = LayoutFootprint.keys(KEYS);
        byte[][] model = new byte[KEYS][];
        byte[] reply = new byte[4 * VALUE_SIZE];
        try (StringStore store = layout.open(KEYS, LayoutFootprint.averageLength(keys), VALUE_SIZE, System.currentTimeMillis())) {
            for (int i = 0; i < KEYS; i++) {
                model[i] = LayoutFootprint.value(i, VALUE_SIZE, 0);
                store.set(keys[i].clone(), model[i].clone());
            }
            check(layout, store, keys, model, reply);

            // overwrite a third of the keys with the benchmark's same-size values, and a few with
            // shorter and longer ones, asking with fresh copies of the keys as the benchmark does
            for (int i = 0; i < KEYS; i += 3) {
                int size = i % 100 == 0 ? 7 : i % 100 == 3 ? 3 * VALUE_SIZE : VALUE_SIZE;
                model[i] = LayoutFootprint.value(i, size, 1);
                store.set(keys[i].clone(), model[i].clone());
            }
            check(layout, store, keys, model, reply);

            assertEquals(-1, store.get("key:absent".getBytes(java.nio.charset.StandardCharsets.US_ASCII), reply));
            assertEquals(-1, store.get(("key:" + KEYS).getBytes(java.nio.charset.StandardCharsets.US_ASCII), reply));
            assertNull(store.checkInvariants(), layout + " invariants");
        }
    }

    private static void check(Layout layout, StringStore store, byte[][] keys, byte[][] model, byte[] reply) {
        assertEquals(KEYS, store.size(), layout + " size");
        for (int i = 0; i < KEYS; i++) {
            Arrays.fill(reply, (byte) 0);
            int length = store.get(keys[i].clone(), reply);
            assertEquals(model[i].length, length, layout + " length of key:" + i);
            assertArrayEquals(model[i], Arrays.copyOf(reply, length), layout + " value of key:" + i);
        }
    }
}
