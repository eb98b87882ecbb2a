package io.damselfly.server.command.family;

import io.damselfly.server.command.Command;
import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.metrics.CommandStatistics;
import io.damselfly.server.metrics.LatencyReport;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The LATENCY container (Redis group "server"): HISTOGRAM, the per-command latency distributions
 * that {@link CommandStatistics} merges from every event loop; and the latency monitor's
 * subcommands (DOCTOR, GRAPH, HISTORY, LATEST, RESET), which answer as Redis answers with the
 * monitor off and no event ever recorded: damselfly has no latency monitor, and
 * latency-monitor-threshold accepts only 0.
 */
public final class LatencyCommands {
    private LatencyCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.container("latency", s -> s
                .add("doctor", LatencyCommands::doctor)
                .add("graph", LatencyCommands::graph)
                .add("help", LatencyCommands::help)
                .add("histogram", LatencyCommands::histogram)
                .add("history", LatencyCommands::history)
                .add("latest", LatencyCommands::latest)
                .add("reset", LatencyCommands::reset));
    }

    /**
     * LATENCY HISTOGRAM [command ...]: a map of command name to {calls, histogram_usec}, for every
     * command with a histogram or for those named (a container stands for itself and its
     * subcommands; unknown names are skipped; a name given twice is answered twice, as in Redis).
     */
    static void histogram(CommandContext c) {
        List<Command> asked = new ArrayList<>();
        if (c.argc() == 2) {
            asked.addAll(c.server().commands().allWithSubcommands());
        } else {
            for (int i = 2; i < c.argc(); i++) {
                Command cmd = c.server().commands().byFullName(c.argString(i));
                if (cmd != null) {
                    asked.add(cmd);
                    asked.addAll(cmd.subcommands().values());
                }
            }
        }
        CommandStatistics stats = c.server().commandStats();
        List<Command> names = new ArrayList<>();
        List<Histogram> histograms = new ArrayList<>();
        for (Command cmd : asked) {
            Histogram h = stats.latencyHistogram(cmd.id());
            if (h != null) {
                names.add(cmd);
                histograms.add(h);
            }
        }
        Reply r = c.reply();
        r.map(names.size());
        for (int i = 0; i < names.size(); i++) {
            r.bulk(names.get(i).fullName());
            writeDistribution(r, histograms.get(i));
        }
    }

    /** One command's {calls: n, histogram_usec: {usec: cumulative count, ...}} (fillCommandCDF). */
    private static void writeDistribution(Reply r, Histogram h) {
        List<long[]> buckets = LatencyReport.cumulativeBuckets(h);
        r.map(2);
        r.bulk("calls");
        r.integer(h.getTotalCount());
        r.bulk("histogram_usec");
        r.map(buckets.size());
        for (long[] b : buckets) {
            r.integer(b[0]);
            r.integer(b[1]);
        }
    }

    /** The report latency.c createLatencyReport gives when the monitor is off and has no events. */
    static final String DOCTOR_MONITOR_OFF = "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this "
            + "Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. "
            + "If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";

    /** LATENCY DOCTOR */
    static void doctor(CommandContext c) {
        c.reply().verbatim(DOCTOR_MONITOR_OFF);
    }

    /** LATENCY GRAPH event: no event has samples. */
    static void graph(CommandContext c) {
        c.reply().error(Errors.noLatencySamples(c.arg(2)));
    }

    /** LATENCY HISTORY event: no samples. */
    static void history(CommandContext c) {
        c.reply().emptyArray();
    }

    /** LATENCY LATEST: no events. */
    static void latest(CommandContext c) {
        c.reply().emptyArray();
    }

    /** LATENCY RESET [event ...]: the number of events reset, none. */
    static void reset(CommandContext c) {
        c.reply().integer(0);
    }

    private static final List<String> HELP = List.of(
            "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
            "    If no commands are specified then all histograms are replied.",
            "HELP",
            "    Prints this help.");

    /** LATENCY HELP */
    static void help(CommandContext c) {
        ServerCommands.help(c.reply(), HELP);
    }
}
