package io.damselfly.bench;

/**
 * What a workload needs of both servers, given to each in its own syntax.
 *
 * @param maxmemory     memory limit in Redis units ("64mb"), or null for none
 * @param evictLru      evict least-recently-used keys at the limit (redis {@code allkeys-lru};
 *                      damselfly {@code --cache_mode --maxmemory_policy allkeys-lru}) instead of
 *                      refusing writes
 * @param damselflyArgs further damselfly options with no redis-server counterpart (empty for none)
 */
public record ServerSettings(String maxmemory, boolean evictLru, java.util.List<String> damselflyArgs) {
    /** No limit, no eviction: the servers as they start by default. */
    public static final ServerSettings DEFAULT = new ServerSettings(null, false, java.util.List.of());

    /** A cache of {@code maxmemory} that evicts with allkeys-lru. */
    public static ServerSettings lruCache(String maxmemory) {
        return new ServerSettings(maxmemory, true, java.util.List.of());
    }

    /**
     * A cache of {@code maxmemory} in each server's cache policy: redis-server with allkeys-lru,
     * damselfly in cache mode's own allkeys-tinylfu.
     */
    public static ServerSettings cacheMode(String maxmemory) {
        return new ServerSettings(maxmemory, true, java.util.List.of("--maxmemory_policy=allkeys-tinylfu"));
    }

    /** The defaults, with these options added to damselfly's command line. */
    public static ServerSettings damselflyWith(String... args) {
        return new ServerSettings(null, false, java.util.List.of(args));
    }

    public String describe() {
        String limit = maxmemory == null ? "no maxmemory" : "maxmemory " + maxmemory + (evictLru ? ", allkeys-lru" : "");
        return damselflyArgs.isEmpty() ? limit : limit + "; damselfly with `" + String.join(" ", damselflyArgs) + "`";
    }
}
