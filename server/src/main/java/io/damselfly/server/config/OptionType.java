package io.damselfly.server.config;

import java.util.Locale;

/** How an option's text is parsed, validated and shown by CONFIG GET. */
public enum OptionType {
    INT,
    BOOL,
    STRING,
    /**
     * Bytes with Redis's units (1k = 1000, 1kb = 1024, likewise m/mb, g/gb; case-insensitive) and
     * Dragonfly's (1.5GB, 512MiB, 1TB): see {@link #parseMemory}.
     */
    MEMORY,
    /** One of a fixed set of lower-case words. */
    ENUM,
    /** Space-separated percentiles, each 0 to 100 ({@link PercentileList}). */
    PERCENTILES,
    /** A non-negative octal number (Redis's OCTAL_CONFIG: unixsocketperm), shown in octal. */
    OCTAL;

    /** Parses a value of this type; throws IllegalArgumentException with Redis's reason. */
    Object parse(String text, String[] choices, long min, long max) {
        switch (this) {
            case INT -> {
                long v;
                try {
                    // untrimmed, as Redis's string2ll: " 7" is not an integer
                    v = Long.parseLong(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("argument couldn't be parsed into an integer");
                }
                if (v < min || v > max) {
                    throw new IllegalArgumentException("argument must be between " + min + " and " + max + " inclusive");
                }
                return v;
            }
            case MEMORY -> {
                if (!text.equals(text.strip())) {
                    // as memtoull: blanks are neither digits nor a unit
                    throw new IllegalArgumentException("argument must be a memory value");
                }
                // as memtoull: no digits before a Redis unit (or nothing at all) read as 0
                long v = REDIS_UNIT_ONLY.matcher(text).matches() ? 0 : parseMemory(text);
                if (v < 0 && text.chars().allMatch(Character::isDigit)) {
                    // memtoull does not check overflow: the wrapped number fails the range check
                    throw new IllegalArgumentException("argument must be between " + min + " and " + max + " inclusive");
                }
                if (v < 0) {
                    throw new IllegalArgumentException("argument must be a memory value");
                }
                if (v < min || v > max) {
                    throw new IllegalArgumentException("argument must be between " + min + " and " + max + " inclusive");
                }
                return v;
            }
            case BOOL -> {
                // Redis's yesnotoi: yes or no in any case, nothing else (Dragonfly's words: flagBoolean)
                return switch (text.toLowerCase(Locale.ROOT)) {
                    case "yes" -> Boolean.TRUE;
                    case "no" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException("argument must be 'yes' or 'no'");
                };
            }
            case ENUM -> {
                String lower = text.toLowerCase(Locale.ROOT);
                for (String c : choices) {
                    if (c.equals(lower)) {
                        return c;
                    }
                }
                throw new IllegalArgumentException("argument(s) must be one of the following: " + String.join(", ", choices));
            }
            case PERCENTILES -> {
                return PercentileList.parse(text);
            }
            case OCTAL -> {
                // strtoll base 8 to the end of the text: optional blanks and sign, octal digits
                long v;
                try {
                    String t = text.stripLeading();
                    if (t.isEmpty() || t.startsWith("+-") || t.startsWith("-+")) {
                        throw new NumberFormatException();
                    }
                    v = Long.parseLong(t.startsWith("+") ? t.substring(1) : t, 8);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("argument couldn't be parsed as an octal number");
                }
                if (v < min || v > max) {
                    // an unsigned option: a negative value is far above the top, and the bounds print in octal
                    throw new IllegalArgumentException("argument must be between " + Long.toOctalString(min) + " and "
                            + Long.toOctalString(max) + " inclusive");
                }
                return v;
            }
            default -> {
                return text;
            }
        }
    }

    /**
     * A boolean in Dragonfly's flag syntax, read as absl's AbslParseFlag reads a bool (ASCII
     * blanks around it ignored, case-insensitive): 1, t, true, y, yes or 0, f, false, n, no.
     * Answers Redis's word for it, "yes" or "no", for {@link #parse}.
     */
    static String flagBoolean(String text) {
        String word = stripAsciiWhitespace(text).toLowerCase(Locale.ROOT);
        return switch (word) {
            case "1", "t", "true", "y", "yes" -> "yes";
            case "0", "f", "false", "n", "no" -> "no";
            default -> throw new IllegalArgumentException("argument must be true or false (or 1/0, t/f, yes/no, y/n)");
        };
    }

    /** Whether {@code text} is a boolean word in Dragonfly's flag syntax ({@link #flagBoolean}). */
    static boolean isFlagBoolean(String text) {
        try {
            flagBoolean(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** absl::StripAsciiWhitespace: space, \t, \n, \v, \f and \r at either end. */
    private static String stripAsciiWhitespace(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && isAsciiWhitespace(s.charAt(from))) {
            from++;
        }
        while (to > from && isAsciiWhitespace(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean isAsciiWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /** The CONFIG GET form of a parsed value. */
    String format(Object value) {
        if (this == BOOL) {
            return ((Boolean) value) ? "yes" : "no";
        }
        if (this == OCTAL) {
            return Long.toOctalString((Long) value);
        }
        return String.valueOf(value);
    }

    /** A Redis unit with no digits, or nothing: memtoull reads these as 0. */
    private static final java.util.regex.Pattern REDIS_UNIT_ONLY =
            java.util.regex.Pattern.compile("(?i)(b|k|kb|m|mb|g|gb)?");

    /**
     * Redis's memtoull, widened to what Dragonfly's memory flags take: a number with an optional
     * unit, case-insensitive; -1 when invalid.
     *
     * <p>Redis: digits, then b, k (1000), kb (1024), m, mb, g or gb. Dragonfly (absl flags through
     * its human-readable-bytes parser) also takes a fraction ({@code 1.5GB}) and binary units
     * spelled kib/mib/gib, and terabytes; those are accepted too, the result rounded to the nearest
     * byte. Where the two disagree (a bare {@code k}/{@code m}/{@code g}: 1000^n in Redis, 1024^n in
     * Dragonfly) Redis's meaning is kept, so a Redis config file means what it meant; the forms
     * Dragonfly's documentation and command lines use ({@code 6GB}, {@code 512mb}) mean the same in
     * both.
     */
    static long parseMemory(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        long mul = 1;
        String[][] units = {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}, {"tib", "1099511627776"},
                {"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"}, {"tb", "1099511627776"},
                {"k", "1000"}, {"m", "1000000"}, {"g", "1000000000"}, {"b", "1"}};
        for (String[] u : units) {
            if (s.endsWith(u[0])) {
                mul = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length());
                break;
            }
        }
        int dot = s.indexOf('.');
        String whole = dot < 0 ? s : s.substring(0, dot);
        String fraction = dot < 0 ? "" : s.substring(dot + 1);
        if (whole.isEmpty() || !allDigits(whole) || !allDigits(fraction) || (dot >= 0 && fraction.isEmpty())) {
            return -1;
        }
        try {
            if (fraction.isEmpty()) {
                return Math.multiplyExact(Long.parseLong(whole), mul);
            }
            return new java.math.BigDecimal(s).multiply(java.math.BigDecimal.valueOf(mul))
                    .setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            return -1;
        }
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
