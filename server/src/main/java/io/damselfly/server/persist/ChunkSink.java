package io.damselfly.server.persist;

import io.damselfly.server.keyspace.KeyspaceSnapshot;
import io.damselfly.server.keyspace.ValueVisitor;
import io.damselfly.server.rdb.RdbEntryEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.function.Consumer;

/**
 * One shard's sink of a snapshot, called only under the shard's lock: collects what it receives
 * into {@link Chunk}s of about {@link #CHUNK_BYTES} of one database each and hands them on at a
 * boundary. Collections are encoded here, since they change in place once the lock is released;
 * string records arrive as blocks of raw copies and are only collected, their encoding (and LZF)
 * left to the file's writer, so a walk step holds the lock and a write's capture holds its event
 * loop for copies only.
 *
 * <p>A chunk's bytes are off the heap, in buffers of Netty's pooled allocator (the one the
 * server's connections use) that the writer releases once written. Why: chunks wait for the save
 * thread, which runs at idle priority, and on the heap every chunk still waiting at a young
 * collection was copied by it into the old generation, where it then lay as garbage. With 1M keys
 * and SETs from 50 clients that was 1-8 MB of 64 KB arrays per collection during a save (two per
 * chunk, one holding little more than a SELECTDB); with the keys captured ahead ({@code
 * CapturedKeys}, off the heap for the same reason) young pauses during saves were 3.5-8 ms against
 * 1-2 ms without, and with both off the heap 0.9-2.5 ms.
 */
final class ChunkSink implements KeyspaceSnapshot.Sink {
    /** A chunk's size from which it is handed on at the next boundary: large writes, few buffers. */
    static final int CHUNK_BYTES = 32 * 1024;

    /**
     * Entries of one database: {@code encoded} opens with its own SELECTDB (chunks go into the
     * file in any order, and Redis's loader takes a SELECTDB anywhere), or is null when the chunk
     * has no encoded entries (most chunks of a cache: the writer's encoding of the records opens
     * with its own SELECTDB, so one holding only that would be written twice); then come the
     * string records of {@code records} still to encode ({@link KeyspaceSnapshot#forEachRecord}
     * reads them), or null for none. Whoever takes a chunk {@link #release}s it, written or not. {@code
     * bytes} is what the chunk holds, for the copy-on-write figure; {@code entries} the keys
     * {@code encoded} holds (rdb-key-save-delay pauses after each).
     */
    record Chunk(int db, ByteBuf encoded, int entries, ByteBuf records, long bytes) {
        /** Gives the chunk's memory back to the allocator. */
        void release() {
            if (encoded != null) {
                encoded.release();
            }
            if (records != null) {
                records.release();
            }
        }
    }

    private final RdbEntryEncoder encoder = new RdbEntryEncoder(4 * 1024);
    private final Consumer<Chunk> chunks;
    private final ByteBufAllocator allocator;
    private int db = -1;
    private ByteBuf records;
    /** Keys encoded into {@link #encoder} since the last flush. */
    private int entries;

    ChunkSink(Consumer<Chunk> chunks, ByteBufAllocator allocator) {
        this.chunks = chunks;
        this.allocator = allocator;
    }

    /** A sink whose chunks' memory comes from Netty's shared pool of direct buffers. */
    ChunkSink(Consumer<Chunk> chunks) {
        this(chunks, PooledByteBufAllocator.DEFAULT);
    }

    private void switchTo(int db) {
        if (db != this.db) {
            flush();
            this.db = db;
            encoder.selectDb(db);
        }
    }

    @Override
    public ValueVisitor entry(int db, byte[] key, long expiresAt) {
        switchTo(db);
        entries++;
        return encoder.entry(key, expiresAt);
    }

    @Override
    public void records(int db, byte[] block, int length) {
        switchTo(db);
        if (records == null) {
            // room for a chunk's worth and the block that takes it past that (a walk step's
            // segment, ~80 KB at most of 100-byte values), so it rarely grows
            records = allocator.directBuffer(Math.max(length, 2 * CHUNK_BYTES));
        }
        records.writeBytes(block, 0, length);
    }

    @Override
    public void boundary() {
        if (encoder.size() + recordsBytes() >= CHUNK_BYTES) {
            flush();
        }
    }

    private int recordsBytes() {
        return records == null ? 0 : records.readableBytes();
    }

    @Override
    public void flush() {
        if (db < 0) {
            return;
        }
        ByteBuf encoded = entries == 0 ? null
                : allocator.directBuffer(encoder.size()).writeBytes(encoder.array(), 0, encoder.size());
        if (encoded != null || records != null) {
            long bytes = (encoded == null ? 0 : encoded.readableBytes()) + recordsBytes();
            chunks.accept(new Chunk(db, encoded, entries, records, bytes));
        }
        encoder.reset();
        records = null;
        entries = 0;
        db = -1;
    }
}
