package io.damselfly.server.rdb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decoders of the compact blobs Redis puts in RDB strings: ziplist (ziplist.c; RDB 9 and older
 * lists, hashes and sorted sets), listpack (listpack.c; RDB 10) and intset (intset.c). Each
 * answers the elements in order as byte arrays, integers as their decimal text, after checking
 * every header, length and terminator against the blob, so a corrupt blob ends in a {@link
 * RdbFormatException} (Redis checks the same on load: ziplistValidateIntegrity and friends).
 */
final class CompactEncodings {
    private CompactEncodings() {
    }

    private static final int END = 0xFF;

    // ---- ziplist -----------------------------------------------------------------------------

    /*
     * <zlbytes u32><zltail u32><zllen u16> <entry>... <0xFF>, little endian. An entry is the
     * previous entry's length (one byte, or 0xFE and four bytes), an encoding byte (00/01/10:
     * strings of 6-bit, 14-bit big-endian and 32-bit big-endian lengths; 11: integers of 16, 32,
     * 64, 24 or 8 bits, or 0..12 in the encoding byte's low nibble) and the data.
     */
    private static final int ZIPLIST_HEADER = 10;

    static List<byte[]> ziplist(byte[] z) throws RdbFormatException {
        if (z.length < ZIPLIST_HEADER + 1 || u32(z, 0) != z.length) {
            throw new RdbFormatException("ziplist header does not match its length");
        }
        long tail = u32(z, 4);
        int count = u16(z, 8);
        List<byte[]> out = new ArrayList<>();
        int p = ZIPLIST_HEADER;
        int previousLength = 0;
        int lastStart = -1;
        while (true) {
            if (p >= z.length) {
                throw new RdbFormatException("ziplist without its end byte");
            }
            if ((z[p] & 0xFF) == END) {
                break;
            }
            int start = p;
            int prev = z[p++] & 0xFF;
            if (prev == 0xFE) {
                need(z, p, 4);
                long l = u32(z, p);
                p += 4;
                prev = l > Integer.MAX_VALUE ? -1 : (int) l;
            }
            if (prev != previousLength) {
                throw new RdbFormatException("ziplist entry with a wrong previous length");
            }
            need(z, p, 1);
            int enc = z[p++] & 0xFF;
            switch (enc >>> 6) {
                case 0 -> {
                    int len = enc & 0x3F;
                    p = addBytes(z, p, len, out);
                }
                case 1 -> {
                    need(z, p, 1);
                    int len = ((enc & 0x3F) << 8) | (z[p++] & 0xFF);
                    p = addBytes(z, p, len, out);
                }
                case 2 -> {
                    need(z, p, 4);
                    long len = ((z[p] & 0xFFL) << 24) | ((z[p + 1] & 0xFF) << 16) | ((z[p + 2] & 0xFF) << 8) | (z[p + 3] & 0xFF);
                    p += 4;
                    if (len > z.length) {
                        throw new RdbFormatException("ziplist string past the blob");
                    }
                    p = addBytes(z, p, (int) len, out);
                }
                default -> {
                    int n;
                    switch (enc) {
                        case 0xC0 -> n = 2;
                        case 0xD0 -> n = 4;
                        case 0xE0 -> n = 8;
                        case 0xF0 -> n = 3;
                        case 0xFE -> n = 1;
                        default -> {
                            if (enc >= 0xF1 && enc <= 0xFD) {
                                n = 0;
                            } else {
                                throw new RdbFormatException("unknown ziplist encoding " + enc);
                            }
                        }
                    }
                    if (n == 0) {
                        out.add(RdbInput.decimal((enc & 0x0F) - 1));
                    } else {
                        need(z, p, n);
                        out.add(RdbInput.decimal(signed(z, p, n)));
                        p += n;
                    }
                }
            }
            previousLength = p - start;
            lastStart = start;
        }
        if (p != z.length - 1) {
            throw new RdbFormatException("ziplist end byte before its end");
        }
        if (tail != (lastStart < 0 ? ZIPLIST_HEADER : lastStart)) {
            throw new RdbFormatException("ziplist tail offset is wrong");
        }
        if (count != 0xFFFF && count != out.size()) {
            throw new RdbFormatException("ziplist count is wrong");
        }
        return out;
    }

    // ---- listpack ----------------------------------------------------------------------------

    /*
     * <total bytes u32><count u16> <entry>... <0xFF>, little endian. An entry is an encoding byte
     * with its data (0xxxxxxx: 7-bit uint; 10xxxxxx: string of 6-bit length; 110xxxxx: 13-bit
     * int; 1110xxxx: string of 12-bit length; 0xF0: string of 32-bit length; 0xF1..0xF4: 16, 24,
     * 32, 64-bit ints), then the entry's length so far written backwards, 7 bits per byte.
     */

    /** Every entry of a listpack, integers as their decimal text; checked entry by entry by {@link ListpackCursor}. */
    static List<byte[]> listpack(byte[] l) throws RdbFormatException {
        ListpackCursor cursor = new ListpackCursor(l);
        List<byte[]> out = new ArrayList<>();
        while (!cursor.atEnd()) {
            out.add(cursor.nextBytes("entry"));
        }
        if (cursor.bytesLeft() != 0) {
            throw new RdbFormatException("listpack end byte before its end");
        }
        int count = u16(l, 4);
        if (count != 0xFFFF && count != out.size()) {
            throw new RdbFormatException("listpack count is wrong");
        }
        return out;
    }

    /** lpDecodeBacklen from the entry's last byte at {@code last}: -1 unless exactly {@code bytes} bytes long. */
    static long readBacklen(byte[] l, int last, int bytes) {
        long v = 0;
        int shift = 0;
        for (int i = 0; i < bytes; i++) {
            int b = l[last - i] & 0xFF;
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return i == bytes - 1 ? v : -1;
            }
            shift += 7;
        }
        return -1;
    }

    // ---- intset ------------------------------------------------------------------------------

    /** <encoding u32: 2, 4 or 8><length u32><values, little endian, ascending>: the values, as stored. */
    static long[] intset(byte[] s) throws RdbFormatException {
        if (s.length < 8) {
            throw new RdbFormatException("intset too short");
        }
        long width = u32(s, 0);
        long n = u32(s, 4);
        if ((width != 2 && width != 4 && width != 8) || 8 + n * width != s.length) {
            throw new RdbFormatException("intset header does not match its length");
        }
        long[] out = new long[(int) n];
        for (int i = 0; i < n; i++) {
            // the order is not checked: Redis accepts an unsorted intset (sanitize-dump-payload no)
            // and the members are added one by one anyway; a duplicate is refused by the builder
            out[i] = signed(s, 8 + i * (int) width, (int) width);
        }
        return out;
    }

    // ---- bytes -------------------------------------------------------------------------------

    private static void need(byte[] b, int at, long n) throws RdbFormatException {
        if (n < 0 || at + n > b.length) {
            throw new RdbFormatException("entry past the end of its blob");
        }
    }

    private static int addBytes(byte[] b, int at, int len, List<byte[]> out) throws RdbFormatException {
        need(b, at, len);
        out.add(java.util.Arrays.copyOfRange(b, at, at + len));
        return at + len;
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    /** A signed little-endian integer of {@code n} bytes. */
    private static long signed(byte[] b, int at, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        int unused = 64 - 8 * n;
        return (v << unused) >> unused;
    }

    /** zipmap.c's markers: a length byte of 254 announces a 4-byte length; 255 ends the map. */
    private static final int ZIPMAP_BIGLEN = 254;
    private static final int ZIPMAP_END = 255;

    /**
     * The fields and values, alternating, of a zipmap (hashes of Redis before 2.6, RDB type 9):
     * a count byte, then per entry a field length, the field, a value length, a free-space byte,
     * the value and that many unused bytes, then 255. Every length is checked against the blob,
     * and the count (when below 254) against the entries, as zipmapValidateIntegrity does.
     */
    static List<byte[]> zipmap(byte[] z) throws RdbFormatException {
        if (z.length < 2 || (z[z.length - 1] & 0xFF) != ZIPMAP_END) {
            throw new RdbFormatException("zipmap without its terminator");
        }
        List<byte[]> out = new ArrayList<>();
        int p = 1;
        int entries = 0;
        while ((z[p] & 0xFF) != ZIPMAP_END) {
            int[] at = {p};
            byte[] field = zipmapString(z, at, false);
            byte[] value = zipmapString(z, at, true);
            out.add(field);
            out.add(value);
            p = at[0];
            entries++;
        }
        if (entries == 0) {
            throw new RdbFormatException("empty zipmap");
        }
        int count = z[0] & 0xFF;
        if (count != ZIPMAP_BIGLEN && count != entries) {
            throw new RdbFormatException("zipmap count " + count + " but " + entries + " entries");
        }
        return out;
    }

    /** One zipmap string at {@code at[0]} (advanced past it, and past the value's free space). */
    private static byte[] zipmapString(byte[] z, int[] at, boolean value) throws RdbFormatException {
        int p = at[0];
        // every read stays before the terminator, the blob's last byte
        int end = z.length - 1;
        if (p >= end) {
            throw new RdbFormatException("zipmap entry past the end");
        }
        long len = z[p] & 0xFF;
        if (len == ZIPMAP_END) {
            throw new RdbFormatException("zipmap field without its value");
        }
        p++;
        if (len == ZIPMAP_BIGLEN) {
            if (p + 4 > end) {
                throw new RdbFormatException("zipmap length past the end");
            }
            len = (z[p] & 0xFFL) | (z[p + 1] & 0xFFL) << 8 | (z[p + 2] & 0xFFL) << 16 | (z[p + 3] & 0xFFL) << 24;
            p += 4;
        }
        int free = 0;
        if (value) {
            if (p >= end) {
                throw new RdbFormatException("zipmap value past the end");
            }
            free = z[p++] & 0xFF;
        }
        if (len + free > end - p) {
            throw new RdbFormatException("zipmap entry past the end");
        }
        byte[] out = Arrays.copyOfRange(z, p, p + (int) len);
        at[0] = p + (int) len + free;
        return out;
    }
}
