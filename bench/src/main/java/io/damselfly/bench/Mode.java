package io.damselfly.bench;

import java.util.Locale;

/**
 * How long a run is: {@code quick} (3 rounds, small sizes, under 3 minutes on 2 cores) or
 * {@code full} (5 rounds, the sizes the issue names, under 20 minutes on 2 cores).
 */
public enum Mode {
    QUICK(3),
    FULL(5);

    /** Rounds per workload; each round runs redis, then damselfly. */
    public final int rounds;

    Mode(int rounds) {
        this.rounds = rounds;
    }

    /** {@code quick} in quick mode, {@code full} otherwise. */
    public long pick(long quick, long full) {
        return this == QUICK ? quick : full;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Mode parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "quick" -> QUICK;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("unknown mode '" + s + "' (quick or full)");
        };
    }
}
