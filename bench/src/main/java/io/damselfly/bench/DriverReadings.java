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
