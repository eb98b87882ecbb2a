package io.damselfly.server.replication;

import io.damselfly.server.client.ClientPause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinated failover (FAILOVER, Redis 6.2's failoverCommand and updateFailoverStatus): the
 * primary holds writes, waits until a replica (the one named, or any) has acknowledged its whole
 * stream, then becomes a replica of it, asking it with {@code PSYNC <id> <offset> FAILOVER} to
 * take over: the replica becomes a primary (its former primary's id kept as its second) and
 * continues the old primary's stream, so neither loads anything. The hold ends when the target
 * answers the PSYNC; a refusal, FAILOVER ABORT or the timeout (without FORCE) ends the failover and
 * leaves this server a primary.
 *
 * <p>Design. The state is this object's, changed under its lock (read without it, so a command
 * holding shards may ask whether a failover runs: the lock leads to the pause, which may take
 * shards); the cron's tick ({@link #tick}) moves it on, ten times a second (hz) or more, as
 * Redis runs replicationCron every 100 ms while failing over. Replicas acknowledge once a
 * second by themselves: no GETACK is sent, which would move the offset the replicas are compared
 * with while writes are held.
 */
public final class Failover {
    private static final Logger log = LoggerFactory.getLogger(Failover.class);

    /** Redis's failover_state, by INFO's names. */
    public enum State {
        NONE("no-failover"), WAIT_FOR_SYNC("waiting-for-sync"), IN_PROGRESS("failover-in-progress");

        public final String infoName;

        State(String infoName) {
            this.infoName = infoName;
        }
    }

    /** What a failover does to this server's role: replicate host:port, or be a primary again. */
    public interface Roles {
        void replicate(String host, int port);

        void becomePrimary();
    }

    private final ReplicationStream stream;
    private final ClientPause pause;
    private final Roles roles;
    /** Written under this object's lock, read without it: commands holding shards ask {@link #running}. */
    private volatile State state = State.NONE;
    private String targetHost;
    private int targetPort;
    /** When waiting ends (Unix ms), or 0 for never. */
    private long endMillis;
    private boolean force;

    public Failover(ReplicationStream stream, ClientPause pause, Roles roles) {
        this.stream = stream;
        this.pause = pause;
        this.roles = roles;
    }

    public State state() {
        return state;
    }

    /** Whether a failover runs (REPLICAOF and SYNC are refused meanwhile). */
    public boolean running() {
        return state != State.NONE;
    }

    /** Whether this server, now a replica, asks its new primary to take over (PSYNC ... FAILOVER). */
    public boolean handingOver() {
        return state == State.IN_PROGRESS;
    }

    /**
     * FAILOVER [TO host port [FORCE]] [TIMEOUT ms], its arguments checked: answers the error to
     * reply, or null once the failover waits for its target (writes held). {@code isReplica}:
     * this server replicates a primary.
     */
    public synchronized String start(String host, int port, long timeoutMillis, boolean force, boolean isReplica) {
        if (state != State.NONE) {
            return "ERR FAILOVER already in progress.";
        }
        if (isReplica) {
            return "ERR FAILOVER is not valid when server is a replica.";
        }
        if (stream.replicaCount() == 0) {
            return "ERR FAILOVER requires connected replicas.";
        }
        if (force && (timeoutMillis == 0 || host == null)) {
            return "ERR FAILOVER with force option requires both a timeout and target HOST and IP.";
        }
        if (host != null) {
            ReplicationStream.ReplicaState replica = stream.replicaAt(host, port);
            if (replica == null) {
                return "ERR FAILOVER target HOST and PORT is not a replica.";
            }
            if (!replica.online()) {
                return "ERR FAILOVER target replica is not online.";
            }
            targetHost = host;
            targetPort = port;
            log.info("FAILOVER requested to {}:{}.", host, port);
        } else {
            log.info("FAILOVER requested to any replica.");
        }
        endMillis = timeoutMillis == 0 ? 0 : System.currentTimeMillis() + timeoutMillis;
        this.force = force;
        state = State.WAIT_FOR_SYNC;
        pause.hold(ClientPause.WriteHold.FAILOVER);
        return null;
    }

    /** FAILOVER ABORT: answers the error to reply, or null once the failover is ended. */
    public synchronized String abortByRequest() {
        if (state == State.NONE) {
            return "ERR No failover in progress.";
        }
        abort("Failover manually aborted");
        return null;
    }

    /** Ends the failover (abortFailover): a primary again if it had become a replica, writes resumed. */
    private void abort(String why) {
        if (targetHost != null) {
            log.info("FAILOVER to {}:{} aborted: {}", targetHost, targetPort, why);
        } else {
            log.info("FAILOVER to any replica aborted: {}", why);
        }
        if (state == State.IN_PROGRESS) {
            roles.becomePrimary();
        }
        clear();
    }

    /** The failover is over (clearFailoverState): writes resume. */
    private void clear() {
        state = State.NONE;
        targetHost = null;
        targetPort = 0;
        endMillis = 0;
        force = false;
        pause.release(ClientPause.WriteHold.FAILOVER);
    }

    /** The target answered this server's PSYNC FAILOVER: accepted (continue or full) ends the failover, else it is aborted. */
    public synchronized void targetAnswered(boolean accepted) {
        if (state != State.IN_PROGRESS) {
            return;
        }
        if (accepted) {
            clear();
        } else {
            abort("Failover target rejected psync request");
        }
    }

    /**
     * Each cron tick (updateFailoverStatus): the timeout, then whether a replica has caught up. The
     * role changes under this lock (this lock, then the role's: the replica link calls in here
     * holding neither), so an abort cannot fall between the decision and the change.
     */
    public synchronized void tick(long nowMillis) {
        if (state != State.WAIT_FOR_SYNC) {
            return;
        }
        if (endMillis != 0 && endMillis <= nowMillis) {
            if (!force) {
                abort("Replica never caught up before timeout");
                return;
            }
            log.info("FAILOVER to {}:{} time out exceeded, failing over.", targetHost, targetPort);
        } else {
            ReplicationStream.ReplicaState replica = targetHost != null ? stream.replicaAt(targetHost, targetPort)
                    : stream.caughtUpReplica();
            if (replica == null || replica.ackOffset() != stream.offset()) {
                return;
            }
            targetHost = replica.ip();
            targetPort = replica.port();
            log.info("Failover target {}:{} is synced, failing over.", targetHost, targetPort);
        }
        state = State.IN_PROGRESS;
        roles.replicate(targetHost, targetPort);
    }
}
