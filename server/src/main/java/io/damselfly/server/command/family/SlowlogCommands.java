package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
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
        t.container("slowlog", s -> s
                .add("get", SlowlogCommands::get)
                .add("help", SlowlogCommands::help)
                .add("len", SlowlogCommands::len)
                .add("reset", SlowlogCommands::reset));
    }

    /**
     * SLOWLOG GET [count]: the newest entries (10 by default, all for -1), each [id, unix time,
     * microseconds, [arguments], client address, client name].
     */
    static void get(CommandContext c) {
        if (c.argc() > 3) {
            c.reply().error(Errors.subcommandSyntax(c.arg(1), "slowlog"));
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
