package io.damselfly.server.command;

import io.damselfly.server.command.spec.CommandSpec;
import io.damselfly.server.command.spec.RedisCommandCatalog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Every command damselfly accepts, built once at start by each family's {@code register} block,
 * which binds handlers to Redis's command metadata ({@link Builder}).
 *
 * <p>Lookup is by the raw name bytes, ASCII case-insensitive, without building a String: an open
 * addressing table sized to a power of two at least four times the command count, probed
 * linearly, hashing the lower-cased bytes. The table is immutable after build, so lookups need no
 * synchronisation.
 */
public final class CommandTable {
    private final Map<String, Command> byName;
    private final Command[] slots;
    private final byte[][] slotNames;
    private final int idCount;

    private CommandTable(Map<String, Command> byName) {
        this.byName = Collections.unmodifiableMap(byName);
        int id = 0;
        for (Command c : byName.values()) {
            c.assignId(id++);
            for (Command sub : c.subcommands().values()) {
                sub.assignId(id++);
            }
        }
        this.idCount = id;
        int cap = Integer.highestOneBit(Math.max(16, byName.size() * 4) - 1) << 1;
        this.slots = new Command[cap];
        this.slotNames = new byte[cap][];
        for (Command c : byName.values()) {
            byte[] n = c.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            int i = foldedHash(n) & (cap - 1);
            while (slots[i] != null) {
                i = (i + 1) & (cap - 1);
            }
            slots[i] = c;
            slotNames[i] = n;
        }
    }

    /** The command named by these bytes (any case), or null. */
    public Command lookup(byte[] name) {
        int mask = slots.length - 1;
        int i = foldedHash(name) & mask;
        while (slots[i] != null) {
            if (equalsFolded(slotNames[i], name)) {
                return slots[i];
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    /** The command by lower-case name, or null. */
    public Command get(String name) {
        return byName.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * The command or subcommand by the name COMMAND INFO and COMMAND DOCS accept: "get", or
     * "config|get" for a subcommand; any case. Null when there is none.
     */
    public Command byFullName(String fullName) {
        int bar = fullName.indexOf('|');
        if (bar < 0) {
            return get(fullName);
        }
        Command parent = get(fullName.substring(0, bar));
        if (parent == null) {
            return null;
        }
        return parent.subcommands().get(fullName.substring(bar + 1).toLowerCase(Locale.ROOT));
    }

    /** Every top-level command, in registration order. */
    public Collection<Command> all() {
        return byName.values();
    }

    /** Every command, each followed by its subcommands: what COMMAND LIST names. */
    public List<Command> allWithSubcommands() {
        List<Command> out = new ArrayList<>();
        for (Command c : byName.values()) {
            out.add(c);
            out.addAll(c.subcommands().values());
        }
        return out;
    }

    public int size() {
        return byName.size();
    }

    /** Number of command ids: every command and every subcommand has one (see {@link Command#id()}). */
    public int idCount() {
        return idCount;
    }

    private static int foldedHash(byte[] b) {
        int h = 0;
        for (byte x : b) {
            h = 31 * h + lower(x);
        }
        return h ^ (h >>> 16);
    }

    private static boolean equalsFolded(byte[] lowerName, byte[] candidate) {
        if (lowerName.length != candidate.length) {
            return false;
        }
        for (int i = 0; i < candidate.length; i++) {
            if (lowerName[i] != lower(candidate[i])) {
                return false;
            }
        }
        return true;
    }

    private static int lower(byte b) {
        return (b >= 'A' && b <= 'Z') ? b + ('a' - 'A') : b;
    }

    /** A builder over Redis 7.0.15's command metadata (the bundled {@link RedisCommandCatalog}). */
    public static Builder builder() {
        return new Builder(RedisCommandCatalog.redis());
    }

    /** A builder over the given metadata (tests). */
    public static Builder builder(RedisCommandCatalog catalog) {
        return new Builder(catalog);
    }

    /**
     * Collects the families' registrations. Everything Redis says about a command (arity, flags,
     * key specs, ACL categories, tips, documentation) comes from the catalog; a family binds a
     * handler and adds damselfly's own flags, one line per command:
     * <pre>
     * t.add("get", StringCommands::get, CACHEABLE);
     * t.container("object", o -> o.add("encoding", KeyCommands::objectEncoding) ...);
     * </pre>
     * A name the catalog does not have is refused, so damselfly cannot answer a command that the
     * Redis version it reports does not have.
     */
    public static final class Builder {
        private final RedisCommandCatalog catalog;
        private final Map<String, Command> byName = new LinkedHashMap<>();

        private Builder(RedisCommandCatalog catalog) {
            this.catalog = catalog;
        }

        /** A plain command: its handler and damselfly's flags (CACHEABLE, STATEFUL, WHOLE_KEYSPACE). */
        public Builder add(String name, CommandHandler handler, CommandFlag... own) {
            CommandSpec spec = spec(name);
            if (!spec.subcommands().isEmpty()) {
                throw new IllegalStateException(name + " is a container in Redis " + catalog.redisVersion()
                        + ": register it with container()");
            }
            put(new Command(spec, null, Objects.requireNonNull(handler, name), ownFlags(spec, own), Command.noSubcommands()));
            return this;
        }

        /** A container command (CLIENT, CONFIG, ...) with the subcommands damselfly implements. */
        public Builder container(String name, Consumer<Subcommands> subs) {
            return container(name, null, subs);
        }

        /**
         * A container that also runs on its own when called without a subcommand, as COMMAND
         * does: {@code handler} runs for the bare name.
         */
        public Builder container(String name, CommandHandler handler, Consumer<Subcommands> subs, CommandFlag... own) {
            CommandSpec spec = spec(name);
            if (spec.subcommands().isEmpty()) {
                throw new IllegalStateException(name + " has no subcommands in Redis " + catalog.redisVersion());
            }
            Map<String, Command> map = Command.subcommandMap();
            Command parent = new Command(spec, null, handler, ownFlags(spec, own), Collections.unmodifiableMap(map));
            subs.accept(new Subcommands(parent, map, catalog.redisVersion()));
            if (map.isEmpty()) {
                throw new IllegalStateException(name + ": a container needs at least one subcommand");
            }
            put(parent);
            return this;
        }

        private CommandSpec spec(String name) {
            CommandSpec spec = catalog.get(name);
            if (spec == null || !spec.name().equals(name)) {
                throw new IllegalStateException("no command \"" + name + "\" in Redis " + catalog.redisVersion()
                        + "'s command table (names are registered lower-case)");
            }
            return spec;
        }

        private void put(Command c) {
            if (byName.putIfAbsent(c.name(), c) != null) {
                throw new IllegalStateException("command registered twice: " + c.name());
            }
        }

        public CommandTable build() {
            return new CommandTable(byName);
        }
    }

    /** Registration of a container's subcommands. */
    public static final class Subcommands {
        private final Command parent;
        private final Map<String, Command> map;
        private final String redisVersion;

        Subcommands(Command parent, Map<String, Command> map, String redisVersion) {
            this.parent = parent;
            this.map = map;
            this.redisVersion = redisVersion;
        }

        /** A subcommand: its handler and damselfly's flags. */
        public Subcommands add(String name, CommandHandler handler, CommandFlag... own) {
            CommandSpec spec = parent.spec().subcommands().get(name);
            if (spec == null) {
                throw new IllegalStateException("no subcommand \"" + parent.name() + "|" + name + "\" in Redis "
                        + redisVersion + "'s command table");
            }
            Command c = new Command(spec, parent, Objects.requireNonNull(handler, name), ownFlags(spec, own),
                    Command.noSubcommands());
            if (map.putIfAbsent(c.name(), c) != null) {
                throw new IllegalStateException("subcommand registered twice: " + c.fullName());
            }
            return this;
        }
    }

    /**
     * damselfly's flags of a registration; Redis's own come from the metadata, never from here.
     * WHOLE_KEYSPACE is checked against Redis's data: a command Redis files under @keyspace that
     * names no keys works on the whole keyspace (KEYS, SCAN, DBSIZE, RANDOMKEY, FLUSHALL, FLUSHDB,
     * SWAPDB; OBJECT HELP is the one exception), so registering one without the flag fails at
     * start, and a future command of that kind cannot be forgotten. Others may carry it too (a
     * future SAVE walks every key); a command with key specs may not.
     */
    private static Set<CommandFlag> ownFlags(CommandSpec spec, CommandFlag[] flags) {
        EnumSet<CommandFlag> set = EnumSet.noneOf(CommandFlag.class);
        for (CommandFlag f : flags) {
            if (!f.isDamselflys()) {
                throw new IllegalArgumentException(spec.fullName() + ": " + f + " is Redis's flag; it comes from the command metadata");
            }
            set.add(f);
        }
        boolean whole = set.contains(CommandFlag.WHOLE_KEYSPACE);
        if (!whole && spec.keySpecs().isEmpty() && spec.aclCategories().contains("@keyspace") && !spec.name().equals("help")) {
            throw new IllegalStateException(spec.fullName() + " names no keys but works on the keyspace: register it WHOLE_KEYSPACE");
        }
        if (whole && !spec.keySpecs().isEmpty()) {
            throw new IllegalStateException(spec.fullName() + " names its keys: it is not WHOLE_KEYSPACE");
        }
        return set;
    }
}
