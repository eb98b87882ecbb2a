package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.testing.HeapMeasure;
import java.util.function.Consumer;

/**
 * Checks the keyspace's memory account (used_memory) against what a fill really takes: the
 * growth of the heap after collections plus that of the string records' off-heap pages.
 */
final class MemoryAccount {
    private MemoryAccount() {
    }

    /** What a fill took, measured and accounted; the keyspace stays reachable through it. */
    record Reading(Keyspace keyspace, long measured, long accounted) {
    }

    /**
     * Fills a fresh keyspace (16 databases, 16 shards) through database 0 with every shard locked,
     * and asserts that the accounted growth is within 10% of the measured one.
     */
    static Reading check(String what, Consumer<Database> fill) throws InterruptedException {
        Keyspace ks = new Keyspace(16, 16);
        // the empty tables are in the baseline heap already
        long empty = ks.usedMemory();
        long before = HeapMeasure.usedHeapAfterGc();
        long pagesBefore = ks.recordPageBytes();
        Database db = ks.database(0, 0);
        ks.lockAll();
        try {
            fill.accept(db);
        } finally {
            ks.unlockAll();
        }
        long pages = ks.recordPageBytes() - pagesBefore;
        long measured = HeapMeasure.usedHeapAfterGc() - before + pages;
        long accounted = ks.usedMemory() - empty;
        double ratio = (double) accounted / measured;
        System.out.printf("%s: measured=%d (record pages %d) accounted=%d ratio=%.3f%n", what, measured, pages, accounted,
                ratio);
        assertTrue(ratio > 0.9 && ratio < 1.1, what + ": accounted " + accounted + " vs measured " + measured);
        return new Reading(ks, measured, accounted);
    }
}
