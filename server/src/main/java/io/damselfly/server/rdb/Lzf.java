package io.damselfly.server.rdb;

/**
 * LZF decompression (the format of liblzf, which Redis uses for compressed RDB strings). A
 * compressed stream is a run of chunks, each opened by a control byte {@code c}: below 32, a
 * literal run of {@code c + 1} bytes follows; otherwise a back reference of length {@code (c >>
 * 5) + 2} (a length of 7 + 2 is extended by the next byte) to {@code ((c & 0x1f) << 8 | next) +
 * 1} bytes back. Every chunk is checked against both buffers, so corrupt input fails cleanly.
 */
final class Lzf {
    private Lzf() {
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
