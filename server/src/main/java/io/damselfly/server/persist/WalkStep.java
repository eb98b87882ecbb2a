package io.damselfly.server.persist;

import io.damselfly.server.keyspace.KeyspaceSnapshot;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One step of a snapshot's walk ({@link KeyspaceSnapshot#step}), handed to an event loop to run
 * between its requests.
 *
 * <p>Why on an event loop: a step holds its shard's lock for the ~100 µs it takes to copy a
 * segment. Run on the save thread, on a machine whose cores are busy, the scheduler often
 * preempted that thread while it held the lock, and every request of that shard then waited a
 * whole time slice for it: that, not the save's CPU, was most of the p99 added by a background
 * save (GET-only load: 2.8 ms during saves against 0.56 ms without). An event loop is not
 * preempted in favour of the save thread, and a step costs the requests queued behind it on that
 * loop about what one pipelined batch costs.
 *
 * <p>Whoever claims the step first runs it: the loop, or the save thread when the loop has not
 * started it within {@link #RECLAIM_AFTER_MILLIS} (a loop shutting down may drop its tasks, and
 * a loop stuck in a long command should not hold the save up). So a step runs exactly once, and
 * a save never waits for a loop that has gone.
 */
final class WalkStep implements Runnable {
    static final long RECLAIM_AFTER_MILLIS = 50;

    private final KeyspaceSnapshot snapshot;
    private final int shard;
    private final int maxEntries;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final CompletableFuture<Boolean> more = new CompletableFuture<>();

    private WalkStep(KeyspaceSnapshot snapshot, int shard, int maxEntries) {
        this.snapshot = snapshot;
        this.shard = shard;
        this.maxEntries = maxEntries;
    }

    /**
     * Hands a step of {@code shard}'s walk to {@code loop}; it runs there unless reclaimed, or here
     * at once when the loop refuses it.
     */
    static WalkStep submit(KeyspaceSnapshot snapshot, int shard, int maxEntries, Executor loop) {
        WalkStep step = new WalkStep(snapshot, shard, maxEntries);
        try {
            loop.execute(step);
        } catch (RejectedExecutionException e) {
            step.run(); // the loop has shut down: the caller takes the step at once
        }
        return step;
    }

    int shard() {
        return shard;
    }

    @Override
    public void run() {
        if (claimed.compareAndSet(false, true)) {
            try {
                more.complete(snapshot.step(shard, maxEntries));
            } catch (Throwable t) {
                more.completeExceptionally(t);
            }
        }
    }

    /** Waits for the step, running it here if its loop has not begun it in time; whether the shard has more. */
    boolean join() {
        while (true) {
            try {
                return more.get(RECLAIM_AFTER_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                run();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while saving", e);
            }
        }
    }
}
