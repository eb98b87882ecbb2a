package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.SCRIPT;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.config.Option;
import io.damselfly.server.keyspace.LazyFree;
import io.damselfly.server.scripting.FunctionLibraries;
import io.damselfly.server.scripting.FunctionLibraries.Function;
import io.damselfly.server.scripting.FunctionLibraries.Library;
import io.damselfly.server.scripting.ScriptException;
import io.damselfly.server.scripting.ScriptFlags;
import io.damselfly.server.keyspace.Numbers;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Redis 7 functions (Redis group "scripting", functions.c of 7.0.15): FCALL, FCALL_RO and the
 * FUNCTION container (LOAD DELETE FLUSH LIST DUMP RESTORE STATS KILL HELP) over the engine's
 * {@link FunctionLibraries}. FCALL runs like EVAL, atomically on a script thread.
 */
public final class FunctionCommands {
    private FunctionCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("fcall", c -> fcall(c, false), SCRIPT);
        t.add("fcall_ro", c -> fcall(c, true), SCRIPT);
        t.container("function", s -> s
                .add("delete", FunctionCommands::delete)
                .add("dump", FunctionCommands::dump)
                .add("flush", FunctionCommands::flush)
                .add("help", FunctionCommands::help)
                .add("kill", FunctionCommands::kill)
                .add("list", FunctionCommands::list)
                .add("load", FunctionCommands::load)
                .add("restore", FunctionCommands::restore)
                .add("stats", FunctionCommands::stats));
    }

    /** FCALL function numkeys [key ...] [arg ...] and FCALL_RO. */
    static void fcall(CommandContext c, boolean ro) {
        FunctionLibraries libs = c.server().scripts().functions();
        Function f = libs.function(c.argString(1));
        if (f == null) {
            c.reply().error("ERR Function not found");
            return;
        }
        Long numkeys = Numbers.parseLong(c.arg(2));
        if (numkeys == null) {
            c.reply().error("ERR Bad number of keys provided");
            return;
        }
        if (numkeys > c.argc() - 3) {
            c.reply().error(ScriptingCommands.TOO_MANY_KEYS);
            return;
        }
        if (numkeys < 0) {
            c.reply().error(ScriptingCommands.NEGATIVE_KEYS);
            return;
        }
        if (!ScriptingCommands.checkFlags(c, f.flags(), ro)) {
            return;
        }
        byte[][] argv = c.argv();
        int k = numkeys.intValue();
        byte[][] keys = Arrays.copyOfRange(argv, 3, 3 + k);
        byte[][] args = Arrays.copyOfRange(argv, 3 + k, argv.length);
        c.server().scripts().fcall(c, f, keys, args, ro);
    }

    /** FUNCTION LOAD [REPLACE] function-code */
    static void load(CommandContext c) {
        boolean replace = false;
        int pos = 2;
        while (pos < c.argc() - 1) {
            if (c.argIs(pos, "replace")) {
                replace = true;
                pos++;
                continue;
            }
            c.reply().error("ERR Unknown option given: " + Errors.echo(c.arg(pos)));
            return;
        }
        if (pos >= c.argc()) {
            c.reply().error("ERR Function code is missing");
            return;
        }
        try {
            c.reply().bulk(c.server().scripts().functions().load(c.arg(pos), replace));
            libraryChanged(c);
        } catch (ScriptException e) {
            c.reply().error(e.getMessage());
        }
    }

    /** FUNCTION DELETE library-name */
    static void delete(CommandContext c) {
        if (c.server().scripts().functions().delete(c.argString(2))) {
            libraryChanged(c);
            c.reply().ok();
        } else {
            c.reply().error("ERR Library not found");
        }
    }

    /** FUNCTION FLUSH [ASYNC|SYNC] */
    static void flush(CommandContext c) {
        if (c.argc() > 3) {
            c.reply().error(Errors.subcommandSyntax(c.arg(1), "function"));
            return;
        }
        if (c.argc() == 3 && !c.argIs(2, "sync") && !c.argIs(2, "async")) {
            c.reply().error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
            return;
        }
        // functionsLibCtxClearCurrent: an async flush of more than 64 functions counts them in INFO lazyfreed_objects
        boolean async = c.argc() == 3 ? c.argIs(2, "async") : c.server().config().getBool(Option.LAZYFREE_LAZY_USER_FLUSH);
        int functions = c.server().scripts().functions().functionCount();
        c.server().scripts().functions().flush();
        if (async && functions > LazyFree.THRESHOLD) {
            c.server().keyspace().countLazyFreed(functions);
        }
        libraryChanged(c);
        c.reply().ok();
    }

    /** FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE] */
    static void list(CommandContext c) {
        boolean withCode = false;
        byte[] pattern = null;
        for (int i = 2; i < c.argc(); i++) {
            if (!withCode && c.argIs(i, "withcode")) {
                withCode = true;
                continue;
            }
            if (pattern == null && c.argIs(i, "libraryname")) {
                if (i >= c.argc() - 1) {
                    c.reply().error("ERR library name argument was not given");
                    return;
                }
                pattern = c.arg(++i);
                continue;
            }
            c.reply().error("ERR Unknown argument " + Errors.echo(c.arg(i)));
            return;
        }
        List<Library> libs = c.server().scripts().functions().list(pattern);
        Reply r = c.reply();
        r.array(libs.size());
        for (Library l : libs) {
            r.map(withCode ? 4 : 3);
            r.bulk("library_name");
            r.bulk(l.name());
            r.bulk("engine");
            r.bulk("LUA");
            r.bulk("functions");
            r.array(l.functions().size());
            for (Function f : l.functions().values()) {
                r.map(3);
                r.bulk("name");
                r.bulk(f.name());
                r.bulk("description");
                if (f.description() == null) {
                    r.nullBulk();
                } else {
                    r.bulk(f.description());
                }
                r.bulk("flags");
                List<String> flags = ScriptFlags.names(f.flags());
                r.set(flags.size());
                for (String flag : flags) {
                    r.simple(flag);
                }
            }
            if (withCode) {
                r.bulk("library_code");
                r.bulk(l.code());
            }
        }
    }

    /** FUNCTION DUMP */
    static void dump(CommandContext c) {
        c.reply().bulk(c.server().scripts().functions().dump());
    }

    /** FUNCTION RESTORE serialized-value [FLUSH|APPEND|REPLACE] */
    static void restore(CommandContext c) {
        if (c.argc() > 4) {
            c.reply().error(Errors.subcommandSyntax(c.arg(1), "function"));
            return;
        }
        FunctionLibraries.RestorePolicy policy = FunctionLibraries.RestorePolicy.APPEND;
        if (c.argc() == 4) {
            if (c.argIs(3, "append")) {
                policy = FunctionLibraries.RestorePolicy.APPEND;
            } else if (c.argIs(3, "replace")) {
                policy = FunctionLibraries.RestorePolicy.REPLACE;
            } else if (c.argIs(3, "flush")) {
                policy = FunctionLibraries.RestorePolicy.FLUSH;
            } else {
                c.reply().error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
                return;
            }
        }
        try {
            c.server().scripts().functions().restore(c.arg(2), policy);
            libraryChanged(c);
            c.reply().ok();
        } catch (ScriptException e) {
            c.reply().error(e.getMessage());
        }
    }

    /** A change of the libraries counts as a change of the data set, as Redis counts it (saved with the keys). */
    private static void libraryChanged(CommandContext c) {
        c.server().keyspace().countUnkeyedChange();
    }

    /** FUNCTION STATS */
    static void stats(CommandContext c) {
        c.server().scripts().functionStats(c.reply());
    }

    /** FUNCTION KILL */
    static void kill(CommandContext c) {
        String error = c.server().scripts().kill(false);
        if (error == null) {
            c.reply().ok();
        } else {
            c.reply().error(error);
        }
    }

    private static final List<String> HELP = List.of(
            "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "LOAD [REPLACE] <FUNCTION CODE>",
            "    Create a new library with the given library name and code.",
            "DELETE <LIBRARY NAME>",
            "    Delete the given library.",
            "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
            "    Return general information on all the libraries:",
            "    * Library name",
            "    * The engine used to run the Library",
            "    * Library description",
            "    * Functions list",
            "    * Library code (if WITHCODE is given)",
            "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
            "STATS",
            "    Return information about the current function running:",
            "    * Function name",
            "    * Command used to run the function",
            "    * Duration in MS that the function is running",
            "    If no function is running, return nil",
            "    In addition, returns a list of available engines.",
            "KILL",
            "    Kill the current running function.",
            "FLUSH [ASYNC|SYNC]",
            "    Delete all the libraries.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the libraries.",
            "    * SYNC: Synchronously flush the libraries.",
            "DUMP",
            "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
            "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
            "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
            "    control how to handle existing libraries (default APPEND):",
            "    * FLUSH: delete all existing libraries.",
            "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
            "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
            "      libraries with the new libraries (notice that even on this option there is a chance of failure",
            "      in case of functions name collision with another library).",
            "HELP",
            "    Prints this help.");

    /** FUNCTION HELP */
    static void help(CommandContext c) {
        ServerCommands.help(c.reply(), HELP);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
