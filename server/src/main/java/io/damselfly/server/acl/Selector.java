package io.damselfly.server.acl;

import io.damselfly.server.command.spec.KeyFlag;
import io.damselfly.server.command.spec.KeyReferences;
import io.damselfly.server.keyspace.GlobPattern;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One set of permissions, acl.c's aclSelector: the commands (a bitmap over {@link CommandBits},
 * plus the first-argument exceptions of "+select|0"), the key patterns with their read/write
 * flags, and the channel patterns. A user has a root selector and, optionally, more in
 * parentheses; a command is allowed when one selector allows all of it.
 *
 * <p>Mutable while a user's rules are being built (ACL SETUSER works on a copy); never changed
 * once the rules it belongs to are published, so permission checks read it without locking.
 * Strings are kept as ISO-8859-1 so every byte of a pattern survives the round trip.
 */
final class Selector {
    /** Read permission of a key pattern (ACL_READ_PERMISSION). */
    static final int READ = 1;
    /** Write permission of a key pattern (ACL_WRITE_PERMISSION). */
    static final int WRITE = 2;
    static final int ALL = READ | WRITE;

    /** What {@link #apply} answers: Redis's errno values of ACLSetSelector. */
    enum Outcome { OK, EINVAL, ENOENT, EEXIST, EISDIR, ECHILD, ENODEV, EBADMSG }

    /** A key pattern and its permissions (acl.c keyPattern). */
    static final class KeyPattern {
        final String pattern;
        int flags;
        final GlobPattern glob;

        KeyPattern(String pattern, int flags) {
            this.pattern = pattern;
            this.flags = flags;
            this.glob = GlobPattern.compile(pattern.getBytes(StandardCharsets.ISO_8859_1));
        }

        String describe() {
            String prefix = flags == ALL ? "~" : flags == READ ? "%R~" : "%W~";
            return prefix + pattern;
        }
    }

    private final CommandBits commands;
    final boolean root;
    long[] bits;
    boolean allKeys;
    boolean allChannels;
    boolean allCommands;
    /** Allowed first arguments of otherwise denied commands, by command id (null: none). */
    Map<Integer, List<String>> firstArgs;
    List<KeyPattern> patterns = new ArrayList<>();
    List<String> channels = new ArrayList<>();
    List<GlobPattern> channelGlobs = new ArrayList<>();

    Selector(CommandBits commands, boolean root, boolean allChannelsByDefault) {
        this.commands = commands;
        this.root = root;
        this.bits = new long[(commands.size() + 63) / 64];
        this.allChannels = allChannelsByDefault;
    }

    Selector copy() {
        Selector s = new Selector(commands, root, allChannels);
        s.bits = bits.clone();
        s.allKeys = allKeys;
        s.allCommands = allCommands;
        if (firstArgs != null) {
            s.firstArgs = new HashMap<>();
            firstArgs.forEach((k, v) -> s.firstArgs.put(k, new ArrayList<>(v)));
        }
        for (KeyPattern p : patterns) {
            s.patterns.add(new KeyPattern(p.pattern, p.flags));
        }
        s.channels = new ArrayList<>(channels);
        s.channelGlobs = new ArrayList<>(channelGlobs);
        return s;
    }

    // ---- the bitmap --------------------------------------------------------------------------

    boolean bit(int id) {
        return (bits[id >>> 6] & (1L << id)) != 0;
    }

    /** ACLSetSelectorCommandBit: clearing a bit also drops the all-commands shortcut. */
    void setBit(int id, boolean value) {
        if (value) {
            bits[id >>> 6] |= 1L << id;
        } else {
            bits[id >>> 6] &= ~(1L << id);
            allCommands = false;
        }
    }

    /** ACLChangeSelectorPerm: a command, and a container's subcommands with it. */
    void changePerm(int id, boolean allow) {
        setBit(id, allow);
        if (firstArgs != null) {
            firstArgs.remove(id);
        }
        for (int sub : commands.children(id)) {
            setBit(sub, allow);
        }
    }

    void setCategory(int cat, boolean allow) {
        for (int id = 0; id < commands.count(); id++) {
            if (commands.inCategory(id, cat)) {
                changePerm(id, allow);
            }
        }
    }

    private void setAll(boolean allow) {
        Arrays.fill(bits, allow ? -1L : 0L);
        allCommands = allow;
        firstArgs = null;
    }

    // ---- ACLSetSelector ----------------------------------------------------------------------

    /** Applies one rule of a selector (acl.c ACLSetSelector); a failed rule changes nothing. */
    Outcome apply(String op) {
        if (op.equalsIgnoreCase("allkeys") || op.equalsIgnoreCase("~*")) {
            allKeys = true;
            patterns.clear();
        } else if (op.equalsIgnoreCase("resetkeys")) {
            allKeys = false;
            patterns.clear();
        } else if (op.equalsIgnoreCase("allchannels") || op.equalsIgnoreCase("&*")) {
            allChannels = true;
            channels.clear();
            channelGlobs.clear();
        } else if (op.equalsIgnoreCase("resetchannels")) {
            allChannels = false;
            channels.clear();
            channelGlobs.clear();
        } else if (op.equalsIgnoreCase("allcommands") || op.equalsIgnoreCase("+@all")) {
            setAll(true);
        } else if (op.equalsIgnoreCase("nocommands") || op.equalsIgnoreCase("-@all")) {
            setAll(false);
        } else if (op.startsWith("~") || op.startsWith("%")) {
            return addKeyPattern(op);
        } else if (op.startsWith("&")) {
            if (allChannels) {
                return Outcome.EISDIR;
            }
            String p = op.substring(1);
            if (hasSpaces(p)) {
                return Outcome.EINVAL;
            }
            if (!channels.contains(p)) {
                channels.add(p);
                channelGlobs.add(GlobPattern.compile(p.getBytes(StandardCharsets.ISO_8859_1)));
            }
        } else if (op.startsWith("+") && !op.startsWith("+@")) {
            return allow(op.substring(1));
        } else if (op.startsWith("-") && !op.startsWith("-@")) {
            int id = commands.lookup(op.substring(1));
            if (id < 0) {
                return Outcome.ENOENT;
            }
            changePerm(id, false);
        } else if (op.startsWith("+@") || op.startsWith("-@")) {
            int cat = CommandBits.category(op.substring(2));
            if (cat < 0) {
                return Outcome.ENOENT;
            }
            setCategory(cat, op.charAt(0) == '+');
        } else {
            return Outcome.EINVAL;
        }
        return Outcome.OK;
    }

    private Outcome addKeyPattern(String op) {
        if (allKeys) {
            return Outcome.EEXIST;
        }
        int flags = 0;
        int offset = 1;
        if (op.charAt(0) == '%') {
            for (; offset < op.length(); offset++) {
                char c = Character.toUpperCase(op.charAt(offset));
                if (c == 'R' && (flags & READ) == 0) {
                    flags |= READ;
                } else if (c == 'W' && (flags & WRITE) == 0) {
                    flags |= WRITE;
                } else if (op.charAt(offset) == '~') {
                    offset++;
                    break;
                } else {
                    return Outcome.EINVAL;
                }
            }
            if (flags == 0) {
                // "%" or "%~x": no permission named (redis-server 7.0.15 answers a syntax error)
                return Outcome.EINVAL;
            }
        } else {
            flags = ALL;
        }
        // as acl.c: "%R" with no '~' takes the rest (nothing) as the pattern
        String p = offset <= op.length() ? op.substring(Math.min(offset, op.length())) : "";
        if (hasSpaces(p)) {
            return Outcome.EINVAL;
        }
        for (KeyPattern k : patterns) {
            if (k.pattern.equals(p)) {
                k.flags |= flags;
                return Outcome.OK;
            }
        }
        patterns.add(new KeyPattern(p, flags));
        return Outcome.OK;
    }

    /** "+cmd", "+container|sub", or the deprecated "+cmd|first-arg". */
    private Outcome allow(String name) {
        int bar = name.lastIndexOf('|');
        if (bar < 0) {
            int id = commands.lookup(name);
            if (id < 0) {
                return Outcome.ENOENT;
            }
            changePerm(id, true);
            return Outcome.OK;
        }
        String base = name.substring(0, bar);
        String sub = name.substring(bar + 1);
        int id = commands.lookup(base);
        if (id < 0) {
            return Outcome.ENOENT;
        }
        if (commands.isSubcommand(id)) {
            return Outcome.ECHILD;
        }
        if (sub.isEmpty()) {
            return Outcome.EINVAL;
        }
        if (commands.hasChildren(id)) {
            int full = commands.lookup(name);
            if (full < 0) {
                return Outcome.ENOENT;
            }
            changePerm(full, true);
        } else {
            if (firstArgs == null) {
                firstArgs = new HashMap<>();
            }
            List<String> args = firstArgs.computeIfAbsent(id, k -> new ArrayList<>());
            for (String a : args) {
                if (a.equalsIgnoreCase(sub)) {
                    return Outcome.OK;
                }
            }
            args.add(sub);
        }
        return Outcome.OK;
    }

    /** acl.c ACLStringHasSpaces: isspace or NUL. */
    static boolean hasSpaces(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f' || c == 0) {
                return true;
            }
        }
        return false;
    }

    // ---- checking ----------------------------------------------------------------------------

    /** Whether this selector lets anything through: every command, key and channel. */
    boolean unrestricted() {
        return allCommands && allKeys && allChannels;
    }

    /**
     * ACLSelectorCheckCmd: {@link AclCheck#OK}, or the reason this selector denies the call, with
     * the position of the key or channel in {@code check.position}.
     */
    int check(int id, byte[][] argv, AclCheck check) {
        if (!allCommands && !commands.isNoAuth(id) && !bit(id)) {
            List<String> args = firstArgs == null ? null : firstArgs.get(id);
            int idx = commands.isSubcommand(id) ? 2 : 1;
            if (args == null || argv.length < 2 || idx >= argv.length) {
                return AclCheck.DENIED_COMMAND;
            }
            String first = new String(argv[idx], StandardCharsets.ISO_8859_1);
            boolean found = false;
            for (String a : args) {
                if (a.equalsIgnoreCase(first)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return AclCheck.DENIED_COMMAND;
            }
        }
        if (!allKeys && commands.spec(id).hasKeys()) {
            KeyReferences keys = check.keys(commands.spec(id), argv);
            // -1 (the specs cannot place the keys: a bad numkeys) checks no key, as Redis's
            // ACLSelectorCheckCmd reads an empty result; the command then fails on its arguments
            int n = check.keyCount();
            for (int j = 0; j < n; j++) {
                int pos = keys.position(j);
                if (!keyAllowed(argv[pos], keys.flags(j))) {
                    check.position = pos;
                    return AclCheck.DENIED_KEY;
                }
            }
        }
        if (!allChannels) {
            int kind = commands.channelKind(id);
            if (kind != NO_CHANNELS) {
                int last = kind == PUBLISH ? Math.min(1, argv.length - 1) : argv.length - 1;
                for (int j = 1; j <= last; j++) {
                    if (!channelAllowed(argv[j], kind == PATTERN)) {
                        check.position = j;
                        return AclCheck.DENIED_CHANNEL;
                    }
                }
            }
        }
        return AclCheck.OK;
    }

    private static final int NO_CHANNELS = CommandBits.NO_CHANNELS;
    private static final int PUBLISH = CommandBits.PUBLISH;
    private static final int PATTERN = CommandBits.PATTERN;

    /** ACLSelectorCheckKey: a pattern with every permission the key spec's flags need. */
    boolean keyAllowed(byte[] key, int keySpecFlags) {
        if (allKeys) {
            return true;
        }
        int need = 0;
        if ((keySpecFlags & KeyFlag.ACCESS.bit()) != 0) {
            need |= READ;
        }
        if ((keySpecFlags & (KeyFlag.INSERT.bit() | KeyFlag.DELETE.bit() | KeyFlag.UPDATE.bit())) != 0) {
            need |= WRITE;
        }
        for (KeyPattern p : patterns) {
            if ((p.flags & need) == need && p.glob.matches(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * ACLCheckChannelAgainstList: a channel matches a pattern as a glob; a PSUBSCRIBE pattern must
     * equal an allowed pattern literally.
     */
    boolean channelAllowed(byte[] channel, boolean isPattern) {
        if (allChannels) {
            return true;
        }
        String c = isPattern ? new String(channel, StandardCharsets.ISO_8859_1) : null;
        for (int i = 0; i < channels.size(); i++) {
            if (isPattern ? channels.get(i).equals(c) : channelGlobs.get(i).matches(channel)) {
                return true;
            }
        }
        return false;
    }

    /** ACLSelectorHasUnrestrictedKeyAccess for the given permissions. */
    boolean allKeysFor(int need) {
        if (allKeys) {
            return true;
        }
        for (KeyPattern p : patterns) {
            if ((p.flags & need) == need && p.pattern.equals("*")) {
                return true;
            }
        }
        return false;
    }

    // ---- describing --------------------------------------------------------------------------

    /** ACLDescribeSelector: keys, channels, then the command rules. */
    String describe() {
        StringBuilder s = new StringBuilder();
        if (allKeys) {
            s.append("~* ");
        } else {
            for (KeyPattern p : patterns) {
                s.append(p.describe()).append(' ');
            }
        }
        if (allChannels) {
            s.append("&* ");
        } else {
            s.append("resetchannels ");
            for (String c : channels) {
                s.append('&').append(c).append(' ');
            }
        }
        s.append(describeCommands());
        return s.toString();
    }

    String describeKeys() {
        if (allKeys) {
            return "~*";
        }
        StringBuilder s = new StringBuilder();
        for (KeyPattern p : patterns) {
            if (s.length() > 0) {
                s.append(' ');
            }
            s.append(p.describe());
        }
        return s.toString();
    }

    String describeChannels() {
        if (allChannels) {
            return "&*";
        }
        StringBuilder s = new StringBuilder();
        for (String c : channels) {
            if (s.length() > 0) {
                s.append(' ');
            }
            s.append('&').append(c);
        }
        return s.toString();
    }

    /**
     * ACLDescribeSelectorCommandRules: +@all or -@all (by the reserved future-commands bit), then
     * greedily the category that best narrows the difference, then the single commands still
     * different, then the first-args; the rules, applied to a blank selector, rebuild the bitmap
     * exactly (checked, as Redis checks it).
     */
    String describeCommands() {
        StringBuilder rules = new StringBuilder();
        Selector fake = new Selector(commands, false, false);
        boolean additive;
        if (bit(commands.futureBit())) {
            additive = false;
            rules.append("+@all ");
            fake.setAll(true);
        } else {
            additive = true;
            rules.append("-@all ");
            fake.setAll(false);
        }
        Selector temp = new Selector(commands, false, false);
        temp.bits = bits.clone();
        boolean[] applied = new boolean[CommandBits.CATEGORIES.size()];
        while (true) {
            int best = -1;
            long minDiff = Integer.MAX_VALUE;
            long maxSame = 0;
            for (int j = 0; j < applied.length; j++) {
                if (applied[j]) {
                    continue;
                }
                long on = 0;
                long off = 0;
                for (int id = 0; id < commands.count(); id++) {
                    if (commands.inCategory(id, j)) {
                        if (temp.bit(id)) {
                            on++;
                        } else {
                            off++;
                        }
                    }
                }
                long diff = additive ? off : on;
                long same = additive ? on : off;
                if (same > diff && (diff < minDiff || (diff == minDiff && same > maxSame))) {
                    best = j;
                    minDiff = diff;
                    maxSame = same;
                }
            }
            if (best < 0) {
                break;
            }
            fake.setCategory(best, additive);
            temp.setCategory(best, !additive);
            rules.append(additive ? "+@" : "-@").append(CommandBits.CATEGORIES.get(best)).append(' ');
            applied[best] = true;
        }
        for (int id = 0; id < commands.count(); id++) {
            boolean user = bit(id);
            if (user != fake.bit(id)) {
                rules.append(user ? '+' : '-').append(commands.fullName(id)).append(' ');
                fake.changePerm(id, user);
            }
            List<String> args = firstArgs == null ? null : firstArgs.get(id);
            if (!user && args != null) {
                for (String a : args) {
                    rules.append('+').append(commands.fullName(id)).append('|').append(a).append(' ');
                }
            }
        }
        rules.setLength(rules.length() - 1);
        if (!Arrays.equals(fake.bits, bits)) {
            throw new IllegalStateException("ACL rules do not rebuild the command bitmap: " + rules);
        }
        return rules.toString();
    }
}
