package io.damselfly.server.keyspace;

import static io.damselfly.server.keyspace.KeyspaceLocks.locked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The fork-less snapshot keeps its moment: whatever writes, deletes, growth, FLUSHDB and SWAPDB
 * happen while it walks, it receives every key as it was when it began, each exactly once, and
 * nothing written after.
 */
class KeyspaceSnapshotTest {
    private static final int SHARDS = 4;
    private static final int DATABASES = 3;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Renders a value as text through the visitor the snapshot and DUMP share. */
    private static final class Rendering implements ValueVisitor {
        final StringBuilder out = new StringBuilder();
        final TreeMap<String, String> fields = new TreeMap<>();

        @Override
        public void string(byte[] value, int offset, int length) {
            out.append("string:").append(new String(value, offset, length, StandardCharsets.UTF_8));
        }

        @Override
        public void list(int size) {
            out.append("list:");
        }

        @Override
        public void listElement(byte[] element) {
            out.append(s(element)).append(',');
        }

        @Override
        public void set(int size, boolean intset) {
            out.append("set:");
        }

        @Override
        public void setMember(byte[] member) {
            fields.put(s(member), "");
        }

        @Override
        public void hash(int size, boolean compact) {
            out.append("hash:");
        }

        @Override
        public void hashField(byte[] field, int fo, int fl, byte[] value, int vo, int vl) {
            fields.put(new String(field, fo, fl, StandardCharsets.UTF_8), new String(value, vo, vl, StandardCharsets.UTF_8));
        }

        @Override
        public void zset(int size, boolean compact) {
            out.append("zset:");
        }

        @Override
        public void zsetEntry(byte[] member, int offset, int length, double score) {
            fields.put(new String(member, offset, length, StandardCharsets.UTF_8), Double.toString(score));
        }

        @Override
        public void stream(int nodes, int groups) {
            out.append("stream:");
        }

        @Override
        public void streamEntry(long ms, long seq, boolean deleted, byte[][] fieldsAndValues) {
            fields.put(ms + "-" + seq, deleted ? "deleted" : java.util.Arrays.deepToString(fieldsAndValues));
        }

        @Override
        public void streamConsumer(byte[] name, long seenTimeMs, long activeTimeMs, int pending) {
            fields.put("consumer " + s(name), "seen " + seenTimeMs + ", pending " + pending);
        }

        @Override
        public void streamNode(long masterMs, long masterSeq, int entries) {
        }

        @Override
        public void streamMeta(long length, long lastMs, long lastSeq, long firstMs, long firstSeq,
                               long maxDeletedMs, long maxDeletedSeq, long entriesAdded) {
        }

        @Override
        public void streamGroup(byte[] name, long lastMs, long lastSeq, long entriesRead, int pending, int consumers) {
        }

        @Override
        public void streamPending(long ms, long seq, long deliveryTimeMs, long deliveryCount) {
        }

        @Override
        public void streamConsumerPending(long ms, long seq) {
        }

        String text() {
            return out + fields.toString();
        }
    }

    /** Collects what a snapshot receives as "db/key" -> "value @expiry", and any key received twice. */
    private static final class Collector {
        final Map<String, String> captured = new HashMap<>();
        final List<String> duplicates = new ArrayList<>();
        int entries;

        KeyspaceSnapshot.Sink sink() {
            return new KeyspaceSnapshot.Sink() {
                String pending;
                Rendering value;

                private void finish() {
                    if (pending != null) {
                        String[] p = pending.split("\u0000", 2);
                        if (captured.put(p[0], value.text() + " @" + p[1]) != null) {
                            duplicates.add(p[0]);
                        }
                        pending = null;
                    }
                }

                @Override
                public ValueVisitor entry(int db, byte[] key, long expiresAt) {
                    finish();
                    entries++;
                    pending = db + "/" + s(key) + "\u0000" + expiresAt;
                    value = new Rendering();
                    return value;
                }

                @Override
                public void records(int db, byte[] block, int length) {
                    KeyspaceSnapshot.forEachRecord(block, length, (b, ko, kl, vo, vl, expiresAt) ->
                            entry(db, java.util.Arrays.copyOfRange(b, ko, ko + kl), expiresAt).string(b, vo, vl));
                }

                @Override
                public void boundary() {
                    finish();
                }

                @Override
                public void flush() {
                    finish();
                }
            };
        }
    }

    /** Every key of every database, rendered as the collector renders them, read under all locks. */
    private static Map<String, String> contents(Keyspace ks, long now) {
        Map<String, String> all = new HashMap<>();
        ks.lockAll();
        try {
            for (int db = 0; db < DATABASES; db++) {
                Database d = ks.database(db, now);
                int index = db;
                ks.forEachKey(db, now, (key, type) -> {
                    Rendering r = new Rendering();
                    d.keys().dump(key, r);
                    long expiry = d.keys().expiryOf(key);
                    all.put(index + "/" + s(key), r.text() + " @" + (expiry < 0 ? Database.NO_EXPIRY : expiry));
                });
            }
        } finally {
            ks.unlockAll();
        }
        return all;
    }

    /** Equal maps, or a failure naming the first few differences (not two 10,000-entry dumps). */
    private static void assertSameContents(Map<String, String> expected, Map<String, String> actual) {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            if (!e.getValue().equals(actual.get(e.getKey()))) {
                differences.add(e.getKey() + ": expected " + e.getValue() + ", got " + actual.get(e.getKey()));
            }
        }
        for (String key : actual.keySet()) {
            if (!expected.containsKey(key)) {
                differences.add(key + ": not expected, got " + actual.get(key));
            }
        }
        assertEquals(List.of(), differences.subList(0, Math.min(5, differences.size())),
                differences.size() + " differences of " + expected.size() + " keys");
    }


    private static void fill(Keyspace ks, long now) {
        locked(ks, () -> {
            Database d0 = ks.database(0, now);
            for (int i = 0; i < 5000; i++) {
                if (i % 7 == 0) {
                    d0.strings().set(b("k" + i), b("v" + i), now + 3_600_000 + i);
                } else {
                    d0.strings().set(b("k" + i), b("v" + i));
                }
            }
            for (int i = 0; i < 200; i++) {
                d0.hashes().set(b("h" + i), new byte[][] {b("f1"), b("a" + i), b("f2"), b("b" + i)}, 0);
            }
            Database d1 = ks.database(1, now);
            for (int i = 0; i < 3000; i++) {
                d1.strings().set(b("one" + i), b("x" + i));
            }
            Database d2 = ks.database(2, now);
            for (int i = 0; i < 100; i++) {
                d2.strings().set(b("two" + i), b("y" + i));
            }
        });
    }

    /** Walks every shard a few segments at a time, running {@code between} after each step. */
    private static void walk(KeyspaceSnapshot snap, Runnable between) {
        boolean more = true;
        while (more) {
            more = false;
            for (int shard = 0; shard < SHARDS; shard++) {
                if (snap.step(shard, 40)) {
                    more = true;
                }
                between.run();
            }
        }
        snap.end();
    }

    /** Keys that exist at the moment are deleted, rewritten and joined by new ones while the walk runs. */
    @Test
    void keepsItsMomentUnderWrites() {
        long now = 1_000_000;
        Keyspace ks = new Keyspace(SHARDS, DATABASES);
        fill(ks, now);
        Map<String, String> moment = contents(ks, now);
        Collector c = new Collector();
        KeyspaceSnapshot snap = ks.beginSnapshot(now, i -> c.sink());
        Random random = new Random(42);
        int[] round = {0};
        walk(snap, () -> locked(ks, () -> {
            Database d0 = ks.database(0, now);
            Database d1 = ks.database(1, now);
            for (int j = 0; j < 30; j++) {
                int i = random.nextInt(6000);
                switch (random.nextInt(5)) {
                    case 0 -> d0.strings().set(b("k" + i), b("changed"));
                    case 1 -> d0.keys().delete(b("k" + i));
                    case 2 -> d0.strings().set(b("new" + round[0] + "-" + j), b("late"));
                    case 3 -> d0.hashes().set(b("h" + (i % 250)), new byte[][] {b("f1"), b("changed")}, 0);
                    default -> d1.keys().expire(b("one" + (i % 3000)), now + 5, 0);
                }
            }
            round[0]++;
        }));
        assertEquals(List.of(), c.duplicates);
        assertSameContents(moment, c.captured);
        assertTrue(snap.keysCapturedByWrites() > 0, "writes should have captured keys ahead of the walk");
        assertEquals(moment.size(), snap.keysCaptured());
    }

    /**
     * A group read refreshes its consumer's seen-time, which Redis does not count as a write of the
     * key: the snapshot still holds the seen-time of its moment.
     */
    @Test
    void keepsAStreamConsumersSeenTimeAtItsMoment() throws InterruptedException {
        long now = 1_000_000;
        Keyspace ks = new Keyspace(SHARDS, DATABASES);
        locked(ks, () -> {
            StreamOps streams = ks.database(0, now).streams();
            streams.add(b("s"), false, new StreamId(1, 0), true, new byte[][] {b("f"), b("v")}, 0, StreamOps.Trim.NONE);
            streams.createGroup(b("s"), b("g"), StreamId.MIN, false, -1);
            streams.createConsumer(b("s"), b("g"), b("c"));
        });
        Map<String, String> moment = contents(ks, now);
        long seen = System.currentTimeMillis();
        while (System.currentTimeMillis() == seen) {
            Thread.sleep(1);
        }
        Collector c = new Collector();
        KeyspaceSnapshot snap = ks.beginSnapshot(now, i -> c.sink());
        locked(ks, () -> ks.database(0, now).streams().readGroup(b("s"), b("g"), b("c"), StreamId.MIN, 0, false, true, x -> true));
        walk(snap, () -> { });
        assertSameContents(moment, c.captured);
        assertFalse(contents(ks, now).equals(moment), "the read moved the seen-time in the keyspace");
    }

    /** Tables that grow by thousands of keys during the walk (segments splitting) change nothing. */
    @Test
    void keepsItsMomentWhileTablesGrow() {
        long now = 1_000_000;
        Keyspace ks = new Keyspace(SHARDS, DATABASES);
        fill(ks, now);
        Map<String, String> moment = contents(ks, now);
        Collector c = new Collector();
        KeyspaceSnapshot snap = ks.beginSnapshot(now, i -> c.sink());
        int[] next = {0};
        walk(snap, () -> locked(ks, () -> {
            Database d0 = ks.database(0, now);
            for (int j = 0; j < 500; j++) {
                d0.strings().set(b("grow" + next[0]++), b("g"));
            }
        }));
        assertEquals(List.of(), c.duplicates);
        assertSameContents(moment, c.captured);
    }

    /** FLUSHDB and SWAPDB during the walk: the snapshot still has the databases as they were. */
    @Test
    void flushdbAndSwapdbCaptureFirst() {
        long now = 1_000_000;
        Keyspace ks = new Keyspace(SHARDS, DATABASES);
        fill(ks, now);
        Map<String, String> moment = contents(ks, now);
        Collector c = new Collector();
        KeyspaceSnapshot snap = ks.beginSnapshot(now, i -> c.sink());
        snap.step(0, 40);
        ks.swap(1, 2);
        snap.step(1, 40);
        ks.flush(2);
        locked(ks, () -> ks.database(2, now).strings().set(b("one1"), b("after the flush")));
        walk(snap, () -> { });
        assertEquals(List.of(), c.duplicates);
        assertSameContents(moment, c.captured);
    }

    @Test
    void flushallAbandonsIt() {
        long now = 1_000_000;
        Keyspace ks = new Keyspace(SHARDS, DATABASES);
        fill(ks, now);
        Collector c = new Collector();
        KeyspaceSnapshot snap = ks.beginSnapshot(now, i -> c.sink());
        assertTrue(snap.step(0, 10));
        ks.flushAll();
        assertTrue(snap.isAbandoned());
        assertFalse(snap.step(0, 10));
        // the keyspace takes another snapshot at once
        KeyspaceSnapshot next = ks.beginSnapshot(now, i -> c.sink());
        walk(next, () -> { });
        assertFalse(next.isAbandoned());
    }

    @Test
    void writesAfterTheEndCaptureNothingAndOneRunsAtATime() {
        long now = 1_000_000;
        Keyspace ks = new Keyspace(SHARDS, DATABASES);
        fill(ks, now);
        Collector c = new Collector();
        KeyspaceSnapshot snap = ks.beginSnapshot(now, i -> c.sink());
        assertThrows(IllegalStateException.class, () -> ks.beginSnapshot(now, i -> c.sink()));
        walk(snap, () -> { });
        int done = c.entries;
        long keys = snap.keysCaptured();
        locked(ks, () -> ks.database(0, now).strings().set(b("k1"), b("after")));
        assertEquals(done, c.entries);
        assertEquals(keys, snap.keysCaptured());
    }

    /**
     * Keys already expired at the moment but not deleted yet are written with their time, as
     * Redis's rdbSaveDb writes them (a primary's load drops and counts them); keys expiring later
     * are kept with their expiry.
     */
    @Test
    void writesKeysExpiredAtTheMomentWithTheirTime() {
        Keyspace ks = new Keyspace(SHARDS, DATABASES);
        long past = System.currentTimeMillis() - 1000;
        locked(ks, () -> {
            Database d = ks.database(0, past - 10_000);
            d.strings().set(b("gone"), b("v"), past);
            d.strings().set(b("kept"), b("v"), past + 3_600_000);
        });
        Collector c = new Collector();
        walk(ks.beginSnapshot(System.currentTimeMillis(), i -> c.sink()), () -> { });
        assertEquals(Map.of("0/kept", "string:v{} @" + (past + 3_600_000), "0/gone", "string:v{} @" + past), c.captured);
    }
}
