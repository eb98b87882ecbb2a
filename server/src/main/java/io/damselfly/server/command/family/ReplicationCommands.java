package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.DeferredReply;

/**
 * Replication commands. damselfly has no replicas, so WAIT answers as a Redis primary with none
 * attached: at once when it asks for no replica, otherwise after its timeout (or never, for 0),
 * blocking its client meanwhile, as Redis does. ROLE answers as a primary without replicas.
 */
public final class ReplicationCommands {
    private ReplicationCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("wait", ReplicationCommands::waitForReplicas);
        t.add("role", ReplicationCommands::role);
    }

    /** WAIT numreplicas timeout: replicas that acknowledged this client's writes, here always 0. */
    static void waitForReplicas(CommandContext c) {
        long wanted = c.longArg(1);
        long timeout = Timeouts.millis(c, 2);
        int acknowledged = 0;
        if (acknowledged >= wanted || !c.canDefer()) {
            c.reply().integer(acknowledged);
            return;
        }
        DeferredReply slot = c.deferReply(true);
        slot.timeoutAfter(timeout, r -> r.integer(acknowledged));
    }

    /** ROLE: ["master", replication offset, replicas], here ["master", 0, []]. */
    static void role(CommandContext c) {
        c.reply().array(3);
        c.reply().bulk("master");
        c.reply().integer(0);
        c.reply().emptyArray();
    }
}
