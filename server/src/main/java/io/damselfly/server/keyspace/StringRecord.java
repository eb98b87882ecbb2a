package io.damselfly.server.keyspace;

import java.util.Arrays;

/**
 * The compact form of a string key: key, value, expiry and access clock in one {@code byte[]},
 * so a string key costs one object and a lookup one dependent load past the table.
 *
 * <pre>
 *   byte 0       flags ({@link #HAS_EXPIRY}, {@link #LENT})
 *   bytes 1-3    access clock (24 bits, see {@link AccessClock})
 *   bytes 4-7    key length
 *   bytes 8-15   expiry in Unix ms, only when flags has {@link #HAS_EXPIRY}
 *   key bytes, then value bytes to the end of the array
 * </pre>
 *
 * <p>Multi-byte fields are read and written a byte at a time, big-endian: a lookup reaches these
 * methods about ten calls deep, and a VarHandle's own layers sit near the JIT's inlining depth
 * limit there (a VarHandle not inlined costs more than the probe); the two measured the same on
 * GET when both inline, so the plain form is kept.
 *
 * <p>The value's length is the array's remainder, so a record is exactly sized. SET writes a value
 * of the same length into the record itself ({@link #overwrite}), and any other into a new record;
 * the access clock and an existing expiry field also change in place. A string
 * that grows in place (APPEND, SETRANGE) moves to an {@link ObjectEntry} with a {@link
 * StringValue}, whose buffer grows geometrically, as Redis's raw strings do. Records without an
 * expiry carry no expiry field (eight bytes saved on most cache keys); setting one on such a key
 * builds a new record, and the field stays (cleared) if the expiry goes. Static methods only: a
 * record is a plain array.
 */
final class StringRecord {
    static final int HAS_EXPIRY = 1;
    /**
     * Set once the value's bytes were lent to a reply that is written to a socket later, without
     * a copy ({@link StringView#lend}): the value must then never change in place, so a
     * same-length SET builds a new record instead, as Redis copies a shared string before
     * changing it (dbUnshareStringValue).
     */
    static final int LENT = 2;
    private static final int FLAGS_MASK = 0xFF;
    private static final int KEY_LENGTH_AT = 4;
    private static final int EXPIRY_AT = 8;
    private static final int HEADER = 8;
    private static final int HEADER_WITH_EXPIRY = 16;

    private static final int ACCESS_AT = 1;

    private StringRecord() {
    }

    /** A record for key and value (copied in), with an expiry ({@link Entries#NO_EXPIRY} for none). */
    static byte[] of(byte[] key, byte[] value, int valueOffset, int valueLength, long expiresAt, int access) {
        int header = expiresAt == Entries.NO_EXPIRY ? HEADER : HEADER_WITH_EXPIRY;
        byte[] r = new byte[header + key.length + valueLength];
        r[0] = (byte) (header == HEADER ? 0 : HAS_EXPIRY);
        putAccess(r, access);
        putInt(r, KEY_LENGTH_AT, key.length);
        if (header != HEADER) {
            putLong(r, EXPIRY_AT, expiresAt);
        }
        System.arraycopy(key, 0, r, header, key.length);
        System.arraycopy(value, valueOffset, r, header + key.length, valueLength);
        return r;
    }

    static byte[] of(byte[] key, byte[] value, long expiresAt, int access) {
        return of(key, value, 0, value.length, expiresAt, access);
    }

    private static int flags(byte[] r) {
        return r[0] & FLAGS_MASK;
    }

    private static int header(byte[] r) {
        return (flags(r) & HAS_EXPIRY) != 0 ? HEADER_WITH_EXPIRY : HEADER;
    }

    static int keyLength(byte[] r) {
        return getInt(r, KEY_LENGTH_AT);
    }

    static int valueOffset(byte[] r) {
        return header(r) + keyLength(r);
    }

    static int valueLength(byte[] r) {
        return r.length - valueOffset(r);
    }

    /** Whether the record's key is {@code key}. */
    static boolean keyEquals(byte[] r, byte[] key) {
        int n = key.length;
        if (getInt(r, KEY_LENGTH_AT) != n) {
            return false;
        }
        int off = (r[0] & HAS_EXPIRY) != 0 ? HEADER_WITH_EXPIRY : HEADER;
        for (int i = 0; i < n; i++) {
            if (r[off + i] != key[i]) {
                return false;
            }
        }
        return true;
    }

    static byte[] key(byte[] r) {
        int off = header(r);
        return Arrays.copyOfRange(r, off, off + keyLength(r));
    }

    static byte[] value(byte[] r) {
        return Arrays.copyOfRange(r, valueOffset(r), r.length);
    }

    static long expiresAt(byte[] r) {
        return (flags(r) & HAS_EXPIRY) != 0 ? getLong(r, EXPIRY_AT) : Entries.NO_EXPIRY;
    }

    /** Whether the record has an expiry field (set or cleared), so its expiry can change in place. */
    static boolean hasExpiryField(byte[] r) {
        return (flags(r) & HAS_EXPIRY) != 0;
    }

    /** Changes the expiry of a record that has an expiry field; {@link Entries#NO_EXPIRY} clears it. */
    static void setExpiryInPlace(byte[] r, long expiresAt) {
        putLong(r, EXPIRY_AT, expiresAt);
    }

    /** Whether {@link #overwrite} can put a value of this length and this expiry into the record. */
    static boolean canOverwrite(byte[] r, int valueLength, long expiresAt) {
        return valueLength(r) == valueLength && (expiresAt == Entries.NO_EXPIRY || hasExpiryField(r))
                && (flags(r) & LENT) == 0;
    }

    /** Marks the value as lent to a reply: it is never changed in place from now on. */
    static void markLent(byte[] r) {
        r[0] |= LENT;
    }

    /** Writes a value of the record's value length and the expiry into the record itself. */
    static void overwrite(byte[] r, byte[] value, long expiresAt) {
        System.arraycopy(value, 0, r, valueOffset(r), value.length);
        if (hasExpiryField(r)) {
            setExpiryInPlace(r, expiresAt);
        }
    }

    /** A copy of a record without an expiry field, with one holding {@code expiresAt}. */
    static byte[] withExpiryField(byte[] r, long expiresAt) {
        byte[] copy = new byte[r.length + (HEADER_WITH_EXPIRY - HEADER)];
        System.arraycopy(r, 0, copy, 0, HEADER);
        copy[0] = (byte) ((copy[0] & ~LENT) | HAS_EXPIRY);
        putLong(copy, EXPIRY_AT, expiresAt);
        System.arraycopy(r, HEADER, copy, HEADER_WITH_EXPIRY, r.length - HEADER);
        return copy;
    }

    /** The same value under another key (RENAME, MOVE), keeping expiry and access clock. */
    static byte[] rekeyed(byte[] r, byte[] newKey) {
        int vOff = valueOffset(r);
        return of(newKey, r, vOff, r.length - vOff, expiresAt(r), access(r));
    }

    static int access(byte[] r) {
        return (r[ACCESS_AT] & 0xFF) << 16 | (r[ACCESS_AT + 1] & 0xFF) << 8 | (r[ACCESS_AT + 2] & 0xFF);
    }

    static void setAccess(byte[] r, int access) {
        putAccess(r, access);
    }

    private static void putAccess(byte[] r, int access) {
        r[ACCESS_AT] = (byte) (access >>> 16);
        r[ACCESS_AT + 1] = (byte) (access >>> 8);
        r[ACCESS_AT + 2] = (byte) access;
    }

    private static int getInt(byte[] r, int at) {
        return (r[at] & 0xFF) << 24 | (r[at + 1] & 0xFF) << 16 | (r[at + 2] & 0xFF) << 8 | (r[at + 3] & 0xFF);
    }

    private static void putInt(byte[] r, int at, int v) {
        r[at] = (byte) (v >>> 24);
        r[at + 1] = (byte) (v >>> 16);
        r[at + 2] = (byte) (v >>> 8);
        r[at + 3] = (byte) v;
    }

    private static long getLong(byte[] r, int at) {
        return (getInt(r, at) & 0xFFFFFFFFL) << 32 | (getInt(r, at + 4) & 0xFFFFFFFFL);
    }

    private static void putLong(byte[] r, int at, long v) {
        putInt(r, at, (int) (v >>> 32));
        putInt(r, at + 4, (int) v);
    }

    /** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT: strings up to 44 bytes are "embstr". */
    private static final int EMBSTR_LIMIT = 44;
    /** Longest decimal form of a long ("-9223372036854775808"), Redis's int-encoding bound. */
    private static final int MAX_LONG_CHARS = 20;

    /** OBJECT ENCODING of a string set whole: "int" when it reads as a long, else by length. */
    static String encoding(byte[] r) {
        int off = valueOffset(r);
        int length = r.length - off;
        if (length <= MAX_LONG_CHARS && Numbers.parseCanonicalLong(r, off, length) != null) {
            return "int";
        }
        return length > EMBSTR_LIMIT ? "raw" : "embstr";
    }

    /** Heap bytes of the record. */
    static long footprint(byte[] r) {
        return MemoryLayout.byteArray(r.length);
    }
}
