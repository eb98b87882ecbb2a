package io.damselfly.server.keyspace;

/**
 * Heap sizes of the objects the keyspace allocates, for memory accounting.
 *
 * <p>Assumes a 64-bit HotSpot JVM with compressed oops and compressed class pointers (the default
 * below 32 GiB of heap): 12-byte object headers, 4-byte references, 8-byte alignment, 16-byte
 * array headers. The estimate is checked against measured heap growth in KeyspaceMemoryTest.
 */
public final class MemoryLayout {
    /** Entry: header 12 + key 4 + hash 4 + next 4 + value 4 + access 4 + expiresAt 8 = 40. */
    public static final int ENTRY = 40;
    /** StringValue: header 12 + buf 4 + length 4 + raw 1 = 21, aligned to 24. */
    public static final int STRING_VALUE = 24;
    /** One bucket slot of an {@link EntryTable}: a compressed reference. */
    public static final int BUCKET_SLOT = 4;
    private static final int ARRAY_HEADER = 16;

    private MemoryLayout() {
    }

    /** Bytes a {@code byte[length]} occupies. */
    public static long byteArray(int length) {
        return align(ARRAY_HEADER + (long) length);
    }

    /** Rounds up to the JVM's 8-byte object alignment. */
    public static long align(long bytes) {
        return (bytes + 7) & ~7L;
    }
}
