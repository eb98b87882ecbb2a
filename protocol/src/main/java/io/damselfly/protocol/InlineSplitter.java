package io.damselfly.protocol;

import java.util.Arrays;

/**
 * Splits an inline request line into arguments exactly as Redis's {@code sdssplitargs} does.
 *
 * <p>Rules, from {@code sds.c}: blanks ({@code isspace}: space, tab, CR, LF, VT, FF) separate
 * words; inside {@code "double quotes"} the escapes {@code \n \r \t \b \a \xHH} are decoded and any
 * other escaped character stands for itself; inside {@code 'single quotes'} only {@code \'} is an
 * escape; a closing quote must be followed by a blank or the end of the line. Quotes may start in
 * the middle of a word ({@code ab"c d"} is one argument {@code abc d}). An unquoted word ends only
 * at space, tab, CR, LF or NUL, so a VT or FF inside a word is part of it although it is skipped
 * between words. A NUL ends the line, as it ends a C string.
 */
final class InlineSplitter {

    private static final byte[][] NONE = new byte[0][];

    private InlineSplitter() {}

    /** The arguments of {@code line} (without its line end), or null if its quotes are unbalanced. */
    static byte[][] split(byte[] line) {
        int n = line.length;
        byte[][] argv = NONE;
        int argc = 0;
        // A word never decodes longer than the line it came from.
        byte[] word = new byte[n];
        int p = 0;
        for (; ; ) {
            while (at(line, p) != 0 && isSpace(at(line, p))) {
                p++;
            }
            if (at(line, p) == 0) {
                return argc == argv.length ? argv : Arrays.copyOf(argv, argc);
            }
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            int len = 0;
            while (!done) {
                int c = at(line, p);
                if (inDouble) {
                    if (c == '\\' && at(line, p + 1) == 'x'
                            && isHex(at(line, p + 2)) && isHex(at(line, p + 3))) {
                        word[len++] = (byte) (hex(at(line, p + 2)) * 16 + hex(at(line, p + 3)));
                        p += 3;
                    } else if (c == '\\' && at(line, p + 1) != 0) {
                        p++;
                        word[len++] = (byte) unescape(at(line, p));
                    } else if (c == '"') {
                        if (at(line, p + 1) != 0 && !isSpace(at(line, p + 1))) {
                            return null; // closing quote must be followed by a blank or the end
                        }
                        done = true;
                    } else if (c == 0) {
                        return null; // unterminated quotes
                    } else {
                        word[len++] = (byte) c;
                    }
                } else if (inSingle) {
                    if (c == '\\' && at(line, p + 1) == '\'') {
                        p++;
                        word[len++] = '\'';
                    } else if (c == '\'') {
                        if (at(line, p + 1) != 0 && !isSpace(at(line, p + 1))) {
                            return null;
                        }
                        done = true;
                    } else if (c == 0) {
                        return null;
                    } else {
                        word[len++] = (byte) c;
                    }
                } else {
                    switch (c) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inDouble = true;
                        case '\'' -> inSingle = true;
                        default -> word[len++] = (byte) c;
                    }
                }
                if (at(line, p) != 0) {
                    p++;
                }
            }
            if (argc == argv.length) {
                argv = Arrays.copyOf(argv, Math.max(4, argc * 2));
            }
            argv[argc++] = Arrays.copyOf(word, len);
        }
    }

    /** The byte at {@code i} as 0..255, or 0 (the C string terminator) past the end. */
    private static int at(byte[] line, int i) {
        return i < line.length ? line[i] & 0xFF : 0;
    }

    /** C {@code isspace} in the C locale; bytes above 127 are not blanks. */
    private static boolean isSpace(int c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(int c) {
        if (c <= '9') {
            return c - '0';
        }
        return (c | 0x20) - 'a' + 10;
    }

    private static int unescape(int c) {
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 0x07;
            default -> c;
        };
    }
}
