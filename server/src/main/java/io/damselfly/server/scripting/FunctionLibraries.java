package io.damselfly.server.scripting;

import io.damselfly.server.keyspace.GlobPattern;
import io.damselfly.server.rdb.DumpPayload;
import io.damselfly.server.rdb.RdbFormatException;
import io.damselfly.server.rdb.RdbInput;
import io.damselfly.server.rdb.RdbOutput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;

/**
 * Redis 7 functions (functions.c, function_lua.c of 7.0.15): libraries of named functions loaded
 * with FUNCTION LOAD and called with FCALL.
 *
 * <p>Design. A library's code ({@code #!lua name=lib} then Lua) is compiled into a globals table
 * of its own, empty and locked, whose metatable's {@code __index} the engine switches, as
 * luaEngineCreate switches Redis's: while FUNCTION LOAD runs the code, the library sees only a
 * {@code redis} table with register_function, log and the versions (anything else is "Script
 * attempted to access nonexistent global variable"); afterwards its functions see the full
 * sandbox (the libraries and the run-time {@code redis} API). Giving each library its own
 * globals (Redis shares one) means a FUNCTION LOAD, which runs on the caller's thread without
 * holding shards, never changes what a running function sees. Loading runs under a 500 ms
 * deadline (LOAD_TIMEOUT_MS) enforced by the instruction hook.
 *
 * <p>The set of libraries is an immutable snapshot replaced whole on every change (copy on
 * write, under this object's monitor): FCALL reads it without locking, and a failed LOAD or
 * RESTORE leaves it untouched, as Redis's libraryJoin reverts.
 *
 * <p>FUNCTION DUMP writes Redis 7.0's payload (per library the RDB_OPCODE_FUNCTION2 byte and the
 * code as an RDB string, then RDB version 10 and a CRC64 of it all), so a dump from
 * redis-server restores here and ours there; LZF-compressed strings in Redis's dumps are read.
 */
public final class FunctionLibraries {
    /** LOAD_TIMEOUT_MS of functions.c: a library's top-level code may run this long. */
    static final long LOAD_TIMEOUT_MILLIS = 500;
    static final String ENGINE = "LUA";
    static final int RDB_OPCODE_FUNCTION2 = 245;
    static final String BAD_NAME = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

    /** A registered function. */
    public record Function(String name, String description, int flags, LuaValue callback, Library library) {
    }

    /** A loaded library: its name, its whole code (shebang included), its functions. */
    public record Library(String name, byte[] code, Map<String, Function> functions, SandboxGlobals env) {
    }

    /** Libraries and functions by name; never changed once published. */
    record Snapshot(Map<String, Library> libraries, Map<String, Function> functions) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of());

        int functionCount() {
            return functions.size();
        }
    }

    private final ScriptEngine engine;
    /** What functions see when they run: the sandbox with the run-time redis API. */
    private final SandboxGlobals runtime;
    /** What a library's code sees while it loads: only {@code redis} (register_function, log, versions). */
    private final ReadOnlyTable loadApi;
    private volatile Snapshot current = Snapshot.EMPTY;
    /** The library whose code runs now on this thread (FUNCTION LOAD), for register_function. */
    private final ThreadLocal<Library> loading = new ThreadLocal<>();

    FunctionLibraries(ScriptEngine engine) {
        this.engine = engine;
        this.runtime = LuaSandbox.create(engine, RedisApi.create(engine, false));
        LuaSandbox.protect(runtime);
        ReadOnlyTable redis = new ReadOnlyTable();
        redis.rawset("register_function", RedisApi.fn(this::registerFunction));
        RedisApi.addLog(redis);
        RedisApi.addVersion(redis);
        redis.setmetatable(LuaSandbox.missingGlobalMetatable());
        redis.lock();
        ReadOnlyTable api = new ReadOnlyTable();
        api.rawset("redis", redis);
        api.setmetatable(LuaSandbox.missingGlobalMetatable());
        api.lock();
        this.loadApi = api;
    }

    // ---- reading ------------------------------------------------------------------------------

    /** The function named {@code name} in any letter case (Redis's functions dict ignores case), or null. */
    public Function function(String name) {
        return current.functions().get(key(name));
    }

    /** Functions are found by name ignoring case; libraries, and a library's own functions, not. */
    private static String key(String functionName) {
        return functionName.toLowerCase(java.util.Locale.ROOT);
    }

    public Collection<Library> libraries() {
        return current.libraries().values();
    }

    public int libraryCount() {
        return current.libraries().size();
    }

    public int functionCount() {
        return current.functionCount();
    }

    /** Libraries whose name matches {@code pattern} (glob, case-sensitive), or all when null. */
    public List<Library> list(byte[] pattern) {
        List<Library> out = new ArrayList<>();
        GlobPattern glob = pattern == null ? null : GlobPattern.compile(pattern);
        for (Library l : current.libraries().values()) {
            if (glob == null || glob.matches(l.name().getBytes(StandardCharsets.ISO_8859_1))) {
                out.add(l);
            }
        }
        return out;
    }

    /** INFO used_memory_functions: the libraries' code and names, with a fixed overhead each. */
    public long memory() {
        long n = 0;
        for (Library l : current.libraries().values()) {
            n += l.code().length + l.name().length() + 96;
            for (Function f : l.functions().values()) {
                n += f.name().length() + (f.description() == null ? 0 : f.description().length()) + 64;
            }
        }
        return n;
    }

    /** INFO used_memory_vm_functions: an estimate of the compiled libraries. */
    public long vmMemory() {
        long n = ScriptEngine.EMPTY_VM_BYTES;
        for (Library l : current.libraries().values()) {
            n += (long) l.code().length * ScriptEngine.VM_BYTES_PER_SOURCE_BYTE;
        }
        return n;
    }

    // ---- FUNCTION LOAD ------------------------------------------------------------------------

    /** FUNCTION LOAD [REPLACE] code: the library's name; a {@link ScriptException} has the reply. */
    public String load(byte[] code, boolean replace) {
        Library lib = create(code, !replace);
        synchronized (this) {
            Snapshot s = current;
            Library old = s.libraries().get(lib.name());
            if (old != null && !replace) {
                throw new ScriptException("ERR Library '" + lib.name() + "' already exists");
            }
            Map<String, Library> libs = new LinkedHashMap<>(s.libraries());
            Map<String, Function> fns = new HashMap<>(s.functions());
            if (old != null) {
                unlink(libs, fns, old);
            }
            for (Function f : lib.functions().values()) {
                if (fns.containsKey(key(f.name()))) {
                    throw new ScriptException("ERR Function " + f.name() + " already exists");
                }
            }
            link(libs, fns, lib);
            current = new Snapshot(libs, fns);
        }
        return lib.name();
    }

    private static void link(Map<String, Library> libs, Map<String, Function> fns, Library lib) {
        libs.put(lib.name(), lib);
        for (Function f : lib.functions().values()) {
            fns.put(key(f.name()), f);
        }
    }

    private static void unlink(Map<String, Library> libs, Map<String, Function> fns, Library lib) {
        libs.remove(lib.name());
        for (Function f : lib.functions().values()) {
            fns.remove(key(f.name()));
        }
    }

    /**
     * Parses, compiles and runs a library's code into a library not yet linked
     * (functionExtractLibMetaData, functionsVerifyName, luaEngineCreate). Errors as Redis.
     */
    Library create(byte[] code, boolean mustBeNew) {
        String text = new String(code, StandardCharsets.ISO_8859_1);
        if (!text.startsWith("#!")) {
            throw new ScriptException("ERR Missing library metadata");
        }
        int end = text.indexOf('\n');
        if (end < 0) {
            throw new ScriptException("ERR Invalid library metadata");
        }
        List<String> split = SplitArgs.split(text.substring(0, end));
        if (split == null || split.isEmpty()) {
            throw new ScriptException("ERR Invalid library metadata");
        }
        String[] parts = split.toArray(new String[0]);
        String engineName = parts[0].substring(2);
        String name = null;
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].regionMatches(true, 0, "name=", 0, 5)) {
                if (name != null) {
                    throw new ScriptException("ERR Invalid metadata value, name argument was given multiple times");
                }
                name = parts[i].substring(5);
                continue;
            }
            throw new ScriptException("ERR Invalid metadata value given: " + parts[i]);
        }
        if (name == null) {
            throw new ScriptException("ERR Library name was not given");
        }
        if (!validName(name)) {
            throw new ScriptException("ERR " + BAD_NAME);
        }
        if (!engineName.equalsIgnoreCase(ENGINE)) {
            throw new ScriptException("ERR Engine '" + engineName + "' not found");
        }
        if (mustBeNew && current.libraries().containsKey(name)) {
            // checked before the code runs, as functionsCreateWithLibraryCtx does (and again when linking)
            throw new ScriptException("ERR Library '" + name + "' already exists");
        }
        SandboxGlobals env = libraryGlobals();
        LuaValue chunk = ScriptEngine.compile(env, code, end, "@user_function", "ERR Error compiling function: ");
        Library lib = new Library(name, code, new LinkedHashMap<>(), env);
        ReadOnlyTable meta = (ReadOnlyTable) env.getmetatable();
        meta.force(LuaValue.INDEX, loadApi);
        loading.set(lib);
        try {
            engine.withLoadDeadline(LOAD_TIMEOUT_MILLIS, chunk::call);
        } catch (LuaError e) {
            LuaValue v = LuaErrors.value(e, env.hook);
            String msg = v.istable() && v.rawget("err").isstring() ? v.rawget("err").tojstring() : "ERR " + v.tojstring();
            throw new ScriptException("ERR Error registering functions: " + msg);
        } catch (StackOverflowError e) {
            throw new ScriptException("ERR Error registering functions: ERR stack overflow");
        } finally {
            loading.remove();
            meta.force(LuaValue.INDEX, runtime);
        }
        if (lib.functions().isEmpty()) {
            throw new ScriptException("ERR No functions registered");
        }
        return lib;
    }

    /** Empty, locked globals for one library, with its own instruction hook. */
    private SandboxGlobals libraryGlobals() {
        SandboxGlobals env = new SandboxGlobals();
        env.hook = new InstructionHook(engine);
        // the debug library registers in package.loaded: give it one for the moment
        LuaTable pkg = new LuaTable();
        pkg.rawset("loaded", new LuaTable());
        env.rawset("package", pkg);
        env.hook.call(LuaValue.valueOf("debug"), env);
        env.rawset("debug", LuaValue.NIL);
        env.rawset("package", LuaValue.NIL);
        LoadState.install(env);
        LuaC.install(env);
        ReadOnlyTable meta = new ReadOnlyTable();
        meta.rawset(LuaValue.INDEX, runtime);
        meta.lock();
        env.setmetatable(meta);
        env.lock();
        return env;
    }

    static boolean validName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** redis.register_function, positional (name, callback) or named ({function_name=, callback=, flags=, description=}). */
    private Varargs registerFunction(Varargs args) {
        Library lib = loading.get();
        if (lib == null) {
            throw RedisApi.raise("redis.register_function can only be called on FUNCTION LOAD command");
        }
        int argc = args.narg();
        if (argc < 1 || argc > 2) {
            throw RedisApi.raise("wrong number of arguments to redis.register_function");
        }
        String name;
        String description = null;
        int flags = 0;
        LuaValue callback;
        if (argc == 1) {
            LuaValue t = args.arg1();
            if (!t.istable()) {
                throw RedisApi.raise("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).");
            }
            name = null;
            callback = null;
            for (Varargs e = t.next(LuaValue.NIL); !e.arg1().isnil(); e = t.next(e.arg1())) {
                LuaValue k = e.arg1();
                LuaValue v = e.arg(2);
                if (!k.isstring()) {
                    throw RedisApi.raise("named argument key given to redis.register_function is not a string");
                }
                String key = k.tojstring();
                if (key.equalsIgnoreCase("function_name")) {
                    if (!v.isstring()) {
                        throw RedisApi.raise("function_name argument given to redis.register_function must be a string");
                    }
                    name = v.tojstring();
                } else if (key.equalsIgnoreCase("description")) {
                    if (!v.isstring()) {
                        throw RedisApi.raise("description argument given to redis.register_function must be a string");
                    }
                    description = v.tojstring();
                } else if (key.equalsIgnoreCase("callback")) {
                    if (!v.isfunction()) {
                        throw RedisApi.raise("callback argument given to redis.register_function must be a function");
                    }
                    callback = v;
                } else if (key.equalsIgnoreCase("flags")) {
                    if (!v.istable()) {
                        throw RedisApi.raise("flags argument to redis.register_function must be a table representing function flags");
                    }
                    for (int j = 1; ; j++) {
                        LuaValue f = v.rawget(j);
                        if (f.isnil()) {
                            break;
                        }
                        int bit = f.type() == LuaValue.TSTRING ? ScriptFlags.byName(f.tojstring()) : 0;
                        if (bit == 0) {
                            throw RedisApi.raise("unknown flag given");
                        }
                        flags |= bit;
                    }
                } else {
                    throw RedisApi.raise("unknown argument given to redis.register_function");
                }
            }
            if (name == null) {
                throw RedisApi.raise("redis.register_function must get a function name argument");
            }
            if (callback == null) {
                throw RedisApi.raise("redis.register_function must get a callback argument");
            }
        } else {
            if (!args.arg1().isstring()) {
                throw RedisApi.raise("first argument to redis.register_function must be a string");
            }
            name = args.arg1().tojstring();
            if (!args.arg(2).isfunction()) {
                throw RedisApi.raise("second argument to redis.register_function must be a function");
            }
            callback = args.arg(2);
        }
        if (!validName(name)) {
            throw RedisApi.raise(BAD_NAME);
        }
        if (lib.functions().containsKey(name)) {
            throw RedisApi.raise("Function already exists in the library");
        }
        lib.functions().put(name, new Function(name, description, flags, callback, lib));
        return LuaValue.NONE;
    }

    // ---- DELETE, FLUSH --------------------------------------------------------------------------

    /** FUNCTION DELETE: false when there is no such library. */
    public synchronized boolean delete(String name) {
        Snapshot s = current;
        Library lib = s.libraries().get(name);
        if (lib == null) {
            return false;
        }
        Map<String, Library> libs = new LinkedHashMap<>(s.libraries());
        Map<String, Function> fns = new HashMap<>(s.functions());
        unlink(libs, fns, lib);
        current = new Snapshot(libs, fns);
        return true;
    }

    /** FUNCTION FLUSH. */
    public synchronized void flush() {
        current = Snapshot.EMPTY;
    }

    // ---- DUMP, RESTORE ----------------------------------------------------------------------------

    /** FUNCTION DUMP: Redis 7.0's payload of every library. */
    public byte[] dump() {
        RdbOutput out = new RdbOutput(256);
        for (Library l : current.libraries().values()) {
            byte[] code = l.code();
            out.writeByte(RDB_OPCODE_FUNCTION2);
            // the raw form (no LZF), as these payloads have always been written
            out.writeLength(code.length);
            out.writeBytes(code, 0, code.length);
        }
        return DumpPayload.seal(out);
    }

    /** FUNCTION RESTORE's policies. */
    public enum RestorePolicy { APPEND, REPLACE, FLUSH }

    /** FUNCTION RESTORE payload [policy]; a {@link ScriptException} carries Redis's error reply. */
    public void restore(byte[] payload, RestorePolicy policy) {
        if (!DumpPayload.verify(payload, engine.server().keyspace().skipsDumpChecksum())) {
            throw new ScriptException("ERR DUMP payload version or checksum are wrong");
        }
        Map<String, Library> fresh = new LinkedHashMap<>();
        Map<String, Function> freshFns = new HashMap<>();
        RdbInput in = new RdbInput(payload, 0, payload.length - DumpPayload.FOOTER_BYTES);
        while (in.remaining() > 0) {
            byte[] code;
            try {
                if (in.readUnsignedByte() != RDB_OPCODE_FUNCTION2) {
                    throw new ScriptException("ERR given type is not a function");
                }
                code = in.readString();
            } catch (RdbFormatException e) {
                throw new ScriptException("ERR failed loading the given functions payload");
            }
            Library lib = create(code, false);
            if (fresh.containsKey(lib.name())) {
                throw new ScriptException("ERR Library '" + lib.name() + "' already exists");
            }
            for (Function f : lib.functions().values()) {
                if (freshFns.containsKey(key(f.name()))) {
                    throw new ScriptException("ERR Function " + f.name() + " already exists");
                }
            }
            link(fresh, freshFns, lib);
        }
        synchronized (this) {
            if (policy == RestorePolicy.FLUSH) {
                current = new Snapshot(fresh, freshFns);
                return;
            }
            Snapshot s = current;
            Map<String, Library> libs = new LinkedHashMap<>(s.libraries());
            Map<String, Function> fns = new HashMap<>(s.functions());
            for (Library l : fresh.values()) {
                Library old = libs.get(l.name());
                if (old != null) {
                    if (policy != RestorePolicy.REPLACE) {
                        throw new ScriptException("ERR Library " + l.name() + " already exists");
                    }
                    unlink(libs, fns, old);
                }
            }
            for (Function f : freshFns.values()) {
                if (fns.containsKey(key(f.name()))) {
                    throw new ScriptException("ERR Function " + f.name() + " already exists");
                }
            }
            for (Library l : fresh.values()) {
                link(libs, fns, l);
            }
            current = new Snapshot(libs, fns);
        }
    }
}
