package io.damselfly.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.internal.PlatformDependent;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Writes RESP replies straight into a {@link ByteBuf}: what command handlers call for every reply.
 *
 * <p>Methods that depend on the protocol take {@code protover} (2 or 3, as set by {@code HELLO});
 * any value other than 3 means RESP2.
 */
public final class RespWriter {
    /*
     * Design. Every method computes the exact size of what it writes, calls ensureWritable once and
     * then writes; nothing goes through a String or a temporary array except the two slow, rare
     * cases (non-integral doubles and big numbers).
     *
     * Integers are written digit by digit from the least significant end into space already
     * reserved, working on the negated value so Long.MIN_VALUE needs no special case. The replies a
     * server sends most - small integers (:0, :1, counts) and the length prefixes of short bulk
     * strings and arrays - are pre-encoded once into the tables below and copied with one
     * writeBytes. 1024 entries per table cost about 24 KiB in all and cover the lengths of nearly
     * all keys, small values and small collections; Redis makes the same trade with its
     * shared.bulkhdr / shared.mbulkhdr tables (32 entries there; a table lookup is cheap enough
     * here to afford more).
     *
     * Simple strings and errors are lines: a CR or LF inside them would end the line early and
     * desynchronise the client, so they are replaced with spaces, as Redis's addReplyErrorFormat
     * does. The check is one pass over text that is short and usually a constant.
     *
     * Error texts are byte strings, one byte per char (ISO-8859-1), not UTF-8: a server's errors
     * quote client bytes (an unknown command's name, a bad option), and Redis sends those back raw,
     * whatever they are. Decoded as ISO-8859-1 every byte survives the trip through a String; as
     * UTF-8, bytes that are not UTF-8 would come back as U+FFFD. Everything else in an error text
     * is ASCII, the same in both.
     */

    /** Smallest integer whose {@code :n\r\n} encoding is cached. */
    static final int CACHED_INTEGER_MIN = -1;

    /** Largest integer whose {@code :n\r\n} encoding is cached. */
    static final int CACHED_INTEGER_MAX = 1023;

    /** Largest length whose {@code $n\r\n} / {@code *n\r\n} prefix is cached. */
    static final int CACHED_HEADER_MAX = 1023;

    /** CR LF as a big-endian short, for one {@code setShort}. */
    private static final short CRLF_SHORT = ('\r' << 8) | '\n';

    private static final byte[][] INTEGERS = new byte[CACHED_INTEGER_MAX - CACHED_INTEGER_MIN + 1][];
    private static final byte[][] BULK_HEADERS = new byte[CACHED_HEADER_MAX + 1][];
    private static final byte[][] ARRAY_HEADERS = new byte[CACHED_HEADER_MAX + 1][];

    private static final byte[] NULL_BULK_RESP2 = ascii("$-1\r\n");
    private static final byte[] NULL_ARRAY_RESP2 = ascii("*-1\r\n");
    private static final byte[] NULL_RESP3 = ascii("_\r\n");
    private static final byte[] TRUE_RESP3 = ascii("#t\r\n");
    private static final byte[] FALSE_RESP3 = ascii("#f\r\n");
    private static final byte[] INF = ascii("inf");
    private static final byte[] NEG_INF = ascii("-inf");
    private static final byte[] NAN = ascii("nan");
    private static final byte[] NEG_ZERO = ascii("-0");

    /** %.17g keeps 17 significant digits: enough to round-trip every double. */

    /** Below this magnitude an integral double prints under %.17g exactly as the integer does. */
    private static final double EXACT_INTEGER_LIMIT = 1e17;

    static {
        for (int i = CACHED_INTEGER_MIN; i <= CACHED_INTEGER_MAX; i++) {
            INTEGERS[i - CACHED_INTEGER_MIN] = ascii(":" + i + "\r\n");
        }
        for (int i = 0; i <= CACHED_HEADER_MAX; i++) {
            BULK_HEADERS[i] = ascii("$" + i + "\r\n");
            ARRAY_HEADERS[i] = ascii("*" + i + "\r\n");
        }
    }

    private RespWriter() {}

    // ---------------------------------------------------------------------------------------------
    // Lines: simple strings, errors, integers
    // ---------------------------------------------------------------------------------------------

    /** Writes {@code +text\r\n}; CR and LF in {@code text} become spaces. */
    public static void writeSimpleString(ByteBuf out, String text) {
        writeLine(out, (byte) '+', text);
    }

    /** Writes {@code +text\r\n} from raw bytes; CR and LF become spaces. */
    public static void writeSimpleString(ByteBuf out, byte[] text) {
        out.ensureWritable(text.length + 3);
        out.writeByte('+');
        writeLineBytes(out, text);
        writeCrlf(out);
    }

    /**
     * Writes {@code -text\r\n}. {@code text} already holds the error code, e.g. {@code "ERR syntax
     * error"} or {@code "WRONGTYPE Operation against a key holding the wrong kind of value"}, and is
     * a byte string: each char is written as one byte (ISO-8859-1; a char above U+00FF, which no
     * byte string holds, as '?'), so client bytes quoted in it go back unchanged. CR and LF in it
     * become spaces.
     */
    public static void writeError(ByteBuf out, String text) {
        int n = text.length();
        out.ensureWritable(n + 3);
        out.writeByte('-');
        int start = out.writerIndex();
        ByteBufUtil.writeAscii(out, text); // Netty writes each char's low byte ('?' above 0xFF)
        if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
            for (int i = start; i < start + n; i++) {
                byte b = out.getByte(i);
                if (b == '\r' || b == '\n') {
                    out.setByte(i, ' ');
                }
            }
        }
        writeCrlf(out);
    }

    /** Writes {@code :n\r\n}. */
    public static void writeInteger(ByteBuf out, long n) {
        if (n >= CACHED_INTEGER_MIN && n <= CACHED_INTEGER_MAX) {
            out.writeBytes(INTEGERS[(int) n - CACHED_INTEGER_MIN]);
        } else {
            writeNumberLine(out, (byte) ':', n);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Bulk strings
    // ---------------------------------------------------------------------------------------------

    /** Writes {@code $len\r\n<bytes>\r\n}. */
    public static void writeBulk(ByteBuf out, byte[] value) {
        writeBulk(out, value, 0, value.length);
    }

    /** Writes {@code $len\r\n<bytes>\r\n} for {@code value[off, off + len)}. */
    public static void writeBulk(ByteBuf out, byte[] value, int off, int len) {
        out.ensureWritable(headerSize(len) + len + 2);
        writeBulkHeader(out, len);
        out.writeBytes(value, off, len);
        writeCrlf(out);
    }

    /** Values up to this long are stored byte by byte by {@link #writeBulks}; longer ones are copied. */
    private static final int STORED_BYTEWISE_MAX = 16;
    /** What {@link #writeBulks} reserves at a time, so a long reply grows its buffer as before. */
    private static final int BULKS_BATCH_BYTES = 64 * 1024;

    /**
     * Writes {@code values[from, to)} as bulk strings one after another: the elements of an array
     * whose header the caller wrote (LRANGE). Into a buffer with a memory address, each batch of
     * short values is reserved once and stored at the address, headers and short values byte by
     * byte, where {@link #writeBulk} makes two memory copies per value: for LRANGE's 300 elements
     * of 3 bytes that was 600 calls of the copy routine for 3 or 4 bytes each, whose fixed cost was
     * most of the command's own CPU. A value longer than the cached headers goes the general way.
     */
    public static void writeBulks(ByteBuf out, byte[][] values, int from, int to) {
        if (!out.hasMemoryAddress() || !PlatformDependent.hasUnsafe()) {
            for (int i = from; i < to; i++) {
                writeBulk(out, values[i]);
            }
            return;
        }
        int i = from;
        while (i < to) {
            int end = i;
            int batch = 0;
            while (end < to && batch < BULKS_BATCH_BYTES && values[end].length <= CACHED_HEADER_MAX) {
                batch += BULK_HEADERS[values[end].length].length + values[end].length + 2;
                end++;
            }
            if (end == i) {
                writeBulk(out, values[i++]);
                continue;
            }
            out.ensureWritable(batch);
            int start = out.writerIndex();
            long at = out.memoryAddress() + start;
            for (; i < end; i++) {
                at = storeBulk(at, values[i]);
            }
            out.writerIndex(start + batch);
        }
    }

    /** Stores {@code $len\r\n<bytes>\r\n} at {@code at} (reserved; length within the cached headers); the address after it. */
    private static long storeBulk(long at, byte[] value) {
        int len = value.length;
        for (byte b : BULK_HEADERS[len]) {
            PlatformDependent.putByte(at++, b);
        }
        if (len <= STORED_BYTEWISE_MAX) {
            for (int k = 0; k < len; k++) {
                PlatformDependent.putByte(at + k, value[k]);
            }
        } else {
            PlatformDependent.copyMemory(value, 0, at, len);
        }
        at += len;
        PlatformDependent.putByte(at, (byte) '\r');
        PlatformDependent.putByte(at + 1, (byte) '\n');
        return at + 2;
    }

    /** Writes {@code $len\r\n<bytes>\r\n} for the readable bytes of {@code value}, without consuming them. */
    public static void writeBulk(ByteBuf out, ByteBuf value) {
        int len = value.readableBytes();
        out.ensureWritable(headerSize(len) + len + 2);
        writeBulkHeader(out, len);
        out.writeBytes(value, value.readerIndex(), len);
        writeCrlf(out);
    }

    /**
     * Writes {@code $len\r\n<bytes>\r\n} for {@code len} bytes of a direct buffer from {@code off},
     * read with absolute access only (the buffer's position and limit are not touched, so a buffer
     * shared by many values needs no copy of its own). Between two direct buffers the bytes move
     * in one memory copy.
     */
    public static void writeBulk(ByteBuf out, java.nio.ByteBuffer value, int off, int len) {
        out.ensureWritable(headerSize(len) + len + 2);
        writeBulkHeader(out, len);
        if (out.hasMemoryAddress() && value.isDirect() && PlatformDependent.hasUnsafe()) {
            int at = out.writerIndex();
            PlatformDependent.copyMemory(PlatformDependent.directBufferAddress(value) + off, out.memoryAddress() + at, len);
            out.writerIndex(at + len);
        } else {
            out.writeBytes(value.slice(off, len));
        }
        writeCrlf(out);
    }

    /** Writes {@code text} as a bulk string of its UTF-8 bytes. */
    public static void writeBulkString(ByteBuf out, String text) {
        int len = ByteBufUtil.utf8Bytes(text);
        out.ensureWritable(headerSize(len) + len + 2);
        writeBulkHeader(out, len);
        ByteBufUtil.reserveAndWriteUtf8(out, text, len);
        writeCrlf(out);
    }

    /**
     * Writes only the prefix {@code $len\r\n}; the caller then writes exactly {@code len} bytes and
     * {@link #writeCrlf}. For values assembled in pieces (GETRANGE, SUBSTR, large values).
     */
    public static void writeBulkHeader(ByteBuf out, int len) {
        if (len >= 0 && len <= CACHED_HEADER_MAX) {
            out.writeBytes(BULK_HEADERS[len]);
        } else {
            writeNumberLine(out, (byte) '$', len);
        }
    }

    /** Writes {@code \r\n}. */
    public static void writeCrlf(ByteBuf out) {
        out.writeShort(CRLF_SHORT);
    }

    /** Writes the null bulk string: RESP2 {@code $-1\r\n}, RESP3 {@code _\r\n}. */
    public static void writeNullBulk(ByteBuf out, int protover) {
        out.writeBytes(protover == 3 ? NULL_RESP3 : NULL_BULK_RESP2);
    }

    /** Writes the null array: RESP2 {@code *-1\r\n}, RESP3 {@code _\r\n}. */
    public static void writeNullArray(ByteBuf out, int protover) {
        out.writeBytes(protover == 3 ? NULL_RESP3 : NULL_ARRAY_RESP2);
    }

    // ---------------------------------------------------------------------------------------------
    // Aggregate headers
    // ---------------------------------------------------------------------------------------------

    /** Writes {@code *n\r\n}; the caller then writes {@code n} elements. */
    public static void writeArrayHeader(ByteBuf out, int n) {
        if (n >= 0 && n <= CACHED_HEADER_MAX) {
            out.writeBytes(ARRAY_HEADERS[n]);
        } else {
            writeNumberLine(out, (byte) '*', n);
        }
    }

    /** Writes {@code *n\r\n} for a count past int (HRANDFIELD with a large negative count). */
    public static void writeArrayHeader(ByteBuf out, long n) {
        if (n >= 0 && n <= CACHED_HEADER_MAX) {
            out.writeBytes(ARRAY_HEADERS[(int) n]);
        } else {
            writeNumberLine(out, (byte) '*', n);
        }
    }

    /**
     * Writes the header of a map of {@code pairs} key/value pairs: RESP3 {@code %pairs}, RESP2 a flat
     * array {@code *(2 * pairs)}. The caller then writes key, value, key, value...
     */
    public static void writeMapHeader(ByteBuf out, int pairs, int protover) {
        if (protover == 3) {
            writeNumberLine(out, (byte) '%', pairs);
        } else {
            long n = 2L * pairs;
            if (n <= CACHED_HEADER_MAX) {
                out.writeBytes(ARRAY_HEADERS[(int) n]);
            } else {
                writeNumberLine(out, (byte) '*', n);
            }
        }
    }

    /** Writes the header of a set: RESP3 {@code ~n}, RESP2 {@code *n}. */
    public static void writeSetHeader(ByteBuf out, int n, int protover) {
        if (protover == 3) {
            writeNumberLine(out, (byte) '~', n);
        } else {
            writeArrayHeader(out, n);
        }
    }

    /** Writes the header of a push message: RESP3 {@code >n}, RESP2 {@code *n}. */
    public static void writePushHeader(ByteBuf out, int n, int protover) {
        if (protover == 3) {
            writeNumberLine(out, (byte) '>', n);
        } else {
            writeArrayHeader(out, n);
        }
    }

    /**
     * Writes the header of a RESP3 attribute of {@code pairs} key/value pairs, {@code |pairs}: the
     * pairs follow, then the reply they annotate. RESP2 has no attributes, so there is no fallback:
     * a caller writes one only to a RESP3 client (Redis's addReplyAttributeLen asserts as much).
     */
    public static void writeAttributeHeader(ByteBuf out, int pairs) {
        writeNumberLine(out, (byte) '|', pairs);
    }

    // ---------------------------------------------------------------------------------------------
    // RESP3 scalars and their RESP2 fallbacks
    // ---------------------------------------------------------------------------------------------

    /**
     * Writes a double as Redis's {@code addReplyDouble} does: RESP3 {@code ,<d>\r\n}, RESP2 a bulk
     * string. The text is C's {@code %.17g} ({@code 3}, {@code 10.5}, {@code 0.10000000000000001},
     * {@code 1e+20}), with infinities as {@code inf} / {@code -inf} and NaN as {@code nan}.
     */
    public static void writeDouble(ByteBuf out, double d, int protover) {
        if (d == Math.rint(d) && Math.abs(d) < EXACT_INTEGER_LIMIT) {
            // Integral and short: %.17g prints the integer itself (and "-0" for negative zero).
            if (d == 0 && Double.doubleToRawLongBits(d) != 0) {
                writeDoubleText(out, NEG_ZERO, protover);
            } else {
                long v = (long) d;
                if (protover == 3) {
                    writeNumberLine(out, (byte) ',', v);
                } else {
                    int len = stringSize(v);
                    out.ensureWritable(headerSize(len) + len + 2);
                    writeBulkHeader(out, len);
                    int idx = out.writerIndex();
                    putDigits(out, idx, len, v);
                    out.writerIndex(idx + len);
                    writeCrlf(out);
                }
            }
        } else if (Double.isNaN(d)) {
            writeDoubleText(out, NAN, protover);
        } else if (Double.isInfinite(d)) {
            writeDoubleText(out, d > 0 ? INF : NEG_INF, protover);
        } else {
            writeDoubleText(out, ascii(PrintfG.format(d, 17)), protover);
        }
    }

    /** Writes a boolean: RESP3 {@code #t} / {@code #f}, RESP2 the integer 1 / 0. */
    public static void writeBoolean(ByteBuf out, boolean b, int protover) {
        if (protover == 3) {
            out.writeBytes(b ? TRUE_RESP3 : FALSE_RESP3);
        } else {
            writeInteger(out, b ? 1 : 0);
        }
    }

    /**
     * Writes verbatim text: RESP3 {@code =len\r\nfmt:text\r\n}, RESP2 a plain bulk string of
     * {@code text}. {@code format3} is three ASCII characters such as {@code "txt"} or {@code "mkd"}.
     */
    public static void writeVerbatim(ByteBuf out, String format3, byte[] text, int protover) {
        if (protover != 3) {
            writeBulk(out, text);
            return;
        }
        if (format3.length() != 3) {
            throw new IllegalArgumentException("verbatim format must be 3 characters: " + format3);
        }
        int len = text.length + 4;
        out.ensureWritable(headerSize(len) + len + 2);
        writeNumberLine(out, (byte) '=', len);
        for (int i = 0; i < 3; i++) {
            out.writeByte(format3.charAt(i));
        }
        out.writeByte(':');
        out.writeBytes(text);
        writeCrlf(out);
    }

    /** Writes a big number: RESP3 {@code (digits\r\n}, RESP2 a bulk string of the digits. */
    public static void writeBigNumber(ByteBuf out, BigInteger n, int protover) {
        writeBigNumber(out, n.toString(), protover);
    }

    /**
     * Writes a big number given as its decimal text (an optional {@code -} and digits, unchecked):
     * RESP3 {@code (text\r\n}, RESP2 a bulk string.
     */
    public static void writeBigNumber(ByteBuf out, String decimal, int protover) {
        if (protover == 3) {
            writeLine(out, (byte) '(', decimal);
        } else {
            writeBulkString(out, decimal);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    /** Writes {@code <prefix><n>\r\n} with no allocation. */
    static void writeNumberLine(ByteBuf out, byte prefix, long n) {
        int len = stringSize(n);
        out.ensureWritable(len + 3);
        int idx = out.writerIndex();
        out.setByte(idx, prefix);
        putDigits(out, idx + 1, len, n);
        out.setShort(idx + 1 + len, CRLF_SHORT);
        out.writerIndex(idx + len + 3);
    }

    /** Size of {@code $len\r\n} (or any one-byte-prefixed number line) for a length. */
    private static int headerSize(long len) {
        return stringSize(len) + 3;
    }

    /** Number of characters of {@code Long.toString(x)}, without building it. */
    static int stringSize(long x) {
        int sign = 0;
        if (x < 0) {
            sign = 1;
        } else {
            x = -x;
        }
        // Compare in the negative range: -Long.MIN_VALUE does not exist, Long.MIN_VALUE's -x does.
        long p = -10;
        for (int i = 1; i < 19; i++) {
            if (x > p) {
                return i + sign;
            }
            p = 10 * p;
        }
        return 19 + sign;
    }

    /**
     * Writes the {@code len} characters of {@code Long.toString(v)} at {@code idx}, without moving
     * the writer index. Works on the negated value so that Long.MIN_VALUE is not a special case.
     */
    private static void putDigits(ByteBuf out, int idx, int len, long v) {
        long q = v < 0 ? v : -v;
        int pos = idx + len;
        if (out.hasArray()) {
            byte[] a = out.array();
            int base = out.arrayOffset();
            do {
                long div = q / 10;
                a[base + --pos] = (byte) ('0' + (int) (div * 10 - q));
                q = div;
            } while (q != 0);
            if (v < 0) {
                a[base + --pos] = '-';
            }
        } else {
            do {
                long div = q / 10;
                out.setByte(--pos, '0' + (int) (div * 10 - q));
                q = div;
            } while (q != 0);
            if (v < 0) {
                out.setByte(--pos, '-');
            }
        }
    }

    private static void writeDoubleText(ByteBuf out, byte[] text, int protover) {
        if (protover == 3) {
            out.ensureWritable(text.length + 3);
            out.writeByte(',');
            out.writeBytes(text);
            writeCrlf(out);
        } else {
            writeBulk(out, text);
        }
    }


    /** Writes {@code <prefix>text\r\n} with {@code text} in UTF-8, CR and LF as spaces. */
    static void writeLine(ByteBuf out, byte prefix, String text) {
        int n = text.length();
        boolean plain = true;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= 0x80 || c == '\r' || c == '\n') {
                plain = false;
                break;
            }
        }
        if (plain) {
            out.ensureWritable(n + 3);
            out.writeByte(prefix);
            ByteBufUtil.writeAscii(out, text);
        } else {
            String safe = text.replace('\r', ' ').replace('\n', ' ');
            out.ensureWritable(ByteBufUtil.utf8Bytes(safe) + 3);
            out.writeByte(prefix);
            ByteBufUtil.writeUtf8(out, safe);
        }
        writeCrlf(out);
    }

    private static void writeLineBytes(ByteBuf out, byte[] text) {
        for (byte b : text) {
            if (b == '\r' || b == '\n') {
                for (byte c : text) {
                    out.writeByte(c == '\r' || c == '\n' ? ' ' : c);
                }
                return;
            }
        }
        out.writeBytes(text);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
