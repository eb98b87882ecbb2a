package io.damselfly.server.client;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * CLIENT PAUSE: the pause in force, if any, and the connections whose next request waits it out.
 * The one owner of the pause state (Redis 7.0.15's client_pause_type / client_pause_end_time with
 * its one purpose, PAUSE_BY_CLIENT_COMMAND; damselfly has no replication failover or shutdown
 * that would pause for other purposes).
 *
 * <p>Cost when nothing is paused: {@link #current()} is one volatile read that answers null. A
 * command's executor makes it before running anything that Redis's processCommand would postpone,
 * and nothing else of this class is touched on that path (no lock, no allocation).
 *
 * <p>Merging, as pauseClients does for one purpose: a new pause keeps the more restrictive type of
 * the two and the later end, so a WRITE pause given during an ALL pause leaves ALL in force until
 * the later of the two ends, and a pause with timeout 0 changes only the type (its end, 0, has
 * passed). Each change installs a new immutable {@link State}, so a connection can tell whether
 * the pause it decided under is still the one in force ({@link #await}).
 *
 * <p>Ending: CLIENT UNPAUSE, or the end time passing, seen lazily by the next command that looks
 * ({@link #current(long)}), by a postponed connection's own timer, or by the server's periodic
 * tick ({@link #expireIfElapsed}), as Redis ends a pause in serverCron or at the next check. An
 * end wakes every waiter; each hops to its own event loop and runs its held request again, which
 * may be postponed again if another pause began meanwhile.
 *
 * <p>The keyspace learns of the pause through the listener given to {@link #onFreeze}: while a
 * pause is in force the dataset stays as it is (expired keys read as missing but are not deleted,
 * no active expiry, no eviction), as Redis's expireIfNeeded, activeExpireCycle and
 * isSafeToPerformEvictions check areClientsPaused. The keyspace keeps only that derived flag, set
 * here under this object's lock, so the two can never disagree for longer than one change.
 */
public final class ClientPause {
    /** What a pause holds back: WRITE, commands that may change the dataset; ALL, every command. */
    public enum Type {
        WRITE, ALL
    }

    /** A pause in force: its type and when it ends (ms since the epoch; it ends once this has passed). */
    public record State(Type type, long endMillis) {
        /** Whether a command that may replicate ({@code mayReplicate}) or not must wait now. */
        public boolean holds(boolean mayReplicate) {
            return type == Type.ALL || mayReplicate;
        }
    }

    /** A connection whose next request waits for the pause to end. */
    public interface Waiter {
        /** The pause ended (or changed); called from any thread, once per {@link #await}. */
        void pauseEnded();
    }

    /**
     * The marker a postponed client blocks in (CLIENT LIST flag b, argv-mem). CLIENT UNBLOCK does
     * not end it: redis-server 7.0.15 crashes on CLIENT UNBLOCK ... TIMEOUT of a paused client
     * (replyToBlockedClientTimedOut knows no BLOCKED_POSTPONE) and, with ERROR, answers the
     * client and then runs its command anyway; damselfly answers 0 and keeps the client waiting.
     * A server becoming a replica leaves it waiting too (disconnectAllBlockedClients skips
     * BLOCKED_POSTPONE: its command runs, or is refused, once the pause ends).
     */
    public static final Blocking POSTPONED = new Blocking() {
        @Override
        public boolean unblock(boolean asError) {
            return false;
        }

        @Override
        public boolean abort(String error) {
            return false;
        }
    };

    /** The pause in force, or null: the one read a command pays when nothing is paused. */
    private volatile State state;
    /** Connections holding a postponed request, in the order they were postponed; guarded by this. */
    private final LinkedHashSet<Waiter> waiters = new LinkedHashSet<>();
    /** Told true when a pause begins and false when it ends (the keyspace's freeze); guarded by this. */
    private Consumer<Boolean> freezeListener = frozen -> {
    };

    /** Sets what is told when the dataset must freeze (a pause began) or may thaw (it ended). */
    public synchronized void onFreeze(Consumer<Boolean> listener) {
        this.freezeListener = listener;
        listener.accept(state != null);
    }

    /** The pause in force as last installed, or null; may have passed its end (see {@link #current(long)}). */
    public State current() {
        return state;
    }

    /** The pause in force at {@code nowMillis}, or null; ends a pause whose end has passed. */
    public State current(long nowMillis) {
        State s = state;
        if (s != null && s.endMillis() < nowMillis) {
            expireIfElapsed(nowMillis);
            s = state;
        }
        return s;
    }

    /**
     * CLIENT PAUSE: pauses clients until {@code endMillis} for commands of {@code type}, merged
     * with a pause already in force (the more restrictive type, the later end).
     */
    public void pause(Type type, long endMillis, long nowMillis) {
        List<Waiter> woken = List.of();
        synchronized (this) {
            State old = state;
            if (old != null && old.endMillis() < nowMillis) {
                // a pause that has passed but was not yet seen to: it ends first, and its type
                // does not carry into the new one
                woken = end();
                old = null;
            }
            State merged = old == null ? new State(type, endMillis)
                    : new State(old.type().compareTo(type) >= 0 ? old.type() : type, Math.max(old.endMillis(), endMillis));
            if (merged.endMillis() >= nowMillis) {
                state = merged;
                if (old == null) {
                    freezeListener.accept(true);
                }
            }
            // else already over (timeout 0, or an end that overflowed): as updateClientPauseTypeAndEndTime
            // drops an elapsed purpose at once, nothing is paused
        }
        wake(woken);
    }

    /** CLIENT UNPAUSE: ends the pause in force, if any, and wakes every postponed client. */
    public void unpause() {
        List<Waiter> woken;
        synchronized (this) {
            woken = end();
        }
        wake(woken);
    }

    /** Ends the pause if its end has passed at {@code nowMillis} (lazily, or from a periodic tick). */
    public void expireIfElapsed(long nowMillis) {
        State s = state;
        if (s == null || s.endMillis() >= nowMillis) {
            return;
        }
        List<Waiter> woken;
        synchronized (this) {
            s = state;
            if (s == null || s.endMillis() >= nowMillis) {
                return;
            }
            woken = end();
        }
        wake(woken);
    }

    /**
     * Registers {@code w} to be woken when the pause ends, if {@code decidedUnder} (the pause its
     * request was postponed under) is still the one in force; otherwise answers false and the
     * caller runs the request again at once (the pause ended or changed in between).
     */
    public synchronized boolean await(Waiter w, State decidedUnder) {
        if (state != decidedUnder || decidedUnder == null) {
            return false;
        }
        waiters.add(w);
        return true;
    }

    /** Forgets {@code w} (its connection closed); harmless if it is not waiting. */
    public synchronized void cancel(Waiter w) {
        waiters.remove(w);
    }

    /** Connections waiting now (tests, diagnostics). */
    public synchronized int waiting() {
        return waiters.size();
    }

    /** Under the lock: no pause any more; returns the waiters to wake (outside the lock). */
    private List<Waiter> end() {
        if (state == null) {
            return List.of();
        }
        state = null;
        freezeListener.accept(false);
        List<Waiter> woken = new ArrayList<>(waiters);
        waiters.clear();
        return woken;
    }

    private static void wake(List<Waiter> woken) {
        for (Waiter w : woken) {
            w.pauseEnded();
        }
    }
}
