package io.damselfly.server.acl;

import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.spec.RedisCommandCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Every ACL user, by name, and the rules for changing them (acl.c's Users, ACLSetUser,
 * ACLStringSetUser, ACLLoadFromFile, ACLSaveToFile). Writers (ACL SETUSER, DELUSER, LOAD, CONFIG
 * SET requirepass) hold the store's lock; readers (AUTH, the permission check) read a user's
 * published rules without it.
 *
 * <p>The default user starts as "on nopass ~* &* +@all"; requirepass replaces its passwords as
 * Redis's ACLUpdateDefaultUserPassword does (resetpass, then &gt;password, or nopass when empty),
 * without touching its other rules. Users are kept in byte order, as Redis's radix tree lists them.
 * Strings (names, rules) are ISO-8859-1 so any byte survives.
 */
public final class AclStore {
    public static final String DEFAULT_USER = "default";

    private final CommandBits commands;
    private final Map<String, User> users = new TreeMap<>();
    private final User defaultUser;
    private final AclLog log;
    private final BooleanSupplier pubsubAllChannelsByDefault;
    /** Whether a new connection must AUTH: the default user has passwords or is off. */
    private volatile boolean authRequired;

    /**
     * A store with only the default user. {@code allChannelsByDefault} says, at each user creation
     * or reset, whether acl-pubsub-default is allchannels.
     */
    public AclStore(RedisCommandCatalog catalog, CommandTable table, AclLog log, BooleanSupplier allChannelsByDefault) {
        this.commands = new CommandBits(catalog, table);
        this.log = log;
        this.pubsubAllChannelsByDefault = allChannelsByDefault;
        this.defaultUser = new User(DEFAULT_USER, newRules());
        User.Rules r = newRules();
        for (String op : new String[] {"+@all", "~*", "&*", "on", "nopass"}) {
            applyUserOp(r, op);
        }
        defaultUser.set(r);
        users.put(DEFAULT_USER, defaultUser);
        refreshAuthRequired();
    }

    public CommandBits commands() {
        return commands;
    }

    public AclLog log() {
        return log;
    }

    public User defaultUser() {
        return defaultUser;
    }

    /**
     * Adds a refusal to ACL LOG: {@code reason} an {@link AclCheck} code, {@code object} the
     * command's full name, the key, the channel, or for AUTH the command name as sent.
     */
    public void logDenied(int reason, String context, byte[] object, String username, String clientInfo) {
        String r = switch (reason) {
            case AclCheck.DENIED_COMMAND -> "command";
            case AclCheck.DENIED_KEY -> "key";
            case AclCheck.DENIED_CHANNEL -> "channel";
            case AclCheck.DENIED_AUTH -> "auth";
            default -> "unknown";
        };
        log.add(r, context, object, username, System.currentTimeMillis(), clientInfo);
    }

    /** Whether clients not yet authenticated may run only no-auth commands (server.c authRequired). */
    public boolean authRequired() {
        return authRequired;
    }

    private void refreshAuthRequired() {
        authRequired = !defaultUser.nopass() || !defaultUser.enabled();
    }

    public synchronized User get(String name) {
        return users.get(name);
    }

    public synchronized List<User> all() {
        return new ArrayList<>(users.values());
    }

    /** ACLCheckUserCredentials: the user when it exists, is on and the password is right; else null. */
    public User authenticate(String name, byte[] password) {
        User u = get(name);
        if (u == null || !u.enabled() || !u.passwordMatches(password)) {
            return null;
        }
        return u;
    }

    /** Redis's ACLUpdateDefaultUserPassword, for requirepass. */
    public synchronized void setDefaultPassword(String password) {
        User.Rules r = defaultUser.rules().copy();
        applyUserOp(r, "resetpass");
        applyUserOp(r, password.isEmpty() ? "nopass" : ">" + password);
        defaultUser.set(r);
        refreshAuthRequired();
    }

    /** The outcome of ACL SETUSER: an error text (without "ERR "), or the rules before and after. */
    public record Change(String error, User user, boolean created, boolean channelsRevoked) {
    }

    /**
     * ACLStringSetUser: applies {@code ops} to a copy of the user's rules (a new user's when it
     * does not exist) and publishes them only if every one is valid.
     */
    public synchronized Change setUser(String name, List<String> ops) {
        List<String> merged = mergeSelectors(ops);
        if (merged == null) {
            return new Change(unmatchedParenthesis(ops), null, false, false);
        }
        User existing = users.get(name);
        User.Rules r = existing != null ? existing.rules().copy() : newRules();
        for (String op : merged) {
            Selector.Outcome o = applyUserOp(r, op);
            if (o != null) {
                return new Change("Error in ACL SETUSER modifier '" + op + "': " + message(o), null, false, false);
            }
        }
        boolean revoked = existing != null && channelsRevoked(r, existing.rules());
        User u = existing;
        if (u == null) {
            u = new User(name, r);
            users.put(name, u);
        } else {
            u.set(r);
        }
        if (u == defaultUser) {
            refreshAuthRequired();
        }
        return new Change(null, u, existing == null, revoked);
    }

    /** What ACL GETUSER shows: flags, password hashes, and per selector (root first) its commands, keys and channels. */
    public record Description(List<String> flags, List<String> passwords, List<String[]> selectors) {
    }

    public Description describeForGetuser(User u) {
        User.Rules r = u.rules();
        List<String[]> sels = new ArrayList<>();
        for (Selector s : r.selectors) {
            sels.add(new String[] {s.describeCommands(), s.describeKeys(), s.describeChannels()});
        }
        return new Description(User.flagNames(r), new ArrayList<>(r.passwords), sels);
    }

    /** Removes users (never "default"): the removed ones, whose clients the caller disconnects. */
    public synchronized List<User> delete(Collection<String> names) {
        List<User> gone = new ArrayList<>();
        for (String n : names) {
            User u = users.remove(n);
            if (u != null) {
                gone.add(u);
            }
        }
        return gone;
    }

    /** Rules of a new user: off, no passwords, one root selector with no permissions. */
    private User.Rules newRules() {
        User.Rules r = new User.Rules();
        r.flags = User.DISABLED;
        r.selectors.add(new Selector(commands, true, pubsubAllChannelsByDefault.getAsBoolean()));
        return r;
    }

    /** ACLSetUser: one rule; null when valid, else why not (Redis's errno). */
    Selector.Outcome applyUserOp(User.Rules r, String op) {
        if (op.isEmpty()) {
            return null;
        }
        if (op.equalsIgnoreCase("on")) {
            r.flags = (r.flags | User.ENABLED) & ~User.DISABLED;
        } else if (op.equalsIgnoreCase("off")) {
            r.flags = (r.flags | User.DISABLED) & ~User.ENABLED;
        } else if (op.equalsIgnoreCase("skip-sanitize-payload")) {
            r.flags = (r.flags | User.SKIP_SANITIZE_PAYLOAD) & ~User.SANITIZE_PAYLOAD;
        } else if (op.equalsIgnoreCase("sanitize-payload")) {
            r.flags = (r.flags | User.SANITIZE_PAYLOAD) & ~User.SKIP_SANITIZE_PAYLOAD;
        } else if (op.equalsIgnoreCase("nopass")) {
            r.flags |= User.NOPASS;
            r.passwords.clear();
        } else if (op.equalsIgnoreCase("resetpass")) {
            r.flags &= ~User.NOPASS;
            r.passwords.clear();
        } else if (op.charAt(0) == '>' || op.charAt(0) == '#') {
            String hash;
            if (op.charAt(0) == '>') {
                hash = User.hash(op.substring(1).getBytes(StandardCharsets.ISO_8859_1));
            } else {
                hash = op.substring(1);
                if (!validHash(hash)) {
                    return Selector.Outcome.EBADMSG;
                }
            }
            if (!r.passwords.contains(hash)) {
                r.passwords.add(hash);
            }
            r.flags &= ~User.NOPASS;
        } else if (op.charAt(0) == '<' || op.charAt(0) == '!') {
            String hash;
            if (op.charAt(0) == '<') {
                hash = User.hash(op.substring(1).getBytes(StandardCharsets.ISO_8859_1));
            } else {
                hash = op.substring(1);
                if (!validHash(hash)) {
                    return Selector.Outcome.EBADMSG;
                }
            }
            if (!r.passwords.remove(hash)) {
                return Selector.Outcome.ENODEV;
            }
        } else if (op.charAt(0) == '(' && op.charAt(op.length() - 1) == ')') {
            Selector s = new Selector(commands, false, pubsubAllChannelsByDefault.getAsBoolean());
            for (String inner : splitArgs(op.substring(1, op.length() - 1))) {
                Selector.Outcome o = s.apply(inner);
                if (o != Selector.Outcome.OK) {
                    return o;
                }
            }
            r.selectors.add(s);
        } else if (op.equalsIgnoreCase("clearselectors")) {
            Selector root = r.root();
            r.selectors.clear();
            r.selectors.add(root);
        } else if (op.equalsIgnoreCase("reset")) {
            applyUserOp(r, "resetpass");
            applyUserOp(r, "resetkeys");
            applyUserOp(r, "resetchannels");
            if (pubsubAllChannelsByDefault.getAsBoolean()) {
                applyUserOp(r, "allchannels");
            }
            applyUserOp(r, "off");
            applyUserOp(r, "sanitize-payload");
            applyUserOp(r, "clearselectors");
            applyUserOp(r, "-@all");
        } else {
            Selector.Outcome o = r.root().apply(op);
            if (o != Selector.Outcome.OK) {
                return o;
            }
        }
        return null;
    }

    private static boolean validHash(String h) {
        if (h.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = h.charAt(i);
            if ((c < 'a' || c > 'f') && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    /** ACLSetUserStringError. */
    static String message(Selector.Outcome o) {
        return switch (o) {
            case ENOENT -> "Unknown command or category name in ACL";
            case EINVAL -> "Syntax error";
            case EEXIST -> "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have "
                    + "any effect. Try 'resetkeys' to start with an empty list of patterns";
            case EISDIR -> "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
                    + "have any effect. Try 'resetchannels' to start with an empty list of channels";
            case ENODEV -> "The password you are trying to remove from the user does not exist";
            case EBADMSG -> "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
                    + "characters";
            case ECHILD -> "Allowing first-arg of a subcommand is not supported";
            default -> "Wrong format";
        };
    }

    /**
     * ACLMergeSelectorArguments: a selector spread over several arguments ("(~x", "+get)") joined
     * with spaces; null when a parenthesis is left open.
     */
    static List<String> mergeSelectors(List<String> ops) {
        List<String> out = new ArrayList<>();
        StringBuilder open = null;
        for (String op : ops) {
            if (open == null && !op.isEmpty() && op.charAt(0) == '(' && op.charAt(op.length() - 1) != ')') {
                open = new StringBuilder(op);
                continue;
            }
            if (open != null) {
                open.append(' ').append(op);
                if (!op.isEmpty() && op.charAt(op.length() - 1) == ')') {
                    out.add(open.toString());
                    open = null;
                }
                continue;
            }
            out.add(op);
        }
        return open == null ? out : null;
    }

    private static String unmatchedParenthesis(List<String> ops) {
        String start = null;
        for (String op : ops) {
            if (!op.isEmpty() && op.charAt(0) == '(' && op.charAt(op.length() - 1) != ')') {
                // the last selector opened is the one left open
                start = op;
            }
        }
        return "Unmatched parenthesis in acl selector starting at '" + start + "'.";
    }

    /** Splits a selector's inside at blanks (sdssplitargs without quoting, which rules never need). */
    static List<String> splitArgs(String s) {
        List<String> out = new ArrayList<>();
        for (String p : s.trim().split("[ \\t\\n\\r\\f\\u000b]+")) {
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The first half of ACLKillPubsubClientsIfNeeded: whether the new rules allow fewer channels
     * than the old (no selector with every channel now, and some old channel pattern gone).
     */
    private static boolean channelsRevoked(User.Rules now, User.Rules before) {
        for (Selector s : now.selectors) {
            if (s.allChannels) {
                return false;
            }
        }
        List<String> upcoming = new ArrayList<>();
        for (Selector s : now.selectors) {
            upcoming.addAll(s.channels);
        }
        for (Selector s : before.selectors) {
            if (s.allChannels) {
                return true;
            }
            for (String c : s.channels) {
                if (!upcoming.contains(c)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a subscriber to these channels and patterns may stay, by the user's new rules. */
    public static boolean keepsSubscriptions(User u, Collection<byte[]> channels, Collection<byte[]> patterns) {
        for (byte[] p : patterns) {
            if (!u.channelAllowed(p, true)) {
                return false;
            }
        }
        for (byte[] c : channels) {
            if (!u.channelAllowed(c, false)) {
                return false;
            }
        }
        return true;
    }

    /**
     * ACLLoadConfiguredUsers: the config file's "user" lines (each "name rules..."), at start. The
     * default user named there is reset first. Throws with Redis's message on an invalid line.
     */
    public synchronized void loadConfigured(List<String> lines) {
        java.util.Set<String> declared = new java.util.HashSet<>();
        for (String line : lines) {
            List<String> argv = splitArgs(line);
            if (argv.isEmpty()) {
                throw new IllegalArgumentException("user keyword without user name");
            }
            if (!declared.add(argv.get(0))) {
                // ACLAppendUserForLoading: checked before the rules, "default" included
                throw new IllegalArgumentException("Error in user declaration '" + argv.get(0)
                        + "': Duplicate user found. A user can only be defined once in config files");
            }
            List<String> ops = new ArrayList<>();
            if (argv.get(0).equals(DEFAULT_USER)) {
                ops.add("reset");
            }
            ops.addAll(argv.subList(1, argv.size()));
            Change c = setUser(argv.get(0), ops);
            if (c.error() != null) {
                throw new IllegalArgumentException("Error in user declaration '" + argv.get(0) + "': " + c.error());
            }
        }
    }

    // ---- the ACL file ----------------------------------------------------------------------

    /** The outcome of ACL LOAD: Redis's error text (null when loaded) and the users it replaced. */
    public record Load(String errors, List<User> replaced) {
    }

    /**
     * ACLLoadFromFile: every "user name rules..." line of the file, all valid or none applied
     * (then the errors in Redis's words). On success every user but "default" is a new user (the
     * caller disconnects the replaced users' clients, as Redis frees them), and the default user
     * takes the file's rules, or the initial ones when the file does not name it. {@code fileName}
     * is the configured name, which the errors quote.
     */
    public synchronized Load load(Path file, String fileName) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return new Load("Error loading ACLs, opening file '" + fileName + "': No such file or directory", List.of());
        }
        Map<String, User.Rules> loaded = new TreeMap<>();
        StringBuilder errors = new StringBuilder();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineno = i + 1;
            String line = trim(lines[i], " \t\r\n");
            if (line.isEmpty()) {
                continue;
            }
            String[] argv = line.split(" ", -1);
            if (!argv[0].equals("user") || argv.length < 2) {
                errors.append(fileName).append(':').append(lineno)
                        .append(" should start with user keyword followed by the username. ");
                continue;
            }
            String name = argv[1];
            if (Selector.hasSpaces(name)) {
                errors.append('\'').append(fileName).append(':').append(lineno).append(": username '").append(name)
                        .append("' contains invalid characters. ");
                continue;
            }
            if (loaded.containsKey(name)) {
                errors.append("WARNING: Duplicate user '").append(name).append("' found on line ").append(lineno).append(". ");
                continue;
            }
            User.Rules r = newRules();
            loaded.put(name, r);
            List<String> merged = mergeSelectors(List.of(argv).subList(2, argv.length));
            if (merged == null) {
                errors.append(fileName).append(':').append(lineno).append(": Unmatched parenthesis in selector definition.");
                continue;
            }
            boolean syntaxError = false;
            for (String raw : merged) {
                String op = trim(raw, "\t\r\n");
                Selector.Outcome o = applyUserOp(r, op);
                if (o == null) {
                    continue;
                }
                if (o == Selector.Outcome.ENOENT) {
                    errors.append(fileName).append(':').append(lineno).append(": Error in applying operation '").append(op)
                            .append("': ").append(message(o)).append(". ");
                } else if (!syntaxError) {
                    errors.append(fileName).append(':').append(lineno).append(": ").append(message(o)).append(". ");
                    syntaxError = true;
                }
            }
        }
        if (errors.length() > 0) {
            return new Load(errors + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
                    List.of());
        }
        List<User> replaced = new ArrayList<>();
        for (User u : users.values()) {
            if (u != defaultUser) {
                replaced.add(u);
            }
        }
        users.clear();
        users.put(DEFAULT_USER, defaultUser);
        for (Map.Entry<String, User.Rules> e : loaded.entrySet()) {
            if (e.getKey().equals(DEFAULT_USER)) {
                defaultUser.set(e.getValue());
            } else {
                users.put(e.getKey(), new User(e.getKey(), e.getValue()));
            }
        }
        if (!loaded.containsKey(DEFAULT_USER)) {
            User.Rules r = newRules();
            for (String op : new String[] {"+@all", "~*", "&*", "on", "nopass"}) {
                applyUserOp(r, op);
            }
            defaultUser.set(r);
        }
        refreshAuthRequired();
        return new Load(null, replaced);
    }

    /** sdstrim: drops the given characters from both ends. */
    private static String trim(String s, String chars) {
        int b = 0;
        int e = s.length();
        while (b < e && chars.indexOf(s.charAt(b)) >= 0) {
            b++;
        }
        while (e > b && chars.indexOf(s.charAt(e - 1)) >= 0) {
            e--;
        }
        return s.substring(b, e);
    }

    /** ACLSaveToFile: one "user name rules" line per user, written to a temp file then renamed. */
    public synchronized boolean save(Path file) {
        StringBuilder out = new StringBuilder();
        for (User u : users.values()) {
            out.append("user ").append(u.name()).append(' ').append(u.describe()).append('\n');
        }
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
            Files.write(tmp, out.toString().getBytes(StandardCharsets.ISO_8859_1));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
