package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import io.lettuce.core.MigrateArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * MIGRATE from damselfly to real redis-servers (and to another damselfly): every type with and
 * without TTLs, COPY, REPLACE, KEYS, AUTH and AUTH2, the target's errors, I/O errors and
 * timeouts, the cached connection, MULTI and scripts, and the two things Redis cannot show:
 * other clients are served while a MIGRATE waits, and a key written meanwhile is not deleted.
 * Replies compared with a redis-server source are in MigrateCommandsCompatibilityTest.
 */
@ExtendWith(ServerExtension.class)
class MigrateCommandsTest {
    private static RedisServerProcess target;
    /** requirepass "pw", and an ACL user "mover" with password "secret". */
    private static RedisServerProcess secured;

    @BeforeAll
    static void startTargets() throws Exception {
        target = RedisServerProcess.start("--enable-debug-command", "yes");
        secured = securedTarget();
    }

    /** A redis-server with requirepass "pw" and an ACL user "mover" (password "secret") allowed everything. */
    static RedisServerProcess securedTarget() throws Exception {
        RedisServerProcess r = RedisServerProcess.start("--requirepass", "pw");
        try (RawClient c = new RawClient("127.0.0.1", r.port())) {
            assertEquals("+OK", c.callText("AUTH", "pw"));
            assertEquals("+OK", c.callText("ACL", "SETUSER", "mover", "on", ">secret", "~*", "+@all"));
        }
        return r;
    }

    @AfterAll
    static void stopTargets() {
        target.close();
        secured.close();
    }

    @BeforeEach
    void emptyTargets() {
        try (RawClient c = new RawClient("127.0.0.1", target.port())) {
            assertEquals("+OK", c.callText("FLUSHALL"));
        }
        try (RawClient c = new RawClient("127.0.0.1", secured.port())) {
            c.callText("AUTH", "pw");
            assertEquals("+OK", c.callText("FLUSHALL"));
        }
    }

    private static RawClient to(RedisServerProcess r) {
        return new RawClient("127.0.0.1", r.port());
    }

    private static String migrate(RawClient c, int port, Object... rest) {
        List<Object> args = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", port));
        args.addAll(List.of(rest));
        return c.callText(args.toArray());
    }

    @Test
    void migrate_string_movesTheKeyWithItsTtl(RedisCommands<String, String> redis) {
        redis.psetex("k", 100_000, "value");
        assertEquals("OK", redis.migrate("127.0.0.1", target.port(), "k", 0, 5000));
        assertEquals(0L, redis.exists("k"));
        try (RawClient t = to(target)) {
            assertEquals("$value", t.callText("GET", "k"));
            long pttl = Long.parseLong(t.callText("PTTL", "k").substring(1));
            assertTrue(pttl > 90_000 && pttl <= 100_000, "pttl " + pttl);
        }
    }

    @Test
    void migrate_everyType_copyLeavesBothEqual(RawClient raw) {
        raw.call("SET", "str", "hello");
        raw.call("SET", "int", "12345");
        raw.call("RPUSH", "list", "a", "b", "c", "1", "2");
        raw.call("HSET", "hash", "f1", "v1", "f2", "v2");
        raw.call("SADD", "intset", "1", "2", "3");
        raw.call("SADD", "set", "x", "y", "z");
        raw.call("ZADD", "zset", "1.5", "a", "2", "b", "-3", "c");
        raw.call("XADD", "stream", "1-1", "f", "v");
        raw.call("XADD", "stream", "2-1", "g", "w");
        raw.call("XGROUP", "CREATE", "stream", "grp", "0");
        raw.call("XREADGROUP", "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", "stream", ">");
        for (int i = 0; i < 300; i++) {
            raw.call("HSET", "bighash", "field" + i, "value" + i);
            raw.call("SADD", "bigset", "member" + i);
            raw.call("ZADD", "bigzset", Integer.toString(i), "member" + i);
            raw.call("RPUSH", "biglist", "element" + i);
        }
        raw.call("PEXPIRE", "list", "50000");
        String[] keys = {"str", "int", "list", "hash", "intset", "set", "zset", "stream", "bighash", "bigset", "bigzset",
            "biglist"};
        List<Object> args = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", target.port(), "", 0, 5000, "COPY", "KEYS"));
        args.addAll(List.of((Object[]) keys));
        assertEquals("+OK", raw.callText(args.toArray()));
        try (RawClient t = to(target)) {
            for (String k : keys) {
                assertEquals(MigrateCommandsCompatibilityTest.contents(raw, k), MigrateCommandsCompatibilityTest.contents(t, k), k);
            }
            assertEquals(":-1", t.callText("PTTL", "str"));
            long pttl = Long.parseLong(t.callText("PTTL", "list").substring(1));
            assertTrue(pttl > 40_000 && pttl <= 50_000, "pttl " + pttl);
        }
        assertEquals(":" + keys.length, raw.callText("DBSIZE"), "COPY keeps the source keys");
    }

    @Test
    void migrate_keys_onlyExistingOnes_andNokeyWhenNone(RedisCommands<String, String> redis, RawClient raw) {
        assertEquals("+NOKEY", migrate(raw, target.port(), "", 0, 5000, "KEYS", "a", "b"));
        assertEquals("+NOKEY", migrate(raw, target.port(), "nokey", 0, 5000));
        redis.set("a", "1");
        redis.set("c", "3");
        assertEquals("OK", redis.migrate("127.0.0.1", target.port(), 0, 5000, MigrateArgs.Builder.keys("a", "b", "c")));
        assertEquals(0L, redis.dbsize());
        try (RawClient t = to(target)) {
            assertEquals("[$1, $3]", t.callText("MGET", "a", "c"));
            assertEquals(":2", t.callText("DBSIZE"));
        }
    }

    @Test
    void migrate_busyKey_errorAndOnlyAcknowledgedKeysDeleted(RawClient raw) {
        for (String k : new String[] {"a", "b", "c", "d", "e"}) {
            raw.call("SET", k, k);
        }
        try (RawClient t = to(target)) {
            t.call("MSET", "c", "_", "d", "_");
        }
        assertEquals("-ERR Target instance replied with error: BUSYKEY Target key name already exists.",
                migrate(raw, target.port(), "", 0, 5000, "KEYS", "a", "b", "c", "d", "e"));
        assertEquals("[$c, $d]", raw.callText("MGET", "c", "d"));
        assertEquals(":2", raw.callText("DBSIZE"));
        assertEquals("+OK", migrate(raw, target.port(), "", 0, 5000, "REPLACE", "KEYS", "c", "d"));
        assertEquals(":0", raw.callText("DBSIZE"));
        try (RawClient t = to(target)) {
            assertEquals("[$a, $b, $c, $d, $e]", t.callText("MGET", "a", "b", "c", "d", "e"));
        }
    }

    @Test
    void migrate_copyAndReplace_keepSourceAndOverwriteTarget(RawClient raw) {
        raw.call("RPUSH", "list", "new");
        try (RawClient t = to(target)) {
            t.call("RPUSH", "list", "old");
            assertEquals("-ERR Target instance replied with error: BUSYKEY Target key name already exists.",
                    migrate(raw, target.port(), "list", 0, 5000, "COPY"));
            // a name is resolved (off the loop) as well as an address
            assertEquals("+OK", raw.callText("MIGRATE", "localhost", target.port(), "list", 0, 5000, "COPY", "REPLACE"));
            assertEquals("[$new]", t.callText("LRANGE", "list", "0", "-1"));
        }
        assertEquals("[$new]", raw.callText("LRANGE", "list", "0", "-1"));
    }

    @Test
    void migrate_otherDatabases_andOneOutOfRange(RawClient raw) {
        raw.call("SET", "k", "v");
        assertEquals("-ERR Target instance replied with error: ERR DB index is out of range",
                migrate(raw, target.port(), "k", 99, 5000));
        assertEquals("$v", raw.callText("GET", "k"));
        assertEquals("+OK", migrate(raw, target.port(), "k", 3, 5000, "COPY"));
        assertEquals("+OK", migrate(raw, target.port(), "k", 5, 5000));
        try (RawClient t = to(target)) {
            assertEquals("+OK", t.callText("SELECT", "3"));
            assertEquals("$v", t.callText("GET", "k"));
            assertEquals("+OK", t.callText("SELECT", "5"));
            assertEquals("$v", t.callText("GET", "k"));
        }
    }

    @Test
    void migrate_auth_andAuth2_againstProtectedTarget(RawClient raw) {
        raw.call("RPUSH", "list", "a", "b");
        assertEquals("-ERR Target instance replied with error: NOAUTH Authentication required.",
                migrate(raw, secured.port(), "list", 0, 5000, "COPY"));
        assertEquals("-ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is disabled.",
                migrate(raw, secured.port(), "list", 0, 5000, "COPY", "AUTH", "nope"));
        assertEquals("+OK", migrate(raw, secured.port(), "list", 0, 5000, "COPY", "AUTH", "pw"));
        assertEquals("+OK", migrate(raw, secured.port(), "list", 2, 5000, "AUTH2", "mover", "secret"));
        assertEquals(":0", raw.callText("EXISTS", "list"));
        try (RawClient t = to(secured)) {
            t.call("AUTH", "mover", "secret");
            assertEquals("[$a, $b]", t.callText("LRANGE", "list", "0", "-1"));
            t.call("SELECT", "2");
            assertEquals("[$a, $b]", t.callText("LRANGE", "list", "0", "-1"));
        }
    }

    @Test
    void migrate_auth_redactedInSlowlog(RawClient raw) {
        raw.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
        try {
            raw.call("SLOWLOG", "RESET");
            migrate(raw, target.port(), "nokey", 0, 5000, "AUTH2", "user", "password");
            raw.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
            String log = raw.callText("SLOWLOG", "GET");
            assertTrue(log.contains("$AUTH2, $(redacted), $(redacted)]"), log);
        } finally {
            raw.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
        }
    }

    @Test
    void migrate_nothingListening_ioError(RawClient raw) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        raw.call("SET", "k", "v");
        // Redis 7.0.15's blocking connect reports a refused connect at its first write
        assertEquals("-IOERR error or timeout writing to target instance", migrate(raw, closedPort, "k", 0, 500));
        assertEquals("-IOERR error or timeout connecting to the client", migrate(raw, -5, "k", 0, 500));
        assertEquals("-IOERR error or timeout connecting to the client",
                raw.callText("MIGRATE", "", target.port(), "k", 0, 500));
        assertEquals("$v", raw.callText("GET", "k"));
        assertTrue(raw.callText("INFO", "errorstats").contains("errorstat_IOERR:count=3"));
    }

    @Test
    void migrate_targetTooSlow_readTimeout_whileOtherClientsAreServed(RawClient raw, EmbeddedServer server)
            throws Exception {
        raw.call("SET", "k", "v");
        try (RawClient sleeper = to(target); RawClient other = new RawClient(server.host(), server.port())) {
            sleeper.send("DEBUG", "SLEEP", "1.5");
            Thread.sleep(50);
            long start = System.nanoTime();
            raw.send("MIGRATE", "127.0.0.1", target.port(), "k", 0, 800);
            // the MIGRATE waits, its loop does not: another client (same loop or not) is answered at once
            for (int i = 0; i < 5; i++) {
                assertEquals("+PONG", other.callText("PING"));
                assertEquals("$v", other.callText("GET", "k"));
            }
            assertTrue(System.nanoTime() - start < 600_000_000L, "other clients waited for the MIGRATE");
            assertEquals("-IOERR error or timeout reading to target instance", RawClient.render(raw.read()));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 790 && millis < 1450, "timed out after " + millis + " ms");
            assertEquals("+OK", RawClient.render(sleeper.read()));
        }
        assertEquals("$v", raw.callText("GET", "k"));
        assertEquals("+NOKEY", migrate(raw, target.port(), "gone", 0, 300));
    }

    /**
     * A damselfly target in DEBUG SLEEP answers no RESTORE on any of its loops, as a sleeping
     * redis-server answers nothing, so the MIGRATE times out (TCL unit/dump "MIGRATE timeout
     * actually works": the sleeper's and the MIGRATE's connections are on different loops there).
     */
    @Test
    void migrate_toASleepingDamselflyOnTwoLoops_timesOut(RawClient raw) throws Exception {
        raw.call("SET", "k", "v");
        EmbeddedServer sleeping = EmbeddedServer.builder().port(0).option("conn_io_threads", "2")
                .option("enable-debug-command", "yes").start();
        try (RawClient sleeper = new RawClient("127.0.0.1", sleeping.port())) {
            sleeper.send("DEBUG", "SLEEP", "1.0");
            Thread.sleep(50);
            assertEquals("-IOERR error or timeout reading to target instance", migrate(raw, sleeping.port(), "k", 9, 500));
            assertEquals("+OK", RawClient.render(sleeper.read()));
            assertEquals("$v", raw.callText("GET", "k"), "the key stays where it was");
        } finally {
            sleeping.close();
        }
    }

    @Test
    void migrate_keyWrittenWhileTargetAnswers_isNotDeleted(RawClient raw, EmbeddedServer server) throws Exception {
        raw.call("SET", "k", "old");
        raw.call("SET", "untouched", "x");
        try (RawClient sleeper = to(target); RawClient other = new RawClient(server.host(), server.port())) {
            sleeper.send("DEBUG", "SLEEP", "0.5");
            Thread.sleep(50);
            raw.send("MIGRATE", "127.0.0.1", target.port(), "", 0, 5000, "KEYS", "k", "untouched");
            Thread.sleep(100);
            assertEquals("+OK", other.callText("SET", "k", "new"));
            assertEquals("+OK", RawClient.render(raw.read()));
            assertEquals("+OK", RawClient.render(sleeper.read()));
        }
        assertEquals("$new", raw.callText("GET", "k"), "the later write wins over the migration");
        assertEquals(":0", raw.callText("EXISTS", "untouched"));
        try (RawClient t = to(target)) {
            assertEquals("[$old, $x]", t.callText("MGET", "k", "untouched"));
        }
    }

    @Test
    void migrate_answerWhileAScriptHoldsTheShards_deletesOnceItEnds(RawClient raw, EmbeddedServer server)
            throws Exception {
        raw.call("SET", "k", "v");
        try (RawClient sleeper = to(target); RawClient scripter = new RawClient(server.host(), server.port());
             RawClient other = new RawClient(server.host(), server.port())) {
            sleeper.send("DEBUG", "SLEEP", "0.2");
            Thread.sleep(50);
            raw.send("MIGRATE", "127.0.0.1", target.port(), "k", 0, 5000);
            Thread.sleep(50);
            // holds every shard for 600 ms, past the target's answer
            scripter.send("EVAL", "local t = redis.call('TIME') local s = t[1] * 1000000 + t[2] "
                    + "repeat local n = redis.call('TIME') until n[1] * 1000000 + n[2] - s > 600000 return 1", "0");
            Thread.sleep(300);
            long start = System.nanoTime();
            assertEquals("+PONG", other.callText("PING"), "the loops are not blocked by the waiting deletion");
            assertTrue(System.nanoTime() - start < 200_000_000L);
            assertEquals(":1", RawClient.render(scripter.read()));
            assertEquals("+OK", RawClient.render(raw.read()));
            assertEquals("+OK", RawClient.render(sleeper.read()));
        }
        assertEquals(":0", raw.callText("EXISTS", "k"));
        try (RawClient t = to(target)) {
            assertEquals("$v", t.callText("GET", "k"));
        }
    }

    @Test
    void migrate_cachedConnection_reusedAndSelectOnlyWhenTheDbChanges(RawClient raw) {
        try (RawClient t = to(target)) {
            // a connection from an earlier test may be cached: start from a fresh one
            t.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
            assertEquals("+OK", t.callText("CONFIG", "RESETSTAT"));
            raw.call("SET", "k", "v");
            assertEquals("+OK", migrate(raw, target.port(), "k", 0, 5000, "COPY", "REPLACE"));
            // other tests' targets may still be cached too
            long cachedSockets = stat(raw, "stats", "migrate_cached_sockets");
            assertTrue(cachedSockets >= 1, "cached " + cachedSockets);
            long connections = stat(t, "stats", "total_connections_received");
            assertEquals("+OK", migrate(raw, target.port(), "k", 0, 5000, "COPY", "REPLACE"));
            assertEquals("+OK", migrate(raw, target.port(), "k", 1, 5000, "COPY", "REPLACE"));
            assertEquals(connections, stat(t, "stats", "total_connections_received"), "the connection was reused");
            assertEquals(cachedSockets, stat(raw, "stats", "migrate_cached_sockets"));
            String commandstats = t.callText("INFO", "commandstats");
            assertTrue(commandstats.contains("cmdstat_select:calls=2,"), commandstats);
            assertTrue(commandstats.contains("cmdstat_restore:calls=3,"), commandstats);
            // the target closed the cached connection: the next MIGRATE retries on a fresh one
            t.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
            assertEquals("+OK", migrate(raw, target.port(), "k", 1, 5000, "REPLACE"));
            assertEquals(":0", raw.callText("EXISTS", "k"));
        }
    }

    private static long stat(RawClient c, String section, String field) {
        String info = c.callText("INFO", section);
        int i = info.indexOf(field + ":");
        return Long.parseLong(info.substring(i + field.length() + 1, info.indexOf('\r', i)));
    }

    @Test
    void migrate_insideMultiAndScripts_refusedUnlessNothingToMove(RawClient raw) {
        raw.call("SET", "k", "v");
        assertEquals("+OK", raw.callText("MULTI"));
        assertEquals("+QUEUED", raw.callText("MIGRATE", "127.0.0.1", target.port(), "k", 0, 5000));
        assertEquals("+QUEUED", raw.callText("MIGRATE", "127.0.0.1", target.port(), "nokey", 0, 5000));
        assertEquals("[-" + MigrateCommands.NOT_IN_ATOMIC + ", +NOKEY]", raw.callText("EXEC"));
        String script = raw.callText("EVAL", "return redis.pcall('migrate','127.0.0.1',ARGV[1],'k','0','5000')", "0",
                target.port());
        assertEquals("-" + MigrateCommands.NOT_IN_ATOMIC, script);
        assertEquals("$v", raw.callText("GET", "k"));
    }

    @Test
    void migrate_damselflyToDamselfly(RawClient raw, EmbeddedServer server, @TempDir Path dir) {
        try (EmbeddedServer other = EmbeddedServer.builder().option("dir", dir.toString()).port(0).start();
             RawClient t = new RawClient(other.host(), other.port())) {
            raw.call("ZADD", "z", "1", "a", "2", "b");
            raw.call("HSET", "h", "f", "v");
            raw.call("PEXPIRE", "h", "60000");
            assertEquals("+OK", migrate(raw, other.port(), "", 4, 5000, "KEYS", "z", "h"));
            assertEquals(":0", raw.callText("DBSIZE"));
            t.call("SELECT", "4");
            assertEquals("[$a, $1, $b, $2]", t.callText("ZRANGE", "z", "0", "-1", "WITHSCORES"));
            assertEquals("[$f, $v]", t.callText("HGETALL", "h"));
            long pttl = Long.parseLong(t.callText("PTTL", "h").substring(1));
            assertTrue(pttl > 50_000 && pttl <= 60_000, "pttl " + pttl);
            // and back, through the other server's own cache
            assertEquals("+OK", t.callText("MIGRATE", "127.0.0.1", server.port(), "z", "0", "5000"));
            assertTrue(t.callText("INFO", "stats").contains("migrate_cached_sockets:1\r\n"));
        }
        assertEquals("[$a, $b]", raw.callText("ZRANGE", "z", "0", "-1"));
    }

    @Test
    void restoreAsking_isRestore(RawClient raw) {
        raw.call("SET", "k", "v");
        byte[] payload = ((io.damselfly.protocol.RespValue.BulkString) raw.call("DUMP", "k")).value();
        assertEquals("-BUSYKEY Target key name already exists.", raw.callText("RESTORE-ASKING", "k", "0", payload));
        assertEquals("+OK", raw.callText("RESTORE-ASKING", "k2", "1000", payload));
        assertEquals("$v", raw.callText("GET", "k2"));
        assertEquals("-ERR syntax error", raw.callText("RESTORE-ASKING", "k2", "0", payload, "bogus"));
        assertEquals("-ERR wrong number of arguments for 'restore-asking' command", raw.callText("RESTORE-ASKING", "k"));
    }

    @Test
    void migrate_arityAndParsing(RawClient raw) {
        assertEquals("-ERR wrong number of arguments for 'migrate' command", raw.callText("MIGRATE", "h", "1", "k", "0"));
        assertEquals("-ERR syntax error", migrate(raw, target.port(), "k", 0, 0, "AUTH"));
        assertEquals("-ERR syntax error", migrate(raw, target.port(), "k", 0, 0, "AUTH2", "u"));
        assertEquals("-ERR syntax error", migrate(raw, target.port(), "k", 0, 0, "bogus"));
        assertEquals("-" + MigrateCommands.KEYS_NEEDS_EMPTY_KEY, migrate(raw, target.port(), "k", 0, 0, "KEYS", "a"));
        assertEquals("-ERR value is not an integer or out of range", migrate(raw, target.port(), "k", "x", "y"));
        assertEquals("+NOKEY", migrate(raw, target.port(), "", 0, 0, "KEYS"));
    }

    @Test
    void atoi_readsPortsAsC() {
        assertEquals(6379, MigrateCommands.atoi("6379".getBytes()));
        assertEquals(6379, MigrateCommands.atoi(" +6379x".getBytes()));
        assertEquals(-5, MigrateCommands.atoi("-5".getBytes()));
        assertEquals(0, MigrateCommands.atoi("abc".getBytes()));
        assertEquals(0, MigrateCommands.atoi("".getBytes()));
        assertEquals(Integer.MAX_VALUE, MigrateCommands.atoi("99999999999999999999".getBytes()));
    }
}
