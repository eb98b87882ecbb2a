package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.FAST;
import static io.damselfly.server.command.CommandFlag.READONLY;
import static io.damselfly.server.command.CommandFlag.WRITE;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.KeySpec;

/** Generic key commands (Redis group "generic"): DEL EXISTS (more to come). */
public final class KeyCommands {
    private KeyCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.group("generic");
        t.add("del", -2, KeySpec.of(1, -1, 1), "1.0.0", "Deletes one or more keys.", KeyCommands::del, WRITE);
        t.add("exists", -2, KeySpec.of(1, -1, 1), "1.0.0", "Determines whether one or more keys exist.", KeyCommands::exists, READONLY, FAST);
    }

    /** DEL key [key ...] */
    static void del(CommandContext c) {
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.db().delete(c.arg(i))) {
                n++;
            }
        }
        c.reply().integer(n);
    }

    /** EXISTS key [key ...] */
    static void exists(CommandContext c) {
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.db().readNoTouch(c.arg(i)) != null) {
                n++;
            }
        }
        c.reply().integer(n);
    }
}
