package io.damselfly.server.command.family;

import io.damselfly.server.testing.DifferentialScripts;
import io.damselfly.server.testing.ReplyComparison;

/**
 * The HyperLogLog family, differentially against a real redis-server 7.0.15 (see {@link
 * ReplyComparison}), RESP2 and RESP3: normal cases and the HLL's bytes as GET shows them, the
 * cached cardinality, garbage arguments, wrong arity, WRONGTYPE and strings that are not HLLs,
 * corruption made with SETRANGE and APPEND, PFDEBUG's subcommands and errors, WATCH broken by
 * PFCOUNT's cache write, hll-sparse-max-bytes.
 */
class HyperLogLogCommandsCompatibilityTest implements DifferentialScripts {

    @Override
    public String[][] scripts() {
        return SCRIPTS;
    }

    private static final String[][] SCRIPTS = {
        {"add-count", """
                PFADD h
                GET h
                PFCOUNT h
                GET h
                PFADD h a b c
                PFADD h a b c
                PFADD h _
                GET h
                PFCOUNT h
                PFCOUNT h
                GETRANGE h 15 15
                PFADD h 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20
                GETRANGE h 15 15
                PFCOUNT h
                PFCOUNT nokey
                PFCOUNT nokey other
                PFCOUNT h h
                STRLEN h
                TYPE h
                OBJECT ENCODING h
                EXISTS h
                """},
        {"merge", """
                PFADD a{t} a b c
                PFADD b{t} b c d
                PFADD c{t} c d e
                PFMERGE m{t} a{t} b{t} c{t}
                PFCOUNT m{t}
                GET m{t}
                PFMERGE m{t}
                PFMERGE new{t}
                GET new{t}
                PFMERGE a{t} a{t}
                PFCOUNT a{t} b{t} c{t} missing{t}
                PFMERGE d{t} missing{t}
                EXISTS d{t}
                PFCOUNT d{t}
                PFDEBUG TODENSE b{t}
                PFMERGE e{t} a{t} b{t}
                PFDEBUG ENCODING e{t}
                PFCOUNT e{t}
                PFMERGE f{t} a{t} c{t}
                PFDEBUG ENCODING f{t}
                PFDEBUG DECODE f{t}
                """},
        {"arity-and-garbage", """
                PFADD
                PFCOUNT
                PFMERGE
                PFDEBUG
                PFDEBUG GETREG
                PFDEBUG GETREG h extra
                PFSELFTEST extra
                PFADD _ _
                PFCOUNT _
                PFADD h \u00ff\u00fe \u0000 -1 9223372036854775808 1e400
                PFCOUNT h
                """},
        {"wrongtype", """
                RPUSH list a
                SET str foo
                SET num 12345
                SET short HYLL
                SADD set a
                PFADD list a
                PFCOUNT list
                PFCOUNT str
                PFCOUNT num
                PFCOUNT short
                PFADD str a
                PFMERGE dest list
                PFMERGE dest str
                PFMERGE list str
                PFMERGE str list
                PFCOUNT h set
                PFDEBUG ENCODING set
                PFDEBUG ENCODING str
                EXISTS dest
                """},
        {"corruption", """
                PFADD h a b c
                SETRANGE h 0 0123
                PFCOUNT h
                DEL h
                PFADD h a b c
                SETRANGE h 4 x
                PFCOUNT h
                DEL h
                PFADD h a b c
                SETRANGE h 4 \u0000
                PFCOUNT h
                DEL h
                PFADD h a b c
                APPEND h hello
                PFCOUNT h
                PFADD h x y z
                PFCOUNT h other
                PFMERGE other h
                PFDEBUG GETREG h
                PFDEBUG TODENSE h
                PFDEBUG DECODE h
                GET h
                DEL h
                PFADD h a b c
                SETRANGE h 17 zz
                PFDEBUG DECODE h
                PFCOUNT h
                PFADD h q w e r t y
                GET h
                """},
        {"debug", """
                PFDEBUG GETREG nokey
                PFDEBUG nope nokey
                PFADD h a b c d e f
                PFDEBUG nope h
                PFDEBUG ENCODING h
                PFDEBUG DECODE h
                PFDEBUG decode h
                PFDEBUG TODENSE h
                PFDEBUG TODENSE h
                PFDEBUG ENCODING h
                PFDEBUG DECODE h
                PFCOUNT h
                PFADD s x
                PFDEBUG GETREG s
                PFDEBUG ENCODING s
                GET s
                PFSELFTEST
                """},
        {"watch", """
                PFADD w a b
                WATCH w
                PFCOUNT w
                MULTI
                PING
                EXEC
                WATCH w
                PFCOUNT w
                PFADD w a
                MULTI
                PING
                EXEC
                WATCH w
                PFADD w zz
                MULTI
                PING
                EXEC
                """},
        {"sparse-max-bytes", """
                CONFIG SET hll-sparse-max-bytes 30
                CONFIG GET hll-sparse-max-bytes
                PFADD h a
                PFDEBUG ENCODING h
                PFADD h b c d e f g
                PFDEBUG ENCODING h
                GET h
                CONFIG SET hll-sparse-max-bytes -1
                CONFIG SET hll-sparse-max-bytes abc
                CONFIG SET hll-sparse-max-bytes 1kb
                CONFIG GET hll-sparse-max-bytes
                CONFIG SET hll-sparse-max-bytes 3000
                """},
        {"expire-and-copy", """
                PFADD h a b c
                EXPIRE h 1000
                PFADD h d e
                PFCOUNT h
                TTL h
                COPY h c
                PFCOUNT c
                GET c
                RENAME h r
                PFCOUNT r
                """},
    };
}
