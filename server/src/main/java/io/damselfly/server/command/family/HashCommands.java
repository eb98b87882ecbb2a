package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.CACHEABLE;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Reply;
import io.damselfly.server.keyspace.BytesResult;
import io.damselfly.server.keyspace.HashView;
import io.damselfly.server.keyspace.LongDouble;
import io.damselfly.server.keyspace.LongResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hash commands (Redis group "hash"), as t_hash.c of Redis 7.0 implements them: HSET HSETNX HGET
 * HMSET HMGET HGETALL HDEL HEXISTS HLEN HSTRLEN HKEYS HVALS HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN.
 * Handlers parse and reply; {@code db.hashes()} does the work.
 */
public final class HashCommands {
    private HashCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("hset", HashCommands::hset);
        t.add("hmset", HashCommands::hmset);
        t.add("hsetnx", HashCommands::hsetnx);
        t.add("hget", HashCommands::hget, CACHEABLE);
        t.add("hmget", HashCommands::hmget, CACHEABLE);
        t.add("hgetall", HashCommands::hgetall, CACHEABLE);
        t.add("hkeys", HashCommands::hkeys, CACHEABLE);
        t.add("hvals", HashCommands::hvals, CACHEABLE);
        t.add("hdel", HashCommands::hdel);
        t.add("hexists", HashCommands::hexists, CACHEABLE);
        t.add("hlen", HashCommands::hlen, CACHEABLE);
        t.add("hstrlen", HashCommands::hstrlen, CACHEABLE);
        t.add("hincrby", HashCommands::hincrby);
        t.add("hincrbyfloat", HashCommands::hincrbyfloat);
        t.add("hrandfield", HashCommands::hrandfield);
        t.add("hscan", HashCommands::hscan);
    }

    // ---- writes -----------------------------------------------------------------------------

    /** HSET key field value [field value ...] */
    static void hset(CommandContext c) {
        LongResult r = setPairs(c);
        if (r != null) {
            c.reply().integer(r.value());
        }
    }

    /** HMSET key field value [field value ...] */
    static void hmset(CommandContext c) {
        if (setPairs(c) != null) {
            c.reply().ok();
        }
    }

    /** The pairs of HSET or HMSET set; null when the reply (WRONGTYPE) is written. */
    private static LongResult setPairs(CommandContext c) {
        if (c.argc() % 2 == 1) {
            throw new CommandError(Errors.wrongArity(c.command().fullName()));
        }
        LongResult r = c.db().hashes().set(c.arg(1), c.argv(), 2);
        if (r.isOk()) {
            return r;
        }
        c.reply().error(Errors.WRONGTYPE);
        return null;
    }

    /** HSETNX key field value */
    static void hsetnx(CommandContext c) {
        replyCount(c, c.db().hashes().setIfAbsent(c.arg(1), c.arg(2), c.arg(3)));
    }

    /** HDEL key field [field ...] */
    static void hdel(CommandContext c) {
        replyCount(c, c.db().hashes().delete(c.arg(1), c.argv(), 2));
    }

    /** HINCRBY key field increment */
    static void hincrby(CommandContext c) {
        long delta = c.longArg(3);
        LongResult r = c.db().hashes().incrBy(c.arg(1), c.arg(2), delta);
        switch (r.status()) {
            case OK -> c.reply().integer(r.value());
            case WRONG_TYPE -> c.reply().error(Errors.WRONGTYPE);
            case NOT_INTEGER -> c.reply().error(Errors.HASH_VALUE_NOT_INTEGER);
            case OVERFLOW -> c.reply().error(Errors.OVERFLOW);
            default -> throw new IllegalStateException("unexpected " + r.status());
        }
    }

    /** HINCRBYFLOAT key field increment: propagated as HSET key field result (hincrbyfloatCommand). */
    static void hincrbyfloat(CommandContext c) {
        byte[] text = c.arg(3);
        LongDouble increment = LongDouble.parse(text, text.length);
        if (increment == null) {
            throw new CommandError(Errors.NOT_FLOAT);
        }
        if (!increment.isFinite()) {
            throw new CommandError(Errors.VALUE_NAN_OR_INFINITY);
        }
        BytesResult r = c.db().hashes().incrByFloat(c.arg(1), c.arg(2), increment);
        switch (r.status()) {
            case OK -> {
                c.reply().bulk(r.value());
                if (c.propagating()) {
                    // the result, not the increment: replicas must not redo float arithmetic
                    c.propagateAs(ReplicatedForms.HSET, c.arg(1), c.arg(2), r.value());
                }
            }
            case WRONG_TYPE -> c.reply().error(Errors.WRONGTYPE);
            case NOT_FLOAT -> c.reply().error(Errors.HASH_VALUE_NOT_FLOAT);
            case NAN_OR_INFINITY -> c.reply().error(Errors.NAN_OR_INFINITY);
            default -> throw new IllegalStateException("unexpected " + r.status());
        }
    }

    private static void replyCount(CommandContext c, LongResult r) {
        if (r.isOk()) {
            c.reply().integer(r.value());
        } else {
            c.reply().error(Errors.WRONGTYPE);
        }
    }

    // ---- reads ------------------------------------------------------------------------------

    /** HGET key field */
    static void hget(CommandContext c) {
        HashView h = readOrReplyWrongType(c);
        Reply reply = c.reply();
        if (h != HashView.WRONG_TYPE && (h == null || !h.get(c.arg(2), reply::bulk))) {
            reply.nullBulk();
        }
    }

    /** HMGET key field [field ...] */
    static void hmget(CommandContext c) {
        HashView h = c.db().hashes().read(c.arg(1));
        if (h == HashView.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
            return;
        }
        Reply reply = c.reply();
        reply.array(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            if (h == null || !h.get(c.arg(i), reply::bulk)) {
                reply.nullBulk();
            }
        }
    }

    /** HGETALL key: a map in RESP3, a flat array in RESP2. */
    static void hgetall(CommandContext c) {
        replyAll(c, true, true);
    }

    /** HKEYS key */
    static void hkeys(CommandContext c) {
        replyAll(c, true, false);
    }

    /** HVALS key */
    static void hvals(CommandContext c) {
        replyAll(c, false, true);
    }

    /** Every field, value or both (then a map) of the hash, as Redis's genericHgetallCommand. */
    private static void replyAll(CommandContext c, boolean fields, boolean values) {
        HashView h = readOrReplyWrongType(c);
        Reply reply = c.reply();
        if (h == HashView.WRONG_TYPE) {
            return;
        }
        int size = h == null ? 0 : h.size();
        if (fields && values) {
            reply.map(size);
        } else {
            reply.array(size);
        }
        if (h != null) {
            h.forEach((f, fo, fl, v, vo, vl) -> {
                if (fields) {
                    reply.bulk(f, fo, fl);
                }
                if (values) {
                    reply.bulk(v, vo, vl);
                }
            });
        }
    }

    /** HEXISTS key field */
    static void hexists(CommandContext c) {
        HashView h = readOrReplyWrongType(c);
        if (h != HashView.WRONG_TYPE) {
            c.reply().integer(h != null && h.contains(c.arg(2)) ? 1 : 0);
        }
    }

    /** HLEN key */
    static void hlen(CommandContext c) {
        HashView h = readOrReplyWrongType(c);
        if (h != HashView.WRONG_TYPE) {
            c.reply().integer(h == null ? 0 : h.size());
        }
    }

    /** HSTRLEN key field */
    static void hstrlen(CommandContext c) {
        HashView h = readOrReplyWrongType(c);
        if (h != HashView.WRONG_TYPE) {
            c.reply().integer(h == null ? 0 : h.valueLength(c.arg(2)));
        }
    }

    /** The hash at argument 1 (null when missing); WRONG_TYPE after writing the error. */
    private static HashView readOrReplyWrongType(CommandContext c) {
        HashView h = c.db().hashes().read(c.arg(1));
        if (h == HashView.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        }
        return h;
    }

    // ---- HRANDFIELD -------------------------------------------------------------------------

    /** Redis's HRANDFIELD_RANDOM_SAMPLE_LIMIT: repeated picks are written this many at a time. */
    private static final int RANDOM_SAMPLE_LIMIT = 1000;

    /** HRANDFIELD key [count [WITHVALUES]] */
    static void hrandfield(CommandContext c) {
        if (c.argc() == 2) {
            HashView h = readOrReplyWrongType(c);
            if (h == null) {
                c.reply().nullBulk();
            } else if (h != HashView.WRONG_TYPE) {
                Reply reply = c.reply();
                h.randomPairs(1, false, ThreadLocalRandom.current(), (f, fo, fl, v, vo, vl) -> reply.bulk(f, fo, fl));
            }
            return;
        }
        long l = c.longArg(2);
        if (l == Long.MIN_VALUE) {
            throw new CommandError(Errors.COUNT_OUT_OF_RANGE);
        }
        boolean withValues = c.argc() == 4;
        if (c.argc() > 4 || (withValues && !c.argIs(3, "withvalues"))) {
            throw c.syntaxError();
        }
        if (withValues && (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2)) {
            throw new CommandError(Errors.VALUE_OUT_OF_RANGE);
        }
        HashView h = readOrReplyWrongType(c);
        Reply reply = c.reply();
        if (h == HashView.WRONG_TYPE) {
            return;
        }
        if (h == null || l == 0) {
            reply.emptyArray();
            return;
        }
        boolean unique = l > 0;
        long count = Math.abs(l);
        long replied = unique ? Math.min(count, h.size()) : count;
        boolean nested = withValues && reply.isResp3();
        reply.array(withValues && !nested ? replied * 2 : replied);
        HashView.PairConsumer out = (f, fo, fl, v, vo, vl) -> {
            if (nested) {
                reply.array(2);
            }
            reply.bulk(f, fo, fl);
            if (withValues) {
                reply.bulk(v, vo, vl);
            }
        };
        if (unique) {
            h.randomPairs(count, true, ThreadLocalRandom.current(), out);
            return;
        }
        // repeated picks have no bound but the count: write them in batches while the client may take them
        for (long left = count; left > 0 && !c.replyOverLimit(); left -= RANDOM_SAMPLE_LIMIT) {
            h.randomPairs(Math.min(left, RANDOM_SAMPLE_LIMIT), false, ThreadLocalRandom.current(), out);
        }
    }

    // ---- HSCAN ------------------------------------------------------------------------------

    /** HSCAN key cursor [MATCH pattern] [COUNT count] */
    static void hscan(CommandContext c) {
        long cursor = KeyCommands.parseCursor(c.arg(2));
        HashView h = readOrReplyWrongType(c);
        Reply reply = c.reply();
        if (h == HashView.WRONG_TYPE) {
            return;
        }
        if (h == null) {
            ScanOptions.replyEmpty(reply);
            return;
        }
        ScanOptions scan = ScanOptions.parse(c);
        List<byte[]> found = new ArrayList<>();
        long next = h.scan(cursor, scan.count(), (f, fo, fl, v, vo, vl) -> {
            byte[] field = Arrays.copyOfRange(f, fo, fo + fl);
            if (scan.matches(field)) {
                found.add(field);
                found.add(Arrays.copyOfRange(v, vo, vo + vl));
            }
        });
        ScanOptions.reply(reply, next, found);
    }
}
