package io.damselfly.server.command.family;

import io.damselfly.server.aof.AppendOnlyFile;
import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;

/**
 * The append-only file's command (Redis's aof.c): BGREWRITEAOF. The rewriting itself is {@link
 * AppendOnlyFile}'s; this parses and replies with Redis's texts.
 */
public final class AofCommands {
    private AofCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("bgrewriteaof", AofCommands::bgrewriteaof);
    }

    /** BGREWRITEAOF: started now, or scheduled after the running save or the transaction it is in. */
    static void bgrewriteaof(CommandContext c) {
        switch (c.server().aof().bgrewriteaof(c.canDefer())) {
            case IN_PROGRESS -> c.reply().error("ERR Background append only file rewriting already in progress");
            case SCHEDULED -> c.reply().simple("Background append only file rewriting scheduled");
            case STARTED -> c.reply().simple("Background append only file rewriting started");
            case FAILED -> c.reply().error("ERR Can't execute an AOF background rewriting. "
                    + "Please check the server logs for more information.");
        }
    }
}
