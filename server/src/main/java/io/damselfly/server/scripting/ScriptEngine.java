package io.damselfly.server.scripting;

import io.damselfly.server.replication.Propagation;

import io.damselfly.server.client.ClientTracking;
import io.damselfly.server.acl.AclCheck;
import io.damselfly.server.acl.AclLog;
import io.damselfly.server.acl.User;
import io.damselfly.server.client.ClientSession;
import io.damselfly.server.client.TrackingState;
import io.damselfly.server.command.Command;
import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandFlag;
import io.damselfly.server.command.DeferredReply;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.GoodReplicas;
import io.damselfly.server.command.Reply;
import io.damselfly.server.command.ServerContext;
import io.damselfly.server.command.spec.CommandSpec;
import io.damselfly.server.command.spec.KeyFinder;
import io.damselfly.server.command.spec.KeyReferences;
import io.damselfly.server.config.Option;
import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.Shard;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lua scripting for the whole server: the EVAL Lua state and its script cache, the functions
 * ({@link FunctionLibraries}), and the one script running at a time.
 *
 * <p>Design. A script must be atomic (no other client's command between two of its commands)
 * and must not stop the server from answering BUSY to others and taking SCRIPT KILL. So EVAL
 * and FCALL defer their reply (the caller is blocked, as Redis's caller waits) and queue the run
 * for the one script thread, which takes every shard's lock in index order, runs the waiting
 * scripts in arrival order (at most {@link #SCRIPTS_PER_LOCK} per taking), serves clients blocked
 * on keys each created, and releases the shards. The caller's event loop goes on serving its
 * other connections meanwhile. Inside EXEC a script cannot defer, so it runs in place, in the
 * transaction's all-shard block. Holding every shard also serialises scripts, which is what makes
 * the shared luaj state safe (luaj is not thread-safe): only the thread holding every shard
 * touches it. redis.call runs its command through the script client's executor ({@link
 * ScriptClient}), which takes no locks, and reads the reply back into Lua from its RESP bytes
 * ({@link RespToLua}), as Redis does.
 *
 * <p>Busy scripts. {@link #running} is the server-wide "a script runs since" marker. Once the
 * running script has passed busy-reply-threshold, the executor answers other clients' commands
 * BUSY, except those flagged allow_busy (SCRIPT KILL, FUNCTION KILL, FUNCTION STATS ...), both
 * before running them and while they wait for a shard lock (it waits in 10 ms slices and looks
 * again); scripts waiting for the script thread are answered BUSY by the running script's hook.
 * SCRIPT KILL sets the run's killed flag; the {@link InstructionHook} sees it within 100000 instructions and raises an error no
 * pcall catches, so the caller gets Redis's "Script killed by user with SCRIPT KILL..." and the
 * shards are released. A script that wrote cannot be killed (UNKILLABLE), as in Redis. A
 * keyless command that arrives before the threshold runs alongside the script (it touches no
 * shard); Redis, single-threaded, would have made it wait.
 *
 * <p>The cache. Scripts are kept by SHA1 until SCRIPT FLUSH, as Redis keeps every EVAL'd script:
 * nothing else bounds it, which is Redis's contract (clients rely on EVALSHA finding a script
 * they sent once). Its size shows in INFO memory (number_of_cached_scripts,
 * used_memory_scripts_eval: the bodies plus a fixed per-entry overhead; used_memory_vm_eval an
 * estimate of the compiled code). SCRIPT FLUSH drops the cache and builds a fresh Lua state, as
 * scriptingReset does; a script running meanwhile keeps the state it was compiled in.
 *
 * <p>Errors. Nothing a script does escapes as a Java exception: Lua errors become Redis's error
 * replies ("... script: sha, on @user_script:N."), a Java stack overflow or heap exhaustion in a
 * script becomes an error reply, and anything else is logged and answered as an error.
 */
public final class ScriptEngine {
    private static final Logger log = LoggerFactory.getLogger(ScriptEngine.class);

    /** Bytes counted per cached script besides its body: its SHA, map entry and script object. */
    static final int SCRIPT_OVERHEAD = 40 + 48 + 32;
    /** What Redis reports for a fresh Lua state (used_memory_vm_eval after SCRIPT FLUSH). */
    static final long EMPTY_VM_BYTES = 31744;
    /** A compiled script's prototype, estimated per byte of source (luaj's Prototype objects). */
    static final int VM_BYTES_PER_SOURCE_BYTE = 4;

    /** A cached EVAL script: its body, shebang flags and compiled main function. */
    public record Script(String sha, byte[] body, int flags, LuaValue function, SandboxGlobals globals) {
    }

    private final ServerContext server;
    private final ConcurrentHashMap<String, Script> scripts = new ConcurrentHashMap<>();
    private final AtomicLong scriptBytes = new AtomicLong();
    private volatile SandboxGlobals evalGlobals;
    private final ThreadLocal<ScriptClient> clients;
    private final LuaSandbox.Rand48 rand = new LuaSandbox.Rand48();
    private final FunctionLibraries functions;
    /** The script running now, or null. */
    private volatile ScriptRun running;
    /**
     * DEBUG SET-DISABLE-DENY-SCRIPTS (Redis's script_disable_deny_script): while set, scripts may
     * call commands flagged noscript, as Redis's own tests do to reach DEBUG from Lua. Off at
     * start, and kept across SCRIPT FLUSH, as scriptingInit resets it only at setup.
     */
    private volatile boolean noscriptAllowed;
    /** Set while FUNCTION LOAD runs library code on this thread: when it must give up. */
    private final ThreadLocal<long[]> loadDeadline = new ThreadLocal<>();
    /**
     * Scripts that may wait to run at once; past it an EVAL answers BUSY (or an error when nothing
     * is busy yet). Each waiting script blocks its client, so maxclients bounds this too.
     */
    static final int MAX_WAITING_SCRIPTS = 10_000;

    /**
     * Scripts run back to back under one taking of every shard's lock, at most this many, so a
     * stream of EVALs from many clients pays the locks once per batch while other commands still
     * get the shards between batches (as pipeline squashing bounds a held shard).
     */
    static final int SCRIPTS_PER_LOCK = 64;

    /** Scripts waiting for the script thread, in arrival order. */
    private final LinkedBlockingDeque<Task> waiting = new LinkedBlockingDeque<>(MAX_WAITING_SCRIPTS);
    /** The caller of the script running now (touched by the script thread only). */
    private Object runningCaller;

    /** A script handed to the script thread: run it, or answer its caller BUSY without running it. */
    private interface Task {
        void run();

        void busy(String error);

        /** The client that sent it. */
        Object caller();
    }

    /**
     * Whether a client whose script waits may send another behind it now, rather than after it
     * (see {@link #isScriptRequest}): only while the queue is less than half full, so one client
     * pipelining scripts never takes the room every other client's first script is owed.
     */
    public boolean admitsPipelinedScripts() {
        return waiting.size() < MAX_WAITING_SCRIPTS / 2;
    }

    /**
     * Whether a request runs a script through the script thread (a command flagged {@link
     * CommandFlag#SCRIPT}): a client blocked in one such script may queue the next one behind it,
     * since the script thread runs them in arrival order anyway; any other command waits until
     * they are all done, so it sees their writes.
     */
    public boolean isScriptRequest(Object request) {
        if (!(request instanceof byte[][] argv) || argv.length == 0) {
            return false;
        }
        Command cmd = server.commands().lookup(argv[0]);
        return cmd != null && cmd.has(CommandFlag.SCRIPT);
    }

    public ScriptEngine(ServerContext server) {
        this.server = server;
        this.clients = ThreadLocal.withInitial(() -> new ScriptClient(server));
        this.evalGlobals = newEvalGlobals();
        this.functions = new FunctionLibraries(this);
        this.scriptThread = new Thread(this::runWaitingScripts, "damselfly-script");
        scriptThread.setDaemon(true);
        scriptThread.start();
    }

    private final Thread scriptThread;
    /** Set by {@link #close}: a running script stops at its next instruction check. */
    private volatile boolean closed;

    /**
     * At the server's stop, after its last AOF write: a script still running stops, whatever it
     * wrote (SHUTDOWN NOSAVE during a busy script; Redis exits under it), and the script thread
     * ends. What the stopped script did goes nowhere: the AOF and the replication stream are
     * closed by then.
     */
    public void close() {
        closed = true;
        scriptThread.interrupt();
    }

    /**
     * The script thread: takes every shard's lock once per batch of waiting scripts and runs them
     * in arrival order, releasing the shards between batches. Scripts serialise anyway (each holds
     * every shard), so one thread loses nothing and hands each script over with no lock
     * contention between waiting scripts.
     */
    private void runWaitingScripts() {
        Keyspace keyspace = server.keyspace();
        while (true) {
            Task first;
            try {
                first = waiting.take();
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            keyspace.lockAll();
            try {
                runCalledBy(first);
                Task next;
                for (int n = 1; n < SCRIPTS_PER_LOCK && (next = waiting.poll()) != null; n++) {
                    runCalledBy(next);
                }
            } finally {
                runningCaller = null;
                keyspace.unlockAll();
            }
        }
    }

    /**
     * Answers BUSY to every script waiting behind the running one once it has passed
     * busy-reply-threshold, as Redis answers the EVALs that arrive while a script is busy. Called
     * by the running script's instruction hook.
     */
    private void refuseWaitingScripts(String busy) {
        java.util.ArrayList<Task> callersOwn = null;
        Task t;
        while ((t = waiting.poll()) != null) {
            if (t.caller() == runningCaller) {
                // the running script's own client pipelined it: Redis would not have read it
                // yet, so it waits its turn instead of getting BUSY
                if (callersOwn == null) {
                    callersOwn = new java.util.ArrayList<>();
                }
                callersOwn.add(t);
            } else {
                t.busy(busy);
            }
        }
        if (callersOwn != null) {
            for (int i = callersOwn.size() - 1; i >= 0; i--) {
                waiting.offerFirst(callersOwn.get(i));
            }
        }
    }

    /** Whether a script of another client than the running one's waits (the hook's cheap test first). */
    private boolean waitingFromOthers() {
        if (waiting.isEmpty()) {
            return false;
        }
        for (Task t : waiting) {
            if (t.caller() != runningCaller) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs one waiting script, its writes one unit of the replication stream (MULTI/EXEC around
     * them when several), appended while every shard is still held, as Redis propagates a
     * script's effects when its EVAL's call() ends.
     */
    private void runCalledBy(Task task) {
        runningCaller = task.caller();
        Propagation propagation = server.propagation();
        Propagation.Unit unit = propagation.open();
        try {
            task.run();
        } finally {
            if (unit != null) {
                propagation.end(unit, false, task.caller() instanceof ClientSession caller ? caller : null);
            }
        }
    }

    private SandboxGlobals newEvalGlobals() {
        SandboxGlobals g = LuaSandbox.create(this, RedisApi.create(this, true));
        LuaSandbox.protect(g);
        return g;
    }

    ServerContext server() {
        return server;
    }

    public FunctionLibraries functions() {
        return functions;
    }

    // ---- the cache ------------------------------------------------------------------------

    /** The cached script with this SHA1 (any case), or null. */
    public Script get(byte[] sha) {
        if (sha.length != 40) {
            return null;
        }
        return scripts.get(new String(sha, java.nio.charset.StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
    }

    /** Whether a script with this SHA1 (any case, as Redis's script dict compares) is cached (SCRIPT EXISTS). */
    public boolean exists(byte[] sha) {
        return get(sha) != null;
    }

    /**
     * The script for {@code body}, compiled and cached if new (luaCreateFunction). Throws
     * {@link ScriptException} with Redis's error reply when its shebang or code is invalid.
     */
    public Script load(byte[] body) {
        String sha = RedisApi.sha1hex(body);
        Script s = scripts.get(sha);
        if (s != null) {
            return s;
        }
        ScriptFlags.Shebang shebang;
        try {
            shebang = ScriptFlags.parse(body);
        } catch (IllegalArgumentException e) {
            throw new ScriptException("ERR " + e.getMessage());
        }
        SandboxGlobals g = evalGlobals;
        // the shebang is skipped but its line feed kept, so line numbers stay the user's
        LuaValue f = compile(g, body, shebang.length(), "@user_script", "ERR Error compiling script (new function): ");
        s = new Script(sha, body, shebang.flags(), f, g);
        if (scripts.putIfAbsent(sha, s) == null) {
            scriptBytes.addAndGet(body.length + SCRIPT_OVERHEAD);
        }
        return scripts.get(sha);
    }

    /** Compiles {@code body} from {@code offset} in {@code g}; a syntax error is a ScriptException. */
    static LuaValue compile(SandboxGlobals g, byte[] body, int offset, String chunk, String errorPrefix) {
        try {
            return g.load(new ByteArrayInputStream(body, offset, body.length - offset), chunk, "t", g);
        } catch (LuaError e) {
            throw new ScriptException(errorPrefix + LuaMessages.compileError(LuaErrors.value(e, null).tojstring()));
        } catch (StackOverflowError e) {
            throw new ScriptException(errorPrefix + chunk.substring(1) + ": chunk has too many syntax levels");
        }
    }

    /** SCRIPT FLUSH: forgets every script and starts a fresh Lua state. */
    public void flush() {
        scripts.clear();
        scriptBytes.set(0);
        evalGlobals = newEvalGlobals();
    }

    public int cachedScripts() {
        return scripts.size();
    }

    /** INFO used_memory_scripts_eval. */
    public long cacheMemory() {
        return scriptBytes.get();
    }

    /** INFO used_memory_vm_eval: an estimate of the EVAL state's compiled scripts. */
    public long evalVmMemory() {
        long source = scriptBytes.get() - (long) scripts.size() * SCRIPT_OVERHEAD;
        return EMPTY_VM_BYTES + source * VM_BYTES_PER_SOURCE_BYTE;
    }

    // ---- running --------------------------------------------------------------------------

    /**
     * Runs a cached script for EVAL/EVALSHA (and their _RO forms) with its keys and arguments,
     * atomically; its reply goes to the caller. The caller checked numkeys and the flags.
     */
    public void eval(CommandContext c, Script s, byte[][] keys, byte[][] args, boolean ro) {
        int flags = s.flags();
        boolean compat = (flags & ScriptFlags.COMPAT) != 0;
        boolean readOnly = ro || (!compat && (flags & ScriptFlags.NO_WRITES) != 0);
        boolean allowOom = !compat && (flags & ScriptFlags.ALLOW_OOM) != 0;
        submit(c, true, s.sha(), readOnly, allowOom, run -> {
            s.globals().force("KEYS", array(keys));
            s.globals().force("ARGV", array(args));
            return execute(run, s.globals(), s.function(), LuaValue.NONE);
        });
    }

    /** What runs once every shard is held: the script, answering how to render its reply. */
    interface Body {
        Consumer<Reply> run(ScriptRun run);
    }

    /**
     * Runs {@code body} as one script run holding every shard. From a connection the run goes to
     * a script thread and the caller's reply is deferred (the client blocked meanwhile, as Redis's
     * caller waits), so the caller's event loop goes on serving its other connections, which is
     * what lets them get BUSY and send SCRIPT KILL. Inside EXEC (no deferring) it runs in place,
     * in the transaction's block.
     */
    void submit(CommandContext c, boolean eval, String name, boolean readOnly, boolean allowOom, Body script) {
        int db = c.client().db();
        byte[][] command = c.argv().clone();
        TrackingState tracking = c.client().tracking();
        Body body = tracking == null ? script : tracked(c, tracking, command, script);
        if (!c.canDefer()) {
            c.runAtomically(() -> body.run(newRun(eval, name, readOnly, allowOom, db, command, c.client())).accept(c.reply()));
            return;
        }
        DeferredReply slot = c.deferReply(true);
        slot.admitScriptsBehind();
        Object caller = c.client();
        Task task = new Task() {
            @Override
            public void run() {
                Finished done;
                long started = System.nanoTime();
                try {
                    done = runHoldingEveryShard(eval, name, readOnly, allowOom, db, command, (ClientSession) caller, body);
                } catch (RuntimeException | Error e) {
                    log.error("script {} failed", name, e);
                    done = new Finished(r -> r.error(Errors.INTERNAL), true, "ERR");
                }
                // the script's time is its caller's call's (commandstats, slow log, latency events)
                slot.addWorkNanos(System.nanoTime() - started);
                if (done.failed()) {
                    slot.completeFailed(done.reply(), done.errorstatsCode());
                } else {
                    slot.complete(done.reply());
                }
            }

            @Override
            public void busy(String error) {
                slot.complete(r -> r.error(error));
            }

            @Override
            public Object caller() {
                return caller;
            }
        };
        if (!waiting.offer(task)) {
            String busy = busyError();
            task.busy(busy != null ? busy : "ERR too many scripts waiting to run");
        }
    }

    /**
     * A tracking caller's script, as Redis's call() treats it: the caller counts as the current
     * client for NOLOOP (the script's writes are its own), and once the script has run a read-only
     * command the script's declared keys are remembered for the caller (not the keys the read
     * named), under OPTIN/OPTOUT's rules.
     */
    private Body tracked(CommandContext c, TrackingState tracking, byte[][] command, Body body) {
        ClientTracking tracker = server.tracking();
        KeyReferences keys = new KeyReferences();
        int found = KeyFinder.find(c.command().spec(), command, command.length, keys);
        byte[][] declared = new byte[Math.max(found, 0)][];
        for (int i = 0; i < declared.length; i++) {
            declared[i] = command[keys.position(i)];
        }
        long callerId = c.client().id();
        return run -> {
            long previous = ClientTracking.current();
            if (tracking.noloop()) {
                ClientTracking.setCurrent(callerId);
            }
            run.client.executor.takeReadOnlyRan();
            try {
                return body.run(run);
            } finally {
                if (run.client.executor.takeReadOnlyRan() && tracking.remembersReads()) {
                    for (byte[] k : declared) {
                        tracker.remember(tracking, k);
                    }
                }
                ClientTracking.setCurrent(previous);
            }
        };
    }

    /**
     * A script's reply, whether it is an error (the call failed), and the code INFO errorstats
     * counts that error under, or null when the redis.call inside counted it already.
     */
    private record Finished(Consumer<Reply> reply, boolean failed, String errorstatsCode) {
    }

    /** Runs one script; the script thread holds every shard's lock (see {@link #runWaitingScripts}). */
    private Finished runHoldingEveryShard(boolean eval, String name, boolean readOnly, boolean allowOom, int db,
            byte[][] command, ClientSession caller, Body body) {
        Keyspace keyspace = server.keyspace();
        ScriptRun run = newRun(eval, name, readOnly, allowOom, db, command, caller);
        Propagation propagation = server.propagation();
        Consumer<Reply> out;
        try {
            out = body.run(run);
        } finally {
            // redis.set_repl lasts for its script only
            propagation.setCallTargets(Propagation.TO_ALL);
        }
        // the deferred reply is rendered outside the executor, which counts errors: the slot counts this one
        String errorstatsCode = run.errorToCount == null ? null : DeferredReply.errorCode(run.errorToCount);
        // blocked pops on keys the script created are served now, before anyone else runs; the
        // script's writes go down the stream first, and each served client's pop alone after
        // them, as Redis propagates the EVAL's unit before handleClientsBlockedOnKeys
        Propagation.Unit unit = propagation.open();
        if (unit != null) {
            propagation.end(unit, true, caller);
        }
        Database view = new Database(keyspace);
        view.bind(db, System.currentTimeMillis());
        propagation.outsideUnit(() -> keyspace.blockedKeys().serveReady(view));
        return new Finished(out, run.failed, errorstatsCode);
    }

    private ScriptRun newRun(boolean eval, String name, boolean readOnly, boolean allowOom, int db, byte[][] command,
            ClientSession caller) {
        ScriptClient sc = clients.get();
        sc.reset(db);
        // scriptCall runs the script's commands as the caller's user
        sc.session.setAclUser(caller.aclUser());
        ScriptRun run = new ScriptRun(eval, name, readOnly, allowOom, RedisApi.overMemory(this), sc, command);
        run.caller = caller;
        return run;
    }

    /** Runs a function for FCALL / FCALL_RO with its keys and arguments (as the callback's two tables). */
    public void fcall(CommandContext c, FunctionLibraries.Function f, byte[][] keys, byte[][] args, boolean ro) {
        boolean readOnly = ro || (f.flags() & ScriptFlags.NO_WRITES) != 0;
        boolean allowOom = (f.flags() & ScriptFlags.ALLOW_OOM) != 0;
        submit(c, false, f.name(), readOnly, allowOom,
                run -> execute(run, f.library().env(), f.callback(), LuaValue.varargsOf(array(keys), array(args))));
    }

    /** FUNCTION STATS: the running function (BUSY while an EVAL runs) and the engine's counts. */
    public void functionStats(Reply r) {
        ScriptRun run = running;
        if (run != null && run.eval) {
            r.error(BUSY_EVAL);
            return;
        }
        r.map(2);
        r.bulk("running_script");
        if (run == null) {
            r.nullBulk();
        } else {
            r.map(3);
            r.bulk("name");
            r.bulk(run.name);
            r.bulk("command");
            r.array(run.command.length);
            for (byte[] a : run.command) {
                r.bulk(a);
            }
            r.bulk("duration_ms");
            r.integer(run.elapsedMillis());
        }
        r.bulk("engines");
        r.map(1);
        r.bulk(FunctionLibraries.ENGINE);
        r.map(2);
        r.bulk("libraries_count");
        r.integer(functions.libraryCount());
        r.bulk("functions_count");
        r.integer(functions.functionCount());
    }

    /** Runs {@code fn(args)} as {@code run}; answers how to render the reply. */
    Consumer<Reply> execute(ScriptRun run, SandboxGlobals env, LuaValue fn, Varargs args) {
        running = run;
        env.hook.reset();
        try {
            LuaValue out = fn.invoke(args).arg1();
            int resp = run.client.session.protocol();
            if (out.istable() && out.rawget("err").isstring()) {
                run.failed = true;
                if (!out.rawget("ignore_error_stats_update").toboolean()) {
                    run.errorToCount = out.rawget("err").tojstring();
                }
            }
            return r -> LuaToReply.write(r, out, resp);
        } catch (LuaError e) {
            run.failed = true;
            String error = errorReply(e, run.name, env.hook);
            LuaValue v = LuaErrors.value(e, null);
            if (!(v.istable() && v.rawget("ignore_error_stats_update").toboolean())) {
                run.errorToCount = error;
            }
            return r -> r.error(error);
        } catch (StackOverflowError e) {
            run.failed = true;
            // Lua's "stack overflow" error, where the script was when the Java stack ran out
            String where = env.hook.position();
            String error = where == null ? "ERR Error running script " + run.name + ", stack overflow"
                    : "ERR " + where.substring(where.startsWith("@") ? 1 : 0) + ": stack overflow script: " + run.name + ", on " + where + ".";
            run.errorToCount = error;
            return r -> r.error(error);
        } catch (OutOfMemoryError e) {
            run.failed = true;
            return r -> r.error("ERR Error running script " + run.name + ", not enough memory");
        } catch (RuntimeException e) {
            run.failed = true;
            log.error("script {} failed", run.name, e);
            return r -> r.error("ERR Error running script " + run.name + ", " + e.getClass().getSimpleName());
        } finally {
            running = null;
            if (run.slowLogged) {
                log.warn("Slow script finished after {} milliseconds: {}", run.elapsedMillis(), run.name);
            }
        }
    }

    /**
     * The reply for a script that raised: Redis's error handler turns any error into a table
     * {err=...} (a string becomes "ERR " .. it) and luaCallFunction appends where it happened.
     */
    static String errorReply(LuaError e, String name, InstructionHook hook) {
        String lastPosition = hook.position();
        LuaValue v = LuaErrors.value(e, hook);
        String msg;
        if (v.istable()) {
            LuaValue err = v.rawget("err");
            if (!err.isstring()) {
                // Redis 7.0.15 crashes on an error table without err; answer instead
                return "ERR Error running script " + name + ", the error raised has no 'err' field";
            }
            msg = err.tojstring();
        } else {
            msg = "ERR " + (v.isnil() ? "nil" : v.tojstring());
        }
        String where = LuaErrors.fileline(e, lastPosition);
        if (where != null) {
            int colon = where.lastIndexOf(':');
            if (colon > 0) {
                msg += " script: " + name + ", on " + where.substring(0, colon) + ":" + where.substring(colon + 1) + ".";
            }
        }
        return msg;
    }

    private static LuaTable array(byte[][] items) {
        LuaTable t = new LuaTable(items.length, 0);
        for (int i = 0; i < items.length; i++) {
            t.rawset(i + 1, LuaValue.valueOf(items[i]));
        }
        return t;
    }

    /** The run of the calling thread, or a raised error with {@code error} (outside a script). */
    ScriptRun requireRun(String error) {
        ScriptRun r = running;
        if (r != null && r.thread != Thread.currentThread()) {
            // luaj runs a coroutine on a Java thread of its own, which does not hold the shards
            throw new LuaErrors.Raised(LuaValue.valueOf("ERR redis.call inside a coroutine is not supported by damselfly"), 0);
        }
        if (r == null) {
            throw RedisApi.raise(error);
        }
        return r;
    }

    /**
     * redis.call ({@code raise}) and redis.pcall, as luaRedisGenericCommand and scriptCall;
     * {@code self} is the function called (redis.call or redis.pcall).
     */
    Varargs redisCall(LuaValue self, Varargs args, boolean raise) {
        ScriptRun run = requireRun("redis.call/pcall can only be called inside a script invocation");
        byte[][] argv;
        try {
            argv = toArgv(args);
        } catch (LuaErrors.Raised e) {
            if (raise) {
                throw e;
            }
            return e.value;
        }
        String refused = refusal(run, argv);
        if (refused != null) {
            countRefusal(refused, lookup(argv));
            LuaTable t = LuaErrors.errorTable(refused);
            t.rawset("ignore_error_stats_update", LuaValue.TRUE);
            if (raise) {
                throw new LuaErrors.Raised(t, 0);
            }
            return t;
        }
        ScriptClient sc = run.client;
        sc.buffer.clear();
        sc.executor.execute(argv);
        LuaValue v = RespToLua.read(sc.buffer);
        sc.buffer.clear();
        if (v == null) {
            // a push reply (DEBUG PROTOCOL push under setresp(3)): Redis's reply parser has no
            // push type and puts nothing on the Lua stack, so the call returns what is below
            // its results there, the called function itself
            return self;
        }
        if (raise && v.istable() && v.rawget("err").isstring()) {
            throw new LuaErrors.Raised(v, 0);
        }
        return v;
    }

    /** The arguments of a redis.call as a command's argv; numbers as %.17g. */
    byte[][] toArgv(Varargs args) {
        int n = args.narg();
        if (n == 0) {
            throw RedisApi.raise("Please specify at least one argument for this redis lib call");
        }
        byte[][] argv = new byte[n][];
        for (int i = 0; i < n; i++) {
            LuaValue a = args.arg(i + 1);
            if (a.type() == LuaValue.TNUMBER) {
                argv[i] = LuaToReply.g17Bytes(a.todouble());
            } else if (a.type() == LuaValue.TSTRING) {
                argv[i] = LuaToReply.bytes(a.checkstring());
            } else {
                throw RedisApi.raise("Lua redis lib command arguments must be strings or integers");
            }
        }
        return argv;
    }

    /** The command argv names, as lookupCommand finds it (a container's subcommand), or null. */
    Command lookup(byte[][] argv) {
        Command cmd = server.commands().lookup(argv[0]);
        if (cmd != null && cmd.isContainer() && argv.length >= 2) {
            cmd = cmd.subcommand(argv[1]);
        }
        return cmd;
    }

    /**
     * Books a command scriptCall refused as Redis does (afterErrorReply, incrCommandStatsOnError):
     * its error in errorstats, a rejected call of the command; the script's own error reply
     * built from it is then not counted again.
     */
    private void countRefusal(String error, Command cmd) {
        int space = error.indexOf(' ');
        server.stats().countError(space < 0 ? error : error.substring(0, space));
        if (cmd != null && server.config().getBool(Option.COMMAND_STATISTICS)) {
            server.commandStats().forCurrentThread().recordRejected(cmd.id());
        }
    }

    /** The ACL verdict on a command of the running script, by its caller's user ({@link AclCheck#OK} if allowed). */
    int aclCheck(ScriptRun run, Command cmd, byte[][] argv) {
        User user = run.client.session.aclUser();
        if (user == null || user.unrestricted()) {
            return AclCheck.OK;
        }
        return user.check(server.acl().commands(), cmd, argv, run.aclCheck);
    }

    /**
     * redis.acl_check_cmd: whether the user running this thread's script (its caller's, set on
     * this thread's script client at the run's start) may run the command.
     */
    boolean aclAllows(Command cmd, byte[][] argv) {
        User user = clients.get().session.aclUser();
        return user == null || user.unrestricted()
                || user.check(server.acl().commands(), cmd, argv, new AclCheck()) == AclCheck.OK;
    }

    /**
     * A command damselfly does not have: refused as scriptCall refuses Redis's own (a wrong arity,
     * or NOSCRIPT, as CLUSTER RESET), and otherwise as unknown, since there is nothing to run.
     */
    private String unimplementedRefusal(byte[][] argv) {
        // the ACL's id space holds every Redis 7.0.15 command, implemented or not
        int id = server.acl().commands().lookupCall(argv);
        if (id < 0) {
            return UNKNOWN_FROM_SCRIPT;
        }
        CommandSpec spec = server.acl().commands().spec(id);
        int arity = spec.arity();
        if (arity > 0 ? argv.length != arity : argv.length < -arity) {
            return WRONG_ARGS_FROM_SCRIPT;
        }
        return spec.commandFlags().contains("NOSCRIPT") && !noscriptAllowed ? NOT_ALLOWED_FROM_SCRIPT : UNKNOWN_FROM_SCRIPT;
    }

    private static final String UNKNOWN_FROM_SCRIPT = "ERR Unknown Redis command called from script";
    private static final String WRONG_ARGS_FROM_SCRIPT = "ERR Wrong number of args calling Redis command from script";
    private static final String NOT_ALLOWED_FROM_SCRIPT = "ERR This Redis command is not allowed from script";

    /** DEBUG SET-DISABLE-DENY-SCRIPTS: whether scripts may call noscript commands from now on. */
    public void allowNoscriptCommands(boolean allowed) {
        noscriptAllowed = allowed;
    }

    /** Why scriptCall would refuse this command (Redis's text, code included), or null. */
    private String refusal(ScriptRun run, byte[][] argv) {
        Command cmd = lookup(argv);
        if (cmd == null) {
            return unimplementedRefusal(argv);
        }
        if (!cmd.acceptsArgCount(argv.length)) {
            return WRONG_ARGS_FROM_SCRIPT;
        }
        if (cmd.has(CommandFlag.NOSCRIPT) && !noscriptAllowed) {
            return NOT_ALLOWED_FROM_SCRIPT;
        }
        int denied = aclCheck(run, cmd, argv);
        if (denied != AclCheck.OK) {
            // scriptVerifyACL: logged in the lua context with the caller's client
            User user = run.client.session.aclUser();
            server.acl().logDenied(denied, AclLog.LUA,
                    denied == AclCheck.DENIED_COMMAND ? cmd.fullName().getBytes(StandardCharsets.US_ASCII)
                            : argv[run.aclCheck.position()],
                    user.name(), run.caller.describe(System.currentTimeMillis(), null));
            return AclCheck.scriptError(denied);
        }
        boolean write = cmd.has(CommandFlag.WRITE);
        if (run.readOnly && (write || cmd.has(CommandFlag.MAY_REPLICATE))) {
            return "ERR Write commands are not allowed from read-only scripts.";
        }
        if (write && !run.dirty && server.replicaRole().isReplica() && server.config().getBool(Option.REPLICA_READ_ONLY)) {
            // scriptVerifyWriteCommandAllow: a read-only replica, before the script's first write
            return io.damselfly.server.replica.ReplicaRole.READONLY;
        }
        String diskDenial = write ? server.diskErrorDenial() : null;
        if (diskDenial != null) {
            // scriptVerifyWriteCommandAllow: every write while snapshots or AOF writes fail
            return diskDenial;
        }
        if (write && !run.dirty && GoodReplicas.writesRefused(server)) {
            // scriptVerifyWriteCommandAllow: only before the script's first write, which it cannot undo
            return GoodReplicas.NOREPLICAS;
        }
        if (!run.allowOom && !run.dirty && run.oomAtStart && cmd.isDenyOom()
                && server.config().getLong(Option.MAXMEMORY) > 0) {
            return Errors.OOM;
        }
        if (write) {
            run.dirty = true;
        }
        return null;
    }

    // ---- busy scripts, SCRIPT KILL / FUNCTION KILL ------------------------------------------

    /**
     * The BUSY error for a command of another client arriving now, or null: a script has been
     * running for busy-reply-threshold milliseconds or more (0 turns BUSY off, as Redis installs
     * no hook then) and the asking thread is not the script's own.
     */
    public String busyError() {
        ScriptRun r = running;
        if (r == null || r.thread == Thread.currentThread()) {
            return null;
        }
        long threshold = server.config().getLong(Option.BUSY_REPLY_THRESHOLD);
        if (threshold <= 0 || r.elapsedMillis() < threshold) {
            return null;
        }
        return r.eval ? BUSY_EVAL : BUSY_FUNCTION;
    }

    static final String BUSY_EVAL = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    static final String BUSY_FUNCTION = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

    /** SCRIPT KILL ({@code eval}) or FUNCTION KILL: null when killed (+OK), else the error. */
    public String kill(boolean eval) {
        ScriptRun r = running;
        if (r == null) {
            return "NOTBUSY No scripts in execution right now.";
        }
        if (r.dirty) {
            return "UNKILLABLE Sorry the script already executed write commands against the dataset. "
                    + "You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
        }
        if (eval && !r.eval) {
            return BUSY_FUNCTION;
        }
        if (!eval && r.eval) {
            return BUSY_EVAL;
        }
        r.killed = true;
        return null;
    }

    /** Asked by the instruction hook: must the Lua code running on this thread stop now? */
    boolean mustStop() {
        if (closed) {
            return true;
        }
        long[] deadline = loadDeadline.get();
        if (deadline != null) {
            return System.nanoTime() > deadline[0];
        }
        ScriptRun r = running;
        if (r == null || r.thread != Thread.currentThread()) {
            return false;
        }
        long threshold = server.config().getLong(Option.BUSY_REPLY_THRESHOLD);
        if (threshold > 0 && r.elapsedMillis() >= threshold && waitingFromOthers()) {
            refuseWaitingScripts(r.eval ? BUSY_EVAL : BUSY_FUNCTION);
        }
        if (!r.slowLogged && threshold > 0 && r.elapsedMillis() >= threshold) {
            r.slowLogged = true;
            log.warn("Slow script detected: still in execution after {} milliseconds. You can try killing the script "
                    + "using the {} command. Script name is: {}.", r.elapsedMillis(), r.eval ? "SCRIPT KILL" : "FUNCTION KILL", r.name);
        }
        return r.killed;
    }

    /** Raises the error that ends the code {@link #mustStop} stopped. */
    void stop() {
        if (closed) {
            throw new LuaErrors.Killed();
        }
        if (loadDeadline.get() != null) {
            throw new LuaErrors.Killed("ERR FUNCTION LOAD timeout");
        }
        log.warn("Lua script killed by user with SCRIPT KILL.");
        throw new LuaErrors.Killed();
    }

    /** Runs {@code body} (FUNCTION LOAD's library code) with a deadline the hook enforces. */
    void withLoadDeadline(long timeoutMillis, Runnable body) {
        loadDeadline.set(new long[] {System.nanoTime() + timeoutMillis * 1_000_000});
        try {
            body.run();
        } finally {
            loadDeadline.remove();
        }
    }

    long lrand48() {
        return rand.next();
    }

    void srand48(int seed) {
        rand.seed(seed);
    }
}
