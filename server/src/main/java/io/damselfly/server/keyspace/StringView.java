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
    /** The grown string the bytes belong to, or null when {@link #array} is a string record. */
    private final StringValue grown;

    StringView(byte[] array, int offset, int length) {
        this(array, offset, length, null);
    }

    StringView(byte[] array, int offset, int length, StringValue grown) {
        this.array = array;
        this.offset = offset;
        this.length = length;
        this.grown = grown;
    }

    /**
     * Lends the bytes to a reply that will read them after the shard lock is released (a large
     * value written to the socket without a copy): from now on the value is never changed in
     * place, so the reply sends exactly the bytes read here. Called under the shard's lock.
     */
    public void lend() {
        if (this == WRONG_TYPE) {
            return;
        }
        if (grown != null) {
            grown.lend();
        } else {
            StringRecord.markLent(array);
        }
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
