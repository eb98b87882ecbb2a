package io.damselfly.server.scripting;

/**
 * luaj's compiler messages in Lua 5.1's words where they differ: luaj names the end of input
 * token by its number ("unexpected symbol 286 (...)") where Lua says "near '&lt;eof&gt;'".
 */
final class LuaMessages {
    private LuaMessages() {
    }

    static String compileError(String message) {
        return message.replaceAll(" 28[67] \\(.\\)$", " near '<eof>'")
                .replaceAll("'<eos>'", "'<eof>'");
    }
}
