package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.STATEFUL;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Transaction;
import java.util.List;

/**
 * Transaction commands (Redis group "transactions"), as multi.c of Redis 7.0: MULTI EXEC DISCARD
 * WATCH UNWATCH. Queueing itself happens in the executor, before any handler runs (as Redis's
 * processCommand queues); these handlers open, run and end the transaction. EXEC runs the queue
 * as one atomic block across every shard: no other client's command, and no woken blocked
 * client, runs between the WATCH check and the last queued command.
 */
public final class TransactionCommands {
    private TransactionCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("multi", TransactionCommands::multi, STATEFUL);
        t.add("exec", TransactionCommands::exec, STATEFUL);
        t.add("discard", TransactionCommands::discard, STATEFUL);
        t.add("watch", TransactionCommands::watch, STATEFUL);
        t.add("unwatch", TransactionCommands::unwatch, STATEFUL);
    }

    /** MULTI */
    static void multi(CommandContext c) {
        Transaction tx = c.transaction();
        if (tx.isOpen()) {
            c.reply().error("ERR MULTI calls can not be nested");
            return;
        }
        tx.begin();
        c.reply().ok();
    }

    /** EXEC */
    static void exec(CommandContext c) {
        Transaction tx = c.transaction();
        if (!tx.isOpen()) {
            c.reply().error("ERR EXEC without MULTI");
            return;
        }
        if (tx.isFlagged()) {
            tx.discard();
            c.reply().error(Errors.EXECABORT);
            return;
        }
        long now = c.now();
        c.runAtomically(() -> {
            // checked under every shard's lock: no write can slip in between check and commands
            boolean broken = tx.watchBroken(now);
            List<byte[][]> queued = tx.takeQueued();
            // closed before the queue runs, so its commands run instead of queueing again
            tx.discard();
            if (broken) {
                c.reply().nullArray();
                return;
            }
            c.reply().array(queued.size());
            for (byte[][] argv : queued) {
                c.runInBlock(argv);
            }
        });
    }

    /** DISCARD */
    static void discard(CommandContext c) {
        Transaction tx = c.transaction();
        if (!tx.isOpen()) {
            c.reply().error("ERR DISCARD without MULTI");
            return;
        }
        tx.discard();
        c.reply().ok();
    }

    /** WATCH key [key ...] */
    static void watch(CommandContext c) {
        Transaction tx = c.transaction();
        if (tx.isOpen()) {
            c.reply().error("ERR WATCH inside MULTI is not allowed");
            return;
        }
        int db = c.client().db();
        for (int i = 1; i < c.argc(); i++) {
            tx.watch(db, c.arg(i), c.now());
        }
        c.reply().ok();
    }

    /** UNWATCH */
    static void unwatch(CommandContext c) {
        c.transaction().unwatchAll();
        c.reply().ok();
    }
}
