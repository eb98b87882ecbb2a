package io.damselfly.server.command;

/**
 * An argument that fails validation deep inside parsing (not an integer, syntax error, bad
 * option): the executor replies with {@link #reply()} and the command has no effect. Handlers
 * must validate before they change anything. Results such as WRONGTYPE or a missing key are
 * written as replies, not thrown. Stackless: it is control flow, not a bug report.
 */
public final class CommandError extends RuntimeException {
    public CommandError(String reply) {
        super(reply, null, false, false);
    }

    /** The error text, with its prefix (e.g. "ERR syntax error"). */
    public String reply() {
        return getMessage();
    }
}
