package io.damselfly.server.command.family;

import io.damselfly.server.keyspace.Numbers;
import java.nio.charset.StandardCharsets;

/**
 * The words of the forms Redis 7.0.15 propagates instead of a command's own arguments (its
 * shared objects in server.c: shared.set, shared.pexpireat, shared.del ...), spelt as Redis spells
 * them, since a replica or an AOF reader sees them byte for byte. Used by every family that
 * rewrites what it propagates ({@code CommandContext.propagateAs}, {@code alsoPropagate}, and the
 * blocked clients served later); a family's own words (the stream family's XCLAIM form) are made
 * with {@link #word}. The arrays are shared and never written.
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
    static final byte[] SREM = ascii("SREM");
    static final byte[] LPOP = ascii("LPOP");
    static final byte[] RPOP = ascii("RPOP");
    static final byte[] LMOVE = ascii("LMOVE");
    static final byte[] RPOPLPUSH = ascii("RPOPLPUSH");
    /** The ends of a served BLMOVE's LMOVE (blocked.c spells them with shared.left/right: lower case). */
    static final byte[] LEFT = ascii("left");
    static final byte[] RIGHT = ascii("right");
    static final byte[] ZPOPMIN = ascii("ZPOPMIN");
    static final byte[] ZPOPMAX = ascii("ZPOPMAX");

    private ReplicatedForms() {
    }

    /** A deletion as Redis propagates it: UNLINK when the matching lazyfree option is on, else DEL. */
    static byte[][] deletion(boolean lazy, byte[] key) {
        return new byte[][] {lazy ? UNLINK : DEL, key};
    }

    /**
     * A pop as Redis propagates it: {@code name key} for a single-element pop ({@code n < 0}),
     * {@code name key n} for a pop with a count (LPOP/RPOP, ZPOPMIN/ZPOPMAX).
     */
    static byte[][] pop(byte[] name, byte[] key, int n) {
        return n < 0 ? new byte[][] {name, key} : new byte[][] {name, key, number(n)};
    }

    /** A number as Redis's createStringObjectFromLongLong writes it. */
    static byte[] number(long v) {
        return Numbers.toBytes(v);
    }

    /** A word of a propagated form, as its bytes. */
    static byte[] word(String s) {
        return ascii(s);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
