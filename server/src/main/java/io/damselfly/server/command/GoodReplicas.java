package io.damselfly.server.command;

import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;

/**
 * Redis's checkGoodReplicasStatus: with min-replicas-to-write above 0 and min-replicas-max-lag not
 * 0, a primary with fewer online replicas than that, each heard from within the lag, refuses
 * writes (processCommand, scriptPrepareForRun, scriptVerifyWriteCommandAllow). A replica never
 * does, whatever its own settings: it would refuse its primary's stream, and a writable replica's
 * clients are not the primary's concern (checkGoodReplicasStatus's masterhost clause).
 */
public final class GoodReplicas {
    public static final String NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";

    private GoodReplicas() {
    }

    /** Whether min-replicas-to-write is in force (INFO shows min_slaves_good_slaves then). */
    public static boolean checked(ServerConfig config) {
        return config.getLong(Option.MIN_REPLICAS_TO_WRITE) > 0 && config.getLong(Option.MIN_REPLICAS_MAX_LAG) > 0;
    }

    /** Replicas that count as good now (repl_good_slaves_count). */
    public static int count(ServerContext server) {
        return server.propagation().stream().goodReplicas(server.config().getLong(Option.MIN_REPLICAS_MAX_LAG));
    }

    /** Whether write commands are refused with {@link #NOREPLICAS} now. */
    public static boolean writesRefused(ServerContext server) {
        ServerConfig config = server.config();
        return checked(config) && !server.replicaRole().isReplica()
                && count(server) < config.getLong(Option.MIN_REPLICAS_TO_WRITE);
    }
}
