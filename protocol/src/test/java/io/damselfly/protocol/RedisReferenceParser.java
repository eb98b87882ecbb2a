package io.damselfly.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A deliberately plain transcription of Redis 7's {@code processInputBuffer} /
 * {@code processMultibulkBuffer} / {@code processInlineBuffer} for a query buffer that is complete
 * (everything the client will send is already in it). Used by the fuzz test as an oracle: the
 * decoder fed the same bytes in any chunks must emit the same messages, as long as the buffer is
 * smaller than the inline limit (so that Redis's "too big" checks, which depend on how much was
 * buffered at each read, cannot fire).
 *
 * <p>Written independently of the decoder on purpose: C-style positions into one array, strchr
 * semantics (stops at NUL), string2ll as in util.c.
 */
final class RedisReferenceParser {

    private RedisReferenceParser() {}

    /** Messages Redis would produce: byte[][] per command, RespProtocolError then stop. */
    static List<Object> parse(byte[] q, boolean authenticated, RespLimits limits) {
        List<Object> out = new ArrayList<>();
        int pos = 0;
        while (pos < q.length) {
            if (q[pos] == '*') {
                int nl = strchr(q, pos, '\r');
                if (nl < 0) {
                    if (q.length - pos > limits.maxInlineLength()) {
                        out.add(new RespProtocolError("Protocol error: too big mbulk count string"));
                    }
                    return out;
                }
                if (nl - pos > q.length - pos - 2) {
                    return out;
                }
                Long ll = string2ll(q, pos + 1, nl);
                if (ll == null || ll > limits.maxMultibulkLength()) {
                    out.add(new RespProtocolError("Protocol error: invalid multibulk length"));
                    return out;
                }
                if (ll > limits.unauthenticatedMaxMultibulkLength() && !authenticated) {
                    out.add(new RespProtocolError("Protocol error: unauthenticated multibulk length"));
                    return out;
                }
                pos = nl + 2;
                if (ll <= 0) {
                    continue;
                }
                long multibulklen = ll;
                List<byte[]> argv = new ArrayList<>();
                while (multibulklen > 0) {
                    nl = strchr(q, pos, '\r');
                    if (nl < 0) {
                        if (q.length - pos > limits.maxInlineLength()) {
                            out.add(new RespProtocolError("Protocol error: too big bulk count string"));
                        }
                        return out;
                    }
                    if (nl - pos > q.length - pos - 2) {
                        return out;
                    }
                    if (q[pos] != '$') {
                        char c = (char) (q[pos] & 0xFF);
                        if (c == '\r' || c == '\n') {
                            c = ' ';
                        }
                        out.add(new RespProtocolError("Protocol error: expected '$', got '" + c + "'"));
                        return out;
                    }
                    Long bl = string2ll(q, pos + 1, nl);
                    if (bl == null || bl < 0 || bl > limits.maxBulkLength()) {
                        out.add(new RespProtocolError("Protocol error: invalid bulk length"));
                        return out;
                    }
                    if (bl > limits.unauthenticatedMaxBulkLength() && !authenticated) {
                        out.add(new RespProtocolError("Protocol error: unauthenticated bulk length"));
                        return out;
                    }
                    pos = nl + 2;
                    if ((long) q.length - pos < bl + 2) {
                        return out;
                    }
                    argv.add(Arrays.copyOfRange(q, pos, pos + (int) (long) bl));
                    pos += (int) (long) bl + 2;
                    multibulklen--;
                }
                out.add(argv.toArray(new byte[0][]));
            } else {
                int nl = strchr(q, pos, '\n');
                if (nl < 0) {
                    if (q.length - pos > limits.maxInlineLength()) {
                        out.add(new RespProtocolError("Protocol error: too big inline request"));
                    }
                    return out;
                }
                int end = nl;
                if (nl != pos && q[nl - 1] == '\r') {
                    end--;
                }
                byte[][] argv = InlineSplitter.split(Arrays.copyOfRange(q, pos, end));
                if (argv == null) {
                    out.add(new RespProtocolError("Protocol error: unbalanced quotes in request"));
                    return out;
                }
                pos = nl + 1;
                if (argv.length > 0) {
                    out.add(argv);
                }
            }
        }
        return out;
    }

    /** C strchr from {@code from}: index of {@code c}, or -1 if a NUL or the end comes first. */
    private static int strchr(byte[] q, int from, char c) {
        for (int i = from; i < q.length; i++) {
            if (q[i] == c) {
                return i;
            }
            if (q[i] == 0) {
                return -1;
            }
        }
        return -1;
    }

    /** util.c string2ll on q[from, to), unsigned accumulation as in C; null when not valid. */
    private static Long string2ll(byte[] q, int from, int to) {
        int slen = to - from;
        if (slen == 0 || slen >= 21) {
            return null;
        }
        if (slen == 1 && q[from] == '0') {
            return 0L;
        }
        int p = from;
        boolean negative = false;
        if (q[p] == '-') {
            negative = true;
            p++;
            if (p == to) {
                return null;
            }
        }
        if (q[p] < '1' || q[p] > '9') {
            return null;
        }
        java.math.BigInteger v = java.math.BigInteger.valueOf(q[p] - '0');
        p++;
        while (p < to && q[p] >= '0' && q[p] <= '9') {
            v = v.multiply(java.math.BigInteger.TEN).add(java.math.BigInteger.valueOf(q[p] - '0'));
            p++;
        }
        if (p < to) {
            return null;
        }
        if (negative) {
            v = v.negate();
        }
        if (v.bitLength() > 63) {
            return null;
        }
        return v.longValueExact();
    }
}
