package io.damselfly.server.keyspace;

/**
 * Heap sizes of the objects the keyspace allocates, for memory accounting.
 *
 * <p>Assumes a 64-bit HotSpot JVM with compressed oops and compressed class pointers (the default
 * below 32 GiB of heap): 12-byte object headers, 4-byte references, 8-byte alignment, 16-byte
 * array headers. The estimate is checked against measured heap growth in KeyspaceMemoryTest.
 */
public final class MemoryLayout {
    /** ObjectEntry: header 12 + key 4 + value 4 + access 4 = 24. */
    public static final int OBJECT_ENTRY = 24;
    /** ObjectEntry.Expiring: an ObjectEntry's 24 + expiresAt 8 = 32. */
    public static final int EXPIRING_OBJECT_ENTRY = 32;
    /** StringValue: header 12 + buf 4 + length 4 + raw 1 = 21, aligned to 24. */
    public static final int STRING_VALUE = 24;
    /** HashValue: header 12 + form 4 = 16. */
    public static final int HASH_VALUE = 16;
    /** FieldTable: header 12 + fields 4 + values 4 + hashes 4 + size 4 + dataBytes 8 = 36, aligned to 40. */
    public static final int FIELD_TABLE = 40;
    /** ListValue: header 12 + items 4 + head 4 + size 4 + elementBytes 8 = 32. */
    public static final int LIST_VALUE = 32;
    /** KeyTable.Segment: header 12 + depth 4 + meta 4 + items 4 + mask 4 + count 4 = 32. */
    public static final int SEGMENT = 32;
    private static final int ARRAY_HEADER = 16;
    private static final int REFERENCE = 4;

    private MemoryLayout() {
    }

    /** Bytes a {@code byte[length]} occupies. */
    public static long byteArray(int length) {
        return align(ARRAY_HEADER + (long) length);
    }

    /** Bytes an {@code int[length]} occupies. */
    public static long intArray(int length) {
        return align(ARRAY_HEADER + 4L * length);
    }

    public static long charArray(int length) {
        return align(ARRAY_HEADER + 2L * length);
    }

    /** Bytes an array of {@code length} references occupies. */
    public static long referenceArray(int length) {
        return align(ARRAY_HEADER + (long) REFERENCE * length);
    }

    /** Rounds up to the JVM's 8-byte object alignment. */
    public static long align(long bytes) {
        return (bytes + 7) & ~7L;
    }
}
