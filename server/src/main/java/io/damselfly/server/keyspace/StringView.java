package io.damselfly.server.keyspace;

/**
 * A string value as stored, lent to a command for the time it holds the key's shard lock: the
 * command writes the bytes into its reply at once and keeps nothing. Each {@link Database} owns
 * one view and rebinds it per read, so reading a string allocates nothing.
 *
 * <p>Reads answer the view, null for a missing key, or the constant {@link #WRONG_TYPE} when the
 * key holds another type, compared by identity.
 */
public final class StringView {
    /** The answer of a string read on a key of another type. */
    public static final StringView WRONG_TYPE = new StringView();

    private byte[] array;
    private int offset;
    private int length;

    StringView bind(byte[] array, int offset, int length) {
        this.array = array;
        this.offset = offset;
        this.length = length;
        return this;
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
