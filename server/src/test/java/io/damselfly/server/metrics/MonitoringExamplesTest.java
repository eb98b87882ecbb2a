package io.damselfly.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring examples in conf/ (issue 17, point 3), checked with Prometheus's own promtool
 * (Debian's prometheus package; ./scripts/test installs it): the scrape config and the alert rules
 * are valid, the two alerts fire exactly when they should on synthetic series (promtool test
 * rules: memory over 90% of maxmemory, hit ratio under 80% over 5 minutes; quiet without a
 * maxmemory or without lookups), every query of the Grafana dashboard is valid PromQL, and every
 * metric the three files name is one damselfly's /metrics serves (redis_exporter's names).
 */
class MonitoringExamplesTest {
    /** The metric names the examples may use: what /metrics serves under redis_exporter's names, and Prometheus's up. */
    private static final Set<String> SERVED = Set.of("up", "redis_up", "redis_uptime_in_seconds",
            "redis_connected_clients", "redis_blocked_clients", "redis_memory_used_bytes", "redis_memory_max_bytes",
            "redis_keyspace_hits_total", "redis_keyspace_misses_total", "redis_evicted_keys_total",
            "redis_expired_keys_total", "redis_commands_total", "redis_commands_duration_seconds_total",
            "redis_commands_processed_total", "redis_db_keys", "redis_net_input_bytes_total",
            "redis_net_output_bytes_total", "damselfly_command_latency_seconds");
    /** A metric name in a query: redis_* or damselfly_*, or Prometheus's up with a selector. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:redis|damselfly)_[a-z_0-9]+|up(?=\\{))");

    @TempDir
    Path tmp;

    /** conf/ of the repository, found upwards from the working directory (the server module). */
    private static Path conf() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path c = dir.resolve("conf");
            if (Files.isRegularFile(c.resolve("alerts.yml"))) {
                return c;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("conf/alerts.yml not found above " + Path.of("").toAbsolutePath());
    }

    private static String promtool() {
        for (String dir : List.of("/usr/bin", "/usr/local/bin")) {
            File f = new File(dir, "promtool");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        // fail, never skip: ./scripts/test installs it
        throw new IllegalStateException("promtool is not installed; ./scripts/test installs Debian's prometheus package");
    }

    private static String promtool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(promtool()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + cmd);
        assertEquals(0, p.exitValue(), cmd + "\n" + out);
        return out;
    }

    @Test
    void scrapeConfig_validAndScrapesAdminPort() throws Exception {
        Path config = conf().resolve("prometheus.yml");
        String out = promtool("check", "config", config.toString());
        assertTrue(out.contains("SUCCESS"), out);
        String text = Files.readString(config);
        assertTrue(text.contains("metrics_path: /metrics"), text);
        assertTrue(text.contains("\"localhost:9999\""), text);
        assertTrue(text.contains("- alerts.yml"), text);
    }

    @Test
    void alertRules_validAndNamedMetricsServed() throws Exception {
        Path rules = conf().resolve("alerts.yml");
        String out = promtool("check", "rules", rules.toString());
        assertTrue(out.contains("SUCCESS: 3 rules found"), out);
        // the queries: what is left without comments and the annotations' prose
        StringBuilder queries = new StringBuilder();
        for (String line : Files.readAllLines(rules)) {
            String t = line.strip();
            if (!t.startsWith("#") && !t.startsWith("summary:") && !t.startsWith("description:")) {
                queries.append(line).append('\n');
            }
        }
        assertServed(queries.toString());
    }

    /**
     * promtool's rule unit tests on synthetic series: instance a at 95% of maxmemory with a 70%
     * hit ratio alerts on both; b at 50% with 90% alerts on neither; c with no maxmemory and no
     * lookups alerts on neither (0 maxmemory, and 0/0 is NaN).
     */
    @Test
    void alertRules_fireOnlyWhenTheyShould() throws Exception {
        Path rules = conf().resolve("alerts.yml");
        String test = """
                rule_files:
                  - %s
                evaluation_interval: 1m
                tests:
                  - interval: 1m
                    input_series:
                      - series: 'redis_memory_used_bytes{instance="a",job="damselfly"}'
                        values: '950x15'
                      - series: 'redis_memory_max_bytes{instance="a",job="damselfly"}'
                        values: '1000x15'
                      - series: 'redis_memory_used_bytes{instance="b",job="damselfly"}'
                        values: '500x15'
                      - series: 'redis_memory_max_bytes{instance="b",job="damselfly"}'
                        values: '1000x15'
                      - series: 'redis_memory_used_bytes{instance="c",job="damselfly"}'
                        values: '500x15'
                      - series: 'redis_memory_max_bytes{instance="c",job="damselfly"}'
                        values: '0x15'
                      - series: 'redis_keyspace_hits_total{instance="a",job="damselfly"}'
                        values: '0+70x15'
                      - series: 'redis_keyspace_misses_total{instance="a",job="damselfly"}'
                        values: '0+30x15'
                      - series: 'redis_keyspace_hits_total{instance="b",job="damselfly"}'
                        values: '0+90x15'
                      - series: 'redis_keyspace_misses_total{instance="b",job="damselfly"}'
                        values: '0+10x15'
                      - series: 'redis_keyspace_hits_total{instance="c",job="damselfly"}'
                        values: '5x15'
                      - series: 'redis_keyspace_misses_total{instance="c",job="damselfly"}'
                        values: '5x15'
                      - series: 'up{instance="a",job="damselfly"}'
                        values: '1x15'
                    alert_rule_test:
                      - eval_time: 1m
                        alertname: DamselflyMemoryHigh
                        exp_alerts: []
                      - eval_time: 10m
                        alertname: DamselflyMemoryHigh
                        exp_alerts:
                          - exp_labels:
                              severity: warning
                              instance: a
                              job: damselfly
                            exp_annotations:
                              summary: "damselfly a uses over 90%% of maxmemory"
                              description: "used_memory is 95%% of maxmemory; past 100%% keys are evicted (or writes refused under noeviction)."
                      - eval_time: 10m
                        alertname: DamselflyHitRatioLow
                        exp_alerts:
                          - exp_labels:
                              severity: warning
                              instance: a
                            exp_annotations:
                              summary: "damselfly a hit ratio under 80%%"
                              description: "keyspace hits are 70%% of lookups over the last 5 minutes."
                      - eval_time: 10m
                        alertname: DamselflyDown
                        exp_alerts: []
                """.formatted(rules.toAbsolutePath());
        Path file = tmp.resolve("alerts_test.yml");
        Files.writeString(file, test);
        String out = promtool("test", "rules", file.toString());
        assertTrue(out.contains("SUCCESS"), out);
    }

    /**
     * The dashboard is JSON (read by Python's strict json module, as the project's own reader takes
     * integers only) with the panels the issue asks for, and each of its queries, with Grafana's
     * variables given values, is PromQL that promtool accepts (as recording rules).
     */
    @Test
    void grafanaDashboard_panelsAndValidQueries() throws Exception {
        Path json = conf().resolve("grafana-dashboard.json");
        // one line per query: panel title, tab, expression
        Process p = new ProcessBuilder("python3", "-c", """
                import json, sys
                d = json.load(open(sys.argv[1]))
                assert d["title"] == "damselfly", d["title"]
                assert isinstance(d["schemaVersion"], int)
                for v in d["templating"]["list"]:
                    print("$var\t" + v["name"])
                for p in d["panels"]:
                    assert p["targets"], p["title"]
                    for t in p["targets"]:
                        print(p["title"] + "\t" + t["expr"])
                """, json.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        Set<String> titles = new TreeSet<>();
        Set<String> variables = new TreeSet<>();
        StringBuilder recording = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int queries = 0;
        for (String line : out.split("\n")) {
            String[] f = line.split("\t", 2);
            if (f[0].equals("$var")) {
                variables.add(f[1]);
                continue;
            }
            titles.add(f[0]);
            String expr = f[1];
            assertServed(expr);
            String concrete = expr.replace("$__rate_interval", "1m").replace("$instance", ".*").replace("$cmd", ".*");
            assertFalse(concrete.contains("$"), concrete);
            recording.append("      - record: dashboard:query").append(queries++).append('\n')
                    .append("        expr: '").append(concrete.replace("'", "''")).append("'\n");
        }
        assertEquals(Set.of("datasource", "instance", "cmd"), variables);
        for (String needed : List.of("Ops/s", "Hit ratio", "Memory against maxmemory", "Clients",
                "Evictions and expirations /s", "Latency p50 / p99 (since start)")) {
            assertTrue(titles.contains(needed), needed + " in " + titles);
        }
        Path file = tmp.resolve("dashboard-queries.yml");
        Files.writeString(file, recording);
        String checked = promtool("check", "rules", file.toString());
        assertTrue(checked.contains("SUCCESS: " + queries + " rules found"), checked);
    }

    /** Every metric named in {@code text} (a name followed by a selector or range) is one /metrics serves. */
    private static void assertServed(String text) {
        Matcher m = METRIC.matcher(text);
        int found = 0;
        while (m.find()) {
            found++;
            assertTrue(SERVED.contains(m.group(1)), m.group(1) + " is not served by /metrics");
        }
        assertTrue(found > 0, "no metric in " + text);
    }
}
