package io.damselfly.server.scripting;

/** Redis 7 functions (placeholder while EVAL lands). */
public final class FunctionLibraries {
    private final ScriptEngine engine;

    FunctionLibraries(ScriptEngine engine) {
        this.engine = engine;
    }
}
