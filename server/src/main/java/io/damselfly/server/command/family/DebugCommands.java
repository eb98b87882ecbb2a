package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.keyspace.KeyOps;
import io.damselfly.server.rdb.DumpPayload;
import io.damselfly.server.rdb.RdbLoadException;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DEBUG (Redis's debug.c), the subcommands Redis's own test suite leans on: RELOAD (save, empty,
 * load the file back: a round trip through the RDB writer and reader), OBJECT, SET-ACTIVE-EXPIRE, SLEEP,
 * QUICKLIST-PACKED-THRESHOLD (accepted; lists are not quicklists here), CHANGE-REPL-ID, HELP.
 * Refused unless {@code enable-debug-command} allows it, as in Redis 7, where it is off by default:
 * the executor checks that (a PROTECTED command) where processCommand does, so a refused DEBUG in
 * MULTI is not queued and dooms the transaction.
 * These block their event loop for their length, as they block the whole of redis-server: they
 * are for tests, never for serving.
 */
public final class DebugCommands {
    private static final Logger log = LoggerFactory.getLogger(DebugCommands.class);

    private DebugCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("debug", DebugCommands::debug);
    }

    /** DEBUG subcommand [arg ...]; enable-debug-command was checked by the executor, as processCommand does. */
    static void debug(CommandContext c) {
        if (c.argIs(1, "help")) {
            c.reply().array(HELP.size());
            for (String line : HELP) {
                c.reply().simple(line);
            }
        } else if (c.argIs(1, "reload")) {
            reload(c);
        } else if (c.argIs(1, "object") && c.argc() == 3) {
            object(c);
        } else if (c.argIs(1, "set-active-expire") && c.argc() == 3) {
            c.server().activeExpiry().setEnabled(!c.argString(2).equals("0"));
            c.reply().ok();
        } else if (c.argIs(1, "sleep") && c.argc() == 3) {
            sleep(c);
        } else if (c.argIs(1, "quicklist-packed-threshold") && c.argc() == 3) {
            c.reply().ok();
        } else if (c.argIs(1, "change-repl-id") && c.argc() == 2) {
            c.reply().ok();
        } else {
            c.reply().error(Errors.subcommandSyntax(c.arg(1), "debug"));
        }
    }

    /** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: debugCommand's order and replies. */
    private static void reload(CommandContext c) {
        boolean merge = false;
        boolean flush = true;
        boolean save = true;
        for (int i = 2; i < c.argc(); i++) {
            if (c.argIs(i, "merge")) {
                merge = true;
            } else if (c.argIs(i, "noflush")) {
                flush = false;
            } else if (c.argIs(i, "nosave")) {
                save = false;
            } else {
                c.reply().error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
                return;
            }
        }
        if (save && !Boolean.TRUE.equals(c.server().persistence().saveHere("DEBUG RELOAD"))) {
            c.reply().error(PersistenceCommands.FAILED);
            return;
        }
        if (flush) {
            // Redis's emptyData: every database and the function libraries
            c.server().keyspace().flushAll();
            c.server().scripts().functions().flush();
        }
        boolean replace = merge;
        try {
            c.server().persistence().load(code -> c.server().scripts().functions().load(code, replace), merge);
        } catch (RdbLoadException e) {
            log.warn("DEBUG RELOAD: {}", e.getMessage());
            c.reply().error("ERR Error trying to load the RDB dump");
            return;
        }
        log.warn("DB reloaded by DEBUG RELOAD");
        c.reply().ok();
    }

    /**
     * DEBUG OBJECT key: debugCommand's line. The address is a stable stand-in derived from the
     * database and key (there is no pointer to show; Redis's tests only compare it across an
     * in-place change), serializedlength the RDB body's length, as rdbSavedObjectLen.
     */
    private static void object(CommandContext c) {
        byte[] key = c.arg(2);
        io.damselfly.server.keyspace.Shard shard = c.server().keyspace().shard(c.server().keyspace().shardIndex(key));
        KeyOps.ObjectInfo info;
        byte[] payload;
        shard.lock();
        try {
            info = c.db().keys().object(key);
            payload = info == null ? null : DumpPayload.create(v -> c.db().keys().dump(key, v));
        } finally {
            shard.unlock();
        }
        if (info == null) {
            c.reply().error("ERR no such key");
            return;
        }
        long address = 0x7f0000000000L | ((Arrays.hashCode(key) * 31L + c.db().index()) & 0xffffffffL) << 4;
        long idle = info.idleSeconds();
        c.reply().simple("Value at:0x" + Long.toHexString(address) + " refcount:" + (info.sharedInteger() ? Integer.MAX_VALUE : 1)
                + " encoding:" + info.encoding() + " serializedlength:" + (payload.length - 1 - DumpPayload.FOOTER_BYTES)
                + " lru:" + ((System.currentTimeMillis() / 1000 - idle) & ((1 << 24) - 1)) + " lru_seconds_idle:" + idle);
    }

    private static void sleep(CommandContext c) {
        double seconds;
        try {
            seconds = Double.parseDouble(c.argString(2));
        } catch (NumberFormatException e) {
            seconds = 0;
        }
        try {
            Thread.sleep((long) (seconds * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        c.reply().ok();
    }

    static final List<String> HELP = List.of(
            "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CHANGE-REPL-ID",
            "    Accepted; there is no replication.",
            "OBJECT <key>",
            "    Show low level info about the `key` and associated value.",
            "QUICKLIST-PACKED-THRESHOLD <size>",
            "    Accepted; lists are not quicklists here.",
            "RELOAD [option ...]",
            "    Save the RDB on disk and reload it back to memory. Options:",
            "    * MERGE: Merge the content of the RDB instead of flushing.",
            "    * NOFLUSH: Do not empty the dataset before loading.",
            "    * NOSAVE: Do not save the RDB, just load the existing one.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not accessed.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
            "HELP",
            "    Print this help.");
}
