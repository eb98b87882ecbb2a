package io.damselfly.server.aof;

import static io.damselfly.server.aof.AofFixture.aofDirListing;
import static io.damselfly.server.aof.AofFixture.awaitQuiet;
import static io.damselfly.server.aof.AofFixture.info;
import static io.damselfly.server.aof.AofFixture.lastIncrCommands;
import static io.damselfly.server.aof.AofFixture.manifestText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.BlockedClients;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ReplicationStreamReader;
import io.damselfly.server.testing.StreamComparison;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AOF's files as Redis writes them: the commands of the last incr file after one script of
 * writes run on damselfly and on redis-server 7.0.15, both with {@code appendonly yes}; the
 * manifest and the file names through rewrites, turning the AOF off and on, and a restart; and
 * what a replica gets that the AOF does not (PUBLISH), and what DEBUG LOADAOF propagates (nothing).
 */
@Timeout(60)
class AppendOnlyFileTest {
    @TempDir
    Path tmp;
    @RegisterExtension
    final AofFixture fx = new AofFixture();

    private static final String LIBRARY = "#!lua name=aoflib\n"
            + "redis.register_function('setit', function(keys, args) return redis.call('set', keys[1], args[1]) end)";

    /** Writes of every family, with the shapes Redis rewrites before the AOF sees them. */
    private static final Object[][] SCRIPT = {
        {"SET", "s", "1"}, {"APPEND", "s", "x"}, {"INCR", "n"}, {"INCRBYFLOAT", "f", "1.5"}, {"SETRANGE", "s", "4", "yz"},
        {"SET", "e", "v", "EX", "100"}, {"EXPIRE", "s", "200"}, {"SETEX", "sx", "100", "v"}, {"GETEX", "n", "PX", "50000"},
        {"PERSIST", "n"}, {"SET", "e", "w", "KEEPTTL"}, {"GETDEL", "sx"}, {"MSET", "m1", "a", "m2", "b"},
        {"RPUSH", "l", "a", "b", "c"}, {"LPOP", "l"}, {"LMOVE", "l", "l2", "LEFT", "RIGHT"}, {"LINSERT", "l", "BEFORE", "c", "bb"},
        {"HSET", "h", "a", "1", "b", "2"}, {"HINCRBYFLOAT", "h", "a", "0.5"}, {"HDEL", "h", "b"},
        {"SADD", "st", "a", "b", "c"}, {"SREM", "st", "a"}, {"SMOVE", "st", "st2", "b"}, {"SINTERSTORE", "st3", "st", "st2"},
        {"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"ZINCRBY", "z", "3", "a"}, {"ZPOPMIN", "z"}, {"ZREMRANGEBYSCORE", "z", "0", "3"},
        {"XADD", "x", "1-1", "f", "v"}, {"XADD", "x", "*", "g", "w"}, {"XGROUP", "CREATE", "x", "grp", "0"},
        {"XREADGROUP", "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", "x", ">"}, {"XACK", "x", "grp", "1-1"},
        {"XTRIM", "x", "MAXLEN", "5"},
        {"PFADD", "hll", "a", "b", "c"}, {"SETBIT", "bits", "7", "1"}, {"BITOP", "NOT", "bits2", "bits"},
        {"GEOADD", "geo", "13.361389", "38.115556", "Palermo"},
        {"MULTI"}, {"SET", "tx", "1"}, {"INCR", "n"}, {"EXEC"},
        {"EVAL", "redis.call('set', KEYS[1], ARGV[1]); return redis.call('incr', 'n')", "1", "ev", "val"},
        {"FUNCTION", "LOAD", LIBRARY}, {"FCALL", "setit", "1", "fk", "fv"},
        {"SELECT", "3"}, {"SET", "d3", "v"}, {"EXPIRE", "d3", "300"}, {"SELECT", "5"}, {"LPUSH", "d5", "x"}, {"SELECT", "0"},
        {"PUBLISH", "ch", "not in the aof"},
        {"COPY", "s", "s2"}, {"RENAME", "s2", "s3"}, {"DEL", "m1"}, {"UNLINK", "m2"}, {"SET", "nx", "1", "NX"},
        {"SET", "nx", "2", "NX"}, {"DEL", "absent"},
        {"SET", "at", "v", "PXAT", "4102444800000"}, {"EXPIREAT", "e", "4102444800"},
        {"LPUSH", "bl", "served"},
        {"FLUSHALL"}, {"SET", "after", "flush"},
    };

    /** What the server answers and what its last incr file holds after {@link #SCRIPT}. */
    private static List<List<String>> runScript(RawClient c, int port) throws Exception {
        List<String> replies = new ArrayList<>();
        try (RawClient blocked = new RawClient("127.0.0.1", port)) {
            blocked.send("BLPOP", "bl", "0");
            BlockedClients.await(c, 1);
            for (Object[] command : SCRIPT) {
                replies.add(RawClient.render(c.call(command)));
            }
            replies.add(RawClient.render(blocked.read()));
        }
        // under everysec a write may wait up to 2 s for a running fsync, replies going out
        // meanwhile (both servers): the file is read once nothing waits
        AofFixture.await("the AOF buffer written", Duration.ofSeconds(5), () -> info(c, "aof_buffer_length").equals("0"));
        // the servers run the script a moment apart: the stream's ID from '*' is a time too
        return List.of(StreamComparison.withTimesBlanked(replies), lastIncrCommands(c));
    }

    @Test
    void incrFileHoldsWhatRedisWrites() throws Exception {
        int redisPort = fx.redis(tmp.resolve("redis")).port();
        EmbeddedServer server = fx.damselfly(tmp.resolve("damselfly"));
        RawClient ours = fx.raw(server.port());
        List<List<String>> expected = runScript(fx.raw(redisPort), redisPort);
        List<List<String>> actual = runScript(ours, server.port());
        assertEquals(expected.get(0), actual.get(0), "replies");
        assertEquals(String.join("\n", expected.get(1)), String.join("\n", actual.get(1)), "last incr file");
        assertFalse(actual.get(1).stream().anyMatch(l -> l.startsWith("PUBLISH")), "PUBLISH is not in the AOF");
        // the comparison is of whole logs: the script's shapes are all there
        String log = String.join("\n", expected.get(1));
        for (String line : List.of("MULTI", "EXEC", "SELECT 3", "SELECT 5", "FLUSHALL", "SET after flush", "PEXPIREAT s <ms>",
                "SET e v PXAT <ms>", "FUNCTION LOAD", "set ev val", "incr n", "set fk fv", "XCLAIM x grp alice", "LPUSH bl served")) {
            assertTrue(log.contains(line), line + " in " + log);
        }
    }

    /** One step's manifest text and AOF directory listing. */
    private record AofState(String manifest, List<String> listing) {
    }

    private static AofState filesAfter(RawClient c) throws Exception {
        awaitQuiet(c);
        return new AofState(manifestText(c), aofDirListing(c));
    }

    /**
     * The same life on one server: start on an empty dir, BGREWRITEAOF twice, appendonly no then
     * yes, a restart; the manifest and files after each step.
     */
    private interface Restart {
        RawClient restart() throws Exception;
    }

    private static List<AofState> life(RawClient c, Restart restart) throws Exception {
        List<AofState> steps = new ArrayList<>();
        c.call("SET", "k", "1");
        steps.add(filesAfter(c));
        for (int i = 0; i < 2; i++) {
            assertEquals("+Background append only file rewriting started", c.callText("BGREWRITEAOF"));
            steps.add(filesAfter(c));
            c.call("INCR", "k");
        }
        assertEquals("+OK", c.callText("CONFIG", "SET", "appendonly", "no"));
        steps.add(filesAfter(c));
        c.call("INCR", "k");
        assertEquals("+OK", c.callText("CONFIG", "SET", "appendonly", "yes"));
        steps.add(filesAfter(c));
        c.call("INCR", "k");
        RawClient again = restart.restart();
        steps.add(filesAfter(again));
        assertEquals(":6", again.callText("INCR", "k"), "the data came back with the files");
        steps.add(filesAfter(again));
        return steps;
    }

    @Test
    void manifestAndFileNamesFollowRedisThroughRewritesOffOnAndRestart() throws Exception {
        Path redisDir = tmp.resolve("redis");
        RedisServerProcess[] redis = {fx.redis(redisDir)};
        List<AofState> expected = life(fx.raw(redis[0].port()), () -> {
            fx.stop(redis[0]);
            redis[0] = fx.redis(redisDir);
            return fx.raw(redis[0].port());
        });
        Path ourDir = tmp.resolve("damselfly");
        EmbeddedServer[] server = {fx.damselfly(ourDir)};
        List<AofState> actual = life(fx.raw(server[0].port()), () -> {
            fx.stop(server[0]);
            server[0] = fx.damselfly(ourDir);
            return fx.raw(server[0].port());
        });
        assertEquals(expected, actual);
    }

    /**
     * SHUTDOWN while the AOF just turned on writes its first rewrite (slowed by
     * rdb-key-save-delay): refused, as Redis refuses it, since no AOF holds the data set yet; once
     * the rewrite is done it stops the server.
     */
    @Test
    void shutdownWhileTheInitialAofIsWritten_isRefusedAsRedis() throws Exception {
        RedisServerProcess redis = fx.redis(tmp.resolve("redis"), "--appendonly", "no");
        EmbeddedServer ours = fx.damselfly(tmp.resolve("damselfly"), "appendonly", "no");
        for (RawClient c : List.of(fx.raw(redis.port()), fx.raw(ours.port()))) {
            assertEquals("+OK", c.callText("DEBUG", "POPULATE", "1500"));
            assertEquals("+OK", c.callText("CONFIG", "SET", "rdb-key-save-delay", "1000"));
            assertEquals("+OK", c.callText("CONFIG", "SET", "appendonly", "yes"));
            assertEquals("-ERR Errors trying to SHUTDOWN. Check logs.", c.callText("SHUTDOWN", "NOSAVE"));
            assertEquals("+PONG", c.callText("PING"));
            assertEquals("+OK", c.callText("CONFIG", "SET", "rdb-key-save-delay", "0"));
            AofFixture.awaitQuiet(c);
            assertEquals("1", info(c, "aof_enabled"));
            c.send("SHUTDOWN", "NOSAVE");
            assertTrue(c.isClosedByServer(), "the connection closes as the server stops");
        }
    }

    /** A redis-server replica of {@code server}, its link up. */
    private RedisServerProcess syncedReplicaOf(EmbeddedServer server) throws Exception {
        RedisServerProcess replicaProcess = fx.redis(tmp.resolve("replica"), "--appendonly", "no");
        RawClient replica = fx.raw(replicaProcess.port());
        assertEquals("+OK", replica.callText("REPLICAOF", "127.0.0.1", Integer.toString(server.port())));
        AofFixture.await("the replica to sync", Duration.ofSeconds(15),
                () -> info(replica, "replication", "master_link_status").equals("up"));
        return replicaProcess;
    }

    /**
     * redis.set_repl steers a script's later calls: REPL_NONE nowhere, REPL_AOF to the AOF only,
     * REPL_ALL everywhere (TCL unit/scripting "Test selective replication of certain Redis
     * commands from Lua"); MULTI/EXEC go to both, as propagatePendingCommands sends them.
     */
    @Test
    void setReplSteersAScriptsCalls_toTheAofTheReplicaBothOrNeither() throws Exception {
        EmbeddedServer server = fx.damselfly(tmp.resolve("damselfly"), "repl-ping-replica-period", "3600");
        RawClient primary = fx.raw(server.port());
        RawClient replica = fx.raw(syncedReplicaOf(server).port());
        primary.call("EVAL", "redis.call('set','a','1'); redis.set_repl(redis.REPL_NONE); redis.call('set','b','2'); "
                + "redis.set_repl(redis.REPL_AOF); redis.call('set','c','3'); redis.set_repl(redis.REPL_ALL); "
                + "redis.call('set','d','4')", "0");
        primary.call("SET", "e", "5");
        AofFixture.await("the replica to get e", Duration.ofSeconds(5), () -> replica.callText("GET", "e").equals("$5"));
        assertEquals("[$1, (nil), (nil), $4]", replica.callText("MGET", "a", "b", "c", "d"));
        assertEquals("[$1, $2, $3, $4]", primary.callText("MGET", "a", "b", "c", "d"));
        AofFixture.await("the AOF buffer written", Duration.ofSeconds(5), () -> info(primary, "aof_buffer_length").equals("0"));
        assertEquals(List.of("SELECT 0", "MULTI", "set a 1", "set c 3", "set d 4", "EXEC", "SET e 5"), lastIncrCommands(primary));
        assertEquals("+OK", primary.callText("DEBUG", "LOADAOF"));
        assertEquals("[$1, (nil), $3, $4]", primary.callText("MGET", "a", "b", "c", "d"));
    }

    @Test
    void aReplicaGetsPublishTheAofDoesNotAndDebugLoadaofPropagatesNothing() throws Exception {
        EmbeddedServer server = fx.damselfly(tmp.resolve("damselfly"), "repl-ping-replica-period", "3600");
        RawClient primary = fx.raw(server.port());
        RedisServerProcess replicaProcess = syncedReplicaOf(server);
        RawClient replica = fx.raw(replicaProcess.port());
        RawClient subscriber = fx.raw(replicaProcess.port());
        assertEquals("[$subscribe, $ch, :1]", subscriber.callText("SUBSCRIBE", "ch"));

        primary.call("SET", "a", "1");
        assertEquals(":0", primary.callText("PUBLISH", "ch", "hello"), "no subscriber on the primary");
        primary.call("SET", "b", "2");
        assertEquals("[$message, $ch, $hello]", RawClient.render(subscriber.read()), "the replica got PUBLISH");
        AofFixture.await("the replica to get b", Duration.ofSeconds(5), () -> replica.callText("GET", "b").equals("$2"));
        List<String> aof = lastIncrCommands(primary);
        assertEquals(List.of("SELECT 0", "SET a 1", "SET b 2"), aof, "the AOF has the writes and no PUBLISH");

        try (ReplicationStreamReader stream = ReplicationStreamReader.sync(server.port())) {
            stream.drain(300);
            String offset = info(primary, "replication", "master_repl_offset");
            assertEquals("+OK", primary.callText("DEBUG", "LOADAOF"));
            assertEquals(List.of(), stream.drain(300), "DEBUG LOADAOF propagates nothing");
            assertEquals(offset, info(primary, "replication", "master_repl_offset"));
            assertEquals("$1", primary.callText("GET", "a"), "DEBUG LOADAOF loaded the AOF");
            assertEquals("$2", primary.callText("GET", "b"));
            primary.call("SET", "c", "3");
            List<String> after = new ArrayList<>(stream.drain(300));
            after.remove("select 0");
            assertEquals(List.of("set c 3"), after, "the stream goes on after DEBUG LOADAOF");
        }
        AofFixture.await("the replica to get c", Duration.ofSeconds(5), () -> replica.callText("GET", "c").equals("$3"));
        assertEquals("$2", replica.callText("GET", "b"), "the replica kept its data");
        assertTrue(lastIncrCommands(primary).contains("SET c 3"));
    }
}
