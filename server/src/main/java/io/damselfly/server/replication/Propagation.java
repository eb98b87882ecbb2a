package io.damselfly.server.replication;

import io.damselfly.server.client.ClientSession;
import io.damselfly.server.keyspace.KeyEvent;
import io.damselfly.server.keyspace.KeyspaceObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * What each write sends down the replication stream, as Redis's call() and propagatePendingCommands
 * decide it: a command that changed the dataset propagates its arguments, or the deterministic
 * form its handler gave ({@code CommandContext.propagateAs}, Redis's rewriteClientCommandVector:
 * EXPIRE as PEXPIREAT, SPOP as SREM ...), after the side effects it caused (a key found expired on
 * access propagates a DEL, Redis's propagateDeletion). Everything one command, transaction or
 * script propagates is one unit, appended whole, MULTI/EXEC around it when it has several commands.
 *
 * <p>Design. A unit belongs to the thread running the command: the executor opens it once the
 * command holds its shard locks and closes it before releasing them, so the unit reaches the
 * stream in the order the writes were made. Side effects reach the unit from the keyspace's write
 * hook ({@link #keyChanged}: expired and evicted keys) on the same thread. Outside any unit (active
 * expiry and eviction on the cron thread, eviction before a command runs) a deletion is appended
 * alone, never wrapped, as Redis propagates them with propagate_no_multi. Until a replica attaches
 * the stream is inactive and nothing here runs beyond one volatile read per write command.
 */
public final class Propagation implements KeyspaceObserver {
    private static final byte[] DEL = "DEL".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNLINK = "UNLINK".getBytes(StandardCharsets.US_ASCII);

    private final ReplicationStream stream;
    private final BooleanSupplier lazyExpire;
    private final BooleanSupplier lazyEviction;
    private final ThreadLocal<Unit> units = ThreadLocal.withInitial(Unit::new);

    /** This thread's commands to propagate since its unit opened. */
    public static final class Unit {
        private final List<ReplicationStream.Op> ops = new ArrayList<>();
        private int depth;
        private boolean noMulti;
        /** Nothing this thread runs propagates (an AOF being loaded, as Redis while loading). */
        private boolean suppressed;
        /** Where this thread's calls go ({@link #setCallTargets}): {@link #TO_AOF} and {@link #TO_REPLICAS}. */
        private int callTargets = TO_ALL;

        /**
         * The unit is never wrapped in MULTI/EXEC: a command that touches arbitrary keys (KEYS,
         * SCAN, RANDOMKEY) may expire many keys, and Redis propagates those DELs unwrapped.
         */
        public void neverWrap() {
            noMulti = true;
        }
    }

    /**
     * {@code lazyExpire} and {@code lazyEviction} read lazyfree-lazy-expire and -eviction: a
     * deletion they make lazy propagates as UNLINK, as Redis's propagateDeletion.
     */
    public Propagation(ReplicationStream stream, BooleanSupplier lazyExpire, BooleanSupplier lazyEviction) {
        this.stream = stream;
        this.lazyExpire = lazyExpire;
        this.lazyEviction = lazyEviction;
    }

    public ReplicationStream stream() {
        return stream;
    }

    /** Whether writes are propagated now (one volatile read). */
    public boolean active() {
        return stream.active();
    }

    /**
     * Opens this thread's unit for a command (or a script), or joins the one open already; null
     * when nothing is propagated. Call with the command's shard locks held: the stream becomes
     * active only while every shard is held, so a command sees it active before or after all its
     * writes, never in between.
     */
    public Unit open() {
        if (!stream.active()) {
            return null;
        }
        Unit u = units.get();
        if (u.suppressed) {
            return null;
        }
        u.depth++;
        return u;
    }

    /**
     * Closes {@code u} as opened by {@link #open}: the outermost close appends what it holds as one
     * unit. Answers the stream's offset after it, or -1 when it appended nothing.
     */
    public long close(Unit u) {
        if (--u.depth > 0) {
            return -1;
        }
        long offset = flush(u);
        u.noMulti = false;
        return offset;
    }

    /**
     * Appends what {@code u} holds now as one unit, leaving it open: the end of a transaction's or
     * script's block, while its locks are still held. Answers the offset after it, or -1.
     */
    public long flush(Unit u) {
        if (u.ops.isEmpty()) {
            return -1;
        }
        long offset = stream.append(u.ops, !u.noMulti);
        u.ops.clear();
        return offset;
    }

    /**
     * Closes {@code u} as {@link #close} does, first appending what it holds when {@code now} (the
     * end of a transaction's or script's block, which must go out before its shards are released
     * even when the unit joined an outer one), and records the stream's offset after it as
     * {@code writer}'s last write, which WAIT waits for ({@code writer} may be null).
     */
    public void end(Unit u, boolean now, ClientSession writer) {
        long offset = now ? flush(u) : -1;
        offset = Math.max(offset, close(u));
        if (offset >= 0 && writer != null) {
            writer.setReplicationOffset(offset);
        }
    }

    /**
     * Runs {@code action} with nothing it does propagated: the commands of an AOF being loaded,
     * which Redis does not propagate (shouldPropagate is false while loading).
     */
    public void withoutPropagating(Runnable action) {
        Unit u = units.get();
        boolean was = u.suppressed;
        u.suppressed = true;
        try {
            action.run();
        } finally {
            u.suppressed = was;
        }
    }

    /**
     * Runs {@code action} with this thread's unit set aside, so what it propagates is appended at
     * once, each command alone: blocked clients served after a command are each their own unit in
     * Redis (served after the command's own propagation).
     */
    public void outsideUnit(Runnable action) {
        if (!stream.active()) {
            action.run();
            return;
        }
        Unit u = units.get();
        int depth = u.depth;
        u.depth = 0;
        try {
            action.run();
        } finally {
            u.depth = depth;
        }
    }

    /** Redis's PROPAGATE_AOF, PROPAGATE_REPL and both: redis.set_repl's REPL_AOF, REPL_REPLICA and REPL_ALL. */
    public static final int TO_AOF = 1;
    public static final int TO_REPLICAS = 2;
    public static final int TO_ALL = TO_AOF | TO_REPLICAS;

    /**
     * redis.set_repl: where the commands this thread calls go from now on ({@link #TO_AOF},
     * {@link #TO_REPLICAS}, both, or 0 for nowhere), until a script's end sets {@link #TO_ALL}
     * again. Only calls ({@link #addCall}) are steered: the DELs of keys expired or evicted meanwhile
     * go everywhere, as Redis propagates them outside call().
     */
    public void setCallTargets(int targets) {
        units.get().callTargets = targets;
    }

    /**
     * Propagates a command's call: {@link #add} where this thread's {@link #setCallTargets} allow,
     * to the replicas only when not {@code toAof} (PUBLISH).
     */
    public void addCall(int db, byte[][] argv, boolean toAof) {
        if (!stream.active()) {
            return;
        }
        add(db, argv, units.get().callTargets & (toAof ? TO_ALL : TO_REPLICAS));
    }

    /**
     * Propagates {@code argv} in database {@code db} (-1 for none): into this thread's open unit,
     * or alone at once when none is open. Call with the locks of the keys it names held. The
     * arguments are encoded at once: they may change afterwards.
     */
    public void add(int db, byte[][] argv) {
        add(db, argv, TO_ALL);
    }

    /** {@link #add} to {@code targets} ({@link #TO_AOF}, {@link #TO_REPLICAS}, both; 0: nowhere). */
    private void add(int db, byte[][] argv, int targets) {
        if (!stream.active() || targets == 0) {
            return;
        }
        Unit u = units.get();
        if (u.suppressed) {
            return;
        }
        ReplicationStream.Op op = new ReplicationStream.Op(db, ReplicationStream.encoded(argv),
                (targets & TO_AOF) != 0, (targets & TO_REPLICAS) != 0);
        if (u.depth > 0) {
            u.ops.add(op);
        } else {
            stream.append(List.of(op), false);
        }
    }

    /** The command a deletion propagates as (propagateDeletion): UNLINK when lazy, else DEL. */
    static byte[][] deletion(byte[] key, boolean lazy) {
        return new byte[][] {lazy ? UNLINK : DEL, key};
    }

    @Override
    public void keyChanged(int db, byte[] key, KeyEvent event) {
        if (event != KeyEvent.EXPIRED && event != KeyEvent.EVICTED) {
            return;
        }
        if (!stream.active()) {
            return;
        }
        boolean lazy = event == KeyEvent.EXPIRED ? lazyExpire.getAsBoolean() : lazyEviction.getAsBoolean();
        add(db, deletion(key.clone(), lazy));
    }
}
