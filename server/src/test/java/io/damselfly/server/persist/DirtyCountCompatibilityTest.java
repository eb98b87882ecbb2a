package io.damselfly.server.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ReplyComparison;
import io.damselfly.server.testing.ServerExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The changes a write counts (INFO's rdb_changes_since_last_save, which save points read) are
 * Redis's, command by command: element counts for pushes, pops, adds and removals, one for a
 * RENAME, MOVE or LMOVE though two keys change, none for an LTRIM that removed nothing, one per
 * register a PFADD raised, libraries and SWAPDB, one per stream an XREADGROUP reads at once. Each
 * command runs on both servers after the same setup, and the two counts must be equal. Blocked
 * commands served by a later write count as Redis serves them: nothing for a BLPOP, BRPOP or
 * BLMOVE (serveClientBlockedOnList), the elements of a BLMPOP or a sorted-set pop, the consumer
 * a served XREADGROUP creates.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class DirtyCountCompatibilityTest {

    private static final String SETUP = """
            SET s hello
            SET n 10
            SETEX t 100 v
            RPUSH l a b c d e a
            HSET h f1 1 f2 2 f3 x
            SADD st a b c d
            SADD st2 c d e
            SADD ints 1 2 3 4 5
            ZADD z 1 a 2 b 3 c 4 d
            ZADD z2 1 c 5 e
            XADD x 1-0 f v
            XADD x 2-0 f v
            XADD x 3-0 f v
            PFADD hl a
            GEOADD g 13.361389 38.115556 Palermo
            XGROUP CREATE x gr 0
            XGROUP CREATECONSUMER x gr known
            """;

    private static final String COMMANDS = """
            SET s x
            SET s x NX
            SET s x XX GET
            MSET a 1 b 2 c 3
            MSETNX a 1 b 2 c 3
            APPEND s xx
            INCRBY n 5
            SETRANGE s 0 ab
            GETDEL s
            GETEX s EX 100
            GETEX t PERSIST
            SETBIT s 1 1
            SETBIT s 0 1
            BITFIELD bf SET u8 0 1 SET u8 8 2
            BITFIELD s INCRBY u8 0 1 INCRBY u8 8 1
            BITFIELD s SET u8 0 104
            BITFIELD nb OVERFLOW FAIL SET u8 0 999
            PFADD hl a
            PFADD hl b c d e
            PFADD newh a b
            PFADD newh
            PFDEBUG GETREG hl
            DEL s n l nothere
            EXPIRE s 100
            PERSIST t
            RENAME s s2
            RENAMENX s n
            RENAMENX s fresh
            MOVE s 1
            COPY s s3
            SWAPDB 0 1
            LPUSH l x y z
            RPUSH newl x y
            LPUSHX l x y
            LPOP l 3
            RPOP l 10
            LMPOP 1 l LEFT COUNT 3
            LREM l 0 a
            LTRIM l 1 2
            LTRIM l 0 -1
            LMOVE l l2 LEFT RIGHT
            RPOPLPUSH l l
            BLPOP l 0
            BLMOVE l other LEFT LEFT 0
            HSET h f1 9 f4 4
            HMSET h f1 9 f5 5
            HDEL h f1 f2 nope
            HSETNX h f9 1
            SADD st a e f
            SADD ints 6 7
            SREM st a b z
            SPOP st 2
            SPOP st 10
            SPOP ints 2
            SMOVE st st2 a
            SDIFFSTORE d st st
            ZADD z 5 a 6 e
            ZADD z CH 5 a 6 e
            ZADD z GT 0 a 9 b
            ZADD z INCR 1 a
            ZREM z a b zz
            ZREMRANGEBYRANK z 0 1
            ZREMRANGEBYSCORE z 1 2
            ZREMRANGEBYLEX z - +
            ZPOPMIN z 2
            ZPOPMAX z 10
            BZPOPMIN z 0
            ZMPOP 1 z MIN COUNT 2
            ZUNIONSTORE d 2 z z2
            ZRANGESTORE d z 10 11
            GEOADD g 15.087269 37.502669 Catania 13.361389 38.115556 Palermo
            XADD x MAXLEN 1 * f v
            XDEL x 1-0 2-0 9-0
            XTRIM x MAXLEN 1
            XGROUP CREATE x g 0
            XREADGROUP GROUP gr c1 STREAMS x >
            XREADGROUP GROUP gr c1 NOACK COUNT 1 STREAMS x >
            XREADGROUP GROUP gr known STREAMS x >
            XREADGROUP GROUP gr known STREAMS x 0
            XREADGROUP GROUP gr c1 STREAMS x 0
            XREADGROUP GROUP gr c1 STREAMS x x > >
            XREADGROUP GROUP gr c1 STREAMS x nothere > >
            SORT l ALPHA STORE d
            FUNCTION FLUSH
            FLUSHDB
            """;

    @Test
    void everyCommandCountsTheChangesRedisCounts(RedisServerProcess redis, EmbeddedServer damselfly) {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            List<String> differences = new ArrayList<>();
            for (ReplyComparison.ScriptLine command : ReplyComparison.lines(COMMANDS)) {
                long expected = changesOf(ref, command.args());
                long actual = changesOf(ours, command.args());
                if (expected != actual) {
                    differences.add(command.text() + ": redis " + expected + ", damselfly " + actual);
                }
            }
            assertEquals(List.of(), differences);
        }
    }

    @Test
    void libraryChangesCount(RedisServerProcess redis, EmbeddedServer damselfly) {
        String library = "#!lua name=dirtylib\nredis.register_function('f', function() return 1 end)";
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            for (Object[] command : List.of(new Object[] {"FUNCTION", "LOAD", library},
                    new Object[] {"FUNCTION", "LOAD", "REPLACE", library}, new Object[] {"FUNCTION", "DELETE", "dirtylib"},
                    new Object[] {"FUNCTION", "DELETE", "dirtylib"}, new Object[] {"FUNCTION", "FLUSH"})) {
                assertEquals(changesOf(ref, command), changesOf(ours, command), String.join(" ", List.of(command).toString()));
            }
        }
    }

    /** Blocking commands served by a write: {setup, the blocked command, the write (lines)}. */
    private static final String[][] SERVED = {
            {"", "BLPOP l 0", "RPUSH l a"},
            {"", "BRPOP l 0", "RPUSH l a b"},
            {"", "BLPOP l 0", "MULTI\nRPUSH l a\nRPUSH l b\nEXEC"},
            {"RPUSH src x y", "BLPOP l 0", "LMOVE src l LEFT LEFT"},
            {"", "BLMOVE l d LEFT RIGHT 0", "RPUSH l a"},
            {"RPUSH d x", "BLMOVE l d RIGHT LEFT 0", "RPUSH l a b"},
            {"", "BLMOVE l l LEFT RIGHT 0", "RPUSH l a b"},
            {"SET d x", "BLMOVE l d LEFT RIGHT 0", "RPUSH l a"},
            {"", "BRPOPLPUSH l d 0", "RPUSH l a"},
            {"", "BLMPOP 0 1 l LEFT COUNT 2", "RPUSH l a b c"},
            {"", "BLMPOP 0 1 l RIGHT", "RPUSH l a"},
            {"", "BZPOPMIN z 0", "ZADD z 1 a 2 b"},
            {"", "BZMPOP 0 1 z MAX COUNT 2", "ZADD z 1 a 2 b 3 c"},
            {"XADD s 1-0 f v", "XREAD BLOCK 0 STREAMS s $", "XADD s 2-0 f v"},
            {"XGROUP CREATE s g $ MKSTREAM", "XREADGROUP GROUP g c1 BLOCK 0 STREAMS s >", "XADD s 5-0 f v"},
            {"XGROUP CREATE s g $ MKSTREAM\nXGROUP CREATECONSUMER s g c1", "XREADGROUP GROUP g c1 BLOCK 0 NOACK STREAMS s >",
                    "XADD s 5-0 f v"},
    };

    @Test
    void servedBlockedCommandsCountTheChangesRedisCounts(RedisServerProcess redis, EmbeddedServer damselfly) {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient refBlocked = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port());
             RawClient oursBlocked = new RawClient(damselfly.host(), damselfly.port())) {
            List<String> differences = new ArrayList<>();
            for (String[] served : SERVED) {
                long expected = servedChanges(ref, refBlocked, served);
                long actual = servedChanges(ours, oursBlocked, served);
                if (expected != actual) {
                    differences.add(served[1] + " served by " + served[2].replace('\n', ';') + ": redis " + expected
                            + ", damselfly " + actual);
                }
            }
            assertEquals(List.of(), differences);
        }
    }

    /**
     * Empties the server, runs the setup, blocks {@code blocked} in the command, runs the write
     * and reads the blocked command's reply: the changes counted from the setup on.
     */
    private static long servedChanges(RawClient c, RawClient blocked, String[] served) {
        c.call("FLUSHALL");
        for (ReplyComparison.ScriptLine line : ReplyComparison.lines(served[0])) {
            c.call(line.args());
        }
        long before = changes(c);
        blocked.send(ReplyComparison.lines(served[1]).get(0).args());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!c.callText("INFO", "clients").contains("blocked_clients:1\r\n")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(served[1] + " did not block");
            }
            Thread.onSpinWait();
        }
        for (ReplyComparison.ScriptLine line : ReplyComparison.lines(served[2])) {
            c.call(line.args());
        }
        String reply = RawClient.render(blocked.read());
        if (reply.equals("(nil)")) {
            throw new AssertionError(served[1] + " was not served: " + reply);
        }
        return changes(c) - before;
    }

    /** Empties the server, runs the setup, then the command: the changes the command counted. */
    private static long changesOf(RawClient c, Object[] command) {
        c.call("FLUSHALL");
        c.call("SELECT", "1");
        c.call("FLUSHDB");
        c.call("SELECT", "0");
        for (ReplyComparison.ScriptLine line : ReplyComparison.lines(SETUP)) {
            c.call(line.args());
        }
        long before = changes(c);
        c.call(command);
        return changes(c) - before;
    }

    private static long changes(RawClient c) {
        String info = c.callText("INFO", "persistence");
        int at = info.indexOf("rdb_changes_since_last_save:");
        int end = info.indexOf('\r', at);
        return Long.parseLong(info.substring(at + "rdb_changes_since_last_save:".length(), end));
    }
}
