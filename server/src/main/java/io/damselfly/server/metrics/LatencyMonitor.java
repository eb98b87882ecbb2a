package io.damselfly.server.metrics;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Redis's latency monitor: while {@code latency-monitor-threshold} is set, every event (a command,
 * a fast command, an expire cycle) that took at least that many milliseconds becomes a sample of
 * its event's time series, which LATENCY LATEST, HISTORY, GRAPH, DOCTOR and RESET read.
 *
 * <p>Each event keeps its last {@link #SAMPLES} samples at one per second (a second event in the
 * same second keeps the larger latency) and its all-time maximum, as Redis's latency.c does, so
 * the monitor is bounded: a few events of 160 samples. Only events over the threshold reach it
 * (the hot path compares one volatile long, in {@link #recordIfNeeded}), so a lock here costs nothing that
 * matters.
 */
public final class LatencyMonitor {
    /** Samples kept per event (Redis's LATENCY_TS_LEN). */
    public static final int SAMPLES = 160;

    /** One sample: the second it happened and the worst latency in that second, in ms. */
    public record Sample(long timeSeconds, long latencyMillis) {
    }

    /** The newest sample of an event and its all-time maximum (LATENCY LATEST). */
    public record Latest(String event, long timeSeconds, long latencyMillis, long maxMillis) {
    }

    /** An event's samples summarised as LATENCY DOCTOR reports them. */
    public record Analysis(int samples, long averageMillis, long meanDeviationMillis, long periodSeconds, long maxMillis) {
    }

    /** One event's ring of samples. */
    private static final class Series {
        final long[] times = new long[SAMPLES];
        final long[] latencies = new long[SAMPLES];
        /** Next slot to write. */
        int next;
        long max;

        void add(long now, long latency) {
            max = Math.max(max, latency);
            int previous = (next + SAMPLES - 1) % SAMPLES;
            if (times[previous] == now) {
                latencies[previous] = Math.max(latencies[previous], latency);
                return;
            }
            times[next] = now;
            latencies[next] = latency;
            next = (next + 1) % SAMPLES;
        }

        /** Oldest first. */
        List<Sample> samples() {
            List<Sample> out = new ArrayList<>();
            for (int j = 0; j < SAMPLES; j++) {
                int i = (next + j) % SAMPLES;
                if (times[i] != 0) {
                    out.add(new Sample(times[i], latencies[i]));
                }
            }
            return out;
        }
    }

    private volatile long thresholdMillis;
    /** By event name, in the order events first happened. */
    private final Map<String, Series> events = new LinkedHashMap<>();

    /** Sets latency-monitor-threshold; 0 turns recording off (what was recorded stays). */
    public void setThresholdMillis(long thresholdMillis) {
        this.thresholdMillis = thresholdMillis;
    }

    public long thresholdMillis() {
        return thresholdMillis;
    }

    /**
     * Records {@code event} if the monitor is on and the latency reaches the threshold (Redis's
     * latencyAddSampleIfNeeded).
     */
    public void recordIfNeeded(String event, long latencyMillis, long nowSeconds) {
        long t = thresholdMillis;
        if (t > 0 && latencyMillis >= t) {
            record(event, latencyMillis, nowSeconds);
        }
    }

    private synchronized void record(String event, long latencyMillis, long nowSeconds) {
        events.computeIfAbsent(event, e -> new Series()).add(nowSeconds, latencyMillis);
    }

    /** Whether any event was ever recorded (since the last reset). */
    public synchronized boolean hasEvents() {
        return !events.isEmpty();
    }

    /** LATENCY LATEST: each event's newest sample and all-time maximum. */
    public synchronized List<Latest> latest() {
        List<Latest> out = new ArrayList<>(events.size());
        for (Map.Entry<String, Series> e : events.entrySet()) {
            Series s = e.getValue();
            int last = (s.next + SAMPLES - 1) % SAMPLES;
            out.add(new Latest(e.getKey(), s.times[last], s.latencies[last], s.max));
        }
        return out;
    }

    /** LATENCY HISTORY: the event's samples, oldest first; empty for an unknown event. */
    public synchronized List<Sample> history(String event) {
        Series s = events.get(event);
        return s == null ? List.of() : s.samples();
    }

    /** The all-time maximum of an event, or 0. */
    public synchronized long allTimeMax(String event) {
        Series s = events.get(event);
        return s == null ? 0 : s.max;
    }

    /** The names of the events recorded, in the order they first happened. */
    public synchronized List<String> eventNames() {
        return new ArrayList<>(events.keySet());
    }

    /**
     * LATENCY RESET: forgets the events named (ignoring case), or every event when none is named;
     * answers how many were forgotten.
     */
    public synchronized int reset(List<String> names) {
        if (names.isEmpty()) {
            int n = events.size();
            events.clear();
            return n;
        }
        int n = 0;
        for (String name : names) {
            for (Iterator<String> it = events.keySet().iterator(); it.hasNext(); ) {
                if (it.next().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                    it.remove();
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * An event's samples summarised: their count, mean and mean absolute deviation, and the seconds
     * from the oldest to now (at least 1), as LATENCY DOCTOR reports them.
     */
    public synchronized Analysis analyze(String event, long nowSeconds) {
        Series s = events.get(event);
        List<Sample> samples = s == null ? List.of() : s.samples();
        if (samples.isEmpty()) {
            return new Analysis(0, 0, 0, 0, s == null ? 0 : s.max);
        }
        long sum = 0;
        long oldest = Long.MAX_VALUE;
        for (Sample x : samples) {
            sum += x.latencyMillis();
            oldest = Math.min(oldest, x.timeSeconds());
        }
        long average = sum / samples.size();
        long deviation = 0;
        for (Sample x : samples) {
            deviation += Math.abs(average - x.latencyMillis());
        }
        return new Analysis(samples.size(), average, deviation / samples.size(), Math.max(1, nowSeconds - oldest), s.max);
    }
}
