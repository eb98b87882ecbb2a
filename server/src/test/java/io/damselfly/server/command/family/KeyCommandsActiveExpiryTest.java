package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.ServerOptions;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The active half of expiry: keys nobody reads again still go away. */
@ExtendWith(ServerExtension.class)
@ServerOptions({"hz=100"})
class KeyCommandsActiveExpiryTest {

    @Test
    void activeExpiry_removesUntouchedKeys(RedisCommands<String, String> redis, EmbeddedServer server) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            redis.set("keep:" + i, "v");
            redis.set("long:" + i, "v");
            redis.expire("long:" + i, 1000);
        }
        // one absolute expiry for all, far enough ahead that setting them up does not outlast it
        long at = System.currentTimeMillis() + 3000;
        for (int i = 0; i < 1000; i++) {
            redis.set("short:" + i, "v");
            redis.pexpireat("short:" + i, at);
        }
        // DBSIZE counts expired keys until they are reclaimed, and reads no key
        assertTrue(System.currentTimeMillis() < at - 100, "setup took too long to observe the keys before expiry");
        assertEquals(1100L, redis.dbsize());
        long deadline = System.currentTimeMillis() + 20_000;
        while (redis.dbsize() > 100 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(100L, redis.dbsize(), "short-lived keys left unreclaimed");
        assertEquals(50, server.keyspace().volatileSize(0));
        assertEquals(100, redis.keys("*").size());
    }
}
