package io.damselfly.server.persist;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Redis's {@code save} option: snapshot when at least {@code changes} writes happened within
 * {@code seconds}, for any of the listed points. Immutable.
 *
 * <p>Parsed as Redis 7.0's CONFIG SET parses it: the value split at every single space (so an
 * empty word, between two spaces, reads as 0, as strtoll reads it), then setConfigSaveOption's
 * check: pairs of integers, seconds at least 1 and changes at least 0, anything else "Invalid save
 * parameters"; the empty value means no save points. At start-up Redis splits a save line at runs
 * of blanks instead; {@link #normalize} gives a value that form. In a config file or on the command line, successive {@code save} lines add points
 * ({@link #followedBy}) and {@code save ""} drops those before it; CONFIG SET replaces them.
 * {@link #toString()} is CONFIG GET's form: "3600 1 300 100".
 */
public final class SavePoints {
    /** One save point: at least {@code changes} writes within {@code seconds}. */
    public record Point(long seconds, int changes) {
    }

    /** No save points: nothing is saved on a write count. */
    public static final SavePoints NONE = new SavePoints(List.of());

    private static final String INVALID = "Invalid save parameters";

    private final List<Point> points;

    private SavePoints(List<Point> points) {
        this.points = points;
    }

    /**
     * Parses "seconds changes [seconds changes ...]" as CONFIG SET does, or "" for none;
     * IllegalArgumentException "Invalid save parameters" otherwise.
     */
    public static SavePoints parse(String text) {
        if (text.isEmpty()) {
            return NONE;
        }
        String[] words = text.split(" ", -1);
        if ((words.length & 1) != 0) {
            throw new IllegalArgumentException(INVALID);
        }
        List<Point> parsed = new ArrayList<>(words.length / 2);
        for (int i = 0; i < words.length; i += 2) {
            long seconds = integer(words[i]);
            long changes = integer(words[i + 1]);
            if (seconds < 1 || changes < 0 || changes > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(INVALID);
            }
            parsed.add(new Point(seconds, (int) changes));
        }
        return new SavePoints(Collections.unmodifiableList(parsed));
    }

    /**
     * A save line as Redis reads it from its config file or command line (sdssplitargs): words
     * separated by runs of blanks, and {@code ""} for the empty value.
     */
    public static String normalize(String line) {
        String t = line.strip();
        return t.equals("\"\"") || t.equals("''") ? "" : String.join(" ", t.split("\\s+"));
    }

    private static long integer(String word) {
        if (word.isEmpty()) {
            // strtoll reads nothing as 0
            return 0;
        }
        try {
            return Long.parseLong(word);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(INVALID);
        }
    }

    /**
     * The points of a second {@code save} line read after this one at start-up: Redis appends
     * them, and an empty line clears what came before.
     */
    public SavePoints followedBy(SavePoints next) {
        if (next.isEmpty()) {
            return NONE;
        }
        List<Point> all = new ArrayList<>(points);
        all.addAll(next.points);
        return new SavePoints(Collections.unmodifiableList(all));
    }

    /** The points, in the order given. */
    public List<Point> points() {
        return points;
    }

    public boolean isEmpty() {
        return points.isEmpty();
    }

    /**
     * Whether a snapshot is due by Redis's serverCron rule: some point has at least its changes
     * among the {@code changes} writes since the last successful save, and more than its seconds
     * have passed since then ({@code secondsSince}). Retrying after a failed save is the caller's.
     */
    public boolean due(long changes, long secondsSince) {
        for (Point p : points) {
            if (changes >= p.changes && secondsSince > p.seconds) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SavePoints other && points.equals(other.points);
    }

    @Override
    public int hashCode() {
        return points.hashCode();
    }

    /** CONFIG GET's form: the pairs separated by spaces, "" for none. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Point p : points) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(p.seconds).append(' ').append(p.changes);
        }
        return b.toString();
    }
}
