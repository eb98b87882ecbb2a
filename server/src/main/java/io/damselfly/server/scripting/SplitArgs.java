package io.damselfly.server.scripting;

import java.util.ArrayList;
import java.util.List;

/**
 * Redis's sdssplitargs, which splits a shebang line ({@code #!lua name="my lib"}): words
 * separated by blanks, "double quotes" with C escapes (\n \r \t \b \a \\ \" \xHH) and 'single
 * quotes' with \' only. A closing quote must be followed by a blank or the end, and every quote
 * must close: otherwise the line is invalid and {@link #split} answers null, as Redis does.
 */
final class SplitArgs {
    private SplitArgs() {
    }

    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && isSpace(line.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            StringBuilder cur = new StringBuilder();
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done) {
                if (inDouble) {
                    if (i >= n) {
                        return null;
                    }
                    char c = line.charAt(i);
                    if (c == '\\' && i + 3 < n && line.charAt(i + 1) == 'x' && isHex(line.charAt(i + 2)) && isHex(line.charAt(i + 3))) {
                        cur.append((char) Integer.parseInt(line.substring(i + 2, i + 4), 16));
                        i += 3;
                    } else if (c == '\\' && i + 1 < n) {
                        i++;
                        char e = line.charAt(i);
                        cur.append(switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> (char) 7;
                            default -> e;
                        });
                    } else if (c == '"') {
                        if (i + 1 < n && !isSpace(line.charAt(i + 1))) {
                            return null;
                        }
                        done = true;
                    } else {
                        cur.append(c);
                    }
                } else if (inSingle) {
                    if (i >= n) {
                        return null;
                    }
                    char c = line.charAt(i);
                    if (c == '\\' && i + 1 < n && line.charAt(i + 1) == '\'') {
                        i++;
                        cur.append('\'');
                    } else if (c == '\'') {
                        if (i + 1 < n && !isSpace(line.charAt(i + 1))) {
                            return null;
                        }
                        done = true;
                    } else {
                        cur.append(c);
                    }
                } else {
                    if (i >= n) {
                        done = true;
                        break;
                    }
                    char c = line.charAt(i);
                    if (isSpace(c)) {
                        done = true;
                    } else if (c == '"') {
                        inDouble = true;
                    } else if (c == '\'') {
                        inSingle = true;
                    } else {
                        cur.append(c);
                    }
                }
                if (i < n) {
                    i++;
                }
            }
            out.add(cur.toString());
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0x0b || c == 0;
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
