package io.damselfly.bench;

/**
 * What a workload needs of both servers, given to each in its own syntax.
 *
 * @param maxmemory memory limit in Redis units ("64mb"), or null for none
 * @param evictLru  evict least-recently-used keys at the limit (redis {@code allkeys-lru}; damselfly
 *                  {@code --cache_mode --maxmemory_policy allkeys-lru}) instead of refusing writes
 */
public record ServerSettings(String maxmemory, boolean evictLru) {
    /** No limit, no eviction: the servers as they start by default. */
    public static final ServerSettings DEFAULT = new ServerSettings(null, false);

    /** A cache of {@code maxmemory} that evicts with allkeys-lru. */
    public static ServerSettings lruCache(String maxmemory) {
        return new ServerSettings(maxmemory, true);
    }

    public String describe() {
        if (maxmemory == null) {
            return "no maxmemory";
        }
        return "maxmemory " + maxmemory + (evictLru ? ", allkeys-lru" : "");
    }
}
