package io.damselfly.server.rdb;

import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.ValueVisitor;

/**
 * Encodes a chunk of an RDB file's keyspace section: SELECTDB, RESIZEDB and key entries, as
 * rdbSaveDb and rdbSaveKeyValuePair write them, into a buffer the caller hands to {@link
 * RdbFileWriter#chunk} (no header, no checksum: the file writer adds those). Thread-confined and
 * reusable: {@link #reset} after the chunk is taken.
 *
 * <p>Chunks may be encoded on several threads and concatenated in any order, because each
 * starts with its own SELECTDB: Redis's loader (rdbLoadRio) only switches the current database
 * on SELECTDB, so the same database may be selected again later in the file.
 *
 * <pre>
 * enc.selectDb(0);
 * keyOps.dump(key, enc.entry(key, expiresAt));   // [EXPIRETIME_MS] type key value
 * fileWriter.chunk(enc.array(), 0, enc.size());
 * enc.reset();
 * </pre>
 */
public final class RdbEntryEncoder {
    private final RdbOutput out;
    private final RdbValueWriter values;

    public RdbEntryEncoder(int initialCapacity) {
        this.out = new RdbOutput(initialCapacity);
        this.values = new RdbValueWriter(out);
    }

    /** SELECTDB: the entries that follow belong to database {@code db}. */
    public void selectDb(int db) {
        out.writeByte(RdbFormat.OPCODE_SELECTDB);
        out.writeLength(db);
    }

    /** RESIZEDB: a hint of the selected database's key count and keys with an expiry. */
    public void resizeDb(long size, long expires) {
        out.writeByte(RdbFormat.OPCODE_RESIZEDB);
        out.writeLength(size);
        out.writeLength(expires);
    }

    /**
     * Starts an entry: the expiry ({@link Database#NO_EXPIRY} for none, else Unix ms) is written
     * now; the visitor answered writes the type byte, the key and the value as the keyspace walks
     * the value through it (exactly one value per call).
     */
    public ValueVisitor entry(byte[] key, long expiresAtMs) {
        return entry(key, expiresAtMs, -1, -1);
    }

    /**
     * {@link #entry(byte[], long)} with the access information Redis saves under an LRU policy
     * ({@code idleSeconds}, IDLE) or an LFU one ({@code frequency} 0..255, FREQ); -1 for none.
     */
    public ValueVisitor entry(byte[] key, long expiresAtMs, long idleSeconds, int frequency) {
        expiry(expiresAtMs);
        if (idleSeconds >= 0) {
            out.writeByte(RdbFormat.OPCODE_IDLE);
            out.writeLength(idleSeconds);
        }
        if (frequency >= 0) {
            out.writeByte(RdbFormat.OPCODE_FREQ);
            out.writeByte(frequency & 0xFF);
        }
        values.keyAfterType(key);
        return values;
    }

    /**
     * A string entry whose key and value lie in one array (a snapshot's raw record copies): the
     * same bytes as {@code entry(key, expiresAtMs).string(...)}, without copying the key out first.
     */
    public void stringEntry(byte[] block, int keyOffset, int keyLength, int valueOffset, int valueLength, long expiresAtMs) {
        expiry(expiresAtMs);
        out.writeByte(RdbFormat.TYPE_STRING);
        out.writeString(block, keyOffset, keyLength);
        out.writeString(block, valueOffset, valueLength);
    }

    /** An entry's expiry opcode, unless it has none ({@link Database#NO_EXPIRY}). */
    private void expiry(long expiresAtMs) {
        if (expiresAtMs != Database.NO_EXPIRY) {
            out.writeByte(RdbFormat.OPCODE_EXPIRETIME_MS);
            out.writeLittleEndian(expiresAtMs, 8);
        }
    }

    /**
     * An entry from a DUMP payload (type byte, value, then the 10-byte footer, not checked here):
     * for tools and tests that read a keyspace through DUMP.
     */
    public void entryFromDump(byte[] key, long expiresAtMs, byte[] payload) {
        if (payload.length < 11) {
            throw new IllegalArgumentException("not a DUMP payload");
        }
        if (expiresAtMs != Database.NO_EXPIRY) {
            out.writeByte(RdbFormat.OPCODE_EXPIRETIME_MS);
            out.writeLittleEndian(expiresAtMs, 8);
        }
        out.writeByte(payload[0] & 0xFF);
        out.writeString(key, 0, key.length);
        out.writeBytes(payload, 1, payload.length - 11);
    }

    /** Bytes encoded since the last reset. */
    public int size() {
        return out.size();
    }

    /** The encoded bytes, valid up to {@link #size()} until the next write or reset. */
    public byte[] array() {
        return out.array();
    }

    /** Empties the chunk, keeping its buffer. */
    public void reset() {
        out.reset();
    }
}
