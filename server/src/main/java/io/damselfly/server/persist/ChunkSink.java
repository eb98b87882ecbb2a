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
 * strings arrive as copies (a write's capture: key and value; the walk: blocks of raw records) and
 * are only collected, their encoding (and LZF) left to the file's writer, so a walk step holds the
 * lock and a write's capture holds its event loop for copies only.
 */
final class ChunkSink implements KeyspaceSnapshot.Sink {
    /** A chunk's size from which it is handed on at the next boundary: large writes, few arrays. */
    static final int CHUNK_BYTES = 32 * 1024;
    private static final int INITIAL_STRINGS = 64;

    /**
     * Entries of one database: {@code encoded} opens with its own SELECTDB (chunks go into the
     * file in any order, and Redis's loader takes a SELECTDB anywhere), then come {@code count}
     * strings still to encode. {@code bytes} is what the chunk holds, for the copy-on-write figure.
     */
    record Chunk(int db, byte[] encoded, byte[][] keys, byte[][] values, long[] expiries, int count, byte[] records,
            long bytes) {
    }

    private final RdbEntryEncoder encoder = new RdbEntryEncoder(4 * 1024);
    private final Consumer<Chunk> chunks;
    private int db = -1;
    private byte[][] keys = new byte[INITIAL_STRINGS][];
    private byte[][] values = new byte[INITIAL_STRINGS][];
    private long[] expiries = new long[INITIAL_STRINGS];
    private int count;
    private long stringBytes;
    /** Blocks of raw records from the walk ({@link KeyspaceSnapshot#forEachRecord} reads them). */
    private byte[] records = new byte[0];
    private int recordsLength;

    ChunkSink(Consumer<Chunk> chunks) {
        this.chunks = chunks;
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
        return encoder.entry(key, expiresAt);
    }

    @Override
    public void string(int db, byte[] key, byte[] value, long expiresAt) {
        switchTo(db);
        if (count == keys.length) {
            keys = Arrays.copyOf(keys, count * 2);
            values = Arrays.copyOf(values, count * 2);
            expiries = Arrays.copyOf(expiries, count * 2);
        }
        keys[count] = key;
        values[count] = value;
        expiries[count] = expiresAt;
        count++;
        stringBytes += key.length + value.length + 16;
    }

    @Override
    public void records(int db, byte[] block, int length) {
        switchTo(db);
        if (records.length - recordsLength < length) {
            records = Arrays.copyOf(records, Math.max(records.length * 2, recordsLength + length));
        }
        System.arraycopy(block, 0, records, recordsLength, length);
        recordsLength += length;
    }

    @Override
    public void boundary() {
        if (encoder.size() + stringBytes + recordsLength >= CHUNK_BYTES) {
            flush();
        }
    }

    @Override
    public void flush() {
        if (db < 0) {
            return;
        }
        chunks.accept(new Chunk(db, Arrays.copyOf(encoder.array(), encoder.size()), Arrays.copyOf(keys, count),
                Arrays.copyOf(values, count), Arrays.copyOf(expiries, count), count, Arrays.copyOf(records, recordsLength),
                encoder.size() + stringBytes + recordsLength));
        encoder.reset();
        recordsLength = 0;
        Arrays.fill(keys, 0, count, null);
        Arrays.fill(values, 0, count, null);
        count = 0;
        stringBytes = 0;
        db = -1;
    }
}
