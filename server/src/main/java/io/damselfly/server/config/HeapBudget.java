package io.damselfly.server.config;

/**
 * How much data (maxmemory) a JVM heap can hold, by the one rule that scripts/run also uses to
 * size {@code -Xmx} from maxmemory (keep the two in step):
 *
 * <pre>
 *   heap &gt;= M + M/8 + 96 MiB        M = maxmemory
 * </pre>
 *
 * M: the accounted data may reach maxmemory. M/8: G1 needs free regions to evacuate live objects
 * into, and garbage waits for the next collection. 96 MiB: the server's own objects and
 * per-connection state, and a workable heap for a small maxmemory. The JVM's non-heap memory
 * (metaspace, code cache, Netty's pooled direct buffers, thread stacks) is roughly another 100 MB
 * and G1's own structures about 4% of the heap, so the process stays under 1.25 M + 200 MB
 * resident (about 1.18 M + 205 MB).
 *
 * <p>The server refuses a maxmemory its heap cannot hold (at start and in CONFIG SET) rather than
 * die of OutOfMemoryError once the data grows. maxmemory 0 (no limit) is always accepted.
 *
 * <p>Requests in flight. What the heap holds beyond M + M/8 and the server's own {@link
 * #SERVER_RESERVE} is what unfinished requests may hold, all clients together ({@link
 * #requestMemoryFor}, the default {@code request_memory_limit}): under scripts/run's sizing 96 - 40
 * = 56 MiB, whatever M is. Past it the server closes the client holding the most, so no client
 * input can exhaust the heap, whatever the data does.
 */
public final class HeapBudget {
    /** The collector's headroom is M / HEADROOM_DIVISOR. */
    public static final long HEADROOM_DIVISOR = 8;
    /** Heap the server needs whatever maxmemory is. */
    public static final long FIXED_BYTES = 96L << 20;
    /**
     * The part of {@link #FIXED_BYTES} kept for the server's own objects when the rest goes to
     * requests in flight: the command table, Netty and per-connection state. Measured on JDK 17
     * after a full collection: 2.9 MB idle, 6.3 MB with 1000 idle connections (3.4 KB each), so
     * about 37 MB at the default maxclients of 10000.
     */
    public static final long SERVER_RESERVE = 40L << 20;
    /** Without maxmemory the data may take any part of the heap; requests get 1/this of it. */
    public static final long UNBOUNDED_DATA_REQUEST_DIVISOR = 4;
    /** The least request memory derived, whatever the heap: room for a few large arguments. */
    public static final long MIN_REQUEST_MEMORY = 16L << 20;

    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private HeapBudget() {
    }

    /** The heap maxmemory {@code maxMemory} needs: M + M/8 + 96 MiB, rounded up to MiB (scripts/run's -Xmx). */
    public static long heapFor(long maxMemory) {
        long need = Math.addExact(Math.addExact(maxMemory, maxMemory / HEADROOM_DIVISOR), FIXED_BYTES);
        return Math.addExact(need, MIB - 1) / MIB * MIB;
    }

    /** The largest M with M + M/8 + 96 MiB &lt;= {@code maxHeapBytes}; 0 when the heap is smaller than 96 MiB. */
    public static long maxMemoryFor(long maxHeapBytes) {
        long budget = maxHeapBytes - FIXED_BYTES;
        if (budget <= 0) {
            return 0;
        }
        // M + floor(M/8) takes, for M = 8q + r (0 <= r < 8), the value 9q + r: so for a budget
        // 9q + s the largest M is 8q + min(s, 7) (9q + 8 is not reached; 8q + 7 gives 9q + 7)
        return budget / (HEADROOM_DIVISOR + 1) * HEADROOM_DIVISOR + Math.min(budget % (HEADROOM_DIVISOR + 1), HEADROOM_DIVISOR - 1);
    }

    /**
     * Why a heap of {@code maxHeapBytes} cannot hold maxmemory {@code maxMemory}, in CONFIG SET's
     * wording, or null when it can (always for 0, no limit).
     */
    public static String refusal(long maxMemory, long maxHeapBytes) {
        long most = maxMemoryFor(maxHeapBytes);
        if (maxMemory == 0 || maxMemory <= most) {
            return null;
        }
        String needed;
        try {
            needed = ": -Xmx" + heapFor(maxMemory) / MIB + "m for this maxmemory";
        } catch (ArithmeticException e) {
            needed = "";
        }
        return "the JVM heap (" + human(maxHeapBytes) + ") holds at most " + human(most)
                + " of data; restart with a larger heap" + needed + " (scripts/run sizes it from maxmemory)";
    }

    /**
     * The default budget for memory held by unfinished requests, all clients together, in a heap of
     * {@code maxHeapBytes} with maxmemory {@code maxMemory}: what the data cannot take (M + M/8)
     * less {@link #SERVER_RESERVE}; with no maxmemory (0), whose data has no bound, a quarter of the
     * heap. At least {@link #MIN_REQUEST_MEMORY}. Under scripts/run's {@link #heapFor} that is 56 MiB
     * for any M.
     */
    public static long requestMemoryFor(long maxMemory, long maxHeapBytes) {
        long available;
        if (maxMemory <= 0) {
            available = maxHeapBytes / UNBOUNDED_DATA_REQUEST_DIVISOR;
        } else {
            // M + M/8 cannot overflow where it matters: a maxmemory beyond the heap leaves nothing
            long data = maxMemory > maxHeapBytes ? maxHeapBytes : maxMemory + maxMemory / HEADROOM_DIVISOR;
            available = maxHeapBytes - data - SERVER_RESERVE;
        }
        return Math.max(MIN_REQUEST_MEMORY, available);
    }

    /** Throws IllegalArgumentException with {@link #refusal} when this JVM's heap cannot hold {@code maxMemory}. */
    static void requireFits(long maxMemory) {
        String why = refusal(maxMemory, Runtime.getRuntime().maxMemory());
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
    }

    /**
     * A size in a unit maxmemory accepts, rounded down so that it can be given back as is:
     * "6gb" for whole GiB, else "822mb", or "512kb" / "100b" below a MiB.
     */
    public static String human(long bytes) {
        if (bytes >= GIB && bytes % GIB == 0) {
            return bytes / GIB + "gb";
        }
        if (bytes >= MIB) {
            return bytes / MIB + "mb";
        }
        if (bytes >= 1024) {
            return bytes / 1024 + "kb";
        }
        return bytes + "b";
    }
}
