package io.damselfly.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The slow log's bounds, thresholds and the arguments it keeps. */
class SlowlogTest {
    private static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    private static List<String> logged(String command, byte[][] argv) {
        return Slowlog.loggedArguments(command, argv).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void arguments_trimmedAtRedisLimits() {
        byte[][] exactly = new byte[32][];
        for (int i = 0; i < 32; i++) {
            exactly[i] = new byte[] {(byte) ('a' + i % 26)};
        }
        assertEquals(32, logged("del", exactly).size());
        assertEquals("a", logged("del", exactly).get(0));
        byte[][] one = new byte[33][];
        System.arraycopy(exactly, 0, one, 0, 32);
        one[32] = new byte[] {'z'};
        List<String> trimmed = logged("del", one);
        assertEquals(32, trimmed.size());
        assertEquals("... (2 more arguments)", trimmed.get(31));
        byte[] atLimit = new byte[128];
        byte[] over = new byte[129];
        over[128] = (byte) 0xff;
        List<byte[]> args = Slowlog.loggedArguments("set", new byte[][] {argv("set")[0], atLimit, over});
        assertEquals(128, args.get(1).length);
        assertEquals("... (1 more bytes)", new String(args.get(2), 128, args.get(2).length - 128, StandardCharsets.US_ASCII));
    }

    @Test
    void arguments_copiedNotShared() {
        byte[][] in = argv("set", "k", "v");
        List<byte[]> out = Slowlog.loggedArguments("set", in);
        in[2][0] = 'x';
        assertEquals("v", new String(out.get(2), StandardCharsets.UTF_8));
    }

    @Test
    void arguments_secretsRedacted() {
        assertEquals(List.of("AUTH", "(redacted)"), logged("auth", argv("AUTH", "pw")));
        assertEquals(List.of("AUTH", "(redacted)", "(redacted)"), logged("auth", argv("AUTH", "u", "pw")));
        assertEquals(List.of("AUTH", "a", "b", "c"), logged("auth", argv("AUTH", "a", "b", "c")));
        assertEquals(List.of("hello", "3", "setname", "n", "auth", "(redacted)", "(redacted)"),
                logged("hello", argv("hello", "3", "setname", "n", "auth", "u", "pw")));
        assertEquals(List.of("HELLO", "9", "AUTH", "(redacted)", "(redacted)"), logged("hello", argv("HELLO", "9", "AUTH", "u", "pw")),
                "hidden even where Redis would refuse the version first");
        assertEquals(List.of("HELLO", "3", "AUTH", "u"), logged("hello", argv("HELLO", "3", "AUTH", "u")));
        assertEquals(List.of("CONFIG", "SET", "hz", "10", "RequirePass", "(redacted)"),
                logged("config|set", argv("CONFIG", "SET", "hz", "10", "RequirePass", "pw")));
        assertEquals(List.of("CONFIG", "GET", "requirepass"), logged("config|get", argv("CONFIG", "GET", "requirepass")));
    }

    @Test
    void threshold_inMicroseconds() {
        Slowlog log = new Slowlog();
        log.setThresholdMicros(0);
        assertTrue(log.isSlow(0));
        log.setThresholdMicros(5);
        assertFalse(log.isSlow(4_999));
        assertTrue(log.isSlow(5_000));
        log.setThresholdMicros(-1);
        assertFalse(log.isSlow(Long.MAX_VALUE - 1));
        log.setThresholdMicros(Long.MAX_VALUE);
        assertFalse(log.isSlow(Long.MAX_VALUE - 1));
    }

    @Test
    void entries_newestFirstBoundedIdsGoOn() {
        Slowlog log = new Slowlog();
        log.setMaxLength(2);
        for (int i = 0; i < 5; i++) {
            log.add("get", argv("GET", "k" + i), 12_345, "127.0.0.1:1", "");
        }
        List<Slowlog.Entry> all = log.newest(Long.MAX_VALUE);
        assertEquals(List.of(4L, 3L), all.stream().map(Slowlog.Entry::id).toList());
        assertEquals(12, all.get(0).durationMicros());
        log.reset();
        assertEquals(0, log.size());
        log.add("get", argv("GET", "k"), 0, "127.0.0.1:1", "n");
        assertEquals(5, log.newest(1).get(0).id());
        log.setMaxLength(0);
        assertEquals(0, log.size());
    }
}
