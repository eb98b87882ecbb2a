package io.damselfly.server.rdb;

import java.util.Arrays;

/**
 * A growable byte buffer with the RDB primitives the writer needs (rdbSaveLen, the string
 * encodings with LZF for long strings, binary doubles); shaped to be the buffer a file writer
 * flushes in turn. Not thread-safe: one per writer.
 */
public final class RdbOutput {
    private byte[] buf;
    private int size;

    public RdbOutput(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public int size() {
        return size;
    }

    /** Forgets what was written, keeping the buffer. */
    public void reset() {
        size = 0;
    }

    /** The bytes written so far, as a new array. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /** The buffer itself, valid up to {@link #size()} and until the next write or reset. */
    public byte[] array() {
        return buf;
    }

    private void ensure(int more) {
        if (more > buf.length - size) {
            long want = Math.max((long) buf.length * 2, (long) size + more);
            if (want > Integer.MAX_VALUE - 8) {
                if ((long) size + more > Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("serialized value too large");
                }
                want = Integer.MAX_VALUE - 8;
            }
            buf = Arrays.copyOf(buf, (int) want);
        }
    }

    public void writeByte(int b) {
        ensure(1);
        buf[size++] = (byte) b;
    }

    public void writeBytes(byte[] b, int offset, int length) {
        ensure(length);
        System.arraycopy(b, offset, buf, size, length);
        size += length;
    }

    /** An integer of {@code n} bytes, little endian. */
    public void writeLittleEndian(long v, int n) {
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[size++] = (byte) (v >>> (8 * i));
        }
    }

    /** rdbSaveLen: 6 bits, 14 bits, or a marker then 32 or 64 bits big endian. */
    public void writeLength(long len) {
        if (len < (1 << 6)) {
            writeByte((int) len);
        } else if (len < (1 << 14)) {
            writeByte((RdbFormat.LEN_14BIT << 6) | (int) (len >>> 8));
            writeByte((int) len & 0xFF);
        } else if (len <= 0xFFFF_FFFFL) {
            writeByte(RdbFormat.LEN_32BIT);
            for (int shift = 24; shift >= 0; shift -= 8) {
                writeByte((int) (len >>> shift) & 0xFF);
            }
        } else {
            writeByte(RdbFormat.LEN_64BIT);
            for (int shift = 56; shift >= 0; shift -= 8) {
                writeByte((int) (len >>> shift) & 0xFF);
            }
        }
    }

    /**
     * rdbSaveLen of an unsigned 64-bit number held in a {@code long} (stream IDs, counters): a
     * negative {@code long} is a number of 2^63 or more, written in the 64-bit form.
     */
    public void writeUnsignedLength(long len) {
        if (len >= 0) {
            writeLength(len);
            return;
        }
        writeByte(RdbFormat.LEN_64BIT);
        for (int shift = 56; shift >= 0; shift -= 8) {
            writeByte((int) (len >>> shift) & 0xFF);
        }
    }

    /**
     * rdbSaveRawString: a string that reads as a 32-bit integer the way Redis prints it (at most
     * 11 characters) goes in the integer encodings, as rdbTryIntegerEncoding does; any other string
     * as its length and bytes.
     */
    public void writeString(byte[] s, int offset, int length) {
        if (length > 0 && length <= 11) {
            Long v = canonicalLong(s, offset, length);
            if (v != null && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                writeInteger(v);
                return;
            }
        }
        if (length > LZF_MIN_LENGTH && compression && writeCompressed(s, offset, length)) {
            return;
        }
        writeLength(length);
        writeBytes(s, offset, length);
    }

    /** Redis compresses strings longer than 20 bytes (rdbSaveRawString, rdbcompression yes). */
    private static final int LZF_MIN_LENGTH = 20;

    /**
     * rdbcompression: whether strings are LZF-compressed. Process-wide, as Redis's
     * server.rdb_compression is: it shapes snapshot files and DUMP payloads alike.
     */
    private static volatile boolean compression = true;

    /** Sets rdbcompression for every writer of this process. */
    public static void setCompression(boolean enabled) {
        compression = enabled;
    }

    /**
     * rdbSaveLzfStringObject: the LZF marker, the compressed and the plain length, the compressed
     * bytes; only when compression saves more than 4 bytes (else false, nothing written).
     */
    private boolean writeCompressed(byte[] s, int offset, int length) {
        if (lzf == null) {
            lzf = new Lzf();
        }
        int maxOut = length - 4;
        if (scratch.length < maxOut) {
            scratch = new byte[maxOut];
        }
        int n = lzf.compress(s, offset, length, scratch, maxOut);
        if (n == 0) {
            return false;
        }
        writeByte((RdbFormat.ENCVAL << 6) | RdbFormat.ENC_LZF);
        writeLength(n);
        writeLength(length);
        writeBytes(scratch, 0, n);
        return true;
    }

    private Lzf lzf;
    private byte[] scratch = new byte[0];

    /** An integer string in the smallest of the int8/16/32 encodings (rdbEncodeInteger). */
    private void writeInteger(long v) {
        if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
            writeByte((RdbFormat.ENCVAL << 6) | RdbFormat.ENC_INT8);
            writeLittleEndian(v, 1);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            writeByte((RdbFormat.ENCVAL << 6) | RdbFormat.ENC_INT16);
            writeLittleEndian(v, 2);
        } else {
            writeByte((RdbFormat.ENCVAL << 6) | RdbFormat.ENC_INT32);
            writeLittleEndian(v, 4);
        }
    }

    /** rdbSaveBinaryDoubleValue: eight bytes, little endian. */
    public void writeBinaryDouble(double d) {
        writeLittleEndian(Double.doubleToRawLongBits(d), 8);
    }

    /**
     * The long a string spells exactly as Redis prints one (string2ll: optional '-', no leading
     * zero, no '+', in range), or null.
     */
    static Long canonicalLong(byte[] s, int offset, int length) {
        if (length == 0 || length > 20) {
            return null;
        }
        int i = offset;
        int end = offset + length;
        boolean negative = s[i] == '-';
        if (negative) {
            i++;
            if (i == end) {
                return null;
            }
        }
        if (s[i] == '0') {
            return length == 1 ? 0L : null;
        }
        long v = 0;
        for (; i < end; i++) {
            int d = s[i] - '0';
            if (d < 0 || d > 9) {
                return null;
            }
            // accumulate negatively: Long.MIN_VALUE has no positive twin
            if (v < (Long.MIN_VALUE + d) / 10) {
                return null;
            }
            v = v * 10 - d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                return null;
            }
            v = -v;
        }
        return v;
    }
}
