package io.damselfly.server.keyspace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Redis stream: entries in nodes, consumer groups with their pending entries, and the
 * stream's counters, as t_stream.c keeps them.
 *
 * <p>Design.
 * <ul>
 *   <li><b>Nodes.</b> Entries live in {@link Node}s, Redis's listpacks hung off a radix tree,
 *       here a {@link TreeMap} keyed by each node's master ID (O(log n) to find the node of an
 *       ID). A node holds one byte array of payload (per entry: values only when its fields are
 *       the node's master fields, Redis's SAMEFIELDS flag; else the field count and the
 *       field/value pairs, each a varint length and its bytes), the entries' IDs in a long
 *       array (binary searched), their offsets and flags. No object per entry or field.
 *   <li><b>Node limits, exactly as Redis.</b> A new entry starts a new node when the tail node's
 *       listpack would reach stream-node-max-bytes ({@code lpBytes + sum of field and value
 *       lengths >= max}) or holds stream-node-max-entries entries, live plus deleted. So the
 *       node boundaries are Redis's, and approximate trimming (which removes whole nodes only)
 *       leaves the lengths the TCL tests expect. The listpack size is computed, not built: the
 *       bytes of every element as listpack.c encodes it (integers in 1 to 9 bytes, strings that
 *       read as integers stored as integers, a 1 to 5 byte back length each).
 *   <li><b>Deletion</b> flags an entry in its node (Redis's tombstone); a node whose live count
 *       reaches zero goes. Iteration skips flagged entries.
 *   <li><b>Groups</b> sort by name as bytes, consumers likewise; a group's PEL and each
 *       consumer's PEL share their {@link Nack}s, as Redis's raxes do.
 *   <li><b>Footprint</b> is a running sum adjusted by each write: a node's arrays by capacity,
 *       and fixed estimates per tree entry, ID, NACK, group and consumer.
 * </ul>
 */
public final class StreamValue implements Value {
    /** Redis's STREAM_LISTPACK_MAX_SIZE: a node never exceeds 1 GiB. */
    static final long LISTPACK_MAX_SIZE = 1L << 30;
    /** Flags of an entry, as t_stream.c's STREAM_ITEM_FLAG_*. */
    static final byte FLAG_DELETED = 1;
    static final byte FLAG_SAMEFIELDS = 2;
    /** SCG_INVALID_ENTRIES_READ. */
    public static final long INVALID_ENTRIES_READ = -1;

    // estimated heap sizes (see MemoryLayout for the JVM model)
    static final int OBJECT_BYTES = 88;
    static final int TREE_ENTRY = 40;
    static final int TREE_MAP = 48;
    static final int ID_BYTES = 32;
    static final int NACK_BYTES = 32;
    static final int NODE_BYTES = 64;
    static final int GROUP_BYTES = 48;
    static final int CONSUMER_BYTES = 40;
    /** One PEL entry: the group's tree entry, its ID, the NACK and the consumer's tree entry. */
    static final int PEL_ENTRY = TREE_ENTRY + ID_BYTES + NACK_BYTES + TREE_ENTRY;

    // ---- the entries ------------------------------------------------------------------------

    private final TreeMap<StreamId, Node> nodes = new TreeMap<>();
    private long length;
    private long lastMs;
    private long lastSeq;
    private long firstMs;
    private long firstSeq;
    private long maxDeletedMs;
    private long maxDeletedSeq;
    private long entriesAdded;
    private TreeMap<byte[], Group> groups;
    private long footprint = OBJECT_BYTES + TREE_MAP;

    @Override
    public ValueType type() {
        return ValueType.STREAM;
    }

    @Override
    public String encoding() {
        return "stream";
    }

    @Override
    public long footprint() {
        return footprint;
    }

    /** Streams stay when empty: XDEL and XTRIM never remove the key, as in Redis. */
    @Override
    public boolean isEmpty() {
        return false;
    }

    public long length() {
        return length;
    }

    public StreamId lastId() {
        return new StreamId(lastMs, lastSeq);
    }

    public StreamId firstId() {
        return new StreamId(firstMs, firstSeq);
    }

    public StreamId maxDeletedId() {
        return new StreamId(maxDeletedMs, maxDeletedSeq);
    }

    public long entriesAdded() {
        return entriesAdded;
    }

    /** Nodes (radix-tree keys in XINFO). */
    public int nodeCount() {
        return nodes.size();
    }

    /**
     * One entry as replies show it: the ID and the fields and values, alternating; the fields are
     * null for a group's pending ID whose entry was deleted since.
     */
    public record Entry(StreamId id, byte[][] fieldsAndValues) {
    }

    // ---- node ----------------------------------------------------------------------------------

    /** A listpack of Redis's stream: entries from its master ID on. */
    static final class Node {
        final long masterMs;
        final long masterSeq;
        final byte[][] masterFields;
        /** Listpack bytes of the master fields, their count and the zero terminator. */
        final long masterBytes;
        final long masterFieldsHeap;
        long[] ids;
        int[] offsets;
        byte[] flags;
        byte[] data;
        int size;
        int live;
        int deleted;
        int used;
        /** Listpack bytes of the entries (flags to lp-count). */
        long entryBytes;

        Node(long masterMs, long masterSeq, byte[][] masterFields, int capacity) {
            this.masterMs = masterMs;
            this.masterSeq = masterSeq;
            this.masterFields = masterFields;
            long mb = ListpackSizes.intElement(masterFields.length) + ListpackSizes.intElement(0);
            long heap = MemoryLayout.referenceArray(masterFields.length);
            for (byte[] f : masterFields) {
                mb += ListpackSizes.stringElement(f);
                heap += MemoryLayout.byteArray(f.length);
            }
            this.masterBytes = mb;
            this.masterFieldsHeap = heap;
            this.ids = new long[2 * capacity];
            this.offsets = new int[capacity + 1];
            this.flags = new byte[capacity];
            this.data = new byte[16];
        }

        /** The listpack's total bytes (lpBytes): header, count, deleted, master entry, entries, end. */
        long lpBytes() {
            return ListpackSizes.HEADER_AND_END + ListpackSizes.intElement(live) + ListpackSizes.intElement(deleted) + masterBytes + entryBytes;
        }

        long footprint() {
            return NODE_BYTES + masterFieldsHeap + 8L * ids.length + 16 + MemoryLayout.intArray(offsets.length)
                    + MemoryLayout.byteArray(flags.length) + MemoryLayout.byteArray(data.length);
        }

        long ms(int i) {
            return ids[2 * i];
        }

        long seq(int i) {
            return ids[2 * i + 1];
        }

        boolean isDeleted(int i) {
            return (flags[i] & FLAG_DELETED) != 0;
        }

        StreamId id(int i) {
            return new StreamId(ids[2 * i], ids[2 * i + 1]);
        }

        /** Whether fields equal the master fields (the SAMEFIELDS test of streamAppendItem). */
        boolean sameFields(byte[][] fv) {
            if (fv.length / 2 != masterFields.length) {
                return false;
            }
            for (int i = 0; i < masterFields.length; i++) {
                if (!Arrays.equals(masterFields[i], fv[2 * i])) {
                    return false;
                }
            }
            return true;
        }

        void append(long ms, long seq, boolean deleted, byte[][] fv) {
            boolean same = sameFields(fv);
            int n = fv.length / 2;
            if (size == flags.length) {
                int cap = Math.max(4, size * 2);
                ids = Arrays.copyOf(ids, 2 * cap);
                offsets = Arrays.copyOf(offsets, cap + 1);
                flags = Arrays.copyOf(flags, cap);
            }
            int need = same ? 0 : Varint.size(n);
            for (int i = same ? 1 : 0; i < fv.length; i += same ? 2 : 1) {
                need += Varint.size(fv[i].length) + fv[i].length;
            }
            if (used + need > data.length) {
                long cap = Math.max((long) used + need, Math.min((long) data.length * 2, Integer.MAX_VALUE - 16));
                data = Arrays.copyOf(data, (int) cap);
            }
            int p = used;
            if (!same) {
                p = Varint.write(data, p, n);
            }
            for (int i = same ? 1 : 0; i < fv.length; i += same ? 2 : 1) {
                p = Varint.write(data, p, fv[i].length);
                System.arraycopy(fv[i], 0, data, p, fv[i].length);
                p += fv[i].length;
            }
            used = p;
            ids[2 * size] = ms;
            ids[2 * size + 1] = seq;
            flags[size] = (byte) ((same ? FLAG_SAMEFIELDS : 0) | (deleted ? FLAG_DELETED : 0));
            offsets[size + 1] = used;
            size++;
            if (deleted) {
                this.deleted++;
            } else {
                live++;
            }
            // the entry in Redis's layout: flags, ms-diff, seq-diff, [num-fields, fields], values, lp-count
            long bytes = ListpackSizes.intElement(flags[size - 1]) + ListpackSizes.intElement(ms - masterMs) + ListpackSizes.intElement(seq - masterSeq);
            long lpCount = n + 3;
            if (!same) {
                bytes += ListpackSizes.intElement(n);
                lpCount += n + 1;
            }
            for (int i = same ? 1 : 0; i < fv.length; i += same ? 2 : 1) {
                bytes += ListpackSizes.stringElement(fv[i]);
            }
            entryBytes += bytes + ListpackSizes.intElement(lpCount);
        }

        /** The fields and values of entry i, decoded. */
        byte[][] fieldsAndValues(int i) {
            int p = offsets[i];
            byte[][] out;
            if ((flags[i] & FLAG_SAMEFIELDS) != 0) {
                out = new byte[masterFields.length * 2][];
                int[] pos = {p};
                for (int k = 0; k < masterFields.length; k++) {
                    out[2 * k] = masterFields[k];
                    out[2 * k + 1] = readBytes(pos);
                }
                return out;
            }
            int[] pos = {p};
            int n = Varint.read(data, pos);
            out = new byte[2 * n][];
            for (int k = 0; k < 2 * n; k++) {
                out[k] = readBytes(pos);
            }
            return out;
        }

        private byte[] readBytes(int[] pos) {
            int len = Varint.read(data, pos);
            byte[] b = Arrays.copyOfRange(data, pos[0], pos[0] + len);
            pos[0] += len;
            return b;
        }

        /** Index of the first entry with ID >= (ms, seq), or size. */
        int lowerBound(long ms, long seq) {
            int lo = 0;
            int hi = size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (StreamId.compare(ids[2 * mid], ids[2 * mid + 1], ms, seq) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        /** Marks entry i deleted (it was live). */
        void markDeleted(int i) {
            flags[i] |= FLAG_DELETED;
            live--;
            deleted++;
        }

        /** Drops the spare room of a node that takes no more entries (Redis's lpShrinkToFit). */
        void shrink() {
            if (flags.length > size) {
                ids = Arrays.copyOf(ids, 2 * size);
                offsets = Arrays.copyOf(offsets, size + 1);
                flags = Arrays.copyOf(flags, size);
            }
            if (data.length > used) {
                data = Arrays.copyOf(data, used);
            }
        }

        Node copy() {
            Node n = new Node(masterMs, masterSeq, masterFields, 0);
            n.ids = ids.clone();
            n.offsets = offsets.clone();
            n.flags = flags.clone();
            n.data = data.clone();
            n.size = size;
            n.live = live;
            n.deleted = deleted;
            n.used = used;
            n.entryBytes = entryBytes;
            return n;
        }
    }

    /** LEB128 lengths inside a node's payload. */
    static final class Varint {
        static int size(int v) {
            int n = 1;
            while ((v >>>= 7) != 0) {
                n++;
            }
            return n;
        }

        static int write(byte[] b, int p, int v) {
            while ((v & ~0x7F) != 0) {
                b[p++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            b[p++] = (byte) v;
            return p;
        }

        static int read(byte[] b, int[] pos) {
            int p = pos[0];
            int v = 0;
            int shift = 0;
            int x;
            do {
                x = b[p++];
                v |= (x & 0x7F) << shift;
                shift += 7;
            } while ((x & 0x80) != 0);
            pos[0] = p;
            return v;
        }
    }

    // ---- consumer groups -------------------------------------------------------------------

    /** A pending entry: last delivery time, delivery count and owner (shared by both PELs). */
    public static final class Nack {
        long deliveryTime;
        long deliveryCount;
        Consumer consumer;

        Nack(long deliveryTime, long deliveryCount, Consumer consumer) {
            this.deliveryTime = deliveryTime;
            this.deliveryCount = deliveryCount;
            this.consumer = consumer;
        }

        public long deliveryTime() {
            return deliveryTime;
        }

        public long deliveryCount() {
            return deliveryCount;
        }

        public Consumer consumer() {
            return consumer;
        }
    }

    /** A consumer of a group. */
    public static final class Consumer {
        final byte[] name;
        long seenTime;
        long activeTime;
        final TreeMap<StreamId, Nack> pel = new TreeMap<>();

        Consumer(byte[] name, long seenTime, long activeTime) {
            this.name = name;
            this.seenTime = seenTime;
            this.activeTime = activeTime;
        }

        public byte[] name() {
            return name;
        }

        public long seenTime() {
            return seenTime;
        }

        public long activeTime() {
            return activeTime;
        }

        public TreeMap<StreamId, Nack> pel() {
            return pel;
        }
    }

    /** A consumer group. */
    public static final class Group {
        final byte[] name;
        long lastMs;
        long lastSeq;
        long entriesRead;
        final TreeMap<StreamId, Nack> pel = new TreeMap<>();
        final TreeMap<byte[], Consumer> consumers = new TreeMap<>(Arrays::compareUnsigned);

        Group(byte[] name, long lastMs, long lastSeq, long entriesRead) {
            this.name = name;
            this.lastMs = lastMs;
            this.lastSeq = lastSeq;
            this.entriesRead = entriesRead;
        }

        public byte[] name() {
            return name;
        }

        public StreamId lastId() {
            return new StreamId(lastMs, lastSeq);
        }

        public long entriesRead() {
            return entriesRead;
        }

        public TreeMap<StreamId, Nack> pel() {
            return pel;
        }

        public TreeMap<byte[], Consumer> consumers() {
            return consumers;
        }
    }

    // ---- appending -------------------------------------------------------------------------

    /**
     * Appends an entry with the given (valid, greater than last) ID, starting a new node as
     * streamAppendItem decides; updates length, last ID, first ID and entries added.
     */
    void append(long ms, long seq, byte[][] fv, long maxBytes, long maxEntries) {
        Map.Entry<StreamId, Node> tail = nodes.lastEntry();
        Node node = tail == null ? null : tail.getValue();
        if (node != null) {
            long totelelen = 0;
            for (byte[] b : fv) {
                totelelen += b.length;
            }
            long nodeMax = maxBytes == 0 || maxBytes > LISTPACK_MAX_SIZE ? LISTPACK_MAX_SIZE : maxBytes;
            if (node.lpBytes() + totelelen >= nodeMax || (maxEntries != 0 && node.live + node.deleted >= maxEntries)) {
                long before = node.footprint();
                node.shrink();
                footprint += node.footprint() - before;
                node = null;
            }
        }
        appendRaw(node, ms, seq, false, fv);
        length++;
        entriesAdded++;
        lastMs = ms;
        lastSeq = seq;
        if (length == 1) {
            firstMs = ms;
            firstSeq = seq;
        }
    }

    /** Appends to {@code node}, or to a new node when null; counters untouched. */
    private void appendRaw(Node node, long ms, long seq, boolean deleted, byte[][] fv) {
        if (node == null) {
            byte[][] master = new byte[fv.length / 2][];
            for (int i = 0; i < master.length; i++) {
                master[i] = fv[2 * i].clone();
            }
            node = new Node(ms, seq, master, 1);
            nodes.put(new StreamId(ms, seq), node);
            node.append(ms, seq, deleted, fv);
            footprint += TREE_ENTRY + ID_BYTES + node.footprint();
            return;
        }
        long before = node.footprint();
        node.append(ms, seq, deleted, fv);
        footprint += node.footprint() - before;
    }

    // ---- reading -----------------------------------------------------------------------------

    /**
     * Live entries after {@code id}, ascending, at most {@code count} (0 = all): what XREAD and a
     * group's ">" read. None after the largest possible ID.
     */
    public List<Entry> after(StreamId id, long count) {
        StreamId from = id.next();
        return from == null ? new ArrayList<>() : range(from, StreamId.MAX, false, count);
    }

    /**
     * Live entries from {@code start} to {@code end} inclusive, ascending (or descending with
     * {@code rev}), at most {@code count} (0 = all).
     */
    public List<Entry> range(StreamId start, StreamId end, boolean rev, long count) {
        List<Entry> out = new ArrayList<>();
        if (start.compareTo(end) > 0) {
            return out;
        }
        if (!rev) {
            StreamId from = nodes.floorKey(start);
            Iterator<Node> it = (from == null ? nodes : nodes.tailMap(from, true)).values().iterator();
            while (it.hasNext()) {
                Node n = it.next();
                if (StreamId.compare(n.masterMs, n.masterSeq, end.ms(), end.seq()) > 0) {
                    break;
                }
                for (int i = n.lowerBound(start.ms(), start.seq()); i < n.size; i++) {
                    if (StreamId.compare(n.ms(i), n.seq(i), end.ms(), end.seq()) > 0) {
                        return out;
                    }
                    if (!n.isDeleted(i)) {
                        out.add(new Entry(n.id(i), n.fieldsAndValues(i)));
                        if (count != 0 && out.size() >= count) {
                            return out;
                        }
                    }
                }
            }
            return out;
        }
        StreamId from = nodes.floorKey(end);
        if (from == null) {
            return out;
        }
        Iterator<Node> it = nodes.headMap(from, true).descendingMap().values().iterator();
        while (it.hasNext()) {
            Node n = it.next();
            int i = n.lowerBound(end.ms(), end.seq());
            if (i < n.size && StreamId.compare(n.ms(i), n.seq(i), end.ms(), end.seq()) == 0) {
                i++;
            }
            for (i = i - 1; i >= 0; i--) {
                if (StreamId.compare(n.ms(i), n.seq(i), start.ms(), start.seq()) < 0) {
                    return out;
                }
                if (!n.isDeleted(i)) {
                    out.add(new Entry(n.id(i), n.fieldsAndValues(i)));
                    if (count != 0 && out.size() >= count) {
                        return out;
                    }
                }
            }
        }
        return out;
    }

    /** The entry with this ID if it is live, else null. */
    public Entry get(StreamId id) {
        List<Entry> r = range(id, id, false, 1);
        return r.isEmpty() ? null : r.get(0);
    }

    /** Whether a live entry has this ID (streamEntryExists). */
    public boolean contains(StreamId id) {
        Map.Entry<StreamId, Node> e = nodes.floorEntry(id);
        if (e == null) {
            return false;
        }
        Node n = e.getValue();
        int i = n.lowerBound(id.ms(), id.seq());
        return i < n.size && n.ms(i) == id.ms() && n.seq(i) == id.seq() && !n.isDeleted(i);
    }

    /** The ID of the first (or last) live entry; 0-0 when there is none (streamGetEdgeID with tombstones skipped). */
    public StreamId edgeId(boolean first) {
        if (length == 0) {
            return first ? StreamId.MAX : StreamId.MIN;
        }
        Iterator<Node> it = (first ? nodes : nodes.descendingMap()).values().iterator();
        while (it.hasNext()) {
            Node n = it.next();
            if (first) {
                for (int i = 0; i < n.size; i++) {
                    if (!n.isDeleted(i)) {
                        return n.id(i);
                    }
                }
            } else {
                for (int i = n.size - 1; i >= 0; i--) {
                    if (!n.isDeleted(i)) {
                        return n.id(i);
                    }
                }
            }
        }
        return first ? StreamId.MAX : StreamId.MIN;
    }

    /**
     * The first entry's ID, deleted or not (streamGetEdgeID with tombstones kept): what an
     * approximate MINID trim propagates as its exact threshold. The largest ID when empty.
     */
    public StreamId firstIdWithDeleted() {
        if (nodes.isEmpty()) {
            return StreamId.MAX;
        }
        return nodes.firstEntry().getValue().id(0);
    }

    /** streamLastValidID: the last live entry's ID. */
    public StreamId lastValidId() {
        return edgeId(false);
    }

    // ---- deleting and trimming ------------------------------------------------------------

    /** XDEL of one ID (streamDeleteItem plus xdelCommand's bookkeeping): true if it was live. */
    boolean delete(StreamId id) {
        Map.Entry<StreamId, Node> e = nodes.floorEntry(id);
        if (e == null) {
            return false;
        }
        Node n = e.getValue();
        int i = n.lowerBound(id.ms(), id.seq());
        if (i >= n.size || n.ms(i) != id.ms() || n.seq(i) != id.seq() || n.isDeleted(i)) {
            return false;
        }
        n.markDeleted(i);
        length--;
        if (n.live == 0) {
            removeNode(e.getKey(), n);
        }
        return true;
    }

    /** After XDELs: the first ID and the tombstone ID, as xdelCommand updates them. */
    void afterDeletes(StreamId maxDeletedCandidate, boolean firstDeleted) {
        if (StreamId.compare(maxDeletedCandidate.ms(), maxDeletedCandidate.seq(), maxDeletedMs, maxDeletedSeq) > 0) {
            maxDeletedMs = maxDeletedCandidate.ms();
            maxDeletedSeq = maxDeletedCandidate.seq();
        }
        if (length == 0) {
            firstMs = 0;
            firstSeq = 0;
        } else if (firstDeleted) {
            StreamId f = edgeId(true);
            firstMs = f.ms();
            firstSeq = f.seq();
        }
    }

    private void removeNode(StreamId key, Node n) {
        nodes.remove(key);
        footprint -= TREE_ENTRY + ID_BYTES + n.footprint();
    }

    /**
     * streamTrim: removes entries from the head, by length ({@code maxLen} >= 0) or by ID
     * ({@code minId} non-null); {@code approx} removes whole nodes only; {@code limit} (0 = none)
     * bounds the entries removed. Answers how many were removed.
     */
    long trim(long maxLen, StreamId minId, boolean approx, long limit) {
        long deleted = 0;
        Iterator<Map.Entry<StreamId, Node>> it = nodes.entrySet().iterator();
        while (it.hasNext()) {
            if (minId == null && length <= maxLen) {
                break;
            }
            Map.Entry<StreamId, Node> e = it.next();
            Node n = e.getValue();
            long entries = n.live;
            if (limit != 0 && deleted + entries > limit) {
                break;
            }
            boolean removeNode;
            if (minId == null) {
                removeNode = length - entries >= maxLen;
            } else {
                // the node's last ID, deleted or not (lpGetEdgeStreamID)
                removeNode = StreamId.compare(n.ms(n.size - 1), n.seq(n.size - 1), minId.ms(), minId.seq()) < 0;
            }
            if (removeNode) {
                it.remove();
                footprint -= TREE_ENTRY + ID_BYTES + n.footprint();
                length -= entries;
                deleted += entries;
                continue;
            }
            if (approx) {
                break;
            }
            long fromNode = 0;
            for (int i = 0; i < n.size; i++) {
                boolean stop = minId == null ? length <= maxLen
                        : StreamId.compare(n.ms(i), n.seq(i), minId.ms(), minId.seq()) >= 0;
                if (stop) {
                    break;
                }
                if (!n.isDeleted(i)) {
                    n.markDeleted(i);
                    fromNode++;
                    length--;
                }
            }
            deleted += fromNode;
            break;
        }
        if (length == 0) {
            firstMs = 0;
            firstSeq = 0;
        } else if (deleted != 0) {
            StreamId f = edgeId(true);
            firstMs = f.ms();
            firstSeq = f.seq();
        }
        return deleted;
    }

    /** XSETID's write. */
    void setId(StreamId last, long entriesAdded, StreamId maxDeleted) {
        lastMs = last.ms();
        lastSeq = last.seq();
        if (entriesAdded != -1) {
            this.entriesAdded = entriesAdded;
        }
        if (maxDeleted != null && !maxDeleted.isZero()) {
            maxDeletedMs = maxDeleted.ms();
            maxDeletedSeq = maxDeleted.seq();
        }
    }

    // ---- groups ------------------------------------------------------------------------------

    public Group group(byte[] name) {
        return groups == null ? null : groups.get(name);
    }

    /** The groups in name order (empty when none). */
    public java.util.Collection<Group> groups() {
        return groups == null ? List.of() : groups.values();
    }

    public int groupCount() {
        return groups == null ? 0 : groups.size();
    }

    /** streamCreateCG: null when the name is taken. */
    Group createGroup(byte[] name, StreamId last, long entriesRead) {
        if (groups == null) {
            groups = new TreeMap<>(Arrays::compareUnsigned);
            footprint += TREE_MAP;
        }
        if (groups.containsKey(name)) {
            return null;
        }
        Group g = new Group(name.clone(), last.ms(), last.seq(), entriesRead);
        groups.put(g.name, g);
        footprint += groupBytes(g);
        return g;
    }

    private static long groupBytes(Group g) {
        return TREE_ENTRY + GROUP_BYTES + 2L * TREE_MAP + MemoryLayout.byteArray(g.name.length);
    }

    private static long consumerBytes(Consumer c) {
        return TREE_ENTRY + CONSUMER_BYTES + TREE_MAP + MemoryLayout.byteArray(c.name.length);
    }

    /** Removes a group and everything in it: true if it was there. */
    boolean destroyGroup(byte[] name) {
        Group g = groups == null ? null : groups.remove(name);
        if (g == null) {
            return false;
        }
        footprint -= groupBytes(g) + (long) g.pel.size() * PEL_ENTRY;
        for (Consumer c : g.consumers.values()) {
            footprint -= consumerBytes(c);
        }
        return true;
    }

    void setGroupId(Group g, StreamId last, long entriesRead) {
        g.lastMs = last.ms();
        g.lastSeq = last.seq();
        g.entriesRead = entriesRead;
    }

    /** streamCreateConsumer: null when it exists. */
    Consumer createConsumer(Group g, byte[] name, long now) {
        if (g.consumers.containsKey(name)) {
            return null;
        }
        Consumer c = new Consumer(name.clone(), now, now);
        g.consumers.put(c.name, c);
        footprint += consumerBytes(c);
        return c;
    }

    /** Deletes a consumer and its pending entries from the group: how many it had pending. */
    long deleteConsumer(Group g, Consumer c) {
        long pending = c.pel.size();
        for (StreamId id : c.pel.keySet()) {
            g.pel.remove(id);
        }
        g.consumers.remove(c.name);
        footprint -= consumerBytes(c) + pending * PEL_ENTRY;
        return pending;
    }

    /** Adds a NACK to both PELs (none must exist for the ID). */
    Nack addPending(Group g, StreamId id, Consumer c, long deliveryTime, long deliveryCount) {
        Nack n = new Nack(deliveryTime, deliveryCount, c);
        g.pel.put(id, n);
        if (c != null) {
            c.pel.put(id, n);
        }
        footprint += PEL_ENTRY;
        return n;
    }

    /** Removes an ID from both PELs: true if it was pending. */
    boolean removePending(Group g, StreamId id) {
        Nack n = g.pel.remove(id);
        if (n == null) {
            return false;
        }
        if (n.consumer != null) {
            n.consumer.pel.remove(id);
        }
        footprint -= PEL_ENTRY;
        return true;
    }

    /** Moves a NACK to another consumer's PEL. */
    static void reassign(Nack n, StreamId id, Consumer to) {
        if (n.consumer == to) {
            return;
        }
        if (n.consumer != null) {
            n.consumer.pel.remove(id);
        }
        to.pel.put(id, n);
        n.consumer = to;
    }

    /** Updates a group's last ID and read counter for an entry delivered past it (streamReplyWithRange). */
    void advanceGroup(Group g, StreamId id) {
        if (StreamId.compare(id.ms(), id.seq(), g.lastMs, g.lastSeq) <= 0) {
            return;
        }
        if (g.entriesRead != INVALID_ENTRIES_READ && !rangeHasTombstones(id, null)) {
            g.entriesRead++;
        } else if (entriesAdded != 0) {
            g.entriesRead = estimateDistanceFromFirstEverEntry(id);
        }
        g.lastMs = id.ms();
        g.lastSeq = id.seq();
    }

    /** streamRangeHasTombstones. */
    boolean rangeHasTombstones(StreamId start, StreamId end) {
        if (length == 0 || (maxDeletedMs == 0 && maxDeletedSeq == 0)) {
            return false;
        }
        if (StreamId.compare(firstMs, firstSeq, maxDeletedMs, maxDeletedSeq) > 0) {
            return false;
        }
        StreamId s = start == null ? StreamId.MIN : start;
        StreamId e = end == null ? StreamId.MAX : end;
        return StreamId.compare(s.ms(), s.seq(), maxDeletedMs, maxDeletedSeq) <= 0
                && StreamId.compare(maxDeletedMs, maxDeletedSeq, e.ms(), e.seq()) <= 0;
    }

    /** streamEstimateDistanceFromFirstEverEntry; {@link #INVALID_ENTRIES_READ} when unknown. */
    long estimateDistanceFromFirstEverEntry(StreamId id) {
        if (entriesAdded == 0) {
            return 0;
        }
        int cmpLast = StreamId.compare(id.ms(), id.seq(), lastMs, lastSeq);
        if (length == 0 && cmpLast < 1) {
            return entriesAdded;
        }
        if (cmpLast == 0) {
            return entriesAdded;
        } else if (cmpLast > 0) {
            return INVALID_ENTRIES_READ;
        }
        int cmpIdFirst = StreamId.compare(id.ms(), id.seq(), firstMs, firstSeq);
        int cmpXdelFirst = StreamId.compare(maxDeletedMs, maxDeletedSeq, firstMs, firstSeq);
        if ((maxDeletedMs == 0 && maxDeletedSeq == 0) || cmpXdelFirst < 0) {
            if (cmpIdFirst < 0) {
                return entriesAdded - length;
            } else if (cmpIdFirst == 0) {
                return entriesAdded - length + 1;
            }
        }
        return INVALID_ENTRIES_READ;
    }

    /** streamReplyWithCGLag's value, or null when it cannot be known. */
    public Long lag(Group g) {
        if (entriesAdded == 0) {
            return 0L;
        }
        if (g.entriesRead != INVALID_ENTRIES_READ && !rangeHasTombstones(g.lastId(), null)) {
            return entriesAdded - g.entriesRead;
        }
        long read = estimateDistanceFromFirstEverEntry(g.lastId());
        return read == INVALID_ENTRIES_READ ? null : entriesAdded - read;
    }

    /**
     * The node count of Redis's radix tree holding the nodes' 128-bit big-endian keys (XINFO's
     * radix-tree-nodes), as a rax compressed at every single-child run holds them.
     */
    public long radixTreeNodes() {
        if (nodes.isEmpty()) {
            return 1;
        }
        byte[][] keys = new byte[nodes.size()][];
        int i = 0;
        for (StreamId id : nodes.keySet()) {
            byte[] k = new byte[16];
            for (int b = 0; b < 8; b++) {
                k[b] = (byte) (id.ms() >>> (56 - 8 * b));
                k[8 + b] = (byte) (id.seq() >>> (56 - 8 * b));
            }
            keys[i++] = k;
        }
        return raxNodes(keys, 0, keys.length, 0);
    }

    private static long raxNodes(byte[][] keys, int from, int to, int depth) {
        if (depth == 16) {
            return 1;
        }
        int common = 0;
        outer:
        while (depth + common < 16) {
            byte b = keys[from][depth + common];
            for (int k = from + 1; k < to; k++) {
                if (keys[k][depth + common] != b) {
                    break outer;
                }
            }
            common++;
        }
        if (common > 0) {
            return 1 + raxNodes(keys, from, to, depth + common);
        }
        long n = 1;
        int start = from;
        for (int k = from + 1; k <= to; k++) {
            if (k == to || keys[k][depth] != keys[start][depth]) {
                n += raxNodes(keys, start, k, depth + 1);
                start = k;
            }
        }
        return n;
    }

    // ---- serialization -----------------------------------------------------------------------

    /** Walks the stream in Redis's RDB order (see {@link ValueVisitor#stream}). */
    void visit(ValueVisitor v) {
        v.stream(nodes.size(), groupCount());
        for (Node n : nodes.values()) {
            v.streamNode(n.masterMs, n.masterSeq, n.size);
            for (int i = 0; i < n.size; i++) {
                v.streamEntry(n.ms(i), n.seq(i), n.isDeleted(i), n.fieldsAndValues(i));
            }
        }
        v.streamMeta(length, lastMs, lastSeq, firstMs, firstSeq, maxDeletedMs, maxDeletedSeq, entriesAdded);
        for (Group g : groups()) {
            v.streamGroup(g.name, g.lastMs, g.lastSeq, g.entriesRead, g.pel.size(), g.consumers.size());
            for (Map.Entry<StreamId, Nack> e : g.pel.entrySet()) {
                v.streamPending(e.getKey().ms(), e.getKey().seq(), e.getValue().deliveryTime, e.getValue().deliveryCount);
            }
            for (Consumer c : g.consumers.values()) {
                v.streamConsumer(c.name, c.seenTime, c.activeTime, c.pel.size());
                for (StreamId id : c.pel.keySet()) {
                    v.streamConsumerPending(id.ms(), id.seq());
                }
            }
        }
    }

    /** The builder's append: a given node boundary, possibly a deleted entry; false when not increasing. */
    boolean appendLoaded(long ms, long seq, boolean deleted, boolean newNode, byte[][] fv) {
        Map.Entry<StreamId, Node> tail = nodes.lastEntry();
        if (tail != null) {
            Node t = tail.getValue();
            if (StreamId.compare(ms, seq, t.ms(t.size - 1), t.seq(t.size - 1)) <= 0) {
                return false;
            }
        }
        if (fv.length % 2 != 0) {
            return false;
        }
        appendRaw(newNode || tail == null ? null : tail.getValue(), ms, seq, deleted, fv);
        if (!deleted) {
            length++;
        }
        return true;
    }

    /** The builder's counters. */
    void setMeta(long length, long lastMs, long lastSeq, long firstMs, long firstSeq,
            long maxDeletedMs, long maxDeletedSeq, long entriesAdded) {
        this.length = length;
        this.lastMs = lastMs;
        this.lastSeq = lastSeq;
        this.firstMs = firstMs;
        this.firstSeq = firstSeq;
        this.maxDeletedMs = maxDeletedMs;
        this.maxDeletedSeq = maxDeletedSeq;
        this.entriesAdded = entriesAdded;
    }

    /** The footprint recounted from scratch (tests compare it with the running sum). */
    long recountFootprint() {
        long f = OBJECT_BYTES + TREE_MAP;
        for (Node n : nodes.values()) {
            f += TREE_ENTRY + ID_BYTES + n.footprint();
        }
        if (groups != null) {
            f += TREE_MAP;
            for (Group g : groups.values()) {
                f += groupBytes(g) + (long) g.pel.size() * PEL_ENTRY;
                for (Consumer c : g.consumers.values()) {
                    f += consumerBytes(c);
                }
            }
        }
        return f;
    }

    /** Node sizes in order: [entries (live + deleted), listpack bytes] per node, for tests. */
    long[][] nodeShape() {
        long[][] out = new long[nodes.size()][];
        int i = 0;
        for (Node n : nodes.values()) {
            out[i++] = new long[] {n.size, n.lpBytes()};
        }
        return out;
    }

    @Override
    public Value copy() {
        StreamValue s = new StreamValue();
        for (Map.Entry<StreamId, Node> e : nodes.entrySet()) {
            s.nodes.put(e.getKey(), e.getValue().copy());
        }
        s.setMeta(length, lastMs, lastSeq, firstMs, firstSeq, maxDeletedMs, maxDeletedSeq, entriesAdded);
        if (groups != null) {
            s.groups = new TreeMap<>(Arrays::compareUnsigned);
            for (Group g : groups.values()) {
                Group ng = new Group(g.name, g.lastMs, g.lastSeq, g.entriesRead);
                s.groups.put(ng.name, ng);
                Map<Consumer, Consumer> map = new java.util.IdentityHashMap<>();
                for (Consumer c : g.consumers.values()) {
                    Consumer nc = new Consumer(c.name, c.seenTime, c.activeTime);
                    ng.consumers.put(nc.name, nc);
                    map.put(c, nc);
                }
                for (Map.Entry<StreamId, Nack> e : g.pel.entrySet()) {
                    Nack n = e.getValue();
                    Consumer nc = n.consumer == null ? null : map.get(n.consumer);
                    Nack nn = new Nack(n.deliveryTime, n.deliveryCount, nc);
                    ng.pel.put(e.getKey(), nn);
                    if (nc != null) {
                        nc.pel.put(e.getKey(), nn);
                    }
                }
            }
        }
        s.footprint = s.recountFootprint();
        return s;
    }
}
