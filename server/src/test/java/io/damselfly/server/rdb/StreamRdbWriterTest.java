package io.damselfly.server.rdb;

import static io.damselfly.server.rdb.StreamRedis.call;
import static io.damselfly.server.rdb.StreamRedis.dump;
import static io.damselfly.server.rdb.StreamRedis.restore;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link StreamRdbWriter} against a real redis-server 7.0.15: streams Redis built are dumped,
 * read by {@link StreamRdbReader} into a recording, written again by the writer and restored into
 * Redis under another key; both keys must answer XINFO STREAM FULL and XRANGE alike, and the
 * payloads must hold byte-identical node keys, node listpacks (after LZF) and metadata. A stream
 * written from scratch must restore as the calls describe it.
 */
@ExtendWith(RedisServerExtension.class)
class StreamRdbWriterTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[][] fv(String... s) {
        byte[][] out = new byte[s.length][];
        for (int i = 0; i < s.length; i++) {
            out[i] = b(s[i]);
        }
        return out;
    }

    /**
     * A stream payload cut in pieces: the type byte, each node key and node listpack (LZF
     * undone), then the rest of the body as it is (lengths, IDs, names, times: nothing there is
     * compressed when names are short).
     */
    static List<byte[]> pieces(byte[] payload) throws RdbFormatException {
        RdbInput in = new RdbInput(payload, 0, payload.length - DumpPayload.FOOTER_BYTES);
        List<byte[]> out = new ArrayList<>();
        out.add(new byte[] {(byte) in.readUnsignedByte()});
        long nodes = in.readLength();
        for (long i = 0; i < nodes; i++) {
            out.add(in.readString());
            out.add(in.readString());
        }
        out.add(in.readBytes(in.remaining()));
        return out;
    }

    private static void assertSamePieces(byte[] redis, byte[] ours, String key) throws RdbFormatException {
        List<byte[]> expected = pieces(redis);
        List<byte[]> actual = pieces(ours);
        assertEquals(expected.size(), actual.size(), key + ": node count");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), key + ": piece " + i);
        }
    }

    @Test
    void roundTrip_redisStreams_restoreAndCompare(RedisServerProcess redis) throws Exception {
        try (RawClient c = new RawClient("127.0.0.1", redis.port())) {
            StreamRedis.populate(c);
            // RESTORE checks every listpack entry and PEL owner, as deeply as Redis can
            call(c, "CONFIG", "SET", "sanitize-dump-payload", "yes");
            for (String key : StreamRedis.KEYS) {
                byte[] theirs = dump(c, key);
                StreamRecording recording = StreamRecording.decode(theirs);
                byte[] ours = recording.payload();
                assertTrue(DumpPayload.verify(ours), key);
                assertSamePieces(theirs, ours, key);
                assertEquals(recording.render(), StreamRecording.decode(ours).render(), key);

                String copy = key + ":copy";
                restore(c, copy, ours);
                assertEquals(RawClient.render(call(c, "XINFO", "STREAM", key, "FULL", "COUNT", "0")),
                        RawClient.render(call(c, "XINFO", "STREAM", copy, "FULL", "COUNT", "0")), key);
                assertEquals(RawClient.render(call(c, "XRANGE", key, "-", "+")),
                        RawClient.render(call(c, "XRANGE", copy, "-", "+")), key);
                // what Redis dumps of the restored copy reads as the original did
                assertEquals(recording.render(), StreamRecording.decode(dump(c, copy)).render(), key);
            }
        }
    }

    @Test
    void roundTrip_mixedStream_coversTheForms(RedisServerProcess redis) throws Exception {
        try (RawClient c = new RawClient("127.0.0.1", redis.port())) {
            StreamRedis.populate(c);
            StreamRecording r = StreamRecording.decode(dump(c, "s:mixed"));
            // the population must reach what the test claims to cover
            assertTrue(r.nodes.size() >= 15, "many nodes");
            long deleted = r.nodes.stream().flatMap(List::stream).filter(StreamRecording.Entry::deleted).count();
            assertTrue(deleted >= 5, "tombstones inside nodes");
            assertTrue(r.nodes.stream().anyMatch(n -> n.get(0).deleted()), "a node whose first entry is deleted");
            assertTrue(r.nodes.stream().anyMatch(n -> n.stream().anyMatch(e -> e.fieldsAndValues().length != n.get(0).fieldsAndValues().length)),
                    "entries whose fields are not the master's");
            assertTrue(r.nodes.stream().anyMatch(n -> n.stream().anyMatch(e -> Long.compareUnsigned(e.id().seq(), n.get(0).id().seq()) < 0)),
                    "a negative seq difference");
            assertEquals(4, r.groups.size());
            StreamRecording.Group g1 = r.groups.get("g1");
            assertEquals(List.of("alice", "bob", "carol", "dave"), List.copyOf(g1.consumers.keySet()));
            assertTrue(g1.consumers.get("dave").pending.isEmpty());
            assertEquals(2, g1.consumers.get("carol").pending.size());
            assertTrue(r.groups.get("noack").pel.isEmpty());
            assertEquals(3, r.groups.get("g2").entriesRead);
        }
    }

    @Test
    void fromScratch_restoresAsDescribed(RedisServerProcess redis) throws Exception {
        RdbOutput out = new RdbOutput(64);
        out.writeByte(RdbFormat.TYPE_STREAM_LISTPACKS_2);
        StreamRdbWriter w = new StreamRdbWriter(out);
        w.stream(2, 1);
        w.streamNode(100, 0, 3);
        w.streamEntry(100, 0, false, fv("name", "ann", "age", "31"));
        w.streamEntry(100, 5, true, fv("name", "bob", "age", "40"));
        w.streamEntry(101, 0, false, fv("name", "cy", "city", "Oslo"));
        w.streamNode(200, 7, 2);
        w.streamEntry(200, 7, false, fv("k", "1"));
        w.streamEntry(300, 0, false, fv("k", "-123456789012"));
        assertFalse(w.complete());
        w.streamMeta(4, 300, 0, 100, 0, 100, 5, 5);
        w.streamGroup(b("grp"), 200, 7, 4, 2, 3);
        w.streamPending(101, 0, 1_700_000_000_000L, 2);
        w.streamPending(200, 7, 1_700_000_000_500L, 1);
        w.streamConsumer(b("c1"), 1_700_000_001_000L, 99, 1);
        w.streamConsumerPending(101, 0);
        w.streamConsumer(b("c2"), 1_700_000_002_000L, 99, 1);
        w.streamConsumerPending(200, 7);
        w.streamConsumer(b("idle"), 1_700_000_003_000L, 99, 0);
        assertTrue(w.complete());
        byte[] payload = DumpPayload.seal(out);

        try (RawClient c = new RawClient("127.0.0.1", redis.port())) {
            call(c, "CONFIG", "SET", "sanitize-dump-payload", "yes");
            restore(c, "scratch", payload);
            assertEquals("[[$100-0, [$name, $ann, $age, $31]], [$101-0, [$name, $cy, $city, $Oslo]], "
                    + "[$200-7, [$k, $1]], [$300-0, [$k, $-123456789012]]]", RawClient.render(call(c, "XRANGE", "scratch", "-", "+")));
            String info = RawClient.render(call(c, "XINFO", "STREAM", "scratch", "FULL"));
            for (String part : List.of("$length, :4", "$radix-tree-keys, :2", "$last-generated-id, $300-0",
                    "$max-deleted-entry-id, $100-5", "$entries-added, :5", "$recorded-first-entry-id, $100-0",
                    "$name, $grp, $last-delivered-id, $200-7, $entries-read, :4, $lag, :1, $pel-count, :2",
                    "[$101-0, $c1, :1700000000000, :2], [$200-7, $c2, :1700000000500, :1]",
                    "$name, $c1, $seen-time, :1700000001000, $pel-count, :1, $pending, [[$101-0, :1700000000000, :2]]",
                    "$name, $idle, $seen-time, :1700000003000, $pel-count, :0")) {
                assertTrue(info.contains(part), part + " in " + info);
            }
            // Redis's own dump of it holds the same nodes and metadata, byte for byte
            assertSamePieces(dump(c, "scratch"), payload, "scratch");
        }
    }

    @Test
    void fromScratch_emptyStream(RedisServerProcess redis) throws Exception {
        RdbOutput out = new RdbOutput(64);
        out.writeByte(RdbFormat.TYPE_STREAM_LISTPACKS_2);
        StreamRdbWriter w = new StreamRdbWriter(out);
        w.stream(0, 0);
        w.streamMeta(0, 7, 3, -1, -1, 7, 3, 12);
        assertTrue(w.complete());
        byte[] payload = DumpPayload.seal(out);
        try (RawClient c = new RawClient("127.0.0.1", redis.port())) {
            restore(c, "empty", payload);
            assertEquals(":0", RawClient.render(call(c, "XLEN", "empty")));
            String info = RawClient.render(call(c, "XINFO", "STREAM", "empty", "FULL"));
            assertTrue(info.contains("$last-generated-id, $7-3, $max-deleted-entry-id, $7-3, $entries-added, :12, "
                    + "$recorded-first-entry-id, $18446744073709551615-18446744073709551615"), info);
            assertSamePieces(dump(c, "empty"), payload, "empty");
        }
    }

    @Test
    void writer_callsOutOfOrder_areRefused() {
        StreamRdbWriter w = new StreamRdbWriter(new RdbOutput(16));
        assertThrows(IllegalStateException.class, () -> w.streamNode(1, 0, 1));
        w.stream(1, 1);
        assertThrows(IllegalStateException.class, () -> w.streamEntry(1, 0, false, fv("f", "v")));
        assertThrows(IllegalStateException.class, () -> w.streamMeta(0, 0, 0, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> w.streamNode(1, 0, 0));
        w.streamNode(1, 0, 1);
        assertThrows(IllegalArgumentException.class, () -> w.streamEntry(1, 0, false, fv("f")));
        w.streamEntry(1, 0, false, fv("f", "v"));
        assertThrows(IllegalStateException.class, () -> w.streamEntry(2, 0, false, fv("f", "v")));
        assertThrows(IllegalStateException.class, () -> w.streamGroup(b("g"), 0, 0, 0, 0, 0));
        w.streamMeta(1, 1, 0, 1, 0, 0, 0, 1);
        w.streamGroup(b("g"), 0, 0, 0, 1, 1);
        assertThrows(IllegalStateException.class, () -> w.streamConsumer(b("c"), 0, 0, 0));
        w.streamPending(1, 0, 0, 1);
        w.streamConsumer(b("c"), 0, 0, 1);
        assertFalse(w.complete());
        w.streamConsumerPending(1, 0);
        assertTrue(w.complete());
        assertThrows(IllegalStateException.class, () -> w.streamConsumerPending(1, 0));
    }

    @Test
    void writer_reused_writesEachStreamAlike() throws Exception {
        StreamRecording r = new StreamRecording();
        r.append(5, 0, false, true, fv("f", "v"));
        r.append(5, 1, true, false, fv("f", "w"));
        r.append(6, 0, false, true, fv("g", "x"));
        r.meta(2, 6, 0, 5, 0, 5, 1, 3);
        r.group(b("g"), 6, 0, 3);
        r.pending(b("g"), 6, 0, 1000, 1);
        r.consumer(b("g"), b("c"), 2000, 2000);
        r.consumerPending(b("g"), b("c"), 6, 0);
        RdbOutput out = new RdbOutput(64);
        StreamRdbWriter w = new StreamRdbWriter(out);
        r.writeTo(w);
        int first = out.size();
        assertThrows(IllegalStateException.class, () -> new StreamRdbWriter(new RdbOutput(16)).streamMeta(0, 0, 0, 0, 0, 0, 0, 0));
        r.writeTo(w);
        byte[] both = out.toByteArray();
        assertEquals(2 * first, both.length);
        assertArrayEquals(Arrays.copyOfRange(both, 0, first), Arrays.copyOfRange(both, first, both.length));
        StreamRdbWriter open = new StreamRdbWriter(new RdbOutput(16));
        open.stream(1, 0);
        assertThrows(IllegalStateException.class, () -> open.stream(1, 0));
    }
}
