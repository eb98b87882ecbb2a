package io.damselfly.server.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.HdrHistogram.Histogram;

/**
 * Per-command statistics of the whole server (INFO commandstats and latencystats, LATENCY
 * HISTOGRAM, total_commands_processed): the merge, on read, of every thread's {@link
 * ThreadCommandStats}.
 *
 * <p>Ownership. Each thread that runs commands gets its own ThreadCommandStats from {@link
 * #forCurrentThread()} (an event loop once, when a connection is created on it) and is its only
 * writer; nothing on the hot path is shared between threads. Readers come here: every read method
 * holds this object's monitor, sums the threads' counters with opaque loads and subtracts the
 * baseline of the last reset. Reads are rare and cost microseconds (a few thousand longs), so
 * the monitor is never held long and is never taken on the hot path.
 *
 * <p>CONFIG RESETSTAT ({@link #reset}) writes nothing the owners read or write: it records the
 * current sums as the new baseline, and later reads report sum minus baseline. A command that
 * runs during the reset is counted on one side or the other of it, never lost twice or counted
 * negative: each count only grows, and every read after the reset happens-after the reset's own
 * read of that count (both under the monitor), so it sees that value or a later one.
 *
 * <p>Threads that end (a pool thread that ran a command, a test thread) are folded in on the next
 * read: their final counts move to {@link #endedCounters}/{@link #endedLatency} and the thread's
 * object is dropped, so the list of threads is bounded by the threads alive, not by every thread
 * that ever ran a command.
 */
public final class CommandStatistics {
    private final int idCount;
    private final List<ThreadCommandStats> threads = new CopyOnWriteArrayList<>();
    private final ThreadLocal<ThreadCommandStats> own = new ThreadLocal<>();
    private volatile boolean latencyTracking = true;

    // ---- reader state, guarded by this -----------------------------------------------------
    /** Counters of threads that have ended, laid out as ThreadCommandStats sums them. */
    private final long[] endedCounters;
    /** Latency counts of threads that have ended, by command id; null where there are none. */
    private final long[][] endedLatency;
    /** The counters' sums at the last reset. */
    private final long[] baseCounters;
    /** The latency counts' sums at the last reset, by command id; null where there were none. */
    private final long[][] baseLatency;

    /** Statistics for a command table of {@code idCount} ids ({@code CommandTable.idCount()}). */
    public CommandStatistics(int idCount) {
        this.idCount = idCount;
        this.endedCounters = new long[idCount * ThreadCommandStats.STRIDE];
        this.endedLatency = new long[idCount][];
        this.baseCounters = new long[idCount * ThreadCommandStats.STRIDE];
        this.baseLatency = new long[idCount][];
    }

    /**
     * The calling thread's own statistics, created on its first call. The caller must keep it on
     * this thread: it is written without synchronisation.
     */
    public ThreadCommandStats forCurrentThread() {
        ThreadCommandStats s = own.get();
        if (s == null) {
            s = new ThreadCommandStats(this, Thread.currentThread(), idCount);
            threads.add(s);
            own.set(s);
        }
        return s;
    }

    /** Whether commands' durations go into their histograms (config latency-tracking). */
    public boolean latencyTracking() {
        return latencyTracking;
    }

    public void setLatencyTracking(boolean on) {
        this.latencyTracking = on;
    }

    // ---- reading ---------------------------------------------------------------------------

    /** Every command's counters since start or the last reset. */
    public synchronized CommandTotals totals() {
        long[] sums = counterSums();
        for (int i = 0; i < sums.length; i++) {
            sums[i] -= baseCounters[i];
        }
        return new CommandTotals(sums);
    }

    /**
     * Commands run since start or the last reset, over all commands (total_commands_processed).
     * Read every 100 ms for instantaneous_ops_per_sec, so it sums the calls counters alone, in
     * place, rather than copying every counter as {@link #totals} does.
     */
    public synchronized long totalCalls() {
        foldEndedThreads();
        long n = ThreadCommandStats.sumCalls(endedCounters) - ThreadCommandStats.sumCalls(baseCounters);
        for (ThreadCommandStats t : threads) {
            n += t.calls();
        }
        return n;
    }

    /**
     * The latency histogram of command {@code id} since start or the last reset, in nanoseconds;
     * null when it has recorded nothing since (Redis then has no histogram for it).
     */
    public synchronized Histogram latencyHistogram(int id) {
        foldEndedThreads();
        long[] counts = latencySums(id);
        if (counts == null) {
            return null;
        }
        long[] base = baseLatency[id];
        if (base != null) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = Math.max(0, counts[i] - base[i]);
            }
        }
        return LatencyCounts.toHistogram(counts);
    }

    /**
     * Zeroes every command's statistics, as CONFIG RESETSTAT does, by taking the current sums as
     * the baseline; the threads that record go on undisturbed.
     */
    public synchronized void reset() {
        long[] sums = counterSums();
        System.arraycopy(sums, 0, baseCounters, 0, sums.length);
        for (int id = 0; id < idCount; id++) {
            baseLatency[id] = latencySums(id);
        }
    }

    /** Threads recording now (ended ones are dropped on the next read). */
    public int threadCount() {
        return threads.size();
    }

    // ---- merging ---------------------------------------------------------------------------

    /** The raw sums of every thread's counters, ended threads included. */
    private long[] counterSums() {
        foldEndedThreads();
        long[] sums = endedCounters.clone();
        for (ThreadCommandStats t : threads) {
            t.addCountersTo(sums);
        }
        return sums;
    }

    /** The raw sums of every thread's latency counts of command {@code id}, or null if none has any. */
    private long[] latencySums(int id) {
        long[] sums = endedLatency[id] != null ? endedLatency[id].clone() : null;
        for (ThreadCommandStats t : threads) {
            LatencyCounts l = t.latencyOf(id);
            if (l != null) {
                if (sums == null) {
                    sums = new long[LatencyCounts.LENGTH];
                }
                l.addTo(sums);
            }
        }
        return sums;
    }

    private void foldEndedThreads() {
        for (ThreadCommandStats t : threads) {
            if (!t.ownerEnded()) {
                continue;
            }
            t.addCountersTo(endedCounters);
            for (int id = 0; id < idCount; id++) {
                LatencyCounts l = t.latencyOf(id);
                if (l != null) {
                    if (endedLatency[id] == null) {
                        endedLatency[id] = new long[LatencyCounts.LENGTH];
                    }
                    l.addTo(endedLatency[id]);
                }
            }
            threads.remove(t);
        }
    }
}
