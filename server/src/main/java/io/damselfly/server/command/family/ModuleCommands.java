package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import java.util.List;

/**
 * MODULE (Redis group "server") as redis-server 7.0.15 answers it: LIST answers that no module is
 * loaded and HELP lists the subcommands. LOAD, LOADEX and UNLOAD are refused with Redis's "not
 * allowed" text unless {@code enable-module-command} allows them (no by default, as in Redis 7;
 * the executor checks that where processCommand does, so a refused one in MULTI is not queued);
 * where allowed, damselfly, which cannot load Redis modules (native code for Redis's module API),
 * answers as Redis answers a module that fails to load, and UNLOAD finds no module of that name.
 */
public final class ModuleCommands {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ModuleCommands.class);

    private ModuleCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.container("module", m -> m
                .add("list", ModuleCommands::list)
                .add("load", ModuleCommands::load)
                .add("loadex", ModuleCommands::load)
                .add("unload", ModuleCommands::unload)
                .add("help", ModuleCommands::help));
    }

    /** MODULE LIST: the loaded modules, none. */
    static void list(CommandContext c) {
        c.reply().emptyArray();
    }

    static final String LOAD_FAILED = "ERR Error loading the extension. Please check the server logs.";
    static final String NO_SUCH_MODULE = "ERR Error unloading module: no such module with that name";

    /** MODULE LOAD path [arg ...], MODULE LOADEX path [CONFIG name value ...] [ARGS arg ...] */
    static void load(CommandContext c) {
        log.warn("Module {} failed to load: damselfly cannot load Redis modules", c.argString(2));
        c.reply().error(LOAD_FAILED);
    }

    /** MODULE UNLOAD name */
    static void unload(CommandContext c) {
        c.reply().error(NO_SUCH_MODULE);
    }

    private static final List<String> HELP = List.of(
            "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "LIST",
            "    Return a list of loaded modules.",
            "LOAD <path> [<arg> ...]",
            "    Load a module library from <path>, passing to it any optional arguments.",
            "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
            "    Load a module library from <path>, while passing it module configurations and optional arguments.",
            "UNLOAD <name>",
            "    Unload a module.",
            "HELP",
            "    Prints this help.");

    /** MODULE HELP */
    static void help(CommandContext c) {
        ServerCommands.help(c.reply(), HELP);
    }
}
