package io.damselfly.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The latency monitor's time series: threshold, one sample a second, the bounded ring, reset, analysis. */
class LatencyMonitorTest {
    @Test
    void recordsOnlyWhileOnAndOverTheThreshold() {
        LatencyMonitor m = new LatencyMonitor();
        m.recordIfNeeded("command", 500, 1000);
        assertFalse(m.hasEvents(), "off by default");
        m.setThresholdMillis(100);
        m.recordIfNeeded("command", 99, 1000);
        assertFalse(m.hasEvents());
        m.recordIfNeeded("command", 100, 1000);
        assertEquals(List.of(new LatencyMonitor.Sample(1000, 100)), m.history("command"));
    }

    @Test
    void oneSampleASecond_keepingTheWorst_andTheAllTimeMax() {
        LatencyMonitor m = new LatencyMonitor();
        m.setThresholdMillis(1);
        m.recordIfNeeded("command", 5, 1000);
        m.recordIfNeeded("command", 9, 1000);
        m.recordIfNeeded("command", 3, 1000);
        m.recordIfNeeded("command", 4, 1001);
        assertEquals(List.of(new LatencyMonitor.Sample(1000, 9), new LatencyMonitor.Sample(1001, 4)), m.history("command"));
        assertEquals(List.of(new LatencyMonitor.Latest("command", 1001, 4, 9)), m.latest());
    }

    @Test
    void theRingKeepsTheNewestSamples() {
        LatencyMonitor m = new LatencyMonitor();
        m.setThresholdMillis(1);
        for (int i = 0; i < LatencyMonitor.SAMPLES + 40; i++) {
            m.recordIfNeeded("expire-cycle", 10 + i, 2000 + i);
        }
        List<LatencyMonitor.Sample> h = m.history("expire-cycle");
        assertEquals(LatencyMonitor.SAMPLES, h.size());
        assertEquals(2040, h.get(0).timeSeconds(), "oldest kept");
        assertEquals(2000 + LatencyMonitor.SAMPLES + 39, h.get(h.size() - 1).timeSeconds(), "newest last");
    }

    @Test
    void resetForgetsNamedEventsIgnoringCase_orAll() {
        LatencyMonitor m = new LatencyMonitor();
        m.setThresholdMillis(1);
        m.recordIfNeeded("command", 5, 1);
        m.recordIfNeeded("fast-command", 5, 1);
        m.recordIfNeeded("expire-cycle", 5, 1);
        assertEquals(0, m.reset(List.of("nosuch")));
        assertEquals(1, m.reset(List.of("COMMAND")));
        assertEquals(List.of("fast-command", "expire-cycle"), m.eventNames());
        assertEquals(2, m.reset(List.of()));
        assertFalse(m.hasEvents());
        assertTrue(m.history("command").isEmpty());
    }

    @Test
    void analysis_meanDeviationAndPeriod() {
        LatencyMonitor m = new LatencyMonitor();
        m.setThresholdMillis(1);
        m.recordIfNeeded("command", 10, 100);
        m.recordIfNeeded("command", 20, 110);
        m.recordIfNeeded("command", 30, 120);
        LatencyMonitor.Analysis a = m.analyze("command", 130);
        assertEquals(new LatencyMonitor.Analysis(3, 20, 6, 30, 30), a);
        assertEquals(new LatencyMonitor.Analysis(0, 0, 0, 0, 0), m.analyze("nosuch", 130));
    }
}
