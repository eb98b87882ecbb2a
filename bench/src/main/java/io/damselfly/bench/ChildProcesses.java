package io.damselfly.bench;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
    private static final List<Runnable> AFTER_STOP = new CopyOnWriteArrayList<>();
    /** Held while a child starts, so the shutdown hook sees it in LIVE or it is never started. */
    private static final Object STARTING = new Object();
    private static boolean exiting;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (STARTING) {
                exiting = true; // from here on start() refuses, so nothing started late survives
            }
            stopAll();
            AFTER_STOP.forEach(Runnable::run);
        }, "stop-children"));
    }

    private ChildProcesses() {}

    /** Runs {@code cleanup} at exit once every child is stopped (e.g. deleting their scratch files). */
    static void atExit(Runnable cleanup) {
        AFTER_STOP.add(cleanup);
    }

    /** Starts {@code pb} and tracks the process until {@link #stop} is called on it. */
    static Process start(ProcessBuilder pb) throws IOException {
        synchronized (STARTING) {
            if (exiting) {
                throw new IOException("the runner is exiting: not starting " + pb.command().get(0));
            }
            Process p = pb.start();
            LIVE.add(p);
            return p;
        }
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
