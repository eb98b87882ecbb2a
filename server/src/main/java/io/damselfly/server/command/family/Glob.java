package io.damselfly.server.command.family;

/**
 * Redis's glob (util.c stringmatchlen) for CONFIG GET and COMMAND LIST FILTERBY PATTERN, over
 * names that are short ASCII strings: {@code *}, {@code ?}, {@code [abc]}, {@code [^a-z]},
 * {@code \x} escapes.
 *
 * <p>TODO(glob): replace with keyspace.GlobPattern once it lands on main; this is a stand-in
 * kept private to the family package so there is one matcher to delete.
 *
 * <p>Matching is the classic two-pointer scan: on a mismatch it backtracks only to the most recent
 * {@code *}, letting it absorb one more character. That is correct for globs (a later star can
 * absorb whatever an earlier one could) and bounds the work to pattern length times name length,
 * where Redis's recursive matcher can go exponential on patterns like {@code *a*a*a*b}.
 */
final class Glob {
    private Glob() {
    }

    /** Whether the pattern contains glob syntax (Redis's strpbrk(name, "[*?")). */
    static boolean isPattern(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    /** Whether {@code name} matches {@code pattern}, ASCII case-insensitively when {@code nocase}. */
    static boolean matches(String pattern, String name, boolean nocase) {
        int p = 0;
        int s = 0;
        int starP = -1;
        int starS = -1;
        while (s < name.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                while (p < pattern.length() && pattern.charAt(p) == '*') {
                    p++;
                }
                if (p == pattern.length()) {
                    return true;
                }
                starP = p;
                starS = s;
                continue;
            }
            int next = p < pattern.length() ? matchOne(pattern, p, name.charAt(s), nocase) : -1;
            if (next >= 0) {
                p = next;
                s++;
            } else if (starP >= 0) {
                p = starP;
                s = ++starS;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    /**
     * Matches the single-character token at {@code p} (literal, {@code ?}, escape or class)
     * against {@code c}; returns the index after the token, or -1 on mismatch.
     */
    private static int matchOne(String pat, int p, char c, boolean nocase) {
        char t = pat.charAt(p);
        switch (t) {
            case '?':
                return p + 1;
            case '\\':
                if (p + 1 < pat.length()) {
                    return same(pat.charAt(p + 1), c, nocase) ? p + 2 : -1;
                }
                return same('\\', c, nocase) ? p + 1 : -1;
            case '[':
                return matchClass(pat, p + 1, c, nocase);
            default:
                return same(t, c, nocase) ? p + 1 : -1;
        }
    }

    /** A class starting after its '['; runs to ']' or, as in Redis, to the end of the pattern. */
    private static int matchClass(String pat, int p, char c, boolean nocase) {
        boolean not = p < pat.length() && pat.charAt(p) == '^';
        if (not) {
            p++;
        }
        boolean match = false;
        while (p < pat.length() && pat.charAt(p) != ']') {
            char a = pat.charAt(p);
            if (a == '\\' && p + 1 < pat.length()) {
                p++;
                match |= same(pat.charAt(p), c, nocase);
                p++;
            } else if (p + 2 < pat.length() && pat.charAt(p + 1) == '-' && pat.charAt(p + 2) != ']') {
                char lo = a;
                char hi = pat.charAt(p + 2);
                if (lo > hi) {
                    char x = lo;
                    lo = hi;
                    hi = x;
                }
                char cc = c;
                if (nocase) {
                    lo = lower(lo);
                    hi = lower(hi);
                    cc = lower(c);
                }
                match |= cc >= lo && cc <= hi;
                p += 3;
            } else {
                match |= same(a, c, nocase);
                p++;
            }
        }
        int after = p < pat.length() ? p + 1 : p;
        return match != not ? after : -1;
    }

    private static boolean same(char a, char b, boolean nocase) {
        return a == b || (nocase && lower(a) == lower(b));
    }

    private static char lower(char c) {
        return (c >= 'A' && c <= 'Z') ? (char) (c + ('a' - 'A')) : c;
    }
}
