package io.damselfly.server.scripting.lib;

import org.luaj.vm2.Globals;

/**
 * The four libraries Redis 7.0 embeds in its Lua (script_lua.c, luaLoadLibraries): cjson, struct,
 * cmsgpack and bit, each installed as the global of that name.
 */
public final class ScriptLibraries {

    private ScriptLibraries() {
    }

    /** Installs {@code cjson}, {@code struct}, {@code cmsgpack} and {@code bit} into {@code g}. */
    public static void install(Globals g) {
        g.load(new CjsonLib());
        g.load(new StructLib());
        g.load(new CmsgpackLib());
        g.load(new BitLib());
    }
}
