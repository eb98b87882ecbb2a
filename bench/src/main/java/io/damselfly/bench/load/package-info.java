/**
 * Load drivers: programs that put a workload on a Redis-protocol server over sockets and return
 * its {@link io.damselfly.bench.load.Figures}, so the side-by-side runner can put damselfly and
 * redis-server through the same workload and compare. Each driver has a static {@code run(Params)}
 * for the runner and a {@code main} for running it by hand.
 *
 * <ul>
 *   <li>{@link io.damselfly.bench.load.ZipfReadThrough}: hit ratio and throughput of a read-through
 *       cache client under a scrambled Zipf key distribution.
 *   <li>{@link io.damselfly.bench.load.OpenLoopLatency}: latency percentiles at a fixed offered
 *       rate, corrected for coordinated omission.
 *   <li>{@link io.damselfly.bench.load.MemoryFill}: bytes per key (RSS and used_memory) after
 *       loading N keys.
 *   <li>{@link io.damselfly.bench.load.CacheWriteLoad}: peak RSS of a server with maxmemory M and
 *       eviction on while it is sent 3 x M of distinct-key writes.
 *   <li>{@link io.damselfly.bench.load.NearCacheLoad}: unpipelined GET/SET latency over hot Zipf
 *       keys, for the near-cache workload.
 * </ul>
 *
 * <p>{@link io.damselfly.bench.load.LatencyRelay} is not a driver but a TCP relay that adds a
 * fixed one-way delay, so that an upstream on this machine sits behind a network's round trip.
 *
 * <p>All drivers speak RESP2 over plain blocking sockets ({@code RespSocket}) rather than through
 * a client library: the client must cost little next to the server on a small machine, or the
 * comparison measures the client.
 */
package io.damselfly.bench.load;
