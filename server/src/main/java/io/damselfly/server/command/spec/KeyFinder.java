package io.damselfly.server.command.spec;

import io.damselfly.server.keyspace.Numbers;
import java.util.Map;

/**
 * Finds the keys of a call from its command's key specs, as Redis 7.0.15 does (db.c):
 * {@link #find} is getKeysFromCommandWithSpecs and {@link #usingKeySpecs} getKeysUsingKeySpecs,
 * followed line by line, including their quirks (a keyword searched backwards from a negative
 * startfrom; a keynum index compared with argc before it is added to the start; numkeys cast to
 * int), so that COMMAND GETKEYS answers byte for byte what redis-server answers, and the executor
 * locks the shards of exactly the keys Redis would name.
 *
 * <p>Where the specs cannot answer (an unknown begin_search or find_keys, an INCOMPLETE spec, a
 * malformed numkeys) or do not give reliable flags (VARIABLE_FLAGS), Redis falls back to a
 * function of the command's own (its JSON's "get_keys_function"); the few that answer for valid
 * calls of commands with such specs have Java twins here: setGetKeys, bitfieldGetKeys,
 * sortGetKeys, sortROGetKeys, migrateGetKeys. The others (evalGetKeys, xreadGetKeys,
 * lmpopGetKeys ...) only run when the specs fail on a malformed call, where they too find
 * nothing; there this class says "cannot tell" ({@code -1}) and the executor takes every shard,
 * which is right whatever the handler then does.
 *
 * <p>Allocation-free: results go into a caller-owned {@link KeyReferences}; keyword matching is
 * ASCII case folding over the bytes.
 */
public final class KeyFinder {
    private KeyFinder() {
    }

    /** A command's own key finder (Redis's getkeys_proc): fills {@code out} and answers the count. */
    interface Fallback {
        int find(byte[][] argv, int argc, KeyReferences out);
    }

    private static final Map<String, Fallback> FALLBACKS = Map.of(
            "setGetKeys", KeyFinder::setGetKeys,
            "bitfieldGetKeys", KeyFinder::bitfieldGetKeys,
            "sortGetKeys", KeyFinder::sortGetKeys,
            "sortROGetKeys", KeyFinder::sortReadOnlyGetKeys,
            "migrateGetKeys", KeyFinder::migrateGetKeys);

    /**
     * getKeysFromCommandWithSpecs: the keys of {@code argv[0..argc)}, a call of {@code cmd}
     * (argv[0] is the command's name; for a subcommand argv[1] is the subcommand's). Answers the
     * number of keys put in {@code out}, or -1 when neither the specs nor a known key finder of
     * the command can tell (then {@code out} is empty).
     */
    public static int find(CommandSpec cmd, byte[][] argv, int argc, KeyReferences out) {
        out.clear();
        boolean realKeys = cmd.hasRealKeySpecs();
        if (realKeys && !cmd.hasVariableFlags()) {
            int n = usingKeySpecs(cmd.keySpecArray(), argv, argc, out);
            if (n >= 0) {
                return n;
            }
        }
        String function = cmd.getKeysFunction();
        if (function != null) {
            Fallback f = FALLBACKS.get(function);
            if (f == null) {
                return -1;
            }
            out.clear();
            return f.find(argv, argc, out);
        }
        return realKeys ? -1 : 0;
    }

    /**
     * getKeysUsingKeySpecs with Redis's default search flags (NOT_KEY specs skipped, no partial
     * result): answers the number of keys, or -1 when a spec cannot be applied to this call (then
     * {@code out} is empty).
     */
    static int usingKeySpecs(KeySpec[] specs, byte[][] argv, int argc, KeyReferences out) {
        out.clear();
        for (KeySpec spec : specs) {
            if (spec.has(KeyFlag.NOT_KEY)) {
                continue;
            }
            int first = 0;
            switch (spec.beginSearch()) {
                case INDEX -> first = spec.index();
                case KEYWORD -> {
                    int startFrom = spec.startFrom();
                    int start = startFrom > 0 ? startFrom : argc + startFrom;
                    int end = startFrom > 0 ? argc - 1 : 1;
                    for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
                        if (i >= argc || i < 1) {
                            break;
                        }
                        if (equalsIgnoreCase(argv[i], spec.keywordBytes())) {
                            first = i + 1;
                            break;
                        }
                    }
                    if (first == 0) {
                        continue; // keyword absent: this spec names no keys in this call
                    }
                }
                default -> {
                    return invalid(out);
                }
            }
            int last;
            int step = spec.keyStep();
            switch (spec.findKeys()) {
                case RANGE -> {
                    if (spec.lastKey() >= 0) {
                        last = first + spec.lastKey();
                    } else if (spec.limit() == 0) {
                        last = argc + spec.lastKey();
                    } else {
                        last = first + ((argc - first) / spec.limit() + spec.lastKey());
                    }
                }
                case KEYNUM -> {
                    // Redis compares the relative index with argc, then reads at first + index
                    if (spec.keyNumIndex() >= argc || first + spec.keyNumIndex() >= argc) {
                        return invalid(out);
                    }
                    byte[] numArg = argv[first + spec.keyNumIndex()];
                    Long numKeys = Numbers.parseCanonicalLong(numArg, numArg.length);
                    if (numKeys == null || numKeys < 0) {
                        return invalid(out);
                    }
                    first += spec.firstKey();
                    last = first + (int) (long) numKeys - 1;
                }
                default -> {
                    return invalid(out);
                }
            }
            if (last >= argc || last < first || first >= argc) {
                return invalid(out);
            }
            for (int i = first; i <= last; i += step) {
                if (i >= argc || i < first) {
                    // only a variadic command can get here (arity is checked before dispatch);
                    // Redis skips, leaving the arity or syntax error to the command
                    continue;
                }
                out.add(i, spec.flags());
            }
            if (spec.has(KeyFlag.INCOMPLETE)) {
                return invalid(out);
            }
        }
        return out.count();
    }

    private static int invalid(KeyReferences out) {
        out.clear();
        return -1;
    }

    // ---- the commands' own key finders (db.c) ----------------------------------------------

    /** setGetKeys: SET's key is read too when GET is among the options. */
    static int setGetKeys(byte[][] argv, int argc, KeyReferences out) {
        for (int i = 3; i < argc; i++) {
            if (equalsIgnoreCase(argv[i], GET)) {
                out.add(1, KeyFlag.mask(KeyFlag.RW, KeyFlag.ACCESS, KeyFlag.UPDATE));
                return 1;
            }
        }
        out.add(1, KeyFlag.mask(KeyFlag.OW, KeyFlag.UPDATE));
        return 1;
    }

    /** sortROGetKeys: the sorted key, always argument 1 (BY and GET keys are not named). */
    static int sortReadOnlyGetKeys(byte[][] argv, int argc, KeyReferences out) {
        out.add(1, KeyFlag.mask(KeyFlag.RO, KeyFlag.ACCESS));
        return 1;
    }

    /** bitfieldGetKeys: read-only when every operation is a GET (OVERFLOW aside). */
    static int bitfieldGetKeys(byte[][] argv, int argc, KeyReferences out) {
        boolean readonly = true;
        for (int i = 2; i < argc; i++) {
            int remaining = argc - i - 1;
            if (equalsIgnoreCase(argv[i], GET) && remaining >= 2) {
                i += 2;
            } else if ((equalsIgnoreCase(argv[i], SET) || equalsIgnoreCase(argv[i], INCRBY)) && remaining >= 3) {
                readonly = false;
                break;
            } else if (equalsIgnoreCase(argv[i], OVERFLOW) && remaining >= 1) {
                i += 1;
            } else {
                readonly = false; // a syntax error: safer to assume a write, as Redis does
                break;
            }
        }
        out.add(1, readonly ? KeyFlag.mask(KeyFlag.RO, KeyFlag.ACCESS) : KeyFlag.mask(KeyFlag.RW, KeyFlag.ACCESS, KeyFlag.UPDATE));
        return 1;
    }

    /**
     * sortGetKeys: the sorted key, and the last STORE's destination. LIMIT, GET and BY are
     * skipped with their arguments so that a pattern spelled "store" is not taken for the option.
     */
    static int sortGetKeys(byte[][] argv, int argc, KeyReferences out) {
        out.add(1, KeyFlag.mask(KeyFlag.RO, KeyFlag.ACCESS));
        int store = -1;
        for (int i = 2; i < argc; i++) {
            if (equalsIgnoreCase(argv[i], LIMIT)) {
                i += 2;
            } else if (equalsIgnoreCase(argv[i], GET) || equalsIgnoreCase(argv[i], BY)) {
                i += 1;
            } else if (equalsIgnoreCase(argv[i], STORE) && i + 1 < argc) {
                store = i + 1;
            }
        }
        if (store > 0) {
            out.add(store, KeyFlag.mask(KeyFlag.OW, KeyFlag.UPDATE));
        }
        return out.count();
    }

    /** migrateGetKeys: the key at 3, or with KEYS (and an empty key argument) every key after it. */
    static int migrateGetKeys(byte[][] argv, int argc, KeyReferences out) {
        int first = 3;
        int num = 1;
        if (argc > 6) {
            for (int i = 6; i < argc; i++) {
                if (equalsIgnoreCase(argv[i], KEYS)) {
                    if (argv[3].length > 0) {
                        num = 0; // a syntax error MIGRATE reports itself
                    } else {
                        first = i + 1;
                        num = argc - first;
                    }
                    break;
                }
                if (equalsIgnoreCase(argv[i], AUTH)) {
                    i += 1;
                } else if (equalsIgnoreCase(argv[i], AUTH2)) {
                    i += 2;
                }
            }
        }
        for (int i = 0; i < num; i++) {
            out.add(first + i, KeyFlag.mask(KeyFlag.RW, KeyFlag.ACCESS, KeyFlag.DELETE));
        }
        return num;
    }

    private static final byte[] GET = bytes("GET");
    private static final byte[] SET = bytes("SET");
    private static final byte[] INCRBY = bytes("INCRBY");
    private static final byte[] OVERFLOW = bytes("OVERFLOW");
    private static final byte[] LIMIT = bytes("LIMIT");
    private static final byte[] BY = bytes("BY");
    private static final byte[] STORE = bytes("STORE");
    private static final byte[] KEYS = bytes("KEYS");
    private static final byte[] AUTH = bytes("AUTH");
    private static final byte[] AUTH2 = bytes("AUTH2");

    private static byte[] bytes(String upper) {
        return upper.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** ASCII case-insensitive equality with an upper-case word, as strcasecmp. */
    private static boolean equalsIgnoreCase(byte[] arg, byte[] upperWord) {
        if (arg.length != upperWord.length) {
            return false;
        }
        for (int i = 0; i < arg.length; i++) {
            int b = arg[i];
            if (b >= 'a' && b <= 'z') {
                b -= 'a' - 'A';
            }
            if (b != upperWord[i]) {
                return false;
            }
        }
        return true;
    }
}
