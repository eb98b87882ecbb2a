package io.damselfly.server.keyspace;

import java.util.ArrayList;
import java.util.List;

/**
 * The longest common subsequence of two strings, as LCS finds it (lcsCommand in Redis 7.0's
 * t_string.c): the dynamic-programming table of LCS lengths of every pair of prefixes, then one
 * walk back from the end that yields the subsequence and the matching ranges.
 *
 * <p>The walk is Redis's, tie-breaks included (on a mismatch it moves in {@code a} only when that
 * keeps a strictly longer LCS, else in {@code b}), because a string has many longest common
 * subsequences and clients see which one, and which ranges, Redis picks. So the whole table is
 * kept, {@code (|a|+1) * (|b|+1)} ints, as Redis keeps it; the caller bounds that size first
 * ({@link #tableBytes}).
 */
public final class LongestCommonSubsequence {
    /** One run of matching bytes: {@code a[aStart..aEnd]} equals {@code b[bStart..bEnd]}. */
    public record Range(int aStart, int aEnd, int bStart, int bEnd) {
        public int length() {
            return aEnd - aStart + 1;
        }
    }

    private final byte[] a;
    private final byte[] b;
    private final int[] table;

    private LongestCommonSubsequence(byte[] a, byte[] b, int[] table) {
        this.a = a;
        this.b = b;
        this.table = table;
    }

    /** Bytes the table for strings of these lengths takes, as Redis sizes its allocation. */
    public static long tableBytes(long aLength, long bLength) {
        return (aLength + 1) * (bLength + 1) * Integer.BYTES;
    }

    /** Builds the table; the caller checked {@link #tableBytes} against its limits. */
    public static LongestCommonSubsequence of(byte[] a, byte[] b) {
        int width = b.length + 1;
        int[] table = new int[Math.multiplyExact(a.length + 1, width)];
        for (int i = 1; i <= a.length; i++) {
            int row = i * width;
            int above = row - width;
            byte ai = a[i - 1];
            for (int j = 1; j <= b.length; j++) {
                table[row + j] = ai == b[j - 1]
                        ? table[above + j - 1] + 1
                        : Math.max(table[above + j], table[row + j - 1]);
            }
        }
        return new LongestCommonSubsequence(a, b, table);
    }

    /** The length of the longest common subsequence. */
    public int length() {
        return table[table.length - 1];
    }

    /** The subsequence itself, the one Redis's walk picks. */
    public byte[] subsequence() {
        byte[] out = new byte[length()];
        walk(out, null, 0);
        return out;
    }

    /**
     * The matching ranges of Redis's walk, from the end of the strings back, those shorter than
     * {@code minLength} left out (0: none).
     */
    public List<Range> ranges(long minLength) {
        List<Range> out = new ArrayList<>();
        walk(null, out, minLength);
        return out;
    }

    /** Redis's walk back from the end: fills {@code subsequence} and/or {@code ranges}. */
    private void walk(byte[] subsequence, List<Range> ranges, long minLength) {
        int width = b.length + 1;
        int left = length();
        int i = a.length;
        int j = b.length;
        // the range being extended backwards; aStart == a.length means none (Redis's "alen")
        int aStart = a.length;
        int aEnd = 0;
        int bStart = 0;
        int bEnd = 0;
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (a[i - 1] == b[j - 1]) {
                if (subsequence != null) {
                    subsequence[left - 1] = a[i - 1];
                }
                if (aStart == a.length) {
                    aStart = aEnd = i - 1;
                    bStart = bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    aStart--;
                    bStart--;
                } else {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0) {
                    emit = true;
                }
                left--;
                i--;
                j--;
            } else {
                if (table[(i - 1) * width + j] > table[i * width + j - 1]) {
                    i--;
                } else {
                    j--;
                }
                if (aStart != a.length) {
                    emit = true;
                }
            }
            if (emit) {
                Range r = new Range(aStart, aEnd, bStart, bEnd);
                if (ranges != null && (minLength == 0 || r.length() >= minLength)) {
                    ranges.add(r);
                }
                aStart = a.length;
            }
        }
    }
}
