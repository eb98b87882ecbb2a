package io.damselfly.server.command.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The metadata resource's JSON reader: what it reads, and that bad input always ends in a clear error. */
class JsonReaderTest {
    private static final String SAMPLE = """
            {"name": "set", "arity": -3, "neg": -12, "ok": true, "no": false, "nothing": null,
             "tips": ["a\\"b", "\\u00e9\\n\\t\\\\/"], "nested": {"deep": [[], {}, [1, [2]]]}}""";

    @Test
    void parse_everyValueKind() {
        Map<?, ?> m = (Map<?, ?>) JsonReader.parse(SAMPLE);
        assertEquals("set", m.get("name"));
        assertEquals(-3L, m.get("arity"));
        assertEquals(-12L, m.get("neg"));
        assertEquals(true, m.get("ok"));
        assertEquals(false, m.get("no"));
        assertTrue(m.containsKey("nothing"));
        assertNull(m.get("nothing"));
        assertEquals(List.of("a\"b", "\u00e9\n\t\\/"), m.get("tips"));
        assertEquals(Map.of("deep", List.of(List.of(), Map.of(), List.of(1L, List.of(2L)))), m.get("nested"));
        assertEquals(List.of("name", "arity", "neg", "ok", "no", "nothing", "tips", "nested"), List.copyOf(m.keySet()),
                "members in file order");
        assertEquals(7L, JsonReader.parse("  7 \n"));
    }

    @Test
    void parse_theBundledResource() throws Exception {
        try (InputStream in = RedisCommandCatalog.class.getResourceAsStream(RedisCommandCatalog.RESOURCE)) {
            Map<?, ?> root = (Map<?, ?>) JsonReader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            assertEquals("7.0.15", root.get("redis_version"));
        }
    }

    @Test
    void truncated_atEveryLength_isAClearError() {
        for (int len = 0; len < SAMPLE.length(); len++) {
            assertMalformed(SAMPLE.substring(0, len));
        }
    }

    @Test
    void garbage_isAClearError() {
        for (String bad : List.of("", "   ", "{", "}", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":1,}", "{a:1}", "{\"a\":1 \"b\":2}",
                "{\"a\":1}{", "tru", "nul", "falsey", "01", "-", "1.5", "1e3", "99999999999999999999", "\"abc",
                "\"a\\x\"", "\"\\u12\"", "\"\\uZZZZ\"", "\"tab\there\"", "{\"a\":1,\"a\":2}", "[\u0000]", "@", "\u00ff")) {
            assertMalformed(bad);
        }
    }

    private static final String ALPHABET = "{}[]\":,-0123456789truefalsn \\u";

    @Test
    void randomText_neverEscapesAsAnotherException() {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            char[] c = new char[random.nextInt(40)];
            for (int k = 0; k < c.length; k++) {
                c[k] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            }
            try {
                JsonReader.parse(new String(c));
            } catch (JsonReader.MalformedJsonException expected) {
                assertTrue(expected.getMessage().startsWith("malformed JSON at offset "), expected.getMessage());
            }
        }
    }

    @Test
    void deepNesting_isRefusedBeforeTheStackOverflows() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        JsonReader.MalformedJsonException e = assertThrows(JsonReader.MalformedJsonException.class, () -> JsonReader.parse(deep));
        assertTrue(e.getMessage().contains("nested deeper than " + JsonReader.MAX_DEPTH), e.getMessage());
        String fine = "[".repeat(JsonReader.MAX_DEPTH) + "]".repeat(JsonReader.MAX_DEPTH);
        JsonReader.parse(fine);
    }

    private static void assertMalformed(String text) {
        JsonReader.MalformedJsonException e = assertThrows(JsonReader.MalformedJsonException.class, () -> JsonReader.parse(text),
                () -> "accepted: " + text);
        assertTrue(e.getMessage().matches("malformed JSON at offset \\d+: .+"), e.getMessage());
    }
}
