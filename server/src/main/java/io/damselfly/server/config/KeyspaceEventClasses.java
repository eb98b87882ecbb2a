package io.damselfly.server.config;

/**
 * The value of {@code notify-keyspace-events}: which classes of key events are published, and on
 * which channels (K: {@code __keyspace@db__:key}, E: {@code __keyevent@db__:event}). Parsed and
 * printed as Redis's notify.c does (keyspaceEventsStringToFlags / keyspaceEventsFlagsToString):
 * "A" stands for g$lshzxetd, and CONFIG GET prints the classes in Redis's order, so "KEA" reads
 * back as "AKE".
 */
public record KeyspaceEventClasses(int flags) {
    public static final int KEYSPACE = 1;
    public static final int KEYEVENT = 1 << 1;
    public static final int GENERIC = 1 << 2;
    public static final int STRING = 1 << 3;
    public static final int LIST = 1 << 4;
    public static final int SET = 1 << 5;
    public static final int HASH = 1 << 6;
    public static final int ZSET = 1 << 7;
    public static final int EXPIRED = 1 << 8;
    public static final int EVICTED = 1 << 9;
    public static final int STREAM = 1 << 10;
    /** Excluded from "A" on purpose, as in Redis. */
    public static final int KEY_MISS = 1 << 11;
    public static final int MODULE = 1 << 13;
    /** Excluded from "A", as in Redis. */
    public static final int NEW = 1 << 14;
    public static final int ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

    static final String INVALID = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

    /** Parses the class letters; throws IllegalArgumentException with Redis's reason. */
    public static KeyspaceEventClasses parse(String text) {
        int flags = 0;
        for (int i = 0; i < text.length(); i++) {
            int bit = bitOf(text.charAt(i));
            if (bit < 0) {
                throw new IllegalArgumentException(INVALID);
            }
            flags |= bit;
        }
        return new KeyspaceEventClasses(flags);
    }

    /** The flag of one class letter ('A' gives every class of "A"), or -1 for an unknown letter. */
    public static int bitOf(char c) {
        return switch (c) {
            case 'A' -> ALL;
            case 'g' -> GENERIC;
            case '$' -> STRING;
            case 'l' -> LIST;
            case 's' -> SET;
            case 'h' -> HASH;
            case 'z' -> ZSET;
            case 'x' -> EXPIRED;
            case 'e' -> EVICTED;
            case 'K' -> KEYSPACE;
            case 'E' -> KEYEVENT;
            case 't' -> STREAM;
            case 'm' -> KEY_MISS;
            case 'd' -> MODULE;
            case 'n' -> NEW;
            default -> -1;
        };
    }

    /** The text CONFIG GET shows. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if ((flags & ALL) == ALL) {
            s.append('A');
        } else {
            String letters = "g$lshzxetdn";
            for (int i = 0; i < letters.length(); i++) {
                if ((flags & bitOf(letters.charAt(i))) != 0) {
                    s.append(letters.charAt(i));
                }
            }
        }
        if ((flags & KEYSPACE) != 0) {
            s.append('K');
        }
        if ((flags & KEYEVENT) != 0) {
            s.append('E');
        }
        if ((flags & KEY_MISS) != 0) {
            s.append('m');
        }
        return s.toString();
    }
}
