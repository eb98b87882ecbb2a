package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;

/**
 * MEMORY (Redis group "server"): USAGE, the heap a key and its value take by the keyspace's own
 * accounting (the bytes INFO's used_memory adds up), not Redis's allocator sizes.
 */
public final class MemoryCommands {
    private MemoryCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.container("memory", m -> m
                .add("usage", MemoryCommands::usage));
    }

    /**
     * MEMORY USAGE key [SAMPLES count]: SAMPLES is parsed as Redis parses it and has no effect,
     * since every value's footprint is kept exact rather than sampled.
     */
    static void usage(CommandContext c) {
        for (int i = 3; i < c.argc(); i += 2) {
            if (c.argIs(i, "samples") && i + 1 < c.argc()) {
                if (c.longArg(i + 1) < 0) {
                    throw c.syntaxError();
                }
            } else {
                throw c.syntaxError();
            }
        }
        long bytes = c.db().keys().memoryUsage(c.arg(2));
        if (bytes < 0) {
            c.reply().nullBulk();
        } else {
            c.reply().integer(bytes);
        }
    }
}
