package io.damselfly.protocol;

/**
 * Where a {@link RespRequestDecoder} books the memory it holds for a request it has not emitted
 * yet, so that a server can bound what all its connections hold together and what each holds
 * (Redis's {@code client-query-buffer-limit}). The decoder knows nothing of the policy; the server
 * implements it.
 *
 * <p>The decoder reports absolute figures, not deltas, so an implementation never drifts: it
 * books the difference from the last figure it accepted. It reports before it allocates a large
 * argument's array (with the array it is about to allocate counted, while the old one is still
 * held) and after each read that changed what it holds. A read that leaves nothing held, the usual
 * case for small requests, reports nothing.
 *
 * <p>Called only on the connection's event loop.
 */
public interface RequestMemory {

    /** Books nothing and refuses nothing: for decoders whose owner bounds memory otherwise. */
    RequestMemory UNBOUNDED = (heldBytes, queryBufferBytes) -> true;

    /**
     * Heap taken by an array beyond its elements, and by one reference: a 64-bit HotSpot JVM with
     * compressed oops (16-byte array header, 4-byte references, objects aligned to 8 bytes). A
     * request of a million empty arguments holds 20 MB of arrays, not 0 bytes; counting the
     * headers keeps such a request inside a budget too.
     */
    int ARRAY_HEADER_BYTES = 16;

    /** See {@link #ARRAY_HEADER_BYTES}. */
    int REFERENCE_BYTES = 4;

    /** Heap of a byte array of {@code length}: header plus elements, aligned to 8 bytes. */
    static long arrayBytes(long length) {
        return (ARRAY_HEADER_BYTES + length + 7) & ~7L;
    }

    /** Heap of an array of {@code length} references. */
    static long referenceArrayBytes(long length) {
        return (ARRAY_HEADER_BYTES + REFERENCE_BYTES * length + 7) & ~7L;
    }

    /** Heap a decoded request holds: its arguments and the array of them. */
    static long requestBytes(byte[][] argv) {
        long bytes = referenceArrayBytes(argv.length);
        for (byte[] arg : argv) {
            bytes += arrayBytes(arg.length);
        }
        return bytes;
    }

    /**
     * Books what the decoder holds now for requests not emitted yet.
     *
     * @param heldBytes everything it holds: input received and not parsed, the array of an
     *     argument being received (its capacity), and the completed arguments of the request being
     *     read with their object overhead
     * @param queryBufferBytes the part that Redis counts as the query buffer: input received and
     *     not yet part of a completed argument (unparsed bytes plus what has arrived of the
     *     argument being received)
     * @return true if the decoder may hold that much; false if not, and then the decoder drops the
     *     request, holds nothing more and discards the rest of the connection's input, and the
     *     implementation counts it as holding nothing (and closes the connection: that is its duty)
     */
    boolean hold(long heldBytes, long queryBufferBytes);
}
