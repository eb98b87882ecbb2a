package io.damselfly.server.command.spec;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One Redis 7 key specification: where a group of a command's keys is among its arguments, in two
 * steps, and how the command uses them ({@link KeyFlag}s).
 *
 * <ul>
 *   <li><b>begin_search</b> finds where the keys start: at a fixed {@code index}, or one past a
 *       {@code keyword} searched from {@code startfrom} (forwards when positive, backwards from the
 *       end when negative: XREAD ... STREAMS, SORT ... STORE would be one), or {@code unknown}.</li>
 *   <li><b>find_keys</b> finds the keys from there: a {@code range} up to {@code lastkey}
 *       (relative to the start; negative counts from the end, -2 = all but the last, as BLPOP's
 *       timeout) every {@code keystep} arguments, or, with a {@code limit} and lastkey -1, the
 *       first 1/limit of the rest (XREAD's keys, then as many ids); or {@code keynum}: the number
 *       of keys is the argument at {@code keynumidx} past the start and the keys begin
 *       {@code firstkey} past the start (EVAL, ZUNIONSTORE, LMPOP); or {@code unknown}.</li>
 * </ul>
 *
 * Immutable; the numbers are kept as Redis's keySpec struct keeps them, so {@link KeyFinder}
 * can follow db.c's getKeysUsingKeySpecs line by line.
 */
public final class KeySpec {
    /** How the start of the keys is found. */
    public enum BeginSearch { INDEX, KEYWORD, UNKNOWN }

    /** How the keys are found from their start. */
    public enum FindKeys { RANGE, KEYNUM, UNKNOWN }

    private final String notes;
    private final int flags;
    private final BeginSearch beginSearch;
    private final int index;
    private final String keyword;
    private final byte[] keywordBytes;
    private final int startFrom;
    private final FindKeys findKeys;
    private final int lastKey;
    private final int keyStep;
    private final int limit;
    private final int keyNumIndex;
    private final int firstKey;

    private KeySpec(String notes, int flags, BeginSearch beginSearch, int index, String keyword, int startFrom,
                    FindKeys findKeys, int lastKey, int keyStep, int limit, int keyNumIndex, int firstKey) {
        this.notes = notes;
        this.flags = flags;
        this.beginSearch = beginSearch;
        this.index = index;
        this.keyword = keyword;
        this.keywordBytes = keyword == null ? null : keyword.getBytes(StandardCharsets.US_ASCII);
        this.startFrom = startFrom;
        this.findKeys = findKeys;
        this.lastKey = lastKey;
        this.keyStep = keyStep;
        this.limit = limit;
        this.keyNumIndex = keyNumIndex;
        this.firstKey = firstKey;
    }

    /** A range spec starting at a fixed index: the common shape (GET is index 1, lastkey 0). */
    public static KeySpec range(int flags, int index, int lastKey, int keyStep, int limit) {
        return new KeySpec(null, flags, BeginSearch.INDEX, index, null, 0, FindKeys.RANGE, lastKey, keyStep, limit, 0, 0);
    }

    /**
     * A spec read from Redis's JSON form: {"flags": [...], "begin_search": {"index": {"pos": 1}},
     * "find_keys": {"range": {"lastkey": 0, "step": 1, "limit": 0}}, "notes": "..."}.
     */
    static KeySpec fromJson(Map<String, Object> json, String where) {
        String notes = (String) json.get("notes");
        int flags = KeyFlag.mask((List<?>) CommandSpec.require(json, "flags", where));
        Map<String, Object> bs = CommandSpec.object(CommandSpec.require(json, "begin_search", where), where);
        Map<String, Object> fk = CommandSpec.object(CommandSpec.require(json, "find_keys", where), where);
        BeginSearch beginSearch;
        int index = 0;
        String keyword = null;
        int startFrom = 0;
        if (bs.containsKey("index")) {
            beginSearch = BeginSearch.INDEX;
            index = CommandSpec.integer(CommandSpec.object(bs.get("index"), where), "pos", where);
        } else if (bs.containsKey("keyword")) {
            beginSearch = BeginSearch.KEYWORD;
            Map<String, Object> k = CommandSpec.object(bs.get("keyword"), where);
            keyword = (String) CommandSpec.require(k, "keyword", where);
            startFrom = CommandSpec.integer(k, "startfrom", where);
        } else if (bs.containsKey("unknown")) {
            beginSearch = BeginSearch.UNKNOWN;
        } else {
            throw new IllegalArgumentException(where + ": begin_search is none of index, keyword, unknown: " + bs.keySet());
        }
        FindKeys findKeys;
        int lastKey = 0;
        int keyStep = 0;
        int limit = 0;
        int keyNumIndex = 0;
        int firstKey = 0;
        if (fk.containsKey("range")) {
            findKeys = FindKeys.RANGE;
            Map<String, Object> r = CommandSpec.object(fk.get("range"), where);
            lastKey = CommandSpec.integer(r, "lastkey", where);
            keyStep = CommandSpec.integer(r, "step", where);
            limit = CommandSpec.integer(r, "limit", where);
        } else if (fk.containsKey("keynum")) {
            findKeys = FindKeys.KEYNUM;
            Map<String, Object> k = CommandSpec.object(fk.get("keynum"), where);
            keyNumIndex = CommandSpec.integer(k, "keynumidx", where);
            firstKey = CommandSpec.integer(k, "firstkey", where);
            keyStep = CommandSpec.integer(k, "step", where);
        } else if (fk.containsKey("unknown")) {
            findKeys = FindKeys.UNKNOWN;
        } else {
            throw new IllegalArgumentException(where + ": find_keys is none of range, keynum, unknown: " + fk.keySet());
        }
        if (findKeys != FindKeys.UNKNOWN && keyStep < 1) {
            throw new IllegalArgumentException(where + ": key step " + keyStep);
        }
        if (findKeys == FindKeys.RANGE && limit != 0 && lastKey != -1) {
            // db.c asserts it: a limit divides "the rest", which only lastkey -1 describes
            throw new IllegalArgumentException(where + ": a range limit needs lastkey -1");
        }
        return new KeySpec(notes, flags, beginSearch, index, keyword, startFrom, findKeys, lastKey, keyStep, limit,
                keyNumIndex, firstKey);
    }

    /** Redis's note on the spec, or null. */
    public String notes() {
        return notes;
    }

    /** The {@link KeyFlag} mask. */
    public int flags() {
        return flags;
    }

    public boolean has(KeyFlag flag) {
        return (flags & flag.bit()) != 0;
    }

    public BeginSearch beginSearch() {
        return beginSearch;
    }

    /** begin_search index: the argument the keys start at. */
    public int index() {
        return index;
    }

    /** begin_search keyword, upper case as Redis declares it. */
    public String keyword() {
        return keyword;
    }

    byte[] keywordBytes() {
        return keywordBytes;
    }

    /** begin_search keyword: where the search starts (negative: from the end, backwards). */
    public int startFrom() {
        return startFrom;
    }

    public FindKeys findKeys() {
        return findKeys;
    }

    /** find_keys range: the last key relative to the start, or from the end when negative. */
    public int lastKey() {
        return lastKey;
    }

    /** find_keys range or keynum: the distance between two keys. */
    public int keyStep() {
        return keyStep;
    }

    /** find_keys range: when not 0, only the first 1/limit of the arguments from the start are keys. */
    public int limit() {
        return limit;
    }

    /** find_keys keynum: where the key count is, relative to the start. */
    public int keyNumIndex() {
        return keyNumIndex;
    }

    /** find_keys keynum: where the first key is, relative to the start. */
    public int firstKey() {
        return firstKey;
    }

    @Override
    public String toString() {
        String bs = switch (beginSearch) {
            case INDEX -> "index " + index;
            case KEYWORD -> "keyword " + keyword + " from " + startFrom;
            case UNKNOWN -> "unknown";
        };
        String fk = switch (findKeys) {
            case RANGE -> "range lastkey " + lastKey + " step " + keyStep + " limit " + limit;
            case KEYNUM -> "keynum at " + keyNumIndex + " first " + firstKey + " step " + keyStep;
            case UNKNOWN -> "unknown";
        };
        return "KeySpec[" + bs + ", " + fk + ", flags " + Integer.toBinaryString(flags) + "]";
    }
}
