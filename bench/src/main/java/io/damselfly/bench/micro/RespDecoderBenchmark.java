package io.damselfly.bench.micro;

import io.damselfly.protocol.RespLimits;
import io.damselfly.protocol.RespProtocolError;
import io.damselfly.protocol.RespRequestDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Decoding client requests with {@link RespRequestDecoder}, in nanoseconds per command.
 *
 * <p>Each operation hands the decoder one or more network reads exactly as the server's event loop
 * does: {@code fireChannelRead} of a pooled direct buffer on a channel whose pipeline is the
 * decoder followed by a sink (standing in for the command handler), then {@code
 * fireChannelReadComplete}. What is measured is therefore the decoder plus {@code
 * ByteToMessageDecoder}'s cumulation and dispatch, which the server pays too; the channel is an
 * {@link EmbeddedChannel}, whose event loop runs everything on the calling thread.
 *
 * <ul>
 *   <li>{@code pipelinedSet}: 100 {@code SET key:NNNN <16 bytes>} in one read (redis-benchmark -P
 *       100), per command;
 *   <li>{@code pipelinedInlineSet}: the same 100 commands as inline lines, per command;
 *   <li>{@code get}: one {@code GET key:NNNN} per read (a client that does not pipeline);
 *   <li>{@code inlinePing}: one inline {@code PING} per read (health checks, telnet);
 *   <li>{@code set64k}: {@code SET} of a 64 KiB value in one read: the largest bulk that waits
 *       whole in the cumulation and is copied out once;
 *   <li>{@code set1mStreamed}: {@code SET} of a 1 MiB value arriving in reads of 64 KiB
 *       (Netty's largest default read; 17 reads with the header and trailer): the streaming path,
 *       copied out of each read as it comes.
 * </ul>
 *
 * <p>Each read is a {@code retainedDuplicate()} of a buffer built in {@code @Setup}, which the
 * decoder releases once it has consumed it, so nothing leaks across iterations; {@code @TearDown}
 * checks that every command came out and no protocol error did.
 *
 * <pre>
 * java -jar bench/target/damselfly-bench.jar RespDecoderBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RespDecoderBenchmark {
    /** Commands in one pipelined read: redis-benchmark's -P 100, a common pipeline depth. */
    static final int PIPELINE = 100;

    /** The largest bulk that waits whole in the cumulation (the decoder's STREAMING_THRESHOLD). */
    static final int LARGE_VALUE = 64 * 1024;

    /** A value large enough to take the streaming path. */
    static final int STREAMED_VALUE = 1024 * 1024;

    /** Netty's largest default read (AdaptiveRecvByteBufAllocator's maximum). */
    static final int READ_SIZE = 64 * 1024;

    private static final byte[] VALUE_16 = ascii("value-0123456789"); // 16 bytes

    private EmbeddedChannel channel;
    private ChannelPipeline pipeline;
    private Sink sink;

    private ByteBuf pipelinedSet;
    private ByteBuf pipelinedInlineSet;
    private ByteBuf get;
    private ByteBuf inlinePing;
    private ByteBuf set64k;
    private ByteBuf[] set1mReads;

    /** Commands the benchmark methods have fed, to check against what came out. */
    private long fed;

    @Setup(Level.Trial)
    public void setup() {
        sink = new Sink();
        channel = new EmbeddedChannel(new RespRequestDecoder(RespLimits.defaults()), sink);
        pipeline = channel.pipeline();

        ByteArrayOutputStream multibulk = new ByteArrayOutputStream();
        ByteArrayOutputStream inline = new ByteArrayOutputStream();
        for (int i = 0; i < PIPELINE; i++) {
            byte[] key = ascii(String.format("key:%04d", i));
            multibulk.writeBytes(command(ascii("SET"), key, VALUE_16));
            inline.writeBytes(ascii("SET " + new String(key, StandardCharsets.US_ASCII) + " "));
            inline.writeBytes(VALUE_16);
            inline.writeBytes(ascii("\r\n"));
        }
        pipelinedSet = direct(multibulk.toByteArray());
        pipelinedInlineSet = direct(inline.toByteArray());
        get = direct(command(ascii("GET"), ascii("key:0042")));
        inlinePing = direct(ascii("PING\r\n"));
        set64k = direct(command(ascii("SET"), ascii("key:0042"), filled(LARGE_VALUE)));

        byte[] big = command(ascii("SET"), ascii("key:0042"), filled(STREAMED_VALUE));
        int reads = (big.length + READ_SIZE - 1) / READ_SIZE;
        set1mReads = new ByteBuf[reads];
        for (int r = 0; r < reads; r++) {
            set1mReads[r] = direct(Arrays.copyOfRange(big, r * READ_SIZE, Math.min(big.length, (r + 1) * READ_SIZE)));
        }

        // a first pass so that a wrong frame fails here, not as a silently fast benchmark
        pipelinedSet();
        pipelinedInlineSet();
        get();
        inlinePing();
        set64k();
        set1mStreamed();
        check();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        check();
        channel.finishAndReleaseAll();
        for (ByteBuf b : new ByteBuf[] {pipelinedSet, pipelinedInlineSet, get, inlinePing, set64k}) {
            b.release();
        }
        for (ByteBuf b : set1mReads) {
            b.release();
        }
    }

    private void check() {
        if (sink.errors > 0) {
            throw new IllegalStateException(sink.errors + " protocol errors, last: " + sink.lastError);
        }
        if (sink.commands != fed) {
            throw new IllegalStateException("fed " + fed + " commands but " + sink.commands + " came out");
        }
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public Object pipelinedSet() {
        fed += PIPELINE;
        return read(pipelinedSet);
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public Object pipelinedInlineSet() {
        fed += PIPELINE;
        return read(pipelinedInlineSet);
    }

    @Benchmark
    public Object get() {
        fed++;
        return read(get);
    }

    @Benchmark
    public Object inlinePing() {
        fed++;
        return read(inlinePing);
    }

    @Benchmark
    public Object set64k() {
        fed++;
        return read(set64k);
    }

    @Benchmark
    public Object set1mStreamed() {
        fed++;
        for (ByteBuf r : set1mReads) {
            pipeline.fireChannelRead(r.retainedDuplicate());
            pipeline.fireChannelReadComplete();
        }
        return sink.last;
    }

    /** One network read: the decoder releases the duplicate once it has consumed it. */
    private Object read(ByteBuf template) {
        pipeline.fireChannelRead(template.retainedDuplicate());
        pipeline.fireChannelReadComplete();
        return sink.last;
    }

    /** Stands in for the command handler: keeps the last request so none is dead code. */
    static final class Sink extends ChannelInboundHandlerAdapter {
        Object last;
        long commands;
        long errors;
        RespProtocolError lastError;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            last = msg;
            if (msg instanceof byte[][]) {
                commands++;
            } else if (msg instanceof RespProtocolError e) {
                errors++;
                lastError = e;
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // the server flushes replies here; nothing to do in the benchmark
        }
    }

    /** {@code *n\r\n} then each argument as {@code $len\r\n<bytes>\r\n}. */
    static byte[] command(byte[]... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii("*" + args.length + "\r\n"));
        for (byte[] a : args) {
            out.writeBytes(ascii("$" + a.length + "\r\n"));
            out.writeBytes(a);
            out.writeBytes(ascii("\r\n"));
        }
        return out.toByteArray();
    }

    /**
     * A pooled direct buffer holding exactly {@code bytes}, capacity included: with no spare room,
     * the cumulator can never write into the memory its duplicates share.
     */
    private static ByteBuf direct(byte[] bytes) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length, bytes.length);
        b.writeBytes(bytes);
        return b;
    }

    private static byte[] filled(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
