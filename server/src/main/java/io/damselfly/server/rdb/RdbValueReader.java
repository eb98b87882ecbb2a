package io.damselfly.server.rdb;

import io.damselfly.server.keyspace.Value;
import io.damselfly.server.keyspace.ValueBuilder;
import java.util.List;

/**
 * Deserializes one value of the RDB object format (rdbLoadObjectType + rdbLoadObject) into a
 * keyspace value through a {@link ValueBuilder}: every type Redis 7.0 reads in DUMP payloads and
 * RDB files, in plain and compact forms: STRING (raw, int8/16/32, LZF), LIST, LIST_ZIPLIST,
 * LIST_QUICKLIST (ziplist nodes), LIST_QUICKLIST_2 (listpack and plain nodes), SET, SET_INTSET,
 * HASH, HASH_ZIPMAP, HASH_ZIPLIST, HASH_LISTPACK, ZSET (text scores), ZSET_2 (binary scores),
 * ZSET_ZIPLIST, ZSET_LISTPACK; and Redis 7.2's SET_LISTPACK in RDB 11 files. Streams (types 15,
 * 19, and 21 in RDB 11) are read by {@link StreamRdbReader} into the builder's stream values. Modules are refused, as is anything Redis would refuse on load: an
 * empty collection, a duplicate member or field, a NaN score, a truncated or malformed blob.
 */
public final class RdbValueReader {
    private final ValueBuilder builder;
    private final boolean emptyAsNull;
    private final int version;

    /** A reader of RDB 10 values that refuses an empty collection, as RESTORE does. */
    public RdbValueReader(ValueBuilder builder) {
        this(builder, false, RdbFormat.VERSION);
    }

    /**
     * A reader of the values of an RDB {@code version} file (types of later versions refused)
     * that answers null for an empty collection when {@code emptyAsNull} (the whole value still
     * read), so that a file load skips the key as Redis does (RDB_LOAD_ERR_EMPTY_KEY).
     */
    RdbValueReader(ValueBuilder builder, boolean emptyAsNull, int version) {
        this.builder = builder;
        this.emptyAsNull = emptyAsNull;
        this.version = version;
    }

    /** Reads a type byte and the object that follows it. */
    public Value read(RdbInput in) throws RdbFormatException {
        return read(in, in.readUnsignedByte());
    }

    /** Reads an object of the given type (the type byte already read). */
    public Value read(RdbInput in, int type) throws RdbFormatException {
        switch (type) {
            case RdbFormat.TYPE_STRING:
                return builder.string(in.readString());
            case RdbFormat.TYPE_LIST: {
                int n = in.readCount();
                Value list = builder.list();
                for (int i = 0; i < n; i++) {
                    builder.listAppend(list, in.readString());
                }
                return nonEmpty(list, n);
            }
            case RdbFormat.TYPE_LIST_ZIPLIST: {
                List<byte[]> elements = CompactEncodings.ziplist(in.readString());
                Value list = builder.list();
                for (byte[] e : elements) {
                    builder.listAppend(list, e);
                }
                return nonEmpty(list, elements.size());
            }
            case RdbFormat.TYPE_LIST_QUICKLIST:
            case RdbFormat.TYPE_LIST_QUICKLIST_2:
                return quicklist(in, type == RdbFormat.TYPE_LIST_QUICKLIST_2);
            case RdbFormat.TYPE_SET: {
                int n = in.readCount();
                Value set = null;
                for (int i = 0; i < n; i++) {
                    byte[] m = in.readString();
                    if (set == null) {
                        set = builder.set(m);
                    }
                    if (!builder.setAdd(set, m)) {
                        throw new RdbFormatException("duplicate set member");
                    }
                }
                return nonEmpty(set, n);
            }
            case RdbFormat.TYPE_SET_INTSET: {
                long[] members = CompactEncodings.intset(in.readString());
                Value set = null;
                for (long v : members) {
                    byte[] m = RdbInput.decimal(v);
                    if (set == null) {
                        set = builder.set(m);
                    }
                    if (!builder.setAdd(set, m)) {
                        throw new RdbFormatException("duplicate set member");
                    }
                }
                return nonEmpty(set, members.length);
            }
            case RdbFormat.TYPE_SET_LISTPACK: {
                if (version < 11) {
                    throw new RdbFormatException("unsupported value type " + type + " before RDB 11");
                }
                List<byte[]> members = CompactEncodings.listpack(in.readString());
                Value set = null;
                for (byte[] m : members) {
                    if (set == null) {
                        set = builder.set(m);
                    }
                    if (!builder.setAdd(set, m)) {
                        throw new RdbFormatException("duplicate set member");
                    }
                }
                return nonEmpty(set, members.size());
            }
            case RdbFormat.TYPE_HASH: {
                int n = in.readCount();
                Value hash = builder.hash();
                for (int i = 0; i < n; i++) {
                    if (!builder.hashPut(hash, in.readString(), in.readString())) {
                        throw new RdbFormatException("duplicate hash field");
                    }
                }
                return nonEmpty(hash, n);
            }
            case RdbFormat.TYPE_HASH_ZIPMAP:
            case RdbFormat.TYPE_HASH_ZIPLIST:
            case RdbFormat.TYPE_HASH_LISTPACK: {
                byte[] blob = in.readString();
                List<byte[]> items = type == RdbFormat.TYPE_HASH_LISTPACK ? CompactEncodings.listpack(blob)
                        : type == RdbFormat.TYPE_HASH_ZIPMAP ? CompactEncodings.zipmap(blob) : CompactEncodings.ziplist(blob);
                if (items.size() % 2 != 0) {
                    throw new RdbFormatException("hash blob with a field without its value");
                }
                Value hash = builder.hash();
                for (int i = 0; i < items.size(); i += 2) {
                    if (!builder.hashPut(hash, items.get(i), items.get(i + 1))) {
                        throw new RdbFormatException("duplicate hash field");
                    }
                }
                return nonEmpty(hash, items.size());
            }
            case RdbFormat.TYPE_ZSET:
            case RdbFormat.TYPE_ZSET_2: {
                int n = in.readCount();
                Value zset = builder.zset();
                for (int i = 0; i < n; i++) {
                    byte[] member = in.readString();
                    double score = type == RdbFormat.TYPE_ZSET_2 ? in.readBinaryDouble() : in.readTextDouble();
                    if (!builder.zsetAdd(zset, member, score)) {
                        throw new RdbFormatException("duplicate sorted set member or NaN score");
                    }
                }
                return nonEmpty(zset, n);
            }
            case RdbFormat.TYPE_ZSET_ZIPLIST:
            case RdbFormat.TYPE_ZSET_LISTPACK: {
                byte[] blob = in.readString();
                List<byte[]> items = type == RdbFormat.TYPE_ZSET_LISTPACK ? CompactEncodings.listpack(blob) : CompactEncodings.ziplist(blob);
                if (items.size() % 2 != 0) {
                    throw new RdbFormatException("sorted set blob with a member without its score");
                }
                Value zset = builder.zset();
                for (int i = 0; i < items.size(); i += 2) {
                    if (!builder.zsetAdd(zset, items.get(i), RdbInput.parseListpackScore(items.get(i + 1)))) {
                        throw new RdbFormatException("duplicate sorted set member or NaN score");
                    }
                }
                return nonEmpty(zset, items.size());
            }
            case RdbFormat.TYPE_STREAM_LISTPACKS:
            case RdbFormat.TYPE_STREAM_LISTPACKS_2:
            case RdbFormat.TYPE_STREAM_LISTPACKS_3: {
                if (type == RdbFormat.TYPE_STREAM_LISTPACKS_3 && version < 11) {
                    throw new RdbFormatException("unsupported value type " + type + " before RDB 11");
                }
                // an empty stream is a value (XDEL of every entry keeps the key, its IDs and groups)
                Value stream = builder.stream();
                StreamRdbReader.read(in, type, new StreamBuilding(builder, stream));
                return stream;
            }
            case RdbFormat.TYPE_MODULE:
            case RdbFormat.TYPE_MODULE_2:
                throw new RdbFormatException("unsupported value type " + type + " (module)");
            default:
                throw new RdbFormatException("unsupported value type " + type);
        }
    }

    /** QUICKLIST: ziplist nodes; QUICKLIST_2: a container kind per node, then a listpack or one plain element. */
    private Value quicklist(RdbInput in, boolean version2) throws RdbFormatException {
        int nodes = in.readCount();
        Value list = builder.list();
        long total = 0;
        for (int i = 0; i < nodes; i++) {
            long container = version2 ? in.readLength() : RdbFormat.QUICKLIST_PACKED;
            if (container != RdbFormat.QUICKLIST_PLAIN && container != RdbFormat.QUICKLIST_PACKED) {
                throw new RdbFormatException("unknown quicklist container " + container);
            }
            byte[] blob = in.readString();
            if (blob.length == 0) {
                // a node is never empty bytes, a plain one neither (Redis's loader refuses encoded_len 0)
                throw new RdbFormatException("quicklist node of 0 bytes");
            }
            if (container == RdbFormat.QUICKLIST_PLAIN) {
                builder.listAppend(list, blob);
                total++;
            } else {
                List<byte[]> elements = version2 ? CompactEncodings.listpack(blob) : CompactEncodings.ziplist(blob);
                // an empty node is skipped, as Redis does
                for (byte[] e : elements) {
                    builder.listAppend(list, e);
                }
                total += elements.size();
            }
        }
        return nonEmpty(list, total);
    }

    private Value nonEmpty(Value v, long elements) throws RdbFormatException {
        if (elements == 0 || v == null) {
            if (emptyAsNull) {
                return null;
            }
            throw new RdbFormatException("empty collection");
        }
        return v;
    }

    /** The stream codec's sink over the keyspace's builder: one stream value. */
    private record StreamBuilding(ValueBuilder builder, Value stream) implements StreamRdbReader.Sink {
        @Override
        public boolean append(long ms, long seq, boolean deleted, boolean newNode, byte[][] fieldsAndValues) {
            return builder.streamAppend(stream, ms, seq, deleted, newNode, fieldsAndValues);
        }

        @Override
        public void meta(long length, long lastMs, long lastSeq, long firstMs, long firstSeq,
                         long maxDeletedMs, long maxDeletedSeq, long entriesAdded) {
            builder.streamMeta(stream, length, lastMs, lastSeq, firstMs, firstSeq, maxDeletedMs, maxDeletedSeq, entriesAdded);
        }

        @Override
        public boolean group(byte[] name, long lastMs, long lastSeq, long entriesRead) {
            return builder.streamGroup(stream, name, lastMs, lastSeq, entriesRead);
        }

        @Override
        public boolean pending(byte[] group, long ms, long seq, long deliveryTimeMs, long deliveryCount) {
            return builder.streamPending(stream, group, ms, seq, deliveryTimeMs, deliveryCount);
        }

        @Override
        public boolean consumer(byte[] group, byte[] name, long seenTimeMs, long activeTimeMs) {
            return builder.streamConsumer(stream, group, name, seenTimeMs, activeTimeMs);
        }

        @Override
        public boolean consumerPending(byte[] group, byte[] consumer, long ms, long seq) {
            return builder.streamConsumerPending(stream, group, consumer, ms, seq);
        }
    }
}
