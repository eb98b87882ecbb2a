package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.Reply;
import io.damselfly.server.keyspace.GlobPattern;
import java.util.List;

/**
 * What HSCAN, SSCAN and ZSCAN share (Redis's scanGenericCommand for a collection): the options
 * after the cursor, and the two-element reply of cursor and items.
 */
record CollectionScan(long count, GlobPattern match) {

    /** Parses {@code [MATCH pattern] [COUNT count]} from argument 3, Redis's way (COUNT &lt; 1 is a syntax error). */
    static CollectionScan parse(CommandContext c) {
        long count = 10;
        GlobPattern pattern = null;
        for (int i = 3; i < c.argc(); i += 2) {
            boolean hasValue = c.argc() - i >= 2;
            if (c.argIs(i, "count") && hasValue) {
                count = c.longArg(i + 1);
                if (count < 1) {
                    throw c.syntaxError();
                }
            } else if (c.argIs(i, "match") && hasValue) {
                pattern = GlobPattern.compile(c.arg(i + 1));
            } else {
                throw c.syntaxError();
            }
        }
        return new CollectionScan(count, pattern == null || pattern.isMatchAll() ? null : pattern);
    }

    /** Whether an item passes MATCH (always, without one). */
    boolean matches(byte[] item) {
        return match == null || match.matches(item);
    }

    /** The reply for a missing key: cursor 0, no items. */
    static void replyEmpty(Reply reply) {
        reply(reply, 0, List.of());
    }

    /** The reply: the next cursor and the items found. */
    static void reply(Reply reply, long next, List<byte[]> found) {
        reply.array(2);
        // Redis writes the unsigned cursor as a signed long; a table's cursors stay below its size
        reply.bulk(Long.toString(next));
        reply.bulkArray(found);
    }
}
