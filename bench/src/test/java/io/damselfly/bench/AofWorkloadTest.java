package io.damselfly.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The aof workload's figures from redis-benchmark's report, its AOF byte count, its servers' command lines, its goal. */
class AofWorkloadTest {
    /** The shape of redis-benchmark 7.0.15's --csv -t set,incr,lpush report. */
    static final String CSV = """
            "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
            "SET","61349.69","0.470","0.096","0.399","0.871","1.583","5.911"
            "INCR","65789.47","0.431","0.088","0.375","0.775","1.303","4.207"
            "LPUSH","63291.14","0.452","0.096","0.391","0.823","1.471","3.615"
            """;

    @Test
    void figures_opsAndP99PerTest_namedWithTheSuffix() {
        List<Reading> r = AofWorkload.figures(new RedisBenchmark.Result(RedisBenchmark.parseCsv(CSV), null),
                AofWorkload.TESTS, " -P 16");
        assertEquals(List.of("SET -P 16 ops/s", "SET -P 16 p99 ms", "INCR -P 16 ops/s", "INCR -P 16 p99 ms",
                "LPUSH -P 16 ops/s", "LPUSH -P 16 p99 ms"), r.stream().map(Reading::figure).toList());
        assertEquals(61349.69, r.get(0).value());
        assertEquals(Better.HIGHER, r.get(0).better());
        assertEquals(1.303, r.get(3).value());
        assertEquals(Better.LOWER, r.get(3).better());
        assertEquals(1.471, r.get(5).value());
    }

    @Test
    void figures_stoppedAtAnError_restMissingWithTheReason() {
        String out = CSV.lines().limit(2).reduce("", (a, b) -> a + b + "\n")
                + "Error from server: MISCONF Errors writing to the AOF file: No space left on device\n";
        RedisBenchmark.Result result = new RedisBenchmark.Result(RedisBenchmark.parseCsv(out),
                RedisBenchmark.failureReason(out, 1));
        List<Reading> r = AofWorkload.figures(result, AofWorkload.TESTS, "");
        assertTrue(r.get(0).present());
        assertEquals("SET ops/s", r.get(0).figure());
        Reading incr = r.get(2);
        assertEquals("INCR ops/s", incr.figure());
        assertFalse(incr.present());
        assertEquals("MISCONF Errors writing to the AOF file", incr.missing());
        assertFalse(r.get(5).present());
    }

    @Test
    void figures_notReportedWithoutAFailure() {
        List<Reading> r = AofWorkload.figures(new RedisBenchmark.Result(List.of(), null), List.of("SET"), " always");
        assertEquals(List.of("SET always ops/s", "SET always p99 ms"), r.stream().map(Reading::figure).toList());
        assertEquals("not reported", r.get(0).missing());
    }

    @Test
    void aofBytes_sumsTheFilesOfAppendonlydir(@TempDir Path dir) throws IOException {
        Path aof = Files.createDirectory(dir.resolve("appendonlydir"));
        Files.write(aof.resolve("appendonly.aof.1.base.rdb"), new byte[88]);
        Files.write(aof.resolve("appendonly.aof.1.incr.aof"), new byte[1000]);
        Path manifest = Files.writeString(aof.resolve("appendonly.aof.manifest"),
                "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
        Files.write(dir.resolve("server.log"), new byte[500]); // beside the AOF, not part of it
        Files.createDirectory(aof.resolve("not-a-file"));
        assertEquals(88 + 1000 + Files.size(manifest), AofWorkload.aofBytes(dir));
    }

    @Test
    void aofBytes_noAofDirectory_fails(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> AofWorkload.aofBytes(dir));
        assertTrue(e.getMessage().startsWith("no appendonlydir in "), e.getMessage());
    }

    @Test
    void commands_bothServersGetTheAofDirectives() {
        ServerSettings s = new AofWorkload().settings(Mode.QUICK);
        String directives = "--appendonly yes --appendfsync everysec --auto-aof-rewrite-percentage 0";
        String redis = String.join(" ", ServerProcess.redisCommand("redis-server", 7000, Path.of("/tmp/x"), s));
        assertTrue(redis.contains(directives), redis);
        assertFalse(redis.contains("--appendonly no"), redis);
        assertTrue(redis.contains("--save  --daemonize no"), redis);
        String df = String.join(" ", ServerProcess.damselflyCommand("scripts/run", 7001, Path.of("/tmp/y"), s));
        assertTrue(df.endsWith("--admin_port -1 " + directives), df);
        assertTrue(s.describe().contains("both with `" + directives + "`"), s.describe());
    }

    @Test
    void settings_directivesInPairsAndInOrder() {
        assertThrows(IllegalArgumentException.class, () -> ServerSettings.bothWith("appendonly"));
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            names.add("option-" + i);
            names.add(Integer.toString(i));
        }
        ServerSettings s = ServerSettings.bothWith(names.toArray(String[]::new));
        assertEquals(names.stream().map(n -> n.startsWith("option-") ? "--" + n : n).toList(), s.configArgs());
        assertEquals(Collections.emptyList(), ServerSettings.DEFAULT.configArgs());
    }

    @Test
    void describe_sameRequestsAsGetSet() {
        AofWorkload w = new AofWorkload();
        for (Mode mode : Mode.values()) {
            String d = w.describe(mode);
            assertTrue(d.contains("-n " + GetSetWorkload.requests(mode, 1) + " -P 1`"), d);
            assertTrue(d.contains("-n " + GetSetWorkload.requests(mode, 16) + " -P 16`"), d);
        }
    }

    @Test
    void registered_rightAfterSaveUnderLoad() {
        List<String> names = BenchRunner.allWorkloads().stream().map(Workload::name).toList();
        assertEquals(names.indexOf("save-under-load") + 1, names.indexOf("aof"), names.toString());
    }

    @Test
    void goalLines_setEverysecAgainstTheGoal() {
        AofWorkload w = new AofWorkload();
        ResultTable table = new ResultTable();
        List<Reading> redis = AofWorkload.figures(new RedisBenchmark.Result(RedisBenchmark.parseCsv(CSV), null),
                AofWorkload.TESTS, "");
        table.add(w.tableLabel(), ServerKind.REDIS, 1, redis);
        table.add(w.tableLabel(), ServerKind.DAMSELFLY, 1, List.of(Reading.of("SET ops/s", Better.HIGHER, 49079.75)));
        String line = BenchRunner.goalLines(List.of(w), table);
        assertTrue(line.startsWith("goal aof: "), line);
        assertTrue(line.contains("(SET ops/s ratio at least 0.90x)"), line);
        assertTrue(line.endsWith("0.80x, NOT met\n"), line);
    }
}
