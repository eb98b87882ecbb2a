package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.BlockedClients;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.Resp2;
import io.damselfly.server.testing.ServerExtension;
import io.damselfly.server.testing.Wire;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LMoveArgs;
import io.lettuce.core.LPosArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The list family through Lettuce (RESP2 and RESP3) and raw sockets: replies, exact null shapes,
 * and the blocking pops across connections (served by a push from another connection, FIFO among
 * waiters, timeouts, a waiter that leaves, BLMOVE, requests pipelined behind a blocked pop).
 * Every wait is bounded: sockets time out after 10 s, polls after 5 s.
 */
@ExtendWith(ServerExtension.class)
class ListCommandsTest {

    // ---- plain commands ---------------------------------------------------------------------

    @Test
    void pushRangePop_resp3(RedisCommands<String, String> redis) {
        assertEquals(3, redis.rpush("l", "a", "b", "c"));
        assertEquals(5, redis.lpush("l", "y", "x"));
        assertEquals(List.of("x", "y", "a", "b", "c"), redis.lrange("l", 0, -1));
        assertEquals("x", redis.lpop("l"));
        assertEquals(List.of("c", "b"), redis.rpop("l", 2));
        assertEquals(2, redis.llen("l"));
        assertEquals("list", redis.type("l"));
        assertEquals("quicklist", redis.objectEncoding("l"));
        assertEquals(List.of("y", "a"), redis.lpop("l", 5));
        assertEquals(0, redis.exists("l"), "an emptied list is removed with its key");
    }

    @Test
    void editsInTheMiddle_resp2(@Resp2 RedisCommands<String, String> redis) {
        redis.rpush("l", "a", "b", "a", "c", "a");
        assertEquals(2, redis.lrem("l", 2, "a"));
        assertEquals(List.of("b", "c", "a"), redis.lrange("l", 0, -1));
        assertEquals(4, redis.linsert("l", true, "c", "x"));
        assertEquals("OK", redis.lset("l", -1, "z"));
        assertEquals("x", redis.lindex("l", 1));
        assertEquals(1L, redis.lpos("l", "x"));
        assertEquals(List.of(3L), redis.lpos("l", "z", 0, LPosArgs.Builder.rank(-1)));
        assertEquals("OK", redis.ltrim("l", 1, 2));
        assertEquals(List.of("x", "c"), redis.lrange("l", 0, -1));
        assertEquals("c", redis.lmove("l", "m", LMoveArgs.Builder.rightLeft()));
        assertEquals("x", redis.rpoplpush("l", "m"));
        assertEquals(List.of("x", "c"), redis.lrange("m", 0, -1));
        assertEquals(0, redis.exists("l"));
    }

    @Test
    void largeListKeepsOrderAcrossGrowthAndShrinking(RedisCommands<String, String> redis) {
        for (int i = 0; i < 1000; i++) {
            if (i % 2 == 0) {
                redis.rpush("l", "r" + i);
            } else {
                redis.lpush("l", "l" + i);
            }
        }
        assertEquals(1000, redis.llen("l"));
        assertEquals("l999", redis.lindex("l", 0));
        assertEquals("r998", redis.lindex("l", -1));
        for (int i = 0; i < 990; i++) {
            if (i % 3 == 0) {
                redis.rpop("l");
            } else {
                redis.lpop("l");
            }
        }
        assertEquals(10, redis.llen("l"));
        List<String> rest = redis.lrange("l", 0, -1);
        assertEquals(10, rest.size());
        assertTrue(rest.stream().allMatch(s -> s.startsWith("l") || s.startsWith("r")));
    }

    @Test
    void wrongType_andErrors(RawClient raw) {
        raw.call("SET", "s", "v");
        assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value", raw.callText("LPUSH", "s", "a"));
        assertEquals("-ERR no such key", raw.callText("LSET", "nokey", "0", "v"));
        raw.call("RPUSH", "l", "a");
        assertEquals("-ERR index out of range", raw.callText("LSET", "l", "5", "v"));
        assertEquals("-ERR value is out of range, must be positive", raw.callText("LPOP", "l", "-1"));
        assertEquals("-ERR timeout is negative", raw.callText("BLPOP", "l", "-1"));
        assertEquals("-ERR timeout is not a float or out of range", raw.callText("BLPOP", "l", "x"));
        assertEquals("-ERR wrong number of arguments for 'lpop' command", raw.callText("LPOP", "l", "1", "2"));
    }

    /** The null shapes Redis 7.0 sends: a null bulk for one element, a null array for a count. */
    @Test
    void nullShapes_resp2AndResp3(EmbeddedServer server) {
        try (Wire w = new Wire(server)) {
            w.expect("$-1\r\n", "LPOP", "nokey");
            w.expect("*-1\r\n", "LPOP", "nokey", "1");
            w.expect("*-1\r\n", "LPOP", "nokey", "0");
            w.expect("*-1\r\n", "LMPOP", "1", "nokey", "LEFT");
            w.expect("$-1\r\n", "LINDEX", "nokey", "0");
            w.expect("*-1\r\n", "BLPOP", "nokey", "0.01");
            w.expect("$-1\r\n", "BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.01");
            w.expect("*-1\r\n", "BLMPOP", "0.01", "1", "nokey", "LEFT");
            w.expect(":1\r\n", "RPUSH", "l", "a");
            w.expect("*0\r\n", "LPOP", "l", "0");
            w.hello3();
            w.expect("_\r\n", "LPOP", "nokey");
            w.expect("_\r\n", "LPOP", "nokey", "1");
            w.expect("_\r\n", "BRPOP", "nokey", "0.01");
            w.expect("_\r\n", "BRPOPLPUSH", "nokey", "d", "0.01");
        }
    }

    // ---- blocking pops ----------------------------------------------------------------------

    @Test
    void blpop_servedByPushFromAnotherConnection(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            waiter.send("BLPOP", "q1", "q2", "0");
            BlockedClients.await(redis, 1);
            assertEquals(3, redis.rpush("q2", "a", "b", "c"));
            assertEquals("[$q2, $a]", RawClient.render(waiter.read()));
            assertEquals(List.of("b", "c"), redis.lrange("q2", 0, -1));
            BlockedClients.await(redis, 0);
        }
    }

    @Test
    void blockingPops_fifoAmongWaiters(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient first = new RawClient(server.host(), server.port());
             RawClient second = new RawClient(server.host(), server.port());
             RawClient third = new RawClient(server.host(), server.port())) {
            first.send("BRPOP", "q", "0");
            BlockedClients.await(redis, 1);
            second.send("BLPOP", "q", "0");
            BlockedClients.await(redis, 2);
            third.send("BLMPOP", "0", "1", "q", "LEFT", "COUNT", "2");
            BlockedClients.await(redis, 3);
            redis.rpush("q", "1", "2", "3", "4", "5");
            assertEquals("[$q, $5]", RawClient.render(first.read()));
            assertEquals("[$q, $1]", RawClient.render(second.read()));
            assertEquals("[$q, [$2, $3]]", RawClient.render(third.read()));
            assertEquals(List.of("4"), redis.lrange("q", 0, -1));
        }
    }

    @Test
    void blpop_timesOut(RedisCommands<String, String> redis, @Resp2 RedisCommands<String, String> resp2) {
        long start = System.nanoTime();
        KeyValue<String, String> got = redis.blpop(0.1, "nokey");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertNull(got);
        assertTrue(millis >= 100 && millis < 5000, "waited " + millis + " ms");
        assertNull(resp2.brpoplpush(0.05, "nokey", "d"));
        assertEquals(0, redis.exists("d"));
    }

    @Test
    void waiterThatLeaves_doesNotSwallowALaterPush(EmbeddedServer server, RedisCommands<String, String> redis) {
        RawClient gone = new RawClient(server.host(), server.port());
        gone.send("BLPOP", "q", "0");
        BlockedClients.await(redis, 1);
        gone.close();
        BlockedClients.await(redis, 0);
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            waiter.send("BLPOP", "q", "0");
            BlockedClients.await(redis, 1);
            redis.rpush("q", "x");
            assertEquals("[$q, $x]", RawClient.render(waiter.read()));
        }
        redis.rpush("q", "y");
        assertEquals(List.of("y"), redis.lrange("q", 0, -1), "nobody waits any more: the element stays");
    }

    @Test
    void timedOutWaiter_doesNotSwallowALaterPush(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            assertEquals("(nil)", waiter.callText("BLPOP", "q", "0.05"));
            redis.rpush("q", "x");
            assertEquals(List.of("x"), redis.lrange("q", 0, -1));
        }
    }

    @Test
    void blmove_servedMovesToTheDestination(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            waiter.send("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0");
            BlockedClients.await(redis, 1);
            redis.rpush("dst", "old");
            redis.rpush("src", "a", "b");
            assertEquals("$b", RawClient.render(waiter.read()));
            assertEquals(List.of("b", "old"), redis.lrange("dst", 0, -1));
            assertEquals(List.of("a"), redis.lrange("src", 0, -1));
        }
    }

    @Test
    void blmove_chainServesAWaiterOnTheDestination(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient mover = new RawClient(server.host(), server.port());
             RawClient popper = new RawClient(server.host(), server.port())) {
            mover.send("BRPOPLPUSH", "a", "b", "0");
            BlockedClients.await(redis, 1);
            popper.send("BLPOP", "b", "0");
            BlockedClients.await(redis, 2);
            redis.rpush("a", "x");
            assertEquals("$x", RawClient.render(mover.read()));
            assertEquals("[$b, $x]", RawClient.render(popper.read()));
            assertEquals(0, redis.exists("a", "b"));
        }
    }

    @Test
    void blmove_ontoAnotherType_answersWrongTypeAndKeepsTheElement(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            waiter.send("BLMOVE", "src", "dst", "LEFT", "LEFT", "0");
            BlockedClients.await(redis, 1);
            redis.set("dst", "string");
            redis.rpush("src", "a");
            assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value", RawClient.render(waiter.read()));
            assertEquals(List.of("a"), redis.lrange("src", 0, -1));
        }
    }

    @Test
    void blockedClient_pipelinedRequestsWait(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            waiter.sendRaw(concat(RawClient.encode("BLPOP", "q", "0"), RawClient.encode("RPUSH", "q", "mine"),
                    RawClient.encode("LLEN", "q")));
            BlockedClients.await(redis, 1);
            // the RPUSH behind the BLPOP has not run: q is still missing
            assertEquals(0, redis.exists("q"));
            redis.rpush("q", "theirs");
            assertEquals("[$q, $theirs]", RawClient.render(waiter.read()));
            assertEquals(":1", RawClient.render(waiter.read()));
            assertEquals(":1", RawClient.render(waiter.read()));
            assertEquals(List.of("mine"), redis.lrange("q", 0, -1));
        }
    }

    @Test
    void blockedClient_servedByRenameAndByAPushInAnotherDatabase(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            waiter.send("BLPOP", "q", "0");
            BlockedClients.await(redis, 1);
            redis.rpush("other", "x");
            redis.rename("other", "q");
            assertEquals("[$q, $x]", RawClient.render(waiter.read()));
            assertEquals("+OK", waiter.callText("SELECT", "1"));
            waiter.send("BLPOP", "q", "0");
            BlockedClients.await(redis, 1);
            redis.rpush("q", "db0");
            assertEquals(List.of("db0"), redis.lrange("q", 0, -1), "a push in database 0 does not serve a waiter in 1");
            redis.select(1);
            redis.rpush("q", "db1");
            assertEquals("[$q, $db1]", RawClient.render(waiter.read()));
            redis.select(0);
        }
    }

    @Test
    void swapdb_servesAWaiterWhoseKeyItBringsIn(EmbeddedServer server, RedisCommands<String, String> redis) {
        try (RawClient waiter = new RawClient(server.host(), server.port())) {
            assertEquals("+OK", waiter.callText("SELECT", "1"));
            waiter.send("BLPOP", "q", "0");
            BlockedClients.await(redis, 1);
            redis.rpush("q", "a", "b");
            assertEquals("OK", redis.swapdb(0, 1));
            assertEquals("[$q, $a]", RawClient.render(waiter.read()));
            assertEquals(0, redis.exists("q"));
            redis.select(1);
            assertEquals(List.of("b"), redis.lrange("q", 0, -1));
            redis.select(0);
        }
    }

    @Test
    void manyWaitersOnManyKeys_eachServedOnce(EmbeddedServer server, RedisCommands<String, String> redis) {
        int n = 20;
        RawClient[] waiters = new RawClient[n];
        try {
            for (int i = 0; i < n; i++) {
                waiters[i] = new RawClient(server.host(), server.port());
                waiters[i].send("BLPOP", "k" + i, "k" + ((i + 1) % n), "0");
                // one at a time: connections on different event loops would otherwise register in
                // any order, and with another order of waiters the greedy first-come service can
                // leave a waiter whose both keys went to others (Redis's single thread keeps the
                // order the test sends them in)
                BlockedClients.await(redis, i + 1);
            }
            for (int i = 0; i < n; i++) {
                redis.rpush("k" + i, "v" + i);
            }
            for (int i = 0; i < n; i++) {
                String got = RawClient.render(waiters[i].read());
                assertTrue(got.startsWith("[$k"), got);
            }
            BlockedClients.await(redis, 0);
            for (int i = 0; i < n; i++) {
                assertEquals(0, redis.exists("k" + i), "every element went to exactly one waiter");
            }
        } finally {
            for (RawClient w : waiters) {
                if (w != null) {
                    w.close();
                }
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
