package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The write path's one place per shard: every change of a key, whatever operation made it, is
 * booked there (events for observers, dirty counter, WATCH versions, memory, emptied
 * collections), and nothing else is.
 */
class WriteHookTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Records what the hook reports, as "db:key:event". */
    private static final class Recorder implements KeyspaceObserver {
        final List<String> events = new ArrayList<>();
        int before;
        int changes;

        @Override
        public void beforeChange(int db, byte[] key) {
            before++;
        }

        @Override
        public void keyChanged(int db, byte[] key, KeyEvent event) {
            if (event != KeyEvent.NEW) {
                changes++;
            }
            events.add(db + ":" + new String(key, StandardCharsets.UTF_8) + ":" + event.redisName());
        }

        @Override
        public void databaseChanged(int db) {
            events.add(db + ":*:flush");
        }

        List<String> take() {
            List<String> copy = List.copyOf(events);
            events.clear();
            return copy;
        }
    }

    private Keyspace ks;
    private Recorder recorder;
    private Database db;

    @BeforeEach
    void setUp() {
        ks = new Keyspace(4, 16);
        recorder = new Recorder();
        ks.addObserver(recorder);
        db = ks.database(0, 1_000_000);
        ks.lockAll();
    }

    @org.junit.jupiter.api.AfterEach
    void tearDown() {
        ks.unlockAll();
        assertNull(ks.checkInvariants());
    }

    @Test
    void everyStringAndKeyOperation_reportsRedisEvents() {
        db.strings().set(b("a"), b("1"));
        assertEquals(List.of("0:a:new", "0:a:set"), recorder.take());
        db.strings().set(b("a"), b("2"));
        assertEquals(List.of("0:a:set"), recorder.take());
        db.strings().incrBy(b("a"), 5);
        assertEquals(List.of("0:a:incrby"), recorder.take());
        db.strings().incrByFloat(b("a"), b("0.5"));
        assertEquals(List.of("0:a:incrbyfloat"), recorder.take());
        db.strings().append(b("a"), b("x"), Long.MAX_VALUE);
        assertEquals(List.of("0:a:append"), recorder.take(), "the change of form to a growable string is not an event");
        db.strings().setRange(b("a"), 0, b("y"), Long.MAX_VALUE);
        assertEquals(List.of("0:a:setrange"), recorder.take());
        db.keys().expire(b("a"), 2_000_000, 0);
        assertEquals(List.of("0:a:expire"), recorder.take());
        db.keys().persist(b("a"));
        assertEquals(List.of("0:a:persist"), recorder.take());
        db.keys().rename(b("a"), b("b"), false);
        assertEquals(List.of("0:a:rename_from", "0:b:new", "0:b:rename_to"), recorder.take());
        db.keys().copy(b("b"), db, b("c"), false);
        assertEquals(List.of("0:c:new", "0:c:copy_to"), recorder.take());
        db.keys().move(b("c"), db.other(1));
        assertEquals(List.of("0:c:move_from", "1:c:new", "1:c:move_to"), recorder.take());
        db.strings().getDel(b("b"));
        assertEquals(List.of("0:b:del"), recorder.take());
        // a record without an expiry field gets a new array; one with it changes in place
        db.strings().set(b("t"), b("v"));
        db.keys().expire(b("t"), 1_500_000, 0);
        db.keys().expire(b("t"), 1_600_000, 0);
        recorder.take();
        // reads and failed conditions change nothing
        db.strings().get(b("t"));
        db.keys().exists(b("t"));
        db.strings().set(b("t"), b("v"), Database.NO_EXPIRY, StringOps.IF_ABSENT);
        db.keys().rename(b("missing"), b("x"), false);
        assertEquals(List.of(), recorder.take());
        // one beforeChange per change ("new" comes with the change that creates the key)
        assertEquals(recorder.changes, recorder.before);
    }

    @Test
    void expiryEvictionAndFlush_areReported() {
        db.strings().set(b("e"), b("v"), 1_500_000);
        db.strings().set(b("k"), b("v"));
        recorder.take();
        db.bind(0, 2_000_000);
        assertNull(db.strings().get(b("e")));
        assertEquals(List.of("0:e:expired"), recorder.take());
        Eviction eviction = new Eviction(ks);
        ks.unlockAll();
        try {
            ks.setMemoryLimit(1);
            eviction.makeRoom(1, EvictionPolicy.ALLKEYS_RANDOM, 2_000_000);
        } finally {
            ks.lockAll();
        }
        assertEquals(List.of("0:k:evicted"), recorder.take());
        db.strings().set(b("f"), b("v"));
        recorder.take();
        ks.unlockAll();
        try {
            ks.flush(0);
        } finally {
            ks.lockAll();
        }
        assertEquals(List.of("0:*:flush"), recorder.take());
    }

    @Test
    void dirtyCounter_countsWritesButNotExpiryOrReads() {
        long start = ks.dirty();
        db.strings().set(b("a"), b("1"));
        db.strings().set(b("a"), b("2"), 1_500_000);
        db.strings().get(b("a"));
        assertEquals(start + 2, ks.dirty());
        db.bind(0, 2_000_000);
        db.strings().get(b("a"));
        assertEquals(start + 2, ks.dirty(), "an expired key's removal is not a write");
    }

    @Test
    void watchedVersion_movesOnEveryChangeOfTheKeyOnly() {
        ks.unlockAll();
        long v0 = ks.watch(0, b("w"));
        assertEquals(v0, ks.watchedVersion(0, b("w")));
        ks.lockAll();
        db.strings().set(b("other"), b("1"));
        assertEquals(v0, version("w"), "another key's write");
        db.strings().set(b("w"), b("1"));
        long v1 = version("w");
        assertNotEquals(v0, v1);
        db.strings().get(b("w"));
        assertEquals(v1, version("w"), "a read");
        db.keys().expire(b("w"), 1_500_000, 0);
        long v2 = version("w");
        assertNotEquals(v1, v2);
        db.bind(0, 2_000_000);
        db.strings().get(b("w"));
        long v3 = version("w");
        assertNotEquals(v2, v3, "expiry changes the key");
        db.strings().set(b("w"), b("again"));
        long v4 = version("w");
        ks.unlockAll();
        ks.flush(1);
        assertEquals(v4, ks.watchedVersion(0, b("w")), "flushing another database");
        ks.flush(0);
        assertNotEquals(v4, ks.watchedVersion(0, b("w")), "flushing its database");
        ks.unwatch(0, b("w"));
        assertEquals(-1, ks.watchedVersion(0, b("w")));
        ks.lockAll();
    }

    private long version(String key) {
        return ks.shard(ks.shardIndex(b(key))).watchedVersion(0, b(key));
    }

    /** A collection stand-in whose last element can be taken away. */
    private static final class Bag implements Value {
        int elements = 1;

        @Override
        public ValueType type() {
            return ValueType.SET;
        }

        @Override
        public String encoding() {
            return "hashtable";
        }

        @Override
        public long footprint() {
            return 16 + 8L * elements;
        }

        @Override
        public Value copy() {
            Bag b = new Bag();
            b.elements = elements;
            return b;
        }

        @Override
        public boolean isEmpty() {
            return elements == 0;
        }
    }

    @Test
    void emptiedCollection_isRemovedWithItsKey() {
        Bag bag = new Bag();
        ObjectEntry entry = ObjectEntry.of(b("s"), bag, Database.NO_EXPIRY, 0);
        db.insert(b("s"), entry, KeyEvent.SET);
        recorder.take();
        db.changeInPlace(b("s"), entry, () -> {
            bag.elements = 0;
            return 0;
        }, KeyEvent.SET);
        assertEquals(List.of("0:s:set", "0:s:del"), recorder.take());
        assertEquals(null, db.keys().type(b("s")));
        assertTrue(ks.size(0) == 0);
    }
}
