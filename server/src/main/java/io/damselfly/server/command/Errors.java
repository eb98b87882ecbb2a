package io.damselfly.server.command;

/**
 * Every error text damselfly replies with, worded exactly as Redis 7 words it (server.c,
 * object.c, t_string.c, db.c, networking.c), without the leading '-'.
 */
public final class Errors {
    private Errors() {
    }

    public static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public static final String SYNTAX = "ERR syntax error";
    public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    public static final String NOT_FLOAT = "ERR value is not a valid float";
    public static final String OVERFLOW = "ERR increment or decrement would overflow";
    /** DECRBY with -9223372036854775808, whose negation does not fit (Redis 7.0.15 and later). */
    public static final String DECREMENT_OVERFLOW = "ERR decrement would overflow";
    public static final String NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity";
    public static final String NO_SUCH_KEY = "ERR no such key";
    public static final String DB_INDEX_OUT_OF_RANGE = "ERR DB index is out of range";
    public static final String INVALID_FIRST_DB_INDEX = "ERR invalid first DB index";
    public static final String INVALID_SECOND_DB_INDEX = "ERR invalid second DB index";
    public static final String SAME_OBJECT = "ERR source and destination objects are the same";
    public static final String NOAUTH = "NOAUTH Authentication required.";
    public static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    public static final String AUTH_NOT_CONFIGURED = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
    public static final String NOPROTO = "NOPROTO unsupported protocol version";
    /**
     * HELLO without AUTH on a connection that has not authenticated. Redis 7.2's wording (7.0 says
     * "the HELLO AUTH &lt;user&gt; &lt;pass&gt; option"); the code, NOAUTH, is the same in both.
     */
    public static final String HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already authenticated, "
            + "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
            + "select the RESP protocol version at the same time";
    public static final String PROTOCOL_VERSION_NOT_INTEGER = "ERR Protocol version is not an integer or out of range";
    public static final String INVALID_CLIENT_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";
    public static final String NO_SUCH_CLIENT = "ERR No such client";
    public static final String INVALID_CLIENT_ID = "ERR Invalid client ID";
    public static final String CLIENT_ID_NOT_POSITIVE = "ERR client-id should be greater than 0";
    /** An integer argument that parses but does not fit a C int (Redis's getIntFromObjectOrReply; sic). */
    public static final String NOT_AN_INT = "ERR value is out of range, value must between -2147483648 and 2147483647";
    public static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";
    public static final String MAX_CLIENTS = "ERR max number of clients reached";
    public static final String STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public static final String OFFSET_OUT_OF_RANGE = "ERR offset is out of range";
    public static final String TIMEOUT_NOT_INTEGER = "ERR timeout is not an integer or out of range";
    public static final String INTERNAL = "ERR internal error";
    /** getIntFromObjectOrReply on a valid long outside int range (MOVE, COPY ... DB). */
    public static final String INT_OUT_OF_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647";
    public static final String INVALID_CURSOR = "ERR invalid cursor";
    public static final String EXPIRE_NX_AND_OTHERS = "ERR NX and XX, GT or LT options at the same time are not compatible";
    public static final String EXPIRE_GT_AND_LT = "ERR GT and LT options at the same time are not compatible";
    /** OBJECT FREQ without an LFU maxmemory policy. */
    public static final String LFU_NOT_SELECTED = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
    /** OBJECT IDLETIME under an LFU maxmemory policy. */
    public static final String LFU_SELECTED = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

    // ---- server commands (server.c, config.c, db.c) ---------------------------------------
    public static final String INVALID_COMMAND_SPECIFIED = "ERR Invalid command specified";
    public static final String INVALID_ARG_COUNT_SPECIFIED = "ERR Invalid number of arguments specified for command";
    public static final String COMMAND_HAS_NO_KEYS = "ERR The command has no key arguments";
    public static final String INVALID_ARGUMENTS_SPECIFIED = "ERR Invalid arguments specified for command";
    public static final String NO_SHUTDOWN_IN_PROGRESS = "ERR No shutdown in progress.";
    public static final String SLOWLOG_COUNT = "ERR count should be greater than or equal to -1";
    /** CONFIG SET reasons, worded as config.c words them; see {@link #configSetFailed}. */
    public static final String CONFIG_IMMUTABLE = "can't set immutable config";
    public static final String CONFIG_PROTECTED = "can't set protected config";
    public static final String CONFIG_DUPLICATE = "duplicate parameter";

    /** "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"; name as the client gave it. */
    public static String configSetUnknown(String name) {
        return "ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'";
    }

    /** "ERR CONFIG SET failed (possibly related to argument 'hz') - reason". */
    public static String configSetFailed(String name, String reason) {
        return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + reason;
    }

    /** "ERR No samples available for event 'command'" (LATENCY GRAPH). */
    public static String noLatencySamples(String event) {
        return "ERR No samples available for event '" + event + "'";
    }

    /**
     * "ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP."
     * (addReplySubcommandSyntaxError): the subcommand as the client wrote it.
     */
    public static String subcommandSyntax(String sub, String container) {
        return "ERR unknown subcommand or wrong number of arguments for '" + truncate(sub, 128) + "'. Try "
                + container.toUpperCase(java.util.Locale.ROOT) + " HELP.";
    }

    /** "ERR wrong number of arguments for 'get' command"; name is the full lower-case name. */
    public static String wrongArity(String fullName) {
        return "ERR wrong number of arguments for '" + fullName + "' command";
    }

    /** "ERR invalid expire time in 'set' command". */
    public static String invalidExpire(String fullName) {
        return "ERR invalid expire time in '" + fullName + "' command";
    }

    /** "ERR Unsupported option foo" (EXPIRE family). */
    public static String unsupportedOption(String option) {
        return "ERR Unsupported option " + option;
    }

    /** "ERR unknown subcommand 'x'. Try CLIENT HELP." */
    public static String unknownSubcommand(String sub, String container) {
        return "ERR unknown subcommand '" + truncate(sub, 128) + "'. Try " + container.toUpperCase(java.util.Locale.ROOT) + " HELP.";
    }

    /** "ERR Syntax error in HELLO option 'x'". */
    public static String helloSyntax(String option) {
        return "ERR Syntax error in HELLO option '" + option + "'";
    }

    /** "ERR Unknown client type 'x'" (CLIENT LIST/KILL TYPE). */
    public static String unknownClientType(String type) {
        return "ERR Unknown client type '" + type + "'";
    }

    /** "ERR No such user 'x'" (CLIENT KILL USER). */
    public static String noSuchUser(String user) {
        return "ERR No such user '" + user + "'";
    }

    /** "ERR Unrecognized option 'x'" (CLIENT SETINFO). */
    public static String unrecognizedOption(String option) {
        return "ERR Unrecognized option '" + option + "'";
    }

    /** "ERR lib-name cannot contain spaces, newlines or special characters." with the attribute as given. */
    public static String invalidClientAttribute(String attribute) {
        return "ERR " + attribute + " cannot contain spaces, newlines or special characters.";
    }

    /**
     * Redis's rejection of an unknown command: the name and up to 128 characters of arguments,
     * each quoted and followed by a space, with CR and LF mapped to spaces.
     */
    public static String unknownCommand(byte[][] argv) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < argv.length && args.length() < 128; i++) {
            String a = new String(argv[i], java.nio.charset.StandardCharsets.UTF_8);
            args.append('\'').append(truncate(a, 128 - args.length())).append("' ");
        }
        String name = truncate(new String(argv[0], java.nio.charset.StandardCharsets.UTF_8), 128);
        String text = "ERR unknown command '" + name + "', with args beginning with: " + args;
        return text.replace('\r', ' ').replace('\n', ' ');
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, Math.max(0, max));
    }
}
