package io.damselfly.server;

import io.damselfly.server.acl.AclLog;
import io.damselfly.server.acl.AclStore;
import io.damselfly.server.client.ClientRegistry;
import io.damselfly.server.client.ClientSession;
import io.damselfly.server.client.IdleClients;
import io.damselfly.server.client.ClientTracking;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.ServerContext;
import io.damselfly.server.command.family.BitmapCommands;
import io.damselfly.server.command.spec.RedisCommandCatalog;
import io.damselfly.server.command.family.AclCommands;
import io.damselfly.server.command.family.AofCommands;
import io.damselfly.server.command.family.ConnectionCommands;
import io.damselfly.server.command.family.DebugCommands;
import io.damselfly.server.command.family.HyperLogLogCommands;
import io.damselfly.server.command.family.DumpCommands;
import io.damselfly.server.command.family.MigrateCommands;
import io.damselfly.server.command.family.HashCommands;
import io.damselfly.server.command.family.SortedSetCommands;
import io.damselfly.server.command.family.GeoCommands;
import io.damselfly.server.command.family.StreamCommands;
import io.damselfly.server.command.family.KeyCommands;
import io.damselfly.server.command.family.SortCommands;
import io.damselfly.server.command.family.TransactionCommands;
import io.damselfly.server.command.family.ScriptingCommands;
import io.damselfly.server.command.family.FunctionCommands;
import io.damselfly.server.command.family.LatencyCommands;
import io.damselfly.server.command.family.MemoryCommands;
import io.damselfly.server.command.family.ListCommands;
import io.damselfly.server.command.family.PersistenceCommands;
import io.damselfly.server.command.family.PubSubCommands;
import io.damselfly.server.command.family.ReplicationCommands;
import io.damselfly.server.command.family.ClusterCommands;
import io.damselfly.server.command.family.ModuleCommands;
import io.damselfly.server.command.family.LolwutCommands;
import io.damselfly.server.command.family.ServerCommands;
import io.damselfly.server.command.family.SetCommands;
import io.damselfly.server.command.family.SlowlogCommands;
import io.damselfly.server.command.family.StringCommands;
import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;
import io.damselfly.server.keyspace.ActiveExpiry;
import io.damselfly.server.keyspace.Eviction;
import io.damselfly.server.keyspace.EvictionPolicy;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.ListpackLimits;
import io.damselfly.server.metrics.CommandStatistics;
import io.damselfly.server.metrics.Health;
import io.damselfly.server.metrics.ServerStats;
import io.damselfly.server.metrics.LatencyMonitor;
import io.damselfly.server.metrics.Slowlog;
import io.damselfly.server.migrate.MigrateSockets;
import io.damselfly.server.net.NetServer;
import io.damselfly.server.net.RequestMemoryBudget;
import io.damselfly.server.pubsub.KeyspaceNotifier;
import io.damselfly.server.pubsub.PubSub;
import io.damselfly.server.pubsub.Subscriber;
import io.damselfly.server.persist.Persistence;
import io.damselfly.server.persist.SavePoints;
import io.damselfly.server.persist.SaveSchedule;
import io.damselfly.server.config.ClientOutputBufferLimits;
import io.damselfly.server.config.KeyspaceEventClasses;
import io.damselfly.server.scripting.ScriptEngine;
import io.damselfly.server.upstream.NearCache;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running standalone server: configuration, keyspace, command table, clients, background
 * tasks and the network, wired together. {@link EmbeddedServer} and {@link Main} start it.
 */
public final class DamselflyServer implements ServerContext, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DamselflyServer.class);

    private final ServerConfig config;
    private final Keyspace keyspace;
    /** oom-score-adj's writer of /proc/self/oom_score_adj (keeps the score the process started with). */
    private final io.damselfly.server.config.OomScoreAdj oomScoreAdj = new io.damselfly.server.config.OomScoreAdj();
    private final CommandTable commands;
    private final ClientRegistry clients = new ClientRegistry();
    private final ServerStats stats = new ServerStats();
    private final MigrateSockets migrateSockets = new MigrateSockets();
    private final Health health = new Health();
    private final CommandStatistics commandStats;
    private final Slowlog slowlog = new Slowlog();
    private final LatencyMonitor latencyMonitor = new LatencyMonitor();
    private final PubSub pubsub = new PubSub();
    private final ClientTracking tracking;
    private final AclStore acl;
    private final ScriptEngine scripts;
    private final String runId;
    private final int ioThreads;
    private final NetServer net;
    private final ScheduledExecutorService cron;
    private final ActiveExpiry activeExpiry;
    private final Eviction backgroundEviction;
    private final Persistence persistence;
    private final io.damselfly.server.aof.AppendOnlyFile aof;
    /** The replication stream and what each write sends down it. */
    private final io.damselfly.server.replication.Propagation propagation;
    /** A shutdown waiting for its replicas (shutdown-timeout, SHUTDOWN ABORT). */
    private final ShutdownGrace shutdownGrace;
    private final io.damselfly.server.replication.Failover failover;
    private final io.damselfly.server.replication.FullSync fullSync;
    /** This server as a replica of another (REPLICAOF); idle while it is a primary. */
    private final io.damselfly.server.replica.ReplicaRole replicaRole = new io.damselfly.server.replica.ReplicaRole(this);
    /** Sidecar mode (--upstream): the near-cache; null when standalone. */
    private final NearCache nearCache;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean closing = new AtomicBoolean();
    private long startMillis;

    public DamselflyServer(ServerConfig config) {
        this.config = config;
        int cores = Runtime.getRuntime().availableProcessors();
        int configuredThreads = config.getInt(Option.CONN_IO_THREADS);
        this.ioThreads = configuredThreads > 0 ? configuredThreads : cores;
        int configuredShards = config.getInt(Option.NUM_SHARDS);
        // several shards per I/O thread keep two connections from colliding on one lock often
        int shards = configuredShards > 0 ? configuredShards : Math.max(16, 4 * ioThreads);
        this.keyspace = new Keyspace(shards, config.getInt(Option.DATABASES));
        if (config.getString(Option.UPSTREAM).isEmpty()) {
            // CLIENT PAUSE freezes the dataset (no expiry deletes, no eviction) while it lasts; not
            // a sidecar's store, whose clients a pause does not hold back
            clients.pause().onFreeze(keyspace::setDatasetFrozen);
        }
        this.commands = buildCommandTable();
        this.acl = newAclStore(config, commands);
        this.tracking = new ClientTracking(keyspace, clients, new ClientTracking.Limits() {
            @Override
            public ClientOutputBufferLimits classes() {
                return (ClientOutputBufferLimits) config.get(Option.CLIENT_OUTPUT_BUFFER_LIMIT);
            }

            @Override
            public long outputBufferLimit() {
                return config.getLong(Option.OUTPUT_BUFFER_LIMIT);
            }

            @Override
            public long maxKeys() {
                return config.getLong(Option.TRACKING_TABLE_MAX_KEYS);
            }
        });
        this.commandStats = new CommandStatistics(commands.idCount());
        this.scripts = new ScriptEngine(this);
        byte[] id = new byte[20];
        new SecureRandom().nextBytes(id);
        this.runId = HexFormat.of().formatHex(id);
        this.propagation = new io.damselfly.server.replication.Propagation(
                new io.damselfly.server.replication.ReplicationStream(config, runId),
                () -> config.getBool(Option.LAZYFREE_LAZY_EXPIRE), () -> config.getBool(Option.LAZYFREE_LAZY_EVICTION));
        keyspace.addObserver(propagation);
        this.shutdownGrace = new ShutdownGrace(config, clients.pause(), propagation.stream());
        this.failover = new io.damselfly.server.replication.Failover(propagation.stream(), clients.pause(),
                new io.damselfly.server.replication.Failover.Roles() {
                    @Override
                    public void replicate(String host, int port) {
                        replicaRole.replicate(host, port);
                    }

                    @Override
                    public void becomePrimary() {
                        replicaRole.stop();
                    }
                });
        this.net = new NetServer(this, ioThreads, health);
        this.activeExpiry = new ActiveExpiry(keyspace);
        this.backgroundEviction = new Eviction(keyspace);
        this.persistence = new Persistence(keyspace, new Persistence.Target() {
            @Override
            public java.nio.file.Path directory() {
                return java.nio.file.Path.of(config.getString(Option.DIR));
            }

            @Override
            public String fileName() {
                return config.getString(Option.DBFILENAME);
            }

            @Override
            public byte[] functions() {
                return scripts.functions().dump();
            }

            @Override
            public long usedMemory() {
                return keyspace.usedMemory();
            }

            @Override
            public boolean checksum() {
                return config.getBool(Option.RDBCHECKSUM);
            }

            @Override
            public boolean incrementalFsync() {
                return config.getBool(Option.RDB_SAVE_INCREMENTAL_FSYNC);
            }

            @Override
            public int keySaveDelayMicros() {
                return config.getInt(Option.RDB_KEY_SAVE_DELAY);
            }

            @Override
            public int keyLoadDelayMicros() {
                return config.getInt(Option.KEY_LOAD_DELAY);
            }

            @Override
            public io.damselfly.server.rdb.RdbFileWriter.ReplicationInfo replicationInfo() {
                return propagation.stream().replicationInfo(replicaRole.streamDb());
            }
        });
        this.aof = new io.damselfly.server.aof.AppendOnlyFile(config, persistence, propagation.stream(), keyspace);
        this.fullSync = new io.damselfly.server.replication.FullSync(propagation.stream(), persistence, keyspace,
                () -> scripts.functions().dump(),
                () -> !persistenceConfigured() && aof.state() == io.damselfly.server.aof.AppendOnlyFile.State.OFF, config);
        // CONFIG SET appendonly (updateAppendonly): turning on starts the first rewrite, or fails as Redis's
        config.guard(Option.APPENDONLY, v -> {
            boolean on = (Boolean) v;
            if (on && loading && aof.state() == io.damselfly.server.aof.AppendOnlyFile.State.OFF) {
                // its first rewrite would take the part loaded so far as the AOF's base: it starts
                // once the load has ended (the cron's restart after a synchronisation)
                aofRestartPending = true;
                return new ServerConfig.Prepared() {
                    @Override
                    public void commit() {
                    }

                    @Override
                    public void rollback() {
                        aofRestartPending = false;
                    }
                };
            }
            if (on && !aof.turnOn(true)) {
                throw new IllegalArgumentException("Unable to turn on AOF. Check server logs.");
            }
            if (!on) {
                aofRestartPending = false;
                aof.turnOff(this::withEveryShardLocked);
            }
            return new ServerConfig.Prepared() {
                @Override
                public void commit() {
                }

                @Override
                public void rollback() {
                    if (on) {
                        aof.turnOff(DamselflyServer.this::withEveryShardLocked);
                    }
                }
            };
        });
        this.cron = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "damselfly-cron");
            t.setDaemon(true);
            return t;
        });
        if (config.getBool(Option.CACHE_MODE) && config.getString(Option.MAXMEMORY_POLICY).equals("noeviction")) {
            // cache mode's policy is shown as what it is (CONFIG GET, INFO), not as noeviction
            config.set(Option.MAXMEMORY_POLICY, EvictionPolicy.ALLKEYS_TINYLFU.redisName());
            // a copy keeps the field order its DUMP gave (a listpack keeps insertion order), so
            // HGETALL answers in the upstream's order whatever its encoding; near_cache_max_value
            // bounds what a linear field search may cost
            config.set(Option.HASH_MAX_LISTPACK_ENTRIES, Long.toString(Integer.MAX_VALUE));
            config.set(Option.HASH_MAX_LISTPACK_VALUE, Long.toString(Integer.MAX_VALUE));
        }
        if (!config.getString(Option.UPSTREAM).isEmpty()) {
            // sidecar mode: the keyspace is the near-cache's local store, bounded, evicting by TinyLFU
            config.set(Option.MAXMEMORY, Long.toString(NearCache.localMemory(config)));
            config.set(Option.MAXMEMORY_POLICY, EvictionPolicy.ALLKEYS_TINYLFU.redisName());
            // a copy keeps the field order its DUMP gave (a listpack keeps insertion order), so
            // HGETALL answers in the upstream's order whatever its encoding; near_cache_max_value
            // bounds what a linear field search may cost
            config.set(Option.HASH_MAX_LISTPACK_ENTRIES, Long.toString(Integer.MAX_VALUE));
            config.set(Option.HASH_MAX_LISTPACK_VALUE, Long.toString(Integer.MAX_VALUE));
        }
        config.watch(Option.MAXMEMORY_POLICY, p -> keyspace.setEvictionPolicy(EvictionPolicy.effective(
                config.getString(Option.MAXMEMORY_POLICY), config.getBool(Option.CACHE_MODE))));
        config.watch(Option.MAXMEMORY, v -> keyspace.setMemoryLimit(config.getLong(Option.MAXMEMORY)));
        config.watch(Option.REPLICA_IGNORE_MAXMEMORY, v -> keyspace.setReplicaIgnoresMaxmemory((Boolean) v));
        config.watch(Option.LFU_LOG_FACTOR, v -> keyspace.setLfuParameters(config.getInt(Option.LFU_LOG_FACTOR), config.getInt(Option.LFU_DECAY_TIME)));
        config.watch(Option.LFU_DECAY_TIME, v -> keyspace.setLfuParameters(config.getInt(Option.LFU_LOG_FACTOR), config.getInt(Option.LFU_DECAY_TIME)));
        boolean[] initialLevel = {true};
        config.watch(Option.LOGLEVEL, v -> {
            // the level at start was set before the first logger (Main); a CONFIG SET changes it here
            if (!initialLevel[0]) {
                ServerLog.setLevel((String) v);
            }
            initialLevel[0] = false;
        });
        config.watch(Option.LATENCY_TRACKING, v -> commandStats.setLatencyTracking((Boolean) v));
        config.watch(Option.SLOWLOG_LOG_SLOWER_THAN, v -> slowlog.setThresholdMicros((Long) v));
        config.watch(Option.HASH_MAX_LISTPACK_ENTRIES, v -> keyspace.setHashLimits(hashLimits(config)));
        config.watch(Option.HASH_MAX_LISTPACK_VALUE, v -> keyspace.setHashLimits(hashLimits(config)));
        config.watch(Option.SET_MAX_INTSET_ENTRIES, v -> keyspace.setSetMaxIntSetEntries((Long) v));
        config.watch(Option.ZSET_MAX_LISTPACK_ENTRIES, v -> keyspace.setZsetLimits(zsetLimits(config)));
        config.watch(Option.ZSET_MAX_LISTPACK_VALUE, v -> keyspace.setZsetLimits(zsetLimits(config)));
        config.watch(Option.STREAM_NODE_MAX_BYTES, v -> keyspace.setStreamNodeLimits(
                config.getLong(Option.STREAM_NODE_MAX_BYTES), config.getLong(Option.STREAM_NODE_MAX_ENTRIES)));
        config.watch(Option.STREAM_NODE_MAX_ENTRIES, v -> keyspace.setStreamNodeLimits(
                config.getLong(Option.STREAM_NODE_MAX_BYTES), config.getLong(Option.STREAM_NODE_MAX_ENTRIES)));
        config.watch(Option.HLL_SPARSE_MAX_BYTES, v -> keyspace.setHllSparseMaxBytes(config.getLong(Option.HLL_SPARSE_MAX_BYTES)));
        config.watch(Option.RDBCOMPRESSION, v -> io.damselfly.server.rdb.RdbOutput.setCompression((Boolean) v));
        config.watch(Option.STOP_WRITES_ON_BGSAVE_ERROR, v -> persistence.setWriteRefusal((Boolean) v, !savePoints().isEmpty()));
        config.watch(Option.SAVE, v -> persistence.setWriteRefusal(config.getBool(Option.STOP_WRITES_ON_BGSAVE_ERROR), !savePoints().isEmpty()));
        config.watch(Option.LAZYFREE_LAZY_EXPIRE, v -> applyLazyFree());
        config.watch(Option.LAZYFREE_LAZY_EVICTION, v -> applyLazyFree());
        config.watch(Option.LAZYFREE_LAZY_SERVER_DEL, v -> applyLazyFree());
        config.watch(Option.OOM_SCORE_ADJ, v -> applyOomScoreAdj());
        config.watch(Option.OOM_SCORE_ADJ_VALUES, v -> applyOomScoreAdj());
        replicaRole.onRoleChange(() -> {
            // a replica's keys expire by its primary's DELs (before the link loads a snapshot)
            keyspace.setFollowingPrimary(replicaRole.isReplica());
            applyOomScoreAdj();
        });
        config.watch(Option.SLOWLOG_MAX_LEN, v -> slowlog.setMaxLength((Long) v));
        config.watch(Option.LATENCY_MONITOR_THRESHOLD, v -> latencyMonitor.setThresholdMillis((Long) v));
        config.watch(Option.CLIENT_OUTPUT_BUFFER_LIMIT, v -> pubsub.setLimit(((ClientOutputBufferLimits) v).pubsub()));
        KeyspaceNotifier notifier = new KeyspaceNotifier(keyspace, pubsub);
        config.watch(Option.NOTIFY_KEYSPACE_EVENTS, v -> notifier.setClasses((KeyspaceEventClasses) v));
        this.nearCache = config.getString(Option.UPSTREAM).isEmpty() ? null : new NearCache(this);
    }

    /** Pushes the lazyfree-lazy-expire, -eviction and -server-del options to the keyspace. */
    private void applyLazyFree() {
        keyspace.setLazyFree(config.getBool(Option.LAZYFREE_LAZY_EXPIRE), config.getBool(Option.LAZYFREE_LAZY_EVICTION),
                config.getBool(Option.LAZYFREE_LAZY_SERVER_DEL));
    }

    private static ListpackLimits hashLimits(ServerConfig config) {
        return new ListpackLimits(config.getLong(Option.HASH_MAX_LISTPACK_ENTRIES), config.getLong(Option.HASH_MAX_LISTPACK_VALUE));
    }

    private static ListpackLimits zsetLimits(ServerConfig config) {
        return new ListpackLimits(config.getLong(Option.ZSET_MAX_LISTPACK_ENTRIES), config.getLong(Option.ZSET_MAX_LISTPACK_VALUE));
    }

    /** The command table every server uses: each family's registrations, in one place. */
    public static CommandTable buildCommandTable() {
        CommandTable.Builder b = CommandTable.builder();
        ConnectionCommands.register(b);
        AclCommands.register(b);
        ServerCommands.register(b);
        LatencyCommands.register(b);
        SlowlogCommands.register(b);
        StringCommands.register(b);
        BitmapCommands.register(b);
        KeyCommands.register(b);
        DumpCommands.register(b);
        MigrateCommands.register(b);
        HashCommands.register(b);
        SortedSetCommands.register(b);
        GeoCommands.register(b);
        StreamCommands.register(b);
        MemoryCommands.register(b);
        ListCommands.register(b);
        SetCommands.register(b);
        ReplicationCommands.register(b);
        ClusterCommands.register(b);
        ModuleCommands.register(b);
        LolwutCommands.register(b);
        TransactionCommands.register(b);
        PubSubCommands.register(b);
        PersistenceCommands.register(b);
        AofCommands.register(b);
        HyperLogLogCommands.register(b);
        DebugCommands.register(b);
        SortCommands.register(b);
        ScriptingCommands.register(b);
        FunctionCommands.register(b);
        return b.build();
    }

    /** Binds the port, loads the data and starts serving; returns this. */
    public DamselflyServer start() throws InterruptedException {
        listen();
        load();
        return this;
    }

    /**
     * Binds the port, as Redis's initServer does before the data loads: until {@link #load} is
     * done, commands other than those flagged "loading" (INFO, PING ...) answer LOADING.
     */
    public void listen() throws InterruptedException {
        startMillis = System.currentTimeMillis();
        loading = true;
        net.start();
        writePidFile();
    }

    /**
     * Loads the data (Redis's loadDataFromDisk: the AOF when appendonly is yes, else the RDB file)
     * and starts what runs in the background. A file that does not load stops the start here
     * ({@link io.damselfly.server.rdb.RdbLoadException}, {@link io.damselfly.server.aof.AppendOnlyFile.AofStartException}).
     */
    public void load() {
        io.damselfly.server.rdb.RdbFileWriter.ReplicationInfo fileReplication = null;
        try {
            if (nearCache == null && config.getBool(Option.APPENDONLY)) {
                // with the AOF on, the AOF is the data, the RDB file is not read
                aof.start(this::loadAof);
            } else if (nearCache == null) {
                // a sidecar's keyspace holds copies that are only right while tracked: never loaded
                fileReplication = loadRdbAtStart();
            }
        } finally {
            loading = false;
        }
        if (closing.get()) {
            // stopped while loading (SHUTDOWN, a signal): nothing is to start in the background
            return;
        }
        String primary = config.getString(Option.REPLICAOF);
        if (!primary.isEmpty()) {
            // a config file's "replicaof host port": a replica from the start, as Redis, asking to
            // continue where its file left its primary's stream when the file says
            String[] hostPort = primary.trim().split("\\s+");
            if (fileReplication != null) {
                replicaRole.replicateFrom(hostPort[0], Integer.parseInt(hostPort[1]), fileReplication);
            } else {
                replicaRole.replicate(hostPort[0], Integer.parseInt(hostPort[1]));
            }
        }
        persistence.walkOn(net.stepLoops());
        persistence.pacedWhile(net::loopsBusy);
        if (nearCache != null) {
            nearCache.start(net.eventLoops());
            health.addCheck(nearCache::healthProblem);
        }
        scheduleCron();
        cron.scheduleAtFixedRate(this::sampleStats, ServerStats.SAMPLE_PERIOD_MILLIS,
                ServerStats.SAMPLE_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        health.serving();
    }

    /** Whether the data is being loaded at start (Redis's server.loading): commands answer LOADING. */
    private volatile boolean loading;

    @Override
    public boolean loading() {
        return loading;
    }

    @Override
    public void whileLoading(Runnable load) {
        boolean was = loading;
        loading = true;
        try {
            load.run();
        } finally {
            loading = was;
        }
    }

    private void sampleStats() {
        if (cronPaused) {
            return; // serverCron's trackInstantaneousMetric, paused with it
        }
        try {
            stats.sample(System.currentTimeMillis(), commandStats.totalCalls(), keyspace.usedMemory());
        } catch (RuntimeException e) {
            log.error("stats sampling failed", e);
        }
    }

    private void scheduleCron() {
        int hz = config.getInt(Option.HZ);
        cron.schedule(() -> {
            try {
                if (!cronPaused) {
                    serverCron();
                }
                // carry on an eviction that a command's bounded step left unfinished, at most
                // max_eviction_per_heartbeat keys per tick (Dragonfly's heartbeat eviction; Redis
                // carries eviction on in a time event of its own, which pause-cron leaves running)
                backgroundEviction.makeRoom(config.getLong(Option.MAXMEMORY), keyspace.evictionPolicy(),
                        System.currentTimeMillis(), config.getLong(Option.MAX_EVICTION_PER_HEARTBEAT));
            } catch (RuntimeException e) {
                log.error("background keyspace task failed", e);
            }
            if (!closing.get()) {
                scheduleCron();
            }
        }, 1000 / hz, TimeUnit.MILLISECONDS);
    }

    /** Held by each tick of {@link #serverCron}, and by DEBUG SLEEP ({@link #withCronHeld}). */
    private final java.util.concurrent.locks.ReentrantLock cronLock = new java.util.concurrent.locks.ReentrantLock();

    @Override
    public void withCronHeld(Runnable during) {
        cronLock.lock();
        try {
            during.run();
        } finally {
            cronLock.unlock();
        }
    }

    /** What Redis's serverCron does that damselfly does too, once a tick; DEBUG PAUSE-CRON skips it. */
    private void serverCron() {
        // the lock before any shard's, as DEBUG SLEEP takes them, so neither waits on the other
        withCronHeld(this::serverCronTick);
    }

    private void serverCronTick() {
        long start = System.nanoTime();
        // a client pause whose time is up ends here if no command saw it first (serverCron)
        clients.pause().expireIfElapsed(System.currentTimeMillis());
        activeExpiry.tick(config.getInt(Option.HZ));
        // the table limit also when idle, as serverCron does after a CONFIG SET, and
        // the ids of clients that stopped tracking out of the table
        tracking.limitTable();
        tracking.sweep();
        latencyMonitor.recordIfNeeded("expire-cycle", (System.nanoTime() - start) / 1_000_000,
                System.currentTimeMillis() / 1000);
        if (!loading) {
            // no save point or schedule fires while a data set loads (a replica's snapshot): it
            // would write the part loaded so far over the file being loaded, as Redis never does
            persistence.tick(System.currentTimeMillis(), savePoints(), saveSchedule());
        }
        aof.tick(System.currentTimeMillis());
        propagation.stream().tick(System.currentTimeMillis());
        fullSync.tick(System.currentTimeMillis());
        replicaRole.tick(System.currentTimeMillis());
        shutdownGrace.tick(System.currentTimeMillis());
        failover.tick(System.currentTimeMillis());
        if (aofRestartPending && !loading) {
            restartAofAfterSync();
        }
        closeIdleClients(System.currentTimeMillis());
    }

    /**
     * The RDB file at start (loadDataFromDisk): on a primary, the keys dropped as expired go into
     * a backlog as DELs and, when the file records its place in a replication stream, that history
     * goes on here as the second id, so replicas from before a restart continue; answers that
     * place (a replica continues from it), or null.
     */
    private io.damselfly.server.rdb.RdbFileWriter.ReplicationInfo loadRdbAtStart() {
        io.damselfly.server.replication.ReplicationStream stream = propagation.stream();
        boolean primary = config.getString(Option.REPLICAOF).isEmpty();
        if (primary) {
            stream.beginLoad();
        } else {
            // a replica from the start keeps the file's expired keys for its primary's DELs, as
            // rdbLoad does when masterhost is set (the role itself begins after the load)
            keyspace.setFollowingPrimary(true);
        }
        io.damselfly.server.rdb.RdbLoader.Result r = persistence.load(code -> scripts.functions().load(code, false), false, null,
                primary ? (db, key) -> stream.expiredAtLoad(db, key, config.getBool(Option.LAZYFREE_LAZY_EXPIRE)) : null);
        io.damselfly.server.rdb.RdbFileWriter.ReplicationInfo file = r != null ? r.replication() : null;
        if (primary) {
            stream.endLoad(file);
        }
        return file;
    }

    /** DEBUG PAUSE-CRON's switch (Redis's server.pause_cron). */
    private volatile boolean cronPaused;

    @Override
    public void pauseCron(boolean paused) {
        cronPaused = paused;
    }

    /** When the cron last looked for idle clients; they are looked for once a second, as Redis's clientsCron visits each client. */
    private long idleSweepMillis;

    /** The timeout directive: idle clients closed (client.IdleClients), once a second. */
    private void closeIdleClients(long nowMillis) {
        if (nowMillis - idleSweepMillis >= 1000) {
            idleSweepMillis = nowMillis;
            IdleClients.closeExpired(clients, config.getLong(Option.TIMEOUT), nowMillis);
            checkSubscriberOutputLimits(nowMillis);
        }
    }

    /**
     * Subscribers' output buffers against the pubsub class's limits, once a second, as Redis's
     * clientsCron checks every client: a publish checks only its receivers, so without this a
     * subscriber left past the soft limit by a burst would stay connected once publishing stops.
     */
    private void checkSubscriberOutputLimits(long nowMillis) {
        ClientOutputBufferLimits.Limit limit = pubsub.limit();
        for (ClientSession c : clients.snapshot()) {
            Subscriber s = c.subscriberIfAny();
            if (s != null && !c.isGone() && c.isSubscribed()) {
                s.checkLimit(limit, nowMillis);
            }
        }
    }

    @Override
    public SavePoints savePoints() {
        return (SavePoints) config.get(Option.SAVE);
    }

    /** The save schedule: --snapshot_cron, else --save_schedule (Dragonfly's precedence). */
    private SaveSchedule saveSchedule() {
        SaveSchedule cron = (SaveSchedule) config.get(Option.SNAPSHOT_CRON);
        return cron.isEmpty() ? (SaveSchedule) config.get(Option.SAVE_SCHEDULE) : cron;
    }

    @Override
    public boolean persistenceConfigured() {
        return !savePoints().isEmpty() || !saveSchedule().isEmpty();
    }

    @Override
    public ActiveExpiry activeExpiry() {
        return activeExpiry;
    }

    @Override
    public Persistence persistence() {
        return persistence;
    }

    @Override
    public io.damselfly.server.replication.Propagation propagation() {
        return propagation;
    }

    @Override
    public io.damselfly.server.replication.FullSync fullSync() {
        return fullSync;
    }

    @Override
    public io.damselfly.server.aof.AppendOnlyFile aof() {
        return aof;
    }

    /**
     * Replays AOF files into the keyspace (at start, and DEBUG LOADAOF into an emptied one), as
     * the AOF client, with nothing propagated and every shard held, as Redis loads with its event
     * loop stopped.
     */
    @Override
    public io.damselfly.server.aof.AofLoading.Result loadAof(io.damselfly.server.aof.AofManifest manifest)
            throws java.io.IOException {
        Object[] outcome = new Object[1];
        // other clients answer LOADING meanwhile (DEBUG LOADAOF too, as Redis sets server.loading)
        whileLoading(() -> withEveryShardLocked(() -> propagation.withoutPropagating(() -> {
            keyspace.setLoading(true);
            try {
                outcome[0] = io.damselfly.server.aof.AofClient.load(this, manifest, java.nio.file.Path.of(config.getString(Option.DIR)),
                        config.inDir(config.getString(Option.APPENDDIRNAME)), config.getString(Option.APPENDFILENAME));
            } catch (java.io.IOException e) {
                outcome[0] = e;
            } finally {
                keyspace.setLoading(false);
            }
        })));
        if (outcome[0] instanceof java.io.IOException e) {
            throw e;
        }
        return (io.damselfly.server.aof.AofLoading.Result) outcome[0];
    }

    /** Set while the AOF a replica's full synchronisation turned off has not started again. */
    private volatile boolean aofRestartPending;

    @Override
    public void stopAofForSync() {
        if (config.getBool(Option.APPENDONLY)) {
            aofRestartPending = false;
            aof.turnOff(this::withEveryShardLocked);
        }
    }

    @Override
    public void restartAofAfterSync() {
        if (!config.getBool(Option.APPENDONLY) || aof.state() != io.damselfly.server.aof.AppendOnlyFile.State.OFF) {
            return;
        }
        aofRestartPending = !aof.turnOn(true);
        if (aofRestartPending) {
            log.warn("Failed enabling the AOF after successful master synchronization! Trying it again in one second.");
        }
    }

    /** Runs {@code action} with every shard of the keyspace locked. */
    private void withEveryShardLocked(Runnable action) {
        keyspace.lockAll();
        try {
            action.run();
        } finally {
            keyspace.unlockAll();
        }
    }

    @Override
    public io.damselfly.server.replica.ReplicaRole replicaRole() {
        return replicaRole;
    }

    @Override
    public io.damselfly.server.replication.Failover failover() {
        return failover;
    }

    @Override
    public java.util.concurrent.CompletableFuture<Boolean> shutdown(boolean save, boolean force, boolean now) {
        // as prepareForShutdown: never a save while a data set is being loaded (at start, DEBUG
        // RELOAD, a replica's snapshot), which would write the part loaded so far over the file
        boolean saving = save && !loading;
        return shutdownGrace.begin(now, () -> finishShutdown(saving, force));
    }

    @Override
    public boolean abortShutdown() {
        return shutdownGrace.abort();
    }

    @Override
    public long shutdownMillisLeft() {
        return shutdownGrace.millisLeft(System.currentTimeMillis());
    }

    private static final String SHUTDOWN_FAILED = "Errors trying to shut down the server. Check the logs for more information.";

    /** finishShutdown: the stop once no replica is waited for (any more). */
    private java.util.concurrent.CompletableFuture<Boolean> finishShutdown(boolean save, boolean force) {
        if (aof.writingInitialAof()) {
            // prepareForShutdown: the AOF just turned on holds no data set until its rewrite ends
            if (!force) {
                log.warn("Writing initial AOF, can't exit.");
                log.warn(SHUTDOWN_FAILED);
                return java.util.concurrent.CompletableFuture.completedFuture(false);
            }
            log.warn("Writing initial AOF. Exit anyway.");
        }
        if (!save) {
            shutdownAsync();
            return java.util.concurrent.CompletableFuture.completedFuture(true);
        }
        return persistence.saveAfterRunning("shutdown").thenApply(ok -> {
            if (!ok && !force) {
                log.warn("Error trying to save the DB, can't exit.");
                log.warn(SHUTDOWN_FAILED);
                return false;
            }
            if (!ok) {
                log.warn("Error trying to save the DB. Exit anyway.");
            }
            Thread t = new Thread(() -> stopAfterSave(ok), "damselfly-shutdown");
            t.setDaemon(false);
            t.start();
            return true;
        });
    }

    /**
     * The end of a saving shutdown: clients go first, so nothing writes any more, then a last save
     * catches the writes made while the first one ran (when there were any), then everything else.
     */
    private void stopAfterSave(boolean saved) {
        health.unavailable(Health.SHUTTING_DOWN);
        persistence.walkOn(List.of());
        net.close();
        if (saved && persistence.changesSinceLastSave() > 0) {
            persistence.saveAfterRunning("shutdown").join();
        }
        close();
    }

    /** oom-score-adj with the value of this server's class now (primary or replica). */
    private void applyOomScoreAdj() {
        oomScoreAdj.apply(config.getString(Option.OOM_SCORE_ADJ), config.getString(Option.OOM_SCORE_ADJ_VALUES), replicaRole.isReplica());
    }

    /** The pidfile written at start, or null. */
    private volatile java.nio.file.Path pidFile;

    /**
     * pidfile: the process id written once the server listens, as Redis's createPidFile (a file
     * that cannot be written is logged, not fatal), and removed at shutdown.
     */
    private void writePidFile() {
        String name = config.getString(Option.PIDFILE);
        if (name.isEmpty()) {
            return;
        }
        java.nio.file.Path path = config.inDir(name);
        try {
            java.nio.file.Files.writeString(path, ProcessHandle.current().pid() + "\n");
            pidFile = path;
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("Failed to write PID file: {}", e.toString());
        }
    }

    private void removePidFile() {
        java.nio.file.Path path = pidFile;
        if (path != null) {
            try {
                java.nio.file.Files.deleteIfExists(path);
            } catch (java.io.IOException e) {
                log.warn("Failed to remove PID file {}: {}", path, e.toString());
            }
        }
    }

    /** Blocks until the server has stopped (SHUTDOWN or {@link #close()}). */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        try {
            health.unavailable(Health.SHUTTING_DOWN);
            cron.shutdownNow();
            persistence.walkOn(List.of());
            if (nearCache != null) {
                nearCache.close();
            }
            migrateSockets.closeAll();
            replicaRole.close();
            net.close();
            // as prepareForShutdown: what the AOF buffers is written and fsynced
            aof.close();
            // then a script still running (SHUTDOWN NOSAVE during a busy one) may stop: nothing
            // it did can reach the AOF any more
            scripts.close();
            persistence.close();
            removePidFile();
            log.info("damselfly is now ready to exit, bye bye...");
        } finally {
            closed.countDown();
        }
    }

    @Override
    public void shutdownAsync() {
        Thread t = new Thread(this::close, "damselfly-shutdown");
        t.setDaemon(false);
        t.start();
    }

    @Override
    public Keyspace keyspace() {
        return keyspace;
    }

    @Override
    public ServerConfig config() {
        return config;
    }

    @Override
    public ClientRegistry clients() {
        return clients;
    }

    @Override
    public CommandTable commands() {
        return commands;
    }

    @Override
    public ServerStats stats() {
        return stats;
    }

    @Override
    public MigrateSockets migrateSockets() {
        return migrateSockets;
    }

    @Override
    public CommandStatistics commandStats() {
        return commandStats;
    }

    @Override
    public Slowlog slowlog() {
        return slowlog;
    }

    @Override
    public LatencyMonitor latencyMonitor() {
        return latencyMonitor;
    }

    @Override
    public PubSub pubsub() {
        return pubsub;
    }

    @Override
    public NearCache nearCache() {
        return nearCache;
    }

    @Override
    public AclStore acl() {
        return acl;
    }

    /**
     * The ACL store: the default user's password following requirepass, then the users of the
     * config file's "user" lines or of the aclfile (not both, as Redis refuses both at start).
     */
    private static AclStore newAclStore(ServerConfig config, CommandTable commands) {
        AclStore store = new AclStore(RedisCommandCatalog.redis(), commands,
                new AclLog(() -> config.getLong(Option.ACLLOG_MAX_LEN)),
                () -> config.getString(Option.ACL_PUBSUB_DEFAULT).equals("allchannels"));
        config.watch(Option.REQUIREPASS, v -> store.setDefaultPassword((String) v));
        config.watch(Option.ACLLOG_MAX_LEN, v -> store.log().trim());
        String file = config.getString(Option.ACLFILE);
        if (!file.isEmpty() && !config.aclUsers().isEmpty()) {
            throw new IllegalArgumentException("Configuring Redis with users defined in redis.conf and at the same "
                    + "setting an ACL file path is invalid. This setup is very likely to lead to configuration errors "
                    + "and security holes, please define either an ACL file or declare users directly in your "
                    + "redis.conf, but not both.");
        }
        store.loadConfigured(config.aclUsers());
        if (!file.isEmpty()) {
            String errors = store.load(config.inDir(file), file).errors();
            if (errors != null) {
                throw new IllegalArgumentException("Aborting startup because of ACL errors: " + errors);
            }
        }
        return store;
    }

    public ClientTracking tracking() {
        return tracking;
    }

    public ScriptEngine scripts() {
        return scripts;
    }

    @Override
    public long startMillis() {
        return startMillis;
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public int port() {
        // the port bound now: CONFIG SET port moves it
        return net.port();
    }

    /** The admin (HTTP) port bound, or -1 when there is none. */
    public int adminPort() {
        return net.adminPort();
    }

    /** Whether the server is fit to serve ({@code GET /health}); parts add their checks to it. */
    public Health health() {
        return health;
    }

    /** The budget for memory held by unfinished requests. */
    public RequestMemoryBudget requestMemory() {
        return net.requestMemory();
    }

    @Override
    public int ioThreads() {
        return ioThreads;
    }

    @Override
    public int[] connectionsPerLoop() {
        return net.connectionsPerLoop();
    }

    @Override
    public long connectionMoves() {
        return net.connectionMoves();
    }

    @Override
    public double ioIdlePollSeconds() {
        return net.idlePollSeconds();
    }

    /** The network: listeners and event loops. */
    public NetServer net() {
        return net;
    }

    @Override
    public String version() {
        return version0();
    }

    /** The jar's Implementation-Version, or the development version when run from classes. */
    static String version0() {
        String v = DamselflyServer.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0";
    }
}
