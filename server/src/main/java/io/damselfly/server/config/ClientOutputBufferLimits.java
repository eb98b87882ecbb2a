package io.damselfly.server.config;

import java.util.Locale;

/**
 * The value of {@code client-output-buffer-limit}: per client class (normal, replica, pubsub) a
 * hard limit of unsent reply bytes that closes the client at once, and a soft limit that closes it
 * once exceeded continuously for more than a number of seconds; 0 disables a limit. Parsed as
 * Redis's config.c updateClientOutputBufferLimit (groups of four words, "slave" or "replica" for
 * the replica class, memory units, all groups checked before any applies) and printed as CONFIG
 * GET prints it, every class and "slave" for replicas. A CONFIG SET changes only the classes it
 * names: {@link #over} merges the named classes over the current value.
 */
public record ClientOutputBufferLimits(Limit normal, Limit replica, Limit pubsub) {
    /** One class's limits; bytes and seconds, 0 meaning none. */
    public record Limit(long hardBytes, long softBytes, long softSeconds) {
        @Override
        public String toString() {
            return hardBytes + " " + softBytes + " " + softSeconds;
        }
    }

    public static final String DEFAULT = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";

    /**
     * Parses the groups given; classes not named stay null until {@link #over} fills them. Throws
     * IllegalArgumentException with Redis's reason.
     */
    public static ClientOutputBufferLimits parse(String text) {
        String trimmed = text.trim();
        String[] w = trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
        if (w.length % 4 != 0) {
            throw new IllegalArgumentException("Wrong number of arguments in buffer limit configuration.");
        }
        Limit[] classes = new Limit[3];
        for (int i = 0; i < w.length; i += 4) {
            int cls = switch (w[i].toLowerCase(Locale.ROOT)) {
                case "normal" -> 0;
                case "slave", "replica" -> 1;
                case "pubsub" -> 2;
                default -> -1;
            };
            if (cls < 0) {
                throw new IllegalArgumentException("Invalid client class specified in buffer limit configuration.");
            }
            long hard = OptionType.parseMemory(w[i + 1]);
            long soft = OptionType.parseMemory(w[i + 2]);
            long seconds;
            try {
                seconds = Long.parseLong(w[i + 3]);
            } catch (NumberFormatException e) {
                seconds = -1;
            }
            if (hard < 0 || soft < 0 || seconds < 0) {
                throw new IllegalArgumentException("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
            }
            classes[cls] = new Limit(hard, soft, seconds);
        }
        return new ClientOutputBufferLimits(classes[0], classes[1], classes[2]);
    }

    /** These limits where given, {@code current}'s for the classes not given. */
    public ClientOutputBufferLimits over(ClientOutputBufferLimits current) {
        if (current == null) {
            return this;
        }
        return new ClientOutputBufferLimits(normal != null ? normal : current.normal,
                replica != null ? replica : current.replica, pubsub != null ? pubsub : current.pubsub);
    }

    @Override
    public String toString() {
        return "normal " + normal + " slave " + replica + " pubsub " + pubsub;
    }
}
