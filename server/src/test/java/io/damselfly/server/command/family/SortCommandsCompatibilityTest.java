package io.damselfly.server.command.family;

import io.damselfly.server.testing.DifferentialScripts;
import io.damselfly.server.testing.ServerOptions;

/**
 * SORT and SORT_RO differentially against a real redis-server 7.0.15, RESP2 and RESP3, on a
 * server with several shards (BY and GET read keys in other shards): numeric and ALPHA order,
 * DESC, LIMIT edges (lists, sets and sorted sets), BY weights from strings and hash fields, BY nosort keeping a list's order,
 * GET # and patterns with missing keys, STORE replacing and deleting its destination, sets sorted,
 * bad weights, garbage options, WRONGTYPE.
 */
@ServerOptions({"num_shards=8"})
class SortCommandsCompatibilityTest implements DifferentialScripts {

    @Override
    public String[][] scripts() {
        return SCRIPTS;
    }

    private static final String[][] SCRIPTS = {
        {"numeric-and-alpha", """
                RPUSH l 3 1 2 10 -5 2.5 1e2
                SORT l
                SORT l DESC
                SORT l ALPHA
                SORT l ALPHA DESC
                SORT l LIMIT 1 3
                SORT l LIMIT 0 0
                SORT l LIMIT -5 2
                SORT l LIMIT 5 100
                SORT l LIMIT 100 2
                SORT l LIMIT 2 -1
                SORT_RO l DESC LIMIT 0 2
                SORT nokey
                SORT nokey ALPHA STORE dst
                EXISTS dst
                RPUSH words b a c ab
                SORT words
                SORT words ALPHA
                SORT words ALPHA LIMIT 1 2 DESC
                """},
        {"by-and-get", """
                RPUSH ids 1 2 3 4
                MSET w_1 40 w_2 10 w_3 30 name_1 one name_2 two name_3 three
                HSET obj_1 f x1 score 5
                HSET obj_2 f x2 score 3
                SORT ids BY w_*
                SORT ids BY w_* DESC
                SORT ids BY w_* GET name_* GET #
                SORT ids BY obj_*->score GET obj_*->f GET # GET missing_*
                SORT ids BY nosort
                SORT ids BY nosort DESC
                SORT ids BY nosort LIMIT 1 2
                SORT ids BY nosort DESC LIMIT 1 2
                SORT ids BY w_* ALPHA
                SORT ids BY nosort GET name_*
                SORT ids GET name_* GET obj_*->nofield GET obj_*->
                SORT ids BY name_* ALPHA GET #
                SORT ids BY name_*
                SORT ids BY w_* STORE out
                LRANGE out 0 -1
                SORT ids BY w_* GET name_* STORE out
                LRANGE out 0 -1
                TTL out
                """},
        {"sets-and-store", """
                SADD s 5 3 9 1
                SORT s
                SORT s DESC LIMIT 0 2
                SORT s BY nosort STORE dst
                LRANGE dst 0 -1
                SADD t b c a
                SORT t ALPHA
                SORT t BY nosort ALPHA STORE dst
                LRANGE dst 0 -1
                SET dst old
                EXPIRE dst 100
                SORT s STORE dst
                TTL dst
                TYPE dst
                SORT empty STORE dst
                EXISTS dst
                """},
        {"sorted-sets", """
                ZADD z 3 c 1 a 2 b 10 j 5 e
                SORT z BY nosort
                SORT z BY nosort DESC
                SORT z BY nosort LIMIT 1 2
                SORT z BY nosort DESC LIMIT 1 3
                SORT z BY nosort LIMIT 10 3
                SORT z ALPHA
                SORT z ALPHA DESC LIMIT 0 2
                MSET w_a 5 w_b 4 w_c 3
                SORT z BY w_* GET #
                SORT z BY nosort GET w_* STORE out
                LRANGE out 0 -1
                ZADD nums 1 10 2 9 3 100
                SORT nums
                SORT nums BY nosort
                """},
        {"errors", """
                RPUSH l 1 x 2
                SORT l
                SORT l ALPHA
                SET str v
                SORT str
                HSET h f v
                SORT h
                RPUSH n 1 2
                SORT n LIMIT
                SORT n LIMIT 1
                SORT n LIMIT a 1
                SORT n LIMIT 0 b
                SORT n BY
                SORT n GET
                SORT n STORE
                SORT n FOO
                SORT_RO n STORE x
                SORT
                SORT_RO
                RPUSH inf inf -inf 5
                SORT inf
                RPUSH bad 1 nan
                SORT bad
                RPUSH spaces " 1" _ 3
                SORT spaces
                RPUSH hex 0x10 2
                SORT hex
                RPUSH tiny 1e-400 2
                SORT tiny
                RPUSH huge 1e400 2
                SORT huge
                """},
    };
}
