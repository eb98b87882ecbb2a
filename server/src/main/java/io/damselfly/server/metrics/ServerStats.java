package io.damselfly.server.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Server-wide counters for INFO stats. LongAdder keeps each event-loop thread on its own cell, so
 * counting costs no contended cache line on the hot path.
 */
public final class ServerStats {
    private final LongAdder commandsProcessed = new LongAdder();
    private final LongAdder netInputBytes = new LongAdder();
    private final LongAdder netOutputBytes = new LongAdder();
    private final LongAdder errorReplies = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> errorsByPrefix = new ConcurrentHashMap<>();
    private final LongAdder outputLimitDisconnections = new LongAdder();

    public void countCommand() {
        commandsProcessed.increment();
    }

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

    public long commandsProcessed() {
        return commandsProcessed.sum();
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

    public void reset() {
        commandsProcessed.reset();
        netInputBytes.reset();
        netOutputBytes.reset();
        errorReplies.reset();
        errorsByPrefix.clear();
        outputLimitDisconnections.reset();
    }
}
