package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Checks that the keyspace's memory account ({@link MemoryLayout}) is an honest estimate: the
 * heap really retained by many keys is within a few percent of what the shards account for.
 */
class KeyspaceMemoryTest {
    @Test
    void accountedBytes_matchMeasuredHeap() throws InterruptedException {
        // the estimate assumes compressed oops, which HotSpot uses below 32 GiB of heap
        String oops = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                .getVMOption("UseCompressedOops").getValue();
        assertEquals("true", oops, "MemoryLayout's figures assume compressed oops (heaps under 32 GiB)");

        int n = 300_000;
        MemoryAccount.Reading reading = MemoryAccount.check("strings", db -> {
            for (int i = 0; i < n; i++) {
                byte[] value = new byte[100];
                value[0] = (byte) i;
                byte[] key = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
                db.strings().set(key, value, i % 2 == 0 ? 0 : 1L << 50);
                if (i % 4 == 1) {
                    // a grown string: an entry object with a growable value instead of a record
                    db.strings().append(key, value, Long.MAX_VALUE);
                }
            }
        });
        System.out.printf("keys=%d bytes/key measured=%.1f accounted=%.1f%n", n, (double) reading.measured() / n,
                (double) reading.accounted() / n);
        Keyspace ks = reading.keyspace();
        // keep the keyspace reachable until after the measurement
        assertTrue(ks.size(0) == n);
    }

    /** Hashes in both forms: 100k compact ones of ten short fields, and 20 tables of 5000 fields. */
    @Test
    void accountedHashBytes_matchMeasuredHeap() throws InterruptedException {
        int small = 100_000;
        MemoryAccount.Reading reading = MemoryAccount.check("hashes", db -> {
            for (int i = 0; i < small; i++) {
                byte[][] args = new byte[20][];
                for (int j = 0; j < 10; j++) {
                    args[2 * j] = ("field:" + j).getBytes(StandardCharsets.US_ASCII);
                    args[2 * j + 1] = ("value:" + i).getBytes(StandardCharsets.US_ASCII);
                }
                db.hashes().set(("hash:" + i).getBytes(StandardCharsets.US_ASCII), args, 0);
            }
            for (int i = 0; i < 20; i++) {
                byte[][] args = new byte[10_000][];
                for (int j = 0; j < 5000; j++) {
                    args[2 * j] = ("field:" + j).getBytes(StandardCharsets.US_ASCII);
                    args[2 * j + 1] = new byte[20];
                }
                db.hashes().set(("big:" + i).getBytes(StandardCharsets.US_ASCII), args, 0);
            }
        });
        Keyspace ks = reading.keyspace();
        assertTrue(ks.size(0) == small + 20);
    }
}
