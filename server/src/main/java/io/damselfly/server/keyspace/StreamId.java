package io.damselfly.server.keyspace;

import java.nio.charset.StandardCharsets;

/**
 * A stream entry ID, Redis's streamID: two unsigned 64-bit numbers (milliseconds, sequence)
 * held in Java longs and compared unsigned, so {@code 18446744073709551615-0} sorts last as in
 * Redis. Parsing follows streamGenericParseIDOrReply (t_stream.c) and string2ull (util.c).
 */
public record StreamId(long ms, long seq) implements Comparable<StreamId> {
    public static final StreamId MIN = new StreamId(0, 0);
    public static final StreamId MAX = new StreamId(-1L, -1L);

    /** Redis copies an ID argument into a 128-byte buffer: longer ones are invalid. */
    private static final int MAX_TEXT = 127;

    @Override
    public int compareTo(StreamId o) {
        int c = Long.compareUnsigned(ms, o.ms);
        return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
    }

    /** Unsigned comparison of two IDs given as parts. */
    public static int compare(long ms1, long seq1, long ms2, long seq2) {
        int c = Long.compareUnsigned(ms1, ms2);
        return c != 0 ? c : Long.compareUnsigned(seq1, seq2);
    }

    public boolean isZero() {
        return ms == 0 && seq == 0;
    }

    /** The next ID (streamIncrID), or null past the last possible one. */
    public StreamId next() {
        if (seq == -1L) {
            return ms == -1L ? null : new StreamId(ms + 1, 0);
        }
        return new StreamId(ms, seq + 1);
    }

    /** The previous ID (streamDecrID), or null before 0-0. */
    public StreamId previous() {
        if (seq == 0) {
            return ms == 0 ? null : new StreamId(ms - 1, -1L);
        }
        return new StreamId(ms, seq - 1);
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }

    /** The "ms-seq" text, as replies carry it. */
    public byte[] toBytes() {
        return toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** What {@link #parse} answers: the ID, and whether the sequence was given ({@code ms-*} says no). */
    public record Parsed(StreamId id, boolean seqGiven) {
    }

    /**
     * Parses a client's ID: "-" and "+" (unless {@code strict}), {@code ms}, {@code ms-seq}, and
     * with {@code allowAutoSeq} {@code ms-*}. A missing sequence is {@code missingSeq}. Null when
     * invalid (Redis's "Invalid stream ID specified as stream command argument").
     */
    public static Parsed parse(byte[] text, long missingSeq, boolean strict, boolean allowAutoSeq) {
        if (text.length > MAX_TEXT) {
            return null;
        }
        // the C code reads the buffer as a NUL-terminated string: text stops at a NUL byte
        int len = 0;
        while (len < text.length && text[len] != 0) {
            len++;
        }
        if (len == 1 && (text[0] == '-' || text[0] == '+')) {
            if (strict) {
                return null;
            }
            return new Parsed(text[0] == '-' ? MIN : MAX, true);
        }
        int dash = -1;
        for (int i = 0; i < len; i++) {
            if (text[i] == '-') {
                dash = i;
                break;
            }
        }
        long[] out = new long[1];
        if (!string2ull(text, 0, dash < 0 ? len : dash, out)) {
            return null;
        }
        long ms = out[0];
        if (dash < 0) {
            return new Parsed(new StreamId(ms, missingSeq), true);
        }
        if (allowAutoSeq && len - dash - 1 == 1 && text[dash + 1] == '*') {
            return new Parsed(new StreamId(ms, 0), false);
        }
        if (!string2ull(text, dash + 1, len, out)) {
            return null;
        }
        return new Parsed(new StreamId(ms, out[0]), true);
    }

    /** {@link #parse} for the common case: no auto sequence; null when invalid. */
    public static StreamId parse(byte[] text, long missingSeq, boolean strict) {
        Parsed p = parse(text, missingSeq, strict, false);
        return p == null ? null : p.id;
    }

    /**
     * Redis's string2ull: a strict decimal long that is not negative, else what strtoull accepts
     * (leading white space, a sign, digits to the end; a minus negates modulo 2^64; overflow fails).
     */
    static boolean string2ull(byte[] b, int from, int to, long[] out) {
        Long strict = Numbers.parseLong(java.util.Arrays.copyOfRange(b, from, to));
        if (strict != null) {
            if (strict < 0) {
                return false;
            }
            out[0] = strict;
            return true;
        }
        int i = from;
        while (i < to && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r'))) {
            i++;
        }
        boolean negative = false;
        if (i < to && (b[i] == '+' || b[i] == '-')) {
            negative = b[i] == '-';
            i++;
        }
        if (i >= to) {
            return false;
        }
        long v = 0;
        for (; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return false;
            }
            // unsigned overflow check: v * 10 + d must fit 64 bits
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) {
                return false;
            }
            long next = v * 10 + d;
            if (Long.compareUnsigned(next, v * 10) < 0) {
                return false;
            }
            v = next;
        }
        out[0] = negative ? -v : v;
        return true;
    }
}
