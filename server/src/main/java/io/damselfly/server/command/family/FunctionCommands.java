package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandTable;

/** Redis 7 functions (placeholder). */
public final class FunctionCommands {
    private FunctionCommands() {
    }

    public static void register(CommandTable.Builder t) {
    }
}
