package io.damselfly.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResidentMemoryTest {
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void bytes_thisProcess_positiveAndAtMostHighWater() throws Exception {
        long rss = ResidentMemory.bytes(SELF);
        assertTrue(rss > 0, "VmRSS " + rss);
        assertTrue(ResidentMemory.highWaterBytes(SELF) > 0);
        // compared within one reading: between two, the RSS may drop without the high water seeing it
        long[] both = ResidentMemory.bytesAndHighWater(SELF);
        assertTrue(both[1] >= both[0], "VmHWM " + both[1] + " < VmRSS " + both[0]);
    }

    @Test
    void bytes_noSuchProcess_throws() {
        assertThrows(IOException.class, () -> ResidentMemory.bytes(Long.MAX_VALUE));
    }

    @Test
    void watch_thisProcess_samplesOnSchedule() throws Exception {
        long start = System.nanoTime();
        ResidentMemory.Watch watch = ResidentMemory.watch(SELF, Duration.ofMillis(10));
        Thread.sleep(200);
        ResidentMemory.Peak peak = watch.stop();
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        // one per 10 ms on schedule and one at the stop; a loaded machine may wake the sampler
        // late (fewer) or this thread late (a longer window, so more)
        assertTrue(peak.samples() >= 5 && peak.samples() <= elapsedMillis / 10 + 2, peak + " in " + elapsedMillis + " ms");
        assertTrue(peak.peakBytes() >= peak.lastBytes() && peak.lastBytes() > 0, peak.toString());
    }

    @Test
    void watch_processGone_stopThrows() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertEquals(0, gone.waitFor());
        ResidentMemory.Watch watch = ResidentMemory.watch(gone.pid(), Duration.ofMillis(10));
        Thread.sleep(50);
        assertThrows(IOException.class, watch::stop);
    }
}
