package io.damselfly.server.command;

import io.damselfly.server.client.ClientSession;
import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.Numbers;
import java.nio.charset.StandardCharsets;

/**
 * Everything a handler needs for one call: the arguments, the client, the database view (with its
 * shards already locked), the reply, and the server. One instance per connection, rebound per
 * command, so dispatch allocates nothing.
 *
 * <p>The argument helpers parse with Redis's rules and throw {@link CommandError} with Redis's
 * text when an argument is invalid; handlers parse everything before changing anything.
 */
public final class CommandContext {
    private final ServerContext server;
    private final ClientSession client;
    private final Database db;
    private final Reply reply;
    private final DeferredReply.Owner replyOwner;
    private final CommandExecutor executor;
    private final io.damselfly.server.replication.Propagation propagation;
    private Command command;
    private DeferredReply deferred;
    /** The request whose arguments {@link #redacted} hides from MONITOR (by identity), or null. */
    private byte[][] redactedArgv;
    private java.util.BitSet redacted;
    /** What this call propagates instead of its arguments ({@link #propagateAs}), or null. */
    private byte[][] propagatedForm;
    /**
     * 1: propagated even without a change ({@link #forcePropagation}); 2: the same, to replicas
     * only ({@link #forcePropagationToReplicas}); -1: never ({@link #preventPropagation}).
     */
    private int forcedPropagation;

    CommandContext(ServerContext server, ClientSession client, Reply reply, DeferredReply.Owner replyOwner,
            CommandExecutor executor) {
        this.server = server;
        this.executor = executor;
        this.client = client;
        this.reply = reply;
        this.replyOwner = replyOwner;
        this.db = new Database(server.keyspace());
        if (client.isPrimaryLink()) {
            db.obeyPrimary();
        }
        this.propagation = server.propagation();
    }

    void bind(byte[][] argv, Command command, long now) {
        this.command = command;
        this.propagatedForm = null;
        this.forcedPropagation = 0;
        // the database view keeps the arguments (it memoises their hashes); read them from there
        db.bind(client.db(), now, argv);
    }

    public ServerContext server() {
        return server;
    }

    public ClientSession client() {
        return client;
    }

    public Database db() {
        return db;
    }

    public Reply reply() {
        return reply;
    }

    public Command command() {
        return command;
    }

    /**
     * Whether this command can wait for a deferred reply: a connection's command can, except
     * inside EXEC or a script (where Redis denies blocking); a script's redis.call cannot.
     */
    public boolean canDefer() {
        return replyOwner != null && !executor.isAtomic();
    }

    /**
     * Hides argument {@code i} of this call from MONITOR, which shows "(redacted)" instead, as
     * Redis's redactClientCommandArgument (AUTH's and HELLO AUTH's credentials). Costs nothing
     * to commands that never call it: the mark is tied to this call's arguments by identity.
     */
    public void redact(int i) {
        byte[][] argv = argv();
        if (redactedArgv != argv) {
            redactedArgv = argv;
            redacted = new java.util.BitSet();
        }
        redacted.set(i);
    }

    /** The arguments of {@code argv} its handler redacted, or null. */
    java.util.BitSet redactedIn(byte[][] argv) {
        return redactedArgv == argv ? redacted : null;
    }

    // ---- propagation (replication stream) --------------------------------------------------

    /**
     * This call, if it changed the dataset, propagates as {@code argv} instead of its own
     * arguments: its deterministic form (Redis's rewriteClientCommandVector), such as PEXPIREAT
     * for EXPIRE. The arrays are kept until the call ends.
     */
    public void propagateAs(byte[]... argv) {
        propagatedForm = argv;
    }

    /**
     * Propagates {@code argv} now, in this call's unit ahead of the call's own form (Redis's
     * alsoPropagate), in the client's database. Costs one volatile read when nothing propagates.
     */
    public void alsoPropagate(byte[]... argv) {
        propagation.add(client.db(), argv);
    }

    /** This call's own form is not propagated (what it changed went out through {@link #alsoPropagate}). */
    public void preventPropagation() {
        forcedPropagation = -1;
    }

    /** This call's own form is propagated even if it changed nothing (FLUSHALL on an empty server, PUBLISH). */
    public void forcePropagation() {
        if (forcedPropagation == 0) {
            forcedPropagation = 1;
        }
    }

    /**
     * This call's own form goes to the replicas even if it changed nothing, and never to the AOF
     * (PUBLISH: Redis's forceCommandPropagation with PROPAGATE_REPL).
     */
    public void forcePropagationToReplicas() {
        if (forcedPropagation == 0) {
            forcedPropagation = 2;
        }
    }

    /** Whether anything propagates now: handlers skip building a rewritten form when not. */
    public boolean propagating() {
        return propagation.active();
    }

    byte[][] takePropagatedForm() {
        byte[][] f = propagatedForm;
        propagatedForm = null;
        return f;
    }

    int takeForcedPropagation() {
        int f = forcedPropagation;
        forcedPropagation = 0;
        return f;
    }

    // ---- transactions and atomic blocks -------------------------------------------------------

    /** This connection's MULTI/EXEC state. */
    public Transaction transaction() {
        return executor.transaction();
    }

    /**
     * Runs {@code block} atomically across every shard (EXEC, EVAL): see {@link
     * CommandExecutor#runAtomically}. Commands inside are run with {@link #runInBlock}.
     */
    public void runAtomically(Runnable block) {
        executor.runAtomically(block);
    }

    /**
     * Runs one request as this client inside {@link #runAtomically}, replying into this
     * context's reply. This context is rebound to that request: read what you need of the
     * current one first.
     */
    public void runInBlock(byte[][] argv) {
        executor.runInBlock(argv);
    }

    /**
     * Answers later instead of now: the command writes no reply and returns; whoever resolves the
     * slot renders it, in this request's place in the reply order. With {@code blocksClient} the
     * client's later requests do not run until then, as Redis blocks a client. Only when {@link
     * #canDefer()}.
     */
    public DeferredReply deferReply(boolean blocksClient) {
        if (replyOwner == null || deferred != null) {
            throw new IllegalStateException("this client cannot defer a reply now");
        }
        deferred = new DeferredReply(replyOwner, blocksClient);
        return deferred;
    }

    DeferredReply peekDeferred() {
        return deferred;
    }

    DeferredReply takeDeferred() {
        DeferredReply d = deferred;
        deferred = null;
        return d;
    }

    /** Current time for this command, in Unix ms; fixed for the command's duration. */
    public long now() {
        return db.now();
    }

    /**
     * Whether this command's reply has outgrown the client's output buffer limit, in which case
     * the connection is closed once what was written is flushed: a command whose reply has no
     * bound of its own (HRANDFIELD with a large negative count) checks this as it writes and
     * stops, as Redis stops at CLIENT_CLOSE_ASAP and drops the client.
     */
    public boolean replyOverLimit() {
        if (reply.pendingBytes() <= server.config().getLong(io.damselfly.server.config.Option.OUTPUT_BUFFER_LIMIT)) {
            return false;
        }
        client.closeAfterReply();
        return true;
    }

    // ---- arguments -------------------------------------------------------------------------

    public int argc() {
        return db.arguments().length;
    }

    public byte[][] argv() {
        return db.arguments();
    }

    public byte[] arg(int i) {
        return db.arguments()[i];
    }

    /** The argument decoded as UTF-8 (for option words and names, not for keys or values). */
    public String argString(int i) {
        return new String(db.arguments()[i], StandardCharsets.UTF_8);
    }

    /** Whether argument i equals {@code word} ignoring ASCII case, without allocating. */
    public boolean argIs(int i, String word) {
        byte[] a = db.arguments()[i];
        if (a.length != word.length()) {
            return false;
        }
        for (int k = 0; k < a.length; k++) {
            if (lowerAscii(a[k]) != lowerAscii(word.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    private static int lowerAscii(int c) {
        return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
    }

    /** Argument i as a long, or ERR value is not an integer or out of range. */
    public long longArg(int i) {
        Long v = Numbers.parseLong(db.arguments()[i]);
        if (v == null) {
            throw new CommandError(Errors.NOT_INTEGER);
        }
        return v;
    }

    /** Argument i as a long with a custom error text. */
    public long longArg(int i, String error) {
        Long v = Numbers.parseLong(db.arguments()[i]);
        if (v == null) {
            throw new CommandError(error);
        }
        return v;
    }

    /** Throws ERR syntax error. */
    public CommandError syntaxError() {
        return new CommandError(Errors.SYNTAX);
    }
}
