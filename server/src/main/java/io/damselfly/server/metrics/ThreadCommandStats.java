package io.damselfly.server.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The command statistics of one thread (an event loop, or any other thread that runs commands):
 * per command id, calls, time, rejected and failed calls, and a latency histogram. Written only by
 * its owner, read by any thread through {@link CommandStatistics}, which merges every thread's.
 *
 * <p>No shared counter on the hot path. The owner is the only writer of every field here, so an
 * increment is a plain load of its own last value and an opaque store (a plain {@code mov} on
 * x86: no lock prefix, no fence). Opaque rather than plain so that a reader's opaque load of a
 * 64-bit count is never torn and the owner's stores are never hoisted out of its loop, which is
 * all a reader needs: counts only grow, and a reader that sees one count a command behind is
 * still right a microsecond later. The four counters of a command lie side by side, so a command
 * touches one cache line of counters; readers are rare (INFO, LATENCY, the 100 ms sampling), so
 * the line stays in the owner's cache almost always.
 *
 * <p>Nothing here is ever reset: CONFIG RESETSTAT subtracts baselines on the reader's side
 * ({@link CommandStatistics#reset}), so the owner never sees a reset and never races one.
 */
public final class ThreadCommandStats {
    static final int CALLS = 0;
    static final int NANOS = 1;
    static final int REJECTED = 2;
    static final int FAILED = 3;
    /** Counters per command id. */
    static final int STRIDE = 4;
    /**
     * Longs of padding before the first and after the last command: 128 bytes, two cache lines,
     * because the processor's adjacent-line prefetcher fetches lines in pairs; so whatever the
     * allocator puts next to the array (another thread's counters) never shares a line with ours.
     */
    static final int PAD = 16;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle LATENCY = MethodHandles.arrayElementVarHandle(LatencyCounts[].class);

    private final CommandStatistics statistics;
    private final Thread owner;
    private final int idCount;
    private final long[] counters;
    /** Per command id, created on its first recording on this thread; published with release. */
    private final LatencyCounts[] latency;

    ThreadCommandStats(CommandStatistics statistics, Thread owner, int idCount) {
        this.statistics = statistics;
        this.owner = owner;
        this.idCount = idCount;
        this.counters = new long[PAD + idCount * STRIDE + PAD];
        this.latency = new LatencyCounts[idCount];
    }

    // ---- the owner's side ------------------------------------------------------------------

    /**
     * Counts one run of command {@code id} that took {@code nanos}, failed or not, and records its
     * duration in the command's histogram while latency tracking is on. Owner thread only.
     */
    public void recordCall(int id, long nanos, boolean failed) {
        assert Thread.currentThread() == owner : "statistics of " + owner + " written by " + Thread.currentThread();
        long[] c = counters;
        int base = PAD + id * STRIDE;
        LONGS.setOpaque(c, base + CALLS, c[base + CALLS] + 1);
        LONGS.setOpaque(c, base + NANOS, c[base + NANOS] + nanos);
        if (failed) {
            LONGS.setOpaque(c, base + FAILED, c[base + FAILED] + 1);
        }
        if (statistics.latencyTracking()) {
            LatencyCounts l = latency[id];
            if (l == null) {
                l = new LatencyCounts();
                LATENCY.setRelease(latency, id, l);
            }
            l.record(nanos);
        }
    }

    /**
     * Counts a failure of a call of command {@code id} already counted, whose error came later (a
     * blocked command answered with an error when it was unblocked). Owner thread only.
     */
    public void recordFailed(int id) {
        assert Thread.currentThread() == owner : "statistics of " + owner + " written by " + Thread.currentThread();
        int i = PAD + id * STRIDE + FAILED;
        LONGS.setOpaque(counters, i, counters[i] + 1);
    }

    /** Counts a call of command {@code id} refused before it ran (arity, auth, OOM). Owner only. */
    public void recordRejected(int id) {
        assert Thread.currentThread() == owner : "statistics of " + owner + " written by " + Thread.currentThread();
        int i = PAD + id * STRIDE + REJECTED;
        LONGS.setOpaque(counters, i, counters[i] + 1);
    }

    // ---- the readers' side -----------------------------------------------------------------

    /** Adds this thread's counters to {@code sum}, laid out as {@code id * STRIDE + counter}. */
    void addCountersTo(long[] sum) {
        for (int i = 0; i < idCount * STRIDE; i++) {
            sum[i] += (long) LONGS.getOpaque(counters, PAD + i);
        }
    }

    /** Calls of every command on this thread. */
    long calls() {
        long n = 0;
        for (int i = PAD + CALLS; i < PAD + idCount * STRIDE; i += STRIDE) {
            n += (long) LONGS.getOpaque(counters, i);
        }
        return n;
    }

    /** The calls counters in {@code sums}, laid out as {@code id * STRIDE + counter}, summed. */
    static long sumCalls(long[] sums) {
        long n = 0;
        for (int i = CALLS; i < sums.length; i += STRIDE) {
            n += sums[i];
        }
        return n;
    }

    /** The latency counts of command {@code id} on this thread, or null before its first recording. */
    LatencyCounts latencyOf(int id) {
        return (LatencyCounts) LATENCY.getAcquire(latency, id);
    }

    /**
     * Whether the owner has ended. Its last writes are then visible to the caller (the end of a
     * thread happens-before another thread sees isAlive() return false, JLS 17.4.4), so the counts
     * read afterwards are final.
     */
    boolean ownerEnded() {
        return !owner.isAlive();
    }
}
