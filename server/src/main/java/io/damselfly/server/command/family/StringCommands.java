package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.CACHEABLE;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.config.Option;
import io.damselfly.server.keyspace.BytesResult;
import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.LongResult;
import io.damselfly.server.keyspace.LongestCommonSubsequence;
import io.damselfly.server.keyspace.StringOps;
import io.damselfly.server.keyspace.StringView;
import java.util.Arrays;
import java.util.List;

/**
 * String commands (Redis group "string"), as t_string.c of Redis 7.0 implements them: GET SET
 * SETNX SETEX PSETEX MGET MSET MSETNX GETSET GETDEL GETEX APPEND STRLEN INCR DECR INCRBY DECRBY
 * INCRBYFLOAT GETRANGE SUBSTR SETRANGE LCS.
 */
public final class StringCommands {
    private StringCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("get", StringCommands::get, CACHEABLE);
        t.add("set", StringCommands::set);
        t.add("setnx", StringCommands::setnx);
        t.add("setex", StringCommands::setex);
        t.add("psetex", StringCommands::psetex);
        t.add("mget", StringCommands::mget, CACHEABLE);
        t.add("mset", StringCommands::mset);
        t.add("msetnx", StringCommands::msetnx);
        t.add("getset", StringCommands::getset);
        t.add("getdel", StringCommands::getdel);
        t.add("getex", StringCommands::getex);
        t.add("append", StringCommands::append);
        t.add("strlen", StringCommands::strlen, CACHEABLE);
        t.add("incr", StringCommands::incr);
        t.add("decr", StringCommands::decr);
        t.add("incrby", StringCommands::incrby);
        t.add("decrby", StringCommands::decrby);
        t.add("incrbyfloat", StringCommands::incrbyfloat);
        t.add("getrange", StringCommands::getrange, CACHEABLE);
        t.add("substr", StringCommands::getrange, CACHEABLE);
        t.add("setrange", StringCommands::setrange);
        t.add("lcs", StringCommands::lcs);
    }

    private static final byte[] EMPTY = new byte[0];

    // ---- GET, SET and their variants --------------------------------------------------------

    /** GET key */
    static void get(CommandContext c) {
        replyValueOrNull(c, c.db().strings().get(c.arg(1)));
    }

    /**
     * SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
     * PXAT unix-time-milliseconds | KEEPTTL]
     */
    static void set(CommandContext c) {
        if (c.argc() == 3) {
            // the hot path: no options, nothing to parse, one lookup
            c.db().strings().set(c.arg(1), c.arg(2));
            c.reply().ok();
            return;
        }
        setWithOptions(c);
    }

    private static void setWithOptions(CommandContext c) {
        long parsed = parseOptions(c, 3, true);
        int flags = optionFlags(parsed);
        int expireIndex = expireIndex(parsed);
        // as Redis: the expire time is validated before anything is looked up
        long expiresAt = expireIndex == 0 ? Database.NO_EXPIRY : expireAt(c, flags, expireIndex);
        byte[] key = c.arg(1);
        StringOps strings = c.db().strings();
        if ((flags & OPT_GET) != 0) {
            StringView old = strings.get(key);
            if (old == StringView.WRONG_TYPE) {
                c.reply().error(Errors.WRONGTYPE);
                return;
            }
            replyValueOrNull(c, old);
        }
        int conditions = ((flags & OPT_NX) != 0 ? StringOps.IF_ABSENT : 0)
                | ((flags & OPT_XX) != 0 ? StringOps.IF_PRESENT : 0)
                | ((flags & OPT_KEEPTTL) != 0 ? StringOps.KEEP_TTL : 0);
        boolean stored = strings.set(key, c.arg(2), expiresAt, conditions);
        if (stored && c.propagating()) {
            if (expireIndex != 0) {
                propagateWithAbsoluteExpiry(c, c.arg(2), expiresAt);
            } else if ((flags & OPT_GET) != 0) {
                c.propagateAs(withoutGet(c));
            }
        }
        if ((flags & OPT_GET) == 0) {
            if (stored) {
                c.reply().ok();
            } else {
                c.reply().nullBulk();
            }
        }
    }

    /**
     * setGenericCommand's form when a time was given: SET key value PXAT ms, whatever the time
     * option and NX/XX/GET were, so a replica sets the same absolute expiry.
     */
    private static void propagateWithAbsoluteExpiry(CommandContext c, byte[] value, long expiresAt) {
        c.propagateAs(ReplicatedForms.SET, c.arg(1), value, ReplicatedForms.PXAT, ReplicatedForms.number(expiresAt));
    }

    /**
     * SET's arguments without its GET options (setGenericCommand skips every "get" from the fourth
     * argument on, as many as were given): the replica has no one to answer.
     */
    private static byte[][] withoutGet(CommandContext c) {
        int kept = 0;
        byte[][] form = new byte[c.argc()][];
        for (int j = 0; j < c.argc(); j++) {
            if (j < 3 || !c.argIs(j, "get")) {
                form[kept++] = c.arg(j);
            }
        }
        return Arrays.copyOf(form, kept);
    }

    /** SETNX key value */
    static void setnx(CommandContext c) {
        boolean stored = c.db().strings().set(c.arg(1), c.arg(2), Database.NO_EXPIRY, StringOps.IF_ABSENT);
        c.reply().integer(stored ? 1 : 0);
    }

    /** SETEX key seconds value */
    static void setex(CommandContext c) {
        setWithExpiry(c, OPT_EX);
    }

    /** PSETEX key milliseconds value */
    static void psetex(CommandContext c) {
        setWithExpiry(c, OPT_PX);
    }

    private static void setWithExpiry(CommandContext c, int unit) {
        long expiresAt = expireAt(c, unit, 2);
        c.db().strings().set(c.arg(1), c.arg(3), expiresAt);
        if (c.propagating()) {
            propagateWithAbsoluteExpiry(c, c.arg(3), expiresAt);
        }
        c.reply().ok();
    }

    /** GETSET key value */
    static void getset(CommandContext c) {
        byte[] key = c.arg(1);
        StringView old = c.db().strings().get(key);
        if (old == StringView.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
            return;
        }
        replyValueOrNull(c, old);
        // a plain set: the old TTL goes, as in Redis
        c.db().strings().set(key, c.arg(2));
        if (c.propagating()) {
            c.propagateAs(ReplicatedForms.SET, key, c.arg(2));
        }
    }

    /** GETDEL key: propagated as DEL (UNLINK under lazyfree-lazy-user-del), as getdelCommand. */
    static void getdel(CommandContext c) {
        StringView v = c.db().strings().getDel(c.arg(1));
        replyValueOrNull(c, v);
        if (v != null && v != StringView.WRONG_TYPE && c.propagating()) {
            c.propagateAs(ReplicatedForms.deletion(
                    c.server().config().getBool(Option.LAZYFREE_LAZY_USER_DEL), c.arg(1)));
        }
    }

    /**
     * GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
     * PXAT unix-time-milliseconds | PERSIST]. Never propagated as itself (getexCommand): an
     * EXAT/PXAT already past as DEL (UNLINK under lazyfree-lazy-expire), another time as
     * PEXPIREAT key ms, PERSIST as PERSIST key when it removed a TTL.
     */
    static void getex(CommandContext c) {
        long parsed = parseOptions(c, 2, false);
        int flags = optionFlags(parsed);
        int expireIndex = expireIndex(parsed);
        byte[] key = c.arg(1);
        StringView v = c.db().strings().get(key);
        if (v == null || v == StringView.WRONG_TYPE) {
            replyValueOrNull(c, v);
            return;
        }
        // unlike SET, GETEX validates the time only once it knows the key is a string
        long expiresAt = expireIndex == 0 ? Database.NO_EXPIRY : expireAt(c, flags, expireIndex);
        c.reply().bulk(v);
        if (expireIndex != 0) {
            c.db().keys().expire(key, expiresAt, 0);
            if (c.propagating()) {
                // only an absolute time can be past: EX and PX are positive and added to now
                boolean deleted = (flags & (OPT_EXAT | OPT_PXAT)) != 0 && expiresAt <= c.now();
                c.propagateAs(deleted
                        ? ReplicatedForms.deletion(c.server().config().getBool(Option.LAZYFREE_LAZY_EXPIRE), key)
                        : new byte[][] {ReplicatedForms.PEXPIREAT, key, ReplicatedForms.number(expiresAt)});
            }
        } else if ((flags & OPT_PERSIST) != 0) {
            if (c.db().keys().persist(key) && c.propagating()) {
                c.propagateAs(ReplicatedForms.PERSIST, key);
            }
        }
    }

    /** MGET key [key ...] */
    static void mget(CommandContext c) {
        int n = c.argc() - 1;
        c.reply().array(n);
        StringOps strings = c.db().strings();
        for (int i = 1; i <= n; i++) {
            StringView v = strings.get(c.arg(i));
            if (v != null && v != StringView.WRONG_TYPE) {
                c.reply().bulk(v);
            } else {
                c.reply().nullBulk();
            }
        }
    }

    /** MSET key value [key value ...] */
    static void mset(CommandContext c) {
        checkPairs(c);
        for (int i = 1; i < c.argc(); i += 2) {
            c.db().strings().set(c.arg(i), c.arg(i + 1));
        }
        c.reply().ok();
    }

    /** MSETNX key value [key value ...] */
    static void msetnx(CommandContext c) {
        checkPairs(c);
        for (int i = 1; i < c.argc(); i += 2) {
            if (c.db().keys().existsForWrite(c.arg(i))) {
                c.reply().integer(0);
                return;
            }
        }
        for (int i = 1; i < c.argc(); i += 2) {
            c.db().strings().set(c.arg(i), c.arg(i + 1));
        }
        c.reply().integer(1);
    }

    private static void checkPairs(CommandContext c) {
        if (c.argc() % 2 == 0) {
            throw new CommandError(Errors.wrongArity(c.command().fullName()));
        }
    }

    // ---- in-place edits ---------------------------------------------------------------------

    /** APPEND key value */
    static void append(CommandContext c) {
        replyLength(c, c.db().strings().append(c.arg(1), c.arg(2), maxStringLength(c)));
    }

    /** SETRANGE key offset value */
    static void setrange(CommandContext c) {
        long offset = c.longArg(2);
        if (offset < 0) {
            throw new CommandError(Errors.OFFSET_OUT_OF_RANGE);
        }
        replyLength(c, c.db().strings().setRange(c.arg(1), offset, c.arg(3), maxStringLength(c)));
    }

    private static void replyLength(CommandContext c, LongResult r) {
        switch (r.status()) {
            case OK -> c.reply().integer(r.value());
            case WRONG_TYPE -> c.reply().error(Errors.WRONGTYPE);
            case STRING_TOO_LONG -> throw new CommandError(Errors.STRING_TOO_LONG);
            default -> throw new IllegalStateException("unexpected " + r.status());
        }
    }

    /**
     * Redis's checkStringLength bound: a string may not grow beyond proto-max-bulk-len (nor beyond
     * the largest Java array, which only matters when that limit is raised above 2 GB).
     */
    private static long maxStringLength(CommandContext c) {
        return Math.min(c.server().config().getLong(Option.PROTO_MAX_BULK_LEN), MAX_ARRAY_LENGTH);
    }

    /** The largest byte[] HotSpot allocates reliably (some VMs reserve header words). */
    private static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    // ---- reads ------------------------------------------------------------------------------

    /** STRLEN key */
    static void strlen(CommandContext c) {
        StringView v = c.db().strings().get(c.arg(1));
        if (v == StringView.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        } else {
            c.reply().integer(v == null ? 0 : v.length());
        }
    }

    /**
     * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN], checked in lcsCommand's order:
     * the keys' types before the options, the options before the table's size.
     */
    static void lcs(CommandContext c) {
        StringView first = c.db().strings().get(c.arg(1));
        StringView second = c.db().strings().get(c.arg(2));
        if (first == StringView.WRONG_TYPE || second == StringView.WRONG_TYPE) {
            c.reply().error("ERR The specified keys must contain string values");
            return;
        }
        boolean len = false;
        boolean idx = false;
        boolean withMatchLen = false;
        long minMatchLen = 0;
        for (int i = 3; i < c.argc(); i++) {
            if (c.argIs(i, "idx")) {
                idx = true;
            } else if (c.argIs(i, "len")) {
                len = true;
            } else if (c.argIs(i, "withmatchlen")) {
                withMatchLen = true;
            } else if (c.argIs(i, "minmatchlen") && i + 1 < c.argc()) {
                minMatchLen = Math.max(0, c.longArg(++i));
            } else {
                throw c.syntaxError();
            }
        }
        if (len && idx) {
            c.reply().error("ERR If you want both the length and indexes, please just use IDX.");
            return;
        }
        byte[] a = first == null ? EMPTY : first.toByteArray();
        byte[] b = second == null ? EMPTY : second.toByteArray();
        long table = LongestCommonSubsequence.tableBytes(a.length, b.length);
        if (table > c.server().config().getLong(Option.PROTO_MAX_BULK_LEN)) {
            c.reply().error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
            return;
        }
        if (table / Integer.BYTES > MAX_ARRAY_LENGTH || table > lcsHeapAllowance()) {
            // Redis's answer when its allocation fails: here, a table the heap may not hold
            c.reply().error("ERR Insufficient memory, failed allocating transient memory for LCS");
            return;
        }
        LongestCommonSubsequence lcs = LongestCommonSubsequence.of(a, b);
        if (!idx) {
            if (len) {
                c.reply().integer(lcs.length());
            } else {
                c.reply().bulk(lcs.subsequence());
            }
            return;
        }
        List<LongestCommonSubsequence.Range> ranges = lcs.ranges(minMatchLen);
        c.reply().map(2);
        c.reply().bulk("matches");
        c.reply().array(ranges.size());
        for (LongestCommonSubsequence.Range r : ranges) {
            c.reply().array(withMatchLen ? 3 : 2);
            c.reply().array(2);
            c.reply().integer(r.aStart());
            c.reply().integer(r.aEnd());
            c.reply().array(2);
            c.reply().integer(r.bStart());
            c.reply().integer(r.bEnd());
            if (withMatchLen) {
                c.reply().integer(r.length());
            }
        }
        c.reply().bulk("len");
        c.reply().integer(lcs.length());
    }

    /**
     * The largest LCS table allowed on the heap: a quarter of what the heap may still grow to, so
     * one command's transient table cannot end the server with OutOfMemoryError (Redis's own
     * bound, proto-max-bulk-len, is 512 MB by default, more than a small heap has).
     */
    private static long lcsHeapAllowance() {
        Runtime rt = Runtime.getRuntime();
        return (rt.maxMemory() - (rt.totalMemory() - rt.freeMemory())) / 4;
    }

    /** GETRANGE key start end (and SUBSTR key start end) */
    static void getrange(CommandContext c) {
        long start = c.longArg(2);
        long end = c.longArg(3);
        StringView v = c.db().strings().get(c.arg(1));
        if (v == null) {
            c.reply().bulk(EMPTY);
            return;
        }
        if (v == StringView.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
            return;
        }
        long length = v.length();
        if (start < 0 && end < 0 && start > end) {
            c.reply().bulk(EMPTY);
            return;
        }
        if (start < 0) {
            start = length + start;
        }
        if (end < 0) {
            end = length + end;
        }
        if (start < 0) {
            start = 0;
        }
        if (end < 0) {
            end = 0;
        }
        if (end >= length) {
            end = length - 1;
        }
        if (start > end || length == 0) {
            c.reply().bulk(EMPTY);
        } else {
            c.reply().bulk(v, (int) start, (int) (end - start + 1));
        }
    }

    // ---- counters ---------------------------------------------------------------------------

    /** INCR key */
    static void incr(CommandContext c) {
        incrBy(c, 1);
    }

    /** DECR key */
    static void decr(CommandContext c) {
        incrBy(c, -1);
    }

    /** INCRBY key increment */
    static void incrby(CommandContext c) {
        incrBy(c, c.longArg(2));
    }

    /** DECRBY key decrement */
    static void decrby(CommandContext c) {
        long decrement = c.longArg(2);
        if (decrement == Long.MIN_VALUE) {
            throw new CommandError(Errors.DECREMENT_OVERFLOW);
        }
        incrBy(c, -decrement);
    }

    private static void incrBy(CommandContext c, long delta) {
        LongResult r = c.db().strings().incrBy(c.arg(1), delta);
        switch (r.status()) {
            case OK -> c.reply().integer(r.value());
            case WRONG_TYPE -> c.reply().error(Errors.WRONGTYPE);
            case NOT_INTEGER -> c.reply().error(Errors.NOT_INTEGER);
            case OVERFLOW -> c.reply().error(Errors.OVERFLOW);
            default -> throw new IllegalStateException("unexpected " + r.status());
        }
    }

    /** INCRBYFLOAT key increment: propagated as SET key result KEEPTTL (incrbyfloatCommand). */
    static void incrbyfloat(CommandContext c) {
        BytesResult r = c.db().strings().incrByFloat(c.arg(1), c.arg(2));
        switch (r.status()) {
            case OK -> {
                c.reply().bulk(r.value());
                if (c.propagating()) {
                    // the result, not the increment: replicas must not redo float arithmetic
                    c.propagateAs(ReplicatedForms.SET, c.arg(1), r.value(), ReplicatedForms.KEEPTTL);
                }
            }
            case WRONG_TYPE -> c.reply().error(Errors.WRONGTYPE);
            case NOT_FLOAT -> c.reply().error(Errors.NOT_FLOAT);
            case NAN_OR_INFINITY -> c.reply().error(Errors.NAN_OR_INFINITY);
            default -> throw new IllegalStateException("unexpected " + r.status());
        }
    }

    // ---- option parsing (SET and GETEX) -----------------------------------------------------

    // Redis's OBJ_* option bits (t_string.c)
    private static final int OPT_NX = 1;
    private static final int OPT_XX = 1 << 1;
    private static final int OPT_EX = 1 << 2;
    private static final int OPT_PX = 1 << 3;
    private static final int OPT_KEEPTTL = 1 << 4;
    private static final int OPT_GET = 1 << 5;
    private static final int OPT_EXAT = 1 << 6;
    private static final int OPT_PXAT = 1 << 7;
    private static final int OPT_PERSIST = 1 << 8;
    private static final int OPT_ANY_EXPIRE = OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT;

    /**
     * Redis's parseExtendedStringArgumentsOrReply: reads SET's options ({@code forSet}) or
     * GETEX's from argument {@code from} on. Returns the option bits in the low 32 bits and the
     * index of the expire-time argument (0 if none) in the high 32 bits, so the common
     * "SET k v EX 60" allocates nothing. A conflicting or unknown option is a syntax error; the
     * same time option twice is allowed and the last one wins, as in Redis.
     */
    private static long parseOptions(CommandContext c, int from, boolean forSet) {
        int flags = 0;
        int expireIndex = 0;
        int argc = c.argc();
        for (int j = from; j < argc; j++) {
            int unit;
            if (forSet && c.argIs(j, "nx") && (flags & OPT_XX) == 0) {
                flags |= OPT_NX;
            } else if (forSet && c.argIs(j, "xx") && (flags & OPT_NX) == 0) {
                flags |= OPT_XX;
            } else if (forSet && c.argIs(j, "get")) {
                flags |= OPT_GET;
            } else if (forSet && c.argIs(j, "keepttl") && (flags & (OPT_PERSIST | OPT_ANY_EXPIRE)) == 0) {
                flags |= OPT_KEEPTTL;
            } else if (!forSet && c.argIs(j, "persist") && (flags & (OPT_KEEPTTL | OPT_ANY_EXPIRE)) == 0) {
                flags |= OPT_PERSIST;
            } else if (j + 1 < argc && (unit = timeOption(c, j)) != 0
                    && (flags & (OPT_KEEPTTL | OPT_PERSIST | (OPT_ANY_EXPIRE & ~unit))) == 0) {
                flags |= unit;
                expireIndex = ++j;
            } else {
                throw c.syntaxError();
            }
        }
        return (flags & 0xFFFFFFFFL) | ((long) expireIndex << 32);
    }

    private static int optionFlags(long parsed) {
        return (int) parsed;
    }

    private static int expireIndex(long parsed) {
        return (int) (parsed >>> 32);
    }

    /** The option bit of EX, PX, EXAT or PXAT at argument j, or 0. */
    private static int timeOption(CommandContext c, int j) {
        if (c.argIs(j, "ex")) {
            return OPT_EX;
        } else if (c.argIs(j, "px")) {
            return OPT_PX;
        } else if (c.argIs(j, "exat")) {
            return OPT_EXAT;
        } else if (c.argIs(j, "pxat")) {
            return OPT_PXAT;
        }
        return 0;
    }

    /**
     * Redis's getExpireMillisecondsOrReply: the absolute expiry in Unix ms that argument
     * {@code index} means under the given time option. Zero, negative, and anything whose
     * conversion to ms or addition of the current time overflows is an invalid expire time.
     */
    private static long expireAt(CommandContext c, int flags, int index) {
        long v = c.longArg(index);
        boolean seconds = (flags & (OPT_EX | OPT_EXAT)) != 0;
        if (v <= 0 || (seconds && v > Long.MAX_VALUE / 1000)) {
            throw invalidExpire(c);
        }
        if (seconds) {
            v *= 1000;
        }
        if ((flags & (OPT_EX | OPT_PX)) != 0) {
            long now = c.now();
            if (v > Long.MAX_VALUE - now) {
                throw invalidExpire(c);
            }
            v += now;
        }
        return v;
    }

    private static CommandError invalidExpire(CommandContext c) {
        return new CommandError(Errors.invalidExpire(c.command().fullName()));
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** A string read's reply: the bulk value, the null bulk when missing, or WRONGTYPE. */
    private static void replyValueOrNull(CommandContext c, StringView v) {
        if (v == null) {
            c.reply().nullBulk();
        } else if (v == StringView.WRONG_TYPE) {
            c.reply().error(Errors.WRONGTYPE);
        } else {
            c.reply().bulk(v);
        }
    }
}
