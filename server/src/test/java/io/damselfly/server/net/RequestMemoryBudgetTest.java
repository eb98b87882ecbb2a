package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RequestMemory;
import io.damselfly.server.config.HeapBudget;
import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** The budget's rules, one connection account at a time, on embedded channels. */
class RequestMemoryBudgetTest {
    private static final long KB = 1000;

    private static RequestMemoryBudget budget(String limit) {
        return new RequestMemoryBudget(new ServerConfig().set(Option.REQUEST_MEMORY_LIMIT, limit));
    }

    @Test
    void defaultLimit_derivedFromTheHeapAndFollowsMaxmemory() {
        ServerConfig config = new ServerConfig();
        RequestMemoryBudget budget = new RequestMemoryBudget(config);
        long heap = Runtime.getRuntime().maxMemory();
        assertEquals(HeapBudget.requestMemoryFor(0, heap), budget.limit());
        config.set(Option.MAXMEMORY, "16mb");
        assertEquals(HeapBudget.requestMemoryFor(16L << 20, heap), budget.limit());
        config.set(Option.REQUEST_MEMORY_LIMIT, "3mb");
        assertEquals(3L << 20, budget.limit());
        config.set(Option.REQUEST_MEMORY_LIMIT, "0");
        assertEquals(HeapBudget.requestMemoryFor(16L << 20, heap), budget.limit());
    }

    @Test
    void overTheLimit_theLargestHolderIsClosedAndTheAskerKeepsItsRoom() {
        RequestMemoryBudget budget = budget("1000000b");
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        EmbeddedChannel c = new EmbeddedChannel();
        RequestMemoryAccount large = budget.open(a);
        RequestMemoryAccount middle = budget.open(b);
        RequestMemoryAccount asking = budget.open(c);
        assertTrue(large.hold(600 * KB, 0));
        assertTrue(middle.hold(300 * KB, 0));
        assertEquals(900 * KB, budget.bookedBytes());
        assertTrue(asking.hold(200 * KB, 0), "the asker is not the largest: it keeps its room");
        assertFalse(a.isOpen(), "the largest holder is closed");
        assertTrue(b.isOpen() && c.isOpen());
        assertEquals(1, budget.budgetClosures());
        assertEquals(500 * KB, budget.bookedBytes(), "the closed connection gave its bytes back");
        assertFalse(large.hold(10 * KB, 0), "a closed connection books nothing more");
        assertEquals(500 * KB, budget.bookedBytes());
        // now the asker is the largest: it is the one refused, and it closes itself
        assertFalse(asking.hold(800 * KB, 0));
        assertFalse(c.isOpen());
        assertTrue(b.isOpen());
        assertEquals(300 * KB, budget.bookedBytes());
        b.close();
        assertEquals(0, budget.bookedBytes());
    }

    @Test
    void decreasesAreNeverRefused() {
        RequestMemoryBudget budget = budget("1000000b");
        EmbeddedChannel ch = new EmbeddedChannel();
        RequestMemoryAccount account = budget.open(ch);
        assertTrue(account.hold(900 * KB, 0));
        budget.open(new EmbeddedChannel()).hold(50 * KB, 0);
        assertTrue(account.hold(100 * KB, 0));
        assertTrue(account.hold(0, 0));
        assertEquals(50 * KB, budget.bookedBytes());
        assertTrue(ch.isOpen());
    }

    @Test
    void clientQueryBufferLimit_closesThatClient() {
        ServerConfig config = new ServerConfig().set(Option.CLIENT_QUERY_BUFFER_LIMIT, "1mb");
        RequestMemoryBudget budget = new RequestMemoryBudget(config);
        EmbeddedChannel ch = new EmbeddedChannel();
        RequestMemoryAccount account = budget.open(ch);
        assertTrue(account.hold(3L << 20, 1L << 20), "at the limit is allowed");
        assertFalse(account.hold(3L << 20, (1L << 20) + 1));
        assertFalse(ch.isOpen());
        assertEquals(1, budget.queryBufferClosures());
        assertEquals(0, budget.bookedBytes());
    }

    @Test
    void queuedRequests_bookedUntilDequeuedAndGivenBackOnClose() {
        RequestMemoryBudget budget = budget("10mb");
        EmbeddedChannel ch = new EmbeddedChannel();
        RequestMemoryAccount account = budget.open(ch);
        byte[][] request = {new byte[3], new byte[100_000]};
        long bytes = RequestMemory.requestBytes(request);
        assertEquals(24 + 24 + 100_016, bytes);
        account.queued(request);
        account.queued(request);
        assertEquals(2 * bytes, budget.bookedBytes());
        account.dequeued(request);
        assertEquals(bytes, budget.bookedBytes());
        assertTrue(account.hold(5000, 0));
        assertEquals(bytes + 5000, budget.bookedBytes());
        ch.close();
        assertEquals(0, budget.bookedBytes());
        account.dequeued(request);
        assertEquals(0, budget.bookedBytes(), "nothing is given back twice");
    }
}
