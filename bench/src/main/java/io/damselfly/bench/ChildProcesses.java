package io.damselfly.bench;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every process the runner starts (servers, redis-benchmark), so that a shutdown hook stops them
 * whatever way the runner ends: normal exit, an exception, or Ctrl-C. A benchmark must never
 * leave a server listening behind it.
 */
final class ChildProcesses {
    /** How long a child gets to exit after SIGTERM before it is killed. */
    static final long GRACE_MILLIS = 5_000;

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::stopAll, "stop-children"));
    }

    private ChildProcesses() {}

    /** Tracks {@code p} until {@link #stop} is called on it. */
    static Process track(Process p) {
        LIVE.add(p);
        return p;
    }

    /** SIGTERM, a bounded wait, then SIGKILL; returns once the process is gone. */
    static void stop(Process p) {
        try {
            if (p.isAlive()) {
                p.destroy();
                if (!p.waitFor(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(GRACE_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(p);
        }
    }

    static void stopAll() {
        for (Process p : Set.copyOf(LIVE)) {
            stop(p);
        }
    }
}
