package io.damselfly.server.acl;

import io.damselfly.server.command.Command;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.spec.CommandSpec;
import io.damselfly.server.command.spec.RedisCommandCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ACL command id space: one bit per Redis 7.0.15 command and subcommand, as acl.c's
 * allowed_commands bitmap, plus one reserved bit for "future commands" (set only by +@all and
 * allcommands, which is what makes ACLDescribeSelectorCommandRules start from +@all).
 *
 * <p>The space covers every command of the catalog, not only those damselfly implements: a user
 * may be given +bgrewriteaof as on redis-server, and the category arithmetic of ACL GETUSER / ACL
 * LIST (which counts how many commands of each category a user has) must count what Redis counts
 * to pick the same categories. Ids follow the catalog's order, each command followed by its
 * subcommands; Redis walks a hash table whose order changes from run to run, so the order of
 * single-command rules in a description is Redis's in content only.
 */
public final class CommandBits {
    /** The categories in acl.c's order; a category's bit is its index. */
    public static final List<String> CATEGORIES = CommandSpec.ACL_CATEGORY_ORDER;

    private final CommandSpec[] specs;
    private final int[] parent;
    private final int[][] children;
    private final int[] categories;
    /** NO_AUTH commands (AUTH, HELLO ...), which every user may run. */
    private final boolean[] noAuth;
    /** db.c commands_with_channels: how a command names channels ({@link #NO_CHANNELS} ...). */
    private final int[] channelKinds;
    private final Map<String, Integer> byFullName = new HashMap<>();
    /** ACL id by {@link Command#id()}. */
    private final int[] byTableId;

    public CommandBits(RedisCommandCatalog catalog, CommandTable table) {
        List<CommandSpec> all = new ArrayList<>();
        List<Integer> parents = new ArrayList<>();
        for (CommandSpec c : catalog.all()) {
            int pid = all.size();
            all.add(c);
            parents.add(-1);
            for (CommandSpec s : c.subcommands().values()) {
                all.add(s);
                parents.add(pid);
            }
        }
        specs = all.toArray(new CommandSpec[0]);
        parent = new int[specs.length];
        children = new int[specs.length][];
        categories = new int[specs.length];
        noAuth = new boolean[specs.length];
        channelKinds = new int[specs.length];
        for (int i = 0; i < specs.length; i++) {
            parent[i] = parents.get(i);
            byFullName.put(specs[i].fullName().toLowerCase(Locale.ROOT), i);
            int mask = 0;
            for (String cat : specs[i].aclCategories()) {
                String n = cat.startsWith("@") ? cat.substring(1) : cat;
                mask |= 1 << CATEGORIES.indexOf(n.toLowerCase(Locale.ROOT));
            }
            categories[i] = mask;
            noAuth[i] = specs[i].commandFlags().contains("NO_AUTH");
            channelKinds[i] = parent[i] >= 0 ? NO_CHANNELS : switch (specs[i].name()) {
                case "publish", "spublish" -> PUBLISH;
                case "subscribe", "ssubscribe" -> SUBSCRIBE;
                case "psubscribe" -> PATTERN;
                default -> NO_CHANNELS;
            };
            int n = specs[i].subcommands().size();
            children[i] = new int[n];
            for (int j = 0; j < n; j++) {
                children[i][j] = i + 1 + j;
            }
        }
        byTableId = new int[table.idCount()];
        java.util.Arrays.fill(byTableId, -1);
        for (Command c : table.allWithSubcommands()) {
            Integer id = byFullName.get(c.fullName().toLowerCase(Locale.ROOT));
            if (id != null) {
                byTableId[c.id()] = id;
            }
        }
    }

    /** Channel kinds: none, the first argument published to, every argument subscribed to, patterns. */
    static final int NO_CHANNELS = 0;
    static final int PUBLISH = 1;
    static final int SUBSCRIBE = 2;
    static final int PATTERN = 3;

    public CommandSpec spec(int id) {
        return specs[id];
    }

    boolean isNoAuth(int id) {
        return noAuth[id];
    }

    int channelKind(int id) {
        return channelKinds[id];
    }

    /**
     * server.c lookupCommand (not strict): the command an argv names, a container's subcommand
     * when there is a second argument; -1 when there is none. ACL DRYRUN uses it, so it knows every
     * 7.0.15 command, implemented or not.
     */
    public int lookupCall(byte[][] argv) {
        int base = lookup(new String(argv[0], java.nio.charset.StandardCharsets.ISO_8859_1));
        if (base < 0 || argv.length < 2 || !hasChildren(base)) {
            return base;
        }
        Integer sub = byFullName.get((specs[base].name() + "|"
                + new String(argv[1], java.nio.charset.StandardCharsets.ISO_8859_1)).toLowerCase(Locale.ROOT));
        return sub == null ? -1 : sub;
    }

    /** Bits a selector's bitmap holds: every command plus the reserved "future commands" bit. */
    int size() {
        return specs.length + 1;
    }

    /** The reserved bit set only by +@all / allcommands. */
    int futureBit() {
        return specs.length;
    }

    /** Number of commands and subcommands. */
    public int count() {
        return specs.length;
    }

    public String fullName(int id) {
        return specs[id].fullName();
    }

    public boolean isSubcommand(int id) {
        return parent[id] >= 0;
    }

    int[] children(int id) {
        return children[id];
    }

    boolean hasChildren(int id) {
        return children[id].length > 0;
    }

    /** Whether command {@code id} belongs to category bit {@code cat}. */
    boolean inCategory(int id, int cat) {
        return (categories[id] & (1 << cat)) != 0;
    }

    /** The ACL id of a table command, or -1 (never for a command damselfly registers). */
    public int idOf(Command c) {
        return byTableId[c.id()];
    }

    /** A category's bit by name (any case), or -1: acl.c ACLGetCommandCategoryFlagByName. */
    public static int category(String name) {
        for (int i = 0; i < CATEGORIES.size(); i++) {
            if (CATEGORIES.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * server.c lookupCommandBySdsLogic in strict mode: "get", or "config|get" for a subcommand of
     * a container; -1 for anything else (an unknown name, a '|' after a plain command, more than
     * one '|').
     */
    public int lookup(String name) {
        String[] parts = name.split("\\|", -1);
        if (parts.length > 2 || name.isEmpty()) {
            return -1;
        }
        Integer base = byFullName.get(parts[0].toLowerCase(Locale.ROOT));
        if (base == null || parent[base] >= 0) {
            return -1;
        }
        if (parts.length == 1) {
            return base;
        }
        if (!hasChildren(base)) {
            return -1;
        }
        Integer sub = byFullName.get((parts[0] + "|" + parts[1]).toLowerCase(Locale.ROOT));
        return sub == null ? -1 : sub;
    }

    /** Every command and subcommand in category {@code cat}, by full name (ACL CAT category). */
    public List<String> namesIn(int cat) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < specs.length; i++) {
            if (inCategory(i, cat)) {
                out.add(specs[i].fullName());
            }
        }
        return out;
    }
}
