package io.damselfly.server.keyspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * INFO lazyfreed_objects against a live redis-server: the same commands, with the lazyfree-lazy-*
 * options on and off, count the same values and keys as Redis 7.0 frees in the background (values
 * whose free effort exceeds 64: big hash tables, skiplists, quicklists, streams with groups;
 * every key of an async flush).
 */
class LazyFreeCompatibilityTest {

    /** Steps: a command, or "=" to compare lazyfreed_objects there. */
    private static List<Object[]> script() {
        List<Object[]> s = new ArrayList<>();
        s.add(cmd("CONFIG", "RESETSTAT"));
        // UNLINK: a string, an intset, a set table at and over the threshold
        s.add(cmd("SET", "str", "v"));
        s.add(sadd("ints", "", 500));
        s.add(sadd("set64", "m", 64));
        s.add(sadd("set65", "m", 65));
        s.add(cmd("UNLINK", "str", "ints", "set64", "set65", "missing"));
        s.add(check());
        // hashes: listpack (1) and table; sorted sets: listpack and skiplist
        s.add(hset("smallhash", 100));
        s.add(hset("bighash", 600));
        s.add(zadd("smallz", 100));
        s.add(zadd("bigz", 200));
        s.add(cmd("UNLINK", "smallhash", "bighash", "smallz", "bigz"));
        s.add(check());
        // lists: a few elements, and many quicklist nodes
        s.add(rpush("smalllist", 10, 8));
        s.add(rpush("biglist", 20000, 100));
        s.add(cmd("UNLINK", "smalllist", "biglist"));
        s.add(check());
        // DEL counts only under lazyfree-lazy-user-del
        s.add(sadd("d1", "m", 100));
        s.add(cmd("DEL", "d1"));
        s.add(check());
        s.add(cmd("CONFIG", "SET", "lazyfree-lazy-user-del", "yes"));
        s.add(sadd("d2", "m", 100));
        s.add(cmd("DEL", "d2"));
        s.add(check());
        s.add(cmd("CONFIG", "SET", "lazyfree-lazy-user-del", "no"));
        // flushes: ASYNC counts every key, SYNC none, no argument as lazyfree-lazy-user-flush says
        for (int i = 0; i < 7; i++) {
            s.add(cmd("SET", "k" + i, "v"));
        }
        s.add(cmd("FLUSHDB", "ASYNC"));
        s.add(check());
        s.add(cmd("SET", "a", "1"));
        s.add(cmd("FLUSHALL", "SYNC"));
        s.add(cmd("SET", "a", "1"));
        s.add(cmd("FLUSHALL"));
        s.add(check());
        s.add(cmd("CONFIG", "SET", "lazyfree-lazy-user-flush", "yes"));
        s.add(cmd("SET", "a", "1"));
        s.add(cmd("SELECT", "3"));
        s.add(cmd("SET", "b", "1"));
        s.add(cmd("SET", "c", "1"));
        s.add(cmd("FLUSHALL"));
        s.add(cmd("SET", "c", "1"));
        s.add(cmd("FLUSHDB"));
        s.add(cmd("SELECT", "0"));
        s.add(check());
        s.add(cmd("CONFIG", "SET", "lazyfree-lazy-user-flush", "no"));
        // overwritten values under lazyfree-lazy-server-del
        s.add(sadd("o1", "m", 100));
        s.add(cmd("SET", "o1", "plain"));
        s.add(check());
        s.add(cmd("CONFIG", "SET", "lazyfree-lazy-server-del", "yes"));
        s.add(sadd("o2", "m", 100));
        s.add(cmd("SET", "o2", "plain"));
        s.add(sadd("o3", "m", 100));
        s.add(cmd("EXPIRE", "o3", "100"));
        s.add(check());
        s.add(cmd("CONFIG", "SET", "lazyfree-lazy-server-del", "no"));
        // a stream with a group and pending entries (Redis's own unit/lazyfree case), and one without
        s.add(cmd("CONFIG", "SET", "stream-node-max-entries", "5"));
        for (int i = 0; i < 400; i++) {
            s.add(cmd("XADD", "stream", (i + 1) + "-1", "f", Integer.toString(i)));
        }
        s.add(cmd("XGROUP", "CREATE", "stream", "g", "0"));
        s.add(cmd("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "stream", ">"));
        s.add(cmd("UNLINK", "stream"));
        s.add(cmd("XADD", "s", "1-1", "a", "b"));
        s.add(cmd("XGROUP", "CREATE", "s", "bla", "$"));
        s.add(cmd("XGROUP", "DESTROY", "s", "bla"));
        s.add(cmd("UNLINK", "s"));
        s.add(check());
        // script and function caches: an async flush of more than 64 counts them
        for (int i = 0; i < 70; i++) {
            s.add(cmd("SCRIPT", "LOAD", "return " + i));
        }
        s.add(cmd("SCRIPT", "FLUSH", "ASYNC"));
        s.add(check());
        for (int i = 0; i < 10; i++) {
            s.add(cmd("SCRIPT", "LOAD", "return " + i));
        }
        s.add(cmd("SCRIPT", "FLUSH", "ASYNC"));
        for (int i = 0; i < 65; i++) {
            s.add(cmd("SCRIPT", "LOAD", "return " + i));
        }
        s.add(cmd("SCRIPT", "FLUSH"));
        s.add(check());
        StringBuilder lib = new StringBuilder("#!lua name=lib\n");
        for (int i = 0; i < 70; i++) {
            lib.append("redis.register_function('f").append(i).append("', function() return 1 end)\n");
        }
        s.add(cmd("FUNCTION", "LOAD", lib.toString()));
        s.add(cmd("CONFIG", "SET", "lazyfree-lazy-user-flush", "yes"));
        s.add(cmd("FUNCTION", "FLUSH"));
        s.add(cmd("CONFIG", "SET", "lazyfree-lazy-user-flush", "no"));
        s.add(check());
        s.add(cmd("FUNCTION", "LOAD", lib.toString()));
        s.add(cmd("FUNCTION", "FLUSH", "SYNC"));
        s.add(check());
        // CONFIG RESETSTAT zeroes it
        s.add(cmd("CONFIG", "RESETSTAT"));
        s.add(check());
        return s;
    }

    @Test
    void countsAsRedis() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             EmbeddedServer server = EmbeddedServer.builder().start();
             RawClient d = new RawClient("127.0.0.1", server.port());
             RawClient r = new RawClient("127.0.0.1", redis.port())) {
            int step = 0;
            int checks = 0;
            for (Object[] c : script()) {
                step++;
                if (c.length == 0) {
                    long expected = settled(r);
                    assertEquals(expected, lazyfreed(d), "lazyfreed_objects at step " + step);
                    checks++;
                    continue;
                }
                assertEquals(r.callText(c), d.callText(c), "reply at step " + step + " " + c[0]);
            }
            assertTrue(checks >= 10);
        }
    }

    @Test
    void expiredValuesCountUnderLazyfreeLazyExpire() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             EmbeddedServer server = EmbeddedServer.builder().start();
             RawClient d = new RawClient("127.0.0.1", server.port());
             RawClient r = new RawClient("127.0.0.1", redis.port())) {
            for (RawClient c : List.of(d, r)) {
                c.call((Object[]) sadd("e1", "m", 100));
                c.call("PEXPIRE", "e1", "1");
                c.call("CONFIG", "SET", "lazyfree-lazy-expire", "yes");
                c.call((Object[]) sadd("e2", "m", 100));
                c.call("PEXPIRE", "e2", "1");
            }
            Thread.sleep(20);
            // both expired now: found by a read, as lazy expiry removes them (e1 too: the option is on)
            assertEquals(r.callText("EXISTS", "e1", "e2"), d.callText("EXISTS", "e1", "e2"));
            assertEquals(settled(r), lazyfreed(d));
            assertEquals(2, lazyfreed(d));
        }
    }

    /** Evicted values count under lazyfree-lazy-eviction only, each big one once (keyspace sizes differ from Redis's, so no comparison). */
    @Test
    void evictedValuesCountUnderLazyfreeLazyEviction() {
        for (String option : new String[] {"no", "yes"}) {
            try (EmbeddedServer server = EmbeddedServer.builder().option("maxmemory", "1mb")
                    .option("maxmemory-policy", "allkeys-random").option("lazyfree-lazy-eviction", option).start();
                 RawClient d = new RawClient("127.0.0.1", server.port())) {
                for (int i = 0; i < 400; i++) {
                    d.call((Object[]) sadd("big" + i, "member-", 100));
                }
                long evicted = Long.parseLong(d.callText("INFO", "stats").replaceAll("(?s).*evicted_keys:(\\d+).*", "$1"));
                assertTrue(evicted > 0, "nothing was evicted");
                assertEquals(option.equals("yes") ? evicted : 0, lazyfreed(d), "lazyfree-lazy-eviction " + option);
            }
        }
    }

    /** Redis's count once its background thread has nothing pending. */
    private static long settled(RawClient r) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (infoField(r, "lazyfree_pending_objects") == 0) {
                return infoField(r, "lazyfreed_objects");
            }
            Thread.sleep(10);
        }
        throw new AssertionError("redis-server's lazy free did not finish");
    }

    private static long lazyfreed(RawClient c) {
        assertEquals(0, infoField(c, "lazyfree_pending_objects"));
        return infoField(c, "lazyfreed_objects");
    }

    private static long infoField(RawClient c, String field) {
        String info = c.callText("INFO", "memory");
        int i = info.indexOf(field + ":");
        return Long.parseLong(info.substring(i + field.length() + 1, info.indexOf('\r', i)));
    }

    private static Object[] cmd(Object... args) {
        return args;
    }

    private static Object[] check() {
        return new Object[0];
    }

    private static Object[] sadd(String key, String prefix, int n) {
        Object[] c = new Object[n + 2];
        c[0] = "SADD";
        c[1] = key;
        for (int i = 0; i < n; i++) {
            c[i + 2] = prefix + i;
        }
        return c;
    }

    private static Object[] hset(String key, int n) {
        Object[] c = new Object[2 * n + 2];
        c[0] = "HSET";
        c[1] = key;
        for (int i = 0; i < n; i++) {
            c[2 * i + 2] = "f" + i;
            c[2 * i + 3] = "v" + i;
        }
        return c;
    }

    private static Object[] zadd(String key, int n) {
        Object[] c = new Object[2 * n + 2];
        c[0] = "ZADD";
        c[1] = key;
        for (int i = 0; i < n; i++) {
            c[2 * i + 2] = Integer.toString(i);
            c[2 * i + 3] = "m" + i;
        }
        return c;
    }

    private static Object[] rpush(String key, int n, int width) {
        Object[] c = new Object[n + 2];
        c[0] = "RPUSH";
        c[1] = key;
        String pad = "x".repeat(width);
        for (int i = 0; i < n; i++) {
            c[i + 2] = pad + i;
        }
        return c;
    }
}
