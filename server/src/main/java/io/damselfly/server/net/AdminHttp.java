package io.damselfly.server.net;

import io.damselfly.server.command.ServerContext;
import io.damselfly.server.metrics.Health;
import io.damselfly.server.metrics.PrometheusExposition;
import io.damselfly.server.metrics.StatsReport;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side of the server, shared by every HTTP connection of both ports: the endpoints'
 * renderers, the health state, and the one thread that renders what is too costly for an event
 * loop.
 *
 * <p>Threads. HTTP is decoded, routed, authenticated and answered on the connection's event loop,
 * like RESP. {@code /health} is answered there (a volatile read and the registered checks);
 * {@code /metrics} and {@code /stats} read every command's statistics and histograms (tens of
 * microseconds per command used) and are rendered on the {@code damselfly-admin} thread, whose
 * result the event loop writes. A queue of {@link #RENDER_QUEUE} renders bounds what scrapers can
 * pile up; past it a request is answered 503 at once. So an event loop is never held by a scrape,
 * and a scrape every second costs the loops a request decode and a response write.
 */
public final class AdminHttp implements AutoCloseable {
    /** Renders waiting at most; far more than scrapers and dashboards polling each second need. */
    static final int RENDER_QUEUE = 64;
    /** An idle HTTP connection is closed after this many seconds (a browser keeps its own alive). */
    static final int IDLE_SECONDS = 60;

    private final ServerContext server;
    private final Health health;
    private final PrometheusExposition metrics;
    private final StatsReport stats;
    private final ExecutorService renderer;
    private final String dashboard = loadDashboard();

    public AdminHttp(ServerContext server, Health health) {
        this.server = server;
        this.health = health;
        this.metrics = new PrometheusExposition(server);
        this.stats = new StatsReport(server);
        this.renderer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(RENDER_QUEUE), r -> {
            Thread t = new Thread(r, "damselfly-admin");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Puts the HTTP codec and the endpoints at the end of a connection's pipeline. */
    void install(ChannelPipeline p, boolean adminPort) {
        p.addLast("http-idle", new ReadTimeoutHandler(IDLE_SECONDS));
        p.addLast("http-codec", new HttpServerCodec(AdminHttpHandler.MAX_INITIAL_LINE, AdminHttpHandler.MAX_HEADER_BYTES,
                AdminHttpHandler.MAX_CHUNK_BYTES));
        p.addLast("http-aggregator", new HttpObjectAggregator(AdminHttpHandler.MAX_BODY_BYTES));
        p.addLast("http", new AdminHttpHandler(this, adminPort));
    }

    ServerContext server() {
        return server;
    }

    Health health() {
        return health;
    }

    PrometheusExposition metrics() {
        return metrics;
    }

    StatsReport stats() {
        return stats;
    }

    ExecutorService renderer() {
        return renderer;
    }

    /** The page at "/": one self-contained HTML file that charts /stats (dashboard.html). */
    String dashboard() {
        return dashboard;
    }

    private static String loadDashboard() {
        try (InputStream in = AdminHttp.class.getResourceAsStream("dashboard.html")) {
            if (in == null) {
                throw new IllegalStateException("dashboard.html missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        renderer.shutdownNow();
    }
}
