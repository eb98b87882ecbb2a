package io.damselfly.server.scripting;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * A Lua table scripts cannot change: Redis 7.0's readonly tables (lua_enablereadonlytable), which
 * protect the libraries ({@code string}, {@code math}, {@code redis} ...) and their metatables.
 * Every way luaj changes a table goes through one of the overridden methods, so a script's
 * {@code string.x = 1}, {@code rawset}, {@code table.insert} or {@code setmetatable} on it fails
 * with Redis's "Attempt to modify a readonly table". The sandbox fills it and then {@link #lock}s it.
 */
final class ReadOnlyTable extends LuaTable {
    static final String MESSAGE = "Attempt to modify a readonly table";

    private boolean locked;

    void lock() {
        locked = true;
    }

    /** Sets a field even when locked (the engine switching a library's globals). */
    void force(LuaValue key, LuaValue value) {
        boolean was = locked;
        locked = false;
        try {
            super.rawset(key, value);
        } finally {
            locked = was;
        }
    }

    /** A write by the VM (t.x = v): the error carries the script's position, as Lua's VM error does. */
    private void check() {
        if (locked) {
            throw new LuaError(MESSAGE);
        }
    }

    /**
     * A write by a library function (rawset, table.insert, setmetatable): Redis raises it from
     * inside the C function, where Lua adds no position.
     */
    private void checkRaw() {
        if (locked) {
            throw new LuaErrors.Raised(LuaValue.valueOf(MESSAGE), 0);
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
