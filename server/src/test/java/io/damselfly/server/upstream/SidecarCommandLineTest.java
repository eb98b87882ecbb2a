package io.damselfly.server.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A bad --upstream on the command line, as an operator types it: a one-line "damselfly: upstream:
 * ..." and exit status 2, as for any other bad flag, not a stack trace.
 */
class SidecarCommandLineTest {
    private static String[] run(String upstream) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.damselfly.server.Main", "--port", "0", "--admin_port", "-1", "--upstream", upstream))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exits");
        return new String[] {Integer.toString(p.exitValue()), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)};
    }

    @Test
    void aBadUpstreamUrl_isAUsageError() throws Exception {
        String[] r = run("redis://host:notaport");
        assertEquals("2", r[0]);
        assertEquals("damselfly: upstream: port 'notaport' is not a number from 1 to 65535", r[1].strip());
        String[] cluster = run("redis-cluster://127.0.0.1:7000/3");
        assertEquals("2", cluster[0]);
        assertEquals("damselfly: upstream: Redis Cluster has only database 0, not '3'", cluster[1].strip());
    }
}
