package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CapturedKeysTest {
    /** Counts what is allocated and not yet released, so a leak shows. */
    private final UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true);

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keysAreFoundByContentAcrossGrowthAndTheMemoryGoesBack() {
        CapturedKeys set = new CapturedKeys(allocator);
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            byte[] k = key("key:" + i);
            assertTrue(set.add(k, Keyspace.tableHash(k)), "new key " + i);
        }
        assertEquals(n, set.size());
        for (int i = 0; i < n; i++) {
            byte[] k = key("key:" + i);
            assertTrue(set.contains(k, Keyspace.tableHash(k)), "present " + i);
            assertFalse(set.add(k.clone(), Keyspace.tableHash(k)), "a copy of a present key is no new key");
            byte[] absent = key("other:" + i);
            assertFalse(set.contains(absent, Keyspace.tableHash(absent)));
        }
        assertEquals(n, set.size());
        assertTrue(allocator.metric().usedDirectMemory() > 0);
        set.release();
        assertEquals(0, allocator.metric().usedDirectMemory(), "both buffers released");
    }

    @Test
    void keysOfOneHashAreToldApartByTheirBytes() {
        CapturedKeys set = new CapturedKeys(allocator);
        int hash = 12345;
        byte[] longKey = new byte[300]; // longer than the comparison's first scratch array
        longKey[299] = 1;
        byte[] longKeyOtherEnd = longKey.clone();
        longKeyOtherEnd[299] = 2;
        assertTrue(set.add(key("a"), hash));
        assertTrue(set.add(new byte[0], hash));
        assertTrue(set.add(key("ab"), hash));
        assertTrue(set.add(longKey, hash));
        assertTrue(set.contains(key("a"), hash));
        assertTrue(set.contains(new byte[0], hash));
        assertTrue(set.contains(key("ab"), hash));
        assertTrue(set.contains(longKey.clone(), hash));
        assertFalse(set.contains(longKeyOtherEnd, hash));
        assertFalse(set.contains(key("b"), hash));
        assertFalse(set.contains(key("a"), hash + 1), "same bytes, other hash: not looked for there");
        set.release();
        assertEquals(0, allocator.metric().usedDirectMemory());
    }

    @Test
    void aRecordsKeyIsComparedWithTheStoredOne() {
        RecordArena arena = new RecordArena();
        byte[] value = key("value");
        StringRecord in = StringRecord.create(arena, key("user:1"), value, 0, value.length, Entries.NO_EXPIRY, 0);
        StringRecord out = StringRecord.create(arena, key("user:2"), value, 0, value.length, Entries.NO_EXPIRY, 0);
        CapturedKeys set = new CapturedKeys(allocator);
        int hash = Keyspace.tableHash(key("user:1"));
        set.add(key("user:1"), hash);
        assertTrue(set.containsRecord(arena, in.handle, hash));
        // a record whose key shares the hash but not the bytes is not in the set
        assertFalse(set.containsRecord(arena, out.handle, hash));
        assertFalse(set.containsRecord(arena, out.handle, Keyspace.tableHash(key("user:2"))));
        set.release();
    }
}
