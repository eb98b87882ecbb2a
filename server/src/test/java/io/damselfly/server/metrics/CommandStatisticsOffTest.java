package io.damselfly.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** With command_statistics off (to measure their cost), commands are neither counted nor timed. */
@ExtendWith(ServerExtension.class)
@ServerOptions({"command_statistics=false", "slowlog_log_slower_than=0"})
class CommandStatisticsOffTest {
    @Test
    void nothingCountedButErrors(RawClient raw) {
        raw.call("SET", "k", "v");
        raw.call("GET", "k");
        raw.call("GET");
        assertEquals("# Commandstats\r\n", InfoStatisticsTest.info(raw, "commandstats"));
        assertEquals("# Latencystats\r\n", InfoStatisticsTest.info(raw, "latencystats"));
        assertEquals("0", InfoStatisticsTest.field(InfoStatisticsTest.info(raw, "stats"), "total_commands_processed"));
        assertEquals("count=1", InfoStatisticsTest.field(InfoStatisticsTest.info(raw, "errorstats"), "errorstat_ERR"));
        assertEquals(":0", raw.callText("SLOWLOG", "LEN"));
        assertEquals("[]", raw.callText("LATENCY", "HISTOGRAM"));
    }
}
