package io.damselfly.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Per-thread recording, merged on read; resets by baseline while the owners keep recording. */
class CommandStatisticsTest {
    private static final int IDS = 8;

    /** Runs {@code body} on {@code n} threads at once and waits for them all. */
    private static void onThreads(int n, ThrowingRunnable body) throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < n; t++) {
            Thread thread = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.get(0));
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void threadsRecordAlone_readersSeeTheSum() throws Exception {
        CommandStatistics stats = new CommandStatistics(IDS);
        onThreads(4, () -> {
            ThreadCommandStats mine = stats.forCurrentThread();
            for (int i = 0; i < 10_000; i++) {
                mine.recordCall(3, 2_500, i % 10 == 0);
            }
            mine.recordRejected(5);
        });
        assertEquals(40_000, stats.totalCalls(), "the sum alone, ended threads folded in");
        CommandTotals totals = stats.totals();
        assertEquals(40_000, totals.calls(3));
        assertEquals(100_000, totals.usec(3), "2.5 us each, summed in nanoseconds");
        assertEquals(4_000, totals.failedCalls(3));
        assertEquals(4, totals.rejectedCalls(5));
        assertEquals(0, totals.calls(5));
        assertEquals(40_000, totals.totalCalls());
        Histogram h = stats.latencyHistogram(3);
        assertEquals(40_000, h.getTotalCount());
        assertEquals(40_000, h.getCountAtValue(2_500));
        assertNull(stats.latencyHistogram(5), "rejected calls record no latency");
        assertEquals(0, stats.threadCount(), "ended threads are folded in and dropped");
        assertEquals(40_000, stats.totals().calls(3), "folded counts stay");
    }

    @Test
    void latencyTrackingOff_recordsCountsButNoHistogram() throws Exception {
        CommandStatistics stats = new CommandStatistics(IDS);
        stats.setLatencyTracking(false);
        onThreads(1, () -> stats.forCurrentThread().recordCall(1, 100, false));
        assertEquals(1, stats.totals().calls(1));
        assertNull(stats.latencyHistogram(1));
    }

    @Test
    void reset_isABaselineTheOwnersNeverSee() throws Exception {
        CommandStatistics stats = new CommandStatistics(IDS);
        int writers = 3;
        CyclicBarrier paused = new CyclicBarrier(writers + 1);
        CyclicBarrier resumed = new CyclicBarrier(writers + 1);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        Thread[] threads = new Thread[writers];
        for (int t = 0; t < writers; t++) {
            threads[t] = new Thread(() -> {
                ThreadCommandStats mine = stats.forCurrentThread();
                while (running.get()) {
                    mine.recordCall(2, 1_000, false);
                    written.incrementAndGet();
                }
                try {
                    paused.await();
                    resumed.await();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < 5_000; i++) {
                    mine.recordCall(2, 1_000, false);
                }
            });
            threads[t].start();
        }
        // resets and reads while the owners record: never negative, never more than was written
        long deadline = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < deadline) {
            stats.reset();
            CommandTotals totals = stats.totals();
            assertTrue(totals.calls(2) >= 0 && totals.calls(2) <= written.get(), "calls " + totals.calls(2));
            long total = stats.totalCalls();
            assertTrue(total >= totals.calls(2) && total <= written.get(), "total " + total);
            Histogram h = stats.latencyHistogram(2);
            assertTrue(h == null || h.getTotalCount() <= written.get());
        }
        running.set(false);
        paused.await();
        stats.reset();
        assertEquals(0, stats.totals().calls(2));
        assertEquals(0, stats.totalCalls());
        assertNull(stats.latencyHistogram(2), "no histogram until the command runs again");
        resumed.await();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(writers * 5_000L, stats.totals().calls(2));
        assertEquals(writers * 5_000L, stats.totalCalls(), "since the reset, ended threads folded in");
        assertEquals(writers * 5_000L, stats.totals().usec(2), "1 us each");
        assertEquals(writers * 5_000L, stats.latencyHistogram(2).getTotalCount());
    }
}
