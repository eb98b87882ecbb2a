package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.command.Reply;
import io.damselfly.server.keyspace.HyperLogLogOps;
import io.damselfly.server.keyspace.HyperLogLogOps.Counted;
import io.damselfly.server.keyspace.HyperLogLogOps.Decoded;
import io.damselfly.server.keyspace.HyperLogLogOps.Registers;
import io.damselfly.server.keyspace.HyperLogLogOps.Status;

/**
 * HyperLogLog commands (Redis group "hyperloglog"), as hyperloglog.c of Redis 7.0 implements
 * them: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST. Handlers parse and reply; {@code
 * db.hyperLogLogs()} does the work on Redis's own string format.
 */
public final class HyperLogLogCommands {
    private HyperLogLogCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("pfadd", HyperLogLogCommands::pfadd);
        t.add("pfcount", HyperLogLogCommands::pfcount);
        t.add("pfmerge", HyperLogLogCommands::pfmerge);
        t.add("pfdebug", HyperLogLogCommands::pfdebug);
        t.add("pfselftest", HyperLogLogCommands::pfselftest);
    }

    /** isHLLObjectOrReply's refusal of a string that is not a HyperLogLog. */
    static final String NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";
    /** hyperloglog.c's invalid_hll_err: a sparse HyperLogLog whose opcodes are corrupt. */
    static final String CORRUPT = "INVALIDOBJ Corrupted HLL object detected";
    static final String NO_KEY = "ERR The specified key does not exist";
    static final String NOT_SPARSE = "ERR HLL encoding is not sparse";

    /** PFADD key [element [element ...]] */
    static void pfadd(CommandContext c) {
        replyCounted(c.reply(), c.db().hyperLogLogs().add(c.arg(1), c.argv(), 2));
    }

    /** PFCOUNT key [key ...] */
    static void pfcount(CommandContext c) {
        HyperLogLogOps hll = c.db().hyperLogLogs();
        replyCounted(c.reply(), c.argc() > 2 ? hll.countUnion(c.argv(), 1) : hll.count(c.arg(1)));
    }

    /** PFMERGE destkey [sourcekey [sourcekey ...]] */
    static void pfmerge(CommandContext c) {
        Status s = c.db().hyperLogLogs().merge(c.arg(1), c.argv(), 2);
        if (s == Status.OK) {
            c.reply().ok();
        } else {
            c.reply().error(errorOf(s));
        }
    }

    /**
     * PFDEBUG subcommand key: GETREG, DECODE, ENCODING, TODENSE. The key is looked up and checked
     * before the subcommand is, as Redis does.
     */
    static void pfdebug(CommandContext c) {
        Reply reply = c.reply();
        HyperLogLogOps hll = c.db().hyperLogLogs();
        byte[] key = c.arg(2);
        if (c.argIs(1, "getreg")) {
            Registers r = hll.debugRegisters(key);
            if (r.status() != Status.OK) {
                reply.error(errorOf(r.status()));
                return;
            }
            reply.array(r.registers().length);
            for (int v : r.registers()) {
                reply.integer(v);
            }
        } else if (c.argIs(1, "decode")) {
            Decoded d = hll.debugDecode(key);
            if (d.status() != Status.OK) {
                reply.error(errorOf(d.status()));
            } else {
                reply.bulk(d.text());
            }
        } else if (c.argIs(1, "encoding")) {
            Counted r = hll.debugEncoding(key);
            if (r.status() != Status.OK) {
                reply.error(errorOf(r.status()));
            } else {
                reply.simple(r.value() == HyperLogLogOps.DENSE ? "dense" : "sparse");
            }
        } else if (c.argIs(1, "todense")) {
            replyCounted(reply, hll.debugToDense(key));
        } else {
            Counted r = hll.debugEncoding(key);
            reply.error(r.status() != Status.OK ? errorOf(r.status())
                    : "ERR Unknown PFDEBUG subcommand '" + Errors.echo(c.arg(1)) + "'");
        }
    }

    /** PFSELFTEST */
    static void pfselftest(CommandContext c) {
        String failure = HyperLogLogOps.selfTest(c.db().keyspace().hllSparseMaxBytes());
        if (failure == null) {
            c.reply().ok();
        } else {
            c.reply().error("ERR " + failure);
        }
    }

    private static void replyCounted(Reply reply, Counted r) {
        if (r.status() == Status.OK) {
            reply.integer(r.value());
        } else {
            reply.error(errorOf(r.status()));
        }
    }

    private static String errorOf(Status s) {
        return switch (s) {
            case WRONG_TYPE -> Errors.WRONGTYPE;
            case NOT_HLL -> NOT_HLL;
            case CORRUPT -> CORRUPT;
            case NO_KEY -> NO_KEY;
            case NOT_SPARSE -> NOT_SPARSE;
            case OK -> throw new IllegalArgumentException("not an error");
        };
    }
}
