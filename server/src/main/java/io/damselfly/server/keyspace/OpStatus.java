package io.damselfly.server.keyspace;

/**
 * How a keyspace operation ended, when it can end other than as asked: ordinary outcomes that a
 * command turns into its reply (Redis's error texts live with the commands, not here).
 */
public enum OpStatus {
    OK,
    /** A condition of the operation (NX, XX, a key that must be absent) was not met; nothing changed. */
    NOT_DONE,
    NO_SUCH_KEY,
    WRONG_TYPE,
    /** The value is not an integer, or not one that fits 64 bits. */
    NOT_INTEGER,
    /** The result would not fit 64 bits. */
    OVERFLOW,
    NOT_FLOAT,
    NAN_OR_INFINITY,
    /** The string would grow past the largest allowed. */
    STRING_TOO_LONG
}
