package io.damselfly.server.persist;

import java.util.concurrent.locks.LockSupport;

/**
 * Keeps a background save's thread to short bursts of work with rests between them, so the event
 * loops it shares the cores with never wait long for a core.
 *
 * <p>Why bursts and not just a share: once the save thread has a core, the scheduler lets it run
 * out its slice (milliseconds) before a woken event loop gets that core back, and those waits were
 * the p99 a save added (GET-only load on 2 busy cores: 2.9 ms during saves against 0.57 ms
 * without, whether the save rested 1:1 or 1:10 between its 1 ms steps). A thread that gives the
 * core up every {@code quantum} hands it back within that quantum. The rest after each burst is
 * {@code restPerWork} times the burst, which also bounds the save to its share of a core; a save
 * never starves, however busy the server.
 */
final class Pacer {
    private final long quantumNanos;
    private final long restPerWork;
    private long burstStart;

    Pacer(long quantumNanos, long restPerWork) {
        this.quantumNanos = quantumNanos;
        this.restPerWork = restPerWork;
        this.burstStart = System.nanoTime();
    }

    /** A burst starts now: work done before, unpaced, is not rested for. */
    void restart() {
        burstStart = System.nanoTime();
    }

    /** A point where the work may rest: rests if the burst has run a quantum; whether it did. */
    boolean checkpoint() {
        long now = System.nanoTime();
        long worked = now - burstStart;
        if (worked < quantumNanos) {
            return false;
        }
        LockSupport.parkNanos(worked * restPerWork);
        burstStart = System.nanoTime();
        return true;
    }
}
