package io.damselfly.server.client;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** All connected clients, by id; hands out ids and counts connections against maxclients. */
public final class ClientRegistry {
    private final ConcurrentHashMap<Long, ClientSession> clients = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong totalConnections = new AtomicLong();
    private final AtomicLong rejectedConnections = new AtomicLong();
    /** Connections admitted and not yet gone: reserved before a session exists, so two event
     *  loops accepting at once cannot both take the last slot. */
    private final java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();

    /** Clients waiting in a blocking command (INFO blocked_clients). */
    private final java.util.concurrent.atomic.AtomicInteger blocked = new java.util.concurrent.atomic.AtomicInteger();

    private final Monitors monitors = new Monitors();

    private final ClientPause pause = new ClientPause();

    /** CLIENT PAUSE: the pause in force and the clients postponed by it. */
    public ClientPause pause() {
        return pause;
    }

    /** The clients in MONITOR mode and the feed that shows them each command. */
    public Monitors monitors() {
        return monitors;
    }

    public long nextId() {
        return nextId.getAndIncrement();
    }

    /**
     * Takes a connection slot if fewer than {@code max} are taken; a taken slot is given back by
     * {@link #remove}. Counts the refusal otherwise.
     */
    public boolean tryAdmit(int max) {
        while (true) {
            int n = admitted.get();
            if (n >= max) {
                rejectedConnections.incrementAndGet();
                return false;
            }
            if (admitted.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Counts a connection refused for another reason than maxclients (protected mode). */
    public void countRejected() {
        rejectedConnections.incrementAndGet();
    }

    public void add(ClientSession c) {
        clients.put(c.id(), c);
        totalConnections.incrementAndGet();
    }

    public void remove(ClientSession c) {
        if (clients.remove(c.id()) != null) {
            admitted.decrementAndGet();
        }
    }

    /**
     * Lists a client that no connection accepted (a replica's link to its primary): shown by CLIENT
     * LIST and killed by CLIENT KILL like any, but neither a connection received nor a maxclients
     * slot. Taken out again with {@link #removeUnadmitted}.
     */
    public void addUnadmitted(ClientSession c) {
        clients.put(c.id(), c);
    }

    public void removeUnadmitted(ClientSession c) {
        clients.remove(c.id(), c);
    }

    public ClientSession get(long id) {
        return clients.get(id);
    }

    public int count() {
        return clients.size();
    }

    /** A snapshot of the clients, ordered by id as CLIENT LIST orders them. */
    public List<ClientSession> snapshot() {
        List<ClientSession> list = new ArrayList<>(clients.values());
        list.sort(Comparator.comparingLong(ClientSession::id));
        return list;
    }

    /** A client started (+1) or stopped (-1) waiting in a blocking command. */
    public void countBlocked(int delta) {
        blocked.addAndGet(delta);
    }

    /** Clients waiting in a blocking command now. */
    public int blocked() {
        return blocked.get();
    }

    public long totalConnections() {
        return totalConnections.get();
    }

    public long rejectedConnections() {
        return rejectedConnections.get();
    }

    /** Zeroes the connection counters (CONFIG RESETSTAT); the clients themselves stay. */
    public void resetStats() {
        totalConnections.set(0);
        rejectedConnections.set(0);
    }
}
