package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamValue} alone: node filling by Redis's two limits (listpack bytes computed as
 * listpack.c encodes, entries live plus deleted), exact and approximate trimming, tombstones,
 * ranges both ways, the running footprint against a recount after random work, deep copies, the
 * serialization contract round trip through {@link ValueBuilder}, and ID parsing.
 */
class StreamValueTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[][] fv(String... s) {
        byte[][] out = new byte[s.length][];
        for (int i = 0; i < s.length; i++) {
            out[i] = b(s[i]);
        }
        return out;
    }

    private static StreamValue filled(int n, long maxBytes, long maxEntries) {
        StreamValue s = new StreamValue();
        for (int i = 1; i <= n; i++) {
            s.append(i, 0, fv("f", "v"), maxBytes, maxEntries);
        }
        return s;
    }

    // ---- node limits ----------------------------------------------------------------------------

    @Test
    void listpackBytes_followListpackEncodings() {
        assertEquals(2, ListpackSizes.intElement(0));
        assertEquals(2, ListpackSizes.intElement(127));
        assertEquals(3, ListpackSizes.intElement(128));
        assertEquals(3, ListpackSizes.intElement(-4096));
        assertEquals(4, ListpackSizes.intElement(-4097));
        assertEquals(5, ListpackSizes.intElement(8388607));
        assertEquals(6, ListpackSizes.intElement(8388608));
        assertEquals(10, ListpackSizes.intElement(Long.MIN_VALUE));
        // a string that reads as an integer is stored as one; "-0", "01", 21 digits are strings
        assertEquals(2, ListpackSizes.stringElement(b("5")));
        assertEquals(4, ListpackSizes.stringElement(b("-0")));
        assertEquals(4, ListpackSizes.stringElement(b("01")));
        assertEquals(10, ListpackSizes.stringElement(b("12345678901234567890".substring(0, 19))));
        assertEquals(1 + 20 + 1, ListpackSizes.stringElement(b("12345678901234567890")));
        assertEquals(1 + 63 + 1, ListpackSizes.stringElement(new byte[63]));
        assertEquals(2 + 64 + 1, ListpackSizes.stringElement(new byte[64]));
        assertEquals(2 + 126 + 2, ListpackSizes.stringElement(new byte[126]));
        assertEquals(5 + 4096 + 2, ListpackSizes.stringElement(new byte[4096]));
    }

    @Test
    void nodeBytes_matchRedisForOneFieldEntries() {
        // header 7, count 2, deleted 2, num-fields 2, "f" 3, terminator 2; each entry 11 bytes
        StreamValue s = filled(3, 0, 0);
        long[][] shape = s.nodeShape();
        assertEquals(1, shape.length);
        assertEquals(18 + 3 * 11, shape[0][1]);
    }

    @Test
    void nodeMaxBytes_startsNodesWhereRedisDoes() {
        // redis-server 7.0.15 with stream-node-max-bytes 60: ten "f v" entries make nodes of 4, 4, 2
        StreamValue s = filled(10, 60, 100);
        long[][] shape = s.nodeShape();
        assertEquals(3, shape.length);
        assertEquals(List.of(4L, 4L, 2L), List.of(shape[0][0], shape[1][0], shape[2][0]));
        assertEquals(4, s.trim(5, null, true, 10000), "MAXLEN ~ 5 removes the whole first node only");
        assertEquals(6, s.length());
    }

    @Test
    void nodeMaxEntries_countsDeletedEntries() {
        StreamValue s = filled(3, 4096, 3);
        assertTrue(s.delete(new StreamId(2, 0)));
        s.append(4, 0, fv("f", "v"), 4096, 3);
        assertEquals(2, s.nodeCount(), "the deleted entry still fills its node");
        assertEquals(3, s.length());
    }

    @Test
    void sameFields_storeValuesOnly_otherFieldsWhole() {
        StreamValue s = new StreamValue();
        s.append(1, 0, fv("a", "1", "b", "2"), 4096, 100);
        s.append(2, 0, fv("a", "3", "b", "4"), 4096, 100);
        s.append(3, 0, fv("b", "5", "a", "6"), 4096, 100);
        List<StreamValue.Entry> all = s.range(StreamId.MIN, StreamId.MAX, false, 0);
        assertArrayEquals(fv("a", "3", "b", "4"), all.get(1).fieldsAndValues());
        assertArrayEquals(fv("b", "5", "a", "6"), all.get(2).fieldsAndValues());
        // master: count 2 deleted 2 num-fields 2 "a" 3 "b" 3 terminator 2 = 14, header 7
        // entry 1 and 2 (same fields): flags 2 ms 2 seq 2 values (integers) 2+2 lp-count 2 = 12
        // entry 3: flags 2 ms 2 seq 2 num-fields 2 "b" 3 "5" 2 "a" 3 "6" 2 lp-count 2 = 20
        assertEquals(7 + 14 + 12 + 12 + 20, s.nodeShape()[0][1]);
    }

    // ---- deletion and trimming -------------------------------------------------------------------

    @Test
    void delete_keepsTombstonesUntilTheNodeEmpties() {
        StreamValue s = filled(4, 4096, 2);
        assertEquals(2, s.nodeCount());
        assertTrue(s.delete(new StreamId(1, 0)));
        assertFalse(s.delete(new StreamId(1, 0)));
        assertEquals(2, s.nodeCount());
        assertEquals(2, s.nodeShape()[0][0], "a tombstone stays in its node");
        assertTrue(s.delete(new StreamId(2, 0)));
        assertEquals(1, s.nodeCount(), "an emptied node goes");
        assertEquals(2, s.length());
        assertNull(s.get(new StreamId(2, 0)));
        assertFalse(s.contains(new StreamId(9, 0)));
    }

    @Test
    void trim_exactMarksEntriesInsideANode_approxRemovesWholeNodes() {
        StreamValue s = filled(10, 4096, 4);
        assertEquals(0, s.trim(8, null, true, 0), "the first node holds 4: removing it leaves 6 < 8");
        assertEquals(4, s.trim(6, null, true, 0));
        assertEquals(1, s.trim(5, null, false, 0));
        assertEquals(new StreamId(6, 0), s.firstId());
        assertEquals(5, s.length());
        assertEquals(2, s.nodeCount());
        assertEquals(2, s.trim(-1, new StreamId(8, 0), false, 0), "MINID 8 flags 6-0 and 7-0 in their node, which ends at 8-0");
        assertEquals(2, s.nodeCount());
        assertEquals(new StreamId(8, 0), s.firstId());
        assertEquals(3, s.trim(0, null, false, 0));
        assertEquals(StreamId.MIN, s.firstId());
        assertEquals(new StreamId(10, 0), s.lastId());
    }

    @Test
    void trim_limitStopsBeforeANodeThatWouldPassIt() {
        StreamValue s = filled(9, 4096, 3);
        assertEquals(3, s.trim(0, null, true, 5));
        assertEquals(6, s.length());
    }

    @Test
    void range_bothWaysWithBoundsAndCount() {
        StreamValue s = filled(10, 4096, 3);
        s.delete(new StreamId(5, 0));
        List<Long> fwd = new ArrayList<>();
        for (StreamValue.Entry e : s.range(new StreamId(3, 0), new StreamId(8, 0), false, 0)) {
            fwd.add(e.id().ms());
        }
        assertEquals(List.of(3L, 4L, 6L, 7L, 8L), fwd);
        List<Long> rev = new ArrayList<>();
        for (StreamValue.Entry e : s.range(new StreamId(3, 0), new StreamId(8, 0), true, 3)) {
            rev.add(e.id().ms());
        }
        assertEquals(List.of(8L, 7L, 6L), rev);
        assertTrue(s.range(new StreamId(8, 0), new StreamId(3, 0), false, 0).isEmpty());
        assertEquals(new StreamId(10, 0), s.lastValidId());
    }

    // ---- footprint, copy, serialization ------------------------------------------------------------

    @Test
    void footprint_runningSumEqualsRecount_afterRandomWork() {
        Random random = new Random(7);
        StreamValue s = new StreamValue();
        StreamValue.Group g = s.createGroup(b("g"), StreamId.MIN, 0);
        StreamValue.Consumer c = s.createConsumer(g, b("alice"), 1);
        long ms = 1;
        for (int round = 0; round < 3000; round++) {
            int op = random.nextInt(10);
            if (op < 5) {
                byte[][] entry = random.nextBoolean() ? fv("f", "v" + round) : fv("x" + round % 7, "y".repeat(random.nextInt(200)));
                s.append(ms++, random.nextInt(3), entry, 300, 20);
            } else if (op == 5) {
                s.delete(new StreamId(1 + random.nextInt((int) ms), 0));
            } else if (op == 6) {
                s.trim(-1, new StreamId(Math.max(1, ms - 500), 0), random.nextBoolean(), 0);
            } else if (op == 7) {
                StreamId id = new StreamId(1 + random.nextInt((int) ms), random.nextInt(3));
                if (!g.pel.containsKey(id)) {
                    s.addPending(g, id, c, round, 1);
                }
            } else if (op == 8 && !g.pel.isEmpty()) {
                s.removePending(g, g.pel.firstKey());
            } else if (op == 9 && random.nextInt(50) == 0) {
                s.deleteConsumer(g, c);
                c = s.createConsumer(g, b("alice" + round), round);
            }
            assertEquals(s.recountFootprint(), s.footprint(), "round " + round);
        }
        StreamValue copy = (StreamValue) s.copy();
        assertEquals(copy.recountFootprint(), copy.footprint());
        assertEquals(render(s), render(copy));
        assertTrue(s.destroyGroup(b("g")));
        assertEquals(s.recountFootprint(), s.footprint());
        assertEquals(1, copy.groupCount(), "the copy keeps its own groups");
    }

    /** Everything XINFO STREAM FULL shows (times included), as text. */
    private static String render(StreamValue s) {
        StringBuilder out = new StringBuilder();
        out.append(s.length()).append(' ').append(s.lastId()).append(' ').append(s.firstId()).append(' ')
                .append(s.maxDeletedId()).append(' ').append(s.entriesAdded()).append(' ').append(s.nodeCount())
                .append(' ').append(s.radixTreeNodes()).append('\n');
        for (long[] node : s.nodeShape()) {
            out.append(node[0]).append('/').append(node[1]).append(' ');
        }
        for (StreamValue.Entry e : s.range(StreamId.MIN, StreamId.MAX, false, 0)) {
            out.append(e.id());
            for (byte[] x : e.fieldsAndValues()) {
                out.append(' ').append(new String(x, StandardCharsets.UTF_8));
            }
            out.append('\n');
        }
        for (StreamValue.Group g : s.groups()) {
            out.append("group ").append(new String(g.name(), StandardCharsets.UTF_8)).append(' ').append(g.lastId())
                    .append(' ').append(g.entriesRead()).append(' ').append(s.lag(g)).append('\n');
            g.pel().forEach((id, n) -> out.append(" pel ").append(id).append(' ')
                    .append(new String(n.consumer().name(), StandardCharsets.UTF_8)).append(' ')
                    .append(n.deliveryTime()).append(' ').append(n.deliveryCount()).append('\n'));
            for (StreamValue.Consumer c : g.consumers().values()) {
                out.append(" consumer ").append(new String(c.name(), StandardCharsets.UTF_8)).append(' ')
                        .append(c.seenTime()).append(' ').append(c.activeTime()).append(' ').append(c.pel().keySet()).append('\n');
            }
        }
        return out.toString();
    }

    /** Records the visit, then replays it into a builder. */
    private static final class Recorder implements ValueVisitor {
        final List<Runnable> replay = new ArrayList<>();
        final ValueBuilder builder;
        Value built;
        boolean nextNewNode;
        byte[] group;
        byte[] consumer;
        boolean ok = true;

        Recorder(ValueBuilder builder) {
            this.builder = builder;
        }

        @Override
        public void string(byte[] value, int offset, int length) {
            throw new AssertionError();
        }

        @Override
        public void list(int size) {
            throw new AssertionError();
        }

        @Override
        public void listElement(byte[] element) {
        }

        @Override
        public void set(int size, boolean intset) {
            throw new AssertionError();
        }

        @Override
        public void setMember(byte[] member) {
        }

        @Override
        public void hash(int size, boolean compact) {
            throw new AssertionError();
        }

        @Override
        public void hashField(byte[] f, int fo, int fl, byte[] v, int vo, int vl) {
        }

        @Override
        public void zset(int size, boolean compact) {
            throw new AssertionError();
        }

        @Override
        public void zsetEntry(byte[] member, int offset, int length, double score) {
        }

        @Override
        public void stream(int nodes, int groups) {
            built = builder.stream();
        }

        @Override
        public void streamNode(long masterMs, long masterSeq, int entries) {
            nextNewNode = true;
        }

        @Override
        public void streamEntry(long ms, long seq, boolean deleted, byte[][] fieldsAndValues) {
            byte[][] copy = new byte[fieldsAndValues.length][];
            for (int i = 0; i < copy.length; i++) {
                copy[i] = fieldsAndValues[i].clone();
            }
            ok &= builder.streamAppend(built, ms, seq, deleted, nextNewNode, copy);
            nextNewNode = false;
        }

        @Override
        public void streamMeta(long length, long lastMs, long lastSeq, long firstMs, long firstSeq,
                               long maxDeletedMs, long maxDeletedSeq, long entriesAdded) {
            builder.streamMeta(built, length, lastMs, lastSeq, firstMs, firstSeq, maxDeletedMs, maxDeletedSeq, entriesAdded);
        }

        @Override
        public void streamGroup(byte[] name, long lastMs, long lastSeq, long entriesRead, int pending, int consumers) {
            group = name.clone();
            ok &= builder.streamGroup(built, group, lastMs, lastSeq, entriesRead);
        }

        @Override
        public void streamPending(long ms, long seq, long deliveryTimeMs, long deliveryCount) {
            ok &= builder.streamPending(built, group, ms, seq, deliveryTimeMs, deliveryCount);
        }

        @Override
        public void streamConsumer(byte[] name, long seenTimeMs, long activeTimeMs, int pending) {
            consumer = name.clone();
            ok &= builder.streamConsumer(built, group, consumer, seenTimeMs, activeTimeMs);
        }

        @Override
        public void streamConsumerPending(long ms, long seq) {
            ok &= builder.streamConsumerPending(built, group, consumer, ms, seq);
        }
    }

    @Test
    void visitThenBuild_roundTripsEverything() {
        StreamValue s = new StreamValue();
        for (int i = 1; i <= 25; i++) {
            s.append(i, i % 3, i % 4 == 0 ? fv("other", "x" + i) : fv("f", "v" + i, "g", "" + i), 120, 5);
        }
        for (int i = 3; i <= 25; i += 4) {
            s.delete(new StreamId(i, i % 3));
        }
        s.afterDeletes(new StreamId(23, 2), false);
        StreamValue.Group g1 = s.createGroup(b("g1"), new StreamId(10, 1), 9);
        s.createGroup(b("empty"), StreamId.MIN, StreamValue.INVALID_ENTRIES_READ);
        StreamValue.Consumer alice = s.createConsumer(g1, b("alice"), 111);
        alice.activeTime = 222;
        StreamValue.Consumer bob = s.createConsumer(g1, b("bob"), 333);
        s.addPending(g1, new StreamId(1, 1), alice, 1000, 2);
        s.addPending(g1, new StreamId(2, 2), bob, 2000, 1);
        s.addPending(g1, new StreamId(4, 1), alice, 3000, 7);
        s.createConsumer(g1, b("idle"), 444);

        Recorder r = new Recorder(new ValueBuilder(new Keyspace(1, 1)));
        s.visit(r);
        assertTrue(r.ok);
        StreamValue rebuilt = (StreamValue) r.built;
        assertEquals(render(s), render(rebuilt));
        assertEquals(rebuilt.recountFootprint(), rebuilt.footprint());
    }

    @Test
    void builder_refusesCorruptInput() {
        ValueBuilder builder = new ValueBuilder(new Keyspace(1, 1));
        Value s = builder.stream();
        assertTrue(builder.streamAppend(s, 5, 0, false, true, fv("f", "v")));
        assertFalse(builder.streamAppend(s, 5, 0, false, false, fv("f", "v")), "not increasing");
        assertFalse(builder.streamAppend(s, 6, 0, false, false, fv("f")), "odd fields and values");
        assertTrue(builder.streamGroup(s, b("g"), 0, 0, 0));
        assertFalse(builder.streamGroup(s, b("g"), 0, 0, 0), "duplicate group");
        assertFalse(builder.streamPending(s, b("nog"), 5, 0, 1, 1));
        assertTrue(builder.streamPending(s, b("g"), 5, 0, 1, 1));
        assertFalse(builder.streamPending(s, b("g"), 5, 0, 1, 1), "duplicate pending entry");
        assertTrue(builder.streamConsumer(s, b("g"), b("c"), 1, 1));
        assertFalse(builder.streamConsumer(s, b("g"), b("c"), 1, 1));
        assertFalse(builder.streamConsumerPending(s, b("g"), b("c"), 9, 0), "not in the group's PEL");
        assertTrue(builder.streamConsumerPending(s, b("g"), b("c"), 5, 0));
        assertTrue(builder.streamConsumer(s, b("g"), b("d"), 1, 1));
        assertFalse(builder.streamConsumerPending(s, b("g"), b("d"), 5, 0), "already owned");
    }

    // ---- IDs -------------------------------------------------------------------------------------------

    @Test
    void parse_followsRedis() {
        assertEquals(new StreamId(5, 0), StreamId.parse(b("5"), 0, true));
        assertEquals(new StreamId(5, -1L), StreamId.parse(b("5"), -1L, true));
        assertEquals(new StreamId(-1L, -1L), StreamId.parse(b("18446744073709551615-18446744073709551615"), 0, true));
        assertNull(StreamId.parse(b("18446744073709551616-0"), 0, true));
        assertNull(StreamId.parse(b("-1"), 0, true));
        assertNull(StreamId.parse(b("1-"), 0, true));
        assertNull(StreamId.parse(b("abc"), 0, true));
        assertNull(StreamId.parse(b(""), 0, true));
        assertNull(StreamId.parse(b("-"), 0, true));
        assertEquals(StreamId.MIN, StreamId.parse(b("-"), 0, false));
        assertEquals(StreamId.MAX, StreamId.parse(b("+"), 0, false));
        assertEquals(new StreamId(7, 0), StreamId.parse(b("+7"), 0, true), "strtoull takes a sign");
        assertEquals(new StreamId(7, 1), StreamId.parse(b(" 7-1"), 0, true), "and leading blanks");
        assertNull(StreamId.parse(b("7 -1"), 0, true));
        assertNull(StreamId.parse(b("1".repeat(128)), 0, true), "longer than Redis's buffer");
        StreamId.Parsed auto = StreamId.parse(b("3-*"), 0, true, true);
        assertFalse(auto.seqGiven());
        assertNull(StreamId.parse(b("3-*"), 0, true, false));
        assertNull(StreamId.parse(b("*"), 0, true, true));
        assertTrue(StreamId.MAX.compareTo(new StreamId(Long.MAX_VALUE, 0)) > 0, "unsigned order");
        assertNull(StreamId.MAX.next());
        assertNull(StreamId.MIN.previous());
        assertEquals(new StreamId(1, 0), new StreamId(0, -1L).next());
        assertEquals("18446744073709551615-0", new StreamId(-1L, 0).toString());
    }

    @Test
    void parse_garbageNeverThrows() {
        Random random = new Random(11);
        for (int i = 0; i < 20000; i++) {
            byte[] text = new byte[random.nextInt(30)];
            for (int k = 0; k < text.length; k++) {
                text[k] = (byte) "0123456789-+*( \t\0xa".charAt(random.nextInt(19));
            }
            StreamId.Parsed p = StreamId.parse(text, 0, random.nextBoolean(), random.nextBoolean());
            if (p != null) {
                assertTrue(p.id() != null);
            }
        }
    }
}
