package io.damselfly.server.persist;

import io.damselfly.server.keyspace.KeyspaceSnapshot;
import io.damselfly.server.keyspace.ValueVisitor;
import io.damselfly.server.rdb.RdbEntryEncoder;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * One shard's sink of a snapshot: encodes the entries it receives (under the shard's lock) as RDB
 * and hands them on in self-contained chunks of about {@link #CHUNK_BYTES}, "SELECTDB n" then its entries, so
 * chunks from the walk and from writes on other threads can go into the file in any order (Redis's
 * loader takes a SELECTDB anywhere, as Dragonfly's snapshots interleave them).
 */
final class ChunkSink implements KeyspaceSnapshot.Sink {
    private final RdbEntryEncoder encoder = new RdbEntryEncoder(64 * 1024);
    private final Consumer<byte[]> chunks;
    private int db = -1;

    ChunkSink(Consumer<byte[]> chunks) {
        this.chunks = chunks;
    }

    @Override
    public ValueVisitor entry(int db, byte[] key, long expiresAt) {
        if (db != this.db) {
            encoder.selectDb(db);
            this.db = db;
        }
        return encoder.entry(key, expiresAt);
    }

    /** A chunk's size from which it is handed on at the next boundary: large writes, few arrays. */
    static final int CHUNK_BYTES = 32 * 1024;

    @Override
    public void boundary() {
        if (encoder.size() >= CHUNK_BYTES) {
            flush();
        }
    }

    @Override
    public void flush() {
        if (encoder.size() > 0) {
            chunks.accept(Arrays.copyOf(encoder.array(), encoder.size()));
            encoder.reset();
            db = -1;
        }
    }
}
