package io.damselfly.server.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Redis's save option, as config.c's setConfigSaveOption reads it. */
class SavePointsTest {
    @Test
    void parse_pairs_printedAsRedisPrintsThem() {
        SavePoints p = SavePoints.parse("3600 1 300 100 60 10000");
        assertEquals(List.of(new SavePoints.Point(3600, 1), new SavePoints.Point(300, 100), new SavePoints.Point(60, 10000)),
                p.points());
        assertEquals("3600 1 300 100 60 10000", p.toString());
        // CONFIG SET splits at single spaces: an empty word is 0, so changes may be empty, seconds not
        assertEquals("900 0", SavePoints.parse("900 ").toString());
        assertEquals("900 0 1 0", SavePoints.parse("900  1 0").toString());
        assertEquals("1 0", SavePoints.parse("1 0").toString());
    }

    @Test
    void empty_isNone() {
        assertSame(SavePoints.NONE, SavePoints.parse(""));
        assertEquals("", SavePoints.normalize("\"\""));
        assertEquals("900 1 300 10", SavePoints.normalize("  900 \t 1   300 10 "));
        assertTrue(SavePoints.NONE.isEmpty());
        assertEquals("", SavePoints.NONE.toString());
    }

    @Test
    void garbage_invalidSaveParameters() {
        for (String bad : new String[] {"900", "900 1 300", "0 1", "-1 1", "900 -1", "abc 1", "900 1x", "1.5 1",
                "900 99999999999", "9999999999999999999999 1", "\"\"", " ", "  900   1 ", " 900 1", "900 1 "}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SavePoints.parse(bad), bad);
            assertEquals("Invalid save parameters", e.getMessage());
        }
    }

    @Test
    void followedBy_appendsAndEmptyClears() {
        SavePoints a = SavePoints.parse("900 1");
        assertEquals("900 1 300 10", a.followedBy(SavePoints.parse("300 10")).toString());
        assertSame(SavePoints.NONE, a.followedBy(SavePoints.NONE));
        assertEquals("60 5", SavePoints.NONE.followedBy(SavePoints.parse("60 5")).toString());
    }

    @Test
    void due_byRedisRule() {
        SavePoints p = SavePoints.parse("900 1 300 100");
        assertFalse(p.due(0, 10_000));
        assertFalse(p.due(1, 900));
        assertTrue(p.due(1, 901));
        assertFalse(p.due(99, 800));
        assertTrue(p.due(100, 301));
        assertFalse(SavePoints.NONE.due(1_000_000, 1_000_000));
    }
}
