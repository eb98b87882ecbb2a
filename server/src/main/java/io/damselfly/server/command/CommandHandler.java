package io.damselfly.server.command;

/** Runs one command: parses its arguments, does its work, writes its reply. */
@FunctionalInterface
public interface CommandHandler {
    void execute(CommandContext c);
}
