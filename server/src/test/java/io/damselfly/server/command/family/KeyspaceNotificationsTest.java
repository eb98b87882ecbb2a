package io.damselfly.server.command.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.protocol.RespValue;
import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerExtension;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keyspace notifications differentially against redis-server 7.0.15: with a notify-keyspace-events
 * setting, a script runs on one connection while another, subscribed to every channel by pattern,
 * records what it is sent; both servers must send the same messages in the same order (and give
 * the same replies). The scripts cover the string, generic, list and hash families, expiry,
 * eviction, several databases and class combinations that mask events. "SLEEP ms" waits.
 */
@ExtendWith({ServerExtension.class, RedisServerExtension.class})
class KeyspaceNotificationsTest {

    static Stream<Arguments> cases() {
        return Stream.of(CASES).map(c -> Arguments.of(c[0], c[1], c[2]));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("cases")
    void sameEventsAsRedis(String name, String classes, String script, RedisServerProcess redis, EmbeddedServer damselfly) {
        List<String> expected = run(classes, script, "127.0.0.1", redis.port());
        List<String> actual = run(classes, script, damselfly.host(), damselfly.port());
        assertEquals(String.join("\n", expected), String.join("\n", actual), name);
    }

    /** The replies of the script, then every message the pattern subscriber got, one per line. */
    static List<String> run(String classes, String script, String host, int port) {
        List<String> out = new ArrayList<>();
        try (RawClient sub = new RawClient(host, port); RawClient c = new RawClient(host, port)) {
            c.call("FLUSHALL");
            assertEquals("+OK", c.callText("CONFIG", "SET", "notify-keyspace-events", classes));
            sub.call("PSUBSCRIBE", "*");
            try {
                for (String line : script.strip().split("\n")) {
                    String[] args = line.strip().split(" +");
                    if (args[0].equals("SLEEP")) {
                        Thread.sleep(Long.parseLong(args[1]));
                        continue;
                    }
                    out.add(line.strip() + " -> " + c.callText((Object[]) args));
                }
                c.call("SELECT", "0");
                c.call("PUBLISH", "end", "end");
                while (true) {
                    RespValue m = sub.read();
                    String text = RawClient.render(m);
                    if (text.contains("$end, $end")) {
                        break;
                    }
                    out.add(text);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            } finally {
                c.call("CONFIG", "SET", "notify-keyspace-events", "");
                c.call("CONFIG", "SET", "maxmemory", "0");
                c.call("CONFIG", "SET", "maxmemory-policy", "noeviction");
                c.call("FLUSHALL");
            }
        }
        return out;
    }

    private static final String[][] CASES = {
        {"keymiss", "KEm", """
                GET nosuch
                SET k v
                GET k
                EXISTS k nosuch2
                TYPE nosuch3
                MGET k nosuch4
                HGET nosuch5 f
                DEL nosuch6
                SET k2 v PX 20
                SLEEP 150
                GET k2
                """},
        {"keymiss-not-in-A", "KEA", """
                GET nosuch
                LLEN nosuch
                """},
        {"strings", "KEA", """
                SET k v
                SET k v EX 100
                SET k v PX 100000 GET
                SET k w KEEPTTL
                SET k v NX
                SET k v XX
                SETEX k2 100 v
                PSETEX k3 100000 v
                INCR n
                INCRBY n 5
                DECR n
                DECRBY n 2
                INCRBYFLOAT f 1.5
                INCR k
                APPEND k x
                APPEND new x
                SETRANGE k 1 yy
                SETRANGE k 0 _
                GETSET k z
                GETDEL k
                GETDEL k
                MSET a 1 b 2
                MSETNX a 1 c 3
                MSETNX c 3 d 4
                SETNX a 2
                SETNX e 3
                GETEX e EX 100
                GETEX e PERSIST
                GETEX e
                GET nokey
                DEL a b nokey
                UNLINK c d
                """},
        {"generic", "KEA", """
                SET k v
                EXPIRE k 100
                PEXPIRE k 100000
                EXPIREAT k 4102444800
                PEXPIREAT k 4102444800000
                EXPIRE k 100 NX
                EXPIRE k 200 GT
                PERSIST k
                PERSIST k
                RENAME k k2
                RENAMENX k2 k3
                SET k4 v
                RENAMENX k3 k4
                COPY k3 k5
                COPY k3 k4 REPLACE
                MOVE k5 1
                EXPIRE k4 0
                PEXPIRE k3 -1
                SELECT 1
                SET x y
                EXPIRE x 10
                DEL x k5
                SELECT 0
                RENAME nokey other
                """},
        {"lists", "KEA", """
                LPUSH l a b c
                RPUSH l d
                LPUSHX l e
                RPUSHX nolist e
                LPOP l
                RPOP l
                LPOP l 2
                LSET l 0 z
                LINSERT l BEFORE z y
                LINSERT l BEFORE nope y
                LREM l 0 y
                LREM l 0 nope
                LTRIM l 0 0
                RPUSH l2 q
                LMOVE l l2 LEFT RIGHT
                RPOPLPUSH l2 l3
                LMPOP 2 l2 l3 LEFT COUNT 5
                BLPOP l3 0.01
                LPUSH l4 a
                BRPOP l4 0.01
                RPUSH l5 a b c
                LTRIM l5 1 0
                """},
        {"hashes", "KEA", """
                HSET h a 1 b 2
                HSET h a 1
                HSETNX h a 3
                HSETNX h c 3
                HMSET h d 4
                HINCRBY h a 5
                HINCRBYFLOAT h b 1.5
                HDEL h a nope
                HDEL h nope
                HDEL h b c d
                HSET h2 f v
                DEL h2
                """},
        {"expired-string", "KEA", """
                SET k v PX 20
                SLEEP 150
                GET k
                """},
        {"expired-list", "Kgxl", """
                RPUSH l a
                PEXPIRE l 20
                SLEEP 150
                LLEN l
                """},
        {"masked-list-keyspace-only", "Kl", """
                SET k v
                LPUSH l a
                DEL k
                LPOP l
                HSET h f v
                """},
        {"masked-string-keyevent-only", "E$", """
                SET k v EX 100
                INCR n
                LPUSH l a
                DEL k
                """},
        {"generic-and-hash", "Kgh", """
                SET k v EX 100
                HSET h f v
                HDEL h f
                RENAME k k2
                """},
        {"classes-without-channels", "A", """
                SET k v
                DEL k
                """},
        {"channels-without-classes", "KE", """
                SET k v
                DEL k
                """},
        {"new-keys", "KEn", """
                SET k v
                SET k w
                LPUSH l a
                LPUSH l b
                HSET h f v
                RENAME k k2
                COPY k2 k3
                INCR n
                """},
        {"evicted", "Ee", """
                CONFIG SET maxmemory-policy allkeys-lru
                SET foo bar
                CONFIG SET maxmemory 1
                GET foo
                CONFIG SET maxmemory 0
                """},
    };

    /** The masks really mask: with the class off the subscriber gets nothing for that family. */
    @Test
    void offByDefault(EmbeddedServer damselfly) {
        List<String> got = run("", "SET k v\nLPUSH l a\nHSET h f v\nDEL k l h", damselfly.host(), damselfly.port());
        assertEquals(4, got.size(), got.toString());
        assertTrue(got.stream().allMatch(l -> l.contains(" -> ")), got.toString());
    }
}
