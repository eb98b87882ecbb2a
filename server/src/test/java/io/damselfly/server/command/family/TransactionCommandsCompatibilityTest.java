package io.damselfly.server.command.family;

import io.damselfly.server.testing.DifferentialScripts;

/**
 * MULTI/EXEC/DISCARD/WATCH/UNWATCH on one connection, differentially against a real
 * redis-server 7.0.15, RESP2 and RESP3: queueing, the errors that abort EXEC and those that do
 * not, errors of commands inside EXEC, a WATCH broken by the client's own write, nested and
 * misplaced control commands, blocking and NO_MULTI commands inside a transaction.
 */
class TransactionCommandsCompatibilityTest implements DifferentialScripts {

    @Override
    public String[][] scripts() {
        return SCRIPTS;
    }

    private static final String[][] SCRIPTS = {
        {"queue-and-exec", """
                MULTI
                SET a 1
                INCR a
                LPUSH a x
                GET a
                HSET h f v
                HGETALL h
                EXEC
                GET a
                MULTI
                EXEC
                """},
        {"misplaced-control", """
                EXEC
                DISCARD
                MULTI
                MULTI
                WATCH x
                PING
                EXEC
                MULTI
                DISCARD
                DISCARD
                UNWATCH
                MULTI
                UNWATCH
                EXEC
                """},
        {"errors-that-abort", """
                MULTI
                SET a 1
                NOSUCHCOMMAND x
                EXEC
                GET a
                MULTI
                SET a
                EXEC
                MULTI
                CONFIG NOSUCH
                EXEC
                MULTI
                SHUTDOWN
                EXEC
                EXISTS a
                """},
        {"errors-inside-exec-do-not-abort", """
                SET s text
                MULTI
                INCR s
                LPUSH s x
                SET t 1
                INCRBY t abc
                EXPIRE t 1 XX GT LT
                GET t
                EXEC
                """},
        {"watch-own-write", """
                WATCH a
                SET a 1
                MULTI
                GET a
                EXEC
                WATCH a b c
                WATCH a
                MULTI
                SET b 2
                EXEC
                GET b
                WATCH nokey
                MULTI
                SET nokey 1
                EXEC
                WATCH a
                DEL a
                UNWATCH
                MULTI
                GET a
                EXEC
                WATCH b
                EXPIRE b 100
                MULTI
                PING
                EXEC
                WATCH b
                MULTI
                DISCARD
                SET b 3
                MULTI
                GET b
                EXEC
                """},
        {"watch-flush-and-swap", """
                SET a 1
                WATCH a
                FLUSHDB
                MULTI
                PING
                EXEC
                WATCH missing
                FLUSHALL
                MULTI
                PING
                EXEC
                SET x 1
                WATCH x
                SWAPDB 0 1
                MULTI
                PING
                EXEC
                SWAPDB 0 1
                FLUSHALL
                """},
        {"blocking-and-select-inside", """
                MULTI
                BLPOP list 0
                BRPOPLPUSH list other 0
                LPUSH list a
                BLPOP list 0
                SELECT 1
                SET k one
                EXEC
                GET k
                SELECT 1
                GET k
                SELECT 0
                WAIT 0 0
                MULTI
                WAIT 0 0
                EXEC
                """},
        {"arity-of-control-commands", """
                MULTI extra
                EXEC extra
                DISCARD extra
                WATCH
                UNWATCH extra
                MULTI
                WATCH
                EXEC
                """},
    };
}
