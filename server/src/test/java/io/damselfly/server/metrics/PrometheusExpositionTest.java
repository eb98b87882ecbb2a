package io.damselfly.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The text format's corners, read back by the Prometheus project's own parser. */
class PrometheusExpositionTest {

    @Test
    void labelValues_escaped_readBackExactly() throws Exception {
        PrometheusExposition.Families f = new PrometheusExposition.Families();
        String nasty = "a\"b\\c\nd e,f=g}";
        f.counter("errors_total").sample(PrometheusExposition.labels("err", nasty), 3);
        f.gauge("db_keys").sample(PrometheusExposition.labels("db", "db0"), 1e20);
        f.gauge("mem_fragmentation_ratio").sample("", 1.25);
        f.gauge("nothing").sample("", Double.NaN);
        String out = parse(f.text());
        assertTrue(out.contains("redis_errors_total\t" + nasty.replace("\n", "\\n") + "\t3.0\n"), out);
        assertTrue(out.contains("redis_db_keys\tdb0\t1e+20\n"), out);
        assertTrue(out.contains("redis_mem_fragmentation_ratio\t\t1.25\n"), out);
        assertTrue(out.contains("redis_nothing\t\tnan\n"), out);
    }

    @Test
    void fromInfo_mapsAsRedisExporter() throws Exception {
        String info = String.join("\r\n",
                "# Server", "redis_version:7.0.15", "redis_mode:standalone", "os:Linux 6.1 x86_64", "tcp_port:6379",
                "run_id:abc", "process_id:42", "uptime_in_seconds:10", "hz:10", "configured_hz:10",
                "", "# Clients", "connected_clients:3", "blocked_clients:1", "maxclients:10000",
                "", "# Memory", "used_memory:1000", "maxmemory:2000", "maxmemory_policy:noeviction", "mem_allocator:jvm",
                "", "# Persistence", "loading:0", "rdb_last_bgsave_status:ok", "aof_enabled:0",
                "", "# Stats", "total_connections_received:7", "keyspace_hits:5", "keyspace_misses:2", "evicted_keys:0",
                "", "# Replication", "role:master", "master_replid:def",
                "", "# CPU", "used_cpu_sys:1.500000",
                "", "# Commandstats", "cmdstat_get:calls=5,usec=20,usec_per_call=4.00,rejected_calls=1,failed_calls=0",
                "cmdstat_config|get:calls=2,usec=6,usec_per_call=3.00,rejected_calls=0,failed_calls=0",
                "cmdstat_broken:calls=x", "",
                "# Errorstats", "errorstat_WRONGTYPE:count=4",
                "", "# Cluster", "cluster_enabled:0",
                "", "# Keyspace", "db0:keys=10,expires=2,avg_ttl=3000", "db3:keys=1,expires=0,avg_ttl=0", "");
        PrometheusExposition.Families f = new PrometheusExposition.Families();
        PrometheusExposition.fromInfo(info, f);
        String text = f.text();
        for (String line : new String[] {
                "redis_connected_clients 3", "redis_blocked_clients 1", "redis_memory_used_bytes 1000",
                "redis_memory_max_bytes 2000", "redis_keyspace_hits_total 5", "redis_keyspace_misses_total 2",
                "redis_connections_received_total 7", "redis_evicted_keys_total 0", "redis_rdb_last_bgsave_status 1",
                "redis_loading_dump_file 0", "redis_cpu_sys_seconds_total 1.5", "redis_uptime_in_seconds 10",
                "redis_process_id 42", "redis_hz 10", "redis_cluster_enabled 0",
                "redis_commands_total{cmd=\"get\"} 5", "redis_commands_total{cmd=\"config|get\"} 2",
                "redis_commands_duration_seconds_total{cmd=\"get\"} 2.0E-5", "redis_commands_rejected_calls_total{cmd=\"get\"} 1",
                "redis_errors_total{err=\"WRONGTYPE\"} 4", "redis_db_keys{db=\"db0\"} 10", "redis_db_keys_expiring{db=\"db0\"} 2",
                "redis_db_avg_ttl_seconds{db=\"db0\"} 3", "redis_db_keys{db=\"db3\"} 1",
                "redis_instance_info{role=\"master\",redis_version=\"7.0.15\",redis_build_id=\"\",redis_mode=\"standalone\","
                        + "os=\"Linux 6.1 x86_64\",maxmemory_policy=\"noeviction\",tcp_port=\"6379\",run_id=\"abc\","
                        + "process_id=\"42\",master_replid=\"def\"} 1",
                "# TYPE redis_keyspace_hits_total counter", "# TYPE redis_connected_clients gauge",
                "# HELP redis_connected_clients connected_clients metric"}) {
            assertTrue(text.contains(line + "\n"), line + " missing from\n" + text);
        }
        // fields the exporter does not map stay out; a malformed cmdstat line is skipped
        assertTrue(!text.contains("maxclients") && !text.contains("mem_allocator") && !text.contains("broken"), text);
        parse(text);
    }

    /** Runs prometheus_client's parser: one "name\tlabel values\tvalue" line per sample. */
    private static String parse(String exposition) throws Exception {
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Process p = new ProcessBuilder(python, "-c", """
                import sys
                from prometheus_client.parser import text_string_to_metric_families
                for f in text_string_to_metric_families(sys.stdin.read()):
                    for s in f.samples:
                        print(s.name + "\\t" + ",".join(s.labels.values()).replace("\\n", "\\\\n") + "\\t" + repr(s.value))
                """).start();
        try (var in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        return out;
    }
}
