package io.damselfly.server.keyspace;

import java.util.random.RandomGenerator;

/**
 * A sorted set as stored, lent to a command for the time it holds the key's shard lock: the
 * command writes what it reads into its reply at once and keeps nothing (arrays handed to the
 * consumers may be the set's own). Reads answer a view, null for a missing key, or the constant
 * {@link #WRONG_TYPE}, compared by identity. Ranks are 0-based, ascending by (score, member).
 */
public final class SortedSetView {
    /** The answer of a sorted-set read on a key of another type. */
    public static final SortedSetView WRONG_TYPE = new SortedSetView(null);

    /** Receives one member (as array, offset, length) and its score. */
    @FunctionalInterface
    public interface EntryConsumer {
        void accept(byte[] member, int offset, int length, double score);
    }

    private final SortedSetValue set;

    SortedSetView(SortedSetValue set) {
        this.set = set;
    }

    /** ZCARD. */
    public int size() {
        return set.size();
    }

    /** ZSCORE: the member's score, NaN when it is not in the set. */
    public double score(byte[] member) {
        return set.score(member);
    }

    /** ZRANK: the member's rank, -1 when it is not in the set. */
    public long rank(byte[] member) {
        return set.rank(member);
    }

    /** Ranks {@code from..to} (within the set, inclusive), ascending, or descending from {@code to}. */
    public void forRanks(long from, long to, boolean reverse, EntryConsumer out) {
        set.forRanks(from, to, reverse, out);
    }

    /** The ranks [first, last] a score range covers; first > last when none. */
    public long[] ranksOf(ScoreRange range) {
        return set.ranksOf(range);
    }

    /**
     * ZRANGEBYLEX's ranks [first, last] (first > last: none): from the first member in range
     * (the last with {@code reverse}), past {@code offset}, up to {@code limit} (negative: all).
     */
    public long[] lexRanks(LexRange range, boolean reverse, long offset, long limit) {
        return set.lexRanks(range, reverse, offset, limit);
    }

    /** ZLEXCOUNT. */
    public long lexCount(LexRange range) {
        return set.lexCount(range);
    }

    /** ZRANDMEMBER's picks (see SortedSetValue#randomEntries). */
    public void randomEntries(long count, boolean unique, RandomGenerator random, EntryConsumer out) {
        set.randomEntries(count, unique, random, out);
    }

    /** ZSCAN's walk from {@code cursor}; the next cursor, 0 when done. */
    public long scan(long cursor, long count, EntryConsumer out) {
        return set.scan(cursor, count, out);
    }

    /** Whether the set is in its compact form (ZSCAN prints stored scores as that form keeps them). */
    public boolean isCompact() {
        return set.isCompact();
    }
}
