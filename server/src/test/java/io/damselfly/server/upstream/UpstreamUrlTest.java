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
                () -> EmbeddedServer.builder().option("upstream", "redis-cluster://a:1/2").start());
        assertTrue(e.getMessage().contains("Redis Cluster has only database 0"), e.getMessage());
    }

    @Test
    void seeds_ofAClusterUrl_shareTheLogin() {
        assertTrue(UpstreamUrl.isCluster("redis-cluster://a:1"));
        assertTrue(UpstreamUrl.isCluster("rediss-cluster://a:1"));
        assertTrue(!UpstreamUrl.isCluster("redis://a:1"));
        assertEquals(List.of(new UpstreamUrl(false, "a", 1, null, null, 0), new UpstreamUrl(false, "b", 6379, null, null, 0)),
                UpstreamUrl.seeds("redis-cluster://a:1,b"));
        assertEquals(List.of(new UpstreamUrl(true, "a", 1, "u", "p@w", 0), new UpstreamUrl(true, "::1", 2, "u", "p@w", 0)),
                UpstreamUrl.seeds("rediss-cluster://u:p%40w@a:1,[::1]:2/0"));
        assertEquals(new UpstreamUrl(true, "c", 9, "u", "p", 0), new UpstreamUrl(true, "a", 1, "u", "p", 0).at("c", 9));
        for (String bad : List.of("redis-cluster://", "redis-cluster://a:1,", "redis-cluster://,a:1", "redis-cluster://a:1/3",
                "redis-cluster://a:x", "redis-cluster://a:1,b:0", "redis://a:1", "redis-cluster://a:1/x")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UpstreamUrl.seeds(bad), bad);
            assertTrue(e.getMessage().startsWith("upstream: "), e.getMessage());
        }
        Random r = new Random(6);
        String alphabet = "redis-cluster:/@[]%+0123456789abc.,";
        for (int i = 0; i < 5000; i++) {
            StringBuilder sb = new StringBuilder(r.nextBoolean() ? "redis-cluster://" : "");
            for (int k = r.nextInt(24); k > 0; k--) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            try {
                for (UpstreamUrl u : UpstreamUrl.seeds(sb.toString())) {
                    assertTrue(u.port() >= 1 && u.port() <= 65535 && u.db() == 0 && !u.host().isEmpty(), sb.toString());
                }
            } catch (IllegalArgumentException refused) {
                // only this exception: never another one
            }
        }
    }
}
