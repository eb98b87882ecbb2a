package io.damselfly.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The value forms CONFIG REWRITE writes and the config file reader reads back: Redis's quoting
 * (sdscatrepr) round-trips through {@link ServerConfig#readFile} for any text, garbage quoting is
 * read as it was before, byte sizes take Redis's units, and a file of odd lines is rewritten
 * without losing any of them.
 */
class ConfigRewriteFormsTest {

    private static String readBack(Path dir, String valueText) throws Exception {
        Path f = dir.resolve("v.conf");
        Files.writeString(f, "requirepass " + valueText + "\n", StandardCharsets.UTF_8);
        List<ServerConfig.Setting> settings = ServerConfig.readFile(f);
        assertEquals(1, settings.size());
        return settings.get(0).value();
    }

    @Test
    void repr_roundTripsThroughTheReader(@TempDir Path dir) throws Exception {
        for (String s : List.of("", "plain", "a b", "a\"b\\c", "tab\there", "nl\ncr\r", "\u0007\b", "caf\u00e9 \ud83d\ude00",
                "\u0000\u001f\u007f", "'single'", "ends with backslash\\", "\"quoted\"")) {
            assertEquals(s, readBack(dir, ConfigRewrite.repr(s)), ConfigRewrite.repr(s));
        }
        Random r = new Random(7);
        String alphabet = "ab \"\\'\t\n\r\u0000\u0007\b\u00e9\u4e2dx#=";
        for (int i = 0; i < 300; i++) {
            StringBuilder b = new StringBuilder();
            for (int n = r.nextInt(20); n > 0; n--) {
                b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String s = b.toString();
            assertEquals(s, readBack(dir, ConfigRewrite.repr(s)), ConfigRewrite.repr(s));
        }
    }

    @Test
    void repr_escapesAsRedis() {
        assertEquals("\"a\\\"b\\\\c\\n\\r\\t\\a\\b\\x01\\xc3\\xa9\"", ConfigRewrite.repr("a\"b\\c\n\r\t\u0007\b\u0001\u00e9"));
    }

    @Test
    void reader_garbageQuoting(@TempDir Path dir) throws Exception {
        // unbalanced or several quoted parts: read as before, the outer quotes dropped or kept
        assertEquals("\"abc", readBack(dir, "\"abc"));
        assertEquals("abc\\", readBack(dir, "\"abc\\\""));
        assertEquals("a\" \"b", readBack(dir, "\"a\" \"b\""));
        assertEquals("it's", readBack(dir, "'it's'"));
        // as sdssplitargs: a \x without two hex digits is the letter x
        assertEquals("axzz", readBack(dir, "\"a\\xzz\""));
        assertEquals("a\u0004", readBack(dir, "\"a\\x04\""));
        assertEquals("\\", readBack(dir, "\"\\\\\""));
        assertEquals("q", readBack(dir, "\"\\q\""));
    }

    @Test
    void memory_redisUnits() {
        assertEquals("0", ConfigRewrite.memory(0));
        assertEquals("1", ConfigRewrite.memory(1));
        assertEquals("1kb", ConfigRewrite.memory(1024));
        assertEquals("1536", ConfigRewrite.memory(1536));
        assertEquals("3mb", ConfigRewrite.memory(3L << 20));
        assertEquals("1025kb", ConfigRewrite.memory(1025L << 10));
        assertEquals("1gb", ConfigRewrite.memory(1L << 30));
        assertEquals("8589934591gb", ConfigRewrite.memory(Long.MAX_VALUE - (Long.MAX_VALUE % (1L << 30))));
        assertEquals(Long.toString(Long.MAX_VALUE), ConfigRewrite.memory(Long.MAX_VALUE));
    }

    /** A value other than the default for every option that has one, set, rewritten and read back. */
    @Test
    void rewrite_everyOptionRoundTrips(@TempDir Path dir) throws Exception {
        for (boolean flagFile : new boolean[] {false, true}) {
            ServerConfig c = new ServerConfig();
            int changed = 0;
            for (Option o : Option.values()) {
                String def = o.format(o.parse(o.defaultValue));
                for (String candidate : candidates(o, dir)) {
                    try {
                        Object v = o.parse(candidate);
                        o.validate(v);
                        if (!o.format(o.merge(c.get(o), v)).equals(def)) {
                            c.set(o, candidate);
                            changed++;
                            break;
                        }
                    } catch (IllegalArgumentException refused) {
                        // try the next candidate
                    }
                }
            }
            // activedefrag, replicaof and cluster-enabled take only their defaults here
            assertTrue(changed >= Option.values().length - 3 - 3, "options changed: " + changed);
            Path f = dir.resolve(flagFile ? "all.flags" : "all.conf");
            Files.writeString(f, flagFile ? "--hz=11\n" : "hz 11\n");
            Files.writeString(f, ConfigRewrite.rewrittenContent(f, c, List.of("alice on >pw ~* +@all"), false));
            ServerConfig back = ServerConfig.fromArgs(f.toString());
            for (Option o : Option.values()) {
                assertEquals(c.format(o), back.format(o), o + " in\n" + Files.readString(f));
            }
            assertEquals(List.of("alice on >pw ~* +@all"), back.aclUsers());
        }
    }

    /**
     * DEBUG CONFIG-REWRITE-FORCE-ALL's rewrite writes every option, those at their defaults too,
     * and a server reading the file back has every value it had (introspection.tcl's "CONFIG
     * REWRITE sanity" restarts from such a file and compares CONFIG GET *).
     */
    @Test
    void rewrite_forceAll_writesEveryOptionAndRoundTrips(@TempDir Path dir) throws Exception {
        for (boolean flagFile : new boolean[] {false, true}) {
            ServerConfig c = new ServerConfig();
            Path f = dir.resolve(flagFile ? "all.flags" : "all.conf");
            Files.writeString(f, flagFile ? "--hz=11\n" : "hz 11\n");
            c.set(Option.HZ, "11");
            String text = ConfigRewrite.rewrittenContent(f, c, List.of(), true);
            Files.writeString(f, text);
            ServerConfig back = ServerConfig.fromArgs(f.toString());
            for (Option o : Option.values()) {
                // a flag file names an option of Redis's by Redis's name, in flag syntax
                String name = flagFile ? "--" + o.configName() + "=" : o.configName() + " ";
                assertTrue(text.contains("\n" + name) || text.startsWith(name), o + " written in\n" + text);
                if (o == Option.DIR) {
                    // written absolute, as Redis writes the directory it runs in
                    assertEquals(Path.of(c.format(o)).toAbsolutePath().normalize(), Path.of(back.format(o)));
                    continue;
                }
                assertEquals(c.format(o), back.format(o), o + " in\n" + text);
            }
        }
    }

    private static List<String> candidates(Option o, Path dir) {
        return switch (o) {
            case SAVE -> List.of("60 5 300 10");
            case SAVE_SCHEDULE -> List.of("*:30");
            case SNAPSHOT_CRON -> List.of("*/15 * * * *");
            case NOTIFY_KEYSPACE_EVENTS -> List.of("Kx");
            case CLIENT_OUTPUT_BUFFER_LIMIT -> List.of("pubsub 1mb 2000 3 normal 1kb 0 0");
            case BIND -> List.of("0.0.0.0");
            case DIR -> List.of(dir.toString());
            case REQUIREPASS -> List.of("p\"w \\ \u00e9\tx");
            case LATENCY_TRACKING_INFO_PERCENTILES -> List.of("12.5 99");
            case UPSTREAM, UNIXSOCKET -> List.of();
            case PROC_TITLE_TEMPLATE -> List.of("{title} \"{port}\" {{ x");
            case MAXMEMORY -> List.of("1mb");
            case OOM_SCORE_ADJ_VALUES -> List.of("1 2 3");
            case MAXMEMORY_CLIENTS -> List.of("5%");
            case SHUTDOWN_ON_SIGINT, SHUTDOWN_ON_SIGTERM -> List.of("now save");
            case CLUSTER_ANNOUNCE_HOSTNAME -> List.of("host.example");
            default -> switch (o.type()) {
                case BOOL -> List.of("yes", "no");
                case ENUM -> List.of(o.choices);
                case MEMORY -> List.of("3000kb", "5mb", "100");
                case INT -> List.of("3", "7", "-3", "1");
                case PERCENTILES -> List.of("50");
                case OCTAL -> List.of("700", "17");
                case STRING -> List.of("some \"text\" with spaces");
            };
        };
    }

    @Test
    void rewrite_oddLinesKept(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("odd.conf");
        Files.writeString(f, "   # indented comment  \r\n\t\r\nhz 12\r\nmaxmemory\n\"quoted-name\" 1\n--\n-=x\n   \n", StandardCharsets.UTF_8);
        ServerConfig c = new ServerConfig();
        c.set(Option.HZ, "13");
        String out = ConfigRewrite.rewrittenContent(f, c, List.of(), false);
        // comments trimmed as Redis trims them, hz in place, a valueless known option rewritten,
        // names it cannot know commented out, one blank line where there were several
        assertEquals("# indented comment\n\nhz 13\nmaxmemory 0\n# ??? \"quoted-name\" 1\n# ??? --\n# ??? -=x\n\n"
                + "# Generated by CONFIG REWRITE\n", out.substring(0, out.indexOf("# Generated by CONFIG REWRITE\n") + 30));
    }
}
