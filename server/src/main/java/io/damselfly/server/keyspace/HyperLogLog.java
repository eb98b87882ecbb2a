package io.damselfly.server.keyspace;

import java.util.Arrays;
import java.util.Random;

/**
 * A HyperLogLog in Redis 7.0's own string format (hyperloglog.c), byte for byte: the bytes of a
 * HyperLogLog key are what GET returns, what DUMP and the RDB carry, and what another server
 * loads, so a PFADD here and in redis-server of the same elements must leave the same bytes.
 *
 * <p>An instance is a working copy of one HLL string, as Redis works on the key's sds: {@link
 * #bytes} holds the string's {@link #length} bytes and some spare room, the byte just past the
 * end reading as zero as sds's terminator does (the sparse decoders read an XZERO's second byte
 * there when a corrupt string ends in the middle of one, and so do we). The pure functions
 * ({@link #isValid}, {@link #merge}, {@link #count(byte[], int, int)}, the dense register access)
 * work on arrays directly, so that a dense value can be read and changed where it is stored.
 *
 * <pre>
 * header (16 bytes): "HYLL" | encoding (0 dense, 1 sparse) | 3 unused | cached cardinality,
 *                    8 bytes little endian; bit 7 of the last byte set = the cache is stale
 * dense:  16384 registers of 6 bits, packed from the least significant bit of each byte up
 *         (12288 bytes: DENSE_SIZE = 12304)
 * sparse: run-length opcodes covering exactly 16384 registers:
 *         ZERO  00xxxxxx           1..64 registers at 0
 *         XZERO 01xxxxxx yyyyyyyy  1..16384 registers at 0 (14-bit length - 1)
 *         VAL   1vvvvvxx           1..4 registers at value 1..32
 * </pre>
 *
 * <p>An element is hashed with MurmurHash64A (seed 0xadc83b19, as Redis); the low P = 14 bits
 * choose the register, the position of the lowest set bit of the remaining 50 (Q) bits, plus one,
 * is the candidate value (at most Q + 1 = 51: bit Q is forced to one). The sparse form turns
 * dense when a value above 32 must be stored or when an opcode split would take the string past
 * {@code hll-sparse-max-bytes}; the split and the merge of neighbouring VAL opcodes after it follow
 * hllSparseSet step by step, since any other (even shorter) encoding would give other bytes than
 * redis-server's. The count is Ertl's improved estimator ("New cardinality estimation algorithms
 * for HyperLogLog sketches", arXiv:1702.01284) over the register histogram, as hllCount computes
 * it in 7.0, in the same order of floating-point operations, so counts match exactly.
 *
 * <p>The sparse decoders (toDense, merge, count) refuse a form whose runs pass 16384 registers
 * at any point, as the redis-server 7.0.15 of Debian 12 does (its CVE-2025-32023 fix; the 7.0.15
 * tag only stopped at a VAL run that passed the end, and took 16384 registers plus more as valid).
 *
 * <p>Where this differs: when a write splits an XZERO cut short by the string's end (only a
 * corrupt string has one), Redis writes the last byte of the new opcodes over the sds terminator
 * and may read it back later; this copy keeps it until the string is stored, not beyond.
 */
final class HyperLogLog {
    /** Index bits: 2^14 registers (standard error 1.04 / sqrt(16384) = 0.81%). */
    static final int P = 14;
    /** Hash bits left for the run of zeroes: 64 - P. */
    static final int Q = 64 - P;
    static final int REGISTERS = 1 << P;
    private static final int REGISTER_BITS = 6;
    private static final int REGISTER_MAX = (1 << REGISTER_BITS) - 1;
    /** "HYLL", the encoding, three unused bytes, the cached cardinality. */
    static final int HEADER = 16;
    /** A dense HLL's exact length: the header and 16384 x 6 bits. */
    static final int DENSE_SIZE = HEADER + (REGISTERS * REGISTER_BITS + 7) / 8;
    static final int DENSE = 0;
    static final int SPARSE = 1;
    private static final int ENCODING_AT = 4;
    private static final int CARD_AT = 8;
    /** The seed hllPatLen gives MurmurHash64A. */
    private static final long SEED = 0xadc83b19L;
    private static final int SPARSE_VAL_MAX_VALUE = 32;
    private static final int SPARSE_VAL_MAX_LEN = 4;
    private static final int SPARSE_ZERO_MAX_LEN = 64;
    private static final int SPARSE_XZERO_MAX_LEN = 16384;
    /** 0.5 / ln(2), the estimator's alpha for m -> infinity. */
    private static final double ALPHA_INF = 0.721347520444481703680;
    /** The answer of an operation that found the sparse form corrupt. */
    static final int CORRUPT = -1;
    /**
     * Bound on the iterations of the estimator's series: they converge in under 70 steps for any
     * histogram of a valid HLL; the bound only keeps a corrupt one from spinning for ever.
     */
    private static final int SERIES_LIMIT = 10_000;
    /** Spare bytes a sparse write needs: an XZERO split into XZERO VAL XZERO grows by 3. */
    private static final int SPARSE_ROOM = 3;

    private byte[] bytes;
    private int length;

    /** A working copy over {@code bytes[0..length)}, which becomes this object's. */
    HyperLogLog(byte[] bytes, int length) {
        this.bytes = bytes;
        this.length = length;
    }

    /** A copy of an HLL string's bytes, with room for a sparse write. */
    static HyperLogLog copyOf(byte[] src, int offset, int length) {
        byte[] b = new byte[length + SPARSE_ROOM + 8];
        System.arraycopy(src, offset, b, 0, length);
        return new HyperLogLog(b, length);
    }

    /** An empty HLL as createHLLObject makes it: sparse, one XZERO of 16384 registers (18 bytes). */
    static HyperLogLog empty() {
        int length = HEADER + 2 * ((REGISTERS + SPARSE_XZERO_MAX_LEN - 1) / SPARSE_XZERO_MAX_LEN);
        byte[] b = new byte[length + SPARSE_ROOM + 8];
        b[0] = 'H';
        b[1] = 'Y';
        b[2] = 'L';
        b[3] = 'L';
        b[ENCODING_AT] = SPARSE;
        int p = HEADER;
        for (int left = REGISTERS; left > 0; ) {
            int run = Math.min(left, SPARSE_XZERO_MAX_LEN);
            setXzero(b, p, run);
            p += 2;
            left -= run;
        }
        return new HyperLogLog(b, length);
    }

    /** The array holding the string (only {@link #length()} bytes are it). */
    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    /** The string's bytes in an array of their own, exactly sized. */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    boolean isDense() {
        return bytes[ENCODING_AT] == DENSE;
    }

    // ---- validity and the header ------------------------------------------------------------

    /**
     * Whether a string can be taken for an HLL (isHLLObjectOrReply past its type check): at least
     * a header, the magic "HYLL", a known encoding, and a dense one exactly {@link #DENSE_SIZE}
     * long. A sparse body is checked only where it is decoded.
     */
    static boolean isValid(byte[] b, int off, int len) {
        return len >= HEADER && isValid(b, off, HEADER, len);
    }

    /** {@link #isValid(byte[], int, int)} of a string {@code len} long whose first {@code available} bytes are at {@code off}. */
    static boolean isValid(byte[] b, int off, int available, int len) {
        if (len < HEADER || available < HEADER) {
            return false;
        }
        if (b[off] != 'H' || b[off + 1] != 'Y' || b[off + 2] != 'L' || b[off + 3] != 'L') {
            return false;
        }
        int encoding = b[off + ENCODING_AT] & 0xff;
        if (encoding > SPARSE) {
            return false;
        }
        return encoding != DENSE || len == DENSE_SIZE;
    }

    /** Whether the cached cardinality of the HLL at {@code off} may be used (bit 7 of its last byte clear). */
    static boolean cacheValid(byte[] b, int off) {
        return (b[off + CARD_AT + 7] & 0x80) == 0;
    }

    /** The cached cardinality, little endian. */
    static long cachedCardinality(byte[] b, int off) {
        long card = 0;
        for (int i = 7; i >= 0; i--) {
            card = card << 8 | (b[off + CARD_AT + i] & 0xff);
        }
        return card;
    }

    /** Stores a cardinality in the cache, which becomes valid. */
    static void setCachedCardinality(byte[] b, int off, long card) {
        for (int i = 0; i < 8; i++) {
            b[off + CARD_AT + i] = (byte) (card >>> (8 * i));
        }
    }

    /** Marks the cached cardinality stale (HLL_INVALIDATE_CACHE). */
    static void invalidateCache(byte[] b, int off) {
        b[off + CARD_AT + 7] |= (byte) 0x80;
    }

    void invalidateCache() {
        invalidateCache(bytes, 0);
    }

    // ---- hashing ----------------------------------------------------------------------------

    /** MurmurHash2, 64-bit version (MurmurHash64A), reading words little endian as Redis does on every platform. */
    static long murmurHash64A(byte[] data, int off, int len, long seed) {
        final long m = 0xc6a4a7935bd1e995L;
        final int r = 47;
        long h = seed ^ (len * m);
        int end = off + (len - (len & 7));
        int i = off;
        for (; i < end; i += 8) {
            long k = (data[i] & 0xffL) | (data[i + 1] & 0xffL) << 8 | (data[i + 2] & 0xffL) << 16
                    | (data[i + 3] & 0xffL) << 24 | (data[i + 4] & 0xffL) << 32 | (data[i + 5] & 0xffL) << 40
                    | (data[i + 6] & 0xffL) << 48 | (data[i + 7] & 0xffL) << 56;
            k *= m;
            k ^= k >>> r;
            k *= m;
            h ^= k;
            h *= m;
        }
        int tail = len & 7;
        if (tail > 0) {
            for (int j = tail - 1; j >= 0; j--) {
                h ^= (data[i + j] & 0xffL) << (8 * j);
            }
            h *= m;
        }
        h ^= h >>> r;
        h *= m;
        h ^= h >>> r;
        return h;
    }

    /**
     * The register an element goes to and the value it offers, packed as {@code index << 8 |
     * count} (hllPatLen): count is the position of the lowest set bit above the index bits, plus
     * one, at most Q + 1.
     */
    static int pattern(byte[] element) {
        long hash = murmurHash64A(element, 0, element.length, SEED);
        int index = (int) (hash & (REGISTERS - 1));
        hash >>>= P;
        hash |= 1L << Q;
        int count = Long.numberOfTrailingZeros(hash) + 1;
        return index << 8 | count;
    }

    // ---- dense registers --------------------------------------------------------------------

    /** The 6-bit register {@code i} of the dense registers starting at {@code base}. */
    static int denseRegister(byte[] b, int base, int i) {
        int bit = i * REGISTER_BITS;
        int at = base + (bit >>> 3);
        int fb = bit & 7;
        int b0 = b[at] & 0xff;
        // the next byte holds bits of this register only when it crosses a byte boundary
        int b1 = fb > 8 - REGISTER_BITS ? b[at + 1] & 0xff : 0;
        return ((b0 >>> fb) | (b1 << (8 - fb))) & REGISTER_MAX;
    }

    /** Sets register {@code i} of the dense registers at {@code base} to {@code value} (0..63). */
    static void setDenseRegister(byte[] b, int base, int i, int value) {
        int bit = i * REGISTER_BITS;
        int at = base + (bit >>> 3);
        int fb = bit & 7;
        b[at] = (byte) ((b[at] & ~(REGISTER_MAX << fb)) | (value << fb));
        if (fb > 8 - REGISTER_BITS) {
            int fb8 = 8 - fb;
            b[at + 1] = (byte) ((b[at + 1] & ~(REGISTER_MAX >>> fb8)) | (value >>> fb8));
        }
    }

    /** hllDenseSet: raises register {@code index} to {@code count}; 1 if it was lower, else 0. */
    static int denseSet(byte[] b, int off, int index, int count) {
        if (count > denseRegister(b, off + HEADER, index)) {
            setDenseRegister(b, off + HEADER, index, count);
            return 1;
        }
        return 0;
    }

    // ---- adding -----------------------------------------------------------------------------

    /** hllAdd: 1 when a register rose, 0 when none did, {@link #CORRUPT} for a corrupt sparse form. */
    int add(byte[] element, long sparseMaxBytes) {
        int pattern = pattern(element);
        return set(pattern >>> 8, pattern & 0xff, sparseMaxBytes);
    }

    /** Raises register {@code index} to {@code count} in either encoding; answers as {@link #add}. */
    int set(int index, int count, long sparseMaxBytes) {
        return isDense() ? denseSet(bytes, 0, index, count) : sparseSet(index, count, sparseMaxBytes);
    }

    private int u(int i) {
        // at the end: sds's terminator, zero unless this write put an opcode's last byte there
        return i < bytes.length ? bytes[i] & 0xff : 0;
    }

    private static boolean isZero(int op) {
        return (op & 0xc0) == 0;
    }

    private static boolean isXzero(int op) {
        return (op & 0xc0) == 0x40;
    }

    private static boolean isVal(int op) {
        return (op & 0x80) != 0;
    }

    private static int valValue(int op) {
        return ((op >>> 2) & 0x1f) + 1;
    }

    private static int valLength(int op) {
        return (op & 0x3) + 1;
    }

    private static byte val(int value, int len) {
        return (byte) (((value - 1) << 2 | (len - 1)) | 0x80);
    }

    private static void setXzero(byte[] b, int p, int len) {
        int l = len - 1;
        b[p] = (byte) ((l >>> 8) | 0x40);
        b[p + 1] = (byte) l;
    }

    /** Changes the length as sdsIncrLen does: the new end reads as zero. */
    private void incrLength(int delta) {
        length += delta;
        bytes[length] = 0;
    }

    private void ensureRoom(int extra) {
        int needed = length + extra + 8;
        if (bytes.length < needed) {
            bytes = Arrays.copyOf(bytes, Math.max(needed, length + length / 2));
        }
    }

    /**
     * hllSparseSet: finds the opcode covering the register, and when the value must rise,
     * rewrites that opcode as up to three (ZERO/XZERO, VAL, ZERO/XZERO, or VAL VAL VAL), then
     * merges equal VAL neighbours within five opcodes of the one before it. Turns dense first
     * when the value is above 32 or the string would grow past {@code sparseMaxBytes}.
     */
    private int sparseSet(int index, int count, long sparseMaxBytes) {
        if (count > SPARSE_VAL_MAX_VALUE) {
            return promoteAndSet(index, count);
        }
        ensureRoom(SPARSE_ROOM);
        int sparse = HEADER;
        int p = sparse;
        int end = length;
        int first = 0;
        int prev = -1;
        int span = 0;
        // step 1: the opcode covering the register
        while (p < end) {
            int op = u(p);
            int oplen = 1;
            if (isZero(op)) {
                span = (op & 0x3f) + 1;
            } else if (isVal(op)) {
                span = valLength(op);
            } else {
                span = ((op & 0x3f) << 8 | u(p + 1)) + 1;
                oplen = 2;
            }
            if (index <= first + span - 1) {
                break;
            }
            prev = p;
            p += oplen;
            first += span;
        }
        if (span == 0 || p >= end) {
            return CORRUPT;
        }
        int op = u(p);
        int next = isXzero(op) ? p + 2 : p + 1;
        if (next >= end) {
            next = -1;
        }
        boolean zero = false;
        boolean xzero = false;
        boolean isVal = false;
        int runlen;
        if (isZero(op)) {
            zero = true;
            runlen = (op & 0x3f) + 1;
        } else if (isXzero(op)) {
            xzero = true;
            runlen = ((op & 0x3f) << 8 | u(p + 1)) + 1;
        } else {
            isVal = true;
            runlen = valLength(op);
        }
        // step 2: the trivial cases in place
        boolean done = false;
        if (isVal) {
            if (valValue(op) >= count) {
                return 0;
            }
            if (runlen == 1) {
                bytes[p] = val(count, 1);
                done = true;
            }
        }
        if (!done && zero && runlen == 1) {
            bytes[p] = val(count, 1);
            done = true;
        }
        if (!done) {
            // the general case: split the opcode into a sequence of at most five bytes
            byte[] seq = new byte[5];
            int n = 0;
            int last = first + span - 1;
            if (zero || xzero) {
                if (index != first) {
                    n = putZeroes(seq, n, index - first);
                }
                seq[n++] = val(count, 1);
                if (index != last) {
                    n = putZeroes(seq, n, last - index);
                }
            } else {
                int current = valValue(op);
                if (index != first) {
                    seq[n++] = val(current, index - first);
                }
                seq[n++] = val(count, 1);
                if (index != last) {
                    seq[n++] = val(current, last - index);
                }
            }
            // step 3: the sequence in the place of the opcode
            int oldlen = xzero ? 2 : 1;
            int delta = n - oldlen;
            if (delta > 0 && (long) length + delta > sparseMaxBytes) {
                return promoteAndSet(index, count);
            }
            if (delta != 0 && next >= 0) {
                System.arraycopy(bytes, next, bytes, next + delta, end - next);
            }
            incrLength(delta);
            System.arraycopy(seq, 0, bytes, p, n);
            end += delta;
        }
        // step 4: merge adjacent VAL opcodes of the same value
        p = prev >= 0 ? prev : sparse;
        int scan = 5;
        while (p < end && scan-- != 0) {
            int o = u(p);
            if (isXzero(o)) {
                p += 2;
                continue;
            } else if (isZero(o)) {
                p++;
                continue;
            }
            if (p + 1 < end && isVal(u(p + 1))) {
                int v1 = valValue(o);
                int o2 = u(p + 1);
                if (v1 == valValue(o2)) {
                    int len = valLength(o) + valLength(o2);
                    if (len <= SPARSE_VAL_MAX_LEN) {
                        bytes[p + 1] = val(v1, len);
                        System.arraycopy(bytes, p + 1, bytes, p, end - p);
                        incrLength(-1);
                        end--;
                        // try the merged opcode with its right neighbour too
                        continue;
                    }
                }
            }
            p++;
        }
        invalidateCache();
        return 1;
    }

    private static int putZeroes(byte[] seq, int n, int len) {
        if (len > SPARSE_ZERO_MAX_LEN) {
            setXzero(seq, n, len);
            return n + 2;
        }
        seq[n] = (byte) (len - 1);
        return n + 1;
    }

    private int promoteAndSet(int index, int count) {
        if (!toDense()) {
            return CORRUPT;
        }
        // a register needed to rise: it was below count in the sparse form, so it is now
        return denseSet(bytes, 0, index, count);
    }

    /**
     * hllSparseToDense: turns a sparse HLL dense (the header, the cached cardinality and the
     * unused bytes kept); false, and nothing changed, when the opcodes do not cover exactly
     * 16384 registers. A dense HLL is left as it is.
     */
    boolean toDense() {
        if (isDense()) {
            return true;
        }
        byte[] dense = new byte[DENSE_SIZE];
        System.arraycopy(bytes, 0, dense, 0, HEADER);
        dense[ENCODING_AT] = DENSE;
        int idx = 0;
        int p = HEADER;
        while (p < length) {
            int op = u(p);
            int run = isZero(op) ? (op & 0x3f) + 1 : isXzero(op) ? ((op & 0x3f) << 8 | u(p + 1)) + 1 : valLength(op);
            if (run + idx > REGISTERS) {
                return false;
            }
            if (isVal(op)) {
                int value = valValue(op);
                while (run-- > 0) {
                    setDenseRegister(dense, HEADER, idx, value);
                    idx++;
                }
            } else {
                idx += run;
            }
            p += isXzero(op) ? 2 : 1;
        }
        if (idx != REGISTERS) {
            return false;
        }
        bytes = dense;
        length = DENSE_SIZE;
        return true;
    }

    // ---- merging and counting ---------------------------------------------------------------

    /**
     * hllMerge: raises {@code max[i]} to register i of the HLL string at {@code off} (already
     * {@link #isValid valid}); false when a sparse form does not cover exactly 16384 registers
     * ({@code max} may then be partly raised).
     */
    static boolean merge(byte[] max, byte[] b, int off, int len) {
        if ((b[off + ENCODING_AT] & 0xff) == DENSE) {
            for (int i = 0; i < REGISTERS; i++) {
                int v = denseRegister(b, off + HEADER, i);
                if (v > max[i]) {
                    max[i] = (byte) v;
                }
            }
            return true;
        }
        int end = off + len;
        int p = off + HEADER;
        int i = 0;
        while (p < end) {
            int op = b[p] & 0xff;
            int run = isZero(op) ? (op & 0x3f) + 1
                    : isXzero(op) ? ((op & 0x3f) << 8 | (p + 1 < end ? b[p + 1] & 0xff : 0)) + 1 : valLength(op);
            if (run + i > REGISTERS) {
                return false;
            }
            if (isVal(op)) {
                int value = valValue(op);
                while (run-- > 0) {
                    if (value > max[i]) {
                        max[i] = (byte) value;
                    }
                    i++;
                }
            } else {
                i += run;
            }
            p += isXzero(op) ? 2 : 1;
        }
        return i == REGISTERS;
    }

    /**
     * hllCount over the HLL string at {@code off}: the estimate, or {@link #CORRUPT} when a sparse
     * form does not cover exactly 16384 registers.
     */
    static long count(byte[] b, int off, int len) {
        int[] histogram = new int[64];
        if ((b[off + ENCODING_AT] & 0xff) == DENSE) {
            for (int i = 0; i < REGISTERS; i++) {
                histogram[denseRegister(b, off + HEADER, i)]++;
            }
        } else {
            int end = off + len;
            int p = off + HEADER;
            int idx = 0;
            while (p < end) {
                int op = b[p] & 0xff;
                int run = isZero(op) ? (op & 0x3f) + 1
                        : isXzero(op) ? ((op & 0x3f) << 8 | (p + 1 < end ? b[p + 1] & 0xff : 0)) + 1 : valLength(op);
                if (run + idx > REGISTERS) {
                    return CORRUPT;
                }
                idx += run;
                histogram[isVal(op) ? valValue(op) : 0] += run;
                p += isXzero(op) ? 2 : 1;
            }
            if (idx != REGISTERS) {
                return CORRUPT;
            }
        }
        return estimate(histogram);
    }

    /** hllCount of the HLL_RAW form: one register per byte (PFCOUNT of several keys). */
    static long countRaw(byte[] registers) {
        int[] histogram = new int[64];
        for (int i = 0; i < REGISTERS; i++) {
            histogram[registers[i]]++;
        }
        return estimate(histogram);
    }

    /** Ertl's improved estimator over the register histogram, operation for operation as hllCount. */
    static long estimate(int[] histogram) {
        double m = REGISTERS;
        double z = m * tau((m - histogram[Q + 1]) / m);
        for (int j = Q; j >= 1; --j) {
            z += histogram[j];
            z *= 0.5;
        }
        z += m * sigma(histogram[0] / m);
        // llroundl: to nearest, halves away from zero (the quotient is never negative)
        return Math.round(ALPHA_INF * m * m / z);
    }

    private static double sigma(double x) {
        if (x == 1.) {
            return Double.POSITIVE_INFINITY;
        }
        double zPrime;
        double y = 1;
        double z = x;
        int steps = 0;
        do {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        } while (zPrime != z && ++steps < SERIES_LIMIT);
        return z;
    }

    private static double tau(double x) {
        if (x == 0. || x == 1.) {
            return 0.;
        }
        double zPrime;
        double y = 1.0;
        double z = 1 - x;
        int steps = 0;
        do {
            x = Math.sqrt(x);
            zPrime = z;
            y *= 0.5;
            // pow(1 - x, 2) in C, which compilers turn into this exact product
            double d = 1 - x;
            z -= d * d * y;
        } while (zPrime != z && ++steps < SERIES_LIMIT);
        return z / 3;
    }

    // ---- PFDEBUG and PFSELFTEST -------------------------------------------------------------

    /** PFDEBUG DECODE's text of a sparse HLL: "z:N", "Z:N" and "v:VALUE,N" opcodes, space-separated. */
    String decode() {
        StringBuilder s = new StringBuilder();
        int p = HEADER;
        while (p < length) {
            int op = u(p);
            if (isZero(op)) {
                s.append("z:").append((op & 0x3f) + 1).append(' ');
                p++;
            } else if (isXzero(op)) {
                s.append("Z:").append(((op & 0x3f) << 8 | u(p + 1)) + 1).append(' ');
                p += 2;
            } else {
                s.append("v:").append(valValue(op)).append(',').append(valLength(op)).append(' ');
                p++;
            }
        }
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(0, end);
    }

    /**
     * PFSELFTEST: random register values read back unchanged without disturbing their neighbours
     * (1000 rounds), then 10M distinct elements added to a dense and a sparse HLL at once, which
     * must stay sparse while small, agree, and stay within six standard errors at each power of
     * ten. Answers null when all pass, else the failure as Redis words it.
     */
    static String selfTest(Random random, long sparseMaxBytes) {
        byte[] dense = new byte[DENSE_SIZE];
        int[] expected = new int[REGISTERS];
        for (int round = 0; round < 1000; round++) {
            for (int i = 0; i < REGISTERS; i++) {
                int r = random.nextInt() & REGISTER_MAX;
                expected[i] = r;
                setDenseRegister(dense, HEADER, i, r);
            }
            for (int i = 0; i < REGISTERS; i++) {
                int v = denseRegister(dense, HEADER, i);
                if (v != expected[i]) {
                    return "TESTFAILED Register " + i + " should be " + expected[i] + " but is " + v;
                }
            }
        }
        Arrays.fill(dense, HEADER, DENSE_SIZE, (byte) 0);
        dense[ENCODING_AT] = DENSE;
        HyperLogLog sparse = empty();
        double relerr = 1.04 / Math.sqrt(REGISTERS);
        long checkpoint = 1;
        long seed = random.nextLong();
        byte[] element = new byte[8];
        for (long j = 1; j <= 10_000_000; j++) {
            long e = j ^ seed;
            for (int k = 0; k < 8; k++) {
                element[k] = (byte) (e >>> (8 * k));
            }
            int pattern = pattern(element);
            denseSet(dense, 0, pattern >>> 8, pattern & 0xff);
            sparse.set(pattern >>> 8, pattern & 0xff, sparseMaxBytes);
            if (j != checkpoint) {
                continue;
            }
            if (j < sparseMaxBytes / 2 && sparse.isDense()) {
                return "TESTFAILED sparse encoding not used";
            }
            long denseCount = count(dense, 0, DENSE_SIZE);
            if (denseCount != count(sparse.bytes, 0, sparse.length)) {
                return "TESTFAILED dense/sparse disagree";
            }
            long abserr = Math.abs(checkpoint - denseCount);
            long maxerr = (long) Math.ceil(relerr * 6 * checkpoint);
            if (j == 10) {
                maxerr = 1;
            }
            if (abserr > maxerr) {
                return "TESTFAILED Too big error. card:" + checkpoint + " abserr:" + abserr;
            }
            checkpoint *= 10;
        }
        return null;
    }
}
