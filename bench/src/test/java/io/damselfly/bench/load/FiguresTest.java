package io.damselfly.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class FiguresTest {

    @Test
    void toString_inOrderAddedAndRounded() {
        Figures f = Figures.builder().add("hit ratio", 0.812345).add("ops/s", 412345.67).add("errors", 0)
                .add("p99 ms", 1.23456).add("bytes/key (RSS)", 152.349).build();
        assertEquals("hit ratio=0.8123 ops/s=412346 errors=0 p99 ms=1.235 bytes/key (RSS)=152.3", f.toString());
        assertEquals(List.of("hit ratio", "ops/s", "errors", "p99 ms", "bytes/key (RSS)"), List.copyOf(f.names()));
    }

    @Test
    void get_missingOrTwice_throws() {
        Figures f = Figures.builder().add("ops/s", 1).build();
        assertEquals(1, f.get("ops/s"));
        assertThrows(IllegalArgumentException.class, () -> f.get("op/s"));
        assertThrows(IllegalArgumentException.class, () -> Figures.builder().add("a", 1).add("a", 2));
        assertThrows(UnsupportedOperationException.class, () -> f.asMap().put("b", 2.0));
    }

    @Test
    void format_specialValues() {
        assertEquals("NaN", Figures.format(Double.NaN));
        assertEquals("0.0001235", Figures.format(0.00012345));
        assertEquals("-3", Figures.format(-3));
    }
}
