package io.damselfly.bench.micro;

import io.damselfly.server.DamselflyServer;
import io.damselfly.server.client.ClientConnection;
import io.damselfly.server.client.ClientSession;
import io.damselfly.server.command.CommandExecutor;
import io.damselfly.server.command.Reply;
import io.damselfly.server.config.ServerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What per-command statistics cost the executor: GET run through the real {@link CommandExecutor}
 * (lookup, arity and auth checks, shard lock, handler, reply written to a buffer, bookkeeping) with
 * the statistics off, with counters only, and with counters and the latency histogram; in
 * nanoseconds per GET.
 *
 * <ul>
 *   <li>{@code OFF}: {@code --command_statistics=false}: no clock reads, nothing recorded;
 *   <li>{@code COUNTERS}: {@code --latency_tracking=no}: two clock reads, calls and time counted in
 *       the event loop's own counters (INFO commandstats), the slow-log threshold compared;
 *   <li>{@code COUNTERS_AND_LATENCY}: the default: the same plus the duration counted in the
 *       command's histogram (INFO latencystats, LATENCY HISTOGRAM).
 * </ul>
 *
 * <p>Each invocation runs a pipelined batch of {@link #BATCH} GETs and ends the batch, as the
 * connection handler does after a read: with squashing the shard lock is taken about once per
 * batch, so a GET is as cheap as the server makes it, and the statistics' share of it as large as
 * it gets. The {@link #KEYS} keys (16-byte values) are set in {@code @Setup}; every GET hits, and
 * each GET gets its own argument arrays, as the decoder hands fresh ones to the executor. The
 * executor is built on the benchmark thread, which so owns its statistics as an event loop does.
 *
 * <pre>
 * java -jar bench/target/damselfly-bench.jar CommandStatsBenchmark
 * java -jar bench/target/damselfly-bench.jar CommandStatsBenchmark -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CommandStatsBenchmark {
    /** GETs per invocation: a pipeline of 16, redis-benchmark -P 16. */
    static final int BATCH = 16;
    /** Distinct keys, a power of two for masking; argument arrays precomputed per request. */
    static final int KEYS = 1 << 12;
    static final int MASK = KEYS - 1;
    /** Room for a batch of GET replies ($16 bulks) without the buffer ever growing. */
    static final int BUFFER_CAPACITY = 4096;

    /** The statistics in force. */
    public enum Recording {
        OFF("--command_statistics=false"),
        COUNTERS("--latency_tracking=no"),
        COUNTERS_AND_LATENCY("--latency_tracking=yes");

        final String flag;

        Recording(String flag) {
            this.flag = flag;
        }
    }

    @Param({"OFF", "COUNTERS", "COUNTERS_AND_LATENCY"})
    Recording recording;

    private DamselflyServer server;
    private CommandExecutor executor;
    private ByteBuf out;
    private byte[][][] requests;
    private int next;

    @Setup
    public void setUp() throws Exception {
        server = new DamselflyServer(ServerConfig.fromArgs("--port", "0", recording.flag));
        ClientSession client = new ClientSession(1, ClientConnection.NONE, true, System.currentTimeMillis());
        Reply reply = new Reply(client);
        out = Unpooled.directBuffer(BUFFER_CAPACITY);
        reply.bind(out);
        // no deferred replies: GET never waits
        executor = new CommandExecutor(server, client, reply, null);
        requests = new byte[KEYS][][];
        for (int i = 0; i < KEYS; i++) {
            byte[] key = String.format("key:%07d", i).getBytes(StandardCharsets.US_ASCII);
            executor.execute(new byte[][] {ascii("SET"), key.clone(), ascii(String.format("value-%010d", i))});
            requests[i] = new byte[][] {ascii("GET"), key};
        }
        executor.endBatch();
        out.clear();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int getBatch() {
        out.clear();
        for (int i = 0; i < BATCH; i++) {
            byte[][] r = requests[next++ & MASK];
            executor.execute(new byte[][] {r[0], r[1]});
        }
        executor.endBatch();
        return out.writerIndex();
    }

    @TearDown
    public void tearDown() {
        out.release();
        server.close();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
