package io.damselfly.server.command;

import io.damselfly.server.scripting.FunctionLibraries;
import io.damselfly.server.scripting.ScriptEngine;
import io.damselfly.server.scripting.ScriptFlags;
import java.nio.charset.StandardCharsets;

/**
 * Redis's is_may_replicate_command (server.c processCommand): whether a call may change the
 * dataset or the replication stream, which is what CLIENT PAUSE WRITE holds back. A command's own
 * flags say it (write, or may_replicate: PUBLISH, PFCOUNT, EVAL ...), except for the script
 * commands, whose flags are the script's when it declared any (getCommandFlags,
 * evalGetCommandFlags, fcallGetCommandFlags, scriptFlagsToCmdFlags): a script with a shebang or a
 * function may replicate unless it is flagged no-writes; a script in EVAL's compatibility mode
 * (no shebang), an unknown SHA or function, or a malformed shebang keep the command's flags
 * (EVAL and FCALL may replicate, their _RO forms not).
 *
 * <p>Asked only while a pause is in force and when MULTI queues a command (EXEC may replicate
 * when a queued command may, from the flags each had when queued, as mstate.cmd_flags).
 */
final class MayReplicate {
    private MayReplicate() {
    }

    /** Whether the call {@code argv} of {@code cmd} (a checked arity) may replicate. */
    static boolean of(ServerContext server, Command cmd, byte[][] argv) {
        if (cmd.has(CommandFlag.SCRIPT)) {
            int flags = declaredScriptFlags(server, cmd.name(), argv);
            if (flags >= 0 && (flags & ScriptFlags.COMPAT) == 0) {
                return (flags & ScriptFlags.NO_WRITES) == 0;
            }
        }
        return cmd.has(CommandFlag.WRITE) || cmd.has(CommandFlag.MAY_REPLICATE);
    }

    /** The flags of the script or function a script command names, or -1 when none is known. */
    private static int declaredScriptFlags(ServerContext server, String name, byte[][] argv) {
        ScriptEngine engine = server.scripts();
        switch (name) {
            case "fcall", "fcall_ro" -> {
                FunctionLibraries.Function f = engine.functions().function(new String(argv[1], StandardCharsets.UTF_8));
                return f == null ? -1 : f.flags();
            }
            case "evalsha", "evalsha_ro" -> {
                ScriptEngine.Script s = engine.get(argv[1]);
                return s == null ? -1 : s.flags();
            }
            default -> {
                // EVAL: a cached script's flags are those its shebang parses to, so parse it
                try {
                    return ScriptFlags.parse(argv[1]).flags();
                } catch (IllegalArgumentException malformed) {
                    return -1;
                }
            }
        }
    }
}
