package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ServerExtension.class)
class SmokeTest {
    @Test
    void setGet(@Resp2 RedisCommands<String, String> redis, RawClient raw) {
        assertEquals("OK", redis.set("a", "1"));
        assertEquals("1", redis.get("a"));
        assertEquals("$1", raw.callText("GET", "a"));
        assertEquals("-ERR wrong number of arguments for 'get' command", raw.callText("GET"));
    }
}
