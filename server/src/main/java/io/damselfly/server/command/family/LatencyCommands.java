package io.damselfly.server.command.family;

import io.damselfly.server.command.Command;
import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.metrics.CommandStatistics;
import io.damselfly.server.metrics.LatencyMonitor;
import io.damselfly.server.metrics.LatencyReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The LATENCY container (Redis group "server"): HISTOGRAM, the per-command latency distributions
 * that {@link CommandStatistics} merges from every event loop; and the latency monitor's
 * subcommands (DOCTOR, GRAPH, HISTORY, LATEST, RESET) over the events {@link LatencyMonitor}
 * records while latency-monitor-threshold is set (commands, fast commands, expire cycles).
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

    /**
     * LATENCY DOCTOR: Redis's fixed text while the monitor is off and empty; otherwise each event's
     * spikes summarised as Redis summarises them (count, average, mean deviation, period, worst),
     * and where to look next.
     */
    static void doctor(CommandContext c) {
        LatencyMonitor monitor = c.server().latencyMonitor();
        if (!monitor.hasEvents()) {
            c.reply().verbatim(monitor.thresholdMillis() == 0 ? DOCTOR_MONITOR_OFF
                    : "No latency spike of " + monitor.thresholdMillis() + " ms or more was observed since the latency monitor was enabled.\n");
            return;
        }
        StringBuilder report = new StringBuilder("Latency spikes were observed in this instance:\n\n");
        long now = c.now() / 1000;
        int n = 0;
        boolean commands = false;
        for (String event : monitor.eventNames()) {
            LatencyMonitor.Analysis a = monitor.analyze(event, now);
            report.append(++n).append(". ").append(event).append(": ").append(a.samples())
                    .append(" latency spikes (average ").append(a.averageMillis()).append("ms, mean deviation ")
                    .append(a.meanDeviationMillis()).append("ms, period ")
                    .append(String.format(Locale.ROOT, "%.2f", a.samples() == 0 ? 0.0 : (double) a.periodSeconds() / a.samples()))
                    .append(" sec). Worst all time event ").append(a.maxMillis()).append("ms.\n");
            commands |= event.equals("command") || event.equals("fast-command");
        }
        if (commands) {
            report.append("\nSLOWLOG GET shows the slowest commands with their arguments, and LATENCY HISTOGRAM each ")
                    .append("command's latency distribution.\n");
        }
        c.reply().verbatim(report.toString());
    }

    /** Columns of LATENCY GRAPH, as Redis draws it. */
    private static final int GRAPH_COLUMNS = 80;
    /** Rows of bars; each row has three heights (low, middle, full). */
    private static final int GRAPH_ROWS = 4;
    private static final char[] GRAPH_STEPS = {'_', 'o', '#'};

    /**
     * LATENCY GRAPH event: a header with the high, low and all-time high, then one column per
     * sample, oldest left, its height scaled between the low and the high, and under each column
     * how long ago the sample was, written downwards (s, m, h, d).
     */
    static void graph(CommandContext c) {
        String event = c.argString(2);
        LatencyMonitor monitor = c.server().latencyMonitor();
        List<LatencyMonitor.Sample> samples = monitor.history(event);
        if (samples.isEmpty()) {
            c.reply().error(Errors.noLatencySamples(c.arg(2)));
            return;
        }
        long low = Long.MAX_VALUE;
        long high = 0;
        for (LatencyMonitor.Sample s : samples) {
            low = Math.min(low, s.latencyMillis());
            high = Math.max(high, s.latencyMillis());
        }
        StringBuilder out = new StringBuilder();
        out.append(event).append(" - high ").append(high).append(" ms, low ").append(low)
                .append(" ms (all time high ").append(monitor.allTimeMax(event)).append(" ms)\n");
        out.append("-".repeat(GRAPH_COLUMNS)).append('\n');
        long now = c.now() / 1000;
        for (int from = 0; from < samples.size(); from += GRAPH_COLUMNS) {
            List<LatencyMonitor.Sample> block = samples.subList(from, Math.min(samples.size(), from + GRAPH_COLUMNS));
            drawBlock(out, block, low, high, now);
        }
        c.reply().verbatim(out.toString());
    }

    private static void drawBlock(StringBuilder out, List<LatencyMonitor.Sample> block, long low, long high, long now) {
        int steps = GRAPH_ROWS * GRAPH_STEPS.length;
        int[] heights = new int[block.size()];
        String[] labels = new String[block.size()];
        int labelRows = 0;
        for (int i = 0; i < block.size(); i++) {
            long v = block.get(i).latencyMillis();
            // the lowest sample still shows as a low mark; the highest fills every row
            heights[i] = high == low ? steps : 1 + (int) ((v - low) * (steps - 1) / (high - low));
            labels[i] = ago(now - block.get(i).timeSeconds());
            labelRows = Math.max(labelRows, labels[i].length());
        }
        for (int row = GRAPH_ROWS - 1; row >= 0; row--) {
            for (int h : heights) {
                int inRow = h - row * GRAPH_STEPS.length;
                out.append(inRow <= 0 ? ' ' : GRAPH_STEPS[Math.min(inRow, GRAPH_STEPS.length) - 1]);
            }
            out.append('\n');
        }
        out.append('\n');
        for (int row = 0; row < labelRows; row++) {
            for (String label : labels) {
                out.append(row < label.length() ? label.charAt(row) : ' ');
            }
            out.append('\n');
        }
    }

    /** How long ago, as the graph labels it: 5s, 3m, 2h, 1d. */
    private static String ago(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m";
        }
        if (seconds < 86_400) {
            return seconds / 3600 + "h";
        }
        return seconds / 86_400 + "d";
    }

    /** LATENCY HISTORY event: [time, latency] per sample, oldest first; empty for an unknown event. */
    static void history(CommandContext c) {
        List<LatencyMonitor.Sample> samples = c.server().latencyMonitor().history(c.argString(2));
        c.reply().array(samples.size());
        for (LatencyMonitor.Sample s : samples) {
            c.reply().array(2);
            c.reply().integer(s.timeSeconds());
            c.reply().integer(s.latencyMillis());
        }
    }

    /** LATENCY LATEST: [event, time, latency, all-time max] per event. */
    static void latest(CommandContext c) {
        List<LatencyMonitor.Latest> latest = c.server().latencyMonitor().latest();
        c.reply().array(latest.size());
        for (LatencyMonitor.Latest l : latest) {
            c.reply().array(4);
            c.reply().bulk(l.event());
            c.reply().integer(l.timeSeconds());
            c.reply().integer(l.latencyMillis());
            c.reply().integer(l.maxMillis());
        }
    }

    /** LATENCY RESET [event ...]: the number of events forgotten. */
    static void reset(CommandContext c) {
        List<String> names = new ArrayList<>();
        for (int i = 2; i < c.argc(); i++) {
            names.add(c.argString(i));
        }
        c.reply().integer(c.server().latencyMonitor().reset(names));
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
