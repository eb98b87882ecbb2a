package io.damselfly.server.net;

import io.damselfly.protocol.RequestMemory;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's share of the {@link RequestMemoryBudget}: what its decoder holds for an
 * unfinished request, plus the decoded requests queued while its client does not read. Enforces
 * {@code client-query-buffer-limit} and asks the budget for room when its booking takes the
 * server's total over the limit.
 *
 * <p>Changed only on the connection's event loop; other loops read {@link #held()} and may
 * {@link #condemn()} it (see {@link RequestMemoryBudget}).
 */
final class RequestMemoryAccount implements RequestMemory {
    private static final Logger log = LoggerFactory.getLogger(RequestMemoryAccount.class);

    private final RequestMemoryBudget budget;
    private final Channel channel;
    /** What is booked in the budget for this connection: {@link #decoderBytes} + {@link #queuedBytes}. */
    private volatile long held;
    private long decoderBytes;
    private long queuedBytes;
    /** Chosen to be closed (by any loop) or closed: books nothing more, refuses every booking. */
    private volatile boolean condemned;
    private boolean closed;

    RequestMemoryAccount(RequestMemoryBudget budget, Channel channel) {
        this.budget = budget;
        this.channel = channel;
    }

    @Override
    public boolean hold(long heldBytes, long queryBufferBytes) {
        if (condemned || closed) {
            giveBackAll();
            return false;
        }
        long queryBufferLimit = budget.clientQueryBufferLimit();
        if (queryBufferBytes > queryBufferLimit) {
            log.warn("Closing client that reached max query buffer length: addr={} qbuf={} (client-query-buffer-limit {})",
                    address(), queryBufferBytes, queryBufferLimit);
            budget.countQueryBufferClosure();
            refuse();
            return false;
        }
        long delta = heldBytes - decoderBytes;
        decoderBytes = heldBytes;
        if (book(delta) && !budget.makeRoom(this)) {
            refuse();
            return false;
        }
        return true;
    }

    /**
     * A decoded request waits in the connection's queue (its client is not reading): its bytes
     * stay booked until it runs, or a client could park one large request per connection outside
     * the budget.
     */
    void queued(Object request) {
        if (request instanceof byte[][] argv && !closed) {
            long bytes = RequestMemory.requestBytes(argv);
            queuedBytes += bytes;
            book(bytes);
        }
    }

    /** A queued request is about to run: its bytes are the command's now. */
    void dequeued(Object request) {
        if (request instanceof byte[][] argv && !closed && queuedBytes > 0) {
            long bytes = Math.min(queuedBytes, RequestMemory.requestBytes(argv));
            queuedBytes -= bytes;
            book(-bytes);
        }
    }

    /** Adds {@code delta} to this connection's and the server's total; returns whether that went over the budget. */
    private boolean book(long delta) {
        if (delta == 0) {
            return false;
        }
        held += delta;
        return budget.add(delta);
    }

    private void refuse() {
        condemned = true;
        giveBackAll();
        closeChannel();
    }

    private void giveBackAll() {
        long all = held;
        decoderBytes = 0;
        queuedBytes = 0;
        if (all != 0) {
            held = 0;
            budget.add(-all);
        }
    }

    /** The channel closed: gives everything back and leaves the budget. */
    void close() {
        closed = true;
        condemned = true;
        giveBackAll();
        budget.forget(this);
    }

    // ---- for the budget (any thread) -------------------------------------------------------

    long held() {
        return held;
    }

    boolean isCondemned() {
        return condemned;
    }

    void condemn() {
        condemned = true;
    }

    void closeChannel() {
        channel.close();
    }

    String address() {
        return String.valueOf(channel.remoteAddress());
    }
}
