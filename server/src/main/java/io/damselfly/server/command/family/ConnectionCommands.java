package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.ALLOW_BUSY;
import static io.damselfly.server.command.CommandFlag.FAST;
import static io.damselfly.server.command.CommandFlag.LOADING;
import static io.damselfly.server.command.CommandFlag.NOSCRIPT;
import static io.damselfly.server.command.CommandFlag.NO_AUTH;
import static io.damselfly.server.command.CommandFlag.STALE;
import static io.damselfly.server.command.CommandFlag.STATEFUL;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.KeySpec;

/** Connection commands: PING ECHO QUIT SELECT (HELLO AUTH CLIENT to come). */
public final class ConnectionCommands {
    private ConnectionCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.group("connection");
        t.add("ping", -1, KeySpec.NONE, "1.0.0", "Returns the server's liveliness response.", ConnectionCommands::ping, FAST);
        t.add("echo", 2, KeySpec.NONE, "1.0.0", "Returns the given string.", ConnectionCommands::echo, FAST);
        t.add("quit", -1, KeySpec.NONE, "1.0.0", "Closes the connection.", ConnectionCommands::quit, ALLOW_BUSY, NOSCRIPT, LOADING, STALE, FAST, NO_AUTH);
        t.add("select", 2, KeySpec.NONE, "1.0.0", "Changes the selected database.", ConnectionCommands::select, LOADING, STALE, FAST, STATEFUL);
    }

    /** PING [message] */
    static void ping(CommandContext c) {
        if (c.argc() > 2) {
            throw new io.damselfly.server.command.CommandError(Errors.wrongArity("ping"));
        }
        if (c.argc() == 2) {
            c.reply().bulk(c.arg(1));
        } else {
            c.reply().simple("PONG");
        }
    }

    /** ECHO message */
    static void echo(CommandContext c) {
        c.reply().bulk(c.arg(1));
    }

    /** QUIT */
    static void quit(CommandContext c) {
        c.reply().ok();
        c.client().closeAfterReply();
    }

    /** SELECT index */
    static void select(CommandContext c) {
        long db = c.longArg(1);
        if (db < 0 || db >= c.server().keyspace().databases()) {
            c.reply().error(Errors.DB_INDEX_OUT_OF_RANGE);
            return;
        }
        c.client().setDb((int) db);
        c.reply().ok();
    }
}
