package io.damselfly.bench.micro;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Entry layouts for string keys side by side: GET and SET throughput, and bytes per key, for each
 * {@link #layout} (see {@link Layout}: the old chained table, the current segmented keyspace,
 * Chronicle Map off-heap), in operations per second.
 *
 * <ul>
 *   <li>{@code get}: GET of an existing key, the value copied into a reply buffer;
 *   <li>{@code set}: SET over an existing key, with a new value of the same size.
 * </ul>
 *
 * <p>Bytes per key: {@code @Setup} loads {@link #keys} keys {@code key:0} .. {@code key:(keys-1)}
 * (the memory workload's keys) with {@link #valueSize}-byte values and prints one line per trial
 * before the measurement, e.g. {@code layout=SEGMENTED keys=1000000 valueSize=100
 * heapBytesPerKey=... offHeapBytesPerKey=... totalBytesPerKey=... accountedBytesPerKey=...}: the
 * used heap after three {@code System.gc()} less the same before loading, Chronicle's {@code
 * offHeapMemoryUsed()}, and the layout's own memory account ({@code Keyspace.usedMemory()} for
 * SEGMENTED, the old {@code MemoryLayout} sums for CHAINED). {@link LayoutFootprint} prints the same
 * lines without JMH.
 *
 * <p>Design: one {@code @Param} enum selects the alternative behind one small interface ({@link
 * StringStore}), as Caffeine's benchmarks select a cache, so every layout runs the same loop. The
 * keys operations ask for are drawn in advance from {@link #distribution} into an array that the
 * timed loop walks, and are copies of the stored keys (as the decoder hands the executor fresh
 * arrays), so every lookup really compares the bytes. SET's value is a fresh copy per operation
 * too, standing for the decoder's array: CHAINED keeps it as the old server did, SEGMENTED copies
 * it into a new record, Chronicle copies it off-heap. Every layout hashes each key once per
 * operation, and the two heap layouts take and release an uncontended lock per operation as the
 * server's shards do (Chronicle locks its own segments). One thread: this compares layouts, not
 * contention ({@code KeyspaceGetSetBenchmark.mixed} covers that). The time {@code now} is fixed per
 * trial.
 *
 * <p>Chronicle Map (chronicle-map 2026.1, the newest release that resolves from Maven Central;
 * the issue had tried 3.25ea6) needs on JDK 17 the module flags in {@link #CHRONICLE_JVM_ARGS},
 * which the {@code @Fork} below appends to every fork, so the plain command runs; it compiles
 * generated code with the JDK's own compiler when a map is created, so it needs a full JDK
 * (module jdk.compiler), not a bare runtime. Its off-heap figure is {@code offHeapMemoryUsed()} of
 * a map sized for exactly {@link #keys} entries of the average sizes given. It also reports usage
 * to a third-party analytics host by default and writes a client-id file in the home directory: a
 * server must never call out, so {@code -Dchronicle.analytics.disable=true} is set in the forks
 * and again in this class's static initialiser, and bench/pom.xml leaves chronicle-analytics out
 * of the jar altogether (without it Chronicle's analytics facade is a no-op).
 *
 * <pre>
 * java -jar bench/target/damselfly-bench.jar EntryLayoutBenchmark
 * java -jar bench/target/damselfly-bench.jar EntryLayoutBenchmark.get -p layout=SEGMENTED,CHRONICLE -p distribution=UNIFORM
 * java -jar bench/target/damselfly-bench.jar EntryLayoutBenchmark -f 1 -wi 1 -i 1 -w 1s -r 1s -p keys=100000
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(jvmArgsAppend = {
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true"})
public class EntryLayoutBenchmark {
    /**
     * The flags Chronicle Map needs on JDK 17, the same as in {@code @Fork} above (which must be a
     * constant expression of its own), found by removing one at a time from the list Chronicle
     * documents for Java 17:
     *
     * <ul>
     *   <li>{@code java.lang} opened: it defines the classes it generates through {@code
     *       ClassLoader.defineClass} (without it, map creation fails);
     *   <li>{@code java.lang.reflect} opened: it reads private builder fields by reflection (map
     *       creation fails);
     *   <li>{@code com.sun.tools.javac.file} exported: it compiles generated code with the JDK's
     *       compiler at run time (map creation fails);
     *   <li>{@code jdk.internal.ref} and {@code sun.nio.ch} exported: its cleaner for direct
     *       buffers (without them it warns that it cannot free them, and runs).
     * </ul>
     *
     * <p>The rest of Chronicle's list ({@code --add-exports=jdk.unsupported/sun.misc}, {@code
     * --add-opens} of {@code jdk.compiler/com.sun.tools.javac}, {@code java.base/java.io} and
     * {@code java.base/java.util}) changed nothing for these calls on JDK 17.
     */
    static final String[] CHRONICLE_JVM_ARGS = {
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "-D" + StringStore.Chronicle.ANALYTICS_OFF + "=true",
    };

    static {
        System.setProperty(StringStore.Chronicle.ANALYTICS_OFF, "true");
    }

    /** Precomputed key choices, a power of two for masking; far more than the cache holds. */
    static final int SEQUENCE = 1 << 20;

    static final int MASK = SEQUENCE - 1;

    /** The layouts compared. */
    public enum Layout {
        /** The old design: chained buckets of entry objects, value in a wrapper ({@link ChainedStringTable}). */
        CHAINED {
            @Override
            StringStore open(long keys, double averageKeySize, int valueSize, long now) {
                return new StringStore.Chained(now);
            }
        },
        /** The current keyspace: segmented fingerprinted table of one-array records, one shard. */
        SEGMENTED {
            @Override
            StringStore open(long keys, double averageKeySize, int valueSize, long now) {
                return new StringStore.Segmented(now);
            }
        },
        /** Chronicle Map, off-heap, sized for the keys with their average sizes. */
        CHRONICLE {
            @Override
            StringStore open(long keys, double averageKeySize, int valueSize, long now) {
                return new StringStore.Chronicle(keys, averageKeySize, valueSize);
            }
        };

        /** An empty store for {@code keys} keys of about these sizes, at the fixed time {@code now}. */
        abstract StringStore open(long keys, double averageKeySize, int valueSize, long now);
    }

    @Param({"CHAINED", "SEGMENTED", "CHRONICLE"})
    Layout layout;

    @Param({"1000000"})
    int keys;

    @Param({"100"})
    int valueSize;

    @Param({"ZIPF", "UNIFORM"})
    KeyDistribution distribution;

    StringStore store;

    /** The keys operations ask for, in order: fresh copies of stored keys. */
    byte[][] sequence;

    /** Two values of {@link #valueSize} bytes that {@code set} alternates between, copied per call. */
    byte[][] values;

    /** Where {@code get} copies the value, as into a reply. */
    byte[] reply;

    int index;

    @Setup(Level.Trial)
    public void setup() {
        byte[][] stored = LayoutFootprint.keys(keys);
        int[] picks = distribution.sample(keys, SEQUENCE, 42);
        sequence = new byte[SEQUENCE][];
        for (int i = 0; i < SEQUENCE; i++) {
            sequence[i] = stored[picks[i]].clone();
        }
        values = new byte[][] {LayoutFootprint.value(-1, valueSize, 1), LayoutFootprint.value(-2, valueSize, 2)};
        reply = new byte[valueSize];
        LayoutFootprint.Loaded loaded = LayoutFootprint.load(layout, stored, valueSize, System.currentTimeMillis());
        store = loaded.store();
        System.out.println();
        System.out.println(loaded.summary());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (store.size() != keys) {
                throw new IllegalStateException("expected " + keys + " keys, found " + store.size());
            }
            String problem = store.checkInvariants();
            if (problem != null) {
                throw new IllegalStateException(problem);
            }
            for (int i = 0; i < 1000; i++) {
                if (store.get(sequence[i], reply) != valueSize) {
                    throw new IllegalStateException("GET of a loaded key did not answer its value");
                }
            }
        } finally {
            store.close();
        }
    }

    @Benchmark
    public int get() {
        return store.get(sequence[index++ & MASK], reply);
    }

    @Benchmark
    public int set() {
        int i = index++ & MASK;
        byte[] key = sequence[i];
        store.set(key, values[i & 1].clone());
        return key.length;
    }
}
