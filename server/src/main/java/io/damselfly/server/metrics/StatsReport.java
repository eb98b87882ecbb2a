package io.damselfly.server.metrics;

import io.damselfly.server.command.Command;
import io.damselfly.server.command.ServerContext;
import io.damselfly.server.config.Option;
import org.HdrHistogram.Histogram;

/**
 * The JSON of {@code GET /stats}: the figures a live dashboard charts, as they are now. A
 * dashboard polls it every second and keeps the history itself, so the server keeps none.
 *
 * <pre>
 * {"time_ms":1733300000000,"uptime_seconds":42,"ops_per_sec":1234,
 *  "total_commands_processed":5000,"keyspace_hits":90,"keyspace_misses":10,
 *  "hit_ratio":0.9,"used_memory":1048576,"maxmemory":0,"connected_clients":3,
 *  "blocked_clients":0,"evicted_keys":0,"expired_keys":0,
 *  "latency_p50_usec":1.2,"latency_p99_usec":8.4,"window_ms":1003}
 * </pre>
 *
 * <p>Windowed figures. {@code ops_per_sec} is INFO's instantaneous_ops_per_sec (the last 1.6 s);
 * {@code hit_ratio} and the two latency percentiles are over a window of at least {@link
 * #WINDOW_MILLIS}: the first request after the window has passed closes it (the difference of the
 * hit and miss counters, and of every command's latency histogram merged into one, since the
 * window opened) and opens the next; requests inside a window get the last closed one, so several
 * dashboards polling at once see the same figures and none shortens another's window. Null
 * (JSON null) where the window had no lookup or no command. The counters are totals since start
 * (or CONFIG RESETSTAT), for whoever wants their own rates.
 *
 * <p>Read by the admin thread, never an event loop: merging the histograms walks every recording
 * thread's counts of every command used (24 KiB each).
 */
public final class StatsReport {
    /** Shortest window for hit_ratio and the latency percentiles: the dashboard's poll period. */
    static final long WINDOW_MILLIS = 1000;
    private static final double NANOS_PER_MICRO = 1000.0;

    private final ServerContext server;
    /** Where the open window started: time, counters and merged histogram then; null before the first. */
    private long windowStart = -1;
    private long startHits;
    private long startMisses;
    private Histogram startLatency;
    /** The last closed window's figures. */
    private Double hitRatio;
    private Double p50;
    private Double p99;
    private long windowMillis;

    public StatsReport(ServerContext server) {
        this.server = server;
    }

    /** The JSON object, now. */
    public synchronized String render() {
        long now = System.currentTimeMillis();
        var keyspace = server.keyspace();
        long hits = keyspace.keyspaceHits();
        long misses = keyspace.keyspaceMisses();
        if (windowStart < 0 || now - windowStart >= WINDOW_MILLIS) {
            Histogram latency = mergedLatency();
            if (windowStart >= 0) {
                closeWindow(now, hits, misses, latency);
            }
            windowStart = now;
            startHits = hits;
            startMisses = misses;
            startLatency = latency;
        }
        Json j = new Json();
        j.field("time_ms", now);
        j.field("uptime_seconds", Math.max(0, (now - server.startMillis()) / 1000));
        j.field("ops_per_sec", server.stats().instantaneousOpsPerSec());
        j.field("total_commands_processed", server.commandStats().totalCalls());
        j.field("keyspace_hits", hits);
        j.field("keyspace_misses", misses);
        j.field("hit_ratio", hitRatio);
        j.field("used_memory", keyspace.usedMemory());
        j.field("maxmemory", server.config().getLong(Option.MAXMEMORY));
        j.field("connected_clients", server.connectedClients());
        j.field("blocked_clients", server.clients().blocked());
        j.field("evicted_keys", keyspace.evictedKeys());
        j.field("expired_keys", keyspace.expiredKeys());
        j.field("latency_p50_usec", p50);
        j.field("latency_p99_usec", p99);
        j.field("window_ms", windowMillis);
        return j.end();
    }

    private void closeWindow(long now, long hits, long misses, Histogram latency) {
        long lookups = (hits - startHits) + (misses - startMisses);
        // a CONFIG RESETSTAT inside the window makes the differences negative: no figure then
        hitRatio = lookups > 0 && hits >= startHits && misses >= startMisses ? (double) (hits - startHits) / lookups : null;
        Histogram window = latency.copy();
        try {
            window.subtract(startLatency);
        } catch (IllegalArgumentException e) {
            // counts went down (CONFIG RESETSTAT): the window has no meaningful difference
            window.reset();
        }
        if (window.getTotalCount() > 0) {
            p50 = LatencyReport.valueAtPercentile(window, 50) / NANOS_PER_MICRO;
            p99 = LatencyReport.valueAtPercentile(window, 99) / NANOS_PER_MICRO;
        } else {
            p50 = null;
            p99 = null;
        }
        windowMillis = now - windowStart;
    }

    /** Every command's latency histogram added into one. */
    private Histogram mergedLatency() {
        Histogram all = LatencyCounts.newHistogram();
        CommandStatistics stats = server.commandStats();
        for (Command c : server.commands().allWithSubcommands()) {
            Histogram h = stats.latencyHistogram(c.id());
            if (h != null) {
                all.add(h);
            }
        }
        return all;
    }

    /** A flat JSON object of numbers and nulls. */
    private static final class Json {
        private final StringBuilder sb = new StringBuilder(512).append('{');

        void field(String name, long v) {
            name(name).append(v);
        }

        void field(String name, Double v) {
            StringBuilder b = name(name);
            if (v == null || v.isNaN() || v.isInfinite()) {
                b.append("null");
            } else {
                // three decimals are more than a chart shows; Double.toString is valid JSON (1.0E-4 too)
                b.append(Double.toString(Math.round(v * 1000) / 1000.0));
            }
        }

        private StringBuilder name(String name) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            return sb.append('"').append(name).append("\":");
        }

        String end() {
            return sb.append('}').toString();
        }
    }
}
