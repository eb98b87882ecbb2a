package io.damselfly.server.command;

/**
 * Every error text damselfly replies with, worded exactly as Redis 7.0 words it (server.c,
 * object.c, t_string.c, db.c, networking.c), without the leading '-'.
 *
 * <p>Error texts are byte strings: every char is one byte, which {@code RespWriter.writeError}
 * sends as is. Client bytes quoted in an error go through {@link #echo(byte[])}, so they come back
 * exactly as Redis's printf {@code "%s"} would send them: raw (not re-encoded), cut at the first
 * NUL. CR and LF inside the text become spaces when it is written, as Redis maps them.
 */
public final class Errors {
    private Errors() {
    }

    /** Redis quotes at most this many bytes of an unknown command, subcommand or argument ({@code %.128s}). */
    static final int ECHO_MAX = 128;

    /** shared.loadingerr: any command not flagged "loading" while the data loads at start. */
    public static final String LOADING = "LOADING Redis is loading the dataset in memory";
    public static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public static final String SYNTAX = "ERR syntax error";
    public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    public static final String NOT_FLOAT = "ERR value is not a valid float";
    public static final String OVERFLOW = "ERR increment or decrement would overflow";
    /** DECRBY with -9223372036854775808, whose negation does not fit (Redis 7.0.15 and later). */
    public static final String DECREMENT_OVERFLOW = "ERR decrement would overflow";
    public static final String NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity";
    /** HINCRBY on a field whose value is not an integer (t_hash.c). */
    public static final String HASH_VALUE_NOT_INTEGER = "ERR hash value is not an integer";
    /** HINCRBYFLOAT on a field whose value is not a float. */
    public static final String HASH_VALUE_NOT_FLOAT = "ERR hash value is not a float";
    /** HINCRBYFLOAT with an infinite increment. */
    public static final String VALUE_NAN_OR_INFINITY = "ERR value is NaN or Infinity";
    /** HRANDFIELD ... WITHVALUES with a count whose pairs would not fit a long. */
    public static final String VALUE_OUT_OF_RANGE = "ERR value is out of range";
    /** getRangeLongFromObjectOrReply between -LONG_MAX and LONG_MAX (HRANDFIELD's count). */
    public static final String COUNT_OUT_OF_RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
    public static final String NO_SUCH_KEY = "ERR no such key";
    public static final String DB_INDEX_OUT_OF_RANGE = "ERR DB index is out of range";
    public static final String INVALID_FIRST_DB_INDEX = "ERR invalid first DB index";
    public static final String INVALID_SECOND_DB_INDEX = "ERR invalid second DB index";
    public static final String SAME_OBJECT = "ERR source and destination objects are the same";
    public static final String NOAUTH = "NOAUTH Authentication required.";
    public static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    public static final String AUTH_NOT_CONFIGURED = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
    public static final String NOPROTO = "NOPROTO unsupported protocol version";
    /** HELLO without AUTH on a connection that has not authenticated (7.2 reworded it: "HELLO &lt;proto&gt; AUTH"). */
    public static final String HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already authenticated, "
            + "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and "
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
    /** A replica, or a client in MONITOR mode, running a command that reads or writes keys (processCommand). */
    public static final String REPLICA_KEYSPACE = "ERR Replica can't interact with the keyspace";
    /** MONITOR inside MULTI/EXEC (CLIENT_DENY_BLOCKING). */
    public static final String MONITOR_DENY_BLOCKING = "ERR MONITOR isn't allowed for DENY BLOCKING client";
    public static final String STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public static final String OFFSET_OUT_OF_RANGE = "ERR offset is out of range";
    public static final String TIMEOUT_NOT_INTEGER = "ERR timeout is not an integer or out of range";
    public static final String INTERNAL = "ERR internal error";
    public static final String NOT_IN_TRANSACTION = "ERR Command not allowed inside a transaction";
    /** processCommand's refusal of DEBUG that enable-debug-command does not allow this client. */
    public static final String DEBUG_NOT_ALLOWED = "ERR DEBUG command not allowed. If the enable-debug-command option is "
            + "set to \"local\", you can run it from a local connection, otherwise you need to set this option in the "
            + "configuration file, and then restart the server.";
    /** processCommand's refusal of MODULE LOAD, LOADEX or UNLOAD that enable-module-command does not allow this client. */
    public static final String MODULE_NOT_ALLOWED = "ERR MODULE command not allowed. If the enable-module-command option is "
            + "set to \"local\", you can run it from a local connection, otherwise you need to set this option in the "
            + "configuration file, and then restart the server.";
    /** damselfly's bound on a transaction's queue (Redis has none but client eviction). */
    public static final String TRANSACTION_TOO_LARGE = "ERR transaction queue exceeds client-query-buffer-limit";
    public static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
    /** getIntFromObjectOrReply on a valid long outside int range (MOVE, COPY ... DB). */
    /** RESTORE onto a key that exists, without REPLACE. */
    public static final String BUSYKEY = "BUSYKEY Target key name already exists.";
    public static final String INVALID_TTL = "ERR Invalid TTL value, must be >= 0";
    public static final String INVALID_IDLETIME = "ERR Invalid IDLETIME value, must be >= 0";
    public static final String INVALID_FREQ = "ERR Invalid FREQ value, must be >= 0 and <= 255";
    /** RESTORE: the payload's footer (RDB version, CRC64) does not check out. */
    public static final String DUMP_PAYLOAD = "ERR DUMP payload version or checksum are wrong";
    /** RESTORE: the payload's footer is right but its value does not decode. */
    public static final String BAD_DATA_FORMAT = "ERR Bad data format";
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

    /** "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"; the name as the client gave it. */
    public static String configSetUnknown(byte[] name) {
        return "ERR Unknown option or number of arguments for CONFIG SET - '" + echo(name) + "'";
    }

    /** "ERR CONFIG SET failed (possibly related to argument 'hz') - reason"; {@code name} a byte string. */
    public static String configSetFailed(String name, String reason) {
        return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + reason;
    }

    /** "ERR No samples available for event 'command'" (LATENCY GRAPH). */
    public static String noLatencySamples(byte[] event) {
        return "ERR No samples available for event '" + echo(event) + "'";
    }

    /**
     * "ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP."
     * (addReplySubcommandSyntaxError): the subcommand as the client wrote it.
     */
    public static String subcommandSyntax(byte[] sub, String container) {
        return "ERR unknown subcommand or wrong number of arguments for '" + echo(sub, ECHO_MAX) + "'. Try "
                + container.toUpperCase(java.util.Locale.ROOT) + " HELP.";
    }

    /** A RESP2 client with subscriptions ran a command other than the Pub/Sub ones (processCommand). */
    public static String notAllowedWhileSubscribed(String fullName) {
        return "ERR Can't execute '" + fullName + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                + "are allowed in this context";
    }

    /** "ERR wrong number of arguments for 'get' command"; name is the full lower-case name. */
    public static String wrongArity(String fullName) {
        return "ERR wrong number of arguments for '" + fullName + "' command";
    }

    /** "ERR invalid expire time in 'set' command". */
    public static String invalidExpire(String fullName) {
        return "ERR invalid expire time in '" + fullName + "' command";
    }

    /**
     * "ERR Unsupported option foo" (EXPIRE family). The only text that ends with client bytes:
     * Redis's addReplyErrorFormat trims CR and LF off both ends of the text, so a trailing CR LF
     * of the option does not show.
     */
    public static String unsupportedOption(byte[] option) {
        return trimLineEnds("ERR Unsupported option " + echo(option));
    }

    /** "ERR unknown subcommand 'x'. Try CLIENT HELP."; at most 128 bytes of the subcommand. */
    public static String unknownSubcommand(byte[] sub, String container) {
        return "ERR unknown subcommand '" + echo(sub, ECHO_MAX) + "'. Try " + container.toUpperCase(java.util.Locale.ROOT) + " HELP.";
    }

    /** "ERR Syntax error in HELLO option 'x'". */
    public static String helloSyntax(byte[] option) {
        return "ERR Syntax error in HELLO option '" + echo(option) + "'";
    }

    /** "ERR Unknown client type 'x'" (CLIENT LIST/KILL TYPE). */
    public static String unknownClientType(byte[] type) {
        return "ERR Unknown client type '" + echo(type) + "'";
    }

    /** "ERR No such user 'x'" (CLIENT KILL USER). */
    public static String noSuchUser(byte[] user) {
        return "ERR No such user '" + echo(user) + "'";
    }

    /**
     * Redis's rejection of an unknown command (server.c processCommand): at most 128 bytes of the
     * name, then the arguments, each quoted and followed by a space, while fewer than 128 bytes of
     * them are shown, each cut so that they total at most 128.
     */
    public static String unknownCommand(byte[][] argv) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < argv.length && args.length() < ECHO_MAX; i++) {
            // the room is measured before the opening quote is added, as Redis's "'%.*s' " does
            String arg = echo(argv[i], ECHO_MAX - args.length());
            args.append('\'').append(arg).append("' ");
        }
        return "ERR unknown command '" + echo(argv[0], ECHO_MAX) + "', with args beginning with: " + args;
    }

    /**
     * Client bytes as an error text quotes them, as C's printf {@code "%s"} does: up to the first
     * NUL (a C string ends there), one char per byte (ISO-8859-1), so they are sent back unchanged.
     */
    public static String echo(byte[] arg) {
        return echo(arg, arg.length);
    }

    /** As {@link #echo(byte[])}, at most {@code max} bytes: printf's {@code "%.<max>s"}. */
    public static String echo(byte[] arg, int max) {
        int limit = Math.min(arg.length, max);
        int n = 0;
        while (n < limit && arg[n] != 0) {
            n++;
        }
        return new String(arg, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Redis's {@code sdstrim(s, "\r\n")} on a text that starts with its error code: CR and LF off the end. */
    private static String trimLineEnds(String text) {
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\r' || text.charAt(end - 1) == '\n')) {
            end--;
        }
        return text.substring(0, end);
    }
}
