package io.damselfly.server.persist;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a snapshot is written so that a crash at any moment leaves the last good file whole: a
 * temporary file beside the target, fsynced, renamed over the target in one step, and the
 * directory fsynced so the rename itself survives a power cut (rdbSave's order, plus the directory
 * sync Redis 7 added in fsyncFileDir).
 */
final class SnapshotFile {
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Path target;
    private final Path temp;

    SnapshotFile(Path dir, String fileName) {
        this.target = dir.resolve(fileName);
        // the pid, as Redis's temp-<pid>.rdb, and a sequence for saves of one process
        this.temp = dir.resolve("temp-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + ".rdb");
    }

    Path target() {
        return target;
    }

    /** Creates the temporary file, replacing a leftover of the same name. */
    FileChannel open() throws IOException {
        return FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
    }

    /** After the writer finished and the channel was forced and closed: puts the file in place. */
    void commit() throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + temp + " to " + target + " atomically", e);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Removes the temporary file of a save that failed or was abandoned. */
    void discard() {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // nothing more to do: a leftover temp file is overwritten by no one and harms nothing
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
