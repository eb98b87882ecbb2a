package io.damselfly.server.rdb;

import io.damselfly.server.keyspace.ValueVisitor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Serializes one value in Redis 7.0's RDB object format (rdbSaveObjectType + rdbSaveObject) as
 * the keyspace walks it: the type byte, then the object. What DUMP payloads and RDB files hold.
 *
 * <p>The forms are those Redis 7.0 writes for the same encodings: strings as raw bytes, in the
 * integer encodings when they spell a 32-bit integer, LZF-compressed past 20 bytes when that
 * pays (any string, compact blobs included, as rdbSaveRawString); lists as
 * QUICKLIST_2 of listpack nodes (list-max-listpack-size's default of 8 KB each); an intset as
 * SET_INTSET, other sets as SET; a compact hash or sorted set as HASH_LISTPACK / ZSET_LISTPACK,
 * larger ones as HASH and ZSET_2 (binary scores). A receiver with smaller limits converts on
 * load, as Redis does.
 */
public final class RdbValueWriter implements ValueVisitor {
    /** list-max-listpack-size -2: a quicklist node holds at most 8 KB of listpack. */
    private static final int QUICKLIST_NODE_BYTES = 8192;

    private final RdbOutput out;
    /** The list being written: its elements go to nodes of at most QUICKLIST_NODE_BYTES. */
    private List<byte[]> listNodes;
    private ListpackWriter node;
    private int remaining;
    /** A compact hash or sorted set's single listpack, or an intset's members. */
    private ListpackWriter pack;
    private long[] ints;
    private int intCount;
    /** Writes stream bodies; made for the first stream and reused. */
    private StreamRdbWriter streams;

    public RdbValueWriter(RdbOutput out) {
        this.out = out;
    }

    /**
     * A key to write right after the next value's type byte, as an RDB file's entry holds it
     * (rdbSaveKeyValuePair: type, key, value); DUMP payloads have none.
     */
    void keyAfterType(byte[] key) {
        pendingKey = key;
    }

    private byte[] pendingKey;

    /** The type byte, then the pending key if there is one. */
    private void type(int type) {
        out.writeByte(type);
        if (pendingKey != null) {
            out.writeString(pendingKey, 0, pendingKey.length);
            pendingKey = null;
        }
    }

    @Override
    public void string(byte[] value, int offset, int length) {
        type(RdbFormat.TYPE_STRING);
        out.writeString(value, offset, length);
    }

    @Override
    public void list(int size) {
        type(RdbFormat.TYPE_LIST_QUICKLIST_2);
        listNodes = new ArrayList<>();
        node = new ListpackWriter();
        remaining = size;
        if (size == 0) {
            finishList();
        }
    }

    @Override
    public void listElement(byte[] element) {
        if (node.count() > 0 && node.bytes() + element.length + 11 > QUICKLIST_NODE_BYTES) {
            listNodes.add(node.finish());
            node = new ListpackWriter();
        }
        node.add(element);
        if (--remaining == 0) {
            finishList();
        }
    }

    private void finishList() {
        if (node.count() > 0) {
            listNodes.add(node.finish());
        }
        out.writeLength(listNodes.size());
        for (byte[] lp : listNodes) {
            out.writeLength(RdbFormat.QUICKLIST_PACKED);
            out.writeString(lp, 0, lp.length);
        }
        listNodes = null;
        node = null;
    }

    @Override
    public void set(int size, boolean intset) {
        if (intset) {
            type(RdbFormat.TYPE_SET_INTSET);
            ints = new long[size];
            intCount = 0;
            if (size == 0) {
                finishIntSet();
            }
        } else {
            type(RdbFormat.TYPE_SET);
            out.writeLength(size);
        }
    }

    @Override
    public void setMember(byte[] member) {
        if (ints == null) {
            out.writeString(member, 0, member.length);
            return;
        }
        Long v = RdbOutput.canonicalLong(member, 0, member.length);
        if (v == null) {
            throw new IllegalStateException("intset member that is not an integer");
        }
        ints[intCount++] = v;
        if (intCount == ints.length) {
            finishIntSet();
        }
    }

    /** The intset blob: the narrowest width holding every member, ascending (the order given). */
    private void finishIntSet() {
        int width = 2;
        for (long v : ints) {
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                width = 8;
            } else if ((v < Short.MIN_VALUE || v > Short.MAX_VALUE) && width < 4) {
                width = 4;
            }
        }
        RdbOutput blob = new RdbOutput(8 + ints.length * width);
        blob.writeLittleEndian(width, 4);
        blob.writeLittleEndian(ints.length, 4);
        Arrays.sort(ints);
        for (long v : ints) {
            blob.writeLittleEndian(v, width);
        }
        out.writeString(blob.array(), 0, blob.size());
        ints = null;
    }

    @Override
    public void hash(int size, boolean compact) {
        startPairs(size, compact, RdbFormat.TYPE_HASH_LISTPACK, RdbFormat.TYPE_HASH);
    }

    @Override
    public void hashField(byte[] field, int fieldOffset, int fieldLength, byte[] value, int valueOffset, int valueLength) {
        if (pack != null) {
            pack.add(field, fieldOffset, fieldLength);
            pack.add(value, valueOffset, valueLength);
            finishPackWhenFull();
        } else {
            out.writeString(field, fieldOffset, fieldLength);
            out.writeString(value, valueOffset, valueLength);
        }
    }

    @Override
    public void zset(int size, boolean compact) {
        startPairs(size, compact, RdbFormat.TYPE_ZSET_LISTPACK, RdbFormat.TYPE_ZSET_2);
    }

    @Override
    public void zsetEntry(byte[] member, int offset, int length, double score) {
        if (pack != null) {
            pack.add(member, offset, length);
            pack.addScore(score);
            finishPackWhenFull();
        } else {
            out.writeString(member, offset, length);
            out.writeBinaryDouble(score);
        }
    }

    private void startPairs(int size, boolean compact, int packedType, int plainType) {
        if (compact) {
            type(packedType);
            pack = new ListpackWriter();
            remaining = size;
            finishPackWhenFull();
        } else {
            type(plainType);
            out.writeLength(size);
        }
    }

    private void finishPackWhenFull() {
        if (pack.count() == 2 * remaining) {
            byte[] lp = pack.finish();
            out.writeString(lp, 0, lp.length);
            pack = null;
        }
    }

    // ---- streams: STREAM_LISTPACKS_2, written by the stream codec ----------------------------

    @Override
    public void stream(int nodes, int groups) {
        type(RdbFormat.TYPE_STREAM_LISTPACKS_2);
        if (streams == null) {
            streams = new StreamRdbWriter(out);
        }
        streams.stream(nodes, groups);
    }

    @Override
    public void streamNode(long masterMs, long masterSeq, int entries) {
        streams.streamNode(masterMs, masterSeq, entries);
    }

    @Override
    public void streamEntry(long ms, long seq, boolean deleted, byte[][] fieldsAndValues) {
        streams.streamEntry(ms, seq, deleted, fieldsAndValues);
    }

    @Override
    public void streamMeta(long length, long lastMs, long lastSeq, long firstMs, long firstSeq,
                           long maxDeletedMs, long maxDeletedSeq, long entriesAdded) {
        streams.streamMeta(length, lastMs, lastSeq, firstMs, firstSeq, maxDeletedMs, maxDeletedSeq, entriesAdded);
    }

    @Override
    public void streamGroup(byte[] name, long lastMs, long lastSeq, long entriesRead, int pending, int consumers) {
        streams.streamGroup(name, lastMs, lastSeq, entriesRead, pending, consumers);
    }

    @Override
    public void streamPending(long ms, long seq, long deliveryTimeMs, long deliveryCount) {
        streams.streamPending(ms, seq, deliveryTimeMs, deliveryCount);
    }

    @Override
    public void streamConsumer(byte[] name, long seenTimeMs, long activeTimeMs, int pending) {
        streams.streamConsumer(name, seenTimeMs, activeTimeMs, pending);
    }

    @Override
    public void streamConsumerPending(long ms, long seq) {
        streams.streamConsumerPending(ms, seq);
    }
}
