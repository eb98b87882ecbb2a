package io.damselfly.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A process's resident memory as the kernel charges it, from /proc/&lt;pid&gt;/status: read once
 * ({@link #bytes}), or sampled on a fixed period while a load runs, for the highest value seen
 * ({@link #watch}). Linux only: where there is no such file, reading throws rather than report a
 * figure it did not measure.
 */
public final class ResidentMemory {
    /*
     * Why sample VmRSS as well as read VmHWM: the kernel's high-water mark catches a peak however
     * short, but it covers the process's whole life (start-up, warm-up) and cannot be reset
     * without writing to /proc/PID/clear_refs; samples cover exactly the interval watched and show
     * how often the reading was taken. Between two samples the resident set can rise and fall
     * unseen, so a sampled peak is a lower bound; VmHWM is the upper one.
     *
     * The sampler is one daemon thread on a fixed schedule (sample k at start + k * period), so a
     * slow read does not stretch the period; a read costs tens of microseconds.
     */

    private ResidentMemory() {
    }

    /** VmRSS of process {@code pid}, in bytes. */
    public static long bytes(long pid) throws IOException {
        return statusKib(pid, "VmRSS") * 1024;
    }

    /** VmHWM of process {@code pid}, the highest VmRSS since it started, in bytes. */
    public static long highWaterBytes(long pid) throws IOException {
        return statusKib(pid, "VmHWM") * 1024;
    }

    /**
     * VmRSS and VmHWM of {@code pid} from one reading of its status, in bytes: the kernel computes
     * both at that instant, so the high water is never below the RSS, which two separate readings
     * cannot promise (the RSS can drop between them without raising the recorded high water).
     */
    static long[] bytesAndHighWater(long pid) throws IOException {
        String status = status(pid, "VmRSS and VmHWM");
        return new long[] {statusKib(pid, status, "VmRSS") * 1024, statusKib(pid, status, "VmHWM") * 1024};
    }

    private static String status(long pid, String what) throws IOException {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        } catch (NoSuchFileException e) {
            throw new IOException("no process " + pid + " to read " + what + " from (/proc/" + pid + "/status)", e);
        }
    }

    /** A "Name:   123456 kB" line of /proc/PID/status; the kernel's kB are KiB. */
    private static long statusKib(long pid, String name) throws IOException {
        return statusKib(pid, status(pid, name), name);
    }

    private static long statusKib(long pid, String status, String name) throws IOException {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                String[] parts = line.substring(name.length() + 1).trim().split("\\s+");
                return Long.parseLong(parts[0]);
            }
        }
        throw new IOException("no " + name + " line in /proc/" + pid + "/status");
    }

    /** Starts sampling the VmRSS of {@code pid} every {@code period}, the first sample at once. */
    public static Watch watch(long pid, Duration period) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("sampling period must be positive, got " + period);
        }
        Watch w = new Watch(pid, period.toNanos());
        w.thread.start();
        return w;
    }

    /** What a watch saw: the highest and the last VmRSS sampled, in bytes, and how many samples there were. */
    public record Peak(long peakBytes, long lastBytes, int samples) {
    }

    /** VmRSS sampled on a schedule in a thread of its own, until {@link #stop} or {@link #close}. */
    public static final class Watch implements AutoCloseable {
        private final long pid;
        private final long periodNanos;
        private final Thread thread;
        private volatile boolean stopping;
        // written by the sampler thread only; read after join()
        private long peak = -1;
        private long last = -1;
        private int samples;
        private IOException failure;

        private Watch(long pid, long periodNanos) {
            this.pid = pid;
            this.periodNanos = periodNanos;
            this.thread = new Thread(this::sample, "rss-" + pid);
            thread.setDaemon(true); // a driver that failed must not keep the runner's JVM alive
        }

        private void sample() {
            long start = System.nanoTime();
            for (long k = 0; !stopping; k++) {
                long wait = start + k * periodNanos - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait); // stop() unparks
                    if (stopping) {
                        break;
                    }
                }
                if (!record()) {
                    return;
                }
            }
            record(); // the state at the end of the interval watched
        }

        private boolean record() {
            try {
                long rss = bytes(pid);
                peak = Math.max(peak, rss);
                last = rss;
                samples++;
                return true;
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException(e);
                return false;
            }
        }

        /**
         * Takes a last sample, stops the sampler and returns what it saw; throws if a read failed
         * (the process is gone), since the peak would then not cover the interval.
         */
        public Peak stop() throws IOException, InterruptedException {
            close();
            thread.join(periodNanos / 1_000_000 + 5_000);
            if (thread.isAlive()) {
                throw new IOException("the VmRSS sampler of process " + pid + " did not stop");
            }
            if (failure != null) {
                throw new IOException("sampling VmRSS of process " + pid + " failed after " + samples + " samples: "
                        + failure.getMessage(), failure);
            }
            return new Peak(peak, last, samples);
        }

        /** Stops the sampler without waiting for it, for when what it saw is not wanted (a failed load). */
        @Override
        public void close() {
            stopping = true;
            LockSupport.unpark(thread);
        }
    }
}
