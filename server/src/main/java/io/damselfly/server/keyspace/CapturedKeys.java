package io.damselfly.server.keyspace;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;

/**
 * The keys of one shard and database that a snapshot's write hook captured ahead of its walk: a
 * set of keys, by content, each given with its table hash (computed once by the caller), open
 * addressing, grown at half full. Guarded by the shard's lock, as the snapshot's other per-shard
 * state; {@link #release} once the snapshot is done with it.
 *
 * <h2>Why off the heap</h2>
 *
 * <p>Only keys written during a snapshot go in, but under a write load that is a large share of
 * the keyspace (SETs from 50 clients over 1M keys: most of the keys in segments the walk had not
 * reached yet). On the heap the set's arrays, growing by doubling, were young objects alive at
 * every young collection of the save, so each collection copied them into the old generation:
 * 2-8 MB a collection (JFR's promotion events), much of why young pauses during saves were 4-8 ms
 * against 1-2 ms without (see the persist package's ChunkSink for the rest). Here its
 * memory is two buffers of Netty's pooled allocator (the one the server's connections use),
 * which the collector does not look at and which go back to the pool when the save ends.
 *
 * <pre>
 *   slots  one long per slot: the key's table hash in the high 32 bits, in the low 32 its
 *          offset in keys plus one; 0 is an empty slot
 *   keys   per key, in the order added: its length (int), then its bytes
 * </pre>
 *
 * Offsets are ints, so a set holds at most 2 GiB of keys, as the arrays before it did.
 */
final class CapturedKeys {
    private static final int INITIAL_SLOTS = 256;

    private final ByteBufAllocator allocator;
    private ByteBuf slots;
    private ByteBuf keys;
    private int capacity;
    private int size;
    /** A stored key copied out to be compared (the longest so far). */
    private byte[] scratch = new byte[64];

    CapturedKeys() {
        this(PooledByteBufAllocator.DEFAULT);
    }

    CapturedKeys(ByteBufAllocator allocator) {
        this.allocator = allocator;
        this.capacity = INITIAL_SLOTS;
        this.slots = emptySlots(capacity);
        this.keys = allocator.directBuffer(INITIAL_SLOTS * 32);
    }

    int size() {
        return size;
    }

    /** Adds a copy of a key; false if present. */
    boolean add(byte[] key, int hash) {
        int at = slot(key, hash);
        if (slots.getLong(at << 3) != 0) {
            return false;
        }
        int offset = keys.writerIndex();
        keys.writeInt(key.length).writeBytes(key);
        slots.setLong(at << 3, slotValue(hash, offset));
        if (++size * 2 > capacity) {
            grow();
        }
        return true;
    }

    boolean contains(byte[] key, int hash) {
        return slots.getLong(slot(key, hash) << 3) != 0;
    }

    /** Whether the key of the record at {@code handle} is in the set. */
    boolean containsRecord(RecordArena arena, int handle, int hash) {
        int mask = capacity - 1;
        for (int i = home(hash, mask); ; i = (i + 1) & mask) {
            long s = slots.getLong(i << 3);
            if (s == 0) {
                return false;
            }
            // the stored key copied out on a hash match only (a captured key, nearly always): a
            // range form of StringRecord.keyEquals slowed every GET's lookup
            if ((int) (s >>> 32) == hash && StringRecord.keyEquals(arena, handle, storedKey(offsetOf(s)))) {
                return true;
            }
        }
    }

    /** Gives the memory back; the set must not be used after. */
    void release() {
        slots.release();
        keys.release();
        slots = null;
        keys = null;
    }

    private static long slotValue(int hash, int offset) {
        return (long) hash << 32 | (offset + 1L);
    }

    private static int offsetOf(long slot) {
        return (int) slot - 1;
    }

    /** The table hash's low bits pick a table bucket; mixed so that this set does not cluster the same way. */
    private static int home(int hash, int mask) {
        return (hash * 0x9E3779B9) >>> 7 & mask;
    }

    /** The slot holding {@code key}, or the empty slot where it would go. */
    private int slot(byte[] key, int hash) {
        int mask = capacity - 1;
        for (int i = home(hash, mask); ; i = (i + 1) & mask) {
            long s = slots.getLong(i << 3);
            if (s == 0 || (int) (s >>> 32) == hash && storedEquals(offsetOf(s), key)) {
                return i;
            }
        }
    }

    private boolean storedEquals(int offset, byte[] key) {
        int length = keys.getInt(offset);
        if (length != key.length) {
            return false;
        }
        if (scratch.length < length) {
            scratch = new byte[length];
        }
        keys.getBytes(offset + Integer.BYTES, scratch, 0, length);
        return Arrays.equals(scratch, 0, length, key, 0, length);
    }

    private byte[] storedKey(int offset) {
        byte[] key = new byte[keys.getInt(offset)];
        keys.getBytes(offset + Integer.BYTES, key);
        return key;
    }

    private ByteBuf emptySlots(int count) {
        ByteBuf b = allocator.directBuffer(count * Long.BYTES, count * Long.BYTES);
        return b.setZero(0, b.capacity()).writerIndex(b.capacity());
    }

    private void grow() {
        ByteBuf old = slots;
        int oldCapacity = capacity;
        capacity = oldCapacity * 2;
        slots = emptySlots(capacity);
        int mask = capacity - 1;
        for (int j = 0; j < oldCapacity; j++) {
            long s = old.getLong(j << 3);
            if (s != 0) {
                // keys in the set are distinct: the first empty slot from home is the place
                int i = home((int) (s >>> 32), mask);
                while (slots.getLong(i << 3) != 0) {
                    i = (i + 1) & mask;
                }
                slots.setLong(i << 3, s);
            }
        }
        old.release();
    }
}
