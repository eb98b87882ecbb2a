package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.DeferredReply;
import io.damselfly.server.persist.Persistence;
import java.util.concurrent.CompletableFuture;

/**
 * Snapshot commands (Redis's rdb.c): SAVE, BGSAVE [SCHEDULE], LASTSAVE. The saving itself is
 * {@link Persistence}'s; these parse and reply. SAVE waits for its save in a deferred reply, so
 * its event loop serves other clients meanwhile.
 */
public final class PersistenceCommands {
    static final String IN_PROGRESS = "ERR Background save already in progress";
    /** shared.err: the bare error Redis gives when a save fails. */
    static final String FAILED = "ERR";

    private PersistenceCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("save", PersistenceCommands::save);
        t.add("bgsave", PersistenceCommands::bgsave);
        t.add("lastsave", PersistenceCommands::lastsave);
    }

    /** SAVE: Redis flags it NO_MULTI and NOSCRIPT, so it always runs where it can defer its reply. */
    static void save(CommandContext c) {
        CompletableFuture<Boolean> done = c.server().persistence().startSaveCommand();
        if (done == null) {
            c.reply().error(IN_PROGRESS);
            return;
        }
        DeferredReply slot = c.deferReply(true);
        done.whenComplete((ok, e) -> slot.complete(r -> {
            if (Boolean.TRUE.equals(ok)) {
                r.ok();
            } else {
                r.error(FAILED);
            }
        }));
    }

    /** BGSAVE [SCHEDULE]: inside EXEC the save is scheduled for after it, as Redis does. */
    static void bgsave(CommandContext c) {
        if (c.argc() > 2 || (c.argc() == 2 && !c.argIs(1, "schedule"))) {
            throw c.syntaxError();
        }
        Persistence p = c.server().persistence();
        if (p.inProgress()) {
            c.reply().error(IN_PROGRESS);
        } else if (p.busy() || !c.canDefer()) {
            // an AOF rewrite runs (Redis's other child), or inside EXEC: later, if asked for
            if (c.argc() == 2 || !c.canDefer()) {
                p.scheduleSave();
                c.reply().simple("Background saving scheduled");
            } else {
                c.reply().error("ERR Another child process is active (AOF?): can't BGSAVE right now. "
                        + "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
            }
        } else if (p.startSave("BGSAVE") != null) {
            c.reply().simple("Background saving started");
        } else {
            c.reply().error(IN_PROGRESS);
        }
    }

    static void lastsave(CommandContext c) {
        c.reply().integer(c.server().persistence().lastSaveSeconds());
    }
}
