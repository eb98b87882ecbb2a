package io.damselfly.server.keyspace;

/**
 * The byte counts of listpack.c's encodings: an element is its encoding plus a back length of 1 to
 * 5 bytes. What a stream node's size rule counts ({@link StreamValue}) and what the RDB listpack
 * reader and writer lay out (io.damselfly.server.rdb), so both agree with Redis byte for byte.
 */
public final class ListpackSizes {
    /** 32-bit total bytes + 16-bit count, and the end byte. */
    public static final int HEADER_AND_END = 7;

    private ListpackSizes() {
    }

    /** The bytes an integer element takes, back length included (lpEncodeIntegerGetType's widths). */
    public static long intElement(long v) {
        int enc;
        if (v >= 0 && v <= 127) {
            enc = 1;
        } else if (v >= -4096 && v <= 4095) {
            enc = 2;
        } else if (v >= -32768 && v <= 32767) {
            enc = 3;
        } else if (v >= -8388608 && v <= 8388607) {
            enc = 4;
        } else if (v >= -2147483648L && v <= 2147483647L) {
            enc = 5;
        } else {
            enc = 9;
        }
        return enc + backlen(enc);
    }

    /** The bytes a string element takes: as an integer when it spells one exactly, as lpAppend stores it. */
    public static long stringElement(byte[] s) {
        Long v = stringToInt64(s);
        if (v != null) {
            return intElement(v);
        }
        long enc = s.length < 64 ? 1 + s.length : s.length < 4096 ? 2 + s.length : 5 + (long) s.length;
        return enc + backlen(enc);
    }

    /** lpEncodeBacklen's size: how many bytes an entry of {@code l} bytes takes to give its length backwards. */
    public static int backlen(long l) {
        if (l <= 127) {
            return 1;
        } else if (l < 16383) {
            return 2;
        } else if (l < 2097151) {
            return 3;
        } else if (l < 268435455) {
            return 4;
        }
        return 5;
    }

    /** lpStringToInt64: a strict decimal int64 of 1 to 20 characters, or null. */
    public static Long stringToInt64(byte[] s) {
        if (s.length == 0 || s.length >= 21 || (s[0] != '-' && (s[0] < '0' || s[0] > '9'))) {
            return null;
        }
        return Numbers.parseLong(s);
    }
}
