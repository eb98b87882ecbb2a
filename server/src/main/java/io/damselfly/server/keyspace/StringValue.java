package io.damselfly.server.keyspace;

import java.util.Arrays;

/**
 * A Redis string that grows in place: what a {@link StringRecord} becomes on its first APPEND or
 * SETRANGE (and what SETRANGE creates on a missing key), held by an {@link ObjectEntry}.
 *
 * <p>The buffer grows geometrically, as Redis's sds does, so a key built by repeated APPEND costs
 * amortised O(1) per call instead of a full copy each time; such a value reports the "raw"
 * encoding, as in Redis. It is changed only under its shard's lock, and only by {@link StringOps}
 * and {@link BitmapOps}, which book each change through the shard's write path.
 */
final class StringValue implements Value {
    /** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT: strings up to 44 bytes are "embstr". */
    private static final int EMBSTR_LIMIT = 44;
    /** Longest decimal form of a long ("-9223372036854775808"), Redis's int-encoding bound. */
    private static final int MAX_LONG_CHARS = 20;

    private byte[] buf;
    private int length;
    /** Set once the value was modified in place (APPEND, SETRANGE), as Redis converts to raw. */
    private boolean raw;
    /**
     * Set once the buffer was lent to a reply written later without a copy ({@link
     * StringView#lend}): the next change in place first moves the value to a buffer of its own,
     * so the reply still sends the bytes it was given.
     */
    private boolean lent;

    StringValue(byte[] bytes) {
        this.buf = bytes;
        this.length = bytes.length;
    }

    /** A value that reports "raw" whatever it holds, as Redis's createObject makes one. */
    static StringValue raw(byte[] bytes) {
        StringValue s = new StringValue(bytes);
        s.raw = true;
        return s;
    }

    @Override
    public ValueType type() {
        return ValueType.STRING;
    }

    /** The backing array; only the first {@link #length()} bytes are the value. */
    byte[] array() {
        return buf;
    }

    int length() {
        return length;
    }

    /** A copy of exactly the value's bytes. */
    byte[] toByteArray() {
        return length == buf.length ? buf.clone() : Arrays.copyOf(buf, length);
    }

    void lend() {
        lent = true;
    }

    /** Appends bytes in place; returns the new length. */
    int append(byte[] tail) {
        unshare();
        ensureCapacity(length + tail.length);
        System.arraycopy(tail, 0, buf, length, tail.length);
        length += tail.length;
        raw = true;
        return length;
    }

    /** Overwrites from offset, zero-padding any gap, as SETRANGE; returns the new length. */
    int setRange(int offset, byte[] patch) {
        unshare();
        int end = offset + patch.length;
        if (end > length) {
            ensureCapacity(end);
            // bytes between the old length and offset must read as zero, even if the buffer
            // held older data there; a patch that starts inside the value leaves no gap
            if (offset > length) {
                Arrays.fill(buf, length, offset, (byte) 0);
            }
            length = end;
        }
        System.arraycopy(patch, 0, buf, offset, patch.length);
        raw = true;
        return length;
    }

    /**
     * Makes the value at least {@code needed} bytes long, zero-padding what it adds (Redis's
     * sdsgrowzero after dbUnshareStringValue), and answers the buffer, which the caller changes in
     * place within its first {@link #length()} bytes (SETBIT, BITFIELD), under the same write.
     */
    byte[] growZero(int needed) {
        unshare();
        if (needed > length) {
            ensureCapacity(needed);
            Arrays.fill(buf, length, needed, (byte) 0);
            length = needed;
        }
        raw = true;
        return buf;
    }

    /**
     * Reports "raw" from now on, with no change of the bytes: a SETBIT or BITFIELD that changes
     * nothing still makes Redis's string raw (dbUnshareStringValue), a matter of OBJECT ENCODING.
     */
    void markRaw() {
        raw = true;
    }

    /**
     * The buffer, to change bytes of the value in place without changing its length (a dense
     * HyperLogLog's registers and cached cardinality); a lent value gets a buffer of its own first.
     */
    byte[] writableArray() {
        return growZero(0);
    }

    /**
     * Makes the first {@code newLength} bytes of {@code bytes}, which becomes the value's buffer,
     * the value (a HyperLogLog written back whole: its sparse form can grow or shrink).
     */
    int replace(byte[] bytes, int newLength) {
        buf = bytes;
        length = newLength;
        lent = false;
        raw = true;
        return length;
    }

    /** Gives a lent value a buffer of its own before it changes (Redis's dbUnshareStringValue). */
    private void unshare() {
        if (lent) {
            buf = buf.clone();
            lent = false;
        }
    }

    private void ensureCapacity(int needed) {
        if (needed <= buf.length) {
            return;
        }
        // sds-like growth: double below 1 MiB, then grow by 1 MiB at a time (SDS_MAX_PREALLOC)
        int grown = needed < (1 << 20) ? Math.max(needed * 2, 16) : needed + (1 << 20);
        if (grown < 0) {
            grown = Integer.MAX_VALUE - 8;
        }
        buf = Arrays.copyOf(buf, grown);
    }

    /** An exactly sized copy of the bytes; a "raw" value stays raw, as Redis's dupStringObject keeps the encoding. */
    @Override
    public StringValue copy() {
        StringValue c = new StringValue(toByteArray());
        c.raw = raw;
        return c;
    }

    @Override
    public String encoding() {
        // a value changed in place is raw even when it reads as a number, as in Redis
        if (!raw && length <= MAX_LONG_CHARS && Numbers.parseCanonicalLong(buf, length) != null) {
            return "int";
        }
        return raw || length > EMBSTR_LIMIT ? "raw" : "embstr";
    }

    @Override
    public long footprint() {
        return MemoryLayout.STRING_VALUE + MemoryLayout.byteArray(buf.length);
    }
}
