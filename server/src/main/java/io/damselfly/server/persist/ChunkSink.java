package io.damselfly.server.persist;

import io.damselfly.server.keyspace.KeyspaceSnapshot;
import io.damselfly.server.keyspace.ValueVisitor;
import io.damselfly.server.rdb.RdbEntryEncoder;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * One shard's sink of a snapshot, called only under the shard's lock: collects what it receives
 * into {@link Chunk}s of about {@link #CHUNK_BYTES} of one database each and hands them on at a
 * boundary. Collections are encoded here, since they change in place once the lock is released;
 * string records arrive as blocks of raw copies and are only collected, their encoding (and LZF)
 * left to the file's writer, so a walk step holds the lock and a write's capture holds its event
 * loop for copies only.
 */
final class ChunkSink implements KeyspaceSnapshot.Sink {
    /** A chunk's size from which it is handed on at the next boundary: large writes, few arrays. */
    static final int CHUNK_BYTES = 32 * 1024;

    /**
     * Entries of one database: {@code encoded} opens with its own SELECTDB (chunks go into the
     * file in any order, and Redis's loader takes a SELECTDB anywhere), then come the string
     * records of {@code records} still to encode ({@link KeyspaceSnapshot#forEachRecord} reads
     * them), each array valid up to its length; the writer gives both arrays back to the {@link
     * ChunkArrays} once written. {@code bytes} is what the chunk holds, for the copy-on-write figure;
     * {@code entries} the keys {@code encoded} holds (rdb-key-save-delay pauses after each).
     */
    record Chunk(int db, byte[] encoded, int encodedLength, int entries, byte[] records, int recordsLength, long bytes) {
    }

    private static final byte[] EMPTY = new byte[0];

    private final RdbEntryEncoder encoder = new RdbEntryEncoder(4 * 1024);
    private final Consumer<Chunk> chunks;
    private final ChunkArrays arrays;
    private int db = -1;
    private byte[] records;
    private int recordsLength;
    /** Keys encoded into {@link #encoder} since the last flush. */
    private int entries;

    ChunkSink(Consumer<Chunk> chunks, ChunkArrays arrays) {
        this.chunks = chunks;
        this.arrays = arrays;
    }

    /** A sink whose chunks' arrays are not reused. */
    ChunkSink(Consumer<Chunk> chunks) {
        this(chunks, new ChunkArrays());
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
            records = arrays.take(length);
        } else if (records.length - recordsLength < length) {
            records = Arrays.copyOf(records, Math.max(records.length * 2, recordsLength + length));
        }
        System.arraycopy(block, 0, records, recordsLength, length);
        recordsLength += length;
    }

    @Override
    public void boundary() {
        if (encoder.size() + recordsLength >= CHUNK_BYTES) {
            flush();
        }
    }

    @Override
    public void flush() {
        if (db < 0) {
            return;
        }
        byte[] encoded = arrays.take(encoder.size());
        System.arraycopy(encoder.array(), 0, encoded, 0, encoder.size());
        // the records array goes with the chunk as it is; the next chunk takes another
        byte[] held = records != null ? records : EMPTY;
        chunks.accept(new Chunk(db, encoded, encoder.size(), entries, held, recordsLength, encoder.size() + recordsLength));
        encoder.reset();
        records = null;
        recordsLength = 0;
        entries = 0;
        db = -1;
    }
}
