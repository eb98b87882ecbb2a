package io.damselfly.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stock redis.conf starts damselfly unchanged: Redis 7.0.15's own file (a copy in the test
 * resources) and Debian's (/etc/redis/redis.conf, installed with redis-server), each with only
 * the lines a test machine must change, and every directive they name, set or commented out,
 * reads back through CONFIG GET as from a redis-server started from the same file. Then every
 * option this work added answers CONFIG SET's garbage as redis-server does.
 */
class ConfigDirectivesTest {
    /** Lines the test machine changes: where to listen and write, and no daemon, pid file or log file. */
    private static final Set<String> MACHINE = Set.of("port", "bind", "dir", "daemonize", "pidfile", "logfile", "save");
    /**
     * Process-level directives another branch adds (daemonize ... proc-title-template); until it
     * is merged they are dropped from the copy, after it they stay. Bind with several addresses is
     * theirs too: the copy binds 127.0.0.1 either way.
     */
    private static final Set<String> PROCESS_LEVEL = Set.of("daemonize", "pidfile", "logfile", "loglevel", "timeout",
            "protected-mode", "set-proc-title", "proc-title-template");
    private static final Pattern DIRECTIVE = Pattern.compile("^#? ?([a-z][a-z0-9-]+) ");

    @TempDir
    Path tmp;

    @Test
    void redisOwnConfStartsAndReadsAsRedis() throws Exception {
        String text;
        try (InputStream in = getClass().getResourceAsStream("/redis-7.0.15.conf")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        startsAndReadsAsRedis(text);
    }

    @Test
    void debianConfStartsAndReadsAsRedis() throws Exception {
        startsAndReadsAsRedis(Files.readString(Path.of("/etc/redis/redis.conf")));
    }

    private void startsAndReadsAsRedis(String stock) throws Exception {
        Path conf = tmp.resolve("redis.conf");
        Files.writeString(conf, adjusted(stock));
        Set<String> names = directives(stock);
        try (RedisServerProcess redis = RedisServerProcess.start(conf);
             EmbeddedServer server = EmbeddedServer.builder().configFile(conf).option("dir", tmp.toString()).start();
             RawClient d = new RawClient("127.0.0.1", server.port());
             RawClient r = new RawClient("127.0.0.1", redis.port())) {
            int compared = 0;
            for (String name : names) {
                if (MACHINE.contains(name) || PROCESS_LEVEL.contains(name) || Option.byName(name) == null) {
                    continue;
                }
                assertEquals(r.callText("CONFIG", "GET", name), d.callText("CONFIG", "GET", name), name);
                compared++;
            }
            // every directive the file sets is known (else the start failed); most commented ones too
            assertTrue(compared > 100, "only " + compared + " directives compared");
        }
    }

    /** The stock file with the test machine's changes: no daemon, no pid or log file, local bind. */
    private static String adjusted(String stock) {
        StringBuilder out = new StringBuilder();
        for (String line : stock.split("\n", -1)) {
            String name = line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line;
            if (name.equals("bind")) {
                out.append("bind 127.0.0.1\n");
            } else if (name.equals("daemonize")) {
                out.append(Option.byName(name) == null ? "" : "daemonize no\n");
            } else if (name.equals("pidfile") || name.equals("logfile")
                    || (PROCESS_LEVEL.contains(name) && Option.byName(name) == null)) {
                continue;
            } else {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** Every directive the file names, set or commented out ("# name value"), in file order. */
    private static Set<String> directives(String stock) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : stock.split("\n")) {
            Matcher m = DIRECTIVE.matcher(line);
            if (m.find() && (!line.startsWith("#") || m.group(1).contains("-") || Option.byName(m.group(1)) != null)) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The options of the "Redis directives accepted for compatibility" block, and what Redis refuses of them. */
    @Test
    void garbageValuesAnsweredAsRedis() throws Exception {
        List<Option> added = new ArrayList<>();
        boolean in = false;
        for (Option o : Option.values()) {
            in |= o == Option.LAZYFREE_LAZY_EVICTION;
            if (in && o == Option.UPSTREAM) {
                break;
            }
            if (in) {
                added.add(o);
            }
        }
        assertTrue(added.size() > 60, added.toString());
        String[] garbage = {"", "maybe", "-1", "0", "5", "1k", "2mb", "-2001", "99999999999999999999", "1.5",
                "0x10", " 7", "yes", "NO", "true", "off", "absolute", "swapdb", "1 2", "1 2 3", "0 200 2001", "a b c",
                "-2000 0 2000"};
        try (RedisServerProcess redis = RedisServerProcess.start();
             EmbeddedServer server = EmbeddedServer.builder().start();
             RawClient d = new RawClient("127.0.0.1", server.port());
             RawClient r = new RawClient("127.0.0.1", redis.port())) {
            List<String> mismatches = new ArrayList<>();
            for (Option o : added) {
                for (String g : garbage) {
                    if ((o.type() == OptionType.MEMORY || o == Option.MAXMEMORY_CLIENTS) && g.equals("1.5")) {
                        continue; // Dragonfly's fractional sizes (1.5GB) are a documented extension
                    }
                    if ((o == Option.MAXMEMORY_CLIENTS || o == Option.CLUSTER_LINK_SENDBUF_LIMIT) && g.equals("99999999999999999999")) {
                        continue; // Redis's memtoull wraps it (to "1%", to 2^64-1); refused here
                    }
                    if (o == Option.OOM_SCORE_ADJ) {
                        continue; // would change this JVM's OOM score; oomScoreAdjWritesProc covers it
                    }
                    String name = o.redisName();
                    String expected = r.callText("CONFIG", "SET", name, g);
                    String actual = d.callText("CONFIG", "SET", name, g);
                    if (!expected.equals(actual)) {
                        mismatches.add(name + " '" + g + "': redis " + expected + " damselfly " + actual);
                    }
                    expected = r.callText("CONFIG", "GET", name);
                    actual = d.callText("CONFIG", "GET", name);
                    if (!expected.equals(actual)) {
                        mismatches.add(name + " after '" + g + "': redis " + expected + " damselfly " + actual);
                    }
                }
            }
            assertEquals(List.of(), mismatches);
        }
    }

    @Test
    void appendonlyYesInAConfigFile_loadsAndKeepsTheAof() throws IOException {
        // the AOF directory goes in dir, as Redis's does: a start with appendonly yes creates it there
        Path conf = tmp.resolve("aof.conf");
        Files.writeString(conf, "appendonly yes\ndir " + tmp + "\n");
        try (EmbeddedServer server = EmbeddedServer.builder().configFile(conf).start();
             RawClient d = new RawClient("127.0.0.1", server.port())) {
            assertEquals("+OK", d.callText("SET", "k", "v"));
            assertTrue(d.callText("INFO", "persistence").contains("aof_enabled:1"));
        }
        assertTrue(Files.isRegularFile(tmp.resolve("appendonlydir").resolve("appendonly.aof.manifest")));
        try (EmbeddedServer server = EmbeddedServer.builder().configFile(conf).start();
             RawClient d = new RawClient("127.0.0.1", server.port())) {
            assertEquals("$v", d.callText("GET", "k"));
        }
    }
}
