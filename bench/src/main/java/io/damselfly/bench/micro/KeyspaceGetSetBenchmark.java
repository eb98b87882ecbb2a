package io.damselfly.bench.micro;

import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.EvictionPolicy;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.Shard;
import io.damselfly.server.keyspace.StringView;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The keyspace side of GET and SET, with the shard lock taken and released per command as {@code
 * CommandExecutor} does for a client that does not pipeline; in operations per second.
 *
 * <ul>
 *   <li>{@code get}: bind the database view (as the executor does per command), hash the key and
 *       lock its shard, GET through {@code strings().get} (lookup, hit counter, access clock),
 *       unlock;
 *   <li>{@code set}: the same with SET over an existing key (a new record in the old one's slot,
 *       memory account, write hook), unlock;
 *   <li>{@code mixed}: 90% get, 10% set, from two threads at once ({@code @GroupThreads(2)}), to
 *       show what the shard locks cost when two event loops share the keyspace. Run it again with
 *       {@code -tg 1} for the one-thread figure to compare against: twice that would mean no
 *       contention at all.
 * </ul>
 *
 * <p>{@link #keys} keys ({@code key:0000000}, 16-byte values) are loaded into {@link #shards}
 * shards in {@code @Setup}. The keys each operation asks for are drawn in advance from {@link
 * #distribution} into an array that the timed loop walks, and are copies of the stored keys (as
 * the decoder hands the executor fresh arrays), so every lookup really compares the bytes. The
 * time {@code now} is fixed per trial: reading the clock is the executor's cost, not the
 * keyspace's.
 *
 * <pre>
 * java -jar bench/target/damselfly-bench.jar KeyspaceGetSetBenchmark
 * java -jar bench/target/damselfly-bench.jar KeyspaceGetSetBenchmark.mixed -tg 1
 * java -jar bench/target/damselfly-bench.jar KeyspaceGetSetBenchmark -p shards=1,16 -p keys=100000
 * java -jar bench/target/damselfly-bench.jar KeyspaceGetSetBenchmark.get -p distribution=ZIPF
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class KeyspaceGetSetBenchmark {
    /** Precomputed key choices, a power of two for masking; far more than the cache holds. */
    static final int SEQUENCE = 1 << 20;

    static final int MASK = SEQUENCE - 1;

    /** Writes in {@code mixed}, out of 100 operations. */
    static final int WRITE_PERCENT = 10;

    /** Redis's default number of logical databases. */
    static final int DATABASES = 16;

    @Param({"1000000"})
    int keys;

    /**
     * The server's default for up to 4 I/O threads ({@code max(16, 4 * threads)}); try 1 to see a
     * single lock.
     */
    @Param({"16"})
    int shards;

    @Param({"ZIPF", "UNIFORM"})
    KeyDistribution distribution;

    /**
     * noeviction: the access clock alone; allkeys-tinylfu: every GET and SET also counts an access
     * in its shard's frequency sketch (sized for {@link #keys} keys, as a maxmemory of 128 bytes a
     * key sizes it), which is the per-access cost of cache mode's policy.
     */
    @Param({"noeviction", "allkeys-tinylfu"})
    String policy;

    Keyspace keyspace;
    long now;
    byte[] value;

    /** The keys operations ask for, in order: fresh copies of stored keys. */
    byte[][] sequence;

    /** {@code writes[i]}: whether operation {@code i} of {@code mixed} is a SET. */
    boolean[] writes;

    @Setup(Level.Trial)
    public void setup() {
        keyspace = new Keyspace(shards, DATABASES);
        keyspace.setEvictionPolicy(EvictionPolicy.fromName(policy));
        if (!policy.equals("noeviction")) {
            // never reached here (nothing evicts): it only sizes the sketches
            keyspace.setMemoryLimit(128L * keys);
        }
        now = System.currentTimeMillis();
        value = "value-0123456789".getBytes(StandardCharsets.US_ASCII);
        byte[][] stored = new byte[keys][];
        Database db = keyspace.database(0, now);
        keyspace.lockAll();
        try {
            for (int i = 0; i < keys; i++) {
                stored[i] = String.format("key:%07d", i).getBytes(StandardCharsets.US_ASCII);
                db.strings().set(stored[i], value.clone());
            }
        } finally {
            keyspace.unlockAll();
        }
        int[] picks = distribution.sample(keys, SEQUENCE, 42);
        sequence = new byte[SEQUENCE][];
        for (int i = 0; i < SEQUENCE; i++) {
            sequence[i] = stored[picks[i]].clone();
        }
        SplittableRandom random = new SplittableRandom(7);
        writes = new boolean[SEQUENCE];
        for (int i = 0; i < SEQUENCE; i++) {
            writes[i] = random.nextInt(100) < WRITE_PERCENT;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (keyspace.size(0) != keys) {
            throw new IllegalStateException("expected " + keys + " keys, found " + keyspace.size(0));
        }
        String problem = keyspace.checkInvariants();
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    /** One connection: its own {@link Database} view and its own place in the key sequence. */
    @State(Scope.Thread)
    public static class Connection {
        private static final AtomicInteger STARTS = new AtomicInteger();

        Database db;
        int index;

        @Setup(Level.Trial)
        public void setup(KeyspaceGetSetBenchmark bench) {
            db = bench.keyspace.database(0, bench.now);
            // threads start far apart in the sequence, so they do not ask for the same key in step
            index = STARTS.getAndIncrement() * (SEQUENCE / 7);
        }
    }

    @Benchmark
    public int get(Connection c) {
        return read(c, sequence[c.index++ & MASK]);
    }

    @Benchmark
    public int set(Connection c) {
        return write(c, sequence[c.index++ & MASK]);
    }

    @Benchmark
    @Group("mixed")
    @GroupThreads(2)
    public int mixed(Connection c) {
        int i = c.index++ & MASK;
        return writes[i] ? write(c, sequence[i]) : read(c, sequence[i]);
    }

    private int read(Connection c, byte[] key) {
        c.db.bind(0, now);
        Shard s = keyspace.shard(c.db.shardIndex(key));
        s.lock();
        try {
            StringView v = c.db.strings().get(key);
            return v == null ? -1 : v.length();
        } finally {
            s.unlock();
        }
    }

    private int write(Connection c, byte[] key) {
        c.db.bind(0, now);
        Shard s = keyspace.shard(c.db.shardIndex(key));
        s.lock();
        try {
            c.db.strings().set(key, value);
            return key.length;
        } finally {
            s.unlock();
        }
    }
}
