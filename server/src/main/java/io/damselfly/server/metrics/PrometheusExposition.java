package io.damselfly.server.metrics;

import io.damselfly.server.command.Command;
import io.damselfly.server.command.ServerContext;
import io.damselfly.server.config.Option;
import io.damselfly.server.config.PercentileList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The text of {@code GET /metrics}: Prometheus text exposition format 0.0.4, with the metric
 * names, types, HELP texts and labels of oliver006/redis_exporter, so the Grafana dashboards and
 * alert rules written for Redis (and for Dragonfly behind that exporter) read damselfly unchanged,
 * without an exporter process.
 *
 * <p>How. The figures are INFO's own: this renders {@code INFO everything} ({@link InfoBuilder},
 * which reads the per-thread counters without stopping anyone) and maps its fields the way
 * redis_exporter's extractInfoMetrics maps them: a field in {@link #GAUGES} or {@link #COUNTERS}
 * becomes {@code redis_<mapped name>} with HELP "{@code <mapped name>} metric"; "ok"/"true" count
 * as 1 and "err"/"fail"/"false" as 0; cmdstat lines become {@code redis_commands_total},
 * {@code redis_commands_duration_seconds_total} (microseconds / 10^6) and the rejected and failed
 * counts by {@code cmd}; what latencystats would print becomes the summary
 * {@code redis_latency_percentiles_usec} (the exporter's shape: quantile labels are INFO's
 * percentiles, 50, 99, 99.9, in microseconds, count the calls, sum the microseconds; computed from
 * the histogram that also gives damselfly's summary, so each is read once); errorstat lines {@code redis_errors_total} by {@code err};
 * keyspace lines {@code redis_db_keys}, {@code redis_db_keys_expiring} and
 * {@code redis_db_avg_ttl_seconds} by {@code db} ("db0"); plus {@code redis_up},
 * {@code redis_instance_info}, {@code redis_start_time_seconds} and the exporter's
 * {@code redis_config_maxmemory} and {@code redis_config_maxclients}. Going through INFO's text
 * keeps one source for every figure: what INFO says and what Grafana charts cannot disagree.
 *
 * <p>damselfly's own: {@code damselfly_command_latency_seconds}, a summary per command with the
 * quantiles 0.5, 0.9, 0.99 and 0.999 (seconds) read from the command's HdrHistogram since start or
 * CONFIG RESETSTAT (Redis's percentile rounding, {@link LatencyReport}), count and sum the
 * command's calls and time, as INFO commandstats has them.
 *
 * <p>Families come out sorted by name, as the Go client sorts them, each with one HELP and one
 * TYPE line; label values are escaped (backslash, double quote, line feed).
 */
public final class PrometheusExposition {
    /** The content type of the format rendered here. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Quantiles of {@code damselfly_command_latency_seconds}. */
    static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};
    private static final double NANOS_PER_SECOND = 1e9;
    private static final double MICROS_PER_SECOND = 1e6;
    private static final double MILLIS_PER_SECOND = 1e3;

    /** redis_exporter's metricMapGauges, the entries an INFO of Redis 7.0 can carry. */
    static final Map<String, String> GAUGES = Map.ofEntries(
            Map.entry("uptime_in_seconds", "uptime_in_seconds"),
            Map.entry("process_id", "process_id"),
            Map.entry("connected_clients", "connected_clients"),
            Map.entry("blocked_clients", "blocked_clients"),
            Map.entry("tracking_clients", "tracking_clients"),
            Map.entry("client_recent_max_output_buffer", "client_recent_max_output_buffer_bytes"),
            Map.entry("client_recent_max_input_buffer", "client_recent_max_input_buffer_bytes"),
            Map.entry("used_memory", "memory_used_bytes"),
            Map.entry("used_memory_rss", "memory_used_rss_bytes"),
            Map.entry("used_memory_peak", "memory_used_peak_bytes"),
            Map.entry("used_memory_lua", "memory_used_lua_bytes"),
            Map.entry("used_memory_overhead", "memory_used_overhead_bytes"),
            Map.entry("used_memory_startup", "memory_used_startup_bytes"),
            Map.entry("used_memory_dataset", "memory_used_dataset_bytes"),
            Map.entry("used_memory_scripts", "memory_used_scripts_bytes"),
            Map.entry("maxmemory", "memory_max_bytes"),
            Map.entry("mem_fragmentation_ratio", "mem_fragmentation_ratio"),
            Map.entry("mem_fragmentation_bytes", "mem_fragmentation_bytes"),
            Map.entry("mem_clients_slaves", "mem_clients_slaves"),
            Map.entry("mem_clients_normal", "mem_clients_normal"),
            Map.entry("expired_stale_perc", "expired_stale_percentage"),
            Map.entry("mem_not_counted_for_evict", "mem_not_counted_for_eviction_bytes"),
            Map.entry("lazyfree_pending_objects", "lazyfree_pending_objects"),
            Map.entry("active_defrag_running", "active_defrag_running"),
            Map.entry("loading", "loading_dump_file"),
            Map.entry("rdb_changes_since_last_save", "rdb_changes_since_last_save"),
            Map.entry("rdb_bgsave_in_progress", "rdb_bgsave_in_progress"),
            Map.entry("rdb_last_save_time", "rdb_last_save_timestamp_seconds"),
            Map.entry("rdb_last_bgsave_status", "rdb_last_bgsave_status"),
            Map.entry("rdb_last_bgsave_time_sec", "rdb_last_bgsave_duration_sec"),
            Map.entry("aof_enabled", "aof_enabled"),
            Map.entry("aof_rewrite_in_progress", "aof_rewrite_in_progress"),
            Map.entry("aof_rewrite_scheduled", "aof_rewrite_scheduled"),
            Map.entry("aof_last_bgrewrite_status", "aof_last_bgrewrite_status"),
            Map.entry("aof_last_write_status", "aof_last_write_status"),
            Map.entry("pubsub_channels", "pubsub_channels"),
            Map.entry("pubsub_patterns", "pubsub_patterns"),
            Map.entry("latest_fork_usec", "latest_fork_usec"),
            Map.entry("connected_slaves", "connected_slaves"),
            Map.entry("repl_backlog_size", "replication_backlog_bytes"),
            Map.entry("repl_backlog_active", "repl_backlog_is_active"),
            Map.entry("repl_backlog_first_byte_offset", "repl_backlog_first_byte_offset"),
            Map.entry("repl_backlog_histlen", "repl_backlog_history_bytes"),
            Map.entry("master_repl_offset", "master_repl_offset"),
            Map.entry("second_repl_offset", "second_repl_offset"));

    /** redis_exporter's metricMapCounters. */
    static final Map<String, String> COUNTERS = Map.ofEntries(
            Map.entry("total_connections_received", "connections_received_total"),
            Map.entry("total_commands_processed", "commands_processed_total"),
            Map.entry("rejected_connections", "rejected_connections_total"),
            Map.entry("total_net_input_bytes", "net_input_bytes_total"),
            Map.entry("total_net_output_bytes", "net_output_bytes_total"),
            Map.entry("expired_keys", "expired_keys_total"),
            Map.entry("evicted_keys", "evicted_keys_total"),
            Map.entry("keyspace_hits", "keyspace_hits_total"),
            Map.entry("keyspace_misses", "keyspace_misses_total"),
            Map.entry("used_cpu_sys", "cpu_sys_seconds_total"),
            Map.entry("used_cpu_user", "cpu_user_seconds_total"),
            Map.entry("used_cpu_sys_children", "cpu_sys_children_seconds_total"),
            Map.entry("used_cpu_user_children", "cpu_user_children_seconds_total"));

    /** The exporter's fixed descriptions (HELP texts) of the metrics it does not take from the maps. */
    private static final Map<String, String> HELP = Map.of(
            "commands_total", "Total number of calls per command",
            "commands_duration_seconds_total", "Total amount of time in seconds spent per command",
            "db_keys", "Total number of keys by DB",
            "db_keys_expiring", "Total number of expiring keys by DB",
            "db_avg_ttl_seconds", "Avg TTL in seconds",
            "instance_info", "Information about the Redis instance",
            "up", "Information about the Redis instance",
            "start_time_seconds", "Start time of the Redis instance since unix epoch in seconds.",
            "errors_total", "Total number of errors per error type");

    private static final List<String> INSTANCE_LABELS = List.of("role", "redis_version", "redis_build_id", "redis_mode",
            "os", "maxmemory_policy", "tcp_port", "run_id", "process_id", "master_replid");

    private final ServerContext server;

    public PrometheusExposition(ServerContext server) {
        this.server = server;
    }

    /** The whole exposition, now. */
    public String render() {
        Families f = new Families();
        // every section but latencystats, whose histograms commandLatency reads once for both summaries
        List<String> sections = new ArrayList<>(InfoBuilder.ALL_SECTIONS);
        sections.remove("latencystats");
        String info = new InfoBuilder(server).build(sections);
        fromInfo(info, f);
        if (server.nearCache() != null) {
            nearCache(server.nearCache().infoSection(), f);
        }
        f.gauge("up").sample("", 1);
        f.gauge("config_maxmemory").sample("", server.config().getLong(Option.MAXMEMORY));
        f.gauge("config_maxclients").sample("", server.config().getInt(Option.MAXCLIENTS));
        commandLatency(f);
        return f.text();
    }

    /** The sidecar's INFO nearcache numbers as {@code redis_nearcache_<field>} gauges. */
    static void nearCache(String section, Families f) {
        for (String line : section.split("\r\n")) {
            int colon = line.indexOf(':');
            Double v = colon < 0 ? null : number(line.substring(colon + 1));
            if (v != null) {
                f.gauge("nearcache_" + line.substring(0, colon)).sample("", v);
            }
        }
    }

    /** Maps every INFO line as redis_exporter's extractInfoMetrics does. */
    static void fromInfo(String info, Families f) {
        Map<String, String> fields = new LinkedHashMap<>();
        String section = "";
        for (String raw : info.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("# ")) {
                section = line.substring(2);
                continue;
            }
            int colon = line.indexOf(':');
            if (line.length() < 2 || colon < 0) {
                continue;
            }
            String key = line.substring(0, colon);
            String value = line.substring(colon + 1);
            fields.put(key, value);
            switch (section) {
                case "Server" -> {
                    if (key.equals("uptime_in_seconds")) {
                        Double uptime = number(value);
                        if (uptime != null) {
                            f.gauge("start_time_seconds").sample("", System.currentTimeMillis() / 1000 - uptime);
                        }
                    } else if (key.equals("hz") || key.equals("configured_hz")) {
                        Double hz = number(value);
                        if (hz != null) {
                            f.gauge(key).sample("", hz);
                        }
                    }
                }
                case "Commandstats" -> {
                    commandStat(key, value, f);
                    continue;
                }
                case "Errorstats" -> {
                    if (key.startsWith("errorstat_")) {
                        Map<String, String> kv = keyValues(value);
                        Double count = kv != null ? number(kv.get("count")) : null;
                        if (count != null) {
                            f.counter("errors_total").sample(labels("err", key.substring("errorstat_".length())), count);
                        }
                    }
                    continue;
                }
                case "Keyspace" -> {
                    if (keyspace(key, value, f)) {
                        continue;
                    }
                }
                default -> {
                }
            }
            if (!(key.startsWith("db") || key.startsWith("cmdstat_") || key.startsWith("cluster_")
                    || GAUGES.containsKey(key) || COUNTERS.containsKey(key))) {
                continue;
            }
            Double v = switch (value) {
                case "ok", "true" -> 1.0;
                case "err", "fail", "false" -> 0.0;
                default -> number(value);
            };
            if (v == null) {
                continue;
            }
            String counterName = COUNTERS.get(key);
            if (counterName != null) {
                f.counter(counterName).sample("", v);
            } else {
                String name = GAUGES.getOrDefault(key, key);
                if (name.equals("latest_fork_usec")) {
                    f.gauge("latest_fork_seconds").sample("", v / MICROS_PER_SECOND);
                } else {
                    f.gauge(name).sample("", v);
                }
            }
        }
        List<String> values = new ArrayList<>();
        for (String l : INSTANCE_LABELS) {
            values.add(fields.getOrDefault(l, ""));
        }
        f.gauge("instance_info").sample(labels(INSTANCE_LABELS, values), 1);
    }

    /** cmdstat_get:calls=21,usec=175,usec_per_call=8.33,rejected_calls=0,failed_calls=0 */
    private static void commandStat(String key, String value, Families f) {
        if (!key.startsWith("cmdstat_")) {
            return;
        }
        String cmd = key.substring("cmdstat_".length());
        Map<String, String> kv = keyValues(value);
        if (kv == null) {
            return;
        }
        Double calls = number(kv.get("calls"));
        Double usec = number(kv.get("usec"));
        if (calls == null || usec == null) {
            return;
        }
        String label = labels("cmd", cmd);
        f.counter("commands_total").sample(label, calls);
        f.counter("commands_duration_seconds_total").sample(label, usec / MICROS_PER_SECOND);
        Double rejected = number(kv.get("rejected_calls"));
        Double failed = number(kv.get("failed_calls"));
        if (rejected != null && failed != null) {
            f.counter("commands_rejected_calls_total").sample(label, rejected);
            f.counter("commands_failed_calls_total").sample(label, failed);
        }
    }

    /** db0:keys=1,expires=0,avg_ttl=0 */
    private static boolean keyspace(String key, String value, Families f) {
        if (!key.startsWith("db")) {
            return false;
        }
        Map<String, String> kv = keyValues(value);
        if (kv == null) {
            return false;
        }
        Double keys = number(kv.get("keys"));
        Double expires = number(kv.get("expires"));
        if (keys == null || expires == null) {
            return false;
        }
        String label = labels("db", key);
        f.gauge("db_keys").sample(label, keys);
        f.gauge("db_keys_expiring").sample(label, expires);
        Double avgTtl = number(kv.get("avg_ttl"));
        if (avgTtl != null) {
            f.gauge("db_avg_ttl_seconds").sample(label, avgTtl / MILLIS_PER_SECOND);
        }
        return true;
    }

    /**
     * Both latency summaries of every command with a histogram, reading each histogram once:
     * redis_exporter's redis_latency_percentiles_usec exactly as it reads INFO latencystats (the
     * configured percentiles, microseconds with INFO's three decimals; none while latency-tracking
     * is off, as INFO prints none), and damselfly_command_latency_seconds.
     */
    private void commandLatency(Families f) {
        CommandStatistics stats = server.commandStats();
        if (!stats.latencyTracking()) {
            return;
        }
        PercentileList percentiles = (PercentileList) server.config().get(Option.LATENCY_TRACKING_INFO_PERCENTILES);
        CommandTotals totals = stats.totals();
        for (Command c : server.commands().allWithSubcommands()) {
            Histogram h = stats.latencyHistogram(c.id());
            if (h == null) {
                continue;
            }
            long calls = totals.calls(c.id());
            long usec = totals.usec(c.id());
            Map<String, Double> usecAt = new LinkedHashMap<>();
            for (int i = 0; i < percentiles.size(); i++) {
                double p = percentiles.get(i);
                String info = InfoBuilder.fixed(LatencyReport.valueAtPercentile(h, p) / 1000.0, 3);
                usecAt.put(format(p), Double.parseDouble(info));
            }
            f.summary("latency_percentiles_usec", InfoBuilder.safe(c.fullName()), usecAt, calls, usec);
            Map<String, Double> q = new LinkedHashMap<>();
            for (double quantile : QUANTILES) {
                q.put(format(quantile), LatencyReport.valueAtPercentile(h, quantile * 100) / NANOS_PER_SECOND);
            }
            f.ownSummary("damselfly_command_latency_seconds",
                    "Command latency from the per-command HdrHistogram since start or CONFIG RESETSTAT, in seconds",
                    c.fullName(), q, calls, usec / MICROS_PER_SECOND);
        }
    }

    // ---- parsing INFO values ---------------------------------------------------------------

    /** "a=1,b=2" as a map, or null when a part has no '='. */
    private static Map<String, String> keyValues(String value) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : value.split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                return null;
            }
            m.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return m;
    }

    private static Double number(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ---- writing the format ----------------------------------------------------------------

    /** A sample value as the format wants it: integers without a fraction, NaN and infinities spelled out. */
    static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static String labels(String name, String value) {
        return labels(List.of(name), List.of(value));
    }

    static String labels(List<String> names, List<String> values) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(names.get(i)).append("=\"");
            escapeLabelValue(values.get(i), sb);
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    /** The format's label value escapes: backslash, double quote and line feed. */
    static void escapeLabelValue(String v, StringBuilder out) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    /** Metric families being gathered, by full name; written sorted by name. */
    static final class Families {
        private final Map<String, Family> byName = new TreeMap<>();

        Family gauge(String name) {
            return family("redis_" + name, "gauge", help(name));
        }

        Family counter(String name) {
            return family("redis_" + name, "counter", help(name));
        }

        /** A redis_exporter constant summary: quantile samples, then _sum and _count. */
        void summary(String name, String cmd, Map<String, Double> quantiles, double count, double sum) {
            ownSummary("redis_" + name, help(name), cmd, quantiles, count, sum);
        }

        void ownSummary(String fullName, String help, String cmd, Map<String, Double> quantiles, double count, double sum) {
            Family fam = family(fullName, "summary", help);
            StringBuilder labelPrefix = new StringBuilder("{cmd=\"");
            escapeLabelValue(cmd, labelPrefix);
            labelPrefix.append('"');
            for (Map.Entry<String, Double> q : quantiles.entrySet()) {
                fam.lines.add(fullName + labelPrefix + ",quantile=\"" + q.getKey() + "\"} " + format(q.getValue()));
            }
            fam.lines.add(fullName + "_sum" + labelPrefix + "} " + format(sum));
            fam.lines.add(fullName + "_count" + labelPrefix + "} " + format(count));
        }

        private static String help(String name) {
            return HELP.getOrDefault(name, name + " metric");
        }

        private Family family(String fullName, String type, String help) {
            return byName.computeIfAbsent(fullName, n -> new Family(n, type, help));
        }

        String text() {
            StringBuilder sb = new StringBuilder(8192);
            for (Family fam : byName.values()) {
                sb.append("# HELP ").append(fam.name).append(' ').append(fam.help).append('\n');
                sb.append("# TYPE ").append(fam.name).append(' ').append(fam.type).append('\n');
                for (String l : fam.lines) {
                    sb.append(l).append('\n');
                }
            }
            return sb.toString();
        }
    }

    /** One family: its name, type, HELP text and sample lines. */
    static final class Family {
        final String name;
        final String type;
        final String help;
        final List<String> lines = new ArrayList<>();

        Family(String name, String type, String help) {
            this.name = name;
            this.type = type;
            this.help = help;
        }

        /** Adds a sample with {@code labels} ("" or "{a=\"b\"}"); a repeated series keeps its first value. */
        void sample(String labels, double value) {
            String series = name + labels + " ";
            for (String l : lines) {
                if (l.startsWith(series)) {
                    return;
                }
            }
            lines.add(series + format(value));
        }
    }
}
