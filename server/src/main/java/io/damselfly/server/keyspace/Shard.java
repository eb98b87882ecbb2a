package io.damselfly.server.keyspace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * One shard of the keyspace: the keys that hash to it, in every database, with their memory
 * account, expiry sweep, WATCH versions and statistics, all guarded by one lock.
 *
 * <p>Locking scheme (DESIGN.md): a command runs on its connection's event loop and holds the locks
 * of the shards its keys hash to; commands with several keys take their shards' locks in index
 * order, so two of them can never deadlock; MULTI/EXEC and scripts take the union of their shards
 * the same way. The lock is reentrant so that a transaction holding a shard can run a command
 * that locks it again. Every method that touches entries checks that the calling thread holds the
 * lock (a plain field comparison, kept in production: a missed lock would corrupt the table).
 *
 * <h2>The write path</h2>
 *
 * <p>Every change of a key goes through one of four primitives, {@link #insert}, {@link
 * #replace}, {@link #remove} and {@link #changedInPlace}, and each ends in {@link #written}, the
 * one place per shard that keeps the books: the memory account (the entry's footprint delta and
 * the table's, O(1)), the dirty counter, the versions of WATCHed keys, the observers (tracking
 * invalidations, notifications, key-ready signals) and the removal of collections left empty.
 * Before a change the observers' {@code beforeChange} runs (copy-on-write for snapshots).
 *
 * <p>Counters are written under the lock and read without it by INFO: a reader may see a value a
 * few operations old, never a torn one (64-bit HotSpot writes longs atomically). The memory
 * account is also published to the keyspace-wide estimate in steps of {@link
 * Keyspace#publishStep()}, so the maxmemory check before every command reads one number instead of
 * summing shards.
 */
public final class Shard {
    private final int index;
    private final Keyspace keyspace;
    private final ReentrantLock lock = new ReentrantLock();
    private final KeyTable[] dbs;
    /** The off-heap memory of this shard's string records, in every database. */
    private final RecordArena arena = new RecordArena();
    /** Per database: where the active expiry sweep resumes. */
    private final long[] expireCursors;
    private final WatchedKeys watched = new WatchedKeys();
    /** The running snapshot, which captures a segment before its first change; null when none. */
    private KeyspaceSnapshot snapshot;
    /** The access-frequency sketch of allkeys-tinylfu (null under other policies), sized for {@link #sketchKeys}. */
    private FrequencySketch sketch;
    private long sketchKeys;
    /** The keyspace's {@link Keyspace#shardSettingsVersion} this shard has applied. */
    private int settingsVersion;
    /**
     * {@link Keyspace#isDatasetFrozen} as this lock holding found it: set when the lock is taken
     * after a change, and lowered only by an outermost taking, so that within one holding a
     * lookup that left an expired key in place and the insert that follows agree.
     */
    private boolean frozen;
    /**
     * {@link Keyspace#isFollowingPrimary} as this lock holding found it, taken up as {@link
     * #frozen} is: expired keys stay and read as missing, except to the primary's commands.
     */
    private boolean followsPrimary;
    /** allkeys-tinylfu's admission window: the keys added last, oldest first. */
    private final Newcomers newcomers = new Newcomers();

    private long usedMemory;
    private long unpublishedMemory;
    private long keyspaceHits;
    private long keyspaceMisses;
    private long expiredKeys;
    private long evictedKeys;
    private long dirty;

    Shard(int index, int databases, Keyspace keyspace) {
        this.index = index;
        this.keyspace = keyspace;
        this.dbs = new KeyTable[databases];
        for (int i = 0; i < databases; i++) {
            dbs[i] = new KeyTable(arena);
            usedMemory += dbs[i].footprint();
            unpublishedMemory += dbs[i].footprint();
        }
        this.expireCursors = new long[databases];
        // not yet shared with any thread: published without the lock
        keyspace.publishMemory(unpublishedMemory);
        unpublishedMemory = 0;
    }

    public int index() {
        return index;
    }

    public void lock() {
        lock.lock();
        catchUp();
    }

    public void unlock() {
        lock.unlock();
    }

    /**
     * Takes the lock, waiting at most {@code millis}; false if it is still held by another thread
     * then (or the wait was interrupted). The executor waits in such slices so that a command
     * stuck behind a long script can answer BUSY instead of waiting for it to end.
     */
    public boolean tryLock(long millis) {
        if (millis == 0) {
            // every command's first try: the untimed form skips the timed one's interrupt check
            // and deadline arithmetic (the lock is not fair, so both barge alike)
            return caughtUp(lock.tryLock());
        }
        try {
            return caughtUp(lock.tryLock(millis, java.util.concurrent.TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * How many times {@link #tryLockSpinning} looks at a held lock before giving up: about 5 us
     * (a spin-wait hint takes 26 ns on the AMD EPYC of the measurements), longer than a command
     * holds a shard and shorter than a park and its wake-up.
     */
    private static final int SPINS = 200;

    /**
     * Takes the lock if it is free or becomes free within a short spin. A command holds a shard
     * for a few hundred nanoseconds, so a command of another loop that finds it taken usually
     * gets it sooner by watching it than by parking, whose futex wait and the holder's wake-up
     * call cost microseconds each. The spin reads the lock's state and tries to take it only when
     * it looks free, so waiting does not bounce the holder's cache line. Measured at -P 16 GET on
     * two loops (async-profiler, two runs each): parking, waking and spinning took 4.8-5.0% of the
     * server's CPU samples against 7.4-7.5% for parking and waking without the spin; what still
     * parks mostly waits for a holder the kernel preempted (three busy threads on two cores).
     */
    public boolean tryLockSpinning() {
        for (int i = 0; i < SPINS; i++) {
            Thread.onSpinWait();
            if (!lock.isLocked() && lock.tryLock()) {
                return caughtUp(true);
            }
        }
        return false;
    }

    /** Takes the lock only if free; for background work that may skip a busy shard. */
    boolean tryLockForMaintenance() {
        return caughtUp(lock.tryLock());
    }

    private boolean caughtUp(boolean locked) {
        if (locked) {
            catchUp();
        }
        return locked;
    }

    /**
     * Applies what changed keyspace-wide since this shard was last locked (its sketch's size, the
     * memory publishing step); under the lock, one volatile read when nothing did.
     */
    private void catchUp() {
        int version = keyspace.shardSettingsVersion();
        if (version != settingsVersion) {
            boolean nowFrozen = keyspace.isDatasetFrozen();
            boolean nowFollows = keyspace.isFollowingPrimary();
            if (hidesExpired() && !(nowFrozen || nowFollows) && lock.getHoldCount() > 1) {
                // a thaw seen inside a holding that may have hidden an expired key it is about to
                // replace: taken up by the next outermost taking instead
                return;
            }
            settingsVersion = version;
            frozen = nowFrozen;
            if (followsPrimary && !nowFollows) {
                ownExpiringKeys.clear();
            }
            followsPrimary = nowFollows;
            configureSketch(keyspace.sketchKeysPerShard());
            publishMemory();
        }
    }

    public boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /**
     * The one gate to this shard's tables, and so to every entry: throws unless the calling thread
     * holds the lock. Every method that reads or changes keys, entries, WATCH versions or the
     * memory account passes here (or {@link #requireLock()}) first, in production, not only under
     * {@code -ea}: a command that ran without its shard's lock would corrupt the table silently,
     * and the check is one field comparison (ReentrantLock's owner thread). ShardLockDisciplineTest
     * calls every such method without the lock.
     */
    private KeyTable table(int db) {
        requireLock();
        return dbs[db];
    }

    private void requireLock() {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("shard " + index + " used without its lock");
        }
    }

    // ---- lookups ---------------------------------------------------------------------------

    /**
     * An AOF is being replayed (Redis's server.loading): nothing expires on access, as keyIsExpired
     * answers no while loading, so a key whose PEXPIREAT is past still takes the commands after it
     * and expires once the load is done. Set and read under this shard's lock.
     */
    private boolean loading;

    void setLoading(boolean loading) {
        requireLock();
        this.loading = loading;
    }

    /**
     * The live entry for a key, removing it first if it has expired (unless the dataset is frozen
     * by a client pause or follows a primary: then it stays, and only reads as absent); null when
     * absent.
     */
    Object lookup(int db, byte[] key, int hash, long now) {
        return lookup(db, key, hash, now, false);
    }

    /**
     * {@link #lookup(int, byte[], int, long)} for a command of the primary's link when {@code
     * asPrimary}: on a replica it sees an expired key as present (Redis's expireIfNeeded answers
     * "not expired" to the master client).
     */
    Object lookup(int db, byte[] key, int hash, long now, boolean asPrimary) {
        KeyTable t = table(db);
        Object e = t.find(key, hash);
        if (e != null && Entries.isExpired(e, now) && !loading) {
            if (followsPrimary) {
                return asPrimary ? e : null;
            }
            if (!frozen) {
                remove(db, key, hash, e, KeyEvent.EXPIRED);
            }
            return null;
        }
        return e;
    }

    /** Whether {@link #lookup} leaves expired keys in place now (a client pause, a replica). */
    private boolean hidesExpired() {
        return frozen || followsPrimary;
    }

    /** Whether this shard follows a primary's dataset (as this lock holding found it). */
    boolean followsPrimary() {
        return followsPrimary;
    }

    /**
     * On a writable replica, the keys its own clients gave an expiry, per database (Redis's
     * slaveKeysWithExpire): the sweep expires these, and only these, while the shard follows a
     * primary. Dropped when it stops following (its sweep covers everything again).
     */
    private final java.util.Map<Integer, java.util.Set<String>> ownExpiringKeys = new java.util.HashMap<>();

    /** Remembers a key a replica's own client gave an expiry; under the lock. */
    void rememberOwnExpiry(int db, byte[] key) {
        requireLock();
        ownExpiringKeys.computeIfAbsent(db, d -> new java.util.HashSet<>())
                .add(new String(key, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /**
     * expireSlaveKeys: of the keys a replica's own clients gave an expiry, deletes those whose
     * time has passed (at most {@code budget} looked at) and forgets those gone or persistent.
     */
    private int expireOwnKeys(long now, int budget) {
        int deleted = 0;
        int looked = 0;
        for (var perDb : ownExpiringKeys.entrySet()) {
            int db = perDb.getKey();
            for (var it = perDb.getValue().iterator(); it.hasNext() && looked < budget; looked++) {
                byte[] key = it.next().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                int hash = Keyspace.tableHash(key);
                Object e = dbs[db].find(key, hash);
                if (e == null || !Entries.hasExpiry(e)) {
                    it.remove();
                } else if (Entries.isExpired(e, now)) {
                    remove(db, key, hash, e, KeyEvent.EXPIRED);
                    it.remove();
                    deleted++;
                }
            }
        }
        ownExpiringKeys.values().removeIf(java.util.Set::isEmpty);
        return deleted;
    }

    /**
     * The key's entry as the table holds it, even when its time has passed (nothing is expired,
     * counted or touched): DEBUG OBJECT's dictFind.
     */
    Object findEvenExpired(int db, byte[] key, int hash) {
        return table(db).find(key, hash);
    }

    /**
     * Before an insert while expired keys are hidden: the caller found the key absent, but {@link
     * #lookup} may have left an expired entry of it in place; a write replaces it, so it goes now,
     * as expired (a write during a pause is rare: a command queued in the MULTI that paused, a
     * near-cache fill; on a replica, a client's write with replica-read-only off).
     */
    private void removeHiddenExpired(int db, byte[] key, int hash) {
        Object e = dbs[db].find(key, hash);
        if (e != null) {
            remove(db, key, hash, e, KeyEvent.EXPIRED);
        }
    }

    /** Counts a hit or miss; only ever right after {@link #lookup}, which checked the lock. */
    void countLookup(boolean hit) {
        if (hit) {
            keyspaceHits++;
        } else {
            keyspaceMisses++;
        }
    }

    // ---- allkeys-tinylfu: access frequencies and admission -----------------------------------

    /**
     * Installs a frequency sketch for about {@code expectedKeys} keys of this shard, or none
     * ({@code expectedKeys} 0); keeps the present one when it is already of that size. Its table
     * counts in this shard's used memory, as the tables of keys do.
     */
    void configureSketch(long expectedKeys) {
        requireLock();
        if (expectedKeys == sketchKeys) {
            return;
        }
        long before = sketch == null ? 0 : sketch.footprint();
        sketch = expectedKeys > 0 ? new FrequencySketch(expectedKeys) : null;
        sketchKeys = expectedKeys;
        newcomers.clear();
        account((sketch == null ? 0 : sketch.footprint()) - before);
        publishMemory();
    }

    /** Forgets the access history of every key (FLUSHALL); the caller holds every shard's lock. */
    void clearSketch() {
        requireLock();
        if (sketch != null) {
            sketch.clear();
        }
        newcomers.clear();
    }

    /** Counts an access to the key of this table hash in the sketch, if there is one. */
    void recordAccess(int hash) {
        requireLock();
        if (sketch != null) {
            sketch.increment(hash);
        }
    }

    /** The sketch's estimate for the key of this table hash (0 to 15), or 0 without a sketch. */
    int sketchFrequency(int hash) {
        requireLock();
        return sketch == null ? 0 : sketch.frequency(hash);
    }

    /** Whether this shard keeps a frequency sketch (the policy is allkeys-tinylfu and there is a limit). */
    boolean hasSketch() {
        requireLock();
        return sketch != null;
    }

    /** Above this estimate a losing candidate is still admitted once in {@link #RANDOM_ADMISSION} duels. */
    static final int WARM_CANDIDATE = 5;
    /**
     * Caffeine's defence against hash flooding: an attacker who makes a victim look hot (by
     * colliding its counters) would otherwise keep every warm newcomer out; admitting a warm
     * loser at random, 1 in 128, breaks that without letting cold keys in.
     */
    static final int RANDOM_ADMISSION = 128;

    /**
     * TinyLFU admission at eviction time: while more than {@code window} newcomers wait, the
     * oldest is judged against the eviction's victim, whose estimated frequency is {@code
     * victimFrequency}. A newcomer accessed more often than the victim is admitted (it leaves the
     * window and stays; the caller then evicts the victim); otherwise it is evicted here, as the
     * victim's stand-in. Returns whether it evicted a key. A newcomer deleted since is skipped.
     */
    boolean admissionDuel(int victimFrequency, int window, RandomGenerator random) {
        requireLock();
        while (sketch != null && newcomers.size() > window) {
            int db = newcomers.oldestDb();
            byte[] key = newcomers.oldestKey();
            int hash = newcomers.oldestHash();
            newcomers.removeOldest();
            Object e = db < dbs.length ? dbs[db].find(key, hash) : null;
            if (e == null) {
                continue;
            }
            int candidate = sketch.frequency(hash);
            if (candidate > victimFrequency
                    || (candidate > WARM_CANDIDATE && random.nextInt(RANDOM_ADMISSION) == 0)) {
                return false;
            }
            evictFound(db, key, hash, e);
            return true;
        }
        return false;
    }

    /** The table hash of the entry {@link #sample} returned last for this database. */
    int sampledHash(int db) {
        return table(db).sampledHash();
    }

    // ---- the write path --------------------------------------------------------------------

    /** Adds an entry for a key known to be absent. */
    void insert(int db, byte[] key, int hash, Object entry, KeyEvent event) {
        KeyTable t = table(db);
        if (hidesExpired()) {
            removeHiddenExpired(db, key, hash);
        }
        beforeChange(db, key, hash);
        long tableBefore = t.footprint();
        t.insert(hash, entry);
        if (sketch != null) {
            // a new key's first access; a read that missed it before was not counted (Caffeine too)
            sketch.increment(hash);
            newcomers.add(db, key, hash);
        }
        long delta = Entries.footprint(entry) + t.footprint() - tableBefore;
        if (keyspace.hasObservers()) {
            notifyObservers(db, key, KeyEvent.NEW);
        }
        written(db, key, event, delta);
    }

    /** Puts another entry (or another form of the same one) in the place of {@code old}, same key. */
    void replace(int db, byte[] key, int hash, Object old, Object entry, KeyEvent event) {
        KeyTable t = table(db);
        beforeChange(db, key, hash);
        // the table can grow too: a segment's first object entry brings its object slots
        long before = Entries.footprint(old) + t.footprint();
        t.replace(old, entry, key, hash);
        // an overwritten value (not the same value in another entry form), as dbSetValue frees it
        keyspace.countLazyFree(keyspace.lazyServerDel && old instanceof ObjectEntry o
                && !(entry instanceof ObjectEntry n && n.value == o.value), old);
        Entries.release(old);
        written(db, key, event, Entries.footprint(entry) + t.footprint() - before);
    }

    /**
     * Puts another form of the same value in the place of {@code old} (a string record becoming a
     * growable string): the memory account moves, but nothing was written, so no event, no dirty
     * count and no WATCH version change.
     */
    void reform(int db, byte[] key, int hash, Object old, Object entry) {
        KeyTable t = table(db);
        long before = Entries.footprint(old) + t.footprint();
        t.replace(old, entry, key, hash);
        Entries.release(old);
        account(Entries.footprint(entry) + t.footprint() - before);
    }

    /** Removes an entry this shard returned; {@code event} says why (DEL, EXPIRED, EVICTED...). */
    void remove(int db, byte[] key, int hash, Object entry, KeyEvent event) {
        KeyTable t = table(db);
        beforeChange(db, key, hash);
        long tableBefore = t.footprint();
        if (!t.remove(entry, hash)) {
            return;
        }
        long delta = -Entries.footprint(entry) + t.footprint() - tableBefore;
        if (event == KeyEvent.EXPIRED) {
            expiredKeys++;
            keyspace.countLazyFree(keyspace.lazyExpire, entry);
        } else if (event == KeyEvent.EVICTED) {
            evictedKeys++;
            keyspace.countLazyFree(keyspace.lazyEviction, entry);
        }
        Entries.release(entry);
        written(db, key, event, delta);
    }

    /**
     * Books a change made in place to an entry's value or expiry (APPEND, EXPIRE, a collection
     * write; the caller ran {@link #beforeChange} first), whose footprint was {@code footprintBefore}. A collection left empty is
     * removed, as Redis deletes a key whose last element goes.
     */
    void changedInPlace(int db, byte[] key, int hash, Object entry, long footprintBefore, KeyEvent event) {
        table(db);
        written(db, key, event, Entries.footprint(entry) - footprintBefore);
        if (entry instanceof ObjectEntry o && o.value.isEmpty()) {
            remove(db, key, hash, entry, KeyEvent.DEL);
            // part of the write that emptied it, which Redis counts by its elements alone
            dirty--;
        }
    }

    /**
     * Corrects the dirty counter by {@code delta} (see {@link Database#countChanges}), under this
     * shard's lock.
     */
    void addChanges(long delta) {
        requireLock();
        dirty += delta;
    }

    /**
     * Keeps the expiry count right for an entry whose expiry was changed in place (a record with
     * an expiry field, or an ObjectEntry), before {@link #changedInPlace} or {@link #replace}.
     */
    void expiryChangedInPlace(int db, boolean had, boolean has) {
        table(db).expiryChanged(had, has);
    }

    /**
     * Books a change inside an entry that Redis neither notifies nor counts as a write (a
     * stream's pending entries moved by XREADGROUP, XACK, XCLAIM): only the memory account moves.
     * {@link #beforeChange} must have run first.
     */
    void changedQuietly(long footprintDelta) {
        requireLock();
        account(footprintDelta);
    }

    /**
     * Tells the observers a key of table hash {@code hash} is about to change; call before the
     * change itself.
     *
     * <p>scripts/run (and the Dockerfile) keep this method out of line (a HotSpot dontinline
     * command, checked by JitOptionsTest): its snapshot branch is never taken before the first
     * save, so C2 compiles it as a trap, and inlined it made the first save throw away and
     * recompile the whole compiled write path under load. Rename or move it with them.
     */
    void beforeChange(int db, byte[] key, int hash) {
        // a change in place (Database.changeInPlace) comes here before it touches the entry
        requireLock();
        if (snapshot != null) {
            snapshot.beforeChange(index, db, dbs[db], key, hash);
        }
        KeyspaceObserver[] observers = keyspace.observers();
        for (KeyspaceObserver o : observers) {
            o.beforeChange(db, key);
        }
    }

    /** The one place every change ends: memory, dirty counter, WATCH versions, observers. */
    private void written(int db, byte[] key, KeyEvent event, long footprintDelta) {
        account(footprintDelta);
        if (event != KeyEvent.EXPIRED && event != KeyEvent.EVICTED) {
            // Redis counts neither (deleteExpiredKeyAndPropagate, performEvictions)
            dirty++;
        }
        if (!watched.isEmpty() && event.signalsModified()) {
            watched.touch(db, key);
        }
        if (keyspace.hasObservers()) {
            notifyObservers(db, key, event);
        }
    }

    /** Tells the observers of an event that needs no bookkeeping of its own (see Database.announce). */
    void announce(int db, byte[] key, KeyEvent event) {
        requireLock();
        if (keyspace.hasObservers()) {
            notifyObservers(db, key, event);
        }
    }

    /** Tells the observers that a counted read lookup missed (keyspace notifications' keymiss). */
    void announceMiss(int db, byte[] key) {
        requireLock();
        if (keyspace.hasObservers()) {
            for (KeyspaceObserver o : keyspace.observers()) {
                o.keyMissed(db, key);
            }
        }
    }

    private void notifyObservers(int db, byte[] key, KeyEvent event) {
        for (KeyspaceObserver o : keyspace.observers()) {
            o.keyChanged(db, key, event);
        }
    }

    private void account(long footprintDelta) {
        usedMemory += footprintDelta;
        unpublishedMemory += footprintDelta;
        long step = keyspace.publishStep();
        if (unpublishedMemory >= step || unpublishedMemory <= -step) {
            publishMemory();
        }
    }

    /** Moves the unpublished memory change into the keyspace-wide estimate. */
    void publishMemory() {
        requireLock();
        keyspace.publishMemory(unpublishedMemory);
        unpublishedMemory = 0;
    }

    /** Empties one database; returns how many keys it held. */
    long flush(int db) {
        KeyTable t = table(db);
        if (snapshot != null) {
            snapshot.captureRest(index, db, t);
        }
        int n = t.size();
        if (!watched.isEmpty()) {
            watched.touchDatabase(db, key -> t.find(key, Keyspace.tableHash(key)) != null);
        }
        long[] freed = {t.footprint()};
        t.forEach(e -> {
            freed[0] += Entries.footprint(e);
            Entries.release(e);
        });
        t.clear();
        newcomers.clear();
        account(t.footprint() - freed[0]);
        publishMemory();
        expireCursors[db] = 0;
        dirty += n;
        return n;
    }

    /** Exchanges two databases' contents (SWAPDB); the caller holds every shard's lock. */
    void swap(int a, int b, long now) {
        KeyTable tb = table(b);
        KeyTable ta = table(a);
        if (snapshot != null) {
            snapshot.captureRest(index, a, ta);
            snapshot.captureRest(index, b, tb);
        }
        touchSwapped(a, ta, tb, now);
        touchSwapped(b, tb, ta, now);
        dbs[a] = tb;
        dbs[b] = ta;
        expireCursors[a] = 0;
        expireCursors[b] = 0;
    }

    /**
     * Redis's touchAllWatchedKeysInDb, before a swap of {@code db}: a watched key changed when it
     * is in the table going away or in the one replacing it, except where an expired key is
     * replaced by another expired key (no logical change) or an absent key by an expired one (no
     * change, but its watchers now watch an expired key). A flush touches whatever it removes.
     */
    private void touchSwapped(int db, KeyTable leaving, KeyTable arriving, long now) {
        if (watched.isEmpty()) {
            return;
        }
        watched.touchSwapped(db, key -> {
            int h = Keyspace.tableHash(key);
            Object before = leaving.find(key, h);
            Object after = arriving.find(key, h);
            if (after != null && Entries.isExpired(after, now)) {
                if (before == null) {
                    return WatchedKeys.BECAME_EXPIRED;
                }
                if (Entries.isExpired(before, now)) {
                    return WatchedKeys.UNCHANGED;
                }
            }
            return before != null || after != null ? WatchedKeys.CHANGED : WatchedKeys.UNCHANGED;
        });
    }

    /** Whether SWAPDB made a watched key expired for those who watched it at {@code version}. */
    boolean watchedExpiredBySwap(int db, byte[] key, long version) {
        requireLock();
        return watched.expiredBySwap(db, key, version);
    }

    // ---- snapshots -------------------------------------------------------------------------

    /** Joins a snapshot at its moment (the keyspace holds every shard's lock). */
    void beginSnapshot(KeyspaceSnapshot s) {
        requireLock();
        for (KeyTable t : dbs) {
            t.beginSnapshot(s.epoch());
        }
        snapshot = s;
    }

    void endSnapshot(KeyspaceSnapshot s) {
        requireLock();
        if (snapshot == s) {
            snapshot = null;
        }
    }

    /** A database's table for the snapshot's walk, which holds the lock. */
    KeyTable tableForSnapshot(int db) {
        return table(db);
    }

    // ---- WATCH -----------------------------------------------------------------------------

    long watch(int db, byte[] key) {
        table(db);
        return watched.watch(db, key);
    }

    void unwatch(int db, byte[] key) {
        table(db);
        watched.unwatch(db, key);
    }

    long watchedVersion(int db, byte[] key) {
        table(db);
        return watched.version(db, key);
    }

    /** Whether the key is absent, live, or present with its time passed but not yet removed. */
    int keyState(int db, byte[] key, int hash, long now) {
        Object e = table(db).find(key, hash);
        if (e == null) {
            return Keyspace.KEY_ABSENT;
        }
        return Entries.isExpired(e, now) ? Keyspace.KEY_EXPIRED : Keyspace.KEY_LIVE;
    }

    // ---- iteration and sampling ------------------------------------------------------------

    /** One SCAN step over one database of this shard; returns the next cursor (0 = done). */
    long scan(int db, long cursor, java.util.function.Consumer<Object> visitor) {
        return table(db).scanStep(cursor, visitor);
    }

    /**
     * A live entry picked at random from one database, or null when there is none here; on a
     * replica whose samples all found expired keys, the last of them (dbRandomKey's way out of
     * a replica's loop when every key is volatile and past its time, and none may be deleted).
     */
    Object randomEntry(int db, long now, RandomGenerator random) {
        KeyTable t = table(db);
        Object expired = null;
        // bounded: a table of expired keys is cleaned as it is sampled
        for (int attempt = 0; attempt < 100 && t.size() > 0; attempt++) {
            Object e = t.sample(random);
            if (e == null) {
                return null;
            }
            if (!Entries.isExpired(e, now)) {
                return e;
            }
            if (hidesExpired()) {
                // a client pause or a replica keeps expired keys: sample on, within the bound
                expired = e;
                continue;
            }
            byte[] key = Entries.key(e);
            remove(db, key, Keyspace.tableHash(key), e, KeyEvent.EXPIRED);
        }
        return followsPrimary ? expired : null;
    }

    /**
     * A random live entry of one database for eviction sampling, or null when there is none
     * (with {@code volatileOnly}, only entries with an expiry qualify; the search is bounded).
     */
    Object sample(int db, RandomGenerator random, boolean volatileOnly, long now) {
        KeyTable t = table(db);
        if (t.size() == 0 || (volatileOnly && t.volatileCount() == 0)) {
            return null;
        }
        for (int attempt = 0; attempt < 16; attempt++) {
            Object e = randomEntry(db, now, random);
            if (e == null || !volatileOnly || Entries.hasExpiry(e)) {
                return e;
            }
        }
        return null;
    }

    /**
     * Evicts a key chosen earlier if the database still holds it; returns whether it did. The
     * eviction pool keeps keys, as Redis's does, since a record's handle object is only valid
     * while the lock it was found under is held.
     */
    boolean evict(int db, byte[] key) {
        KeyTable t = table(db);
        int hash = Keyspace.tableHash(key);
        Object entry = t.find(key, hash);
        if (entry == null) {
            return false;
        }
        evictFound(db, key, hash, entry);
        return true;
    }

    private void evictFound(int db, byte[] key, int hash, Object entry) {
        remove(db, key, hash, entry, KeyEvent.EVICTED);
        publishMemory();
    }

    /** Evicts one random key from some non-empty database of this shard (the *-random policies). */
    boolean evictRandom(RandomGenerator random, boolean volatileOnly, long now) {
        requireLock();
        int start = random.nextInt(dbs.length);
        for (int i = 0; i < dbs.length; i++) {
            int db = (start + i) % dbs.length;
            Object e = sample(db, random, volatileOnly, now);
            if (e != null) {
                // sampled under this lock: still in the table, no second lookup needed
                byte[] key = Entries.key(e);
                evictFound(db, key, Keyspace.tableHash(key), e);
                return true;
            }
        }
        return false;
    }

    /**
     * One bounded step of active expiry over every database: visits at most {@code stepBudget}
     * scan steps per database that has volatile keys and deletes the expired entries found
     * there. Returns how many keys it deleted.
     */
    int expireStep(long now, int stepBudget) {
        requireLock();
        if (frozen) {
            // a client pause stops the sweep, as activeExpireCycle stops while clients are paused
            return 0;
        }
        if (followsPrimary) {
            // a replica's primary expires its keys by DELs; the replica only those of its own clients
            return ownExpiringKeys.isEmpty() ? 0 : expireOwnKeys(now, stepBudget * 16);
        }
        int deleted = 0;
        List<Object> expired = new ArrayList<>();
        for (int db = 0; db < dbs.length; db++) {
            KeyTable t = table(db);
            if (t.volatileCount() == 0) {
                continue;
            }
            long cursor = expireCursors[db];
            for (int b = 0; b < stepBudget; b++) {
                cursor = t.scanStep(cursor, e -> {
                    if (Entries.isExpired(e, now)) {
                        expired.add(e);
                    }
                });
                if (cursor == 0) {
                    break;
                }
            }
            expireCursors[db] = cursor;
            for (Object e : expired) {
                byte[] key = Entries.key(e);
                remove(db, key, Keyspace.tableHash(key), e, KeyEvent.EXPIRED);
            }
            deleted += expired.size();
            expired.clear();
        }
        return deleted;
    }

    /** Visits every entry of one database; for walks that must see each key exactly once (KEYS). */
    void forEach(int db, java.util.function.Consumer<Object> visitor) {
        table(db).forEach(visitor);
    }

    // ---- statistics ------------------------------------------------------------------------

    int size(int db) {
        return table(db).size();
    }

    int volatileCount(int db) {
        return table(db).volatileCount();
    }

    /** The arena in which records of this shard's keys are made. */
    RecordArena arena() {
        requireLock();
        return arena;
    }

    /**
     * Bytes of off-heap page memory this shard's records hold, in use or not; read without the
     * lock for INFO, like the counters below.
     */
    public long recordPageBytes() {
        return arena.committedBytes();
    }

    /** Accounted bytes of entries plus the tables' directories and segments. */
    public long usedMemory() {
        return usedMemory;
    }

    long keyspaceHits() {
        return keyspaceHits;
    }

    long keyspaceMisses() {
        return keyspaceMisses;
    }

    long expiredKeys() {
        return expiredKeys;
    }

    long evictedKeys() {
        return evictedKeys;
    }

    /**
     * The changes counted on this shard (its part of server.dirty); read by the thread holding
     * the lock, before and after a command, to find what the command changed.
     */
    public long changeCount() {
        requireLock();
        return dirty;
    }

    long dirty() {
        return dirty;
    }

    void resetStats() {
        requireLock();
        keyspaceHits = 0;
        keyspaceMisses = 0;
        expiredKeys = 0;
        evictedKeys = 0;
    }

    /** Recomputes the memory account and the tables' counts from scratch; null when they agree. */
    String checkInvariants() {
        long total = 0;
        for (int db = 0; db < dbs.length; db++) {
            KeyTable t = table(db);
            String structure = t.checkStructure();
            if (structure != null) {
                return "shard " + index + " db " + db + ": " + structure;
            }
            long[] sum = {0, 0};
            t.forEach(e -> {
                sum[0] += Entries.footprint(e);
                if (Entries.hasExpiry(e)) {
                    sum[1]++;
                }
            });
            if (sum[1] != t.volatileCount()) {
                return "shard " + index + " db " + db + ": volatile " + t.volatileCount() + " but " + sum[1];
            }
            total += sum[0] + t.footprint();
        }
        if (sketch != null) {
            total += sketch.footprint();
        }
        if (total != usedMemory) {
            return "shard " + index + ": accounted " + usedMemory + " bytes but entries and tables sum to " + total;
        }
        return null;
    }
}
