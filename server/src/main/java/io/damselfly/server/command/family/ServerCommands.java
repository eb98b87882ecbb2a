package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.WHOLE_KEYSPACE;


import io.damselfly.server.command.Command;
import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandFlag;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.DeferredReply;
import java.util.concurrent.CompletableFuture;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.command.spec.KeyFinder;
import io.damselfly.server.config.Option;
import io.damselfly.server.command.spec.KeyReferences;
import io.damselfly.server.keyspace.GlobPattern;
import io.damselfly.server.keyspace.Numbers;
import io.damselfly.server.metrics.InfoBuilder;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server commands (Redis group "server"): INFO DBSIZE FLUSHDB FLUSHALL SWAPDB TIME SHUTDOWN MONITOR, the
 * COMMAND introspection container, and the CONFIG container (handlers in {@link ConfigCommands}).
 * What COMMAND INFO and COMMAND DOCS say of a command is rendered by {@link CommandDescriptions}.
 */
public final class ServerCommands {
    private static final Logger log = LoggerFactory.getLogger(ServerCommands.class);

    private ServerCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("info", ServerCommands::info);
        t.add("dbsize", ServerCommands::dbsize, WHOLE_KEYSPACE);
        t.add("flushdb", ServerCommands::flushdb, WHOLE_KEYSPACE);
        t.add("flushall", ServerCommands::flushall, WHOLE_KEYSPACE);
        t.add("swapdb", ServerCommands::swapdb, WHOLE_KEYSPACE);
        t.add("time", ServerCommands::time);
        t.add("shutdown", ServerCommands::shutdown);
        t.add("monitor", ServerCommands::monitor);
        t.container("command", ServerCommands::command, s -> s
                .add("count", ServerCommands::commandCount)
                .add("docs", ServerCommands::commandDocs)
                .add("getkeys", ServerCommands::commandGetKeys)
                .add("getkeysandflags", ServerCommands::commandGetKeysAndFlags)
                .add("help", ServerCommands::commandHelp)
                .add("info", ServerCommands::commandInfo)
                .add("list", ServerCommands::commandList));
        t.container("config", s -> s
                .add("get", ConfigCommands::get)
                .add("set", ConfigCommands::set)
                .add("resetstat", ConfigCommands::resetStat)
                .add("rewrite", ConfigCommands::rewrite)
                .add("help", ConfigCommands::help));
    }

    // ---- INFO, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, SHUTDOWN -----------------------------

    /** INFO [section [section ...]] */
    static void info(CommandContext c) {
        List<String> sections = new ArrayList<>(c.argc() - 1);
        for (int i = 1; i < c.argc(); i++) {
            sections.add(c.argString(i));
        }
        c.reply().verbatim(new InfoBuilder(c.server()).build(sections));
    }

    /** DBSIZE */
    static void dbsize(CommandContext c) {
        c.reply().integer(c.server().keyspace().size(c.db().index()));
    }

    /**
     * FLUSHDB [ASYNC | SYNC]. Both modes empty the database before replying, so no later command
     * sees an old key; ASYNC (or none under lazyfree-lazy-user-flush) runs like SYNC and counts
     * the keys in INFO's lazyfreed_objects, as Redis's background free would.
     */
    static void flushdb(CommandContext c) {
        boolean async = parseFlushMode(c);
        long removed = c.server().keyspace().flush(c.db().index());
        if (async) {
            c.server().keyspace().countLazyFreed(removed);
        }
        // as Redis: replicas flush too, even when this database was empty already
        c.forcePropagation();
        c.reply().ok();
    }

    /** FLUSHALL [ASYNC | SYNC] */
    static void flushall(CommandContext c) {
        boolean async = parseFlushMode(c);
        long removed = c.server().keyspace().flushAll();
        if (async) {
            // as Redis's emptyDbAsync: every key of the flushed tables counts as freed in the background
            c.server().keyspace().countLazyFreed(removed);
        }
        // as Redis: replicas flush too, even when every database was empty already
        c.forcePropagation();
        if (!c.server().savePoints().isEmpty()) {
            // as Redis's flushAllDataAndResetRDB: with save points, the file is emptied too, and
            // Redis saves before it replies (rdbSave in the foreground), so this client's next
            // command (a BGSAVE, a BGREWRITEAOF) finds no save running; inside EXEC it cannot wait
            java.util.concurrent.CompletableFuture<Boolean> saved = c.server().persistence().saveAfterRunning("FLUSHALL");
            if (c.canDefer()) {
                io.damselfly.server.command.DeferredReply slot = c.deferReply(true);
                saved.whenComplete((ok, e) -> slot.complete(r -> r.ok()));
                return;
            }
        }
        c.reply().ok();
    }

    /** Whether the flush is ASYNC (getFlushCommandFlags: no argument follows lazyfree-lazy-user-flush). */
    private static boolean parseFlushMode(CommandContext c) {
        if (c.argc() == 1) {
            return c.server().config().getBool(Option.LAZYFREE_LAZY_USER_FLUSH);
        }
        if (c.argc() == 2 && c.argIs(1, "sync")) {
            return false;
        }
        if (c.argc() == 2 && c.argIs(1, "async")) {
            return true;
        }
        throw c.syntaxError();
    }

    /** SWAPDB index1 index2 */
    static void swapdb(CommandContext c) {
        int a = dbIndex(c.arg(1), Errors.INVALID_FIRST_DB_INDEX);
        int b = dbIndex(c.arg(2), Errors.INVALID_SECOND_DB_INDEX);
        int dbs = c.server().keyspace().databases();
        if (a < 0 || a >= dbs || b < 0 || b >= dbs) {
            c.reply().error(Errors.DB_INDEX_OUT_OF_RANGE);
            return;
        }
        if (a != b) {
            c.server().keyspace().swap(a, b);
        }
        c.reply().ok();
    }

    /** A database index as Redis's getIntFromObjectOrReply reads it: any int, range checked later. */
    private static int dbIndex(byte[] arg, String error) {
        Long v = Numbers.parseLong(arg);
        if (v == null || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new CommandError(error);
        }
        return v.intValue();
    }

    /** TIME: seconds and microseconds since the epoch, as two bulk strings. */
    static void time(CommandContext c) {
        Instant now = Instant.now();
        c.reply().array(2);
        c.reply().bulk(Long.toString(now.getEpochSecond()));
        c.reply().bulk(Long.toString(now.getNano() / 1_000));
    }

    /**
     * SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]. Stops the server, saving a snapshot first
     * with SAVE, or without NOSAVE when persistence is configured (save points or a schedule), as
     * Redis does. The caller's connection is closed without a reply; a save that fails keeps the
     * server running and answers an error, unless FORCE, as does an AOF just turned on whose first
     * rewrite still runs. NOW has nothing to skip (no replicas to
     * wait for), and there is never a shutdown in progress to ABORT.
     */
    static void shutdown(CommandContext c) {
        boolean save = false;
        boolean nosave = false;
        boolean force = false;
        boolean now = false;
        boolean abort = false;
        for (int i = 1; i < c.argc(); i++) {
            if (c.argIs(i, "nosave")) {
                nosave = true;
            } else if (c.argIs(i, "save")) {
                save = true;
            } else if (c.argIs(i, "now")) {
                now = true;
            } else if (c.argIs(i, "force")) {
                force = true;
            } else if (c.argIs(i, "abort")) {
                abort = true;
            } else {
                throw c.syntaxError();
            }
        }
        if ((abort && (save || nosave || now || force)) || (save && nosave)) {
            throw c.syntaxError();
        }
        if (abort) {
            if (c.server().abortShutdown()) {
                c.reply().ok();
            } else {
                c.reply().error(Errors.NO_SHUTDOWN_IN_PROGRESS);
            }
            return;
        }
        if (!now && !c.canDefer()) {
            c.reply().error(SHUTDOWN_DENY_BLOCKING);
            return;
        }
        log.warn("User requested shutdown (client id={} addr={})", c.client().id(), c.client().address());
        boolean saving = save || (!nosave && c.server().persistenceConfigured());
        CompletableFuture<Boolean> stopping = c.server().shutdown(saving, force, now);
        if (stopping.isDone() && !stopping.isCancelled() && !stopping.join()) {
            // refused before anything began (the AOF's first rewrite running)
            c.reply().error(SHUTDOWN_FAILED);
            return;
        }
        if (!c.canDefer()) {
            c.client().closeAfterReply();
            return;
        }
        // no reply: the client waits, blocked, until the stop closes its connection, after the
        // port (a client that reconnects at once finds no server, as after Redis's exit), or
        // until a failed save answers
        DeferredReply slot = c.deferReply(true);
        stopping.whenComplete((stops, e) -> {
            if (!Boolean.TRUE.equals(stops)) {
                slot.complete(r -> r.error(SHUTDOWN_FAILED));
            }
        });
    }

    static final String SHUTDOWN_FAILED = "ERR Errors trying to SHUTDOWN. Check logs.";
    static final String SHUTDOWN_DENY_BLOCKING = "ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client";

    /**
     * MONITOR: from now on the client is shown every command the server runs (see
     * {@link io.damselfly.server.client.Monitors}). Not inside MULTI (Redis refuses it to a
     * client that cannot block); a second MONITOR is ignored without a reply, as Redis ignores it.
     */
    static void monitor(CommandContext c) {
        if (!c.canDefer()) {
            c.reply().error(Errors.MONITOR_DENY_BLOCKING);
            return;
        }
        if (c.server().clients().monitors().add(c.client())) {
            c.reply().ok();
        }
    }

    // ---- COMMAND ---------------------------------------------------------------------------

    /** COMMAND: details of every command. */
    static void command(CommandContext c) {
        Collection<Command> all = c.server().commands().all();
        c.reply().array(all.size());
        for (Command cmd : all) {
            CommandDescriptions.writeCommandInfo(c.reply(), cmd);
        }
    }

    /** COMMAND COUNT */
    static void commandCount(CommandContext c) {
        c.reply().integer(c.server().commands().size());
    }

    /** COMMAND INFO [command-name ...]: one entry per name, nil for unknown names; all without names. */
    static void commandInfo(CommandContext c) {
        if (c.argc() == 2) {
            command(c);
            return;
        }
        c.reply().array(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            Command cmd = c.server().commands().byFullName(c.argString(i));
            if (cmd == null) {
                c.reply().nullBulk();
            } else {
                CommandDescriptions.writeCommandInfo(c.reply(), cmd);
            }
        }
    }

    /** COMMAND DOCS [command-name ...]: a map of name to documentation; unknown names are left out. */
    static void commandDocs(CommandContext c) {
        List<Command> found = new ArrayList<>();
        if (c.argc() == 2) {
            found.addAll(c.server().commands().all());
        } else {
            for (int i = 2; i < c.argc(); i++) {
                Command cmd = c.server().commands().byFullName(c.argString(i));
                if (cmd != null) {
                    found.add(cmd);
                }
            }
        }
        c.reply().map(found.size());
        for (Command cmd : found) {
            c.reply().bulk(cmd.fullName());
            CommandDescriptions.writeCommandDocs(c.reply(), cmd);
        }
    }

    /** COMMAND GETKEYS command [arg ...] */
    static void commandGetKeys(CommandContext c) {
        commandGetKeys(c, false);
    }

    /** COMMAND GETKEYSANDFLAGS command [arg ...]: each key with its key-spec flags. */
    static void commandGetKeysAndFlags(CommandContext c) {
        commandGetKeys(c, true);
    }

    /**
     * Redis's getKeysSubcommandImpl: the command asked about is validated in Redis's order, then
     * its keys are found as the executor finds them ({@link KeyFinder}).
     */
    private static void commandGetKeys(CommandContext c, boolean withFlags) {
        Command target = c.server().commands().lookup(c.arg(2));
        if (target != null && target.isContainer() && c.argc() > 3) {
            target = target.subcommand(c.arg(3));
        }
        if (target == null) {
            throw new CommandError(Errors.INVALID_COMMAND_SPECIFIED);
        }
        if (!target.hasKeys()) {
            throw new CommandError(Errors.COMMAND_HAS_NO_KEYS);
        }
        int argc = c.argc() - 2;
        if (!target.acceptsArgCount(argc)) {
            throw new CommandError(Errors.INVALID_ARG_COUNT_SPECIFIED);
        }
        byte[][] call = Arrays.copyOfRange(c.argv(), 2, c.argc());
        KeyReferences keys = new KeyReferences();
        if (KeyFinder.find(target.spec(), call, argc, keys) <= 0) {
            if (!target.has(CommandFlag.NO_MANDATORY_KEYS)) {
                throw new CommandError(Errors.INVALID_ARGUMENTS_SPECIFIED);
            }
            c.reply().array(0);
            return;
        }
        c.reply().array(keys.count());
        for (int i = 0; i < keys.count(); i++) {
            if (withFlags) {
                c.reply().array(2);
                c.reply().bulk(call[keys.position(i)]);
                CommandDescriptions.writeKeyFlags(c.reply(), keys.flags(i));
            } else {
                c.reply().bulk(call[keys.position(i)]);
            }
        }
    }

    /** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern] */
    static void commandList(CommandContext c) {
        String filter = null;
        String arg = null;
        if (c.argc() == 5 && c.argIs(2, "filterby")) {
            if (c.argIs(3, "module") || c.argIs(3, "aclcat") || c.argIs(3, "pattern")) {
                filter = c.argString(3).toLowerCase(Locale.ROOT);
                arg = c.argString(4);
            }
        }
        if (c.argc() != 2 && filter == null) {
            throw c.syntaxError();
        }
        List<String> names = new ArrayList<>();
        for (Command cmd : c.server().commands().allWithSubcommands()) {
            if (listed(cmd, filter, arg)) {
                names.add(cmd.fullName());
            }
        }
        c.reply().stringArray(names);
    }

    private static boolean listed(Command cmd, String filter, String arg) {
        if (filter == null) {
            return true;
        }
        return switch (filter) {
            case "module" -> false; // damselfly loads no modules
            case "aclcat" -> cmd.aclCategories().contains("@" + arg.toLowerCase(Locale.ROOT));
            case "pattern" -> GlobPattern.compile(arg.getBytes(StandardCharsets.UTF_8), true)
                    .matches(cmd.fullName().getBytes(StandardCharsets.UTF_8));
            default -> throw new IllegalArgumentException(filter);
        };
    }

    private static final List<String> COMMAND_HELP = List.of(
            "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
            "HELP",
            "    Prints this help.");

    /** COMMAND HELP */
    static void commandHelp(CommandContext c) {
        help(c.reply(), COMMAND_HELP);
    }

    /** A HELP reply: one status line per text line, as Redis's addReplyHelp writes it. */
    static void help(Reply r, List<String> lines) {
        r.array(lines.size());
        for (String line : lines) {
            r.simple(line);
        }
    }
}
