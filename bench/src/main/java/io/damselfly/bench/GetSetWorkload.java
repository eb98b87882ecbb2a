package io.damselfly.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code get-set}: redis-benchmark's SET and GET with 50 clients over 100,000 random keys, first
 * one request at a time per client, then pipelined 16 deep; ops/s, p50 and p99 as redis-benchmark
 * reports them.
 *
 * <p>{@code get-set-1io} runs the same with damselfly on one I/O thread ({@code --conn_io_threads
 * 1}), and {@code get-set-rr} with its loops (one per core) dealt connections in turn ({@code
 * --conn_io_balancing=false}), as Netty does by default. On a 2-core machine redis-benchmark takes
 * one core: the default (the balancer) keeps the 50 clients on one loop unless that loop is
 * saturated while a core is idle, so it should match get-set-1io here, where dealt in turn two
 * loops compete with the client for the cores, which single-threaded redis-server does not.
 *
 * <p>{@code get-set-nostats} runs it with damselfly's command statistics and latency recording
 * off ({@code --command_statistics=false}): its damselfly figures against get-set's, from the same
 * run, are what the statistics cost.
 *
 * <p>{@code get-set-scraped} runs it while a scraper asks each server for its metrics once a
 * second, as Prometheus does: damselfly's {@code GET /metrics} over HTTP on its main port,
 * redis-server's {@code INFO ALL} over RESP (what redis_exporter sends it per scrape). Its
 * damselfly figures against get-set's, from the same run, are what serving /metrics costs (the
 * issue's bound: under 2% of GET throughput); each run's scrape count is reported as a row.
 */
final class GetSetWorkload implements Workload {
    static final int CLIENTS = 50;
    static final int KEYSPACE = 100_000;
    static final int PIPELINE = 16;
    static final List<String> TESTS = List.of("SET", "GET");
    /** A bound on one redis-benchmark invocation; the largest (full, unpipelined) takes seconds. */
    static final long TIMEOUT_MILLIS = 180_000;

    /** Seconds between two scrapes: Prometheus's usual scrape interval is 15 s, a dashboard's 1 s. */
    static final long SCRAPE_PERIOD_MILLIS = 1000;

    private final String name;
    private final ServerSettings settings;
    private final boolean scraped;

    /** The default servers. */
    GetSetWorkload() {
        this("get-set", ServerSettings.DEFAULT);
    }

    private GetSetWorkload(String name, ServerSettings settings) {
        this(name, settings, false);
    }

    private GetSetWorkload(String name, ServerSettings settings, boolean scraped) {
        this.name = name;
        this.settings = settings;
        this.scraped = scraped;
    }

    /** The same workload while the servers' metrics are scraped every second. */
    static GetSetWorkload scraped() {
        return new GetSetWorkload("get-set-scraped", ServerSettings.DEFAULT, true);
    }

    /** The same workload with damselfly on one event loop. */
    static GetSetWorkload oneIoThread() {
        return new GetSetWorkload("get-set-1io", ServerSettings.damselflyWith("--conn_io_threads", "1"));
    }

    /** The same workload with damselfly's loops dealt connections in turn instead of balanced. */
    static GetSetWorkload roundRobin() {
        return new GetSetWorkload("get-set-rr", ServerSettings.damselflyWith("--conn_io_balancing=false"));
    }

    /** The same workload with damselfly's command statistics off, to show what they cost. */
    static GetSetWorkload withoutStatistics() {
        return new GetSetWorkload("get-set-nostats", ServerSettings.damselflyWith("--command_statistics=false"));
    }

    /** A pair per round: five placements of each server on the cores, not one (see Workload). */
    @Override
    public boolean freshServersEachRound() {
        return true;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ServerSettings settings(Mode mode) {
        return settings;
    }

    /** redis-benchmark's -n for one invocation at this pipeline depth (the aof workload uses the same). */
    static long requests(Mode mode, int pipeline) {
        return pipeline == 1 ? mode.pick(50_000, 200_000) : mode.pick(200_000, 1_000_000);
    }

    private static List<String> args(Mode mode, int pipeline) {
        return List.of("-t", "set,get", "-c", Integer.toString(CLIENTS), "-r", Integer.toString(KEYSPACE),
                "-n", Long.toString(requests(mode, pipeline)), "-P", Integer.toString(pipeline));
    }

    @Override
    public String describe(Mode mode) {
        return "`redis-benchmark --csv " + String.join(" ", args(mode, 1)) + "`, then `... "
                + String.join(" ", args(mode, PIPELINE)) + "` (3-byte values)"
                + (scraped ? "; meanwhile damselfly's `GET /metrics` (HTTP, main port) and redis-server's `INFO ALL` once a second" : "");
    }

    @Override
    public List<Reading> run(ServerProcess server, Mode mode, Binaries bin) throws Exception {
        return Workload.everyPart(this, server, mode, bin);
    }

    /** The pipeline depths measured, one part each: one request at a time, then 16 deep. */
    private static final int[] PIPELINES = {1, PIPELINE};

    @Override
    public int parts(Mode mode) {
        return PIPELINES.length;
    }

    @Override
    public List<Reading> runPart(int part, ServerProcess server, Mode mode, Binaries bin) throws Exception {
        int pipeline = PIPELINES[part];
        if (!scraped) {
            return measure(server, mode, bin, pipeline);
        }
        try (Scraper scraper = new Scraper(server)) {
            List<Reading> readings = measure(server, mode, bin, pipeline);
            scraper.close();
            String figure = "scrapes" + suffix(pipeline);
            if (scraper.failure != null) {
                readings.add(Reading.missing(figure, Better.HIGHER, scraper.failure));
            } else {
                readings.add(Reading.of(figure, Better.HIGHER, scraper.scrapes));
            }
            return readings;
        }
    }

    private static String suffix(int pipeline) {
        return pipeline == 1 ? "" : " -P " + pipeline;
    }

    private List<Reading> measure(ServerProcess server, Mode mode, Binaries bin, int pipeline) throws Exception {
        List<Reading> readings = new ArrayList<>();
        RedisBenchmark.Result result = RedisBenchmark.run(bin, server.port(), args(mode, pipeline), TIMEOUT_MILLIS);
        for (String test : TESTS) {
            RedisBenchmark.Row row = result.row(test);
            String name = test + suffix(pipeline);
            if (row == null) {
                String why = result.whyMissing();
                readings.add(Reading.missing(name + " ops/s", Better.HIGHER, why));
                readings.add(Reading.missing(name + " p50 ms", Better.LOWER, why));
                readings.add(Reading.missing(name + " p99 ms", Better.LOWER, why));
            } else {
                readings.add(Reading.of(name + " ops/s", Better.HIGHER, row.rps()));
                readings.add(Reading.of(name + " p50 ms", Better.LOWER, row.p50Ms()));
                readings.add(Reading.of(name + " p99 ms", Better.LOWER, row.p99Ms()));
            }
        }
        return readings;
    }

    /**
     * Asks the server for its metrics every {@link #SCRAPE_PERIOD_MILLIS} on a thread of its own
     * until closed: damselfly over HTTP, redis-server with INFO ALL.
     */
    private static final class Scraper implements AutoCloseable {
        private final ServerProcess server;
        private final Thread thread;
        private volatile boolean stop;
        volatile long scrapes;
        volatile String failure;

        Scraper(ServerProcess server) {
            this.server = server;
            this.thread = new Thread(this::loop, "metrics-scraper");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                    .timeout(java.time.Duration.ofSeconds(10)).build();
            try (ServerConnection resp = server.kind() == ServerKind.REDIS ? server.connect() : null) {
                while (!stop) {
                    if (resp != null) {
                        resp.callOk("INFO", "ALL");
                    } else {
                        java.net.http.HttpResponse<String> r = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200 || !r.body().contains("redis_up 1")) {
                            throw new IOException("GET /metrics answered " + r.statusCode());
                        }
                    }
                    scrapes++;
                    Thread.sleep(SCRAPE_PERIOD_MILLIS);
                }
            } catch (InterruptedException e) {
                // closed while waiting
            } catch (Exception e) {
                if (!stop) {
                    failure = "scrape failed: " + e.getMessage();
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.interrupt();
            thread.join(15_000);
        }
    }
}
