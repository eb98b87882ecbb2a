package io.damselfly.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * oom-score-adj and oom-score-adj-values, as Redis's setOOMScoreAdj (server.c) applies them to the
 * main process on Linux: the first time an adjustment is on, the process's score at that moment is
 * kept as the base; "relative" (or "yes") writes base + the first value, "absolute" the first value,
 * each clamped to -1000..1000; turning it off writes the base back. The value is the first of the
 * three for a primary, the second for a replica; damselfly forks no child, so the third is kept
 * but never used.
 */
public final class OomScoreAdj {
    /** Redis's bounds for each of the three values (setConfigOOMScoreAdjValuesOption). */
    private static final long MIN_VALUE = -2000;
    private static final long MAX_VALUE = 2000;
    /** What the kernel accepts. */
    private static final int MIN_SCORE = -1000;
    private static final int MAX_SCORE = 1000;

    private final Path file;
    private boolean adjusted;
    private int base;

    public OomScoreAdj() {
        this(Path.of("/proc/self/oom_score_adj"));
    }

    OomScoreAdj(Path file) {
        this.file = file;
    }

    /**
     * Parses oom-score-adj-values: three integers separated by blanks, each -2000..2000; returns
     * them as CONFIG GET shows them. Throws IllegalArgumentException with Redis's reason.
     */
    static String parseValues(String text) {
        String trimmed = text.strip();
        String[] parts = trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
        if (parts.length != 3) {
            throw new IllegalArgumentException("wrong number of arguments");
        }
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            long v;
            try {
                v = Long.parseLong(p);
            } catch (NumberFormatException e) {
                v = Long.MIN_VALUE;
            }
            if (v < MIN_VALUE || v > MAX_VALUE) {
                throw new IllegalArgumentException("Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(v);
        }
        return sb.toString();
    }

    /**
     * Applies {@code mode} (no, yes, relative, absolute) with the value of the server's class, the
     * first of {@code values} for a primary, the second for a {@code replica}. Does nothing where
     * the file does not exist (not Linux); failures are logged, as Redis logs them, and do not stop
     * the server.
     */
    public synchronized void apply(String mode, String values, boolean replica) {
        if (!Files.exists(file)) {
            return;
        }
        int val;
        try {
            if (!mode.equals("no")) {
                if (!adjusted) {
                    base = Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).strip());
                    adjusted = true;
                }
                val = Integer.parseInt(values.split(" ")[replica ? 1 : 0]);
                if (!mode.equals("absolute")) {
                    val += base;
                }
                val = Math.max(MIN_SCORE, Math.min(MAX_SCORE, val));
            } else if (adjusted) {
                adjusted = false;
                val = base;
            } else {
                return;
            }
            Files.writeString(file, val + "\n", StandardCharsets.US_ASCII);
        } catch (IOException | NumberFormatException e) {
            // the logger is made here, not in a static field: Option parses oom-score-adj-values's
            // default through this class before Main has set up logging (ServerLog), and the first
            // logger made fixes slf4j-simple's output and level for good
            LoggerFactory.getLogger(OomScoreAdj.class).warn("Unable to write oom_score_adj: {}", e.getMessage());
        }
    }
}
