package io.damselfly.server.command;

import io.damselfly.server.client.ClientRegistry;
import io.damselfly.server.client.ClientTracking;
import io.damselfly.server.config.ServerConfig;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.metrics.CommandStatistics;
import io.damselfly.server.metrics.ServerStats;
import io.damselfly.server.metrics.LatencyMonitor;
import io.damselfly.server.metrics.Slowlog;
import io.damselfly.server.pubsub.PubSub;
import io.damselfly.server.scripting.ScriptEngine;

/** What commands may reach of the running server beyond their own connection. */
public interface ServerContext {
    /**
     * The Redis version damselfly answers as (HELLO, INFO redis_version): clients gate features on
     * it, and damselfly's replies follow this version's.
     */
    String REDIS_VERSION = "7.0.15";

    Keyspace keyspace();

    ServerConfig config();

    ClientRegistry clients();

    /** INFO connected_clients: the clients connected, replicas left out, as Redis counts them. */
    default int connectedClients() {
        return clients().count() - propagation().stream().replicaCount();
    }

    CommandTable commands();

    ServerStats stats();

    /** Per-command calls, times and latency histograms, merged over the threads that record them. */
    CommandStatistics commandStats();

    /** The commands that ran longer than slowlog-log-slower-than (SLOWLOG). */
    Slowlog slowlog();

    /** Events that took latency-monitor-threshold or longer (LATENCY LATEST, HISTORY ...). */
    LatencyMonitor latencyMonitor();

    /** Pub/Sub channels, patterns and their subscribers (PUBLISH, SUBSCRIBE, keyspace notifications). */
    PubSub pubsub();

    /** CLIENT TRACKING: the tracking table, BCAST prefixes and invalidation messages. */
    ClientTracking tracking();

    /** ACL users and their permissions. */
    io.damselfly.server.acl.AclStore acl();
    /** Lua scripting: EVAL's scripts, functions, and the script running now. */
    ScriptEngine scripts();

    /** What writes send down the replication stream, and the stream with its replicas. */
    io.damselfly.server.replication.Propagation propagation();

    /** Full synchronisations of replicas (SYNC, PSYNC without a continuation). */
    io.damselfly.server.replication.FullSync fullSync();

    /** This server as a replica of another (REPLICAOF, SLAVEOF, ROLE and INFO as a replica). */
    io.damselfly.server.replica.ReplicaRole replicaRole();

    /** A coordinated failover of this primary to one of its replicas (FAILOVER). */
    io.damselfly.server.replication.Failover failover();

    /**
     * Whether data is loading (at start, DEBUG LOADAOF, a replica's snapshot): commands not flagged
     * "loading" answer LOADING (Redis's server.loading).
     */
    boolean loading();

    /** Runs {@code load} with {@link #loading} true, as Redis's startLoading and stopLoading around it. */
    void whileLoading(Runnable load);

    /** The append-only file: BGREWRITEAOF, CONFIG SET appendonly, DEBUG LOADAOF, INFO's aof_ fields. */
    io.damselfly.server.aof.AppendOnlyFile aof();

    /**
     * readSyncBulkPayload's stopAppendOnly: a replica about to replace its data set with its
     * primary's snapshot turns the AOF off (what it holds would otherwise come back at the next
     * start in place of the snapshot); nothing when appendonly is off.
     */
    void stopAofForSync();

    /**
     * restartAOFAfterSYNC: the AOF on again when appendonly is and a synchronisation left it off
     * (after the load, or when the replica becomes a primary after a failed one), its first
     * rewrite taking the data set as its base; tried again each second while it cannot start.
     */
    void restartAofAfterSync();

    /** Replays AOF files into the keyspace as the AOF client, nothing propagated (start, DEBUG LOADAOF). */
    io.damselfly.server.aof.AofLoading.Result loadAof(io.damselfly.server.aof.AofManifest manifest) throws java.io.IOException;

    /**
     * Redis's writeCommandsDeniedByDiskError: MISCONF's text while writes are refused because the
     * last snapshot failed (stop-writes-on-bgsave-error) or the last AOF write did; null otherwise.
     */
    default String diskErrorDenial() {
        if (persistence().writesDenied()) {
            return io.damselfly.server.persist.Persistence.MISCONF;
        }
        return aof().writeDenial();
    }

    /** RDB snapshots: SAVE, BGSAVE, save points and schedules, INFO persistence. */
    io.damselfly.server.persist.Persistence persistence();

    /**
     * SHUTDOWN: stops the server, first waiting up to shutdown-timeout for replicas to acknowledge
     * the whole stream unless {@code now} (writes paused meanwhile), then saving when {@code save}
     * (a failed save keeps it running unless {@code force}, as does the AOF's first rewrite still
     * running); the future answers whether it is stopping, at once when it refuses before anything
     * began, and is cancelled when SHUTDOWN ABORT ends the wait. A shutdown asked for while one
     * waits answers that one's outcome.
     */
    java.util.concurrent.CompletableFuture<Boolean> shutdown(boolean save, boolean force, boolean now);

    /** SHUTDOWN ABORT: ends a shutdown waiting for its replicas; false when none waits. */
    boolean abortShutdown();

    /** Milliseconds a waiting shutdown still gives its replicas (INFO shutdown_in_milliseconds), or -1 when none waits. */
    long shutdownMillisLeft();

    /** Redis's save points as configured (CONFIG SET save). */
    io.damselfly.server.persist.SavePoints savePoints();

    /** Whether snapshots are configured (save points or a save schedule): SHUTDOWN and SIGTERM then save. */
    boolean persistenceConfigured();

    /** The active expiry sweep (DEBUG SET-ACTIVE-EXPIRE turns it off and on). */
    io.damselfly.server.keyspace.ActiveExpiry activeExpiry();

    /**
     * DEBUG PAUSE-CRON (Redis's pause_cron): while paused, the background tick does none of the
     * work of Redis's serverCron (active expiry, save points, idle clients, client-pause ends, the
     * tracking table's limit, the instantaneous statistics).
     */
    void pauseCron(boolean paused);

    /**
     * Runs {@code during} with the background tick held (DEBUG SLEEP: Redis sleeps whole, so its
     * serverCron neither expires keys nor reconnects a replica's link meanwhile).
     */
    void withCronHeld(Runnable during);

    /** MIGRATE's cached connections to its targets (INFO migrate_cached_sockets). */
    io.damselfly.server.migrate.MigrateSockets migrateSockets();

    /** Milliseconds since the epoch when the server started. */
    long startMillis();

    /** 40 hex characters identifying this run (INFO run_id). */
    String runId();

    /** The port actually bound. */
    int port();

    /** Number of event-loop threads serving clients. */
    int ioThreads();

    /** How many connections each event loop serves now (INFO io_thread_clients). */
    int[] connectionsPerLoop();

    /** Connections moved from one event loop to another since the start (INFO io_thread_client_moves). */
    long connectionMoves();

    /** Seconds the event loops have spent polling idle before they sleep (INFO io_threads_idle_poll_seconds). */
    double ioIdlePollSeconds();

    /** damselfly's own version (INFO damselfly_version), e.g. "0.1.0". */
    String version();

    /** Stops the server after the current replies are flushed (SHUTDOWN). */
    void shutdownAsync();

    /** The near-cache in sidecar mode ({@code --upstream}), or null when standalone. */
    default io.damselfly.server.upstream.NearCache nearCache() {
        return null;
    }
}
