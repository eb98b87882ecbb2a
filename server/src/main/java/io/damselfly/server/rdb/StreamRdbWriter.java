package io.damselfly.server.rdb;

import java.util.Arrays;

/**
 * Writes one stream's object body (what follows the type byte) in RDB_TYPE_STREAM_LISTPACKS_2,
 * Redis 7.0's form, as rdbSaveObject writes it, from calls that walk the stream in order:
 * {@link #stream}, then per node {@link #streamNode} and its {@link #streamEntry}s, then {@link
 * #streamMeta}, then per consumer group {@link #streamGroup}, its {@link #streamPending}s, and
 * per consumer {@link #streamConsumer} and its {@link #streamConsumerPending}s. Knows nothing of
 * the keyspace; arrays are lent for the call only. Calls out of order are bugs
 * ({@link IllegalStateException}).
 *
 * <p>Layout (rdbSaveObject, OBJ_STREAM): the node count; per node its master ID as a 16-byte
 * big-endian string (the rax key) and its listpack as a string; the length; the last, first and
 * max-deleted IDs (ms and seq each as a length, an unsigned 64-bit number); entries_added; the
 * group count; per group its name, last-delivered ID, entries_read (-1 as 2^64-1), the group PEL
 * (count, then per entry the raw 16-byte ID, delivery time as 8 bytes little endian and delivery
 * count), the consumer count, and per consumer its name, seen-time (8 bytes) and PEL (count, raw
 * IDs). Consumers' active-time is Redis 7.2's (type 21) and is not written.
 *
 * <p>A node's listpack is t_stream.c's: the master entry (live count, deleted count, the master
 * fields, which are the fields of the node's first entry, and a 0 terminator), then per entry its
 * flags (DELETED, SAMEFIELDS when its fields are the master's), its ID as ms and seq differences
 * from the master ID, its field count and fields unless SAMEFIELDS, its values, and lp-count (the
 * listpack entries it spans, for walking backwards); integers as listpack integers. The counts
 * of the master entry are known only when the node ends, so the entries go to one buffer and the
 * listpack is assembled when the last one arrives: one node is buffered at a time, never the
 * stream.
 */
public final class StreamRdbWriter {
    /** STREAM_ITEM_FLAG_DELETED: the entry was XDELed or trimmed but stays in its node. */
    static final int FLAG_DELETED = 1;
    /** STREAM_ITEM_FLAG_SAMEFIELDS: the entry's fields are the master entry's, not repeated. */
    static final int FLAG_SAMEFIELDS = 2;
    /** A stream ID as a rax key: ms then seq, 8 bytes each, big endian. */
    static final int ID_BYTES = 16;

    private final RdbOutput out;

    // what is still due, to catch a walk out of order
    private long nodesLeft = -1;
    private int entriesLeft;
    private boolean metaDone;
    private long groupsLeft;
    private long pendingLeft;
    private long consumersLeft;
    private long consumerPendingLeft;
    /** The consumer count of the group being written: written after its PEL. */
    private long groupConsumers;

    // the node being written
    private long masterMs;
    private long masterSeq;
    private byte[][] masterFields;
    private ListpackWriter entries;
    private long live;
    private long deleted;

    private final byte[] id = new byte[ID_BYTES];

    public StreamRdbWriter(RdbOutput out) {
        this.out = out;
    }

    /**
     * Opens a stream: {@code nodes} nodes follow, then the metadata, then {@code groups} groups.
     * A writer serves one stream after another, each opened once the previous one is complete.
     */
    public void stream(int nodes, int groups) {
        if (nodesLeft != -1 && !complete()) {
            throw new IllegalStateException("stream opened before the previous one is complete");
        }
        if (nodes < 0 || groups < 0) {
            throw new IllegalArgumentException("negative count");
        }
        nodesLeft = nodes;
        groupsLeft = groups;
        metaDone = false;
        out.writeLength(nodes);
    }

    /** Opens a node whose rax key is the master ID, holding {@code entries} entries (live and deleted). */
    public void streamNode(long masterMs, long masterSeq, int entries) {
        if (nodesLeft <= 0 || entriesLeft != 0) {
            throw new IllegalStateException("node out of order");
        }
        if (entries <= 0) {
            throw new IllegalArgumentException("a stream node holds at least one entry");
        }
        nodesLeft--;
        writeId(masterMs, masterSeq, true);
        this.masterMs = masterMs;
        this.masterSeq = masterSeq;
        this.masterFields = null;
        this.entries = new ListpackWriter();
        this.entriesLeft = entries;
        this.live = 0;
        this.deleted = 0;
    }

    /** One entry of the current node, in ID order: {@code f1, v1, f2, v2...}. */
    public void streamEntry(long ms, long seq, boolean deleted, byte[][] fieldsAndValues) {
        if (entriesLeft <= 0) {
            throw new IllegalStateException("entry outside a node");
        }
        if (fieldsAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("a field without its value");
        }
        int fields = fieldsAndValues.length / 2;
        if (masterFields == null) {
            masterFields = new byte[fields][];
            for (int i = 0; i < fields; i++) {
                masterFields[i] = fieldsAndValues[2 * i].clone();
            }
        }
        boolean same = fields == masterFields.length;
        for (int i = 0; same && i < fields; i++) {
            same = Arrays.equals(masterFields[i], fieldsAndValues[2 * i]);
        }
        ListpackWriter lp = entries;
        lp.addLong((deleted ? FLAG_DELETED : 0) | (same ? FLAG_SAMEFIELDS : 0));
        // differences wrap as Redis's unsigned arithmetic does: the reader adds them back the same way
        lp.addLong(ms - masterMs);
        lp.addLong(seq - masterSeq);
        if (!same) {
            lp.addLong(fields);
        }
        for (int i = 0; i < fields; i++) {
            if (!same) {
                lp.add(fieldsAndValues[2 * i]);
            }
            lp.add(fieldsAndValues[2 * i + 1]);
        }
        // lp-count: flags, ms, seq and the values; with the field count and fields unless SAMEFIELDS
        lp.addLong(same ? fields + 3 : 2L * fields + 4);
        if (deleted) {
            this.deleted++;
        } else {
            live++;
        }
        if (--entriesLeft == 0) {
            finishNode();
        }
    }

    /** The master entry in front of the entries; the node's listpack as a string. */
    private void finishNode() {
        ListpackWriter lp = new ListpackWriter();
        lp.addLong(live);
        lp.addLong(deleted);
        lp.addLong(masterFields.length);
        for (byte[] f : masterFields) {
            lp.add(f);
        }
        lp.addLong(0);
        lp.addAll(entries);
        entries = null;
        masterFields = null;
        byte[] blob = lp.finish();
        out.writeString(blob, 0, blob.length);
    }

    /** The stream's metadata, after its nodes. */
    public void streamMeta(long length, long lastMs, long lastSeq, long firstMs, long firstSeq,
                           long maxDeletedMs, long maxDeletedSeq, long entriesAdded) {
        if (nodesLeft != 0 || entriesLeft != 0 || metaDone) {
            throw new IllegalStateException("metadata out of order");
        }
        metaDone = true;
        out.writeUnsignedLength(length);
        out.writeUnsignedLength(lastMs);
        out.writeUnsignedLength(lastSeq);
        out.writeUnsignedLength(firstMs);
        out.writeUnsignedLength(firstSeq);
        out.writeUnsignedLength(maxDeletedMs);
        out.writeUnsignedLength(maxDeletedSeq);
        out.writeUnsignedLength(entriesAdded);
        out.writeLength(groupsLeft);
    }

    /**
     * A consumer group, in name order: its last-delivered ID, entries_read (-1 when unknown), then
     * {@code pending} PEL entries and {@code consumers} consumers.
     */
    public void streamGroup(byte[] name, long lastMs, long lastSeq, long entriesRead, int pending, int consumers) {
        if (!metaDone || groupsLeft <= 0 || pendingLeft != 0 || consumersLeft != 0) {
            throw new IllegalStateException("group out of order");
        }
        if (pending < 0 || consumers < 0) {
            throw new IllegalArgumentException("negative count");
        }
        groupsLeft--;
        out.writeString(name, 0, name.length);
        out.writeUnsignedLength(lastMs);
        out.writeUnsignedLength(lastSeq);
        out.writeUnsignedLength(entriesRead);
        out.writeLength(pending);
        pendingLeft = pending;
        groupConsumers = consumers;
        if (pending == 0) {
            startConsumers();
        }
    }

    /** One entry of the group's PEL, in ID order. */
    public void streamPending(long ms, long seq, long deliveryTimeMs, long deliveryCount) {
        if (pendingLeft <= 0) {
            throw new IllegalStateException("pending entry out of order");
        }
        writeId(ms, seq, false);
        out.writeLittleEndian(deliveryTimeMs, 8);
        out.writeUnsignedLength(deliveryCount);
        if (--pendingLeft == 0) {
            startConsumers();
        }
    }

    private void startConsumers() {
        out.writeLength(groupConsumers);
        consumersLeft = groupConsumers;
    }

    /**
     * A consumer of the current group, in name order, with {@code pending} entries of its own PEL
     * to follow. {@code activeTimeMs} is Redis 7.2's and is not written.
     */
    public void streamConsumer(byte[] name, long seenTimeMs, long activeTimeMs, int pending) {
        if (consumersLeft <= 0 || pendingLeft != 0 || consumerPendingLeft != 0) {
            throw new IllegalStateException("consumer out of order");
        }
        if (pending < 0) {
            throw new IllegalArgumentException("negative count");
        }
        consumersLeft--;
        out.writeString(name, 0, name.length);
        out.writeLittleEndian(seenTimeMs, 8);
        out.writeLength(pending);
        consumerPendingLeft = pending;
    }

    /** One entry of the current consumer's PEL, in ID order. */
    public void streamConsumerPending(long ms, long seq) {
        if (consumerPendingLeft <= 0) {
            throw new IllegalStateException("consumer pending entry out of order");
        }
        consumerPendingLeft--;
        writeId(ms, seq, false);
    }

    /** True once everything announced has been written. */
    public boolean complete() {
        return metaDone && groupsLeft == 0 && pendingLeft == 0 && consumersLeft == 0 && consumerPendingLeft == 0;
    }

    /** streamEncodeID: a stream ID as 16 bytes, big endian; as an RDB string for a node key, raw in a PEL. */
    private void writeId(long ms, long seq, boolean asString) {
        for (int i = 0; i < 8; i++) {
            id[i] = (byte) (ms >>> (56 - 8 * i));
            id[8 + i] = (byte) (seq >>> (56 - 8 * i));
        }
        if (asString) {
            // rdbSaveRawString: 16 bytes are neither an integer nor long enough to compress
            out.writeString(id, 0, ID_BYTES);
        } else {
            out.writeBytes(id, 0, ID_BYTES);
        }
    }
}
