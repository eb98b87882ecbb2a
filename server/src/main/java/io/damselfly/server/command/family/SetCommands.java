package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.CACHEABLE;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.keyspace.BytesResult;
import io.damselfly.server.keyspace.LongResult;
import io.damselfly.server.keyspace.OpStatus;
import io.damselfly.server.keyspace.SetOps.Combine;
import io.damselfly.server.keyspace.SetOps.Members;
import io.damselfly.server.keyspace.SetView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Set commands (Redis group "set"), as t_set.c of Redis 7.0 implements them: SADD SREM SMEMBERS
 * SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER SUNION SDIFF SINTERSTORE SUNIONSTORE
 * SDIFFSTORE SINTERCARD SSCAN. Handlers parse and reply; {@code db.sets()} does the work. Whole
 * sets go out as RESP3 sets (SMEMBERS, SINTER, SUNION, SDIFF, SPOP with a count), SRANDMEMBER's
 * picks as an array, as Redis sends them.
 *
 * <p>Propagation, as t_set.c rewrites: SPOP goes down the replication stream as {@code SREM key
 * member}; SPOP with a count as {@code DEL key} when it took the whole set, else as one {@code
 * SREM key member} per member popped, in reply order, never as itself (spopWithCountCommand's
 * alsoPropagate and preventCommandPropagation: several make a MULTI/EXEC). Every other write goes
 * as it was called; SRANDMEMBER changes nothing and propagates nothing.
 */
public final class SetCommands {
    private SetCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("sadd", SetCommands::sadd);
        t.add("srem", SetCommands::srem);
        t.add("smembers", SetCommands::smembers, CACHEABLE);
        t.add("sismember", SetCommands::sismember, CACHEABLE);
        t.add("smismember", SetCommands::smismember, CACHEABLE);
        t.add("scard", SetCommands::scard, CACHEABLE);
        t.add("spop", SetCommands::spop);
        t.add("srandmember", SetCommands::srandmember);
        t.add("smove", SetCommands::smove);
        t.add("sinter", SetCommands::sinter, CACHEABLE);
        t.add("sunion", SetCommands::sunion, CACHEABLE);
        t.add("sdiff", SetCommands::sdiff, CACHEABLE);
        t.add("sinterstore", SetCommands::sinterstore);
        t.add("sunionstore", SetCommands::sunionstore);
        t.add("sdiffstore", SetCommands::sdiffstore);
        t.add("sintercard", SetCommands::sintercard, CACHEABLE);
        t.add("sscan", SetCommands::sscan);
    }

    /** Shared with the list family, whose LMPOP and LPOP say the same. */
    private static final String OUT_OF_RANGE_POSITIVE = ListCommands.OUT_OF_RANGE_POSITIVE;
    private static final String NUMKEYS_NOT_POSITIVE = ListCommands.NUMKEYS_NOT_POSITIVE;
    static final String TOO_MANY_KEYS = "ERR Number of keys can't be greater than number of args";
    static final String LIMIT_NEGATIVE = "ERR LIMIT can't be negative";

    /**
     * Repeated picks are written this many at a time, the output limit checked between batches
     * (Redis checks for a client to close after every pick; per batch costs less and overshoots
     * the limit by at most a batch).
     */
    private static final int RANDOM_SAMPLE_LIMIT = 1000;

    // ---- writes -----------------------------------------------------------------------------

    /** SADD key member [member ...] */
    static void sadd(CommandContext c) {
        replyCount(c, c.db().sets().add(c.arg(1), c.argv(), 2));
    }

    /** SREM key member [member ...] */
    static void srem(CommandContext c) {
        replyCount(c, c.db().sets().remove(c.arg(1), c.argv(), 2));
    }

    /** SMOVE source destination member */
    static void smove(CommandContext c) {
        replyCount(c, c.db().sets().move(c.arg(1), c.arg(2), c.arg(3)));
    }

    /** SPOP key [count] */
    static void spop(CommandContext c) {
        Reply reply = c.reply();
        if (c.argc() > 3) {
            throw c.syntaxError();
        }
        if (c.argc() == 2) {
            BytesResult r = c.db().sets().popOne(c.arg(1), ThreadLocalRandom.current());
            if (!r.isOk()) {
                reply.error(Errors.WRONGTYPE);
            } else if (r.value() == null) {
                reply.nullBulk();
            } else {
                reply.bulk(r.value());
                if (c.propagating()) {
                    c.propagateAs(ReplicatedForms.SREM, c.arg(1), r.value());
                }
            }
            return;
        }
        long count = c.longArg(2, OUT_OF_RANGE_POSITIVE);
        if (count < 0) {
            throw new CommandError(OUT_OF_RANGE_POSITIVE);
        }
        Members m = c.db().sets().pop(c.arg(1), count, ThreadLocalRandom.current());
        if (m.status() != OpStatus.OK) {
            reply.error(Errors.WRONGTYPE);
        } else if (m.isMissing()) {
            reply.set(0);
        } else {
            replySet(reply, m.members());
            if (c.propagating() && m.members().length > 0) {
                propagatePopped(c, m.members());
            }
        }
    }

    /** SPOP with a count: DEL when the set went whole, else an SREM per member popped. */
    private static void propagatePopped(CommandContext c, byte[][] members) {
        byte[] key = c.arg(1);
        if (!c.db().keys().existsForWrite(key)) {
            c.propagateAs(ReplicatedForms.DEL, key);
            return;
        }
        for (byte[] member : members) {
            c.alsoPropagate(ReplicatedForms.SREM, key, member);
        }
        c.preventPropagation();
    }

    private static void replyCount(CommandContext c, LongResult r) {
        if (r.isOk()) {
            c.reply().integer(r.value());
        } else {
            c.reply().error(Errors.WRONGTYPE);
        }
    }

    private static void replySet(Reply reply, byte[][] members) {
        reply.set(members.length);
        for (byte[] m : members) {
            reply.bulk(m);
        }
    }

    // ---- reads ------------------------------------------------------------------------------

    /** The set at argument 1 (null when missing); WRONG_TYPE after writing the error. */
    private static SetView readOrReplyWrongType(CommandContext c) {
        SetView s = c.db().sets().read(c.arg(1));
        if (s == SetView.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        }
        return s;
    }

    /** SMEMBERS key: as Redis, SINTER of one key. */
    static void smembers(CommandContext c) {
        combine(c, Combine.INTER, 1);
    }

    /** SISMEMBER key member */
    static void sismember(CommandContext c) {
        SetView s = readOrReplyWrongType(c);
        if (s != SetView.WRONG_TYPE) {
            c.reply().integer(s != null && s.contains(c.arg(2)) ? 1 : 0);
        }
    }

    /** SMISMEMBER key member [member ...] */
    static void smismember(CommandContext c) {
        SetView s = readOrReplyWrongType(c);
        if (s == SetView.WRONG_TYPE) {
            return;
        }
        Reply reply = c.reply();
        reply.array(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            reply.integer(s != null && s.contains(c.arg(i)) ? 1 : 0);
        }
    }

    /** SCARD key */
    static void scard(CommandContext c) {
        SetView s = readOrReplyWrongType(c);
        if (s != SetView.WRONG_TYPE) {
            c.reply().integer(s == null ? 0 : s.size());
        }
    }

    /** SRANDMEMBER key [count] */
    static void srandmember(CommandContext c) {
        if (c.argc() > 3) {
            throw c.syntaxError();
        }
        Reply reply = c.reply();
        if (c.argc() == 2) {
            SetView s = readOrReplyWrongType(c);
            if (s == null) {
                reply.nullBulk();
            } else if (s != SetView.WRONG_TYPE) {
                s.randomMembers(1, false, ThreadLocalRandom.current(), reply::bulk);
            }
            return;
        }
        long l = c.longArg(2);
        if (l == Long.MIN_VALUE) {
            throw new CommandError(Errors.COUNT_OUT_OF_RANGE);
        }
        SetView s = readOrReplyWrongType(c);
        if (s == SetView.WRONG_TYPE) {
            return;
        }
        if (s == null || l == 0) {
            reply.emptyArray();
            return;
        }
        boolean unique = l > 0;
        long count = Math.abs(l);
        reply.array(unique ? Math.min(count, s.size()) : count);
        if (unique) {
            s.randomMembers(count, true, ThreadLocalRandom.current(), reply::bulk);
            return;
        }
        // repeated picks have no bound but the count: write them in batches while the client may take them
        for (long left = count; left > 0 && !c.replyOverLimit(); left -= RANDOM_SAMPLE_LIMIT) {
            s.randomMembers(Math.min(left, RANDOM_SAMPLE_LIMIT), false, ThreadLocalRandom.current(), reply::bulk);
        }
    }

    // ---- combinations -----------------------------------------------------------------------

    /** SINTER key [key ...] */
    static void sinter(CommandContext c) {
        combine(c, Combine.INTER, 1);
    }

    /** SUNION key [key ...] */
    static void sunion(CommandContext c) {
        combine(c, Combine.UNION, 1);
    }

    /** SDIFF key [key ...] */
    static void sdiff(CommandContext c) {
        combine(c, Combine.DIFF, 1);
    }

    private static void combine(CommandContext c, Combine op, int firstKey) {
        Members m = c.db().sets().combine(op, c.argv(), firstKey, c.argc());
        if (m.status() != OpStatus.OK) {
            c.reply().error(Errors.WRONGTYPE);
        } else {
            replySet(c.reply(), m.members());
        }
    }

    /** SINTERSTORE destination key [key ...] */
    static void sinterstore(CommandContext c) {
        replyCount(c, c.db().sets().store(Combine.INTER, c.arg(1), c.argv(), 2, c.argc()));
    }

    /** SUNIONSTORE destination key [key ...] */
    static void sunionstore(CommandContext c) {
        replyCount(c, c.db().sets().store(Combine.UNION, c.arg(1), c.argv(), 2, c.argc()));
    }

    /** SDIFFSTORE destination key [key ...] */
    static void sdiffstore(CommandContext c) {
        replyCount(c, c.db().sets().store(Combine.DIFF, c.arg(1), c.argv(), 2, c.argc()));
    }

    /** SINTERCARD numkeys key [key ...] [LIMIT limit] */
    static void sintercard(CommandContext c) {
        long numKeys = c.longArg(1, NUMKEYS_NOT_POSITIVE);
        if (numKeys < 1) {
            throw new CommandError(NUMKEYS_NOT_POSITIVE);
        }
        if (numKeys > c.argc() - 2) {
            throw new CommandError(TOO_MANY_KEYS);
        }
        long limit = 0;
        for (int i = 2 + (int) numKeys; i < c.argc(); i++) {
            if (c.argIs(i, "limit") && i + 1 < c.argc()) {
                i++;
                limit = c.longArg(i, LIMIT_NEGATIVE);
                if (limit < 0) {
                    throw new CommandError(LIMIT_NEGATIVE);
                }
            } else {
                throw c.syntaxError();
            }
        }
        replyCount(c, c.db().sets().intersectionSize(c.argv(), 2, 2 + (int) numKeys, limit));
    }

    // ---- SSCAN ------------------------------------------------------------------------------

    /** SSCAN key cursor [MATCH pattern] [COUNT count] */
    static void sscan(CommandContext c) {
        long cursor = KeyCommands.parseCursor(c.arg(2));
        SetView s = readOrReplyWrongType(c);
        Reply reply = c.reply();
        if (s == SetView.WRONG_TYPE) {
            return;
        }
        if (s == null) {
            ScanOptions.replyEmpty(reply);
            return;
        }
        ScanOptions scan = ScanOptions.parse(c);
        List<byte[]> found = new ArrayList<>();
        long next = s.scan(cursor, scan.count(), m -> {
            if (scan.matches(m)) {
                found.add(m);
            }
        });
        ScanOptions.reply(reply, next, found);
    }
}
