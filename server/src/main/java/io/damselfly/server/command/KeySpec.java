package io.damselfly.server.command;

/**
 * Where a command's keys are among its arguments, as Redis's legacy (first, last, step) triple:
 * {@code last} negative counts from the end (-1 = the last argument). (0, 0, 0) means no keys.
 * The command executor locks the shards of exactly these keys; COMMAND INFO and COMMAND GETKEYS
 * report them.
 */
public record KeySpec(int first, int last, int step) {
    public static final KeySpec NONE = new KeySpec(0, 0, 0);

    public static KeySpec of(int first, int last, int step) {
        return new KeySpec(first, last, step);
    }

    /** One key at position 1: by far the commonest shape. */
    public static final KeySpec FIRST = new KeySpec(1, 1, 1);

    public boolean hasKeys() {
        return first > 0;
    }

    /** True when exactly one key is named, so one shard lock suffices. */
    public boolean isSingle() {
        return first > 0 && first == last;
    }

    /** The position of the last key for a call with {@code argc} arguments. */
    public int lastIndex(int argc) {
        int l = last >= 0 ? last : argc + last;
        return Math.min(l, argc - 1);
    }
}
