package io.damselfly.server.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UpstreamUrlTest {

    @Test
    void parse_everyForm() {
        assertEquals(new UpstreamUrl(false, "127.0.0.1", 6380, null, null, 0), UpstreamUrl.parse("redis://127.0.0.1:6380"));
        assertEquals(new UpstreamUrl(false, "cache", 6379, null, null, 0), UpstreamUrl.parse("redis://cache"));
        assertEquals(new UpstreamUrl(true, "cache", 6380, "app", "p@ss:word", 3), UpstreamUrl.parse("rediss://app:p%40ss%3Aword@cache:6380/3"));
        assertEquals(new UpstreamUrl(false, "h", 1, null, "secret", 0), UpstreamUrl.parse("redis://:secret@h:1"));
        assertEquals(new UpstreamUrl(false, "h", 1, null, "secret", 0), UpstreamUrl.parse("redis://secret@h:1/"));
        assertEquals(new UpstreamUrl(false, "::1", 7000, null, null, 2), UpstreamUrl.parse("redis://[::1]:7000/2"));
        assertEquals("[::1]:7000", UpstreamUrl.parse("redis://[::1]:7000").address());
        assertEquals(new UpstreamUrl(false, "h", 1, null, "a+b", 0), UpstreamUrl.parse("redis://:a+b@h:1"));
    }

    @Test
    void parse_garbage_isRefusedWithAReason() {
        for (String bad : List.of("", "127.0.0.1:6379", "http://h:1", "redis://", "redis://:pw@", "redis://h:0", "redis://h:65536",
                "redis://h:port", "redis://h:1/x", "redis://h:1/-1", "redis://[::1", "redis://[::1]x", "redis-cluster://a:1,b:2",
                "redis://h:99999999999")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UpstreamUrl.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("upstream: "), e.getMessage());
        }
        Random r = new Random(3);
        String alphabet = "redis:/@[]%+0123456789abc.-";
        for (int i = 0; i < 5000; i++) {
            StringBuilder sb = new StringBuilder(r.nextBoolean() ? "redis://" : "");
            for (int k = r.nextInt(20); k > 0; k--) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            try {
                UpstreamUrl u = UpstreamUrl.parse(sb.toString());
                assertTrue(u.port() >= 1 && u.port() <= 65535 && u.db() >= 0 && !u.host().isEmpty(), sb.toString());
            } catch (IllegalArgumentException refused) {
                // only this exception: never another one
            }
        }
    }

    @Test
    void start_refusesABadUpstream() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddedServer.builder().option("upstream", "redis-cluster://a:1").start());
        assertTrue(e.getMessage().contains("Redis Cluster"), e.getMessage());
    }
}
