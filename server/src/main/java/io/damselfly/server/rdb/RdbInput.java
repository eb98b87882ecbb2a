package io.damselfly.server.rdb;

/**
 * A cursor over serialized bytes with the RDB primitives (rdbLoadLen, rdbGenericLoadStringObject,
 * the double forms): either {@code [offset, offset + length)} of an array (DUMP payloads), or a
 * stream of known length read through a bounded, refillable buffer (RDB files of any size). Every
 * read checks the bytes left first and every length is checked against them before anything is
 * allocated, so garbage can only end in a {@link RdbFormatException}, never in an out-of-bounds
 * read or an allocation larger than what is left of the input.
 *
 * <p>Streaming: {@code data[position, limit)} is the buffered part; {@code unread} counts the
 * source's bytes not buffered yet. A read that needs more than is buffered ({@link #need}, the
 * slow path only) moves the unread tail to the front and refills; the buffer grows only when one
 * item (a string, an LZF block) is larger than it, so a file is never held whole. Bytes leave the
 * buffer through {@link #checksum}'s running CRC64, which therefore covers every byte read.
 */
public final class RdbInput {
    private byte[] data;
    private int position;
    private int limit;
    /** The buffer's usual size (streams only): it grows for one larger item, then shrinks back. */
    private final int bufferSize;
    /** The stream behind the buffer, or null for an array. */
    private final java.io.InputStream source;
    /** Bytes of the source not yet in the buffer. */
    private long unread;
    /** The input offset of {@code data[0]}. */
    private long base;
    /** CRC64 of the input up to {@code base + crcFrom}. */
    private long crc;
    private int crcFrom;

    public RdbInput(byte[] data, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > data.length) {
            throw new IllegalArgumentException("range outside the array");
        }
        this.data = data;
        this.position = offset;
        this.limit = offset + length;
        this.crcFrom = offset;
        this.base = -offset;
        this.source = null;
        this.bufferSize = length;
    }

    /**
     * The {@code length} bytes of a stream, read through a buffer of {@code bufferSize} bytes
     * (grown only for a single item larger than that). The stream is not closed here.
     */
    public RdbInput(java.io.InputStream source, long length, int bufferSize) {
        if (length < 0 || bufferSize < 16) {
            throw new IllegalArgumentException("bad length or buffer size");
        }
        this.bufferSize = (int) Math.min(bufferSize, Math.max(16, length));
        this.data = new byte[this.bufferSize];
        this.source = source;
        this.unread = length;
    }

    /** Bytes not read yet. */
    public long remaining() {
        return limit - position + unread;
    }

    /** Bytes read so far (the offset of the next byte in the input). */
    public long offset() {
        return base + position;
    }

    /** The CRC64 of every byte read so far (Redis's running file checksum). */
    public long checksum() {
        crc = Crc64.update(crc, data, crcFrom, position - crcFrom);
        crcFrom = position;
        return crc;
    }

    private void need(long n) throws RdbFormatException {
        if (n < 0 || n > limit - position) {
            fill(n);
        }
    }

    /** The slow path of {@link #need}: at least {@code n} bytes buffered from the source, or an error. */
    private void fill(long n) throws RdbFormatException {
        int buffered = limit - position;
        if (source == null || n < 0 || n > buffered + unread) {
            throw new RdbFormatException("unexpected end of data");
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new RdbFormatException("item of " + n + " bytes too large");
        }
        checksum();
        if (n > data.length) {
            byte[] bigger = new byte[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(n, Math.min(unread + buffered, 2L * data.length)))];
            System.arraycopy(data, position, bigger, 0, buffered);
            data = bigger;
        } else if (data.length > bufferSize && n <= bufferSize && buffered <= bufferSize) {
            // back to the usual size once the large item is read
            byte[] usual = new byte[bufferSize];
            System.arraycopy(data, position, usual, 0, buffered);
            data = usual;
        } else {
            System.arraycopy(data, position, data, 0, buffered);
        }
        base += position;
        position = 0;
        crcFrom = 0;
        limit = buffered;
        // fill the buffer as far as the source goes, at least to n
        int want = (int) Math.min(data.length - limit, unread);
        int target = limit + want;
        while (limit < target) {
            int r;
            try {
                r = source.read(data, limit, target - limit);
            } catch (java.io.IOException e) {
                throw new RdbFormatException("read error at offset " + (base + limit) + ": " + e.getMessage());
            }
            if (r < 0) {
                if (limit >= n) {
                    unread = 0;
                    return;
                }
                throw new RdbFormatException("unexpected end of data (the file shrank while read)");
            }
            limit += r;
            unread -= r;
        }
    }

    public int readUnsignedByte() throws RdbFormatException {
        need(1);
        return data[position++] & 0xFF;
    }

    /** {@code n} bytes as a new array. */
    public byte[] readBytes(long n) throws RdbFormatException {
        need(n);
        byte[] out = java.util.Arrays.copyOfRange(data, position, position + (int) n);
        position += (int) n;
        return out;
    }

    /** A little-endian integer of {@code n} bytes (1..8). */
    public long readLittleEndian(int n) throws RdbFormatException {
        need(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (data[position + i] & 0xFF);
        }
        position += n;
        return v;
    }

    private long readBigEndian(int n) throws RdbFormatException {
        need(n);
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | (data[position + i] & 0xFF);
        }
        position += n;
        return v;
    }

    /**
     * rdbLoadLenByRef: a length (never negative), or an encoded-string marker answered as {@code
     * -1 - kind} (only where the caller reads a string: {@link #readString} handles it).
     */
    private long readLengthOrEncoding() throws RdbFormatException {
        int first = readUnsignedByte();
        switch (first >>> 6) {
            case RdbFormat.LEN_6BIT:
                return first & 0x3F;
            case RdbFormat.LEN_14BIT:
                return ((first & 0x3F) << 8) | readUnsignedByte();
            case RdbFormat.ENCVAL:
                return -1 - (first & 0x3F);
            default:
                if (first == RdbFormat.LEN_32BIT) {
                    return readBigEndian(4);
                }
                if (first == RdbFormat.LEN_64BIT) {
                    long v = readBigEndian(8);
                    if (v < 0) {
                        throw new RdbFormatException("length out of range");
                    }
                    return v;
                }
                throw new RdbFormatException("unknown length encoding " + first);
        }
    }

    /** The most an LZF stream expands: 264 bytes out of a 3-byte back reference, rounded up. */
    private static final long LZF_MAX_RATIO = 90;

    /**
     * rdbLoadLen: a length. An encoded-string marker where a length belongs reads as its low six
     * bits, as Redis reads it (rdbLoadLenByRef without an isencoded flag to set).
     */
    public long readLength() throws RdbFormatException {
        long v = readLengthOrEncoding();
        return v < 0 ? -1 - v : v;
    }

    /**
     * rdbLoadLen for a value Redis keeps as an unsigned 64-bit number (stream IDs, counters, a
     * group's entries_read of -1): as {@link #readLength}, but the 64-bit form keeps its top bit,
     * so the answer is the unsigned number's two's-complement {@code long}.
     */
    public long readUnsignedLength() throws RdbFormatException {
        int first = readUnsignedByte();
        switch (first >>> 6) {
            case RdbFormat.LEN_6BIT:
            case RdbFormat.ENCVAL:
                return first & 0x3F;
            case RdbFormat.LEN_14BIT:
                return ((first & 0x3F) << 8) | readUnsignedByte();
            default:
                if (first == RdbFormat.LEN_32BIT) {
                    return readBigEndian(4);
                }
                if (first == RdbFormat.LEN_64BIT) {
                    return readBigEndian(8);
                }
                throw new RdbFormatException("unknown length encoding " + first);
        }
    }

    /** A length that must also be a count of elements still to come (each at least one byte). */
    public int readCount() throws RdbFormatException {
        long n = readLength();
        if (n > remaining()) {
            throw new RdbFormatException("unexpected end of data: count " + n + " larger than what is left");
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new RdbFormatException("count " + n + " too large");
        }
        return (int) n;
    }

    /** rdbGenericLoadStringObject: a string in any of its encodings (raw, int8/16/32, LZF). */
    public byte[] readString() throws RdbFormatException {
        long len = readLengthOrEncoding();
        if (len >= 0) {
            return readBytes(len);
        }
        int kind = (int) (-1 - len);
        switch (kind) {
            case RdbFormat.ENC_INT8:
                return decimal((byte) readLittleEndian(1));
            case RdbFormat.ENC_INT16:
                return decimal((short) readLittleEndian(2));
            case RdbFormat.ENC_INT32:
                return decimal((int) readLittleEndian(4));
            case RdbFormat.ENC_LZF: {
                long compressed = readLength();
                long plain = readLength();
                need(compressed);
                // a 3-byte back reference yields at most 264 bytes: anything more is garbage, refused before allocating
                if (plain > Integer.MAX_VALUE - 8 || plain > compressed * LZF_MAX_RATIO) {
                    throw new RdbFormatException("LZF string too long");
                }
                // an announced plain length of 0 loads as "" whatever the data: Redis compares
                // lzf_decompress's answer (0 on error) with the length announced
                byte[] out = plain == 0 ? new byte[0] : Lzf.decompress(data, position, (int) compressed, (int) plain);
                position += (int) compressed;
                return out;
            }
            default:
                throw new RdbFormatException("unknown string encoding " + kind);
        }
    }

    /** rdbLoadDoubleValue: the old text form (a length byte; 253 NaN, 254 +inf, 255 -inf). */
    public double readTextDouble() throws RdbFormatException {
        int len = readUnsignedByte();
        switch (len) {
            case 253:
                return Double.NaN;
            case 254:
                return Double.POSITIVE_INFINITY;
            case 255:
                return Double.NEGATIVE_INFINITY;
            default: {
                // rdbLoadDoubleValue: sscanf("%lg"), which takes a numeric prefix and fails on none
                Double d = parseDoublePrefix(readBytes(len));
                if (d == null) {
                    throw new RdbFormatException("not a number");
                }
                return d;
            }
        }
    }

    /** rdbLoadBinaryDoubleValue: eight bytes, little endian. */
    public double readBinaryDouble() throws RdbFormatException {
        return Double.longBitsToDouble(readLittleEndian(8));
    }

    /**
     * A score stored as text, read as Redis reads it: strtod's longest numeric prefix (leading
     * blanks skipped; "inf", "infinity", "nan" in any case), or null when no prefix is a number.
     * Hexadecimal floats, which strtod also takes, are not read (Redis never writes them).
     */
    static Double parseDoublePrefix(byte[] text) {
        String s = new String(text, java.nio.charset.StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = STRTOD_PREFIX.matcher(s);
        if (!m.lookingAt()) {
            return null;
        }
        String number = m.group(1);
        String lower = number.toLowerCase(java.util.Locale.ROOT);
        boolean negative = lower.startsWith("-");
        String unsigned = lower.startsWith("-") || lower.startsWith("+") ? lower.substring(1) : lower;
        if (unsigned.startsWith("inf")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (unsigned.startsWith("nan")) {
            return Double.NaN;
        }
        return Double.parseDouble(number);
    }

    /** What strtod takes at the start of a string: blanks, a sign, then inf, nan or a decimal number. */
    private static final java.util.regex.Pattern STRTOD_PREFIX = java.util.regex.Pattern.compile(
            "[ \\t\\n\\r\\f\\x0B]*([+-]?(?:(?i:infinity|inf|nan)|(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?))");

    /**
     * A score of a ziplist or listpack (zzlGetScore): strtod's reading, 0 where nothing parses,
     * as Redis, which does not check these scores on load.
     */
    static double parseListpackScore(byte[] text) {
        Double d = parseDoublePrefix(text);
        return d == null ? 0 : d;
    }

    static byte[] decimal(long v) {
        return Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
