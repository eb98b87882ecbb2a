package io.damselfly.server.rdb;

/**
 * LZF compression and decompression (the format of liblzf, which Redis uses for compressed RDB
 * strings). A
 * compressed stream is a run of chunks, each opened by a control byte {@code c}: below 32, a
 * literal run of {@code c + 1} bytes follows; otherwise a back reference of length {@code (c >>
 * 5) + 2} (a length of 7 + 2 is extended by the next byte) to {@code ((c & 0x1f) << 8 | next) +
 * 1} bytes back. Every chunk is checked against both buffers, so corrupt input fails cleanly.
 *
 * <p>The compressor is the classic greedy one: a table indexed by a hash of the next three bytes
 * remembers where they last occurred; a hit within the 13-bit window that really matches becomes
 * a back reference as long as the bytes go on matching (at most 264), anything else a literal.
 * It does not reproduce liblzf's output byte for byte (nor need it: any valid stream decodes the
 * same), and an instance keeps its table between calls, so it is not thread-safe.
 */
final class Lzf {
    /** Hash table bits: 2^14 slots of the last position of a 3-byte prefix (liblzf's HLOG is 13-16). */
    private static final int HASH_BITS = 14;
    /** The farthest a back reference reaches: 13 bits of distance. */
    private static final int MAX_DISTANCE = 1 << 13;
    /** The longest back reference: 2 + 7 in the control byte + 255 in the extension byte. */
    private static final int MAX_MATCH = 2 + 7 + 255;
    /** The longest literal run: 32 bytes (control bytes 0..31). */
    private static final int MAX_LITERALS = 32;

    /** Position + 1 of the last occurrence of each hashed prefix; 0 for none. Cleared per call. */
    private final int[] table = new int[1 << HASH_BITS];

    /**
     * Compresses {@code length} bytes at {@code offset} into {@code out} (from 0), answering the
     * compressed size, or 0 when it would not fit in {@code maxOut} bytes (then the caller stores
     * the bytes as they are, as Redis does when compression gains less than 4 bytes).
     */
    int compress(byte[] in, int offset, int length, byte[] out, int maxOut) {
        java.util.Arrays.fill(table, 0);
        int ip = offset;
        int end = offset + length;
        // the control byte of the current literal run sits at runStart; literals counts its bytes
        int op = 0;
        int runStart = -1;
        int literals = 0;
        while (ip < end) {
            if (ip + 2 < end) {
                int h = hash(in, ip);
                int ref = table[h] - 1;
                table[h] = ip + 1;
                int distance = ip - ref - 1;
                if (ref >= offset && distance < MAX_DISTANCE
                        && in[ref] == in[ip] && in[ref + 1] == in[ip + 1] && in[ref + 2] == in[ip + 2]) {
                    int max = Math.min(end - ip, MAX_MATCH);
                    int len = 3;
                    while (len < max && in[ref + len] == in[ip + len]) {
                        len++;
                    }
                    if (op + 3 > maxOut) {
                        return 0;
                    }
                    if (literals > 0) {
                        out[runStart] = (byte) (literals - 1);
                        literals = 0;
                        runStart = -1;
                    }
                    int l = len - 2;
                    if (l < 7) {
                        out[op++] = (byte) ((l << 5) | (distance >>> 8));
                    } else {
                        out[op++] = (byte) ((7 << 5) | (distance >>> 8));
                        out[op++] = (byte) (l - 7);
                    }
                    out[op++] = (byte) distance;
                    ip += len;
                    continue;
                }
            }
            if (literals == 0) {
                if (op + 2 > maxOut) {
                    return 0;
                }
                runStart = op++;
            } else if (op + 1 > maxOut) {
                return 0;
            }
            out[op++] = in[ip++];
            if (++literals == MAX_LITERALS) {
                out[runStart] = (byte) (MAX_LITERALS - 1);
                literals = 0;
                runStart = -1;
            }
        }
        if (literals > 0) {
            out[runStart] = (byte) (literals - 1);
        }
        return op;
    }

    private static int hash(byte[] b, int at) {
        int v = (b[at] & 0xFF) << 16 | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF);
        return (v * 0x9E3779B1) >>> (32 - HASH_BITS);
    }

    /** Decompresses {@code length} bytes at {@code offset} into exactly {@code expected} bytes. */
    static byte[] decompress(byte[] in, int offset, int length, int expected) throws RdbFormatException {
        byte[] out = new byte[expected];
        int ip = offset;
        int end = offset + length;
        int op = 0;
        while (ip < end) {
            int ctrl = in[ip++] & 0xFF;
            if (ctrl < 32) {
                int run = ctrl + 1;
                if (run > end - ip || run > expected - op) {
                    throw new RdbFormatException("corrupt LZF literal run");
                }
                System.arraycopy(in, ip, out, op, run);
                ip += run;
                op += run;
                continue;
            }
            int len = ctrl >>> 5;
            if (len == 7) {
                if (ip >= end) {
                    throw new RdbFormatException("corrupt LZF back reference");
                }
                len += in[ip++] & 0xFF;
            }
            len += 2;
            if (ip >= end) {
                throw new RdbFormatException("corrupt LZF back reference");
            }
            int ref = op - (((ctrl & 0x1F) << 8) | (in[ip++] & 0xFF)) - 1;
            if (ref < 0 || len > expected - op) {
                throw new RdbFormatException("corrupt LZF back reference");
            }
            // byte by byte: a reference may overlap what it writes (a run)
            for (int i = 0; i < len; i++) {
                out[op++] = out[ref++];
            }
        }
        if (op != expected) {
            throw new RdbFormatException("LZF data shorter than announced");
        }
        return out;
    }
}
