package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class GlobPatternTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean match(String pattern, String s) {
        return GlobPattern.compile(b(pattern)).matches(b(s));
    }

    private static boolean matchNocase(String pattern, String s) {
        return GlobPattern.compile(b(pattern), true).matches(b(s));
    }

    /** Checks both our pattern and the transliterated reference, so the reference is pinned too. */
    private static void check(boolean expected, String pattern, String s) {
        assertEquals(expected, match(pattern, s), "'" + pattern + "' vs '" + s + "'");
        assertEquals(expected, Reference.stringmatchlen(b(pattern), b(s), false), "reference: '" + pattern + "' vs '" + s + "'");
    }

    // ---- Redis's own cases (tests/unit/keyspace.tcl) ---------------------------------------

    @Test
    void keyspaceTcl_keysWithPattern() {
        List<String> keys = List.of("key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c");
        assertEquals(List.of("foo_a", "foo_b", "foo_c"), filter("foo*", keys));
    }

    @Test
    void keyspaceTcl_keysWithHashtag() {
        List<String> keys = List.of("{a}x", "{a}y", "{a}z", "{b}a", "{b}b", "{b}c");
        assertEquals(List.of("{a}x", "{a}y", "{a}z"), filter("{a}*", keys));
        assertEquals(List.of("{b}a", "{b}b", "{b}c"), filter("*{b}*", keys));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void keyspaceTcl_longNestedLoops() {
        check(false, "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(40));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void keyspaceTcl_veryLongNestedLoops() {
        // Redis 7 answers no match (nesting guard); we must neither overflow the stack nor spin
        assertFalse(match("*?".repeat(50_000), "a".repeat(50_000)));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void pathological_polynomialNotExponential() {
        String pattern = "*a".repeat(900) + "*b";
        assertFalse(match(pattern, "a".repeat(20_000)));
        assertTrue(match(pattern, "a".repeat(20_000) + "b"));
    }

    // ---- stringmatchlen quirks, checked against redis-server 7.0.15 by hand ----------------

    @Test
    void basics() {
        check(true, "", "");
        check(false, "", "a");
        check(true, "abc", "abc");
        check(false, "abc", "abd");
        check(false, "abc", "ab");
        check(true, "a?c", "abc");
        check(false, "a?c", "ac");
        check(true, "a*", "a");
        check(true, "a*", "abc");
        check(true, "*c", "abc");
        check(true, "a**c", "abbbc");
        check(true, "*a*b*", "xaxbx");
        check(false, "*a*b*", "xbxax");
        check(true, "?*", "a");
        check(false, "?*", "");
    }

    @Test
    void emptyString_matchesOnlyTheEmptyPattern() {
        check(false, "*", "");
        check(false, "**", "");
        check(true, "*", "a");
        assertTrue(GlobPattern.compile(b("*")).isMatchAll());
        assertFalse(GlobPattern.compile(b("**")).isMatchAll());
        assertFalse(GlobPattern.compile(b("a")).isMatchAll());
    }

    @Test
    void escapes() {
        check(true, "\\*", "*");
        check(false, "\\*", "a");
        check(true, "a\\?", "a?");
        check(false, "a\\?", "ab");
        check(true, "\\", "\\"); // a lone trailing backslash is itself
        check(true, "\\\\", "\\");
        check(true, "\\a", "a");
        check(true, "[\\]]", "]");
        check(false, "[\\]]", "\\");
    }

    @Test
    void classes() {
        check(true, "[abc]", "b");
        check(false, "[abc]", "d");
        check(true, "[^abc]", "d");
        check(false, "[^abc]", "a");
        check(true, "[a-c]", "b");
        check(true, "[c-a]", "b"); // reversed ranges are swapped
        check(false, "[c-a]", "d");
        check(true, "h[ae]llo", "hello");
        check(true, "h[^e]llo", "hallo");
        check(false, "h[^e]llo", "hello");
        check(true, "[a-]", "]"); // a range may end in ']': here ']'..'a'
        check(true, "[a-]", "^");
        check(false, "[a-]", "-");
        check(true, "[a-", "-"); // unterminated: the rest of the pattern is the class
        check(true, "[a-", "a");
        check(false, "[a-", "b");
        check(true, "[\\", "\\");
        check(false, "[]]", "]"); // "[]" is an empty class: never matches
        check(false, "[]", "]");
        check(false, "[", "[");
        check(true, "[^]", "x"); // an empty negated class matches any byte
        check(true, "[^", "x");
        check(true, "[-]", "-");
        check(true, "[*]", "*");
        check(false, "[*]", "a");
    }

    @Test
    void ranges_compareAsSignedChars() {
        // 0xff is -1 as a C char: "[a-\xff]" is the range -1..97
        check(true, "[a-\u00ff]", "a");
        check(true, "[a-\u00ff]", "]");
        check(false, "[a-\u00ff]", "b");
        check(false, "[a-\u00ff]", "\u00e9");
        check(true, "[\u0080-\u00ff]", "\u00e9");
        check(false, "[\u0080-\u00ff]", "a");
    }

    @Test
    void nocase() {
        assertTrue(matchNocase("HeLLo", "hello"));
        assertTrue(matchNocase("h*O", "HELLO"));
        assertTrue(matchNocase("[A-C]", "b"));
        assertTrue(matchNocase("[abc]", "B"));
        assertFalse(match("[abc]", "B"));
        assertTrue(matchNocase("maxmemory*", "MAXMEMORY-policy"));
        // inside a class an escaped byte compares exactly, even under nocase
        assertFalse(matchNocase("[\\A]", "a"));
        assertTrue(matchNocase("\\A", "a"));
        // the range is swapped before lower-casing: [Z-a] becomes 'z'..'a', which is empty
        assertFalse(matchNocase("[Z-a]", "z"));
        assertFalse(matchNocase("[Z-a]", "a"));
        assertTrue(match("[Z-a]", "_"));
        assertTrue(matchNocase("\u00c9", "\u00c9"));
        assertFalse(matchNocase("\u00c9", "\u00e9")); // only ASCII letters fold
    }

    @Test
    void nesting_limitIs1000StarRuns() {
        // 1000 star runs that are not the last token still match; 1001 never do (Redis's guard)
        String key = "a".repeat(1002);
        assertTrue(match("a*".repeat(1000) + "a", key));
        assertFalse(match("a*".repeat(1001) + "a", key));
        // a final star run does not recurse
        assertTrue(match("a*".repeat(1001), key));
        assertFalse(match("a*".repeat(1002), key));
        assertFalse(Reference.stringmatchlen(b("a*".repeat(1001) + "a"), b(key), false));
        assertTrue(Reference.stringmatchlen(b("a*".repeat(1000) + "a"), b(key), false));
    }

    @Test
    void offsetAndLength() {
        GlobPattern p = GlobPattern.compile(b("b*d"));
        byte[] s = b("xxbcdxx");
        assertTrue(p.matches(s, 2, 3));
        assertFalse(p.matches(s, 1, 4));
        GlobPattern lit = GlobPattern.compile(b("bcd"));
        assertTrue(lit.matches(s, 2, 3));
        assertFalse(lit.matches(s, 2, 4));
    }

    @Test
    void compile_copiesThePattern() {
        byte[] src = b("a*");
        GlobPattern p = GlobPattern.compile(src);
        src[0] = 'z';
        assertTrue(p.matches(b("abc")));
        assertEquals("a*", new String(p.source(), StandardCharsets.ISO_8859_1));
    }

    // ---- fuzz against the reference -------------------------------------------------------

    /** Bytes that exercise every branch: specials, letters of both cases, NUL, high bytes. */
    private static final byte[] PATTERN_ALPHABET = b("*?[]^-\\aAbBz\u0000\u00e9\u00ff");
    private static final byte[] STRING_ALPHABET = b("aAbBz-]^\\*?[\u0000\u00e9\u00ff");

    @Test
    void fuzz_matchesReference() {
        SplittableRandom r = new SplittableRandom(20240611);
        for (int iter = 0; iter < 300_000; iter++) {
            byte[] pattern = random(r, PATTERN_ALPHABET, r.nextInt(12));
            byte[] s = random(r, STRING_ALPHABET, r.nextInt(10));
            boolean nocase = r.nextInt(4) == 0;
            boolean expected = Reference.stringmatchlen(pattern, s, nocase);
            boolean actual = GlobPattern.compile(pattern, nocase).matches(s);
            if (expected != actual) {
                throw new AssertionError("pattern " + hex(pattern) + " string " + hex(s) + " nocase " + nocase
                        + ": reference " + expected + ", ours " + actual);
            }
        }
    }

    @Test
    void fuzz_fullByteRange() {
        SplittableRandom r = new SplittableRandom(7);
        for (int iter = 0; iter < 200_000; iter++) {
            byte[] pattern = new byte[r.nextInt(8)];
            byte[] s = new byte[r.nextInt(8)];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = r.nextInt(3) == 0 ? PATTERN_ALPHABET[r.nextInt(PATTERN_ALPHABET.length)] : (byte) r.nextInt(256);
            }
            for (int i = 0; i < s.length; i++) {
                s[i] = (byte) r.nextInt(256);
            }
            boolean nocase = r.nextBoolean();
            assertEquals(Reference.stringmatchlen(pattern, s, nocase), GlobPattern.compile(pattern, nocase).matches(s),
                    () -> "pattern " + hex(pattern) + " string " + hex(s) + " nocase " + nocase);
        }
    }

    /**
     * Compares with a real redis-server (skipped when none is installed, failed on CI): the same
     * keys, random patterns, KEYS on the server against our filter.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void fuzz_matchesRedisServer() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RawClient client = new RawClient("127.0.0.1", redis.port())) {
            SplittableRandom r = new SplittableRandom(99);
            List<byte[]> keys = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                byte[] k = random(r, STRING_ALPHABET, 1 + r.nextInt(6));
                keys.add(k);
                client.call("SET", k, "v");
            }
            for (int iter = 0; iter < 1500; iter++) {
                byte[] pattern = random(r, PATTERN_ALPHABET, 1 + r.nextInt(8));
                RespValue reply = client.call("KEYS", pattern);
                TreeSet<String> theirs = new TreeSet<>();
                for (RespValue v : ((RespValue.Array) reply).values()) {
                    theirs.add(hex(((RespValue.BulkString) v).value()));
                }
                GlobPattern g = GlobPattern.compile(pattern);
                TreeSet<String> ours = new TreeSet<>();
                for (byte[] k : keys) {
                    if (g.isMatchAll() || g.matches(k)) {
                        ours.add(hex(k));
                    }
                }
                assertEquals(theirs, ours, "KEYS " + hex(pattern));
            }
        }
    }

    private static byte[] random(SplittableRandom r, byte[] alphabet, int len) {
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            out[i] = alphabet[r.nextInt(alphabet.length)];
        }
        return out;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xFF));
        }
        return sb.toString();
    }

    private static List<String> filter(String pattern, List<String> keys) {
        GlobPattern p = GlobPattern.compile(b(pattern));
        return keys.stream().filter(k -> p.matches(b(k))).sorted().toList();
    }

    /**
     * Redis 7's stringmatchlen_impl transliterated line by line: recursion at '*', the
     * skipLongerMatches pruning and the nesting guard. Reading past the end of the pattern
     * yields 0, the C string's terminator. Slow and recursive; only for comparison.
     */
    static final class Reference {
        private final byte[] p;
        private final byte[] s;
        private final boolean nocase;
        private boolean skipLongerMatches;

        private Reference(byte[] p, byte[] s, boolean nocase) {
            this.p = p;
            this.s = s;
            this.nocase = nocase;
        }

        static boolean stringmatchlen(byte[] pattern, byte[] string, boolean nocase) {
            return new Reference(pattern, string, nocase).impl(0, pattern.length, 0, string.length, 0);
        }

        private int pat(int i) {
            return i < p.length ? p[i] : 0; // signed, as a C char
        }

        private static int tolower(int c) {
            return c >= 'A' && c <= 'Z' ? c + 32 : c;
        }

        // the escape case falls through into the literal case, as the C original does
        @SuppressWarnings("fallthrough")
        private boolean impl(int pi, int patternLen, int si, int stringLen, int nesting) {
            if (nesting > 1000) {
                return false;
            }
            while (patternLen != 0 && stringLen != 0) {
                switch (pat(pi)) {
                    case '*':
                        while (patternLen != 0 && pat(pi + 1) == '*') {
                            pi++;
                            patternLen--;
                        }
                        if (patternLen == 1) {
                            return true;
                        }
                        while (stringLen != 0) {
                            if (impl(pi + 1, patternLen - 1, si, stringLen, nesting + 1)) {
                                return true;
                            }
                            if (skipLongerMatches) {
                                return false;
                            }
                            si++;
                            stringLen--;
                        }
                        skipLongerMatches = true;
                        return false;
                    case '?':
                        si++;
                        stringLen--;
                        break;
                    case '[': {
                        pi++;
                        patternLen--;
                        boolean not = pat(pi) == '^';
                        if (not) {
                            pi++;
                            patternLen--;
                        }
                        boolean match = false;
                        while (true) {
                            if (pat(pi) == '\\' && patternLen >= 2) {
                                pi++;
                                patternLen--;
                                if (pat(pi) == s[si]) {
                                    match = true;
                                }
                            } else if (pat(pi) == ']') {
                                break;
                            } else if (patternLen == 0) {
                                pi--;
                                patternLen++;
                                break;
                            } else if (patternLen >= 3 && pat(pi + 1) == '-') {
                                int start = pat(pi);
                                int end = pat(pi + 2);
                                int c = s[si];
                                if (start > end) {
                                    int t = start;
                                    start = end;
                                    end = t;
                                }
                                if (nocase) {
                                    start = tolower(start);
                                    end = tolower(end);
                                    c = tolower(c);
                                }
                                pi += 2;
                                patternLen -= 2;
                                if (c >= start && c <= end) {
                                    match = true;
                                }
                            } else {
                                if (!nocase) {
                                    if (pat(pi) == s[si]) {
                                        match = true;
                                    }
                                } else if (tolower(pat(pi)) == tolower(s[si])) {
                                    match = true;
                                }
                            }
                            pi++;
                            patternLen--;
                        }
                        if (not) {
                            match = !match;
                        }
                        if (!match) {
                            return false;
                        }
                        si++;
                        stringLen--;
                        break;
                    }
                    case '\\':
                        if (patternLen >= 2) {
                            pi++;
                            patternLen--;
                        }
                        // fall through
                    default:
                        if (!nocase) {
                            if (pat(pi) != s[si]) {
                                return false;
                            }
                        } else if (tolower(pat(pi)) != tolower(s[si])) {
                            return false;
                        }
                        si++;
                        stringLen--;
                        break;
                }
                pi++;
                patternLen--;
                if (stringLen == 0) {
                    while (pat(pi) == '*') {
                        pi++;
                        patternLen--;
                    }
                    break;
                }
            }
            return patternLen == 0 && stringLen == 0;
        }
    }
}
