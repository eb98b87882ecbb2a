package io.damselfly.server.scripting;

/** A script or library that cannot be loaded; the message is the whole error reply. */
public final class ScriptException extends RuntimeException {
    public ScriptException(String reply) {
        super(reply, null, false, false);
    }
}
