package io.damselfly.server.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;

/**
 * Binary-safe Lettuce connections to a reference redis-server and to damselfly, for tests that
 * send both the same bytes (DUMP payloads, binary values) and compare what comes back.
 */
public final class BinaryConnections implements AutoCloseable {
    private final RedisClient redisClient;
    private final StatefulRedisConnection<byte[], byte[]> redisConnection;
    private final StatefulRedisConnection<byte[], byte[]> oursConnection;

    /** Connects to {@code reference} with a client of its own, and to damselfly with {@code damselfly}'s client. */
    public BinaryConnections(RedisServerProcess reference, RedisClient damselfly) {
        redisClient = RedisClient.create(RedisURI.create("127.0.0.1", reference.port()));
        redisConnection = redisClient.connect(ByteArrayCodec.INSTANCE);
        oursConnection = damselfly.connect(ByteArrayCodec.INSTANCE);
    }

    public RedisCommands<byte[], byte[]> redis() {
        return redisConnection.sync();
    }

    public RedisCommands<byte[], byte[]> ours() {
        return oursConnection.sync();
    }

    /** FLUSHALL on both servers. */
    public void flushBoth() {
        redis().flushall();
        ours().flushall();
    }

    @Override
    public void close() {
        oursConnection.close();
        redisConnection.close();
        redisClient.shutdown();
    }
}
