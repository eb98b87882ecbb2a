/**
 * The append-only file: Redis 7.0's multi-part AOF (a directory holding a manifest, one base file,
 * incr files and history files waiting for deletion), written as commands run and read back at
 * start.
 *
 * <p>Design note. The parts are split by what they know. {@link io.damselfly.server.aof.AofManifest}
 * is the file list and its text, nothing else: parsing with Redis's exact errors, writing
 * atomically (temp file, fsync, rename, directory fsync), the naming and sequence rules of a
 * rewrite, the old-style upgrade. {@link io.damselfly.server.aof.AofCommandReader} is the
 * command format alone, a streaming parser that allocates only as bytes arrive.
 * {@link io.damselfly.server.aof.AofLoading} is the order and the outcomes of a load
 * (loadAppendOnlyFiles), talking to the server through its {@code Replay} interface, so it is
 * tested on real files without a server; the server implements Replay (an RDB loader for base
 * images, an AOF client per file that runs commands without replies). Redis 7.0.15's aof.c is the
 * specification down to the log lines, its quirks included where they are visible from outside
 * (each class says which); where Redis has no bound (a damaged argument count or length) the
 * reader has one and says so.
 */
package io.damselfly.server.aof;
