package io.damselfly.server.keyspace;

import java.util.Arrays;

/**
 * A Redis glob pattern compiled once and matched against many byte strings: KEYS, SCAN MATCH,
 * CONFIG GET and PSUBSCRIBE. Matches exactly what Redis 7's {@code stringmatchlen} (util.c)
 * matches, byte for byte, with or without its nocase flag.
 *
 * <p><b>How.</b> Redis walks the pattern and the string together and recurses at every '*'. We
 * split the same walk in two: {@link #compile} tokenizes the pattern once, exactly as Redis's walk
 * consumes it, and {@link #matches} runs a non-recursive matcher over the tokens.
 *
 * <ul>
 *   <li>Tokens: a run of '*' (collapsed, as Redis skips repeated stars), '?', a literal byte
 *       ({@code \x} escapes x), and a bracket class. A class matches exactly one byte and its
 *       answer depends only on that byte, so it is evaluated for all 256 byte values at compile
 *       time with Redis's own rules and stored as a 256-bit set. Those rules have quirks we keep
 *       on purpose: an unterminated class runs to the end of the pattern ("[a" is a class of 'a');
 *       "[]" and "[" never match, "[^]" matches any byte; a range may end in ']' ("[a-]" is
 *       ']'..'a'); reversed ranges are swapped; bytes compare as signed chars (x86-64's char, so
 *       "[a-\xff]" is the range -1..97 and excludes 'b' and every byte above 0x7f); under nocase
 *       the swap happens before lower-casing, and an escaped byte inside a class compares
 *       case-sensitively.
 *   <li>Matching: every token other than '*' matches exactly one byte, so the classic greedy
 *       algorithm with a single backtrack point (resume after the last star, one byte further on)
 *       decides the same language as Redis's backtracking, in O(pattern x string) time and O(1)
 *       space. Redis's own exponential-blowup guard (skipLongerMatches) prunes only branches that
 *       cannot match, so it changes no answer.
 *   <li>Two Redis behaviours that are not plain glob semantics are kept: an empty string matches
 *       only the empty pattern (Redis's loop never runs, so even "*" does not match ""), and
 *       Redis gives up, answering no match, when its recursion would nest deeper than 1000 stars.
 *       Every successful path in Redis recurses once per star run that is not the pattern's last
 *       token, so a pattern with more than {@link #MAX_NESTING} such runs can never match.
 * </ul>
 *
 * <p>Fast paths: a pattern without special bytes compares as a plain (or ASCII case-folded)
 * equality, and {@link #isMatchAll()} tells callers that the pattern is exactly "*", for which
 * KEYS and SCAN skip matching altogether and return every key, the empty key included, as Redis
 * does. Instances are immutable and thread-safe.
 */
public final class GlobPattern {
    /** Redis's recursion guard in stringmatchlen_impl: "if (nesting > 1000) return 0". */
    static final int MAX_NESTING = 1000;

    /** Token codes: 0..255 are literal bytes (already lower-cased under nocase). */
    private static final int ANY = 256;
    private static final int STAR = 257;
    /** CLASS + i refers to {@code classes[i]}. */
    private static final int CLASS = 512;

    private enum Kind { MATCH_ALL, LITERAL, NEVER, GENERAL }

    private final byte[] source;
    private final boolean nocase;
    private final Kind kind;
    private final int[] tokens;
    private final long[][] classes;

    private GlobPattern(byte[] source, boolean nocase, Kind kind, int[] tokens, long[][] classes) {
        this.source = source;
        this.nocase = nocase;
        this.kind = kind;
        this.tokens = tokens;
        this.classes = classes;
    }

    /** A case-sensitive pattern, as KEYS, SCAN and PSUBSCRIBE use. */
    public static GlobPattern compile(byte[] pattern) {
        return compile(pattern, false);
    }

    /** A pattern; {@code nocase} folds ASCII letters as Redis's nocase flag (CONFIG GET) does. */
    public static GlobPattern compile(byte[] pattern, boolean nocase) {
        byte[] src = pattern.clone();
        if (src.length == 1 && src[0] == '*') {
            return new GlobPattern(src, nocase, Kind.MATCH_ALL, new int[] {STAR}, new long[0][]);
        }
        if (!hasSpecial(src)) {
            return new GlobPattern(src, nocase, Kind.LITERAL, null, null);
        }
        Tokenizer t = new Tokenizer(src, nocase);
        t.run();
        int[] tokens = Arrays.copyOf(t.tokens, t.count);
        long[][] classes = t.classes.toArray(new long[0][]);
        int starRuns = 0;
        for (int tok : tokens) {
            if (tok == STAR) {
                starRuns++;
            }
        }
        int nested = tokens[tokens.length - 1] == STAR ? starRuns - 1 : starRuns;
        Kind kind = nested > MAX_NESTING ? Kind.NEVER : Kind.GENERAL;
        return new GlobPattern(src, nocase, kind, tokens, classes);
    }

    private static boolean hasSpecial(byte[] p) {
        for (byte b : p) {
            if (b == '*' || b == '?' || b == '[' || b == '\\') {
                return true;
            }
        }
        return false;
    }

    /** The pattern's bytes as given. */
    public byte[] source() {
        return source.clone();
    }

    /**
     * Whether the pattern is exactly "*". KEYS and SCAN then skip matching and take every key,
     * including the empty key that {@link #matches} (following stringmatchlen) would not match.
     */
    public boolean isMatchAll() {
        return kind == Kind.MATCH_ALL;
    }

    /** Whether the whole string matches, exactly as Redis's stringmatchlen answers. */
    public boolean matches(byte[] s) {
        return matches(s, 0, s.length);
    }

    /** Whether {@code s[offset, offset + length)} matches. */
    public boolean matches(byte[] s, int offset, int length) {
        switch (kind) {
            case MATCH_ALL:
                return length > 0;
            case LITERAL:
                return nocase ? equalsFolded(source, s, offset, length)
                        : Arrays.equals(source, 0, source.length, s, offset, offset + length);
            case NEVER:
                return false;
            default:
                return length == 0 ? false : matchTokens(s, offset, offset + length);
        }
    }

    /**
     * Greedy matching with one backtrack point. On a mismatch we return to just after the most
     * recent star and let that star swallow one more byte; earlier stars never need revisiting,
     * because whatever they could absorb the latest star can absorb too.
     */
    private boolean matchTokens(byte[] s, int from, int end) {
        int[] tok = tokens;
        int n = tok.length;
        int p = 0;
        int i = from;
        int starP = -1;
        int starI = -1;
        while (i < end) {
            if (p < n) {
                int t = tok[p];
                if (t == STAR) {
                    starP = ++p;
                    starI = i;
                    continue;
                }
                if (matchOne(t, s[i])) {
                    p++;
                    i++;
                    continue;
                }
            }
            if (starP < 0) {
                return false;
            }
            p = starP;
            i = ++starI;
        }
        while (p < n && tok[p] == STAR) {
            p++;
        }
        return p == n;
    }

    private boolean matchOne(int t, byte b) {
        if (t < ANY) {
            return t == (nocase ? lower(b & 0xFF) : (b & 0xFF));
        }
        if (t == ANY) {
            return true;
        }
        long[] set = classes[t - CLASS];
        int u = b & 0xFF;
        return (set[u >>> 6] & (1L << u)) != 0;
    }

    private static boolean equalsFolded(byte[] pattern, byte[] s, int offset, int length) {
        if (pattern.length != length) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            if (lower(pattern[k] & 0xFF) != lower(s[offset + k] & 0xFF)) {
                return false;
            }
        }
        return true;
    }

    /** C's tolower in the C locale: only 'A'..'Z' change; works on signed and unsigned values. */
    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    @Override
    public String toString() {
        return new String(source, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /**
     * Walks the pattern the way stringmatchlen_impl consumes it. Reading past the end of the
     * pattern in C sees the terminating NUL, which equals none of the bytes it is compared
     * with, so "past the end" here simply compares false.
     */
    private static final class Tokenizer {
        private final byte[] p;
        private final boolean nocase;
        int[] tokens;
        int count;
        final java.util.List<long[]> classes = new java.util.ArrayList<>();

        Tokenizer(byte[] p, boolean nocase) {
            this.p = p;
            this.nocase = nocase;
            this.tokens = new int[Math.max(1, p.length)];
        }

        void run() {
            int n = p.length;
            int i = 0;
            while (i < n) {
                byte b = p[i];
                switch (b) {
                    case '*':
                        while (i + 1 < n && p[i + 1] == '*') {
                            i++;
                        }
                        emit(STAR);
                        i++;
                        break;
                    case '?':
                        emit(ANY);
                        i++;
                        break;
                    case '[':
                        i = bracket(i + 1);
                        break;
                    case '\\':
                        if (n - i >= 2) {
                            i++;
                        }
                        emitLiteral(p[i]);
                        i++;
                        break;
                    default:
                        emitLiteral(b);
                        i++;
                        break;
                }
            }
        }

        private void emit(int t) {
            tokens[count++] = t;
        }

        private void emitLiteral(byte b) {
            emit(nocase ? lower(b & 0xFF) : (b & 0xFF));
        }

        /**
         * Parses a class starting just after '['; returns the index after it. The items are
         * recorded in pattern order and evaluated for every byte value with Redis's tests.
         */
        private int bracket(int i) {
            int n = p.length;
            boolean not = i < n && p[i] == '^';
            if (not) {
                i++;
            }
            // items: kind 0 = escaped byte (exact), 1 = literal, 2 = range; a, b signed bytes
            java.util.List<int[]> items = new java.util.ArrayList<>();
            while (true) {
                if (i < n && p[i] == '\\' && n - i >= 2) {
                    items.add(new int[] {0, p[i + 1], 0});
                    i += 2;
                } else if (i < n && p[i] == ']') {
                    i++;
                    break;
                } else if (i >= n) {
                    break;
                } else if (n - i >= 3 && p[i + 1] == '-') {
                    items.add(new int[] {2, p[i], p[i + 2]});
                    i += 3;
                } else {
                    items.add(new int[] {1, p[i], 0});
                    i++;
                }
            }
            long[] set = new long[4];
            for (int u = 0; u < 256; u++) {
                boolean match = false;
                byte c = (byte) u; // C's (signed) char
                for (int[] item : items) {
                    if (matchesItem(item, c)) {
                        match = true;
                        break;
                    }
                }
                if (match != not) {
                    set[u >>> 6] |= 1L << u;
                }
            }
            classes.add(set);
            emit(CLASS + classes.size() - 1);
            return i;
        }

        private boolean matchesItem(int[] item, byte c) {
            switch (item[0]) {
                case 0:
                    return item[1] == c;
                case 1:
                    return nocase ? lower(item[1]) == lower(c) : item[1] == c;
                default:
                    int start = item[1];
                    int end = item[2];
                    int ch = c;
                    if (start > end) {
                        int t = start;
                        start = end;
                        end = t;
                    }
                    if (nocase) {
                        start = lower(start);
                        end = lower(end);
                        ch = lower(ch);
                    }
                    return ch >= start && ch <= end;
            }
        }
    }
}
