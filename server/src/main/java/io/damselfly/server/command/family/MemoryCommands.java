package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Reply;
import io.damselfly.server.metrics.MemoryOverhead;
import java.util.List;

/**
 * MEMORY (Redis group "server"): USAGE, the heap a key and its value take by the keyspace's own
 * accounting (the bytes INFO's used_memory adds up), not Redis's allocator sizes; STATS, DOCTOR,
 * MALLOC-STATS, PURGE and HELP with Redis 7.0.15's names, shapes and texts (object.c
 * memoryCommand and getMemoryDoctorReport).
 *
 * <p>What STATS reports. The figures are INFO memory's: total.allocated is used_memory (the
 * keyspace's accounted bytes, what maxmemory is enforced against) and dataset.bytes the same, as
 * used_memory_dataset; peak.allocated is used_memory_peak. The overheads Redis counts that
 * damselfly knows ({@link MemoryOverhead}, shared with INFO memory) are what clients hold
 * (clients.normal), the replication backlog and the stream waiting for replicas
 * (replication.backlog, clients.slaves), the AOF's buffer (aof.buffer) and the script caches
 * (lua.caches, functions.caches); there is no cluster link, no memory set aside at start that
 * used_memory includes (startup.allocated 0), and
 * the key tables' overhead is inside the keyspace's accounting rather than apart (each db.N's
 * overhead.hashtable.* 0). The "allocator" is the JVM: allocator.allocated is the heap in use,
 * allocator.active the heap committed, allocator.resident and the process RSS the same VmRSS, so
 * rss-overhead is 1; fragmentation is RSS over used_memory, as Redis's total_frag, and is large
 * on a JVM whatever the data, since the heap is reserved up front.
 */
public final class MemoryCommands {
    private MemoryCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.container("memory", m -> m
                .add("usage", MemoryCommands::usage)
                .add("stats", MemoryCommands::stats)
                .add("doctor", MemoryCommands::doctor)
                .add("malloc-stats", MemoryCommands::mallocStats)
                .add("purge", MemoryCommands::purge)
                .add("help", MemoryCommands::help));
    }

    /**
     * MEMORY USAGE key [SAMPLES count]: SAMPLES is parsed as Redis parses it and has no effect,
     * since every value's footprint is kept exact rather than sampled.
     */
    static void usage(CommandContext c) {
        for (int i = 3; i < c.argc(); i += 2) {
            if (c.argIs(i, "samples") && i + 1 < c.argc()) {
                if (c.longArg(i + 1) < 0) {
                    throw c.syntaxError();
                }
            } else {
                throw c.syntaxError();
            }
        }
        long bytes = c.db().keys().memoryUsage(c.arg(2));
        if (bytes < 0) {
            c.reply().nullBulk();
        } else {
            c.reply().integer(bytes);
        }
    }

    /** MEMORY STATS */
    static void stats(CommandContext c) {
        MemoryOverhead m = MemoryOverhead.of(c.server());
        Reply r = c.reply();
        r.map(27 + m.dbKeys().size());
        field(r, "peak.allocated", m.peak());
        field(r, "total.allocated", m.total());
        field(r, "startup.allocated", 0);
        field(r, "replication.backlog", m.replicationBacklog());
        field(r, "clients.slaves", m.clientsReplicas());
        field(r, "clients.normal", m.clientsNormal());
        field(r, "cluster.links", 0);
        field(r, "aof.buffer", m.aofBuffer());
        field(r, "lua.caches", m.luaCaches());
        field(r, "functions.caches", m.functionsCaches());
        for (long[] db : m.dbKeys()) {
            r.bulk("db." + db[0]);
            r.map(3);
            field(r, "overhead.hashtable.main", 0);
            field(r, "overhead.hashtable.expires", 0);
            field(r, "overhead.hashtable.slot-to-keys", 0);
        }
        field(r, "overhead.total", m.overheadTotal());
        field(r, "keys.count", m.keys());
        field(r, "keys.bytes-per-key", m.keys() == 0 ? 0 : m.netUsage() / m.keys());
        field(r, "dataset.bytes", m.total());
        // Redis keeps these ratios in floats: the same precision shows in the reply
        ratio(r, "dataset.percentage", m.total() == 0 ? 0f : (float) m.total() * 100 / m.netUsage());
        ratio(r, "peak.percentage", m.peak() == 0 ? 100f : (float) m.total() * 100 / m.peak());
        field(r, "allocator.allocated", m.heapUsed());
        field(r, "allocator.active", m.heapCommitted());
        field(r, "allocator.resident", m.rss());
        ratio(r, "allocator-fragmentation.ratio", m.heapUsed() == 0 ? 0f : (float) m.heapCommitted() / m.heapUsed());
        field(r, "allocator-fragmentation.bytes", m.heapCommitted() - m.heapUsed());
        ratio(r, "allocator-rss.ratio", m.heapCommitted() == 0 ? 0f : (float) m.rss() / m.heapCommitted());
        field(r, "allocator-rss.bytes", m.rss() - m.heapCommitted());
        ratio(r, "rss-overhead.ratio", 1f);
        field(r, "rss-overhead.bytes", 0);
        ratio(r, "fragmentation", m.fragmentation());
        field(r, "fragmentation.bytes", m.rss() - m.total());
    }

    private static void field(Reply r, String name, long value) {
        r.bulk(name);
        r.integer(value);
    }

    private static void ratio(Reply r, String name, float value) {
        r.bulk(name);
        r.doubleValue(value);
    }

    /** getMemoryDoctorReport: below this much used memory the instance counts as empty (5 MiB). */
    static final long DOCTOR_EMPTY_BELOW = 5L * 1024 * 1024;
    /** A peak above 150% of what is used now is reported. */
    static final double DOCTOR_BIG_PEAK = 1.5;
    /** Clients holding more than 200 KiB of replies each on average are reported. */
    static final long DOCTOR_BIG_CLIENT_BUFFER = 200L * 1024;
    /** More cached EVAL scripts than this are reported. */
    static final int DOCTOR_MANY_SCRIPTS = 1000;

    static final String DOCTOR_EMPTY = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used "
            + "in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back "
            + "to our programming as soon as I finished rebooting.\n";
    static final String DOCTOR_HEALTHY = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
    private static final String DOCTOR_BIG_PEAK_TEXT = " * Peak memory: In the past this instance used more than 150% the memory that is currently "
            + "using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation "
            + "ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size "
            + "(RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. "
            + "If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, "
            + "otherwise the only other option is to shutdown and restart the instance.\n\n";
    private static final String DOCTOR_BIG_CLIENT_TEXT = " * Big client buffers: The clients output buffers in this instance are greater "
            + "than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot "
            + "not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with "
            + "large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to "
            + "investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a "
            + "big amount of memory.\n\n";
    private static final String DOCTOR_MANY_SCRIPTS_TEXT = " * Many scripts: There seem to be many cached scripts in this instance (more "
            + "than 1000). This may be because scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), "
            + "`SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts' caches may end up consuming "
            + "most of your memory.\n\n";

    /**
     * MEMORY DOCTOR: Redis's report, with the checks whose figures damselfly has (peak, client
     * buffers, cached scripts). Redis's fragmentation and RSS checks are left out: a JVM reserves
     * its heap up front, so its RSS says nothing about fragmentation of the data.
     */
    static void doctor(CommandContext c) {
        c.reply().verbatim(doctorReport(MemoryOverhead.of(c.server())));
    }

    static String doctorReport(MemoryOverhead m) {
        if (m.total() < DOCTOR_EMPTY_BELOW) {
            return DOCTOR_EMPTY;
        }
        StringBuilder issues = new StringBuilder();
        if ((float) m.peak() / m.total() > DOCTOR_BIG_PEAK) {
            issues.append(DOCTOR_BIG_PEAK_TEXT);
        }
        if (m.normalClients() > 0 && m.clientsNormal() / m.normalClients() > DOCTOR_BIG_CLIENT_BUFFER) {
            issues.append(DOCTOR_BIG_CLIENT_TEXT);
        }
        if (m.cachedScripts() > DOCTOR_MANY_SCRIPTS) {
            issues.append(DOCTOR_MANY_SCRIPTS_TEXT);
        }
        if (issues.isEmpty()) {
            return DOCTOR_HEALTHY;
        }
        return "Sam, I detected a few issues in this Redis instance memory implants:\n\n" + issues
                + "I'm here to keep you safe, Sam. I want to help you.\n";
    }

    /** MEMORY MALLOC-STATS: Redis's answer for an allocator other than jemalloc. */
    static void mallocStats(CommandContext c) {
        c.reply().verbatim("Stats not supported for the current allocator");
    }

    /** MEMORY PURGE: nothing to purge by hand (the JVM returns heap on its own), as Redis without jemalloc. */
    static void purge(CommandContext c) {
        c.reply().ok();
    }

    private static final List<String> HELP = List.of(
            "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
            "HELP",
            "    Prints this help.");

    /** MEMORY HELP */
    static void help(CommandContext c) {
        ServerCommands.help(c.reply(), HELP);
    }
}
