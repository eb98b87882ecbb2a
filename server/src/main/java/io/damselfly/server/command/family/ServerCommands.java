package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.ADMIN;
import static io.damselfly.server.command.CommandFlag.ALLOW_BUSY;
import static io.damselfly.server.command.CommandFlag.FAST;
import static io.damselfly.server.command.CommandFlag.LOADING;
import static io.damselfly.server.command.CommandFlag.NOSCRIPT;
import static io.damselfly.server.command.CommandFlag.NO_MULTI;
import static io.damselfly.server.command.CommandFlag.READONLY;
import static io.damselfly.server.command.CommandFlag.STALE;
import static io.damselfly.server.command.CommandFlag.WRITE;

import io.damselfly.server.command.Command;
import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandFlag;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.KeySpec;
import io.damselfly.server.command.Reply;
import io.damselfly.server.keyspace.GlobPattern;
import io.damselfly.server.keyspace.Numbers;
import io.damselfly.server.metrics.InfoBuilder;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server commands (Redis group "server"): INFO DBSIZE FLUSHDB FLUSHALL SWAPDB TIME SHUTDOWN, the
 * COMMAND introspection container, and the CONFIG container (handlers in {@link ConfigCommands}).
 * Arity, flags, ACL categories and tips are Redis 7.0's, as {@code COMMAND INFO} reports them.
 */
public final class ServerCommands {
    private static final Logger log = LoggerFactory.getLogger(ServerCommands.class);

    private ServerCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.group("server");
        t.add("info", -1, KeySpec.NONE, "1.0.0", "Get information and statistics about the server", ServerCommands::info, LOADING, STALE)
                .acl("@dangerous").tips("nondeterministic_output", "request_policy:all_shards", "response_policy:special").complexity("O(1)");
        t.add("dbsize", 1, KeySpec.NONE, "1.0.0", "Return the number of keys in the selected database", ServerCommands::dbsize, READONLY, FAST)
                .acl("@keyspace").tips("request_policy:all_shards", "response_policy:agg_sum").complexity("O(1)");
        t.add("flushdb", -1, KeySpec.NONE, "1.0.0", "Remove all keys from the current database", ServerCommands::flushdb, WRITE)
                .acl("@keyspace", "@dangerous").tips("request_policy:all_shards", "response_policy:all_succeeded")
                .complexity("O(N) where N is the number of keys in the selected database");
        t.add("flushall", -1, KeySpec.NONE, "1.0.0", "Remove all keys from all databases", ServerCommands::flushall, WRITE)
                .acl("@keyspace", "@dangerous").tips("request_policy:all_shards", "response_policy:all_succeeded")
                .complexity("O(N) where N is the total number of keys in all databases");
        t.add("swapdb", 3, KeySpec.NONE, "4.0.0", "Swaps two Redis databases", ServerCommands::swapdb, WRITE, FAST)
                .acl("@keyspace", "@dangerous")
                .complexity("O(N) where N is the count of clients watching or blocking on keys from both databases.");
        t.add("time", 1, KeySpec.NONE, "2.6.0", "Return the current server time", ServerCommands::time, LOADING, STALE, FAST)
                .tips("nondeterministic_output").complexity("O(1)");
        t.add("shutdown", -1, KeySpec.NONE, "1.0.0", "Synchronously save the dataset to disk and then shut down the server",
                        ServerCommands::shutdown, ADMIN, NOSCRIPT, LOADING, STALE, NO_MULTI, ALLOW_BUSY)
                .complexity("O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)");
        t.container("command", -1, "2.8.13", "Get array of Redis command details", ServerCommands::command, s -> s
                        .add("count", 2, KeySpec.NONE, "2.8.13", "Get total number of Redis commands", ServerCommands::commandCount, LOADING, STALE)
                        .acl("@connection").complexity("O(1)")
                        .add("docs", -2, KeySpec.NONE, "7.0.0", "Get array of specific Redis command documentation", ServerCommands::commandDocs, LOADING, STALE)
                        .acl("@connection").tips("nondeterministic_output_order").complexity("O(N) where N is the number of commands to look up")
                        .add("getkeys", -4, KeySpec.NONE, "2.8.13", "Extract keys given a full Redis command", ServerCommands::commandGetKeys, LOADING, STALE)
                        .acl("@connection").complexity("O(N) where N is the number of arguments to the command")
                        .add("getkeysandflags", -4, KeySpec.NONE, "7.0.0", "Extract keys and access flags given a full Redis command",
                                ServerCommands::commandGetKeysAndFlags, LOADING, STALE)
                        .acl("@connection").complexity("O(N) where N is the number of arguments to the command")
                        .add("help", 2, KeySpec.NONE, "5.0.0", "Show helpful text about the different subcommands", ServerCommands::commandHelp, LOADING, STALE)
                        .acl("@connection").complexity("O(1)")
                        .add("info", -2, KeySpec.NONE, "2.8.13", "Get array of specific Redis command details, or all when no argument is given.",
                                ServerCommands::commandInfo, LOADING, STALE)
                        .acl("@connection").tips("nondeterministic_output_order").complexity("O(N) where N is the number of commands to look up")
                        .add("list", -2, KeySpec.NONE, "7.0.0", "Get an array of Redis command names", ServerCommands::commandList, LOADING, STALE)
                        .acl("@connection").tips("nondeterministic_output_order").complexity("O(N) where N is the total number of Redis commands"),
                LOADING, STALE)
                .acl("@connection").tips("nondeterministic_output_order").complexity("O(N) where N is the total number of Redis commands");
        t.container("config", "2.0.0", "A container for server configuration commands", s -> s
                        .add("get", -3, KeySpec.NONE, "2.0.0", "Get the values of configuration parameters", ConfigCommands::get, ADMIN, NOSCRIPT, LOADING, STALE)
                        .complexity("O(N) when N is the number of configuration parameters provided")
                        .add("set", -4, KeySpec.NONE, "2.0.0", "Set configuration parameters to the given values", ConfigCommands::set, ADMIN, NOSCRIPT, LOADING, STALE)
                        .tips("request_policy:all_nodes", "response_policy:all_succeeded")
                        .complexity("O(N) when N is the number of configuration parameters provided")
                        .add("resetstat", 2, KeySpec.NONE, "2.0.0", "Reset the stats returned by INFO", ConfigCommands::resetStat, ADMIN, NOSCRIPT, LOADING, STALE)
                        .complexity("O(1)")
                        .add("help", 2, KeySpec.NONE, "5.0.0", "Show helpful text about the different subcommands", ConfigCommands::help, LOADING, STALE)
                        .complexity("O(1)"))
                .complexity("Depends on subcommand.");
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
     * sees an old key; ASYNC is accepted for compatibility and runs like SYNC.
     */
    static void flushdb(CommandContext c) {
        parseFlushMode(c);
        c.server().keyspace().flush(c.db().index());
        c.reply().ok();
    }

    /** FLUSHALL [ASYNC | SYNC] */
    static void flushall(CommandContext c) {
        parseFlushMode(c);
        c.server().keyspace().flushAll();
        c.reply().ok();
    }

    private static void parseFlushMode(CommandContext c) {
        if (c.argc() == 1 || (c.argc() == 2 && (c.argIs(1, "sync") || c.argIs(1, "async")))) {
            return;
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
     * SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]. Stops the server; the caller's connection
     * is closed without a reply, as Redis closes it. damselfly writes no snapshot yet, so SAVE and
     * NOSAVE both stop at once, and there is never a shutdown in progress to ABORT.
     */
    static void shutdown(CommandContext c) {
        boolean save = false;
        boolean nosave = false;
        boolean other = false;
        boolean abort = false;
        for (int i = 1; i < c.argc(); i++) {
            if (c.argIs(i, "nosave")) {
                nosave = true;
            } else if (c.argIs(i, "save")) {
                save = true;
            } else if (c.argIs(i, "now") || c.argIs(i, "force")) {
                other = true;
            } else if (c.argIs(i, "abort")) {
                abort = true;
            } else {
                throw c.syntaxError();
            }
        }
        if ((abort && (save || nosave || other)) || (save && nosave)) {
            throw c.syntaxError();
        }
        if (abort) {
            c.reply().error(Errors.NO_SHUTDOWN_IN_PROGRESS);
            return;
        }
        log.warn("User requested shutdown (client id={} addr={})", c.client().id(), c.client().address());
        c.client().closeAfterReply();
        c.server().shutdownAsync();
    }

    // ---- COMMAND ---------------------------------------------------------------------------

    /** COMMAND: details of every command. */
    static void command(CommandContext c) {
        Collection<Command> all = c.server().commands().all();
        c.reply().array(all.size());
        for (Command cmd : all) {
            writeCommandInfo(c.reply(), cmd);
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
                writeCommandInfo(c.reply(), cmd);
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
            writeCommandDocs(c.reply(), cmd);
        }
    }

    /** COMMAND GETKEYS command [arg ...] */
    static void commandGetKeys(CommandContext c) {
        Command target = getKeysTarget(c);
        List<Integer> positions = CommandTable.keyPositions(target, c.argc() - 2);
        c.reply().array(positions.size());
        for (int p : positions) {
            c.reply().bulk(c.arg(p + 2));
        }
    }

    /** COMMAND GETKEYSANDFLAGS command [arg ...]: each key with its key-spec flags. */
    static void commandGetKeysAndFlags(CommandContext c) {
        Command target = getKeysTarget(c);
        List<Integer> positions = CommandTable.keyPositions(target, c.argc() - 2);
        List<String> flags = keySpecFlags(target);
        c.reply().array(positions.size());
        for (int p : positions) {
            c.reply().array(2);
            c.reply().bulk(c.arg(p + 2));
            c.reply().set(flags.size());
            for (String f : flags) {
                c.reply().simple(f);
            }
        }
    }

    /** The command GETKEYS is asked about, validated in Redis's order (getKeysSubcommandImpl). */
    private static Command getKeysTarget(CommandContext c) {
        Command target = c.server().commands().lookup(c.arg(2));
        if (target != null && target.isContainer() && c.argc() > 3) {
            target = target.subcommand(c.arg(3));
        }
        if (target == null) {
            throw new CommandError(Errors.INVALID_COMMAND_SPECIFIED);
        }
        if (!target.keys().hasKeys()) {
            throw new CommandError(Errors.COMMAND_HAS_NO_KEYS);
        }
        if (!target.acceptsArgCount(c.argc() - 2)) {
            throw new CommandError(Errors.INVALID_ARG_COUNT_SPECIFIED);
        }
        if (CommandTable.keyPositions(target, c.argc() - 2).isEmpty()) {
            throw new CommandError(Errors.INVALID_ARGUMENTS_SPECIFIED);
        }
        return target;
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
        for (Command cmd : c.server().commands().all()) {
            if (listed(cmd, filter, arg)) {
                names.add(cmd.fullName());
            }
            for (Command sub : cmd.subcommands().values()) {
                if (listed(sub, filter, arg)) {
                    names.add(sub.fullName());
                }
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

    // ---- COMMAND INFO and COMMAND DOCS replies ---------------------------------------------

    /**
     * One COMMAND INFO entry, shaped as Redis 7.0 shapes it: name, arity, flags (set of status
     * strings), first key, last key, step, ACL categories (set), tips (set of bulk strings), key
     * specs (set of maps), subcommands (array of entries, or an empty set when there are none).
     */
    static void writeCommandInfo(Reply r, Command cmd) {
        r.array(10);
        r.bulk(cmd.fullName());
        r.integer(cmd.arity());
        List<String> flags = new ArrayList<>();
        for (CommandFlag f : cmd.flags()) {
            if (f.redisName() != null) {
                flags.add(f.redisName());
            }
        }
        r.set(flags.size());
        for (String f : flags) {
            r.simple(f);
        }
        KeySpec keys = cmd.keys();
        r.integer(keys.first());
        r.integer(keys.last());
        r.integer(keys.step());
        r.set(cmd.aclCategories().size());
        for (String cat : cmd.aclCategories()) {
            r.simple(cat);
        }
        r.set(cmd.tips().size());
        for (String tip : cmd.tips()) {
            r.bulk(tip);
        }
        if (keys.hasKeys()) {
            r.set(1);
            writeKeySpec(r, cmd);
        } else {
            r.set(0);
        }
        if (cmd.isContainer()) {
            r.array(cmd.subcommands().size());
            for (Command sub : cmd.subcommands().values()) {
                writeCommandInfo(r, sub);
            }
        } else {
            r.set(0);
        }
    }

    /**
     * The Redis 7 key spec equivalent to the command's legacy (first, last, step) triple: begin
     * search at index {@code first}, then a range to {@code last} (relative to the first key,
     * or counted from the end when negative) every {@code step} arguments.
     */
    private static void writeKeySpec(Reply r, Command cmd) {
        KeySpec k = cmd.keys();
        List<String> flags = keySpecFlags(cmd);
        r.map(3);
        r.bulk("flags");
        r.set(flags.size());
        for (String f : flags) {
            r.simple(f);
        }
        r.bulk("begin_search");
        r.map(2);
        r.bulk("type");
        r.bulk("index");
        r.bulk("spec");
        r.map(1);
        r.bulk("index");
        r.integer(k.first());
        r.bulk("find_keys");
        r.map(2);
        r.bulk("type");
        r.bulk("range");
        r.bulk("spec");
        r.map(3);
        r.bulk("lastkey");
        r.integer(k.last() >= 0 ? k.last() - k.first() : k.last());
        r.bulk("keystep");
        r.integer(Math.max(1, k.step()));
        r.bulk("limit");
        r.integer(0);
    }

    /**
     * Key-spec flags derived from the command flags. Redis declares them per command (RO, RW, OW,
     * RM with access, update, insert, delete); damselfly's table keeps only the legacy triple, so
     * this is the conservative reading: a READONLY command reads and returns its keys (RO,
     * access); any other command may read and modify them (RW, access, update).
     */
    static List<String> keySpecFlags(Command cmd) {
        if (cmd.has(CommandFlag.READONLY)) {
            return List.of("RO", "access");
        }
        return List.of("RW", "access", "update");
    }

    /** One COMMAND DOCS value: summary, since, group, complexity (when known), subcommands. */
    static void writeCommandDocs(Reply r, Command cmd) {
        int fields = 3 + (cmd.complexity() != null ? 1 : 0) + (cmd.isContainer() ? 1 : 0);
        r.map(fields);
        r.bulk("summary");
        r.bulk(cmd.summary());
        r.bulk("since");
        r.bulk(cmd.since());
        r.bulk("group");
        r.bulk(cmd.group());
        if (cmd.complexity() != null) {
            r.bulk("complexity");
            r.bulk(cmd.complexity());
        }
        if (cmd.isContainer()) {
            r.bulk("subcommands");
            r.map(cmd.subcommands().size());
            for (Command sub : cmd.subcommands().values()) {
                r.bulk(sub.fullName());
                writeCommandDocs(r, sub);
            }
        }
    }
}
