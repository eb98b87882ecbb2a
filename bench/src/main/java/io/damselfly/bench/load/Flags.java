package io.damselfly.bench.load;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** "--name value" arguments of a driver's main; a flag it does not read is an error. */
final class Flags {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> read = new HashSet<>();

    Flags(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got '" + a + "'");
            }
            values.put(a.substring(2), args[++i]);
        }
    }

    String string(String name, String otherwise) {
        read.add(name);
        return values.getOrDefault(name, otherwise);
    }

    int integer(String name, int otherwise) {
        return (int) longValue(name, otherwise);
    }

    long longValue(String name, long otherwise) {
        String v = string(name, null);
        if (v == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " wants an integer, got '" + v + "'");
        }
    }

    double doubleValue(String name, double otherwise) {
        String v = string(name, null);
        if (v == null) {
            return otherwise;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " wants a number, got '" + v + "'");
        }
    }

    boolean bool(String name, boolean otherwise) {
        String v = string(name, null);
        if (v == null) {
            return otherwise;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("--" + name + " wants true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    /** Throws if a flag was given that no one read: a misspelt flag must not silently do nothing. */
    void rejectUnknown() {
        for (String name : values.keySet()) {
            if (!read.contains(name)) {
                throw new IllegalArgumentException("unknown flag --" + name);
            }
        }
    }

    /**
     * A driver's parameters from its main's arguments; "--help" prints the usage and exits, a bad
     * or unknown flag prints the problem and the usage and exits with status 2.
     */
    static <P> P parse(String usage, String[] args, Function<Flags, P> toParams) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(usage);
            System.exit(0);
        }
        try {
            Flags flags = new Flags(args);
            P params = toParams.apply(flags);
            flags.rejectUnknown();
            return params;
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(usage);
            System.exit(2);
            return null;
        }
    }
}
