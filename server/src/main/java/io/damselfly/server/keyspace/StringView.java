package io.damselfly.server.keyspace;

/**
 * A string value as stored, lent to a command for the time it holds the key's shard lock: the
 * command writes the bytes into its reply at once and keeps nothing.
 *
 * <p>A new small view per read, not one rebound view per connection: writing the value's array
 * into a long-lived object would cost G1's cross-region write barrier (a StoreLoad fence) per
 * read, more than allocating 24 bytes in the thread's young buffer, which escape analysis often
 * removes altogether. Reads answer a view, null for a missing key, or the constant {@link
 * #WRONG_TYPE} when the key holds another type, compared by identity.
 */
public final class StringView {
    /** The answer of a string read on a key of another type. */
    public static final StringView WRONG_TYPE = new StringView(new byte[0], 0, 0);

    private final byte[] array;
    private final int offset;
    private final int length;

    StringView(byte[] array, int offset, int length) {
        this.array = array;
        this.offset = offset;
        this.length = length;
    }

    /** The array holding the value; only {@link #length()} bytes from {@link #offset()} are it. */
    public byte[] array() {
        return array;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    /** A copy of the value's bytes. */
    public byte[] toByteArray() {
        return java.util.Arrays.copyOfRange(array, offset, offset + length);
    }
}
