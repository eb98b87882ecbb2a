package io.damselfly.server.keyspace;

/**
 * The bounds under which a collection keeps its compact form (Redis's listpack): at most {@code
 * maxEntries} elements, none longer than {@code maxValueBytes}. Redis's hash-max-listpack-entries
 * and hash-max-listpack-value (and the zset pair, which has the same shape). A collection that
 * passes either bound converts to its large form and never goes back, as in Redis.
 */
public record ListpackLimits(long maxEntries, long maxValueBytes) {
    /** Redis 7.0's defaults for hashes (config.c): 512 entries, 64 bytes. */
    public static final ListpackLimits HASH_DEFAULTS = new ListpackLimits(512, 64);
    /** Redis 7.0's defaults for sorted sets (config.c): 128 entries, 64 bytes. */
    public static final ListpackLimits ZSET_DEFAULTS = new ListpackLimits(128, 64);
}
