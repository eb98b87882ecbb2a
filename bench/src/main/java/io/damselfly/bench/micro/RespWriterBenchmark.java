package io.damselfly.bench.micro;

import io.damselfly.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Encoding replies with {@link RespWriter} into a pooled direct buffer, as command handlers do, in
 * nanoseconds per reply.
 *
 * <p>Each operation resets the buffer ({@code writerIndex(0)}) and writes one reply:
 *
 * <ul>
 *   <li>{@code ok}: {@code +OK} copied from {@link RespReplies} (SET);
 *   <li>{@code integerCached}: {@code :42}, from the pre-encoded table (INCR, DEL, EXISTS);
 *   <li>{@code integerLarge}: a 13-digit integer written digit by digit (INCR of a large counter);
 *   <li>{@code bulk16}, {@code bulk1k}: a 16-byte and a 1 KiB bulk string (GET);
 *   <li>{@code array10Bulks}: an array of ten 16-byte bulks (MGET of ten keys);
 *   <li>{@code resp3Map}: a RESP3 map of five field/value bulk pairs (HGETALL under HELLO 3);
 *   <li>{@code doubleIntegral}: RESP3 double {@code ,3}, the integral fast path (ZSCORE of an
 *       integer score);
 *   <li>{@code doubleFraction}: RESP3 double {@code ,3.1415926535897931}, the {@code %.17g} path
 *       through BigDecimal.
 * </ul>
 *
 * <p>Values are read from non-final fields so that the JIT cannot fold them into constants.
 *
 * <pre>
 * java -jar bench/target/damselfly-bench.jar RespWriterBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RespWriterBenchmark {
    /** Room for the largest reply here (1 KiB bulk) without the buffer ever growing. */
    static final int BUFFER_CAPACITY = 4096;

    static final int RESP3 = 3;

    private ByteBuf out;

    long smallInteger = 42;
    long largeInteger = 1_234_567_890_123L;
    byte[] value16 = ascii("value-0123456789");
    byte[] value1k = new byte[1024];
    byte[][] fields = new byte[5][];
    double integralDouble = 3.0;
    double fractionDouble = Math.PI;

    @Setup(Level.Trial)
    public void setup() {
        out = PooledByteBufAllocator.DEFAULT.directBuffer(BUFFER_CAPACITY, BUFFER_CAPACITY);
        for (int i = 0; i < value1k.length; i++) {
            value1k[i] = (byte) ('a' + i % 26);
        }
        for (int i = 0; i < fields.length; i++) {
            fields[i] = ascii("field-" + i);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        out.release();
    }

    @Benchmark
    public ByteBuf ok() {
        out.writerIndex(0);
        RespWriter.writeSimpleString(out, "OK");
        return out;
    }

    @Benchmark
    public ByteBuf integerCached() {
        out.writerIndex(0);
        RespWriter.writeInteger(out, smallInteger);
        return out;
    }

    @Benchmark
    public ByteBuf integerLarge() {
        out.writerIndex(0);
        RespWriter.writeInteger(out, largeInteger);
        return out;
    }

    @Benchmark
    public ByteBuf bulk16() {
        out.writerIndex(0);
        RespWriter.writeBulk(out, value16);
        return out;
    }

    @Benchmark
    public ByteBuf bulk1k() {
        out.writerIndex(0);
        RespWriter.writeBulk(out, value1k);
        return out;
    }

    @Benchmark
    public ByteBuf array10Bulks() {
        out.writerIndex(0);
        RespWriter.writeArrayHeader(out, 10);
        for (int i = 0; i < 10; i++) {
            RespWriter.writeBulk(out, value16);
        }
        return out;
    }

    @Benchmark
    public ByteBuf resp3Map() {
        out.writerIndex(0);
        RespWriter.writeMapHeader(out, fields.length, RESP3);
        for (byte[] field : fields) {
            RespWriter.writeBulk(out, field);
            RespWriter.writeBulk(out, value16);
        }
        return out;
    }

    @Benchmark
    public ByteBuf doubleIntegral() {
        out.writerIndex(0);
        RespWriter.writeDouble(out, integralDouble, RESP3);
        return out;
    }

    @Benchmark
    public ByteBuf doubleFraction() {
        out.writerIndex(0);
        RespWriter.writeDouble(out, fractionDouble, RESP3);
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
