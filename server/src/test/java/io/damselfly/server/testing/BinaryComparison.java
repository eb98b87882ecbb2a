package io.damselfly.server.testing;

import io.damselfly.server.EmbeddedServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that sends the same binary commands to a real redis-server and to damselfly
 * ({@link BinaryConnections}): one connection pair for the class, both keyspaces emptied before
 * each test. {@code redis} and {@code ours} are the two sides; {@code reference} and
 * {@code damselfly} the servers, for tests that open connections of their own.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BinaryComparison {
    protected BinaryConnections both;
    protected RedisCommands<byte[], byte[]> redis;
    protected RedisCommands<byte[], byte[]> ours;
    protected RedisServerProcess reference;
    protected EmbeddedServer damselfly;

    @BeforeAll
    void connect(RedisServerProcess reference, RedisClient client, EmbeddedServer damselfly) {
        this.reference = reference;
        this.damselfly = damselfly;
        both = new BinaryConnections(reference, client);
        redis = both.redis();
        ours = both.ours();
    }

    @AfterAll
    void closeConnections() {
        both.close();
    }

    @BeforeEach
    void flushBoth() {
        both.flushBoth();
    }
}
