package io.damselfly.server.command.family;

import io.damselfly.server.testing.DifferentialScripts;
import io.damselfly.server.testing.ReplyComparison;

/**
 * The list family, differentially against a real redis-server 7.0.15 (see {@link
 * ReplyComparison}), RESP2 and RESP3: normal cases, edges (negative and huge indexes, counts of
 * 0, missing keys), garbage arguments, wrong arity, WRONGTYPE, encodings, and the blocking
 * commands where they answer at once (a non-empty list, a bad timeout, a wrong type).
 */
class ListCommandsCompatibilityTest implements DifferentialScripts {

    @Override
    public String[][] scripts() {
        return SCRIPTS;
    }

    private static final String[][] SCRIPTS = {
        {"push-and-length", """
                LPUSH l a b c
                RPUSH l d e
                LRANGE l 0 -1
                LLEN l
                LLEN nokey
                LPUSHX nokey a
                RPUSHX nokey a
                EXISTS nokey
                LPUSHX l x y
                RPUSHX l z
                LRANGE l 0 -1
                TYPE l
                OBJECT ENCODING l
                RPUSH _ _
                LRANGE _ 0 -1
                LPUSH
                LPUSH l
                RPUSH l
                LPUSHX l
                RPUSHX
                LLEN
                LLEN l l
                """},
        {"pop", """
                RPUSH l a b c d e f
                LPOP l
                RPOP l
                LPOP l 2
                RPOP l 0
                LPOP l 0
                RPOP l 1
                LPOP l 10
                EXISTS l
                LPOP l
                RPOP l
                LPOP l 0
                RPOP l 3
                LPOP l -1
                LPOP l abc
                RPOP l 1.5
                LPOP l 9223372036854775808
                RPUSH l a
                LPOP l 1 2
                LPOP
                RPOP
                LPOP l 9223372036854775807
                """},
        {"range-index", """
                RPUSH l 0 1 2 3 4 5 6 7 8 9
                LRANGE l 0 0
                LRANGE l -3 -1
                LRANGE l 5 2
                LRANGE l -100 100
                LRANGE l 10 20
                LRANGE l -1 -2
                LRANGE l 2 -8
                LRANGE l 0 -9223372036854775808
                LRANGE l -9223372036854775808 9223372036854775807
                LRANGE l a 1
                LRANGE l 1 b
                LRANGE nokey 0 -1
                LRANGE nokey a b
                LINDEX l 0
                LINDEX l -1
                LINDEX l 10
                LINDEX l -11
                LINDEX l x
                LINDEX nokey x
                LINDEX nokey 0
                LINDEX l 9223372036854775807
                LRANGE l 0
                LINDEX l
                """},
        {"lset", """
                RPUSH l a b c
                LSET l 0 x
                LSET l -1 z
                LSET l 3 y
                LSET l -4 y
                LSET l x y
                LSET nokey 0 v
                LSET nokey x v
                LRANGE l 0 -1
                LSET l 1
                """},
        {"lrem", """
                RPUSH l a b a c a b a
                LREM l 1 a
                LRANGE l 0 -1
                LREM l -1 a
                LRANGE l 0 -1
                LREM l 0 b
                LRANGE l 0 -1
                LREM l 0 nothere
                LREM l x a
                LREM nokey 0 a
                LREM l -9223372036854775808 a
                LRANGE l 0 -1
                LREM l 0 c
                EXISTS l
                LREM l 0
                """},
        {"ltrim", """
                RPUSH l 0 1 2 3 4 5 6 7 8 9
                LTRIM l 1 -2
                LRANGE l 0 -1
                LTRIM l -3 100
                LRANGE l 0 -1
                LTRIM l 2 1
                EXISTS l
                LTRIM nokey 0 1
                LTRIM l a 1
                RPUSH l a b c
                LTRIM l 0 -9223372036854775808
                EXISTS l
                LTRIM l 0
                """},
        {"linsert", """
                RPUSH l a b c
                LINSERT l BEFORE b x
                LINSERT l after c y
                LINSERT l AFTER a z
                LINSERT l before nothere w
                LRANGE l 0 -1
                LINSERT l middle a w
                LINSERT nokey before a w
                LINSERT nokey middle a w
                EXISTS nokey
                LINSERT l before a
                """},
        {"lpos", """
                RPUSH l a b c 1 2 3 c c
                LPOS l c
                LPOS l c RANK 2
                LPOS l c RANK -1
                LPOS l c RANK -3
                LPOS l c RANK 4
                LPOS l c COUNT 0
                LPOS l c COUNT 2
                LPOS l c COUNT 0 RANK -1
                LPOS l c COUNT 0 MAXLEN 3
                LPOS l c MAXLEN 2
                LPOS l c RANK -1 MAXLEN 2
                LPOS l nothere
                LPOS l nothere COUNT 0
                LPOS nokey a
                LPOS nokey a COUNT 1
                LPOS l c RANK 0
                LPOS l c RANK x
                LPOS l c COUNT -1
                LPOS l c COUNT x
                LPOS l c MAXLEN -1
                LPOS l c MAXLEN x
                LPOS l c RANK
                LPOS l c FOO 1
                LPOS l c RANK -9223372036854775808
                LPOS l c COUNT 1 COUNT 2
                LPOS l
                """},
        {"lmove-rpoplpush", """
                RPUSH src a b c
                LMOVE src dst LEFT RIGHT
                LMOVE src dst RIGHT LEFT
                LRANGE dst 0 -1
                RPOPLPUSH src dst
                EXISTS src
                LRANGE dst 0 -1
                LMOVE dst dst LEFT RIGHT
                LRANGE dst 0 -1
                RPOPLPUSH dst dst
                LRANGE dst 0 -1
                LMOVE nokey dst LEFT LEFT
                RPOPLPUSH nokey dst
                LMOVE dst x UP LEFT
                LMOVE dst x LEFT DOWN
                LMOVE nokey x UP LEFT
                SET str v
                LMOVE dst str LEFT LEFT
                RPOPLPUSH str dst
                LMOVE nokey str LEFT LEFT
                RPOPLPUSH dst str
                LRANGE dst 0 -1
                RPUSH one x
                RPOPLPUSH one one
                LRANGE one 0 -1
                LMOVE src dst LEFT
                RPOPLPUSH src
                """},
        {"lmpop", """
                RPUSH a 1 2 3
                RPUSH b 4 5
                LMPOP 2 nokey a LEFT
                LMPOP 2 nokey a RIGHT COUNT 2
                LMPOP 2 a b LEFT COUNT 10
                LMPOP 1 b RIGHT COUNT 1
                LMPOP 2 a b LEFT
                LMPOP 0 a LEFT
                LMPOP -1 a LEFT
                LMPOP x a LEFT
                LMPOP 3 a b LEFT
                LMPOP 1 a MIDDLE
                LMPOP 1 a LEFT COUNT 0
                LMPOP 1 a LEFT COUNT -1
                LMPOP 1 a LEFT COUNT x
                LMPOP 1 a LEFT COUNT 1 COUNT 1
                LMPOP 1 a LEFT COUNT
                LMPOP 1 a LEFT FOO
                SET s v
                LMPOP 2 s a LEFT
                RPUSH a 1
                LMPOP 2 a s LEFT
                LMPOP 1
                LMPOP 1 a
                """},
        {"wrongtype", """
                SET s v
                LPUSH s a
                RPUSH s a
                LPUSHX s a
                RPUSHX s a
                LPOP s
                RPOP s 2
                LLEN s
                LRANGE s 0 -1
                LRANGE s x 0
                LINDEX s 0
                LINDEX s x
                LSET s 0 v
                LSET s x v
                LREM s 0 a
                LTRIM s 0 1
                LINSERT s before a b
                LPOS s a
                LPOS s a COUNT 0
                LMOVE s d LEFT LEFT
                RPOPLPUSH s d
                RPUSH l a
                GET l
                APPEND l x
                INCR l
                STRLEN l
                TYPE l
                """},
        {"events-and-keys", """
                RPUSH l a b
                EXPIRE l 100
                RPUSH l c
                TTL l
                LPOP l 3
                EXISTS l
                TTL l
                RPUSH l a
                RENAME l m
                LRANGE m 0 -1
                COPY m n
                LRANGE n 0 -1
                RPUSH n b
                LRANGE m 0 -1
                OBJECT ENCODING n
                DEL m n
                """},
        {"config", """
                CONFIG GET list-max-listpack-size
                CONFIG GET list-max-ziplist-size
                CONFIG GET list-compress-depth
                ~CONFIG GET list-*
                ~CONFIG GET *ziplist-size
                CONFIG SET list-max-ziplist-size 5
                CONFIG GET list-max-listpack-size
                CONFIG SET list-max-listpack-size -1
                CONFIG GET list-max-ziplist-size
                CONFIG SET list-max-listpack-size abc
                CONFIG SET LIST-MAX-ZIPLIST-SIZE abc
                CONFIG SET list-max-ziplist-size 1 list-max-listpack-size 2
                CONFIG GET LIST-MAX-ZIPLIST-SIZE
                CONFIG SET list-max-ziplist-size 1 list-max-ziplist-size 2
                CONFIG SET list-compress-depth -1
                CONFIG SET list-compress-depth 2
                CONFIG GET list-compress-depth
                RPUSH l a
                OBJECT ENCODING l
                CONFIG SET list-max-listpack-size -2
                CONFIG SET list-compress-depth 0
                """},
        {"blocking-at-once", """
                RPUSH l a b c
                BLPOP l 0
                BRPOP nokey l 0
                BLMPOP 0 2 nokey l LEFT COUNT 5
                RPUSH l a b c
                BLMOVE l d LEFT RIGHT 0
                BRPOPLPUSH l d 0
                LRANGE d 0 -1
                BLPOP l x
                BLPOP l -1
                BLPOP l inf
                BLPOP l nan
                BLPOP l 1e30
                BLPOP l _
                BRPOP l 0x10
                RPUSH l m n
                BLMOVE l d LEFT RIGHT x
                BLMOVE l d UP RIGHT x
                BRPOPLPUSH l d -1
                BLMPOP x 1 l LEFT
                BLMPOP 0 0 l LEFT
                BLMPOP 0 1 l MIDDLE
                SET s v
                BLPOP s 0
                BLPOP nokey s 0
                BLMOVE s d LEFT LEFT 0
                BRPOPLPUSH l s 0
                BLMPOP 0 1 s LEFT
                BLPOP l
                BLMOVE l d LEFT RIGHT
                BLMPOP 0 1
                """},
    };
}
