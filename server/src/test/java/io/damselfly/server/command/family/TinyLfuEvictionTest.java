package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Cache mode's allkeys-tinylfu as a client sees it: its name, the limit held, OBJECT FREQ, the way back to LRU. */
@ExtendWith(ServerExtension.class)
@ServerOptions({"maxmemory=2mb", "cache_mode=true"})
class TinyLfuEvictionTest {
    private RawClient raw;

    private static String infoText(RawClient c, String section, String field) {
        String info = c.callText("INFO", section);
        int i = info.indexOf("\n" + field + ":") + 1;
        return info.substring(i + field.length() + 1, info.indexOf('\r', i));
    }

    private static long infoField(RawClient c, String section, String field) {
        return Long.parseLong(infoText(c, section, field));
    }

    private static String configGet(RawClient c, String name) {
        return c.callText("CONFIG", "GET", name);
    }

    @AfterEach
    void backToCacheModesPolicy() {
        if (raw != null) {
            raw.callText("CONFIG", "SET", "maxmemory-policy", "allkeys-tinylfu");
        }
    }

    @Test
    void cacheMode_isAllkeysTinyLfu_inConfigGetAndInfo(RawClient raw) {
        this.raw = raw;
        assertEquals("[$maxmemory-policy, $allkeys-tinylfu]", configGet(raw, "maxmemory-policy"));
        assertEquals("allkeys-tinylfu", infoText(raw, "memory", "maxmemory_policy"));
        assertEquals("[$cache_mode, $yes]", configGet(raw, "cache_mode"));
    }

    @Test
    void cacheWrite_threeTimesMaxmemory_staysBounded_andCountsEvictions(RawClient raw, EmbeddedServer server) {
        this.raw = raw;
        long max = infoField(raw, "memory", "maxmemory");
        long evictedBefore = infoField(raw, "stats", "evicted_keys");
        String value = "v".repeat(1024);
        int writes = (int) (3 * max / 1024);
        for (int i = 0; i < writes; i++) {
            assertEquals("+OK", raw.callText("SET", "cw:" + i, value), "SET cw:" + i);
        }
        long used = infoField(raw, "memory", "used_memory");
        // one SET may overshoot by its own size before the next command evicts; the check reads
        // the keyspace-wide estimate
        long slack = 2048 + server.keyspace().memoryEstimateError();
        assertTrue(used <= max + slack, "used_memory " + used + " over maxmemory " + max);
        long evicted = infoField(raw, "stats", "evicted_keys") - evictedBefore;
        assertEquals(writes - server.keyspace().size(0), evicted);
        assertTrue(evicted > writes / 2, "evicted " + evicted + " of " + writes);
        // the last write, which a cache client just made, is still there to read back
        assertEquals("$" + value, raw.callText("GET", "cw:" + (writes - 1)));
    }

    @Test
    void objectFreq_isTheSketchsEstimate(RawClient raw) {
        this.raw = raw;
        assertEquals("+OK", raw.callText("SET", "f", "1"));
        long before = Long.parseLong(raw.callText("OBJECT", "FREQ", "f").substring(1));
        for (int i = 0; i < 5; i++) {
            raw.callText("GET", "f");
        }
        long after = Long.parseLong(raw.callText("OBJECT", "FREQ", "f").substring(1));
        assertTrue(before >= 1 && after >= before + 5 && after <= 15, "OBJECT FREQ " + before + " then " + after);
        assertEquals(":" + after, raw.callText("OBJECT", "FREQ", "f"), "OBJECT FREQ does not count as an access");
        assertEquals(":0", raw.callText("OBJECT", "IDLETIME", "f"), "the access clock keeps LRU stamps");
        assertEquals("(nil)", raw.callText("OBJECT", "FREQ", "missing"));
    }

    /** RESTORE ... FREQ seeds the sketch, so a key moved from another server keeps its standing. */
    @Test
    void restoreFreq_seedsTheSketch(RawClient raw) {
        this.raw = raw;
        assertEquals("+OK", raw.callText("SET", "src", "v"));
        byte[] payload = ((io.damselfly.protocol.RespValue.BulkString) raw.call("DUMP", "src")).value();
        assertEquals("+OK", raw.callText("RESTORE", "hot", "0", payload, "FREQ", "12"));
        long hot = Long.parseLong(raw.callText("OBJECT", "FREQ", "hot").substring(1));
        assertTrue(hot >= 12 && hot <= 15, "OBJECT FREQ after RESTORE FREQ 12: " + hot);
        assertEquals("+OK", raw.callText("RESTORE", "hotter", "0", payload, "FREQ", "200"));
        assertEquals(":15", raw.callText("OBJECT", "FREQ", "hotter"), "capped at the sketch's 15");
    }

    @Test
    void configSet_allkeysLru_givesRedisLruBack_andTinyLfuReturns(RawClient raw) {
        this.raw = raw;
        assertEquals("+OK", raw.callText("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"));
        assertEquals("allkeys-lru", infoText(raw, "memory", "maxmemory_policy"));
        assertEquals("+OK", raw.callText("SET", "f", "1"));
        assertTrue(raw.callText("OBJECT", "FREQ", "f").startsWith("-ERR An LFU maxmemory policy is not selected"));
        for (int i = 0; i < 2_000; i++) {
            assertEquals("+OK", raw.callText("SET", "lru:" + i, "x".repeat(2048)));
        }
        assertTrue(infoField(raw, "stats", "evicted_keys") > 0);
        assertEquals("+OK", raw.callText("CONFIG", "SET", "maxmemory-policy", "ALLKEYS-TINYLFU"));
        assertEquals("[$maxmemory-policy, $allkeys-tinylfu]", configGet(raw, "maxmemory-policy"));
        assertEquals("+OK", raw.callText("SET", "g", "1"));
        assertTrue(raw.callText("OBJECT", "FREQ", "g").startsWith(":"));
    }

    @Test
    void configSet_garbagePolicy_isRefusedAndChangesNothing(RawClient raw) {
        this.raw = raw;
        for (String garbage : new String[] {"allkeys-tinylfu2", "tinylfu", "", "allkeys-tiny lfu", "\u00e9"}) {
            assertTrue(raw.callText("CONFIG", "SET", "maxmemory-policy", garbage).startsWith(
                    "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy')"), garbage);
        }
        assertEquals("allkeys-tinylfu", infoText(raw, "memory", "maxmemory_policy"));
    }
}
