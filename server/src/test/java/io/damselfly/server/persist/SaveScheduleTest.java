package io.damselfly.server.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Dragonfly's save_schedule / snapshot_cron syntaxes and the next firing time, in UTC. */
class SaveScheduleTest {
    private static Instant at(String utc) {
        return Instant.parse(utc);
    }

    private static String next(String schedule, String afterUtc) {
        Instant n = SaveSchedule.parse(schedule).next(at(afterUtc), ZoneOffset.UTC);
        return n == null ? null : n.toString();
    }

    @Test
    void cron_everyQuarterHour() {
        assertEquals("2026-12-04T10:15:00Z", next("*/15 * * * *", "2026-12-04T10:07:00Z"));
        // strictly after: at 10:15 exactly the next is 10:30
        assertEquals("2026-12-04T10:30:00Z", next("*/15 * * * *", "2026-12-04T10:15:00Z"));
        assertEquals("2026-12-04T10:15:00Z", next("*/15 * * * *", "2026-12-04T10:14:59.999Z"));
        assertEquals("2026-12-05T00:00:00Z", next("*/15 * * * *", "2026-12-04T23:45:00Z"));
    }

    @Test
    void oldSyntax_halfPastEveryHour() {
        assertEquals("2026-12-04T10:30:00Z", next("*:30", "2026-12-04T10:07:00Z"));
        assertEquals("2026-12-04T11:30:00Z", next("*:30", "2026-12-04T10:30:00Z"));
        assertEquals("2027-01-01T00:30:00Z", next("*:30", "2026-12-31T23:31:00Z"));
    }

    @Test
    void oldSyntax_digitWildcards_asDragonflyMatchedThem() {
        // 1*:*0: hours 10-19, minutes ending in 0
        assertEquals("2026-12-04T10:00:00Z", next("1*:*0", "2026-12-04T09:59:00Z"));
        assertEquals("2026-12-04T10:10:00Z", next("1*:*0", "2026-12-04T10:00:00Z"));
        assertEquals("2026-12-05T10:00:00Z", next("1*:*0", "2026-12-04T19:50:00Z"));
        // one hour digit matches that number only: 2:04 is never 12:04
        assertEquals("2026-12-05T02:04:00Z", next("2:04", "2026-12-04T02:05:00Z"));
        // *3 is 03, 13 and 23
        assertEquals("2026-12-04T13:04:00Z", next("*3:04", "2026-12-04T03:05:00Z"));
        assertEquals("2026-12-04T23:04:00Z", next("*3:04", "2026-12-04T13:05:00Z"));
        assertEquals("2026-12-04T10:01:00Z", next("*:*", "2026-12-04T10:00:00Z"));
        assertEquals("2026-12-04T09:00:00Z", next("09:*", "2026-12-04T08:00:00Z"));
        assertEquals("2026-12-04T09:00:00Z", next("9:*", "2026-12-04T08:00:00Z"));
        assertEquals("2026-12-04T00:00:00Z", next("0:00", "2026-12-03T23:59:00Z"));
        assertEquals("2026-12-04T23:59:00Z", next("23:59", "2026-12-04T00:00:00Z"));
        assertEquals("2026-12-04T18:10:00Z", next("18:1*", "2026-12-04T09:00:00Z"));
    }

    @Test
    void oldSyntax_garbage_refusedAsDragonflyDid() {
        for (String bad : new String[] {"24:00", "00:60", "100:00", "00:100", "23:6*", "00:9", ":12", "1234", "1",
                "-1:-2", "12:34b", "0;:1=", "12*:09", "23:45*", "ab:cd", "::", "1:2:3"}) {
            assertThrows(IllegalArgumentException.class, () -> SaveSchedule.parse(bad), bad);
        }
    }

    @Test
    void cron_garbage_refusedWithTheReason() {
        for (String bad : new String[] {"* * * *", "0 * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *",
                "* * * 13 *", "* * * 0 *", "* * * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *", "* * * FOO *",
                "1,,2 * * * *", "-5 * * * *", "*/ * * * *", "? * * * *", "0 0 30 2 *", "0 0 31 4,6,9,11 *", "@often",
                "\"*/15 * * * *\"", "*/15 * * * * *"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SaveSchedule.parseCron(bad), bad);
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SaveSchedule.parseCron("0 0 * * * *"))
                .getMessage().contains("seconds"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SaveSchedule.parse("\"*:30\""))
                .getMessage().contains("quotes"));
        // snapshot_cron takes cron lines only
        assertThrows(IllegalArgumentException.class, () -> SaveSchedule.parseCron("*:30"));
    }

    @Test
    void blank_isNone() {
        assertSame(SaveSchedule.NONE, SaveSchedule.parse(""));
        assertSame(SaveSchedule.NONE, SaveSchedule.parseCron("  "));
        assertTrue(SaveSchedule.NONE.isEmpty());
        assertNull(SaveSchedule.NONE.next(at("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
        assertEquals("", SaveSchedule.NONE.toString());
    }

    @Test
    void toString_givesTheTextBack() {
        assertEquals("*/15 * * * *", SaveSchedule.parse("*/15 * * * *").toString());
        assertEquals("*:30", SaveSchedule.parse(" *:30 ").toString());
        assertEquals("0 3 * JAN-MAR mon-fri", SaveSchedule.parseCron("0 3 * JAN-MAR mon-fri").toString());
    }

    @Test
    void cron_listsRangesStepsNames() {
        // weekdays at 03:00: 2026-12-04 is a Friday, so next is Monday the 7th
        assertEquals("2026-12-07T03:00:00Z", next("0 3 * * MON-FRI", "2026-12-04T03:00:00Z"));
        assertEquals("2026-12-07T03:00:00Z", next("0 3 * * 1-5", "2026-12-04T03:00:00Z"));
        assertEquals("2026-12-04T08:20:00Z", next("0-30/10 8,9 * * *", "2026-12-04T08:10:00Z"));
        assertEquals("2026-12-04T09:00:00Z", next("0-30/10 8,9 * * *", "2026-12-04T08:30:00Z"));
        // a/step: from a to the end
        assertEquals("2026-12-04T10:50:00Z", next("5/15 * * * *", "2026-12-04T10:35:00Z"));
        assertEquals("2026-12-04T11:05:00Z", next("5/15 * * * *", "2026-12-04T10:50:00Z"));
        // 7 and 0 are Sunday; 2026-12-06 is a Sunday
        assertEquals("2026-12-06T00:00:00Z", next("0 0 * * 7", "2026-12-04T00:00:00Z"));
        assertEquals("2026-12-06T00:00:00Z", next("0 0 * * SUN", "2026-12-04T00:00:00Z"));
        assertEquals("2026-12-06T00:00:00Z", next("0 0 ? * 0", "2026-12-04T00:00:00Z"));
        // months by name, and the year rolls over
        assertEquals("2027-01-01T00:00:00Z", next("0 0 1 jan *", "2026-12-04T00:00:00Z"));
        assertEquals("2027-03-01T12:00:00Z", next("0 12 1 MAR,JUN *", "2026-12-04T00:00:00Z"));
        assertEquals("2027-01-01T00:00:00Z", next("@yearly", "2026-01-01T00:00:00Z"));
        assertEquals("2026-12-04T11:00:00Z", next("@hourly", "2026-12-04T10:00:00Z"));
        assertEquals("2026-12-05T00:00:00Z", next("@daily", "2026-12-04T10:00:00Z"));
        assertEquals("2026-12-06T00:00:00Z", next("@weekly", "2026-12-04T10:00:00Z"));
        assertEquals("2027-01-01T00:00:00Z", next("@monthly", "2026-12-04T10:00:00Z"));
    }

    @Test
    void cron_bothDayFieldsRestricted_eitherMatches() {
        // the 13th or any Friday: from Sat 2026-12-05 the next is Fri 12-11, then Sun 12-13
        assertEquals("2026-12-11T00:00:00Z", next("0 0 13 * FRI", "2026-12-05T00:00:00Z"));
        assertEquals("2026-12-13T00:00:00Z", next("0 0 13 * FRI", "2026-12-11T00:00:00Z"));
        // one field a star: both must hold (the star one always does)
        assertEquals("2026-12-11T00:00:00Z", next("0 0 * * 5", "2026-12-05T00:00:00Z"));
        // */2 starts with '*': Vixie counts it as a star, so day of week must hold too (odd days that are Fridays)
        assertEquals("2026-12-11T00:00:00Z", next("0 0 */2 * 5", "2026-12-05T00:00:00Z"));
        assertEquals("2026-12-25T00:00:00Z", next("0 0 */2 * 5", "2026-12-11T00:00:00Z"));
    }

    @Test
    void cron_monthEnds_andFebruary29() {
        assertEquals("2026-12-31T00:00:00Z", next("0 0 31 * *", "2026-12-04T00:00:00Z"));
        // no 31st in February, April: skipped
        assertEquals("2027-03-31T00:00:00Z", next("0 0 31 * *", "2027-01-31T00:00:00Z"));
        assertEquals("2028-02-29T00:00:00Z", next("0 0 29 2 *", "2026-12-04T00:00:00Z"));
        assertEquals("2032-02-29T00:00:00Z", next("0 0 29 2 *", "2028-02-29T00:00:00Z"));
        // 2100 is not a leap year: eight years from 2096 to 2104
        assertEquals("2104-02-29T00:00:00Z", next("0 0 29 2 *", "2096-03-01T00:00:00Z"));
        assertEquals("2027-02-28T23:59:00Z", next("59 23 28-31 2 *", "2026-12-04T00:00:00Z"));
        assertEquals("2027-12-31T23:59:00Z", next("59 23 31 12 *", "2026-12-31T23:59:00Z"));
    }

    @Test
    void next_inAZone_readsWallClockTime() {
        // 03:00 in New York (UTC-5 in December) is 08:00 UTC
        Instant n = SaveSchedule.parse("0 3 * * *").next(at("2026-12-04T00:00:00Z"), ZoneId.of("America/New_York"));
        assertEquals("2026-12-04T08:00:00Z", n.toString());
        // 02:30 does not exist on 2027-03-14 there (clocks jump from 02:00 to 03:00): that day is skipped
        Instant skip = SaveSchedule.parse("30 2 * * *").next(at("2027-03-13T08:00:00Z"), ZoneId.of("America/New_York"));
        assertEquals("2027-03-15T06:30:00Z", skip.toString());
    }
}
