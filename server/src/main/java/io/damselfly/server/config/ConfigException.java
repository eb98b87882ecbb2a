package io.damselfly.server.config;

/** A bad option on the command line or in a config file: the start is refused with this text. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
