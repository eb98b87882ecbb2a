package io.damselfly.server.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-wide counters for INFO stats. LongAdder keeps each event-loop thread on its own cell, so
 * counting costs no contended cache line on the hot path.
 *
 * <p>The instantaneous rates (ops/sec, input and output kbps) are sampled the way Redis samples
 * them (server.c trackInstantaneousMetric): every {@link #SAMPLE_PERIOD_MILLIS} the background
 * thread calls {@link #sample}, which turns the growth of a counter since the previous sample
 * into a per-second rate; INFO reports the mean of the last {@link #SAMPLES} rates, so a rate
 * reflects the last 1.6 seconds.
 *
 * <p>Error codes (INFO errorstats) are bounded as Redis 7.4 bounds them (server.c
 * incrementErrorCount; 7.0 kept every code it saw): at most {@link #ERROR_CODES_LIMIT} distinct
 * codes. A new code past that means codes are being made up (Redis's case: scripts' error_reply),
 * so the table is emptied, holds only ERRORSTATS_DISABLED with a count of 1, and counts nothing
 * more until CONFIG RESETSTAT; total_error_replies goes on counting.
 */
public final class ServerStats {
    private static final Logger log = LoggerFactory.getLogger(ServerStats.class);

    /** How often {@link #sample} is meant to run: Redis samples in its 100 ms cron step. */
    public static final long SAMPLE_PERIOD_MILLIS = 100;
    /** Rates averaged per instantaneous metric: Redis's STATS_METRIC_SAMPLES. */
    static final int SAMPLES = 16;
    /** Distinct error codes INFO errorstats keeps: Redis's ERROR_STATS_NUMBER. */
    static final int ERROR_CODES_LIMIT = 128;
    /** The code that replaces them all once the limit is passed, as in Redis. */
    static final String ERRORSTATS_DISABLED = "ERRORSTATS_DISABLED";
    /**
     * Longest code Redis takes from an error: it looks for the space after the code within the
     * first 32 bytes of "-CODE ...", so a code is at most 30 characters; longer ones count as ERR.
     */
    static final int MAX_ERROR_CODE_LENGTH = 30;

    private final LongAdder netInputBytes = new LongAdder();
    private final LongAdder netOutputBytes = new LongAdder();
    private final LongAdder errorReplies = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> errorsByPrefix = new ConcurrentHashMap<>();
    private final LongAdder outputLimitDisconnections = new LongAdder();
    /** False once the error-code limit was passed, until reset; written under errorsByPrefix's lock. */
    private volatile boolean errorCodesEnabled = true;

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

    /**
     * Counts an error reply under its code ("ERR", "WRONGTYPE", ...: the reply's first word), as
     * INFO errorstats; errors are off the hot path, so one map shared by the event loops will do.
     */
    public void countError(String prefix) {
        errorReplies.increment();
        if (prefix == null || !errorCodesEnabled) {
            return;
        }
        String code = prefix.length() > MAX_ERROR_CODE_LENGTH ? "ERR" : prefix;
        LongAdder n = errorsByPrefix.get(code);
        if (n == null) {
            n = addErrorCode(code);
        }
        if (n != null) {
            n.increment();
        }
    }

    /** The counter of a code not seen before, or null when the table is full or disabled. */
    private LongAdder addErrorCode(String code) {
        synchronized (errorsByPrefix) {
            if (!errorCodesEnabled) {
                return null;
            }
            LongAdder n = errorsByPrefix.get(code);
            if (n != null) {
                return n;
            }
            if (errorsByPrefix.size() >= ERROR_CODES_LIMIT) {
                log.warn("Errorstats stopped adding new errors because the number of errors reached the limit, "
                        + "please check INFO ERRORSTATS, this can be re-enabled via CONFIG RESETSTAT.");
                log.warn("Current errors code list: {}", String.join(", ", new java.util.TreeSet<>(errorsByPrefix.keySet())));
                errorsByPrefix.clear();
                LongAdder disabled = new LongAdder();
                disabled.increment();
                errorsByPrefix.put(ERRORSTATS_DISABLED, disabled);
                errorCodesEnabled = false;
                return null;
            }
            n = new LongAdder();
            errorsByPrefix.put(code, n);
            return n;
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
        synchronized (errorsByPrefix) {
            errorsByPrefix.clear();
            errorCodesEnabled = true;
        }
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
