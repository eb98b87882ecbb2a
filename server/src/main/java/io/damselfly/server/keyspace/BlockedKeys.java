package io.damselfly.server.keyspace;

import io.damselfly.server.keyspace.ListOps.End;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The clients blocked in a list pop (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP), a sorted-set
 * pop (BZPOPMIN, BZPOPMAX, BZMPOP) or a stream read (XREAD, XREADGROUP with BLOCK), per database
 * and key, and their serving when a key they wait on becomes a list or sorted set, or its stream
 * gets new entries: Redis's blocking_keys and ready_keys (blocked.c), on a sharded keyspace. A
 * key's queue may hold waiters of several kinds; a key serves those of its type, in order, and
 * leaves the others waiting, as Redis's serveClientsBlockedOn*Key skip other types.
 *
 * <p>Design.
 * <ul>
 *   <li><b>Registry.</b> One partition per shard, guarded by that shard's lock: key -> the
 *       waiters in the order they blocked (Redis serves them first come, first served). A waiter
 *       on several keys is in each key's queue; the blocking command registers it while it holds
 *       the locks of all its keys. The registry holds only the clients that wait: a waiter leaves
 *       every queue once its reply is resolved in any way (served, timed out, disconnected),
 *       taking each key's shard lock in turn on its own event loop ({@link #unregister}).
 *   <li><b>Ready keys.</b> A pop waits only while its key is missing (a blocking pop on a list
 *       with elements answers at once; on another type it fails), so what can serve it is the
 *       creation of the key: this class observes the write hook's NEW events and notes a waited
 *       key as ready, on the thread that created it, under its shard lock (SWAPDB, which creates
 *       keys wholesale, has every waited key of both databases looked at). A stream reader waits
 *       on a key that may exist: for a key with stream readers, every change but the stream
 *       writes Redis does not signal (XDEL, XTRIM, XSETID, XGROUP other than DESTROY) makes it
 *       ready too: XADD brings entries, XGROUP DESTROY answers group readers NOGROUP, and a
 *       deleted or replaced key answers them UNBLOCKED (unblockDeletedStreamReadgroupClients).
 *   <li><b>Serving.</b> At the end of the command that made keys ready, with that command's
 *       shard locks still held, the executor calls {@link #serveReady}: before any other command
 *       can touch the key, as Redis serves blocked clients right after the command, the waiters
 *       are served in order while the list has elements. Handing over never loses an element: the
 *       elements are read, the waiter's reply is completed with them ({@link Waiter#take}, which
 *       answers false if the waiter timed out or left meanwhile: the race is decided by the reply
 *       slot's state word), and only then popped; completing only posts a task to the waiter's
 *       event loop, so no lock is held across loops.
 *   <li><b>BLMOVE's destination</b> may live in a shard the waker does not hold. Taking it while
 *       holding another could deadlock against a command taking both in index order, so it is
 *       only tried ({@code tryLock}); if busy, serving the key is retried on the waiter's loop,
 *       which takes both locks in index order. Only then can another command slip in first.
 * </ul>
 */
public final class BlockedKeys implements KeyspaceObserver {

    /**
     * One blocked client, as the command layer implements it: what it pops and how its reply is
     * completed. Every method may be called from any thread.
     */
    public interface Waiter {
        /** The type of value that serves this waiter: LIST, ZSET for the sorted-set pops, STREAM for stream reads. */
        default ValueType type() {
            return ValueType.LIST;
        }

        /** The end elements are popped from; for a sorted set LEFT is the lowest score (BZPOPMIN). */
        default End end() {
            return End.LEFT;
        }

        /** How many elements at most (BLMPOP COUNT; 1 for the others). */
        default long count() {
            return 1;
        }

        /** BLMOVE's destination key, or null for a pop. */
        default byte[] destination() {
            return null;
        }

        /** The end BLMOVE pushes to. */
        default End destinationEnd() {
            return End.LEFT;
        }

        /**
         * A stream reader: serves itself from {@code key} as it now is in {@code view} (with the
         * key's shard held), completing its reply; answers true when it is done with (served,
         * refused, or gone) and leaves the queue, false to go on waiting.
         */
        default boolean serveStream(Database view, byte[] key) {
            throw new UnsupportedOperationException("not a stream reader");
        }

        /** Whether the reply was already resolved (timed out, disconnected, served). */
        boolean isGone();

        /**
         * Completes the reply with the elements popped from {@code key}; answers false when the
         * waiter is gone, in which case the caller must not pop them.
         */
        default boolean take(byte[] key, byte[][] elements) {
            throw new UnsupportedOperationException("not a list waiter");
        }

        /**
         * Completes the reply with the members popped from the sorted set at {@code key} and their
         * scores; answers false when the waiter is gone, in which case the caller must not pop them.
         */
        default boolean takeScored(byte[] key, byte[][] members, double[] scores) {
            throw new UnsupportedOperationException("not a sorted-set waiter");
        }

        /**
         * Whether serving this waiter counts its pops as changes (server.dirty), as Redis 7.0.15
         * does for BLMPOP and the sorted-set pops, served through the code of their non-blocking
         * forms (listPopRangeAndReplyWithKey, genericZpopCommand); a served BLPOP, BRPOP, BLMOVE
         * or BRPOPLPUSH (serveClientBlockedOnList) changes the lists without counting.
         */
        default boolean countsServedChanges() {
            return true;
        }

        /** Completes the reply with an error status (BLMOVE onto a key of another type). */
        default boolean refuse(OpStatus status) {
            throw new UnsupportedOperationException("not a list waiter");
        }

        /** Runs {@code task} later on the waiter's own thread (its event loop). */
        void runLater(Runnable task);
    }

    /** A database and key, compared by content. */
    private record WaitedKey(int db, byte[] key, int hash) {
        static WaitedKey of(int db, byte[] key) {
            return new WaitedKey(db, key, 31 * db + Arrays.hashCode(key));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof WaitedKey k && k.db == db && k.hash == hash && Arrays.equals(k.key, key);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A waiter's place in the registry: its keys, and whether it is still in their queues. */
    public static final class Registration {
        private final Waiter waiter;
        private final int db;
        private final List<byte[]> keys;
        private final AtomicBoolean registered = new AtomicBoolean(true);

        private Registration(Waiter waiter, int db, List<byte[]> keys) {
            this.waiter = waiter;
            this.db = db;
            this.keys = keys;
        }
    }

    private final Keyspace keyspace;
    /** Per shard, under that shard's lock: key -> its waiters, first blocked first. */
    private final List<Map<WaitedKey, ArrayDeque<Registration>>> partitions;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicBoolean observing = new AtomicBoolean();
    /** Keys this thread made ready in the command running, served at its end. */
    private final ThreadLocal<ArrayDeque<WaitedKey>> ready = ThreadLocal.withInitial(ArrayDeque::new);

    BlockedKeys(Keyspace keyspace) {
        this.keyspace = keyspace;
        this.partitions = new ArrayList<>(keyspace.shardCount());
        for (int i = 0; i < keyspace.shardCount(); i++) {
            partitions.add(new HashMap<>());
        }
    }

    /** Clients registered and not yet resolved. */
    public int waiting() {
        return waiting.get();
    }

    // ---- registration ------------------------------------------------------------------------

    /**
     * Blocks {@code waiter} on {@code keys[from, to)} of database {@code db} (a key named twice
     * counts once). The caller holds the shard locks of all the keys, and must call {@link
     * #unregister} once the waiter's reply is resolved, whichever way.
     */
    public Registration register(Waiter waiter, int db, byte[][] keys, int from, int to) {
        if (observing.compareAndSet(false, true)) {
            // observed from the first blocked client on: no cost to writes before
            keyspace.addObserver(this);
        }
        List<byte[]> distinct = new ArrayList<>(to - from);
        Registration r = new Registration(waiter, db, distinct);
        for (int i = from; i < to; i++) {
            WaitedKey k = WaitedKey.of(db, keys[i]);
            Shard s = shardOf(keys[i]);
            if (!s.isHeldByCurrentThread()) {
                throw new IllegalStateException("blocking on a key without its shard's lock");
            }
            ArrayDeque<Registration> queue = partitions.get(s.index()).computeIfAbsent(k, x -> new ArrayDeque<>(2));
            if (!queue.contains(r)) {
                queue.addLast(r);
                distinct.add(keys[i]);
            }
        }
        waiting.incrementAndGet();
        return r;
    }

    /**
     * Takes a resolved waiter out of every queue it is in, locking each key's shard in turn (never
     * two at once). Call with no shard lock held; a second call does nothing.
     */
    public void unregister(Registration r) {
        if (!r.registered.compareAndSet(true, false)) {
            return;
        }
        for (byte[] key : r.keys) {
            Shard s = shardOf(key);
            s.lock();
            try {
                Map<WaitedKey, ArrayDeque<Registration>> partition = partitions.get(s.index());
                WaitedKey k = WaitedKey.of(r.db, key);
                ArrayDeque<Registration> queue = partition.get(k);
                if (queue != null) {
                    queue.remove(r);
                    if (queue.isEmpty()) {
                        partition.remove(k);
                    }
                }
            } finally {
                s.unlock();
            }
        }
        waiting.decrementAndGet();
    }

    // ---- ready keys --------------------------------------------------------------------------

    @Override
    public void keyChanged(int db, byte[] key, KeyEvent event) {
        if (waiting.get() == 0 || (event != KeyEvent.NEW && !wakesStreamReaders(event))) {
            return;
        }
        WaitedKey k = WaitedKey.of(db, key);
        ArrayDeque<Registration> queue = partitions.get(shardOf(key).index()).get(k);
        if (queue != null && (event == KeyEvent.NEW || hasStreamReader(queue))) {
            // the key array may be reused by the caller's entry; the registry's own copy is kept
            ready.get().addLast(WaitedKey.of(db, key.clone()));
        }
    }

    /**
     * FLUSHDB, FLUSHALL, SWAPDB: every waited key of the database with a stream reader is looked
     * at once the command ends (Redis's scanDatabaseForDeletedStreams), so group readers of a
     * stream that went learn it. Each shard's part of the registry is read under its lock.
     */
    @Override
    public void databaseChanged(int db) {
        if (waiting.get() == 0) {
            return;
        }
        ArrayDeque<WaitedKey> queue = ready.get();
        for (int i = 0; i < partitions.size(); i++) {
            Shard s = keyspace.shard(i);
            s.lock();
            try {
                for (Map.Entry<WaitedKey, ArrayDeque<Registration>> e : partitions.get(i).entrySet()) {
                    if (e.getKey().db == db && hasStreamReader(e.getValue())) {
                        queue.addLast(e.getKey());
                    }
                }
            } finally {
                s.unlock();
            }
        }
    }

    /** Whether an event may serve a stream reader: any change but the stream writes Redis does not signal. */
    private static boolean wakesStreamReaders(KeyEvent event) {
        if (event == KeyEvent.KEYMISS) {
            return false;
        }
        return event.notifyClass() != 't' || event == KeyEvent.XADD || event == KeyEvent.XGROUP_DESTROY;
    }

    private static boolean hasStreamReader(ArrayDeque<Registration> queue) {
        for (Registration r : queue) {
            if (r.waiter.type() == ValueType.STREAM) {
                return true;
            }
        }
        return false;
    }

    /**
     * Serves the waiters of the keys this thread's command made ready (Redis's
     * handleClientsBlockedOnKeys), with the command's shard locks still held; {@code db} is the
     * command's view. Keys are looked at at the present time, never before the command's own
     * clock: Redis updates its cached time before serving each ready key, so a key that expired
     * while a transaction or script ran (DEBUG SLEEP) is found expired (its DEL propagated) and
     * serves nobody. Cheap when nobody waits.
     */
    public void serveReady(Database db) {
        if (waiting.get() == 0) {
            return;
        }
        ArrayDeque<WaitedKey> queue = ready.get();
        if (queue.isEmpty()) {
            return;
        }
        List<Shard> borrowed = new ArrayList<>(0);
        try {
            WaitedKey k;
            // serving a BLMOVE may make its destination ready in turn: served in the same loop
            while ((k = queue.pollFirst()) != null) {
                Shard s = shardOf(k.key);
                if (!s.isHeldByCurrentThread()) {
                    if (!s.tryLockForMaintenance()) {
                        continue;
                    }
                    borrowed.add(s);
                }
                serveKey(keyspace.database(k.db, Math.max(db.now(), System.currentTimeMillis())), k, borrowed);
            }
        } finally {
            for (int i = borrowed.size() - 1; i >= 0; i--) {
                borrowed.get(i).unlock();
            }
        }
    }

    /**
     * SWAPDB, with every shard held: the waited keys of both databases are noted as ready
     * (Redis's scanDatabaseForReadyKeys), since swapping creates no key one by one, and served
     * with the other ready keys once SWAPDB has run and propagated, as Redis serves them after
     * the command: a served pop, or a DEL of a waited key found expired, follows SWAPDB in the
     * replication stream.
     */
    void databasesSwapped(int a, int b) {
        if (waiting.get() == 0) {
            return;
        }
        ArrayDeque<WaitedKey> queue = ready.get();
        for (Map<WaitedKey, ArrayDeque<Registration>> partition : partitions) {
            for (WaitedKey k : partition.keySet()) {
                if (k.db == a || k.db == b) {
                    queue.addLast(k);
                }
            }
        }
    }

    /**
     * Serves a key's waiters in order while it holds a list or sorted set with elements, skipping
     * (and keeping) those waiting for the other type, and lets each stream reader serve itself;
     * its shard is held.
     */
    private void serveKey(Database view, WaitedKey k, List<Shard> borrowed) {
        ArrayDeque<Registration> queue = partitions.get(shardOf(k.key).index()).get(k);
        Iterator<Registration> it = queue == null ? null : queue.iterator();
        while (it != null && it.hasNext()) {
            Registration r = it.next();
            Waiter w = r.waiter;
            if (w.isGone()) {
                // resolved another way; its own unregister will find it gone from here
                it.remove();
                continue;
            }
            if (w.type() == ValueType.STREAM) {
                if (w.serveStream(view, k.key)) {
                    it.remove();
                }
                continue;
            }
            Object e = view.find(k.key);
            if (e == null) {
                // stream readers further on may still need an answer (a deleted key)
                continue;
            }
            if (w.type() == ValueType.ZSET) {
                SortedSetOps.Popped p = SortedSetOps.peek(e, w.end() == End.RIGHT, w.count());
                if (p != null) {
                    if (w.takeScored(k.key, p.members(), p.scores())) {
                        view.sortedSets().pop(k.key, w.end() == End.RIGHT, p.members().length);
                    }
                    it.remove();
                }
                continue;
            }
            ListValue list = ListOps.listOf(e);
            if (list == null || list.isEmpty()) {
                continue;
            }
            byte[] destination = w.destination();
            if (destination == null) {
                int n = (int) Math.min(w.count(), list.size());
                if (w.take(k.key, ListOps.peek(list, w.end(), n))) {
                    view.lists().pop(k.key, w.end(), n);
                    if (!w.countsServedChanges()) {
                        view.adjustChanges(k.key, -n);
                    }
                }
                it.remove();
                continue;
            }
            Shard target = shardOf(destination);
            if (!target.isHeldByCurrentThread()) {
                if (!target.tryLockForMaintenance()) {
                    w.runLater(() -> retry(k, destination));
                    return;
                }
                borrowed.add(target);
            }
            Object dst = view.find(destination);
            if (dst != null && ListOps.listOf(dst) == null) {
                w.refuse(OpStatus.WRONG_TYPE);
            } else if (w.take(k.key, ListOps.peek(list, w.end(), 1))) {
                view.lists().move(k.key, destination, w.end(), w.destinationEnd());
                if (!w.countsServedChanges()) {
                    // the move's one change is counted where the push went
                    view.adjustChanges(destination, -1);
                }
            }
            it.remove();
        }
    }

    /**
     * Serves a key again from a waiter's loop after its BLMOVE destination's shard was busy: both
     * shards are taken in index order, so this may wait, as any command does.
     */
    private void retry(WaitedKey k, byte[] destination) {
        Shard a = shardOf(k.key);
        Shard b = shardOf(destination);
        Shard first = a.index() <= b.index() ? a : b;
        Shard second = first == a ? b : a;
        first.lock();
        second.lock();
        try {
            Database view = keyspace.database(k.db, System.currentTimeMillis());
            ready.get().addLast(k);
            serveReady(view);
        } finally {
            second.unlock();
            first.unlock();
        }
    }

    private Shard shardOf(byte[] key) {
        return keyspace.shard(keyspace.shardIndex(key));
    }
}
