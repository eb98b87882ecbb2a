package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keys whose time has passed but which the active sweep has not reclaimed yet must be invisible.
 * With hz=1 the sweep runs once a second; the test waits for a sweep (a sentinel key disappears),
 * then works inside the second that follows and checks that the expired keys were still physically
 * present, so it fails rather than passes vacuously if the sweep got there first.
 */
@ExtendWith(ServerExtension.class)
@ServerOptions({"hz=1"})
class KeyCommandsLazyExpiryTest {

    @Test
    void expiredKeys_invisibleBeforeReclaim(RedisCommands<String, String> redis, RawClient raw, EmbeddedServer server)
            throws InterruptedException {
        redis.set("live", "v");
        awaitSweep(redis, server);
        for (int i = 0; i < 20; i++) {
            redis.set("dead:" + i, "v");
            redis.pexpire("dead:" + i, 1);
        }
        Thread.sleep(10);
        assertEquals(List.of("live"), redis.keys("*"));
        assertEquals(List.of(), redis.keys("dead:*"));
        assertEquals(21, server.keyspace().size(0), "the expired keys were reclaimed too early; test inconclusive");
        for (int i = 0; i < 20; i++) {
            assertEquals("$live", raw.callText("RANDOMKEY"));
        }
        assertEquals(0L, redis.exists("dead:0", "dead:1"));
        assertEquals(-2L, redis.ttl("dead:2"));
        assertEquals(-2L, redis.pttl("dead:2"));
        assertEquals("none", redis.type("dead:3"));
        assertEquals(0L, redis.touch("dead:4"));
        assertNull(redis.objectEncoding("dead:5"));
        assertEquals(":0", raw.callText("EXPIRE", "dead:6", "100"));
        assertEquals(":0", raw.callText("PERSIST", "dead:7"));
        assertEquals(":0", raw.callText("MOVE", "dead:8", "1"));
        assertEquals(":0", raw.callText("COPY", "dead:9", "copy"));
        assertEquals("-ERR no such key", raw.callText("RENAME", "dead:10", "renamed"));
        assertEquals(":0", raw.callText("DEL", "dead:11"));
        assertEquals(List.of("live"), redis.keys("*"));
        // SCAN, as Redis's, deletes the expired keys that pass its pattern as it meets them
        assertEquals(Set.of(), KeyCommandsTest.scanAll(redis, ScanArgs.Builder.matches("dead:1*").limit(5)));
        assertEquals(Set.of("live"), KeyCommandsTest.scanAll(redis, ScanArgs.Builder.limit(5)));
        assertEquals(1, server.keyspace().size(0), "SCAN reclaimed the expired keys it met");
    }

    @Test
    void randomkey_allExpired(RedisCommands<String, String> redis, EmbeddedServer server) throws InterruptedException {
        redis.set("x", "v");
        awaitSweep(redis, server);
        for (int i = 0; i < 10; i++) {
            redis.set("dead:" + i, "v");
            redis.pexpire("dead:" + i, 1);
        }
        redis.del("x");
        Thread.sleep(10);
        assertTrue(server.keyspace().size(0) > 0, "reclaimed too early; test inconclusive");
        assertNull(redis.randomkey());
    }

    /** Waits until the active sweep has just run: a 1 ms key vanishes without being read. */
    private static void awaitSweep(RedisCommands<String, String> redis, EmbeddedServer server) throws InterruptedException {
        long before = server.keyspace().size(0);
        redis.set("sentinel", "v");
        redis.pexpire("sentinel", 1);
        long deadline = System.currentTimeMillis() + 10_000;
        while (server.keyspace().size(0) > before && System.currentTimeMillis() < deadline) {
            Thread.sleep(2);
        }
        assertEquals(before, server.keyspace().size(0), "the sweep never ran");
    }
}
