package io.damselfly.server.command;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Every command damselfly accepts, built once at start by each family's {@code register} block.
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

    public Collection<Command> all() {
        return byName.values();
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

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Collects the families' registrations. A family calls {@link #group(String)} once, then one
     * {@link #add} line per command:
     * <pre>
     * t.add("get", 2, KeySpec.FIRST, "1.0.0", "Returns the string value of a key.", StringCommands::get, READONLY, FAST);
     * </pre>
     */
    public static final class Builder {
        private final Map<String, Command> byName = new LinkedHashMap<>();
        private String group = "generic";
        private Command last;

        public Builder group(String group) {
            this.group = group;
            return this;
        }

        public Builder add(String name, int arity, KeySpec keys, String since, String summary,
                           CommandHandler handler, CommandFlag... flags) {
            put(new Command(name, null, arity, flagSet(flags), keys, group, since, summary, handler,
                    Command.noSubcommands()));
            return this;
        }

        /**
         * A container command (CLIENT, CONFIG, ...): its subcommands are declared inside
         * {@code subs} with the same {@link Subcommands#add} shape; their arity counts the
         * container's name too, as in Redis.
         */
        public Builder container(String name, String since, String summary, Consumer<Subcommands> subs) {
            return container(name, -2, since, summary, null, subs);
        }

        /**
         * A container that also runs on its own when called without a subcommand, as COMMAND
         * does: {@code handler} runs for the bare name, {@code arity} is the container's own.
         */
        public Builder container(String name, int arity, String since, String summary, CommandHandler handler,
                                 Consumer<Subcommands> subs, CommandFlag... flags) {
            Map<String, Command> map = Command.subcommandMap();
            Command parent = new Command(name, null, arity, flagSet(flags), KeySpec.NONE, group,
                    since, summary, handler, Collections.unmodifiableMap(map));
            subs.accept(new Subcommands(parent, map, group));
            put(parent);
            return this;
        }

        /** Adds ACL categories Redis declares explicitly (beyond those the flags imply) to the last command. */
        public Builder acl(String... categories) {
            last().addCategories(categories);
            return this;
        }

        /** Sets Redis's command tips (COMMAND INFO) of the last command. */
        public Builder tips(String... tips) {
            last().setTips(tips);
            return this;
        }

        /** Sets the COMMAND DOCS complexity of the last command. */
        public Builder complexity(String complexity) {
            last().setComplexity(complexity);
            return this;
        }

        private Command last() {
            if (last == null) {
                throw new IllegalStateException("no command registered yet");
            }
            return last;
        }

        private void put(Command c) {
            if (byName.putIfAbsent(c.name(), c) != null) {
                throw new IllegalStateException("command registered twice: " + c.name());
            }
            last = c;
        }

        public CommandTable build() {
            return new CommandTable(byName);
        }
    }

    /** Registration of a container's subcommands. */
    public static final class Subcommands {
        private final Command parent;
        private final Map<String, Command> map;
        private final String group;
        private Command last;

        Subcommands(Command parent, Map<String, Command> map, String group) {
            this.parent = parent;
            this.map = map;
            this.group = group;
        }

        public Subcommands add(String name, int arity, KeySpec keys, String since, String summary,
                               CommandHandler handler, CommandFlag... flags) {
            Command c = new Command(name, parent, arity, flagSet(flags), keys, group, since, summary, handler,
                    Command.noSubcommands());
            if (map.putIfAbsent(c.name(), c) != null) {
                throw new IllegalStateException("subcommand registered twice: " + c.fullName());
            }
            last = c;
            return this;
        }

        /** Adds explicit ACL categories to the last subcommand. */
        public Subcommands acl(String... categories) {
            last().addCategories(categories);
            return this;
        }

        /** Sets the command tips of the last subcommand. */
        public Subcommands tips(String... tips) {
            last().setTips(tips);
            return this;
        }

        /** Sets the COMMAND DOCS complexity of the last subcommand. */
        public Subcommands complexity(String complexity) {
            last().setComplexity(complexity);
            return this;
        }

        private Command last() {
            if (last == null) {
                throw new IllegalStateException("no subcommand registered yet");
            }
            return last;
        }
    }

    private static EnumSet<CommandFlag> flagSet(CommandFlag[] flags) {
        EnumSet<CommandFlag> set = EnumSet.noneOf(CommandFlag.class);
        set.addAll(Arrays.asList(flags));
        return set;
    }

    /** Positions of the keys of a call, per the command's key spec. */
    public static List<Integer> keyPositions(Command c, int argc) {
        List<Integer> out = new ArrayList<>();
        KeySpec k = c.keys();
        if (!k.hasKeys()) {
            return out;
        }
        int last = k.lastIndex(argc);
        for (int i = k.first(); i <= last; i += Math.max(1, k.step())) {
            out.add(i);
        }
        return out;
    }
}
