package io.damselfly.server.command.family;

import java.nio.charset.StandardCharsets;

/**
 * The words of the forms Redis 7.0.15 propagates instead of a command's own arguments (its
 * shared objects in server.c: shared.set, shared.pexpireat, shared.del ...), spelt as Redis spells
 * them, since a replica or an AOF reader sees them byte for byte. Used by the string, key, hash,
 * geo, DUMP/RESTORE and MIGRATE families when they call {@code CommandContext.propagateAs}. The
 * arrays are shared and never written.
 */
final class ReplicatedForms {
    static final byte[] SET = ascii("SET");
    static final byte[] PXAT = ascii("PXAT");
    static final byte[] KEEPTTL = ascii("KEEPTTL");
    static final byte[] PEXPIREAT = ascii("PEXPIREAT");
    static final byte[] PERSIST = ascii("PERSIST");
    static final byte[] DEL = ascii("DEL");
    static final byte[] UNLINK = ascii("UNLINK");
    static final byte[] HSET = ascii("HSET");
    static final byte[] ABSTTL = ascii("ABSTTL");
    /** geoaddCommand builds its ZADD with createRawStringObject("zadd",4): lower case. */
    static final byte[] ZADD_LOWER = ascii("zadd");

    private ReplicatedForms() {
    }

    /** A deletion as Redis propagates it: UNLINK when the matching lazyfree option is on, else DEL. */
    static byte[][] deletion(boolean lazy, byte[] key) {
        return new byte[][] {lazy ? UNLINK : DEL, key};
    }

    /** A number as Redis's createStringObjectFromLongLong writes it. */
    static byte[] number(long v) {
        return ascii(Long.toString(v));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
