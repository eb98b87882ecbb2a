package io.damselfly.server.command;

import io.damselfly.server.keyspace.Keyspace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One connection's MULTI/EXEC state: the queued commands, whether queueing failed (Redis's
 * CLIENT_DIRTY_EXEC), and the keys it WATCHes. Owned by the connection's {@link CommandExecutor}
 * and used only on its event loop.
 *
 * <p>WATCH as versions. Redis marks every watching client dirty when a watched key is touched;
 * here each shard keeps a version per watched key ({@code Keyspace.watch}), moved by every write,
 * expiry, eviction, flush and swap of that key, and EXEC compares the version it saw at WATCH with
 * the one it sees now, under every shard's lock. Redis's two refinements for keys that had
 * already expired when watched are kept (multi.c's {@code expired} flag): such a key that is
 * later deleted is no logical change, and a key that expires between WATCH and EXEC is one.
 *
 * <p>Bounds. Queued arguments count against {@code client-query-buffer-limit}: past it the
 * transaction is flagged, as any queueing error flags it, and its queue is dropped, so a client
 * that never sends EXEC cannot grow the server's memory without bound (Redis counts this memory
 * only for client eviction).
 */
public final class Transaction {
    /** A watched key: its database, bytes, version at WATCH, and whether it had expired then. */
    private record Watched(int db, byte[] key, long version, boolean expiredAtWatch) {
    }

    private final Keyspace keyspace;
    private boolean open;
    private boolean flagged;
    private List<byte[][]> queued = new ArrayList<>();
    private long queuedBytes;
    /** The queue's memory as Redis counts it (mstate.argv_len_sums): argument bytes plus a pointer each. */
    private long argvMemory;
    private boolean queuedDenyOom;
    /** A write command was queued (EXEC is then a write to processCommand's read-only replica check). */
    private boolean queuedWrite;
    /** A command without the "stale" flag was queued (mstate.cmd_inv_flags & CMD_STALE). */
    private boolean queuedNonStale;
    /**
     * Whether a command queued may replicate (a write, PUBLISH, a writing script ...), which makes
     * EXEC one that CLIENT PAUSE WRITE holds back, as Redis's mstate.cmd_flags: kept when a later
     * command flags the transaction, reset when it ends.
     */
    private boolean queuedMayReplicate;
    private final List<Watched> watched = new ArrayList<>();

    Transaction(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    /** Whether MULTI was issued and neither EXEC nor DISCARD has ended it. */
    public boolean isOpen() {
        return open;
    }

    public void begin() {
        open = true;
    }

    /** A command was rejected while queueing: EXEC will answer EXECABORT (Redis's flagTransaction). */
    void flag() {
        if (open) {
            flagged = true;
            dropQueue();
        }
    }

    public boolean isFlagged() {
        return flagged;
    }

    /**
     * Queues a command for EXEC; returns false (and flags the transaction) when the queue would
     * pass {@code limit} bytes. Nothing is kept once the transaction is flagged, as Redis keeps
     * nothing for a transaction that can no longer run.
     */
    boolean queue(Command cmd, byte[][] argv, long limit) {
        if (flagged) {
            return true;
        }
        long bytes = 16L * argv.length;
        for (byte[] a : argv) {
            bytes += a.length;
        }
        if (queuedBytes + bytes > limit) {
            flag();
            return false;
        }
        queuedBytes += bytes;
        argvMemory += bytes - 8L * argv.length;
        queued.add(argv);
        queuedDenyOom |= cmd.isDenyOom();
        queuedWrite |= cmd.has(CommandFlag.WRITE);
        queuedNonStale |= !cmd.has(CommandFlag.STALE);
        return true;
    }

    /** A command that may replicate was queued (see {@link #mayReplicate}). */
    void queuedMayReplicate() {
        queuedMayReplicate = true;
    }

    /** Whether EXEC may replicate: some command queued before the transaction was flagged may. */
    boolean mayReplicate() {
        return queuedMayReplicate;
    }

    /** Whether a command that a stale replica refuses was queued. */
    boolean hasNonStale() {
        return queuedNonStale;
    }

    /** Whether a write command was queued (mstate.cmd_flags & CMD_WRITE). */
    boolean hasWrites() {
        return queuedWrite;
    }

    /** Whether some queued command may not run over maxmemory (which makes EXEC itself deny-oom). */
    boolean hasDenyOom() {
        return queuedDenyOom;
    }

    public int size() {
        return queued.size();
    }

    /** What the queue holds as Redis counts it (CLIENT LIST multi-mem): argument bytes plus 8 per argument. */
    public long argvMemory() {
        return argvMemory;
    }

    /** The queued requests, in order; the list is the caller's (the transaction forgets them). */
    public List<byte[][]> takeQueued() {
        List<byte[][]> all = queued;
        queued = new ArrayList<>();
        dropQueue();
        return all;
    }

    private void dropQueue() {
        queued.clear();
        queuedBytes = 0;
        argvMemory = 0;
        queuedDenyOom = false;
        queuedWrite = false;
        queuedNonStale = false;
    }

    /** Watches a key of {@code db} (once per key and database, as Redis). */
    public void watch(int db, byte[] key, long now) {
        for (Watched w : watched) {
            if (w.db == db && Arrays.equals(w.key, key)) {
                return;
            }
        }
        byte[] copy = key.clone();
        long version = keyspace.watch(db, copy);
        boolean expired = keyspace.keyState(db, copy, now) == Keyspace.KEY_EXPIRED;
        watched.add(new Watched(db, copy, version, expired));
    }

    /**
     * Whether a watched key changed since WATCH (Redis's CLIENT_DIRTY_CAS, and isWatchedKeyExpired
     * at EXEC). The caller holds every shard's lock, so nothing can change between this check and
     * the commands that follow it.
     */
    public boolean watchBroken(long now) {
        for (Watched w : watched) {
            int state = keyspace.keyState(w.db, w.key, now);
            // watched expired: at WATCH, or since SWAPDB brought an expired key where none was
            boolean expired = w.expiredAtWatch || keyspace.watchedExpiredBySwap(w.db, w.key, w.version);
            if (keyspace.watchedVersion(w.db, w.key) != w.version) {
                // a key already expired at WATCH and deleted since (by expiry or a write) is no
                // logical change; anything else that moved the version is
                if (!(expired && state == Keyspace.KEY_ABSENT)) {
                    return true;
                }
            } else if (!expired && state == Keyspace.KEY_EXPIRED) {
                return true;
            }
        }
        return false;
    }

    public void unwatchAll() {
        for (Watched w : watched) {
            keyspace.unwatch(w.db, w.key);
        }
        watched.clear();
    }

    /** Ends the transaction (EXEC, DISCARD, RESET, disconnect): queue dropped, keys unwatched. */
    public void discard() {
        open = false;
        flagged = false;
        queuedMayReplicate = false;
        dropQueue();
        unwatchAll();
    }
}
