package io.damselfly.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which words a boolean option takes, by the syntax it comes in: Redis's (CONFIG SET, a config
 * file's "name value" line, {@code --name value}) takes yes or no only, against a live
 * redis-server 7.0.15; Dragonfly's flag syntax ({@code --name=value}, {@code --name},
 * {@code --noname}) takes absl's words, so Dragonfly command lines start unchanged.
 */
class BooleanOptionWordsTest {
    private static final String YES_OR_NO = "argument must be 'yes' or 'no'";

    @TempDir
    Path tmp;

    @Test
    void configSet_redisBooleans_takeOnlyYesOrNo_asRedis() throws Exception {
        String[] words = {"true", "false", "1", "0", "on", "off", "t", "f", "y", "n", " yes", "no ", "yes\t", "", "ja"};
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        try (RedisServerProcess redis = RedisServerProcess.start();
             EmbeddedServer server = EmbeddedServer.builder().start();
             RawClient d = new RawClient("127.0.0.1", server.port());
             RawClient r = new RawClient("127.0.0.1", redis.port())) {
            for (Option o : Option.values()) {
                if (o.type() != OptionType.BOOL || o.redisName() == null) {
                    continue;
                }
                for (String w : words) {
                    String expected = r.callText("CONFIG", "SET", o.redisName(), w);
                    String actual = d.callText("CONFIG", "SET", o.redisName(), w);
                    if (!expected.equals(actual)) {
                        mismatches.add(o.redisName() + " '" + w + "': redis " + expected + " damselfly " + actual);
                    }
                    compared++;
                }
                if (!r.callText("CONFIG", "GET", o.redisName()).equals(d.callText("CONFIG", "GET", o.redisName()))) {
                    mismatches.add(o.redisName() + " reads back differently");
                }
            }
            // the case of yes and no does not matter, in either
            for (RawClient c : new RawClient[] {r, d}) {
                assertEquals("+OK", c.callText("CONFIG", "SET", "protected-mode", "No"));
                assertEquals("[$protected-mode, $no]", c.callText("CONFIG", "GET", "protected-mode"));
                assertEquals("+OK", c.callText("CONFIG", "SET", "protected-mode", "YES"));
                assertEquals("[$protected-mode, $yes]", c.callText("CONFIG", "GET", "protected-mode"));
            }
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'appendonly') - " + YES_OR_NO,
                    d.callText("CONFIG", "SET", "appendonly", "true"));
        }
        assertTrue(compared > 300, "only " + compared + " compared");
        assertEquals(List.of(), mismatches);
    }

    @Test
    void configFile_redisLine_takesOnlyYesOrNo_asRedis() throws Exception {
        Path conf = tmp.resolve("redis.conf");
        Files.writeString(conf, "protected-mode true\n");
        IllegalStateException redis = assertThrows(IllegalStateException.class, () -> RedisServerProcess.start(conf).close());
        assertTrue(redis.getMessage().contains(YES_OR_NO), redis.getMessage());
        IllegalArgumentException damselfly = assertThrows(IllegalArgumentException.class,
                () -> EmbeddedServer.builder().configFile(conf).start().close());
        assertTrue(damselfly.getMessage().contains(YES_OR_NO), damselfly.getMessage());

        Files.writeString(conf, "protected-mode NO\n");
        try (RedisServerProcess r = RedisServerProcess.start(conf);
             EmbeddedServer server = EmbeddedServer.builder().configFile(conf).start();
             RawClient rc = new RawClient("127.0.0.1", r.port());
             RawClient dc = new RawClient("127.0.0.1", server.port())) {
            assertEquals("[$protected-mode, $no]", rc.callText("CONFIG", "GET", "protected-mode"));
            assertEquals("[$protected-mode, $no]", dc.callText("CONFIG", "GET", "protected-mode"));
        }
    }

    @Test
    void commandLine_redisForm_takesOnlyYesOrNo_asRedis() throws Exception {
        IllegalStateException redis = assertThrows(IllegalStateException.class,
                () -> RedisServerProcess.start("--protected-mode", "true").close());
        assertTrue(redis.getMessage().contains(YES_OR_NO), redis.getMessage());
        ConfigException damselfly = assertThrows(ConfigException.class,
                () -> ServerConfig.fromArgs("--protected-mode", "true"));
        assertTrue(damselfly.getMessage().contains(YES_OR_NO), damselfly.getMessage());
        assertFalse(ServerConfig.fromArgs("--protected-mode", "no").getBool(Option.PROTECTED_MODE));
        assertFalse(ServerConfig.fromArgs("--rdbchecksum", "NO").getBool(Option.RDBCHECKSUM));
    }

    @Test
    void dragonflyFlagSyntax_takesAbslWords() throws Exception {
        ServerConfig c = ServerConfig.fromArgs("--cache_mode=true", "--tcp_nodelay=0", "--protected_mode=false",
                "--rdbchecksum=F", "--lazyfree-lazy-expire=y", "--command_statistics= No ");
        assertTrue(c.getBool(Option.CACHE_MODE));
        assertFalse(c.getBool(Option.TCP_NODELAY));
        assertFalse(c.getBool(Option.PROTECTED_MODE));
        assertFalse(c.getBool(Option.RDBCHECKSUM));
        assertTrue(c.getBool(Option.LAZYFREE_LAZY_EXPIRE));
        assertFalse(c.getBool(Option.COMMAND_STATISTICS));
        // a bare flag is true, --no<flag> false, for Redis's options too
        c = ServerConfig.fromArgs("--noprotected_mode", "--lazyfree_lazy_expire");
        assertFalse(c.getBool(Option.PROTECTED_MODE));
        assertTrue(c.getBool(Option.LAZYFREE_LAZY_EXPIRE));
        // absl takes no other words: on/off are not booleans to Dragonfly
        for (String bad : new String[] {"on", "off", "2", "", "yess", "tru"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromArgs("--cache_mode=" + bad), bad);
            assertTrue(e.getMessage().contains("argument must be true or false"), e.getMessage());
        }
    }

    @Test
    void flagFile_dragonflyLines_takeAbslWords_redisLinesYesOrNo() throws Exception {
        Path flags = tmp.resolve("d.flags");
        Files.writeString(flags, "--cache_mode=true\n--protected_mode=false\n--tcp_nodelay\n");
        ServerConfig c = ServerConfig.fromArgs("--flagfile=" + flags);
        assertTrue(c.getBool(Option.CACHE_MODE));
        assertFalse(c.getBool(Option.PROTECTED_MODE));
        assertTrue(c.getBool(Option.TCP_NODELAY));
        // an option only Dragonfly (or damselfly) has is Dragonfly's in any syntax, as conf/damselfly.conf writes it
        Files.writeString(flags, "cache_mode true\ntcp_nodelay false\n");
        c = ServerConfig.fromArgs(flags.toString());
        assertTrue(c.getBool(Option.CACHE_MODE));
        assertFalse(c.getBool(Option.TCP_NODELAY));
        Files.writeString(flags, "protected-mode false\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromArgs(flags.toString()));
        assertTrue(e.getMessage().contains(YES_OR_NO), e.getMessage());
    }
}
