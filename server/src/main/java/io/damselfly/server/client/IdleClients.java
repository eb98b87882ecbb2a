package io.damselfly.server.client;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code timeout} directive: disconnects clients idle for longer than that many seconds, as
 * Redis's clientsCronHandleTimeout. Exempt, as there: clients blocked in a command (BLPOP ...),
 * Pub/Sub subscribers and monitors (Redis's replicas and masters; damselfly has none). Idle time
 * counts from the last command, in whole seconds on both sides as Redis keeps them
 * ({@code now - lastinteraction > timeout}, both in unix seconds).
 */
public final class IdleClients {
    private static final Logger log = LoggerFactory.getLogger(IdleClients.class);

    private IdleClients() {
    }

    /** Whether {@code c} has been idle too long at {@code nowMillis} under {@code timeoutSeconds} (0: never). */
    static boolean expired(ClientSession c, long timeoutSeconds, long nowMillis) {
        return timeoutSeconds > 0
                && !c.isMonitor()
                && !c.isBlocked()
                && !c.isSubscribed()
                && !c.isScriptClient()
                && nowMillis / 1000 - c.lastInteractionMillis() / 1000 > timeoutSeconds;
    }

    /** Closes every client of {@code clients} idle too long; returns how many. */
    public static int closeExpired(ClientRegistry clients, long timeoutSeconds, long nowMillis) {
        if (timeoutSeconds <= 0) {
            return 0;
        }
        int closed = 0;
        for (ClientSession c : clients.snapshot()) {
            if (!c.isGone() && expired(c, timeoutSeconds, nowMillis) && c.kill()) {
                log.debug("Closing idle client id={}", c.id());
                closed++;
            }
        }
        return closed;
    }
}
