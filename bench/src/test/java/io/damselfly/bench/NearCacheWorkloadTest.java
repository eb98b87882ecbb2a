package io.damselfly.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The near-cache workload's reading of INFO nearcache, its registration and its goal line. */
class NearCacheWorkloadTest {

    @Test
    void hitRatio_plainHitsAndMisses_deltaOverThePhase() {
        Reading r = NearCacheWorkload.hitRatio(info("hits:100", "misses:50", "keys:10"),
                info("hits:1000", "misses:150", "keys:12"));
        assertTrue(r.present(), String.valueOf(r));
        assertEquals(900.0 / 1000, r.value(), 1e-12);
    }

    @Test
    void hitRatio_prefixedNames_pairedByName() {
        Reading r = NearCacheWorkload.hitRatio(info(),
                info("near_cache_keys:5", "near_cache_hits:30", "near_cache_misses:10", "invalidations:3"));
        assertEquals(0.75, r.value(), 1e-12);
    }

    @Test
    void hitRatio_severalPairs_theShortestNameWins() {
        Reading r = NearCacheWorkload.hitRatio(info(), info("upstream_stale_hits:1", "upstream_stale_misses:99",
                "hits:3", "misses:1"));
        assertEquals(0.75, r.value(), 1e-12);
    }

    @Test
    void hitRatio_fieldMissingBefore_countsFromZero() {
        Reading r = NearCacheWorkload.hitRatio(info(), info("hits:9", "misses:1"));
        assertEquals(0.9, r.value(), 1e-12);
    }

    @Test
    void hitRatio_noPair_missingWithTheFieldNames() {
        Reading r = NearCacheWorkload.hitRatio(info(), info("hits:9", "local_keys:3", "hit_ratio:0.9"));
        assertFalse(r.present());
        assertTrue(r.missing().contains("hits, local_keys, hit_ratio"), r.missing());
    }

    @Test
    void hitRatio_emptySection_missing() {
        Reading r = NearCacheWorkload.hitRatio(info(), info());
        assertFalse(r.present());
        assertEquals("INFO nearcache is empty", r.missing());
    }

    @Test
    void hitRatio_notNumbersOrNoGrowth_missing() {
        assertFalse(NearCacheWorkload.hitRatio(info(), info("hits:many", "misses:few")).present());
        Reading r = NearCacheWorkload.hitRatio(info("hits:5", "misses:5"), info("hits:5", "misses:5"));
        assertFalse(r.present());
        assertTrue(r.missing().contains("did not grow"), r.missing());
    }

    @Test
    void registered_underItsName() {
        assertTrue(BenchRunner.allWorkloads().stream().anyMatch(w -> w.name().equals("near-cache")
                && w instanceof NearCacheWorkload));
    }

    @Test
    void goalLines_ratioAgainstTheGoal() {
        NearCacheWorkload w = new NearCacheWorkload();
        ResultTable table = new ResultTable();
        table.add(w.tableLabel(), ServerKind.REDIS, 1, List.of(Reading.of("GET p50 ms", Better.LOWER, 1.2)));
        table.add(w.tableLabel(), ServerKind.DAMSELFLY, 1, List.of(Reading.of("GET p50 ms", Better.LOWER, 0.08)));
        String line = BenchRunner.goalLines(List.of(w), table);
        assertTrue(line.startsWith("goal near-cache: "), line);
        assertTrue(line.endsWith("15.00x, met\n"), line);

        ResultTable slow = new ResultTable();
        slow.add(w.tableLabel(), ServerKind.REDIS, 1, List.of(Reading.of("GET p50 ms", Better.LOWER, 1.2)));
        slow.add(w.tableLabel(), ServerKind.DAMSELFLY, 1, List.of(Reading.of("GET p50 ms", Better.LOWER, 0.6)));
        assertTrue(BenchRunner.goalLines(List.of(w), slow).endsWith("2.00x, NOT met\n"));

        ResultTable notRun = new ResultTable();
        notRun.add(w.tableLabel(), ServerKind.REDIS, 1, List.of(Reading.of("GET p50 ms", Better.LOWER, 1.2)));
        notRun.add(w.tableLabel(), ServerKind.DAMSELFLY, 1, List.of(Reading.missing("run", Better.HIGHER,
                "server did not start: " + NearCacheWorkload.NO_SIDECAR)));
        assertTrue(BenchRunner.goalLines(List.of(w), notRun).endsWith("n/a, not measured\n"));
        assertEquals("", BenchRunner.goalLines(List.of(new LatencyWorkload()), table));
    }

    private static Map<String, String> info(String... fields) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String f : fields) {
            int colon = f.indexOf(':');
            m.put(f.substring(0, colon), f.substring(colon + 1));
        }
        return m;
    }
}
