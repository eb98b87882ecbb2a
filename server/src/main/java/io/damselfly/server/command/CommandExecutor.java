package io.damselfly.server.command;

import io.damselfly.server.client.ClientSession;
import io.damselfly.server.command.spec.KeyFinder;
import io.damselfly.server.command.spec.KeyReferences;
import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;
import io.damselfly.server.keyspace.Eviction;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.Shard;
import io.damselfly.server.metrics.LatencyMonitor;
import io.damselfly.server.metrics.Slowlog;
import io.damselfly.server.metrics.ThreadCommandStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one connection's commands: lookup, arity and auth checks, shard locking, the handler, and
 * the bookkeeping after it. One instance per connection, used only on that connection's event
 * loop.
 *
 * <p>Locking. A command with keys holds the locks of exactly the shards its keys hash to (found
 * by Redis's key specs, as COMMAND GETKEYS finds them), taken in shard-index order (so multi-key commands cannot deadlock against each other). Pipeline
 * squashing: within one read batch, when consecutive commands hit the same single shard, the lock
 * taken by the first stays held for the next ones, up to {@link #SQUASH_LIMIT} commands, so a
 * pipeline of 100 GETs on one shard costs one lock round trip instead of 100. Any command that
 * needs another shard, several shards, or none releases the held lock first, so at most one
 * squashed lock is held and lock order is never violated. {@link #endBatch()} releases it at the
 * end of every read batch, before the replies are flushed; nothing ever waits on I/O while
 * holding a shard.
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
    /**
     * This event loop's statistics: taken once here, since the executor lives on one thread; null
     * when command_statistics is off (then commands are neither timed nor counted).
     */
    private final ThreadCommandStats stats;
    private final Slowlog slowlog;
    private final LatencyMonitor latencyMonitor;
    /** This thread's clock, taken once as the statistics are. */
    private final CommandClock clock = CommandClock.forCurrentThread();

    private Shard held;
    private int heldRun;

    /**
     * An executor for {@code client}'s commands, replying into {@code reply}; {@code replyOwner}
     * resolves deferred replies, or is null where a command cannot wait (a script's client).
     */
    public CommandExecutor(ServerContext server, ClientSession client, Reply reply, DeferredReply.Owner replyOwner) {
        this.server = server;
        this.table = server.commands();
        this.keyspace = server.keyspace();
        this.config = server.config();
        this.client = client;
        this.reply = reply;
        this.context = new CommandContext(server, client, reply, replyOwner);
        this.shardScratch = new int[keyspace.shardCount()];
        this.shardMarks = new boolean[keyspace.shardCount()];
        this.eviction = new Eviction(keyspace);
        this.stats = config.getBool(Option.COMMAND_STATISTICS) ? server.commandStats().forCurrentThread() : null;
        this.slowlog = server.slowlog();
        this.latencyMonitor = server.latencyMonitor();
    }

    /**
     * Runs one request; its reply (or error) is written to the bound {@link Reply}, unless the
     * client turned replies off (CLIENT REPLY OFF or SKIP), in which case it is dropped.
     */
    public void execute(byte[][] argv) {
        long mark = reply.mark();
        run(argv);
        if (client.repliesSuppressed()) {
            reply.truncate(mark);
            DeferredReply slot = context.peekDeferred();
            if (slot != null) {
                slot.silence();
            }
        }
        client.commandDone();
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
                reject(cmd, Errors.wrongArity(cmd.fullName()));
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
            reject(cmd, Errors.wrongArity(cmd.fullName()));
            return;
        }
        if (!client.isAuthenticated() && !cmd.isNoAuth() && !config.getString(Option.REQUIREPASS).isEmpty()) {
            reject(cmd, Errors.NOAUTH);
            return;
        }
        if (!makeRoom() && cmd.isDenyOom()) {
            reject(cmd, Errors.OOM);
            return;
        }
        if (!allowedInSubscribedMode(cmd)) {
            reject(cmd, Errors.notAllowedWhileSubscribed(cmd.fullName()));
            return;
        }
        // one clock read starts both the command's timing and its "now" (see CommandClock); the
        // time so includes taking the shard locks, where contention shows
        long start = stats != null ? System.nanoTime() : 0;
        long now = stats != null ? clock.millis(start) : System.currentTimeMillis();
        context.bind(argv, cmd, now);
        // before the handler, as Redis sets lastcmd: CLIENT LIST shows cmd=client|list for itself
        client.recordCommand(cmd.fullName(), now);
        int multiLocked = lockFor(cmd, argv);
        reply.takeErrorCount();
        try {
            cmd.handler().execute(context);
            // Redis's handleClientsBlockedOnKeys: blocked pops on keys this command created are
            // served now, under its locks, before any other command can take the elements
            keyspace.blockedKeys().serveReady(context.db());
        } catch (CommandError e) {
            reply.error(e.reply());
        } catch (RuntimeException | AssertionError e) {
            // a bug: log it with its trace for us, never show a trace to the client
            log.error("command {} failed", cmd.fullName(), e);
            reply.error(Errors.INTERNAL);
        } finally {
            if (multiLocked > 0) {
                unlockMarked(multiLocked);
            }
        }
        long nanos = stats != null ? System.nanoTime() - start : 0;
        boolean failed = reply.takeErrorCount() > 0;
        if (failed) {
            server.stats().countError(reply.lastErrorPrefix());
        }
        if (stats != null) {
            stats.recordCall(cmd.id(), nanos, failed);
            if (slowlog.isSlow(nanos) && !cmd.has(CommandFlag.SKIP_SLOWLOG)) {
                slowlog.add(cmd.fullName(), argv, nanos, client.address(), client.name());
            }
            latencyMonitor.recordIfNeeded(cmd.has(CommandFlag.FAST) ? "fast-command" : "command", nanos / 1_000_000, now / 1000);
        }
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

    private void reject(Command cmd, String error) {
        if (stats != null) {
            stats.recordRejected(cmd.id());
        }
        fail(error);
    }

    private void fail(String error) {
        reply.error(error);
        reply.takeErrorCount();
        server.stats().countError(reply.lastErrorPrefix());
    }

    /**
     * Takes the locks a command needs: the shards of every key the call names, found by the
     * command's Redis key specs ({@link KeyFinder}), in shard-index order. Returns how many
     * shards were locked for this command alone (to release after it), or 0 when the command runs
     * under the squashed single-shard lock or needs none.
     *
     * <p>A command that names no keys locks nothing here: the whole-keyspace ones (KEYS, FLUSHALL
     * ...) lock shards themselves through {@code Keyspace}. When the specs cannot tell where
     * a call's keys are (a malformed numkeys, a command whose own key finder damselfly lacks),
     * every shard is taken, in order: right whatever the handler then touches, and only ever paid
     * by calls that end in an error or by commands not yet given a key finder.
     */
    private int lockFor(Command cmd, byte[][] argv) {
        int single = cmd.singleKeyIndex();
        if (single > 0 && single < argv.length) {
            Shard target = keyspace.shard(context.db().shardIndex(argv[single]));
            if (held == target && heldRun < SQUASH_LIMIT) {
                heldRun++;
                return 0;
            }
            releaseHeld();
            target.lock();
            held = target;
            heldRun = 1;
            return 0;
        }
        releaseHeld();
        if (!cmd.hasKeys()) {
            return 0;
        }
        int found = KeyFinder.find(cmd.spec(), argv, argv.length, keyScratch);
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
            keyspace.shard(shardScratch[i]).lock();
        }
        return count;
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

    /** The slot the last command opened instead of replying, or null; cleared by the call. */
    public DeferredReply takeDeferred() {
        return context.takeDeferred();
    }

    /** Ends a read batch: releases any squashed lock. Must be called before replies are flushed. */
    public void endBatch() {
        releaseHeld();
    }
}
