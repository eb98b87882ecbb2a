package io.damselfly.server.replication;

import io.damselfly.server.client.ClientSession;
import io.damselfly.server.config.ClientOutputBufferLimits.Limit;
import io.damselfly.server.pubsub.Subscriber;
import java.util.ArrayDeque;

/**
 * One replica's end of the replication stream: a client that sent SYNC or PSYNC. Its bytes reach
 * its connection through the client's {@link Subscriber} inbox (the path Pub/Sub messages and
 * MONITOR lines take), so the stream is written from any thread without touching the connection,
 * and a replica that does not read is cut off at the replica class of client-output-buffer-limit,
 * as Redis's checkClientOutputBufferLimits does.
 *
 * <p>States, as Redis's replstate: {@code wait_bgsave} from the snapshot's moment (before it, the
 * stream lists the replica as waiting, {@link ReplicationStream#awaitsMoment}) until its file is
 * written, {@code send_bulk} while the file goes out, {@code online} after. Until online the
 * stream written since the moment waits here (bounded by the same limit), so it follows the file.
 * Everything but the acknowledgement fields is changed under the stream's lock.
 */
final class ReplicaLink {
    enum State {
        WAIT_BGSAVE("wait_bgsave"), SEND_BULK("send_bulk"), ONLINE("online");

        final String infoName;

        State(String infoName) {
            this.infoName = infoName;
        }
    }

    final ClientSession client;
    final Subscriber inbox;
    /**
     * Whether the replica acknowledges (it sent PSYNC): one that sent SYNC never does (redis-cli
     * --replica, Redis's CLIENT_PRE_PSYNC), so it is never timed out for its silence.
     */
    final boolean acknowledges;
    volatile State state = State.WAIT_BGSAVE;
    /** The offset the replica last acknowledged (REPLCONF ACK), or 0. */
    volatile long ackOffset;
    /** When the replica last sent anything counted as an acknowledgement (Unix ms). */
    volatile long ackMillis = System.currentTimeMillis();
    /** The snapshot is streamed to the connection as it is made (diskless sync): no keep-alive newlines. */
    volatile boolean streamed;
    /** A streamed snapshot is out: the stream starts at the replica's first acknowledgement. */
    volatile boolean onlineAtAck;
    private final ArrayDeque<byte[]> waiting = new ArrayDeque<>();
    private long waitingBytes;

    ReplicaLink(ClientSession client, Subscriber inbox, boolean acknowledges) {
        this.client = client;
        this.inbox = inbox;
        this.acknowledges = acknowledges;
    }

    /** Queues stream bytes: delivered when online, held until then. Under the stream's lock. */
    void offer(byte[] frame, Limit limit, long nowMillis) {
        if (state == State.ONLINE && !onlineAtAck) {
            inbox.offer(frame, limit, nowMillis);
            return;
        }
        waiting.add(frame);
        waitingBytes += frame.length;
        if (limit.hardBytes() > 0 && waitingBytes >= limit.hardBytes()) {
            // Redis frees a replica past its hard limit whatever its state
            waiting.clear();
            waitingBytes = 0;
            client.connection().close();
        }
    }

    /**
     * The file is out (a streamed one: and the replica acknowledged): what waited follows it, and
     * from now the stream goes straight through. Under the stream's lock.
     */
    void goOnline() {
        byte[] frame;
        while ((frame = waiting.poll()) != null) {
            inbox.push(frame);
        }
        waitingBytes = 0;
        // as replicaPutOnline: its silence is counted from here, not from the snapshot's start
        ackMillis = System.currentTimeMillis();
        onlineAtAck = false;
        state = State.ONLINE;
    }

    /** Stream bytes waiting here for the snapshot to go out. Under the stream's lock. */
    long heldBytes() {
        return waitingBytes;
    }

    boolean isGone() {
        return gone(client, inbox);
    }

    /** Whether a replica's connection is closed (its inbox closes with it, or is closed first). */
    static boolean gone(ClientSession client, Subscriber inbox) {
        return inbox.isClosed() || !client.connection().isOpen();
    }
}
