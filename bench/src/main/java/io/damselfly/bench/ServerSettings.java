package io.damselfly.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What a workload needs of both servers, given to each in its own syntax.
 *
 * @param maxmemory     memory limit in Redis units ("64mb"), or null for none
 * @param evictLru      evict least-recently-used keys at the limit (redis {@code allkeys-lru};
 *                      damselfly {@code --cache_mode --maxmemory_policy allkeys-lru}) instead of
 *                      refusing writes
 * @param damselflyArgs further damselfly options with no redis-server counterpart (empty for none)
 * @param config        Redis config directives both servers get, name to value in order
 *                      ("appendonly" -> "yes"): on the command line in Redis's form
 *                      ({@code --appendonly yes}), which damselfly reads as redis-server does; empty
 *                      for none
 */
public record ServerSettings(String maxmemory, boolean evictLru, List<String> damselflyArgs, Map<String, String> config) {
    /** No limit, no eviction: the servers as they start by default. */
    public static final ServerSettings DEFAULT = new ServerSettings(null, false, List.of(), Map.of());

    public ServerSettings {
        damselflyArgs = List.copyOf(damselflyArgs);
        // unmodifiable, in the order given (Map.copyOf would lose it)
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
    }

    /** A cache of {@code maxmemory} that evicts with allkeys-lru. */
    public static ServerSettings lruCache(String maxmemory) {
        return new ServerSettings(maxmemory, true, List.of(), Map.of());
    }

    /**
     * A cache of {@code maxmemory} in each server's cache policy: redis-server with allkeys-lru,
     * damselfly in cache mode's own allkeys-tinylfu.
     */
    public static ServerSettings cacheMode(String maxmemory) {
        return new ServerSettings(maxmemory, true, List.of("--maxmemory_policy=allkeys-tinylfu"), Map.of());
    }

    /** The defaults, with these options added to damselfly's command line. */
    public static ServerSettings damselflyWith(String... args) {
        return new ServerSettings(null, false, List.of(args), Map.of());
    }

    /** The defaults, with these Redis config directives ({@code name, value, name, value...}) for both servers. */
    public static ServerSettings bothWith(String... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("config directives come as name, value pairs");
        }
        Map<String, String> config = new LinkedHashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            config.put(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return new ServerSettings(null, false, List.of(), config);
    }

    /** The config directives as command-line arguments ({@code --appendonly yes ...}). */
    List<String> configArgs() {
        return config.entrySet().stream().flatMap(e -> Stream.of("--" + e.getKey(), e.getValue())).toList();
    }

    public String describe() {
        String limit = maxmemory == null ? "no maxmemory" : "maxmemory " + maxmemory + (evictLru ? ", allkeys-lru" : "");
        String both = config.isEmpty() ? "" : "; both with `" + String.join(" ", configArgs()) + "`";
        String damselfly = damselflyArgs.isEmpty() ? "" : "; damselfly with `" + String.join(" ", damselflyArgs) + "`";
        return limit + both + damselfly;
    }
}
