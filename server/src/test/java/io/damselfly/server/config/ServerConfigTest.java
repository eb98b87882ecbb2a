package io.damselfly.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    /** The shipped conf file, found from the module directory Surefire runs in. */
    private static Path shippedConf() {
        Path p = Path.of("..", "conf", "damselfly.conf");
        return Files.exists(p) ? p : Path.of("conf", "damselfly.conf");
    }

    @Test
    void shippedConf_listsEveryOptionWithItsDefault() throws Exception {
        List<String[]> pairs = ServerConfig.readFile(shippedConf());
        for (Option o : Option.values()) {
            String[] line = pairs.stream().filter(p -> Option.byName(p[0]) == o).findFirst().orElse(null);
            assertTrue(line != null, "conf/damselfly.conf does not list " + o.flag());
            assertEquals(o.format(o.parse(o.defaultValue())), o.format(o.parse(line[1])),
                    "conf/damselfly.conf gives a default for " + o.flag() + " other than the code's");
        }
        assertEquals(Option.values().length, pairs.size(), "conf/damselfly.conf lists an option twice or an unknown one");
        ServerConfig.fromArgs(shippedConf().toString());
    }

    @Test
    void flags_allForms() throws Exception {
        ServerConfig c = ServerConfig.fromArgs("--port", "7000", "--bind=0.0.0.0", "--notcp_nodelay", "--cache_mode",
                "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lfu", "--hz=50");
        assertEquals(7000, c.getInt(Option.PORT));
        assertEquals("0.0.0.0", c.getString(Option.BIND));
        assertFalse(c.getBool(Option.TCP_NODELAY));
        assertTrue(c.getBool(Option.CACHE_MODE));
        assertEquals(256L * 1024 * 1024, c.getLong(Option.MAXMEMORY));
        assertEquals("allkeys-lfu", c.getString(Option.MAXMEMORY_POLICY));
        assertEquals(50, c.getInt(Option.HZ));
    }

    @Test
    void memoryUnits_likeRedis() {
        assertEquals(1000, OptionType.parseMemory("1k"));
        assertEquals(1024, OptionType.parseMemory("1kb"));
        assertEquals(6L * 1024 * 1024 * 1024, OptionType.parseMemory("6GB"));
        assertEquals(5_000_000, OptionType.parseMemory("5m"));
        assertEquals(-1, OptionType.parseMemory("lots"));
        assertEquals(-1, OptionType.parseMemory("-5mb"));
    }

    @Test
    void invalid_refusedWithClearMessage() {
        ConfigException unknown = assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--no_such_flag", "1"));
        assertTrue(unknown.getMessage().contains("unknown option 'no_such_flag'"), unknown.getMessage());
        ConfigException badPort = assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--port", "70000"));
        assertTrue(badPort.getMessage().contains("port"), badPort.getMessage());
        assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--maxmemory", "much"));
        assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--maxmemory_policy", "sometimes"));
        assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--port"));
        assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("stray", "--port", "1"));
    }

    @Test
    void configFile_redisAndFlagStyles_thenFlagsOverride(@TempDir Path dir) throws IOException, ConfigException {
        Path f = dir.resolve("d.conf");
        Files.writeString(f, "# comment\nport 7001\n--hz=20\nrequirepass \"s3cret\"\nmaxmemory-policy allkeys-lru\n\n");
        ServerConfig c = ServerConfig.fromArgs(f.toString(), "--port", "7002");
        assertEquals(7002, c.getInt(Option.PORT));
        assertEquals(20, c.getInt(Option.HZ));
        assertEquals("s3cret", c.getString(Option.REQUIREPASS));
        assertEquals("allkeys-lru", c.getString(Option.MAXMEMORY_POLICY));
        ServerConfig viaFlagfile = ServerConfig.fromArgs("--flagfile=" + f);
        assertEquals(7001, viaFlagfile.getInt(Option.PORT));
        assertThrows(ConfigException.class, () -> ServerConfig.fromArgs(dir.resolve("missing.conf").toString()));
    }

    @Test
    void apply_isAllOrNothing() throws ConfigException {
        ServerConfig c = new ServerConfig();
        ConfigException e = assertThrows(ConfigException.class,
                () -> c.apply(Map.of(Option.HZ, "20", Option.MAXMEMORY, "lots")));
        assertTrue(e.getMessage().startsWith("CONFIG SET failed (possibly related to argument 'maxmemory') - "), e.getMessage());
        assertEquals(10, c.getInt(Option.HZ), "a failed multi-option set must change nothing");
        int[] seen = {0};
        c.watch(Option.HZ, v -> seen[0]++);
        c.apply(Map.of(Option.HZ, "30"));
        assertEquals(30, c.getInt(Option.HZ));
        assertEquals(2, seen[0], "watch runs once at registration and once per change");
    }
}
