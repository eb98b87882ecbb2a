package io.damselfly.server.metrics;

import io.damselfly.server.client.ClientSession;
import io.damselfly.server.command.ServerContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis's redisMemOverhead, from the figures damselfly has: what MEMORY STATS and INFO memory report
 * besides the keyspace's own accounting (used_memory). Clients are what each holds outside the
 * keyspace ({@link ClientSession#heldMemory}), replicas apart from the others; the replication
 * figures are the backlog and the stream waiting for replicas; the AOF's is its unwritten buffer.
 */
public record MemoryOverhead(long peak, long total, long clientsNormal, int normalClients, long clientsReplicas,
        long replicationBacklog, long aofBuffer, long luaCaches, long functionsCaches, int cachedScripts,
        List<long[]> dbKeys, long keys, long heapUsed, long heapCommitted, long rss) {

    public static MemoryOverhead of(ServerContext server) {
        long used = server.keyspace().usedMemory();
        // as INFO memory: the peak is brought up to date by whoever reads it
        server.stats().notePeakMemory(used);
        long peak = Math.max(used, server.stats().peakMemory());
        long clients = 0;
        int normal = 0;
        for (ClientSession s : server.clients().snapshot()) {
            if (!s.isReplica()) {
                clients += s.heldMemory();
                normal++;
            }
        }
        long[] replication = server.propagation().stream().bufferedBytes();
        List<long[]> dbs = new ArrayList<>();
        long keys = 0;
        for (int db = 0; db < server.keyspace().databases(); db++) {
            long n = server.keyspace().size(db);
            if (n > 0) {
                // as Redis: only databases that hold keys
                dbs.add(new long[] {db, n});
                keys += n;
            }
        }
        Runtime rt = Runtime.getRuntime();
        return new MemoryOverhead(peak, used, clients, normal, replication[1], replication[0], server.aof().bufferedBytes(),
                server.scripts().cacheMemory(), server.scripts().functions().memory(), server.scripts().cachedScripts(),
                dbs, keys, rt.totalMemory() - rt.freeMemory(), rt.totalMemory(), InfoBuilder.residentSetSize());
    }

    public long overheadTotal() {
        return clientsNormal + clientsReplicas + replicationBacklog + aofBuffer + luaCaches + functionsCaches;
    }

    /** total.allocated less startup.allocated, at least 1, as Redis's net_usage. */
    public long netUsage() {
        return Math.max(1, total);
    }

    /** RSS over used_memory, as Redis's total_frag (INFO mem_fragmentation_ratio, MEMORY STATS fragmentation). */
    public float fragmentation() {
        return total == 0 ? 0f : (float) rss / total;
    }
}
