package io.damselfly.server.rdb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stream as {@link StreamRdbReader} hands it over, kept whole, with the Sink's contract
 * (increasing IDs, no duplicate group, consumer or PEL entry, a consumer's PEL entry in its
 * group's PEL and owned once) as a keyspace builder would keep it; replayed into a {@link
 * StreamRdbWriter} in the walk order the keyspace's visitor will use. Test support only.
 */
final class StreamRecording implements StreamRdbReader.Sink {
    /** A stream ID, ordered as Redis orders them (unsigned ms, then unsigned seq). */
    record Id(long ms, long seq) implements Comparable<Id> {
        @Override
        public int compareTo(Id o) {
            return StreamRdbReader.compare(ms, seq, o.ms, o.seq);
        }

        @Override
        public String toString() {
            return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
        }
    }

    record Entry(Id id, boolean deleted, byte[][] fieldsAndValues) {
    }

    static final class Pending {
        final Id id;
        final long deliveryTime;
        final long deliveryCount;
        String owner;

        Pending(Id id, long deliveryTime, long deliveryCount) {
            this.id = id;
            this.deliveryTime = deliveryTime;
            this.deliveryCount = deliveryCount;
        }
    }

    static final class Consumer {
        final byte[] name;
        final long seen;
        final long active;
        final List<Id> pending = new ArrayList<>();

        Consumer(byte[] name, long seen, long active) {
            this.name = name;
            this.seen = seen;
            this.active = active;
        }
    }

    static final class Group {
        final byte[] name;
        final Id last;
        final long entriesRead;
        final TreeMap<Id, Pending> pel = new TreeMap<>();
        final Map<String, Consumer> consumers = new LinkedHashMap<>();

        Group(byte[] name, Id last, long entriesRead) {
            this.name = name;
            this.last = last;
            this.entriesRead = entriesRead;
        }
    }

    final List<List<Entry>> nodes = new ArrayList<>();
    /** length, last ms, last seq, first ms, first seq, max-deleted ms, max-deleted seq, entries added. */
    long[] meta;
    final Map<String, Group> groups = new LinkedHashMap<>();
    private Id lastAppended;

    private static String key(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Override
    public boolean append(long ms, long seq, boolean deleted, boolean newNode, byte[][] fieldsAndValues) {
        Id id = new Id(ms, seq);
        if (lastAppended != null && id.compareTo(lastAppended) <= 0) {
            return false;
        }
        if (newNode || nodes.isEmpty()) {
            nodes.add(new ArrayList<>());
        }
        nodes.get(nodes.size() - 1).add(new Entry(id, deleted, fieldsAndValues));
        lastAppended = id;
        return true;
    }

    @Override
    public void meta(long length, long lastMs, long lastSeq, long firstMs, long firstSeq,
                     long maxDeletedMs, long maxDeletedSeq, long entriesAdded) {
        meta = new long[] {length, lastMs, lastSeq, firstMs, firstSeq, maxDeletedMs, maxDeletedSeq, entriesAdded};
    }

    @Override
    public boolean group(byte[] name, long lastMs, long lastSeq, long entriesRead) {
        return groups.putIfAbsent(key(name), new Group(name, new Id(lastMs, lastSeq), entriesRead)) == null;
    }

    @Override
    public boolean pending(byte[] group, long ms, long seq, long deliveryTimeMs, long deliveryCount) {
        Id id = new Id(ms, seq);
        return groups.get(key(group)).pel.putIfAbsent(id, new Pending(id, deliveryTimeMs, deliveryCount)) == null;
    }

    @Override
    public boolean consumer(byte[] group, byte[] name, long seenTimeMs, long activeTimeMs) {
        return groups.get(key(group)).consumers.putIfAbsent(key(name), new Consumer(name, seenTimeMs, activeTimeMs)) == null;
    }

    @Override
    public boolean consumerPending(byte[] group, byte[] consumer, long ms, long seq) {
        Group g = groups.get(key(group));
        Pending p = g.pel.get(new Id(ms, seq));
        if (p == null || p.owner != null) {
            return false;
        }
        p.owner = key(consumer);
        g.consumers.get(key(consumer)).pending.add(p.id);
        return true;
    }

    /** Walks the recording into {@code w} as the keyspace's visitor will. */
    void writeTo(StreamRdbWriter w) {
        w.stream(nodes.size(), groups.size());
        for (List<Entry> node : nodes) {
            Id master = node.get(0).id;
            w.streamNode(master.ms, master.seq, node.size());
            for (Entry e : node) {
                w.streamEntry(e.id.ms, e.id.seq, e.deleted, e.fieldsAndValues);
            }
        }
        w.streamMeta(meta[0], meta[1], meta[2], meta[3], meta[4], meta[5], meta[6], meta[7]);
        for (Group g : groups.values()) {
            w.streamGroup(g.name, g.last.ms, g.last.seq, g.entriesRead, g.pel.size(), g.consumers.size());
            for (Pending p : g.pel.values()) {
                w.streamPending(p.id.ms, p.id.seq, p.deliveryTime, p.deliveryCount);
            }
            for (Consumer c : g.consumers.values()) {
                w.streamConsumer(c.name, c.seen, c.active, c.pending.size());
                for (Id id : c.pending) {
                    w.streamConsumerPending(id.ms, id.seq);
                }
            }
        }
    }

    /** A DUMP payload (type 19, RDB 10, CRC64) of the recording, written by {@link StreamRdbWriter}. */
    byte[] payload() {
        RdbOutput out = new RdbOutput(64);
        out.writeByte(RdbFormat.TYPE_STREAM_LISTPACKS_2);
        StreamRdbWriter w = new StreamRdbWriter(out);
        writeTo(w);
        if (!w.complete()) {
            throw new IllegalStateException("writer not complete after the walk");
        }
        return DumpPayload.seal(out);
    }

    /** Reads a DUMP payload's stream (any stream type) into a new recording; the body must be read exactly. */
    static StreamRecording decode(byte[] payload) throws RdbFormatException {
        RdbInput in = new RdbInput(payload, 0, payload.length - DumpPayload.FOOTER_BYTES);
        int type = in.readUnsignedByte();
        StreamRecording r = new StreamRecording();
        StreamRdbReader.read(in, type, r);
        if (in.remaining() != 0) {
            throw new IllegalStateException(in.remaining() + " bytes of the body left unread");
        }
        return r;
    }

    /** Entries, live and deleted, across nodes. */
    int entryCount() {
        return nodes.stream().mapToInt(List::size).sum();
    }

    /** A readable rendering, for assertion messages and equality of two recordings. */
    String render() {
        StringBuilder b = new StringBuilder();
        for (List<Entry> node : nodes) {
            b.append("node\n");
            for (Entry e : node) {
                b.append("  ").append(e.id).append(e.deleted ? " deleted" : "");
                for (byte[] x : e.fieldsAndValues) {
                    b.append(' ').append(x.length <= 40 ? key(x) : "<" + x.length + " bytes, hash " + Arrays.hashCode(x) + ">");
                }
                b.append('\n');
            }
        }
        b.append("meta ").append(Arrays.toString(meta)).append('\n');
        for (Group g : groups.values()) {
            b.append("group ").append(key(g.name)).append(' ').append(g.last).append(' ').append(g.entriesRead).append('\n');
            for (Pending p : g.pel.values()) {
                b.append("  pel ").append(p.id).append(' ').append(p.deliveryTime).append(' ').append(p.deliveryCount)
                        .append(' ').append(p.owner).append('\n');
            }
            for (Consumer c : g.consumers.values()) {
                b.append("  consumer ").append(key(c.name)).append(' ').append(c.seen).append(' ').append(c.active)
                        .append(' ').append(c.pending).append('\n');
            }
        }
        return b.toString();
    }
}
