package io.damselfly.server.command.family;

import io.damselfly.server.acl.AclCheck;
import io.damselfly.server.acl.AclLog;
import io.damselfly.server.acl.AclStore;
import io.damselfly.server.acl.CommandBits;
import io.damselfly.server.acl.User;
import io.damselfly.server.client.ClientSession;
import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.spec.CommandSpec;
import io.damselfly.server.command.Reply;
import io.damselfly.server.config.Option;
import io.damselfly.server.pubsub.Subscriber;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The ACL command (Redis group "server"): SETUSER GETUSER DELUSER USERS LIST WHOAMI CAT GENPASS
 * LOG DRYRUN SAVE LOAD HELP, over the {@link AclStore}. Replies as acl.c's aclCommand gives them,
 * RESP2 and RESP3 (ACL GETUSER and ACL LOG entries are maps in RESP3).
 *
 * <p>Clients follow their user as in Redis 7.0: ACL DELUSER disconnects the connections
 * authenticated as a deleted user (the caller itself after its reply), and an ACL SETUSER that
 * takes channels away disconnects that user's subscribers whose subscriptions the new rules no
 * longer allow (ACLKillPubsubClientsIfNeeded). SETUSER off does not disconnect anyone (it only
 * stops new authentications), as in 7.0.
 */
public final class AclCommands {
    private AclCommands() {
    }

    /** ACL GENPASS's default and largest sizes, in bits (acl.c GENPASS_MAX_BITS). */
    static final int GENPASS_DEFAULT_BITS = 256;
    static final int GENPASS_MAX_BITS = 4096;

    private static final SecureRandom RANDOM = new SecureRandom();

    public static void register(CommandTable.Builder t) {
        t.container("acl", s -> s
                .add("setuser", AclCommands::setuser)
                .add("getuser", AclCommands::getuser)
                .add("deluser", AclCommands::deluser)
                .add("users", AclCommands::users)
                .add("list", AclCommands::list)
                .add("whoami", AclCommands::whoami)
                .add("cat", AclCommands::cat)
                .add("genpass", AclCommands::genpass)
                .add("log", AclCommands::log)
                .add("dryrun", AclCommands::dryrun)
                .add("save", AclCommands::save)
                .add("load", AclCommands::load)
                .add("help", AclCommands::help));
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ---- SETUSER DELUSER ---------------------------------------------------------------------

    /** ACL SETUSER username [rule [rule ...]] */
    static void setuser(CommandContext c) {
        for (int i = 2; i < c.argc(); i++) {
            c.redact(i);
        }
        String name = latin1(c.arg(2));
        if (hasSpaces(name)) {
            c.reply().error("ERR Usernames can't contain spaces or null characters");
            return;
        }
        List<String> ops = new ArrayList<>();
        for (int i = 3; i < c.argc(); i++) {
            ops.add(latin1(c.arg(i)));
        }
        AclStore.Change change = c.server().acl().setUser(name, ops);
        if (change.error() != null) {
            // addReplyErrorSdsSafe: line breaks would break the protocol
            c.reply().error("ERR " + change.error().replace('\r', ' ').replace('\n', ' '));
            return;
        }
        if (change.channelsRevoked()) {
            killRevokedSubscribers(c, change.user());
        }
        c.reply().ok();
    }

    private static boolean hasSpaces(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == 0x0b || ch == '\f' || ch == 0) {
                return true;
            }
        }
        return false;
    }

    /** Disconnects the user's subscribers whose channels or patterns the new rules refuse. */
    private static void killRevokedSubscribers(CommandContext c, User u) {
        for (ClientSession s : c.server().clients().snapshot()) {
            if (s.aclUser() != u || s.isGone() || !s.isSubscribed()) {
                continue;
            }
            Subscriber sub = s.subscriberIfAny();
            if (sub == null) {
                continue;
            }
            List<byte[]> channels = new ArrayList<>(sub.channels());
            channels.addAll(sub.shardChannels());
            if (!AclStore.keepsSubscriptions(u, channels, sub.patterns())) {
                disconnect(c, s);
            }
        }
    }

    /** Closes a client: another one at once, the caller after its reply. */
    private static void disconnect(CommandContext c, ClientSession s) {
        if (s == c.client()) {
            s.closeAfterReply();
        } else {
            s.kill();
        }
    }

    /** ACL DELUSER username [username ...] */
    static void deluser(CommandContext c) {
        List<String> names = new ArrayList<>();
        for (int i = 2; i < c.argc(); i++) {
            String n = latin1(c.arg(i));
            if (n.equals(AclStore.DEFAULT_USER)) {
                c.reply().error("ERR The 'default' user cannot be removed");
                return;
            }
            names.add(n);
        }
        List<User> gone = c.server().acl().delete(names);
        User fallback = c.server().acl().defaultUser();
        for (ClientSession s : c.server().clients().snapshot()) {
            if (s.isGone() || !gone.contains(s.aclUser())) {
                continue;
            }
            // ACLFreeUserAndKillClients: back to the default user, unauthenticated, then closed
            s.setAclUser(fallback);
            s.setAuthenticated(false);
            disconnect(c, s);
        }
        c.reply().integer(gone.size());
    }

    // ---- GETUSER LIST USERS WHOAMI ----------------------------------------------------------

    /** ACL GETUSER username */
    static void getuser(CommandContext c) {
        AclStore acl = c.server().acl();
        User u = acl.get(latin1(c.arg(2)));
        if (u == null) {
            c.reply().nullBulk();
            return;
        }
        Reply r = c.reply();
        AclStore.Description d = acl.describeForGetuser(u);
        r.map(6);
        r.bulk("flags");
        r.set(d.flags().size());
        for (String f : d.flags()) {
            r.bulk(f);
        }
        r.bulk("passwords");
        r.array(d.passwords().size());
        for (String p : d.passwords()) {
            r.bulk(p);
        }
        selectorFields(r, d.selectors().get(0));
        r.bulk("selectors");
        r.array(d.selectors().size() - 1);
        for (int i = 1; i < d.selectors().size(); i++) {
            r.map(3);
            selectorFields(r, d.selectors().get(i));
        }
    }

    private static void selectorFields(Reply r, String[] s) {
        r.bulk("commands");
        r.bulk(bytes(s[0]));
        r.bulk("keys");
        r.bulk(bytes(s[1]));
        r.bulk("channels");
        r.bulk(bytes(s[2]));
    }

    /** ACL LIST: each user as the line that would create it. */
    static void list(CommandContext c) {
        List<User> all = c.server().acl().all();
        c.reply().array(all.size());
        for (User u : all) {
            c.reply().bulk(bytes("user " + u.name() + " " + u.describe()));
        }
    }

    /** ACL USERS */
    static void users(CommandContext c) {
        List<User> all = c.server().acl().all();
        c.reply().array(all.size());
        for (User u : all) {
            c.reply().bulk(bytes(u.name()));
        }
    }

    /** ACL WHOAMI */
    static void whoami(CommandContext c) {
        c.reply().bulk(bytes(c.client().user()));
    }

    // ---- CAT GENPASS ------------------------------------------------------------------------

    /** ACL CAT [category] */
    static void cat(CommandContext c) {
        if (c.argc() > 3) {
            c.reply().error(Errors.subcommandSyntax(c.arg(1), "acl"));
            return;
        }
        if (c.argc() == 2) {
            c.reply().stringArray(CommandBits.CATEGORIES);
            return;
        }
        int cat = CommandBits.category(c.argString(2));
        if (cat < 0) {
            String name = latin1(c.arg(2));
            c.reply().error("ERR Unknown category '" + (name.length() > 128 ? name.substring(0, 128) : name) + "'");
            return;
        }
        c.reply().stringArray(c.server().acl().commands().namesIn(cat));
    }

    /** ACL GENPASS [bits] */
    static void genpass(CommandContext c) {
        if (c.argc() > 3) {
            c.reply().error(Errors.subcommandSyntax(c.arg(1), "acl"));
            return;
        }
        long bits = c.argc() == 3 ? c.longArg(2) : GENPASS_DEFAULT_BITS;
        if (bits <= 0 || bits > GENPASS_MAX_BITS) {
            c.reply().error("ERR ACL GENPASS argument must be the number of bits for the output password, "
                    + "a positive number up to " + GENPASS_MAX_BITS);
            return;
        }
        int chars = (int) ((bits + 3) / 4);
        byte[] random = new byte[(chars + 1) / 2];
        RANDOM.nextBytes(random);
        c.reply().bulk(HexFormat.of().formatHex(random).substring(0, chars));
    }

    // ---- LOG DRYRUN -------------------------------------------------------------------------

    /** ACL LOG [count | RESET] */
    static void log(CommandContext c) {
        if (c.argc() > 3) {
            c.reply().error(Errors.subcommandSyntax(c.arg(1), "acl"));
            return;
        }
        AclLog log = c.server().acl().log();
        long count = 10;
        if (c.argc() == 3) {
            if (c.argIs(2, "reset")) {
                log.reset();
                c.reply().ok();
                return;
            }
            count = Math.max(0, c.longArg(2));
        }
        List<AclLog.Entry> entries = log.newest(count);
        Reply r = c.reply();
        long now = System.currentTimeMillis();
        r.array(entries.size());
        for (AclLog.Entry e : entries) {
            r.map(7);
            r.bulk("count");
            r.integer(e.count);
            r.bulk("reason");
            r.bulk(e.reason);
            r.bulk("context");
            r.bulk(e.context);
            r.bulk("object");
            r.bulk(e.object);
            r.bulk("username");
            r.bulk(bytes(e.username));
            r.bulk("age-seconds");
            r.doubleValue((now - e.millis) / 1000.0);
            r.bulk("client-info");
            r.bulk(e.clientInfo);
        }
    }

    /** ACL DRYRUN username command [arg ...] */
    static void dryrun(CommandContext c) {
        AclStore acl = c.server().acl();
        User u = acl.get(latin1(c.arg(2)));
        if (u == null) {
            c.reply().error("ERR User '" + latin1(c.arg(2)) + "' not found");
            return;
        }
        byte[][] argv = Arrays.copyOfRange(c.argv(), 3, c.argc());
        // Redis's own command table: every 7.0.15 command, implemented here or not
        CommandBits commands = acl.commands();
        int id = commands.lookupCall(argv);
        if (id < 0) {
            c.reply().error("ERR Command '" + latin1(argv[0]) + "' not found");
            return;
        }
        CommandSpec spec = commands.spec(id);
        int arity = spec.arity();
        if ((arity > 0 && arity != argv.length) || argv.length < -arity) {
            c.reply().error("ERR wrong number of arguments for '" + spec.fullName() + "' command");
            return;
        }
        AclCheck check = new AclCheck();
        int result = u.check(id, argv, check);
        switch (result) {
            case AclCheck.OK -> c.reply().ok();
            case AclCheck.DENIED_COMMAND -> c.reply().bulk("This user has no permissions to run the '" + spec.fullName() + "' command");
            case AclCheck.DENIED_KEY -> c.reply().bulk(bytes("This user has no permissions to access the '"
                    + latin1(argv[check.position()]) + "' key"));
            default -> c.reply().bulk(bytes("This user has no permissions to access the '"
                    + latin1(argv[check.position()]) + "' channel"));
        }
    }

    // ---- SAVE LOAD HELP ---------------------------------------------------------------------

    private static final String NO_ACL_FILE = "ERR This Redis instance is not configured to use an ACL file. You may "
            + "want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a "
            + "Redis configuration file set) in order to store users in the Redis configuration.";

    /** ACL SAVE */
    static void save(CommandContext c) {
        String file = c.server().config().getString(Option.ACLFILE);
        if (file.isEmpty()) {
            c.reply().error(NO_ACL_FILE);
            return;
        }
        if (c.server().acl().save(c.server().config().inDir(file))) {
            c.reply().ok();
        } else {
            c.reply().error("ERR There was an error trying to save the ACLs. Please check the server logs for more "
                    + "information");
        }
    }

    /** ACL LOAD: the file's users replace every current one (all or nothing). */
    static void load(CommandContext c) {
        String file = c.server().config().getString(Option.ACLFILE);
        if (file.isEmpty()) {
            c.reply().error(NO_ACL_FILE);
            return;
        }
        AclStore.Load result = c.server().acl().load(c.server().config().inDir(file), file);
        if (result.errors() != null) {
            c.reply().error("ERR " + result.errors());
            return;
        }
        // ACLFreeUsersSet: the users replaced by the file's lose their connections
        for (ClientSession s : c.server().clients().snapshot()) {
            if (!s.isGone() && result.replaced().contains(s.aclUser())) {
                s.setAclUser(c.server().acl().defaultUser());
                s.setAuthenticated(false);
                disconnect(c, s);
            }
        }
        c.reply().ok();
    }

    private static final List<String> HELP = List.of(
            "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CAT [<category>]",
            "    List all commands that belong to <category>, or all command categories",
            "    when no category is specified.",
            "DELUSER <username> [<username> ...]",
            "    Delete a list of users.",
            "DRYRUN <username> <command> [<arg> ...]",
            "    Returns whether the user can execute the given command without executing the command.",
            "GETUSER <username>",
            "    Get the user's details.",
            "GENPASS [<bits>]",
            "    Generate a secure 256-bit user password. The optional `bits` argument can",
            "    be used to specify a different size.",
            "LIST",
            "    Show users details in config file format.",
            "LOAD",
            "    Reload users from the ACL file.",
            "LOG [<count> | RESET]",
            "    Show the ACL log entries.",
            "SAVE",
            "    Save the current config to the ACL file.",
            "SETUSER <username> <attribute> [<attribute> ...]",
            "    Create or modify a user with the specified attributes.",
            "USERS",
            "    List all the registered usernames.",
            "WHOAMI",
            "    Return the current connection username.",
            "HELP",
            "    Prints this help.");

    /** ACL HELP */
    static void help(CommandContext c) {
        ServerCommands.help(c.reply(), HELP);
    }
}
