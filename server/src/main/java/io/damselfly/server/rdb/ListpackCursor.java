package io.damselfly.server.rdb;

import io.damselfly.server.keyspace.ListpackSizes;

/**
 * Walks a listpack blob (listpack.c) one entry at a time, for readers that interpret the
 * entries as they go (a stream node mixes integers and strings in a fixed layout) instead of
 * taking them all as a list of strings ({@link CompactEncodings#listpack}).
 *
 * <p>The header is checked on construction as lpValidateIntegrity's shallow mode does (total
 * bytes equal to the blob's length, the last byte the end marker); every entry is checked as
 * lpValidateNext does before it is used: its encoding known, its data and back-length inside the
 * blob and before the end marker, the back-length equal to the entry's size. The header's
 * element count is not checked: Redis does not check it for stream nodes either
 * (streamValidateListpackIntegrity validates the header shallowly and walks the entries itself).
 * Anything wrong is a {@link RdbFormatException}; no read goes past the blob.
 */
final class ListpackCursor {
    /** Total bytes (u32) and element count (u16), little endian. */
    private static final int HEADER = 6;
    private static final int END = 0xFF;

    private final byte[] l;
    /** The next entry's first byte; never past the end marker, the blob's last byte. */
    private int p = HEADER;
    // the entry last decoded: an integer, or the string l[start, start + length)
    private boolean integer;
    private long value;
    private int start;
    private int length;

    ListpackCursor(byte[] blob) throws RdbFormatException {
        if (blob.length < HEADER + 1 || u32(blob, 0) != blob.length || (blob[blob.length - 1] & 0xFF) != END) {
            throw new RdbFormatException("listpack header does not match its length");
        }
        this.l = blob;
    }

    /** True when no entry is left (the next byte is the end marker). */
    boolean atEnd() {
        return (l[p] & 0xFF) == END;
    }

    /** Bytes left before the end marker; every entry takes at least two (encoding and back-length). */
    int bytesLeft() {
        return l.length - 1 - p;
    }

    /**
     * The next entry as an integer, as lpGetIntegerIfValid reads it: an integer entry, or a
     * string that spells a 64-bit integer exactly (string2ll); {@code what} names it in errors.
     */
    long nextLong(String what) throws RdbFormatException {
        next(what);
        if (integer) {
            return value;
        }
        Long v = RdbOutput.canonicalLong(l, start, length);
        if (v == null) {
            throw new RdbFormatException("listpack " + what + " is not an integer");
        }
        return v;
    }

    /** The next entry as bytes (an integer entry as its decimal text), a new array. */
    byte[] nextBytes(String what) throws RdbFormatException {
        next(what);
        return integer ? RdbInput.decimal(value) : java.util.Arrays.copyOfRange(l, start, start + length);
    }

    /** Decodes the entry at {@code p} and moves past it. */
    private void next(String what) throws RdbFormatException {
        int limit = l.length - 1;
        if (p == limit) {
            throw new RdbFormatException("listpack ends before its " + what);
        }
        int enc = l[p] & 0xFF;
        if (enc == END) {
            throw new RdbFormatException("listpack end byte before its end");
        }
        int data = p + 1;
        int dataEnd;
        integer = true;
        if ((enc & 0x80) == 0) {
            // 0xxxxxxx: a 7-bit unsigned integer in the encoding byte
            value = enc;
            dataEnd = data;
        } else if ((enc & 0xC0) == 0x80) {
            // 10xxxxxx: a string of up to 63 bytes
            dataEnd = string(data, enc & 0x3F, limit);
        } else if ((enc & 0xE0) == 0xC0) {
            // 110xxxxx yyyyyyyy: a 13-bit signed integer
            need(data, 1, limit);
            int v = ((enc & 0x1F) << 8) | (l[data] & 0xFF);
            value = (v << 19) >> 19;
            dataEnd = data + 1;
        } else if ((enc & 0xF0) == 0xE0) {
            // 1110xxxx yyyyyyyy: a string of up to 4095 bytes
            need(data, 1, limit);
            dataEnd = string(data + 1, ((enc & 0x0F) << 8) | (l[data] & 0xFF), limit);
        } else if (enc == 0xF0) {
            // a string of a 32-bit length
            need(data, 4, limit);
            long len = u32(l, data);
            if (len > limit) {
                throw new RdbFormatException("listpack string past the blob");
            }
            dataEnd = string(data + 4, (int) len, limit);
        } else {
            int n = switch (enc) {
                case 0xF1 -> 2;
                case 0xF2 -> 3;
                case 0xF3 -> 4;
                case 0xF4 -> 8;
                default -> throw new RdbFormatException("unknown listpack encoding " + enc);
            };
            need(data, n, limit);
            long v = 0;
            for (int i = n - 1; i >= 0; i--) {
                v = (v << 8) | (l[data + i] & 0xFF);
            }
            int unused = 64 - 8 * n;
            value = (v << unused) >> unused;
            dataEnd = data + n;
        }
        int size = dataEnd - p;
        int backlen = ListpackSizes.backlen(size);
        need(dataEnd, backlen, limit);
        if (CompactEncodings.readBacklen(l, dataEnd + backlen - 1, backlen) != size) {
            throw new RdbFormatException("listpack entry with a wrong back length");
        }
        p = dataEnd + backlen;
    }

    private int string(int at, int len, int limit) throws RdbFormatException {
        need(at, len, limit);
        integer = false;
        start = at;
        length = len;
        return at + len;
    }

    /** {@code n} bytes from {@code at} lie before the end marker at {@code limit}. */
    private static void need(int at, long n, int limit) throws RdbFormatException {
        if (n > limit - at) {
            throw new RdbFormatException("listpack entry past the end of its blob");
        }
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }
}
