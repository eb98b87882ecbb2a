package io.damselfly.bench.micro;

import io.damselfly.server.keyspace.Database;
import io.damselfly.server.keyspace.Eviction;
import io.damselfly.server.keyspace.EvictionPolicy;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.Shard;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of writing one new key into a keyspace that is at its memory limit: one {@link
 * Eviction#makeRoom} step (which evicts about one key) followed by the SET of the new key, in
 * nanoseconds per SET, for each {@link #policy}.
 *
 * <p>The order is {@code CommandExecutor}'s: before a DENYOOM command, evict while over maxmemory
 * (with no shard lock held), then run the command under its shard's lock. So the keyspace is one key
 * over the limit between operations and each {@code makeRoom} evicts what the previous SET added;
 * {@code @TearDown} prints the evictions per operation (about 1) and fails if {@code makeRoom} ever
 * gave up. For the cost of the eviction alone, subtract about the cost of a SET:
 * {@code KeyspaceGetSetBenchmark.set} measures a close path (replacing an existing key rather than
 * inserting a new one).
 *
 * <p>Setup: {@link #keys} keys, each with a 16-byte value and an expiry (so that volatile-ttl has
 * candidates too), loaded into the server's default shard and database counts; maxmemory is set to
 * the accounted memory after loading. Time is simulated, not read from the clock: the preloaded
 * keys were last accessed one per millisecond before the start, and each operation advances {@code
 * now} by one millisecond, so LRU idle times and LFU decay spread as for a server taking 1000 new
 * keys a second. Expiries lie a year ahead with an hour of jitter, so none expires during a run and
 * volatile-ttl has an order to follow. New keys are {@code new:} and a counter in 10 decimal
 * digits, built in the timed loop (no random numbers; about as costly as the decoder's copy of a
 * key). Decimal on purpose: keys that hold a binary counter collide in {@link Keyspace#hash} (see
 * {@link #newKey}) and would measure long hash chains instead of eviction.
 *
 * <pre>
 * java -jar bench/target/damselfly-bench.jar EvictionBenchmark
 * java -jar bench/target/damselfly-bench.jar EvictionBenchmark -p policy=allkeys-lru -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EvictionBenchmark {
    /** The server's default shard count on a machine with up to 4 cores. */
    static final int SHARDS = 16;

    /** Redis's default database count: eviction samples every one of them. */
    static final int DATABASES = 16;

    static final long YEAR_MILLIS = 365L * 24 * 3600 * 1000;

    /** Spread of the expiries, so volatile-ttl has an order to follow. */
    static final long TTL_JITTER_MILLIS = 3600L * 1000;

    private static final byte[] NEW_KEY_PREFIX = "new:".getBytes(StandardCharsets.US_ASCII);

    /** Enough for 10^10 operations, far beyond any run. */
    private static final int NEW_KEY_DIGITS = 10;

    @Param({"allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-ttl", "allkeys-tinylfu"})
    String policy;

    /**
     * Keys at the limit. 750,000 over 16 shards is about 46,900 keys a shard, 72% of a 65,536-bucket
     * table: per-shard counts drift as keys are evicted from random shards, and this keeps them far
     * from the sizes where a table doubles (65,536) or halves (8,192), so no resize lands in the
     * measurement.
     */
    @Param({"750000"})
    int keys;

    private Keyspace keyspace;
    private Eviction eviction;
    private EvictionPolicy evictionPolicy;
    private Database db;
    private long maxmemory;
    private byte[] value;

    /** Simulated time: start of the run, and operations so far (one millisecond each). */
    private long start;

    private long ops;
    private long failures;

    @Setup(Level.Trial)
    public void setup() {
        evictionPolicy = EvictionPolicy.fromName(policy);
        keyspace = new Keyspace(SHARDS, DATABASES);
        keyspace.setEvictionPolicy(EvictionPolicy.fromName(policy)); // as the server does when maxmemory-policy is set
        eviction = new Eviction(keyspace);
        value = "value-0123456789".getBytes(StandardCharsets.US_ASCII);
        start = System.currentTimeMillis();
        db = keyspace.database(0, start);
        keyspace.lockAll();
        try {
            for (int i = 0; i < keys; i++) {
                long accessed = start - (keys - i); // one key a millisecond, the last one just now
                db.bind(0, accessed);
                byte[] key = String.format("key:%07d", i).getBytes(StandardCharsets.US_ASCII);
                db.strings().set(key, value, expiry(accessed, i));
            }
        } finally {
            keyspace.unlockAll();
        }
        // as the server does when maxmemory is set: allkeys-tinylfu sizes its sketches from it,
        // and their memory, counted from now on, makes the first steps evict a little more
        maxmemory = keyspace.usedMemory();
        keyspace.setMemoryLimit(maxmemory);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        String problem = keyspace.checkInvariants();
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
        if (failures > 0) {
            throw new IllegalStateException("makeRoom found nothing to evict " + failures + " times");
        }
        System.out.printf("%n%s: %d operations, %.3f evictions per operation, %d keys left%n",
                policy, ops, (double) keyspace.evictedKeys() / ops, keyspace.size(0));
    }

    @Benchmark
    public int evictAndSet() {
        long n = ops++;
        long now = start + n;
        if (!eviction.makeRoom(maxmemory, evictionPolicy, now)) {
            failures++;
        }
        byte[] key = newKey(n);
        db.bind(0, now);
        Shard s = keyspace.shard(db.shardIndex(key));
        s.lock();
        try {
            db.strings().set(key, value, expiry(now, n));
            return key.length;
        } finally {
            s.unlock();
        }
    }

    /** A year ahead, jittered by up to an hour (7919 is prime, so consecutive keys scatter). */
    private static long expiry(long now, long i) {
        return now + YEAR_MILLIS + (i * 7919) % TTL_JITTER_MILLIS;
    }

    /**
     * {@code new:} and {@code n} in 10 decimal digits: unique, and the same array footprint as the
     * preloaded keys (32 bytes). Not the counter's raw bytes: {@code Arrays.hashCode} multiplies by
     * 31 per byte, so byte values up to 255 overlap ({@code {1, 0}} and {@code {0, 31}} hash alike):
     * a million 8-byte big-endian counters share 21,615 hashes, chains of about 46 keys.
     */
    private static byte[] newKey(long n) {
        byte[] key = new byte[NEW_KEY_PREFIX.length + NEW_KEY_DIGITS];
        System.arraycopy(NEW_KEY_PREFIX, 0, key, 0, NEW_KEY_PREFIX.length);
        for (int i = key.length - 1; i >= NEW_KEY_PREFIX.length; i--) {
            key[i] = (byte) ('0' + n % 10);
            n /= 10;
        }
        return key;
    }
}
