package io.damselfly.server.command;

import io.damselfly.server.client.Blocking;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A reply a command gives later: the slot a blocking command (WAIT, BLPOP) or a near-cache miss
 * holds in its connection's reply order while it waits for an event, a timeout or another thread.
 *
 * <p>Design. A command asks its {@link CommandContext} for a slot instead of replying. The
 * connection keeps the slot in its ordered output, so replies of later pipelined requests wait
 * behind it; when the slot is {@linkplain #blocksClient() blocking}, as Redis blocks a client, the
 * connection runs no further request of that client until the slot is resolved. Whoever resolves
 * it ({@link #complete}) may run on any thread: it passes a writer that renders the reply, and the
 * connection runs that writer on its own event loop, so a reply is always written by the thread
 * that owns the connection. Exactly one of completion, timeout and cancellation (the connection
 * closed) wins; the state word decides which, so a waker that loses learns it from {@code
 * complete} answering false and keeps what it would have handed over.
 */
public final class DeferredReply implements Blocking {
    static final String UNBLOCKED = "UNBLOCKED client unblocked via CLIENT UNBLOCK";

    /**
     * The connection side of a slot: where it is resolved. Implemented by a client connection;
     * a session without one (a script's client) cannot defer.
     */
    public interface Owner {
        /** The event loop that owns the connection; resolution and timeouts run there. */
        EventExecutor executor();

        /** Called on {@link #executor()} once the slot is completed or cancelled. */
        void resolved(DeferredReply slot);
    }

    private static final int OPEN = 0;
    private static final int COMPLETED = 1;
    private static final int CANCELLED = 2;
    /** Won by a completer that has not yet published its writer: not resolved for anyone else. */
    private static final int COMPLETING = 3;

    private final Owner owner;
    private final boolean blocksClient;
    private final AtomicInteger state = new AtomicInteger(OPEN);
    /** Set by the winner of the state word, published to the owner's loop by its task queue. */
    private Consumer<Reply> writer;
    /** Touched only on the owner's loop. */
    private ScheduledFuture<?> timeout;
    /** The reply on timeout, also given when CLIENT UNBLOCK ... TIMEOUT ends the wait. */
    private volatile Consumer<Reply> timeoutWriter;
    private Runnable onCancel;
    private Runnable onResolved;
    private boolean scriptsBehind;
    /** Set when the client had replies off as the command ran: the reply is rendered as nothing. */
    private boolean silent;
    /** Whether the completion is a failed call (cmdstat's failed_calls); written before the state that publishes the writer. */
    private boolean failed;
    /** The code a failed completion counts under in INFO errorstats, or null for none; written with {@link #failed}. */
    private String failureCode;
    /**
     * Counts a failed completion for the command that opened the slot, given its errorstats
     * code or null; owner's loop only.
     */
    private Consumer<String> onFailed;
    private Runnable onCounted;
    /** Time spent on the call elsewhere (a script's run on its thread), set before completing. */
    private long workNanos;
    /** Completed by what it waited for or by CLIENT UNBLOCK, not by its timeout. */
    private boolean counted;

    public DeferredReply(Owner owner, boolean blocksClient) {
        this.owner = owner;
        this.blocksClient = blocksClient;
    }

    /** Whether the client runs no further request until this slot is resolved (Redis's blocked client). */
    public boolean blocksClient() {
        return blocksClient;
    }

    /**
     * Lets the blocked client's next requests run while this slot waits as long as they are
     * scripts too (a script's slot: the script thread runs scripts in arrival order, so the next
     * one queues behind this one instead of waiting a hand-off for it); any other request still
     * waits. Set by its maker, on the owner's loop, before the connection sees the slot.
     */
    public void admitScriptsBehind() {
        scriptsBehind = true;
    }

    /** Whether further scripts of the client may run while this slot waits. */
    public boolean admitsScriptsBehind() {
        return scriptsBehind;
    }

    /**
     * Resolves the slot with the reply {@code writer} renders, from any thread. Answers false when
     * the slot was already resolved (completed, timed out, or its connection closed): then the
     * writer is never run and the caller keeps whatever it meant to hand over.
     */
    public boolean complete(Consumer<Reply> writer) {
        return complete(writer, false, null, true);
    }

    /**
     * Resolves the slot with the error reply {@code error}, a failed call: counted in INFO
     * errorstats under its code and in the command's failed_calls, as Redis counts the error
     * of a client it unblocks. From any thread; false when the slot was already resolved.
     */
    public boolean fail(String error) {
        return complete(r -> r.error(error), true, errorCode(error), true);
    }

    /**
     * Resolves the slot with {@code writer}'s error reply, a failed call, counted in INFO
     * errorstats under {@code errorstatsCode} unless that is null (a script's error that the
     * redis.call inside it counted already, as Redis's ERR_REPLY_FLAG_NO_STATS_UPDATE).
     */
    public boolean completeFailed(Consumer<Reply> writer, String errorstatsCode) {
        return complete(writer, true, errorstatsCode, true);
    }

    private boolean complete(Consumer<Reply> writer, boolean failed, String errorstatsCode, boolean counted) {
        if (!state.compareAndSet(OPEN, COMPLETING)) {
            return false;
        }
        // the writer before the state that says it is there: the connection may find the slot
        // completed while pumping for an earlier slot, before this slot's own task has run
        this.writer = writer;
        this.failed = failed;
        this.failureCode = errorstatsCode;
        this.counted = counted;
        state.set(COMPLETED);
        // a task even on the owner's own loop: never render inside the command that completes
        // it, but between events, when no batch of the connection is open
        owner.executor().execute(this::resolvedOnLoop);
        return true;
    }

    /**
     * Completes the slot with {@code writer}'s reply after {@code millis} (0: never) unless it is
     * resolved before; CLIENT UNBLOCK ... TIMEOUT gives the same reply at once. Call on the
     * owner's loop (from the command that opened the slot).
     */
    public void timeoutAfter(long millis, Consumer<Reply> writer) {
        timeoutWriter = writer;
        if (millis <= 0) {
            return;
        }
        timeout = owner.executor().schedule(() -> {
            timeout = null;
            complete(writer, false, null, false);
        }, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean unblock(boolean asError) {
        // only a command that waits with a timeout (a blocking pop, XREAD, WAIT) can be ended
        // early, as Redis's CLIENT UNBLOCK; a client running a script, a MIGRATE or a SAVE is not
        // blocked to Redis, whose thread is busy with it
        Consumer<Reply> writer = timeoutWriter;
        if (!blocksClient || writer == null) {
            return false;
        }
        // the call counts as failed either way (errorstats only for the error reply), as Redis's
        return asError ? abort(UNBLOCKED) : complete(writer, true, null, true);
    }

    @Override
    public boolean abort(String error) {
        if (!blocksClient || timeoutWriter == null) {
            return false;
        }
        return complete(r -> r.error(error), true, errorCode(error), true);
    }

    /** The code an error reply is counted under: its first word. */
    public static String errorCode(String error) {
        int space = error.indexOf(' ');
        return space < 0 ? error : error.substring(0, space);
    }

    /**
     * Counts a failed completion ({@link #fail}, {@link #completeFailed}) with {@code counter},
     * given its errorstats code or null, on the owner's loop once the slot is completed. Call on
     * the owner's loop.
     */
    public void onFailed(Consumer<String> counter) {
        this.onFailed = counter;
    }

    /**
     * Runs {@code action} on the owner's loop when the slot is completed by what it waited for or
     * by CLIENT UNBLOCK (not by its own timeout, nor when its connection closes), before its
     * reply is written: where Redis 7.0 counts a blocked command (updateStatsOnUnblock).
     */
    public void onCounted(Runnable action) {
        this.onCounted = action;
    }

    /**
     * Adds time the call spent away from its event loop (a script's run on a script thread), for
     * its statistics; by the completing thread, before it completes the slot.
     */
    public void addWorkNanos(long nanos) {
        workNanos += nanos;
    }

    /** What {@link #addWorkNanos} added; on the owner's loop once completed. */
    public long workNanos() {
        return workNanos;
    }

    /** Runs {@code action} on the owner's loop if the connection closes before the slot resolves. */
    public void onCancel(Runnable action) {
        this.onCancel = action;
    }

    /**
     * Runs {@code action} on the owner's loop once the slot is resolved, whichever way (completed,
     * timed out, or the connection closed): for taking back what the waiting command registered
     * elsewhere (a blocked pop's place in its keys' queues).
     */
    public void onResolved(Runnable action) {
        this.onResolved = action;
    }

    /** The owner's loop: where the slot resolves (MIGRATE opens its connection there). */
    public EventExecutor executor() {
        return owner.executor();
    }

    /** Runs {@code task} on the owner's loop, from any thread. */
    public void execute(Runnable task) {
        owner.executor().execute(task);
    }

    /** Whether the slot was completed (its reply is ready to render). */
    public boolean isCompleted() {
        return state.get() == COMPLETED;
    }

    /** Whether the slot was resolved in any way. */
    public boolean isResolved() {
        int s = state.get();
        return s == COMPLETED || s == CANCELLED;
    }

    /** The client had replies off (CLIENT REPLY) when the command ran: its reply is dropped. */
    void silence() {
        silent = true;
    }

    /**
     * Renders the reply into {@code reply}; called by the connection, on its loop, once the slot is
     * completed.
     */
    public void render(Reply reply) {
        if (!silent) {
            writer.accept(reply);
        }
    }

    /** The connection closed: the slot will never be answered. Call on the owner's loop. */
    public void cancel() {
        if (!state.compareAndSet(OPEN, CANCELLED)) {
            return;
        }
        cancelTimeout();
        if (onCancel != null) {
            onCancel.run();
        }
        if (onResolved != null) {
            onResolved.run();
        }
    }

    private void resolvedOnLoop() {
        cancelTimeout();
        if (failed && onFailed != null) {
            onFailed.accept(failureCode);
        }
        if (counted && onCounted != null) {
            onCounted.run();
        }
        if (onResolved != null) {
            onResolved.run();
        }
        owner.resolved(this);
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
