package io.damselfly.server.acl;

import io.damselfly.server.command.Command;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * An ACL user (acl.c's user): a name and its rules, the flags (on/off, nopass, payload
 * sanitising), SHA-256 password hashes and selectors, the root one first.
 *
 * <p>The rules are an immutable snapshot swapped whole by ACL SETUSER (which, as Redis, builds the
 * new rules on a copy and applies all of them or none), so a permission check on any thread reads
 * one consistent set without locking. {@link #unrestricted()} is precomputed per snapshot: a user
 * allowed every command, key and channel (the default user as shipped) costs the command path one
 * field read.
 */
public final class User {
    static final int ENABLED = 1;
    static final int DISABLED = 2;
    static final int NOPASS = 4;
    static final int SKIP_SANITIZE_PAYLOAD = 8;
    static final int SANITIZE_PAYLOAD = 16;
    /** acl.c ACLUserFlags, in the order ACL LIST and ACL GETUSER print them. */
    private static final String[] FLAG_NAMES = {"on", "off", "nopass", "skip-sanitize-payload", "sanitize-payload"};

    private final String name;
    private volatile Rules rules;
    private volatile boolean unrestricted;

    User(String name, Rules rules) {
        this.name = name;
        set(rules);
    }

    public String name() {
        return name;
    }

    Rules rules() {
        return rules;
    }

    void set(Rules r) {
        rules = r;
        r.described = null;
        boolean free = false;
        for (Selector s : r.selectors) {
            free |= s.unrestricted();
        }
        unrestricted = free;
    }

    /** Whether every command, key and channel is allowed: no check needed. */
    public boolean unrestricted() {
        return unrestricted;
    }

    public boolean enabled() {
        return (rules.flags & DISABLED) == 0;
    }

    public boolean nopass() {
        return (rules.flags & NOPASS) != 0;
    }

    /**
     * ACLCheckAllUserCommandPerm: {@link AclCheck#OK} when some selector allows the whole call;
     * otherwise the reason to report (a command refusal only if every selector refused the
     * command; else the key or channel refusal at the highest position), its argument index left
     * in {@code check}.
     */
    public int check(CommandBits bits, Command cmd, byte[][] argv, AclCheck check) {
        int id = bits.idOf(cmd);
        if (id < 0) {
            check.reset();
            return AclCheck.DENIED_COMMAND;
        }
        return check(id, argv, check);
    }

    /** {@link #check(CommandBits, Command, byte[][], AclCheck)} by ACL command id (ACL DRYRUN). */
    public int check(int id, byte[][] argv, AclCheck check) {
        check.reset();
        int relevant = AclCheck.DENIED_COMMAND;
        int lastPos = 0;
        for (Selector s : rules.selectors) {
            check.position = 0;
            int r = s.check(id, argv, check);
            if (r == AclCheck.OK) {
                return AclCheck.OK;
            }
            if (r > relevant || (r == relevant && check.position > lastPos)) {
                relevant = r;
                lastPos = check.position;
            }
        }
        check.position = lastPos;
        return relevant;
    }

    /**
     * ACLUserCheckCmdWithUnrestrictedKeyAccess for reads: whether some selector both allows the
     * call and may read every key (SORT's BY and GET, which read keys named only by patterns).
     */
    public boolean mayReadEveryKey(CommandBits bits, Command cmd, byte[][] argv) {
        if (unrestricted) {
            return true;
        }
        int id = bits.idOf(cmd);
        AclCheck check = new AclCheck();
        for (Selector s : rules.selectors) {
            check.position = 0;
            if (id >= 0 && s.check(id, argv, check) == AclCheck.OK && s.allKeysFor(Selector.READ)) {
                return true;
            }
        }
        return false;
    }

    /** ACLUserCheckChannelPerm: whether some selector allows this channel (or pattern). */
    boolean channelAllowed(byte[] channel, boolean isPattern) {
        for (Selector s : rules.selectors) {
            if (s.channelAllowed(channel, isPattern)) {
                return true;
            }
        }
        return false;
    }

    /** ACLUserCheckKeyPerm for a read ({@code write} false) or a write. */
    public boolean keyAllowed(byte[] key, int keySpecFlags) {
        for (Selector s : rules.selectors) {
            if (s.keyAllowed(key, keySpecFlags)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code password} is one of the user's (or the user is nopass). Constant time per hash. */
    boolean passwordMatches(byte[] password) {
        Rules r = rules;
        if ((r.flags & NOPASS) != 0) {
            return true;
        }
        byte[] hashed = hash(password).getBytes(StandardCharsets.US_ASCII);
        boolean ok = false;
        for (String p : r.passwords) {
            ok |= MessageDigest.isEqual(hashed, p.getBytes(StandardCharsets.US_ASCII));
        }
        return ok;
    }

    /** ACLDescribeUser: flags, "#hash"es, the root selector, then "(...)" per other selector. */
    public String describe() {
        Rules r = rules;
        String d = r.described;
        if (d == null) {
            StringBuilder s = new StringBuilder();
            for (String f : flagNames(r)) {
                s.append(f).append(' ');
            }
            for (String p : r.passwords) {
                s.append('#').append(p).append(' ');
            }
            for (Selector sel : r.selectors) {
                if (sel.root) {
                    s.append(sel.describe());
                } else {
                    s.append(" (").append(sel.describe()).append(')');
                }
            }
            d = s.toString();
            r.described = d;
        }
        return d;
    }

    static List<String> flagNames(Rules r) {
        List<String> out = new ArrayList<>();
        for (int j = 0; j < FLAG_NAMES.length; j++) {
            if ((r.flags & (1 << j)) != 0) {
                out.add(FLAG_NAMES[j]);
            }
        }
        return out;
    }

    /** SHA-256 of the password as 64 lower-case hex digits (acl.c ACLHashPassword). */
    static String hash(byte[] password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(password));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The user's rules: built on a copy, then published whole (never changed after). */
    static final class Rules {
        int flags;
        List<String> passwords = new ArrayList<>();
        List<Selector> selectors = new ArrayList<>();
        /** ACL LIST's line, made on first use. */
        volatile String described;

        Rules copy() {
            Rules r = new Rules();
            r.flags = flags;
            r.passwords = new ArrayList<>(passwords);
            for (Selector s : selectors) {
                r.selectors.add(s.copy());
            }
            return r;
        }

        Selector root() {
            return selectors.get(0);
        }
    }
}
