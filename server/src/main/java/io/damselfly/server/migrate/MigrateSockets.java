package io.damselfly.server.migrate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * MIGRATE's connections to its targets, kept open between calls (Redis's
 * server.migrate_cached_sockets): at most {@link #MAX_CACHED}, one per "host:port" as the
 * command spelled them, each closed once unused for {@link #IDLE_MILLIS}. INFO's
 * migrate_cached_sockets counts them.
 *
 * <p>Design. Redis runs one MIGRATE at a time, so a cached socket has one user. Here MIGRATEs of
 * clients on different event loops may run at once: a cached connection is <em>leased</em> to one
 * migration at a time ({@link #lease}), and a migration that finds its target's connection
 * leased opens a connection of its own, cached only if the cache has room (it never replaces a
 * leased one). A connection is used from whichever loop a migration runs on; its own events run
 * on the loop that opened it (see {@link MigrateLink}). Redis drops a random entry when a 65th
 * target comes; so does this, among the idle ones. Redis closes sockets idle more than 10 s from
 * its once-a-second cron; here each idle connection has its own timer on its loop.
 *
 * <p>Thread safety: every method takes this object's monitor; nothing here waits on I/O.
 */
public final class MigrateSockets {
    /** Redis's MIGRATE_SOCKET_CACHE_ITEMS. */
    public static final int MAX_CACHED = 64;
    /** Redis's MIGRATE_SOCKET_CACHE_TTL, 10 s. */
    public static final long IDLE_MILLIS = 10_000;

    private final long idleMillis;
    private final Map<String, MigrateLink> cached = new HashMap<>();

    public MigrateSockets() {
        this(IDLE_MILLIS);
    }

    /** A cache whose connections close after {@code idleMillis} unused (tests shorten it). */
    public MigrateSockets(long idleMillis) {
        this.idleMillis = idleMillis;
    }

    /** INFO's migrate_cached_sockets: connections in the cache, leased or idle. */
    public synchronized int size() {
        return cached.size();
    }

    /** The cached connection to {@code name} leased to the caller, or null when there is none free. */
    synchronized MigrateLink lease(String name) {
        MigrateLink link = cached.get(name);
        if (link == null || link.leased) {
            return null;
        }
        link.leased = true;
        return link;
    }

    /**
     * Caches a connection just opened (leased to its opener) when there is room, making room by
     * closing a random idle one when the cache is full; otherwise it stays the opener's alone,
     * closed when it is given back.
     */
    synchronized void adopt(MigrateLink link) {
        link.leased = true;
        if (cached.containsKey(link.name)) {
            return; // the cached one is leased to another migration
        }
        if (cached.size() >= MAX_CACHED) {
            List<MigrateLink> idle = new ArrayList<>();
            for (MigrateLink l : cached.values()) {
                if (!l.leased) {
                    idle.add(l);
                }
            }
            if (idle.isEmpty()) {
                return;
            }
            MigrateLink evicted = idle.get(ThreadLocalRandom.current().nextInt(idle.size()));
            cached.remove(evicted.name);
            evicted.close();
        }
        cached.put(link.name, link);
        link.cached = true;
    }

    /**
     * Gives a connection back after a migration that left it usable: cached ones wait for the
     * next MIGRATE to the same target (closed when unused for the idle time), others close.
     */
    synchronized void release(MigrateLink link) {
        link.leased = false;
        if (!link.cached) {
            link.close();
            return;
        }
        link.lastUse = System.nanoTime();
        if (!link.idleCheckArmed) {
            scheduleIdleCheck(link, idleMillis);
        }
    }

    /** Drops a connection after an I/O error (Redis's migrateCloseSocket) and closes it. */
    synchronized void discard(MigrateLink link) {
        forget(link);
        link.close();
    }

    /** Takes a connection out of the cache (it closed, or was discarded). */
    synchronized void forget(MigrateLink link) {
        if (link.cached && cached.get(link.name) == link) {
            cached.remove(link.name);
        }
        link.cached = false;
    }

    /** Closes every cached connection (server shutdown). */
    public synchronized void closeAll() {
        for (MigrateLink l : cached.values()) {
            l.cached = false;
            l.close();
        }
        cached.clear();
    }

    /** One pending check per connection: a busy target's releases do not pile up timers. */
    private void scheduleIdleCheck(MigrateLink link, long delayMillis) {
        link.idleCheckArmed = true;
        link.channel.eventLoop().schedule(() -> closeIfIdle(link), delayMillis, TimeUnit.MILLISECONDS);
    }

    private synchronized void closeIfIdle(MigrateLink link) {
        link.idleCheckArmed = false;
        if (!link.cached || link.leased) {
            return; // gone, or in use: its next release arms a new check
        }
        long idleFor = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - link.lastUse);
        if (idleFor >= idleMillis) {
            discard(link);
        } else {
            scheduleIdleCheck(link, idleMillis - idleFor);
        }
    }
}
