package io.damselfly.server.metrics;

/** A snapshot of every command's counters, merged over threads: what INFO commandstats prints. */
public final class CommandTotals {
    private static final long NANOS_PER_MICRO = 1000;

    /** Laid out as {@code id * ThreadCommandStats.STRIDE + counter}. */
    private final long[] sums;

    CommandTotals(long[] sums) {
        this.sums = sums;
    }

    public long calls(int id) {
        return sums[id * ThreadCommandStats.STRIDE + ThreadCommandStats.CALLS];
    }

    /**
     * Microseconds spent in the command. Nanoseconds are summed and divided once here, so that
     * sub-microsecond commands add up as they do in Redis (which sums differences of microsecond
     * clock readings, right on average) instead of each rounding down to 0.
     */
    public long usec(int id) {
        return sums[id * ThreadCommandStats.STRIDE + ThreadCommandStats.NANOS] / NANOS_PER_MICRO;
    }

    public long rejectedCalls(int id) {
        return sums[id * ThreadCommandStats.STRIDE + ThreadCommandStats.REJECTED];
    }

    public long failedCalls(int id) {
        return sums[id * ThreadCommandStats.STRIDE + ThreadCommandStats.FAILED];
    }

    /** Calls of every command (total_commands_processed). */
    public long totalCalls() {
        return ThreadCommandStats.sumCalls(sums);
    }
}
