package io.damselfly.server.command.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One argument of a command as COMMAND DOCS describes it (Redis's redisCommandArg): a name, a
 * type (string, integer, double, key, pattern, unix-time, pure-token, oneof, block), and where
 * present the key spec it belongs to, its token, summary, since, deprecated_since, its flags
 * (optional, multiple, multiple_token) and, for oneof and block, its own arguments.
 *
 * @param keySpecIndex the index of the key spec that finds this argument, or -1
 * @param flags        "optional", "multiple", "multiple_token" in that order (addReplyFlagsForArg)
 */
public record ArgumentSpec(String name, String type, int keySpecIndex, String token, String summary, String since,
                           String deprecatedSince, List<String> flags, List<ArgumentSpec> arguments) {

    private static final List<String> FLAG_ORDER = List.of("optional", "multiple", "multiple_token");

    static ArgumentSpec fromJson(Map<String, Object> json, String where) {
        String name = (String) CommandSpec.require(json, "name", where);
        String at = where + " argument " + name;
        List<String> flags = new ArrayList<>();
        for (String f : FLAG_ORDER) {
            if (Boolean.TRUE.equals(json.get(f))) {
                flags.add(f);
            }
        }
        List<ArgumentSpec> args = new ArrayList<>();
        if (json.get("arguments") != null) {
            for (Object a : (List<?>) json.get("arguments")) {
                args.add(fromJson(CommandSpec.object(a, at), at));
            }
        }
        Object ksi = json.get("key_spec_index");
        return new ArgumentSpec(name, (String) CommandSpec.require(json, "type", at),
                ksi == null ? -1 : CommandSpec.integer(json, "key_spec_index", at),
                token(json), (String) json.get("summary"), (String) json.get("since"),
                (String) json.get("deprecated_since"), Collections.unmodifiableList(flags),
                Collections.unmodifiableList(args));
    }

    /**
     * The argument's token as Redis 7.0.15 answers it: its generator pastes the JSON's token into
     * a C string literal unescaped, so MIGRATE's {@code "\"\""} becomes {@code """"}, which C reads
     * as the empty string.
     */
    private static String token(Map<String, Object> json) {
        String token = (String) json.get("token");
        return "\"\"".equals(token) ? "" : token;
    }

    /** Whether COMMAND DOCS lists nested arguments for it (oneof and block do, even when empty). */
    public boolean hasNestedArguments() {
        return type.equals("oneof") || type.equals("block");
    }
}
