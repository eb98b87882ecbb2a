package io.damselfly.server.net;

import io.damselfly.server.config.HeapBudget;
import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;
import io.netty.channel.Channel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-wide budget for memory held by unfinished requests: every connection's decoder
 * (unparsed input, a large argument being received, the completed arguments of a request not yet
 * emitted) and the decoded requests a connection queues while its client does not read. Past the
 * budget, the connection holding the most is closed; past {@code client-query-buffer-limit}, the
 * connection that passed it is.
 */
public final class RequestMemoryBudget {
    /*
     * Why close rather than stop reading. Bytes of an unfinished request cannot be given back
     * without either receiving the rest or dropping the request. Stopping reads from the largest
     * holder (TCP back-pressure) keeps its bytes held for as long as its client waits, and with
     * every large holder paused nobody's request can finish: the memory stays pinned. Closing the
     * largest holder frees its bytes at once and touches no other client, as Redis does for one
     * client past client-query-buffer-limit ("Closing client that reached max query buffer
     * length") and for the largest clients past maxmemory-clients (client eviction).
     *
     * Cost. A connection books only when what it holds changes across a read (RespRequestDecoder
     * reports after each read, and before a large argument's array grows), so a request that
     * arrives within one read books nothing; a booking is one add to a shared AtomicLong. Only a
     * booking that takes the total over the limit takes this object's lock and walks the open
     * connections to find the largest (O(connections), on the rare path).
     *
     * Who frees what. A connection's account is changed only on its own event loop, except for
     * the "condemned" flag, which makeRoom sets from whichever loop found the budget exceeded, and
     * the close it asks of the channel (which Netty runs on the owning loop). The owning loop then
     * books nothing more for it (the decoder's next booking is refused) and gives everything back
     * when the channel closes. Until then its bytes still count in the total, so makeRoom sums the
     * accounts that are not condemned instead of trusting the total: otherwise one exceeded budget
     * would close a second client for bytes the first is about to give back.
     */
    private static final Logger log = LoggerFactory.getLogger(RequestMemoryBudget.class);

    private final ServerConfig config;
    private final AtomicLong booked = new AtomicLong();
    private final Set<RequestMemoryAccount> accounts = ConcurrentHashMap.newKeySet();
    private final AtomicLong budgetClosures = new AtomicLong();
    private final AtomicLong queryBufferClosures = new AtomicLong();
    private volatile long limit;
    private volatile long clientQueryBufferLimit;

    /** A budget that follows {@code config}'s request_memory_limit, maxmemory and client-query-buffer-limit. */
    public RequestMemoryBudget(ServerConfig config) {
        this.config = config;
        config.watch(Option.REQUEST_MEMORY_LIMIT, v -> updateLimit());
        config.watch(Option.MAXMEMORY, v -> updateLimit());
        config.watch(Option.CLIENT_QUERY_BUFFER_LIMIT, v -> clientQueryBufferLimit = config.getLong(Option.CLIENT_QUERY_BUFFER_LIMIT));
    }

    private void updateLimit() {
        long configured = config.getLong(Option.REQUEST_MEMORY_LIMIT);
        limit = configured > 0 ? configured
                : HeapBudget.requestMemoryFor(config.getLong(Option.MAXMEMORY), Runtime.getRuntime().maxMemory());
    }

    /** An account for a new connection's requests; it closes itself when the channel closes. */
    RequestMemoryAccount open(Channel channel) {
        RequestMemoryAccount account = new RequestMemoryAccount(this, channel);
        accounts.add(account);
        channel.closeFuture().addListener(f -> account.close());
        return account;
    }

    // ---- read by INFO, tests and operators ---------------------------------------------------

    /** Bytes booked now by all connections together. */
    public long bookedBytes() {
        return booked.get();
    }

    /** The budget in force: request_memory_limit, or the value derived from the heap when it is 0. */
    public long limit() {
        return limit;
    }

    /** Connections closed because they held the most when the budget was exceeded. */
    public long budgetClosures() {
        return budgetClosures.get();
    }

    /** Connections closed for passing client-query-buffer-limit. */
    public long queryBufferClosures() {
        return queryBufferClosures.get();
    }

    // ---- for the accounts --------------------------------------------------------------------

    long clientQueryBufferLimit() {
        return clientQueryBufferLimit;
    }

    /** Adds {@code delta} to the total; returns whether the total is now over the limit. */
    boolean add(long delta) {
        return booked.addAndGet(delta) > limit && delta > 0;
    }

    void forget(RequestMemoryAccount account) {
        accounts.remove(account);
    }

    void countQueryBufferClosure() {
        queryBufferClosures.incrementAndGet();
    }

    /**
     * Brings what the open, not yet condemned connections hold back under the limit by condemning
     * the largest holders, largest first. Returns false when {@code asking} is among them: the
     * caller then closes its own connection; the others are closed here.
     */
    synchronized boolean makeRoom(RequestMemoryAccount asking) {
        long total = 0;
        for (RequestMemoryAccount a : accounts) {
            if (!a.isCondemned()) {
                total += a.held();
            }
        }
        boolean askingSurvives = true;
        while (total > limit) {
            RequestMemoryAccount largest = null;
            for (RequestMemoryAccount a : accounts) {
                if (!a.isCondemned() && (largest == null || a.held() > largest.held())) {
                    largest = a;
                }
            }
            if (largest == null || largest.held() == 0) {
                break;
            }
            long held = largest.held();
            log.warn("Closing client that holds the most memory in unfinished requests: addr={} holding={} bytes"
                    + " (all clients hold {} bytes; request_memory_limit {})", largest.address(), held, total, limit);
            largest.condemn();
            budgetClosures.incrementAndGet();
            total -= held;
            if (largest == asking) {
                askingSurvives = false;
            } else {
                largest.closeChannel();
            }
        }
        return askingSurvives;
    }
}
