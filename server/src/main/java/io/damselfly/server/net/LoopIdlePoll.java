package io.damselfly.server.net;

import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * How an event loop that ran out of work waits for more: it keeps asking its poller for ready
 * sockets without blocking ({@code epoll_wait} with a zero timeout) for up to {@code
 * conn_io_idle_poll_us} microseconds, and only then sleeps in the poller, as Seastar's reactor
 * does ({@code --idle-poll-time-us}, 200 us by default there) and Dragonfly's proactors do (a
 * few spins before they block).
 *
 * <p>Why. A thread asleep in {@code epoll_wait} is woken by whoever makes its socket readable:
 * on loopback the client's own {@code send} runs the receive path and the wake-up (a reschedule,
 * on a virtual machine an inter-processor interrupt), and the loop pays its context switch on the
 * way back. With redis-benchmark's 50 unpipelined clients a loop found nothing to do about once
 * every eleven requests and slept; a client's request then cost the client, the single-threaded
 * bottleneck of that benchmark, a wake-up. Polling through those gaps instead costs the loop's
 * core time it had idle. Measured (2 cores, twelve rounds alternating with the jar before and
 * redis-server): the client's CPU per request fell by 12%, unpipelined GET went from 0.97x to
 * 1.09x redis-server's (medians of the rounds' ratios); docs/DESIGN.md has the figures.
 *
 * <p>The price is CPU: after every burst of work a loop polls for up to the limit, so a server
 * with a request every few hundred microseconds keeps a core visibly busy. And a polling loop
 * holds a core that another thread may want: with both loops of a 2-core machine serving
 * redis-benchmark's clients (connections dealt in turn), two polling loops and the benchmark
 * made three runnable threads for two cores, and unpipelined GET fell to 0.74-0.75x
 * redis-server's, its p99 to 3.7-3.9 ms against 0.6-0.7. So loops poll only while fewer of them serve
 * connections than the machine has cores ({@link LoopBalancer#roomToPoll}). That time is counted
 * per loop ({@link #polledNanos}) and left out of what {@link LoopBalancer} takes for a loop's
 * load, so polling never makes a loop look busy or the machine look full; INFO shows it. 0 turns
 * polling off.
 *
 * <p>Tasks other threads give the loop (a deferred reply's resolution, a spread's registration)
 * do not wake a loop that is polling (Netty marks a loop deciding what to do as awake), so the
 * poll also watches the loop's task queue and stops when something is queued. A scheduled task
 * that falls due while the loop polls waits for the poll's end, at most the limit.
 */
final class LoopIdlePoll implements SelectStrategyFactory {
    /** The configured limit (conn_io_idle_poll_us) in nanoseconds; read by each loop before it polls. */
    private volatile long limitNanos;
    /** One per loop, in the order the group created its loops; written before they start. */
    private final List<LoopPoll> polls = new ArrayList<>();
    /** Whether a core is left for others while the loops poll; asked before every poll. */
    private final BooleanSupplier roomToPoll;

    LoopIdlePoll(long limitMicros, BooleanSupplier roomToPoll) {
        this.roomToPoll = roomToPoll;
        limit(limitMicros);
    }

    /** Changes the limit (CONFIG SET conn_io_idle_poll_us); loops take it up at their next poll. */
    void limit(long micros) {
        limitNanos = Math.max(0, micros) * 1000;
    }

    /**
     * Called by each event loop's constructor, in the group's order; {@link #attach} later tells
     * each the loop it serves.
     */
    @Override
    public synchronized SelectStrategy newSelectStrategy() {
        LoopPoll poll = new LoopPoll(this);
        polls.add(poll);
        return poll;
    }

    /**
     * Gives each strategy its loop, whose task queue it watches while polling: {@code loops} in
     * the group's order, the order the strategies were made in.
     */
    synchronized void attach(Iterable<EventExecutor> loops) {
        int i = 0;
        for (EventExecutor loop : loops) {
            if (i < polls.size() && loop instanceof SingleThreadEventExecutor tasks) {
                polls.get(i).loop = tasks;
            }
            i++;
        }
    }

    /** Nanoseconds loop {@code index} has spent polling idle since it started. */
    synchronized long polledNanos(int index) {
        return index < polls.size() ? polls.get(index).polledNanos : 0;
    }

    /** The loop of strategy {@code index}, once attached (tests). */
    synchronized SingleThreadEventExecutor loop(int index) {
        return polls.get(index).loop;
    }

    /** Nanoseconds every loop together has spent polling idle. */
    synchronized long polledNanos() {
        long sum = 0;
        for (LoopPoll p : polls) {
            sum += p.polledNanos;
        }
        return sum;
    }

    /** One loop's strategy: its own, called on its thread only. */
    static final class LoopPoll implements SelectStrategy {
        private final LoopIdlePoll owner;
        /** The loop, once attached; until then no task can be seen and the loop does not poll. */
        volatile SingleThreadEventExecutor loop;
        /** Written by the loop's thread only; read by the balancer and INFO. */
        volatile long polledNanos;

        LoopPoll(LoopIdlePoll owner) {
            this.owner = owner;
        }

        @Override
        public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
            if (hasTasks) {
                return selectNow.get(); // Netty's default: look at the sockets, then run the tasks
            }
            long limit = owner.limitNanos;
            SingleThreadEventExecutor tasks = loop;
            if (limit == 0 || tasks == null || !owner.roomToPoll.getAsBoolean()) {
                return SelectStrategy.SELECT;
            }
            long start = System.nanoTime();
            long now = start;
            int ready;
            do {
                ready = selectNow.get();
                if (ready != 0 || tasks.pendingTasks() > 0) {
                    break;
                }
                now = System.nanoTime();
            } while (now - start < limit);
            polledNanos += now - start;
            if (ready != 0) {
                return ready;
            }
            if (now - start < limit) {
                return 0; // no events: run the tasks just queued
            }
            return SelectStrategy.SELECT;
        }
    }
}
