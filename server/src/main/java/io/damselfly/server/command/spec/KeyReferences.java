package io.damselfly.server.command.spec;

import java.util.Arrays;

/**
 * The keys found in one call (Redis's getKeysResult): argument positions, each with the flags of
 * the key spec that found it. Reused across calls by its owner (one per connection), so finding
 * keys allocates nothing once the arrays have grown to the largest call seen.
 */
public final class KeyReferences {
    private int[] positions = new int[8];
    private int[] flags = new int[8];
    private int count;

    public int count() {
        return count;
    }

    /** The argument index of the i-th key (0 is the command name). */
    public int position(int i) {
        return positions[i];
    }

    /** The {@link KeyFlag} mask of the i-th key. */
    public int flags(int i) {
        return flags[i];
    }

    public void clear() {
        count = 0;
    }

    void add(int position, int flagMask) {
        if (count == positions.length) {
            positions = Arrays.copyOf(positions, count * 2);
            flags = Arrays.copyOf(flags, count * 2);
        }
        positions[count] = position;
        flags[count] = flagMask;
        count++;
    }

    /** Sets the flags of a key already added (a key finder that learns them later, as SORT's). */
    void setFlags(int i, int flagMask) {
        flags[i] = flagMask;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : ", ").append(positions[i]);
        }
        return sb.append(']').toString();
    }
}
