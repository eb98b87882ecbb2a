package io.damselfly.bench;

import io.damselfly.bench.load.Figures;
import java.util.ArrayList;
import java.util.List;

/** Turns a load driver's {@link Figures} (bare name -> value) into table readings with a direction. */
final class DriverReadings {
    private DriverReadings() {}

    /** A driver figure the table shows, and which way it improves. */
    record Shown(String figure, Better better) {
        /** The direction read from the name ({@link Better#forFigure}). */
        static Shown of(String figure) {
            return new Shown(figure, Better.forFigure(figure));
        }
    }

    /**
     * The {@code shown} figures of a load that was to add {@code keys} keys to an empty server, or
     * every figure marked missing when DBSIZE grew by another number (the figures would not
     * describe that many keys).
     */
    static List<Reading> ofLoad(Figures f, long keys, List<Shown> shown) {
        if (f.has("keys") && f.get("keys") != keys) {
            String why = "DBSIZE grew by " + (long) f.get("keys") + ", not " + keys;
            return shown.stream().map(s -> Reading.missing(s.figure(), s.better(), why)).toList();
        }
        return of(f, shown);
    }

    /** The {@code shown} figures of {@code f}, in that order; one the driver did not report is marked so. */
    static List<Reading> of(Figures f, List<Shown> shown) {
        List<Reading> readings = new ArrayList<>();
        for (Shown s : shown) {
            readings.add(f.has(s.figure())
                    ? Reading.of(s.figure(), s.better(), f.get(s.figure()))
                    : Reading.missing(s.figure(), s.better(), "not reported"));
        }
        return readings;
    }
}
