package io.damselfly.server.persist;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The byte arrays of one save's chunks, handed back by the save thread once written and reused by
 * the sinks for the next chunks.
 *
 * <p>Why: a save of 1M keys with 100-byte values passes about 130 MB through chunks. Allocated
 * afresh, every array lived until the save thread wrote it, so each young collection during a
 * save copied the chunks in flight and promoted them: under redis-benchmark the collections came
 * every ~0.6 s with 2.5-5 ms pauses, against under 1 ms without a save, and they were much of the
 * p99 a save added. Reused, the arrays in flight are the same few, old ones.
 *
 * <p>Bounded: at most {@link #MAX_POOLED} arrays of at most {@link #MAX_POOLED_BYTES} wait here;
 * others are left to the collector. An array is taken by the sinks (under a shard's lock, on any
 * thread) and given back by the save thread, so the queue is a concurrent one.
 */
final class ChunkArrays {
    /** The size of a new array: a chunk's size with room for the block that takes it past that. */
    static final int ARRAY_BYTES = 2 * ChunkSink.CHUNK_BYTES;
    static final int MAX_POOLED = 64;
    static final int MAX_POOLED_BYTES = 256 * 1024;

    private final ConcurrentLinkedQueue<byte[]> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pooled = new AtomicInteger();

    /** An array of at least {@code minLength} bytes (its content is garbage). */
    byte[] take(int minLength) {
        byte[] a = free.poll();
        if (a != null) {
            pooled.decrementAndGet();
            if (a.length >= minLength) {
                return a;
            }
        }
        return new byte[Math.max(minLength, ARRAY_BYTES)];
    }

    /** Gives back an array nobody reads any more. */
    void give(byte[] a) {
        if (a.length == 0 || a.length > MAX_POOLED_BYTES) {
            return;
        }
        if (pooled.incrementAndGet() > MAX_POOLED) {
            pooled.decrementAndGet();
            return;
        }
        free.add(a);
    }
}
