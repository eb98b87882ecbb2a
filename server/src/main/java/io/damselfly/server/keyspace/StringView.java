package io.damselfly.server.keyspace;

import java.nio.ByteBuffer;

/**
 * A string value as stored, lent to a command for the time it holds the key's shard lock: the
 * command writes the bytes into its reply at once and keeps nothing.
 *
 * <p>A new small view per read, not one rebound view per connection: writing the value's array
 * into a long-lived object would cost G1's cross-region write barrier (a StoreLoad fence) per
 * read, more than allocating 24 bytes in the thread's young buffer, which escape analysis often
 * removes altogether. Reads answer a view, null for a missing key, or the constant {@link
 * #WRONG_TYPE} when the key holds another type, compared by identity.
 *
 * <p>The bytes are either in a heap array ({@link #array()}) or, for a string record, in an
 * off-heap page of the shard's arena ({@link #buffer()}, null array): such a view must be read
 * before the lock is released and before the command writes the key again.
 */
public final class StringView {
    /** The answer of a string read on a key of another type. */
    public static final StringView WRONG_TYPE = new StringView(new byte[0], 0, 0);

    private final byte[] array;
    private final ByteBuffer buffer;
    private final int offset;
    private final int length;
    /** The grown string the bytes belong to, or null when {@link #array} is a string record. */
    private final StringValue grown;

    StringView(byte[] array, int offset, int length) {
        this(array, offset, length, null);
    }

    StringView(byte[] array, int offset, int length, StringValue grown) {
        this.array = array;
        this.buffer = null;
        this.offset = offset;
        this.length = length;
        this.grown = grown;
    }

    /** A view of a record's value in an arena page. */
    StringView(ByteBuffer page, int offset, int length) {
        this.array = null;
        this.buffer = page;
        this.offset = offset;
        this.length = length;
        this.grown = null;
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
            throw new IllegalStateException("a string record's value is copied, never lent");
        }
    }

    /**
     * The array holding the value, or null when it is in an arena page ({@link #buffer()}); only
     * {@link #length()} bytes from {@link #offset()} are it.
     */
    public byte[] array() {
        return array;
    }

    /**
     * The arena page holding the value when {@link #array()} is null: shared by every record of
     * the page, so read it with absolute gets or through a {@link ByteBuffer#slice(int, int)}.
     */
    public ByteBuffer buffer() {
        return buffer;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    /** A copy of the value's bytes. */
    public byte[] toByteArray() {
        byte[] copy = new byte[length];
        copyTo(copy, 0);
        return copy;
    }

    /** Copies the value's bytes into {@code dst} from {@code at}. */
    public void copyTo(byte[] dst, int at) {
        if (array == null) {
            buffer.get(offset, dst, at, length);
        } else {
            System.arraycopy(array, offset, dst, at, length);
        }
    }

    /** The same bytes in an array of their own: a view that outlives a change of its key. */
    StringView detached() {
        return array != null ? this : new StringView(toByteArray(), 0, length);
    }
}
