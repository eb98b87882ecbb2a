package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import java.util.List;

/**
 * MODULE (Redis group "server") as redis-server 7.0.15 answers it with its default
 * enable-module-command no: LIST answers that no module is loaded, HELP lists the subcommands,
 * and LOAD, LOADEX and UNLOAD are refused with Redis's "not allowed" text. damselfly cannot load
 * Redis modules (native code for Redis's module API), so there is no option to allow them.
 */
public final class ModuleCommands {
    static final String NOT_ALLOWED = "ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", "
            + "you can run it from a local connection, otherwise you need to set this option in the configuration file, "
            + "and then restart the server.";

    private ModuleCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.container("module", m -> m
                .add("list", ModuleCommands::list)
                .add("load", ModuleCommands::refused)
                .add("loadex", ModuleCommands::refused)
                .add("unload", ModuleCommands::refused)
                .add("help", ModuleCommands::help));
    }

    /** MODULE LIST: the loaded modules, none. */
    static void list(CommandContext c) {
        c.reply().emptyArray();
    }

    /** MODULE LOAD path [arg ...], LOADEX path [CONFIG name value ...] [ARGS ...], UNLOAD name. */
    static void refused(CommandContext c) {
        c.reply().error(NOT_ALLOWED);
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
