package io.damselfly.server.command.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What Redis says about one command or subcommand: everything COMMAND INFO and COMMAND DOCS
 * report, read from the metadata resource ({@link RedisCommandCatalog}), plus what Redis derives
 * from it at start. Nothing here is damselfly's: the handler and damselfly's own flags are bound
 * to it by the command table.
 *
 * <p>Derived as redis-server derives it (server.c, 7.0.15):
 * <ul>
 *   <li>the ACL categories: the declared ones plus the implicit ones of setImplicitACLCategories
 *       (@write for WRITE, @read for READONLY outside @scripting, @admin and @dangerous for ADMIN,
 *       @pubsub, @fast or else @slow, @blocking), listed in the order of their bits;</li>
 *   <li>the legacy (first, last, step) triple and the movablekeys flag, by
 *       populateCommandLegacyRangeSpec: one index/range spec is the triple itself; several are
 *       glued when they are consecutive ranges of step 1; any spec that cannot be expressed so
 *       (keyword, keynum, unknown, a step above 1 among several, INCOMPLETE) makes the keys
 *       "movable".</li>
 * </ul>
 */
public final class CommandSpec {
    /** Redis's ACL categories in the order of their bits (acl.c ACLCommandCategories). */
    public static final List<String> ACL_CATEGORY_ORDER = List.of("keyspace", "read", "write", "set",
            "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo", "stream", "pubsub",
            "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting");

    private final String name;
    private final String fullName;
    private final String summary;
    private final String since;
    private final String group;
    private final String complexity;
    private final List<String> docFlags;
    private final String deprecatedSince;
    private final String replacedBy;
    private final List<History> history;
    private final int arity;
    private final Set<String> commandFlags;
    private final List<String> aclCategories;
    private final List<String> tips;
    private final KeySpec[] keySpecs;
    private final List<ArgumentSpec> arguments;
    private final Map<String, CommandSpec> subcommands;
    private final String getKeysFunction;
    private final int legacyFirst;
    private final int legacyLast;
    private final int legacyStep;
    private final boolean movableKeys;
    /** Some spec names real keys (not NOT_KEY): Redis's has_keyspec. */
    private final boolean realKeySpecs;
    /** Some spec has VARIABLE_FLAGS: Redis then asks the command's own key finder. */
    private final boolean variableFlags;

    /** One line of a command's history: the version and what changed. */
    public record History(String version, String change) {
    }

    private CommandSpec(String name, String container, Map<String, Object> json) {
        this.name = name;
        this.fullName = container == null ? name : container + "|" + name;
        String where = fullName;
        this.summary = (String) json.get("summary");
        this.since = (String) json.get("since");
        this.group = (String) require(json, "group", where);
        this.complexity = (String) json.get("complexity");
        this.docFlags = strings(json.get("doc_flags"), where);
        this.deprecatedSince = (String) json.get("deprecated_since");
        this.replacedBy = (String) json.get("replaced_by");
        List<History> h = new ArrayList<>();
        if (json.get("history") != null) {
            for (Object line : (List<?>) json.get("history")) {
                List<String> pair = strings(line, where);
                if (pair.size() != 2) {
                    throw new IllegalArgumentException(where + ": a history line is [version, change]");
                }
                h.add(new History(pair.get(0), pair.get(1)));
            }
        }
        this.history = Collections.unmodifiableList(h);
        this.arity = integer(json, "arity", where);
        if (arity == 0) {
            throw new IllegalArgumentException(where + ": arity 0");
        }
        this.commandFlags = Set.copyOf(strings(json.get("command_flags"), where));
        this.tips = strings(json.get("command_tips"), where);
        List<KeySpec> specs = new ArrayList<>();
        if (json.get("key_specs") != null) {
            for (Object s : (List<?>) json.get("key_specs")) {
                specs.add(KeySpec.fromJson(object(s, where), where));
            }
        }
        this.keySpecs = specs.toArray(new KeySpec[0]);
        List<ArgumentSpec> args = new ArrayList<>();
        if (json.get("arguments") != null) {
            for (Object a : (List<?>) json.get("arguments")) {
                args.add(ArgumentSpec.fromJson(object(a, where), where));
            }
        }
        this.arguments = Collections.unmodifiableList(args);
        this.getKeysFunction = (String) json.get("get_keys_function");
        this.aclCategories = aclCategories(strings(json.get("acl_categories"), where), commandFlags, where);
        Map<String, CommandSpec> subs = new LinkedHashMap<>();
        if (json.get("subcommands") != null) {
            if (container != null) {
                throw new IllegalArgumentException(where + ": subcommands nest one level only");
            }
            for (Map.Entry<String, Object> e : object(json.get("subcommands"), where).entrySet()) {
                subs.put(e.getKey(), new CommandSpec(e.getKey(), name, object(e.getValue(), where)));
            }
        }
        this.subcommands = Collections.unmodifiableMap(subs);

        boolean real = false;
        boolean variable = false;
        for (KeySpec k : keySpecs) {
            real |= !k.has(KeyFlag.NOT_KEY);
            variable |= k.has(KeyFlag.VARIABLE_FLAGS);
        }
        this.realKeySpecs = real;
        this.variableFlags = variable;

        int[] legacy = new int[3];
        this.movableKeys = legacyRange(keySpecs, legacy);
        this.legacyFirst = legacy[0];
        this.legacyLast = legacy[1];
        this.legacyStep = legacy[2];
    }

    /** A top-level command (with its subcommands) from its JSON object. */
    static CommandSpec fromJson(String name, Map<String, Object> json) {
        return new CommandSpec(name, null, json);
    }

    /** Declared categories plus setImplicitACLCategories', as "@name" in bit order. */
    private static List<String> aclCategories(List<String> declared, Set<String> flags, String where) {
        Set<String> cats = new java.util.HashSet<>();
        for (String c : declared) {
            String lower = c.toLowerCase(Locale.ROOT);
            if (!ACL_CATEGORY_ORDER.contains(lower)) {
                throw new IllegalArgumentException(where + ": unknown ACL category " + c);
            }
            cats.add(lower);
        }
        if (flags.contains("WRITE")) {
            cats.add("write");
        }
        if (flags.contains("READONLY") && !cats.contains("scripting")) {
            cats.add("read");
        }
        if (flags.contains("ADMIN")) {
            cats.add("admin");
            cats.add("dangerous");
        }
        if (flags.contains("PUBSUB")) {
            cats.add("pubsub");
        }
        if (flags.contains("FAST")) {
            cats.add("fast");
        }
        if (flags.contains("BLOCKING")) {
            cats.add("blocking");
        }
        if (!cats.contains("fast")) {
            cats.add("slow");
        }
        List<String> out = new ArrayList<>();
        for (String c : ACL_CATEGORY_ORDER) {
            if (cats.contains(c)) {
                out.add("@" + c);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * populateCommandLegacyRangeSpec: fills {@code out} with (first, last as COMMAND INFO shows it,
     * step), all 0 when the specs have no legacy form, and answers whether the keys are movable.
     */
    private static boolean legacyRange(KeySpec[] specs, int[] out) {
        if (specs.length == 0) {
            return false;
        }
        if (specs.length == 1 && specs[0].beginSearch() == KeySpec.BeginSearch.INDEX
                && specs[0].findKeys() == KeySpec.FindKeys.RANGE) {
            KeySpec s = specs[0];
            out[0] = s.index();
            out[1] = s.lastKey() >= 0 ? s.index() + s.lastKey() : s.lastKey();
            out[2] = s.keyStep();
            return s.has(KeyFlag.INCOMPLETE);
        }
        boolean movable = false;
        int first = Integer.MAX_VALUE;
        int last = 0;
        int prevLast = 0;
        for (KeySpec s : specs) {
            if (s.beginSearch() != KeySpec.BeginSearch.INDEX || s.findKeys() != KeySpec.FindKeys.RANGE) {
                movable = true;
                continue;
            }
            if (s.keyStep() != 1 || (prevLast != 0 && prevLast != s.index() - 1)) {
                movable = true;
                continue;
            }
            if (s.has(KeyFlag.INCOMPLETE)) {
                movable = true;
            }
            first = Math.min(first, s.index());
            int lastAbsolute = s.lastKey() >= 0 ? s.lastKey() + s.index() : s.lastKey();
            // Redis compares unsigned, so a negative (from the end) last key wins over any index
            last = Integer.compareUnsigned(last, lastAbsolute) >= 0 ? last : lastAbsolute;
            prevLast = last;
        }
        if (first == Integer.MAX_VALUE) {
            return true;
        }
        out[0] = first;
        out[1] = last;
        out[2] = 1;
        return movable;
    }

    // ---- reading the JSON tree, with errors that name the command ---------------------------

    static Object require(Map<String, Object> json, String field, String where) {
        Object v = json.get(field);
        if (v == null) {
            throw new IllegalArgumentException(where + ": missing \"" + field + "\"");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object v, String where) {
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException(where + ": expected an object, found " + v);
        }
        return (Map<String, Object>) v;
    }

    static int integer(Map<String, Object> json, String field, String where) {
        Object v = require(json, field, where);
        if (!(v instanceof Long l) || l != l.intValue()) {
            throw new IllegalArgumentException(where + ": \"" + field + "\" is not an int: " + v);
        }
        return l.intValue();
    }

    private static List<String> strings(Object v, String where) {
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException(where + ": expected a list of strings, found " + v);
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw new IllegalArgumentException(where + ": expected a string, found " + o);
            }
            out.add(s);
        }
        return Collections.unmodifiableList(out);
    }

    // ---- what COMMAND DOCS reports ---------------------------------------------------------

    /** Lower-case name: "get", or "list" for CLIENT LIST. */
    public String name() {
        return name;
    }

    /** "get", or "client|list" for a subcommand. */
    public String fullName() {
        return fullName;
    }

    public String summary() {
        return summary;
    }

    public String since() {
        return since;
    }

    /** The group as COMMAND DOCS spells it: "string", "sorted-set", ... */
    public String group() {
        return group;
    }

    /** The complexity, or null. */
    public String complexity() {
        return complexity;
    }

    /** "DEPRECATED", "SYSCMD" as declared (COMMAND DOCS shows them lower-case). */
    public List<String> docFlags() {
        return docFlags;
    }

    public String deprecatedSince() {
        return deprecatedSince;
    }

    public String replacedBy() {
        return replacedBy;
    }

    public List<History> history() {
        return history;
    }

    public List<ArgumentSpec> arguments() {
        return arguments;
    }

    // ---- what COMMAND INFO reports ---------------------------------------------------------

    public int arity() {
        return arity;
    }

    /** Redis's command flags as declared in its JSON: "WRITE", "READONLY", "FAST", ... */
    public Set<String> commandFlags() {
        return commandFlags;
    }

    /** ACL categories, declared and implicit, "@name" in Redis's order. */
    public List<String> aclCategories() {
        return aclCategories;
    }

    public List<String> tips() {
        return tips;
    }

    /** The key specs, in Redis's order (argument key_spec_index values refer to it). */
    public List<KeySpec> keySpecs() {
        return List.of(keySpecs);
    }

    KeySpec[] keySpecArray() {
        return keySpecs;
    }

    /** Subcommands by lower-case name, sorted (empty for a plain command). */
    public Map<String, CommandSpec> subcommands() {
        return subcommands;
    }

    /**
     * The C function Redis falls back to when the key specs cannot answer (sortGetKeys,
     * setGetKeys, ...), or null; {@link KeyFinder} has Java equivalents of those it needs.
     */
    public String getKeysFunction() {
        return getKeysFunction;
    }

    /** Legacy first key (COMMAND INFO element 4), 0 when none. */
    public int legacyFirstKey() {
        return legacyFirst;
    }

    /** Legacy last key (COMMAND INFO element 5): an index, or negative from the end. */
    public int legacyLastKey() {
        return legacyLast;
    }

    /** Legacy key step (COMMAND INFO element 6). */
    public int legacyKeyStep() {
        return legacyStep;
    }

    /** Whether the keys' positions depend on the arguments beyond the legacy triple (movablekeys). */
    public boolean movableKeys() {
        return movableKeys;
    }

    /**
     * Redis's doesCommandHaveKeys: a key finder of its own or a key spec that names real keys (not
     * NOT_KEY). COMMAND GETKEYS refuses commands without.
     */
    public boolean hasKeys() {
        return getKeysFunction != null || realKeySpecs;
    }

    /** Whether some key spec names real keys (not only NOT_KEY ones). */
    boolean hasRealKeySpecs() {
        return realKeySpecs;
    }

    /** Whether some key spec has VARIABLE_FLAGS, so the specs' flags are not to be trusted. */
    boolean hasVariableFlags() {
        return variableFlags;
    }

    @Override
    public String toString() {
        return fullName;
    }
}
