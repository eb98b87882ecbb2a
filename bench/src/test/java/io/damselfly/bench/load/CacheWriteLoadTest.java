package io.damselfly.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class CacheWriteLoadTest {
    private static final long MIB = 1024 * 1024;

    /** 8 MiB with allkeys-lru under 24 MiB of 1 KiB values: it evicts, keeps some, refuses nothing. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void run_redisServerWithLru_evictsAndReportsPeakRss() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start("--maxmemory", "8mb",
                "--maxmemory-policy", "allkeys-lru")) {
            CacheWriteLoad.Params p = CacheWriteLoad.Params.defaults("127.0.0.1", redis.port(), redis.pid(), 8 * MIB);
            assertEquals(24 * MIB, p.loadBytes());
            assertEquals(24 * 1024, p.keys());
            Figures f = CacheWriteLoad.run(p);
            System.out.println(f); // in the surefire report, for a look at the numbers
            assertEquals(8, f.get("maxmemory MB"), f.toString());
            assertTrue(f.get("RSS samples") >= 1, f.toString());
            assertTrue(f.get("peak RSS MB") > 0 && f.get("peak RSS MB") >= f.get("RSS at start MB"), f.toString());
            // both figures are printed rounded (MB to 2 places, the ratio to 3), so compare to 0.01
            assertEquals(f.get("peak RSS MB") / 8, f.get("peak RSS / maxmemory"), 0.01, f.toString());
            // the kernel folds per-thread RSS counters into VmHWM lazily: it may trail a sample a little
            assertTrue(f.get("VmHWM MB") >= f.get("peak RSS MB") - 1, f.toString());
            // redis-server holding 8 MiB is some tens of MiB resident, far within 1.25 x 8 + 200
            assertEquals(1, f.get(CacheWriteLoad.BOUND_MET), f.toString());
            assertTrue(f.get("load ops/s") > 0, f.toString());
            assertEquals(0, f.get("errors"), f.toString());
            double keys = f.get("keys at end");
            double evicted = f.get("evicted_keys");
            assertTrue(keys > 0 && evicted > 0, f.toString());
            // every SET wrote a new key, which is either still there or was evicted
            assertEquals(p.keys(), keys + evicted, f.toString());
        }
    }

    /** At maxmemory without eviction the server answers -OOM: counted as errors, and the load carries on. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void run_embeddedWithoutEviction_oomCountedAsErrors() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().option("maxmemory", "1mb").start()) {
            // pid 0: taken from INFO server, which in-process is this test JVM
            Figures f = CacheWriteLoad.run(CacheWriteLoad.Params.defaults(server.host(), server.port(), 0, MIB)
                    .withConnections(2));
            System.out.println(f); // in the surefire report, for a look at the numbers
            assertTrue(f.get("errors") > 0, f.toString());
            assertTrue(f.get("keys at end") > 0, f.toString());
            assertEquals(3 * 1024, f.get("keys at end") + f.get("errors"), f.toString());
            assertEquals(0, f.get("evicted_keys"), f.toString());
            assertTrue(f.get("peak RSS MB") > 0, f.toString());
        }
    }
}
