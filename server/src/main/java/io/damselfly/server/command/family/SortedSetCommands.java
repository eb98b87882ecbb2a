package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.CACHEABLE;

import io.damselfly.server.keyspace.ByteKey;
import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.keyspace.KeyEvent;
import io.damselfly.server.keyspace.LexRange;
import io.damselfly.server.keyspace.ListOps.End;
import io.damselfly.server.keyspace.LongResult;
import io.damselfly.server.keyspace.OpStatus;
import io.damselfly.server.keyspace.ScoreRange;
import io.damselfly.server.keyspace.Scores;
import io.damselfly.server.keyspace.SortedSetOps;
import io.damselfly.server.keyspace.SortedSetOps.AddResult;
import io.damselfly.server.keyspace.SortedSetOps.Popped;
import io.damselfly.server.keyspace.SortedSetOps.Source;
import io.damselfly.server.keyspace.SortedSetView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sorted-set commands (Redis group "sorted-set"), as t_zset.c of Redis 7.0 implements them: ZADD
 * ZINCRBY ZSCORE ZMSCORE ZCARD ZCOUNT ZLEXCOUNT ZRANGE ZRANGESTORE ZRANGEBYSCORE ZREVRANGEBYSCORE
 * ZRANGEBYLEX ZREVRANGEBYLEX ZREVRANGE ZRANK ZREVRANK ZREM ZREMRANGEBYRANK ZREMRANGEBYSCORE
 * ZREMRANGEBYLEX ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER ZUNION ZINTER ZDIFF ZINTERCARD ZUNIONSTORE
 * ZINTERSTORE ZDIFFSTORE ZSCAN, and the blocking BZPOPMIN BZPOPMAX BZMPOP, whose clients wait in
 * the keyspace's blocked-key registry as {@link PopWaiter}s. Arguments are checked in Redis's
 * order, since it decides which error a bad call gets. Handlers parse and reply; {@code
 * db.sortedSets()} does the work.
 *
 * <p>Propagation, as t_zset.c rewrites: ZMPOP and a BZMPOP served at once go down the
 * replication stream as {@code ZPOPMIN|ZPOPMAX key n} (n the members popped), a BZPOPMIN or
 * BZPOPMAX served at once as {@code ZPOPMIN|ZPOPMAX key}; a client served later propagates its
 * pop itself ({@link PopWaiter}). Every other write goes as it was called.
 */
public final class SortedSetCommands {
    private SortedSetCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("zadd", SortedSetCommands::zadd);
        t.add("zincrby", SortedSetCommands::zincrby);
        t.add("zscore", SortedSetCommands::zscore, CACHEABLE);
        t.add("zmscore", SortedSetCommands::zmscore, CACHEABLE);
        t.add("zcard", SortedSetCommands::zcard, CACHEABLE);
        t.add("zcount", SortedSetCommands::zcount, CACHEABLE);
        t.add("zlexcount", SortedSetCommands::zlexcount, CACHEABLE);
        t.add("zrange", SortedSetCommands::zrange, CACHEABLE);
        t.add("zrangestore", SortedSetCommands::zrangestore);
        t.add("zrangebyscore", SortedSetCommands::zrangebyscore, CACHEABLE);
        t.add("zrevrangebyscore", SortedSetCommands::zrevrangebyscore, CACHEABLE);
        t.add("zrangebylex", SortedSetCommands::zrangebylex, CACHEABLE);
        t.add("zrevrangebylex", SortedSetCommands::zrevrangebylex, CACHEABLE);
        t.add("zrevrange", SortedSetCommands::zrevrange, CACHEABLE);
        t.add("zrank", SortedSetCommands::zrank, CACHEABLE);
        t.add("zrevrank", SortedSetCommands::zrevrank, CACHEABLE);
        t.add("zrem", SortedSetCommands::zrem);
        t.add("zremrangebyrank", SortedSetCommands::zremrangebyrank);
        t.add("zremrangebyscore", SortedSetCommands::zremrangebyscore);
        t.add("zremrangebylex", SortedSetCommands::zremrangebylex);
        t.add("zpopmin", SortedSetCommands::zpopmin);
        t.add("zpopmax", SortedSetCommands::zpopmax);
        t.add("zmpop", SortedSetCommands::zmpop);
        t.add("bzpopmin", SortedSetCommands::bzpopmin);
        t.add("bzpopmax", SortedSetCommands::bzpopmax);
        t.add("bzmpop", SortedSetCommands::bzmpop);
        t.add("zrandmember", SortedSetCommands::zrandmember);
        t.add("zunion", SortedSetCommands::zunion);
        t.add("zinter", SortedSetCommands::zinter);
        t.add("zdiff", SortedSetCommands::zdiff);
        t.add("zintercard", SortedSetCommands::zintercard);
        t.add("zunionstore", SortedSetCommands::zunionstore);
        t.add("zinterstore", SortedSetCommands::zinterstore);
        t.add("zdiffstore", SortedSetCommands::zdiffstore);
        t.add("zscan", SortedSetCommands::zscan);
    }

    static final String NAN_RESULT = "ERR resulting score is not a number (NaN)";
    static final String XX_AND_NX = "ERR XX and NX options at the same time are not compatible";
    static final String GT_LT_NX = "ERR GT, LT, and/or NX options at the same time are not compatible";
    static final String INCR_SINGLE_PAIR = "ERR INCR option supports a single increment-element pair";
    static final String SCORE_RANGE = "ERR min or max is not a float";
    static final String LEX_RANGE = "ERR min or max not valid string range item";
    static final String LIMIT_NEEDS_BY = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
    static final String WITHSCORES_BYLEX = "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
    static final String WEIGHT_NOT_FLOAT = "ERR weight value is not a float";
    static final String LIMIT_NEGATIVE = "ERR LIMIT can't be negative";
    static final String OUT_OF_RANGE_POSITIVE = "ERR value is out of range, must be positive";

    // ---- ZADD, ZINCRBY ----------------------------------------------------------------------

    /** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...] */
    static void zadd(CommandContext c) {
        add(c, 0);
    }

    /** ZINCRBY key increment member */
    static void zincrby(CommandContext c) {
        add(c, SortedSetOps.INCR);
    }

    /** Redis's zaddGenericCommand. */
    private static void add(CommandContext c, int flags) {
        int scoreIndex = 2;
        boolean ch = false;
        for (; scoreIndex < c.argc(); scoreIndex++) {
            if (c.argIs(scoreIndex, "nx")) {
                flags |= SortedSetOps.NX;
            } else if (c.argIs(scoreIndex, "xx")) {
                flags |= SortedSetOps.XX;
            } else if (c.argIs(scoreIndex, "ch")) {
                ch = true;
            } else if (c.argIs(scoreIndex, "incr")) {
                flags |= SortedSetOps.INCR;
            } else if (c.argIs(scoreIndex, "gt")) {
                flags |= SortedSetOps.GT;
            } else if (c.argIs(scoreIndex, "lt")) {
                flags |= SortedSetOps.LT;
            } else {
                break;
            }
        }
        boolean incr = (flags & SortedSetOps.INCR) != 0;
        boolean nx = (flags & SortedSetOps.NX) != 0;
        boolean gt = (flags & SortedSetOps.GT) != 0;
        boolean lt = (flags & SortedSetOps.LT) != 0;
        int elements = c.argc() - scoreIndex;
        if (elements % 2 != 0 || elements == 0) {
            throw c.syntaxError();
        }
        elements /= 2;
        if (nx && (flags & SortedSetOps.XX) != 0) {
            throw new CommandError(XX_AND_NX);
        }
        if (gt && nx || lt && nx || gt && lt) {
            throw new CommandError(GT_LT_NX);
        }
        if (incr && elements > 1) {
            throw new CommandError(INCR_SINGLE_PAIR);
        }
        double[] scores = new double[elements];
        for (int j = 0; j < elements; j++) {
            scores[j] = scoreArg(c, scoreIndex + 2 * j, Errors.NOT_FLOAT);
        }
        AddResult r = c.db().sortedSets().add(c.arg(1), flags, scores, c.argv(), scoreIndex + 1);
        Reply reply = c.reply();
        switch (r.status()) {
            case WRONG_TYPE -> reply.error(Errors.WRONGTYPE);
            case NAN_OR_INFINITY -> reply.error(NAN_RESULT);
            default -> {
                if (!incr) {
                    reply.integer(ch ? r.added() + r.updated() : r.added());
                } else if (r.processed() > 0) {
                    reply.doubleValue(r.score());
                } else {
                    reply.nullBulk();
                }
            }
        }
    }

    /** Argument i as getDoubleFromObjectOrReply reads a score, else {@code error}. */
    private static double scoreArg(CommandContext c, int i, String error) {
        double d = Scores.parse(c.arg(i));
        if (Double.isNaN(d)) {
            throw new CommandError(error);
        }
        return d;
    }

    // ---- single-member reads ----------------------------------------------------------------

    /** The sorted set at argument 1 (null when missing); WRONG_TYPE after writing the error. */
    private static SortedSetView readOrReplyWrongType(CommandContext c, byte[] key) {
        SortedSetView z = c.db().sortedSets().read(key);
        if (z == SortedSetView.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        }
        return z;
    }

    /** ZSCORE key member */
    static void zscore(CommandContext c) {
        SortedSetView z = readOrReplyWrongType(c, c.arg(1));
        if (z == SortedSetView.WRONG_TYPE) {
            return;
        }
        double s = z == null ? Double.NaN : z.score(c.arg(2));
        if (Double.isNaN(s)) {
            c.reply().nullBulk();
        } else {
            c.reply().doubleValue(s);
        }
    }

    /** ZMSCORE key member [member ...] */
    static void zmscore(CommandContext c) {
        SortedSetView z = readOrReplyWrongType(c, c.arg(1));
        if (z == SortedSetView.WRONG_TYPE) {
            return;
        }
        Reply reply = c.reply();
        reply.array(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            double s = z == null ? Double.NaN : z.score(c.arg(i));
            if (Double.isNaN(s)) {
                reply.nullBulk();
            } else {
                reply.doubleValue(s);
            }
        }
    }

    /** ZCARD key */
    static void zcard(CommandContext c) {
        SortedSetView z = readOrReplyWrongType(c, c.arg(1));
        if (z != SortedSetView.WRONG_TYPE) {
            c.reply().integer(z == null ? 0 : z.size());
        }
    }

    /** ZRANK key member */
    static void zrank(CommandContext c) {
        rank(c, false);
    }

    /** ZREVRANK key member */
    static void zrevrank(CommandContext c) {
        rank(c, true);
    }

    private static void rank(CommandContext c, boolean reverse) {
        SortedSetView z = readOrReplyWrongType(c, c.arg(1));
        if (z == SortedSetView.WRONG_TYPE) {
            return;
        }
        long r = z == null ? -1 : z.rank(c.arg(2));
        if (r < 0) {
            c.reply().nullBulk();
        } else {
            c.reply().integer(reverse ? z.size() - 1 - r : r);
        }
    }

    /** ZCOUNT key min max */
    static void zcount(CommandContext c) {
        ScoreRange range = ScoreRange.parse(c.arg(2), c.arg(3));
        if (range == null) {
            throw new CommandError(SCORE_RANGE);
        }
        SortedSetView z = readOrReplyWrongType(c, c.arg(1));
        if (z != SortedSetView.WRONG_TYPE) {
            c.reply().integer(z == null ? 0 : count(z.ranksOf(range)));
        }
    }

    /** ZLEXCOUNT key min max */
    static void zlexcount(CommandContext c) {
        LexRange range = LexRange.parse(c.arg(2), c.arg(3));
        if (range == null) {
            throw new CommandError(LEX_RANGE);
        }
        SortedSetView z = readOrReplyWrongType(c, c.arg(1));
        if (z != SortedSetView.WRONG_TYPE) {
            c.reply().integer(z == null ? 0 : z.lexCount(range));
        }
    }

    private static long count(long[] ranks) {
        return Math.max(0, ranks[1] - ranks[0] + 1);
    }

    // ---- ranges -----------------------------------------------------------------------------

    private enum RangeType { AUTO, RANK, SCORE, LEX }

    private enum Direction { AUTO, FORWARD, REVERSE }

    /** ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES] */
    static void zrange(CommandContext c) {
        range(c, 1, null, RangeType.AUTO, Direction.AUTO);
    }

    /** ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] */
    static void zrangestore(CommandContext c) {
        range(c, 2, c.arg(1), RangeType.AUTO, Direction.AUTO);
    }

    /** ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count] */
    static void zrangebyscore(CommandContext c) {
        range(c, 1, null, RangeType.SCORE, Direction.FORWARD);
    }

    /** ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count] */
    static void zrevrangebyscore(CommandContext c) {
        range(c, 1, null, RangeType.SCORE, Direction.REVERSE);
    }

    /** ZRANGEBYLEX key min max [LIMIT offset count] */
    static void zrangebylex(CommandContext c) {
        range(c, 1, null, RangeType.LEX, Direction.FORWARD);
    }

    /** ZREVRANGEBYLEX key max min [LIMIT offset count] */
    static void zrevrangebylex(CommandContext c) {
        range(c, 1, null, RangeType.LEX, Direction.REVERSE);
    }

    /** ZREVRANGE key start stop [WITHSCORES] */
    static void zrevrange(CommandContext c) {
        range(c, 1, null, RangeType.RANK, Direction.REVERSE);
    }

    /** Redis's zrangeGenericCommand: {@code keyIndex} names the source; {@code dst} is ZRANGESTORE's. */
    private static void range(CommandContext c, int keyIndex, byte[] dst, RangeType type, Direction direction) {
        boolean store = dst != null;
        int minIndex = keyIndex + 1;
        int maxIndex = keyIndex + 2;
        boolean withScores = false;
        long offset = 0;
        long limit = -1;
        for (int j = keyIndex + 3; j < c.argc(); j++) {
            int left = c.argc() - j - 1;
            if (!store && c.argIs(j, "withscores")) {
                withScores = true;
            } else if (c.argIs(j, "limit") && left >= 2) {
                offset = c.longArg(j + 1);
                limit = c.longArg(j + 2);
                j += 2;
            } else if (direction == Direction.AUTO && c.argIs(j, "rev")) {
                direction = Direction.REVERSE;
            } else if (type == RangeType.AUTO && c.argIs(j, "bylex")) {
                type = RangeType.LEX;
            } else if (type == RangeType.AUTO && c.argIs(j, "byscore")) {
                type = RangeType.SCORE;
            } else {
                throw c.syntaxError();
            }
        }
        boolean reverse = direction == Direction.REVERSE;
        if (type == RangeType.AUTO) {
            type = RangeType.RANK;
        }
        if (limit != -1 && type == RangeType.RANK) {
            throw new CommandError(LIMIT_NEEDS_BY);
        }
        if (withScores && type == RangeType.LEX) {
            throw new CommandError(WITHSCORES_BYLEX);
        }
        if (reverse && type != RangeType.RANK) {
            int t = maxIndex;
            maxIndex = minIndex;
            minIndex = t;
        }
        long start = 0;
        long end = 0;
        ScoreRange scores = null;
        LexRange lex = null;
        switch (type) {
            case SCORE -> {
                scores = ScoreRange.parse(c.arg(minIndex), c.arg(maxIndex));
                if (scores == null) {
                    throw new CommandError(SCORE_RANGE);
                }
            }
            case LEX -> {
                lex = LexRange.parse(c.arg(minIndex), c.arg(maxIndex));
                if (lex == null) {
                    throw new CommandError(LEX_RANGE);
                }
            }
            default -> {
                start = c.longArg(minIndex);
                end = c.longArg(maxIndex);
            }
        }
        SortedSetView z = c.db().sortedSets().read(c.arg(keyIndex));
        if (z == null) {
            if (store) {
                c.reply().integer(c.db().sortedSets().storeRange(dst, List.of(), new double[0], true));
            } else {
                c.reply().emptyArray();
            }
            return;
        }
        if (z == SortedSetView.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
            return;
        }
        // the ascending ranks [from, to] of the answer, LIMIT applied; reverse visits them from the top
        long n = z.size();
        long from;
        long to;
        if (type == RangeType.RANK) {
            if (start < 0) {
                start = n + start;
            }
            if (end < 0) {
                end = n + end;
            }
            if (start < 0) {
                start = 0;
            }
            if (start > end || start >= n) {
                from = 0;
                to = -1;
            } else {
                end = Math.min(end, n - 1);
                from = reverse ? n - 1 - end : start;
                to = reverse ? n - 1 - start : end;
            }
        } else if (type == RangeType.LEX) {
            long[] r = z.lexRanks(lex, reverse, offset, limit);
            from = r[0];
            to = r[1];
        } else {
            long[] r = z.ranksOf(scores);
            from = r[0];
            to = r[1];
            // LIMIT: a negative offset skips everything (Redis counts it down to zero), a negative count means all
            if (offset < 0 || offset > to - from) {
                to = from - 1;
            } else {
                if (reverse) {
                    to -= offset;
                    if (limit >= 0 && to - from + 1 > limit) {
                        from = to - limit + 1;
                    }
                } else {
                    from += offset;
                    if (limit >= 0 && to - from + 1 > limit) {
                        to = from + limit - 1;
                    }
                }
            }
        }
        if (store) {
            List<byte[]> members = new ArrayList<>((int) Math.max(0, to - from + 1));
            double[] values = new double[(int) Math.max(0, to - from + 1)];
            z.forRanks(from, to, reverse, (m, o, l, s) -> {
                values[members.size()] = s;
                members.add(Arrays.copyOfRange(m, o, o + l));
            });
            // Redis starts a rank range longer than the listpack allows as a skip list, any other as a listpack
            boolean compactStart = type != RangeType.RANK || members.size() <= c.server().keyspace().zsetLimits().maxEntries();
            c.reply().integer(c.db().sortedSets().storeRange(dst, members, values, compactStart));
            return;
        }
        replyEntries(c.reply(), z, from, to, reverse, withScores);
    }

    /** Ranks [from, to] as ZRANGE replies: members, with WITHSCORES flat in RESP2 and [member, score] pairs in RESP3. */
    private static void replyEntries(Reply reply, SortedSetView z, long from, long to, boolean reverse, boolean withScores) {
        long count = Math.max(0, to - from + 1);
        boolean pairs = withScores && reply.isResp3();
        reply.array(withScores && !pairs ? count * 2 : count);
        z.forRanks(from, to, reverse, (m, o, l, s) -> {
            if (pairs) {
                reply.array(2);
            }
            reply.bulk(m, o, l);
            if (withScores) {
                reply.doubleValue(s);
            }
        });
    }

    // ---- removals ---------------------------------------------------------------------------

    /** ZREM key member [member ...] */
    static void zrem(CommandContext c) {
        replyCount(c, c.db().sortedSets().remove(c.arg(1), c.argv(), 2));
    }

    /** ZREMRANGEBYRANK key start stop */
    static void zremrangebyrank(CommandContext c) {
        long start = c.longArg(2);
        long end = c.longArg(3);
        replyCount(c, c.db().sortedSets().removeRangeByRank(c.arg(1), start, end));
    }

    /** ZREMRANGEBYSCORE key min max */
    static void zremrangebyscore(CommandContext c) {
        ScoreRange range = ScoreRange.parse(c.arg(2), c.arg(3));
        if (range == null) {
            throw new CommandError(SCORE_RANGE);
        }
        replyCount(c, c.db().sortedSets().removeRangeByScore(c.arg(1), range));
    }

    /** ZREMRANGEBYLEX key min max */
    static void zremrangebylex(CommandContext c) {
        LexRange range = LexRange.parse(c.arg(2), c.arg(3));
        if (range == null) {
            throw new CommandError(LEX_RANGE);
        }
        replyCount(c, c.db().sortedSets().removeRangeByLex(c.arg(1), range));
    }

    private static void replyCount(CommandContext c, LongResult r) {
        if (r.isOk()) {
            c.reply().integer(r.value());
        } else {
            c.reply().error(Errors.WRONGTYPE);
        }
    }

    // ---- pops -------------------------------------------------------------------------------

    /** ZPOPMIN key [count] */
    static void zpopmin(CommandContext c) {
        pop(c, false);
    }

    /** ZPOPMAX key [count] */
    static void zpopmax(CommandContext c) {
        pop(c, true);
    }

    /** Redis's zpopMinMaxCommand. */
    private static void pop(CommandContext c, boolean max) {
        if (c.argc() > 3) {
            throw c.syntaxError();
        }
        long count = -1;
        if (c.argc() == 3) {
            count = ListCommands.rangeLong(c, 2, 0, OUT_OF_RANGE_POSITIVE);
        }
        Reply reply = c.reply();
        Popped p = c.db().sortedSets().pop(c.arg(1), max, count == -1 ? 1 : count);
        if (p.status() == OpStatus.WRONG_TYPE) {
            reply.error(Errors.WRONGTYPE);
            return;
        }
        if (p.isMissing() || count == 0) {
            reply.emptyArray();
            return;
        }
        boolean nested = reply.isResp3() && count != -1;
        int n = p.members().length;
        reply.array(nested ? n : n * 2);
        for (int i = 0; i < n; i++) {
            if (nested) {
                reply.array(2);
            }
            reply.bulk(p.members()[i]);
            reply.doubleValue(p.scores()[i]);
        }
    }

    /** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] */
    static void zmpop(CommandContext c) {
        MultiPop args = MultiPop.parse(c, 1, "min", "max");
        Popped p = c.db().sortedSets().popFirst(c.argv(), args.firstKey(), args.numKeys(), args.second(), args.count());
        if (p.status() == OpStatus.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        } else if (p.isMissing()) {
            c.reply().nullArray();
        } else {
            replyKeyAndScoredMembers(c.reply(), p.key(), p.members(), p.scores());
            if (c.propagating()) {
                c.propagateAs(popForm(args.second(), p.key(), p.members().length));
            }
        }
    }

    /** {@code ZPOPMIN|ZPOPMAX key [n]}: how a pop of n members propagates (n < 0: the single-member form). */
    static byte[][] popForm(boolean max, byte[] key, int n) {
        return ReplicatedForms.pop(max ? ReplicatedForms.ZPOPMAX : ReplicatedForms.ZPOPMIN, key, n);
    }

    /** [key, [[member, score] ...]]: ZMPOP and BZMPOP, in both protocols. */
    static void replyKeyAndScoredMembers(Reply r, byte[] key, byte[][] members, double[] scores) {
        r.array(2);
        r.bulk(key);
        r.array(members.length);
        for (int i = 0; i < members.length; i++) {
            r.array(2);
            r.bulk(members[i]);
            r.doubleValue(scores[i]);
        }
    }

    /** [key, member, score]: BZPOPMIN and BZPOPMAX. */
    static void replyKeyMemberScore(Reply r, byte[] key, byte[] member, double score) {
        r.array(3);
        r.bulk(key);
        r.bulk(member);
        r.doubleValue(score);
    }

    // ---- blocking pops ----------------------------------------------------------------------

    /** BZPOPMIN key [key ...] timeout */
    static void bzpopmin(CommandContext c) {
        blockingPop(c, 1, c.argc() - 2, false, -1, c.argc() - 1);
    }

    /** BZPOPMAX key [key ...] timeout */
    static void bzpopmax(CommandContext c) {
        blockingPop(c, 1, c.argc() - 2, true, -1, c.argc() - 1);
    }

    /** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] */
    static void bzmpop(CommandContext c) {
        MultiPop args = MultiPop.parse(c, 2, "min", "max");
        blockingPop(c, args.firstKey(), args.numKeys(), args.second(), args.count(), 1);
    }

    /**
     * Redis's blockingGenericZpopCommand: pops from the first key holding a sorted set, as
     * ZPOPMIN/ZPOPMAX (or ZMPOP for {@code count} != -1) would, or blocks on all the keys until
     * one is created as a sorted set or the timeout passes.
     */
    private static void blockingPop(CommandContext c, int firstKey, int numKeys, boolean max, long count, int timeoutIndex) {
        long timeout = Timeouts.seconds(c, timeoutIndex);
        PopWaiter.Shape shape = count == -1 ? PopWaiter.Shape.KEY_MEMBER_SCORE : PopWaiter.Shape.KEY_AND_SCORED_MEMBERS;
        long wanted = count == -1 ? 1 : count;
        Popped p = c.db().sortedSets().popFirst(c.argv(), firstKey, numKeys, max, wanted);
        if (p.status() == OpStatus.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        } else if (!p.isMissing()) {
            if (shape == PopWaiter.Shape.KEY_MEMBER_SCORE) {
                replyKeyMemberScore(c.reply(), p.key(), p.members()[0], p.scores()[0]);
            } else {
                replyKeyAndScoredMembers(c.reply(), p.key(), p.members(), p.scores());
            }
            if (c.propagating()) {
                c.propagateAs(popForm(max, p.key(), shape == PopWaiter.Shape.KEY_MEMBER_SCORE ? -1 : p.members().length));
            }
        } else {
            PopWaiter.block(c, firstKey, numKeys, timeout, shape, max ? End.RIGHT : End.LEFT, wanted, null, null);
        }
    }

    // ---- ZRANDMEMBER ------------------------------------------------------------------------

    /** Redis's ZRANDMEMBER_RANDOM_SAMPLE_LIMIT: repeated picks are written this many at a time. */
    private static final int RANDOM_SAMPLE_LIMIT = 1000;

    /** ZRANDMEMBER key [count [WITHSCORES]] */
    static void zrandmember(CommandContext c) {
        if (c.argc() == 2) {
            SortedSetView z = readOrReplyWrongType(c, c.arg(1));
            if (z == null) {
                c.reply().nullBulk();
            } else if (z != SortedSetView.WRONG_TYPE) {
                Reply reply = c.reply();
                z.randomEntries(1, false, ThreadLocalRandom.current(), (m, o, l, s) -> reply.bulk(m, o, l));
            }
            return;
        }
        long l = c.longArg(2);
        if (l == Long.MIN_VALUE) {
            throw new CommandError(Errors.COUNT_OUT_OF_RANGE);
        }
        boolean withScores = c.argc() == 4;
        if (c.argc() > 4 || (withScores && !c.argIs(3, "withscores"))) {
            throw c.syntaxError();
        }
        if (withScores && (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2)) {
            throw new CommandError(Errors.VALUE_OUT_OF_RANGE);
        }
        SortedSetView z = readOrReplyWrongType(c, c.arg(1));
        Reply reply = c.reply();
        if (z == SortedSetView.WRONG_TYPE) {
            return;
        }
        if (z == null || l == 0) {
            reply.emptyArray();
            return;
        }
        boolean unique = l > 0;
        long count = Math.abs(l);
        long replied = unique ? Math.min(count, z.size()) : count;
        boolean nested = withScores && reply.isResp3();
        reply.array(withScores && !nested ? replied * 2 : replied);
        SortedSetView.EntryConsumer out = (m, o, len, s) -> {
            if (nested) {
                reply.array(2);
            }
            reply.bulk(m, o, len);
            if (withScores) {
                reply.doubleValue(s);
            }
        };
        if (unique) {
            z.randomEntries(count, true, ThreadLocalRandom.current(), out);
            return;
        }
        for (long left = count; left > 0 && !c.replyOverLimit(); left -= RANDOM_SAMPLE_LIMIT) {
            z.randomEntries(Math.min(left, RANDOM_SAMPLE_LIMIT), false, ThreadLocalRandom.current(), out);
        }
    }

    // ---- ZUNION, ZINTER, ZDIFF and their STORE and CARD forms --------------------------------

    private enum SetOp { UNION, INTER, DIFF }

    private enum Aggregate { SUM, MIN, MAX }

    /** ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
    static void zunion(CommandContext c) {
        combine(c, 1, null, SetOp.UNION, false);
    }

    /** ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
    static void zinter(CommandContext c) {
        combine(c, 1, null, SetOp.INTER, false);
    }

    /** ZDIFF numkeys key [key ...] [WITHSCORES] */
    static void zdiff(CommandContext c) {
        combine(c, 1, null, SetOp.DIFF, false);
    }

    /** ZINTERCARD numkeys key [key ...] [LIMIT limit] */
    static void zintercard(CommandContext c) {
        combine(c, 1, null, SetOp.INTER, true);
    }

    /** ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] */
    static void zunionstore(CommandContext c) {
        combine(c, 2, c.arg(1), SetOp.UNION, false);
    }

    /** ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] */
    static void zinterstore(CommandContext c) {
        combine(c, 2, c.arg(1), SetOp.INTER, false);
    }

    /** ZDIFFSTORE destination numkeys key [key ...] */
    static void zdiffstore(CommandContext c) {
        combine(c, 2, c.arg(1), SetOp.DIFF, false);
    }

    /** Redis's zunionInterDiffGenericCommand. */
    private static void combine(CommandContext c, int numKeysIndex, byte[] dst, SetOp op, boolean cardinalityOnly) {
        long setCount = c.longArg(numKeysIndex);
        if (setCount < 1) {
            throw new CommandError("ERR at least 1 input key is needed for '" + c.command().fullName() + "' command");
        }
        if (setCount > c.argc() - (numKeysIndex + 1)) {
            throw c.syntaxError();
        }
        int n = (int) setCount;
        Source[] sources = new Source[n];
        double[] weights = new double[n];
        int j = numKeysIndex + 1;
        for (int i = 0; i < n; i++, j++) {
            sources[i] = c.db().sortedSets().source(c.arg(j));
            if (sources[i] == Source.WRONG_TYPE) {
                c.reply().error(Errors.WRONGTYPE);
                return;
            }
            weights[i] = 1.0;
        }
        Aggregate aggregate = Aggregate.SUM;
        boolean withScores = false;
        long limit = 0;
        while (j < c.argc()) {
            int remaining = c.argc() - j;
            if (op != SetOp.DIFF && !cardinalityOnly && remaining >= n + 1 && c.argIs(j, "weights")) {
                j++;
                for (int i = 0; i < n; i++, j++) {
                    weights[i] = scoreArg(c, j, WEIGHT_NOT_FLOAT);
                }
            } else if (op != SetOp.DIFF && !cardinalityOnly && remaining >= 2 && c.argIs(j, "aggregate")) {
                j++;
                if (c.argIs(j, "sum")) {
                    aggregate = Aggregate.SUM;
                } else if (c.argIs(j, "min")) {
                    aggregate = Aggregate.MIN;
                } else if (c.argIs(j, "max")) {
                    aggregate = Aggregate.MAX;
                } else {
                    throw c.syntaxError();
                }
                j++;
            } else if (remaining >= 1 && dst == null && !cardinalityOnly && c.argIs(j, "withscores")) {
                j++;
                withScores = true;
            } else if (cardinalityOnly && remaining >= 2 && c.argIs(j, "limit")) {
                limit = c.longArg(j + 1, LIMIT_NEGATIVE);
                if (limit < 0) {
                    throw new CommandError(LIMIT_NEGATIVE);
                }
                j += 2;
            } else {
                throw c.syntaxError();
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (op != SetOp.DIFF) {
            // smallest first, as Redis sorts its inputs by cardinality (ties keep their order)
            Arrays.sort(order, (a, b) -> Integer.compare(sources[a].size(), sources[b].size()));
        }
        List<byte[]> members = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        long cardinality = 0;
        if (op == SetOp.INTER) {
            Source first = sources[order[0]];
            if (first.size() > 0) {
                Aggregate agg = aggregate;
                long max = limit;
                long[] card = {0};
                boolean[] stop = {false};
                first.forEach((m, s) -> {
                    if (stop[0]) {
                        return;
                    }
                    double score = weights[order[0]] * s;
                    if (Double.isNaN(score)) {
                        score = 0;
                    }
                    for (int k = 1; k < n; k++) {
                        double v = sources[order[k]].score(m);
                        if (Double.isNaN(v)) {
                            return;
                        }
                        score = aggregate(agg, score, v * weights[order[k]]);
                    }
                    if (cardinalityOnly) {
                        card[0]++;
                        if (max > 0 && card[0] >= max) {
                            stop[0] = true;
                        }
                    } else {
                        members.add(m);
                        scores.add(score);
                    }
                });
                cardinality = card[0];
            }
        } else if (op == SetOp.UNION) {
            Map<ByteKey, double[]> accumulator = new HashMap<>();
            List<ByteKey> seen = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                int i = order[k];
                Aggregate agg = aggregate;
                sources[i].forEach((m, s) -> {
                    double score = weights[i] * s;
                    if (Double.isNaN(score)) {
                        score = 0;
                    }
                    ByteKey key = ByteKey.of(m);
                    double[] acc = accumulator.get(key);
                    if (acc == null) {
                        accumulator.put(key, new double[] {score});
                        seen.add(key);
                    } else {
                        acc[0] = aggregate(agg, acc[0], score);
                    }
                });
            }
            for (ByteKey m : seen) {
                members.add(m.bytes());
                scores.add(accumulator.get(m)[0]);
            }
        } else {
            Source first = sources[0];
            first.forEach((m, s) -> {
                for (int k = 1; k < n; k++) {
                    if (!Double.isNaN(sources[k].score(m))) {
                        return;
                    }
                }
                members.add(m);
                scores.add(s);
            });
        }
        if (cardinalityOnly) {
            c.reply().integer(cardinality);
            return;
        }
        double[] values = new double[scores.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = scores.get(i);
        }
        if (dst != null) {
            KeyEvent event = op == SetOp.UNION ? KeyEvent.ZUNIONSTORE : op == SetOp.INTER ? KeyEvent.ZINTERSTORE : KeyEvent.ZDIFFSTORE;
            c.reply().integer(c.db().sortedSets().store(dst, members, values, event));
            return;
        }
        // the reply is in the set's order: by score, then member
        Integer[] sorted = new Integer[values.length];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = i;
        }
        Arrays.sort(sorted, (a, b) -> {
            if (values[a] != values[b]) {
                return values[a] < values[b] ? -1 : 1;
            }
            return Arrays.compareUnsigned(members.get(a), members.get(b));
        });
        Reply reply = c.reply();
        boolean pairs = withScores && reply.isResp3();
        reply.array(withScores && !pairs ? sorted.length * 2 : sorted.length);
        for (int i : sorted) {
            if (pairs) {
                reply.array(2);
            }
            reply.bulk(members.get(i));
            if (withScores) {
                reply.doubleValue(values[i]);
            }
        }
    }

    /** zunionInterAggregate: SUM turns NaN (inf + -inf) into 0. */
    private static double aggregate(Aggregate a, double target, double value) {
        return switch (a) {
            case SUM -> {
                double s = target + value;
                yield Double.isNaN(s) ? 0 : s;
            }
            case MIN -> value < target ? value : target;
            case MAX -> value > target ? value : target;
        };
    }

    // ---- ZSCAN ------------------------------------------------------------------------------

    /** ZSCAN key cursor [MATCH pattern] [COUNT count] */
    static void zscan(CommandContext c) {
        long cursor = KeyCommands.parseCursor(c.arg(2));
        SortedSetView z = readOrReplyWrongType(c, c.arg(1));
        Reply reply = c.reply();
        if (z == SortedSetView.WRONG_TYPE) {
            return;
        }
        if (z == null) {
            ScanOptions.replyEmpty(reply);
            return;
        }
        ScanOptions scan = ScanOptions.parse(c);
        boolean compact = z.isCompact();
        List<byte[]> found = new ArrayList<>();
        long next = z.scan(cursor, scan.count(), (m, o, l, s) -> {
            byte[] member = Arrays.copyOfRange(m, o, o + l);
            if (scan.matches(member)) {
                found.add(member);
                // a listpack keeps scores as d2string text, a skiplist as doubles printed with %.17g
                found.add(compact ? Scores.formatStored(s) : Scores.format(s));
            }
        });
        ScanOptions.reply(reply, next, found);
    }
}
