package io.damselfly.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Error statistics: codes as Redis takes them, bounded as Redis 7.4 bounds them. */
class ServerStatsTest {
    @Test
    void countError_codeIsFirstWordWithinRedisLimit() {
        ServerStats stats = new ServerStats();
        stats.countError("WRONGTYPE");
        stats.countError("ERR");
        stats.countError("A".repeat(30));
        stats.countError("B".repeat(31));
        assertEquals(Map.of("A".repeat(30), 1L, "ERR", 2L, "WRONGTYPE", 1L), stats.errorsByPrefix());
        assertEquals(4, stats.errorReplies());
    }

    @Test
    void countError_pastTheLimitDisablesUntilReset() {
        ServerStats stats = new ServerStats();
        for (int i = 0; i < ServerStats.ERROR_CODES_LIMIT; i++) {
            stats.countError("CODE" + i);
        }
        assertEquals(ServerStats.ERROR_CODES_LIMIT, stats.errorsByPrefix().size());
        stats.countError("CODE0");
        assertEquals(2L, stats.errorsByPrefix().get("CODE0"), "known codes still count at the limit");
        stats.countError("ONEMORE");
        assertEquals(Map.of("ERRORSTATS_DISABLED", 1L), stats.errorsByPrefix());
        stats.countError("ERR");
        stats.countError("ONEMORE");
        assertEquals(Map.of("ERRORSTATS_DISABLED", 1L), stats.errorsByPrefix(), "nothing counted while disabled");
        assertEquals(ServerStats.ERROR_CODES_LIMIT + 4, stats.errorReplies(), "total_error_replies goes on");
        stats.reset();
        stats.countError("ERR");
        assertEquals(Map.of("ERR", 1L), stats.errorsByPrefix());
    }
}
