package io.damselfly.server;

import io.damselfly.server.client.ClientPause;
import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;
import io.damselfly.server.replication.ReplicationStream;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shutdown's grace period for its replicas, as Redis 7.0's prepareForShutdown, isReadyToShutdown
 * and abortShutdown: a primary asked to stop (SHUTDOWN, SIGTERM, SIGINT) while a replica has not
 * acknowledged its whole stream first pauses writes, asks every replica for its offset and waits,
 * up to shutdown-timeout seconds, until all of them have it; then it finishes (the report of
 * lagging replicas, the save, the stop). So a failover to a replica right after loses none of the
 * writes the primary acknowledged. SHUTDOWN NOW, shutdown-timeout 0 or replicas already in sync
 * skip the wait.
 *
 * <p>Every SHUTDOWN given while one waits waits for the same outcome (Redis blocks them all on
 * it). SHUTDOWN ABORT ends the wait: writes resume and the waiting callers get the error. A finish
 * that fails (the save) ends it the same way. The wait is checked once a cron tick, as serverCron
 * checks it, and is one object's state, behind this object's lock.
 */
final class ShutdownGrace {
    private static final Logger log = LoggerFactory.getLogger(ShutdownGrace.class);

    private final ServerConfig config;
    private final ClientPause pause;
    private final ReplicationStream stream;
    /** The shutdown waiting for its replicas, or null; guarded by this. */
    private Waiting waiting;

    /** What finishes the shutdown and the outcome its callers wait on; {@code finishing} once it runs. */
    private static final class Waiting {
        final long deadlineMillis;
        final Supplier<CompletableFuture<Boolean>> finish;
        final CompletableFuture<Boolean> outcome = new CompletableFuture<>();
        boolean finishing;

        Waiting(long deadlineMillis, Supplier<CompletableFuture<Boolean>> finish) {
            this.deadlineMillis = deadlineMillis;
            this.finish = finish;
        }
    }

    ShutdownGrace(ServerConfig config, ClientPause pause, ReplicationStream stream) {
        this.config = config;
        this.pause = pause;
        this.stream = stream;
    }

    /**
     * Starts a shutdown that {@code finish} completes (answering whether the server stops): now,
     * or after the replicas' grace period. Answers the outcome; that of the shutdown already
     * waiting, if one is (this one's flags are then not used, as in Redis).
     */
    CompletableFuture<Boolean> begin(boolean now, Supplier<CompletableFuture<Boolean>> finish) {
        synchronized (this) {
            if (waiting != null) {
                return waiting.outcome;
            }
            long timeout = config.getLong(Option.SHUTDOWN_TIMEOUT);
            if (!now && timeout != 0 && !stream.replicasInSync()) {
                waiting = new Waiting(System.currentTimeMillis() + timeout * 1000, finish);
                if (pause.current() == null) {
                    // as Redis, not while clients are paused: a GETACK goes through the stream and
                    // moves its offset, which a pause keeps still for replicas comparing it
                    stream.askForAcknowledgements();
                }
                pause.hold(ClientPause.WriteHold.SHUTDOWN);
                log.info("Waiting for replicas before shutting down.");
                return waiting.outcome;
            }
        }
        stream.logReplicasAtShutdown();
        return finish.get();
    }

    /** Once a cron tick: finishes a waiting shutdown once its replicas are in sync or its time is up. */
    void tick(long nowMillis) {
        Waiting w;
        synchronized (this) {
            w = waiting;
            if (w == null || w.finishing || (nowMillis < w.deadlineMillis && !stream.replicasInSync())) {
                return;
            }
            w.finishing = true;
        }
        stream.logReplicasAtShutdown();
        w.finish.get().whenComplete((stops, e) -> {
            if (Boolean.TRUE.equals(stops)) {
                w.outcome.complete(true);
            } else {
                end(w);
                w.outcome.complete(false);
            }
        });
    }

    /**
     * SHUTDOWN ABORT: ends a shutdown waiting for its replicas, its callers answered with the
     * error (their outcome is cancelled); false when none waits (or it is already finishing).
     */
    boolean abort() {
        Waiting w;
        synchronized (this) {
            w = waiting;
            if (w == null || w.finishing) {
                return false;
            }
        }
        end(w);
        log.info("Shutdown manually aborted.");
        w.outcome.completeExceptionally(new CancellationException("shutdown aborted"));
        return true;
    }

    /** Milliseconds until a waiting shutdown gives up on its replicas (INFO shutdown_in_milliseconds), or -1. */
    synchronized long millisLeft(long nowMillis) {
        return waiting == null ? -1 : Math.max(0, waiting.deadlineMillis - nowMillis);
    }

    private void end(Waiting w) {
        synchronized (this) {
            if (waiting != w) {
                return;
            }
            waiting = null;
        }
        pause.release(ClientPause.WriteHold.SHUTDOWN);
    }
}
