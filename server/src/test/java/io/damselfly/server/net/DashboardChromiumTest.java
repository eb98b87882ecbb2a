package io.damselfly.server.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser: Debian's headless Chromium (installed by scripts/test) loads
 * {@code /} from an embedded server while a client sends traffic, polls {@code /stats} in real
 * time for a few seconds; then the page's chart data and the pixels its canvases drew are checked
 * (src/test/node/dashboard-chromium.mjs drives the browser over the DevTools protocol) and the
 * screenshot is kept as {@code target/dashboard.png}.
 */
class DashboardChromiumTest {
    private static final Path DRIVER = Path.of("src", "test", "node", "dashboard-chromium.mjs");
    private static final Path SCREENSHOT = Path.of("target", "dashboard.png");
    private static final int SECONDS = 5;

    @Test
    void dashboard_inHeadlessChromium_chartsDrawnAfterTraffic() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder().option("admin_port", "0").option("maxmemory", "32mb").start()) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread traffic = new Thread(() -> {
                try (RawClient c = new RawClient(server.host(), server.port())) {
                    for (int i = 0; !stop.get(); i++) {
                        c.callText("SET", "k" + (i % 500), "value");
                        c.callText("GET", "k" + (i % 1000));
                    }
                }
            });
            traffic.start();
            String out;
            try {
                Files.createDirectories(SCREENSHOT.getParent());
                Files.deleteIfExists(SCREENSHOT);
                Process p = new ProcessBuilder("node", "--experimental-websocket", DRIVER.toString(),
                        "http://127.0.0.1:" + server.adminPort() + "/", Integer.toString(SECONDS), SCREENSHOT.toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the browser did not finish");
                assertEquals(0, p.exitValue(), "driving Chromium failed (is the chromium package installed?): " + out);
            } finally {
                stop.set(true);
                traffic.join(5000);
            }
            // python's json module reads the probe's JSON; nested objects come back as Python reprs
            Map<String, String> probe = AdminHttpTest.json(out.trim());
            assertTrue(Integer.parseInt(probe.get("points")) >= SECONDS - 1, out);
            for (String value : List.of("v-ops", "v-hit", "v-mem", "v-lat", "v-cli", "v-evi")) {
                assertTrue(probe.get("values").contains("'" + value + "': '") && !probe.get("values").contains("'" + value + "': '–'"),
                        value + " shows nothing: " + out);
            }
            assertTrue(probe.get("values").contains("/ 32.0 MiB"), out);
            for (String chart : List.of("c-ops", "c-hit", "c-mem", "c-lat", "c-cli", "c-evi")) {
                assertFalse(probe.get("coloured").matches(".*'" + chart + "': 0[,}].*"), chart + " drew no series: " + out);
            }
            assertTrue(probe.get("status").startsWith("'up "), out);
            byte[] png = Files.readAllBytes(SCREENSHOT);
            assertTrue(png.length > 1000, "screenshot of " + png.length + " bytes");
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        }
    }
}
