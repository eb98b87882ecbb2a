package io.damselfly.server.keyspace;

import java.util.SplittableRandom;

/**
 * Makes room at maxmemory by evicting keys, the way Redis approximates its policies (evict.c).
 *
 * <p>Exact LRU or LFU would need every access to reorder a global list, a point of contention for
 * every shard; instead, as Redis does, each step samples {@link #SAMPLES} random keys per database
 * from one random shard (or the next that has any), ranks them by the policy (idle time, decayed LFU counter, or time to
 * expiry) and merges them into a small pool of the best candidates seen so far
 * ({@link #POOL_SIZE}, Redis's EVPOOL_SIZE), then evicts the best one still present. The pool
 * carries good candidates across steps, which is what makes 5 samples approximate true LRU well.
 *
 * <p>allkeys-tinylfu (cache mode's policy, not Redis's) is W-TinyLFU (Einziger, Friedman and
 * Manes; Caffeine's BoundedLocalCache) fitted to a table that has no LRU lists to keep a window
 * and a main region in. Every hit and every insert counts in its shard's {@link FrequencySketch}.
 * Sampling and the pool work as above, with {@link #TINYLFU_SAMPLES} samples a step and the
 * score "lowest sketched frequency, then longest idle" ({@link #tinyLfuScore}): the main
 * region's victim is the coldest key of the samples, as Caffeine's is the probation segment's
 * LRU end. Admission: each shard lists its newest keys
 * ({@link Newcomers}); before the pool's victim goes, the start shard's oldest newcomer past
 * {@link #ADMISSION_WINDOW} is judged against it ({@link Shard#admissionDuel}) and, unless it
 * was accessed more often than the victim, is evicted in its place. Redis semantics forbid
 * refusing the SET itself, so admission comes late: a write always succeeds and the client reads
 * its own value back at once; a cold newcomer goes at one of the next evictions, before the
 * keys that earned their place.
 *
 * <p>Locks: one shard at a time, never while holding another, so eviction can run from any
 * connection (with no shard lock held) or from the background thread. A stale pool entry (key
 * deleted or replaced since it was sampled) is recognised by identity and skipped.
 *
 * <p>Bounded: one call evicts for at most {@link #BUDGET_NANOS}; if memory is still over the
 * limit but keys were evicted, it reports success so the command proceeds (Redis's
 * EVICT_RUNNING) and the background tick carries on, at most {@code max_eviction_per_heartbeat}
 * keys per tick. Not thread-safe: one instance per thread
 * (each connection's executor and the background task own one).
 */
public final class Eviction {
    /** Keys sampled per database per step: Redis's maxmemory-samples default. */
    static final int SAMPLES = 5;
    /**
     * Keys sampled per database per step under allkeys-tinylfu: fewer than {@link #SAMPLES},
     * because each sample also reads its key's sketch block (a cache miss), and a frequency ranks
     * candidates better than an idle time does. Measured (DESIGN.md): 3 samples cost 0.05-0.13
     * points of hit ratio against 5 and 10, and brought the CPU time per command from about 10%
     * above allkeys-lru's to level with it.
     */
    static final int TINYLFU_SAMPLES = 3;
    /** Candidates kept between steps: Redis's EVPOOL_SIZE. */
    static final int POOL_SIZE = 16;
    /**
     * Longest one call may evict for: about a millisecond of latency at worst for the command that
     * triggers it, like Redis's default eviction tenacity, after which eviction continues in the
     * background tick.
     */
    static final long BUDGET_NANOS = 1_000_000;
    /**
     * allkeys-tinylfu: how many newcomers per shard wait before the oldest meets the admission
     * duel, about 16 x 16 = 256 inserts of the keyspace (Caffeine's window holds 1% of the
     * entries; its hill climber shrinks it on frequency-biased traces such as Zipf). Measured
     * (DESIGN.md, Eviction): windows of 0, 16 and 48 within 0.7 points of each other, 16 the
     * best or level on both traces but for 0.2 points; without the duel 0.6 points lower on
     * the scan-polluted trace.
     */
    static final int ADMISSION_WINDOW = 16;
    /** Fruitless steps (no candidate found) after which the keyspace counts as unevictable. */
    private static final int MAX_EMPTY_STEPS = 8;

    private final Keyspace keyspace;
    private final SplittableRandom random;
    // the pool, sorted by ascending score: the best candidate is at size - 1
    // keys, not entries: an entry found under a shard's lock is not valid after it
    private final byte[][] poolKeys = new byte[POOL_SIZE][];
    private final int[] poolShards = new int[POOL_SIZE];
    private final int[] poolDbs = new int[POOL_SIZE];
    private final long[] poolScores = new long[POOL_SIZE];
    private int poolSize;

    public Eviction(Keyspace keyspace) {
        this(keyspace, new SplittableRandom());
    }

    /** An instance whose sampling repeats from run to run, for tests. */
    Eviction(Keyspace keyspace, long seed) {
        this(keyspace, new SplittableRandom(seed));
    }

    private Eviction(Keyspace keyspace, SplittableRandom random) {
        this.keyspace = keyspace;
        this.random = random;
    }

    /**
     * Evicts until the keyspace's accounted memory is at most {@code maxmemory}, or the time
     * budget is spent. Returns false only when memory is over the limit and nothing could be
     * evicted (the policy is noeviction, or no key qualifies): the caller must then refuse
     * commands that grow memory.
     */
    public boolean makeRoom(long maxmemory, EvictionPolicy policy, long now) {
        return makeRoom(maxmemory, policy, now, 0);
    }

    /**
     * {@link #makeRoom(long, EvictionPolicy, long)} evicting at most {@code maxKeys} keys (0: no
     * count limit): the background tick's form, bounded by {@code max_eviction_per_heartbeat} as
     * Dragonfly bounds its heartbeat eviction, so a lowered maxmemory is reached over several ticks
     * instead of one long stall. Returns as the three-argument form does (true when the bound
     * stopped it, since keys were evicted).
     */
    public boolean makeRoom(long maxmemory, EvictionPolicy policy, long now, long maxKeys) {
        if (maxmemory <= 0 || keyspace.memoryEstimate() <= maxmemory) {
            return true;
        }
        if (keyspace.isDatasetFrozen() || keyspace.ignoresMaxmemory()) {
            // a client pause, or a replica ignoring maxmemory: nothing is evicted and nothing
            // refused, as performEvictions answers EVICT_OK while clients are paused
            // (isSafeToPerformEvictions) and on such a replica
            return true;
        }
        if (policy == EvictionPolicy.NOEVICTION) {
            return false;
        }
        long start = System.nanoTime();
        int evicted = 0;
        int emptySteps = 0;
        while (keyspace.memoryEstimate() > maxmemory) {
            if (maxKeys > 0 && evicted >= maxKeys) {
                return true;
            }
            if (evictOne(policy, now)) {
                evicted++;
                emptySteps = 0;
            } else if (++emptySteps >= MAX_EMPTY_STEPS) {
                return evicted > 0;
            }
            if (System.nanoTime() - start > BUDGET_NANOS) {
                return evicted > 0 || keyspace.memoryEstimate() <= maxmemory;
            }
        }
        return true;
    }

    /**
     * One eviction; false when no candidate was found this step. Sampling starts at a random shard
     * and moves on past shards with nothing to offer, so a few large keys in a few shards are still
     * found (a random shard alone would miss them most of the time with sixteen shards).
     */
    boolean evictOne(EvictionPolicy policy, long now) {
        int start = random.nextInt(keyspace.shardCount());
        for (int t = 0; t < keyspace.shardCount(); t++) {
            int shardIndex = (start + t) % keyspace.shardCount();
            Shard shard = keyspace.shard(shardIndex);
            if (policy.order() == EvictionPolicy.Order.RANDOM) {
                shard.lock();
                try {
                    if (shard.evictRandom(random, policy.volatileOnly(), now)) {
                        return true;
                    }
                } finally {
                    shard.unlock();
                }
                continue;
            }
            if (sampleInto(shard, shardIndex, policy, now)) {
                break;
            }
        }
        if (policy.order() == EvictionPolicy.Order.TINYLFU && poolSize > 0) {
            // the admission duel: the start shard's oldest newcomer against the pool's victim
            Shard shard = keyspace.shard(start);
            shard.lock();
            try {
                if (shard.admissionDuel(frequencyOfScore(poolScores[poolSize - 1]), ADMISSION_WINDOW, random)) {
                    return true;
                }
            } finally {
                shard.unlock();
            }
        }
        while (poolSize > 0) {
            int best = --poolSize;
            byte[] key = poolKeys[best];
            poolKeys[best] = null;
            Shard owner = keyspace.shard(poolShards[best]);
            owner.lock();
            try {
                if (owner.evict(poolDbs[best], key)) {
                    return true;
                }
            } finally {
                owner.unlock();
            }
        }
        return false;
    }

    /** Samples one shard's databases into the pool; whether it found any candidate. */
    private boolean sampleInto(Shard shard, int shardIndex, EvictionPolicy policy, long now) {
        boolean found = false;
        shard.lock();
        try {
            for (int db = 0; db < keyspace.databases(); db++) {
                int samples = policy.order() == EvictionPolicy.Order.TINYLFU ? TINYLFU_SAMPLES : SAMPLES;
                for (int i = 0; i < samples; i++) {
                    Object e = shard.sample(db, random, policy.volatileOnly(), now);
                    if (e == null) {
                        break;
                    }
                    found = true;
                    long score = policy.order() == EvictionPolicy.Order.TINYLFU
                            ? tinyLfuScore(shard.sketchFrequency(shard.sampledHash(db)), keyspace.idleSeconds(e, now))
                            : score(policy, e, now);
                    offer(e, shardIndex, db, score);
                }
            }
        } finally {
            shard.unlock();
        }
        return found;
    }

    /** Higher is evicted first. */
    private long score(EvictionPolicy policy, Object e, long now) {
        return switch (policy.order()) {
            case LRU -> keyspace.idleSeconds(e, now);
            case LFU -> 255 - keyspace.frequency(e, now);
            case TTL -> Long.MAX_VALUE - Entries.expiresAt(e);
            default -> 0;
        };
    }

    /** Idle seconds kept in a TinyLFU score: the LRU clock's 24 bits. */
    private static final int IDLE_BITS = 24;

    /** allkeys-tinylfu's score: the lowest frequency first, and among equals the longest idle. */
    static long tinyLfuScore(int frequency, long idleSeconds) {
        return ((long) (FrequencySketch.MAX_COUNT - frequency) << IDLE_BITS)
                | Math.min(idleSeconds, (1L << IDLE_BITS) - 1);
    }

    /** The frequency a TinyLFU score was made from. */
    static int frequencyOfScore(long score) {
        return FrequencySketch.MAX_COUNT - (int) (score >>> IDLE_BITS);
    }

    /** Merges a sampled key into the pool (evictionPoolPopulate), keeping the best POOL_SIZE. */
    private void offer(Object e, int shard, int db, long score) {
        for (int i = 0; i < poolSize; i++) {
            if (poolShards[i] == shard && poolDbs[i] == db && Entries.keyEquals(e, poolKeys[i])) {
                return;
            }
        }
        int pos;
        if (poolSize < POOL_SIZE) {
            pos = poolSize++;
        } else if (score > poolScores[0]) {
            // full: drop the worst (index 0) to make space
            System.arraycopy(poolKeys, 1, poolKeys, 0, POOL_SIZE - 1);
            System.arraycopy(poolShards, 1, poolShards, 0, POOL_SIZE - 1);
            System.arraycopy(poolDbs, 1, poolDbs, 0, POOL_SIZE - 1);
            System.arraycopy(poolScores, 1, poolScores, 0, POOL_SIZE - 1);
            pos = POOL_SIZE - 1;
        } else {
            return;
        }
        // insertion sort step: move the new candidate down to its place
        while (pos > 0 && poolScores[pos - 1] > score) {
            poolKeys[pos] = poolKeys[pos - 1];
            poolShards[pos] = poolShards[pos - 1];
            poolDbs[pos] = poolDbs[pos - 1];
            poolScores[pos] = poolScores[pos - 1];
            pos--;
        }
        poolKeys[pos] = Entries.key(e);
        poolShards[pos] = shard;
        poolDbs[pos] = db;
        poolScores[pos] = score;
    }
}
