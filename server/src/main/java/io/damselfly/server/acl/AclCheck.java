package io.damselfly.server.acl;

import io.damselfly.server.command.Command;
import io.damselfly.server.command.spec.CommandSpec;
import io.damselfly.server.command.spec.KeyFinder;
import io.damselfly.server.command.spec.KeyReferences;

/**
 * The scratch of one permission check, reused by its owner (one per executor) so that checking a
 * restricted user's command allocates nothing: the call's keys, found once and shared by every
 * selector (acl.c's aclKeyResultCache), and the position of the argument that was refused.
 */
public final class AclCheck {
    public static final int OK = 0;
    /** ACL_DENIED_CMD, and the reasons below in acl.c's order (a higher one is reported first). */
    public static final int DENIED_COMMAND = 1;
    public static final int DENIED_KEY = 2;
    public static final int DENIED_AUTH = 3;
    public static final int DENIED_CHANNEL = 4;

    private final KeyReferences keys = new KeyReferences();
    private boolean keysFound;
    private int keyCount;
    /** The refused key's or channel's argument index (0 for a refused command). */
    int position;

    /** Forgets the keys of the last check: the next one finds them again. */
    void reset() {
        keysFound = false;
        position = 0;
    }

    KeyReferences keys(CommandSpec spec, byte[][] argv) {
        if (!keysFound) {
            keyCount = KeyFinder.find(spec, argv, argv.length, keys);
            keysFound = true;
        }
        return keys;
    }

    int keyCount() {
        return keyCount;
    }

    /** The argument index of the key or channel the last check refused. */
    public int position() {
        return position;
    }

    /** The NOPERM reply processCommand gives for a refusal. */
    public static String error(int reason, Command cmd) {
        return error(reason, cmd.fullName());
    }

    /** {@link #error(int, Command)} for a command known by its name only (one damselfly lacks). */
    public static String error(int reason, String commandName) {
        return switch (reason) {
            case DENIED_COMMAND -> "NOPERM this user has no permissions to run the '" + commandName + "' command";
            case DENIED_KEY -> "NOPERM this user has no permissions to access one of the keys used as arguments";
            case DENIED_CHANNEL -> "NOPERM this user has no permissions to access one of the channels used as arguments";
            default -> "ERR no permission";
        };
    }

    /** The error a script's redis.call gets (script.c scriptVerifyACL, getAclErrorMessage). */
    public static String scriptError(int reason) {
        return "ERR The user executing the script " + switch (reason) {
            case DENIED_COMMAND -> "can't run this command or subcommand";
            case DENIED_KEY -> "can't access at least one of the keys mentioned in the command arguments";
            case DENIED_CHANNEL -> "can't publish to the channel mentioned in the command";
            default -> "lacking the permissions for the command";
        };
    }

    /** The error EXEC gives a queued command that the rules no longer allow (multi.c execCommand). */
    public static String execError(int reason) {
        return "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. "
                + "This command is no longer allowed for the following reason: " + switch (reason) {
                    case DENIED_COMMAND -> "no permission to execute the command or subcommand";
                    case DENIED_KEY -> "no permission to touch the specified keys";
                    case DENIED_CHANNEL -> "no permission to access one of the channels used as arguments";
                    default -> "no permission";
                };
    }
}
