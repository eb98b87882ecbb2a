package io.damselfly.server.rdb;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Redis's debugDelay (debug.c): the pause after each key that the hidden configs
 * rdb-key-save-delay and key-load-delay ask for, so that tests can make a save or a load last
 * long enough to watch. A positive value is microseconds. A negative value -n pauses one
 * microsecond for one key in n, picked at random, as Redis does: even the shortest sleep costs
 * a system call and a context switch, so short delays are made by sleeping less often.
 *
 * <p>The pause is taken in slices of at most {@link #SLICE_NANOS}, and between them the caller
 * may cut it short: a save that FLUSHALL abandoned or that a shutdown waits for, or a thread that
 * is interrupted (the interrupt stays set for the caller to see). A delay of seconds per key
 * (Redis's tests set up to 2^31-1 microseconds to make a BGSAVE "endless") thus never outlives
 * what would end the save it slows.
 */
public final class DebugDelay {
    /** Longest sleep between two looks at {@code cut}: what FLUSHALL or SHUTDOWN may wait for a slowed save. */
    static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private DebugDelay() {
    }

    /**
     * Pauses the calling thread after one key, as debugDelay({@code micros}); returns early once
     * {@code cut} answers true or the thread is interrupted. 0 returns at once.
     */
    public static void afterKey(int micros, BooleanSupplier cut) {
        long nanos;
        if (micros >= 0) {
            nanos = TimeUnit.MICROSECONDS.toNanos(micros);
        } else {
            // as Redis's (rand() % -usec) == 0 ? 1 : 0; a long, so that -Integer.MIN_VALUE does not overflow
            nanos = ThreadLocalRandom.current().nextLong(-(long) micros) == 0 ? TimeUnit.MICROSECONDS.toNanos(1) : 0;
        }
        if (nanos == 0) {
            return;
        }
        long end = System.nanoTime() + nanos;
        while (!cut.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(Math.min(left, SLICE_NANOS));
        }
    }
}
