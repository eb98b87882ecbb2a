package io.damselfly.server.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Server-wide counters for INFO stats. LongAdder keeps each event-loop thread on its own cell, so
 * counting costs no contended cache line on the hot path.
 *
 * <p>The instantaneous rates (ops/sec, input and output kbps) are sampled the way Redis samples
 * them (server.c trackInstantaneousMetric): every {@link #SAMPLE_PERIOD_MILLIS} the background
 * thread calls {@link #sample}, which turns the growth of a counter since the previous sample
 * into a per-second rate; INFO reports the mean of the last {@link #SAMPLES} rates, so a rate
 * reflects the last 1.6 seconds.
 */
public final class ServerStats {
    /** How often {@link #sample} is meant to run: Redis samples in its 100 ms cron step. */
    public static final long SAMPLE_PERIOD_MILLIS = 100;
    /** Rates averaged per instantaneous metric: Redis's STATS_METRIC_SAMPLES. */
    static final int SAMPLES = 16;

    private final LongAdder netInputBytes = new LongAdder();
    private final LongAdder netOutputBytes = new LongAdder();
    private final LongAdder errorReplies = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> errorsByPrefix = new ConcurrentHashMap<>();
    private final LongAdder outputLimitDisconnections = new LongAdder();

    private final InstantaneousMetric opsPerSec = new InstantaneousMetric();
    private final InstantaneousMetric inputBytesPerSec = new InstantaneousMetric();
    private final InstantaneousMetric outputBytesPerSec = new InstantaneousMetric();
    private volatile long peakMemory;

    public void countInput(long bytes) {
        netInputBytes.add(bytes);
    }

    public void countOutput(long bytes) {
        netOutputBytes.add(bytes);
    }

    /** Counts an error reply under its code ("ERR", "WRONGTYPE", ...), as INFO errorstats. */
    public void countError(String prefix) {
        errorReplies.increment();
        if (prefix != null) {
            errorsByPrefix.computeIfAbsent(prefix, k -> new LongAdder()).increment();
        }
    }

    public void countOutputLimitDisconnection() {
        outputLimitDisconnections.increment();
    }

    public long netInputBytes() {
        return netInputBytes.sum();
    }

    public long netOutputBytes() {
        return netOutputBytes.sum();
    }

    public long errorReplies() {
        return errorReplies.sum();
    }

    public long outputLimitDisconnections() {
        return outputLimitDisconnections.sum();
    }

    public Map<String, Long> errorsByPrefix() {
        Map<String, Long> m = new TreeMap<>();
        errorsByPrefix.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    // ---- sampled values --------------------------------------------------------------------

    /**
     * Takes one sample of the rates and of the memory peak; run every
     * {@link #SAMPLE_PERIOD_MILLIS} by the server's background thread. {@code commandsProcessed}
     * is the command table's total of calls.
     */
    public void sample(long nowMillis, long commandsProcessed, long usedMemory) {
        opsPerSec.track(nowMillis, commandsProcessed);
        inputBytesPerSec.track(nowMillis, netInputBytes());
        outputBytesPerSec.track(nowMillis, netOutputBytes());
        notePeakMemory(usedMemory);
    }

    /** Raises the memory peak to {@code usedMemory} if it is higher. */
    public void notePeakMemory(long usedMemory) {
        if (usedMemory > peakMemory) {
            peakMemory = usedMemory;
        }
    }

    /** The highest used memory seen since start or the last reset (INFO used_memory_peak). */
    public long peakMemory() {
        return peakMemory;
    }

    /** Commands per second over the last samples (INFO instantaneous_ops_per_sec). */
    public long instantaneousOpsPerSec() {
        return Math.round(opsPerSec.mean());
    }

    /** Bytes read per second from clients over the last samples. */
    public double instantaneousInputBytesPerSec() {
        return inputBytesPerSec.mean();
    }

    /** Bytes written per second to clients over the last samples. */
    public double instantaneousOutputBytesPerSec() {
        return outputBytesPerSec.mean();
    }

    /** Zeroes every counter (CONFIG RESETSTAT); the memory peak restarts from {@code usedMemory}. */
    public void reset(long usedMemory) {
        netInputBytes.reset();
        netOutputBytes.reset();
        errorReplies.reset();
        errorsByPrefix.clear();
        outputLimitDisconnections.reset();
        opsPerSec.reset();
        inputBytesPerSec.reset();
        outputBytesPerSec.reset();
        peakMemory = usedMemory;
    }

    /** Zeroes every counter and the memory peak. */
    public void reset() {
        reset(0);
    }

    /**
     * One sampled rate: a ring of the last {@link #SAMPLES} per-second rates. Written by the
     * sampling thread, read by INFO on an event loop; both rare, so a monitor is cheap enough.
     */
    private static final class InstantaneousMetric {
        private final double[] rates = new double[SAMPLES];
        private int next;
        private long lastMillis = -1;
        private long lastValue;

        synchronized void track(long nowMillis, long value) {
            if (lastMillis >= 0 && nowMillis > lastMillis) {
                // a reset between samples makes the counter go backwards: count that step as 0
                long delta = Math.max(0, value - lastValue);
                rates[next] = delta * 1000.0 / (nowMillis - lastMillis);
                next = (next + 1) % SAMPLES;
            }
            lastMillis = nowMillis;
            lastValue = value;
        }

        synchronized double mean() {
            double sum = 0;
            for (double r : rates) {
                sum += r;
            }
            return sum / SAMPLES;
        }

        synchronized void reset() {
            java.util.Arrays.fill(rates, 0);
            next = 0;
            lastMillis = -1;
        }
    }
}
