package io.damselfly.server.upstream;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tells a silent upstream that is busy from one that is gone, for the connections of one event
 * loop to one upstream node (every method runs on that loop).
 *
 * <p>Why. Redis runs one command at a time: while a long script, a DEBUG SLEEP or a big KEYS runs,
 * no connection to it hears anything, however healthy. A connection that has waited
 * {@code upstream_timeout_ms} for a reply therefore cannot tell from its own silence whether the
 * upstream is gone; dropping it then would fail every client whose request shares it, and a busy
 * upstream would flush the local copies too (the tracking connection's fetches time out as well).
 *
 * <p>How. A silent connection asks for a {@link #check}: a new TCP connection to the upstream that
 * sends {@code PING} and waits up to the timeout. Its outcome ({@link Verdict}):
 * <ul>
 * <li>{@code DEAD}: it cannot connect, or is closed or fails before a reply. The upstream is gone
 *     (process killed, host away, listener closed): the silent connection closes, as before.
 * <li>{@code BUSY}: connected (the upstream's kernel accepts for the process), no reply within the
 *     timeout: the upstream is alive and running something long. The silent connection waits
 *     another timeout and asks again.
 * <li>{@code RESPONSIVE}: any reply (PONG, -NOAUTH, -BUSY past Redis's busy-reply-threshold): the
 *     upstream serves new connections now. A connection still silent then is broken, unless the
 *     request it waits for may run long by itself on an upstream that serves others meanwhile
 *     (a script past the threshold, or any long command on a multi-threaded upstream): see
 *     {@link UpstreamConnection#mayRunLong}.
 * </ul>
 * The checks of one loop's connections share one probe, and a verdict is reused for a quarter of
 * the timeout, so a busy upstream sees about one probe connection per loop and timeout.
 * Not told apart: an upstream process that is stopped (SIGSTOP) or hung with its listening socket
 * open is taken for a busy one, so requests wait for it as a Redis client without a timeout does.
 */
final class Liveness {
    enum Verdict {
        DEAD,
        BUSY,
        RESPONSIVE
    }

    /** A probe's outcome; {@code why} says what failed for {@code DEAD}. */
    record Probe(Verdict verdict, String why) {
    }

    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);

    private final UpstreamUrl url;
    private final EventLoop loop;
    private final long timeoutMillis;
    private final SslContext ssl;
    private List<Consumer<Probe>> waiting;
    private Probe last;
    private long lastNanos;

    Liveness(UpstreamUrl url, EventLoop loop, long timeoutMillis, SslContext ssl) {
        this.url = url;
        this.loop = loop;
        this.timeoutMillis = timeoutMillis;
        this.ssl = ssl;
    }

    /** Tells {@code done} (on the loop, maybe at once) what a new connection to the upstream finds. */
    void check(Consumer<Probe> done) {
        if (last != null && System.nanoTime() - lastNanos < TimeUnit.MILLISECONDS.toNanos(timeoutMillis) / 4) {
            done.accept(last);
            return;
        }
        if (waiting != null) {
            waiting.add(done);
            return;
        }
        waiting = new ArrayList<>(2);
        waiting.add(done);
        new Attempt().start();
    }

    private void finish(Probe p) {
        last = p;
        lastNanos = System.nanoTime();
        List<Consumer<Probe>> told = waiting;
        waiting = null;
        if (told != null) {
            told.forEach(w -> w.accept(p));
        }
    }

    /** One probe connection: connect, PING, the first byte back or the timeout decides. */
    private final class Attempt extends ChannelInboundHandlerAdapter {
        private boolean decided;
        private Channel channel;

        void start() {
            ChannelFuture f = UpstreamConnection.connect(url, loop, timeoutMillis, ssl,
                    pipeline -> pipeline.addLast("probe", Attempt.this));
            channel = f.channel();
            f.addListener(connected -> {
                if (!connected.isSuccess()) {
                    decide(Verdict.DEAD, "a new connection failed: " + UpstreamConnection.connectFailure(connected.cause()));
                    return;
                }
                // the TLS handler holds the PING until its handshake is done
                channel.writeAndFlush(Unpooled.wrappedBuffer(PING));
                loop.schedule(() -> decide(Verdict.BUSY, null), timeoutMillis, TimeUnit.MILLISECONDS);
            });
        }

        private void decide(Verdict v, String why) {
            if (decided) {
                return;
            }
            decided = true;
            if (channel != null) {
                channel.close();
            }
            finish(new Probe(v, why));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            decide(Verdict.RESPONSIVE, null);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            decide(Verdict.DEAD, "a new connection was closed without a reply");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            decide(Verdict.DEAD, "a new connection failed: " + cause.getMessage());
        }
    }
}
