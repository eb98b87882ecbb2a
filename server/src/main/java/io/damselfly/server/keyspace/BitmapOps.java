package io.damselfly.server.keyspace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

/**
 * The bitmap operations of one {@link Database} (Redis's bitops.c, below the reply layer): SETBIT,
 * GETBIT, BITCOUNT, BITPOS, BITOP and BITFIELD over plain string values. Offsets arrive checked
 * against the string length limit by the caller; reads work on a {@link StringView}, writes go
 * through the database's write path.
 */
public final class BitmapOps {
    /*
     * Bits are numbered as in Redis: bit 0 is the most significant bit of byte 0, so a bitmap read
     * eight bytes at a time in big-endian order is one long whose bit 63 is the bitmap's first.
     * That makes BITPOS a Long.numberOfLeadingZeros on the first word that is not all zeros (or
     * all ones), and BITFIELD's fields of up to 64 bits a shift of the nine bytes that hold them.
     * Population counts and BITOP do not care about order and read longs in the native order.
     *
     * Writes. A string written bit by bit becomes growable first (StringOps.growable, as Redis's
     * dbUnshareStringValue makes it raw, even when nothing changes after all: OBJECT ENCODING then
     * says "raw" as on Redis) and is changed inside Database.changeInPlace, so memory,
     * WATCH, tracking, keyspace events and a snapshot under way see it. Redis counts a write only
     * when the string was created or grew, or a bit actually changed: SETBIT and BITFIELD work out
     * their answers first (BITFIELD on a patch of the bytes it would write, over the stored ones)
     * and write only when something changes. A BITFIELD whose every write failed (OVERFLOW FAIL)
     * still grows the string as Redis does, but quietly (Database.changeQuietly): Redis neither
     * notifies nor signals it.
     *
     * Redis adds a BITFIELD's number of changed fields to its dirty counter; the write path here
     * counts one write per command.
     */

    /** BITOP's operations. */
    public static final int AND = 0;
    public static final int OR = 1;
    public static final int XOR = 2;
    public static final int NOT = 3;

    /** BITFIELD's OVERFLOW behaviours (Redis's BFOVERFLOW_*). */
    public static final int WRAP = 0;
    public static final int SAT = 1;
    public static final int FAIL = 2;

    /** BITFIELD's subcommands. */
    public static final int GET = 0;
    public static final int SET = 1;
    public static final int INCRBY = 2;

    private static final VarHandle BIG_ENDIAN_LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle NATIVE_LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final Database db;

    BitmapOps(Database db) {
        this.db = db;
    }

    /**
     * One BITFIELD subcommand, parsed: {@code kind} is {@link #GET}, {@link #SET} or {@link
     * #INCRBY}; a field of {@code bits} bits (1..64 signed, 1..63 unsigned) at bit {@code offset};
     * {@code value} is SET's value or INCRBY's increment; {@code overflow} the OVERFLOW in force.
     */
    public record FieldOp(int kind, boolean signed, int bits, long offset, long value, int overflow) {
        boolean writes() {
            return kind != GET;
        }
    }

    /**
     * BITFIELD's answer: one value per subcommand, {@code failed[i]} when subcommand i hit an
     * overflow under FAIL (a null in the reply); or the status that stopped it (WRONG_TYPE).
     */
    public record FieldResults(OpStatus status, long[] values, boolean[] failed) {
        static FieldResults wrongType() {
            return new FieldResults(OpStatus.WRONG_TYPE, null, null);
        }
    }

    // ---- reads --------------------------------------------------------------------------------

    /** The string a bit read works on, looked up as a read: a view, null when missing, or WRONG_TYPE. */
    public StringView read(byte[] key) {
        return db.strings().get(key);
    }

    /** GETBIT: the bit at {@code offset} (0 past the end and for a missing key), or WRONG_TYPE. */
    public LongResult getBit(byte[] key, long offset) {
        StringView v = read(key);
        if (v == StringView.WRONG_TYPE) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        long index = offset >>> 3;
        if (v == null || index >= v.length()) {
            return LongResult.ok(0);
        }
        return LongResult.ok((byteAt(v, (int) index) >>> (7 - (offset & 7))) & 1);
    }

    /**
     * BITCOUNT over the range from {@code start} to {@code end} (inclusive, in bytes, or in bits
     * when {@code inBits}; negative counts from the end), of a string read by {@link #read}.
     */
    public static long count(StringView v, long start, long end, boolean inBits) {
        long length = inBits ? (long) v.length() << 3 : v.length();
        long from = clampStart(start, length);
        long to = clampEnd(end, length);
        if (from > to) {
            return 0;
        }
        byte[] a = arrayOf(v);
        int base = offsetOf(v);
        if (!inBits) {
            return popcount(a, base + (int) from, (int) (to - from + 1));
        }
        int firstByte = (int) (from >>> 3);
        int lastByte = (int) (to >>> 3);
        long bits = popcount(a, base + firstByte, lastByte - firstByte + 1);
        // take off the bits of the edge bytes that lie outside the range
        int before = (a[base + firstByte] & 0xFF) >>> (8 - (from & 7));
        int after = (a[base + lastByte] & 0xFF) & ((1 << (7 - (to & 7))) - 1);
        return bits - Integer.bitCount(before) - Integer.bitCount(after);
    }

    /**
     * BITPOS: the position of the first {@code bit} in the range (as {@link #count}, {@code end}
     * ignored unless {@code endGiven}), or -1. Without an end, a string of ones searched for a 0
     * answers the first bit past it, as if it went on with zeros; with an end it answers -1.
     */
    public static long position(StringView v, int bit, long start, long end, boolean endGiven, boolean inBits) {
        long length = inBits ? (long) v.length() << 3 : v.length();
        long from = clampStart(start, length);
        long to = clampEnd(endGiven ? end : length - 1, length);
        if (from > to) {
            return -1;
        }
        long fromBit = inBits ? from : from << 3;
        long toBit = inBits ? to : (to << 3) + 7;
        long found = firstBit(arrayOf(v), offsetOf(v), fromBit, toBit, bit);
        if (found == -1 && bit == 0 && !endGiven) {
            return toBit + 1;
        }
        return found;
    }

    /** Redis's range rules: negative from the end, then clamped to the string. */
    private static long clampStart(long start, long length) {
        if (start < 0) {
            start = length + start;
        }
        return Math.max(start, 0);
    }

    private static long clampEnd(long end, long length) {
        if (end < 0) {
            end = length + end;
        }
        if (end < 0) {
            end = 0;
        }
        return end >= length ? length - 1 : end;
    }

    /** The bits set in {@code n} bytes of {@code a} from {@code from}, eight bytes at a time. */
    static long popcount(byte[] a, int from, int n) {
        long bits = 0;
        int i = from;
        int end = from + n;
        for (; i + 32 <= end; i += 32) {
            bits += Long.bitCount((long) NATIVE_LONGS.get(a, i))
                    + Long.bitCount((long) NATIVE_LONGS.get(a, i + 8))
                    + Long.bitCount((long) NATIVE_LONGS.get(a, i + 16))
                    + Long.bitCount((long) NATIVE_LONGS.get(a, i + 24));
        }
        for (; i + 8 <= end; i += 8) {
            bits += Long.bitCount((long) NATIVE_LONGS.get(a, i));
        }
        for (; i < end; i++) {
            bits += Integer.bitCount(a[i] & 0xFF);
        }
        return bits;
    }

    /**
     * The first bit equal to {@code bit} between bit positions {@code from} and {@code to}
     * (inclusive, counted from byte {@code base} of {@code a}), or -1: the unaligned head bit by
     * bit, whole words skipped while they are all zeros (all ones when looking for a 0), the tail
     * bit by bit.
     */
    static long firstBit(byte[] a, int base, long from, long to, int bit) {
        long i = from;
        for (; i <= to && (i & 7) != 0; i++) {
            if (bitAt(a, base, i) == bit) {
                return i;
            }
        }
        if (i > to) {
            return -1;
        }
        long wholeBytesEnd = (to + 1) >>> 3;
        long b = i >>> 3;
        long skipWord = bit == 1 ? 0L : -1L;
        for (; b + 8 <= wholeBytesEnd; b += 8) {
            long w = (long) BIG_ENDIAN_LONGS.get(a, base + (int) b);
            if (w != skipWord) {
                return (b << 3) + Long.numberOfLeadingZeros(bit == 1 ? w : ~w);
            }
        }
        int skipByte = bit == 1 ? 0 : 0xFF;
        for (; b < wholeBytesEnd; b++) {
            int x = a[base + (int) b] & 0xFF;
            if (x != skipByte) {
                return (b << 3) + Integer.numberOfLeadingZeros((bit == 1 ? x : ~x) & 0xFF) - 24;
            }
        }
        for (i = b << 3; i <= to; i++) {
            if (bitAt(a, base, i) == bit) {
                return i;
            }
        }
        return -1;
    }

    private static int bitAt(byte[] a, int base, long i) {
        return (a[base + (int) (i >>> 3)] >>> (7 - (i & 7))) & 1;
    }

    private static int byteAt(StringView v, int index) {
        return (v.array() != null ? v.array()[v.offset() + index] : v.buffer().get(v.offset() + index)) & 0xFF;
    }

    /** The view's bytes in an array: its own for a grown string, a copy of a (small) record's. */
    private static byte[] arrayOf(StringView v) {
        return v.array() != null ? v.array() : v.toByteArray();
    }

    private static int offsetOf(StringView v) {
        return v.array() != null ? v.offset() : 0;
    }

    // ---- SETBIT -------------------------------------------------------------------------------

    /**
     * SETBIT: sets the bit at {@code offset} to {@code value} (0 or 1), growing the string with
     * zeros as needed (a missing key becomes one), and answers the bit's old value, or WRONG_TYPE.
     * Nothing is written when the string neither grows nor changes, as in Redis.
     */
    public LongResult setBit(byte[] key, long offset, int value) {
        int index = (int) (offset >>> 3);
        int mask = 0x80 >>> (offset & 7);
        Object e = db.find(key);
        if (e == null) {
            byte[] bytes = new byte[index + 1];
            bytes[index] = (byte) (value == 0 ? 0 : mask);
            db.insert(key, ObjectEntry.of(key, StringValue.raw(bytes), Database.NO_EXPIRY, db.initialAccess()),
                    KeyEvent.SETBIT);
            return LongResult.ok(0);
        }
        if (Entries.type(e) != ValueType.STRING) {
            return LongResult.failed(OpStatus.WRONG_TYPE);
        }
        StringView v = db.viewOf(e);
        boolean grows = index >= v.length();
        int old = grows ? 0 : (byteAt(v, index) & mask) != 0 ? 1 : 0;
        ObjectEntry o = db.strings().growable(key, e);
        StringValue s = (StringValue) o.value;
        if (!grows && old == value) {
            s.markRaw();
            return LongResult.ok(old);
        }
        db.changeInPlace(key, o, () -> {
            byte[] b = s.growZero(index + 1);
            b[index] = (byte) (value == 0 ? b[index] & ~mask : b[index] | mask);
            return 0;
        }, KeyEvent.SETBIT);
        return LongResult.ok(old);
    }

    // ---- BITOP --------------------------------------------------------------------------------

    /**
     * BITOP: {@code op} over the strings at {@code keys[from..]} (missing ones read as empty,
     * shorter ones as zero-padded) stored at {@code destination} as SET stores, replacing any
     * value of any type; an empty result deletes the destination. Answers the result's length, or
     * WRONG_TYPE when a source is not a string (nothing written).
     */
    public LongResult bitop(int op, byte[] destination, byte[][] keys, int from) {
        int n = keys.length - from;
        byte[][] sources = new byte[n][];
        int[] offsets = new int[n];
        int[] lengths = new int[n];
        int maxLength = 0;
        for (int i = 0; i < n; i++) {
            StringView v = read(keys[from + i]);
            if (v == StringView.WRONG_TYPE) {
                return LongResult.failed(OpStatus.WRONG_TYPE);
            }
            if (v != null) {
                sources[i] = arrayOf(v);
                offsets[i] = offsetOf(v);
                lengths[i] = v.length();
                maxLength = Math.max(maxLength, v.length());
            }
        }
        if (maxLength == 0) {
            db.keys().delete(destination);
            return LongResult.ok(0);
        }
        byte[] result = new byte[maxLength];
        if (sources[0] != null) {
            System.arraycopy(sources[0], offsets[0], result, 0, lengths[0]);
        }
        if (op == NOT) {
            invert(result);
        } else {
            for (int i = 1; i < n; i++) {
                combine(op, result, sources[i], offsets[i], lengths[i]);
            }
        }
        db.strings().set(destination, result);
        return LongResult.ok(maxLength);
    }

    private static void invert(byte[] r) {
        int j = 0;
        for (; j + 8 <= r.length; j += 8) {
            NATIVE_LONGS.set(r, j, ~(long) NATIVE_LONGS.get(r, j));
        }
        for (; j < r.length; j++) {
            r[j] = (byte) ~r[j];
        }
    }

    /** Folds one source into the result, eight bytes at a time; past its end it reads as zeros. */
    private static void combine(int op, byte[] r, byte[] s, int base, int length) {
        if (op == AND) {
            Arrays.fill(r, length, r.length, (byte) 0);
        }
        int j = 0;
        for (; j + 8 <= length; j += 8) {
            long x = (long) NATIVE_LONGS.get(r, j);
            long y = (long) NATIVE_LONGS.get(s, base + j);
            NATIVE_LONGS.set(r, j, op == AND ? x & y : op == OR ? x | y : x ^ y);
        }
        for (; j < length; j++) {
            int y = s[base + j];
            r[j] = (byte) (op == AND ? r[j] & y : op == OR ? r[j] | y : r[j] ^ y);
        }
    }

    // ---- BITFIELD -----------------------------------------------------------------------------

    /**
     * BITFIELD (and BITFIELD_RO, whose subcommands are all GETs): runs the subcommands in order.
     * With only GETs the key is looked up as a read and nothing is written; otherwise the string
     * is created or grown with zeros to hold the farthest field written, and written when a field
     * changes. Answers each subcommand's value, or WRONG_TYPE.
     */
    public FieldResults bitfield(byte[] key, List<FieldOp> ops) {
        long highest = -1;
        for (FieldOp op : ops) {
            if (op.writes()) {
                highest = Math.max(highest, op.offset() + op.bits() - 1);
            }
        }
        long[] values = new long[ops.size()];
        boolean[] failed = new boolean[ops.size()];
        if (highest < 0) {
            StringView v = read(key);
            if (v == StringView.WRONG_TYPE) {
                return FieldResults.wrongType();
            }
            Fields fields = new Fields(v);
            for (int i = 0; i < values.length; i++) {
                FieldOp op = ops.get(i);
                values[i] = fields.get(op.offset(), op.bits(), op.signed());
            }
            return new FieldResults(OpStatus.OK, values, failed);
        }
        Object e = db.find(key);
        if (e != null && Entries.type(e) != ValueType.STRING) {
            return FieldResults.wrongType();
        }
        StringView v = e == null ? null : db.viewOf(e);
        int needed = (int) (highest >>> 3) + 1;
        boolean grows = v == null || needed > v.length();
        Fields fields = new Fields(v);
        int changes = 0;
        for (int i = 0; i < values.length; i++) {
            FieldOp op = ops.get(i);
            if (!op.writes()) {
                values[i] = fields.get(op.offset(), op.bits(), op.signed());
                continue;
            }
            long old = fields.get(op.offset(), op.bits(), op.signed());
            long target = op.kind() == INCRBY ? old + op.value() : op.value();
            int overflow = op.kind() == INCRBY
                    ? checkOverflow(old, op.value(), op.bits(), op.signed())
                    : checkOverflow(op.value(), 0, op.bits(), op.signed());
            if (overflow != 0) {
                if (op.overflow() == FAIL) {
                    failed[i] = true;
                    continue;
                }
                target = op.overflow() == WRAP
                        ? wrap(op.kind() == INCRBY ? old : op.value(), op.kind() == INCRBY ? op.value() : 0, op.bits(), op.signed())
                        : saturate(overflow, op.bits(), op.signed());
            }
            values[i] = op.kind() == INCRBY ? target : old;
            fields.set(op.offset(), op.bits(), target);
            if (grows || old != fields.get(op.offset(), op.bits(), op.signed())) {
                changes++;
            }
        }
        if (e == null) {
            byte[] bytes = new byte[needed];
            fields.patch.forEach((at, b) -> bytes[at] = b);
            db.insert(key, ObjectEntry.of(key, StringValue.raw(bytes), Database.NO_EXPIRY, db.initialAccess()),
                    KeyEvent.SETBIT);
            // as Redis: each SET or INCRBY that wrote counts (none, when every one failed)
            db.countChanges(key, changes);
        } else {
            ObjectEntry o = db.strings().growable(key, e);
            StringValue s = (StringValue) o.value;
            if (changes == 0 && !grows) {
                s.markRaw();
                return new FieldResults(OpStatus.OK, values, failed);
            }
            java.util.function.IntSupplier write = () -> {
                byte[] b = s.growZero(needed);
                fields.patch.forEach((at, x) -> b[at] = x);
                return 0;
            };
            if (changes > 0) {
                db.changeInPlace(key, o, write, KeyEvent.SETBIT);
                db.countChanges(key, changes);
            } else {
                // every write failed: Redis grew the string without counting a change
                db.changeQuietly(key, o, write);
            }
        }
        return new FieldResults(OpStatus.OK, values, failed);
    }

    /**
     * Redis's check(Un)signedBitfieldOverflow: whether {@code value + incr} fits a field of
     * {@code bits} bits: 0, 1 above its range, -1 below. Its arithmetic wraps as Redis's does, so
     * a SET of a value far below a small signed field's range reads as an overflow upwards, as there.
     */
    static int checkOverflow(long value, long incr, int bits, boolean signed) {
        if (!signed) {
            long max = (1L << bits) - 1;
            long maxIncr = max - value;
            long minIncr = -value;
            if (Long.compareUnsigned(value, max) > 0 || (incr > 0 && incr > maxIncr)) {
                return 1;
            }
            return incr < 0 && incr < minIncr ? -1 : 0;
        }
        long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
        long min = -max - 1;
        long maxIncr = max - value;
        long minIncr = min - value;
        if (value > max || (bits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr)) {
            return 1;
        }
        if (value < min || (bits != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr)) {
            return -1;
        }
        return 0;
    }

    /** OVERFLOW WRAP: {@code value + incr} cut to the field, sign-extended for a signed one. */
    static long wrap(long value, long incr, int bits, boolean signed) {
        long sum = value + incr;
        if (bits == 64) {
            return sum;
        }
        long mask = -1L << bits;
        if (!signed) {
            return sum & ~mask;
        }
        return (sum & (1L << (bits - 1))) != 0 ? sum | mask : sum & ~mask;
    }

    /** OVERFLOW SAT: the field's largest value above its range, its smallest below. */
    static long saturate(int overflow, int bits, boolean signed) {
        if (!signed) {
            return overflow > 0 ? (1L << bits) - 1 : 0;
        }
        long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
        return overflow > 0 ? max : -max - 1;
    }

    /**
     * The bytes a BITFIELD works on: the stored string (zeros past its end, none for a missing
     * key) under a patch of the bytes its writes changed, which the write then copies in.
     */
    private static final class Fields {
        private final StringView v;
        private final int length;
        final HashMap<Integer, Byte> patch = new HashMap<>();

        Fields(StringView v) {
            this.v = v;
            this.length = v == null ? 0 : v.length();
        }

        private int at(long index) {
            Byte b = patch.isEmpty() ? null : patch.get((int) index);
            if (b != null) {
                return b & 0xFF;
            }
            return index < length ? byteAt(v, (int) index) : 0;
        }

        /** The field of {@code bits} bits at bit {@code offset}, sign-extended when signed. */
        long get(long offset, int bits, boolean signed) {
            long first = offset >>> 3;
            int shift = (int) (offset & 7);
            long word = 0;
            for (int k = 0; k < 8; k++) {
                word = word << 8 | at(first + k);
            }
            if (shift != 0) {
                word = word << shift | at(first + 8) >>> (8 - shift);
            }
            if (bits == 64) {
                return word;
            }
            return signed ? word >> (64 - bits) : word >>> (64 - bits);
        }

        /** Writes the low {@code bits} bits of {@code value} as the field at bit {@code offset}. */
        void set(long offset, int bits, long value) {
            long first = offset >>> 3;
            int shift = (int) (offset & 7);
            long fieldMask = bits == 64 ? -1L : -1L << (64 - bits);
            long aligned = bits == 64 ? value : value << (64 - bits);
            long headMask = fieldMask >>> shift;
            long headBits = aligned >>> shift;
            for (int k = 0; k < 8; k++) {
                int m = (int) (headMask >>> (56 - 8 * k)) & 0xFF;
                if (m != 0) {
                    put(first + k, m, (int) (headBits >>> (56 - 8 * k)) & 0xFF);
                }
            }
            if (shift != 0) {
                int m = (int) ((fieldMask << (64 - shift)) >>> 56);
                if (m != 0) {
                    put(first + 8, m, (int) ((aligned << (64 - shift)) >>> 56));
                }
            }
        }

        private void put(long index, int mask, int bits) {
            patch.put((int) index, (byte) ((at(index) & ~mask) | (bits & mask)));
        }
    }
}
