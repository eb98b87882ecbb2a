package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.CACHEABLE;
import static io.damselfly.server.command.CommandFlag.DENYOOM;
import static io.damselfly.server.command.CommandFlag.FAST;
import static io.damselfly.server.command.CommandFlag.READONLY;
import static io.damselfly.server.command.CommandFlag.WRITE;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.KeySpec;
import io.damselfly.server.config.Option;
import io.damselfly.server.keyspace.Entry;
import io.damselfly.server.keyspace.LongDouble;
import io.damselfly.server.keyspace.Numbers;
import io.damselfly.server.keyspace.StringValue;

/**
 * String commands (Redis group "string"), as t_string.c of Redis 7.0 implements them: GET SET
 * SETNX SETEX PSETEX MGET MSET MSETNX GETSET GETDEL GETEX APPEND STRLEN INCR DECR INCRBY DECRBY
 * INCRBYFLOAT GETRANGE SUBSTR SETRANGE.
 */
public final class StringCommands {
    private StringCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.group("string");
        t.add("get", 2, KeySpec.FIRST, "1.0.0", "Get the value of a key", StringCommands::get, READONLY, FAST, CACHEABLE);
        t.add("set", -3, KeySpec.FIRST, "1.0.0", "Set the string value of a key", StringCommands::set, WRITE, DENYOOM);
        t.add("setnx", 3, KeySpec.FIRST, "1.0.0", "Set the value of a key, only if the key does not exist", StringCommands::setnx, WRITE, DENYOOM, FAST);
        t.add("setex", 4, KeySpec.FIRST, "2.0.0", "Set the value and expiration of a key", StringCommands::setex, WRITE, DENYOOM);
        t.add("psetex", 4, KeySpec.FIRST, "2.6.0", "Set the value and expiration in milliseconds of a key", StringCommands::psetex, WRITE, DENYOOM);
        t.add("mget", -2, KeySpec.of(1, -1, 1), "1.0.0", "Get the values of all the given keys", StringCommands::mget, READONLY, FAST, CACHEABLE);
        t.add("mset", -3, KeySpec.of(1, -1, 2), "1.0.1", "Set multiple keys to multiple values", StringCommands::mset, WRITE, DENYOOM);
        t.add("msetnx", -3, KeySpec.of(1, -1, 2), "1.0.1", "Set multiple keys to multiple values, only if none of the keys exist", StringCommands::msetnx, WRITE, DENYOOM);
        t.add("getset", 3, KeySpec.FIRST, "1.0.0", "Set the string value of a key and return its old value", StringCommands::getset, WRITE, DENYOOM, FAST);
        t.add("getdel", 2, KeySpec.FIRST, "6.2.0", "Get the value of a key and delete the key", StringCommands::getdel, WRITE, FAST);
        t.add("getex", -2, KeySpec.FIRST, "6.2.0", "Get the value of a key and optionally set its expiration", StringCommands::getex, WRITE, FAST);
        t.add("append", 3, KeySpec.FIRST, "2.0.0", "Append a value to a key", StringCommands::append, WRITE, DENYOOM, FAST);
        t.add("strlen", 2, KeySpec.FIRST, "2.2.0", "Get the length of the value stored in a key", StringCommands::strlen, READONLY, FAST, CACHEABLE);
        t.add("incr", 2, KeySpec.FIRST, "1.0.0", "Increment the integer value of a key by one", StringCommands::incr, WRITE, DENYOOM, FAST);
        t.add("decr", 2, KeySpec.FIRST, "1.0.0", "Decrement the integer value of a key by one", StringCommands::decr, WRITE, DENYOOM, FAST);
        t.add("incrby", 3, KeySpec.FIRST, "1.0.0", "Increment the integer value of a key by the given amount", StringCommands::incrby, WRITE, DENYOOM, FAST);
        t.add("decrby", 3, KeySpec.FIRST, "1.0.0", "Decrement the integer value of a key by the given number", StringCommands::decrby, WRITE, DENYOOM, FAST);
        t.add("incrbyfloat", 3, KeySpec.FIRST, "2.6.0", "Increment the float value of a key by the given amount", StringCommands::incrbyfloat, WRITE, DENYOOM, FAST);
        t.add("getrange", 4, KeySpec.FIRST, "2.4.0", "Get a substring of the string stored at a key", StringCommands::getrange, READONLY, CACHEABLE);
        t.add("substr", 4, KeySpec.FIRST, "1.0.0", "Get a substring of the string stored at a key", StringCommands::getrange, READONLY, CACHEABLE);
        t.add("setrange", 4, KeySpec.FIRST, "2.2.0", "Overwrite part of a string at key starting at the specified offset", StringCommands::setrange, WRITE, DENYOOM);
    }

    private static final byte[] EMPTY = new byte[0];

    // ---- GET, SET and their variants --------------------------------------------------------

    /** GET key */
    static void get(CommandContext c) {
        Entry e = c.db().read(c.arg(1));
        if (e == null) {
            c.reply().nullBulk();
        } else if (e.value() instanceof StringValue s) {
            c.reply().bulk(s.array(), 0, s.length());
        } else {
            c.reply().error(Errors.WRONGTYPE);
        }
    }

    /**
     * SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
     * PXAT unix-time-milliseconds | KEEPTTL]
     */
    static void set(CommandContext c) {
        if (c.argc() == 3) {
            // the hot path: no options, nothing to parse, one lookup inside Database.set
            c.db().set(c.arg(1), new StringValue(c.arg(2)));
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
        long expiresAt = expireIndex == 0 ? Entry.NO_EXPIRY : expireAt(c, flags, expireIndex);
        byte[] key = c.arg(1);
        Entry old = null;
        if ((flags & OPT_GET) != 0) {
            old = c.db().read(key);
            if (old != null && !(old.value() instanceof StringValue)) {
                c.reply().error(Errors.WRONGTYPE);
                return;
            }
            replyValueOrNull(c, old);
        } else if ((flags & (OPT_NX | OPT_XX | OPT_KEEPTTL)) != 0) {
            old = c.db().find(key);
        }
        if (((flags & OPT_NX) != 0 && old != null) || ((flags & OPT_XX) != 0 && old == null)) {
            if ((flags & OPT_GET) == 0) {
                c.reply().nullBulk();
            }
            return;
        }
        if ((flags & OPT_KEEPTTL) != 0) {
            expiresAt = old == null ? Entry.NO_EXPIRY : old.expiresAt();
        }
        store(c, key, new StringValue(c.arg(2)), expiresAt);
        if ((flags & OPT_GET) == 0) {
            c.reply().ok();
        }
    }

    /** SETNX key value */
    static void setnx(CommandContext c) {
        byte[] key = c.arg(1);
        if (c.db().find(key) != null) {
            c.reply().integer(0);
            return;
        }
        c.db().set(key, new StringValue(c.arg(2)));
        c.reply().integer(1);
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
        c.db().set(c.arg(1), new StringValue(c.arg(3)), expiresAt);
        c.reply().ok();
    }

    /** GETSET key value */
    static void getset(CommandContext c) {
        byte[] key = c.arg(1);
        Entry old = c.db().read(key);
        if (old != null && !(old.value() instanceof StringValue)) {
            c.reply().error(Errors.WRONGTYPE);
            return;
        }
        replyValueOrNull(c, old);
        // a plain set: the old TTL goes, as in Redis
        c.db().set(key, new StringValue(c.arg(2)));
    }

    /** GETDEL key */
    static void getdel(CommandContext c) {
        Entry e = c.db().read(c.arg(1));
        if (e == null) {
            c.reply().nullBulk();
        } else if (e.value() instanceof StringValue s) {
            c.reply().bulk(s.array(), 0, s.length());
            c.db().delete(e);
        } else {
            c.reply().error(Errors.WRONGTYPE);
        }
    }

    /**
     * GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
     * PXAT unix-time-milliseconds | PERSIST]
     */
    static void getex(CommandContext c) {
        long parsed = parseOptions(c, 2, false);
        int flags = optionFlags(parsed);
        int expireIndex = expireIndex(parsed);
        Entry e = c.db().read(c.arg(1));
        if (e == null) {
            c.reply().nullBulk();
            return;
        }
        if (!(e.value() instanceof StringValue s)) {
            c.reply().error(Errors.WRONGTYPE);
            return;
        }
        // unlike SET, GETEX validates the time only once it knows the key is a string
        long expiresAt = expireIndex == 0 ? Entry.NO_EXPIRY : expireAt(c, flags, expireIndex);
        c.reply().bulk(s.array(), 0, s.length());
        if (expireIndex != 0) {
            if (expiresAt <= c.now()) {
                c.db().delete(e);
            } else {
                c.db().setExpiry(e, expiresAt);
            }
        } else if ((flags & OPT_PERSIST) != 0 && e.hasExpiry()) {
            c.db().setExpiry(e, Entry.NO_EXPIRY);
        }
    }

    /** MGET key [key ...] */
    static void mget(CommandContext c) {
        int n = c.argc() - 1;
        c.reply().array(n);
        for (int i = 1; i <= n; i++) {
            Entry e = c.db().read(c.arg(i));
            if (e != null && e.value() instanceof StringValue s) {
                c.reply().bulk(s.array(), 0, s.length());
            } else {
                c.reply().nullBulk();
            }
        }
    }

    /** MSET key value [key value ...] */
    static void mset(CommandContext c) {
        checkPairs(c);
        for (int i = 1; i < c.argc(); i += 2) {
            c.db().set(c.arg(i), new StringValue(c.arg(i + 1)));
        }
        c.reply().ok();
    }

    /** MSETNX key value [key value ...] */
    static void msetnx(CommandContext c) {
        checkPairs(c);
        for (int i = 1; i < c.argc(); i += 2) {
            if (c.db().find(c.arg(i)) != null) {
                c.reply().integer(0);
                return;
            }
        }
        for (int i = 1; i < c.argc(); i += 2) {
            c.db().set(c.arg(i), new StringValue(c.arg(i + 1)));
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
        byte[] key = c.arg(1);
        byte[] tail = c.arg(2);
        Entry e = c.db().find(key);
        if (e == null) {
            c.db().set(key, new StringValue(tail));
            c.reply().integer(tail.length);
            return;
        }
        if (!(e.value() instanceof StringValue s)) {
            c.reply().error(Errors.WRONGTYPE);
            return;
        }
        checkStringLength(c, s.length(), tail.length);
        long footprintBefore = s.footprint();
        int length = s.append(tail);
        c.db().valueChanged(e, footprintBefore);
        c.reply().integer(length);
    }

    /** SETRANGE key offset value */
    static void setrange(CommandContext c) {
        byte[] key = c.arg(1);
        long offset = c.longArg(2);
        byte[] patch = c.arg(3);
        if (offset < 0) {
            throw new CommandError(Errors.OFFSET_OUT_OF_RANGE);
        }
        Entry e = c.db().find(key);
        if (e == null) {
            if (patch.length == 0) {
                // setting nothing on a missing key creates nothing
                c.reply().integer(0);
                return;
            }
            checkStringLength(c, offset, patch.length);
            byte[] bytes = new byte[(int) offset + patch.length];
            System.arraycopy(patch, 0, bytes, (int) offset, patch.length);
            c.db().set(key, new StringValue(bytes));
            c.reply().integer(bytes.length);
            return;
        }
        if (!(e.value() instanceof StringValue s)) {
            c.reply().error(Errors.WRONGTYPE);
            return;
        }
        if (patch.length == 0) {
            c.reply().integer(s.length());
            return;
        }
        checkStringLength(c, offset, patch.length);
        long footprintBefore = s.footprint();
        int length = s.setRange((int) offset, patch);
        c.db().valueChanged(e, footprintBefore);
        c.reply().integer(length);
    }

    /**
     * Redis's checkStringLength: a string may not grow beyond proto-max-bulk-len (nor beyond the
     * largest Java array, which only matters when that limit is raised above 2 GB).
     */
    private static void checkStringLength(CommandContext c, long size, long append) {
        long max = Math.min(c.server().config().getLong(Option.PROTO_MAX_BULK_LEN), MAX_ARRAY_LENGTH);
        if (size > max - append) {
            throw new CommandError(Errors.STRING_TOO_LONG);
        }
    }

    /** The largest byte[] HotSpot allocates reliably (some VMs reserve header words). */
    private static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    // ---- reads ------------------------------------------------------------------------------

    /** STRLEN key */
    static void strlen(CommandContext c) {
        Entry e = c.db().read(c.arg(1));
        if (e == null) {
            c.reply().integer(0);
        } else if (e.value() instanceof StringValue s) {
            c.reply().integer(s.length());
        } else {
            c.reply().error(Errors.WRONGTYPE);
        }
    }

    /** GETRANGE key start end (and SUBSTR key start end) */
    static void getrange(CommandContext c) {
        long start = c.longArg(2);
        long end = c.longArg(3);
        Entry e = c.db().read(c.arg(1));
        if (e == null) {
            c.reply().bulk(EMPTY);
            return;
        }
        if (!(e.value() instanceof StringValue s)) {
            c.reply().error(Errors.WRONGTYPE);
            return;
        }
        long length = s.length();
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
            c.reply().bulk(s.array(), (int) start, (int) (end - start + 1));
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
        byte[] key = c.arg(1);
        Entry e = c.db().find(key);
        long current = 0;
        if (e != null) {
            if (!(e.value() instanceof StringValue s)) {
                c.reply().error(Errors.WRONGTYPE);
                return;
            }
            Long parsed = Numbers.parseCanonicalLong(s.array(), s.length());
            if (parsed == null) {
                c.reply().error(Errors.NOT_INTEGER);
                return;
            }
            current = parsed;
        }
        if ((delta < 0 && current < 0 && delta < Long.MIN_VALUE - current)
                || (delta > 0 && current > 0 && delta > Long.MAX_VALUE - current)) {
            c.reply().error(Errors.OVERFLOW);
            return;
        }
        long result = current + delta;
        StringValue value = new StringValue(Numbers.toBytes(result));
        if (e == null) {
            c.db().set(key, value);
        } else {
            c.db().replaceValue(e, value); // keeps the TTL, as Redis's dbOverwrite
        }
        c.reply().integer(result);
    }

    /** INCRBYFLOAT key increment */
    static void incrbyfloat(CommandContext c) {
        byte[] key = c.arg(1);
        Entry e = c.db().find(key);
        LongDouble current = LongDouble.ZERO;
        if (e != null) {
            if (!(e.value() instanceof StringValue s)) {
                c.reply().error(Errors.WRONGTYPE);
                return;
            }
            current = LongDouble.parse(s.array(), s.length());
        }
        byte[] incrArg = c.arg(2);
        LongDouble increment = current == null ? null : LongDouble.parse(incrArg, incrArg.length);
        if (current == null || increment == null) {
            c.reply().error(Errors.NOT_FLOAT);
            return;
        }
        LongDouble sum = current.add(increment);
        if (!sum.isFinite()) {
            c.reply().error(Errors.NAN_OR_INFINITY);
            return;
        }
        byte[] text = Numbers.toHumanBytes(sum.toBigDecimal());
        StringValue value = new StringValue(text);
        if (e == null) {
            c.db().set(key, value);
        } else {
            c.db().replaceValue(e, value);
        }
        c.reply().bulk(text);
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

    /**
     * Stores a value with an absolute expiry. An expiry already in the past (EXAT/PXAT) leaves
     * no key behind: any old value is deleted and nothing is stored. Redis 7.0 stores such a key
     * and lets the next lookup expire it; no client can tell the two apart.
     */
    private static void store(CommandContext c, byte[] key, StringValue value, long expiresAt) {
        if (expiresAt != Entry.NO_EXPIRY && expiresAt <= c.now()) {
            c.db().delete(key);
        } else {
            c.db().set(key, value, expiresAt);
        }
    }

    /** The bulk value of a string entry, or the null bulk when there is none. */
    private static void replyValueOrNull(CommandContext c, Entry e) {
        if (e == null) {
            c.reply().nullBulk();
        } else {
            StringValue s = (StringValue) e.value();
            c.reply().bulk(s.array(), 0, s.length());
        }
    }
}
