package io.damselfly.server.keyspace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import io.damselfly.server.keyspace.SortedSetView.EntryConsumer;

/**
 * A Redis sorted set: members (bytes) ordered by score, then member, in one of Redis's two
 * encodings, "listpack" while small and "skiplist" beyond. Changed only under its shard's lock,
 * by {@link SortedSetOps}; read by commands through {@link SortedSetView}. Ranks are 0-based.
 */
final class SortedSetValue implements Value {
    /*
     * Design. The compact form keeps the members in order in three flat arrays: one byte[] of
     * the members' bytes back to back, a char[] of where each member ends (an int[] past 64 KiB
     * of members, with raised limits), and the scores: an
     * int[] while every score is a whole number in int range (leaderboards, timestamps in
     * seconds, counters), a double[] from the first score that is not. A set of 100 8-byte
     * members with whole scores costs about 1.7 KB in three objects (a node per member would
     * cost three objects each). A member is found by a linear walk, as Redis walks its
     * listpack; an insertion or removal shifts the arrays; both are bounded by
     * zset-max-listpack-entries (128). Ranks are indexes, score ranges a binary search.
     * Arrays keep up to 1/8 (bytes) or double (slots) spare room and are trimmed when half empty.
     *
     * A score of -0 is kept as 0 in the compact form: Redis stores the text "-0" in a listpack,
     * which reads back as the integer 0 (ZSCORE answers 0), and that is what converts on.
     *
     * Conversion (zsetAdd, zsetConvert): to a ScoreSkipList when an addition would pass
     * maxEntries or adds a member longer than maxValueBytes; never back, except that the
     * results of ZRANGESTORE and ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE are built in the form their
     * size calls for ({@link #build}), as Redis's zsetConvertToListpackIfNeeded.
     *
     * Footprint: this object plus the three arrays, or plus the skip list's own account; O(1).
     */

    /** Out flags of {@link #add}, as zsetAdd's. */
    static final int ADDED = 1;
    static final int UPDATED = 2;
    static final int NOP = 4;
    static final int NAN = 8;
    /** In flags of {@link #add}. */
    static final int IN_INCR = 1;
    static final int IN_NX = 2;
    static final int IN_XX = 4;
    static final int IN_GT = 8;
    static final int IN_LT = 16;

    /** This object: header 12 + data 4 + two ends 8 + two scores 8 + count 4 + list 4 = 40. */
    private static final int VALUE_BYTES = 40;
    private static final byte[] NO_BYTES = new byte[0];
    private static final char[] NO_ENDS = new char[0];
    private static final int[] NO_INT_SCORES = new int[0];

    private byte[] data = NO_BYTES;
    /**
     * Where each member ends in {@link #data}: 2 bytes each while the members take at most 64 KiB
     * in all (always, at the default limits of 128 members of 64 bytes), else {@link #wideEnds}.
     */
    private char[] ends = NO_ENDS;
    /** The ends as ints, once the members passed 64 KiB (raised limits); null before. */
    private int[] wideEnds;
    /**
     * The compact form's scores while every one is a whole number in int range, 4 bytes each (a
     * listpack writes such a score in 1-5 bytes, where a double would take 8); null once another
     * score has widened them into {@link #scores} for good.
     */
    private int[] intScores = NO_INT_SCORES;
    /** The compact form's scores as doubles, or null while {@link #intScores} holds them. */
    private double[] scores;
    private int count;
    /** The large form, or null while compact. */
    private ScoreSkipList list;

    @Override
    public ValueType type() {
        return ValueType.ZSET;
    }

    @Override
    public String encoding() {
        return list == null ? "listpack" : "skiplist";
    }

    @Override
    public long footprint() {
        if (list != null) {
            return VALUE_BYTES + list.footprint();
        }
        long scoreBytes = scores != null ? doubleArray(scores.length) : MemoryLayout.intArray(intScores.length);
        long endBytes = wideEnds != null ? MemoryLayout.intArray(wideEnds.length) : MemoryLayout.charArray(ends.length);
        return VALUE_BYTES + MemoryLayout.byteArray(data.length) + endBytes + scoreBytes;
    }

    private static long doubleArray(int n) {
        return MemoryLayout.align(16 + 8L * n);
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    int size() {
        return list == null ? count : list.size();
    }

    boolean isCompact() {
        return list == null;
    }

    @Override
    public SortedSetValue copy() {
        SortedSetValue c = new SortedSetValue();
        if (list != null) {
            c.list = new ScoreSkipList();
            for (ScoreSkipList.Node n = list.first(); n != null; n = n.next[0]) {
                c.list.insert(n.member, n.score);
            }
        } else {
            c.data = Arrays.copyOf(data, used());
            if (wideEnds != null) {
                c.wideEnds = Arrays.copyOf(wideEnds, count);
                c.ends = null;
            } else {
                c.ends = Arrays.copyOf(ends, count);
            }
            if (scores != null) {
                c.scores = Arrays.copyOf(scores, count);
                c.intScores = null;
            } else {
                c.intScores = Arrays.copyOf(intScores, count);
            }
            c.count = count;
        }
        return c;
    }

    // ---- the compact form -------------------------------------------------------------------

    private int used() {
        return count == 0 ? 0 : endAt(count - 1);
    }

    private int startOf(int i) {
        return i == 0 ? 0 : endAt(i - 1);
    }

    private int indexOf(byte[] member) {
        int start = 0;
        for (int i = 0; i < count; i++) {
            int end = endAt(i);
            if (end - start == member.length && Arrays.equals(data, start, end, member, 0, member.length)) {
                return i;
            }
            start = end;
        }
        return -1;
    }

    /** Where (score, member) goes in the compact order: the first index that sorts after it. */
    private int insertionPoint(double score, byte[] member) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            double at = scoreAt(mid);
            int c = at != score ? (at < score ? -1 : 1)
                    : Arrays.compareUnsigned(data, startOf(mid), endAt(mid), member, 0, member.length);
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Makes room in the compact form for {@code entries} more members of {@code bytes} bytes in
     * all, at once: a ZADD of many members would otherwise regrow the arrays step by step (a
     * few times their final size in garbage), which a listpack's in-place realloc does not cost
     * Redis. Nothing is reserved past the compact form's limits, where the set converts anyway.
     */
    void reserve(int entries, long bytes, ListpackLimits limits) {
        if (list != null || count + entries > limits.maxEntries()) {
            return;
        }
        if (count + entries > endSlots()) {
            resizeEnds(count + entries);
            resizeScores(count + entries);
        }
        long need = used() + bytes;
        if (need > data.length && need <= Integer.MAX_VALUE - 8) {
            data = Arrays.copyOf(data, (int) need);
        }
    }

    private void insertAt(int i, byte[] member, double score) {
        if (count == endSlots()) {
            int slots = Math.max(4, count * 2);
            resizeEnds(slots);
            resizeScores(slots);
        }
        int used = used();
        int need = used + member.length;
        if (need > data.length) {
            long grown = MemoryLayout.align(need + (long) (need >> 3));
            data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(need, grown)));
        }
        int at = startOf(i);
        System.arraycopy(data, at, data, at + member.length, used - at);
        System.arraycopy(member, 0, data, at, member.length);
        moveEnds(i, i + 1, count - i);
        moveScores(i, i + 1, count - i);
        count++;
        setEndAt(i, at + member.length);
        for (int j = i + 1; j < count; j++) {
            setEndAt(j, endAt(j) + member.length);
        }
        setScoreAt(i, score == 0 ? 0.0 : score);
    }

    /** Removes the compact entries at indexes [from, to). */
    private void removeAt(int from, int to) {
        if (from >= to) {
            return;
        }
        int used = used();
        int start = startOf(from);
        int end = endAt(to - 1);
        int gone = end - start;
        System.arraycopy(data, end, data, start, used - end);
        moveEnds(to, from, count - to);
        moveScores(to, from, count - to);
        count -= to - from;
        for (int j = from; j < count; j++) {
            setEndAt(j, endAt(j) - gone);
        }
        if (count == 0) {
            data = NO_BYTES;
            clearEnds();
            clearScores();
            return;
        }
        if (used() < data.length / 2) {
            data = Arrays.copyOf(data, used());
        }
        if (count < endSlots() / 2 && endSlots() > 4) {
            resizeEnds(Math.max(4, count));
            resizeScores(Math.max(4, count));
        }
    }

    private byte[] memberAt(int i) {
        return Arrays.copyOfRange(data, startOf(i), endAt(i));
    }

    // ---- the compact form's ends: chars until the members pass 64 KiB ----------------------

    private int endAt(int i) {
        return wideEnds != null ? wideEnds[i] : ends[i];
    }

    private void setEndAt(int i, int end) {
        if (wideEnds == null) {
            if (end <= Character.MAX_VALUE) {
                ends[i] = (char) end;
                return;
            }
            wideEnds = new int[ends.length];
            for (int k = 0; k < ends.length; k++) {
                wideEnds[k] = ends[k];
            }
            ends = null;
        }
        wideEnds[i] = end;
    }

    private int endSlots() {
        return wideEnds != null ? wideEnds.length : ends.length;
    }

    private void resizeEnds(int slots) {
        if (wideEnds != null) {
            wideEnds = Arrays.copyOf(wideEnds, slots);
        } else {
            ends = Arrays.copyOf(ends, slots);
        }
    }

    private void moveEnds(int from, int to, int n) {
        if (wideEnds != null) {
            System.arraycopy(wideEnds, from, wideEnds, to, n);
        } else {
            System.arraycopy(ends, from, ends, to, n);
        }
    }

    private void clearEnds() {
        ends = NO_ENDS;
        wideEnds = null;
    }

    // ---- the compact form's scores: ints until a score needs a double ----------------------

    private double scoreAt(int i) {
        return scores != null ? scores[i] : intScores[i];
    }

    private void setScoreAt(int i, double score) {
        if (scores == null) {
            int whole = (int) score;
            if (whole == score) {
                intScores[i] = whole;
                return;
            }
            widenScores();
        }
        scores[i] = score;
    }

    /** From ints to doubles, for good: a score that is not a whole int arrived. */
    private void widenScores() {
        double[] d = new double[intScores.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = intScores[i];
        }
        scores = d;
        intScores = null;
    }

    private void resizeScores(int slots) {
        if (scores != null) {
            scores = Arrays.copyOf(scores, slots);
        } else {
            intScores = Arrays.copyOf(intScores, slots);
        }
    }

    private void moveScores(int from, int to, int n) {
        if (scores != null) {
            System.arraycopy(scores, from, scores, to, n);
        } else {
            System.arraycopy(intScores, from, intScores, to, n);
        }
    }

    private void clearScores() {
        intScores = NO_INT_SCORES;
        scores = null;
    }

    /** Moves everything into a skip list (zsetConvert); for good. */
    private void convert() {
        ScoreSkipList l = new ScoreSkipList();
        for (int i = 0; i < count; i++) {
            l.insert(memberAt(i), scoreAt(i));
        }
        list = l;
        data = NO_BYTES;
        clearEnds();
        clearScores();
        count = 0;
    }

    // ---- reading ----------------------------------------------------------------------------

    /** A member's score, or NaN when it is not in the set (scores are never NaN). */
    double score(byte[] member) {
        if (list != null) {
            ScoreSkipList.Node n = list.find(member);
            return n == null ? Double.NaN : n.score;
        }
        int i = indexOf(member);
        return i < 0 ? Double.NaN : scoreAt(i);
    }

    /** A member's 0-based rank in ascending order, or -1. */
    long rank(byte[] member) {
        if (list != null) {
            ScoreSkipList.Node n = list.find(member);
            return n == null ? -1 : list.rankOf(n) - 1;
        }
        return indexOf(member);
    }

    /**
     * Visits ranks {@code from..to} (0-based, inclusive, within the set), ascending, or
     * descending from {@code to} with {@code reverse}.
     */
    void forRanks(long from, long to, boolean reverse, EntryConsumer out) {
        if (from > to) {
            return;
        }
        if (list == null) {
            if (reverse) {
                for (int i = (int) to; i >= from; i--) {
                    out.accept(data, startOf(i), endAt(i) - startOf(i), scoreAt(i));
                }
            } else {
                for (int i = (int) from; i <= to; i++) {
                    out.accept(data, startOf(i), endAt(i) - startOf(i), scoreAt(i));
                }
            }
            return;
        }
        long n = to - from + 1;
        ScoreSkipList.Node x = list.nodeAt((reverse ? to : from) + 1);
        for (; n > 0 && x != null; n--) {
            out.accept(x.member, 0, x.member.length, x.score);
            x = reverse ? x.prev : x.next[0];
        }
    }

    /** How many members have a score below {@code score} (or at most it, with {@code inclusive}). */
    long countScoreBelow(double score, boolean inclusive) {
        if (list != null) {
            return list.countWhile(n -> inclusive ? n.score <= score : n.score < score);
        }
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (inclusive ? scoreAt(mid) <= score : scoreAt(mid) < score) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The 0-based ranks [first, last] of a score range; first > last when it holds nothing. */
    long[] ranksOf(ScoreRange r) {
        long first = countScoreBelow(r.min(), r.minExclusive());
        long last = countScoreBelow(r.max(), !r.maxExclusive()) - 1;
        return new long[] {first, last};
    }

    // ---- lex ranges, with Redis's walks (which decide what happens when scores differ) -----

    private static final long[] NO_RANKS = {0, -1};

    private boolean aboveMinAt(int i, LexRange r) {
        return r.aboveMin(data, startOf(i), endAt(i) - startOf(i));
    }

    private boolean belowMaxAt(int i, LexRange r) {
        return r.belowMax(data, startOf(i), endAt(i) - startOf(i));
    }

    private static boolean aboveMin(ScoreSkipList.Node n, LexRange r) {
        return r.aboveMin(n.member, 0, n.member.length);
    }

    private static boolean belowMax(ScoreSkipList.Node n, LexRange r) {
        return r.belowMax(n.member, 0, n.member.length);
    }

    /** zslIsInLexRange: the range is not empty in itself, the last member is past min and the first before max. */
    private boolean lexMayHold(LexRange r) {
        if (r.isEmptyInItself() || size() == 0) {
            return false;
        }
        if (list != null) {
            return aboveMin(list.last(), r) && belowMax(list.first(), r);
        }
        return aboveMinAt(count - 1, r) && belowMaxAt(0, r);
    }

    /** zslFirstInLexRange: the rank of the first member at or past min, if it is before max; else -1. */
    long firstInLex(LexRange r) {
        if (!lexMayHold(r)) {
            return -1;
        }
        if (list != null) {
            long c = list.countWhile(n -> !aboveMin(n, r));
            ScoreSkipList.Node x = list.nodeAt(c + 1);
            return x != null && belowMax(x, r) ? c : -1;
        }
        for (int i = 0; i < count; i++) {
            if (aboveMinAt(i, r)) {
                return belowMaxAt(i, r) ? i : -1;
            }
        }
        return -1;
    }

    /** zslLastInLexRange: the rank of the last member up to max, if it is past min; else -1. */
    long lastInLex(LexRange r) {
        if (!lexMayHold(r)) {
            return -1;
        }
        if (list != null) {
            long c = list.countWhile(n -> belowMax(n, r));
            ScoreSkipList.Node x = list.nodeAt(c);
            return x != null && aboveMin(x, r) ? c - 1 : -1;
        }
        for (int i = count - 1; i >= 0; i--) {
            if (belowMaxAt(i, r)) {
                return aboveMinAt(i, r) ? i : -1;
            }
        }
        return -1;
    }

    /**
     * How many members from rank {@code start} on, forward (before max) or backward (past min),
     * stay in the range, at most {@code max} (negative: no bound): Redis's walk over a range,
     * which stops at the first member out of it.
     */
    private long run(long start, boolean backward, long max, LexRange r) {
        long n = 0;
        if (list != null) {
            for (ScoreSkipList.Node x = list.nodeAt(start + 1); x != null && (max < 0 || n < max)
                    && (backward ? aboveMin(x, r) : belowMax(x, r)); x = backward ? x.prev : x.next[0]) {
                n++;
            }
            return n;
        }
        for (int i = (int) start; i >= 0 && i < count && (max < 0 || n < max)
                && (backward ? aboveMinAt(i, r) : belowMaxAt(i, r)); i += backward ? -1 : 1) {
            n++;
        }
        return n;
    }

    /**
     * ZRANGEBYLEX's answer as ascending ranks [first, last] (first > last: none): from the first
     * member in range (the last, with {@code reverse}), {@code offset} members skipped, then up to
     * {@code limit} (negative: all) while they stay in range.
     */
    long[] lexRanks(LexRange r, boolean reverse, long offset, long limit) {
        long start = reverse ? lastInLex(r) : firstInLex(r);
        int size = size();
        if (start < 0 || offset < 0 || offset >= size) {
            return NO_RANKS;
        }
        long at = reverse ? start - offset : start + offset;
        if (at < 0 || at >= size) {
            return NO_RANKS;
        }
        long n = run(at, reverse, limit, r);
        return reverse ? new long[] {at - n + 1, at} : new long[] {at, at + n - 1};
    }

    /** ZLEXCOUNT, as zlexcountCommand counts for each encoding. */
    long lexCount(LexRange r) {
        long first = firstInLex(r);
        if (first < 0) {
            return 0;
        }
        if (list == null) {
            return run(first, false, -1, r);
        }
        long last = lastInLex(r);
        return last < 0 ? size() - first : last - first + 1;
    }

    /** ZREMRANGEBYLEX's ranks [first, last]: from the first member past min, those up to max. */
    long[] lexRemovalRanks(LexRange r) {
        long start;
        if (list == null) {
            start = firstInLex(r);
        } else {
            // zslDeleteRangeByLex does not test the range first
            start = list.countWhile(n -> !aboveMin(n, r));
        }
        if (start < 0 || start >= size()) {
            return NO_RANKS;
        }
        return new long[] {start, start + run(start, false, -1, r) - 1};
    }

    /**
     * ZRANDMEMBER's picks: {@code count} independent uniform picks, or with {@code unique} that
     * many distinct members (every member, in order, when count reaches the size). Not empty.
     */
    void randomEntries(long n, boolean unique, RandomGenerator random, EntryConsumer out) {
        int size = size();
        if (unique && n >= size) {
            // the whole set, highest first: Redis's zset iterator walks from the tail
            forRanks(0, size - 1, true, out);
            return;
        }
        if (list != null && (!unique || n * 3 <= size)) {
            Set<ScoreSkipList.Node> seen = unique ? new HashSet<>() : null;
            for (long k = 0; k < n; ) {
                ScoreSkipList.Node x = list.randomNode(random);
                if (seen == null || seen.add(x)) {
                    out.accept(x.member, 0, x.member.length, x.score);
                    k++;
                }
            }
            return;
        }
        if (!unique) {
            for (long k = 0; k < n; k++) {
                int i = random.nextInt(size);
                out.accept(data, startOf(i), endAt(i) - startOf(i), scoreAt(i));
            }
            return;
        }
        // a partial Fisher-Yates shuffle of the ranks
        int[] ranks = new int[size];
        for (int i = 0; i < size; i++) {
            ranks[i] = i;
        }
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(size - i);
            int t = ranks[i];
            ranks[i] = ranks[j];
            ranks[j] = t;
            forRanks(ranks[i], ranks[i], false, out);
        }
    }

    /**
     * ZSCAN's walk: a compact set all at once with cursor 0; a skip list's member table from
     * {@code cursor} for about {@code count} members. Answers the next cursor.
     */
    long scan(long cursor, long count, EntryConsumer out) {
        if (list == null) {
            forRanks(0, this.count - 1, false, out);
            return 0;
        }
        long[] visited = {0};
        long maxIterations = count > Long.MAX_VALUE / 20 ? Long.MAX_VALUE : count * 20;
        do {
            cursor = list.scanStep(cursor, n -> {
                visited[0]++;
                out.accept(n.member, 0, n.member.length, n.score);
            });
        } while (cursor != 0 && maxIterations-- != 0 && visited[0] < count);
        return cursor;
    }

    // ---- writing ----------------------------------------------------------------------------

    /**
     * zsetAdd: adds or updates a member under the {@code IN_*} flags, answering the {@code
     * ADDED/UPDATED/NOP/NAN} flags; {@code newScore[0]} receives the score the member ends with
     * (when not NOP). Converts to the skip list past the limits.
     */
    int add(byte[] member, double score, int flags, double[] newScore, ListpackLimits limits) {
        boolean incr = (flags & IN_INCR) != 0;
        double current = score(member);
        if (!Double.isNaN(current)) {
            if ((flags & IN_NX) != 0) {
                return NOP;
            }
            if (incr) {
                score += current;
                if (Double.isNaN(score)) {
                    return NAN;
                }
            }
            if ((flags & IN_LT) != 0 && score >= current || (flags & IN_GT) != 0 && score <= current) {
                return NOP;
            }
            newScore[0] = score;
            if (score == current) {
                return 0;
            }
            if (list != null) {
                list.updateScore(list.find(member), score);
            } else {
                int i = indexOf(member);
                removeAt(i, i + 1);
                insertAt(insertionPoint(score, member), member, score);
            }
            return UPDATED;
        }
        if ((flags & IN_XX) != 0) {
            return NOP;
        }
        if (list == null && (count + 1 > limits.maxEntries() || member.length > limits.maxValueBytes())) {
            convert();
        }
        if (list != null) {
            list.insert(member, score);
        } else {
            insertAt(insertionPoint(score, member), member, score);
        }
        newScore[0] = score;
        return ADDED;
    }

    /** Removes a member; whether it was there. */
    boolean remove(byte[] member) {
        if (list != null) {
            ScoreSkipList.Node n = list.find(member);
            if (n == null) {
                return false;
            }
            list.delete(n);
            return true;
        }
        int i = indexOf(member);
        if (i < 0) {
            return false;
        }
        removeAt(i, i + 1);
        return true;
    }

    /** Removes ranks {@code from..to} (0-based, inclusive, within the set). */
    void removeRanks(long from, long to) {
        if (from > to) {
            return;
        }
        if (list == null) {
            removeAt((int) from, (int) to + 1);
            return;
        }
        ScoreSkipList.Node x = list.nodeAt(from + 1);
        for (long n = to - from + 1; n > 0 && x != null; n--) {
            ScoreSkipList.Node next = x.next[0];
            list.delete(x);
            x = next;
        }
    }

    /**
     * A set holding {@code members} with their {@code scores} (distinct members, any order), in
     * the form Redis gives a stored result: compact when it fits the limits, else a skip list.
     */
    static SortedSetValue build(List<byte[]> members, double[] scores, ListpackLimits limits) {
        SortedSetValue v = new SortedSetValue();
        int n = members.size();
        int longest = 0;
        for (byte[] m : members) {
            longest = Math.max(longest, m.length);
        }
        if (n > limits.maxEntries() || longest > limits.maxValueBytes()) {
            v.list = new ScoreSkipList();
            for (int i = 0; i < n; i++) {
                v.list.insert(members.get(i), scores[i]);
            }
            return v;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> ScoreSkipList.compare(norm(scores[a]), members.get(a), norm(scores[b]), members.get(b)));
        int total = 0;
        for (byte[] m : members) {
            total += m.length;
        }
        v.data = new byte[total];
        v.ends = new char[Math.max(4, n)];
        v.intScores = new int[Math.max(4, n)];
        int at = 0;
        for (int k = 0; k < n; k++) {
            byte[] m = members.get(order[k]);
            System.arraycopy(m, 0, v.data, at, m.length);
            at += m.length;
            v.setEndAt(k, at);
            v.setScoreAt(k, norm(scores[order[k]]));
        }
        v.count = n;
        return v;
    }

    private static double norm(double score) {
        return score == 0 ? 0.0 : score;
    }

    /** Every member and score, in order: for tests. */
    List<Object[]> entries() {
        List<Object[]> all = new ArrayList<>();
        forRanks(0, size() - 1, false, (m, o, l, s) -> all.add(new Object[] {Arrays.copyOfRange(m, o, o + l), s}));
        return all;
    }

    /** Recomputes what is kept incrementally; null when it agrees. For tests. */
    String checkStructure() {
        if (list != null) {
            return list.checkStructure();
        }
        int start = 0;
        for (int i = 0; i < count; i++) {
            if (endAt(i) < start) {
                return "ends decrease at " + i;
            }
            if (i > 0 && ScoreSkipList.compare(scoreAt(i - 1), memberAt(i - 1), scoreAt(i), memberAt(i)) >= 0) {
                return "out of order at " + i;
            }
            start = endAt(i);
        }
        return used() <= data.length ? null : "data overflows";
    }
}
