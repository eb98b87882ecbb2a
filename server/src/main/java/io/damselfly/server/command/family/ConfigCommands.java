package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.ServerContext;
import io.damselfly.server.command.Errors;
import io.damselfly.server.config.ConfigException;
import io.damselfly.server.config.ConfigRewrite;
import io.damselfly.server.config.Option;
import io.damselfly.server.keyspace.GlobPattern;
import io.damselfly.server.config.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CONFIG container's handlers (registered in {@link ServerCommands}): CONFIG GET, SET,
 * RESETSTAT, REWRITE (over {@link ConfigRewrite}) and HELP over {@link ServerConfig}.
 *
 * <p>Names. An option is listed by CONFIG GET under its Redis name, or under its flag name when
 * Redis has no such option (num_shards, cache_mode...). Exact names are looked up as the command
 * line looks them up (either name, dashes or underscores, any case) and echoed as the client wrote
 * them, as Redis echoes them; patterns are matched against the listed names only, and never
 * list a hidden option ({@link Option#isHidden}: Redis's HIDDEN_CONFIG), which only its exact
 * name returns.
 *
 * <p>CONFIG SET checks every name first, in argument order, with Redis's errors (config.c
 * configSetCommand): an unknown name, then an immutable or protected option, then a repeated one;
 * only then are the values parsed, all of them before any is applied, so a failed CONFIG SET
 * changes nothing.
 */
final class ConfigCommands {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConfigCommands.class);

    private ConfigCommands() {
    }

    /** CONFIG GET parameter [parameter ...] */
    static void get(CommandContext c) {
        Map<String, String> found = new LinkedHashMap<>();
        // Redis keeps the matches in a case-insensitive dictionary: each name once, however asked
        Set<String> seen = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 2; i < c.argc(); i++) {
            String asked = c.argString(i);
            // as Redis: a name without glob characters is looked up, not matched
            if (asked.chars().noneMatch(ch -> ch == '*' || ch == '?' || ch == '[')) {
                Option o = Option.byName(asked);
                if (o != null && seen.add(asked)) {
                    found.put(asked, value(c.server(), o));
                }
                continue;
            }
            GlobPattern pattern = GlobPattern.compile(c.arg(i), true);
            for (Option o : Option.values()) {
                if (o.isHidden()) {
                    continue; // as configGetCommand: a hidden config needs its exact name
                }
                // an alias is listed under its own name too, as Redis's configs dictionary holds both
                for (String name : o.alias() == null ? new String[] {o.configName()} : new String[] {o.configName(), o.alias()}) {
                    if (!seen.contains(name) && pattern.matches(name.getBytes(StandardCharsets.US_ASCII))) {
                        seen.add(name);
                        found.put(name, value(c.server(), o));
                    }
                }
            }
        }
        c.reply().map(found.size());
        for (Map.Entry<String, String> e : found.entrySet()) {
            c.reply().bulk(e.getKey());
            c.reply().bulk(e.getValue());
        }
    }

    /** The CONFIG GET text of an option; for port, the port actually bound (port 0 picks one). */
    private static String value(ServerContext server, Option o) {
        return o == Option.PORT ? Integer.toString(server.port()) : server.config().format(o);
    }

    /** Whether {@code value} is the value {@code o} has now (as CONFIG GET shows it, or once parsed). */
    private static boolean holdsAlready(CommandContext c, Option o, String value) {
        if (value(c.server(), o).equals(value)) {
            return true;
        }
        try {
            return o.parse(value).equals(c.server().config().get(o));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** CONFIG SET parameter value [parameter value ...] */
    static void set(CommandContext c) {
        if ((c.argc() & 1) != 0) {
            throw c.syntaxError();
        }
        Map<Option, String> changes = new LinkedHashMap<>();
        // the name each option was set by: Redis keeps an alias as a config of its own, so it
        // quotes the alias when its value is bad, and an option set by both names is no duplicate
        Map<Option, String> setBy = new java.util.HashMap<>();
        byte[] unknown = null;
        String failure = null;
        for (int i = 2; i < c.argc(); i += 2) {
            Option o = Option.byName(c.argString(i));
            if (o == null) {
                if (failure == null && unknown == null) {
                    unknown = c.arg(i);
                }
                continue;
            }
            if (failure != null || unknown != null) {
                continue;
            }
            // these three quote the name as the client wrote it; a bad value quotes the option's own name
            String name = Errors.echo(c.arg(i));
            if (!o.isMutable() && o.redisName() == null && holdsAlready(c, o, c.argString(i + 1))) {
                // one of damselfly's own start-up options, set to the value it has: nothing to do.
                // Redis has no such option, and tools that give CONFIG GET *'s answer back to
                // CONFIG SET (Redis's own CONFIG sanity test) know only Redis's immutable ones
                continue;
            } else if (!o.isMutable()) {
                failure = Errors.configSetFailed(name, Errors.CONFIG_IMMUTABLE);
            } else if (o.isProtected() && !protectedConfigsAllowed(c)) {
                failure = Errors.configSetFailed(name, Errors.CONFIG_PROTECTED);
            } else if (changes.containsKey(o) && setBy.get(o).equals(nameSetBy(o, c.argString(i)))) {
                failure = Errors.configSetFailed(name, Errors.CONFIG_DUPLICATE);
            } else {
                changes.put(o, c.argString(i + 1));
                setBy.put(o, nameSetBy(o, c.argString(i)));
            }
        }
        if (unknown != null) {
            c.reply().error(Errors.configSetUnknown(unknown));
            return;
        }
        if (failure != null) {
            c.reply().error(failure);
            return;
        }
        try {
            c.server().config().apply(changes);
        } catch (ConfigException e) {
            c.reply().error(e.option() != null
                    ? Errors.configSetFailed(setBy.getOrDefault(e.option(), e.option().configName()), e.reason())
                    : "ERR " + e.getMessage());
            return;
        }
        c.reply().ok();
    }

    /** The option's alias when {@code asked} names it by its alias, else its CONFIG name. */
    private static String nameSetBy(Option o, String asked) {
        return o.alias() != null && o.alias().replace('-', '_').equalsIgnoreCase(asked.replace('-', '_')) ? o.alias() : o.configName();
    }

    /** CONFIG RESETSTAT: zeroes INFO's counters, command and error statistics and latency histograms. */
    static void resetStat(CommandContext c) {
        ServerContext server = c.server();
        server.stats().reset(server.keyspace().usedMemory());
        server.commandStats().reset();
        server.keyspace().resetStats();
        server.clients().resetStats();
        server.propagation().stream().resetSyncCounts();
        c.reply().ok();
    }

    /**
     * CONFIG REWRITE: the config file named at start gets the current values ({@link ConfigRewrite});
     * the ACL users go into it as "user" lines unless an aclfile holds them.
     */
    static void rewrite(CommandContext c) {
        if (c.server().config().configFile().isEmpty()) {
            c.reply().error(NO_CONFIG_FILE);
            return;
        }
        try {
            rewriteConfigFile(c, false);
        } catch (IOException e) {
            log.warn("CONFIG REWRITE failed: {}", e.toString());
            c.reply().error("ERR Rewriting config file: " + ConfigRewrite.reason(e));
            return;
        }
        log.info("CONFIG REWRITE executed with success.");
        c.reply().ok();
    }

    /**
     * Rewrites the config file named at start with the current values (every option, defaults
     * too, when {@code forceAll}: DEBUG CONFIG-REWRITE-FORCE-ALL); the ACL users go into it as
     * "user" lines unless an aclfile holds them.
     */
    public static void rewriteConfigFile(CommandContext c, boolean forceAll) throws IOException {
        ServerConfig config = c.server().config();
        List<String> users = null;
        if (config.getString(Option.ACLFILE).isEmpty()) {
            users = new ArrayList<>();
            for (io.damselfly.server.acl.User u : c.server().acl().all()) {
                users.add(u.name() + " " + u.describe());
            }
        }
        ConfigRewrite.rewrite(Path.of(config.configFile()), config, users, forceAll);
    }

    static final String NO_CONFIG_FILE = "ERR The server is running without a config file";

    private static final List<String> HELP = List.of(
            "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
            "HELP",
            "    Prints this help.");

    /** CONFIG HELP */
    static void help(CommandContext c) {
        ServerCommands.help(c.reply(), HELP);
    }

    /** enable-protected-configs: yes, or local and the client is on this machine (Redis's allowProtectedAction). */
    private static boolean protectedConfigsAllowed(CommandContext c) {
        String mode = c.server().config().getString(Option.ENABLE_PROTECTED_CONFIGS);
        return mode.equals("yes") || (mode.equals("local") && c.client().isLocal());
    }
}
