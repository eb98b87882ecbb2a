package io.damselfly.server.scripting;

import java.io.ByteArrayOutputStream;

/**
 * RDB string encoding (rdb.c), as much as FUNCTION DUMP and RESTORE need: a length in RDB's
 * variable-size form (6, 14, 32 or 64 bits) then the bytes; reading also takes the integer
 * encodings and LZF compression Redis uses when it writes (rdbSaveRawString compresses strings
 * over 20 bytes when rdbcompression is on). Writing never compresses.
 */
final class RdbStrings {
    private RdbStrings() {
    }

    static void write(ByteArrayOutputStream out, byte[] s) {
        writeLength(out, s.length);
        out.write(s, 0, s.length);
    }

    static void writeLength(ByteArrayOutputStream out, long len) {
        if (len < (1 << 6)) {
            out.write((int) len);
        } else if (len < (1 << 14)) {
            out.write((int) (0x40 | (len >> 8)));
            out.write((int) (len & 0xff));
        } else if (len <= 0xFFFFFFFFL) {
            out.write(0x80);
            for (int i = 3; i >= 0; i--) {
                out.write((int) (len >>> (8 * i)) & 0xff);
            }
        } else {
            out.write(0x81);
            for (int i = 7; i >= 0; i--) {
                out.write((int) (len >>> (8 * i)) & 0xff);
            }
        }
    }

    /** Reads a string at {@code pos[0]} (advanced past it), not reading at or past {@code limit}. */
    static byte[] read(byte[] b, int[] pos, int limit) {
        int first = next(b, pos, limit);
        int type = (first & 0xC0) >> 6;
        if (type == 3) {
            switch (first & 0x3F) {
                case 0:
                    return Long.toString((byte) next(b, pos, limit)).getBytes();
                case 1: {
                    int v = next(b, pos, limit) | next(b, pos, limit) << 8;
                    return Long.toString((short) v).getBytes();
                }
                case 2: {
                    long v = 0;
                    for (int i = 0; i < 4; i++) {
                        v |= (long) next(b, pos, limit) << (8 * i);
                    }
                    return Long.toString((int) v).getBytes();
                }
                case 3: {
                    long clen = readLength(b, pos, limit);
                    long len = readLength(b, pos, limit);
                    if (clen < 0 || len < 0 || clen > limit - pos[0] || len > Integer.MAX_VALUE - 8) {
                        throw new IllegalArgumentException("bad LZF lengths");
                    }
                    byte[] out = Lzf.decompress(b, pos[0], (int) clen, (int) len);
                    pos[0] += (int) clen;
                    return out;
                }
                default:
                    throw new IllegalArgumentException("unknown string encoding");
            }
        }
        pos[0]--;
        long len = readLength(b, pos, limit);
        if (len < 0 || len > limit - pos[0]) {
            throw new IllegalArgumentException("string past the payload");
        }
        byte[] s = new byte[(int) len];
        System.arraycopy(b, pos[0], s, 0, (int) len);
        pos[0] += (int) len;
        return s;
    }

    private static long readLength(byte[] b, int[] pos, int limit) {
        int first = next(b, pos, limit);
        switch ((first & 0xC0) >> 6) {
            case 0:
                return first & 0x3F;
            case 1:
                return (first & 0x3F) << 8 | next(b, pos, limit);
            case 2: {
                int bytes = first == 0x80 ? 4 : first == 0x81 ? 8 : -1;
                if (bytes < 0) {
                    throw new IllegalArgumentException("bad length");
                }
                long v = 0;
                for (int i = 0; i < bytes; i++) {
                    v = v << 8 | next(b, pos, limit);
                }
                return v;
            }
            default:
                throw new IllegalArgumentException("encoded value where a length was expected");
        }
    }

    private static int next(byte[] b, int[] pos, int limit) {
        if (pos[0] >= limit) {
            throw new IllegalArgumentException("truncated");
        }
        return b[pos[0]++] & 0xff;
    }

    /** LZF decompression (lzf_d.c), bounds-checked. */
    static final class Lzf {
        private Lzf() {
        }

        static byte[] decompress(byte[] in, int off, int len, int outLen) {
            byte[] out = new byte[outLen];
            int ip = off;
            int end = off + len;
            int op = 0;
            while (ip < end) {
                int ctrl = in[ip++] & 0xff;
                if (ctrl < 32) {
                    int run = ctrl + 1;
                    if (op + run > outLen || ip + run > end) {
                        throw new IllegalArgumentException("LZF literal overrun");
                    }
                    System.arraycopy(in, ip, out, op, run);
                    ip += run;
                    op += run;
                } else {
                    int l = ctrl >> 5;
                    int ref = op - ((ctrl & 0x1f) << 8) - 1;
                    if (l == 7) {
                        if (ip >= end) {
                            throw new IllegalArgumentException("LZF truncated");
                        }
                        l += in[ip++] & 0xff;
                    }
                    if (ip >= end) {
                        throw new IllegalArgumentException("LZF truncated");
                    }
                    ref -= in[ip++] & 0xff;
                    l += 2;
                    if (ref < 0 || op + l > outLen) {
                        throw new IllegalArgumentException("LZF back reference out of range");
                    }
                    for (int i = 0; i < l; i++) {
                        out[op++] = out[ref++];
                    }
                }
            }
            if (op != outLen) {
                throw new IllegalArgumentException("LZF length mismatch");
            }
            return out;
        }
    }
}
