package io.damselfly.server.keyspace;

import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * A set as stored, lent to a command for the time it holds the key's shard lock: the command
 * writes what it reads into its reply at once and keeps nothing (the arrays handed to the
 * consumers may be the set's own, never to be changed). Reads answer a view, null for a missing
 * key, or the constant {@link #WRONG_TYPE}, compared by identity.
 */
public final class SetView {
    /** The answer of a set read on a key of another type. */
    public static final SetView WRONG_TYPE = new SetView(null);

    private final SetValue set;

    SetView(SetValue set) {
        this.set = set;
    }

    /** The number of members. */
    public int size() {
        return set.size();
    }

    /** SISMEMBER, SMISMEMBER. */
    public boolean contains(byte[] member) {
        return set.contains(member);
    }

    /** Every member, ascending for an intset. */
    public void forEach(Consumer<byte[]> out) {
        set.forEach(out);
    }

    /**
     * SSCAN's walk from {@code cursor}: about {@code count} members (all of an intset at once);
     * answers the next cursor, 0 when done.
     */
    public long scan(long cursor, long count, Consumer<byte[]> out) {
        return set.scan(cursor, count, out);
    }

    /**
     * SRANDMEMBER's picks: {@code count} independent picks, or with {@code unique} that many
     * distinct members (all of them when count reaches the size).
     */
    public void randomMembers(long count, boolean unique, RandomGenerator random, Consumer<byte[]> out) {
        set.randomMembers(count, unique, random, out);
    }
}
