package io.damselfly.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The heap rule M + M/8 + 96 MiB, as scripts/run applies it and the server enforces it. */
class HeapBudgetTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @Test
    void heapFor_isScriptsRunsXmx() {
        // --maxmemory=6GB: 6144 + 768 + 96 MiB
        assertEquals(7008 * MIB, HeapBudget.heapFor(6 * GIB));
        // 512mb: 512 + 64 + 96
        assertEquals(672 * MIB, HeapBudget.heapFor(512 * MIB));
        // 1g = 10^9 bytes: 10^9 + 125 * 10^6 = 1072.88 MiB, rounded up, + 96
        assertEquals(1169 * MIB, HeapBudget.heapFor(1_000_000_000L));
        assertEquals(97 * MIB, HeapBudget.heapFor(1));
    }

    @Test
    void maxMemoryFor_isTheLargestThatFits() {
        assertEquals(6 * GIB, HeapBudget.maxMemoryFor(7008 * MIB));
        assertEquals(512 * MIB, HeapBudget.maxMemoryFor(672 * MIB));
        assertEquals(0, HeapBudget.maxMemoryFor(96 * MIB));
        assertEquals(0, HeapBudget.maxMemoryFor(10 * MIB));
        // budget (heap - 96 MiB) = 9q + s: M = 8q + min(s, 7), checked against the definition
        for (long budget = 0; budget < 200; budget++) {
            long heap = 96 * MIB + budget;
            long m = HeapBudget.maxMemoryFor(heap);
            assertTrue(m + m / 8 + 96 * MIB <= heap, "budget " + budget + ": " + m + " does not fit");
            long next = m + 1;
            assertTrue(next + next / 8 + 96 * MIB > heap, "budget " + budget + ": " + next + " fits too");
        }
        for (long heap : new long[] {1L << 30, 4_294_967_296L - 1, 6_400_000_000L, 1L << 62}) {
            long m = HeapBudget.maxMemoryFor(heap);
            assertTrue(m + m / 8 + 96 * MIB <= heap && (m + 1) + (m + 1) / 8 + 96 * MIB > heap, "heap " + heap);
        }
        // Runtime.maxMemory() is Long.MAX_VALUE when the heap has no limit: no overflow
        long unlimited = HeapBudget.maxMemoryFor(Long.MAX_VALUE);
        assertTrue(unlimited > (1L << 62) && unlimited < Long.MAX_VALUE, Long.toString(unlimited));
        // what scripts/run gives always holds what it was sized from
        for (long m : new long[] {1, 1000, 5 * MIB - 1, 100_000_000, 6 * GIB, 6 * GIB + 7, 100 * GIB}) {
            assertTrue(HeapBudget.maxMemoryFor(HeapBudget.heapFor(m)) >= m, "maxmemory " + m);
        }
    }

    @Test
    void refusal_wordsTheLimitAndTheCure() {
        assertNull(HeapBudget.refusal(0, 10 * MIB), "no limit is always accepted");
        assertNull(HeapBudget.refusal(512 * MIB, 672 * MIB));
        assertEquals("the JVM heap (1gb) holds at most 824mb of data; restart with a larger heap: -Xmx7008m"
                + " for this maxmemory (scripts/run sizes it from maxmemory)", HeapBudget.refusal(6 * GIB, GIB));
        assertEquals("the JVM heap (672mb) holds at most 512mb of data; restart with a larger heap: -Xmx673m"
                + " for this maxmemory (scripts/run sizes it from maxmemory)", HeapBudget.refusal(512 * MIB + 1, 672 * MIB));
        assertEquals("the JVM heap (64mb) holds at most 0b of data; restart with a larger heap: -Xmx97m"
                + " for this maxmemory (scripts/run sizes it from maxmemory)", HeapBudget.refusal(1, 64 * MIB));
    }

    @Test
    void requestMemoryFor_isTheHeapTheDataCannotTake() {
        // under scripts/run's sizing: 96 MiB - 40 MiB whatever maxmemory is
        for (long m : new long[] {64 * MIB, 512 * MIB, GIB, 6 * GIB}) {
            long heap = HeapBudget.heapFor(m);
            long budget = HeapBudget.requestMemoryFor(m, heap);
            assertTrue(budget >= 56 * MIB && budget < 57 * MIB, "maxmemory " + m + ": " + budget);
            // with the data at its largest and its collector headroom, requests and the server's
            // own reserve still fit in the heap
            assertTrue(m + m / 8 + budget + HeapBudget.SERVER_RESERVE <= heap, "maxmemory " + m);
        }
        // a heap larger than scripts/run's leaves more to requests
        assertEquals(GIB - 72 * MIB - 40 * MIB, HeapBudget.requestMemoryFor(64 * MIB, GIB));
        // no maxmemory: the data has no bound, requests get a quarter of the heap
        assertEquals(GIB / 4, HeapBudget.requestMemoryFor(0, GIB));
        // never below the floor, and no overflow for a heap without limit
        assertEquals(HeapBudget.MIN_REQUEST_MEMORY, HeapBudget.requestMemoryFor(GIB, GIB));
        assertEquals(HeapBudget.MIN_REQUEST_MEMORY, HeapBudget.requestMemoryFor(Long.MAX_VALUE, GIB));
        assertTrue(HeapBudget.requestMemoryFor(6 * GIB, Long.MAX_VALUE) > (1L << 62));
    }

    @Test
    void human_roundsDownToAUnitMaxmemoryTakes() {
        assertEquals("6gb", HeapBudget.human(6 * GIB));
        assertEquals("7008mb", HeapBudget.human(7008 * MIB));
        assertEquals("824mb", HeapBudget.human(824 * MIB + 123));
        assertEquals("512kb", HeapBudget.human(512 * 1024 + 5));
        assertEquals("100b", HeapBudget.human(100));
    }

    @Test
    void start_refusesWhatThisHeapCannotHold(@TempDir Path dir) throws ConfigException, IOException {
        long heap = Runtime.getRuntime().maxMemory();
        ConfigException flag = assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--maxmemory", Long.toString(heap)));
        assertEquals("invalid value '" + heap + "' for option maxmemory: " + HeapBudget.refusal(heap, heap), flag.getMessage());
        Path conf = dir.resolve("d.conf");
        Files.writeString(conf, "maxmemory 100000GB\n");
        ConfigException file = assertThrows(ConfigException.class, () -> ServerConfig.fromArgs(conf.toString()));
        assertTrue(file.getMessage().startsWith("invalid value '100000GB' for option maxmemory: the JVM heap ("), file.getMessage());
        // a flag after the file overrides it, so this one starts
        assertEquals(0, ServerConfig.fromArgs(conf.toString(), "--maxmemory", "0").getLong(Option.MAXMEMORY));
        long most = HeapBudget.maxMemoryFor(heap);
        assertEquals(most, ServerConfig.fromArgs("--maxmemory=" + most).getLong(Option.MAXMEMORY));
    }
}
