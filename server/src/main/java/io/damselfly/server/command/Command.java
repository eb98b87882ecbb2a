package io.damselfly.server.command;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One entry of the command table: the metadata Redis's command table holds (name, arity, flags,
 * key positions, documentation) and the handler that runs it. A container command (CLIENT,
 * CONFIG, OBJECT, COMMAND) has subcommands instead of a handler, each a Command of its own whose
 * full name is "container|sub" as in Redis 7.
 */
public final class Command {
    private final String name;
    private final String fullName;
    private final int arity;
    private final Set<CommandFlag> flags;
    private final KeySpec keys;
    private final String group;
    private final String since;
    private final String summary;
    private final CommandHandler handler;
    private final Map<String, Command> subcommands;
    private final Command parent;
    private final boolean noAuth;
    private final boolean denyOom;
    /** ACL categories Redis declares explicitly (e.g. @keyspace, @dangerous); set while building. */
    private Set<String> explicitCategories = Collections.emptySet();
    /** Redis's command tips (nondeterministic_output, request_policy:...); set while building. */
    private List<String> tips = Collections.emptyList();
    /** COMMAND DOCS complexity, or null when not documented; set while building. */
    private String complexity;

    /** Dense id (0..n-1 over commands and subcommands), assigned once by the {@link CommandTable}. */
    private int id = -1;

    Command(String name, Command parent, int arity, Set<CommandFlag> flags, KeySpec keys, String group,
            String since, String summary, CommandHandler handler, Map<String, Command> subcommands) {
        this.name = name.toLowerCase(Locale.ROOT);
        this.parent = parent;
        this.fullName = parent == null ? this.name : parent.name + "|" + this.name;
        this.arity = arity;
        this.flags = flags.isEmpty() ? Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(flags));
        this.keys = keys;
        this.group = group;
        this.since = since;
        this.summary = summary;
        this.handler = handler;
        this.subcommands = subcommands;
        this.noAuth = flags.contains(CommandFlag.NO_AUTH);
        this.denyOom = flags.contains(CommandFlag.DENYOOM);
    }

    public String name() {
        return name;
    }

    /**
     * This command's index in per-command arrays (statistics): every command and subcommand of a
     * table has its own, from 0 to {@link CommandTable#idCount()} - 1.
     */
    public int id() {
        return id;
    }

    void assignId(int id) {
        this.id = id;
    }

    /** "get", or "client|list" for a subcommand: the name Redis uses in errors and stats. */
    public String fullName() {
        return fullName;
    }

    /** Redis arity: exact argument count including the name, or at least -arity when negative. */
    public int arity() {
        return arity;
    }

    public boolean acceptsArgCount(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }

    public Set<CommandFlag> flags() {
        return flags;
    }

    public boolean has(CommandFlag flag) {
        return flags.contains(flag);
    }

    public boolean isNoAuth() {
        return noAuth;
    }

    public boolean isDenyOom() {
        return denyOom;
    }

    public KeySpec keys() {
        return keys;
    }

    public String group() {
        return group;
    }

    public String since() {
        return since;
    }

    public String summary() {
        return summary;
    }

    public CommandHandler handler() {
        return handler;
    }

    public Command parent() {
        return parent;
    }

    public boolean isContainer() {
        return !subcommands.isEmpty();
    }

    /** Subcommands by lower-case name, in registration order. */
    public Map<String, Command> subcommands() {
        return subcommands;
    }

    public Command subcommand(byte[] name) {
        return subcommands.get(new String(name, java.nio.charset.StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
    }

    /**
     * ACL categories as COMMAND INFO reports them: those implied by the flags (Redis's
     * setImplicitACLCategories), the group's own category, and the ones declared explicitly at
     * registration; in Redis's category order, so the reply matches Redis's byte for byte.
     */
    public Set<String> aclCategories() {
        Set<String> cats = new java.util.HashSet<>(explicitCategories);
        if (flags.contains(CommandFlag.WRITE)) {
            cats.add("@write");
        }
        if (flags.contains(CommandFlag.READONLY)) {
            cats.add("@read");
        }
        if (flags.contains(CommandFlag.ADMIN)) {
            cats.add("@admin");
            cats.add("@dangerous");
        }
        if (flags.contains(CommandFlag.PUBSUB)) {
            cats.add("@pubsub");
        }
        cats.add(flags.contains(CommandFlag.FAST) ? "@fast" : "@slow");
        if (flags.contains(CommandFlag.BLOCKING)) {
            cats.add("@blocking");
        }
        String groupCategory = switch (group) {
            case "string" -> "@string";
            case "generic" -> "@keyspace";
            case "list" -> "@list";
            case "hash" -> "@hash";
            case "set" -> "@set";
            case "sorted-set" -> "@sortedset";
            case "stream" -> "@stream";
            case "connection" -> "@connection";
            case "transactions" -> "@transaction";
            case "scripting" -> "@scripting";
            default -> null;
        };
        // a container (CLIENT, OBJECT) carries no group category in Redis: its subcommands do,
        // and one that has its own (COMMAND's @connection) declares it explicitly
        if (groupCategory != null && subcommands.isEmpty()) {
            cats.add(groupCategory);
        }
        Set<String> ordered = new java.util.LinkedHashSet<>();
        for (String c : ACL_CATEGORY_ORDER) {
            if (cats.remove(c)) {
                ordered.add(c);
            }
        }
        ordered.addAll(cats);
        return ordered;
    }

    /** Redis's ACL categories in the order of their bits (acl.c ACLCommandCategories). */
    public static final List<String> ACL_CATEGORY_ORDER = List.of("@keyspace", "@read", "@write", "@set",
            "@sortedset", "@list", "@hash", "@string", "@bitmap", "@hyperloglog", "@geo", "@stream", "@pubsub",
            "@admin", "@fast", "@slow", "@blocking", "@dangerous", "@connection", "@transaction", "@scripting");

    /** Redis's command tips for clients (COMMAND INFO element 8); empty for most commands. */
    public List<String> tips() {
        return tips;
    }

    /** The complexity COMMAND DOCS reports, or null when not documented. */
    public String complexity() {
        return complexity;
    }

    void addCategories(String... categories) {
        Set<String> s = new java.util.LinkedHashSet<>(explicitCategories);
        for (String c : categories) {
            if (!c.startsWith("@")) {
                throw new IllegalArgumentException("ACL category must start with @: " + c);
            }
            s.add(c);
        }
        explicitCategories = Collections.unmodifiableSet(s);
    }

    void setTips(String... tips) {
        this.tips = List.of(tips);
    }

    void setComplexity(String complexity) {
        this.complexity = complexity;
    }

    static Map<String, Command> noSubcommands() {
        return Collections.emptyMap();
    }

    static Map<String, Command> subcommandMap() {
        return new LinkedHashMap<>();
    }

    @Override
    public String toString() {
        return fullName;
    }
}
