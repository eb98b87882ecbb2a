package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.SCRIPT;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.GoodReplicas;
import io.damselfly.server.command.Reply;
import io.damselfly.server.config.Option;
import io.damselfly.server.keyspace.LazyFree;
import io.damselfly.server.scripting.ScriptEngine;
import io.damselfly.server.scripting.ScriptException;
import io.damselfly.server.scripting.ScriptFlags;
import java.util.Arrays;
import java.util.List;

/**
 * Scripting commands (Redis group "scripting", eval.c of Redis 7.0): EVAL EVALSHA EVAL_RO
 * EVALSHA_RO and the SCRIPT container (LOAD EXISTS FLUSH KILL HELP). The handlers parse and check
 * as Redis does, in Redis's order, and hand the run to the {@link ScriptEngine}, which executes
 * the script atomically across every shard.
 */
public final class ScriptingCommands {
    private ScriptingCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("eval", c -> eval(c, false, false), SCRIPT);
        t.add("evalsha", c -> eval(c, true, false), SCRIPT);
        t.add("eval_ro", c -> eval(c, false, true), SCRIPT);
        t.add("evalsha_ro", c -> eval(c, true, true), SCRIPT);
        t.container("script", s -> s
                .add("exists", ScriptingCommands::exists)
                .add("flush", ScriptingCommands::flush)
                .add("help", ScriptingCommands::help)
                .add("kill", ScriptingCommands::kill)
                .add("load", ScriptingCommands::load));
    }

    static final String NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";
    static final String TOO_MANY_KEYS = "ERR Number of keys can't be greater than number of args";
    static final String NEGATIVE_KEYS = "ERR Number of keys can't be negative";
    static final String WRITE_FLAG_RO = "ERR Can not execute a script with write flag using *_ro command.";

    /** EVAL script numkeys [key ...] [arg ...], EVALSHA sha1 numkeys ..., and their _RO forms. */
    static void eval(CommandContext c, boolean sha, boolean ro) {
        ScriptEngine engine = c.server().scripts();
        if (sha && c.arg(1).length != 40) {
            c.reply().error(NOSCRIPT);
            return;
        }
        long numkeys = c.longArg(2);
        if (numkeys > c.argc() - 3) {
            c.reply().error(TOO_MANY_KEYS);
            return;
        }
        if (numkeys < 0) {
            c.reply().error(NEGATIVE_KEYS);
            return;
        }
        ScriptEngine.Script script;
        if (sha) {
            script = engine.get(c.arg(1));
            if (script == null) {
                c.reply().error(NOSCRIPT);
                return;
            }
        } else {
            try {
                script = engine.load(c.arg(1));
            } catch (ScriptException e) {
                c.reply().error(e.getMessage());
                return;
            }
        }
        if (!checkFlags(c, script.flags(), ro)) {
            return;
        }
        byte[][] argv = c.argv();
        int k = (int) numkeys;
        byte[][] keys = Arrays.copyOfRange(argv, 3, 3 + k);
        byte[][] args = Arrays.copyOfRange(argv, 3 + k, argv.length);
        engine.eval(c, script, keys, args, ro);
    }

    /**
     * The checks scriptPrepareForRun makes of a script that declared flags (none for one in
     * compatibility mode): a write script under a _RO command, and a script that may grow memory
     * over maxmemory (Redis refuses it before running, as a deny-oom command).
     */
    static boolean checkFlags(CommandContext c, int flags, boolean ro) {
        if ((flags & ScriptFlags.COMPAT) != 0) {
            return true;
        }
        String diskDenial = (flags & ScriptFlags.NO_WRITES) == 0 ? c.server().diskErrorDenial() : null;
        if (diskDenial != null) {
            // Redis's processCommand refuses such a script first (its flags make EVAL a write), with the general text
            c.reply().error(diskDenial);
            return false;
        }
        if ((flags & ScriptFlags.NO_WRITES) == 0 && c.server().replicaRole().refusesWritesOf(c.client())) {
            // processCommand's read-only replica check: the script's flags make the call a write,
            // its _RO form too (scriptFlagsToCmdFlags); no NOREPLICAS on a replica
            c.reply().error(io.damselfly.server.replica.ReplicaRole.READONLY);
            return false;
        }
        if ((flags & ScriptFlags.NO_WRITES) == 0 && ro) {
            c.reply().error(WRITE_FLAG_RO);
            return false;
        }
        if ((flags & ScriptFlags.NO_WRITES) == 0 && GoodReplicas.writesRefused(c.server())) {
            c.reply().error(GoodReplicas.NOREPLICAS);
            return false;
        }
        if ((flags & (ScriptFlags.ALLOW_OOM | ScriptFlags.NO_WRITES)) == 0 && overMemory(c)) {
            c.reply().error(Errors.OOM);
            return false;
        }
        return true;
    }

    private static boolean overMemory(CommandContext c) {
        long max = c.server().config().getLong(io.damselfly.server.config.Option.MAXMEMORY);
        return max > 0 && c.server().keyspace().memoryEstimate() > max;
    }

    /** SCRIPT EXISTS sha1 [sha1 ...] */
    static void exists(CommandContext c) {
        ScriptEngine engine = c.server().scripts();
        Reply r = c.reply();
        r.array(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            r.integer(engine.exists(c.arg(i)) ? 1 : 0);
        }
    }

    /** SCRIPT FLUSH [ASYNC|SYNC] */
    static void flush(CommandContext c) {
        if (c.argc() > 3 || (c.argc() == 3 && !c.argIs(2, "sync") && !c.argIs(2, "async"))) {
            c.reply().error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
            return;
        }
        // scriptingRelease: an async flush of more than 64 scripts counts them in INFO lazyfreed_objects
        boolean async = c.argc() == 3 ? c.argIs(2, "async") : c.server().config().getBool(Option.LAZYFREE_LAZY_USER_FLUSH);
        int scripts = c.server().scripts().cachedScripts();
        c.server().scripts().flush();
        if (async && scripts > LazyFree.THRESHOLD) {
            c.server().keyspace().countLazyFreed(scripts);
        }
        c.reply().ok();
    }

    /** SCRIPT LOAD script */
    static void load(CommandContext c) {
        try {
            c.reply().bulk(c.server().scripts().load(c.arg(2)).sha());
        } catch (ScriptException e) {
            c.reply().error(e.getMessage());
        }
    }

    /** SCRIPT KILL */
    static void kill(CommandContext c) {
        String error = c.server().scripts().kill(true);
        if (error == null) {
            c.reply().ok();
        } else {
            c.reply().error(error);
        }
    }

    private static final List<String> HELP = List.of(
            "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DEBUG (YES|SYNC|NO)",
            "    Set the debug mode for subsequent scripts executed.",
            "EXISTS <sha1> [<sha1> ...]",
            "    Return information about the existence of the scripts in the script cache.",
            "FLUSH [ASYNC|SYNC]",
            "    Flush the Lua scripts cache. Very dangerous on replicas.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the scripts cache.",
            "    * SYNC: Synchronously flush the scripts cache.",
            "KILL",
            "    Kill the currently executing Lua script.",
            "LOAD <script>",
            "    Load a script into the scripts cache without executing it.",
            "HELP",
            "    Prints this help.");

    /** SCRIPT HELP */
    static void help(CommandContext c) {
        ServerCommands.help(c.reply(), HELP);
    }
}
