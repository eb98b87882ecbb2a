package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Which event loop serves which connection (LoopBalancer): an idle server fills its first loop; a
 * spread moves half of a loop's movable connections to another, between their reads, losing and
 * reordering nothing; connections that other threads write to or that wait on their loop stay.
 */
class LoopBalancerTest {

    @Test
    void placement_takesTheFirstLoopNotBusy_elseTheLeastBusy() {
        assertEquals(0, LoopBalancer.place(new double[] {0.0, 0.0}));
        assertEquals(0, LoopBalancer.place(new double[] {0.6, 0.0}));
        assertEquals(1, LoopBalancer.place(new double[] {0.9, 0.3}));
        assertEquals(2, LoopBalancer.place(new double[] {0.9, 0.95, 0.1, 0.0}));
        assertEquals(1, LoopBalancer.place(new double[] {0.99, 0.9}));
    }

    @Test
    void spreading_needsABusyLoop_aColdOne_andASpareCore() {
        assertArrayEquals(new int[] {1, -1}, LoopBalancer.spreadTargets(new double[] {0.95, 0.05}, 1.0));
        assertArrayEquals(new int[] {-1, -1}, LoopBalancer.spreadTargets(new double[] {0.95, 0.05}, 0.2),
                "the machine's other cores are busy: a second loop would only contend");
        assertArrayEquals(new int[] {-1, -1}, LoopBalancer.spreadTargets(new double[] {0.8, 0.05}, 1.5), "not busy");
        assertArrayEquals(new int[] {-1, -1}, LoopBalancer.spreadTargets(new double[] {0.95, 0.7}, 1.5), "no cold loop");
        assertArrayEquals(new int[] {3, 2, -1, -1},
                LoopBalancer.spreadTargets(new double[] {0.97, 0.9, 0.3, 0.1}, 2.5), "busiest to the coldest");
        assertArrayEquals(new int[] {3, -1, -1, -1},
                LoopBalancer.spreadTargets(new double[] {0.97, 0.9, 0.3, 0.1}, 1.2), "one spare core: one spread");
    }

    /**
     * A balancer of two loops on a two-core machine, driven tick by tick: loop CPU times the test
     * sets, and a machine load that counts how often it is read.
     */
    private static final class DrivenBalancer implements LoopBalancer.Probe {
        private static final long TICK_NANOS = LoopBalancer.TICK_MILLIS * 1_000_000;
        final LoopBalancer balancer = new LoopBalancer(true, 2);
        final long[] cpu = new long[2];
        long clock;
        double machine;
        int machineReads;
        /** Share of a core the loops together spend polling idle ({@link LoopIdlePoll}) each tick. */
        double polling;
        long polled;

        DrivenBalancer() {
            balancer.begin(this, 2, clock);
        }

        @Override
        public long loopCpuNanos(int loop) {
            return cpu[loop];
        }

        @Override
        public double machineLoad() {
            machineReads++;
            return machine;
        }

        @Override
        public long idlePollNanos() {
            return polled;
        }

        /** {@code ticks} ticks with loop 0 at {@code busy0} of a core and loop 1 at {@code busy1}: the decisions made. */
        List<int[]> ticks(int ticks, double busy0, double busy1) {
            List<int[]> decisions = new ArrayList<>();
            for (int i = 0; i < ticks; i++) {
                clock += TICK_NANOS;
                cpu[0] += (long) (busy0 * TICK_NANOS);
                cpu[1] += (long) (busy1 * TICK_NANOS);
                polled += (long) (polling * TICK_NANOS);
                int[] to = balancer.sample(clock);
                if (to != null) {
                    decisions.add(to);
                }
            }
            return decisions;
        }
    }

    @Test
    void theMachinesLoad_isReadOnlyWhileASpreadCouldHappen_andSpreadsWhenACoreIsSpare() {
        DrivenBalancer bothBusy = new DrivenBalancer();
        assertEquals(List.of(), bothBusy.ticks(20, 0.95, 0.9));
        assertEquals(0, bothBusy.machineReads, "no read of the machine's load while both loops are busy");

        DrivenBalancer b = new DrivenBalancer();
        assertEquals(List.of(), b.ticks(20, 0.3, 0.0));
        assertEquals(0, b.machineReads, "no read of the machine's load while no loop is busy");
        // loop 0 busy (over the whole window from its WINDOW-th tick), loop 1 cold, the machine 40%
        // busy (1.2 of 2 cores spare): a measure of MACHINE_TICKS (two reads), then a spread to loop 1
        b.machine = 0.4;
        List<int[]> decided = b.ticks(LoopBalancer.WINDOW + LoopBalancer.MACHINE_TICKS, 0.95, 0.0);
        assertEquals(1, decided.size());
        assertArrayEquals(new int[] {1, -1}, decided.get(0));
        assertEquals(2, b.machineReads);
        // then the cooldown: nothing read or decided, however the loads look
        assertEquals(List.of(), b.ticks(LoopBalancer.COOLDOWN_TICKS, 0.95, 0.0));
        assertEquals(2, b.machineReads);
        // the same loads on a machine with no core to spare: measured, no spread, then the cooldown again
        b.machine = 0.9;
        decided = b.ticks(LoopBalancer.MACHINE_TICKS + 1 + LoopBalancer.COOLDOWN_TICKS, 0.95, 0.0);
        assertEquals(1, decided.size());
        assertArrayEquals(new int[] {-1, -1}, decided.get(0));
        assertEquals(4, b.machineReads, "two reads per decision, a decision per cooldown at most");
    }

    /**
     * A machine whose load counts the loops' idle polling: the core they poll on is one they would
     * give up, so it counts as spare. 90% busy with half a core of it polling leaves 0.7 cores.
     */
    @Test
    void theLoopsIdlePolling_countsAsSpareInTheMachinesLoad() {
        DrivenBalancer full = new DrivenBalancer();
        full.machine = 0.9;
        List<int[]> decided = full.ticks(LoopBalancer.WINDOW + LoopBalancer.MACHINE_TICKS, 0.95, 0.0);
        assertEquals(1, decided.size());
        assertArrayEquals(new int[] {-1, -1}, decided.get(0), "0.2 cores spare: no spread");

        DrivenBalancer polling = new DrivenBalancer();
        polling.machine = 0.9;
        polling.polling = 0.5;
        decided = polling.ticks(LoopBalancer.WINDOW + LoopBalancer.MACHINE_TICKS, 0.95, 0.0);
        assertEquals(1, decided.size());
        assertArrayEquals(new int[] {1, -1}, decided.get(0), "0.2 cores idle and 0.5 polling: a spread");
    }

    /** A connection as the registry sees it, for counting which loops serve. */
    private static final class Member implements LoopConnections.Member {
        int index = -1;

        @Override
        public int memberIndex() {
            return index;
        }

        @Override
        public void memberIndex(int index) {
            this.index = index;
        }

        @Override
        public boolean movable() {
            return false;
        }

        @Override
        public void moveTo(io.netty.channel.EventLoop target) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void loopsMayPollIdle_whileFewerServeThanThereAreCores() {
        io.netty.util.concurrent.EventExecutor[] loops = {
            new io.netty.util.concurrent.DefaultEventExecutor(), new io.netty.util.concurrent.DefaultEventExecutor()};
        try {
            LoopBalancer twoCores = new LoopBalancer(false, 2);
            twoCores.newChooser(loops);
            assertTrue(twoCores.roomToPoll(), "nothing serves");
            Member a = new Member();
            Member b = new Member();
            twoCores.connectionsOf(loops[0]).join(a);
            twoCores.connectionsOf(loops[0]).join(new Member());
            assertTrue(twoCores.roomToPoll(), "one loop of two cores serves");
            twoCores.connectionsOf(loops[1]).join(b);
            assertFalse(twoCores.roomToPoll(), "both loops serve: polling would take every core");
            twoCores.connectionsOf(loops[1]).leave(b);
            assertTrue(twoCores.roomToPoll(), "loop 1 is empty again");

            LoopBalancer threeCores = new LoopBalancer(true, 3);
            threeCores.newChooser(loops);
            threeCores.connectionsOf(loops[0]).join(new Member());
            threeCores.connectionsOf(loops[1]).join(new Member());
            assertTrue(threeCores.roomToPoll(), "two loops serve, a third core is left");
        } finally {
            for (io.netty.util.concurrent.EventExecutor loop : loops) {
                loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aLoopServesBusily_fromHalfACoreOverTheWindow_untilTheBalancerStops() {
        DrivenBalancer b = new DrivenBalancer();
        assertFalse(b.balancer.anyLoopServing(), "nothing sampled yet");
        b.ticks(LoopBalancer.WINDOW, 0.3, 0.4);
        assertFalse(b.balancer.anyLoopServing());
        b.ticks(LoopBalancer.WINDOW, 0.1, LoopBalancer.SERVING + 0.05);
        assertTrue(b.balancer.anyLoopServing());
        b.balancer.stop();
        assertFalse(b.balancer.anyLoopServing(), "a stopped balancer's samples are gone");
    }

    @Test
    void anIdleServer_fillsItsFirstLoop_andASpreadMovesHalf() throws Exception {
        try (EmbeddedServer server = twoLoops()) {
            RedisClient client = RedisClient.create(RedisURI.create(server.host(), server.port()));
            List<StatefulRedisConnection<String, String>> conns = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    StatefulRedisConnection<String, String> c = client.connect();
                    c.sync().set("k" + i, "v" + i);
                    conns.add(c);
                }
                assertArrayEquals(new int[] {6, 0}, server.net().connectionsPerLoop());
                server.net().spreadNow(0, 1);
                await(() -> server.net().connectionsPerLoop()[1] == 3, "three of six moved");
                assertArrayEquals(new int[] {3, 3}, server.net().connectionsPerLoop());
                for (int i = 0; i < 6; i++) {
                    assertEquals("v" + i, conns.get(i).sync().get("k" + i), "connection " + i + " after the spread");
                }
                String info = conns.get(0).sync().info("server");
                assertTrue(info.contains("io_threads_serving:2\r\n"), info);
                assertTrue(info.contains("io_thread_clients:3,3\r\n"), info);
                assertTrue(info.contains("io_thread_client_moves:3\r\n"), info);
                conns.forEach(StatefulRedisConnection::close);
                await(() -> server.net().connectionsPerLoop()[0] + server.net().connectionsPerLoop()[1] == 0, "all left");
            } finally {
                client.shutdown();
            }
        }
    }

    /**
     * Eight connections pipelining INCRs on keys of their own while their loops hand them back and
     * forth: every reply arrives, in order (each one more than the last), and the counts agree.
     * Runs with assertions on, so a command counted in another thread's statistics fails it too.
     */
    @Test
    void connectionsMovedWhilePipelining_loseAndReorderNothing() throws Exception {
        try (EmbeddedServer server = twoLoops()) {
            RedisClient client = RedisClient.create(RedisURI.create(server.host(), server.port()));
            try {
                int clients = 8;
                int perClient = 4000;
                List<Thread> workers = new ArrayList<>();
                List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
                for (int c = 0; c < clients; c++) {
                    String key = "counter:" + c;
                    StatefulRedisConnection<String, String> conn = client.connect();
                    workers.add(new Thread(() -> {
                        try (conn) {
                            RedisAsyncCommands<String, String> async = conn.async();
                            long expected = 1;
                            for (int sent = 0; sent < perClient; sent += 16) {
                                List<RedisFuture<Long>> window = new ArrayList<>();
                                for (int i = 0; i < 16; i++) {
                                    window.add(async.incr(key));
                                }
                                for (RedisFuture<Long> f : window) {
                                    assertEquals(expected++, f.get(10, TimeUnit.SECONDS), key);
                                }
                            }
                        } catch (Throwable t) {
                            failures.add(t);
                        }
                    }));
                }
                workers.forEach(Thread::start);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                int round = 0;
                while (workers.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline) {
                    server.net().spreadNow(round % 2, (round + 1) % 2);
                    round++;
                    Thread.sleep(2);
                }
                for (Thread w : workers) {
                    w.join(TimeUnit.SECONDS.toMillis(30));
                }
                assertEquals(List.of(), failures);
                assertTrue(server.net().connectionMoves() >= 20, "moves: " + server.net().connectionMoves());
                try (StatefulRedisConnection<String, String> check = client.connect()) {
                    for (int c = 0; c < clients; c++) {
                        assertEquals(Integer.toString(perClient), check.sync().get("counter:" + c));
                    }
                    String stats = check.sync().info("commandstats");
                    assertTrue(stats.contains("cmdstat_incr:calls=" + clients * perClient + ","), stats);
                }
            } finally {
                client.shutdown();
            }
        }
    }

    /**
     * A subscriber, a client blocked in BLPOP and one with half a request read stay on their loop,
     * and work on afterwards; of the two plain connections beside them one moves.
     */
    @Test
    void connectionsWaitingOnTheirLoop_stay() throws Exception {
        try (EmbeddedServer server = twoLoops()) {
            RedisClient client = RedisClient.create(RedisURI.create(server.host(), server.port()));
            try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
                    StatefulRedisConnection<String, String> blocked = client.connect();
                    RawClient partial = new RawClient(server.host(), server.port());
                    StatefulRedisConnection<String, String> plainA = client.connect();
                    StatefulRedisConnection<String, String> plainB = client.connect()) {
                BlockingQueue<String> messages = new ArrayBlockingQueue<>(4);
                sub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        messages.add(message);
                    }
                });
                sub.sync().subscribe("news");
                RedisFuture<io.lettuce.core.KeyValue<String, String>> popped = blocked.async().blpop(30, "queue");
                await(() -> plainA.sync().clientList().contains("cmd=blpop"), "BLPOP blocked");
                partial.sendRaw("*2\r\n$3\r\nGET\r\n$4\r\nhal");
                assertEquals("PONG", plainB.sync().ping());
                assertArrayEquals(new int[] {5, 0}, server.net().connectionsPerLoop());

                server.net().spreadNow(0, 1);
                await(() -> server.net().connectionsPerLoop()[1] == 1, "one plain connection moved");
                Thread.sleep(50);
                assertArrayEquals(new int[] {4, 1}, server.net().connectionsPerLoop());

                assertEquals(1L, plainA.sync().publish("news", "after"));
                assertEquals("after", messages.poll(10, TimeUnit.SECONDS));
                plainB.sync().rpush("queue", "item");
                assertEquals("item", popped.get(10, TimeUnit.SECONDS).getValue());
                plainA.sync().set("half", "done");
                partial.sendRaw("f\r\n");
                assertEquals("$done", RawClient.render(partial.read()));
            } finally {
                client.shutdown();
            }
        }
    }

    private static EmbeddedServer twoLoops() {
        return EmbeddedServer.builder().option("conn_io_threads", "2").start();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(5);
        }
    }
}
