package io.damselfly.bench.load;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * What one driver run measured: figures by name, in the order the driver added them. Names carry
 * their unit ("ops/s", "p99 ms", "bytes/key (RSS)") so a table of them reads without a legend.
 * Immutable.
 */
public final class Figures {
    private final Map<String, Double> values;

    private Figures(Map<String, Double> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The figure called {@code name}; throws IllegalArgumentException if there is none. */
    public double get(String name) {
        Double v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no figure '" + name + "'; there are " + values.keySet());
        }
        return v;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The names, in the order the driver added them. */
    public Set<String> names() {
        return values.keySet();
    }

    /** Name to value, in order; unmodifiable. */
    public Map<String, Double> asMap() {
        return values;
    }

    /** "name=value name=value ...", e.g. {@code hit ratio=0.8132 ops/s=412345 errors=0}. */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(" ");
        values.forEach((name, value) -> j.add(name + "=" + format(value)));
        return j.toString();
    }

    /**
     * Whole numbers as integers, 1000 and above rounded to a whole number, smaller ones to four
     * significant digits: more would be noise for any of these measurements.
     */
    static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        if (Math.abs(v) >= 1000 || v == Math.rint(v)) {
            return Math.abs(v) < 1e18 ? Long.toString(Math.round(v)) : Double.toString(v);
        }
        return BigDecimal.valueOf(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Figures f && values.equals(f.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /** Collects figures in order; a name may be added once. */
    public static final class Builder {
        private final Map<String, Double> values = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder add(String name, double value) {
            if (values.putIfAbsent(name, value) != null) {
                throw new IllegalArgumentException("figure '" + name + "' added twice");
            }
            return this;
        }

        public Figures build() {
            return new Figures(values);
        }
    }
}
