package io.damselfly.server.testing;

import java.lang.management.ManagementFactory;

/**
 * The heap in use after collections, for tests that check the keyspace's memory account against
 * what the JVM really retains: the lowest of three readings, each after System.gc() and a
 * short pause, so that garbage still being collected does not count.
 */
public final class HeapMeasure {
    private HeapMeasure() {
    }

    public static long usedHeapAfterGc() throws InterruptedException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return best;
    }
}
