package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** maxmemory as a client sees it: OOM under noeviction, eviction under the other policies. */
@ExtendWith(ServerExtension.class)
@ServerOptions({"maxmemory=2mb"})
class EvictionCommandsTest {
    private static long infoField(RawClient c, String section, String field) {
        String info = c.callText("INFO", section);
        int i = info.indexOf(field + ":");
        return Long.parseLong(info.substring(i + field.length() + 1, info.indexOf('\r', i)));
    }

    @Test
    void noeviction_refusesWritesButServesReadsAndDeletes(RawClient raw) {
        assertEquals("+OK", raw.callText("CONFIG", "SET", "maxmemory-policy", "noeviction"));
        String reply = "";
        int i = 0;
        while (!reply.startsWith("-") && i < 100_000) {
            reply = raw.callText("SET", "k" + i++, "x".repeat(100));
        }
        assertEquals("-OOM command not allowed when used memory > 'maxmemory'.", reply);
        assertEquals("$" + "x".repeat(100), raw.callText("GET", "k0"), "reads still served");
        assertEquals(":1", raw.callText("DEL", "k0"), "deletes still allowed (not denyoom)");
        assertEquals(0, infoField(raw, "stats", "evicted_keys"));
    }

    @Test
    void allkeysLru_evictsAndKeepsUsedMemoryNearTheLimit(RawClient raw, EmbeddedServer server) {
        assertEquals("+OK", raw.callText("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"));
        for (int i = 0; i < 50_000; i++) {
            assertEquals("+OK", raw.callText("SET", "k" + i, "x".repeat(100)), "SET k" + i);
        }
        long used = infoField(raw, "memory", "used_memory");
        long max = infoField(raw, "memory", "maxmemory");
        assertEquals(2L * 1024 * 1024, max);
        // one SET may overshoot by its own size before the next command evicts, and the check
        // reads the keyspace-wide estimate, which may lag the exact sum by 1/256 of the limit
        long slack = 1024 + server.keyspace().memoryEstimateError();
        assertTrue(slack <= 1024 + max / 256, "estimate error " + slack);
        assertTrue(used <= max + slack, "used_memory " + used + " over maxmemory " + max);
        long evicted = infoField(raw, "stats", "evicted_keys");
        assertEquals(50_000 - server.keyspace().size(0), evicted);
        assertTrue(evicted > 30_000, "evicted " + evicted);
        assertEquals("$allkeys-lru", raw.callText("CONFIG", "GET", "maxmemory-policy").split(", ")[1].replace("]", ""));
    }
}
