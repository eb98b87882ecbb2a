package io.damselfly.server.command.family;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RedisServerProcess;
import io.damselfly.server.testing.DifferentialScripts;
import io.damselfly.server.testing.ReplyComparison;
import org.junit.jupiter.api.AfterEach;

/**
 * The set family, differentially against a real redis-server 7.0.15 (see {@link
 * ReplyComparison}), RESP2 and RESP3: normal cases, empty results, missing keys, WRONGTYPE in the
 * order Redis checks it, garbage counts and cursors, wrong arity, the intset/hashtable encodings
 * and every conversion, SINTERCARD's LIMIT, and SPOP/SRANDMEMBER where their answer is
 * deterministic (one member, the whole set, a repeated single member). Lines starting with '~'
 * compare a hashtable set's members unordered; an intset's come in ascending order, as Redis's.
 */
class SetCommandsCompatibilityTest implements DifferentialScripts {

    @AfterEach
    void restoreConfig(EmbeddedServer server, RedisServerProcess redis) {
        ReplyComparison.okOnBoth(redis, server, "CONFIG", "SET", "set-max-intset-entries", "512");
    }

    @Override
    public String[][] scripts() {
        return SCRIPTS;
    }

    private static final String[][] SCRIPTS = {
        {"command-info", """
                COMMAND INFO sadd srem smembers sismember smismember scard spop srandmember smove
                COMMAND INFO sinter sunion sdiff sinterstore sunionstore sdiffstore sintercard sscan
                COMMAND DOCS spop sintercard sscan
                COMMAND GETKEYS sintercard 2 a b LIMIT 3
                COMMAND GETKEYS smove a b m
                """},
        {"add-intset", """
                SADD s 3 1 2
                SADD s 2 3
                SMEMBERS s
                SCARD s
                SISMEMBER s 2
                SISMEMBER s 4
                SISMEMBER s 02
                SISMEMBER s abc
                SMISMEMBER s 1 4 3 x
                TYPE s
                OBJECT ENCODING s
                SADD s -5 32767 -32768
                OBJECT ENCODING s
                SMEMBERS s
                SADD s 32768
                SADD s -2147483649 2147483647
                SMEMBERS s
                SADD s 9223372036854775807 -9223372036854775808
                SMEMBERS s
                OBJECT ENCODING s
                SCARD s
                SISMEMBER s -9223372036854775808
                SISMEMBER s 9223372036854775808
                SADD s 9223372036854775808
                OBJECT ENCODING s
                SCARD s
                ~SMEMBERS s
                SISMEMBER s 32768
                SISMEMBER s 9223372036854775808
                """},
        {"add-hashtable", """
                SADD h a b c a
                OBJECT ENCODING h
                ~SMEMBERS h
                SADD h 1 2
                SISMEMBER h 1
                SISMEMBER h 01
                SADD h _
                SISMEMBER h _
                SCARD h
                SADD i 01
                OBJECT ENCODING i
                SADD j +1
                OBJECT ENCODING j
                SADD k -0
                OBJECT ENCODING k
                SADD l 1.0
                OBJECT ENCODING l
                SADD m _
                OBJECT ENCODING m
                SADD n 1 x
                OBJECT ENCODING n
                ~SMEMBERS n
                SADD o 0 -1
                OBJECT ENCODING o
                SMEMBERS o
                SMEMBERS nokey
                SCARD nokey
                SISMEMBER nokey a
                SMISMEMBER nokey a b
                """},
        {"srem", """
                SADD s 1 2 3 4
                SREM s 2 9 x 02
                SMEMBERS s
                SREM s 1 3 4 5
                EXISTS s
                SREM s 1
                SREM nokey a
                SADD h a b c 1
                SREM h a 1 x
                ~SMEMBERS h
                SREM h b c
                EXISTS h
                SADD h a
                OBJECT ENCODING h
                """},
        {"wrongtype", """
                SET str x
                SADD s 1 2
                SADD str a
                SREM str a
                SMEMBERS str
                SISMEMBER str a
                SMISMEMBER str a b
                SCARD str
                SPOP str
                SPOP str 2
                SPOP str 0
                SPOP str -1
                SPOP str abc
                SRANDMEMBER str
                SRANDMEMBER str 2
                SRANDMEMBER str abc
                SMOVE str s a
                SMOVE s str 1
                SMOVE s str notamember
                SMOVE nokey str a
                SMOVE str nokey a
                SINTER str
                SINTER nokey str
                SINTER s str nokey
                SUNION s str
                SUNION nokey str
                SDIFF str s
                SDIFF nokey str
                SDIFF s nokey str
                SINTERSTORE dst nokey str
                SUNIONSTORE dst s str
                SDIFFSTORE dst s str
                EXISTS dst
                SINTERCARD 2 nokey str
                SINTERCARD 1 str LIMIT 2
                SSCAN str 0
                SSCAN str abc
                SSCAN str 0 COUNT 0
                SINTERSTORE str s s
                TYPE str
                SMEMBERS str
                """},
        {"spop-deterministic", """
                SADD one a
                SPOP one
                EXISTS one
                SPOP one
                SPOP nokey
                SPOP nokey 3
                SPOP nokey 0
                SADD s 5 3 1 4 2
                SPOP s 0
                SCARD s
                SPOP s 5
                EXISTS s
                SADD s 5 3 1 4 2
                SPOP s 100
                EXISTS s
                SADD s 7
                SPOP s 1
                SADD h a b c
                ~SPOP h 3
                EXISTS h
                SADD h a b c
                ~SPOP h 9223372036854775807
                SPOP h -1
                SPOP h abc
                SPOP h 1.5
                SPOP h 9223372036854775808
                SPOP h 1 2
                SPOP nokey -1
                SPOP nokey abc
                SPOP
                """},
        {"srandmember-deterministic", """
                SADD one a
                SRANDMEMBER one
                SRANDMEMBER one 1
                SRANDMEMBER one -3
                SRANDMEMBER one 5
                SRANDMEMBER one 0
                SRANDMEMBER one -1
                SRANDMEMBER nokey
                SRANDMEMBER nokey 3
                SRANDMEMBER nokey -3
                SRANDMEMBER nokey 0
                SADD s 3 1 2
                SRANDMEMBER s 3
                SRANDMEMBER s 9223372036854775807
                SADD h x y z
                ~SRANDMEMBER h 3
                ~SRANDMEMBER h 10
                SRANDMEMBER s -9223372036854775808
                SRANDMEMBER s 9223372036854775808
                SRANDMEMBER s abc
                SRANDMEMBER s -0
                SRANDMEMBER s 1.5
                SRANDMEMBER s _
                SRANDMEMBER s 1 2
                SRANDMEMBER nokey abc
                SRANDMEMBER
                SCARD s
                """},
        {"spop-rebuilds-as-redis", """
                CONFIG SET set-max-intset-entries 4
                SADD s 1 2 3 4 5 6 7 8 9 10
                OBJECT ENCODING s
                SADD t 10 9 8 7 6 5 4 3 2 1
                SREM t 1 2 3 4 5 6
                OBJECT ENCODING t
                CONFIG SET set-max-intset-entries 512
                SPOP t 4
                EXISTS t
                SADD u 1 2 3 4 5 6 x
                SPOP u 0
                OBJECT ENCODING u
                SCARD u
                """},
        {"smove", """
                SADD src 1 2 x
                SADD dst 3
                SMOVE src dst 1
                SMEMBERS dst
                ~SMEMBERS src
                SMOVE src dst 1
                SMOVE src dst 9
                SMOVE nokey dst 1
                SMOVE src dst x
                OBJECT ENCODING dst
                ~SMEMBERS dst
                SMOVE src new 2
                OBJECT ENCODING new
                SMEMBERS new
                EXISTS src
                SADD a y
                SMOVE a b y
                OBJECT ENCODING b
                EXISTS a
                SADD c y z
                SMOVE c b y
                SCARD b
                SCARD c
                SMOVE b b y
                SMOVE b b nosuch
                SMOVE nokey nokey a
                SMOVE b
                SMOVE b c
                SMOVE b c y z
                """},
        {"sinter-sunion-sdiff-intset", """
                SADD a 1 2 3 4 5
                SADD b 4 5 6 7
                SADD c 5 7 9
                SINTER a b
                SINTER a b c
                SINTER a
                SINTER a a
                SINTER a nokey
                SINTER nokey
                SUNION a b c
                SUNION a nokey
                SUNION nokey
                SDIFF a b
                SDIFF a b c
                SDIFF a nokey
                SDIFF nokey a
                SDIFF a a
                SDIFF a b a
                SDIFF b a
                SDIFF c a b
                """},
        {"sinter-sunion-sdiff-hashtable", """
                SADD a x y z 1 2
                SADD b y z w 2
                SADD c z w 2 q
                ~SINTER a b
                ~SINTER a b c
                ~SUNION a b c
                ~SDIFF a b
                ~SDIFF a b c
                ~SDIFF c b
                SADD i 2 3 4
                SINTER a i
                SUNION i
                ~SUNION i a
                SDIFF i a
                """},
        {"store", """
                SADD a 1 2 3 x
                SADD b 2 3 4 x
                SADD i 7 8
                SINTERSTORE d a b
                ~SMEMBERS d
                OBJECT ENCODING d
                SINTERSTORE d a b i
                EXISTS d
                SADD d 1
                SINTERSTORE d a nokey
                EXISTS d
                SUNIONSTORE d i
                OBJECT ENCODING d
                SMEMBERS d
                SREM a x
                SREM b x
                SINTERSTORE d a b
                OBJECT ENCODING d
                SMEMBERS d
                SDIFFSTORE d a b
                SMEMBERS d
                OBJECT ENCODING d
                SDIFFSTORE d b a
                SMEMBERS d
                SDIFFSTORE d a a
                EXISTS d
                SET str v EX 100
                SUNIONSTORE str a b
                TTL str
                TYPE str
                SMEMBERS str
                SADD e 5
                EXPIRE e 100
                SINTERSTORE e e a
                EXISTS e
                SUNIONSTORE e e a
                TTL e
                SUNIONSTORE d nokey
                SUNIONSTORE nokey2 nokey
                EXISTS nokey2
                SUNIONSTORE a a
                SMEMBERS a
                SINTERSTORE d
                SUNIONSTORE d
                SDIFFSTORE d
                SINTER
                """},
        {"store-conversions", """
                CONFIG SET set-max-intset-entries 3
                SADD a 1 2 3 4 5
                OBJECT ENCODING a
                SREM a 4 5
                OBJECT ENCODING a
                SUNIONSTORE d a
                OBJECT ENCODING d
                SMEMBERS d
                SDIFFSTORE d a nokey
                OBJECT ENCODING d
                SINTERSTORE d a a
                OBJECT ENCODING d
                ~SMEMBERS a
                SMEMBERS d
                SADD b 1 2 3 4 5 6 7 8
                SDIFFSTORE d b a
                OBJECT ENCODING d
                ~SDIFF b a
                SADD big 10 20 30 40 50 60 70 80 90
                SDIFFSTORE d big a
                OBJECT ENCODING d
                CONFIG SET set-max-intset-entries 0
                SADD z 1
                OBJECT ENCODING z
                CONFIG GET set-max-intset-entries
                CONFIG SET set-max-intset-entries -1
                CONFIG SET set-max-intset-entries abc
                CONFIG GET set-max-intset-entries
                """},
        {"sintercard", """
                SADD a 1 2 3 4 5
                SADD b 2 3 4 5 6
                SADD h 3 4 x
                SINTERCARD 1 a
                SINTERCARD 2 a b
                SINTERCARD 3 a b h
                SINTERCARD 2 a b LIMIT 0
                SINTERCARD 2 a b LIMIT 1
                SINTERCARD 2 a b LIMIT 3
                SINTERCARD 2 a b LIMIT 4
                SINTERCARD 2 a b LIMIT 100
                SINTERCARD 2 a b limit 2
                SINTERCARD 2 a b LIMIT 1 LIMIT 2
                SINTERCARD 2 a nokey
                SINTERCARD 1 nokey
                SINTERCARD 2 a a
                SINTERCARD 0 a
                SINTERCARD -1 a
                SINTERCARD abc a
                SINTERCARD 3 a b
                SINTERCARD 9223372036854775807 a
                SINTERCARD 2 a b LIMIT -1
                SINTERCARD 2 a b LIMIT abc
                SINTERCARD 2 a b LIMIT
                SINTERCARD 2 a b COUNT 1
                SINTERCARD 1 a b
                SINTERCARD 1
                SINTERCARD
                """},
        {"sscan", """
                SADD i 1 2 3 10 11 12 20
                SSCAN i 0
                SSCAN i 0 COUNT 1
                SSCAN i 0 MATCH 1*
                SSCAN i 0 match *0 count 2
                SSCAN i 5
                SSCAN i 0 MATCH
                SSCAN i 0 COUNT
                SSCAN i 0 COUNT 0
                SSCAN i 0 COUNT -1
                SSCAN i 0 COUNT abc
                SSCAN i 0 FOO bar
                SSCAN i abc
                SSCAN i -1
                SSCAN i 18446744073709551616
                SSCAN nokey 0
                SSCAN nokey 0 COUNT 0
                SSCAN nokey abc
                SADD h a b c d e f g
                ~SSCAN h 0 COUNT 100
                ~SSCAN h 0 COUNT 100 MATCH [a-c]
                SSCAN h 0 COUNT 100 MATCH nomatch
                SSCAN
                SSCAN i
                """},
        {"generic-commands", """
                SADD s 1 2 3
                SADD h a b
                COPY s s2
                OBJECT ENCODING s2
                SMEMBERS s2
                COPY h h2
                OBJECT ENCODING h2
                ~SMEMBERS h2
                SADD s2 4
                SCARD s
                RENAME s s3
                SMEMBERS s3
                EXISTS s
                ~SCAN 0 TYPE set COUNT 100
                SCAN 0 TYPE SET COUNT 100 MATCH h2
                TYPE s3
                EXPIRE s3 100
                TTL s3
                SADD s3 9
                TTL s3
                SREM s3 9
                TTL s3
                DEL s3 h
                EXISTS s3 h
                UNLINK h2
                EXISTS h2
                """},
        {"arity", """
                SADD
                SADD s
                SREM s
                SMEMBERS
                SMEMBERS a b
                SISMEMBER s
                SISMEMBER s a b
                SMISMEMBER s
                SCARD
                SCARD a b
                SPOP
                SRANDMEMBER
                SMOVE a b
                SINTER
                SUNION
                SDIFF
                SINTERSTORE d
                SUNIONSTORE d
                SDIFFSTORE d
                SINTERCARD 1
                SSCAN s
                """},
    };
}
