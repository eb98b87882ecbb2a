package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How an idle event loop waits (LoopIdlePoll): it polls its sockets until they have events, a task
 * is queued for it, or the limit passes, and only then sleeps; it does not poll at all when the
 * limit is 0, when serving loops leave no core, or before it knows its task queue.
 */
class LoopIdlePollTest {

    /** A poller that reports {@code ready} events at its {@code at}-th call and none before. */
    private static final class Poller implements IntSupplier {
        final int at;
        final int ready;
        final AtomicInteger calls = new AtomicInteger();

        Poller(int at, int ready) {
            this.at = at;
            this.ready = ready;
        }

        @Override
        public int get() {
            return calls.incrementAndGet() >= at ? ready : 0;
        }
    }

    /** The loop whose task queue the polls watch: an executor of Netty's, started only by the test that queues tasks on it. */
    private final DefaultEventExecutor loop = new DefaultEventExecutor();

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    /** {@code poll}'s strategy for {@link #loop}, attached as the server attaches its loops'. */
    private SelectStrategy attached(LoopIdlePoll poll) {
        SelectStrategy strategy = poll.newSelectStrategy();
        poll.attach(List.of(loop));
        return strategy;
    }

    @Test
    void pollsUntilTheSocketsHaveEvents() throws Exception {
        LoopIdlePoll poll = new LoopIdlePoll(1_000_000, () -> true);
        SelectStrategy strategy = attached(poll);
        Poller poller = new Poller(1000, 3);
        assertEquals(3, strategy.calculateStrategy(poller, false), "the events found on the 1000th poll");
        assertEquals(1000, poller.calls.get());
        assertTrue(poll.polledNanos(0) > 0 && poll.polledNanos() == poll.polledNanos(0));
    }

    @Test
    void sleepsInThePoller_onceTheLimitPasses() throws Exception {
        LoopIdlePoll poll = new LoopIdlePoll(200, () -> true);
        SelectStrategy strategy = attached(poll);
        Poller never = new Poller(Integer.MAX_VALUE, 1);
        assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(never, false));
        assertTrue(never.calls.get() > 1, "polled before sleeping: " + never.calls.get());
        assertTrue(poll.polledNanos(0) >= 200_000, "the 200 us polled are counted: " + poll.polledNanos(0));
    }

    @Test
    void doesNotPoll_whenOff_withoutRoom_beforeItKnowsItsLoop_orWithTasksQueued() throws Exception {
        LoopIdlePoll off = new LoopIdlePoll(0, () -> true);
        SelectStrategy offStrategy = attached(off);
        Poller poller = new Poller(1, 5);
        assertEquals(SelectStrategy.SELECT, offStrategy.calculateStrategy(poller, false), "limit 0");
        assertEquals(0, poller.calls.get());

        SelectStrategy crowded = attached(new LoopIdlePoll(1_000_000, () -> false));
        assertEquals(SelectStrategy.SELECT, crowded.calculateStrategy(poller, false), "no core left");
        assertEquals(0, poller.calls.get());

        LoopIdlePoll unattached = new LoopIdlePoll(1_000_000, () -> true);
        assertEquals(SelectStrategy.SELECT, unattached.newSelectStrategy().calculateStrategy(poller, false));
        assertEquals(0, poller.calls.get());

        // with tasks queued, Netty's default: one look at the sockets, then the tasks run
        assertEquals(5, crowded.calculateStrategy(poller, true));
        assertEquals(1, poller.calls.get());

        // a limit changed (CONFIG SET) is taken up at the next poll
        off.limit(100);
        assertEquals(5, offStrategy.calculateStrategy(new Poller(3, 5), false));
    }

    /**
     * A task another thread queues while the loop polls does not wake it (Netty takes a loop
     * deciding what to do for awake): the poll sees the queue and returns 0, so the loop runs it.
     */
    @Test
    void stopsPolling_whenATaskIsQueuedForTheLoop() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            // the executor's thread is held in a first task, so the second stays queued
            loop.execute(() -> {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(running.await(10, TimeUnit.SECONDS));
            SelectStrategy strategy = attached(new LoopIdlePoll(1_000_000, () -> true));
            Poller never = new Poller(Integer.MAX_VALUE, 1);
            Thread queuer = new Thread(() -> {
                while (never.calls.get() < 100) {
                    Thread.onSpinWait();
                }
                loop.execute(() -> { });
            });
            queuer.start();
            long start = System.nanoTime();
            assertEquals(0, strategy.calculateStrategy(never, false), "0: no events, run the tasks");
            assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(900),
                    "returned when the task was queued, not at the 1 s limit");
            queuer.join();
        } finally {
            release.countDown();
        }
    }

    /**
     * End to end, on a server's own epoll loop at the largest limit (1 ms): requests are answered
     * and tasks queued for the loop from another thread (as a script's or a deferred reply is) all
     * run, though Netty does not wake a loop while it decides what to do; the loop polled (INFO),
     * and CONFIG SET takes the limit within its range. (Whether a given task lands in a poll is up
     * to the scheduler on a small machine, so the poll's look at the queue is shown by {@link
     * #stopsPolling_whenATaskIsQueuedForTheLoop}.)
     */
    @Test
    void aServerAtTheLargestLimit_answersAndRunsTasksQueuedForItsLoop() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder()
                .option("conn_io_threads", "1").option("conn_io_idle_poll_us", "1000").start()) {
            RedisClient client = RedisClient.create(RedisURI.create(server.host(), server.port()));
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                RedisCommands<String, String> sync = c.sync();
                CountDownLatch ran = new CountDownLatch(200);
                for (int i = 0; i < 200; i++) {
                    assertEquals("PONG", sync.ping());
                    server.net().idlePoll().loop(0).execute(ran::countDown);
                }
                assertTrue(ran.await(10, TimeUnit.SECONDS), "every task ran");
                double polled = Double.parseDouble(field(sync.info("server"), "io_threads_idle_poll_seconds"));
                assertTrue(polled > 0, "the loop polled: " + polled);
                assertEquals("OK", sync.configSet("conn_io_idle_poll_us", "0"));
                assertEquals("0", sync.configGet("conn_io_idle_poll_us").get("conn_io_idle_poll_us"));
                assertEquals("ERR CONFIG SET failed (possibly related to argument 'conn_io_idle_poll_us') - argument must be between 0 and 1000 inclusive",
                        assertThrows(RedisCommandExecutionException.class, () -> sync.configSet("conn_io_idle_poll_us", "1001")).getMessage());
            } finally {
                client.shutdown();
            }
        }
    }

    private static String field(String info, String name) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1);
            }
        }
        throw new AssertionError(name + " not in " + info);
    }
}
