package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.keyspace.Numbers;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Redis's getTimeoutFromObjectOrReply (timeout.c) for every command that waits: a timeout in
 * seconds as a float (blocking pops) or in milliseconds as an integer (WAIT), answered in
 * milliseconds, 0 meaning forever, with Redis's error texts.
 */
final class Timeouts {
    static final String NOT_FLOAT = "ERR timeout is not a float or out of range";
    static final String NOT_INTEGER = "ERR timeout is not an integer or out of range";
    static final String NEGATIVE = "ERR timeout is negative";

    /** strtold also reads C99 hex floats ("0x10", "0x1.8p3"), which Java reads only with an exponent. */
    private static final Pattern HEX_FLOAT =
            Pattern.compile("[+-]?0[xX](?:[0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?");

    private Timeouts() {
    }

    /**
     * Argument {@code i} in seconds, a float, rounded up to whole milliseconds. C converts a value
     * beyond a long long (inf, 1e30) to LLONG_MIN on x86, so such timeouts are "negative" there,
     * and here too.
     */
    static long seconds(CommandContext c, int i) {
        byte[] arg = c.arg(i);
        Double seconds = Numbers.parseDouble(arg, arg.length);
        if (seconds == null) {
            seconds = parseHexFloat(arg);
        }
        if (seconds == null) {
            throw new CommandError(NOT_FLOAT);
        }
        double millis = Math.ceil(seconds * 1000.0);
        return checked(millis >= 0x1p63 || millis < -0x1p63 ? Long.MIN_VALUE : (long) millis);
    }

    /** Argument {@code i} in milliseconds, an integer. */
    static long millis(CommandContext c, int i) {
        Long v = Numbers.parseLong(c.arg(i));
        if (v == null) {
            throw new CommandError(NOT_INTEGER);
        }
        return checked(v);
    }

    private static long checked(long timeout) {
        if (timeout < 0) {
            throw new CommandError(NEGATIVE);
        }
        return timeout;
    }

    private static Double parseHexFloat(byte[] arg) {
        String s = new String(arg, StandardCharsets.ISO_8859_1);
        if (arg.length > 64 || !HEX_FLOAT.matcher(s).matches()) {
            return null;
        }
        return Double.parseDouble(s.indexOf('p') < 0 && s.indexOf('P') < 0 ? s + "p0" : s);
    }
}
