package io.damselfly.server.command;

import io.damselfly.server.acl.AclCheck;
import io.damselfly.server.acl.AclLog;
import io.damselfly.server.acl.AclStore;
import io.damselfly.server.acl.User;
import io.damselfly.server.client.ClientPause;
import io.damselfly.server.client.ClientSession;
import io.damselfly.server.client.ClientTracking;
import io.damselfly.server.client.TrackingState;
import io.damselfly.server.client.Monitors;
import io.damselfly.server.command.spec.KeyFinder;
import io.damselfly.server.command.spec.KeyReferences;
import io.damselfly.server.config.ClientOutputBufferLimits;
import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;
import io.damselfly.server.keyspace.Eviction;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.Shard;
import io.damselfly.server.metrics.LatencyMonitor;
import io.damselfly.server.metrics.Slowlog;
import io.damselfly.server.metrics.ThreadCommandStats;
import io.damselfly.server.pubsub.Subscriber;
import io.damselfly.server.replication.Propagation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one connection's commands: lookup, arity and auth checks, shard locking, the handler, and
 * the bookkeeping after it. One instance per connection, used only on that connection's event
 * loop.
 *
 * <p>Locking. A command with keys holds the locks of exactly the shards its keys hash to (found
 * by Redis's key specs, as COMMAND GETKEYS finds them), taken in shard-index order (so multi-key commands cannot deadlock against each other). Pipeline
 * squashing ({@code pipeline_squash} = N, Dragonfly's flag of that name): from the N-th request of
 * a read batch on, the lock a single-shard command takes stays held for the consecutive
 * same-shard commands after it, up to {@link #SQUASH_LIMIT} commands, so squashing starts with
 * the batch's (N+1)-th request, as Dragonfly squashes a pipeline of more than N; a pipeline of 100
 * GETs on one shard then costs one lock round trip instead of 100. The commands before, and every
 * command when N is 0, take and release their shard's lock alone.
 * The count is a field incremented per request and the option is read once per batch, so the
 * choice costs no allocation and no shared read per command. Any command that
 * needs another shard, several shards, or none releases the held lock first, so at most one
 * squashed lock is held and lock order is never violated. {@link #endBatch()} releases it at the
 * end of every read batch, before the replies are flushed; nothing ever waits on I/O while
 * holding a shard.
 *
 * <p>Atomic blocks. EXEC and scripts run many commands as one: {@link #runAtomically} takes every
 * shard's lock, in index order, and the commands inside run under those locks without taking
 * any of their own, without deferring a reply (a blocking pop answers at once, as Redis denies
 * blocking inside MULTI and scripts), and without serving blocked clients until the block ends,
 * so nothing another client does (not even a woken BLPOP) lands between them. An executor made
 * by {@link #forScript} runs a script's redis.call inside its caller's block.
 *
 * <p>Busy scripts. A script holds every shard for its whole run (on a script thread, see
 * ScriptEngine). Past busy-reply-threshold, a command of another client answers BUSY instead of
 * running (allow_busy commands excepted), and a command already waiting for a shard lock gives
 * up and answers BUSY: locks are taken with {@code tryLock} in {@link #BUSY_POLL_MILLIS} slices,
 * looking at the engine's "script running since" marker between slices. A script's own commands
 * skip both (their executor is atomic) and skip the maxmemory check, which the engine makes.
 *
 * <p>Transactions. While MULTI is open, every command that passes the checks Redis makes before
 * running one (name, arity, PROTECTED, auth, NO_MULTI, ACL, memory) is queued and answered QUEUED; one that fails
 * them flags the transaction, which EXEC then answers with EXECABORT ({@link Transaction}).
 *
 * <p>MONITOR. Where Redis's call() feeds monitors, so does {@link #run}: after the handler, with
 * the database selected then, unless the command is admin or skip_monitor; the skip_monitor ones
 * (EVAL, EVALSHA, FCALL and their _RO forms) are fed before they run, as Redis's evalCommand and
 * fcallCommand feed themselves, so a script's commands follow it. Rejected commands and commands
 * queued by MULTI are not fed, except a rejected EXEC (execCommandAbort). The feed happens while
 * the command's shard locks are still held, so monitors see two writes of one key in the order
 * they ran. Without monitors this costs one volatile read per command ({@link Monitors#active}).
 *
 * <p>CLIENT PAUSE. Where processCommand postpones a command (after every check that can refuse
 * it, before MULTI queues it or it runs), a paused command of a connection's executor ({@link
 * #enablePause}) does nothing at all: {@link #execute} answers false and the connection keeps the
 * request, and everything pipelined behind it, until the pause ends ({@link ClientPause}). When
 * nothing is paused this costs one volatile read per command. Commands inside EXEC and scripts,
 * and a MONITOR client's (a replica's, to Redis), are never postponed.
 */
public final class CommandExecutor {
    private static final Logger log = LoggerFactory.getLogger(CommandExecutor.class);
    /**
     * Commands run under one squashed lock before it is released and retaken: long enough to make
     * the lock's cost vanish from a pipeline (one acquisition costs about as much as one GET),
     * short enough that another connection waiting for the shard waits for at most a few
     * microseconds of work.
     */
    static final int SQUASH_LIMIT = 64;

    private final ServerContext server;
    private final CommandTable table;
    private final Keyspace keyspace;
    private final ServerConfig config;
    private final ClientSession client;
    private final Reply reply;
    private final CommandContext context;
    private final int[] shardScratch;
    private final boolean[] shardMarks;
    /** The keys of the current multi-key call, reused so finding them allocates nothing. */
    private final KeyReferences keyScratch = new KeyReferences();
    private final Eviction eviction;
    private final AclStore acl;
    /** The scratch of a restricted user's permission check. */
    private final AclCheck aclCheck = new AclCheck();
    /**
     * This event loop's statistics: taken once here, since the executor lives on one thread (again
     * by {@link #rebindToThisThread} when its connection moves to another loop); null when
     * command_statistics is off (then commands are neither timed nor counted).
     */
    private ThreadCommandStats stats;
    private final Slowlog slowlog;
    private final LatencyMonitor latencyMonitor;
    private final Monitors monitors;
    /** This thread's clock, taken once as the statistics are. */
    private CommandClock clock = CommandClock.forCurrentThread();
    /**
     * The clock reading that ended this batch's last command, which is the next command's start
     * ({@link #chained} says whether there is one). Why: two clock reads per command were 6% of
     * a pipelined GET's CPU (vDSO clock_gettime on this class of machine); chained, a command of a
     * pipelined read costs one. Its time then also covers decoding its own request, a fraction of
     * a microsecond. A batch's first command, and every command of an atomic block or a script,
     * reads the clock at its start as before.
     */
    private long chainNanos;
    private boolean chained;

    private Shard held;
    private int heldRun;
    /** Requests run since the batch began ({@link #endBatch}). */
    private long batchCommands;
    /** pipeline_squash, read at each batch's end: from this request of a batch on, locks are kept; 0 never. */
    private long squashAfter;
    private final Transaction transaction;
    /** What CLIENT LIST was last told of this client's MULTI queue (-1: none). */
    private int shownMultiQueued = -1;
    /** Set while every shard is held by this thread for an atomic block (EXEC, a script). */
    private boolean atomic;
    /** The BUSY error that made {@link #lockOrBusy} give up. */
    private String lastBusy;
    /**
     * The client's tracking state as the running request found it (read once per request, so the
     * read side of CLIENT TRACKING costs a non-tracking client one volatile read), or null.
     */
    private TrackingState trackingNow;
    /** This thread's BCAST batch (an executor runs on one thread): sent at each request's end. */
    private ClientTracking.BroadcastBatch broadcastBatch;
    /** A tracking client's own invalidations during its request, written after its reply. */
    private ClientTracking.SelfInvalidations selfInvalidations;
    /** A script's executor: a read-only command ran since {@link #takeReadOnlyRan} last asked. */
    private boolean readOnlyRan;
    /** A script's executor: it only ever runs inside its caller's atomic block. */
    private final boolean forScript;
    /**
     * The time every command of the running atomic block sees as "now" (Unix ms), or 0 outside
     * one: EXEC's start for its queued commands, a script's start for its redis.call commands.
     * Redis does the same (db.c keyIsExpired: a script sees scriptTimeSnapshot(), a command inside
     * EXEC the time cached when EXEC's call() began), so no key expires between two commands of
     * one block: SET k v PX 1, a slow command, then EXISTS k inside one script answers 1, and the
     * key expires after the block.
     */
    private long pinnedNow;
    /** CLIENT PAUSE: read once per command (one volatile read when nothing is paused). */
    private final ClientPause pause;
    /** What writes send down the replication stream: one volatile read per command until a replica attaches. */
    private final Propagation propagation;
    /** This server as a replica: one volatile read per command while it is none. */
    private final io.damselfly.server.replica.ReplicaRole replicaRole;
    /** Whether this executor's connection can hold a request back for a pause ({@link #enablePause}). */
    private boolean pausable;
    /** Set by {@link #run} when the pause postponed the request; read and cleared by {@link #execute}. */
    private boolean postponed;
    /** The pause the last postponed request was postponed under. */
    private ClientPause.State postponedUnder;

    /**
     * An executor for {@code client}'s commands, replying into {@code reply}; {@code replyOwner}
     * resolves deferred replies, or is null where a command cannot wait (a script's client).
     */
    public CommandExecutor(ServerContext server, ClientSession client, Reply reply, DeferredReply.Owner replyOwner) {
        this(server, client, reply, replyOwner, false);
    }

    /**
     * An executor for a script's redis.call: its commands run on the calling thread inside the
     * caller's {@link #runAtomically} block (every shard already held), reply into {@code reply},
     * and never defer. {@code client} is the script's own client (its db, its protocol).
     */
    public static CommandExecutor forScript(ServerContext server, ClientSession client, Reply reply) {
        return new CommandExecutor(server, client, reply, null, true);
    }

    private CommandExecutor(ServerContext server, ClientSession client, Reply reply, DeferredReply.Owner replyOwner,
            boolean forScript) {
        this.server = server;
        this.forScript = forScript;
        this.atomic = forScript;
        this.transaction = new Transaction(server.keyspace());
        this.table = server.commands();
        this.keyspace = server.keyspace();
        this.config = server.config();
        this.client = client;
        this.reply = reply;
        this.context = new CommandContext(server, client, reply, replyOwner, this);
        this.shardScratch = new int[keyspace.shardCount()];
        this.shardMarks = new boolean[keyspace.shardCount()];
        this.eviction = new Eviction(keyspace);
        this.acl = server.acl();
        this.stats = config.getBool(Option.COMMAND_STATISTICS) ? server.commandStats().forCurrentThread() : null;
        this.slowlog = server.slowlog();
        this.latencyMonitor = server.latencyMonitor();
        this.monitors = server.clients().monitors();
        this.squashAfter = config.getLong(Option.PIPELINE_SQUASH);
        this.broadcastBatch = server.tracking().threadBatch();
        this.selfInvalidations = server.tracking().threadSelf();
        this.pause = server.clients().pause();
        this.propagation = server.propagation();
        this.replicaRole = server.replicaRole();
    }

    /**
     * Lets CLIENT PAUSE postpone this executor's requests: {@link #execute} then answers false for
     * a request the pause holds back, which the caller keeps and runs again when the pause ends.
     * For a client connection that can wait; without it (a sidecar's routed client) nothing waits.
     */
    public void enablePause() {
        pausable = true;
    }

    /** The pause the last request {@link #execute} postponed was held back by. */
    public ClientPause.State postponedUnder() {
        return postponedUnder;
    }

    /**
     * Runs one request; its reply (or error) is written to the bound {@link Reply}, unless the
     * client turned replies off (CLIENT REPLY OFF or SKIP), in which case it is dropped. Answers
     * false, having done nothing, when a client pause postpones the request ({@link #enablePause}).
     */
    public boolean execute(byte[][] argv) {
        batchCommands++;
        long mark = reply.mark();
        // the one read CLIENT TRACKING costs a command of a client that does not track
        TrackingState tracking = client.tracking();
        trackingNow = tracking;
        broadcastBatch.commandStarts();
        if (tracking == null) {
            run(argv);
        } else {
            selfInvalidations.running(client.id());
            runTracked(tracking, argv);
        }
        // keys written under BCAST prefixes go out now, before this reply (Redis's beforeSleep order)
        broadcastBatch.commandEnds();
        if (client.repliesSuppressed()) {
            reply.truncate(mark);
            DeferredReply slot = context.peekDeferred();
            if (slot != null) {
                slot.silence();
            }
        }
        if (tracking != null) {
            selfInvalidations.running(0);
            if (!selfInvalidations.isEmpty()) {
                // the client's own invalidations right after its reply (pushes: sent even under REPLY OFF)
                selfInvalidations.drainTo(this::writeInvalidation);
            }
        }
        int queued = transaction.isOpen() ? transaction.size() : -1;
        if (queued != shownMultiQueued) {
            // a volatile write only when it changes: not on every command's path
            shownMultiQueued = queued;
            client.setMultiQueued(queued, transaction.argvMemory());
        }
        if (postponed) {
            // held back by a pause: it runs again later, so it is not done (a REPLY SKIP still applies)
            postponed = false;
            return false;
        }
        client.commandDone();
        return true;
    }

    /** {@code >2 invalidate [keys]}, or a null for "everything", into this client's reply. */
    private void writeInvalidation(java.util.List<byte[]> keys) {
        reply.push(2);
        reply.bulk("invalidate");
        if (keys == null) {
            reply.nullBulk();
        } else {
            reply.bulkArray(keys);
        }
    }

    /**
     * Runs a tracking client's request: marks the client as the writer on this thread for NOLOOP,
     * then ends a CLIENT CACHING that applied to it (it lasts one command, a whole MULTI ... EXEC,
     * and across CLIENT calls, as Redis's resetClient keeps it).
     */
    private void runTracked(TrackingState tracking, byte[][] argv) {
        if (tracking.noloop()) {
            ClientTracking.setCurrent(client.id());
        }
        try {
            run(argv);
        } finally {
            if (tracking.noloop()) {
                ClientTracking.setCurrent(0);
            }
        }
        if (postponed) {
            // not run yet: a CLIENT CACHING still applies to it when it runs
            return;
        }
        Command cmd = table.lookup(argv[0]);
        boolean keep = transaction.isOpen() || (cmd != null && cmd.name().equals("client"));
        // the state may have changed (CLIENT TRACKING ON again): the caching flag is the current one's
        TrackingState now = client.tracking();
        if (now != null) {
            now.commandDone(keep);
        }
    }

    private void run(byte[][] argv) {
        Command cmd = table.lookup(argv[0]);
        if (cmd == null) {
            fail(Errors.unknownCommand(argv));
            return;
        }
        if (cmd.isContainer() && (argv.length >= 2 || cmd.handler() == null)) {
            // a bare container with a handler of its own (COMMAND) runs that handler below
            if (argv.length < 2) {
                reject(cmd, argv, Errors.wrongArity(cmd.fullName()));
                return;
            }
            Command sub = cmd.subcommand(argv[1]);
            if (sub == null) {
                // as Redis: no command was found, so none counts a rejected call
                fail(Errors.unknownSubcommand(argv[1], cmd.name()));
                return;
            }
            cmd = sub;
        }
        if (!cmd.acceptsArgCount(argv.length)) {
            reject(cmd, argv, Errors.wrongArity(cmd.fullName()));
            return;
        }
        if (cmd.has(CommandFlag.PROTECTED) && !forScript) {
            // where processCommand checks it: before auth, and before MULTI queues the command; a
            // script's call is not checked, as scriptCall never passes through processCommand
            String refusal = protectedCommandRefusal(cmd);
            if (refusal != null) {
                reject(cmd, argv, refusal);
                return;
            }
        }
        if (!client.isAuthenticated() && !cmd.isNoAuth() && acl.authRequired()) {
            reject(cmd, argv, Errors.NOAUTH);
            return;
        }
        if (transaction.isOpen() && cmd.has(CommandFlag.NO_MULTI)) {
            reject(cmd, argv, Errors.NOT_IN_TRANSACTION);
            return;
        }
        // ACL, where processCommand checks it. A user allowed every command, key and channel (the
        // default user as shipped) costs two field reads here and nothing more; a script's
        // commands are checked by the script engine, with the script's own error text.
        User user = client.aclUser();
        if (user != null && !user.unrestricted() && !forScript && !permitted(user, cmd, argv)) {
            return;
        }
        // a script's commands are checked against maxmemory by the script engine, as Redis's
        // scriptVerifyOOM does (allow-oom, and only before the script's first write); a replica
        // applies its primary's writes whatever its memory (replica-ignore-maxmemory)
        if (!forScript && !client.isPrimaryLink() && !makeRoom() && deniedOverMemory(cmd)) {
            reject(cmd, argv, Errors.OOM);
            return;
        }
        // processCommand's is_write_command: EXEC is one when a write was queued (mstate.cmd_flags);
        // these checks are processCommand's, so not made again for the commands inside EXEC
        boolean write = cmd.has(CommandFlag.WRITE) || (cmd.name().equals("exec") && transaction.hasWrites());
        String diskDenial = !atomic && !client.isPrimaryLink() && (write || cmd.name().equals("ping")) ? server.diskErrorDenial() : null;
        if (diskDenial != null) {
            // processCommand's disk error check (a failed snapshot or AOF write), which refuses PING too
            reject(cmd, argv, diskDenial);
            return;
        }
        if (!atomic && write && GoodReplicas.writesRefused(server)) {
            // processCommand's min-replicas-to-write check (a script's writes: the script engine's)
            reject(cmd, argv, GoodReplicas.NOREPLICAS);
            return;
        }
        if (!atomic && write && replicaRole.isReplica() && replicaRole.refusesWritesOf(client)) {
            // processCommand's read-only replica check: not inside EXEC, whose commands run even
            // after a REPLICAOF among them (a script's writes: the script engine's check)
            reject(cmd, argv, io.damselfly.server.replica.ReplicaRole.READONLY);
            return;
        }
        if (!atomic && server.tracking().limitBeforeCommand()) {
            // invalidations another thread queued for this client before this command (the
            // cron's trim after CONFIG SET lowered the limit): ahead of its reply, as in Redis
            Subscriber queued = client.subscriberIfAny();
            if (queued != null) {
                queued.deliverQueued();
            }
        }
        if (trackingNow != null && !atomic && !selfInvalidations.isEmpty()) {
            // keys this client tracks that the eviction or the tracking limit just dropped: before
            // the reply, as Redis evicts (and sends) in processCommand, outside the command's call()
            selfInvalidations.drainTo(this::writeInvalidation);
        }
        if (!allowedInSubscribedMode(cmd)) {
            reject(cmd, argv, Errors.notAllowedWhileSubscribed(cmd.fullName()));
            return;
        }
        if (!atomic && server.loading() && !cmd.has(CommandFlag.LOADING) && !client.isPrimaryLink()) {
            // processCommand's: the data is still loading at start (the AOF's own client runs)
            reject(cmd, argv, Errors.LOADING);
            return;
        }
        if (!atomic && replicaRole.isReplica() && replicaRole.servesNoStaleData()
                && (!cmd.has(CommandFlag.STALE) || (cmd.name().equals("exec") && transaction.hasNonStale()))) {
            // a replica whose link is down with replica-serve-stale-data no: only "stale" commands
            reject(cmd, argv, io.damselfly.server.replica.ReplicaRole.MASTERDOWN);
            return;
        }
        if (!atomic && !cmd.has(CommandFlag.ALLOW_BUSY)) {
            // a script past busy-reply-threshold: Redis answers every other client BUSY
            String busy = server.scripts().busyError();
            if (busy != null) {
                reject(cmd, argv, busy);
                return;
            }
        }
        // the one read of the monitors on the command path: null when nobody monitors
        ClientSession[] watching = monitors.active();
        if (watching != null && client.isMonitor() && touchesKeyspace(cmd)) {
            // a monitor is a replica to Redis's processCommand, and replicas may not touch the keyspace
            reject(cmd, argv, Errors.REPLICA_KEYSPACE);
            return;
        }
        if (pause.current() != null && pausable && postponedByPause(cmd, argv)) {
            return;
        }
        if (transaction.isOpen() && !controlsTransaction(cmd)) {
            // as Redis sets lastcmd before queueing: CLIENT LIST shows the queued command
            client.recordCommand(cmd.fullName(), System.currentTimeMillis());
            if (transaction.queue(cmd, argv, config.getLong(Option.CLIENT_QUERY_BUFFER_LIMIT))) {
                if (!transaction.isFlagged() && !transaction.mayReplicate() && MayReplicate.of(server, cmd, argv)) {
                    transaction.queuedMayReplicate();
                }
                reply.simple("QUEUED");
            } else {
                reject(cmd, argv, Errors.TRANSACTION_TOO_LARGE);
            }
            return;
        }
        // one clock read starts both the command's timing and its "now" (see CommandClock); the
        // time so includes taking the shard locks, where contention shows
        long start = stats == null ? 0 : chained && !atomic ? chainNanos : System.nanoTime();
        long now = pinnedNow != 0 ? pinnedNow : stats != null ? clock.millis(start) : System.currentTimeMillis();
        context.bind(argv, cmd, now);
        if (!atomic) {
            // before the handler, as Redis sets lastcmd: CLIENT LIST shows cmd=client|list for
            // itself (and cmd=exec for a transaction, not its last queued command)
            client.recordCommand(cmd.fullName(), now);
        }
        int multiLocked = atomic ? 0 : lockFor(cmd, argv);
        if (multiLocked < 0) {
            // a script held the shards past busy-reply-threshold while this command waited
            reject(cmd, argv, lastBusy);
            return;
        }
        reply.takeErrorCount();
        boolean feedFirst = watching != null && cmd.has(CommandFlag.SKIP_MONITOR);
        long feedNanos = 0;
        if (feedFirst) {
            // EVAL and FCALL show before the commands their script runs
            feedMonitors(watching, argv);
        }
        // read with the command's locks held: the stream turns active only while every shard is held
        boolean propagating = propagation.active();
        long changesBefore = propagating ? heldChanges(multiLocked) : 0;
        Propagation.Unit unit = propagating && !atomic ? propagation.open() : null;
        if (unit != null && cmd.has(CommandFlag.TOUCHES_ARBITRARY_KEYS)) {
            unit.neverWrap();
        }
        try {
            boolean ran = false;
            try {
                cmd.handler().execute(context);
                ran = true;
                TrackingState tracking = trackingNow;
                if (forScript && cmd.has(CommandFlag.READONLY)) {
                    // a tracking caller remembers the script's keys once it read (ScriptEngine)
                    readOnlyRan = true;
                }
                if (tracking != null && cmd.has(CommandFlag.READONLY)) {
                    // under the command's locks still, so a write of these keys is ordered with the read
                    rememberKeys(tracking, cmd, argv);
                }
            } catch (CommandError e) {
                reply.error(e.reply());
            } catch (RuntimeException | AssertionError e) {
                // a bug: log it with its trace for us, never show a trace to the client
                log.error("command {} failed", cmd.fullName(), e);
                reply.error(Errors.INTERNAL);
            }
            if (propagating) {
                // as call(): the command's own form after its side effects, then the unit, before
                // blocked clients are served (each of those is a unit of its own)
                propagateCall(cmd, argv, heldChanges(multiLocked) - changesBefore);
                if (unit != null) {
                    propagation.end(unit, false, client);
                }
            }
            if (ran && !atomic) {
                // Redis's handleClientsBlockedOnKeys: blocked pops on keys this command created
                // are served now, under its locks, before any other command can take the elements
                try {
                    keyspace.blockedKeys().serveReady(context.db());
                } catch (RuntimeException | AssertionError e) {
                    log.error("serving clients blocked on keys after {} failed", cmd.fullName(), e);
                }
            }
            if (watching != null && !feedFirst && !cmd.has(CommandFlag.ADMIN)) {
                // still under the command's locks, so monitors see one key's writes in order; not
                // part of the command's time, as Redis feeds after measuring it
                long fedAt = stats != null ? System.nanoTime() : 0;
                feedMonitors(watching, argv);
                feedNanos = stats != null ? System.nanoTime() - fedAt : 0;
            }
        } finally {
            if (multiLocked > 0) {
                unlockMarked(multiLocked);
            }
        }
        long end = stats != null ? System.nanoTime() : 0;
        long nanos = end - start - feedNanos;
        if (stats != null && !atomic && !forScript) {
            chainNanos = end;
            chained = true;
        }
        boolean failed = reply.takeErrorCount() > 0;
        if (failed) {
            server.stats().countError(reply.lastErrorPrefix());
        }
        DeferredReply slot = context.peekDeferred();
        // what the slot's callbacks see of this call (cmd changes above, for a subcommand)
        Command ran = cmd;
        ThreadCommandStats own = stats;
        if (slot != null) {
            // an error the slot is completed with later is this call's failure, counted then
            slot.onFailed(code -> {
                if (code != null) {
                    server.stats().countError(code);
                }
                if (own != null) {
                    own.recordFailed(ran.id());
                }
            });
        }
        if (stats == null) {
            return;
        }
        if (slot != null && slot.admitsScriptsBehind()) {
            // a script runs on a script thread: its call is counted, logged and timed when it
            // ends, with the script's own time (as Redis's call() times the EVAL that ran it)
            slot.onCounted(() -> recordCall(own, ran, argv, nanos + slot.workNanos(), false, System.currentTimeMillis(), false));
            return;
        }
        // Redis 7.0 logs a blocked command when it is served or unblocked by CLIENT UNBLOCK
        // (updateStatsOnUnblock), after the command that served it, and not at all if it times
        // out or its client goes away first; its call is counted now
        boolean logLater = slot != null && slot.blocksClient();
        recordCall(stats, cmd, argv, nanos, failed, now, logLater);
        if (logLater) {
            slot.onCounted(() -> logIfSlow(ran, argv, nanos));
        }
    }

    /**
     * Kept out of line by scripts/run (a HotSpot dontinline command, checked by JitOptionsTest):
     * its branch is first taken by the first slow command, and inlined into {@link #run} that
     * threw the whole compiled request path away under load. Rename or move it with them.
     */
    private void logIfSlow(Command cmd, byte[][] argv, long nanos) {
        if (slowlog.isSlow(nanos) && !cmd.has(CommandFlag.SKIP_SLOWLOG)) {
            // the client's address and name only for an entry: formatting them is not free
            slowlog.add(cmd.fullName(), argv, nanos, client.address(), client.name());
        }
    }

    /** Commandstats, the slow log (unless {@code logLater}) and the latency monitor for one call. */
    private void recordCall(ThreadCommandStats own, Command cmd, byte[][] argv, long nanos, boolean failed, long now,
            boolean logLater) {
        own.recordCall(cmd.id(), nanos, failed);
        if (!logLater) {
            logIfSlow(cmd, argv, nanos);
        }
        latencyMonitor.recordIfNeeded(cmd.has(CommandFlag.FAST) ? "fast-command" : "command", nanos / 1_000_000, now / 1000);
    }

    /**
     * processCommand's pause check: whether the pause in force holds this call back (ALL: every
     * call; WRITE: one that may replicate, EXEC by its queued commands too). A MONITOR client is
     * a replica to Redis and never paused, and nothing inside an atomic block waits. A postponed
     * call shows in CLIENT LIST as the client's last command, as Redis sets lastcmd at lookup.
     */
    private boolean postponedByPause(Command cmd, byte[][] argv) {
        if (atomic || client.isMonitor()) {
            return false;
        }
        long now = System.currentTimeMillis();
        ClientPause.State in = pause.current(now);
        if (in == null) {
            return false;
        }
        boolean mayReplicate = MayReplicate.of(server, cmd, argv)
                || (cmd.name().equals("exec") && transaction.mayReplicate());
        if (!in.holds(mayReplicate)) {
            return false;
        }
        client.recordCommand(cmd.fullName(), now);
        postponedUnder = in;
        postponed = true;
        return true;
    }

    /**
     * Redis's trackingRememberKeys: the keys a read-only command named (its key specs, as COMMAND
     * GETKEYS finds them) are remembered for the tracking client, unless OPTIN/OPTOUT and CLIENT
     * CACHING say otherwise. EVAL_RO, EVALSHA_RO and FCALL_RO are left out, as in Redis's call().
     */
    private void rememberKeys(TrackingState tracking, Command cmd, byte[][] argv) {
        if (!tracking.remembersReads() || cmd.has(CommandFlag.PUBSUB)) {
            return;
        }
        switch (cmd.name()) {
            case "eval_ro", "evalsha_ro", "fcall_ro" -> {
                return;
            }
            default -> {
            }
        }
        ClientTracking tracker = server.tracking();
        int single = cmd.singleKeyIndex();
        if (single > 0 && single < argv.length) {
            tracker.remember(tracking, argv[single]);
        } else if (cmd.hasKeys()) {
            int found = KeyFinder.find(cmd.spec(), argv, argv.length, keyScratch);
            for (int i = 0; i < found; i++) {
                tracker.remember(tracking, argv[keyScratch.position(i)]);
            }
        }
        tracker.limitTable();
    }

    /**
     * Redis's performEvictions before a command: while over maxmemory, evict by the policy in
     * force (with no shard lock held, since eviction locks shards itself). Returns false when
     * memory is over the limit and nothing could be evicted.
     */
    private boolean makeRoom() {
        long max = config.getLong(Option.MAXMEMORY);
        if (max <= 0 || keyspace.memoryEstimate() <= max) {
            return true;
        }
        releaseHeld();
        return eviction.makeRoom(max, keyspace.evictionPolicy(), System.currentTimeMillis());
    }

    /**
     * Whether a command may not run while memory is over maxmemory: deny-oom commands, and in a
     * transaction everything that would grow its queue (all but EXEC, DISCARD, QUIT and RESET),
     * while EXEC is deny-oom when a queued command is (server.c processCommand).
     */
    private boolean deniedOverMemory(Command cmd) {
        if (!transaction.isOpen()) {
            return cmd.isDenyOom();
        }
        // by full name: SLOWLOG RESET is no RESET
        return switch (cmd.fullName()) {
            case "exec" -> transaction.hasDenyOom();
            case "discard", "quit", "reset" -> false;
            default -> true;
        };
    }

    /** The commands that run at once inside MULTI instead of being queued. */
    private static boolean controlsTransaction(Command cmd) {
        // by full name: SLOWLOG RESET and LATENCY RESET are queued like any other command
        return switch (cmd.fullName()) {
            case "exec", "discard", "multi", "watch", "quit", "reset" -> true;
            default -> false;
        };
    }

    /**
     * Redis's processCommand rule for a RESP2 client with subscriptions: it can read only Pub/Sub
     * messages, so only the commands that answer in that shape, and QUIT and RESET, may run.
     */
    private boolean allowedInSubscribedMode(Command cmd) {
        if (!client.isSubscribed() || client.protocol() != 2) {
            return true;
        }
        return switch (cmd.fullName()) {
            case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe",
                    "quit", "reset" -> true;
            default -> false;
        };
    }

    /**
     * For the sidecar, which relays most calls without running them here: whether the client's
     * ACL user may make this call ({@code cmd} null: one damselfly does not know, checked by its
     * Redis name). When not, answers NOPERM and logs it as a refused local call would be.
     */
    public boolean permits(Command cmd, byte[][] argv) {
        User user = client.aclUser();
        if (user == null || user.unrestricted()) {
            return true;
        }
        if (cmd != null) {
            return permitted(user, cmd, argv);
        }
        int id = acl.commands().lookupCall(argv);
        int denied = id < 0 ? AclCheck.DENIED_COMMAND : user.check(id, argv, aclCheck);
        if (denied == AclCheck.OK) {
            return true;
        }
        String name = new String(argv[0], java.nio.charset.StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT);
        acl.logDenied(denied, transaction.isOpen() ? AclLog.MULTI : AclLog.TOPLEVEL,
                denied == AclCheck.DENIED_COMMAND ? name.getBytes(java.nio.charset.StandardCharsets.UTF_8) : argv[aclCheck.position()],
                user.name(), client.describe(System.currentTimeMillis(), argv));
        fail(AclCheck.error(denied, name));
        return false;
    }

    /**
     * ACLCheckAllPerm for a restricted user: false when refused, after logging it in ACL LOG and
     * answering NOPERM (a rejected call, or inside EXEC the error execCommand gives a queued
     * command the rules no longer allow).
     */
    private boolean permitted(User user, Command cmd, byte[][] argv) {
        int denied = user.check(acl.commands(), cmd, argv, aclCheck);
        if (denied == AclCheck.OK) {
            return true;
        }
        boolean inExec = atomic;
        int pos = aclCheck.position();
        if (!inExec) {
            // as Redis's lastcmd, set at lookup: the log's client info names the refused command
            client.recordCommand(cmd.fullName(), System.currentTimeMillis());
        }
        acl.logDenied(denied, inExec || transaction.isOpen() ? AclLog.MULTI : AclLog.TOPLEVEL,
                denied == AclCheck.DENIED_COMMAND ? cmd.fullName().getBytes(java.nio.charset.StandardCharsets.US_ASCII) : argv[pos],
                user.name(), client.describe(System.currentTimeMillis(), argv));
        if (inExec) {
            reply.error(AclCheck.execError(denied));
            reply.takeErrorCount();
            server.stats().countError("NOPERM");
        } else {
            reject(cmd, argv, AclCheck.error(denied, cmd));
        }
        return false;
    }

    private void reject(Command cmd, byte[][] argv, String error) {
        if (stats != null) {
            stats.recordRejected(cmd.id());
        }
        if (cmd.name().equals("exec")) {
            // Redis's execCommandAbort: a refused EXEC ends the transaction and says why, and
            // monitors see the EXEC that closes the MULTI they were shown
            transaction.discard();
            fail("EXECABORT Transaction discarded because of: " + (error.startsWith("ERR ") ? error.substring(4) : error));
            ClientSession[] watching = monitors.active();
            if (watching != null) {
                feedMonitors(watching, argv);
            }
            return;
        }
        fail(error);
    }

    /** Shows the command {@code argv} to the monitors (Redis's replicationFeedMonitors). */
    private void feedMonitors(ClientSession[] watching, byte[][] argv) {
        long limit = config.getLong(Option.OUTPUT_BUFFER_LIMIT);
        ClientOutputBufferLimits classes = (ClientOutputBufferLimits) config.get(Option.CLIENT_OUTPUT_BUFFER_LIMIT);
        monitors.feed(watching, client, client.db(), argv, context.redactedIn(argv), Monitors.limit(classes, limit));
    }

    /**
     * Redis's allowProtectedAction for a PROTECTED command (DEBUG; MODULE LOAD, LOADEX, UNLOAD):
     * null when its option (enable-debug-command, enable-module-command) is yes, or local and this
     * client is local; else the refusal.
     */
    private String protectedCommandRefusal(Command cmd) {
        boolean debug = cmd.fullName().equals("debug");
        String mode = config.getString(debug ? Option.ENABLE_DEBUG_COMMAND : Option.ENABLE_MODULE_COMMAND);
        if (mode.equals("yes") || (mode.equals("local") && client.isLocal())) {
            return null;
        }
        return debug ? Errors.DEBUG_NOT_ALLOWED : Errors.MODULE_NOT_ALLOWED;
    }

    /**
     * Whether Redis's processCommand counts the command as touching the keyspace, which a replica
     * (and so a monitor) may not: a read, a write, or one that may replicate.
     */
    private static boolean touchesKeyspace(Command cmd) {
        return cmd.has(CommandFlag.READONLY) || cmd.has(CommandFlag.WRITE) || cmd.has(CommandFlag.MAY_REPLICATE);
    }

    private void fail(String error) {
        // Redis's rejectCommand: a command refused while MULTI is open dooms the transaction
        transaction.flag();
        reply.error(error);
        reply.takeErrorCount();
        server.stats().countError(reply.lastErrorPrefix());
    }

    /**
     * Propagates the call that just ran, as Redis's call() decides: its own arguments (or the
     * form its handler gave) when it changed the dataset or its handler forced it, unless its
     * handler prevented it. EXEC and the script commands never propagate themselves: their
     * commands did, inside their unit.
     */
    private void propagateCall(Command cmd, byte[][] argv, long changes) {
        byte[][] form = context.takePropagatedForm();
        int forced = context.takeForcedPropagation();
        if (cmd.has(CommandFlag.SCRIPT) || cmd.name().equals("exec") || forced < 0) {
            return;
        }
        if (changes > 0 || forced > 0) {
            propagation.addCall(client.db(), form != null ? form : argv, forced != 2);
        }
    }

    /**
     * The changes counted (server.dirty) on the shards this command holds, and the unkeyed ones:
     * read before and after a command, their difference is Redis's "dirty" for the call. Only
     * locked shards are read, so another loop's writes never count as this command's.
     */
    private long heldChanges(int multiLocked) {
        long changes = keyspace.unkeyedChanges();
        if (atomic) {
            for (int s = 0; s < shardMarks.length; s++) {
                changes += keyspace.shard(s).changeCount();
            }
        } else if (multiLocked > 0) {
            for (int i = 0; i < multiLocked; i++) {
                changes += keyspace.shard(shardScratch[i]).changeCount();
            }
        } else if (held != null) {
            changes += held.changeCount();
        }
        return changes;
    }

    /**
     * Takes the locks a command needs: the shards of every key the call names, found by the
     * command's Redis key specs ({@link KeyFinder}), in shard-index order. Returns how many
     * shards were locked for this command alone (to release after it), or 0 when the command runs
     * under the squashed single-shard lock or needs none.
     *
     * <p>A command that names no keys locks nothing here (the whole-keyspace reads, KEYS, SCAN
     * ..., lock shards themselves through {@code Keyspace}), except a write (FLUSHALL, FLUSHDB,
     * SWAPDB, FUNCTION LOAD ...), which takes every shard, so it reaches the replication stream in
     * its place among every other write. When the specs cannot tell where
     * a call's keys are (a malformed numkeys, a command whose own key finder damselfly lacks),
     * every shard is taken, in order: right whatever the handler then touches, and only ever paid
     * by calls that end in an error or by commands not yet given a key finder. Commands that read
     * keys named only inside values ({@link CommandFlag#ARBITRARY_KEYS}: SORT ... BY/GET) take
     * every shard too.
     */
    private int lockFor(Command cmd, byte[][] argv) {
        if (cmd.has(CommandFlag.SCRIPT)) {
            // its keys are the script thread's to lock, with every other shard
            releaseHeld();
            return 0;
        }
        int single = cmd.singleKeyIndex();
        if (single > 0 && single < argv.length) {
            Shard target = keyspace.shard(context.db().shardIndex(argv[single]));
            if (held == target && heldRun < SQUASH_LIMIT) {
                heldRun++;
                return 0;
            }
            releaseHeld();
            if (!lockOrBusy(target)) {
                return -1;
            }
            if (squashAfter == 0 || batchCommands < squashAfter) {
                // not squashing (yet): this command's lock alone, released after it
                int index = target.index();
                shardScratch[0] = index;
                shardMarks[index] = true;
                return 1;
            }
            held = target;
            heldRun = 1;
            return 0;
        }
        releaseHeld();
        boolean keylessWrite = !cmd.hasKeys() && cmd.has(CommandFlag.WRITE);
        if (!cmd.hasKeys() && !keylessWrite) {
            return 0;
        }
        int found = keylessWrite || cmd.has(CommandFlag.ARBITRARY_KEYS) ? -1 : KeyFinder.find(cmd.spec(), argv, argv.length, keyScratch);
        int count = 0;
        if (found < 0) {
            for (int s = 0; s < shardScratch.length; s++) {
                shardMarks[s] = true;
                shardScratch[count++] = s;
            }
        } else {
            for (int i = 0; i < found; i++) {
                int s = context.db().shardIndex(argv[keyScratch.position(i)]);
                if (!shardMarks[s]) {
                    shardMarks[s] = true;
                    shardScratch[count++] = s;
                }
            }
            java.util.Arrays.sort(shardScratch, 0, count);
        }
        for (int i = 0; i < count; i++) {
            if (!lockOrBusy(keyspace.shard(shardScratch[i]))) {
                for (int j = i - 1; j >= 0; j--) {
                    keyspace.shard(shardScratch[j]).unlock();
                }
                for (int j = 0; j < count; j++) {
                    shardMarks[shardScratch[j]] = false;
                }
                return -1;
            }
        }
        return count;
    }

    /** How long a command waits for a shard lock between looks at whether a script went busy. */
    static final long BUSY_POLL_MILLIS = 10;

    /**
     * Takes {@code shard}'s lock, waiting in slices of {@link #BUSY_POLL_MILLIS}; false once a
     * script holding it has run past busy-reply-threshold (then this command answers BUSY, as
     * Redis answers commands during a busy script instead of leaving them queued).
     */
    private boolean lockOrBusy(Shard shard) {
        if (shard.tryLock(0) || shard.tryLockSpinning()) {
            return true;
        }
        while (!shard.tryLock(BUSY_POLL_MILLIS)) {
            lastBusy = server.scripts().busyError();
            if (lastBusy != null) {
                return false;
            }
        }
        return true;
    }

    private void unlockMarked(int count) {
        for (int i = count - 1; i >= 0; i--) {
            int s = shardScratch[i];
            keyspace.shard(s).unlock();
            shardMarks[s] = false;
        }
    }

    private void releaseHeld() {
        if (held != null) {
            held.unlock();
            held = null;
            heldRun = 0;
        }
    }

    /**
     * Runs {@code block} with every shard locked, in index order, as one atomic step: commands it
     * runs through {@link #runInBlock} take no locks of their own, defer nothing and wake no
     * blocked client until the block ends; then clients blocked on keys the block made ready are
     * served, still under the locks.
     */
    void runAtomically(Runnable block) {
        if (atomic) {
            // a script's executor, or a block inside a block: the locks are held already
            block.run();
            return;
        }
        releaseHeld();
        // every shard in index order, as Keyspace.lockAll, but giving up with BUSY behind a busy script
        int n = keyspace.shardCount();
        for (int s = 0; s < n; s++) {
            if (!lockOrBusy(keyspace.shard(s))) {
                for (int t = s - 1; t >= 0; t--) {
                    keyspace.shard(t).unlock();
                }
                throw new CommandError(lastBusy);
            }
        }
        atomic = true;
        pinnedNow = context.now();
        // opened with every shard held (joining the caller's, EXEC's, when it has one), so the
        // block's writes are one unit, appended before the shards are released
        Propagation.Unit unit = propagation.open();
        try {
            block.run();
            if (unit != null) {
                propagation.end(unit, true, client);
                unit = null;
            }
            propagation.outsideUnit(() -> keyspace.blockedKeys().serveReady(context.db()));
        } finally {
            if (unit != null) {
                // the block failed: what it wrote still goes out before the shards are released
                propagation.end(unit, true, client);
            }
            atomic = false;
            pinnedNow = 0;
            keyspace.unlockAll();
        }
    }

    /**
     * A script's executor: the commands of the script starting now see {@code nowMillis} as their
     * time, until the next script's start (see {@link #pinnedNow}).
     */
    public void pinTimeForScript(long nowMillis) {
        if (!forScript) {
            throw new IllegalStateException("only a script's executor runs with its caller's time pinned");
        }
        pinnedNow = nowMillis;
    }

    /** Runs one request inside {@link #runAtomically}: all checks and bookkeeping, no locking. */
    void runInBlock(byte[][] argv) {
        if (!atomic) {
            throw new IllegalStateException("runInBlock outside an atomic block");
        }
        run(argv);
    }

    /** Whether commands run inside an atomic block now (a reply cannot be deferred then). */
    boolean isAtomic() {
        return atomic;
    }

    public Transaction transaction() {
        return transaction;
    }

    /** The connection closed: its transaction and watched keys go with it. */
    public void connectionClosed() {
        releaseHeld();
        transaction.discard();
    }

    /** Whether a read-only command ran through this (script's) executor since the last call; clears it. */
    public boolean takeReadOnlyRan() {
        boolean r = readOnlyRan;
        readOnlyRan = false;
        return r;
    }

    /** The slot the last command opened instead of replying, or null; cleared by the call. */
    public DeferredReply takeDeferred() {
        return context.takeDeferred();
    }

    /**
     * Ends a read batch: releases any squashed lock and starts counting the next batch's commands
     * (with pipeline_squash as it is now). Must be called before replies are flushed.
     */
    public void endBatch() {
        releaseHeld();
        chained = false;
        batchCommands = 0;
        squashAfter = config.getLong(Option.PIPELINE_SQUASH);
    }

    /** Whether nothing of a request is under way: no shard held, no atomic block open, the batch ended. */
    public boolean isIdle() {
        return held == null && !atomic && !chained;
    }

    /**
     * The connection moved to the calling thread's event loop (net.LoopBalancer): the parts that
     * belong to a thread, taken once at construction, are taken again for this one.
     */
    public void rebindToThisThread() {
        if (stats != null) {
            stats = server.commandStats().forCurrentThread();
        }
        clock = CommandClock.forCurrentThread();
        broadcastBatch = server.tracking().threadBatch();
        selfInvalidations = server.tracking().threadSelf();
    }
}
