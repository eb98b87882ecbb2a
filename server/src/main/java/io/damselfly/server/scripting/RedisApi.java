package io.damselfly.server.scripting;

import io.damselfly.server.command.Command;
import io.damselfly.server.config.Option;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code redis} table scripts see, as Redis 7.0.15 fills it (script_lua.c luaRegisterRedisAPI
 * and eval.c scriptingInit): call, pcall, log and the LOG_ levels, setresp, sha1hex, error_reply,
 * status_reply, set_repl with the REPL_ flags (where the script's later calls propagate: the AOF,
 * the replicas, both or neither, until the script ends), replicate_commands (accepted, no effect,
 * as in 7.0 where scripts always replicate their effects), acl_check_cmd (by the caller's ACL user),
 * breakpoint and debug (no debugger: false and nothing), REDIS_VERSION and REDIS_VERSION_NUM.
 *
 * <p>redis.call and redis.pcall follow scriptCall (script.c): arguments converted as Redis
 * converts them (a number by %.17g), then the checks Redis makes before running a command from a
 * script (unknown command, arity, NOSCRIPT, writes in a read-only script, deny-oom before the
 * script's first write when it started over maxmemory), then the command runs through the
 * script client's executor and its reply is read back into Lua ({@link RespToLua}). An error
 * is a table {err="CODE message"}: redis.call raises it, redis.pcall returns it. Error texts are
 * Redis's, word for word.
 */
final class RedisApi {
    private static final Logger log = LoggerFactory.getLogger("io.damselfly.server.scripting.redis.log");

    /** REDIS_VERSION_NUM of 7.0.15: 0x0007000f. */
    static final int REDIS_VERSION_NUM = 0x0007000f;

    private RedisApi() {
    }

    /** The table EVAL scripts and functions see at run time; {@code eval} adds EVAL's debugger stubs. */
    static LuaTable create(ScriptEngine engine, boolean eval) {
        LuaTable r = new LuaTable();
        r.rawset("call", redisCall(engine, true));
        r.rawset("pcall", redisCall(engine, false));
        addLog(r);
        addVersion(r);
        r.rawset("setresp", fn(args -> {
            ScriptRun run = engine.requireRun("redis.setresp can only be called inside a script invocation");
            if (args.narg() != 1) {
                throw raise("redis.setresp() requires one argument.");
            }
            int resp = (int) args.arg1().optdouble(0);
            if (resp != 2 && resp != 3) {
                throw raise("RESP version must be 2 or 3.");
            }
            run.client.session.setProtocol(resp);
            return LuaValue.NONE;
        }));
        r.rawset("sha1hex", fn(args -> {
            if (args.narg() != 1) {
                throw raise("wrong number of arguments");
            }
            LuaValue s = args.arg1();
            byte[] b = s.isstring() ? LuaToReply.bytes(s.checkstring()) : new byte[0];
            return LuaValue.valueOf(sha1hex(b));
        }));
        r.rawset("error_reply", fn(args -> {
            if (args.narg() != 1 || args.arg1().type() != LuaValue.TSTRING) {
                return LuaErrors.errorTable("ERR wrong number or type of arguments");
            }
            String e = args.arg1().tojstring();
            return LuaErrors.errorTable(RespToLua.errorText(e.startsWith("-") ? e.substring(1) : e));
        }));
        r.rawset("status_reply", fn(args -> {
            if (args.narg() != 1 || args.arg1().type() != LuaValue.TSTRING) {
                return LuaErrors.errorTable("ERR wrong number or type of arguments");
            }
            LuaTable t = new LuaTable();
            t.rawset("ok", args.arg1());
            return t;
        }));
        r.rawset("set_repl", fn(args -> {
            engine.requireRun("redis.set_repl can only be called inside a script invocation");
            if (args.narg() != 1) {
                throw raise("redis.set_repl() requires two arguments.");
            }
            int flags = (int) args.arg1().optdouble(0);
            if ((flags & ~3) != 0) {
                throw raise("Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
            }
            // the REPL_ flags are Redis's PROPAGATE_ ones, and Propagation's targets
            engine.server().propagation().setCallTargets(flags);
            return LuaValue.NONE;
        }));
        r.rawset("REPL_NONE", LuaValue.valueOf(0));
        r.rawset("REPL_AOF", LuaValue.valueOf(1));
        r.rawset("REPL_SLAVE", LuaValue.valueOf(2));
        r.rawset("REPL_REPLICA", LuaValue.valueOf(2));
        r.rawset("REPL_ALL", LuaValue.valueOf(3));
        r.rawset("acl_check_cmd", fn(args -> {
            engine.requireRun("redis.acl_check_cmd can only be called inside a script invocation");
            byte[][] argv = engine.toArgv(args);
            Command cmd = engine.lookup(argv);
            if (cmd == null) {
                throw raise("Invalid command passed to redis.acl_check_cmd()");
            }
            return LuaValue.valueOf(engine.aclAllows(cmd, argv));
        }));
        if (eval) {
            r.rawset("breakpoint", fn(args -> LuaValue.FALSE));
            r.rawset("debug", fn(args -> LuaValue.NONE));
            r.rawset("replicate_commands", fn(args -> LuaValue.TRUE));
        }
        return r;
    }

    static void addLog(LuaTable r) {
        r.rawset("log", fn(RedisApi::logCommand));
        r.rawset("LOG_DEBUG", LuaValue.valueOf(0));
        r.rawset("LOG_VERBOSE", LuaValue.valueOf(1));
        r.rawset("LOG_NOTICE", LuaValue.valueOf(2));
        r.rawset("LOG_WARNING", LuaValue.valueOf(3));
    }

    static void addVersion(LuaTable r) {
        r.rawset("REDIS_VERSION_NUM", LuaValue.valueOf(REDIS_VERSION_NUM));
        r.rawset("REDIS_VERSION", LuaValue.valueOf(io.damselfly.server.command.ServerContext.REDIS_VERSION));
    }

    /** redis.log(level, message ...): to the server log at the matching level. */
    private static Varargs logCommand(Varargs args) {
        int argc = args.narg();
        if (argc < 2) {
            throw raise("redis.log() requires two arguments or more.");
        }
        if (!args.arg1().isnumber()) {
            throw raise("First argument must be a number (log level).");
        }
        int level = (int) args.arg1().todouble();
        if (level < 0 || level > 3) {
            throw raise("Invalid debug level.");
        }
        StringBuilder s = new StringBuilder();
        for (int j = 2; j <= argc; j++) {
            LuaValue v = args.arg(j);
            if (v.isstring()) {
                if (j != 2) {
                    s.append(' ');
                }
                s.append(v.tojstring());
            }
        }
        switch (level) {
            case 0, 1 -> log.debug("{}", s);
            case 2 -> log.info("{}", s);
            default -> log.warn("{}", s);
        }
        return LuaValue.NONE;
    }

    /** The error Redis's luaPushError + luaError raise: {err="ERR text"}. */
    static LuaError raise(String text) {
        return new LuaErrors.Raised(LuaErrors.errorTable("ERR " + text), 0);
    }

    static String sha1hex(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    interface Body {
        Varargs apply(Varargs args);
    }

    /** redis.call ({@code raise}) or redis.pcall: the engine's call, told which function it is. */
    private static VarArgFunction redisCall(ScriptEngine engine, boolean raise) {
        return new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                return engine.redisCall(this, args, raise);
            }
        };
    }

    static VarArgFunction fn(Body body) {
        return new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                return body.apply(args);
            }
        };
    }

    static boolean overMemory(ScriptEngine engine) {
        long max = engine.server().config().getLong(Option.MAXMEMORY);
        return max > 0 && engine.server().keyspace().memoryEstimate() > max;
    }

}
