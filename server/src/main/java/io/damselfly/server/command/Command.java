package io.damselfly.server.command;

import io.damselfly.server.command.spec.CommandSpec;
import io.damselfly.server.command.spec.KeyFlag;
import io.damselfly.server.command.spec.KeySpec;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One entry of the command table: a Redis command's metadata ({@link CommandSpec}: arity, flags,
 * key specs, documentation, as Redis 7.0.15 defines them) bound to the handler that runs it and
 * to damselfly's own flags. A container command (CLIENT, CONFIG, OBJECT, COMMAND) has subcommands
 * instead of a handler (COMMAND has both), each a Command of its own whose full name is
 * "container|sub" as in Redis 7; a container lists only the subcommands damselfly implements.
 */
public final class Command {
    private final CommandSpec spec;
    private final String name;
    private final String fullName;
    private final Set<CommandFlag> flags;
    /**
     * The same flags as bits by ordinal: {@link #has} runs several times per command, and the
     * set's contains is an interface call through its unmodifiable wrapper (about 10% of a
     * pipelined GET's server time by JFR).
     */
    private final long flagBits;
    /** Whether this is a container (the table made it with a subcommand map, filled later). */
    private final boolean container;
    private final CommandHandler handler;
    private final Map<String, Command> subcommands;
    private final Command parent;
    /**
     * The argument position of the one key of a command whose single key spec names exactly one
     * key at a fixed position (GET, SET, INCR, OBJECT ENCODING ...), or 0: the executor's
     * allocation-free fast path needs nothing else.
     */
    private final int singleKeyIndex;

    /** Dense id (0..n-1 over commands and subcommands), assigned once by the {@link CommandTable}. */
    private int id = -1;

    Command(CommandSpec spec, Command parent, CommandHandler handler, Set<CommandFlag> own,
            Map<String, Command> subcommands) {
        this.spec = spec;
        this.name = spec.name();
        this.parent = parent;
        this.fullName = spec.fullName();
        EnumSet<CommandFlag> all = EnumSet.noneOf(CommandFlag.class);
        for (String f : spec.commandFlags()) {
            all.add(CommandFlag.valueOf(f));
        }
        if (spec.movableKeys()) {
            all.add(CommandFlag.MOVABLE_KEYS);
        }
        all.addAll(own);
        this.flags = Collections.unmodifiableSet(all);
        long bits = 0;
        for (CommandFlag f : all) {
            bits |= 1L << f.ordinal();
        }
        this.flagBits = bits;
        this.handler = handler;
        this.subcommands = subcommands;
        this.container = subcommands != NO_SUBCOMMANDS;
        this.singleKeyIndex = singleKeyIndex(spec);
    }

    private static int singleKeyIndex(CommandSpec spec) {
        // VARIABLE_FLAGS changes the key's flags, not its position, so SET and BITFIELD qualify
        if (spec.keySpecs().size() != 1) {
            return 0;
        }
        KeySpec k = spec.keySpecs().get(0);
        boolean one = k.beginSearch() == KeySpec.BeginSearch.INDEX && k.findKeys() == KeySpec.FindKeys.RANGE
                && k.lastKey() == 0 && !k.has(KeyFlag.INCOMPLETE) && !k.has(KeyFlag.NOT_KEY);
        return one ? k.index() : 0;
    }

    /** What Redis says about this command. */
    public CommandSpec spec() {
        return spec;
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
        return spec.arity();
    }

    public boolean acceptsArgCount(int argc) {
        int arity = spec.arity();
        return arity >= 0 ? argc == arity : argc >= -arity;
    }

    /** Redis's flags (from its metadata, movablekeys derived) and damselfly's own. */
    public Set<CommandFlag> flags() {
        return flags;
    }

    public boolean has(CommandFlag flag) {
        return (flagBits & (1L << flag.ordinal())) != 0;
    }

    public boolean isNoAuth() {
        return has(CommandFlag.NO_AUTH);
    }

    public boolean isDenyOom() {
        return has(CommandFlag.DENYOOM);
    }

    /** Whether the command works on the whole keyspace rather than on named keys ({@link CommandFlag#WHOLE_KEYSPACE}). */
    public boolean touchesWholeKeyspace() {
        return flags.contains(CommandFlag.WHOLE_KEYSPACE);
    }

    /** Whether calls of it may name keys (Redis's doesCommandHaveKeys). */
    public boolean hasKeys() {
        return spec.hasKeys();
    }

    /** The key's argument position when the command always names exactly one key there, else 0. */
    public int singleKeyIndex() {
        return singleKeyIndex;
    }

    /** Legacy first key position (COMMAND INFO), 0 for none. */
    public int firstKey() {
        return spec.legacyFirstKey();
    }

    /** Legacy last key position (COMMAND INFO): negative counts from the end. */
    public int lastKey() {
        return spec.legacyLastKey();
    }

    /** Legacy key step (COMMAND INFO). */
    public int keyStep() {
        return spec.legacyKeyStep();
    }

    public String group() {
        return spec.group();
    }

    public String since() {
        return spec.since();
    }

    public String summary() {
        return spec.summary();
    }

    public CommandHandler handler() {
        return handler;
    }

    public Command parent() {
        return parent;
    }

    public boolean isContainer() {
        return container;
    }

    /** The subcommands damselfly implements, by lower-case name, in registration order. */
    public Map<String, Command> subcommands() {
        return subcommands;
    }

    public Command subcommand(byte[] name) {
        return subcommands.get(new String(name, java.nio.charset.StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
    }

    /** ACL categories as COMMAND INFO reports them, declared and implicit, in Redis's order. */
    public List<String> aclCategories() {
        return spec.aclCategories();
    }

    /** Redis's command tips for clients (COMMAND INFO element 8); empty for most commands. */
    public List<String> tips() {
        return spec.tips();
    }

    /** The complexity COMMAND DOCS reports, or null when not documented. */
    public String complexity() {
        return spec.complexity();
    }

    private static final Map<String, Command> NO_SUBCOMMANDS = Collections.emptyMap();

    static {
        if (CommandFlag.values().length > Long.SIZE) {
            throw new ExceptionInInitializerError("Command.flagBits holds at most 64 flags");
        }
    }

    static Map<String, Command> noSubcommands() {
        return NO_SUBCOMMANDS;
    }

    static Map<String, Command> subcommandMap() {
        return new LinkedHashMap<>();
    }

    @Override
    public String toString() {
        return fullName;
    }
}
