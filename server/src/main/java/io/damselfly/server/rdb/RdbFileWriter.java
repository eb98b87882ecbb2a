package io.damselfly.server.rdb;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes an RDB file as Redis 7.0.15's rdbSaveRio lays it out: the magic "REDIS0010", the AUX
 * fields of rdbSaveInfoAuxFields, the function libraries (FUNCTION2), the keyspace as chunks
 * encoded by {@link RdbEntryEncoder}s, then EOF and the CRC64 of every byte before it, little
 * endian. One thread; the stream is buffered here, flushed by {@link #finish} and never closed
 * (the caller owns it, to fsync and rename).
 */
public final class RdbFileWriter {
    /** The version Redis 7.0.15 writes, in the "redis-ver" AUX field. */
    public static final String REDIS_VERSION = "7.0.15";
    private static final int BUFFER = 64 * 1024;

    private final OutputStream sink;
    private final byte[] buffer = new byte[BUFFER];
    private int buffered;
    private long crc;
    private long written;
    private final RdbOutput scratch = new RdbOutput(256);

    private final boolean checksum;

    public RdbFileWriter(OutputStream sink) {
        this(sink, true);
    }

    /** A writer that ends the file with its CRC64, or with 0 when {@code checksum} is false (rdbchecksum no). */
    public RdbFileWriter(OutputStream sink, boolean checksum) {
        this.sink = sink;
        this.checksum = checksum;
    }

    /**
     * A snapshot's place in the replication stream (Redis's rdbSaveInfo): the database the stream
     * was in at its moment, the stream's id and its offset then.
     */
    public record ReplicationInfo(int streamDb, String replId, long offset) {
    }

    /** The header of a snapshot outside any replication chain. */
    public void header(long ctimeSeconds, long usedMem) throws IOException {
        header(ctimeSeconds, usedMem, null);
    }

    /**
     * The magic and rdbSaveInfoAuxFields' fields: redis-ver, redis-bits, ctime (Unix seconds),
     * used-mem (bytes), then, for a server in a replication chain ({@code replication} not null),
     * repl-stream-db, repl-id and repl-offset, then aof-base 0.
     */
    public void header(long ctimeSeconds, long usedMem, ReplicationInfo replication) throws IOException {
        scratch.reset();
        byte[] magic = String.format("REDIS%04d", RdbFormat.VERSION).getBytes(StandardCharsets.US_ASCII);
        scratch.writeBytes(magic, 0, magic.length);
        aux(scratch, "redis-ver", REDIS_VERSION);
        aux(scratch, "redis-bits", "64");
        aux(scratch, "ctime", Long.toString(ctimeSeconds));
        aux(scratch, "used-mem", Long.toString(usedMem));
        if (replication != null) {
            aux(scratch, "repl-stream-db", Integer.toString(replication.streamDb()));
            aux(scratch, "repl-id", replication.replId());
            aux(scratch, "repl-offset", Long.toString(replication.offset()));
        }
        aux(scratch, "aof-base", "0");
        chunk(scratch.array(), 0, scratch.size());
    }

    private static void aux(RdbOutput out, String key, String value) {
        byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        out.writeByte(RdbFormat.OPCODE_AUX);
        out.writeString(k, 0, k.length);
        out.writeString(v, 0, v.length);
    }

    /**
     * The function libraries, from FUNCTION DUMP's payload ({@code FunctionLibraries.dump()}):
     * its body is already what rdbSaveFunctions writes (per library FUNCTION2 and the code), so
     * everything but its 10-byte footer (version and checksum) goes in as it is.
     */
    public void functions(byte[] functionDumpPayload) throws IOException {
        if (functionDumpPayload.length < DumpPayload.FOOTER_BYTES) {
            throw new IllegalArgumentException("not a FUNCTION DUMP payload");
        }
        chunk(functionDumpPayload, 0, functionDumpPayload.length - DumpPayload.FOOTER_BYTES);
    }

    /** Appends pre-encoded bytes (a chunk of an {@link RdbEntryEncoder}). */
    public void chunk(byte[] b, int off, int len) throws IOException {
        crc = Crc64.update(crc, b, off, len);
        written += len;
        if (len >= BUFFER) {
            drain();
            sink.write(b, off, len);
            return;
        }
        if (len > BUFFER - buffered) {
            drain();
        }
        System.arraycopy(b, off, buffer, buffered, len);
        buffered += len;
    }

    private void drain() throws IOException {
        if (buffered > 0) {
            sink.write(buffer, 0, buffered);
            buffered = 0;
        }
    }

    /** EOF, the checksum, and a flush: the file is complete. Answers its size in bytes. */
    public long finish() throws IOException {
        byte[] eof = {(byte) RdbFormat.OPCODE_EOF};
        chunk(eof, 0, 1);
        byte[] sum = new byte[8];
        long c = checksum ? crc : 0;
        for (int i = 0; i < 8; i++) {
            sum[i] = (byte) (c >>> (8 * i));
        }
        chunk(sum, 0, 8);
        drain();
        sink.flush();
        return written;
    }

    /** Bytes written so far (buffered included). */
    public long bytesWritten() {
        return written;
    }
}
