package io.damselfly.server.replication;

/**
 * The replication backlog: the last {@code size} bytes of the replication stream, by stream
 * offset, so a replica that lost its link can continue from where it was (PSYNC's +CONTINUE)
 * instead of loading the whole dataset again. Redis's repl_backlog, as a plain ring of bytes.
 *
 * <p>Offsets are Redis's: the stream's first byte is offset 1, and {@link #end()} is the offset of
 * the last byte written (master_repl_offset). Not thread-safe: the stream owns it under its lock.
 */
final class Backlog {
    private byte[] ring;
    /** Stream offset of the byte after the last one written. */
    private long next;
    /** Bytes held, at most the ring's length. */
    private long held;

    /** A backlog of {@code size} bytes whose next byte is stream offset {@code end + 1}. */
    Backlog(int size, long end) {
        this.ring = new byte[size];
        this.next = end + 1;
    }

    void write(byte[] bytes, int off, int len) {
        int size = ring.length;
        if (len >= size) {
            // only the last size bytes can be kept
            off += len - size;
            next += len - size;
            len = size;
        }
        int at = (int) (next % size);
        int first = Math.min(len, size - at);
        System.arraycopy(bytes, off, ring, at, first);
        System.arraycopy(bytes, off + first, ring, 0, len - first);
        next += len;
        held = Math.min(size, held + len);
    }

    /** master_repl_offset: the offset of the last byte written. */
    long end() {
        return next - 1;
    }

    /** repl_backlog_first_byte_offset: the offset of the oldest byte held. */
    long firstByte() {
        return next - held;
    }

    /** repl_backlog_histlen. */
    long held() {
        return held;
    }

    int size() {
        return ring.length;
    }

    /** Whether the stream can be continued from {@code offset} (the next byte a replica wants). */
    boolean holdsFrom(long offset) {
        return offset >= firstByte() && offset <= next;
    }

    /** The bytes from stream offset {@code from} (inclusive) to the end; see {@link #holdsFrom}. */
    byte[] copyFrom(long from) {
        int len = (int) (next - from);
        byte[] out = new byte[len];
        int size = ring.length;
        int at = (int) (from % size);
        int first = Math.min(len, size - at);
        System.arraycopy(ring, at, out, 0, first);
        System.arraycopy(ring, 0, out, first, len - first);
        return out;
    }

    /**
     * Resizes to {@code size} (CONFIG SET repl-backlog-size), keeping what still fits, as Redis's
     * resizeReplicationBacklog keeps the newest history.
     */
    void resize(int size) {
        if (size == ring.length) {
            return;
        }
        long keep = Math.min(held, size);
        byte[] kept = copyFrom(next - keep);
        long end = next;
        ring = new byte[size];
        next = end - keep;
        held = 0;
        write(kept, 0, kept.length);
    }

    /**
     * Moves every offset on by {@code delta}: what was written while loading a snapshot at start
     * (its expired keys' DELs, from offset 1) comes after the snapshot's own offset once that is
     * known (Redis's loadDataFromDisk rebasing master_repl_offset).
     */
    void rebase(long delta) {
        int size = ring.length;
        byte[] kept = copyFrom(firstByte());
        next += delta;
        held = 0;
        ring = new byte[size];
        long end = next;
        next = end - kept.length;
        write(kept, 0, kept.length);
    }
}
