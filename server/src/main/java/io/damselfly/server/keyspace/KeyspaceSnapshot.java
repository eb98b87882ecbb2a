package io.damselfly.server.keyspace;

import java.util.concurrent.atomic.LongAdder;

/**
 * A point-in-time copy of every database, taken while the server goes on serving, without fork.
 *
 * <h2>How the moment is kept</h2>
 *
 * <p>Redis forks and lets the kernel copy the pages a write touches; Dragonfly versions its
 * dashtable buckets and serializes a bucket before its first write after the snapshot began. This
 * does what Dragonfly does, by {@link KeyTable} segment: {@link Keyspace#beginSnapshot} takes every
 * shard's lock at once (the snapshot's moment) and gives the snapshot a new epoch; each segment
 * remembers the last epoch that captured it. From then on two paths capture segments, each under
 * the segment's shard lock, so a segment is captured exactly once:
 * <ul>
 *   <li>the <em>walk</em>: {@link #step} visits each shard's tables segment by segment, by hash
 *       position, on the snapshot's own thread;</li>
 *   <li>the <em>write hook</em>: before any change of a key (the shard's {@code beforeChange}, which
 *       every write, expiry and eviction passes), the key's segment is captured if it has not been,
 *       so the snapshot gets its entries as they were at the moment.</li>
 * </ul>
 * A segment made after the moment is born captured (an emptied table's; a split's halves inherit
 * their parent's epoch, and only a captured segment can split, since a split follows an insert,
 * which passed the hook). FLUSHDB and SWAPDB capture what is left of their databases first;
 * FLUSHALL abandons the snapshot, as Redis kills its saving child.
 *
 * <p>Entries go to one {@link Sink} per shard, called only under that shard's lock (so never by two
 * threads at once); the sink encodes them and hands the bytes to whoever writes the file. Entries
 * already expired at the moment are left out. The extra memory is what the hook captured and the
 * writer has not written yet: in the worst case (every segment written to before the walk reached
 * it) the whole dataset once, as a fork's copy-on-write at worst copies every page.
 */
public final class KeyspaceSnapshot {
    /** Receives one shard's entries; called only under that shard's lock. */
    public interface Sink {
        /**
         * An entry of database {@code db}: the key (lent for the call) and its absolute expiry
         * ({@link Database#NO_EXPIRY} for none); the value follows through the visitor returned.
         */
        ValueVisitor entry(int db, byte[] key, long expiresAt);

        /** A segment's entries are complete: a point where the sink may hand its bytes on. */
        void segmentDone();
    }

    private final Keyspace keyspace;
    private final int epoch;
    private final long moment;
    private final Sink[] sinks;
    /** Per shard: the database the walk is in and the next hash position in it. */
    private final int[] walkDb;
    private final long[] walkPosition;
    private final LongAdder keys = new LongAdder();
    private final LongAdder capturedByWrites = new LongAdder();
    private volatile boolean abandoned;

    KeyspaceSnapshot(Keyspace keyspace, int epoch, long moment, Sink[] sinks) {
        this.keyspace = keyspace;
        this.epoch = epoch;
        this.moment = moment;
        this.sinks = sinks;
        this.walkDb = new int[sinks.length];
        this.walkPosition = new long[sinks.length];
    }

    int epoch() {
        return epoch;
    }

    /** The snapshot's moment, Unix ms. */
    public long moment() {
        return moment;
    }

    /** Keys captured so far, by the walk and the hook together. */
    public long keysCaptured() {
        return keys.sum();
    }

    /** Segments the write hook captured ahead of the walk (copy-on-write work). */
    public long segmentsCapturedByWrites() {
        return capturedByWrites.sum();
    }

    /** Whether FLUSHALL abandoned the snapshot; its output must be thrown away. */
    public boolean isAbandoned() {
        return abandoned;
    }

    /**
     * Walks on in one shard under its lock, capturing segments until about {@code maxEntries}
     * entries have gone to its sink; false when the shard is done (every database) or the snapshot
     * was abandoned. The lock is held for one call only, so writers wait at most that long.
     */
    public boolean step(int shardIndex, int maxEntries) {
        Shard shard = keyspace.shard(shardIndex);
        shard.lock();
        try {
            int budget = maxEntries;
            while (!abandoned && walkDb[shardIndex] < keyspace.databases()) {
                int db = walkDb[shardIndex];
                KeyTable table = shard.tableForSnapshot(db);
                long position = walkPosition[shardIndex];
                if (position >= KeyTable.SNAPSHOT_END) {
                    walkDb[shardIndex]++;
                    walkPosition[shardIndex] = 0;
                    continue;
                }
                if (budget <= 0) {
                    return true;
                }
                budget -= Math.max(1, table.segmentSizeAt(position));
                walkPosition[shardIndex] = table.captureAt(position, epoch, e -> emit(shardIndex, db, e));
                sinks[shardIndex].segmentDone();
            }
            return false;
        } finally {
            shard.unlock();
        }
    }

    /** Ends the snapshot: writes no longer capture anything. Call once the walk is done or abandoned. */
    public void end() {
        keyspace.endSnapshot(this);
    }

    /** The hook, under the shard's lock: a key of {@code table} is about to change. */
    void beforeChange(int shardIndex, int db, KeyTable table, byte[] key) {
        if (table.captureSegmentOf(Keyspace.tableHash(key), epoch, e -> emit(shardIndex, db, e))) {
            capturedByWrites.increment();
            sinks[shardIndex].segmentDone();
        }
    }

    /** Captures everything a table still holds for the snapshot, before FLUSHDB or SWAPDB changes it. */
    void captureRest(int shardIndex, int db, KeyTable table) {
        for (long p = 0; p < KeyTable.SNAPSHOT_END; ) {
            p = table.captureAt(p, epoch, e -> emit(shardIndex, db, e));
        }
        sinks[shardIndex].segmentDone();
    }

    /** FLUSHALL, under every shard's lock: nothing more is captured and the output is void. */
    void abandon() {
        abandoned = true;
    }

    private void emit(int shardIndex, int db, Object entry) {
        if (Entries.isExpired(entry, moment)) {
            return;
        }
        ValueVisitor v = sinks[shardIndex].entry(db, Entries.key(entry), Entries.expiresAt(entry));
        KeyOps.visit(entry, v);
        keys.increment();
    }
}
