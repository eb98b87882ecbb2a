package io.damselfly.server.config;

import io.damselfly.server.persist.SavePoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The server's option values: defaults, then a config file, then command-line flags, then
 * CONFIG SET at run time. Reads are lock-free (hot options such as requirepass are read per
 * command); writes are serialised so a multi-option CONFIG SET applies all or nothing.
 *
 * <p>Accepted forms, so operators can bring Dragonfly and Redis habits unchanged:
 * {@code --port 7000}, {@code --port=7000}, {@code --tcp_nodelay}, {@code --notcp_nodelay},
 * {@code --flagfile=path} (lines of {@code --name=value}), a config file as the first argument
 * (Redis style: lines of {@code name value}, either form accepted), dashes or underscores in names.
 *
 * <p>A boolean is read by the syntax it comes in. Dragonfly's flag syntax ({@code --name=value},
 * a bare {@code --name}, {@code --noname}, on the command line or in a file) takes absl's words,
 * true/false, 1/0, t/f, yes/no, y/n, as Dragonfly does; Redis's ({@code name value} in a config
 * file, {@code --name value} on the command line, which Redis turns into a config line, and CONFIG
 * SET) takes only yes or no, as Redis does, for the options Redis has ({@link Option#parse}).
 */
public final class ServerConfig {
    private final AtomicReferenceArray<Object> values = new AtomicReferenceArray<>(Option.values().length);
    private final Map<Option, List<Consumer<Object>>> listeners = new EnumMap<>(Option.class);
    private final Map<Option, Guard> guards = new EnumMap<>(Option.class);
    private final List<String> aclUsers = new ArrayList<>();
    /** Absolute path of the config file read at start, or "" (INFO config_file). */
    private String configFile = "";

    public ServerConfig() {
        for (Option o : Option.values()) {
            values.set(o.ordinal(), o.parse(o.defaultValue));
        }
    }

    /** Parses command-line arguments (and any config file they name). */
    public static ServerConfig fromArgs(String... args) throws ConfigException {
        ServerConfig c = new ServerConfig();
        List<Setting> settings = new ArrayList<>();
        int i = 0;
        if (args.length > 0 && !args[0].startsWith("-")) {
            settings.addAll(readFile(Path.of(args[0])));
            c.configFile = Path.of(args[0]).toAbsolutePath().normalize().toString();
            i = 1;
        }
        int firstOption = i;
        for (; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") && !a.startsWith("-")) {
                if (i != firstOption || i == 0) {
                    throw new ConfigException("unexpected argument '" + a + "' (options look like --port 7000)");
                }
                // after a config file, words before any --option are a config line of their own:
                // redis-server appends them to the file's text as they are ("loglevel verbose")
                StringBuilder line = new StringBuilder();
                while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    line.append(line.length() > 0 ? " " : "").append(args[++i]);
                }
                if (line.length() == 0) {
                    throw new ConfigException("option " + a + " needs a value");
                }
                settings.add(new Setting(a, line.toString(), false));
                continue;
            }
            String body = a.replaceFirst("^--?", "");
            String name;
            String value;
            boolean flagSyntax = true;
            int eq = body.indexOf('=');
            int blank = firstBlank(body);
            if (blank > 0 && (eq < 0 || blank < eq)) {
                // Redis's "--maxmemory 700mb" in one argument: a whole config line
                name = body.substring(0, blank);
                value = unquote(body.substring(blank + 1).strip());
                flagSyntax = false;
            } else if (body.equalsIgnoreCase("save") && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
                // "--save" last or before another option: save "" (Redis's main keeps 7.0.0's form)
                name = body;
                value = "";
                flagSyntax = false;
            } else if (eq >= 0) {
                name = body.substring(0, eq);
                value = body.substring(eq + 1);
            } else {
                name = body;
                Option o = Option.byName(name);
                boolean negatedBool = o == null && name.startsWith("no") && Option.byName(name.substring(2)) != null
                        && Option.byName(name.substring(2)).type == OptionType.BOOL;
                if (negatedBool) {
                    settings.add(new Setting(name.substring(2), "false", true));
                    continue;
                }
                if (o != null && o.type == OptionType.BOOL
                        && (i + 1 >= args.length || args[i + 1].startsWith("-") || !OptionType.isFlagBoolean(args[i + 1]))) {
                    value = "true";
                } else if (i + 1 < args.length && !(name.equals("flagfile") && args[i + 1].startsWith("--"))) {
                    // Redis's form (redis-server --appendonly yes), which it reads as a config line:
                    // the next argument is the value whatever it looks like, and the ones after it
                    // up to the next "--" are more of it (--shutdown-on-sigint nosave force now)
                    value = args[++i];
                    while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        value = value + " " + args[++i];
                    }
                    flagSyntax = false;
                } else {
                    throw new ConfigException("option --" + name + " needs a value");
                }
            }
            if (name.equals("flagfile")) {
                settings.addAll(readFile(Path.of(value)));
            } else {
                settings.add(new Setting(name, value, flagSyntax));
            }
        }
        Map<Option, String> given = new EnumMap<>(Option.class);
        for (Setting s : settings) {
            if (s.name().equals("user")) {
                // redis.conf's ACL users: repeated lines, kept in order for the ACL store
                c.aclUsers.add(s.value());
                continue;
            }
            Option o = Option.byName(s.name());
            if (o == null) {
                throw new ConfigException("unknown option '" + s.name() + "' (see conf/damselfly.conf for the list)");
            }
            try {
                // a save line at start is split at runs of blanks, as redis.conf's are
                String text = o == Option.SAVE ? SavePoints.normalize(s.value())
                        : o == Option.BIND ? s.value().strip().replaceAll("\\s+", " ") : s.value();
                Object v = s.flagSyntax() ? o.parseFlag(text) : o.parse(text);
                if (v instanceof SavePoints points && given.containsKey(o)) {
                    // as redis.conf: each save line at start adds points, save "" drops those before it
                    v = ((SavePoints) c.get(o)).followedBy(points);
                }
                c.values.set(o.ordinal(), o.merge(c.get(o), v));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("invalid value '" + s.value() + "' for option " + o.flag + ": " + e.getMessage());
            }
            given.put(o, s.value());
        }
        // the values that take effect (a later flag overrides the file) are checked against the process
        for (Map.Entry<Option, String> g : given.entrySet()) {
            try {
                g.getKey().validate(c.get(g.getKey()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("invalid value '" + g.getValue() + "' for option " + g.getKey().flag + ": " + e.getMessage());
            }
        }
        return c;
    }

    /**
     * One option as the command line or a file gives it: its name, its text, and whether it came
     * in Dragonfly's flag syntax (see the class comment) rather than Redis's.
     */
    record Setting(String name, String value, boolean flagSyntax) {
    }

    /** Reads a config file: "--name=value" (flag syntax) or "name value" lines; '#' starts a comment. */
    static List<Setting> readFile(Path file) throws ConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        List<Setting> settings = new ArrayList<>();
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String name;
            String value;
            boolean flagSyntax = line.startsWith("-");
            if (flagSyntax) {
                String body = line.replaceFirst("^--?", "");
                int eq = body.indexOf('=');
                if (eq < 0) {
                    name = body;
                    value = "true";
                } else {
                    name = body.substring(0, eq);
                    value = body.substring(eq + 1);
                }
            } else {
                int sp = line.indexOf(' ');
                if (sp < 0) {
                    if (!takesNoArguments(line)) {
                        throw new ConfigException(file + ":" + n + ": expected 'name value', got '" + line + "'");
                    }
                    // a list option named alone: an empty list, as Redis's MULTI_ARG_CONFIG options
                    // take zero arguments (Redis's tests write `save ""` as a bare "save ")
                    name = line;
                    value = "";
                } else {
                    name = line.substring(0, sp);
                    value = unquote(line.substring(sp + 1).strip());
                }
            }
            settings.add(new Setting(name, value, flagSyntax));
        }
        return settings;
    }

    /** Where the first blank of {@code s} is, or -1. */
    private static int firstBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code name} is one of Redis's MULTI_ARG_CONFIG options, which a line may name with no value. */
    private static boolean takesNoArguments(String name) {
        Option o = Option.byName(name);
        return o != null && switch (o) {
            case SAVE, CLIENT_OUTPUT_BUFFER_LIMIT, OOM_SCORE_ADJ_VALUES, BIND, REPLICAOF, LATENCY_TRACKING_INFO_PERCENTILES,
                    SHUTDOWN_ON_SIGINT, SHUTDOWN_ON_SIGTERM -> true;
            default -> false;
        };
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && closingQuote(v) == v.length() - 1) {
            // one double-quoted string, with the escapes Redis writes (sdscatrepr, read back by sdssplitargs)
            return unescape(v.substring(1, v.length() - 1));
        }
        if (v.length() >= 2 && ((v.startsWith("\"") && v.endsWith("\"")) || (v.startsWith("'") && v.endsWith("'")))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** sdssplitargs's escapes inside double quotes: \\xHH (a byte), \\n \\r \\t \\b \\a, and \\c for any other c. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] != '\\' || i + 1 == b.length) {
                out.write(b[i]);
                continue;
            }
            byte n = b[++i];
            if (n == 'x' && i + 2 < b.length && hex(b[i + 1]) >= 0 && hex(b[i + 2]) >= 0) {
                out.write(hex(b[i + 1]) * 16 + hex(b[i + 2]));
                i += 2;
                continue;
            }
            out.write(switch (n) {
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'b' -> '\b';
                case 'a' -> 7;
                default -> n;
            });
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Where the double-quoted string opening {@code v} closes (a backslash escapes the next character), or -1. */
    private static int closingQuote(String v) {
        for (int i = 1; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch == '\\') {
                i++;
            } else if (ch == '"') {
                return i;
            }
        }
        return -1;
    }

    private static int hex(byte c) {
        return Character.digit(c, 16);
    }

    // ---- reading ---------------------------------------------------------------------------

    /** The config file's "user name rules..." lines (redis.conf's ACL users), without "user ", in order. */
    public List<String> aclUsers() {
        return aclUsers;
    }

    /** Absolute path of the config file given as the first argument, or "" when none was. */
    public String configFile() {
        return configFile;
    }

    /**
     * Where a file the server opens by a configured name is: Redis runs in dir (it chdirs there),
     * so a relative aclfile, pidfile, logfile or unixsocket is taken from dir, an absolute one as is.
     */
    public Path inDir(String name) {
        return Path.of(getString(Option.DIR)).resolve(name);
    }

    public Object get(Option o) {
        return values.get(o.ordinal());
    }

    public int getInt(Option o) {
        return ((Long) get(o)).intValue();
    }

    public long getLong(Option o) {
        return (Long) get(o);
    }

    public boolean getBool(Option o) {
        return (Boolean) get(o);
    }

    public String getString(Option o) {
        return (String) get(o);
    }

    /** The CONFIG GET text of an option's current value. */
    public String format(Option o) {
        return o.format(get(o));
    }

    // ---- writing ---------------------------------------------------------------------------

    /** Sets one option programmatically (embedding, tests); validates like the command line. */
    public ServerConfig set(Option o, String value) {
        try {
            apply(Map.of(o, value));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        return this;
    }

    /**
     * A change that can fail when it is applied, not only when it is parsed (a new port that
     * cannot be bound): {@link #prepare} makes it ready or throws IllegalArgumentException with
     * the reason CONFIG SET gives; the result is committed once every option of the CONFIG SET is
     * ready, or rolled back if another one fails (Redis's apply functions and their rollback).
     */
    public interface Guard {
        Prepared prepare(Object value);
    }

    /** A change {@link Guard#prepare} made ready. */
    public interface Prepared {
        void commit();

        void rollback();
    }

    /** Installs the guard an option's changes go through (one per option). */
    public synchronized void guard(Option o, Guard guard) {
        guards.put(o, guard);
    }

    /**
     * Sets several options at once: all values are parsed and validated first, then the guarded
     * ones that change are prepared, then all are applied, then the listeners run. The message of
     * the exception names the offending option in Redis's CONFIG SET wording; nothing is changed
     * then.
     */
    public synchronized void apply(Map<Option, String> changes) throws ConfigException {
        Map<Option, Object> parsed = new LinkedHashMap<>();
        for (Map.Entry<Option, String> ch : changes.entrySet()) {
            Option o = ch.getKey();
            try {
                Object v = o.merge(get(o), o.parse(ch.getValue()));
                o.validate(v);
                parsed.put(o, v);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(o, e.getMessage());
            }
        }
        List<Prepared> prepared = new ArrayList<>();
        for (Map.Entry<Option, Object> p : parsed.entrySet()) {
            Guard guard = guards.get(p.getKey());
            if (guard == null || p.getValue().equals(get(p.getKey()))) {
                continue; // as Redis, an unchanged value is not applied again
            }
            try {
                prepared.add(guard.prepare(p.getValue()));
            } catch (IllegalArgumentException e) {
                prepared.forEach(Prepared::rollback);
                throw new ConfigException(p.getKey(), e.getMessage());
            }
        }
        for (Map.Entry<Option, Object> p : parsed.entrySet()) {
            values.set(p.getKey().ordinal(), p.getValue());
        }
        prepared.forEach(Prepared::commit);
        for (Map.Entry<Option, Object> p : parsed.entrySet()) {
            List<Consumer<Object>> ls = listeners.get(p.getKey());
            if (ls != null) {
                ls.forEach(l -> l.accept(p.getValue()));
            }
        }
    }

    /** Runs {@code listener} now with the current value, and again whenever the option changes. */
    public synchronized void watch(Option o, Consumer<Object> listener) {
        listeners.computeIfAbsent(o, k -> new CopyOnWriteArrayList<>()).add(listener);
        listener.accept(get(o));
    }
}
