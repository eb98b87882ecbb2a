package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.spec.RedisCommandCatalog;

/**
 * Cluster commands (Redis group "cluster") as a standalone redis-server 7.0.15 answers them:
 * damselfly is never a cluster node, so every CLUSTER subcommand (HELP and KEYSLOT included),
 * READONLY, READWRITE and ASKING answer "This instance has cluster support disabled", after the
 * usual arity check, which the executor makes from Redis's metadata. Client libraries (Lettuce,
 * ioredis) send these to find out whether a server is a cluster node; the error is their answer.
 */
public final class ClusterCommands {
    static final String DISABLED = "ERR This instance has cluster support disabled";

    private ClusterCommands() {
    }

    public static void register(CommandTable.Builder t) {
        // every subcommand Redis 7.0.15 has gets the same answer, so they are bound from the
        // metadata rather than listed: a subcommand a newer Redis adds answers "unknown subcommand"
        t.container("cluster", s -> RedisCommandCatalog.redis().get("cluster").subcommands().keySet()
                .forEach(name -> s.add(name, ClusterCommands::disabled)));
        t.add("readonly", ClusterCommands::disabled);
        t.add("readwrite", ClusterCommands::disabled);
        t.add("asking", ClusterCommands::disabled);
    }

    /** CLUSTER &lt;any subcommand&gt;, READONLY, READWRITE, ASKING: cluster support is disabled. */
    static void disabled(CommandContext c) {
        c.reply().error(DISABLED);
    }
}
