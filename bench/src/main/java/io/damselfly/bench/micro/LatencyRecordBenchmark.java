package io.damselfly.bench.micro;

import io.damselfly.server.metrics.CommandStatistics;
import io.damselfly.server.metrics.ThreadCommandStats;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.SingleWriterRecorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The record path alone, by latency-recording scheme: what an event loop spends after a command to
 * count it, in nanoseconds per command (no clock reads: durations are precomputed).
 *
 * <ul>
 *   <li>{@code COUNTERS_ONLY}: calls and time in the thread's own counters (latency-tracking no);
 *   <li>{@code OPAQUE_COUNTS}: the same plus the duration's bucket count, one plain load and one
 *       opaque store into the thread's own HdrHistogram-layout counts (what damselfly does);
 *   <li>{@code SINGLE_WRITER_RECORDER}: the counters plus HdrHistogram's {@code
 *       SingleWriterRecorder.recordValue} (a WriterReaderPhaser critical section, two atomic
 *       increments), the alternative that was measured and not taken.
 * </ul>
 *
 * <p>Durations are drawn log-uniformly between 100 ns and 100 us in {@code @Setup} into an array the
 * timed loop walks, so the buckets touched vary as a server's do.
 *
 * <pre>
 * java -jar bench/target/damselfly-bench.jar LatencyRecordBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LatencyRecordBenchmark {
    static final int DURATIONS = 1 << 12;
    static final int MASK = DURATIONS - 1;
    /** A command table's worth of ids; the benchmark records command {@link #COMMAND}. */
    static final int IDS = 256;
    static final int COMMAND = 17;
    /** The histogram Redis keeps per command: 1 ns to 1 s, two significant digits. */
    static final long HIGHEST = 1_000_000_000L;
    static final int DIGITS = 2;

    /** How the duration is recorded. */
    public enum Scheme {
        COUNTERS_ONLY, OPAQUE_COUNTS, SINGLE_WRITER_RECORDER
    }

    @Param({"COUNTERS_ONLY", "OPAQUE_COUNTS", "SINGLE_WRITER_RECORDER"})
    Scheme scheme;

    private ThreadCommandStats stats;
    private SingleWriterRecorder recorder;
    private final long[] durations = new long[DURATIONS];
    private int next;

    @Setup
    public void setUp() {
        CommandStatistics statistics = new CommandStatistics(IDS);
        statistics.setLatencyTracking(scheme == Scheme.OPAQUE_COUNTS);
        stats = statistics.forCurrentThread();
        recorder = new SingleWriterRecorder(1, HIGHEST, DIGITS);
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < DURATIONS; i++) {
            durations[i] = (long) Math.pow(10, random.nextDouble(2, 5));
        }
    }

    @Benchmark
    public void record() {
        long nanos = durations[next++ & MASK];
        stats.recordCall(COMMAND, nanos, false);
        if (scheme == Scheme.SINGLE_WRITER_RECORDER) {
            recorder.recordValue(nanos);
        }
    }
}
