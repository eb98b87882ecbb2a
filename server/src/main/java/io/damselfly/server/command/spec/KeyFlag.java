package io.damselfly.server.command.spec;

/**
 * Redis 7's per-key-spec flags (server.h CMD_KEY_*): how a command uses the keys one key spec
 * finds. The constants are in the order COMMAND INFO and COMMAND GETKEYSANDFLAGS list them
 * (addReplyFlagsForKeyArgs); a spec keeps them as a bit mask of {@link #bit()}.
 */
public enum KeyFlag {
    /** Read only: the key's value is read, not changed. */
    RO("RO"),
    /** Read-write: the value is read and changed. */
    RW("RW"),
    /** Overwrite: the value is replaced without being read. */
    OW("OW"),
    /** Remove: the key is deleted. */
    RM("RM"),
    /** The user data of the value is returned, copied or otherwise exposed. */
    ACCESS("access"),
    /** Existing data is updated. */
    UPDATE("update"),
    /** Data is added, none changed or removed. */
    INSERT("insert"),
    /** Data is removed. */
    DELETE("delete"),
    /** Not a key, but to be routed like one (SPUBLISH's channel). */
    NOT_KEY("not_key"),
    /** The spec may miss keys: the command needs its own key finder. */
    INCOMPLETE("incomplete"),
    /** The flags depend on other arguments (SET ... GET): the command needs its own key finder. */
    VARIABLE_FLAGS("variable_flags");

    private final String replyName;

    KeyFlag(String replyName) {
        this.replyName = replyName;
    }

    /** The flag's name in replies: "RO", "access", ... */
    public String replyName() {
        return replyName;
    }

    public int bit() {
        return 1 << ordinal();
    }

    /** The mask of flags named as in Redis's JSON ("RO", "ACCESS", ...). */
    static int mask(Iterable<?> names) {
        int mask = 0;
        for (Object n : names) {
            mask |= valueOf((String) n).bit();
        }
        return mask;
    }

    public static int mask(KeyFlag... flags) {
        int mask = 0;
        for (KeyFlag f : flags) {
            mask |= f.bit();
        }
        return mask;
    }
}
