package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.Value;
import io.damselfly.server.keyspace.ValueBuilder;
import io.damselfly.server.rdb.DumpPayload;
import io.damselfly.server.rdb.RdbFormatException;
import java.util.Arrays;

/**
 * DUMP and RESTORE (Redis group "generic", cluster.c): a value serialized in the RDB format with
 * Redis 7.0's footer, interchangeable with redis-server's payloads. The format lives in the
 * {@code rdb} package; the keyspace is read and written through {@code KeyOps.dump} and {@code
 * KeyOps.restore}.
 */
public final class DumpCommands {
    private DumpCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("dump", DumpCommands::dump);
        t.add("restore", DumpCommands::restore);
    }

    /** DUMP key */
    static void dump(CommandContext c) {
        Database db = c.db();
        byte[] key = c.arg(1);
        byte[] payload = DumpPayload.create(visitor -> db.keys().dump(key, visitor));
        if (payload == null) {
            c.reply().nullBulk();
        } else {
            c.reply().bulk(payload);
        }
    }

    /** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] */
    static void restore(CommandContext c) {
        boolean replace = false;
        boolean absTtl = false;
        long idle = -1;
        long freq = -1;
        // restoreCommand's order: options, then the key, then the TTL, then the payload
        for (int i = 4; i < c.argc(); i++) {
            boolean more = i + 1 < c.argc();
            if (c.argIs(i, "replace")) {
                replace = true;
            } else if (c.argIs(i, "absttl")) {
                absTtl = true;
            } else if (c.argIs(i, "idletime") && more && freq == -1) {
                idle = c.longArg(++i);
                if (idle < 0) {
                    throw new CommandError(Errors.INVALID_IDLETIME);
                }
            } else if (c.argIs(i, "freq") && more && idle == -1) {
                freq = c.longArg(++i);
                if (freq < 0 || freq > 255) {
                    throw new CommandError(Errors.INVALID_FREQ);
                }
            } else {
                throw c.syntaxError();
            }
        }
        Database db = c.db();
        byte[] key = c.arg(1);
        if (!replace && db.keys().existsForWrite(key)) {
            throw new CommandError(Errors.BUSYKEY);
        }
        long ttl = c.longArg(2);
        if (ttl < 0) {
            throw new CommandError(Errors.INVALID_TTL);
        }
        byte[] payload = c.arg(3);
        if (!DumpPayload.verify(payload, db.keyspace().skipsDumpChecksum())) {
            throw new CommandError(Errors.DUMP_PAYLOAD);
        }
        Value value;
        try {
            value = DumpPayload.decode(payload, new ValueBuilder(db.keyspace()));
        } catch (RdbFormatException e) {
            throw new CommandError(Errors.BAD_DATA_FORMAT);
        }
        long expiresAt = Database.NO_EXPIRY;
        if (ttl != 0) {
            expiresAt = absTtl ? ttl : saturatedAdd(ttl, c.now());
        }
        if (c.propagating()) {
            propagateRestore(c, key, expiresAt, ttl != 0 && !absTtl);
        }
        db.keys().restore(key, value, expiresAt, idle, (int) freq);
        c.reply().ok();
    }

    /**
     * restoreCommand's form, chosen before the write while the old key can still be seen: a TTL
     * already past deletes what REPLACE found, propagated as DEL key (never UNLINK: Redis uses
     * shared.del here whatever lazyfree says); a relative TTL goes as the absolute time with
     * ABSTTL appended, so a replica's copy expires when ours does.
     */
    private static void propagateRestore(CommandContext c, byte[] key, long expiresAt, boolean relativeTtl) {
        if (expiresAt != Database.NO_EXPIRY && expiresAt <= c.now()) {
            if (c.db().keys().existsForWrite(key)) {
                c.propagateAs(ReplicatedForms.DEL, key);
            }
        } else if (relativeTtl) {
            byte[][] form = Arrays.copyOf(c.argv(), c.argc() + 1);
            form[2] = ReplicatedForms.number(expiresAt);
            form[c.argc()] = ReplicatedForms.ABSTTL;
            c.propagateAs(form);
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
