package io.damselfly.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runner's arithmetic and parsing: redis-benchmark CSV, ratio direction, medians, server commands. */
class ParsingTest {
    /** Output of redis-benchmark 7.0.15 --csv -t set,get (stdout and stderr together). */
    static final String CSV = """
            "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
            "SET","70274.07","0.416","0.072","0.311","0.895","2.087","10.983"
            "GET","82440.23","0.353","0.072","0.279","0.615","2.351","14.871"
            """;

    @Test
    void parseCsv_rowsInOrder() {
        List<RedisBenchmark.Row> rows = RedisBenchmark.parseCsv(CSV);
        assertEquals(2, rows.size());
        RedisBenchmark.Row set = rows.get(0);
        assertEquals("SET", set.test());
        assertEquals(70274.07, set.rps());
        assertEquals(0.311, set.p50Ms());
        assertEquals(2.087, set.p99Ms());
        assertEquals(10.983, set.maxMs());
        assertEquals(82440.23, rows.get(1).rps());
    }

    @Test
    void parseCsv_titlesWithSpacesAndParentheses() {
        String out = """
                "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
                "LPUSH (needed to benchmark LRANGE)","99999.99","0.288","0.080","0.287","0.423","0.471","0.511"
                "MSET (10 keys)","99999.99","0.263","0.072","0.263","0.391","0.431","0.471"
                """;
        List<RedisBenchmark.Row> rows = RedisBenchmark.parseCsv(out);
        assertEquals(List.of("LPUSH (needed to benchmark LRANGE)", "MSET (10 keys)"),
                rows.stream().map(RedisBenchmark.Row::test).toList());
    }

    @Test
    void parseCsv_stopsAtServerError() {
        String out = CSV + "Error from server: ERR unknown command 'LPUSH', with args beginning with: 'mylist' 'xxx' \n";
        assertEquals(2, RedisBenchmark.parseCsv(out).size());
        assertEquals("ERR unknown command", RedisBenchmark.failureReason(out, 1));
    }

    @Test
    void failureReason_withoutServerError() {
        assertEquals("Could not connect to Redis at 127.0.0.1", RedisBenchmark.failureReason(
                "Could not connect to Redis at 127.0.0.1:1: Connection refused\n", 1));
        assertEquals("exit status 3", RedisBenchmark.failureReason("", 3));
        assertEquals("WRONGTYPE Operation against a key holding the wrong kind...",
                RedisBenchmark.shorten("WRONGTYPE Operation against a key holding the wrong kind of value"));
    }

    @Test
    void splitCsvLine_quotesAndEscapes() {
        assertEquals(List.of("a,b", "c\"d", ""), RedisBenchmark.splitCsvLine("\"a,b\",\"c\"\"d\",\"\""));
    }

    @Test
    void ratio_aboveOneMeansDamselflyBetter() {
        // throughput: damselfly / redis
        assertEquals(2.0, Better.HIGHER.ratio(50_000, 100_000));
        assertEquals(0.5, Better.HIGHER.ratio(100_000, 50_000));
        // latency and bytes/key: redis / damselfly
        assertEquals(2.0, Better.LOWER.ratio(1.0, 0.5));
        assertEquals(0.5, Better.LOWER.ratio(60, 120));
        assertTrue(Double.isNaN(Better.LOWER.ratio(1.0, 0)));
        assertEquals(1.0, Better.LOWER.ratio(0, 0)); // e.g. no errors on either side
        assertTrue(Double.isNaN(Better.HIGHER.ratio(Double.NaN, 1)));
    }

    @Test
    void forFigure_directionFromName() {
        assertEquals(Better.HIGHER, Better.forFigure("GET ops/s"));
        assertEquals(Better.HIGHER, Better.forFigure("hit ratio"));
        assertEquals(Better.LOWER, Better.forFigure("GET p99 ms"));
        assertEquals(Better.LOWER, Better.forFigure("p99.9 ms"));
        assertEquals(Better.LOWER, Better.forFigure("bytes/key (RSS)"));
        assertEquals(Better.LOWER, Better.forFigure("p50_latency_ms"));
        assertEquals(Better.HIGHER, Better.forFigure("items"));
    }

    @Test
    void median_oddEvenAndUnsorted() {
        assertEquals(3.0, ResultTable.median(new double[] {5, 1, 3}));
        assertEquals(2.5, ResultTable.median(new double[] {4, 1, 3, 2}));
        assertEquals(7.0, ResultTable.median(new double[] {7}));
        assertThrows(IllegalArgumentException.class, () -> ResultTable.median(new double[0]));
    }

    @Test
    void table_mediansRatiosAndMissing() {
        ResultTable t = new ResultTable();
        int round = 0;
        for (double[] pair : new double[][] {{100, 90}, {120, 150}, {110, 130}}) {
            round++;
            t.add("get-set", ServerKind.REDIS, round, List.of(Reading.of("GET ops/s", Better.HIGHER, pair[0]),
                    Reading.of("GET p99 ms", Better.LOWER, 1.0)));
            t.add("get-set", ServerKind.DAMSELFLY, round, List.of(Reading.of("GET ops/s", Better.HIGHER, pair[1]),
                    Reading.missing("GET p99 ms", Better.LOWER, "ERR unknown command")));
        }
        List<ResultTable.Row> rows = t.rows();
        assertEquals(2, rows.size());
        assertEquals(110.0, rows.get(0).redis().median());
        assertEquals(130.0, rows.get(0).damselfly().median());
        // the rounds' ratios 0.9, 1.25, 1.18: their median
        assertEquals("1.18x", rows.get(0).ratioText());
        assertEquals("n/a (ERR unknown command)", rows.get(1).damselfly().text());
        assertEquals("n/a", rows.get(1).ratioText());
        String md = t.renderMarkdown();
        assertTrue(md.contains("| get-set | GET ops/s | 110 | 130 | 1.18x |"), md);
        String csv = t.renderCsv(java.util.Map.of("commit", "abc1234"));
        assertTrue(csv.startsWith("# commit: abc1234\n"), csv);
        assertTrue(csv.contains("get-set,GET ops/s,higher,110,130,1.181818,100;120;110,90;150;130"), csv);
    }

    @Test
    void table_ratioIsTheMedianOfTheRoundsRatios() {
        // the machine drifts: both servers twice as fast in round 2 as in rounds 1 and 3. Within each
        // round damselfly does 5% less; the ratio of the medians (90/200) would say 0.45x
        ResultTable t = new ResultTable();
        double[][] pairs = {{100, 95}, {200, 190}, {210, 199.5}, {90, 85.5}, {220, 209}};
        for (int round = 1; round <= pairs.length; round++) {
            t.add("suite", ServerKind.REDIS, round, List.of(Reading.of("GET ops/s", Better.HIGHER, pairs[round - 1][0])));
            t.add("suite", ServerKind.DAMSELFLY, round, List.of(Reading.of("GET ops/s", Better.HIGHER, pairs[round - 1][1]),
                    Reading.of("only damselfly", Better.HIGHER, 1)));
        }
        // a round one side lost (a server that did not start) pairs with nothing
        t.add("suite", ServerKind.REDIS, 6, List.of(Reading.of("GET ops/s", Better.HIGHER, 1000)));
        ResultTable.Row row = t.rows().get(0);
        assertEquals("GET ops/s", row.figure());
        assertEquals(0.95, row.ratio(), 1e-9);
        assertEquals(205.0, row.redis().median());
        assertEquals(190.0, row.damselfly().median());
        assertEquals("n/a", t.rows().get(1).ratioText(), "no redis side: no ratio");
    }

    @Test
    void formatValue_groupsLargeAndKeepsFourDigits() {
        assertEquals("82,440", ResultTable.formatValue(82440.23));
        assertEquals("0.311", ResultTable.formatValue(0.311));
        assertEquals("123.5", ResultTable.formatValue(123.45));
        assertEquals("0.9877", ResultTable.formatValue(0.98765));
    }

    @Test
    void commands_sameLimitsForBoth() {
        ServerSettings lru = ServerSettings.lruCache("64mb");
        List<String> redis = ServerProcess.redisCommand("redis-server", 7000, Path.of("/tmp/x"), lru);
        assertTrue(String.join(" ", redis).contains("--maxmemory 64mb --maxmemory-policy allkeys-lru"), redis.toString());
        assertTrue(String.join(" ", redis).contains("--save  --appendonly no"), redis.toString());
        List<String> df = ServerProcess.damselflyCommand("scripts/run", 7001, Path.of("/tmp/y"), lru);
        assertEquals(List.of("scripts/run", "--port", "7001", "--bind", "127.0.0.1", "--dir", "/tmp/y", "--admin_port", "-1",
                "--maxmemory=64mb", "--cache_mode=true", "--maxmemory_policy=allkeys-lru"), df);
        assertFalse(String.join(" ", ServerProcess.damselflyCommand("scripts/run", 1, Path.of("."),
                ServerSettings.DEFAULT)).contains("maxmemory"));
    }
}
