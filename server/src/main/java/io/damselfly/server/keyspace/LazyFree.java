package io.damselfly.server.keyspace;

/**
 * Redis 7.0's lazy-free accounting (lazyfree.c), kept for INFO's lazyfreed_objects: Redis hands a
 * value to its background thread only when freeing it takes more than {@link #THRESHOLD}
 * allocations, and counts each such value once freed. damselfly has no background free (a removed
 * value is left to the collector, or its record slot is reused at once), so it counts the values
 * Redis would have freed in the background, on the same paths and by the same effort estimate,
 * and reports no pending ones.
 *
 * <p>The effort is Redis's lazyfreeGetFreeEffort: a list's quicklist nodes, a hash or set's table
 * entries and a sorted set's skiplist length (1 in their compact encodings), a stream's nodes
 * plus, for consumer groups, groups times (1 + the first group's pending entries); anything else
 * is one allocation. Lists are stored whole here, so their quicklist node count is estimated from
 * their bytes at Redis's default node size (8 KiB, list-max-listpack-size -2); a stream's radix
 * tree nodes are estimated by its listpack nodes plus one.
 */
public final class LazyFree {
    /** LAZYFREE_THRESHOLD: values of at most this effort are freed at once, even by UNLINK. */
    public static final long THRESHOLD = 64;
    /** A quicklist node's listpack bytes at the default list-max-listpack-size (-2). */
    private static final long QUICKLIST_NODE_BYTES = 8 * 1024;

    private LazyFree() {
    }

    /** The number of allocations Redis estimates freeing the entry's value takes. */
    static long effort(Object entry) {
        if (!(entry instanceof ObjectEntry o)) {
            return 1;
        }
        Value v = o.value;
        if (v instanceof ListValue l) {
            return Math.max(1, (l.elementBytes() + QUICKLIST_NODE_BYTES - 1) / QUICKLIST_NODE_BYTES);
        }
        if (v instanceof SetValue s) {
            return s.isIntSet() ? 1 : s.size();
        }
        if (v instanceof HashValue h) {
            return "hashtable".equals(h.encoding()) ? h.size() : 1;
        }
        if (v instanceof SortedSetValue z) {
            return "skiplist".equals(z.encoding()) ? z.size() : 1;
        }
        if (v instanceof StreamValue s) {
            long effort = s.nodeCount() + 1L;
            if (s.groupCount() > 0) {
                StreamValue.Group first = s.groups().iterator().next();
                effort += (long) s.groupCount() * (1 + first.pel().size());
            }
            return effort;
        }
        return 1;
    }

    /** Whether Redis's freeObjAsync would free the entry's value in the background. */
    static boolean wouldFreeInBackground(Object entry) {
        return effort(entry) > THRESHOLD;
    }
}
