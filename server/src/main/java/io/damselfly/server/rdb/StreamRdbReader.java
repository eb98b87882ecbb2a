package io.damselfly.server.rdb;

/**
 * Reads one stream object body (the type byte already read) of RDB_TYPE_STREAM_LISTPACKS (15,
 * RDB 9), STREAM_LISTPACKS_2 (19, Redis 7.0) or STREAM_LISTPACKS_3 (21, Redis 7.2) into calls on
 * a {@link Sink}, as rdbLoadObject reads it; knows nothing of the keyspace.
 *
 * <p>The layout is the one {@link StreamRdbWriter} documents. Type 15 lacks the first ID, the
 * max-deleted ID, entries_added and each group's entries_read: they are derived as rdbLoadObject
 * derives them (first ID: the first live entry's, or 2^64-1-2^64-1 when none; max-deleted 0-0;
 * entries_added the length; entries_read streamEstimateDistanceFromFirstEverEntry's, -1 when
 * unknown). Type 21 adds each consumer's active-time; before it, active-time is the seen-time.
 * IDs, counters and entries_read are Redis's unsigned 64-bit numbers in {@code long}s (compare
 * them unsigned; -1 is 2^64-1), times are milliseconds.
 *
 * <p>Validation is Redis's loader's (node keys of 16 bytes, listpack integrity, a node with entries,
 * the master entry and every entry laid out as streamValidateListpackIntegrity walks them, lp-count
 * right, a stream length with no node, duplicate groups, consumers and PEL entries, a consumer's
 * PEL entry missing from its group's PEL), plus what Redis leaves to its invariants and the
 * keyspace needs to hold: IDs strictly increasing through the stream (so nodes in ID order, a
 * node's first entry at its master ID), the master entry's live and deleted counts equal to the
 * entries', the length equal to the live entries, the last ID not below the last entry, and every
 * group PEL entry owned by exactly one consumer (Redis checks that only with deep sanitization).
 * Every failure is a {@link RdbFormatException}. Counts never size an allocation before they are
 * checked against the bytes that must hold them, and every loop consumes input, so garbage ends
 * in an error, never in a hang.
 */
public final class StreamRdbReader {
    /**
     * What the reader feeds: entries in order, then the metadata, then the groups, each followed
     * by its PEL and its consumers with theirs. Arrays handed over are the sink's to keep; the
     * field arrays of SAMEFIELDS entries are shared between the entries of one node.
     */
    public interface Sink {
        /**
         * An entry, deleted (a tombstone kept in its node) or not; {@code newNode} on a node's first.
         * False: its ID is not above the previous entry's.
         */
        boolean append(long ms, long seq, boolean deleted, boolean newNode, byte[][] fieldsAndValues);

        /** The stream's counters and IDs, after its entries (type 15's derived as described above). */
        void meta(long length, long lastMs, long lastSeq, long firstMs, long firstSeq,
                  long maxDeletedMs, long maxDeletedSeq, long entriesAdded);

        /** A consumer group; false: a group of that name exists. */
        boolean group(byte[] name, long lastMs, long lastSeq, long entriesRead);

        /** An entry of the group's PEL, not owned yet; false: already in that PEL. */
        boolean pending(byte[] group, long ms, long seq, long deliveryTimeMs, long deliveryCount);

        /** A consumer of the group; false: the group has a consumer of that name. */
        boolean consumer(byte[] group, byte[] name, long seenTimeMs, long activeTimeMs);

        /** The consumer owns the group PEL entry; false: not in the group PEL, or already owned. */
        boolean consumerPending(byte[] group, byte[] consumer, long ms, long seq);
    }

    /** SCG_INVALID_ENTRIES_READ: a group's entries_read when it cannot be known. */
    public static final long INVALID_ENTRIES_READ = -1;

    /** Each entry spans at least flags, ms, seq and lp-count, two bytes apiece at the least. */
    private static final int MIN_ENTRY_BYTES = 8;

    private final RdbInput in;
    private final int type;
    private final Sink sink;

    // what the entries showed, for the checks and type 15's derived fields
    private long liveEntries;
    private boolean anyEntry;
    private long lastEntryMs;
    private long lastEntrySeq;
    private boolean anyLive;
    private long firstLiveMs;
    private long firstLiveSeq;

    private StreamRdbReader(RdbInput in, int type, Sink sink) {
        this.in = in;
        this.type = type;
        this.sink = sink;
    }

    /** Reads a stream object of {@code type} (15, 19 or 21) from {@code in} into {@code sink}. */
    public static void read(RdbInput in, int type, Sink sink) throws RdbFormatException {
        if (type != RdbFormat.TYPE_STREAM_LISTPACKS && type != RdbFormat.TYPE_STREAM_LISTPACKS_2
                && type != RdbFormat.TYPE_STREAM_LISTPACKS_3) {
            throw new RdbFormatException("not a stream type: " + type);
        }
        new StreamRdbReader(in, type, sink).read();
    }

    private void read() throws RdbFormatException {
        long nodes = in.readLength();
        for (long n = 0; n < nodes; n++) {
            byte[] key = in.readString();
            if (key.length != StreamRdbWriter.ID_BYTES) {
                throw new RdbFormatException("stream node key is not the size of a stream ID");
            }
            node(in.readString(), bigEndian(key, 0), bigEndian(key, 8));
        }

        long length = in.readUnsignedLength();
        long lastMs = in.readUnsignedLength();
        long lastSeq = in.readUnsignedLength();
        long firstMs;
        long firstSeq;
        long maxDeletedMs;
        long maxDeletedSeq;
        long entriesAdded;
        if (type == RdbFormat.TYPE_STREAM_LISTPACKS) {
            // rdbLoadObject's migration: streamGetEdgeID skipping tombstones, max-deleted 0-0
            firstMs = anyLive ? firstLiveMs : -1;
            firstSeq = anyLive ? firstLiveSeq : -1;
            maxDeletedMs = 0;
            maxDeletedSeq = 0;
            entriesAdded = length;
        } else {
            firstMs = in.readUnsignedLength();
            firstSeq = in.readUnsignedLength();
            maxDeletedMs = in.readUnsignedLength();
            maxDeletedSeq = in.readUnsignedLength();
            entriesAdded = in.readUnsignedLength();
        }
        if (length != 0 && nodes == 0) {
            throw new RdbFormatException("stream length inconsistent with its nodes");
        }
        if (length != liveEntries) {
            throw new RdbFormatException("stream length " + Long.toUnsignedString(length) + " but " + liveEntries + " live entries");
        }
        if (anyEntry && compare(lastMs, lastSeq, lastEntryMs, lastEntrySeq) < 0) {
            throw new RdbFormatException("stream last ID below its last entry");
        }
        sink.meta(length, lastMs, lastSeq, firstMs, firstSeq, maxDeletedMs, maxDeletedSeq, entriesAdded);

        long groups = in.readLength();
        for (long g = 0; g < groups; g++) {
            byte[] name = in.readString();
            long groupMs = in.readUnsignedLength();
            long groupSeq = in.readUnsignedLength();
            long entriesRead = type == RdbFormat.TYPE_STREAM_LISTPACKS
                    ? estimateEntriesRead(length, lastMs, lastSeq, firstMs, firstSeq, maxDeletedMs, maxDeletedSeq, entriesAdded, groupMs, groupSeq)
                    : in.readUnsignedLength();
            if (!sink.group(name, groupMs, groupSeq, entriesRead)) {
                throw new RdbFormatException("duplicate consumer group");
            }
            group(name);
        }
    }

    /** One node: its listpack checked and walked, each entry handed to the sink. */
    private void node(byte[] blob, long masterMs, long masterSeq) throws RdbFormatException {
        ListpackCursor lp = new ListpackCursor(blob);
        if (lp.atEnd()) {
            throw new RdbFormatException("empty listpack inside stream");
        }
        long live = lp.nextLong("master entry count");
        long deleted = lp.nextLong("master deleted count");
        long masterCount = lp.nextLong("master field count");
        if (live < 0 || deleted < 0 || masterCount < 0 || masterCount > lp.bytesLeft() / 2) {
            throw new RdbFormatException("stream node master entry with a bad count");
        }
        byte[][] masterFields = new byte[(int) masterCount][];
        for (int i = 0; i < masterFields.length; i++) {
            masterFields[i] = lp.nextBytes("master field");
        }
        if (lp.nextLong("master entry terminator") != 0) {
            throw new RdbFormatException("stream node master entry without its terminator");
        }
        if (live > lp.bytesLeft() / MIN_ENTRY_BYTES || deleted > lp.bytesLeft() / MIN_ENTRY_BYTES) {
            throw new RdbFormatException("stream node counts more entries than it holds");
        }
        long entries = live + deleted;
        if (entries == 0) {
            // entries are flagged, never removed, and a node goes when its last live entry does; a
            // node of tombstones only can remain (an exact MINID trim stopping at a tombstone)
            throw new RdbFormatException("stream node without entries");
        }
        long liveSeen = 0;
        for (long e = 0; e < entries; e++) {
            long flags = lp.nextLong("entry flags");
            long ms = masterMs + lp.nextLong("entry ID");
            long seq = masterSeq + lp.nextLong("entry ID");
            boolean same = (flags & StreamRdbWriter.FLAG_SAMEFIELDS) != 0;
            long fields = same ? masterCount : lp.nextLong("entry field count");
            if (fields < 0 || (same ? fields : 2 * fields) > lp.bytesLeft() / 2) {
                throw new RdbFormatException("stream entry with a bad field count");
            }
            byte[][] fieldsAndValues = new byte[2 * (int) fields][];
            for (int i = 0; i < fields; i++) {
                fieldsAndValues[2 * i] = same ? masterFields[i] : lp.nextBytes("entry field");
                fieldsAndValues[2 * i + 1] = lp.nextBytes("entry value");
            }
            long lpCount = lp.nextLong("entry lp-count");
            if (lpCount != (same ? fields + 3 : 2 * fields + 4)) {
                throw new RdbFormatException("stream entry with a wrong lp-count");
            }
            if (e == 0 && (ms != masterMs || seq != masterSeq)) {
                throw new RdbFormatException("stream node's first entry is not at its master ID");
            }
            boolean isDeleted = (flags & StreamRdbWriter.FLAG_DELETED) != 0;
            if (!sink.append(ms, seq, isDeleted, e == 0, fieldsAndValues)) {
                throw new RdbFormatException("stream entry IDs not increasing");
            }
            anyEntry = true;
            lastEntryMs = ms;
            lastEntrySeq = seq;
            if (!isDeleted) {
                liveSeen++;
                if (!anyLive) {
                    anyLive = true;
                    firstLiveMs = ms;
                    firstLiveSeq = seq;
                }
            }
        }
        if (!lp.atEnd()) {
            throw new RdbFormatException("stream node with data after its last entry");
        }
        if (liveSeen != live) {
            throw new RdbFormatException("stream node master entry counts disagree with its entries");
        }
        liveEntries += live;
    }

    /** A group's PEL, then its consumers and theirs; every PEL entry must end up owned once. */
    private void group(byte[] name) throws RdbFormatException {
        long pending = in.readLength();
        for (long i = 0; i < pending; i++) {
            byte[] rawId = in.readBytes(StreamRdbWriter.ID_BYTES);
            long deliveryTime = in.readLittleEndian(8);
            long deliveryCount = in.readUnsignedLength();
            if (!sink.pending(name, bigEndian(rawId, 0), bigEndian(rawId, 8), deliveryTime, deliveryCount)) {
                throw new RdbFormatException("duplicate entry in a consumer group's PEL");
            }
        }
        long consumers = in.readLength();
        long owned = 0;
        for (long c = 0; c < consumers; c++) {
            byte[] consumer = in.readString();
            long seen = in.readLittleEndian(8);
            long active = type == RdbFormat.TYPE_STREAM_LISTPACKS_3 ? in.readLittleEndian(8) : seen;
            if (!sink.consumer(name, consumer, seen, active)) {
                throw new RdbFormatException("duplicate consumer in a consumer group");
            }
            long own = in.readLength();
            for (long i = 0; i < own; i++) {
                byte[] rawId = in.readBytes(StreamRdbWriter.ID_BYTES);
                if (!sink.consumerPending(name, consumer, bigEndian(rawId, 0), bigEndian(rawId, 8))) {
                    throw new RdbFormatException("consumer PEL entry not in its group's PEL, or owned twice");
                }
                owned++;
            }
        }
        if (owned != pending) {
            throw new RdbFormatException("consumer group PEL entry without a consumer");
        }
    }

    /**
     * streamEstimateDistanceFromFirstEverEntry: how many entries were added up to {@code id}
     * (a group's entries_read), when the stream's counters tell it; else -1.
     */
    static long estimateEntriesRead(long length, long lastMs, long lastSeq, long firstMs, long firstSeq,
                                    long maxDeletedMs, long maxDeletedSeq, long entriesAdded, long ms, long seq) {
        if (entriesAdded == 0) {
            // nothing was ever added
            return 0;
        }
        int toLast = compare(ms, seq, lastMs, lastSeq);
        if (length == 0 && toLast <= 0) {
            return entriesAdded;
        }
        if (toLast == 0) {
            return entriesAdded;
        } else if (toLast > 0) {
            return INVALID_ENTRIES_READ;
        }
        int toFirst = compare(ms, seq, firstMs, firstSeq);
        boolean noTombstones = (maxDeletedMs == 0 && maxDeletedSeq == 0) || compare(maxDeletedMs, maxDeletedSeq, firstMs, firstSeq) < 0;
        if (noTombstones) {
            if (toFirst < 0) {
                return entriesAdded - length;
            } else if (toFirst == 0) {
                return entriesAdded - length + 1;
            }
        }
        return INVALID_ENTRIES_READ;
    }

    /** streamCompareID: IDs as unsigned 64-bit pairs. */
    static int compare(long ms1, long seq1, long ms2, long seq2) {
        int c = Long.compareUnsigned(ms1, ms2);
        return c != 0 ? c : Long.compareUnsigned(seq1, seq2);
    }

    /** streamDecodeID's half: 8 bytes, big endian. */
    private static long bigEndian(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}
