package io.damselfly.server.testing;

import io.lettuce.core.api.sync.RedisCommands;
import java.util.function.Supplier;

/**
 * Waiting for a server (damselfly or a reference redis-server) to show a number of blocked
 * clients in INFO clients: what a test does after sending a blocking command on one connection
 * and before acting on another. Bounded: fails after 5 s.
 */
public final class BlockedClients {
    private BlockedClients() {
    }

    /** Waits until INFO, read through Lettuce, shows exactly {@code n} blocked clients. */
    public static void await(RedisCommands<String, String> redis, int n) {
        await(() -> redis.info("clients"), n);
    }

    /** Waits until INFO, read through a raw connection, shows exactly {@code n} blocked clients. */
    public static void await(RawClient client, int n) {
        await(() -> client.callText("INFO", "clients"), n);
    }

    private static void await(Supplier<String> info, int n) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        String want = "blocked_clients:" + n + "\r\n";
        while (System.nanoTime() < deadline) {
            if (info.get().contains(want)) {
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("never saw " + want.strip() + ": " + info.get());
    }
}
