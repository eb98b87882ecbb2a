package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.config.Option;
import io.damselfly.server.config.ServerConfig;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.TempDirs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP endpoints with a real HTTP client (java.net.http) against an embedded server on free
 * ports: /metrics checked with the Prometheus project's own text parser (python3-prometheus-client,
 * run as a subprocess), /health in both states, /stats, basic auth, HTTP on the main port and the
 * option that turns it off, RESP on the admin port, and garbage of every kind.
 */
class AdminHttpTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    private EmbeddedServer server;

    private EmbeddedServer start(String... options) {
        EmbeddedServer.Builder b = EmbeddedServer.builder().option("admin_port", "0");
        for (int i = 0; i < options.length; i += 2) {
            b.option(options[i], options[i + 1]);
        }
        server = b.start();
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> get(int port, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(TIMEOUT);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    // ---- /metrics --------------------------------------------------------------------------

    @Test
    void metrics_afterKnownTraffic_parsedByPrometheusParser() throws Exception {
        start("maxmemory", "64mb");
        try (RawClient c = new RawClient(server.host(), server.port())) {
            for (int i = 0; i < 10; i++) {
                assertEquals("+OK", c.callText("SET", "k" + i, "v" + i));
            }
            for (int i = 0; i < 3; i++) {
                assertEquals("$v" + i, c.callText("GET", "k" + i));
            }
            assertEquals("(nil)", c.callText("GET", "missing1"));
            assertEquals("(nil)", c.callText("GET", "missing2"));
            assertEquals("+OK", c.callText("SET", "ttl", "x", "EX", "1000"));
            c.callText("NOSUCHCOMMAND");
            HttpResponse<String> res = get(server.adminPort(), "/metrics");
            assertEquals(200, res.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", res.headers().firstValue("content-type").orElse(""));
            Parsed m = Parsed.of(res.body());

            assertEquals("gauge", m.types.get("redis_up"));
            assertEquals(1, m.value("redis_up"));
            assertEquals("counter", m.types.get("redis_keyspace_hits"));
            assertEquals(3, m.value("redis_keyspace_hits_total"));
            assertEquals(2, m.value("redis_keyspace_misses_total"));
            assertEquals(11, m.value("redis_commands_total{cmd=set}"));
            assertEquals(5, m.value("redis_commands_total{cmd=get}"));
            assertTrue(m.value("redis_commands_duration_seconds_total{cmd=get}") > 0);
            assertEquals(0, m.value("redis_commands_failed_calls_total{cmd=get}"));
            assertEquals(11, m.value("redis_db_keys{db=db0}"));
            assertEquals(1, m.value("redis_db_keys_expiring{db=db0}"));
            assertEquals(1, m.value("redis_connected_clients"));
            assertEquals(0, m.value("redis_blocked_clients"));
            assertEquals(64L * 1024 * 1024, m.value("redis_memory_max_bytes"));
            assertEquals(64L * 1024 * 1024, m.value("redis_config_maxmemory"));
            assertTrue(m.value("redis_memory_used_bytes") > 0);
            assertEquals(0, m.value("redis_evicted_keys_total"));
            assertEquals(0, m.value("redis_expired_keys_total"));
            assertTrue(m.value("redis_net_input_bytes_total") > 0);
            assertTrue(m.value("redis_net_output_bytes_total") > 0);
            assertEquals(16, m.value("redis_commands_processed_total"));
            assertTrue(m.value("redis_connections_received_total") >= 1);
            assertTrue(m.value("redis_uptime_in_seconds") >= 0);
            assertEquals(1, m.value("redis_errors_total{err=ERR}"));
            assertEquals("gauge", m.types.get("redis_instance_info"));
            String info = m.key("redis_instance_info");
            assertTrue(info.contains("redis_version=7.0.15") && info.contains("role=master")
                    && info.contains("tcp_port=" + server.port()), info);

            // redis_exporter's summary from INFO latencystats: quantiles 50, 99, 99.9 in microseconds
            assertEquals("summary", m.types.get("redis_latency_percentiles_usec"));
            assertEquals(5, m.value("redis_latency_percentiles_usec_count{cmd=get}"));
            assertTrue(m.value("redis_latency_percentiles_usec{cmd=get,quantile=99.9}") > 0);
            // ... with INFO latencystats' very figures
            String latency = c.callText("INFO", "latencystats");
            String line = latency.substring(latency.indexOf("latency_percentiles_usec_get:"));
            line = line.substring(line.indexOf(':') + 1, line.indexOf('\r'));
            for (String pv : line.split(",")) {
                String[] kv = pv.substring(1).split("=");
                assertEquals(Double.parseDouble(kv[1]), m.value("redis_latency_percentiles_usec{cmd=get,quantile=" + kv[0] + "}"), pv);
            }
            assertEquals(3, line.split(",").length);
            // damselfly's own summary from the HdrHistogram, in seconds
            assertEquals("summary", m.types.get("damselfly_command_latency_seconds"));
            assertEquals(5, m.value("damselfly_command_latency_seconds_count{cmd=get}"));
            double p50 = m.value("damselfly_command_latency_seconds{cmd=get,quantile=0.5}");
            double p999 = m.value("damselfly_command_latency_seconds{cmd=get,quantile=0.999}");
            assertTrue(p50 > 0 && p50 <= m.value("damselfly_command_latency_seconds{cmd=get,quantile=0.9}")
                    && m.value("damselfly_command_latency_seconds{cmd=get,quantile=0.99}") <= p999 && p999 < 1, p50 + " " + p999);
        }
    }

    @Test
    void metrics_helpAndTypeOncePerFamily_countersEndInTotal() throws Exception {
        start();
        try (RawClient c = new RawClient(server.host(), server.port())) {
            assertEquals("+PONG", c.callText("PING"));
            assertEquals("+OK", c.callText("CONFIG", "SET", "maxclients", "100"));
        }
        String body = get(server.adminPort(), "/metrics").body();
        Map<String, Integer> types = new HashMap<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                types.merge(p[2], 1, Integer::sum);
                if (p[3].equals("counter")) {
                    assertTrue(p[2].endsWith("_total"), line);
                }
            }
        }
        types.forEach((name, n) -> assertEquals(1, n, name));
        assertTrue(body.contains("# HELP redis_memory_used_bytes memory_used_bytes metric\n"), body);
        assertTrue(body.contains("# HELP redis_commands_total Total number of calls per command\n"), body);
        Parsed.of(body);
    }

    // ---- /health ---------------------------------------------------------------------------

    @Test
    void health_okWhileServing_503WithReasonOtherwise() throws Exception {
        start();
        HttpResponse<String> ok = get(server.adminPort(), "/health");
        assertEquals(200, ok.statusCode());
        assertEquals("OK\n", ok.body());
        assertEquals(200, get(server.adminPort(), "/healthz").statusCode());

        // the near-cache sidecar's kind of check
        Supplier<String> upstream = () -> "upstream unreachable";
        server.health().addCheck(upstream);
        HttpResponse<String> down = get(server.adminPort(), "/health");
        assertEquals(503, down.statusCode());
        assertEquals("upstream unreachable\n", down.body());
        server.health().unavailable("loading");
        assertEquals("loading; upstream unreachable\n", get(server.port(), "/health").body());
        server.health().removeCheck(upstream);
        server.health().serving();
        assertEquals(200, get(server.port(), "/health").statusCode());
    }

    @Test
    void health_shuttingDown_503() throws Exception {
        start();
        try (Socket s = new Socket("127.0.0.1", server.adminPort())) {
            // a connection open before close() is answered after it began (503), or is closed
            server.health().unavailable("shutting down");
            String reply = exchange(s, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(reply.startsWith("HTTP/1.1 503 Service Unavailable\r\n") && reply.endsWith("shutting down\n"), reply);
        }
    }

    // ---- /stats ----------------------------------------------------------------------------

    @Test
    void stats_jsonWithTheDashboardFigures() throws Exception {
        start("maxmemory", "32mb");
        try (RawClient c = new RawClient(server.host(), server.port())) {
            get(server.adminPort(), "/stats"); // opens the first window
            c.callText("SET", "a", "1");
            c.callText("GET", "a");
            c.callText("GET", "a");
            c.callText("GET", "a");
            c.callText("GET", "b");
            Thread.sleep(1100);
            HttpResponse<String> res = get(server.adminPort(), "/stats");
            assertEquals(200, res.statusCode());
            assertEquals("application/json", res.headers().firstValue("content-type").orElse(""));
            Map<String, String> j = json(res.body());
            assertEquals("0.75", j.get("hit_ratio"));
            assertEquals(String.valueOf(32L * 1024 * 1024), j.get("maxmemory"));
            assertEquals("1", j.get("connected_clients"));
            assertEquals("3", j.get("keyspace_hits"));
            assertEquals("1", j.get("keyspace_misses"));
            assertEquals("0", j.get("evicted_keys"));
            assertTrue(Long.parseLong(j.get("used_memory")) > 0);
            assertTrue(Double.parseDouble(j.get("latency_p50_usec")) > 0);
            assertTrue(Double.parseDouble(j.get("latency_p99_usec")) >= Double.parseDouble(j.get("latency_p50_usec")));
            assertTrue(Long.parseLong(j.get("window_ms")) >= 1000);
            for (String field : List.of("time_ms", "uptime_seconds", "ops_per_sec", "total_commands_processed", "blocked_clients",
                    "expired_keys")) {
                assertNotNull(j.get(field), field);
            }
        }
    }

    // ---- authentication --------------------------------------------------------------------

    @Test
    void auth_requirepass_basicAuth() throws Exception {
        start("requirepass", "s3cret");
        int admin = server.adminPort();
        HttpResponse<String> none = get(admin, "/stats");
        assertEquals(401, none.statusCode());
        assertTrue(none.headers().firstValue("www-authenticate").orElse("").startsWith("Basic realm="));
        assertEquals(401, get(admin, "/stats", "Authorization", basic("default", "wrong")).statusCode());
        assertEquals(401, get(admin, "/stats", "Authorization", basic("bob", "s3cret")).statusCode());
        assertEquals(401, get(admin, "/stats", "Authorization", "Basic !!!notbase64").statusCode());
        assertEquals(401, get(admin, "/stats", "Authorization", "Bearer s3cret").statusCode());
        assertEquals(401, get(admin, "/nowhere").statusCode());
        assertEquals(401, get(admin, "/").statusCode());
        assertEquals(200, get(admin, "/stats", "Authorization", basic("default", "s3cret")).statusCode());
        assertEquals(200, get(admin, "/", "Authorization", basic("", "s3cret")).statusCode());
        assertEquals(404, get(admin, "/nowhere", "Authorization", basic("default", "s3cret")).statusCode());
        assertEquals(200, get(server.port(), "/stats", "Authorization", basic("default", "s3cret")).statusCode());
        // /metrics asks too (Dragonfly leaves it open); /health stays open for probes
        assertEquals(401, get(admin, "/metrics").statusCode());
        assertEquals(200, get(admin, "/metrics", "Authorization", basic("default", "s3cret")).statusCode());
        assertEquals(200, get(admin, "/health").statusCode());
        // a password changed at run time applies at once
        server.config().set(Option.REQUIREPASS, "other");
        assertEquals(401, get(admin, "/stats", "Authorization", basic("default", "s3cret")).statusCode());
        assertEquals(200, get(admin, "/stats", "Authorization", basic("default", "other")).statusCode());
    }

    @Test
    void auth_aclUsers_basicAuthAsTheirOwnPasswordsAndTheirRightToInfo() throws Exception {
        start("requirepass", "s3cret");
        int admin = server.adminPort();
        try (RawClient c = new RawClient("127.0.0.1", server.port())) {
            assertEquals("+OK", c.callText("AUTH", "s3cret"));
            assertEquals("+OK", c.callText("ACL", "SETUSER", "ops", "on", ">opspass", "+info"));
            assertEquals("+OK", c.callText("ACL", "SETUSER", "app", "on", ">apppass", "+get", "~app:*"));
            assertEquals("+OK", c.callText("ACL", "SETUSER", "gone", "off", ">gonepass", "+@all", "~*"));
        }
        assertEquals(200, get(admin, "/metrics", "Authorization", basic("ops", "opspass")).statusCode());
        assertEquals(401, get(admin, "/metrics", "Authorization", basic("ops", "s3cret")).statusCode());
        // a user who may not run INFO sees none of what INFO shows; a disabled one nothing either
        assertEquals(401, get(admin, "/metrics", "Authorization", basic("app", "apppass")).statusCode());
        assertEquals(401, get(admin, "/metrics", "Authorization", basic("gone", "gonepass")).statusCode());
        assertEquals(200, get(admin, "/stats", "Authorization", basic("", "s3cret")).statusCode());
        // the default user turned off: logins then go by the other users only
        try (RawClient c = new RawClient("127.0.0.1", server.port())) {
            assertEquals("+OK", c.callText("AUTH", "s3cret"));
            assertEquals("+OK", c.callText("ACL", "SETUSER", "default", "off"));
        }
        assertEquals(401, get(admin, "/stats", "Authorization", basic("default", "s3cret")).statusCode());
        assertEquals(200, get(admin, "/stats", "Authorization", basic("ops", "opspass")).statusCode());
    }

    @Test
    void auth_defaultUserWithoutPasswordButOff_stillAsks() throws Exception {
        start();
        try (RawClient c = new RawClient("127.0.0.1", server.port())) {
            assertEquals("+OK", c.callText("ACL", "SETUSER", "ops", "on", ">opspass", "+@all", "~*"));
            assertEquals("+OK", c.callText("ACL", "SETUSER", "default", "off"));
        }
        assertEquals(401, get(server.adminPort(), "/metrics").statusCode());
        assertEquals(200, get(server.adminPort(), "/metrics", "Authorization", basic("ops", "opspass")).statusCode());
    }

    @Test
    void auth_adminNopass_opensTheAdminPortOnly() throws Exception {
        start("requirepass", "s3cret", "admin_nopass", "true");
        assertEquals(200, get(server.adminPort(), "/stats").statusCode());
        assertEquals(401, get(server.port(), "/stats").statusCode());
    }

    // ---- ports -----------------------------------------------------------------------------

    @Test
    void mainPort_servesHttpAndResp_httpLeavesTheClientList() throws Exception {
        start();
        try (RawClient c = new RawClient(server.host(), server.port())) {
            HttpResponse<String> res = get(server.port(), "/metrics");
            assertEquals(200, res.statusCode());
            assertTrue(res.body().contains("redis_up 1\n"));
            assertEquals("+PONG", c.callText("PING"));
            // the HTTP connection came and went as a client: only this one remains
            String clients = "";
            for (int i = 0; i < 50 && !clients.contains("connected_clients:1\r\n"); i++) {
                clients = c.callText("INFO", "clients").substring(1);
                Thread.sleep(20);
            }
            assertTrue(clients.contains("connected_clients:1\r\n"), clients);
            // an inline command that starts like a method is still RESP
            c.sendRaw("GET nosuchkey\r\n");
            assertEquals("(nil)", RawClient.render(c.read()));
            c.sendRaw("GET a HTTP/1.0x\r\n");
            assertTrue(RawClient.render(c.read()).startsWith("-ERR wrong number of arguments"));
        }
    }

    @Test
    void mainPort_httpTurnedOff_isRespThere() throws Exception {
        start("primary_port_http_enabled", "false");
        try (RawClient c = new RawClient(server.host(), server.port())) {
            c.sendRaw("GET /metrics HTTP/1.1\r\n");
            assertEquals("-ERR wrong number of arguments for 'get' command", RawClient.render(c.read()));
            assertEquals("+PONG", c.callText("PING"));
        }
        assertEquals(200, get(server.adminPort(), "/health").statusCode());
    }

    @Test
    void adminPort_speaksResp_andAnswersHttpAtMaxclients() throws Exception {
        start("maxclients", "1");
        try (RawClient c = new RawClient(server.host(), server.adminPort())) {
            assertEquals("+PONG", c.callText("PING"));
            // the one client slot is taken; HTTP on the admin port is not a client
            assertEquals(200, get(server.adminPort(), "/metrics").statusCode());
            assertEquals(200, get(server.adminPort(), "/health").statusCode());
        }
    }

    @Test
    void adminPort_defaultsAndOff() throws Exception {
        assertEquals(9999, new ServerConfig().getInt(Option.ADMIN_PORT));
        assertTrue(new ServerConfig().getBool(Option.PRIMARY_PORT_HTTP_ENABLED));
        try (EmbeddedServer plain = EmbeddedServer.builder().start()) {
            assertEquals(-1, plain.adminPort());
            // still served on the main port
            assertEquals(200, get(plain.port(), "/health").statusCode());
        }
        start();
        assertTrue(server.adminPort() > 0 && server.adminPort() != server.port());
        // a taken admin port stops the start with a message that names the option
        IllegalStateException taken = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> EmbeddedServer.builder().option("admin_port", Integer.toString(server.adminPort())).start());
        assertTrue(taken.getMessage().contains("cannot listen on admin_port " + server.adminPort()), taken.getMessage());
    }

    // ---- the dashboard ---------------------------------------------------------------------

    @Test
    void dashboard_selfContainedPageThatPollsStats() throws Exception {
        start();
        HttpResponse<String> res = get(server.adminPort(), "/");
        assertEquals(200, res.statusCode());
        assertEquals("text/html; charset=utf-8", res.headers().firstValue("content-type").orElse(""));
        String page = res.body();
        assertTrue(page.contains("<canvas id=\"c-ops\"") && page.contains("fetch(\"stats\""), page);
        assertTrue(page.contains("name=\"viewport\""), "readable on a phone");
        // no external assets: nothing fetched from another origin
        assertFalse(page.matches("(?s).*(src|href)=\"(https?:)?//.*"), "an external asset");
        assertFalse(page.contains("@import") || page.contains("url("), "an external stylesheet asset");
        // the script parses (Node.js checks its syntax)
        String script = page.substring(page.indexOf("<script>") + 8, page.indexOf("</script>"));
        java.nio.file.Path js = TempDirs.file("dashboard", ".js");
        try {
            java.nio.file.Files.writeString(js, script);
            Process p = new ProcessBuilder("node", "--check", js.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
        } finally {
            java.nio.file.Files.delete(js);
        }
    }

    /**
     * The dashboard's own script run by Node.js against the live /stats while a client sends
     * traffic, with a stand-in for the DOM that records what the charts draw: every chart gets
     * data and every headline a value. (A browser is not needed to see that the data flows.)
     */
    @Test
    void dashboard_chartsGetDataFromStatsUnderTraffic() throws Exception {
        start("maxmemory", "16mb");
        String page = get(server.adminPort(), "/").body();
        String script = page.substring(page.indexOf("<script>") + 8, page.indexOf("</script>"));
        java.nio.file.Path js = TempDirs.file("dashboard", ".js");
        java.nio.file.Path harness = TempDirs.file("harness", ".js");
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread traffic = new Thread(() -> {
            try (RawClient c = new RawClient(server.host(), server.port())) {
                for (int i = 0; !stop.get(); i++) {
                    c.callText("SET", "k" + (i % 50), "v");
                    c.callText("GET", "k" + (i % 100));
                }
            }
        });
        try {
            java.nio.file.Files.writeString(js, script);
            java.nio.file.Files.writeString(harness, """
                    const fs = require("fs"), vm = require("vm");
                    const [file, base] = process.argv.slice(2);
                    const lines = {}, elements = {};
                    function context(id) {
                      return { setTransform() {}, clearRect() {}, beginPath() {}, moveTo() {}, stroke() {}, fillText() {},
                               lineTo() { lines[id] = (lines[id] || 0) + 1; } };
                    }
                    globalThis.document = { documentElement: {}, getElementById(id) {
                      return elements[id] ||= { textContent: "", className: "", clientWidth: 320, clientHeight: 140,
                                                width: 0, height: 0, getContext: () => context(id) }; } };
                    globalThis.getComputedStyle = () => ({ getPropertyValue: () => "#4fb3ff" });
                    globalThis.window = { devicePixelRatio: 2, addEventListener() {} };
                    const realFetch = fetch;
                    globalThis.fetch = (url, options) => realFetch(new URL(url, base), options);
                    globalThis.setInterval = () => {};
                    vm.runInThisContext(fs.readFileSync(file, "utf8"));
                    (async () => {
                      for (let i = 0; i < 4; i++) {
                        await new Promise(r => setTimeout(r, 1100));
                        await vm.runInThisContext("poll()");
                      }
                      const text = {};
                      for (const id of Object.keys(elements)) if (id.startsWith("v-") || id === "status") text[id] = elements[id].textContent;
                      console.log(JSON.stringify({ points: vm.runInThisContext("history.length"),
                        last: vm.runInThisContext("history[history.length - 1]"), lines, text }));
                    })();
                    """);
            traffic.start();
            Process p = new ProcessBuilder("node", harness.toString(), js.toString(),
                    "http://127.0.0.1:" + server.adminPort() + "/").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            Map<String, String> result = json(out.substring(out.indexOf('{')));
            assertTrue(Integer.parseInt(result.get("points")) >= 4, out);
            String last = result.get("last");
            for (String field : List.of("'ops'", "'used'", "'max': 16777216", "'clients': 1", "'evictions': 0")) {
                assertTrue(last.contains(field), field + " in " + last);
            }
            assertFalse(last.contains("'hit': None") || last.contains("'p50': None") || last.contains("'p99': None"), last);
            for (String chart : List.of("c-ops", "c-hit", "c-mem", "c-lat", "c-cli", "c-evi")) {
                assertTrue(result.get("lines").contains("'" + chart + "': "), chart + " drew nothing: " + out);
            }
            for (String value : List.of("v-ops", "v-hit", "v-mem", "v-lat", "v-cli", "v-evi")) {
                assertTrue(result.get("text").contains("'" + value + "': '") && !result.get("text").contains("'" + value + "': '–'"),
                        value + " shows nothing: " + out);
            }
            assertTrue(result.get("text").contains("'status': 'up "), out);
        } finally {
            stop.set(true);
            traffic.join(5000);
            java.nio.file.Files.delete(js);
            java.nio.file.Files.delete(harness);
        }
    }

    // ---- methods, paths, garbage -----------------------------------------------------------

    @Test
    void methodsAndPaths() throws Exception {
        start();
        int admin = server.adminPort();
        assertEquals(404, get(admin, "/nowhere").statusCode());
        assertEquals(404, get(admin, "/metrics/x").statusCode());
        assertEquals(200, get(admin, "/metrics?name=x").statusCode());
        assertEquals(200, get(admin, "/").statusCode());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x=1")).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("allow").orElse(""));
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/health"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals("3", head.headers().firstValue("content-length").orElse(""));
        // POST on the main port is HTTP too (not Redis's inline POST)
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            String reply = exchange(s, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            assertTrue(reply.startsWith("HTTP/1.1 405 "), reply);
        }
    }

    @Test
    void pipelinedRequests_answeredInOrder() throws Exception {
        start();
        try (Socket s = new Socket("127.0.0.1", server.adminPort())) {
            String reply = exchange(s, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            int metrics = reply.indexOf("HTTP/1.1 200 OK");
            int missing = reply.indexOf("HTTP/1.1 404 Not Found");
            int health = reply.lastIndexOf("HTTP/1.1 200 OK");
            assertTrue(metrics >= 0 && metrics < missing && missing < health, reply);
            assertTrue(reply.endsWith("OK\n"), reply);
        }
    }

    @Test
    void pipelinedRequests_manyAtOnce_allAnsweredInOrder() throws Exception {
        start();
        int n = 300;
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < n; i++) {
            requests.append(i % 3 == 0 ? "GET /metrics" : i % 3 == 1 ? "GET /stats" : "GET /nowhere")
                    .append(" HTTP/1.1\r\nHost: x\r\n").append(i == n - 1 ? "Connection: close\r\n" : "").append("\r\n");
        }
        try (Socket s = new Socket("127.0.0.1", server.adminPort())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int at = 0;
            for (int i = 0; i < n; i++) {
                String expected = i % 3 == 2 ? "HTTP/1.1 404 " : "HTTP/1.1 200 ";
                at = reply.indexOf("HTTP/1.1 ", at);
                assertTrue(at >= 0 && reply.startsWith(expected, at), "response " + i);
                String type = reply.substring(reply.indexOf("content-type: ", at) + 14, reply.indexOf("\r\n", reply.indexOf("content-type: ", at)));
                assertEquals(i % 3 == 0 ? "text/plain; version=0.0.4; charset=utf-8" : i % 3 == 1 ? "application/json" : "text/plain; charset=utf-8",
                        type, "response " + i);
                at++;
            }
            assertEquals(-1, reply.indexOf("HTTP/1.1 ", at));
        }
        assertEquals(200, get(server.adminPort(), "/health").statusCode());
    }

    @Test
    void garbage_answeredOrClosed_serverSurvives() throws Exception {
        start();
        int admin = server.adminPort();
        // a header line without a colon
        try (Socket s = new Socket("127.0.0.1", admin)) {
            String reply = exchange(s, "GET /health HTTP/1.1\r\nthis is no header\r\n\r\n");
            assertTrue(reply.startsWith("HTTP/1.1 400 "), reply);
        }
        // 20 KB of headers
        try (Socket s = new Socket("127.0.0.1", admin)) {
            String reply = exchange(s, "GET /health HTTP/1.1\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
            assertTrue(reply.startsWith("HTTP/1.1 431 "), reply);
        }
        // a request line of 6 KB
        try (Socket s = new Socket("127.0.0.1", admin)) {
            String reply = exchange(s, "GET /" + "b".repeat(6000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertFalse(reply.startsWith("HTTP/1.1 200"), reply);
        }
        // a body larger than accepted
        try (Socket s = new Socket("127.0.0.1", admin)) {
            String reply = exchange(s, "GET /health HTTP/1.1\r\nContent-Length: 10000000\r\n\r\n" + "c".repeat(70_000));
            assertTrue(reply.startsWith("HTTP/1.1 413 "), reply);
        }
        // a bad percent escape
        try (Socket s = new Socket("127.0.0.1", admin)) {
            String reply = exchange(s, "GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(reply.startsWith("HTTP/1.1 400 ") || reply.startsWith("HTTP/1.1 404 "), reply);
        }
        // noise: not HTTP, so RESP answers it (a NUL byte would make Redis and damselfly wait silently)
        try (RawClient c = new RawClient(server.host(), admin)) {
            c.sendRaw(new byte[] {'G', 'x', (byte) 0xff, 1, 2, ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '1', '\r', '\n'});
            assertTrue(RawClient.render(c.read()).startsWith("-ERR unknown command"));
        }
        // a first line that never ends
        try (RawClient c = new RawClient(server.host(), admin)) {
            c.sendRaw("G" + "x".repeat(HttpSniffer.MAX_FIRST_LINE + 100));
            c.sendRaw("\r\n");
            assertTrue(RawClient.render(c.read()).startsWith("-ERR unknown command"));
        }
        assertEquals(200, get(admin, "/health").statusCode());
        assertEquals(200, get(server.port(), "/metrics").statusCode());
        try (RawClient c = new RawClient(server.host(), server.port())) {
            assertEquals("+PONG", c.callText("PING"));
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** Sends {@code request} on a raw socket and reads until the server closes or 2 s pass without data. */
    private static String exchange(Socket s, String request) throws IOException {
        s.setSoTimeout(2000);
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                got.write(buf, 0, n);
            }
        } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
            // keep-alive connection (or reset after a 413): what came is the answer
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    /** A flat JSON object's fields as text, read by python3's json module. */
    /** A JSON object's members, one level deep: name -> Python's repr of the value ("null" for null). */
    static Map<String, String> json(String body) throws Exception {
        String out = python("""
                import json, sys
                for k, v in json.loads(sys.stdin.read()).items():
                    print(k + "\\t" + ("null" if v is None else repr(v)))
                """, body);
        Map<String, String> m = new HashMap<>();
        for (String line : out.split("\n")) {
            if (!line.isEmpty()) {
                String[] kv = line.split("\t", 2);
                m.put(kv[0], kv[1]);
            }
        }
        return m;
    }

    static String python(String script, String stdin) throws Exception {
        // Debian's python3-prometheus-client installs for the system interpreter, which a python3
        // earlier in PATH (pyenv, a virtualenv) may not see
        String python = java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Process p = new ProcessBuilder(python, "-c", script).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "python3 failed (is python3-prometheus-client installed?): " + err);
        return out;
    }

    /**
     * An exposition as prometheus_client.parser.text_string_to_metric_families reads it: family
     * types by family name, and sample values by "name{label=value,...}" (labels sorted).
     */
    static final class Parsed {
        final Map<String, String> types = new HashMap<>();
        final Map<String, Double> samples = new HashMap<>();

        static Parsed of(String exposition) throws Exception {
            String out = python("""
                    import sys
                    from prometheus_client.parser import text_string_to_metric_families
                    for f in text_string_to_metric_families(sys.stdin.read()):
                        print("#\\t" + f.name + "\\t" + f.type)
                        for s in f.samples:
                            labels = ",".join(k + "=" + v for k, v in sorted(s.labels.items()))
                            print(s.name + ("{" + labels + "}" if labels else "") + "\\t" + repr(float(s.value)))
                    """, exposition);
            Parsed p = new Parsed();
            for (String line : out.split("\n")) {
                String[] f = line.split("\t");
                if (f.length == 3 && f[0].equals("#")) {
                    p.types.put(f[1], f[2]);
                } else if (f.length == 2) {
                    p.samples.put(f[0], Double.parseDouble(f[1]));
                }
            }
            return p;
        }

        double value(String key) {
            Double v = samples.get(key);
            assertNotNull(v, key + " not among " + samples.keySet());
            return v;
        }

        /** The one sample key that starts with {@code name}. */
        String key(String name) {
            return samples.keySet().stream().filter(k -> k.startsWith(name + "{")).findFirst().orElseThrow();
        }
    }
}
