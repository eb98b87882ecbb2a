package io.damselfly.server.rdb;

/**
 * Serialized data that does not decode: truncated, out of bounds, an unknown type or encoding, a
 * duplicate element. RESTORE answers it with "Bad data format"; a file load stops with its text.
 */
public final class RdbFormatException extends Exception {
    public RdbFormatException(String message) {
        super(message, null, false, false);
    }
}
