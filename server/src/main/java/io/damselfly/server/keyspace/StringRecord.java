package io.damselfly.server.keyspace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The compact form of a string key: key, value, expiry and access clock in one slot of the shard's
 * off-heap {@link RecordArena}, so a string key costs no heap object at all and a lookup one
 * dependent load past the table.
 *
 * <pre>
 *   byte 0       flags ({@link #HAS_EXPIRY})
 *   bytes 1-3    access clock (24 bits, see {@link AccessClock})
 *   bytes 4-5    key length (unsigned)
 *   bytes 6-7    value length (unsigned)
 *   bytes 8-15   expiry in Unix ms, only when flags has {@link #HAS_EXPIRY}
 *   key bytes, then value bytes
 * </pre>
 *
 * <p>An instance is a short-lived handle on such a slot: the table makes one when a lookup finds a
 * record and it is valid while the shard's lock is held and the record is in the table; the table
 * itself stores only the arena's {@code int} handle. Two instances are the same record when their
 * handles are equal ({@link #sameAs}).
 *
 * <p>SET writes a value of the same length into the record itself ({@link #overwrite}), and any
 * other into a new record; the access clock and an existing expiry field also change in place. A
 * string that grows in place (APPEND, SETRANGE) moves to an {@link ObjectEntry} with a {@link
 * StringValue}, whose buffer grows geometrically, as Redis's raw strings do; so do strings whose
 * record would not fit {@link RecordArena#MAX_SLOT}. Records without an expiry carry no expiry field
 * (eight bytes saved on most cache keys); setting one on such a key builds a new record, and the
 * field stays (cleared) if the expiry goes.
 */
final class StringRecord {
    static final int HAS_EXPIRY = 1;
    private static final int KEY_LENGTH_AT = 4;
    private static final int VALUE_LENGTH_AT = 6;
    private static final int EXPIRY_AT = 8;
    private static final int HEADER = 8;
    private static final int HEADER_WITH_EXPIRY = 16;
    private static final int ACCESS_AT = 1;
    /** Keys compared eight bytes at a time, in the pages' byte order ({@link RecordArena#ORDER}). */
    private static final VarHandle KEY_LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    final int handle;
    private final ByteBuffer page;
    private final int base;
    private final RecordArena arena;

    StringRecord(RecordArena arena, int handle) {
        this.arena = arena;
        this.handle = handle;
        this.page = arena.page(handle);
        this.base = RecordArena.offset(handle);
    }

    /** The bytes a record of this key and value takes (before rounding to a slot). */
    private static int size(int keyLength, int valueLength, long expiresAt) {
        return (expiresAt == Entries.NO_EXPIRY ? HEADER : HEADER_WITH_EXPIRY) + keyLength + valueLength;
    }

    /**
     * A new record in {@code arena} for key and value (copied in), with an expiry ({@link
     * Entries#NO_EXPIRY} for none); null when it does not fit a slot or the arena has no memory.
     */
    static StringRecord create(RecordArena arena, byte[] key, byte[] value, int valueOffset, int valueLength,
            long expiresAt, int access) {
        return create(arena, key, valueLength, expiresAt, access, value, valueOffset, null, 0);
    }

    /** {@link #create} with the value copied from another record's page. */
    private static StringRecord create(RecordArena arena, byte[] key, int valueLength, long expiresAt, int access,
            byte[] fromArray, int fromOffset, ByteBuffer fromPage, int fromPageOffset) {
        int size = size(key.length, valueLength, expiresAt);
        if (size > RecordArena.MAX_SLOT) {
            return null;
        }
        int handle = arena.allocate(size);
        if (handle == RecordArena.NONE) {
            return null;
        }
        StringRecord r = new StringRecord(arena, handle);
        ByteBuffer p = r.page;
        int at = r.base;
        boolean expiry = expiresAt != Entries.NO_EXPIRY;
        p.put(at, (byte) (expiry ? HAS_EXPIRY : 0));
        r.setAccess(access);
        p.putShort(at + KEY_LENGTH_AT, (short) key.length);
        p.putShort(at + VALUE_LENGTH_AT, (short) valueLength);
        int keyAt = at + HEADER;
        if (expiry) {
            p.putLong(at + EXPIRY_AT, expiresAt);
            keyAt = at + HEADER_WITH_EXPIRY;
        }
        p.put(keyAt, key);
        if (fromArray != null) {
            p.put(keyAt + key.length, fromArray, fromOffset, valueLength);
        } else {
            p.put(keyAt + key.length, fromPage, fromPageOffset, valueLength);
        }
        return r;
    }

    /** Whether {@code other} (an entry) is this same record. */
    boolean sameAs(Object other) {
        return other instanceof StringRecord r && r.handle == handle;
    }

    private int flags() {
        return page.get(base) & 0xFF;
    }

    private int header() {
        return (flags() & HAS_EXPIRY) != 0 ? HEADER_WITH_EXPIRY : HEADER;
    }

    int keyLength() {
        return page.getShort(base + KEY_LENGTH_AT) & 0xFFFF;
    }

    /** The value's offset in {@link #page()}. */
    int valueOffset() {
        return base + header() + keyLength();
    }

    int valueLength() {
        return page.getShort(base + VALUE_LENGTH_AT) & 0xFFFF;
    }

    /** The page holding the record (shared: absolute reads only, under the shard's lock). */
    ByteBuffer page() {
        return page;
    }

    /** Whether the record at {@code handle} of {@code arena} has the key {@code key}, read in place. */
    static boolean keyEquals(RecordArena arena, int handle, byte[] key) {
        ByteBuffer p = arena.page(handle);
        int at = RecordArena.offset(handle);
        int n = key.length;
        if ((p.getShort(at + KEY_LENGTH_AT) & 0xFFFF) != n) {
            return false;
        }
        int off = at + ((p.get(at) & HAS_EXPIRY) != 0 ? HEADER_WITH_EXPIRY : HEADER);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            if (p.getLong(off + i) != (long) KEY_LONGS.get(key, i)) {
                return false;
            }
        }
        for (; i < n; i++) {
            if (p.get(off + i) != key[i]) {
                return false;
            }
        }
        return true;
    }

    boolean keyEquals(byte[] key) {
        return keyEquals(arena, handle, key);
    }

    // ---- raw copies, for snapshots: a record's bytes as they are, decoded off the lock ----------

    /** The bytes of the record at {@code handle}: header, key and value. */
    static int rawSize(RecordArena arena, int handle) {
        ByteBuffer p = arena.page(handle);
        int at = RecordArena.offset(handle);
        int header = (p.get(at) & HAS_EXPIRY) != 0 ? HEADER_WITH_EXPIRY : HEADER;
        return header + (p.getShort(at + KEY_LENGTH_AT) & 0xFFFF) + (p.getShort(at + VALUE_LENGTH_AT) & 0xFFFF);
    }

    /** Copies the record at {@code handle} as it is into {@code out} at {@code at}; answers the position after it. */
    static int copyRaw(RecordArena arena, int handle, int size, byte[] out, int at) {
        arena.page(handle).get(RecordArena.offset(handle), out, at, size);
        return at + size;
    }

    /** Walks the records {@link #copyRaw} put one after another in {@code block}'s first {@code length} bytes. */
    static void forEachRaw(byte[] block, int length, KeyspaceSnapshot.RecordVisitor visitor) {
        ByteBuffer b = ByteBuffer.wrap(block).order(RecordArena.ORDER);
        for (int at = 0; at < length; ) {
            boolean expiry = (block[at] & HAS_EXPIRY) != 0;
            int keyLength = b.getShort(at + KEY_LENGTH_AT) & 0xFFFF;
            int valueLength = b.getShort(at + VALUE_LENGTH_AT) & 0xFFFF;
            int keyAt = at + (expiry ? HEADER_WITH_EXPIRY : HEADER);
            visitor.record(block, keyAt, keyLength, keyAt + keyLength, valueLength,
                    expiry ? b.getLong(at + EXPIRY_AT) : Entries.NO_EXPIRY);
            at = keyAt + keyLength + valueLength;
        }
    }

    byte[] key() {
        byte[] k = new byte[keyLength()];
        page.get(base + header(), k);
        return k;
    }

    byte[] value() {
        byte[] v = new byte[valueLength()];
        page.get(valueOffset(), v);
        return v;
    }

    long expiresAt() {
        return (flags() & HAS_EXPIRY) != 0 ? page.getLong(base + EXPIRY_AT) : Entries.NO_EXPIRY;
    }

    /** Whether the record has an expiry field (set or cleared), so its expiry can change in place. */
    boolean hasExpiryField() {
        return (flags() & HAS_EXPIRY) != 0;
    }

    /** Changes the expiry of a record that has an expiry field; {@link Entries#NO_EXPIRY} clears it. */
    void setExpiryInPlace(long expiresAt) {
        page.putLong(base + EXPIRY_AT, expiresAt);
    }

    /** Whether {@link #overwrite} can put a value of this length and this expiry into the record. */
    boolean canOverwrite(int valueLength, long expiresAt) {
        return valueLength() == valueLength && (expiresAt == Entries.NO_EXPIRY || hasExpiryField());
    }

    /** Writes a value of the record's value length and the expiry into the record itself. */
    void overwrite(byte[] value, long expiresAt) {
        page.put(valueOffset(), value);
        if (hasExpiryField()) {
            setExpiryInPlace(expiresAt);
        }
    }

    /** A copy in the same arena with an expiry field holding {@code expiresAt}; null when none can be had. */
    StringRecord withExpiryField(long expiresAt) {
        return create(arena, key(), valueLength(), expiresAt, access(), null, 0, page, valueOffset());
    }

    /** The same value under another key in {@code target}'s arena, keeping expiry and access clock; null when it does not fit. */
    StringRecord rekeyed(RecordArena target, byte[] newKey) {
        return create(target, newKey, valueLength(), expiresAt(), access(), null, 0, page, valueOffset());
    }

    int access() {
        int at = base + ACCESS_AT;
        return (page.get(at) & 0xFF) << 16 | (page.get(at + 1) & 0xFF) << 8 | (page.get(at + 2) & 0xFF);
    }

    void setAccess(int access) {
        int at = base + ACCESS_AT;
        page.put(at, (byte) (access >>> 16));
        page.put(at + 1, (byte) (access >>> 8));
        page.put(at + 2, (byte) access);
    }

    /** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT: strings up to 44 bytes are "embstr". */
    private static final int EMBSTR_LIMIT = 44;
    /** Longest decimal form of a long ("-9223372036854775808"), Redis's int-encoding bound. */
    private static final int MAX_LONG_CHARS = 20;

    /** The value as a long when it is one in canonical form (Redis's int encoding), else null. */
    Long canonicalLong() {
        int length = valueLength();
        if (length > MAX_LONG_CHARS) {
            return null;
        }
        byte[] digits = value();
        return Numbers.parseCanonicalLong(digits, 0, length);
    }

    /** OBJECT ENCODING of a string set whole: "int" when it reads as a long, else by length. */
    String encoding() {
        if (canonicalLong() != null) {
            return "int";
        }
        return valueLength() > EMBSTR_LIMIT ? "raw" : "embstr";
    }

    /**
     * The same string as a heap entry under {@code key}: a string that no longer fits a slot, or
     * that is about to grow in place (a {@link StringValue} holding a copy of the value).
     */
    ObjectEntry onHeap(byte[] key, long expiresAt, int access) {
        return ObjectEntry.of(key, new StringValue(value()), expiresAt, access);
    }

    /** Bytes of the record's slot. */
    long footprint() {
        return arena.slotSizeOf(handle);
    }

    /** Gives the record's slot back to its arena; the record must have left its table. */
    void free() {
        arena.free(handle);
    }
}
