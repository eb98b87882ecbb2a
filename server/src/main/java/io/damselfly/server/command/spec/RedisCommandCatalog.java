package io.damselfly.server.command.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every command and subcommand of the Redis version damselfly answers as (7.0.15), as Redis
 * defines them: the resource {@code redis-commands.json} beside this class, generated from
 * Redis's own src/commands/*.json by scripts/dev/gen-redis-commands (see its "source" field for
 * provenance and licence). The command table binds damselfly's handlers to these entries, so
 * what COMMAND INFO and COMMAND DOCS report is Redis's data, not a copy kept by hand.
 *
 * <p>Read once per process ({@link #redis()}); immutable.
 */
public final class RedisCommandCatalog {
    /** The resource's layout version this reader understands. */
    static final int FORMAT = 1;
    static final String RESOURCE = "redis-commands.json";

    private static volatile RedisCommandCatalog redis;

    private final String redisVersion;
    private final Map<String, CommandSpec> commands;

    private RedisCommandCatalog(String redisVersion, Map<String, CommandSpec> commands) {
        this.redisVersion = redisVersion;
        this.commands = Collections.unmodifiableMap(commands);
    }

    /** The catalog of the bundled resource, read on first use. */
    public static RedisCommandCatalog redis() {
        RedisCommandCatalog c = redis;
        if (c == null) {
            synchronized (RedisCommandCatalog.class) {
                c = redis;
                if (c == null) {
                    c = load();
                    redis = c;
                }
            }
        }
        return c;
    }

    private static RedisCommandCatalog load() {
        try (InputStream in = RedisCommandCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("command metadata resource " + RESOURCE + " is missing from the class path");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    /**
     * Reads a catalog from the resource's JSON text. Throws {@link IllegalArgumentException} (a
     * {@link JsonReader.MalformedJsonException} when the text is not JSON) saying what is wrong.
     */
    public static RedisCommandCatalog parse(String json) {
        Map<String, Object> root = CommandSpec.object(JsonReader.parse(json), "command metadata");
        Object format = root.get("format");
        if (!(format instanceof Long f) || f != FORMAT) {
            throw new IllegalArgumentException("command metadata: format " + format + ", expected " + FORMAT);
        }
        String version = (String) CommandSpec.require(root, "redis_version", "command metadata");
        Map<String, CommandSpec> commands = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : CommandSpec.object(CommandSpec.require(root, "commands", "command metadata"),
                "commands").entrySet()) {
            commands.put(e.getKey(), CommandSpec.fromJson(e.getKey(), CommandSpec.object(e.getValue(), e.getKey())));
        }
        return new RedisCommandCatalog(version, commands);
    }

    /** The Redis version the metadata comes from, e.g. "7.0.15". */
    public String redisVersion() {
        return redisVersion;
    }

    /** A top-level command by name (any case), or null. */
    public CommandSpec get(String name) {
        return commands.get(name.toLowerCase(Locale.ROOT));
    }

    /** A command, or a subcommand as "container|sub" (any case), or null. */
    public CommandSpec byFullName(String fullName) {
        int bar = fullName.indexOf('|');
        if (bar < 0) {
            return get(fullName);
        }
        CommandSpec parent = get(fullName.substring(0, bar));
        return parent == null ? null : parent.subcommands().get(fullName.substring(bar + 1).toLowerCase(Locale.ROOT));
    }

    /** Every top-level command, by name. */
    public Collection<CommandSpec> all() {
        return commands.values();
    }
}
