package io.damselfly.server.persist;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * When scheduled snapshots fire: Dragonfly's {@code --snapshot_cron} (a five-field cron line) and
 * its older {@code --save_schedule} (an {@code HH:MM} time with {@code *} wildcards, or a cron
 * line). Immutable; {@link #toString()} gives back the text it was parsed from.
 *
 * <p>The old syntax, as Dragonfly's ParseSaveSchedule took it (removed from Dragonfly in December
 * 2023, so reimplemented from its tests): {@code H:MM} or {@code HH:MM}, 3 to 5 characters; the hour one
 * or two characters, the minutes two, or a lone {@code *} for either part meaning "every". A
 * {@code *} inside a part stands for one digit ({@code 1*:*0} is 10:00, 10:10 ... 19:50), and a
 * pattern whose smallest match is out of range ({@code 24:00}, {@code 23:6*}) is refused. A part
 * of one digit matches that one number: {@code 2:04} is 02:04, never 12:04. So {@code *:30} is
 * half past every hour.
 *
 * <p>Cron lines: minute, hour, day of month, month, day of week, each a {@code *}, a number, a
 * range {@code a-b}, any of those with a step ({@code *}{@code /15}, {@code 0-30/10}, {@code 5/15}
 * meaning 5-59/15), or a comma-separated list of them; month and weekday names ({@code JAN},
 * {@code mon}); weekday 0 or 7 for Sunday; {@code ?} as {@code *} in the day fields, and the
 * {@code @hourly}/{@code @daily}/{@code @midnight}/{@code @weekly}/{@code @monthly}/
 * {@code @yearly}/{@code @annually} shorthands. When both day fields are restricted (neither
 * starts with {@code *}), a day matching either fires, as Vixie cron and its descendants do.
 * Dragonfly passes its five fields to croncpp behind a seconds field of "0", so a six-field line
 * (with seconds) is refused there and here alike. croncpp's classic day search requires both day
 * fields to match where Vixie cron takes either: the one place the two readings differ (not
 * checked against the copy Dragonfly vendors).
 *
 * <p>{@link #next} searches field by field (month, then day, then hour, then minute), skipping a
 * whole month, day or hour at a time, so a schedule years apart (29 February) costs a few
 * thousand steps at most. Times are wall-clock times in the zone given. Dragonfly documented its
 * old syntax as UTC; its cron lines go through croncpp, which converts with the C library's time
 * functions (the process's time zone, UTC in Dragonfly's container images), so pass
 * {@link java.time.ZoneOffset#UTC} to behave as a usual Dragonfly deployment does. A wall time skipped by a daylight-saving
 * change does not fire; one repeated by it fires once, at its first occurrence.
 */
public final class SaveSchedule {
    /** No schedule: {@link #next} returns null. */
    public static final SaveSchedule NONE = new SaveSchedule("", 0, 0, 0, 0, 0, true, true);

    private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
    /** Days per month at most (February in a leap year), January first. */
    private static final int[] MAX_DAYS = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    /**
     * The search gives up after this many years: more than the longest wait for any day a parsed
     * line can name (29 February: 8 years across a non-leap century year such as 2100).
     */
    private static final int HORIZON_YEARS = 9;

    private final String text;
    /** Bit n set: fires at minute n (0-59). */
    private final long minutes;
    /** Bit n: hour n (0-23). */
    private final long hours;
    /** Bit n: day of month n (1-31). */
    private final long daysOfMonth;
    /** Bit n: month n (1-12). */
    private final long months;
    /** Bit n: weekday n, 0 = Sunday (0-6). */
    private final long daysOfWeek;
    private final boolean dayOfMonthStar;
    private final boolean dayOfWeekStar;

    private SaveSchedule(String text, long minutes, long hours, long daysOfMonth, long months, long daysOfWeek,
            boolean dayOfMonthStar, boolean dayOfWeekStar) {
        this.text = text;
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = daysOfMonth;
        this.months = months;
        this.daysOfWeek = daysOfWeek;
        this.dayOfMonthStar = dayOfMonthStar;
        this.dayOfWeekStar = dayOfWeekStar;
    }

    /**
     * Parses {@code --save_schedule}'s value: the old {@code HH:MM} syntax or a cron line; blank
     * is {@link #NONE}. IllegalArgumentException saying what is wrong otherwise.
     */
    public static SaveSchedule parse(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            return NONE;
        }
        rejectQuotes(t);
        if (t.indexOf(':') >= 0 && t.indexOf(' ') < 0) {
            return parseTime(t);
        }
        return parseCron(t);
    }

    /** Parses {@code --snapshot_cron}'s value: a cron line only; blank is {@link #NONE}. */
    public static SaveSchedule parseCron(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            return NONE;
        }
        rejectQuotes(t);
        String line = switch (t.toLowerCase(Locale.ROOT)) {
            case "@yearly", "@annually" -> "0 0 1 1 *";
            case "@monthly" -> "0 0 1 * *";
            case "@weekly" -> "0 0 * * 0";
            case "@daily", "@midnight" -> "0 0 * * *";
            case "@hourly" -> "0 * * * *";
            default -> t;
        };
        String[] f = line.split("\\s+");
        if (f.length != 5) {
            throw new IllegalArgumentException("a cron line has 5 fields (minute hour day-of-month month day-of-week), '"
                    + t + "' has " + f.length + (f.length == 6 ? " (a seconds field is not accepted)" : ""));
        }
        long minutes = field(f[0], "minute", 0, 59, null);
        long hours = field(f[1], "hour", 0, 23, null);
        long dom = field(f[2], "day of month", 1, 31, null);
        long months = field(f[3], "month", 1, 12, MONTHS);
        long dow = field(f[4], "day of week", 0, 7, DAYS);
        if ((dow & (1L << 7)) != 0) {
            // 7 is Sunday too
            dow = (dow & ~(1L << 7)) | 1L;
        }
        boolean domStar = f[2].startsWith("*") || f[2].equals("?");
        boolean dowStar = f[4].startsWith("*") || f[4].equals("?");
        if (dowStar || domStar) {
            // only the day of month decides (or neither does): it must exist in a listed month
            boolean possible = domStar;
            for (int m = 1; m <= 12 && !possible; m++) {
                if ((months & (1L << m)) != 0 && Long.numberOfTrailingZeros(dom) <= MAX_DAYS[m - 1]) {
                    possible = true;
                }
            }
            if (!possible) {
                throw new IllegalArgumentException("cron line '" + t + "' names no day that exists in its months");
            }
        }
        return new SaveSchedule(t, minutes, hours, dom, months, dow, domStar, dowStar);
    }

    private static void rejectQuotes(String t) {
        if (t.startsWith("\"") || t.startsWith("'")) {
            // as Dragonfly says: a flag file takes the value verbatim, quotes included
            throw new IllegalArgumentException("schedule '" + t + "' starts with a quote: could it be that you put quotes in the flagfile?");
        }
    }

    /** Dragonfly's old HH:MM syntax with per-digit wildcards. */
    private static SaveSchedule parseTime(String t) {
        int colon = t.indexOf(':');
        if (t.length() < 3 || t.length() > 5 || colon == 0 || colon >= 3) {
            throw new IllegalArgumentException("save schedule '" + t + "' is neither HH:MM (digits or * wildcards, UTC) nor a cron line");
        }
        String hour = t.substring(0, colon);
        String minute = t.substring(colon + 1);
        if (!minute.equals("*") && minute.length() != 2) {
            throw new IllegalArgumentException("save schedule '" + t + "': the minutes are two digits (or *), as in *:05");
        }
        long hours = digitPattern(t, hour, 23);
        long minutes = digitPattern(t, minute, 59);
        return new SaveSchedule(t, minutes, hours, ~0L, ~0L, ~0L, true, true);
    }

    /** The numbers 0..max a digit pattern such as "1*" matches, as bits; refused when none does. */
    private static long digitPattern(String whole, String part, int max) {
        long bits = 0;
        for (int n = 0; n <= max; n++) {
            if (digitsMatch(part, n)) {
                bits |= 1L << n;
            }
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c != '*' && (c < '0' || c > '9')) {
                bits = 0;
            }
        }
        if (bits == 0) {
            throw new IllegalArgumentException("save schedule '" + whole + "': '" + part + "' matches no time from 0 to " + max);
        }
        return bits;
    }

    /** Whether {@code n} fits the pattern digit by digit from the right, a lone "*" fitting any. */
    private static boolean digitsMatch(String pattern, int n) {
        if (pattern.equals("*")) {
            return true;
        }
        int rest = n;
        for (int i = pattern.length() - 1; i >= 0; i--) {
            char c = pattern.charAt(i);
            if (c != '*' && rest % 10 != c - '0') {
                return false;
            }
            rest /= 10;
        }
        return rest == 0;
    }

    /** One cron field as bits lo..hi; names (when given) stand for lo, lo + 1, ... */
    private static long field(String text, String what, int lo, int hi, String[] names) {
        long bits = 0;
        for (String item : text.split(",", -1)) {
            bits |= item(text, item, what, lo, hi, names);
        }
        return bits;
    }

    private static long item(String field, String item, String what, int lo, int hi, String[] names) {
        String range = item;
        int step = 1;
        int slash = item.indexOf('/');
        if (slash >= 0) {
            range = item.substring(0, slash);
            step = number(field, item.substring(slash + 1), what, 1, hi - lo + 1, null);
        }
        int from;
        int to;
        if (range.equals("*") || (range.equals("?") && (what.startsWith("day")))) {
            from = lo;
            to = names == DAYS ? 6 : hi;
        } else {
            int dash = range.indexOf('-');
            if (dash >= 0) {
                from = number(field, range.substring(0, dash), what, lo, hi, names);
                to = number(field, range.substring(dash + 1), what, lo, hi, names);
                if (from > to) {
                    throw new IllegalArgumentException("cron " + what + " '" + field + "': range " + range + " runs backwards");
                }
            } else {
                from = number(field, range, what, lo, hi, names);
                // a/step is a-max/step; a lone number is itself
                to = slash >= 0 ? hi : from;
            }
        }
        long bits = 0;
        for (int v = from; v <= to; v += step) {
            bits |= 1L << v;
        }
        return bits;
    }

    private static int number(String field, String s, String what, int lo, int hi, String[] names) {
        if (names != null) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equalsIgnoreCase(s)) {
                    return lo + i;
                }
            }
        }
        if (s.isEmpty() || s.length() > 4) {
            throw new IllegalArgumentException("cron " + what + " '" + field + "': '" + s + "' is not a number");
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("cron " + what + " '" + field + "': '" + s + "' is not a number"
                        + (names != null ? " or a name" : ""));
            }
            v = v * 10 + (c - '0');
        }
        if (v < lo || v > hi) {
            throw new IllegalArgumentException("cron " + what + " '" + field + "': " + v + " is outside " + lo + "-" + hi);
        }
        return v;
    }

    /** Whether this is {@link #NONE}. */
    public boolean isEmpty() {
        return this == NONE;
    }

    /**
     * The first firing strictly after {@code after}, reading the schedule as wall-clock time in
     * {@code zone}; null for {@link #NONE}. Firings fall on whole minutes.
     */
    public Instant next(Instant after, ZoneId zone) {
        if (isEmpty()) {
            return null;
        }
        LocalDateTime t = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        LocalDateTime end = t.plusYears(HORIZON_YEARS);
        while (t.isBefore(end)) {
            if ((months & (1L << t.getMonthValue())) == 0) {
                t = LocalDateTime.of(t.toLocalDate().withDayOfMonth(1).plusMonths(1), LocalTime.MIDNIGHT);
                continue;
            }
            if (!dayMatches(t.toLocalDate())) {
                t = LocalDateTime.of(t.toLocalDate().plusDays(1), LocalTime.MIDNIGHT);
                continue;
            }
            if ((hours & (1L << t.getHour())) == 0) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
                continue;
            }
            if ((minutes & (1L << t.getMinute())) == 0) {
                t = t.plusMinutes(1);
                continue;
            }
            ZonedDateTime z = t.atZone(zone);
            if (z.toLocalDateTime().equals(t) && z.toInstant().isAfter(after)) {
                return z.toInstant();
            }
            // a wall time a daylight-saving change skips, or the repeat of an hour already passed
            t = t.plusMinutes(1);
        }
        return null;
    }

    /** Vixie cron's day rule: either day field when both are restricted, else both. */
    private boolean dayMatches(LocalDate d) {
        boolean dom = (daysOfMonth & (1L << d.getDayOfMonth())) != 0;
        boolean dow = (daysOfWeek & (1L << (d.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : d.getDayOfWeek().getValue()))) != 0;
        if (!dayOfMonthStar && !dayOfWeekStar) {
            return dom || dow;
        }
        return dom && dow;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SaveSchedule s && text.equals(s.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The text it was parsed from (trimmed), "" for {@link #NONE}. */
    @Override
    public String toString() {
        return text;
    }
}
