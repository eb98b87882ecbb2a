package io.damselfly.server.command.family;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.ReplyComparison;
import io.damselfly.server.testing.ServerExtension;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generic key commands, differentially against a real redis-server (see
 * {@link ReplyComparison}). Only replies that do not depend on timing or on hash-table layout are
 * scripted: SCAN runs with a COUNT large enough to finish in one call, TTLs are whole seconds far
 * from a boundary.
 */
@ExtendWith(ServerExtension.class)
class KeyCommandsCompatibilityTest {
    private static RedisServerProcess redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServerProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    static Stream<Arguments> scripts() {
        return ReplyComparison.inBothProtocols(SCRIPTS);
    }

    @ParameterizedTest(name = "{0} RESP{1}")
    @MethodSource("scripts")
    void sameRepliesAsRedis(String name, int protocol, String script, EmbeddedServer damselfly) {
        try (RawClient ref = new RawClient("127.0.0.1", redis.port());
             RawClient ours = new RawClient(damselfly.host(), damselfly.port())) {
            ReplyComparison.assertSameReplies(name, protocol, script, ref, ours);
        }
    }

    private static final String[][] SCRIPTS = {
        {"command-info", """
                COMMAND INFO del
                COMMAND INFO unlink
                COMMAND INFO exists
                COMMAND INFO type
                COMMAND INFO touch
                COMMAND INFO keys
                COMMAND INFO scan
                COMMAND INFO randomkey
                COMMAND INFO rename
                COMMAND INFO renamenx
                COMMAND INFO copy
                COMMAND INFO move
                COMMAND INFO expire
                COMMAND INFO pexpire
                COMMAND INFO expireat
                COMMAND INFO pexpireat
                COMMAND INFO ttl
                COMMAND INFO pttl
                COMMAND INFO expiretime
                COMMAND INFO pexpiretime
                COMMAND INFO persist
                ~COMMAND INFO object
                COMMAND INFO object|encoding
                COMMAND INFO object|freq
                COMMAND INFO object|idletime
                COMMAND INFO object|refcount
                COMMAND INFO object|help
                """},
        {"del-exists-type-touch", """
                SET a 1
                SET b 2
                DEL a b c
                EXISTS a b
                SET a 1
                EXISTS a a nokey
                TYPE a
                TYPE nokey
                TOUCH a nokey a
                UNLINK a nokey
                EXISTS a
                SET _ empty
                EXISTS _
                TYPE _
                DEL _
                DEL
                EXISTS
                TYPE
                TYPE a b
                TOUCH
                UNLINK
                """},
        {"keys-patterns", """
                SET key_x 1
                SET key_y 1
                SET key_z 1
                SET foo_a 1
                SET foo_b 1
                SET _ 1
                SET a* 1
                SET [x] 1
                ~KEYS foo*
                ~KEYS *
                ~KEYS **
                ~KEYS ?*
                ~KEYS *_[xy]
                ~KEYS *_[^xy]
                ~KEYS [a-f]*
                ~KEYS [f-a]*
                KEYS _
                KEYS [
                ~KEYS [^
                ~KEYS a\\*
                ~KEYS a\\
                ~KEYS \\[x]
                ~KEYS [\\[]x*
                KEYS nomatch*
                KEYS
                KEYS a b
                """},
        {"scan", """
                SET a1 1
                SET a2 1
                SET b1 1
                SET _ 1
                ~SCAN 0 COUNT 1000
                ~SCAN 0 COUNT 1000 MATCH a*
                ~SCAN 0 COUNT 1000 MATCH *
                ~SCAN 0 COUNT 1000 MATCH **
                ~SCAN 0 COUNT 1000 TYPE string
                ~SCAN 0 COUNT 1000 TYPE STRING
                ~SCAN 0 COUNT 1000 TYPE list
                ~SCAN 0 COUNT 1000 TYPE nosuchtype
                ~SCAN 0 COUNT 1000 MATCH b* TYPE string
                ~SCAN 0 match a* count 1000 match b*
                ~SCAN +0 COUNT 1000
                ~SCAN -0 COUNT 1000
                ~SCAN _ COUNT 1000
                SCAN x
                SCAN 0x1
                SCAN +
                SCAN 18446744073709551616
                SCAN 0 COUNT 0
                SCAN 0 COUNT -1
                SCAN 0 COUNT abc
                SCAN 0 COUNT 99999999999999999999
                SCAN 0 COUNT
                SCAN 0 MATCH
                SCAN 0 TYPE
                SCAN 0 FOO bar
                SCAN x COUNT 0
                SCAN
                """},
        {"randomkey", """
                RANDOMKEY
                SET only v
                RANDOMKEY
                DEL only
                RANDOMKEY
                RANDOMKEY x
                """},
        {"rename", """
                SET a 1
                RENAME a b
                GET b
                EXISTS a
                RENAME nokey x
                RENAMENX nokey x
                RENAME nokey nokey
                RENAME b b
                RENAMENX b b
                SET c 3
                RENAMENX b c
                RENAME b c
                GET c
                EXPIRE c 100
                RENAME c d
                TTL d
                SET e 5
                RENAMENX e d
                RENAMENX e f
                TTL f
                RENAME a
                RENAME a b c
                """},
        {"copy", """
                SET a 1
                COPY a b
                GET b
                COPY a b
                COPY a b REPLACE
                COPY a b replace REPLACE
                COPY a a
                COPY a a DB 0
                COPY nokey nokey
                COPY nokey z
                COPY a b DB 1
                COPY a b DB 16
                COPY a b DB -1
                COPY nokey b DB 99
                COPY a b DB x
                COPY a b DB 4294967296
                COPY a b DB
                COPY a b foo
                COPY a a DB 2 REPLACE
                EXPIRE a 100
                COPY a c
                TTL c
                SET p persistent
                COPY p c REPLACE
                TTL c
                APPEND p x
                COPY p q
                OBJECT ENCODING q
                GET q
                SELECT 1
                GET b
                SELECT 2
                GET a
                COPY a
                """},
        {"move", """
                SET a 1
                MOVE a 0
                MOVE nokey 0
                MOVE a 1
                MOVE a 1
                EXISTS a
                SELECT 1
                GET a
                MOVE a 1
                SET a other
                MOVE a 0
                MOVE a 16
                MOVE a -1
                MOVE a x
                MOVE a 99999999999
                MOVE a 99999999999999999999
                EXPIRE a 100
                MOVE a 3
                SELECT 3
                TTL a
                MOVE
                MOVE a
                """},
        {"expire-conditions", """
                SET a 1
                EXPIRE a 100
                TTL a
                EXPIRE a 200 NX
                EXPIRE a 200 XX
                TTL a
                EXPIRE a 100 GT
                EXPIRE a 300 gt
                TTL a
                EXPIRE a 400 LT
                EXPIRE a 50 lt
                TTL a
                EXPIRE a 60 XX GT
                TTL a
                PERSIST a
                PERSIST a
                TTL a
                EXPIRE a 100 GT
                EXPIRE a 100 XX
                EXPIRE a 100 LT
                TTL a
                PERSIST a
                EXPIRE a 100 NX
                TTL a
                EXPIRE a -1 XX GT
                EXISTS a
                EXPIRE nokey 10
                EXPIRE nokey 10 NX
                PERSIST nokey
                """},
        {"expire-errors", """
                SET a 1
                EXPIRE a 10 NX XX
                EXPIRE a 10 nx gt
                EXPIRE a 10 NX LT
                EXPIRE a 10 GT LT
                EXPIRE a 10 XX GT LT
                EXPIRE a 10 GT LT NX
                EXPIRE nokey 10 GT LT
                EXPIRE a 10 foo
                EXPIRE a x foo
                EXPIRE a x
                EXPIRE a 1.5
                EXPIRE a 9223372036854775
                EXPIRE a 9223372036854775807
                EXPIRE nokey 9223372036854775807
                PEXPIRE a 9223372036854775807
                EXPIREAT a 9223372036854776
                EXPIREAT a -9223372036854775808
                PEXPIREAT a 9223372036854775807
                PEXPIRETIME a
                EXPIRETIME a
                EXPIRE
                EXPIRE a
                PEXPIRE a
                EXPIREAT a
                PEXPIREAT a
                """},
        {"expire-past-and-times", """
                SET a 1
                EXPIRE a -1
                EXISTS a
                SET b 1
                PEXPIRE b 0
                EXISTS b
                SET c 1
                EXPIREAT c 1
                EXISTS c
                SET d 1
                PEXPIREAT d -9223372036854775808
                EXISTS d
                SET e 1
                EXPIREAT e -9223372036854775
                EXISTS e
                SET f 1
                EXPIREAT f 4102444800
                EXPIRETIME f
                PEXPIRETIME f
                PEXPIREAT f 4102444800499
                EXPIRETIME f
                PEXPIREAT f 4102444800500
                EXPIRETIME f
                PEXPIRETIME f
                TTL nokey
                PTTL nokey
                EXPIRETIME nokey
                PEXPIRETIME nokey
                SET g 1
                TTL g
                PTTL g
                EXPIRETIME g
                PEXPIRETIME g
                TTL
                PTTL a b
                PERSIST
                """},
        {"object", """
                SET i 123
                SET s hello
                SET r xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
                SET big 10000
                SET neg -1
                OBJECT ENCODING i
                OBJECT ENCODING s
                OBJECT ENCODING r
                OBJECT ENCODING nokey
                OBJECT encoding big
                OBJECT REFCOUNT i
                OBJECT REFCOUNT s
                OBJECT REFCOUNT big
                OBJECT REFCOUNT neg
                OBJECT REFCOUNT nokey
                OBJECT FREQ s
                OBJECT FREQ nokey
                OBJECT IDLETIME nokey
                OBJECT HELP
                OBJECT help
                OBJECT
                OBJECT foo
                OBJECT foo bar
                OBJECT ENCODING
                OBJECT ENCODING a b
                OBJECT FREQ
                OBJECT HELP x
                """},
    };
}
