package io.damselfly.server.command;

/**
 * A piece of reply that is a stored value's bytes, lent by the keyspace instead of copied (see
 * {@link Reply}). The keyspace never changes lent bytes in place, so they may be read after the
 * shard lock is gone; the connection copies them to the socket in chunks.
 */
public record LentBytes(byte[] array, int offset, int length) {
}
