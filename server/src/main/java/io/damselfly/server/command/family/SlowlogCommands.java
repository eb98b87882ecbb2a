package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.ADMIN;
import static io.damselfly.server.command.CommandFlag.LOADING;
import static io.damselfly.server.command.CommandFlag.STALE;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.KeySpec;
import io.damselfly.server.command.Reply;
import io.damselfly.server.metrics.Slowlog;
import java.util.List;

/** The SLOWLOG container (Redis group "server") over the server's {@link Slowlog}. */
public final class SlowlogCommands {
    /** Entries SLOWLOG GET returns without a count. */
    static final long DEFAULT_COUNT = 10;

    private SlowlogCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.group("server");
        t.container("slowlog", "2.2.12", "A container for slow log commands", s -> s
                        .add("get", -2, KeySpec.NONE, "2.2.12", "Get the slow log's entries", SlowlogCommands::get, ADMIN, LOADING, STALE)
                        .tips("request_policy:all_nodes", "nondeterministic_output").complexity("O(N) where N is the number of entries returned")
                        .add("help", 2, KeySpec.NONE, "6.2.0", "Show helpful text about the different subcommands", SlowlogCommands::help, LOADING, STALE)
                        .complexity("O(1)")
                        .add("len", 2, KeySpec.NONE, "2.2.12", "Get the slow log's length", SlowlogCommands::len, ADMIN, LOADING, STALE)
                        .tips("request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output").complexity("O(1)")
                        .add("reset", 2, KeySpec.NONE, "2.2.12", "Clear all entries from the slow log", SlowlogCommands::reset, ADMIN, LOADING, STALE)
                        .tips("request_policy:all_nodes", "response_policy:all_succeeded")
                        .complexity("O(N) where N is the number of entries in the slowlog"))
                .complexity("Depends on subcommand.");
    }

    /**
     * SLOWLOG GET [count]: the newest entries (10 by default, all for -1), each [id, unix time,
     * microseconds, [arguments], client address, client name].
     */
    static void get(CommandContext c) {
        if (c.argc() > 3) {
            c.reply().error(Errors.subcommandSyntax(c.argString(1), "slowlog"));
            return;
        }
        Slowlog log = c.server().slowlog();
        long count = DEFAULT_COUNT;
        if (c.argc() == 3) {
            count = c.longArg(2, Errors.SLOWLOG_COUNT);
            if (count < -1) {
                c.reply().error(Errors.SLOWLOG_COUNT);
                return;
            }
            if (count == -1) {
                count = Long.MAX_VALUE;
            }
        }
        List<Slowlog.Entry> entries = log.newest(count);
        Reply r = c.reply();
        r.array(entries.size());
        for (Slowlog.Entry e : entries) {
            r.array(6);
            r.integer(e.id());
            r.integer(e.timeSeconds());
            r.integer(e.durationMicros());
            r.bulkArray(e.args());
            r.bulk(e.client());
            r.bulk(e.clientName());
        }
    }

    /** SLOWLOG LEN */
    static void len(CommandContext c) {
        c.reply().integer(c.server().slowlog().size());
    }

    /** SLOWLOG RESET */
    static void reset(CommandContext c) {
        c.server().slowlog().reset();
        c.reply().ok();
    }

    private static final List<String> HELP = List.of(
            "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
            "HELP",
            "    Prints this help.");

    /** SLOWLOG HELP */
    static void help(CommandContext c) {
        ServerCommands.help(c.reply(), HELP);
    }
}
