package io.damselfly.server.keyspace;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The whole keyspace: {@code databases} logical databases split over a fixed number of
 * {@link Shard}s by key hash. A key lives in the same shard in every database, so commands that
 * move keys between databases (MOVE, COPY ... DB) need only that one shard's lock.
 *
 * <p>Keyspace-wide operations (DBSIZE, SCAN, KEYS, RANDOMKEY, active expiry) visit shards one at a
 * time, each under its own lock; only FLUSHALL, SWAPDB and transactions hold several at once, and
 * always in index order.
 */
public final class Keyspace {
    private final Shard[] shards;
    /** Changes counted by {@link #countUnkeyedChange}, part of {@link #dirty}. */
    private final java.util.concurrent.atomic.AtomicLong unkeyedChanges = new java.util.concurrent.atomic.AtomicLong();
    private final int databases;
    private final int shardBits;
    private volatile boolean lfu;
    private volatile boolean sketching;
    private volatile int shardSettingsVersion;
    /** maxmemory as last set, 0 for none: sizes the frequency sketches. */
    private volatile long memoryLimit;
    /** The keys per shard the sketches are sized for, 0 for none; guarded by this object's monitor. */
    private long sketchKeysPerShard;
    private volatile EvictionPolicy evictionPolicy = EvictionPolicy.NOEVICTION;
    private volatile int lfuLogFactor = 10;
    private volatile int lfuDecayMinutes = 1;
    /** The keyspace-wide memory estimate shards publish to, in steps of {@link #publishStep}. */
    private final java.util.concurrent.atomic.AtomicLong memoryEstimate = new java.util.concurrent.atomic.AtomicLong();
    private volatile long publishStep = DEFAULT_PUBLISH_STEP;
    private volatile KeyspaceObserver[] observers = new KeyspaceObserver[0];
    private volatile ListpackLimits hashLimits = ListpackLimits.HASH_DEFAULTS;
    /** set-max-intset-entries; 512 is Redis 7.0's default (config.c). */
    private volatile long setMaxIntSetEntries = 512;
    private volatile ListpackLimits zsetLimits = ListpackLimits.ZSET_DEFAULTS;
    private volatile long streamNodeMaxBytes = 4096;
    private volatile long streamNodeMaxEntries = 100;
    /** hll-sparse-max-bytes; 3000 is Redis 7.0's default (config.c). */
    private volatile long hllSparseMaxBytes = 3000;
    private final BlockedKeys blockedKeys;
    /** Values Redis would have freed in the background (INFO lazyfreed_objects; {@link LazyFree}). */
    private final java.util.concurrent.atomic.AtomicLong lazyfreed = new java.util.concurrent.atomic.AtomicLong();
    /** lazyfree-lazy-expire, -eviction and -server-del: removals of these kinds count as lazy frees. */
    volatile boolean lazyExpire;
    volatile boolean lazyEviction;
    volatile boolean lazyServerDel;
    /** The running snapshot (written under every shard's lock, so a shard's lock suffices to read it). */
    private volatile KeyspaceSnapshot snapshot;
    /**
     * FLUSHALLs so far, counted under every shard's lock. A save whose walk has ended (its
     * snapshot no longer registered here to be abandoned) still learns from it that a FLUSHALL
     * came while it was writing: Redis kills its saving child whatever the child is doing.
     */
    private volatile long flushAlls;
    private int snapshotEpoch;

    public Keyspace(int shardCount, int databases) {
        if (shardCount < 1 || shardCount > 1024) {
            throw new IllegalArgumentException("shard count must be 1..1024, got " + shardCount);
        }
        this.databases = databases;
        this.shards = new Shard[shardCount];
        for (int i = 0; i < shardCount; i++) {
            shards[i] = new Shard(i, databases, this);
        }
        this.shardBits = 32 - Integer.numberOfLeadingZeros(shardCount - 1);
        this.blockedKeys = new BlockedKeys(this);
    }

    /** The clients blocked in list pops, and their serving when a key they wait on is created. */
    public BlockedKeys blockedKeys() {
        return blockedKeys;
    }

    public int shardCount() {
        return shards.length;
    }

    public Shard shard(int index) {
        return shards[index];
    }

    public int databases() {
        return databases;
    }

    /**
     * The hash key, drawn once per process so that clients cannot predict which keys collide
     * (Redis seeds its dictionaries' SipHash the same way at start).
     */
    private static final long HASH_K0;
    private static final long HASH_K1;

    static {
        java.security.SecureRandom seed = new java.security.SecureRandom();
        HASH_K0 = seed.nextLong();
        HASH_K1 = seed.nextLong();
    }

    /**
     * The key's 64-bit hash: keyed SipHash-1-2, as Redis's dict uses. The high 32 bits choose the
     * shard ({@link #shardIndexOfHash}), the low 32 bits are the key's hash inside its shard's
     * table ({@link #tableHash(long)}): both well mixed and independent of each other.
     */
    public static long hash(byte[] key) {
        return SipHash.hash(HASH_K0, HASH_K1, key, 1, 2);
    }

    static int tableHash(long hash) {
        return (int) hash;
    }

    /** The table hash of a key, for entries found without a command's memoised hash. */
    static int tableHash(byte[] key) {
        return tableHash(hash(key));
    }

    /** The shard of a key hash: the hash's high bits scaled to the shard count (no modulo bias). */
    int shardIndexOfHash(long hash) {
        return (int) (((hash >>> 32) * shards.length) >>> 32);
    }

    public int shardIndex(byte[] key) {
        return shardIndexOfHash(hash(key));
    }

    Shard shardOfHash(long hash) {
        return shards[shardIndexOfHash(hash)];
    }

    /** A view of one database for one command; see {@link Database}. */
    public Database database(int index, long now) {
        Database d = new Database(this);
        d.bind(index, now);
        return d;
    }

    // ---- access clock ----------------------------------------------------------------------

    /**
     * Sets the eviction policy in force (parsed once, where the configuration changes) and with it
     * what the entries' access field means: LFU counters or LRU stamps.
     */
    public void setEvictionPolicy(EvictionPolicy policy) {
        this.evictionPolicy = policy;
        this.lfu = policy.order() == EvictionPolicy.Order.LFU;
        configureSketches();
    }

    /**
     * The memory a key is expected to take, for sizing allkeys-tinylfu's sketches from maxmemory:
     * a small string key (a 100-byte value's record takes a 120-byte slot, plus its table slot).
     * Larger keys make the sketch larger than needed, never less accurate; its memory is
     * {@link FrequencySketch#COUNTERS_PER_KEY} / 2 bytes per such key, 1/32 of maxmemory.
     */
    static final int SKETCH_BYTES_PER_KEY = 128;

    /** Gives every shard the frequency sketch the policy and the limit call for (or takes it away). */
    private synchronized void configureSketches() {
        long limit = memoryLimit;
        boolean on = evictionPolicy.order() == EvictionPolicy.Order.TINYLFU && limit > 0;
        long perShard = on ? Math.max(1, limit / SKETCH_BYTES_PER_KEY / shards.length) : 0;
        if (perShard == sketchKeysPerShard) {
            // nothing to change: no shard lock taken (a CONFIG SET of another policy or limit
            // inside a transaction that holds shards takes none it does not need)
            return;
        }
        sketchKeysPerShard = perShard;
        sketching = on;
        shardSettingsChanged();
    }

    /**
     * Makes shards apply changed settings: now, where the lock can be had without waiting (every
     * shard, usually), and otherwise when next locked ({@link Shard#catchUp}).
     */
    private synchronized void shardSettingsChanged() {
        shardSettingsVersion++;
        for (Shard s : shards) {
            if (s.tryLockForMaintenance()) {
                s.unlock();
            }
        }
    }

    /**
     * Set while clients are paused (CLIENT PAUSE): the dataset is kept as it is, as Redis keeps it
     * during a pause (expireIfNeeded, activeExpireCycle, performEvictions): an expired key reads
     * as missing but is not deleted, the active expiry sweep and eviction stand still. The pause
     * itself is the client package's (ClientPause, its one owner); the keyspace knows only this
     * flag, which the pause sets as it begins and ends, so the keyspace depends on no client
     * class. Shards take it up like their other settings, when next locked ({@link
     * Shard#catchUp}), so it costs their hot paths nothing.
     */
    private volatile boolean datasetFrozen;

    /** Freezes the dataset (a pause began) or lets it change again (the pause ended). */
    public void setDatasetFrozen(boolean frozen) {
        if (datasetFrozen == frozen) {
            return;
        }
        datasetFrozen = frozen;
        shardSettingsChanged();
    }

    /** Whether the dataset is frozen by a client pause now. */
    public boolean isDatasetFrozen() {
        return datasetFrozen;
    }

    /** DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE checks only a payload's version (tests only). */
    private volatile boolean skipDumpChecksum;

    public void setSkipDumpChecksum(boolean skip) {
        skipDumpChecksum = skip;
    }

    public boolean skipsDumpChecksum() {
        return skipDumpChecksum;
    }

    /**
     * Set while this server replicates a primary (REPLICAOF): keys expire only by the primary's
     * DEL, as on a Redis replica, whose expireIfNeeded answers "expired" to clients but deletes
     * nothing, and which runs no active expiry. An expired key then reads as missing to clients
     * and stays in its table, as during a client pause, but the primary's own commands ({@link
     * Database#obeyPrimary}) see it as it is, so that its DEL, or a command it ran on the key
     * before the key's time passed there, finds it. Otherwise a replica's clock would delete
     * keys the primary still has (a TTL the primary extended in time, its PERSIST) and write DELs
     * of its own into its AOF. Shards take it up when next locked, as {@link #datasetFrozen}.
     */
    private volatile boolean followingPrimary;
    /** replica-ignore-maxmemory, as the configuration has it. */
    private volatile boolean replicaIgnoresMaxmemory = true;

    /** Starts (REPLICAOF host port) or ends (REPLICAOF NO ONE) following a primary's dataset. */
    public void setFollowingPrimary(boolean following) {
        if (followingPrimary == following) {
            return;
        }
        followingPrimary = following;
        shardSettingsChanged();
    }

    /** Whether this server follows a primary's dataset now ({@link #setFollowingPrimary}). */
    public boolean isFollowingPrimary() {
        return followingPrimary;
    }

    /** replica-ignore-maxmemory changed. */
    public void setReplicaIgnoresMaxmemory(boolean ignores) {
        replicaIgnoresMaxmemory = ignores;
    }

    /**
     * Whether maxmemory is not enforced now: on a replica with replica-ignore-maxmemory (the
     * default), as Redis's performEvictions does nothing there, so that the primary's evictions
     * (DELs down the stream) alone decide which keys go.
     */
    public boolean ignoresMaxmemory() {
        return followingPrimary && replicaIgnoresMaxmemory;
    }

    /**
     * Whether an expiry time already past is stored on a key instead of deleting it (Redis's
     * checkAlreadyExpired answering no): while an AOF is replayed, where the key keeps the
     * commands after it and expires once the load is done, and on a replica, where the primary's
     * DEL will come (EXPIRE's family, GETEX, RESTORE, and the keys of a snapshot loaded).
     */
    public boolean storesPastExpiries() {
        return loading || followingPrimary;
    }

    /**
     * Bumped when a setting that shards hold changes (their sketch's size, the publishing step):
     * each shard catches up when it is next locked ({@link Shard#catchUp}). Waiting here for every
     * shard's lock could deadlock: CONFIG SET inside EXEC holds some shards' locks, and taking the
     * others out of order against another EXEC's is the classic cycle.
     */
    int shardSettingsVersion() {
        return shardSettingsVersion;
    }

    /** Keys each shard's frequency sketch is sized for (0: no sketch). */
    long sketchKeysPerShard() {
        return sketchKeysPerShard;
    }

    /** Whether accesses are counted in frequency sketches (allkeys-tinylfu with a memory limit). */
    public boolean isSketching() {
        return sketching;
    }

    /** The eviction policy in force (cache mode already applied). */
    public EvictionPolicy evictionPolicy() {
        return evictionPolicy;
    }

    public boolean isLfu() {
        return lfu;
    }

    /** Sets the bounds of a hash's compact form (hash-max-listpack-entries and -value). */
    public void setHashLimits(ListpackLimits limits) {
        this.hashLimits = limits;
    }

    /** The bounds of a hash's compact form in force. */
    public ListpackLimits hashLimits() {
        return hashLimits;
    }

    /** Sets how many members a set of integers keeps in its compact form (set-max-intset-entries). */
    public void setSetMaxIntSetEntries(long entries) {
        this.setMaxIntSetEntries = entries;
    }

    /** The bound of a set's compact form in force. */
    public long setMaxIntSetEntries() {
        return setMaxIntSetEntries;
    }

    /** Sets the bounds of a sorted set's compact form (zset-max-listpack-entries and -value). */
    public void setZsetLimits(ListpackLimits limits) {
        this.zsetLimits = limits;
    }

    /** The bounds of a sorted set's compact form in force. */
    public ListpackLimits zsetLimits() {
        return zsetLimits;
    }

    /** Sets the bounds of a stream node (stream-node-max-bytes and stream-node-max-entries; 0 = none). */
    public void setStreamNodeLimits(long maxBytes, long maxEntries) {
        this.streamNodeMaxBytes = maxBytes;
        this.streamNodeMaxEntries = maxEntries;
    }

    /** stream-node-max-bytes in force. */
    public long streamNodeMaxBytes() {
        return streamNodeMaxBytes;
    }

    /** stream-node-max-entries in force. */
    public long streamNodeMaxEntries() {
        return streamNodeMaxEntries;
    }

    /** Sets the length past which a sparse HyperLogLog turns dense (hll-sparse-max-bytes). */
    public void setHllSparseMaxBytes(long maxBytes) {
        this.hllSparseMaxBytes = maxBytes;
    }

    /** hll-sparse-max-bytes in force. */
    public long hllSparseMaxBytes() {
        return hllSparseMaxBytes;
    }

    /**
     * lazyfree-lazy-expire, lazyfree-lazy-eviction and lazyfree-lazy-server-del: whether expired,
     * evicted and overwritten values count in {@link #lazyfreedObjects} (when Redis would free
     * them in the background).
     */
    public void setLazyFree(boolean expire, boolean eviction, boolean serverDel) {
        this.lazyExpire = expire;
        this.lazyEviction = eviction;
        this.lazyServerDel = serverDel;
    }

    /** INFO lazyfreed_objects: values (and, for an async flush, keys) freed "in the background". */
    public long lazyfreedObjects() {
        return lazyfreed.get();
    }

    /** Counts values or keys Redis would have freed in the background. */
    public void countLazyFreed(long n) {
        lazyfreed.addAndGet(n);
    }

    /**
     * Counts the value of {@code entry}, about to be released, when it goes {@code lazily} and
     * Redis's free effort would have freed it in the background.
     */
    void countLazyFree(boolean lazily, Object entry) {
        if (lazily && LazyFree.wouldFreeInBackground(entry)) {
            lazyfreed.incrementAndGet();
        }
    }

    public void setLfuParameters(int logFactor, int decayMinutes) {
        this.lfuLogFactor = logFactor;
        this.lfuDecayMinutes = decayMinutes;
    }

    int initialAccess(long now) {
        return lfu ? AccessClock.lfuInitial(now) : AccessClock.lruStamp(now);
    }

    void touch(Object entry, long now) {
        int access = Entries.access(entry);
        int touched = lfu ? AccessClock.lfuTouch(access, now, lfuLogFactor, lfuDecayMinutes) : AccessClock.lruStamp(now);
        if (touched != access) {
            Entries.setAccess(entry, touched);
        }
    }

    /** OBJECT FREQ: the decayed LFU counter, without touching the entry. */
    int frequency(Object entry, long now) {
        return AccessClock.lfuDecayed(Entries.access(entry), now, lfuDecayMinutes);
    }

    /** OBJECT IDLETIME: seconds since last access, without touching the entry. */
    long idleSeconds(Object entry, long now) {
        return AccessClock.idleSeconds(Entries.access(entry), now);
    }

    // ---- the write hook's observers and the memory estimate --------------------------------

    /** Adds an observer of every key change (see {@link KeyspaceObserver} for its duties). */
    public synchronized void addObserver(KeyspaceObserver observer) {
        KeyspaceObserver[] grown = java.util.Arrays.copyOf(observers, observers.length + 1);
        grown[observers.length] = observer;
        observers = grown;
    }

    KeyspaceObserver[] observers() {
        return observers;
    }

    boolean hasObservers() {
        return observers.length != 0;
    }

    void publishMemory(long delta) {
        if (delta != 0) {
            memoryEstimate.addAndGet(delta);
        }
    }

    /**
     * The accounted memory of the whole keyspace, read from one counter: within {@link
     * #publishStep()} per shard of {@link #usedMemory()}, cheap enough to check before every
     * command (Redis's performEvictions check).
     */
    public long memoryEstimate() {
        return memoryEstimate.get();
    }

    /** The step without a memory limit: about 30 small SETs per shard between two atomic adds. */
    static final long DEFAULT_PUBLISH_STEP = 4096;
    /**
     * Under a limit, the shards together may hold back 1/256 of it (0.4%): a small error next to
     * what Redis's own allocator-based count overshoots by, and at a 6 GB limit still 1.5 MB per
     * 16 shards, so publishing stays rare.
     */
    private static final int LIMIT_SHARE = 256;
    private static final long MIN_PUBLISH_STEP = 64;
    private static final long MAX_PUBLISH_STEP = 1 << 16;

    /** How much memory change a shard accumulates before publishing it to {@link #memoryEstimate}. */
    long publishStep() {
        return publishStep;
    }

    /** Sizes the publishing step to a memory limit (0 for none), so the estimate's error stays small against it. */
    public void setMemoryLimit(long maxmemory) {
        memoryLimit = Math.max(0, maxmemory);
        configureSketches();
        long step = maxmemory <= 0 ? DEFAULT_PUBLISH_STEP
                : Math.max(MIN_PUBLISH_STEP, Math.min(MAX_PUBLISH_STEP, maxmemory / ((long) shards.length * LIMIT_SHARE)));
        if (step != publishStep) {
            publishStep = step;
            // what shards held back under the old step may exceed the new one's error bound
            shardSettingsChanged();
        }
    }

    /** The most by which {@link #memoryEstimate()} may differ from {@link #usedMemory()}. */
    public long memoryEstimateError() {
        return publishStep * shards.length;
    }

    // ---- WATCH -----------------------------------------------------------------------------

    /** Registers a watcher of a key and returns the key's version now. */
    public long watch(int db, byte[] key) {
        return onShardOf(key, s -> s.watch(db, key));
    }

    /** Drops one watcher of a key registered with {@link #watch}. */
    public void unwatch(int db, byte[] key) {
        onShardOf(key, s -> {
            s.unwatch(db, key);
            return 0L;
        });
    }

    /** The version of a watched key (changes on every write of it), or -1 when nobody watches it. */
    public long watchedVersion(int db, byte[] key) {
        return onShardOf(key, s -> s.watchedVersion(db, key));
    }

    /**
     * Whether SWAPDB put an expired key where a client watching it at {@code version} saw none:
     * that client then counts as having watched an expired key (multi.c's {@code expired} flag).
     */
    public boolean watchedExpiredBySwap(int db, byte[] key, long version) {
        return onShardOf(key, s -> s.watchedExpiredBySwap(db, key, version) ? 1 : 0) == 1;
    }

    /** {@link #keyState}: no entry for the key. */
    public static final int KEY_ABSENT = 0;
    /** {@link #keyState}: the key exists and has not expired. */
    public static final int KEY_LIVE = 1;
    /** {@link #keyState}: the key's time has passed but it was not removed yet (Redis's keyIsExpired). */
    public static final int KEY_EXPIRED = 2;

    /**
     * Whether a key is absent, live or expired-but-present, without removing it or counting a
     * lookup: what WATCH and EXEC need to tell a key that expired from one that was changed.
     */
    public int keyState(int db, byte[] key, long now) {
        long h = hash(key);
        return (int) onShardOfHash(h, s -> s.keyState(db, key, tableHash(h), now));
    }

    /** Runs {@code action} on the key's shard under its lock. */
    private long onShardOf(byte[] key, java.util.function.ToLongFunction<Shard> action) {
        return onShardOfHash(hash(key), action);
    }

    /** {@link #onShardOf} for a key whose hash the caller has already. */
    private long onShardOfHash(long hash, java.util.function.ToLongFunction<Shard> action) {
        Shard s = shardOfHash(hash);
        s.lock();
        try {
            return action.applyAsLong(s);
        } finally {
            s.unlock();
        }
    }

    // ---- keyspace-wide operations ----------------------------------------------------------

    /**
     * While an AOF is replayed nothing expires on access ({@link Shard#setLoading}). Call with every
     * shard locked ({@link #lockAll}).
     */
    public void setLoading(boolean loading) {
        this.loading = loading;
        for (Shard shard : shards) {
            shard.setLoading(loading);
        }
    }

    /** Whether an AOF is being replayed ({@link #setLoading}). */
    public boolean loading() {
        return loading;
    }

    private volatile boolean loading;

    public void lockAll() {
        for (Shard s : shards) {
            s.lock();
        }
    }

    public void unlockAll() {
        for (int i = shards.length - 1; i >= 0; i--) {
            shards[i].unlock();
        }
    }

    /** Number of keys in a database (including expired ones not yet reclaimed, as Redis). */
    public long size(int db) {
        return sumLocked(s -> s.size(db));
    }

    /** Number of keys with an expiry in a database. */
    public long volatileSize(int db) {
        return sumLocked(s -> s.volatileCount(db));
    }

    /** FLUSHALLs since the start: a save that sees the number change while it runs is void. */
    public long flushAlls() {
        return flushAlls;
    }

    /** Empties one database; returns the number of keys removed. */
    public long flush(int db) {
        long n = sumLocked(s -> s.flush(db));
        databaseChanged(db);
        keyspaceFlushed();
        return n;
    }

    private void databaseChanged(int db) {
        for (KeyspaceObserver o : observers) {
            o.databaseChanged(db);
        }
    }

    private void keyspaceFlushed() {
        for (KeyspaceObserver o : observers) {
            o.keyspaceFlushed();
        }
    }

    /** Sums a per-shard figure, taking each shard's lock in turn (never two at once). */
    private long sumLocked(java.util.function.ToLongFunction<Shard> figure) {
        long n = 0;
        for (Shard s : shards) {
            s.lock();
            try {
                n += figure.applyAsLong(s);
            } finally {
                s.unlock();
            }
        }
        return n;
    }

    /** Empties every database at once (all shard locks held together); returns the number of keys removed. */
    public long flushAll() {
        long removed = 0;
        lockAll();
        try {
            KeyspaceSnapshot running = snapshot;
            if (running != null) {
                // as Redis kills its saving child: the snapshot's moment is gone
                running.abandon();
                endSnapshotLocked(running);
            }
            flushAlls++;
            for (Shard s : shards) {
                for (int db = 0; db < databases; db++) {
                    removed += s.flush(db);
                }
                s.clearSketch();
            }
            for (int db = 0; db < databases; db++) {
                databaseChanged(db);
            }
            keyspaceFlushed();
        } finally {
            unlockAll();
        }
        return removed;
    }

    // ---- snapshots -------------------------------------------------------------------------

    /** See {@link #momentGuard()}. */
    private final java.util.concurrent.locks.ReentrantLock momentGuard = new java.util.concurrent.locks.ReentrantLock();

    /**
     * Starts a point-in-time snapshot (see {@link KeyspaceSnapshot}) whose moment is now: every
     * shard's lock is held while each joins it. {@code sinks} gives each shard's sink; keys expired at
     * {@code now} are left out. Only one snapshot runs at a time.
     */
    public KeyspaceSnapshot beginSnapshot(long now, java.util.function.IntFunction<KeyspaceSnapshot.Sink> sinks) {
        return beginSnapshot(now, sinks, null);
    }

    /**
     * As {@link #beginSnapshot(long, java.util.function.IntFunction)}, running {@code atMoment}
     * (if not null) at the moment itself, with every shard locked: what must see exactly the
     * state the snapshot holds (a replica attaching to the replication stream).
     */
    public KeyspaceSnapshot beginSnapshot(long now, java.util.function.IntFunction<KeyspaceSnapshot.Sink> sinks,
            Runnable atMoment) {
        KeyspaceSnapshot.Sink[] perShard = new KeyspaceSnapshot.Sink[shards.length];
        for (int i = 0; i < shards.length; i++) {
            perShard[i] = sinks.apply(i);
        }
        // a thread that holds a shard already (DEBUG RELOAD inside EXEC) cannot wait for the guard, whose
        // holder may be waiting for that shard; its snapshot attaches no replica
        boolean guarded = !holdsAnyShard();
        if (guarded) {
            momentGuard.lock();
        }
        lockAll();
        try {
            if (snapshot != null) {
                throw new IllegalStateException("a snapshot is already running");
            }
            KeyspaceSnapshot s = new KeyspaceSnapshot(this, ++snapshotEpoch, now, perShard);
            for (Shard shard : shards) {
                shard.beginSnapshot(s);
            }
            snapshot = s;
            if (atMoment != null) {
                atMoment.run();
            }
            return s;
        } finally {
            unlockAll();
            if (guarded) {
                momentGuard.unlock();
            }
        }
    }

    /**
     * Taken before every shard at a snapshot's moment: a thread that holds it keeps a moment from
     * falling between what it changed and what it does after, though it holds no shard then (a
     * replica applying its primary's stream and passing each command on to its own replicas, whose
     * snapshot must hold exactly the commands passed on before it). Take it holding no shard.
     */
    public java.util.concurrent.locks.Lock momentGuard() {
        return momentGuard;
    }

    /** Whether this thread holds a shard's lock (then it must not wait for {@link #momentGuard()}). */
    public boolean holdsAnyShard() {
        for (Shard s : shards) {
            if (s.isHeldByCurrentThread()) {
                return true;
            }
        }
        return false;
    }

    void endSnapshot(KeyspaceSnapshot s) {
        lockAll();
        try {
            endSnapshotLocked(s);
        } finally {
            unlockAll();
        }
    }

    private void endSnapshotLocked(KeyspaceSnapshot s) {
        if (snapshot != s) {
            return;
        }
        for (Shard shard : shards) {
            shard.endSnapshot(s);
        }
        snapshot = null;
        s.finish();
    }

    /** SWAPDB: exchanges two databases atomically for every client. */
    public void swap(int a, int b) {
        lockAll();
        try {
            long now = System.currentTimeMillis();
            for (Shard s : shards) {
                s.swap(a, b, now);
            }
            countUnkeyedChange();
            databaseChanged(a);
            databaseChanged(b);
            keyspaceFlushed();
            blockedKeys.databasesSwapped(a, b);
        } finally {
            unlockAll();
        }
    }

    /** Receives the keys of a walk: the key (a fresh array the receiver may keep) and its type. */
    public interface KeyVisitor {
        void visit(byte[] key, ValueType type);
    }

    /**
     * One SCAN call's worth of steps. The cursor packs the shard index in its low {@code
     * shardBits} bits and that shard's table cursor above them (see {@link KeyTable}); each shard
     * is scanned under its own lock, one step at a time, until {@code minEntries} keys have been
     * visited or the cursor wraps to 0. At most {@code maxSteps} steps are taken, so a sparse
     * table cannot make one call unbounded (Redis's maxiterations = count * 10). Expired keys are
     * skipped.
     */
    public long scan(int db, long cursor, int minEntries, int maxSteps, long now, KeyVisitor visitor) {
        return scan(db, cursor, minEntries, maxSteps, now, visitor, key -> false);
    }

    /**
     * {@link #scan(int, long, int, int, long, KeyVisitor)} where an expired key the walk meets
     * whose name {@code expireIfNamed} accepts is deleted, as expired (so it propagates as a DEL),
     * before its shard is let go: Redis's SCAN runs expireIfNeeded on the keys that pass its pattern.
     */
    public long scan(int db, long cursor, int minEntries, int maxSteps, long now, KeyVisitor visitor,
            java.util.function.Predicate<byte[]> expireIfNamed) {
        int shardIndex = (int) (cursor & ((1L << shardBits) - 1));
        long tableCursor = cursor >>> shardBits;
        if (shardIndex >= shards.length) {
            return 0;
        }
        int[] seen = {0};
        List<Object> expired = new ArrayList<>(0);
        java.util.function.Consumer<Object> counting = e -> {
            if (!Entries.isExpired(e, now)) {
                seen[0]++;
                visitor.visit(Entries.keyCopy(e), Entries.type(e));
            } else if (expireIfNamed.test(Entries.key(e))) {
                expired.add(e);
            }
        };
        int steps = 0;
        while (true) {
            Shard s = shards[shardIndex];
            s.lock();
            try {
                do {
                    tableCursor = s.scan(db, tableCursor, counting);
                    steps++;
                } while (tableCursor != 0 && seen[0] < minEntries && steps < maxSteps);
                for (Object e : expired) {
                    // after the walk, not during it: the lookup removes the entry from the table
                    byte[] key = Entries.key(e);
                    s.lookup(db, key, tableHash(key), now);
                }
                expired.clear();
            } finally {
                s.unlock();
            }
            if (tableCursor == 0) {
                shardIndex++;
                if (shardIndex == shards.length) {
                    return 0;
                }
            }
            if (seen[0] >= minEntries || steps >= maxSteps) {
                return (tableCursor << shardBits) | shardIndex;
            }
        }
    }

    /**
     * Every live key of a database, each exactly once (KEYS): each shard is walked whole under its
     * own lock, one shard at a time, so other clients wait for at most one shard's walk.
     */
    public void forEachKey(int db, long now, KeyVisitor visitor) {
        for (Shard s : shards) {
            s.lock();
            try {
                s.forEach(db, e -> {
                    if (!Entries.isExpired(e, now)) {
                        visitor.visit(Entries.keyCopy(e), Entries.type(e));
                    }
                });
            } finally {
                s.unlock();
            }
        }
    }

    /** A random live key of a database, or null when it is empty. */
    public byte[] randomKey(int db, long now, RandomGenerator random) {
        // Choose shards in proportion to their size so keys are picked near-uniformly.
        for (int attempt = 0; attempt < 16; attempt++) {
            long total = 0;
            long[] sizes = new long[shards.length];
            for (int i = 0; i < shards.length; i++) {
                Shard s = shards[i];
                s.lock();
                try {
                    sizes[i] = s.size(db);
                } finally {
                    s.unlock();
                }
                total += sizes[i];
            }
            if (total == 0) {
                return null;
            }
            long pick = random.nextLong(total);
            int i = 0;
            while (pick >= sizes[i]) {
                pick -= sizes[i];
                i++;
            }
            Shard s = shards[i];
            s.lock();
            try {
                Object e = s.randomEntry(db, now, random);
                if (e != null) {
                    return Entries.keyCopy(e);
                }
            } finally {
                s.unlock();
            }
        }
        return null;
    }

    /**
     * One tick of active expiry: a bounded step on every shard. Shards already locked by a
     * command are skipped this tick rather than waited for, so the expiry thread never queues
     * behind a long transaction.
     */
    public int expireCycle(long now, int stepBudget) {
        int deleted = 0;
        for (Shard s : shards) {
            if (s.tryLockForMaintenance()) {
                try {
                    deleted += s.expireStep(now, stepBudget);
                } finally {
                    s.unlock();
                }
            }
        }
        return deleted;
    }

    // ---- statistics ------------------------------------------------------------------------

    /** Accounted bytes of every key, value and hash table, summed exactly (INFO used_memory). */
    public long usedMemory() {
        return sum(Shard::usedMemory);
    }

    /** Bytes of off-heap pages the string records hold (their slots, partly used pages, a few kept empty). */
    public long recordPageBytes() {
        return sum(Shard::recordPageBytes);
    }

    public long keyspaceHits() {
        return sum(Shard::keyspaceHits);
    }

    public long keyspaceMisses() {
        return sum(Shard::keyspaceMisses);
    }

    public long expiredKeys() {
        return sum(Shard::expiredKeys);
    }

    public long evictedKeys() {
        return sum(Shard::evictedKeys);
    }

    /** Changes since start as Redis counts them (server.dirty), for INFO and the save points. */
    public long dirty() {
        return sum(Shard::dirty) + unkeyedChanges.get();
    }

    /**
     * Counts a change Redis counts that is no single key's: SWAPDB, and FUNCTION LOAD, DELETE,
     * FLUSH and RESTORE (libraries are saved with the keys, so a save point should see them).
     */
    public long unkeyedChanges() {
        return unkeyedChanges.get();
    }

    public void countUnkeyedChange() {
        unkeyedChanges.incrementAndGet();
    }

    /**
     * Sums a per-shard counter without locks: counters are written under their shard's lock and
     * read here possibly a few operations stale, which INFO and the maxmemory check tolerate.
     */
    private long sum(java.util.function.ToLongFunction<Shard> counter) {
        long n = 0;
        for (Shard s : shards) {
            n += counter.applyAsLong(s);
        }
        return n;
    }

    public void resetStats() {
        lazyfreed.set(0);
        lockAll();
        try {
            for (Shard s : shards) {
                s.resetStats();
            }
        } finally {
            unlockAll();
        }
    }

    /** Checks every shard's counts and memory account; null when all hold, else what broke. */
    public String checkInvariants() {
        lockAll();
        try {
            for (Shard s : shards) {
                String problem = s.checkInvariants();
                if (problem != null) {
                    return problem;
                }
            }
            long drift = Math.abs(memoryEstimate() - usedMemory());
            if (drift > memoryEstimateError()) {
                return "memory estimate " + memoryEstimate() + " is " + drift + " bytes from the exact " + usedMemory();
            }
            return null;
        } finally {
            unlockAll();
        }
    }
}
