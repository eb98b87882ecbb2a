package io.damselfly.server.compat;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ReplyComparison;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential test of the whole command surface: each script runs against a real redis-server
 * and against damselfly, in RESP2 and in RESP3, and every reply must be identical (see
 * {@link ReplyComparison}). Replies that are legitimately different (run ids, times, versions)
 * are not scripted here; the families' own compatibility tests go deeper into each type.
 */
class RedisCompatibilityTest {
    private static RedisServerProcess redis;
    private static EmbeddedServer damselfly;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServerProcess.start();
        damselfly = EmbeddedServer.builder().start();
    }

    @AfterAll
    static void stop() {
        if (damselfly != null) {
            damselfly.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    static Stream<Arguments> scripts() {
        return ReplyComparison.inBothProtocols(SCRIPTS);
    }

    @ParameterizedTest(name = "{0} RESP{1}")
    @MethodSource("scripts")
    void sameRepliesAsRedis(String name, int protocol, String script) {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            ReplyComparison.assertSameReplies(name, protocol, script, ref, ours);
        }
    }

    private static final String[][] SCRIPTS = {
        {"ping-echo", """
                PING
                PING hello
                PING a b
                ECHO hi
                ECHO
                """},
        {"unknown-and-arity", """
                NOSUCHCOMMAND a b
                nosuch
                GET
                SET k
                GET a b
                """},
        {"set-get-basic", """
                SET k v
                GET k
                GET missing
                SET k v2 XX
                SET k v3 NX
                SET new v NX
                SET new2 v XX
                GET new2
                SET k v GET
                SET k2 v GET
                STRLEN k
                STRLEN missing
                """},
        {"set-options-errors", """
                SET k v EX 0
                SET k v EX -5
                SET k v PX 0
                SET k v EX abc
                SET k v EX 10 PX 100
                SET k v NX XX
                SET k v KEEPTTL EX 10
                SET k v FOO
                SET k v EX 9223372036854775807
                SET k v PX 9223372036854775807
                SET k v EXAT 0
                SET k v EX
                SET k v EX 100
                TTL k
                SET k v2 KEEPTTL
                TTL k
                SET k v3
                TTL k
                """},
        {"setnx-setex", """
                SETNX a 1
                SETNX a 2
                GET a
                SETEX b 100 v
                TTL b
                SETEX b 0 v
                SETEX b -1 v
                SETEX b abc v
                PSETEX c 100000 v
                TTL c
                PSETEX c 0 v
                """},
        {"incr-family", """
                INCR n
                INCRBY n 10
                DECR n
                DECRBY n 5
                INCRBY n abc
                INCRBY n 1.5
                SET s hello
                INCR s
                SET big 9223372036854775807
                INCR big
                SET small -9223372036854775808
                DECR small
                DECRBY small 1
                SET sp " 1"
                INCR sp
                SET lz 012
                INCR lz
                DECRBY n -9223372036854775808
                GET n
                """},
        {"incrbyfloat", """
                INCRBYFLOAT f 10.5
                INCRBYFLOAT f 0.1
                INCRBYFLOAT f -5
                INCRBYFLOAT f 5.0e3
                INCRBYFLOAT f abc
                INCRBYFLOAT f inf
                SET g 3
                INCRBYFLOAT g 1.5e-3
                SET h 1e2
                INCRBYFLOAT h 1
                SET s notanumber
                INCRBYFLOAT s 1
                INCRBYFLOAT z 0
                """},
        {"append-getrange-setrange", """
                APPEND a Hello
                APPEND a " World"
                GET a
                GETRANGE a 0 4
                GETRANGE a -5 -1
                GETRANGE a 5 2
                GETRANGE a -100 100
                GETRANGE a 0 -100
                GETRANGE missing 0 10
                SUBSTR a 0 3
                SETRANGE a 6 Redis
                GET a
                SETRANGE pad 5 x
                GET pad
                STRLEN pad
                SETRANGE a -1 x
                SETRANGE empty 0 _
                EXISTS empty
                SETRANGE a 536870912 x
                GETRANGE a x 1
                """},
        {"multi-key-strings", """
                MSET a 1 b 2 c 3
                MGET a b c missing
                MSET a
                MSETNX a 9 d 4
                MSETNX d 4 e 5
                MGET a d e
                GETSET a 10
                GETSET nokey 1
                GETDEL a
                GETDEL a
                EXISTS a b c d e
                """},
        {"getex", """
                SET k v
                GETEX k EX 100
                TTL k
                GETEX k PERSIST
                TTL k
                GETEX k PX 0
                GETEX k EX 10 PX 10
                GETEX k FOO
                GETEX missing EX 10
                """},
        {"del-exists-type", """
                MSET a 1 b 2
                DEL a b c
                DEL a
                SET a 1
                EXISTS a a missing
                TYPE a
                TYPE missing
                UNLINK a
                TOUCH a b
                """},
        {"keys-patterns", """
                MSET hello 1 hallo 2 hxllo 3 hllo 4 heeeello 5 h[llo 6 h*llo 7 foo 8
                ~KEYS h?llo
                ~KEYS h*llo
                ~KEYS h[ae]llo
                ~KEYS h[^e]llo
                ~KEYS h[a-b]llo
                ~KEYS h\\[llo
                ~KEYS h\\*llo
                ~KEYS *
                ~KEYS nomatch*
                ~KEYS [
                """},
        {"rename", """
                SET a 1
                RENAME a b
                GET b
                RENAME missing x
                RENAME b b
                RENAMENX b b
                SET c 3
                RENAMENX b c
                RENAMENX b d
                EXPIRE d 100
                RENAME d e
                TTL e
                """},
        {"copy-move", """
                SET a hello
                COPY a b
                COPY a b
                COPY a b REPLACE
                COPY a c DB 1
                COPY a c DB 99
                COPY a c DB x
                COPY a a
                COPY missing z
                MOVE a 1
                MOVE b 0
                MOVE b 99
                MOVE missing 1
                SELECT 1
                ~KEYS *
                GET a
                """},
        {"expire-family", """
                SET k v
                TTL k
                PTTL missing
                TTL missing
                EXPIRE k 100
                TTL k
                EXPIRE k 200 NX
                EXPIRE k 200 XX
                EXPIRE k 100 GT
                EXPIRE k 300 GT
                EXPIRE k 400 LT
                EXPIRE k 50 LT
                TTL k
                EXPIRE k 10 NX XX
                EXPIRE k 10 GT LT
                EXPIRE k 10 FOO
                EXPIRE k abc
                EXPIRE k 9223372036854775807
                PERSIST k
                PERSIST k
                TTL k
                SET p v
                EXPIRE p 10 GT
                EXPIRE p 10 LT
                TTL p
                EXPIRE missing 10
                EXPIRETIME missing
                SET q v
                EXPIRETIME q
                PEXPIRETIME q
                EXPIREAT q 4000000000
                EXPIRETIME q
                PEXPIREAT q 4000000000000
                PEXPIRETIME q
                EXPIRE q -1
                EXISTS q
                SET r v
                PEXPIREAT r 1
                GET r
                """},
        {"object", """
                SET i 12345
                SET e hello
                SET r 012345678901234567890123456789012345678901234567890
                OBJECT ENCODING i
                OBJECT ENCODING e
                OBJECT ENCODING r
                APPEND e x
                OBJECT ENCODING e
                OBJECT ENCODING missing
                OBJECT REFCOUNT e
                OBJECT FREQ e
                OBJECT NOSUCH e
                OBJECT
                SET big 99999999999999999999
                OBJECT ENCODING big
                SET n 1
                OBJECT ENCODING n
                APPEND n 2
                OBJECT ENCODING n
                INCR n
                OBJECT ENCODING n
                """},
        {"select-and-dbs", """
                SET a 0
                SELECT 1
                GET a
                SET a 1
                SELECT 16
                SELECT -1
                SELECT x
                SELECT 0
                GET a
                SWAPDB 0 1
                GET a
                SWAPDB 0 16
                SWAPDB x 1
                SWAPDB 1 x
                DBSIZE
                FLUSHDB
                DBSIZE
                FLUSHDB FOO
                """},
        {"connection-errors", """
                AUTH foo
                AUTH default foo
                HELLO 4
                HELLO 1
                HELLO x
                CLIENT SETNAME "has space"
                CLIENT SETNAME ok-name
                CLIENT GETNAME
                CLIENT NOSUCH
                CLIENT
                """},
        {"config", """
                CONFIG GET maxmemory
                CONFIG GET maxmemory-policy
                CONFIG SET maxmemory-policy allkeys-lru
                CONFIG GET maxmemory-policy
                CONFIG SET maxmemory-policy bogus
                CONFIG SET nosuchoption 1
                CONFIG SET maxmemory abc
                CONFIG SET maxmemory-policy noeviction
                CONFIG GET nosuchoption
                CONFIG
                """},
    };
}
