package io.damselfly.server.net;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorChooserFactory;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which event loop serves which connection: as few loops as keep up, more only when a loop is
 * saturated and the machine has a core to spare.
 *
 * <p>Why. Redis serves every client from one thread. Netty's default chooser deals connections
 * round-robin, so fifty clients of a load generator on the same two-core machine kept two loops
 * and the generator runnable at once: three threads for two cores, each request a wake-up that
 * may wait for a core (measured, redis-benchmark -c 50 unpipelined, six alternating rounds: SET
 * p99 1.56 ms on two loops, 0.99 on one, redis-server 0.93; throughput of GET/INCR/LPUSH/ZADD
 * 0.92x redis-server's on two loops, 0.99x on one). With clients on other machines the second
 * loop is what lets the server use the second core, so the count of loops stays the configured
 * one and this class decides how many of them work.
 *
 * <p>Placement ({@link #next}). A new connection goes to the first loop not {@link #BUSY}, by
 * index, or to the least busy one when all are: an idle server fills loop 0.
 *
 * <p>Spreading ({@link #tick}, every {@link #TICK_MILLIS} on the acceptor's loop, which owns the
 * samples). A loop is as busy as the CPU time its thread used over the last {@link #WINDOW}
 * ticks (ThreadMXBean: user and system time, so a loop waiting in epoll_wait counts as idle, and
 * without the time it spent polling for work before it slept, {@link LoopIdlePoll}). A
 * loop at least {@link #BUSY} hands half of its connections that can move ({@link
 * LoopConnections#spread}) to a loop under {@link #COLD}, when the machine as a whole (cores
 * times one minus the operating system's CPU load over {@link #MACHINE_TICKS}) has at least
 * {@link #SPARE_CORES} idle: a busy loop on a machine whose other cores are busy too gains
 * nothing from a second loop but the contention. After each decision, spread or not, the
 * balancer waits {@link #COOLDOWN_TICKS} for the loads to show it. Pools opened while the server
 * was idle (all on loop 0) so reach every core in about log2(loops) seconds of load. Connections
 * are not gathered back when the load falls: a loop with nothing to read costs nothing but its
 * share of wake-ups.
 *
 * <p>The machine's load is read only while a spread could happen (a busy loop and a cold one):
 * the JDK reads it from /proc/stat or a container's cgroup files, 0.1-0.3 ms a call here, and
 * read on every tick it took 3% of a core, in slices that preempted the event loops (a tick
 * wakes with the scheduler's credit of a sleeper). The loops' own CPU times are a clock read
 * each.
 *
 * <p>Background-save steps ({@link #stepLoops}) go to loops that serve connections, so an idle
 * loop does not wake to compete for a core with the busy one.
 */
final class LoopBalancer implements EventExecutorChooserFactory {
    static final long TICK_MILLIS = 100;
    /** Ticks a loop's load is averaged over. */
    static final int WINDOW = 5;
    /** A loop this busy (share of one core) takes new connections only if every loop is, and may spread. */
    static final double BUSY = 0.85;
    /** A loop under this takes what a busy one spreads. */
    static final double COLD = 0.5;
    /** Idle cores the machine must have for a spread. */
    static final double SPARE_CORES = 0.5;
    /** A loop this busy is serving a load that background saves make room for ({@link #anyLoopServing}). */
    static final double SERVING = 0.5;
    /** Ticks to wait after a spread, or after the machine had no core to spare for one. */
    static final int COOLDOWN_TICKS = 10;
    /** Ticks the machine's load is measured over once a spread could happen. */
    static final int MACHINE_TICKS = 3;

    /** Off (--conn_io_balancing=false, or no per-thread CPU time here): connections are dealt in turn. */
    private volatile boolean enabled;
    private EventExecutor[] loops = new EventExecutor[0];
    private LoopConnections[] members = new LoopConnections[0];
    private final AtomicInteger roundRobin = new AtomicInteger();
    /** Each loop's load over the window: written by {@link #sample}, read by placement on any thread. */
    private volatile double[] loads = new double[0];

    /**
     * Where the samples come from: the loop threads' CPU times and the machine's load, each
     * without the time the loops spent polling idle ({@link LoopIdlePoll}): a loop that polls
     * through the gaps between requests is no busier for it, and the core it polls on is one it
     * would give up to anything else that wanted it.
     */
    interface Probe {
        /** CPU time the thread of loop {@code loop} has used, idle polling left out, or -1 when unknown. */
        long loopCpuNanos(int loop);

        /** The machine's load (0..1) since the last call, as the JDK's getCpuLoad reports it; negative when unknown. */
        double machineLoad();

        /** Time every loop together has spent polling idle, to take out of the machine's load. */
        default long idlePollNanos() {
            return 0;
        }
    }

    // ---- owned by the acceptor's loop (tick) ----
    private Probe probe;
    private long[] lastCpu;
    private long lastWall;
    /** Per loop, the last WINDOW ticks' busy shares. */
    private double[][] samples;
    private int sampleIndex;
    private int sampled;
    private int cooldown;
    /** Ticks since the machine's load began to be measured, or -1 while no spread could happen. */
    private int machineTicks = -1;
    /** When that measure began, and the loops' idle polling then. */
    private long machineSince;
    private long machinePolledSince;
    private ScheduledFuture<?> ticking;

    /** The machine's cores (availableProcessors), or a test's. */
    private final int cores;

    LoopBalancer(boolean enabled, int cores) {
        this.enabled = enabled;
        this.cores = cores;
    }

    @Override
    public EventExecutorChooser newChooser(EventExecutor[] executors) {
        loops = executors.clone();
        members = new LoopConnections[loops.length];
        for (int i = 0; i < loops.length; i++) {
            members[i] = new LoopConnections();
        }
        loads = new double[loops.length];
        return this::next;
    }

    /** Where a new connection goes (any thread; the acceptor's, for connections). */
    EventExecutor next() {
        EventExecutor[] all = loops;
        if (!enabled) {
            return all[Math.floorMod(roundRobin.getAndIncrement(), all.length)];
        }
        return all[place(loads)];
    }

    /** The first loop under {@link #BUSY}, else the least busy. */
    static int place(double[] loads) {
        int least = 0;
        for (int i = 0; i < loads.length; i++) {
            if (loads[i] < BUSY) {
                return i;
            }
            if (loads[i] < loads[least]) {
                least = i;
            }
        }
        return least;
    }

    /**
     * For each loop, the loop it spreads to now, or -1: busy loops, busiest first, each to a
     * distinct cold loop, least busy first, while the machine has {@code spareCores} to give.
     */
    static int[] spreadTargets(double[] loads, double spareCores) {
        int[] to = new int[loads.length];
        java.util.Arrays.fill(to, -1);
        boolean[] taken = new boolean[loads.length];
        double spare = spareCores;
        while (spare >= SPARE_CORES) {
            int hot = -1;
            for (int i = 0; i < loads.length; i++) {
                if (!taken[i] && loads[i] >= BUSY && (hot < 0 || loads[i] > loads[hot])) {
                    hot = i;
                }
            }
            int cold = -1;
            for (int i = 0; i < loads.length; i++) {
                if (!taken[i] && loads[i] < COLD && (cold < 0 || loads[i] < loads[cold])) {
                    cold = i;
                }
            }
            if (hot < 0 || cold < 0) {
                break;
            }
            to[hot] = cold;
            taken[hot] = true;
            taken[cold] = true;
            spare -= 1;
        }
        return to;
    }

    /** The registry of the connections {@code loop} serves. */
    LoopConnections connectionsOf(EventExecutor loop) {
        EventExecutor[] all = loops;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == loop) {
                return members[i];
            }
        }
        throw new IllegalArgumentException("not a worker loop: " + loop);
    }

    /**
     * Whether the loops that serve connections leave a core of the machine to other threads, so
     * that they may poll for work instead of sleeping ({@link LoopIdlePoll}): fewer loops serve
     * than there are cores. Any thread; a read of each loop's connection count.
     */
    boolean roomToPoll() {
        int serving = 0;
        for (LoopConnections m : members) {
            if (m.size() > 0) {
                serving++;
            }
        }
        return serving < cores;
    }

    /** How many connections each loop serves now. */
    int[] connectionCounts() {
        int[] counts = new int[members.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = members[i].size();
        }
        return counts;
    }

    /** Connections moved from one loop to another since the start. */
    long moves() {
        long moved = 0;
        for (LoopConnections m : members) {
            moved += m.movedOut();
        }
        return moved;
    }

    /**
     * Executors for a background save's walk steps, one per loop: each hands its step to its
     * loop if that loop serves connections, else to the first loop that does (else its own).
     */
    List<Executor> stepLoops() {
        List<Executor> steps = new ArrayList<>(loops.length);
        for (int i = 0; i < loops.length; i++) {
            int own = i;
            steps.add(task -> servingLoop(own).execute(task));
        }
        return steps;
    }

    private EventExecutor servingLoop(int preferred) {
        if (!enabled || members[preferred].size() > 0) {
            return loops[preferred];
        }
        for (int i = 0; i < members.length; i++) {
            if (members[i].size() > 0) {
                return loops[i];
            }
        }
        return loops[preferred];
    }

    /**
     * Starts sampling on {@code owner} (the acceptor's loop), once each loop's thread is known.
     * Without per-thread CPU time (not every JVM has it) or the machine's load, every loop would
     * look idle, all connections would stay on loop 0 and nothing would spread: the balancer turns
     * itself off instead, and connections are dealt in turn.
     */
    void start(EventLoop owner, long[] loopThreadIds, LoopIdlePoll idlePoll) {
        if (!enabled || loops.length < 2) {
            return;
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        java.lang.management.OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
        if (!threads.isThreadCpuTimeSupported() || !(bean instanceof com.sun.management.OperatingSystemMXBean os)) {
            enabled = false;
            return;
        }
        if (!threads.isThreadCpuTimeEnabled()) {
            threads.setThreadCpuTimeEnabled(true);
        }
        long[] threadIds = loopThreadIds.clone();
        Probe beans = new Probe() {
            @Override
            public long loopCpuNanos(int loop) {
                long cpu = threads.getThreadCpuTime(threadIds[loop]);
                return cpu < 0 ? cpu : cpu - idlePoll.polledNanos(loop);
            }

            @Override
            public double machineLoad() {
                return os.getCpuLoad();
            }

            @Override
            public long idlePollNanos() {
                return idlePoll.polledNanos();
            }
        };
        owner.execute(() -> {
            begin(beans, threadIds.length, System.nanoTime());
            ticking = owner.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    /** Takes the first samples of {@code loopCount} loops (the acceptor's loop; tests). */
    void begin(Probe probe, int loopCount, long wallNanos) {
        this.probe = probe;
        lastCpu = new long[loopCount];
        samples = new double[loopCount][WINDOW];
        for (int i = 0; i < loopCount; i++) {
            lastCpu[i] = probe.loopCpuNanos(i);
        }
        lastWall = wallNanos;
    }

    void stop() {
        ScheduledFuture<?> t = ticking;
        if (t != null) {
            t.cancel(false);
        }
        loads = new double[0];
    }

    /**
     * Whether some loop used at least {@link #SERVING} of a core over the last window; false
     * while the balancer does not sample (off, one loop, stopped).
     */
    boolean anyLoopServing() {
        for (double load : loads) {
            if (load >= SERVING) {
                return true;
            }
        }
        return false;
    }

    private void tick() {
        int[] to = sample(System.nanoTime());
        for (int i = 0; to != null && i < to.length; i++) {
            if (to[i] >= 0) {
                spread(i, to[i]);
            }
        }
    }

    /**
     * One tick's samples and decision at {@code wallNanos}: for each loop, the loop it spreads to
     * now (-1 for none), or null when nothing was decided this tick.
     */
    int[] sample(long wallNanos) {
        long elapsed = wallNanos - lastWall;
        if (elapsed <= 0) {
            return null;
        }
        lastWall = wallNanos;
        for (int i = 0; i < lastCpu.length; i++) {
            long cpu = probe.loopCpuNanos(i);
            // the poll time taken out is wall time, which a preempted poll overstates: never below 0
            samples[i][sampleIndex] = cpu < 0 ? 0 : Math.max(0, Math.min(1.0, (double) (cpu - lastCpu[i]) / elapsed));
            lastCpu[i] = cpu;
        }
        sampleIndex = (sampleIndex + 1) % WINDOW;
        sampled = Math.min(WINDOW, sampled + 1);
        double[] now = new double[lastCpu.length];
        for (int i = 0; i < now.length; i++) {
            now[i] = average(samples[i], sampled);
        }
        loads = now;
        if (cooldown > 0) {
            cooldown--;
            return null;
        }
        if (sampled < WINDOW || !spreadCouldHappen(now)) {
            machineTicks = -1;
            return null;
        }
        if (machineTicks < 0) {
            probe.machineLoad(); // the load is reported since the last call: this starts the measure
            machineTicks = 0;
            machineSince = wallNanos;
            machinePolledSince = probe.idlePollNanos();
            return null;
        }
        if (++machineTicks < MACHINE_TICKS) {
            return null;
        }
        double machine = probe.machineLoad();
        double polled = (double) (probe.idlePollNanos() - machinePolledSince) / (wallNanos - machineSince);
        machineTicks = -1;
        cooldown = COOLDOWN_TICKS;
        double spare = machine < 0 ? 0 : Math.min(cores, cores * (1 - machine) + polled);
        return spreadTargets(now, spare);
    }

    /** Whether some loop would spread to another if the machine had every core to spare. */
    private boolean spreadCouldHappen(double[] loads) {
        for (int target : spreadTargets(loads, cores)) {
            if (target >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Asks loop {@code from} to hand half of its movable connections to loop {@code to}. */
    void spread(int from, int to) {
        LoopConnections source = members[from];
        EventLoop target = (EventLoop) loops[to];
        loops[from].execute(() -> source.spread(target));
    }

    private static double average(double[] values, int count) {
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += values[i];
        }
        return count == 0 ? 0 : sum / count;
    }
}
