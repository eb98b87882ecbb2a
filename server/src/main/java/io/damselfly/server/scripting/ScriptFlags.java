package io.damselfly.server.scripting;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The flags a script declares (Redis 7.0's script.c scripts_flags_def), either in an EVAL
 * script's shebang line ({@code #!lua flags=no-writes,allow-oom}) or in
 * redis.register_function's {@code flags} table. A script without a shebang runs in EVAL's
 * compatibility mode ({@link #COMPAT}): no flags, writes allowed, checked per command.
 */
public final class ScriptFlags {
    public static final int NO_WRITES = 1;
    public static final int ALLOW_OOM = 1 << 1;
    public static final int ALLOW_STALE = 1 << 2;
    public static final int NO_CLUSTER = 1 << 3;
    public static final int ALLOW_CROSS_SLOT = 1 << 4;
    /** No shebang: Redis's SCRIPT_FLAG_EVAL_COMPAT_MODE. */
    public static final int COMPAT = 1 << 5;

    private static final String[] NAMES = {"no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"};

    private ScriptFlags() {
    }

    /** The flag named {@code name}, or 0. */
    public static int byName(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return 1 << i;
            }
        }
        return 0;
    }

    /** The names of the flags set in {@code flags}, in Redis's order (FUNCTION LIST). */
    public static List<String> names(int flags) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) {
            if ((flags & (1 << i)) != 0) {
                out.add(NAMES[i]);
            }
        }
        return out;
    }

    /** An EVAL body's flags and the length of its shebang line (0 without one). */
    public record Shebang(int flags, int length) {
    }

    /**
     * Parses an EVAL body's shebang as evalExtractShebangFlags does; throws {@link
     * IllegalArgumentException} with Redis's message (without "ERR ") when it is malformed.
     */
    public static Shebang parse(byte[] body) {
        if (body.length < 2 || body[0] != '#' || body[1] != '!') {
            return new Shebang(COMPAT, 0);
        }
        int end = -1;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            throw new IllegalArgumentException("Invalid script shebang");
        }
        String line = new String(body, 0, end, StandardCharsets.ISO_8859_1);
        List<String> split = SplitArgs.split(line);
        if (split == null || split.isEmpty()) {
            throw new IllegalArgumentException("Invalid engine in script shebang");
        }
        String[] parts = split.toArray(new String[0]);
        if (!parts[0].equals("#!lua")) {
            throw new IllegalArgumentException("Unexpected engine in script shebang: " + parts[0]);
        }
        int flags = 0;
        for (int j = 1; j < parts.length; j++) {
            if (parts[j].startsWith("flags=")) {
                String list = parts[j].substring(6);
                if (list.isEmpty()) {
                    continue;
                }
                for (String f : list.split(",", -1)) {
                    int bit = byName(f);
                    if (bit == 0) {
                        throw new IllegalArgumentException("Unexpected flag in script shebang: " + f);
                    }
                    flags |= bit;
                }
            } else {
                throw new IllegalArgumentException("Unknown lua shebang option: " + parts[j]);
            }
        }
        return new Shebang(flags, end);
    }
}
