package io.damselfly.server.keyspace;

import java.util.concurrent.atomic.LongAdder;

/**
 * A point-in-time copy of every database, taken while the server goes on serving, without fork.
 *
 * <h2>How the moment is kept</h2>
 *
 * <p>Redis forks and lets the kernel copy the pages a write touches; Dragonfly versions its
 * dashtable buckets and serializes a bucket before its first write after the snapshot began. Here
 * {@link Keyspace#beginSnapshot} takes every shard's lock at once (the snapshot's moment) and
 * gives the snapshot a new epoch; each {@link KeyTable} segment remembers the last epoch whose walk
 * has been through it. Two paths capture entries, each under the shard's lock:
 * <ul>
 *   <li>the <em>walk</em>: {@link #step} goes through each shard's tables segment by segment, by
 *       hash position, on whatever thread the saver runs it (the event loops, for a background
 *       save), and marks each segment walked;</li>
 *   <li>the <em>write hook</em>: before any change of a key (the shard's {@code beforeChange}, which
 *       every write, expiry and eviction passes) in a segment the walk has not reached, the key
 *       alone is captured as it is (or noted as absent, for a key being created) and remembered
 *       in the shard's set of keys captured ahead, which the walk then skips. A write costs one
 *       entry's encoding, once per key per snapshot, not its segment's: a segment holds up to 896
 *       entries, and encoding those on an event loop before a SET answered showed as
 *       milliseconds of p99.</li>
 * </ul>
 * A segment made after the moment is born walked (an emptied table's); a split's halves inherit
 * their parent's epoch and partition its keys, so the walk by position still meets each entry
 * once. FLUSHDB and SWAPDB capture what is left of their databases first; FLUSHALL abandons the
 * snapshot, as Redis kills its saving child.
 *
 * <p>Entries go to one {@link Sink} per shard, called only under that shard's lock (so never by two
 * threads at once); the sink encodes them and hands the bytes to whoever writes the file. String
 * records, most of a cache, go out as they are, copied into a block, to be encoded (LZF included)
 * by the file's writer away from any lock: under the lock a record costs one copy. Entries
 * already expired but not yet deleted are written too, with their time, as Redis's rdbSaveDb
 * writes them: a load by a primary drops and counts them (rdb_last_load_keys_expired), a replica
 * keeps them until its primary's DEL, an AOF's base until the commands after it have run. The extra memory is what was captured and not yet
 * written, plus the keys captured ahead: in the worst case (every key written before the walk
 * reached it) the dataset once, as a fork's copy-on-write at worst copies every page.
 */
public final class KeyspaceSnapshot {
    /** Receives one shard's entries; called only under that shard's lock. */
    public interface Sink {
        /**
         * An entry of database {@code db}: the key (lent for the call) and its absolute expiry
         * ({@link Database#NO_EXPIRY} for none); the value follows through the visitor returned.
         */
        ValueVisitor entry(int db, byte[] key, long expiresAt);

        /**
         * String records of database {@code db}, copied out as they are in one block (one copy
         * per record, no object: most entries of a cache) for {@link #forEachRecord} to read
         * later, off the lock; the sink copies what it keeps of {@code block}'s first {@code
         * length} bytes.
         */
        void records(int db, byte[] block, int length);

        /** A point between entries where the sink may hand on what it has (it decides by size). */
        void boundary();

        /** The snapshot ends: the sink hands on everything it has. */
        void flush();
    }

    private final Keyspace keyspace;
    private final int epoch;
    private final long moment;
    private final Sink[] sinks;
    /** Per shard: the database the walk is in and the next hash position in it. */
    private final int[] walkDb;
    private final long[] walkPosition;
    /** Per shard: the block of raw records being captured (touched by the lock's holder only). */
    private final byte[][] blocks;
    private final int[] blockLengths;
    /** Per shard and database: keys the write hook captured ahead of the walk; made on first use. */
    private final CapturedKeys[][] capturedAhead;
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
        this.capturedAhead = new CapturedKeys[sinks.length][keyspace.databases()];
        this.blocks = new byte[sinks.length][];
        this.blockLengths = new int[sinks.length];
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

    /** Keys the write hook captured ahead of the walk (copy-on-write work). */
    public long keysCapturedByWrites() {
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
                walkPosition[shardIndex] = capture(shardIndex, db, table, position);
                sinks[shardIndex].boundary();
            }
            return false;
        } finally {
            shard.unlock();
        }
    }

    /**
     * Captures the segment at {@code position} unless it was, under the shard's lock: collections
     * go to the sink's visitor; string records are copied as they are into the shard's block and
     * handed over in one piece, so the lock is held for little more than a copy per record (a
     * record at a time, with its handle object and two arrays, held it four times as long, and an
     * event loop whose command needs the shard waits meanwhile). Keys captured ahead are passed
     * by. Answers the next position.
     */
    private long capture(int shardIndex, int db, KeyTable table, long position) {
        CapturedKeys ahead = capturedAhead[shardIndex][db];
        RecordArena arena = table.arena();
        blockLengths[shardIndex] = 0;
        long next = table.captureAt(position, epoch, (hash, item, handle) -> {
            if (item != null) {
                byte[] k = Entries.key(item);
                if (ahead == null || !ahead.contains(k, hash)) {
                    emitObject(shardIndex, db, item, k);
                }
            } else if (ahead == null || !ahead.containsRecord(arena, handle, hash)) {
                copyRecord(shardIndex, arena, handle);
            }
        });
        handOnRecords(shardIndex, db);
        return next;
    }

    /** Appends the record at {@code handle} to the shard's block. */
    private void copyRecord(int shardIndex, RecordArena arena, int handle) {
        int size = StringRecord.rawSize(arena, handle);
        byte[] block = blocks[shardIndex];
        int length = blockLengths[shardIndex];
        if (block == null || block.length - length < size) {
            block = java.util.Arrays.copyOf(block == null ? new byte[0] : block, Math.max(64 * 1024, (length + size) * 2));
            blocks[shardIndex] = block;
        }
        blockLengths[shardIndex] = StringRecord.copyRaw(arena, handle, size, block, length);
        keys.increment();
    }

    /** Gives the sink the records copied into the shard's block, if any, and empties the block. */
    private void handOnRecords(int shardIndex, int db) {
        if (blockLengths[shardIndex] > 0) {
            sinks[shardIndex].records(db, blocks[shardIndex], blockLengths[shardIndex]);
            blockLengths[shardIndex] = 0;
        }
    }

    /** Receives the records of a block handed to {@link Sink#records}: key and value lent as ranges of it. */
    public interface RecordVisitor {
        void record(byte[] block, int keyOffset, int keyLength, int valueOffset, int valueLength, long expiresAt);
    }

    /** Reads a block of records a sink was handed, in order. */
    public static void forEachRecord(byte[] block, int length, RecordVisitor visitor) {
        StringRecord.forEachRaw(block, length, visitor);
    }

    /** Ends the snapshot: writes no longer capture anything. Call once the walk is done or abandoned. */
    public void end() {
        keyspace.endSnapshot(this);
    }

    /**
     * The hook, under the shard's lock: a key of {@code table} is about to change. Unless the walk
     * has been through its segment or the key was captured already, the key is captured now (its
     * entry, or nothing when it does not exist yet) and the walk will pass it by.
     */
    void beforeChange(int shardIndex, int db, KeyTable table, byte[] key, int hash) {
        if (table.segmentCaptured(hash, epoch)) {
            return;
        }
        CapturedKeys ahead = capturedAhead[shardIndex][db];
        if (ahead == null) {
            ahead = new CapturedKeys();
            capturedAhead[shardIndex][db] = ahead;
        }
        if (!ahead.add(key, hash)) {
            return;
        }
        capturedByWrites.increment();
        Object e = table.find(key, hash);
        if (e instanceof StringRecord r) {
            copyRecord(shardIndex, table.arena(), r.handle);
            handOnRecords(shardIndex, db);
        } else if (e != null) {
            emitObject(shardIndex, db, e, key);
        }
        sinks[shardIndex].boundary();
    }

    /** Captures everything a table still holds for the snapshot, before FLUSHDB or SWAPDB changes it. */
    void captureRest(int shardIndex, int db, KeyTable table) {
        for (long p = 0; p < KeyTable.SNAPSHOT_END; ) {
            p = capture(shardIndex, db, table, p);
            sinks[shardIndex].boundary();
        }
        // the table's keys are all captured now; whatever it holds after is not the moment's
        releaseCaptured(shardIndex, db);
    }

    /** The end, under every shard's lock: the sinks hand on what they hold and the key sets go. */
    void finish() {
        for (int shard = 0; shard < capturedAhead.length; shard++) {
            for (int db = 0; db < capturedAhead[shard].length; db++) {
                releaseCaptured(shard, db);
            }
        }
        for (Sink s : sinks) {
            s.flush();
        }
    }

    private void releaseCaptured(int shardIndex, int db) {
        CapturedKeys ahead = capturedAhead[shardIndex][db];
        if (ahead != null) {
            capturedAhead[shardIndex][db] = null;
            ahead.release();
        }
    }

    /** FLUSHALL, under every shard's lock: nothing more is captured and the output is void. */
    void abandon() {
        abandoned = true;
    }

    /** An object entry (a collection, or a string that grew) goes to the sink's visitor. */
    private void emitObject(int shardIndex, int db, Object entry, byte[] key) {
        KeyOps.visit(entry, sinks[shardIndex].entry(db, key, Entries.expiresAt(entry)));
        keys.increment();
    }
}
