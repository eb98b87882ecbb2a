package io.damselfly.server.rdb;

/**
 * An RDB file that exists but cannot be loaded (corrupt, truncated, unreadable, of a version or
 * with contents this server cannot hold): the start stops with its message, never silently empty.
 */
public final class RdbLoadException extends RuntimeException {
    public RdbLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
