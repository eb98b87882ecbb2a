package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandTable;

/** Server commands: INFO DBSIZE FLUSHDB FLUSHALL TIME CONFIG COMMAND SWAPDB SHUTDOWN (to come). */
public final class ServerCommands {
    private ServerCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.group("server");
    }
}
