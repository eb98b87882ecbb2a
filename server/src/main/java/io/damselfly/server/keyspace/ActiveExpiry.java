package io.damselfly.server.keyspace;

/**
 * The active half of expiry (the lazy half is in every lookup): a periodic, bounded sweep that
 * deletes keys whose time has passed even if nobody reads them again.
 *
 * <p>Like Redis's activeExpireCycle it is adaptive: each tick sweeps a fixed number of buckets per
 * shard, and repeats while the sweep keeps finding a high share of expired keys, but never for
 * longer than {@link #TIME_SHARE} of the tick period, so it cannot take a core away from serving.
 * It runs on its own thread and skips shards a command is holding.
 */
public final class ActiveExpiry {
    /** Scan steps (about one bucket each) per shard and database per tick step: about a microsecond of work per shard. */
    static final int BUCKETS_PER_STEP = 64;
    /** Share of each tick the sweep may use (Redis's ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC is 25%). */
    static final double TIME_SHARE = 0.25;
    /** Repeat while more than this many keys per step were deleted (about 10% of 64 buckets). */
    static final int REPEAT_THRESHOLD = 6;

    private final Keyspace keyspace;
    /** DEBUG SET-ACTIVE-EXPIRE: off leaves expired keys to lazy expiry alone, as tests need. */
    private volatile boolean enabled = true;

    public ActiveExpiry(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** One tick at {@code hz} ticks per second; returns how many keys it deleted. */
    public long tick(int hz) {
        if (!enabled) {
            return 0;
        }
        long budgetNanos = (long) (1_000_000_000L / Math.max(1, hz) * TIME_SHARE);
        long start = System.nanoTime();
        long total = 0;
        while (true) {
            int deleted = keyspace.expireCycle(System.currentTimeMillis(), BUCKETS_PER_STEP);
            total += deleted;
            if (deleted <= REPEAT_THRESHOLD * keyspace.shardCount() / 4
                    || System.nanoTime() - start > budgetNanos) {
                return total;
            }
        }
    }
}
