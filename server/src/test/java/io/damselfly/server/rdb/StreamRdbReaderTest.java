package io.damselfly.server.rdb;

import static io.damselfly.server.rdb.StreamRedis.call;
import static io.damselfly.server.rdb.StreamRedis.dump;
import static io.damselfly.server.rdb.StreamRedis.restore;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.Value;
import io.damselfly.server.keyspace.ValueBuilder;
import io.damselfly.server.keyspace.ValueType;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link StreamRdbReader}: RDB 9's type 15 (crafted from payloads redis-server 7.0.15 wrote,
 * then restored into it so that its loader's derived fields are the reference), Redis 7.2's type
 * 21, the wiring into {@link RdbValueReader}, every corruption Redis's loader refuses and those
 * the keyspace needs refused, truncation at every length and seeded random mutations: each ends
 * in a decoded stream or a {@link RdbFormatException}, never another exception or a hang.
 */
@ExtendWith(RedisServerExtension.class)
class StreamRdbReaderTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ---- type 15 and 21 from type 19 ---------------------------------------------------------

    /**
     * A type-19 payload rewritten as {@code type}: 15 drops the first and max-deleted IDs,
     * entries_added and every entries_read; 21 adds each consumer's active-time (seen-time plus
     * {@code activeDelta}). Node listpacks are written raw (not LZF) when {@code rawBlobs}, so
     * that mutations reach their entries.
     */
    static byte[] convert(byte[] payload, int type, long activeDelta, boolean rawBlobs) throws RdbFormatException {
        RdbInput in = new RdbInput(payload, 0, payload.length - DumpPayload.FOOTER_BYTES);
        assertEquals(RdbFormat.TYPE_STREAM_LISTPACKS_2, in.readUnsignedByte());
        RdbOutput out = new RdbOutput(64);
        out.writeByte(type);
        long nodes = in.readLength();
        out.writeLength(nodes);
        for (long i = 0; i < nodes; i++) {
            byte[] key = in.readString();
            out.writeString(key, 0, key.length);
            byte[] blob = in.readString();
            if (rawBlobs) {
                out.writeLength(blob.length);
                out.writeBytes(blob, 0, blob.length);
            } else {
                out.writeString(blob, 0, blob.length);
            }
        }
        for (int i = 0; i < 3; i++) {
            out.writeUnsignedLength(in.readUnsignedLength());
        }
        for (int i = 0; i < 5; i++) {
            long v = in.readUnsignedLength();
            if (type != RdbFormat.TYPE_STREAM_LISTPACKS) {
                out.writeUnsignedLength(v);
            }
        }
        long groups = in.readLength();
        out.writeLength(groups);
        for (long g = 0; g < groups; g++) {
            byte[] name = in.readString();
            out.writeString(name, 0, name.length);
            out.writeUnsignedLength(in.readUnsignedLength());
            out.writeUnsignedLength(in.readUnsignedLength());
            long entriesRead = in.readUnsignedLength();
            if (type != RdbFormat.TYPE_STREAM_LISTPACKS) {
                out.writeUnsignedLength(entriesRead);
            }
            long pel = in.readLength();
            out.writeLength(pel);
            for (long i = 0; i < pel; i++) {
                out.writeBytes(in.readBytes(16), 0, 16);
                out.writeLittleEndian(in.readLittleEndian(8), 8);
                out.writeUnsignedLength(in.readUnsignedLength());
            }
            long consumers = in.readLength();
            out.writeLength(consumers);
            for (long c = 0; c < consumers; c++) {
                byte[] cname = in.readString();
                out.writeString(cname, 0, cname.length);
                long seen = in.readLittleEndian(8);
                out.writeLittleEndian(seen, 8);
                if (type == RdbFormat.TYPE_STREAM_LISTPACKS_3) {
                    out.writeLittleEndian(seen + activeDelta, 8);
                }
                long own = in.readLength();
                out.writeLength(own);
                for (long i = 0; i < own; i++) {
                    out.writeBytes(in.readBytes(16), 0, 16);
                }
            }
        }
        assertEquals(0, in.remaining());
        return DumpPayload.seal(out);
    }

    @Test
    void type15_derivedFields_asRedisLoadsThem(RedisServerProcess redis) throws Exception {
        try (RawClient c = new RawClient("127.0.0.1", redis.port())) {
            StreamRedis.populate(c);
            for (String key : StreamRedis.KEYS) {
                StreamRecording v19 = StreamRecording.decode(dump(c, key));
                byte[] p15 = convert(dump(c, key), RdbFormat.TYPE_STREAM_LISTPACKS, 0, false);
                StreamRecording v15 = StreamRecording.decode(p15);

                // the derivation, by hand: first live entry (or 2^64-1-2^64-1), no tombstone, added = length
                long length = v19.meta[0];
                StreamRecording.Id first = v19.nodes.stream().flatMap(List::stream).filter(e -> !e.deleted())
                        .map(StreamRecording.Entry::id).findFirst().orElse(new StreamRecording.Id(-1, -1));
                assertArrayEquals(new long[] {length, v19.meta[1], v19.meta[2], first.ms(), first.seq(), 0, 0, length}, v15.meta, key);

                // Redis's own loader, given the same type-15 payload, derives the same fields
                restore(c, key + ":15", p15);
                StreamRecording reloaded = StreamRecording.decode(dump(c, key + ":15"));
                assertEquals(reloaded.render(), v15.render(), key);
            }
            // every case of streamEstimateDistanceFromFirstEverEntry is met
            Map<String, StreamRecording.Group> groups = StreamRecording.decode(
                    convert(dump(c, "s:groups"), RdbFormat.TYPE_STREAM_LISTPACKS, 0, false)).groups;
            assertEquals(0, groups.get("before").entriesRead);
            assertEquals(1, groups.get("first").entriesRead);
            assertEquals(-1, groups.get("middle").entriesRead);
            assertEquals(-1, groups.get("zero").entriesRead);
            assertEquals(15, groups.get("last").entriesRead);
            assertEquals(-1, groups.get("future").entriesRead);
            assertEquals(0, StreamRecording.decode(convert(dump(c, "s:empty"), RdbFormat.TYPE_STREAM_LISTPACKS, 0, false))
                    .groups.get("g").entriesRead, "an empty stream of no entries added");
        }
    }

    @Test
    void estimateEntriesRead_cases() {
        // length 10, last 20-0, first 11-0, no tombstone, 25 added
        assertEquals(25, StreamRdbReader.estimateEntriesRead(10, 20, 0, 11, 0, 0, 0, 25, 20, 0));
        assertEquals(-1, StreamRdbReader.estimateEntriesRead(10, 20, 0, 11, 0, 0, 0, 25, 20, 1));
        assertEquals(15, StreamRdbReader.estimateEntriesRead(10, 20, 0, 11, 0, 0, 0, 25, 5, 0));
        assertEquals(16, StreamRdbReader.estimateEntriesRead(10, 20, 0, 11, 0, 0, 0, 25, 11, 0));
        assertEquals(-1, StreamRdbReader.estimateEntriesRead(10, 20, 0, 11, 0, 0, 0, 25, 12, 0));
        // a tombstone at or after the first entry: fragmentation, unknown
        assertEquals(-1, StreamRdbReader.estimateEntriesRead(10, 20, 0, 11, 0, 15, 0, 25, 5, 0));
        // a tombstone before the first entry does not count
        assertEquals(15, StreamRdbReader.estimateEntriesRead(10, 20, 0, 11, 0, 3, 0, 25, 5, 0));
        // an empty stream: anything up to the last ID is everything added; nothing added: 0
        assertEquals(25, StreamRdbReader.estimateEntriesRead(0, 20, 0, -1, -1, 0, 0, 25, 3, 0));
        assertEquals(0, StreamRdbReader.estimateEntriesRead(0, 0, 0, -1, -1, 0, 0, 0, 3, 0));
        // IDs compare unsigned: 2^64-1 ms is after everything
        assertEquals(-1, StreamRdbReader.estimateEntriesRead(10, 20, 0, 11, 0, 0, 0, 25, -1, 0));
    }

    @Test
    void type21_activeTime_readAndOnlyInRdb11(RedisServerProcess redis) throws Exception {
        try (RawClient c = new RawClient("127.0.0.1", redis.port())) {
            StreamRedis.populate(c);
            byte[] p19 = dump(c, "s:mixed");
            StreamRecording v19 = StreamRecording.decode(p19);
            StreamRecording v21 = StreamRecording.decode(convert(p19, RdbFormat.TYPE_STREAM_LISTPACKS_3, 4321, false));
            int consumers = 0;
            for (StreamRecording.Group g : v19.groups.values()) {
                for (StreamRecording.Consumer c19 : g.consumers.values()) {
                    StreamRecording.Consumer c21 = v21.groups.get(new String(g.name, StandardCharsets.ISO_8859_1))
                            .consumers.get(new String(c19.name, StandardCharsets.ISO_8859_1));
                    assertEquals(c19.seen, c19.active, "before 7.2 active-time is the seen-time");
                    assertEquals(c19.seen, c21.seen);
                    assertEquals(c19.seen + 4321, c21.active);
                    consumers++;
                }
            }
            assertTrue(consumers >= 5);
            // everything but active-time reads alike; the writer (7.0's form) leaves active-time out
            assertArrayEquals(v19.payload(), v21.payload());

            byte[] p21 = convert(p19, RdbFormat.TYPE_STREAM_LISTPACKS_3, 4321, false);
            ValueBuilder builder = new ValueBuilder(new Keyspace(1, 1));
            RdbFormatException e = assertThrows(RdbFormatException.class, () -> new RdbValueReader(builder)
                    .read(new RdbInput(p21, 0, p21.length)));
            assertTrue(e.getMessage().contains("before RDB 11"), e.getMessage());
            assertEquals(ValueType.STREAM, new RdbValueReader(builder, false, 11).read(new RdbInput(p21, 0, p21.length)).type());
        }
    }

    @Test
    void rdbValueReader_readsStreamsIntoTheKeyspacesValues() throws Exception {
        byte[] payload = simple(w -> {
        });
        Value v = new RdbValueReader(new ValueBuilder(new Keyspace(1, 1))).read(new RdbInput(payload, 0, payload.length));
        assertEquals(ValueType.STREAM, v.type());
        assertEquals("stream", v.encoding());
        assertThrows(RdbFormatException.class, () -> StreamRdbReader.read(new RdbInput(payload, 1, payload.length - 1),
                RdbFormat.TYPE_LIST_QUICKLIST_2, new StreamRecording()));
    }

    @Test
    void streamedInput_smallBuffer_readsAlike(RedisServerProcess redis) throws Exception {
        // a file is read through a bounded buffer that refills mid-item: every read must go through its bounds check
        try (RawClient c = new RawClient("127.0.0.1", redis.port())) {
            StreamRedis.populate(c);
            for (String key : StreamRedis.KEYS) {
                byte[] p = dump(c, key);
                int body = p.length - DumpPayload.FOOTER_BYTES;
                RdbInput in = new RdbInput(new java.io.ByteArrayInputStream(p, 0, body), body, 16);
                StreamRecording r = new StreamRecording();
                StreamRdbReader.read(in, in.readUnsignedByte(), r);
                assertEquals(0, in.remaining(), key);
                assertEquals(StreamRecording.decode(p).render(), r.render(), key);
            }
        }
    }

    // ---- corruption ---------------------------------------------------------------------------

    /** A type-19 payload of one entry 1-0 {f: v}, then whatever {@code groups} writes (stream announced with 1 group slot unused). */
    private static byte[] simple(Consumer<StreamRdbWriter> groups) {
        RdbOutput out = new RdbOutput(64);
        out.writeByte(RdbFormat.TYPE_STREAM_LISTPACKS_2);
        StreamRdbWriter w = new StreamRdbWriter(out);
        w.stream(1, 0);
        w.streamNode(1, 0, 1);
        w.streamEntry(1, 0, false, new byte[][] {b("f"), b("v")});
        w.streamMeta(1, 1, 0, 1, 0, 0, 0, 1);
        groups.accept(w);
        return DumpPayload.seal(out);
    }

    /** A stream body (no type byte) written by {@code walk}. */
    private static byte[] body(Consumer<StreamRdbWriter> walk) {
        RdbOutput out = new RdbOutput(64);
        walk.accept(new StreamRdbWriter(out));
        return out.toByteArray();
    }

    private static StreamRecording read(byte[] body) throws RdbFormatException {
        StreamRecording r = new StreamRecording();
        StreamRdbReader.read(new RdbInput(body, 0, body.length), RdbFormat.TYPE_STREAM_LISTPACKS_2, r);
        return r;
    }

    private static void refused(byte[] body, String message) {
        RdbFormatException e = assertThrows(RdbFormatException.class, () -> read(body));
        assertTrue(e.getMessage().contains(message), "'" + e.getMessage() + "' should say '" + message + "'");
    }

    /** A body of one node, key {@code key} and listpack {@code blob} (raw), then metadata for one live entry 1-0. */
    private static byte[] node(byte[] key, byte[] blob) {
        RdbOutput out = new RdbOutput(64);
        out.writeLength(1);
        out.writeLength(key.length);
        out.writeBytes(key, 0, key.length);
        out.writeLength(blob.length);
        out.writeBytes(blob, 0, blob.length);
        for (long v : new long[] {1, 1, 0, 1, 0, 0, 0, 1, 0}) {
            out.writeUnsignedLength(v);
        }
        return out.toByteArray();
    }

    private static final byte[] KEY_1_0 = {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};

    /** A listpack of the items: numbers as integer entries, anything else as string entries. */
    private static byte[] lp(Object... items) {
        ListpackWriter w = new ListpackWriter();
        for (Object o : items) {
            if (o instanceof Number n) {
                w.addLong(n.longValue());
            } else {
                w.add(b((String) o));
            }
        }
        return w.finish();
    }

    @Test
    void corruptNodes_refused() throws Exception {
        // the well-formed node the cases below break: 1 live, 0 deleted, master {f}, entry 1-0 SAMEFIELDS v
        StreamRecording ok = read(node(KEY_1_0, lp(1, 0, 1, "f", 0, 2, 0, 0, "v", 4)));
        assertEquals("node\n  1-0 f v\n", ok.render().substring(0, ok.render().indexOf("meta")));

        refused(node(Arrays.copyOf(KEY_1_0, 15), lp(1, 0, 1, "f", 0, 2, 0, 0, "v", 4)), "not the size of a stream ID");
        refused(node(KEY_1_0, lp()), "empty listpack");
        refused(node(KEY_1_0, lp(0, 0, 1, "f", 0)), "without entries");
        byte[] badHeader = lp(1, 0, 1, "f", 0, 2, 0, 0, "v", 4);
        badHeader[0]++;
        refused(node(KEY_1_0, badHeader), "listpack header");
        refused(node(KEY_1_0, lp(2, 0, 1, "f", 0, 2, 0, 0, "v", 4, 3, 0, 1, "w", 4)), "counts disagree");
        refused(node(KEY_1_0, lp(1, 0, 1, "f", 0, 2, 0, 0, "v", 5)), "wrong lp-count");
        refused(node(KEY_1_0, lp(1, 0, 1, "f", 0, 2, 0, 0, "v", 4, "extra")), "data after its last entry");
        refused(node(KEY_1_0, lp(1, 0, 1, "f", 1, 2, 0, 0, "v", 4)), "terminator");
        refused(node(KEY_1_0, lp(1, 0, 1, "f", 0, "abc", 0, 0, "v", 4)), "not an integer");
        refused(node(KEY_1_0, lp(1, 0, 60000, "f", 0, 2, 0, 0, "v", 4)), "bad count");
        refused(node(KEY_1_0, lp(1, -1, 1, "f", 0, 2, 0, 0, "v", 4)), "bad count");
        refused(node(KEY_1_0, lp(1_000_000_000_000L, 0, 1, "f", 0, 2, 0, 0, "v", 4)), "more entries than it holds");
        refused(node(KEY_1_0, lp(1, 0, 1, "f", 0, 0, 0, 0, 1_000_000, "f", "v", 6)), "bad field count");
        refused(node(KEY_1_0, lp(1, 0, 1, "f", 0, 2, 0, 1, "v", 4)), "not at its master ID");
        refused(node(KEY_1_0, lp(1, 0, 1, "f", 0, 2, 0, 0)), "more entries than it holds");
        refused(node(KEY_1_0, lp(1, 0, 1, "f", 0, 0, 0, 0, 2, "field-one", "value-one", "field-two")), "listpack ends before");
    }

    @Test
    void corruptStreams_refused() {
        byte[][] fv = {b("f"), b("v")};
        refused(body(w -> {
            w.stream(2, 0);
            w.streamNode(5, 0, 1);
            w.streamEntry(5, 0, false, fv);
            w.streamNode(3, 0, 1);
            w.streamEntry(3, 0, false, fv);
            w.streamMeta(2, 5, 0, 3, 0, 0, 0, 2);
        }), "not increasing");
        refused(body(w -> {
            w.stream(1, 0);
            w.streamNode(5, 0, 2);
            w.streamEntry(5, 0, false, fv);
            w.streamEntry(5, 0, false, fv);
            w.streamMeta(2, 5, 0, 5, 0, 0, 0, 2);
        }), "not increasing");
        refused(body(w -> {
            w.stream(1, 0);
            w.streamNode(1, 0, 1);
            w.streamEntry(2, 0, false, fv);
            w.streamMeta(1, 2, 0, 2, 0, 0, 0, 1);
        }), "not at its master ID");
        refused(body(w -> {
            w.stream(1, 0);
            w.streamNode(1, 0, 1);
            w.streamEntry(1, 0, false, fv);
            w.streamMeta(2, 1, 0, 1, 0, 0, 0, 2);
        }), "length 2 but 1 live");
        refused(body(w -> {
            w.stream(0, 0);
            w.streamMeta(3, 1, 0, 1, 0, 0, 0, 3);
        }), "inconsistent with its nodes");
        refused(body(w -> {
            w.stream(1, 0);
            w.streamNode(5, 0, 1);
            w.streamEntry(5, 0, false, fv);
            w.streamMeta(1, 4, 0, 5, 0, 0, 0, 1);
        }), "last ID below");
        refused(simpleBody(w -> {
            w.streamGroup(b("g"), 0, 0, 0, 0, 0);
            w.streamGroup(b("g"), 0, 0, 0, 0, 0);
        }, 2), "duplicate consumer group");
        refused(simpleBody(w -> {
            w.streamGroup(b("g"), 1, 0, 1, 2, 1);
            w.streamPending(1, 0, 5, 1);
            w.streamPending(1, 0, 5, 1);
            w.streamConsumer(b("c"), 0, 0, 1);
            w.streamConsumerPending(1, 0);
        }, 1), "duplicate entry in a consumer group's PEL");
        refused(simpleBody(w -> {
            w.streamGroup(b("g"), 1, 0, 1, 0, 2);
            w.streamConsumer(b("c"), 0, 0, 0);
            w.streamConsumer(b("c"), 0, 0, 0);
        }, 1), "duplicate consumer");
        refused(simpleBody(w -> {
            w.streamGroup(b("g"), 1, 0, 1, 1, 1);
            w.streamPending(1, 0, 5, 1);
            w.streamConsumer(b("c"), 0, 0, 1);
            w.streamConsumerPending(2, 0);
        }, 1), "not in its group's PEL");
        refused(simpleBody(w -> {
            w.streamGroup(b("g"), 1, 0, 1, 1, 2);
            w.streamPending(1, 0, 5, 1);
            w.streamConsumer(b("c"), 0, 0, 1);
            w.streamConsumerPending(1, 0);
            w.streamConsumer(b("d"), 0, 0, 1);
            w.streamConsumerPending(1, 0);
        }, 1), "owned twice");
        refused(simpleBody(w -> {
            w.streamGroup(b("g"), 1, 0, 1, 2, 1);
            w.streamPending(1, 0, 5, 1);
            w.streamPending(2, 0, 5, 1);
            w.streamConsumer(b("c"), 0, 0, 1);
            w.streamConsumerPending(1, 0);
        }, 1), "without a consumer");
    }

    /** The body of a one-entry stream announcing {@code groups} groups, which {@code walk} writes. */
    private static byte[] simpleBody(Consumer<StreamRdbWriter> walk, int groups) {
        return body(w -> {
            w.stream(1, groups);
            w.streamNode(1, 0, 1);
            w.streamEntry(1, 0, false, new byte[][] {b("f"), b("v")});
            w.streamMeta(1, 1, 0, 1, 0, 0, 0, 1);
            walk.accept(w);
        });
    }

    @Test
    void hugeCounts_refusedWithoutAllocating() {
        // counts of 2^62 nodes, groups, PEL entries and consumers: each loop runs out of bytes at once
        RdbOutput out = new RdbOutput(16);
        out.writeUnsignedLength(1L << 62);
        refused(out.toByteArray(), "unexpected end");
        RdbOutput groups = new RdbOutput(16);
        for (long v : new long[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 1}) {
            groups.writeUnsignedLength(v);
        }
        groups.writeString(b("g"), 0, 1);
        for (long v : new long[] {0, 0, 0, 1L << 40}) {
            groups.writeUnsignedLength(v);
        }
        refused(groups.toByteArray(), "unexpected end");
    }

    // ---- garbage ------------------------------------------------------------------------------

    /** Payloads the garbage tests start from: Redis-written streams of every form, LZF and raw listpacks, types 15, 19, 21. */
    private static List<byte[]> bases(RawClient c) throws RdbFormatException {
        call(c, "FLUSHALL");
        call(c, "CONFIG", "SET", "stream-node-max-entries", "5");
        for (int i = 0; i < 30; i++) {
            if (i % 4 == 1) {
                call(c, "XADD", "s:fuzz", "*", "a", "v" + i, "z", Integer.toString(i * 1000));
            } else {
                call(c, "XADD", "s:fuzz", "*", "a", "v" + i, "b", "L".repeat(i * 3));
            }
        }
        List<String> ids = StreamRedis.ids(call(c, "XRANGE", "s:fuzz", "-", "+"));
        call(c, "XDEL", "s:fuzz", ids.get(0), ids.get(7), ids.get(8));
        call(c, "XGROUP", "CREATE", "s:fuzz", "g", "0");
        StreamRedis.readGroup(c, "XREADGROUP", "GROUP", "g", "c1", "COUNT", "4", "STREAMS", "s:fuzz", ">");
        StreamRedis.readGroup(c, "XREADGROUP", "GROUP", "g", "c2", "COUNT", "3", "STREAMS", "s:fuzz", ">");
        call(c, "XGROUP", "CREATE", "s:fuzz", "h", "$");
        call(c, "CONFIG", "SET", "stream-node-max-entries", "100");
        byte[] p = dump(c, "s:fuzz");
        return List.of(p, convert(p, RdbFormat.TYPE_STREAM_LISTPACKS_2, 0, true),
                convert(p, RdbFormat.TYPE_STREAM_LISTPACKS, 0, true), convert(p, RdbFormat.TYPE_STREAM_LISTPACKS_3, 7, true));
    }

    /** Reads a payload's body (footer excluded): a stream, or a RdbFormatException; anything else fails the test. */
    private static boolean decodes(byte[] payload, int length, String what) {
        try {
            RdbInput in = new RdbInput(payload, 0, length);
            StreamRdbReader.read(in, in.readUnsignedByte(), new StreamRecording());
            return true;
        } catch (RdbFormatException expected) {
            return false;
        } catch (Throwable t) {
            throw new AssertionError(what + ": " + t, t);
        }
    }

    @Test
    void truncated_atEveryLength_refused(RedisServerProcess redis) throws Exception {
        try (RawClient c = new RawClient("127.0.0.1", redis.port())) {
            for (byte[] p : bases(c)) {
                int body = p.length - DumpPayload.FOOTER_BYTES;
                assertTrue(decodes(p, body, "whole"));
                for (int n = 0; n < body; n++) {
                    assertTrue(!decodes(p, n, "truncated at " + n), "truncated at " + n + " of " + body + " decoded");
                }
            }
        }
    }

    @Test
    void mutated_decodeOrRefuse_neverCrash(RedisServerProcess redis) throws Exception {
        List<byte[]> bases;
        try (RawClient c = new RawClient("127.0.0.1", redis.port())) {
            bases = bases(c);
        }
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Random random = new Random(20261205);
            int refused = 0;
            int decoded = 0;
            for (int i = 0; i < 20_000; i++) {
                byte[] base = bases.get(i % bases.size());
                byte[] m = mutate(base, random);
                if (decodes(m, m.length, "mutation " + i)) {
                    decoded++;
                } else {
                    refused++;
                }
            }
            // the mutations must reach the decoder's checks, not only the first bytes
            assertTrue(refused > 10_000, "refused " + refused);
            assertTrue(decoded > 200, "decoded " + decoded);
        });
    }

    /** One random damage to the body (the footer dropped): a flipped bit, a byte set, a range cut out, duplicated or zeroed. */
    private static byte[] mutate(byte[] payload, Random random) {
        byte[] m = Arrays.copyOf(payload, payload.length - DumpPayload.FOOTER_BYTES);
        int at = 1 + random.nextInt(m.length - 1);
        switch (random.nextInt(5)) {
            case 0 -> m[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> m[at] = (byte) random.nextInt(256);
            case 2 -> {
                int n = Math.min(1 + random.nextInt(8), m.length - at);
                byte[] cut = new byte[m.length - n];
                System.arraycopy(m, 0, cut, 0, at);
                System.arraycopy(m, at + n, cut, at, m.length - at - n);
                m = cut;
            }
            case 3 -> {
                int n = Math.min(1 + random.nextInt(8), m.length - at);
                byte[] longer = new byte[m.length + n];
                System.arraycopy(m, 0, longer, 0, at + n);
                System.arraycopy(m, at, longer, at + n, m.length - at);
                m = longer;
            }
            default -> {
                int n = Math.min(1 + random.nextInt(4), m.length - at);
                Arrays.fill(m, at, at + n, (byte) (random.nextBoolean() ? 0 : 0xFF));
            }
        }
        return m;
    }

    @Test
    void listpackCursor_readsEveryEncoding() throws Exception {
        ListpackWriter w = new ListpackWriter();
        long[] ints = {0, 127, 128, -4096, 4095, -32768, 32767, -(1 << 23), (1 << 23) - 1, Integer.MIN_VALUE,
                Integer.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE};
        for (long v : ints) {
            w.addLong(v);
        }
        String[] strings = {"", "x".repeat(63), "y".repeat(64), "z".repeat(4095), "w".repeat(4096), "-0", "007"};
        for (String s : strings) {
            w.add(b(s));
        }
        ListpackCursor c = new ListpackCursor(w.finish());
        for (long v : ints) {
            assertEquals(v, c.nextLong("int"));
        }
        for (String s : strings) {
            assertArrayEquals(b(s), c.nextBytes("string"));
        }
        assertTrue(c.atEnd());
        assertThrows(RdbFormatException.class, () -> c.nextLong("past the end"));
    }

    @Test
    void listpackCursor_integersSpelledAsStrings_readAsRedisDoes() throws Exception {
        // lpGetIntegerIfValid: a string entry that string2ll takes is an integer; "007", "-0", "x" are not
        ListpackCursor c = new ListpackCursor(stringListpack("12", "-7", "9223372036854775807", "007", "-0", "x"));
        assertEquals(12, c.nextLong("a"));
        assertEquals(-7, c.nextLong("b"));
        assertEquals(Long.MAX_VALUE, c.nextLong("c"));
        for (String what : List.of("d", "e", "f")) {
            RdbFormatException e = assertThrows(RdbFormatException.class, () -> c.nextLong(what));
            assertTrue(e.getMessage().contains("not an integer"), e.getMessage());
        }
        // and a stream node whose counts are such strings reads
        StreamRecording r = read(node(KEY_1_0, stringListpack("1", "0", "1", "f", "0", "2", "0", "0", "v", "4")));
        assertEquals(1, r.entryCount());
    }

    @Test
    void listpackCursor_malformed_refused() {
        // header: total bytes not the blob's length; last byte not the end marker
        assertThrows(RdbFormatException.class, () -> new ListpackCursor(new byte[] {7, 0, 0, 0, 0, 0, (byte) 0xFF, 0}));
        assertThrows(RdbFormatException.class, () -> new ListpackCursor(new byte[] {7, 0, 0, 0, 0, 0, 0}));
        // a back-length that disagrees with its entry, as lpValidateNext refuses it
        byte[] blob = lp("abc", 1);
        blob[6 + 4]++;
        RdbFormatException e = assertThrows(RdbFormatException.class, () -> new ListpackCursor(blob).nextBytes("first"));
        assertTrue(e.getMessage().contains("back length"), e.getMessage());
        // a string running past the end marker
        byte[] longString = lp("abc");
        longString[6] = (byte) (0x80 | 40);
        assertThrows(RdbFormatException.class, () -> new ListpackCursor(longString).nextBytes("first"));
        // an end marker before the end
        byte[] early = lp("a", "b");
        early[6 + 3] = (byte) 0xFF;
        ListpackCursor c = assertDoesNotThrowCursor(early);
        assertThrows(RdbFormatException.class, () -> {
            c.nextBytes("first");
            c.nextBytes("second");
        });
        // an unknown encoding
        byte[] unknown = lp("a");
        unknown[6] = (byte) 0xF5;
        assertThrows(RdbFormatException.class, () -> new ListpackCursor(unknown).nextBytes("first"));
    }

    private static ListpackCursor assertDoesNotThrowCursor(byte[] blob) {
        try {
            return new ListpackCursor(blob);
        } catch (RdbFormatException e) {
            throw new AssertionError(e);
        }
    }

    /** A listpack whose items are all 6-bit string entries, numeric text included (Redis never writes those, but reads them). */
    private static byte[] stringListpack(String... items) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(new byte[6]);
        for (String s : items) {
            out.write(0x80 | s.length());
            out.writeBytes(b(s));
            out.write(1 + s.length());
        }
        out.write(0xFF);
        byte[] blob = out.toByteArray();
        blob[0] = (byte) blob.length;
        blob[1] = (byte) (blob.length >>> 8);
        blob[4] = (byte) items.length;
        return blob;
    }

    /** Entries of a listpack with a string past 1 MB still read (a node of stream-node-max-bytes 0). */
    @Test
    void largeEntry_reads() throws Exception {
        byte[] big = new byte[1 << 20];
        Arrays.fill(big, (byte) 'q');
        String bigValue = new String(big, StandardCharsets.ISO_8859_1);
        byte[] payload = body(w -> {
            w.stream(1, 0);
            w.streamNode(9, 9, 2);
            w.streamEntry(9, 9, false, new byte[][] {b("f"), big});
            w.streamEntry(9, 10, false, new byte[][] {b("f"), b("small")});
            w.streamMeta(2, 9, 10, 9, 9, 0, 0, 2);
        });
        StreamRecording r = read(payload);
        List<String> values = new ArrayList<>();
        for (StreamRecording.Entry e : r.nodes.get(0)) {
            values.add(new String(e.fieldsAndValues()[1], StandardCharsets.ISO_8859_1));
        }
        assertEquals(List.of(bigValue, "small"), values);
    }
}
