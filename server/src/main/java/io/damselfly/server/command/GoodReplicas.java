package io.damselfly.server.command;

import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;

/**
 * Redis's checkGoodReplicasStatus for a server that has no replicas: with min-replicas-to-write
 * above 0 and min-replicas-max-lag not 0, a master without enough replicas in sync refuses
 * writes (processCommand, scriptPrepareForRun, scriptVerifyWriteCommandAllow), and damselfly
 * never has any. An operator carrying such a line over from a Redis master gets Redis's answer
 * rather than writes that silently go unreplicated.
 */
public final class GoodReplicas {
    public static final String NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";

    private GoodReplicas() {
    }

    /** Whether write commands are refused with {@link #NOREPLICAS} now. */
    public static boolean writesRefused(ServerConfig config) {
        return config.getLong(Option.MIN_REPLICAS_TO_WRITE) > 0 && config.getLong(Option.MIN_REPLICAS_MAX_LAG) > 0;
    }
}
