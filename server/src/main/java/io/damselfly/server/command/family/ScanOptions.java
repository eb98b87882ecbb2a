package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.Reply;
import io.damselfly.server.keyspace.GlobPattern;
import java.util.List;

/**
 * What SCAN, HSCAN, SSCAN and ZSCAN share (Redis's scanGenericCommand): the options after the
 * cursor, parsed one way, and the two-element reply of cursor and items. {@code type} is SCAN's
 * TYPE name, null when not given (the collection scans do not take TYPE, as in Redis).
 */
record ScanOptions(long count, GlobPattern match, byte[] type) {
    /** Redis's default COUNT. */
    static final int DEFAULT_COUNT = 10;

    /** HSCAN/SSCAN/ZSCAN: {@code [MATCH pattern] [COUNT count]} from argument 3. */
    static ScanOptions parse(CommandContext c) {
        return parse(c, 3, false);
    }

    /**
     * {@code [MATCH pattern] [COUNT count]}, and {@code [TYPE type]} when {@code allowType}, from
     * argument {@code from}, Redis's way: COUNT below 1 and anything else are syntax errors.
     */
    static ScanOptions parse(CommandContext c, int from, boolean allowType) {
        long count = DEFAULT_COUNT;
        GlobPattern pattern = null;
        byte[] type = null;
        for (int i = from; i < c.argc(); i += 2) {
            boolean hasValue = c.argc() - i >= 2;
            if (c.argIs(i, "count") && hasValue) {
                count = c.longArg(i + 1);
                if (count < 1) {
                    throw c.syntaxError();
                }
            } else if (c.argIs(i, "match") && hasValue) {
                pattern = GlobPattern.compile(c.arg(i + 1));
            } else if (allowType && c.argIs(i, "type") && hasValue) {
                type = c.arg(i + 1);
            } else {
                throw c.syntaxError();
            }
        }
        return new ScanOptions(count, pattern == null || pattern.isMatchAll() ? null : pattern, type);
    }

    /** Whether an item passes MATCH (always, without one). */
    boolean matches(byte[] item) {
        return match == null || match.matches(item);
    }

    /** The reply for a missing key: cursor 0, no items. */
    static void replyEmpty(Reply reply) {
        reply(reply, 0, List.of());
    }

    /** The reply: the next cursor (unsigned, as Redis writes it) and the items found. */
    static void reply(Reply reply, long next, List<byte[]> found) {
        reply.array(2);
        reply.bulk(Long.toUnsignedString(next));
        reply.bulkArray(found);
    }
}
