package io.damselfly.server.client;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * CLIENT PAUSE: the pause in force, if any, and the connections whose next request waits it out.
 * The one owner of the pause state (Redis 7.0.15's client_pause_type / client_pause_end_time).
 * A pause has purposes, as pauseClients' PAUSE_BY_CLIENT_COMMAND, PAUSE_DURING_SHUTDOWN and
 * PAUSE_DURING_FAILOVER: CLIENT PAUSE's own ({@link #pause}, ended by CLIENT UNPAUSE or its time)
 * and the server's own holds, a shutdown or a failover waiting for replicas ({@link #hold}:
 * writes, with no end, until it ends or is aborted). The
 * pause in force is the most restrictive type and the latest end of the purposes present, and
 * ending one purpose leaves the others in force.
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
    /** CLIENT PAUSE's purpose, or null; guarded by this. */
    private State byClient;
    /**
     * The server's own reasons to hold writes (a shutdown or a failover waiting for replicas),
     * which CLIENT PAUSE and CLIENT UNPAUSE do not touch; guarded by this.
     */
    private final EnumSet<WriteHold> holds = EnumSet.noneOf(WriteHold.class);

    /** Why the server itself holds writes: Redis's PAUSE_DURING_SHUTDOWN and PAUSE_DURING_FAILOVER. */
    public enum WriteHold { SHUTDOWN, FAILOVER }
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
        change(() -> {
            State old = byClient;
            if (old != null && old.endMillis() < nowMillis) {
                // a pause that has passed but was not yet seen to: it ends first, and its type
                // does not carry into the new one
                old = null;
            }
            State merged = old == null ? new State(type, endMillis)
                    : new State(old.type().compareTo(type) >= 0 ? old.type() : type, Math.max(old.endMillis(), endMillis));
            // one already over (timeout 0, or an end that overflowed) pauses nothing, as
            // updateClientPauseTypeAndEndTime drops an elapsed purpose at once
            byClient = merged.endMillis() >= nowMillis ? merged : null;
        });
    }

    /** CLIENT UNPAUSE: ends CLIENT PAUSE's pause, if any, and wakes every postponed client. */
    public void unpause() {
        change(() -> byClient = null);
    }

    /**
     * Writes wait until {@link #release} of {@code hold}, whatever CLIENT PAUSE and CLIENT UNPAUSE
     * do meanwhile: a shutdown waiting for its replicas (prepareForShutdown), a failover waiting for
     * its target (failoverCommand).
     */
    public void hold(WriteHold hold) {
        change(() -> holds.add(hold));
    }

    /** {@code hold} ends (a shutdown aborted, a failover done); other pauses stay. */
    public void release(WriteHold hold) {
        change(() -> holds.remove(hold));
    }

    /** Changes a purpose under the lock, installs the merge, then wakes whom that eased (outside it). */
    private void change(Runnable purpose) {
        List<Waiter> woken;
        synchronized (this) {
            purpose.run();
            woken = install();
        }
        wake(woken);
    }

    /** Ends CLIENT PAUSE's pause if its end has passed at {@code nowMillis} (lazily, or from a periodic tick). */
    public void expireIfElapsed(long nowMillis) {
        State s = state;
        if (s == null || s.endMillis() >= nowMillis) {
            return;
        }
        List<Waiter> woken;
        synchronized (this) {
            if (byClient == null || byClient.endMillis() >= nowMillis) {
                return;
            }
            byClient = null;
            woken = install();
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

    /**
     * Under the lock: makes the purposes' merge the pause in force. Answers the waiters to wake
     * (outside the lock): none when the pause only became stricter or longer, since what they wait
     * for is still ahead; all of them when it ended or eased, to run again under what is in force.
     */
    private List<Waiter> install() {
        State old = state;
        State held = holds.isEmpty() ? null : new State(Type.WRITE, Long.MAX_VALUE);
        State merged = byClient == null ? held : held == null ? byClient
                : new State(byClient.type().compareTo(held.type()) >= 0 ? byClient.type() : held.type(), Long.MAX_VALUE);
        if (merged == null ? old == null : merged.equals(old)) {
            return List.of();
        }
        state = merged;
        if ((old == null) != (merged == null)) {
            freezeListener.accept(merged != null);
        }
        if (merged != null && old != null && merged.type().compareTo(old.type()) >= 0 && merged.endMillis() >= old.endMillis()) {
            return List.of();
        }
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
