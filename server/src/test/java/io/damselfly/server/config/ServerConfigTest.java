package io.damselfly.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.testing.TempDirs;
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
        List<ServerConfig.Setting> settings = ServerConfig.readFile(shippedConf());
        for (Option o : Option.values()) {
            ServerConfig.Setting line = settings.stream().filter(s -> Option.byName(s.name()) == o).findFirst().orElse(null);
            assertTrue(line != null, "conf/damselfly.conf does not list " + o.flag());
            assertEquals(o.format(o.parse(o.defaultValue())), o.format(o.parse(line.value())),
                    "conf/damselfly.conf gives a default for " + o.flag() + " other than the code's");
        }
        assertEquals(Option.values().length, settings.size(), "conf/damselfly.conf lists an option twice or an unknown one");
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

    /** redis-server's own command-line forms (introspection.tcl's "redis-server command line arguments" tests). */
    @Test
    void flags_redisServersCommandLineForms() throws Exception {
        ServerConfig c = ServerConfig.fromArgs("--maxmemory 700mb", "--maxmemory-policy 'volatile-lru'",
                "--proc-title-template --my--title--template", "--loglevel verbose");
        assertEquals(734003200L, c.getLong(Option.MAXMEMORY));
        assertEquals("volatile-lru", c.getString(Option.MAXMEMORY_POLICY));
        assertEquals("--my--title--template", c.getString(Option.PROC_TITLE_TEMPLATE));
        assertEquals("verbose", c.getString(Option.LOGLEVEL));
        for (String[] args : new String[][] {{"--save", "--loglevel", "verbose"}, {"--loglevel", "verbose", "--save"}}) {
            ServerConfig s = ServerConfig.fromArgs(args);
            assertEquals("", s.format(Option.SAVE), List.of(args).toString());
            assertEquals("verbose", s.getString(Option.LOGLEVEL), List.of(args).toString());
        }
        assertEquals("60 5", ServerConfig.fromArgs("--save", "60 5").format(Option.SAVE));
        c = ServerConfig.fromArgs("--proc-title-template", "--save", "--save", "", "--loglevel", "verbose");
        assertEquals("--save", c.getString(Option.PROC_TITLE_TEMPLATE));
        assertEquals("", c.format(Option.SAVE));
        // after a config file, words no --option comes before are a line of their own (introspection's
        // "wrong usage that we support anyway"); a name alone is refused
        java.nio.file.Path conf = TempDirs.file("args", ".conf");
        java.nio.file.Files.writeString(conf, "port 7001\n");
        c = ServerConfig.fromArgs(conf.toString(), "loglevel", "verbose", "--maxmemory '700mb'");
        assertEquals("verbose", c.getString(Option.LOGLEVEL));
        assertEquals(734003200L, c.getLong(Option.MAXMEMORY));
        assertThrows(ConfigException.class, () -> ServerConfig.fromArgs(conf.toString(), "loglevel"));
        c = ServerConfig.fromArgs("--shutdown-on-sigint", "nosave", "force", "now", "--shutdown-on-sigterm", "nosave force");
        assertEquals("nosave now force", c.format(Option.SHUTDOWN_ON_SIGINT));
        assertEquals("nosave force", c.format(Option.SHUTDOWN_ON_SIGTERM));
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

    @Test
    void memoryUnits_dragonflyForms() {
        assertEquals(2L << 30, OptionType.parseMemory("2GB"));
        assertEquals(512L << 20, OptionType.parseMemory("512MB"));
        assertEquals(100L << 20, OptionType.parseMemory("100mb"));
        assertEquals(3L << 29, OptionType.parseMemory("1.5GB"));
        assertEquals(3L << 29, OptionType.parseMemory("1.5gib"));
        assertEquals(256L << 20, OptionType.parseMemory("256MiB"));
        assertEquals(1L << 40, OptionType.parseMemory("1TB"));
        assertEquals(1536, OptionType.parseMemory("1.5kb"));
        assertEquals(2, OptionType.parseMemory("1.5"));
        // Redis's forms keep their meaning
        assertEquals(1L << 30, OptionType.parseMemory("1gb"));
        assertEquals(100_000_000, OptionType.parseMemory("100m"));
        assertEquals(1024, OptionType.parseMemory("1024"));
        for (String bad : new String[] {"", "gb", "1.gb", ".5gb", "1..5gb", "1.5.5", "1,5gb", "1e3", "-1.5gb", "1 gb x",
                "99999999999999999999", "9999999999tb", "0x10", "NaN", "inf"}) {
            assertEquals(-1, OptionType.parseMemory(bad), bad);
        }
    }

    @Test
    void save_redisForms_linesAddUpAtStart_configSetReplaces(@TempDir Path dir) throws Exception {
        assertEquals("900 1 300 10", ServerConfig.fromArgs("--save", "900 1 300 10").format(Option.SAVE));
        Path file = dir.resolve("redis.conf");
        Files.writeString(file, "save 900 1\nsave  300   10 \nsave 60 10000\n");
        ServerConfig c = ServerConfig.fromArgs(file.toString());
        assertEquals("900 1 300 10 60 10000", c.format(Option.SAVE));
        Files.writeString(file, "save 900 1\nsave \"\"\n");
        assertEquals("", ServerConfig.fromArgs(file.toString()).format(Option.SAVE));
        // a list option named alone takes no arguments, as Redis's MULTI_ARG_CONFIG ones (its tests
        // write `save ""` as "save "); any other option alone is refused
        Files.writeString(file, "save \n");
        assertEquals("", ServerConfig.fromArgs(file.toString()).format(Option.SAVE));
        Files.writeString(file, "hz\n");
        assertThrows(ConfigException.class, () -> ServerConfig.fromArgs(file.toString()));
        c.apply(Map.of(Option.SAVE, "3600 1 300 100 60 10000"));
        assertEquals("3600 1 300 100 60 10000", c.format(Option.SAVE));
        c.apply(Map.of(Option.SAVE, ""));
        assertEquals("", c.format(Option.SAVE));
        ConfigException e = assertThrows(ConfigException.class, () -> c.apply(Map.of(Option.SAVE, "900")));
        assertTrue(e.getMessage().contains("Invalid save parameters"), e.getMessage());
        assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--save=abc 1"));
        assertEquals("", ServerConfig.fromArgs("--save=900 1", "--save=\"\"").format(Option.SAVE));
    }

    @Test
    void schedules_parsedAtStart_garbageStopsIt() throws Exception {
        ServerConfig c = ServerConfig.fromArgs("--save_schedule=*:30", "--snapshot_cron", "*/15 * * * *");
        assertEquals("*:30", c.format(Option.SAVE_SCHEDULE));
        assertEquals("*/15 * * * *", c.format(Option.SNAPSHOT_CRON));
        assertTrue(c.get(Option.SAVE_SCHEDULE) instanceof io.damselfly.server.persist.SaveSchedule);
        assertEquals(io.damselfly.server.persist.SaveSchedule.NONE, new ServerConfig().get(Option.SNAPSHOT_CRON));
        ConfigException bad = assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--save_schedule=25:00"));
        assertTrue(bad.getMessage().contains("save_schedule"), bad.getMessage());
        // snapshot_cron takes cron lines only
        assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--snapshot_cron=*:30"));
        assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--snapshot_cron=0 0 * * * *"));
    }

    @Test
    void dragonflyOnlyNumbers_boundsAndDefaults() throws Exception {
        ServerConfig c = new ServerConfig();
        assertEquals(100, c.getLong(Option.MAX_EVICTION_PER_HEARTBEAT));
        assertEquals(1, c.getLong(Option.PIPELINE_SQUASH));
        c = ServerConfig.fromArgs("--max_eviction_per_heartbeat=0", "--pipeline_squash=0");
        assertEquals(0, c.getLong(Option.MAX_EVICTION_PER_HEARTBEAT));
        assertEquals(0, c.getLong(Option.PIPELINE_SQUASH));
        assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--max_eviction_per_heartbeat=-1"));
        assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--pipeline_squash=lots"));
        assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--pipeline_squash=4294967296"));
    }
}
