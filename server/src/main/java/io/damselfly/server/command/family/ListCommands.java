package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.keyspace.BlockedKeys;
import io.damselfly.server.keyspace.BytesResult;
import io.damselfly.server.keyspace.ListOps;
import io.damselfly.server.keyspace.ListOps.Elements;
import io.damselfly.server.keyspace.ListOps.End;
import io.damselfly.server.keyspace.LongResult;
import io.damselfly.server.keyspace.Numbers;
import io.damselfly.server.keyspace.OpStatus;

/**
 * List commands (Redis group "list"), as t_list.c of Redis 7.0 implements them: LPUSH RPUSH
 * LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LREM LTRIM LINSERT LPOS LMOVE RPOPLPUSH LMPOP,
 * and the blocking BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP, whose blocked clients wait in the
 * keyspace's {@link BlockedKeys} as {@link PopWaiter}s.
 * Arguments are checked in Redis's order, since it decides which error a bad call gets.
 *
 * <p>Propagation, as t_list.c rewrites: LMPOP and a BLMPOP served at once go down the
 * replication stream as {@code LPOP|RPOP key n} (n the elements popped), a BLPOP or BRPOP
 * served at once as {@code LPOP|RPOP key}, BLMOVE as LMOVE and BRPOPLPUSH as RPOPLPUSH with the
 * caller's arguments; a client served later propagates its pop itself ({@link PopWaiter}).
 */
public final class ListCommands {
    private ListCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("lpush", ListCommands::lpush);
        t.add("rpush", ListCommands::rpush);
        t.add("lpushx", ListCommands::lpushx);
        t.add("rpushx", ListCommands::rpushx);
        t.add("lpop", ListCommands::lpop);
        t.add("rpop", ListCommands::rpop);
        t.add("llen", ListCommands::llen);
        t.add("lrange", ListCommands::lrange);
        t.add("lindex", ListCommands::lindex);
        t.add("lset", ListCommands::lset);
        t.add("lrem", ListCommands::lrem);
        t.add("ltrim", ListCommands::ltrim);
        t.add("linsert", ListCommands::linsert);
        t.add("lpos", ListCommands::lpos);
        t.add("lmove", ListCommands::lmove);
        t.add("rpoplpush", ListCommands::rpoplpush);
        t.add("lmpop", ListCommands::lmpop);
        t.add("blpop", ListCommands::blpop);
        t.add("brpop", ListCommands::brpop);
        t.add("blmpop", ListCommands::blmpop);
        t.add("blmove", ListCommands::blmove);
        t.add("brpoplpush", ListCommands::brpoplpush);
    }

    static final String OUT_OF_RANGE_POSITIVE = "ERR value is out of range, must be positive";
    static final String INDEX_OUT_OF_RANGE = "ERR index out of range";
    static final String RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
            + "second ... or use negative to start from the end of the list";
    static final String COUNT_NEGATIVE = "ERR COUNT can't be negative";
    static final String MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";
    static final String NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0";
    static final String COUNT_NOT_POSITIVE = "ERR count should be greater than 0";

    // ---- pushes -----------------------------------------------------------------------------

    /** LPUSH key element [element ...] */
    static void lpush(CommandContext c) {
        push(c, End.LEFT, false);
    }

    /** RPUSH key element [element ...] */
    static void rpush(CommandContext c) {
        push(c, End.RIGHT, false);
    }

    /** LPUSHX key element [element ...] */
    static void lpushx(CommandContext c) {
        push(c, End.LEFT, true);
    }

    /** RPUSHX key element [element ...] */
    static void rpushx(CommandContext c) {
        push(c, End.RIGHT, true);
    }

    private static void push(CommandContext c, End end, boolean onlyIfExists) {
        replyInteger(c, c.db().lists().push(c.arg(1), c.argv(), 2, end, onlyIfExists));
    }

    // ---- pops -------------------------------------------------------------------------------

    /** LPOP key [count] */
    static void lpop(CommandContext c) {
        pop(c, End.LEFT);
    }

    /** RPOP key [count] */
    static void rpop(CommandContext c) {
        pop(c, End.RIGHT);
    }

    private static void pop(CommandContext c, End end) {
        if (c.argc() > 3) {
            throw new CommandError(Errors.wrongArity(c.command().fullName()));
        }
        boolean hasCount = c.argc() == 3;
        long count = hasCount ? rangeLong(c, 2, 0, OUT_OF_RANGE_POSITIVE) : 1;
        Elements popped = c.db().lists().pop(c.arg(1), end, count);
        if (popped.status() == OpStatus.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        } else if (popped.isMissing()) {
            if (hasCount) {
                c.reply().nullArray();
            } else {
                c.reply().nullBulk();
            }
        } else if (hasCount) {
            replyElements(c.reply(), popped.elements());
        } else {
            c.reply().bulk(popped.elements()[0]);
        }
    }

    /** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
    static void lmpop(CommandContext c) {
        MultiPop args = MultiPop.parse(c, 1, "left", "right");
        Elements popped = c.db().lists().popFirst(c.argv(), args.firstKey(), args.numKeys(), end(args), args.count());
        if (popped.status() == OpStatus.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        } else if (popped.isMissing()) {
            c.reply().nullArray();
        } else {
            replyKeyAndElements(c.reply(), popped.key(), popped.elements());
            if (c.propagating()) {
                c.propagateAs(popForm(end(args), popped.key(), popped.elements().length));
            }
        }
    }

    /** {@code LPOP|RPOP key [n]}: how a pop of n elements propagates (n < 0: the single-element form). */
    static byte[][] popForm(End end, byte[] key, int n) {
        return ReplicatedForms.pop(end == End.LEFT ? ReplicatedForms.LPOP : ReplicatedForms.RPOP, key, n);
    }

    // ---- moves ------------------------------------------------------------------------------

    /** LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
    static void lmove(CommandContext c) {
        End from = endArg(c, 3);
        End to = endArg(c, 4);
        move(c, from, to);
    }

    /** RPOPLPUSH source destination */
    static void rpoplpush(CommandContext c) {
        move(c, End.RIGHT, End.LEFT);
    }

    static void move(CommandContext c, End from, End to) {
        BytesResult r = c.db().lists().move(c.arg(1), c.arg(2), from, to);
        if (r.status() == OpStatus.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        } else {
            c.reply().bulkOrNull(r.value());
        }
    }

    // ---- blocking pops -----------------------------------------------------------------------

    /** BLPOP key [key ...] timeout */
    static void blpop(CommandContext c) {
        blockingPop(c, 1, c.argc() - 2, End.LEFT, -1, c.argc() - 1);
    }

    /** BRPOP key [key ...] timeout */
    static void brpop(CommandContext c) {
        blockingPop(c, 1, c.argc() - 2, End.RIGHT, -1, c.argc() - 1);
    }

    /** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
    static void blmpop(CommandContext c) {
        MultiPop args = MultiPop.parse(c, 2, "left", "right");
        blockingPop(c, args.firstKey(), args.numKeys(), end(args), args.count(), 1);
    }

    /**
     * Redis's blockingPopGenericCommand: pops from the first key holding a list, as LPOP/RPOP (or
     * LMPOP for {@code count} != -1) would, or blocks on all the keys until one is created or the
     * timeout passes.
     */
    private static void blockingPop(CommandContext c, int firstKey, int numKeys, End end, long count, int timeoutIndex) {
        long timeout = Timeouts.seconds(c, timeoutIndex);
        PopWaiter.Shape shape = count == -1 ? PopWaiter.Shape.KEY_AND_ELEMENT : PopWaiter.Shape.KEY_AND_ELEMENTS;
        long wanted = count == -1 ? 1 : count;
        Elements popped = c.db().lists().popFirst(c.argv(), firstKey, numKeys, end, wanted);
        if (popped.status() == OpStatus.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        } else if (!popped.isMissing()) {
            if (shape == PopWaiter.Shape.KEY_AND_ELEMENT) {
                c.reply().array(2);
                c.reply().bulk(popped.key());
                c.reply().bulk(popped.elements()[0]);
            } else {
                replyKeyAndElements(c.reply(), popped.key(), popped.elements());
            }
            if (c.propagating()) {
                c.propagateAs(popForm(end, popped.key(), shape == PopWaiter.Shape.KEY_AND_ELEMENT ? -1 : popped.elements().length));
            }
        } else {
            PopWaiter.block(c, firstKey, numKeys, timeout, shape, end, wanted, null, null);
        }
    }

    /** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
    static void blmove(CommandContext c) {
        End from = endArg(c, 3);
        End to = endArg(c, 4);
        blockingMove(c, from, to, Timeouts.seconds(c, 5), false);
    }

    /** BRPOPLPUSH source destination timeout */
    static void brpoplpush(CommandContext c) {
        blockingMove(c, End.RIGHT, End.LEFT, Timeouts.seconds(c, 3), true);
    }

    /**
     * Redis's blmoveGenericCommand: LMOVE when the source holds a list (propagated as LMOVE, or
     * RPOPLPUSH for BRPOPLPUSH, with the caller's arguments), else block on it.
     */
    private static void blockingMove(CommandContext c, End from, End to, long timeout, boolean rpoplpush) {
        BytesResult r = c.db().lists().move(c.arg(1), c.arg(2), from, to);
        if (r.status() == OpStatus.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        } else if (r.value() != null) {
            c.reply().bulk(r.value());
            if (c.propagating()) {
                c.propagateAs(rpoplpush
                        ? new byte[][] {ReplicatedForms.RPOPLPUSH, c.arg(1), c.arg(2)}
                        : new byte[][] {ReplicatedForms.LMOVE, c.arg(1), c.arg(2), c.arg(3), c.arg(4)});
            }
        } else {
            PopWaiter.block(c, 1, 1, timeout, PopWaiter.Shape.ELEMENT, from, 1, c.arg(2), to);
        }
    }

    // ---- reads ------------------------------------------------------------------------------

    /** LLEN key */
    static void llen(CommandContext c) {
        replyInteger(c, c.db().lists().length(c.arg(1)));
    }

    /** LRANGE key start stop */
    static void lrange(CommandContext c) {
        long start = c.longArg(2);
        long end = c.longArg(3);
        Elements r = c.db().lists().range(c.arg(1), start, end);
        if (r.status() == OpStatus.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        } else if (r.isMissing()) {
            c.reply().emptyArray();
        } else {
            replyElements(c.reply(), r.elements());
        }
    }

    /** LINDEX key index */
    static void lindex(CommandContext c) {
        BytesResult r = c.db().lists().index(c.arg(1), Numbers.parseLong(c.arg(2)));
        switch (r.status()) {
            case OK -> c.reply().bulkOrNull(r.value());
            case WRONG_TYPE -> c.reply().error(Errors.WRONGTYPE);
            case NOT_INTEGER -> c.reply().error(Errors.NOT_INTEGER);
            default -> throw new IllegalStateException("unexpected " + r.status());
        }
    }

    /** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
    static void lpos(CommandContext c) {
        long rank = 1;
        long count = -1;
        long maxLength = 0;
        for (int j = 3; j < c.argc(); j++) {
            boolean more = j + 1 < c.argc();
            if (more && c.argIs(j, "rank")) {
                rank = c.longArg(++j);
                if (rank == 0) {
                    throw new CommandError(RANK_ZERO);
                }
            } else if (more && c.argIs(j, "count")) {
                count = rangeLong(c, ++j, 0, COUNT_NEGATIVE);
            } else if (more && c.argIs(j, "maxlen")) {
                maxLength = rangeLong(c, ++j, 0, MAXLEN_NEGATIVE);
            } else {
                throw c.syntaxError();
            }
        }
        // Redis negates the rank in a C long: LONG_MIN stays negative and so matches the first one from the tail
        long effectiveRank = rank == Long.MIN_VALUE ? -1 : rank;
        ListOps.Positions r = c.db().lists().positions(c.arg(1), c.arg(2), effectiveRank, count == -1 ? 1 : count, maxLength);
        if (r.status() == OpStatus.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
            return;
        }
        long[] found = r.indexes();
        if (count != -1) {
            c.reply().array(found == null ? 0 : found.length);
            if (found != null) {
                for (long i : found) {
                    c.reply().integer(i);
                }
            }
        } else if (found == null || found.length == 0) {
            c.reply().nullBulk();
        } else {
            c.reply().integer(found[0]);
        }
    }

    // ---- changes in the middle --------------------------------------------------------------

    /** LSET key index element */
    static void lset(CommandContext c) {
        switch (c.db().lists().set(c.arg(1), Numbers.parseLong(c.arg(2)), c.arg(3))) {
            case OK -> c.reply().ok();
            case NO_SUCH_KEY -> c.reply().error(Errors.NO_SUCH_KEY);
            case WRONG_TYPE -> c.reply().error(Errors.WRONGTYPE);
            case NOT_INTEGER -> c.reply().error(Errors.NOT_INTEGER);
            case NOT_DONE -> c.reply().error(INDEX_OUT_OF_RANGE);
            default -> throw new IllegalStateException("unexpected status");
        }
    }

    /** LREM key count element */
    static void lrem(CommandContext c) {
        long count = c.longArg(2);
        replyInteger(c, c.db().lists().remove(c.arg(1), count, c.arg(3)));
    }

    /** LTRIM key start stop */
    static void ltrim(CommandContext c) {
        long start = c.longArg(2);
        long end = c.longArg(3);
        if (c.db().lists().trim(c.arg(1), start, end) == OpStatus.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        } else {
            c.reply().ok();
        }
    }

    /** LINSERT key BEFORE|AFTER pivot element */
    static void linsert(CommandContext c) {
        boolean before;
        if (c.argIs(2, "after")) {
            before = false;
        } else if (c.argIs(2, "before")) {
            before = true;
        } else {
            throw c.syntaxError();
        }
        replyInteger(c, c.db().lists().insert(c.arg(1), before, c.arg(3), c.arg(4)));
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** LEFT or RIGHT at argument i (getListPositionFromObjectOrReply), else a syntax error. */
    private static End end(MultiPop args) {
        return args.second() ? End.RIGHT : End.LEFT;
    }

    static End endArg(CommandContext c, int i) {
        if (c.argIs(i, "right")) {
            return End.RIGHT;
        } else if (c.argIs(i, "left")) {
            return End.LEFT;
        }
        throw c.syntaxError();
    }

    /**
     * Redis's getRangeLongFromObjectOrReply with a message: argument i as a long of at least
     * {@code min}; not a number or too small both answer {@code error}.
     */
    static long rangeLong(CommandContext c, int i, long min, String error) {
        long v = c.longArg(i, error);
        if (v < min) {
            throw new CommandError(error);
        }
        return v;
    }

    private static void replyInteger(CommandContext c, LongResult r) {
        if (r.status() == OpStatus.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        } else {
            c.reply().integer(r.value());
        }
    }

    static void replyElements(Reply r, byte[][] elements) {
        r.array(elements.length);
        r.bulks(elements);
    }

    /** [key, [elements]]: LMPOP and BLMPOP. */
    static void replyKeyAndElements(Reply r, byte[] key, byte[][] elements) {
        r.array(2);
        r.bulk(key);
        replyElements(r, elements);
    }
}
