package io.damselfly.server.keyspace;

import java.util.random.RandomGenerator;

/**
 * A hash as stored, lent to a command for the time it holds the key's shard lock: the command
 * writes what it reads into its reply at once and keeps nothing (the arrays handed to the
 * consumers may be the hash's own). Reads answer a view, null for a missing key, or the constant
 * {@link #WRONG_TYPE}, compared by identity.
 */
public final class HashView {
    /** The answer of a hash read on a key of another type. */
    public static final HashView WRONG_TYPE = new HashView(null);

    /** Receives bytes read from the hash: {@code length} bytes of {@code array} from {@code offset}. */
    @FunctionalInterface
    public interface BytesConsumer {
        void accept(byte[] array, int offset, int length);
    }

    /** Receives one field/value pair, each as (array, offset, length). */
    @FunctionalInterface
    public interface PairConsumer {
        void accept(byte[] field, int fieldOffset, int fieldLength, byte[] value, int valueOffset, int valueLength);
    }

    private final HashValue hash;

    HashView(HashValue hash) {
        this.hash = hash;
    }

    /** The number of fields. */
    public int size() {
        return hash.size();
    }

    /** HGET: hands the field's value to {@code out}; false when the field is missing. */
    public boolean get(byte[] field, BytesConsumer out) {
        int at = hash.find(field);
        if (at < 0) {
            return false;
        }
        hash.valueAt(at, out);
        return true;
    }

    /** HEXISTS. */
    public boolean contains(byte[] field) {
        return hash.find(field) >= 0;
    }

    /** HSTRLEN: the value's length, 0 when the field is missing. */
    public int valueLength(byte[] field) {
        int at = hash.find(field);
        return at < 0 ? 0 : hash.valueLengthAt(at);
    }

    /** HGETALL, HKEYS, HVALS: every pair, in the hash's order. */
    public void forEach(PairConsumer out) {
        hash.forEach(out);
    }

    /**
     * HSCAN's walk from {@code cursor}: about {@code count} pairs (all of a compact hash at once);
     * answers the next cursor, 0 when done.
     */
    public long scan(long cursor, long count, PairConsumer out) {
        return hash.scan(cursor, count, out);
    }

    /**
     * HRANDFIELD's picks: {@code count} independent picks, or with {@code unique} that many
     * distinct pairs (all of them when count reaches the size).
     */
    public void randomPairs(long count, boolean unique, RandomGenerator random, PairConsumer out) {
        hash.randomPairs(count, unique, random, out);
    }
}
