package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** OBJECT FREQ and IDLETIME under an LFU policy (no decay, so counters are deterministic). */
@ExtendWith(ServerExtension.class)
@ServerOptions({"maxmemory_policy=allkeys-lfu", "lfu_decay_time=0"})
class KeyCommandsLfuTest {

    @Test
    void object_freqCountsAccesses(RedisCommands<String, String> redis) {
        redis.set("k", "v");
        // a new key starts at LFU_INIT_VAL = 5; the first access always increments
        assertEquals(5L, redis.objectFreq("k"));
        redis.get("k");
        assertEquals(6L, redis.objectFreq("k"));
        assertNull(redis.objectFreq("nokey"));
    }

    @Test
    void rename_keepsTheCounterButCopyStartsFresh(RedisCommands<String, String> redis) {
        redis.set("k", "v");
        redis.get("k");
        // RENAME and MOVE look the key up for writing, which may count one more access (p = 1/11
        // at 6, as in Redis); a counter reset to the initial 5 would mean the clock was not kept
        redis.rename("k", "k2");
        long afterRename = redis.objectFreq("k2");
        assertTrue(afterRename == 6 || afterRename == 7, "freq after RENAME " + afterRename);
        redis.move("k2", 1);
        redis.select(1);
        assertTrue(redis.objectFreq("k2") >= afterRename, "freq after MOVE");
        // COPY makes a new object with a fresh counter
        redis.copy("k2", "k3");
        assertEquals(5L, redis.objectFreq("k3"));
    }

    @Test
    void object_idletimeUnderLfu(RawClient raw) {
        raw.call("SET", "k", "v");
        assertEquals("-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching "
                + "between policies at runtime LRU and LFU data will take some time to adjust.",
                raw.callText("OBJECT", "IDLETIME", "k"));
        assertEquals("(nil)", raw.callText("OBJECT", "IDLETIME", "nokey"));
    }
}
