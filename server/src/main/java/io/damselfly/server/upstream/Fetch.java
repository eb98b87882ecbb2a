package io.damselfly.server.upstream;

import io.damselfly.server.keyspace.ByteKey;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One key's fetch from the upstream ({@code DUMP} + {@code PTTL} on a tracking connection), shared
 * by every reader that missed the key while it is in flight (single flight). An invalidation of
 * the key, or a local write's drop of it, {@linkplain #poison() poisons} it: its value is then not
 * stored and its readers go upstream instead.
 */
final class Fetch {
    /** How a fetch ended, for the readers waiting on it. */
    enum Outcome {
        /** The value is in the local store now. */
        STORED,
        /** The key does not exist upstream; that is remembered locally too. */
        ABSENT,
        /** Too large, or a type or RDB version the store cannot load: reads of it pass through. */
        UNCACHEABLE,
        /** Invalidated or dropped while in flight: not stored. */
        POISONED,
        /** The upstream did not answer (connection lost, timeout). */
        FAILED
    }

    /** An outcome and the key's store epoch right after it was stored (see {@link LocalStore#epoch}). */
    record Result(Outcome outcome, long epoch) {
        boolean local() {
            return outcome == Outcome.STORED || outcome == Outcome.ABSENT;
        }
    }

    final ByteKey key;
    /** When the DUMP was sent (Unix ms): the local expiry counts from here, never from the reply. */
    final long sentMillis;
    final long sentNanos;
    private volatile boolean poisoned;
    private Result result;
    private List<Consumer<Result>> waiters = new ArrayList<>(2);

    Fetch(ByteKey key, long sentMillis, long sentNanos) {
        this.key = key;
        this.sentMillis = sentMillis;
        this.sentNanos = sentNanos;
    }

    /** Marks the fetch's value as stale: it must not be stored. */
    void poison() {
        poisoned = true;
    }

    boolean isPoisoned() {
        return poisoned;
    }

    /**
     * Adds a reader to be told the result (on the finishing thread; the reader posts to its own
     * loop). Answers false when the fetch has ended already: then the caller looks again.
     */
    synchronized boolean attach(Consumer<Result> waiter) {
        if (result != null) {
            return false;
        }
        waiters.add(waiter);
        return true;
    }

    /** Ends the fetch with {@code r} and tells every reader; once. */
    void finish(Result r) {
        List<Consumer<Result>> told;
        synchronized (this) {
            if (result != null) {
                return;
            }
            result = r;
            told = waiters;
            waiters = null;
        }
        for (Consumer<Result> w : told) {
            w.accept(r);
        }
    }
}
