package io.damselfly.bench;

import java.util.Objects;

/**
 * One figure from one run of a workload against one server: a value, or the reason there is none
 * (a test the server cannot run yet is shown as such, never dropped).
 *
 * @param figure  name as shown in the table ("GET ops/s", "bytes/key (RSS)")
 * @param better  which way the figure improves
 * @param value   the measurement; NaN when {@code missing} says why there is none
 * @param missing null when {@code value} holds a measurement, otherwise a short reason
 *                ("ERR unknown command", "timeout")
 */
public record Reading(String figure, Better better, double value, String missing) {
    public Reading {
        Objects.requireNonNull(figure, "figure");
        Objects.requireNonNull(better, "better");
        if (missing == null && Double.isNaN(value)) {
            missing = "no value";
        }
    }

    public static Reading of(String figure, Better better, double value) {
        return new Reading(figure, better, value, null);
    }

    public static Reading missing(String figure, Better better, String reason) {
        return new Reading(figure, better, Double.NaN, reason);
    }

    public boolean present() {
        return missing == null;
    }
}
