package io.damselfly.server.rdb;

import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.persist.Persistence;
import io.damselfly.server.testing.TempDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a keyspace to an RDB file image for tests, through the real snapshot: {@link Persistence}
 * walking a {@code KeyspaceSnapshot} (chunks of each shard, each opening with SELECTDB, so a
 * database is selected many times and not in order) into a temporary directory.
 */
final class RdbFiles {
    private RdbFiles() {
    }

    /** The file image of every database of {@code keyspace}, with the libraries of a FUNCTION DUMP payload (or none). */
    static byte[] write(Keyspace keyspace, byte[] functionDump) throws IOException {
        Path dir = TempDirs.create("rdbfiles");
        try (Persistence p = new Persistence(keyspace, Persistence.Target.of(dir, "image.rdb", keyspace, functionDump))) {
            if (!p.startSave("test").join()) {
                throw new IOException("the snapshot failed; see the log");
            }
            return Files.readAllBytes(dir.resolve("image.rdb"));
        } finally {
            TempDirs.delete(dir);
        }
    }
}
