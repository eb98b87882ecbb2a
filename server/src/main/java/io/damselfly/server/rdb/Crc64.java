package io.damselfly.server.rdb;

/**
 * Redis's crc64 (crc64.c): CRC-64/Jones, reflected, initial value 0, no final xor; the checksum
 * at the end of DUMP and FUNCTION DUMP payloads and of RDB files. Check value: "123456789" gives 0xe9c6d914c4b8d9ca.
 */
public final class Crc64 {
    /** The Jones polynomial 0xad93d23594c935a9, bit-reversed for the reflected algorithm. */
    private static final long POLY = 0x95AC9329AC4BC9B5L;
    private static final long[] TABLE = new long[256];

    static {
        for (int i = 0; i < 256; i++) {
            long c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
            }
            TABLE[i] = c;
        }
    }

    private Crc64() {
    }

    /** The checksum of a whole array. */
    public static long of(byte[] b) {
        return of(b, 0, b.length);
    }

    /** The checksum of {@code len} bytes from {@code off}. */
    public static long of(byte[] b, int off, int len) {
        return update(0, b, off, len);
    }

    /** The checksum of what {@code crc} covered followed by {@code len} bytes from {@code off}. */
    public static long update(long crc, byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            crc = TABLE[(int) ((crc ^ b[i]) & 0xff)] ^ (crc >>> 8);
        }
        return crc;
    }
}
