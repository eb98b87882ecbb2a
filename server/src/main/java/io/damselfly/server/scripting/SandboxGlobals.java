package io.damselfly.server.scripting;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

/**
 * The global table of a sandboxed Lua state, read-only once {@link #lock}ed, as Redis 7.0 locks
 * its globals after loading the libraries: a script cannot create or change a global ("Attempt
 * to modify a readonly table") and reading a missing one fails through the metatable the sandbox
 * sets ("Script attempted to access nonexistent global variable 'x'"). The engine itself still
 * sets KEYS and ARGV before each EVAL through {@link #force}.
 */
final class SandboxGlobals extends Globals {
    private boolean locked;
    /** The instruction hook installed as this state's debug library. */
    InstructionHook hook;

    void lock() {
        locked = true;
    }

    /** Sets a global even when locked (KEYS and ARGV for an EVAL). */
    void force(String name, LuaValue value) {
        boolean was = locked;
        locked = false;
        try {
            super.rawset(LuaValue.valueOf(name), value);
        } finally {
            locked = was;
        }
    }

    /** A write by the VM (x = v): the error carries the script's position, as Lua's VM error does. */
    private void check() {
        if (locked) {
            throw new LuaError(ReadOnlyTable.MESSAGE);
        }
    }

    /** A write by a library function (rawset, table.insert, setmetatable): no position, as in Redis. */
    private void checkRaw() {
        if (locked) {
            throw new LuaErrors.Raised(LuaValue.valueOf(ReadOnlyTable.MESSAGE), 0);
        }
    }

    @Override
    public void set(int key, LuaValue value) {
        check();
        super.set(key, value);
    }

    @Override
    public void set(LuaValue key, LuaValue value) {
        check();
        super.set(key, value);
    }

    @Override
    public void rawset(int key, LuaValue value) {
        checkRaw();
        super.rawset(key, value);
    }

    @Override
    public void rawset(LuaValue key, LuaValue value) {
        checkRaw();
        super.rawset(key, value);
    }

    @Override
    public void hashset(LuaValue key, LuaValue value) {
        checkRaw();
        super.hashset(key, value);
    }

    @Override
    public LuaValue remove(int pos) {
        checkRaw();
        return super.remove(pos);
    }

    @Override
    public void insert(int pos, LuaValue value) {
        checkRaw();
        super.insert(pos, value);
    }

    @Override
    public void sort(LuaValue comparator) {
        checkRaw();
        super.sort(comparator);
    }

    @Override
    public LuaValue setmetatable(LuaValue metatable) {
        checkRaw();
        return super.setmetatable(metatable);
    }
}
