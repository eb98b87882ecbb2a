package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.CACHEABLE;
import static io.damselfly.server.command.CommandFlag.WHOLE_KEYSPACE;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.config.Option;
import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.GlobPattern;
import io.damselfly.server.keyspace.KeyOps;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.OpStatus;
import io.damselfly.server.keyspace.ValueType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Generic key commands (Redis group "generic"): DEL UNLINK EXISTS TYPE TOUCH KEYS SCAN RANDOMKEY
 * RENAME RENAMENX COPY MOVE, the expiry commands (EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL
 * EXPIRETIME PEXPIRETIME PERSIST) and OBJECT.
 *
 * <p>Commands with keys run with their keys' shards already locked by the executor. KEYS, SCAN
 * and RANDOMKEY have no keys and are marked WHOLE_KEYSPACE: they walk the keyspace through {@link
 * Keyspace}, which locks one shard at a time. MOVE and COPY ... DB reach another database through {@link
 * Database#other(int)}: a key lives in the same shard in every database, so the lock the executor
 * took for the key covers the target too.
 */
public final class KeyCommands {
    private KeyCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("del", KeyCommands::del);
        t.add("unlink", KeyCommands::unlink);
        t.add("exists", KeyCommands::exists, CACHEABLE);
        t.add("type", KeyCommands::type, CACHEABLE);
        t.add("touch", KeyCommands::touch);
        t.add("keys", KeyCommands::keys, WHOLE_KEYSPACE);
        t.add("scan", KeyCommands::scan, WHOLE_KEYSPACE);
        t.add("randomkey", KeyCommands::randomkey, WHOLE_KEYSPACE);
        t.add("rename", KeyCommands::rename);
        t.add("renamenx", KeyCommands::renamenx);
        t.add("copy", KeyCommands::copy);
        t.add("move", KeyCommands::move);
        t.add("expire", KeyCommands::expire);
        t.add("pexpire", KeyCommands::pexpire);
        t.add("expireat", KeyCommands::expireat);
        t.add("pexpireat", KeyCommands::pexpireat);
        t.add("ttl", KeyCommands::ttl);
        t.add("pttl", KeyCommands::pttl);
        t.add("expiretime", KeyCommands::expiretime);
        t.add("pexpiretime", KeyCommands::pexpiretime);
        t.add("persist", KeyCommands::persist);
        t.container("object", o -> o
                .add("encoding", KeyCommands::objectEncoding)
                .add("freq", KeyCommands::objectFreq)
                .add("idletime", KeyCommands::objectIdletime)
                .add("refcount", KeyCommands::objectRefcount)
                .add("help", KeyCommands::objectHelp));
    }

    // ---- existence and deletion ------------------------------------------------------------

    /**
     * DEL key [key ...] (values are freed by the GC); under lazyfree-lazy-user-del it counts
     * lazy frees as UNLINK does.
     */
    static void del(CommandContext c) {
        if (c.server().config().getBool(Option.LAZYFREE_LAZY_USER_DEL)) {
            unlink(c);
            return;
        }
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.db().keys().delete(c.arg(i))) {
                n++;
            }
        }
        c.reply().integer(n);
    }

    /** UNLINK key [key ...]: DEL that counts INFO's lazyfreed_objects as Redis's background free. */
    static void unlink(CommandContext c) {
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.db().keys().unlink(c.arg(i))) {
                n++;
            }
        }
        c.reply().integer(n);
    }

    /** EXISTS key [key ...]: a key named twice counts twice. */
    static void exists(CommandContext c) {
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.db().keys().exists(c.arg(i))) {
                n++;
            }
        }
        c.reply().integer(n);
    }

    /** TYPE key */
    static void type(CommandContext c) {
        ValueType type = c.db().keys().type(c.arg(1));
        c.reply().simple(type == null ? "none" : type.redisName());
    }

    /** TOUCH key [key ...] */
    static void touch(CommandContext c) {
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.db().keys().touch(c.arg(i))) {
                n++;
            }
        }
        c.reply().integer(n);
    }

    // ---- keyspace walks --------------------------------------------------------------------

    /**
     * KEYS pattern. Each shard is walked whole under its own lock (so no key is reported twice),
     * and the locks are taken one at a time, so other clients wait for at most one shard's walk.
     */
    static void keys(CommandContext c) {
        GlobPattern pattern = GlobPattern.compile(c.arg(1));
        List<byte[]> out = new ArrayList<>();
        boolean all = pattern.isMatchAll();
        c.server().keyspace().forEachKey(c.db().index(), c.now(), (key, type) -> {
            if (all || pattern.matches(key)) {
                out.add(key);
            }
        });
        c.reply().bulkArray(out);
    }

    /** Table steps (about a bucket each) per requested entry at most, as Redis's maxiterations = count * 10. */
    private static final int SCAN_STEPS_PER_ENTRY = 10;

    /** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] */
    static void scan(CommandContext c) {
        long cursor = parseCursor(c.arg(1));
        ScanOptions options = ScanOptions.parse(c, 2, true);
        long count = options.count();
        // resolved once, not compared as text per key; an unknown name matches nothing, as in Redis
        boolean typeFilter = options.type() != null;
        ValueType type = typeFilter ? ValueType.byRedisName(new String(options.type(), StandardCharsets.ISO_8859_1)) : null;
        List<byte[]> out = new ArrayList<>();
        Keyspace.KeyVisitor visitor = (key, keyType) -> {
            if (!options.matches(key)) {
                return;
            }
            if (typeFilter && keyType != type) {
                return;
            }
            out.add(key);
        };
        int minEntries = (int) Math.min(count, Integer.MAX_VALUE);
        int maxSteps = count > Integer.MAX_VALUE / SCAN_STEPS_PER_ENTRY
                ? Integer.MAX_VALUE : (int) count * SCAN_STEPS_PER_ENTRY;
        // as scanGenericCommand: an expired key that passes the pattern is deleted (and propagated as DEL)
        long next = c.server().keyspace().scan(c.db().index(), cursor, minEntries, maxSteps, c.now(), visitor,
                options::matches);
        ScanOptions.reply(c.reply(), next, out);
    }

    /**
     * A SCAN cursor with the rules of Redis's parseScanCursorOrReply, which uses strtoul: an
     * optional sign, decimal digits, nothing after them (C strings end at a NUL byte), no leading
     * space; "-n" wraps to 2^64 - n; the empty string is 0; more than 64 bits is an error.
     */
    static long parseCursor(byte[] b) {
        int len = 0;
        while (len < b.length && b[len] != 0) {
            len++;
        }
        if (len == 0) {
            return 0;
        }
        int i = 0;
        boolean negative = false;
        if (b[0] == '+' || b[0] == '-') {
            negative = b[0] == '-';
            i = 1;
        }
        if (i == len) {
            throw new CommandError(Errors.INVALID_CURSOR);
        }
        long v = 0;
        for (; i < len; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                throw new CommandError(Errors.INVALID_CURSOR);
            }
            // v * 10 + d must fit in 64 unsigned bits
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) {
                throw new CommandError(Errors.INVALID_CURSOR);
            }
            long next = v * 10 + d;
            if (Long.compareUnsigned(next, v * 10) < 0) {
                throw new CommandError(Errors.INVALID_CURSOR);
            }
            v = next;
        }
        return negative ? -v : v;
    }

    /** RANDOMKEY */
    static void randomkey(CommandContext c) {
        byte[] key = c.server().keyspace().randomKey(c.db().index(), c.now(), ThreadLocalRandom.current());
        c.reply().bulkOrNull(key);
    }

    // ---- renaming and copying --------------------------------------------------------------

    /** RENAME key newkey */
    static void rename(CommandContext c) {
        renameGeneric(c, false);
    }

    /** RENAMENX key newkey */
    static void renamenx(CommandContext c) {
        renameGeneric(c, true);
    }

    private static void renameGeneric(CommandContext c, boolean nx) {
        OpStatus status = c.db().keys().rename(c.arg(1), c.arg(2), nx);
        switch (status) {
            case NO_SUCH_KEY -> c.reply().error(Errors.NO_SUCH_KEY);
            case NOT_DONE -> c.reply().integer(0);
            case OK -> {
                if (nx) {
                    c.reply().integer(1);
                } else {
                    c.reply().ok();
                }
            }
            default -> throw new IllegalStateException("unexpected " + status);
        }
    }

    /** COPY source destination [DB destination-db] [REPLACE] */
    static void copy(CommandContext c) {
        Database src = c.db();
        Database dst = src;
        boolean replace = false;
        for (int i = 3; i < c.argc(); i++) {
            if (c.argIs(i, "replace")) {
                replace = true;
            } else if (c.argIs(i, "db") && i + 1 < c.argc()) {
                int index = dbIndexArg(c, i + 1);
                dst = index == src.index() ? src : src.other(index);
                i++;
            } else {
                throw c.syntaxError();
            }
        }
        byte[] key = c.arg(1);
        byte[] newKey = c.arg(2);
        if (dst == src && Arrays.equals(key, newKey)) {
            c.reply().error(Errors.SAME_OBJECT);
            return;
        }
        c.reply().integer(src.keys().copy(key, dst, newKey, replace) == OpStatus.OK ? 1 : 0);
    }

    /** MOVE key db */
    static void move(CommandContext c) {
        int index = dbIndexArg(c, 2);
        Database src = c.db();
        if (index == src.index()) {
            c.reply().error(Errors.SAME_OBJECT);
            return;
        }
        c.reply().integer(src.keys().move(c.arg(1), src.other(index)) == OpStatus.OK ? 1 : 0);
    }

    /** A database index argument: an int (Redis's getIntFromObject), then in range. */
    private static int dbIndexArg(CommandContext c, int i) {
        long v = c.longArg(i);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new CommandError(Errors.INT_OUT_OF_RANGE);
        }
        if (v < 0 || v >= c.server().keyspace().databases()) {
            throw new CommandError(Errors.DB_INDEX_OUT_OF_RANGE);
        }
        return (int) v;
    }

    // ---- expiry ----------------------------------------------------------------------------

    /** EXPIRE key seconds [NX | XX | GT | LT] */
    static void expire(CommandContext c) {
        expireGeneric(c, c.now(), true);
    }

    /** PEXPIRE key milliseconds [NX | XX | GT | LT] */
    static void pexpire(CommandContext c) {
        expireGeneric(c, c.now(), false);
    }

    /** EXPIREAT key unix-time-seconds [NX | XX | GT | LT] */
    static void expireat(CommandContext c) {
        expireGeneric(c, 0, true);
    }

    /** PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT] */
    static void pexpireat(CommandContext c) {
        expireGeneric(c, 0, false);
    }

    /**
     * Redis's expireGenericCommand: options are checked first, then the number; a time that
     * overflows 64 bits in milliseconds is an error; a time already past deletes the key and
     * replies 1 (when the conditions allow the change at all). Propagated as PEXPIREAT key ms
     * with the options as given, or, for a time already past, as DEL key (UNLINK under
     * lazyfree-lazy-expire): a replica must not compute a relative time from its own clock.
     */
    private static void expireGeneric(CommandContext c, long basetime, boolean seconds) {
        int flags = parseExpireFlags(c);
        long when = c.longArg(2);
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                throw new CommandError(Errors.invalidExpire(c.command().fullName()));
            }
            when *= 1000;
        }
        if (when > Long.MAX_VALUE - basetime) {
            throw new CommandError(Errors.invalidExpire(c.command().fullName()));
        }
        when += basetime;
        boolean changed = c.db().keys().expire(c.arg(1), when, flags);
        c.reply().integer(changed ? 1 : 0);
        if (changed && c.propagating()) {
            propagateExpire(c, when, basetime == 0 && !seconds);
        }
    }

    private static void propagateExpire(CommandContext c, long when, boolean isPexpireat) {
        if (when <= c.now()) {
            c.propagateAs(ReplicatedForms.deletion(c.server().config().getBool(Option.LAZYFREE_LAZY_EXPIRE), c.arg(1)));
        } else if (!isPexpireat) {
            byte[][] form = c.argv().clone();
            form[0] = ReplicatedForms.PEXPIREAT;
            form[2] = ReplicatedForms.number(when);
            c.propagateAs(form);
        }
    }

    private static int parseExpireFlags(CommandContext c) {
        int flags = 0;
        for (int i = 3; i < c.argc(); i++) {
            if (c.argIs(i, "nx")) {
                flags |= KeyOps.EXPIRE_NX;
            } else if (c.argIs(i, "xx")) {
                flags |= KeyOps.EXPIRE_XX;
            } else if (c.argIs(i, "gt")) {
                flags |= KeyOps.EXPIRE_GT;
            } else if (c.argIs(i, "lt")) {
                flags |= KeyOps.EXPIRE_LT;
            } else {
                throw new CommandError(Errors.unsupportedOption(c.arg(i)));
            }
        }
        if ((flags & KeyOps.EXPIRE_NX) != 0 && (flags & (KeyOps.EXPIRE_XX | KeyOps.EXPIRE_GT | KeyOps.EXPIRE_LT)) != 0) {
            throw new CommandError(Errors.EXPIRE_NX_AND_OTHERS);
        }
        if ((flags & KeyOps.EXPIRE_GT) != 0 && (flags & KeyOps.EXPIRE_LT) != 0) {
            throw new CommandError(Errors.EXPIRE_GT_AND_LT);
        }
        return flags;
    }

    /** TTL key */
    static void ttl(CommandContext c) {
        ttlGeneric(c, false, false);
    }

    /** PTTL key */
    static void pttl(CommandContext c) {
        ttlGeneric(c, true, false);
    }

    /** EXPIRETIME key */
    static void expiretime(CommandContext c) {
        ttlGeneric(c, false, true);
    }

    /** PEXPIRETIME key */
    static void pexpiretime(CommandContext c) {
        ttlGeneric(c, true, true);
    }

    /** -2 for a missing key, -1 for no expiry, else the time left (or the absolute time). */
    private static void ttlGeneric(CommandContext c, boolean millis, boolean absolute) {
        long at = c.db().keys().expiryOf(c.arg(1));
        if (at == KeyOps.MISSING || at == KeyOps.PERSISTENT) {
            c.reply().integer(at);
            return;
        }
        long t = absolute ? at : Math.max(0, at - c.now());
        // Redis's (t + 500) / 1000, without overflowing near Long.MAX_VALUE
        c.reply().integer(millis ? t : t / 1000 + (t % 1000 >= 500 ? 1 : 0));
    }

    /** PERSIST key */
    static void persist(CommandContext c) {
        c.reply().integer(c.db().keys().persist(c.arg(1)) ? 1 : 0);
    }

    // ---- OBJECT ----------------------------------------------------------------------------

    /** OBJECT ENCODING key */
    static void objectEncoding(CommandContext c) {
        KeyOps.ObjectInfo info = c.db().keys().object(c.arg(2));
        if (info == null) {
            c.reply().nullBulk();
        } else {
            c.reply().bulk(info.encoding());
        }
    }

    /** OBJECT FREQ key: only under an LFU maxmemory policy, or allkeys-tinylfu (its sketch's estimate, 0-15). */
    static void objectFreq(CommandContext c) {
        KeyOps.ObjectInfo info = c.db().keys().object(c.arg(2));
        if (info == null) {
            c.reply().nullBulk();
        } else if (!c.server().keyspace().isLfu() && !c.server().keyspace().isSketching()) {
            c.reply().error(Errors.LFU_NOT_SELECTED);
        } else {
            c.reply().integer(info.frequency());
        }
    }

    /** OBJECT IDLETIME key: not under an LFU maxmemory policy. */
    static void objectIdletime(CommandContext c) {
        KeyOps.ObjectInfo info = c.db().keys().object(c.arg(2));
        if (info == null) {
            c.reply().nullBulk();
        } else if (c.server().keyspace().isLfu()) {
            c.reply().error(Errors.LFU_SELECTED);
        } else {
            c.reply().integer(info.idleSeconds());
        }
    }

    /** Redis's OBJ_SHARED_REFCOUNT: the refcount a shared object reports. */
    private static final int SHARED_REFCOUNT = Integer.MAX_VALUE;

    /**
     * OBJECT REFCOUNT key. Values are never shared here, but Redis shares the integers 0..9999
     * and reports them with refcount 2147483647, unless maxmemory is set with an LRU or LFU
     * policy (which needs a private access clock per value); we answer the same way.
     */
    static void objectRefcount(CommandContext c) {
        KeyOps.ObjectInfo info = c.db().keys().object(c.arg(2));
        if (info == null) {
            c.reply().nullBulk();
            return;
        }
        c.reply().integer(info.sharedInteger() && !valuesHaveOwnClock(c) ? SHARED_REFCOUNT : 1);
    }

    /** Whether maxmemory is set with an LRU or LFU policy, under which Redis shares no integers. */
    private static boolean valuesHaveOwnClock(CommandContext c) {
        String policy = c.server().config().getString(Option.MAXMEMORY_POLICY);
        boolean clockPolicy = policy.endsWith("-lru") || policy.endsWith("lfu");
        return c.server().config().getLong(Option.MAXMEMORY) != 0 && clockPolicy;
    }

    private static final String[] OBJECT_HELP = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    };

    /** OBJECT HELP */
    static void objectHelp(CommandContext c) {
        c.reply().array(OBJECT_HELP.length);
        for (String line : OBJECT_HELP) {
            c.reply().simple(line);
        }
    }
}
