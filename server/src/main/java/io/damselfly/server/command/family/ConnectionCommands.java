package io.damselfly.server.command.family;

import static io.damselfly.server.command.CommandFlag.STATEFUL;

import io.damselfly.server.acl.AclCheck;
import io.damselfly.server.acl.AclLog;
import io.damselfly.server.acl.AclStore;
import io.damselfly.server.acl.User;
import io.damselfly.server.client.ClientPause;
import io.damselfly.server.client.ClientSession;
import io.damselfly.server.client.ClientTracking;
import io.damselfly.server.client.TrackingState;
import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandError;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.command.ServerContext;
import io.damselfly.server.keyspace.Numbers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Connection commands (Redis group "connection"): PING ECHO QUIT SELECT AUTH HELLO RESET, and the
 * CLIENT container: ID SETNAME GETNAME INFO LIST KILL REPLY HELP PAUSE UNPAUSE NO-EVICT .... As Redis 7.0.15, the version
 * damselfly reports: no CLIENT SETINFO (7.2), which clients that send it treat as optional.
 *
 * <p>Authentication. AUTH and HELLO ... AUTH check a user and password against the ACL users
 * ({@link AclStore}; the default user's password is {@code requirepass}, and a nopass user
 * accepts any). A failed AUTH leaves an authenticated connection authenticated and its user
 * unchanged, as in Redis.
 */
public final class ConnectionCommands {
    private ConnectionCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("ping", ConnectionCommands::ping);
        t.add("echo", ConnectionCommands::echo);
        t.add("quit", ConnectionCommands::quit);
        t.add("select", ConnectionCommands::select, STATEFUL);
        t.add("auth", ConnectionCommands::auth, STATEFUL);
        t.add("hello", ConnectionCommands::hello, STATEFUL);
        t.add("reset", ConnectionCommands::reset, STATEFUL);
        t.container("client", s -> s
                .add("id", ConnectionCommands::clientId)
                .add("setname", ConnectionCommands::clientSetname, STATEFUL)
                .add("getname", ConnectionCommands::clientGetname)
                .add("info", ConnectionCommands::clientInfo)
                .add("list", ConnectionCommands::clientList)
                .add("kill", ConnectionCommands::clientKill)
                .add("reply", ConnectionCommands::clientReply)
                .add("unblock", ConnectionCommands::clientUnblock)
                .add("tracking", ConnectionCommands::clientTracking, STATEFUL)
                .add("caching", ConnectionCommands::clientCaching, STATEFUL)
                .add("getredir", ConnectionCommands::clientGetredir)
                .add("trackinginfo", ConnectionCommands::clientTrackinginfo)
                .add("pause", ConnectionCommands::clientPause)
                .add("unpause", ConnectionCommands::clientUnpause)
                .add("no-evict", ConnectionCommands::clientNoEvict)
                .add("help", ConnectionCommands::clientHelp));
    }

    // ---- PING ECHO QUIT SELECT -------------------------------------------------------------

    /** PING [message] */
    static void ping(CommandContext c) {
        if (c.argc() > 2) {
            throw new CommandError(Errors.wrongArity("ping"));
        }
        if (c.client().isSubscribed() && !c.reply().isResp3()) {
            // RESP2 subscribers can only read arrays: Redis answers ["pong", message or ""]
            c.reply().array(2);
            c.reply().bulk("pong");
            c.reply().bulk(c.argc() == 2 ? c.arg(1) : new byte[0]);
        } else if (c.argc() == 2) {
            c.reply().bulk(c.arg(1));
        } else {
            c.reply().simple("PONG");
        }
    }

    /** ECHO message */
    static void echo(CommandContext c) {
        c.reply().bulk(c.arg(1));
    }

    /** QUIT */
    static void quit(CommandContext c) {
        c.reply().ok();
        c.client().closeAfterReply();
    }

    /** SELECT index */
    static void select(CommandContext c) {
        long db = c.longArg(1);
        if (db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) {
            throw new CommandError(Errors.NOT_AN_INT);
        }
        if (db < 0 || db >= c.server().keyspace().databases()) {
            c.reply().error(Errors.DB_INDEX_OUT_OF_RANGE);
            return;
        }
        c.client().setDb((int) db);
        c.reply().ok();
    }

    /**
     * RESET: the connection back to its state when it connected, as Redis's
     * clearClientConnectionState: MONITOR ended, MULTI discarded and keys unwatched, every subscription dropped, tracking off, database 0, RESP2, authenticated
     * only when no password is required, no name, replies on.
     */
    static void reset(CommandContext c) {
        ClientSession client = c.client();
        c.server().clients().monitors().remove(client);
        // discardTransaction: an open MULTI and every WATCH go
        c.transaction().discard();
        PubSubCommands.unsubscribeAll(c);
        c.server().tracking().disable(client);
        client.setDb(0);
        client.setProtocol(2);
        // clientSetDefaultAuth: back to the default user, authenticated when it needs no password
        client.setAclUser(c.server().acl().defaultUser());
        client.setAuthenticated(!c.server().acl().authRequired());
        client.setName("");
        client.repliesOn();
        c.reply().simple("RESET");
    }

    // ---- AUTH HELLO ------------------------------------------------------------------------

    /** AUTH [username] password */
    static void auth(CommandContext c) {
        if (c.argc() > 3) {
            throw c.syntaxError();
        }
        // MONITOR shows "(redacted)" for the credentials, as authCommand redacts them
        c.redact(1);
        if (c.argc() == 3) {
            c.redact(2);
        }
        byte[] user;
        byte[] password;
        if (c.argc() == 2) {
            if (c.server().acl().defaultUser().nopass()) {
                c.reply().error(Errors.AUTH_NOT_CONFIGURED);
                return;
            }
            user = ClientSession.DEFAULT_USER.getBytes(StandardCharsets.US_ASCII);
            password = c.arg(1);
        } else {
            user = c.arg(1);
            password = c.arg(2);
        }
        if (!authenticate(c, user, password)) {
            c.reply().error(Errors.WRONGPASS);
            return;
        }
        c.reply().ok();
    }

    /**
     * ACLAuthenticateUser: checks a username and password against the ACL users and binds the
     * connection to the user when they match; a failure goes to ACL LOG. The password comparison
     * takes the same time wherever it first differs.
     */
    private static boolean authenticate(CommandContext c, byte[] user, byte[] password) {
        AclStore acl = c.server().acl();
        User u = acl.authenticate(new String(user, StandardCharsets.ISO_8859_1), password);
        if (u == null) {
            acl.logDenied(AclCheck.DENIED_AUTH, c.transaction().isOpen() ? AclLog.MULTI : AclLog.TOPLEVEL,
                    c.arg(0), new String(user, StandardCharsets.ISO_8859_1),
                    c.client().describe(System.currentTimeMillis(), c.argv()));
            return false;
        }
        c.client().setAclUser(u);
        c.client().setAuthenticated(true);
        return true;
    }

    /** HELLO [protover [AUTH username password] [SETNAME clientname]] */
    static void hello(CommandContext c) {
        int version = 0;
        if (c.argc() >= 2) {
            long v = c.longArg(1, Errors.PROTOCOL_VERSION_NOT_INTEGER);
            if (v < 2 || v > 3) {
                c.reply().error(Errors.NOPROTO);
                return;
            }
            version = (int) v;
        }
        // Redis 7.0 acts on each option as it reads it: an AUTH or SETNAME before a bad option
        // stays done (7.2 validates them all first)
        for (int i = 2; i < c.argc(); i++) {
            int more = c.argc() - 1 - i;
            if (c.argIs(i, "auth") && more >= 2) {
                c.redact(i + 1);
                c.redact(i + 2);
                if (!authenticate(c, c.arg(i + 1), c.arg(i + 2))) {
                    c.reply().error(Errors.WRONGPASS);
                    return;
                }
                i += 2;
            } else if (c.argIs(i, "setname") && more >= 1) {
                byte[] name = c.arg(i + 1);
                if (!ClientSession.isValidAttribute(name)) {
                    c.reply().error(Errors.INVALID_CLIENT_NAME);
                    return;
                }
                c.client().setName(new String(name, StandardCharsets.US_ASCII));
                i++;
            } else {
                c.reply().error(Errors.helloSyntax(c.arg(i)));
                return;
            }
        }
        if (!c.client().isAuthenticated() && c.server().acl().authRequired()) {
            c.reply().error(Errors.HELLO_NOAUTH);
            return;
        }
        if (version != 0) {
            // the reply to HELLO 3 is already RESP3
            c.client().setProtocol(version);
        }
        c.reply().map(7);
        c.reply().bulk("server");
        c.reply().bulk("redis");
        c.reply().bulk("version");
        c.reply().bulk(ServerContext.REDIS_VERSION);
        c.reply().bulk("proto");
        c.reply().integer(c.client().protocol());
        c.reply().bulk("id");
        c.reply().integer(c.client().id());
        c.reply().bulk("mode");
        c.reply().bulk("standalone");
        c.reply().bulk("role");
        c.reply().bulk("master");
        c.reply().bulk("modules");
        c.reply().emptyArray();
    }

    // ---- CLIENT ----------------------------------------------------------------------------

    /** CLIENT ID */
    static void clientId(CommandContext c) {
        c.reply().integer(c.client().id());
    }

    /** CLIENT SETNAME connection-name */
    static void clientSetname(CommandContext c) {
        if (!ClientSession.isValidAttribute(c.arg(2))) {
            c.reply().error(Errors.INVALID_CLIENT_NAME);
            return;
        }
        c.client().setName(new String(c.arg(2), StandardCharsets.US_ASCII));
        c.reply().ok();
    }

    /** CLIENT GETNAME */
    static void clientGetname(CommandContext c) {
        String name = c.client().name();
        if (name.isEmpty()) {
            c.reply().nullBulk();
        } else {
            c.reply().bulk(name);
        }
    }

    /** CLIENT INFO */
    static void clientInfo(CommandContext c) {
        c.reply().verbatim(c.client().describe(c.now(), c.argv()) + "\n");
    }

    /** CLIENT LIST [TYPE &lt;NORMAL | MASTER | REPLICA | PUBSUB&gt;] [ID client-id [client-id ...]] */
    static void clientList(CommandContext c) {
        StringBuilder out = new StringBuilder();
        if (c.argc() == 4 && c.argIs(2, "type")) {
            ClientSession.Type type = clientType(c, 3);
            for (ClientSession s : c.server().clients().snapshot()) {
                if (!s.isGone() && s.type() == type) {
                    out.append(s.describe(c.now(), s == c.client() ? c.argv() : null)).append('\n');
                }
            }
        } else if (c.argc() > 3 && c.argIs(2, "id")) {
            for (int i = 3; i < c.argc(); i++) {
                long id = c.longArg(i, Errors.INVALID_CLIENT_ID);
                ClientSession s = c.server().clients().get(id);
                if (s != null && !s.isGone()) {
                    out.append(s.describe(c.now(), s == c.client() ? c.argv() : null)).append('\n');
                }
            }
        } else if (c.argc() == 2) {
            for (ClientSession s : c.server().clients().snapshot()) {
                if (!s.isGone()) {
                    out.append(s.describe(c.now(), s == c.client() ? c.argv() : null)).append('\n');
                }
            }
        } else {
            throw c.syntaxError();
        }
        c.reply().verbatim(out.toString());
    }

    private static ClientSession.Type clientType(CommandContext c, int i) {
        ClientSession.Type type = ClientSession.Type.byName(c.argString(i));
        if (type == null) {
            throw new CommandError(Errors.unknownClientType(c.arg(i)));
        }
        return type;
    }

    /**
     * CLIENT KILL ip:port
     * CLIENT KILL &lt;ID client-id | TYPE type | USER username | ADDR ip:port | LADDR ip:port | SKIPME yes/no&gt; ...
     */
    static void clientKill(CommandContext c) {
        boolean oldForm = c.argc() == 3;
        String addr = null;
        String laddr = null;
        ClientSession.Type type = null;
        User user = null;
        long id = 0;
        // the old form can kill the caller; the new one skips it unless told SKIPME NO
        boolean skipMe = !oldForm;
        if (oldForm) {
            addr = c.argString(2);
        } else {
            for (int i = 2; i < c.argc(); i += 2) {
                boolean more = i + 1 < c.argc();
                if (c.argIs(i, "id") && more) {
                    Long v = Numbers.parseLong(c.arg(i + 1));
                    if (v == null || v < 1) {
                        throw new CommandError(Errors.CLIENT_ID_NOT_POSITIVE);
                    }
                    id = v;
                } else if (c.argIs(i, "type") && more) {
                    type = clientType(c, i + 1);
                } else if (c.argIs(i, "addr") && more) {
                    addr = c.argString(i + 1);
                } else if (c.argIs(i, "laddr") && more) {
                    laddr = c.argString(i + 1);
                } else if (c.argIs(i, "user") && more) {
                    user = c.server().acl().get(new String(c.arg(i + 1), StandardCharsets.ISO_8859_1));
                    if (user == null) {
                        throw new CommandError(Errors.noSuchUser(c.arg(i + 1)));
                    }
                } else if (c.argIs(i, "skipme") && more) {
                    if (c.argIs(i + 1, "yes")) {
                        skipMe = true;
                    } else if (c.argIs(i + 1, "no")) {
                        skipMe = false;
                    } else {
                        throw c.syntaxError();
                    }
                } else {
                    throw c.syntaxError();
                }
            }
        }
        ClientSession me = c.client();
        long killed = 0;
        boolean killMe = false;
        for (ClientSession s : c.server().clients().snapshot()) {
            if (s.isGone()
                    || (addr != null && !addr.equals(s.address()))
                    || (laddr != null && !laddr.equals(s.localAddress()))
                    || (type != null && s.type() != type)
                    || (user != null && s.aclUser() != user)
                    || (id != 0 && s.id() != id)
                    || (s == me && skipMe)) {
                continue;
            }
            if (s == me) {
                killMe = true;
                killed++;
            } else if (s.kill()) {
                killed++;
            }
        }
        if (oldForm) {
            if (killed == 0) {
                c.reply().error(Errors.NO_SUCH_CLIENT);
            } else {
                c.reply().ok();
            }
        } else {
            c.reply().integer(killed);
        }
        if (killMe) {
            // after the reply is queued, so the caller still reads it
            me.closeAfterReply();
        }
    }

    /**
     * CLIENT REPLY ON | OFF | SKIP: ON answers OK; OFF and SKIP answer nothing, and the executor
     * drops what later commands write while they are in force.
     */
    static void clientReply(CommandContext c) {
        if (c.argIs(2, "on")) {
            c.client().repliesOn();
            c.reply().ok();
        } else if (c.argIs(2, "off")) {
            c.client().repliesOff();
        } else if (c.argIs(2, "skip")) {
            c.client().skipNextReply();
        } else {
            throw c.syntaxError();
        }
    }

    /** CLIENT UNBLOCK client-id [TIMEOUT|ERROR] */
    static void clientUnblock(CommandContext c) {
        if (c.argc() > 4) {
            c.reply().error(Errors.subcommandSyntax(c.arg(1), "client"));
            return;
        }
        long id = c.longArg(2);
        boolean asError = false;
        if (c.argc() == 4) {
            if (c.argIs(3, "error")) {
                asError = true;
            } else if (!c.argIs(3, "timeout")) {
                c.reply().error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        }
        ClientSession target = c.server().clients().get(id);
        c.reply().integer(target != null && target.unblock(asError) ? 1 : 0);
    }

    // ---- CLIENT PAUSE UNPAUSE NO-EVICT ------------------------------------------------------

    static final String PAUSE_MODE = "ERR CLIENT PAUSE mode must be WRITE or ALL";

    /**
     * CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the timeout, as networking.c
     * does; the pause merges with one in force ({@link ClientPause#pause}). A timeout of 0, or one
     * so large that now + timeout overflows, pauses nothing, as in Redis.
     */
    static void clientPause(CommandContext c) {
        if (c.argc() > 4) {
            c.reply().error(Errors.subcommandSyntax(c.arg(1), "client"));
            return;
        }
        ClientPause.Type type = ClientPause.Type.ALL;
        if (c.argc() == 4) {
            if (c.argIs(3, "write")) {
                type = ClientPause.Type.WRITE;
            } else if (!c.argIs(3, "all")) {
                c.reply().error(PAUSE_MODE);
                return;
            }
        }
        long timeout = Timeouts.millis(c, 2);
        long now = System.currentTimeMillis();
        // getTimeoutFromObjectOrReply: 0 stays 0 (an end long past); C's overflow wraps, as Java's does
        long end = timeout > 0 ? timeout + now : 0;
        c.server().clients().pause().pause(type, end, now);
        c.reply().ok();
    }

    /** CLIENT UNPAUSE */
    static void clientUnpause(CommandContext c) {
        c.server().clients().pause().unpause();
        c.reply().ok();
    }

    /** CLIENT NO-EVICT ON|OFF */
    static void clientNoEvict(CommandContext c) {
        if (c.argIs(2, "on")) {
            c.client().setNoEvict(true);
        } else if (c.argIs(2, "off")) {
            c.client().setNoEvict(false);
        } else {
            throw c.syntaxError();
        }
        c.reply().ok();
    }

    // ---- CLIENT TRACKING CACHING GETREDIR TRACKINGINFO ---------------------------------------

    /**
     * CLIENT TRACKING &lt;ON | OFF&gt; [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]]
     * [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
     *
     * <p>Options are read first (a bad one is a syntax error even with OFF), then checked against
     * each other and the client's current mode in networking.c's order.
     */
    static void clientTracking(CommandContext c) {
        long redirect = 0;
        boolean bcast = false;
        boolean optin = false;
        boolean optout = false;
        boolean noloop = false;
        List<byte[]> prefixes = new ArrayList<>();
        for (int j = 3; j < c.argc(); j++) {
            boolean more = j < c.argc() - 1;
            if (c.argIs(j, "redirect") && more) {
                j++;
                if (redirect != 0) {
                    c.reply().error("ERR A client can only redirect to a single other client");
                    return;
                }
                redirect = c.longArg(j);
                ClientSession target = c.server().clients().get(redirect);
                if (target == null || target.isGone()) {
                    c.reply().error("ERR The client ID you want redirect to does not exist");
                    return;
                }
            } else if (c.argIs(j, "bcast")) {
                bcast = true;
            } else if (c.argIs(j, "optin")) {
                optin = true;
            } else if (c.argIs(j, "optout")) {
                optout = true;
            } else if (c.argIs(j, "noloop")) {
                noloop = true;
            } else if (c.argIs(j, "prefix") && more) {
                j++;
                prefixes.add(c.arg(j));
            } else {
                throw c.syntaxError();
            }
        }
        ClientTracking tracking = c.server().tracking();
        TrackingState current = c.client().tracking();
        if (c.argIs(2, "on")) {
            if (!bcast && !prefixes.isEmpty()) {
                c.reply().error("ERR PREFIX option requires BCAST mode to be enabled");
                return;
            }
            if (current != null && current.bcast() != bcast) {
                c.reply().error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
                        + "and then re-enabling it with a different mode.");
                return;
            }
            if (bcast && (optin || optout)) {
                c.reply().error("ERR OPTIN and OPTOUT are not compatible with BCAST");
                return;
            }
            if (optin && optout) {
                c.reply().error("ERR You can't specify both OPTIN mode and OPTOUT mode");
                return;
            }
            if (current != null && ((optin && current.optout()) || (optout && current.optin()))) {
                c.reply().error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
                        + "and then re-enabling it with a different mode.");
                return;
            }
            if (bcast) {
                String collision = ClientTracking.prefixCollision(current, prefixes);
                if (collision != null) {
                    c.reply().error(collision);
                    return;
                }
            }
            tracking.enable(c.client(), redirect, bcast, optin, optout, noloop, prefixes);
        } else if (c.argIs(2, "off")) {
            tracking.disable(c.client());
        } else {
            throw c.syntaxError();
        }
        c.reply().ok();
    }

    /** CLIENT CACHING &lt;YES | NO&gt; */
    static void clientCaching(CommandContext c) {
        TrackingState t = c.client().tracking();
        if (t == null) {
            c.reply().error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
                    + "OPTOUT mode enabled");
            return;
        }
        if (c.argIs(2, "yes")) {
            if (!t.optin()) {
                c.reply().error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
                return;
            }
        } else if (c.argIs(2, "no")) {
            if (!t.optout()) {
                c.reply().error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
                return;
            }
        } else {
            throw c.syntaxError();
        }
        t.setCaching();
        c.reply().ok();
    }

    /** CLIENT GETREDIR: the redirect client id, 0 without one, -1 when tracking is off. */
    static void clientGetredir(CommandContext c) {
        TrackingState t = c.client().tracking();
        c.reply().integer(t == null ? -1 : t.redirect());
    }

    /** CLIENT TRACKINGINFO: flags (a set), redirect and prefixes, as networking.c lists them. */
    static void clientTrackinginfo(CommandContext c) {
        TrackingState t = c.client().tracking();
        List<String> flags = new ArrayList<>();
        flags.add(t != null ? "on" : "off");
        if (t != null) {
            if (t.bcast()) {
                flags.add("bcast");
            }
            if (t.optin()) {
                flags.add("optin");
                if (t.caching()) {
                    flags.add("caching-yes");
                }
            }
            if (t.optout()) {
                flags.add("optout");
                if (t.caching()) {
                    flags.add("caching-no");
                }
            }
            if (t.noloop()) {
                flags.add("noloop");
            }
            if (t.brokenRedirect()) {
                flags.add("broken_redirect");
            }
        }
        Reply r = c.reply();
        r.map(3);
        r.bulk("flags");
        r.set(flags.size());
        for (String f : flags) {
            r.bulk(f);
        }
        r.bulk("redirect");
        r.integer(t == null ? -1 : t.redirect());
        r.bulk("prefixes");
        List<byte[]> prefixes = t == null ? List.of() : t.prefixes();
        r.array(prefixes.size());
        for (byte[] p : prefixes) {
            r.bulk(p);
        }
    }

    /** Redis 7.0's CLIENT HELP text, the lines of the subcommands damselfly has. */
    private static final List<String> CLIENT_HELP = List.of(
            "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CACHING (YES|NO)",
            "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
            "GETREDIR",
            "    Return the client ID we are redirecting to when tracking is enabled.",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server assisted client side caching.",
            "TRACKINGINFO",
            "    Report tracking status for the current connection.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
            "HELP",
            "    Prints this help.");

    /** CLIENT HELP */
    static void clientHelp(CommandContext c) {
        ServerCommands.help(c.reply(), CLIENT_HELP);
    }
}
